"""Speed-ups for convolutional GANs, picked per device and measured by ``benchmarks/throughput.py``.

:func:`speed_ups_for` says which speed-ups help on a device (channels_last, bfloat16
autocast, ``torch.compile``, fewer host syncs); :func:`speed_up` applies the ones that
change the models; a :class:`~gan_course.models.gan.GANStep` takes ``autocast=`` and
:func:`gan_course.train.train` takes ``sync_every=``. :func:`precision` and
:func:`float32` are what a step uses to run its forward passes under autocast while its
losses stay in float32. :func:`count_flops` counts a step's operations (a budget that is the same on any machine).

Taught in: lesson 07.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import flop_registry

# --------------------------------------------------------------------------- precision


def check_autocast(autocast: torch.dtype | None) -> None:
    """Accept ``torch.bfloat16`` or ``None``; explain why anything else (float16 above all) is refused."""
    if autocast is None or autocast is torch.bfloat16:
        return
    if autocast is torch.float16:
        raise ValueError(
            "autocast=torch.float16 needs a GradScaler to keep small gradients from underflowing, and this "
            "loop has none; use autocast=torch.bfloat16 (float32's range, no scaler needed) or None"
        )
    raise ValueError(f"autocast must be torch.bfloat16 or None, got {autocast!r}")


def precision(device: torch.device, autocast: torch.dtype | None) -> contextlib.AbstractContextManager:
    """``torch.autocast`` when a dtype is given; otherwise nothing (an outer autocast stays in force)."""
    return torch.autocast(device.type, dtype=autocast) if autocast is not None else contextlib.nullcontext()


def float32(x: Tensor) -> Tensor:
    """Upcast a bfloat16/float16 result, so that losses are computed in float32; other tensors pass as they are."""
    return x.float() if x.is_floating_point() and x.element_size() < 4 else x


# --------------------------------------------------------------------------- speed-ups


COMPILE_MODES = ("default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")


@dataclass(frozen=True)
class SpeedUps:
    """Which speed-ups to use; :func:`speed_ups_for` picks them for a device."""

    channels_last: bool = False          # convolutions in NHWC memory format (for speed_up)
    compile: bool | str = False          # torch.compile the models, or a compile mode (for speed_up)
    autocast: torch.dtype | None = None  # forward passes in bfloat16 (for a GANStep)
    sync_every: int = 1                  # read the losses on the host every this many steps (for train)


def _cpu_has_bfloat16() -> bool:
    # Without native bfloat16 instructions (AVX512-BF16 or AMX) autocast on the CPU is emulated and slower.
    probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, name, lambda: False)() for name in probes)


def speed_ups_for(device: torch.device | str) -> SpeedUps:
    """The speed-ups that help convolutional GANs on ``device``.

    Measured with ``benchmarks/throughput.py`` (DCGAN on MNIST): on a CPU with
    native bfloat16, channels_last and bfloat16 autocast together roughly halve
    the step time; ``torch.compile`` made CPU steps slower, so it stays off there.
    The CUDA choice (all on, a host sync every 50 steps) is the usual recipe for
    small models, where kernel launches and syncs dominate; it is not measured
    yet (``benchmarks/RESULTS.md`` marks the GPU figures pending).

    Args:
        device: the training device.

    Returns:
        A :class:`SpeedUps`; use it as ``speed_up(G, D, channels_last=s.channels_last,
        compile=s.compile)`` ``GANStep(..., autocast=s.autocast)`` and ``train(..., sync_every=s.sync_every)``.
    """
    device = torch.device(device)
    if device.type == "cuda":
        bf16 = torch.cuda.is_bf16_supported(including_emulation=False)  # Ampere and newer
        return SpeedUps(channels_last=True, compile=True, autocast=torch.bfloat16 if bf16 else None, sync_every=50)
    if device.type == "cpu":
        return SpeedUps(channels_last=True, autocast=torch.bfloat16 if _cpu_has_bfloat16() else None)
    return SpeedUps()  # MPS and others: not measured, so nothing is switched on


def speed_up(*models: nn.Module, channels_last: bool = True, compile: bool | str = False) -> None:
    """Make convolutional models faster, in place.

    ``channels_last`` stores 4D weights as NHWC, the layout fast convolution
    kernels (cuDNN, oneDNN) prefer. ``compile`` uses ``nn.Module.compile``,
    which keeps the module object and its ``state_dict`` keys, so checkpoints
    stay interchangeable with uncompiled models. The first steps after
    compiling are slow (compilation), and again after switching train/eval.

    Args:
        *models: e.g. ``G, D``.
        channels_last: convert 4D parameters to ``torch.channels_last``.
        compile: ``True`` or a mode of ``torch.compile`` (``"reduce-overhead"`` uses CUDA graphs).
    """
    if compile is not False and compile is not True and compile not in COMPILE_MODES:
        raise ValueError(f"compile must be True, False or one of {COMPILE_MODES}, got {compile!r}")
    for model in models:
        if not isinstance(model, nn.Module):
            raise TypeError(f"speed_up expects nn.Module objects, got {type(model).__name__}")
        if channels_last:
            model.to(memory_format=torch.channels_last)
        if compile:
            model.compile(mode=None if compile is True else compile)


# --------------------------------------------------------------------------- counting operations


class _OperationCounter(TorchDispatchMode):
    """Adds up the floating-point operations of every matrix product and convolution that runs while it is active,
    forward and backward passes alike (the formulas of ``torch.utils.flop_counter``)."""

    def __init__(self):
        super().__init__()
        self.total = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        count = flop_registry.get(func._overloadpacket)
        if count is not None:
            self.total += count(*args, **kwargs, out_val=out)
        return out


def count_flops(fn, *args, **kwargs) -> tuple[int, object]:
    """The floating-point operations (a multiply-add counts 2) of the matrix products and convolutions that
    ``fn(*args, **kwargs)`` runs, its backward passes included, and what it returned. A machine-independent
    measure of compute, e.g. to give several models the same training budget. Unlike ``FlopCounterMode`` it
    tracks no modules, so it also counts a step that differentiates twice (R1, a gradient penalty)."""
    counter = _OperationCounter()
    with counter:
        result = fn(*args, **kwargs)
    return counter.total, result
