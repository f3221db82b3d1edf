"""The course's one training loop: Algorithm 1 of Goodfellow et al. (2014), for any model.

A model is a :class:`Step`. It owns named networks and optimizers, and makes one update of
its discriminator(s) (``d_step``) and one of its generator(s) (``g_step``) from a batch of any
structure -- a tensor, an ``(images, labels)`` pair, a dict of two domains -- each returning
its named losses. :func:`train` alternates them, ``n_critic`` D updates and then one G update,
and leaves the bookkeeping (progress, NaN guard, callbacks, snapshots, checkpoints with exact
resume) to :class:`gan_course.bookkeeping.Run`, so that the loop reads like the algorithm.

    step = GANStep(G, D, d_opt, g_opt)                     # gan_course.models.gan
    history = train(step, dist.batches(256), steps=2000)   # history.losses["d_loss"], ["g_loss"]

Under ``torchrun`` the same call trains data-parallel on every process (:mod:`gan_course.distributed`:
DDP-wrapped networks, a shard of each batch, noise per rank); in one process it runs exactly as written here.

Taught in: lesson 01 (the loop); lessons 00 and 03–06 train with it; lesson 21 runs it on several processes.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any, Callable, Iterator

from torch import Tensor, nn

from . import distributed
from .bookkeeping import History, Run, StopTraining, TrainingDiverged, TrainState  # noqa: F401 (the loop's API)


class Step:
    """What :func:`train` trains: a model's networks, its optimizers and its two updates.

    A subclass names its networks and optimizers in ``networks`` and ``optimizers`` (they
    are attributes of the same names), implements :meth:`d_step` and :meth:`g_step`, and
    may set ``n_critic``, check a first batch in :meth:`check`, and keep state beyond
    networks and optimizers (a fade-in alpha, an update counter) with :meth:`extra_state`
    and :meth:`load_extra_state`. Checkpoints save all of it by name.
    """

    networks: tuple[str, ...] = ()    # e.g. ("G", "D"); CycleGAN: ("G_AB", "G_BA", "D_A", "D_B")
    optimizers: tuple[str, ...] = ()  # e.g. ("d_opt", "g_opt")
    n_critic: int = 1                 # D updates per G update (k in Algorithm 1)
    unused_parameters: bool = False   # some parameters get no gradient in an update (distributed runs look for them)

    def d_step(self, batch) -> dict[str, Tensor]:
        """Update the discriminator(s) on ``batch``; return the named losses (detached scalars)."""
        raise NotImplementedError(f"{type(self).__name__} must define d_step(batch) -> dict of named losses")

    def g_step(self, batch) -> dict[str, Tensor]:
        """Update the generator(s); ``batch`` is the one D's last update saw (for its size,
        labels or images: Algorithm 1 draws only fresh noise here). Return the named losses."""
        raise NotImplementedError(f"{type(self).__name__} must define g_step(batch) -> dict of named losses")

    def check(self, batch) -> None:
        """Fail early, with a clear message, when ``batch`` and the networks do not fit (default: no check)."""

    def extra_state(self) -> dict:
        """State beyond the networks and optimizers that a checkpoint must keep (default: none)."""
        return {}

    def load_extra_state(self, state: dict) -> None:
        """Restore what :meth:`extra_state` returned."""

    # ----------------------------------------------------------------------- by name

    def modules(self) -> dict[str, nn.Module]:
        return {name: getattr(self, name) for name in self.networks}

    def state_dict(self) -> dict:
        return {"networks": {name: m.state_dict() for name, m in self.modules().items()},
                "optimizers": {name: getattr(self, name).state_dict() for name in self.optimizers},
                "extra": self.extra_state()}

    def load_state_dict(self, state: dict) -> None:
        for kind, names in (("networks", self.networks), ("optimizers", self.optimizers)):
            if set(state[kind]) != set(names):
                raise ValueError(f"{kind} {sorted(state[kind])} in the checkpoint, {sorted(names)} in the step")
        for name, module in self.modules().items():
            module.load_state_dict(state["networks"][name])
        for name in self.optimizers:
            getattr(self, name).load_state_dict(state["optimizers"][name])
        self.load_extra_state(state["extra"])


def train(
    step: Step,
    batches: Iterator[Any],
    steps: int,
    *,
    callbacks: list[Callable[[TrainState], None]] | tuple = (),
    snapshot: Callable[[Step], Any] | None = None,
    snapshot_every: int = 0,
    checkpoint_dir: str | os.PathLike | None = None,
    checkpoint_every: int = 0,
    resume: bool = True,
    progress: bool = True,
    log_every: int | None = None,
    sync_every: int = 1,
) -> History:
    """Train ``step`` for ``steps`` generator steps: Algorithm 1 of Goodfellow et al. (2014).

    Args:
        step: the model (a :class:`Step`, e.g. :class:`gan_course.models.gan.GANStep`).
        batches: an endless iterator of batches (any structure the step accepts); if it has
            ``state_dict``/``load_state_dict``, its position is checkpointed too.
        steps: total number of generator steps (of the whole run, when resumed).
        callbacks: called with a :class:`TrainState` after every generator step; raise
            :class:`StopTraining` in one to end early.
        snapshot: ``step -> anything``, kept in ``history.snapshots`` (networks in eval mode, no
            gradients) at step 0, every ``snapshot_every`` steps and at the last step.
        checkpoint_dir: where ``latest.pt`` is written every ``checkpoint_every`` steps and at the end.
        resume: continue from ``checkpoint_dir/latest.pt`` when it exists.
        progress: show a progress bar (``TQDM_DISABLE=1`` also hides it).
        log_every: print a loss line every this many steps; by default ten lines a run when the
            progress bar is hidden, none otherwise.
        sync_every: read the losses on the host (a GPU sync) only every this many steps, at
            checkpoints and at the last step (every step when there are callbacks). The NaN
            guard still names the first bad step, but training runs on until that check.

    Returns:
        The :class:`History` of the run: ``history.losses[name]``, one value per generator step.

    Raises:
        TrainingDiverged: when a loss becomes NaN/inf; the message names the step and the last
            good checkpoint (none is ever written after a bad step).
    """
    world = distributed.current()
    parallel = contextlib.nullcontext()
    if world.active:                                 # under torchrun: DDP, a shard of each batch, noise per rank
        batches = distributed.ShardedBatches(batches, world)
        parallel = distributed.replicate(step, world)
    with parallel, Run(step, batches, steps, callbacks=callbacks, snapshot=snapshot, snapshot_every=snapshot_every,
                       checkpoint_dir=checkpoint_dir, checkpoint_every=checkpoint_every, resume=resume,
                       progress=progress, log_every=log_every, sync_every=sync_every) as run:
        for i in run.steps_to_go():                  # for number of training iterations do
            d_losses = []
            for _ in range(step.n_critic):           #   for k steps do
                batch = run.next_batch()             #     sample a minibatch of m examples x from p_data
                d_losses.append(step.d_step(batch))  #     sample m noise z; update D by ascending its gradient
            g_losses = step.g_step(batch)            #   sample m noise z; update G by descending its gradient
            run.record(i, d_losses, g_losses)        #   (bookkeeping: losses, NaN guard, callbacks, checkpoints)
        if world.active:
            distributed.check_in_sync(step, world, steps)
    return run.history
