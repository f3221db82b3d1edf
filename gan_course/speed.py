"""Speed-ups for convolutional GANs, picked per device and measured by ``benchmarks/throughput.py``.

:func:`calibrate` times the speed-ups (channels_last, bfloat16 autocast, fewer threads,
``torch.compile``) on the actual model and machine and keeps only what is faster, cached per
machine; :func:`speed_ups_for` is the unmeasured guess; :func:`speed_up` applies the ones that
change the models; a :class:`~gan_course.models.gan.GANStep` takes ``autocast=`` and
:func:`gan_course.train.train` takes ``sync_every=``. :func:`precision` and
:func:`float32` are what a step uses to run its forward passes under autocast while its
losses stay in float32. :func:`count_flops` counts a step's operations (a budget that is the same on any machine).

Taught in: lesson 19 (:func:`count_flops`, its matched-compute budget). The other speed-ups are measured in
``benchmarks/throughput.py`` and ``benchmarks/RESULTS.md``; no lesson teaches the calibration yet.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import hashlib
import itertools
import json
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor, nn
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import flop_registry

from . import runtime

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
    """Which speed-ups to use; :func:`calibrate` measures them on a model, :func:`speed_ups_for` guesses."""

    channels_last: bool = False          # convolutions in NHWC memory format (for speed_up)
    compile: bool | str = False          # torch.compile the models, or a compile mode (for speed_up)
    autocast: torch.dtype | None = None  # forward passes in bfloat16 (for a GANStep)
    sync_every: int = 1                  # read the losses on the host every this many steps (for train)
    threads: int | None = None           # torch's CPU threads (None: leave torch's setting)

    def describe(self) -> str:
        parts = ["channels_last" if self.channels_last else "",
                 "bfloat16 autocast" if self.autocast is not None else "",
                 f"compile={self.compile}" if self.compile else "",
                 f"{self.threads} threads" if self.threads else "",
                 f"a host sync every {self.sync_every} steps" if self.sync_every > 1 else ""]
        return ", ".join(p for p in parts if p) or "none (plain float32, NCHW)"


# oneDNN's instruction-set caps below the first one with bfloat16 dot products (AVX512_CORE_BF16)
_ONEDNN_WITHOUT_BF16 = ("SSE41", "AVX", "AVX2", "AVX2_VNNI", "AVX2_VNNI_2", "AVX512_CORE", "AVX512_CORE_VNNI")


def _cpu_has_bfloat16() -> bool:
    # Without native bfloat16 instructions (AVX512-BF16 or AMX) autocast on the CPU is emulated and slower;
    # a cap on oneDNN's or ATen's instruction set (ONEDNN_MAX_CPU_ISA=AVX2, as on a laptop) takes them away.
    if os.environ.get("ONEDNN_MAX_CPU_ISA", "").upper() in _ONEDNN_WITHOUT_BF16:
        return False
    if torch.backends.cpu.get_cpu_capability() not in ("AVX512", "AMX"):
        return False
    probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, name, lambda: False)() for name in probes)


def has_native_bfloat16(device: torch.device | str) -> bool:
    """Whether ``device`` computes in bfloat16 natively (Ampere or newer GPUs; CPUs with AVX512-BF16 or AMX)."""
    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported(including_emulation=False)
    return device.type == "cpu" and _cpu_has_bfloat16()


def speed_ups_for(device: torch.device | str) -> SpeedUps:
    """A guess, without measuring, of the speed-ups that help convolutional GANs on ``device``.

    Prefer :func:`calibrate`, which times them on the actual model and keeps only what is
    faster: on a CPU without native bfloat16 (most laptops, AVX2 only) the guess that held on
    one fast CPU can slow a step down (``benchmarks/RESULTS.md``). The CUDA guess (all on, a host
    sync every 50 steps) is the usual recipe for small models, where kernel launches and syncs
    dominate.

    Args:
        device: the training device.

    Returns:
        A :class:`SpeedUps`; use it as ``speed_up(G, D, channels_last=s.channels_last,
        compile=s.compile)`` ``GANStep(..., autocast=s.autocast)`` and ``train(..., sync_every=s.sync_every)``.
    """
    device = torch.device(device)
    bf16 = torch.bfloat16 if has_native_bfloat16(device) else None
    if device.type == "cuda":
        return SpeedUps(channels_last=True, compile=True, autocast=bf16, sync_every=50)
    if device.type == "cpu":
        return SpeedUps(channels_last=bf16 is not None, autocast=bf16)
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


def apply(step, speed_ups: SpeedUps) -> None:
    """Switch ``speed_ups`` on for a training step (a :class:`gan_course.train.Step`), in place: its networks'
    memory format and compilation, its ``autocast`` and torch's thread count (``sync_every`` is ``train``'s)."""
    if speed_ups.autocast is not None and not hasattr(step, "autocast"):
        raise ValueError(f"{type(step).__name__} has no autocast setting, so bfloat16 autocast cannot be switched on")
    speed_up(*step.modules().values(), channels_last=speed_ups.channels_last, compile=speed_ups.compile)
    if hasattr(step, "autocast"):
        check_autocast(speed_ups.autocast)
        step.autocast = speed_ups.autocast
    if speed_ups.threads:
        torch.set_num_threads(speed_ups.threads)


# --------------------------------------------------------------------------- calibration


@dataclass(frozen=True)
class Calibration:
    """What :func:`calibrate` measured and chose."""

    speed_ups: SpeedUps                 # the fastest candidate (plain unless another beat it by the margin)
    ms_per_iteration: dict[str, float]  # candidate -> median milliseconds of n_critic D updates and one G update
    machine: str                        # where it was measured
    from_cache: bool                    # read from an earlier calibration rather than measured now
    path: Path | None = None            # the cache file

    def apply(self, step) -> None:
        """:func:`apply` the chosen speed-ups to ``step``."""
        apply(step, self.speed_ups)

    def __str__(self) -> str:
        plain = self.ms_per_iteration["plain"]
        lines = [f"speed-ups measured on {self.machine}" + (" (cached)" if self.from_cache else "") + ":"]
        for name, ms in sorted(self.ms_per_iteration.items(), key=lambda kv: kv[1]):
            lines.append(f"  {name:<34}{ms:9.1f} ms an iteration  {plain / ms:5.2f}x")
        lines.append(f"  chosen: {self.speed_ups.describe()}")
        return "\n".join(lines)


def _candidates(step, device: torch.device, compile: bool) -> dict[str, SpeedUps]:
    """Every combination of the speed-ups worth timing on ``step`` here (they interact: on a CPU with bfloat16,
    channels_last alone did nothing and with autocast it added a fifth), plain float32 first."""
    params = [p for m in step.modules().values() for p in m.parameters()]
    threads = torch.get_num_threads()
    factors = []  # (name, field, value when on)
    if any(p.dim() == 4 for p in params):
        factors.append(("channels_last", "channels_last", True))
    if hasattr(step, "autocast") and has_native_bfloat16(device):
        factors.append(("bfloat16 autocast", "autocast", torch.bfloat16))
    if device.type == "cpu" and threads > 1:
        factors.append((f"{threads // 2} threads", "threads", threads // 2))
    if compile:
        factors.append(("compile", "compile", True))
    out = {}
    for on in itertools.product((False, True), repeat=len(factors)):
        chosen = [f for f, flag in zip(factors, on) if flag]
        name = " + ".join(f[0] for f in chosen) or "plain"
        out[name] = SpeedUps(**{field: value for _, field, value in chosen})
    return out


def _shapes(batch):
    if isinstance(batch, Tensor):
        return [list(batch.shape), str(batch.dtype), batch.device.type]
    if isinstance(batch, dict):
        return {str(k): _shapes(v) for k, v in sorted(batch.items())}
    if isinstance(batch, (list, tuple)):
        return [_shapes(v) for v in batch]
    return type(batch).__name__


def _device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return f"CUDA GPU {torch.cuda.get_device_name(device)}"
    return f"CPU {runtime.cpu_name()} ({runtime.cpu_isa()}, {torch.get_num_threads()} threads)"


def _batch_device(batch) -> torch.device | None:
    if isinstance(batch, Tensor):
        return batch.device
    values = batch.values() if isinstance(batch, dict) else batch if isinstance(batch, (list, tuple)) else []
    for value in values:
        found = _batch_device(value)
        if found is not None:
            return found
    return None


def _iteration(step, batch, device: torch.device) -> None:
    for _ in range(step.n_critic):
        step.d_step(batch)
    step.g_step(batch)
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _time(steps: dict, batch, device: torch.device, iterations: int, rounds: int) -> dict[str, float]:
    """Median milliseconds an iteration of each prepared step, in rounds that alternate who goes first."""
    times = {name: [] for name in steps}
    names = list(steps)
    for r in range(rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            step, threads = steps[name]
            with runtime.torch_threads(threads):
                start = time.perf_counter()
                for _ in range(iterations):
                    _iteration(step, batch, device)
                times[name].append((time.perf_counter() - start) * 1000 / iterations)
    return {name: statistics.median(ts) for name, ts in times.items()}


def _prepared(step, speed_ups: SpeedUps, batch, device: torch.device, warmup: int):
    """A copy of ``step`` with ``speed_ups`` on, run ``warmup`` iterations (compilation, allocator, caches)."""
    copy_ = copy.deepcopy(step)
    threads = speed_ups.threads or torch.get_num_threads()
    apply(copy_, dataclasses.replace(speed_ups, threads=None))
    with runtime.torch_threads(threads):
        for _ in range(warmup + (2 if speed_ups.compile else 0)):
            _iteration(copy_, batch, device)
    return copy_, threads


def calibrate(step, batch, *, compile: bool | None = None, iterations: int = 1, rounds: int = 3,
              margin: float = 0.05, cache: bool = True) -> Calibration:
    """Time each speed-up on a copy of ``step`` with ``batch`` and keep only what is faster on this machine.

    The candidates are plain float32, channels_last (convolutional models), bfloat16 autocast
    (where the device computes bfloat16 natively and the step has ``autocast``), half the CPU
    threads, and ``torch.compile`` (``compile=True``; by default on CUDA only, since on a CPU it
    takes 15-30 s to compile and made steps slower, ``benchmarks/RESULTS.md``), and every
    combination of them (they interact). Each is timed on its own copy of the step (the step
    itself is not changed) over ``rounds`` rounds of ``iterations`` iterations that alternate the
    order, after a warm-up. The fastest wins, and plain stays unless something beat it by more
    than ``margin``: the result is never knowingly slower than plain.

    The result is cached per machine (CPU or GPU, instruction set and its caps, threads), torch
    version, step type, networks' shapes and batch shape under ``<cache>/speed/``, so a second
    call costs nothing; ``cache=False`` measures again.

    Args:
        step: a training step (``d_step``, ``g_step``, ``modules()``, ``n_critic``).
        batch: one batch, on the training device, as the step takes it.

    Returns:
        A :class:`Calibration`; ``calibration.apply(step)`` switches the chosen speed-ups on and
        ``calibration.speed_ups.sync_every`` is for :func:`gan_course.train.train`.
    """
    device = _batch_device(batch)
    if device is None:
        raise ValueError(f"calibrate needs a batch holding at least one tensor, got {type(batch).__name__}")
    if not isinstance(iterations, int) or iterations < 1 or not isinstance(rounds, int) or rounds < 1:
        raise ValueError(f"iterations and rounds must be positive integers, got {iterations!r} and {rounds!r}")
    if not 0 <= margin < 1:
        raise ValueError(f"margin must be in [0, 1), got {margin!r}")
    compile = device.type == "cuda" if compile is None else compile
    candidates = _candidates(step, device, compile)
    sync_every = 50 if device.type == "cuda" else 1  # a host sync costs a CUDA step; on a CPU nothing
    machine = _device_name(device)
    key = {"machine": machine, "torch": torch.__version__, "step": type(step).__qualname__, "n_critic": step.n_critic,
           "networks": {name: [type(m).__name__, [list(p.shape) for p in m.parameters()]]
                        for name, m in step.modules().items()},
           "batch": _shapes(batch), "candidates": sorted(candidates), "margin": margin, "version": 1}
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    path = runtime.cache_dir() / "speed" / f"{type(step).__name__}-{digest}.json"
    if cache and path.is_file():
        stored = json.loads(path.read_text())
        chosen = SpeedUps(**{**stored["chosen"], "autocast": torch.bfloat16 if stored["chosen"]["autocast"] else None})
        return Calibration(chosen, stored["ms_per_iteration"], machine, True, path)

    prepared = {name: _prepared(step, c, batch, device, warmup=1) for name, c in candidates.items()}
    ms = _time(prepared, batch, device, iterations, rounds)
    chosen = min((name for name in ms if name == "plain" or ms[name] < (1 - margin) * ms["plain"]), key=ms.get)
    speed_ups = dataclasses.replace(candidates[chosen], sync_every=sync_every)
    if cache:
        record = {"key": key, "ms_per_iteration": ms, "chosen_name": chosen,
                  "chosen": {**dataclasses.asdict(speed_ups), "autocast": speed_ups.autocast is not None}}
        runtime.write_text_atomically(path, json.dumps(record, indent=2))
    return Calibration(speed_ups, ms, machine, False, path if cache else None)


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
