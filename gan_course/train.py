"""The course's one training loop: D steps, then a G step, repeated.

It is Algorithm 1 of Goodfellow et al. (2014) with the practical parts a real
run needs: a progress bar with the live losses, callbacks (live plots, early
stops), sample snapshots, atomic checkpoints with ``resume``, a guard that
stops at the first NaN/inf loss, and clear errors when data, generator and
discriminator do not fit together.

It can also run fast: :func:`speed_ups_for` says which speed-ups help on a
device (channels_last, bfloat16 autocast, ``torch.compile``, fewer host syncs),
:func:`speed_up` applies the ones that change the models, and ``train``'s
``autocast`` and ``sync_every`` arguments the others.

Lessons swap the pieces, not the loop: a WGAN passes its own ``d_loss``,
``g_loss``, ``n_critic`` and ``d_penalty``; anything more exotic passes its own
``d_step`` / ``g_step`` functions with the same signatures.
"""

from __future__ import annotations

import contextlib
import inspect
import math
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import torch
from torch import Tensor, nn
from tqdm.auto import tqdm

from . import losses

CHECKPOINT_NAME = "latest.pt"


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite."""


class StopTraining(Exception):
    """Raise from a callback to end training early (the loop returns normally)."""


# --------------------------------------------------------------------------- precision


def _check_autocast(autocast: torch.dtype | None) -> None:
    if autocast is None or autocast is torch.bfloat16:
        return
    if autocast is torch.float16:
        raise ValueError(
            "autocast=torch.float16 needs a GradScaler to keep small gradients from underflowing, and this "
            "loop has none; use autocast=torch.bfloat16 (float32's range, no scaler needed) or None"
        )
    raise ValueError(f"autocast must be torch.bfloat16 or None, got {autocast!r}")


def _precision(device: torch.device, autocast: torch.dtype | None) -> contextlib.AbstractContextManager:
    """``torch.autocast`` when a dtype is given; otherwise nothing (an outer autocast stays in force)."""
    return torch.autocast(device.type, dtype=autocast) if autocast is not None else contextlib.nullcontext()


def _accepts_keyword(fn: Callable, name: str) -> bool:
    params = inspect.signature(fn).parameters.values()
    return any(p.name == name or p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


def _float32(x: Tensor) -> Tensor:
    """Upcast a bfloat16/float16 result, so that losses are computed in float32; other tensors pass as they are."""
    return x.float() if x.is_floating_point() and x.element_size() < 4 else x


# --------------------------------------------------------------------------- the two updates


def d_step(
    G: nn.Module,
    D: nn.Module,
    d_opt: torch.optim.Optimizer,
    real: Tensor,
    z: Tensor,
    d_loss: Callable[[Tensor, Tensor], Tensor],
    d_penalty: Callable[[nn.Module, Tensor, Tensor], Tensor] | None = None,
    *,
    autocast: torch.dtype | None = None,
) -> Tensor:
    """One update of the discriminator: ascend V(D, G) with G held fixed.

    Args:
        autocast: run G's and D's forward passes under ``torch.autocast`` with
            this dtype (``torch.bfloat16``); the loss and any penalty stay in float32.

    Returns:
        The loss (a detached scalar tensor).
    """
    with _precision(real.device, autocast):
        with torch.no_grad():  # G is fixed here: no graph through G is needed
            fake = G(z)
        real_logits, fake_logits = D(real), D(fake)
    loss = d_loss(_float32(real_logits), _float32(fake_logits))
    if d_penalty is not None:  # in float32: a gradient penalty is too delicate for bfloat16
        loss = loss + d_penalty(D, real, _float32(fake))
    d_opt.zero_grad(set_to_none=True)
    loss.backward()
    d_opt.step()
    return loss.detach()


def g_step(
    G: nn.Module,
    D: nn.Module,
    g_opt: torch.optim.Optimizer,
    z: Tensor,
    g_loss: Callable[[Tensor], Tensor],
    *,
    autocast: torch.dtype | None = None,
) -> Tensor:
    """One update of the generator through a fixed discriminator.

    D's parameters are frozen for the backward pass: the gradient must flow
    *through* D into G, but D's own gradients are not needed (and would leak
    into D's next update if not cleared).

    Args:
        autocast: as in :func:`d_step`.

    Returns:
        The loss (a detached scalar tensor).
    """
    D.requires_grad_(False)
    try:
        with _precision(z.device, autocast):
            fake_logits = D(G(z))
        loss = g_loss(_float32(fake_logits))
        g_opt.zero_grad(set_to_none=True)
        loss.backward()
        g_opt.step()
    finally:
        D.requires_grad_(True)
    return loss.detach()


def clip_weights(module: nn.Module, c: float) -> None:
    """Clamp every parameter of ``module`` to [-c, c] in place (the WGAN critic's constraint)."""
    if not c > 0:
        raise ValueError(f"the clipping bound c must be positive, got {c}")
    with torch.no_grad():
        for p in module.parameters():
            p.clamp_(-c, c)


def clipped_d_step(c: float = 0.01) -> Callable[..., Tensor]:
    """A :func:`d_step` that clips the critic's weights to [-c, c] after every update (Arjovsky et al. 2017).

    Pass it to :func:`train` as ``d_step=train.clipped_d_step(0.01)``.
    """
    if not c > 0:
        raise ValueError(f"the clipping bound c must be positive, got {c}")

    def step(G, D, d_opt, real, z, d_loss, d_penalty=None, **kw):
        loss = d_step(G, D, d_opt, real, z, d_loss, d_penalty, **kw)
        clip_weights(D, c)
        return loss

    return step


# --------------------------------------------------------------------------- bookkeeping


@dataclass
class History:
    """What a run produced: losses per generator step, snapshots and wall time."""

    step: list[int] = field(default_factory=list)
    d_loss: list[float] = field(default_factory=list)
    g_loss: list[float] = field(default_factory=list)
    snapshots: list[tuple[int, Any]] = field(default_factory=list)
    seconds: float = 0.0
    resumed_from: int | None = None  # the step a resumed run started from

    def state_dict(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_state_dict(cls, state: dict) -> "History":
        return cls(**state)


@dataclass
class TrainState:
    """What a callback sees after each generator step."""

    step: int  # generator steps completed
    steps: int  # total generator steps of this run
    d_loss: float
    g_loss: float
    G: nn.Module
    D: nn.Module
    history: History


def _rng_state() -> dict:
    state = {"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "python": random.getstate()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(state: dict) -> None:
    torch.set_rng_state(state["torch"])
    np.random.set_state(state["numpy"])
    random.setstate(state["python"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_checkpoint(path: str | os.PathLike, state: dict) -> Path:
    """Write ``state`` with ``torch.save`` atomically.

    The bytes go to a temporary file in the same folder, are flushed to disk,
    and only then replace ``path`` in one rename. A process killed at any
    moment leaves either the old checkpoint or the new one, never half of one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            torch.save(state, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def load_checkpoint(path: str | os.PathLike) -> dict:
    """Read a checkpoint written by :func:`save_checkpoint` (on the CPU)."""
    path = Path(path)
    try:
        return torch.load(path, map_location="cpu", weights_only=False)
    except FileNotFoundError:
        raise
    except Exception as err:  # truncated or not a checkpoint at all
        raise ValueError(f"cannot read the checkpoint {path} ({err}); delete it to start afresh") from err


# --------------------------------------------------------------------------- set-up checks


def _device_of(module: nn.Module) -> torch.device | None:
    p = next(module.parameters(), None)
    return None if p is None else p.device


def check_setup(G: nn.Module, D: nn.Module, real: Tensor, sample_z: Callable[[int], Tensor]) -> None:
    """Fail early, with a clear message, when data, G and D do not fit together.

    Runs G and D in eval mode so BatchNorm statistics are not touched.
    """
    if not isinstance(real, Tensor):
        raise TypeError(
            f"real_batches must yield tensors, got {type(real).__name__}; "
            "for (images, labels) pairs pass your own d_step/g_step"
        )
    devices = {"the real batch": real.device, "G": _device_of(G), "D": _device_of(D)}
    if len({str(d) for d in devices.values() if d is not None}) > 1:
        where = ", ".join(f"{k} on {v}" for k, v in devices.items())
        raise ValueError(f"data and models are on different devices ({where}); move them with .to(device)")
    if not torch.isfinite(real).all():
        raise ValueError("the real batch contains NaN or inf values")
    if real.dim() == 4 and (real.min() < -1 - 1e-3 or real.max() > 1 + 1e-3):
        raise ValueError(
            f"images must be scaled to [-1, 1] (the range of the generator's tanh); the real batch spans "
            f"[{real.min().item():.3g}, {real.max().item():.3g}]"
        )
    modes = (G.training, D.training)
    G.eval(), D.eval()
    try:
        with torch.no_grad():
            fake, out = G(sample_z(real.shape[0])), D(real)
    finally:
        G.train(modes[0]), D.train(modes[1])
    if fake.shape[1:] != real.shape[1:]:
        raise ValueError(
            f"G makes samples of shape {tuple(fake.shape[1:])} but the data has shape "
            f"{tuple(real.shape[1:])} (batch dimension left out)"
        )
    if out.shape not in {(real.shape[0],), (real.shape[0], 1)}:
        raise ValueError(
            f"D must return one logit per sample, shape ({real.shape[0]},) or ({real.shape[0]}, 1); "
            f"got {tuple(out.shape)}"
        )


# --------------------------------------------------------------------------- speed-ups


COMPILE_MODES = ("default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")


@dataclass(frozen=True)
class SpeedUps:
    """Which speed-ups to use; :func:`speed_ups_for` picks them for a device."""

    channels_last: bool = False          # convolutions in NHWC memory format (for speed_up)
    compile: bool | str = False          # torch.compile the models, or a compile mode (for speed_up)
    autocast: torch.dtype | None = None  # forward passes in bfloat16 (for train)
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
        compile=s.compile)`` and ``train(..., autocast=s.autocast, sync_every=s.sync_every)``.
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


# --------------------------------------------------------------------------- the loop


def train(
    G: nn.Module,
    D: nn.Module,
    real_batches: Iterator[Tensor],
    *,
    steps: int,
    d_opt: torch.optim.Optimizer,
    g_opt: torch.optim.Optimizer,
    d_loss: Callable[[Tensor, Tensor], Tensor] = losses.minimax_d_loss,
    g_loss: Callable[[Tensor], Tensor] = losses.nonsaturating_g_loss,
    n_critic: int = 1,
    d_penalty: Callable[[nn.Module, Tensor, Tensor], Tensor] | None = None,
    sample_z: Callable[[int], Tensor] | None = None,
    d_step: Callable[..., Tensor] = d_step,
    g_step: Callable[..., Tensor] = g_step,
    callbacks: tuple[Callable[[TrainState], None], ...] | list = (),
    snapshot: Callable[[nn.Module, nn.Module], Any] | None = None,
    snapshot_every: int = 0,
    checkpoint_dir: str | os.PathLike | None = None,
    checkpoint_every: int = 0,
    resume: bool = True,
    progress: bool = True,
    log_every: int | None = None,
    autocast: torch.dtype | None = None,
    sync_every: int = 1,
) -> History:
    """Train G and D against each other for ``steps`` generator steps.

    Each step makes ``n_critic`` discriminator updates (each on a fresh real
    batch) and then one generator update.

    Args:
        G, D: the generator and the discriminator (D returns logits / scores).
        real_batches: an iterator of real batches (B, ...) on the models' device;
            if it has ``state_dict``/``load_state_dict`` its position is checkpointed too.
        steps: total number of generator steps.
        d_opt, g_opt: the optimizers of D and G.
        d_loss, g_loss: loss functions of D's outputs (see :mod:`gan_course.losses`).
        n_critic: discriminator updates per generator update (k in Algorithm 1).
        d_penalty: optional extra D loss term ``penalty(D, real, fake)`` (e.g. WGAN-GP).
        sample_z: ``n -> z``; defaults to ``G.sample_z``.
        d_step, g_step: the update functions (replace them for exotic models).
        callbacks: called with a :class:`TrainState` after every generator step.
        snapshot: ``(G, D) -> anything`` stored in ``history.snapshots`` every
            ``snapshot_every`` steps, at step 0 and at the last step, for plots and animations.
        checkpoint_dir: where ``latest.pt`` is written every ``checkpoint_every`` steps.
        resume: continue from ``checkpoint_dir/latest.pt`` when it exists.
        progress: show a progress bar (``TQDM_DISABLE=1`` also hides it).
        log_every: print a loss line every this many steps; by default ten
            lines a run when the progress bar is hidden, none otherwise.
        autocast: ``torch.bfloat16`` runs G's and D's forward passes under
            ``torch.autocast`` (see :func:`speed_ups_for`); ``None`` runs them as they are.
            Custom ``d_step``/``g_step`` functions must then accept ``autocast=``.
        sync_every: read the losses on the host (a GPU sync) only every this many
            steps, and at checkpoints and the last step. The NaN guard still names the
            first bad step, but training runs on until that check; with callbacks the
            loop reads the losses every step, since callbacks get them as numbers.

    Returns:
        The :class:`History` of the run (of the whole run when resumed).

    Raises:
        TrainingDiverged: when a loss becomes NaN/inf; the message names the
            step and the last good checkpoint (no checkpoint is ever written after it).
    """
    if not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    if not isinstance(n_critic, int) or n_critic < 1:
        raise ValueError(f"n_critic must be a positive integer, got {n_critic!r}")
    if checkpoint_every and checkpoint_dir is None:
        raise ValueError("checkpoint_every needs a checkpoint_dir to write to")
    if not isinstance(sync_every, int) or sync_every < 1:
        raise ValueError(f"sync_every must be a positive integer, got {sync_every!r}")
    _check_autocast(autocast)
    for name, fn in (("d_step", d_step), ("g_step", g_step)):
        if autocast is not None and not _accepts_keyword(fn, "autocast"):
            raise ValueError(f"autocast needs a {name} that accepts autocast=...; the default one does")
    amp = {"autocast": autocast} if autocast is not None else {}  # custom steps without autocast keep working
    sample_z = sample_z or G.sample_z
    ckpt_path = Path(checkpoint_dir) / CHECKPOINT_NAME if checkpoint_dir is not None else None

    def state_now(step: int, history: History) -> dict:
        return {
            "step": step,
            "G": G.state_dict(),
            "D": D.state_dict(),
            "d_opt": d_opt.state_dict(),
            "g_opt": g_opt.state_dict(),
            "history": history.state_dict(),
            "rng": _rng_state(),
            "real_batches": real_batches.state_dict() if hasattr(real_batches, "state_dict") else None,
        }

    history, start = History(), 0
    if ckpt_path is not None and ckpt_path.exists():
        if resume:
            saved = load_checkpoint(ckpt_path)
            try:
                G.load_state_dict(saved["G"])
                D.load_state_dict(saved["D"])
            except RuntimeError as err:
                raise ValueError(
                    f"the checkpoint {ckpt_path} was written for different models; delete it or pick "
                    f"another checkpoint_dir ({str(err).splitlines()[0]})"
                ) from None
            d_opt.load_state_dict(saved["d_opt"])
            g_opt.load_state_dict(saved["g_opt"])
            _set_rng_state(saved["rng"])
            if saved["real_batches"] is not None and hasattr(real_batches, "load_state_dict"):
                real_batches.load_state_dict(saved["real_batches"])
            history = History.from_state_dict(saved["history"])
            start = history.resumed_from = saved["step"]
            print(f"resumed from {ckpt_path} at step {start}")
        else:
            print(f"resume=False: starting afresh; {ckpt_path} will be overwritten")
    last_good = (ckpt_path, start) if start > 0 else None

    # tqdm reads TQDM_DISABLE only when it is first imported; honour it whenever it is set.
    hidden = os.environ.get("TQDM_DISABLE", "").lower() not in ("", "0", "false")
    bar = tqdm(total=steps, initial=start, desc="training", disable=hidden or not progress, dynamic_ncols=True)
    if log_every is None:
        log_every = 0 if not bar.disable else max(1, steps // 10)

    def take_snapshot(step: int) -> None:
        was_training = G.training
        G.eval()
        with torch.no_grad():
            history.snapshots.append((step, snapshot(G, D)))
        G.train(was_training)

    first = next(real_batches)
    with torch.random.fork_rng():  # the check must not shift the random stream of the run
        check_setup(G, D, first, sample_z)
    pending = [first]  # the checked batch is used, not thrown away
    if snapshot is not None and snapshot_every and start == 0:
        take_snapshot(0)

    # Losses stay on the device until they are read in one transfer: each read waits for the GPU.
    unread: list[tuple[int, list[Tensor], Tensor]] = []  # (step, D's losses, G's loss)

    def read_losses() -> None:
        """Move the unread losses to the host, stop at the first NaN/inf, and record and log them."""
        values = torch.cat([t.reshape(1) for _, ds, g in unread for t in (*ds, g)]).tolist()
        per_step = n_critic + 1  # D's n_critic losses, then G's
        for i, (when, _, _) in enumerate(unread):
            *d_values, g_value = values[i * per_step:(i + 1) * per_step]
            d_value = sum(d_values) / n_critic
            if not (math.isfinite(d_value) and math.isfinite(g_value)):
                where = (
                    f"the last good checkpoint is {last_good[0]} (step {last_good[1]})"
                    if last_good
                    else "no checkpoint was written (pass checkpoint_dir and checkpoint_every to keep one)"
                )
                late = (f" (losses are read every {sync_every} steps: training ran on to step {step})"
                        if when < step else "")
                raise TrainingDiverged(
                    f"training diverged at step {when}: d_loss={d_value}, g_loss={g_value}; {where}{late}. "
                    "Try a smaller learning rate or check the data."
                )
            history.step.append(when)
            history.d_loss.append(d_value)
            history.g_loss.append(g_value)
            if when % 10 == 0 or when == steps:
                bar.set_postfix(d_loss=f"{d_value:.3f}", g_loss=f"{g_value:.3f}", refresh=False)
            if log_every and (when % log_every == 0 or when == steps):
                print(f"step {when:>6}/{steps}  d_loss {d_value:8.4f}  g_loss {g_value:8.4f}")
        unread.clear()

    t0 = time.perf_counter()
    step = start
    try:
        for step in range(start + 1, steps + 1):
            d_losses = []
            for _ in range(n_critic):
                real = pending.pop() if pending else next(real_batches)
                d_losses.append(d_step(G, D, d_opt, real, sample_z(real.shape[0]), d_loss, d_penalty, **amp))
            unread.append((step, d_losses, g_step(G, D, g_opt, sample_z(real.shape[0]), g_loss, **amp)))

            checkpoint_now = bool(ckpt_path and checkpoint_every and (step % checkpoint_every == 0 or step == steps))
            if callbacks or checkpoint_now or step % sync_every == 0 or step == steps:
                read_losses()  # before a checkpoint, so that no checkpoint follows a NaN

            if snapshot is not None and snapshot_every and (step % snapshot_every == 0 or step == steps):
                take_snapshot(step)
            if callbacks:
                state = TrainState(step, steps, history.d_loss[-1], history.g_loss[-1], G, D, history)
                for callback in callbacks:
                    callback(state)
            if checkpoint_now:
                history.seconds += time.perf_counter() - t0
                t0 = time.perf_counter()
                save_checkpoint(ckpt_path, state_now(step, history))
                last_good = (ckpt_path, step)
            bar.update(1)
    except StopTraining:
        print(f"stopped by a callback at step {step}")
    finally:
        bar.close()
        history.seconds += time.perf_counter() - t0
    return history


def fit_discriminator(
    D: nn.Module,
    real_batches: Iterator[Tensor],
    fake_batches: Iterator[Tensor],
    *,
    steps: int,
    d_opt: torch.optim.Optimizer,
    d_loss: Callable[[Tensor, Tensor], Tensor] = losses.minimax_d_loss,
    d_penalty: Callable[[nn.Module, Tensor, Tensor], Tensor] | None = None,
    after_step: Callable[[nn.Module], None] | None = None,
) -> list[float]:
    """Train only D (or a critic) against a *fixed* generator distribution.

    This is the inner maximisation of the game, ``max_D V(D, G)`` for a frozen
    G: the theory lessons use it to compare a trained D with the optimal D*,
    and a trained critic with the exact Wasserstein distance. It runs the same
    :func:`d_step` as :func:`train`, with the fake samples drawn from
    ``fake_batches`` (an identity "generator" passes them through).

    Args:
        D: the discriminator or critic.
        real_batches, fake_batches: iterators of (B, ...) batches on D's device.
        steps: number of D updates.
        d_opt: D's optimizer.
        d_loss, d_penalty: as in :func:`train`.
        after_step: called with D after every update (e.g. WGAN's weight clipping).

    Returns:
        The loss of every step.
    """
    if not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    identity = nn.Identity()
    history = []
    for step in range(1, steps + 1):
        real, fake = next(real_batches), next(fake_batches)
        if step == 1 and real.shape[1:] != fake.shape[1:]:
            raise ValueError(f"real and fake samples differ in shape: {tuple(real.shape[1:])} vs {tuple(fake.shape[1:])}")
        loss = d_step(identity, D, d_opt, real, fake, d_loss, d_penalty).item()
        if not math.isfinite(loss):
            raise TrainingDiverged(f"the discriminator's loss became {loss} at step {step}; try a smaller learning rate")
        if after_step is not None:
            with torch.no_grad():
                after_step(D)
        history.append(loss)
    return history
