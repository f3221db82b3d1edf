"""The course's one training loop: D steps, then a G step, repeated.

It is Algorithm 1 of Goodfellow et al. (2014) with the practical parts a real
run needs: a progress bar with the live losses, callbacks (live plots, early
stops), sample snapshots, atomic checkpoints with ``resume``, a guard that
stops at the first NaN/inf loss, and clear errors when data, generator and
discriminator do not fit together.

Lessons swap the pieces, not the loop: a WGAN passes its own ``d_loss``,
``g_loss``, ``n_critic`` and ``d_penalty``; anything more exotic passes its own
``d_step`` / ``g_step`` functions with the same signatures.
"""

from __future__ import annotations

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


# --------------------------------------------------------------------------- the two updates


def d_step(
    G: nn.Module,
    D: nn.Module,
    d_opt: torch.optim.Optimizer,
    real: Tensor,
    z: Tensor,
    d_loss: Callable[[Tensor, Tensor], Tensor],
    d_penalty: Callable[[nn.Module, Tensor, Tensor], Tensor] | None = None,
) -> Tensor:
    """One update of the discriminator: ascend V(D, G) with G held fixed.

    Returns:
        The loss (a detached scalar tensor).
    """
    with torch.no_grad():  # G is fixed here: no graph through G is needed
        fake = G(z)
    loss = d_loss(D(real), D(fake))
    if d_penalty is not None:
        loss = loss + d_penalty(D, real, fake)
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
) -> Tensor:
    """One update of the generator through a fixed discriminator.

    D's parameters are frozen for the backward pass: the gradient must flow
    *through* D into G, but D's own gradients are not needed (and would leak
    into D's next update if not cleared).

    Returns:
        The loss (a detached scalar tensor).
    """
    D.requires_grad_(False)
    try:
        loss = g_loss(D(G(z)))
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

    def step(G, D, d_opt, real, z, d_loss, d_penalty=None):
        loss = d_step(G, D, d_opt, real, z, d_loss, d_penalty)
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

    Returns:
        The :class:`History` of the run (of the whole run when resumed).

    Raises:
        TrainingDiverged: when a loss becomes NaN/inf; the message names the
            step and the last good checkpoint.
    """
    if not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    if not isinstance(n_critic, int) or n_critic < 1:
        raise ValueError(f"n_critic must be a positive integer, got {n_critic!r}")
    if checkpoint_every and checkpoint_dir is None:
        raise ValueError("checkpoint_every needs a checkpoint_dir to write to")
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

    t0 = time.perf_counter()
    step = start
    try:
        for step in range(start + 1, steps + 1):
            d_total = 0.0
            for _ in range(n_critic):
                real = pending.pop() if pending else next(real_batches)
                d_total += d_step(G, D, d_opt, real, sample_z(real.shape[0]), d_loss, d_penalty).item()
            d_value = d_total / n_critic
            g_value = g_step(G, D, g_opt, sample_z(real.shape[0]), g_loss).item()

            if not (math.isfinite(d_value) and math.isfinite(g_value)):
                where = (
                    f"the last good checkpoint is {last_good[0]} (step {last_good[1]})"
                    if last_good
                    else "no checkpoint was written (pass checkpoint_dir and checkpoint_every to keep one)"
                )
                raise TrainingDiverged(
                    f"training diverged at step {step}: d_loss={d_value}, g_loss={g_value}; {where}. "
                    "Try a smaller learning rate or check the data."
                )
            history.step.append(step)
            history.d_loss.append(d_value)
            history.g_loss.append(g_value)

            if snapshot is not None and snapshot_every and (step % snapshot_every == 0 or step == steps):
                take_snapshot(step)
            state = TrainState(step, steps, d_value, g_value, G, D, history)
            for callback in callbacks:
                callback(state)
            if ckpt_path is not None and checkpoint_every and (step % checkpoint_every == 0 or step == steps):
                history.seconds += time.perf_counter() - t0
                t0 = time.perf_counter()
                save_checkpoint(ckpt_path, state_now(step, history))
                last_good = (ckpt_path, step)

            bar.update(1)
            if step % 10 == 0 or step == steps:
                bar.set_postfix(d_loss=f"{d_value:.3f}", g_loss=f"{g_value:.3f}", refresh=False)
            if log_every and (step % log_every == 0 or step == steps):
                print(f"step {step:>6}/{steps}  d_loss {d_value:8.4f}  g_loss {g_value:8.4f}")
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
