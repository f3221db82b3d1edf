"""Everything the training loop does besides Algorithm 1: progress, the NaN guard, callbacks,
snapshots, and checkpoints with exact resume.

:func:`gan_course.train.train` opens a :class:`Run` and asks it for the steps still to go, for
batches, and to record each step's losses; the loop itself stays as short as the algorithm.

A checkpoint (``<checkpoint_dir>/latest.pt``, written atomically) holds everything a run
depends on: every module and optimizer of the step by name, the step's extra state (an EMA
copy's counter, a fade-in alpha), the history, the random number generators (torch, CUDA,
NumPy, Python) and the position of the data stream when it has ``state_dict``. Resuming from
it continues bit for bit as if the run had never stopped (on the same device).

In a distributed run (:mod:`gan_course.distributed`) the losses recorded are the means over all processes, rank 0
alone shows progress, logs and writes, and its checkpoints hold every rank's random generators.

Taught in: lesson 00 (checkpoints and resume); used by every lesson that trains.
"""

from __future__ import annotations

import math
import os
import random
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import torch
from tqdm.auto import tqdm

from . import distributed

CHECKPOINT_NAME = "latest.pt"


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite."""


class StopTraining(Exception):
    """Raise from a callback to end training early (the loop returns normally)."""


@dataclass
class History:
    """What a run produced: every named loss per generator step, snapshots and wall time."""

    step: list[int] = field(default_factory=list)
    losses: dict[str, list[float]] = field(default_factory=dict)  # name -> one value per generator step
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

    step: int                 # generator steps completed
    steps: int                # total generator steps of this run
    losses: dict[str, float]  # this step's named losses (D's averaged over its n_critic updates)
    model: Any                # the Step being trained (model.G, model.D, model.optimizers ...)
    history: History


# --------------------------------------------------------------------------- checkpoint files


def rng_state() -> dict:
    """The state of every random number generator a run draws from."""
    state = {"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "python": random.getstate()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict) -> None:
    torch.set_rng_state(state["torch"])
    np.random.set_state(state["numpy"])
    random.setstate(state["python"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_checkpoint(path: str | os.PathLike, state: dict) -> Path:
    """Write ``state`` with ``torch.save`` atomically.

    The bytes go to a uniquely named temporary file in the same folder, are flushed to
    disk, and only then replace ``path`` in one rename: a process killed at any moment
    leaves the old checkpoint or the new one, never half of one, and two writers never
    share a temporary file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(state, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
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


def remove_stale_temporaries(folder: Path) -> None:
    """Delete the temporary files of writers that were killed mid-write (``.latest.pt.*.tmp``)."""
    for tmp in folder.glob(f".{CHECKPOINT_NAME}.*.tmp"):
        tmp.unlink(missing_ok=True)


# --------------------------------------------------------------------------- a run


class Run:
    """The bookkeeping of one call of :func:`gan_course.train.train` (a context manager).

    See :func:`gan_course.train.train` for the arguments.
    """

    def __init__(self, model, batches: Iterator, steps: int, *, callbacks=(), snapshot=None,
                 snapshot_every: int = 0, checkpoint_dir=None, checkpoint_every: int = 0, resume: bool = True,
                 progress: bool = True, log_every: int | None = None, sync_every: int = 1):
        if not isinstance(steps, int) or isinstance(steps, bool) or steps < 0:
            raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
        n_critic = getattr(model, "n_critic", None)
        if not isinstance(n_critic, int) or n_critic < 1:
            raise ValueError(f"the step's n_critic must be a positive integer, got {n_critic!r}")
        if checkpoint_every and checkpoint_dir is None:
            raise ValueError("checkpoint_every needs a checkpoint_dir to write to")
        if not isinstance(sync_every, int) or sync_every < 1:
            raise ValueError(f"sync_every must be a positive integer, got {sync_every!r}")
        if not hasattr(batches, "__next__"):
            raise TypeError(f"batches must be an iterator (use iter(...) on a list), got {type(batches).__name__}")
        self.model, self.batches, self.steps = model, batches, steps
        self.callbacks, self.snapshot, self.snapshot_every = list(callbacks), snapshot, snapshot_every
        self.checkpoint_every, self.sync_every = checkpoint_every, sync_every
        self.path = Path(checkpoint_dir) / CHECKPOINT_NAME if checkpoint_dir is not None else None
        self.history, self.start = History(), 0
        self.world = distributed.current()
        main = self.world.is_main
        if self.path is not None:
            if main:
                remove_stale_temporaries(self.path.parent)
            if self.path.exists():
                if resume:
                    self._resume()
                elif main:
                    print(f"resume=False: starting afresh; {self.path} will be overwritten")
        if self.world.active:
            self._check_same_start()
        self.last_good = self.start if self.start > 0 else None
        self.drawn = 0  # batches drawn from the stream in this call
        # tqdm reads TQDM_DISABLE only when it is first imported; honour it whenever it is set.
        hidden = os.environ.get("TQDM_DISABLE", "").lower() not in ("", "0", "false")
        self.bar = tqdm(total=steps, initial=self.start, desc="training", disable=hidden or not progress or not main,
                        dynamic_ncols=True)
        self.log_every = (0 if not self.bar.disable else max(1, steps // 10)) if log_every is None else log_every
        if not main:
            self.log_every = 0
        self.unread: list[tuple[int, list[dict], dict]] = []  # losses still on the device: (step, D's, G's)
        self.pending = []
        if self.start < steps:
            first = self.next_batch()
            with torch.random.fork_rng():  # the check must not shift the random stream of the run
                model.check(first)
            self.pending = [first]  # the checked batch is used, not thrown away
        if snapshot is not None and snapshot_every and self.start == 0 and main:
            self._take_snapshot(0)

    # ----------------------------------------------------------------------- what the loop calls

    def steps_to_go(self) -> range:
        return range(self.start + 1, self.steps + 1)

    def next_batch(self):
        """The next batch of the stream, with a clear error when the stream is empty or runs out."""
        if self.pending:
            return self.pending.pop()
        try:
            batch = next(self.batches)
        except StopIteration:
            raise ValueError(
                f"the data stream {'is empty' if self.drawn == 0 else f'ran out after {self.drawn} batches'}; "
                "train needs an endless stream, e.g. dist.batches(...) or digits.batches(...)"
            ) from None
        self.drawn += 1
        return batch

    def record(self, step: int, d_losses: list[dict], g_losses: dict) -> None:
        """Keep a step's losses; read them (NaN guard), call back, snapshot and checkpoint when due."""
        self.unread.append((step, d_losses, g_losses))
        checkpoint_now = bool(self.path and self.checkpoint_every
                              and (step % self.checkpoint_every == 0 or step == self.steps))
        if self.callbacks or checkpoint_now or step % self.sync_every == 0 or step == self.steps:
            self._read_losses(step)  # before a checkpoint, so that no checkpoint follows a NaN
        if self.snapshot is not None and self.snapshot_every and self.world.is_main and (
                step % self.snapshot_every == 0 or step == self.steps):
            self._take_snapshot(step)
        if self.callbacks:
            losses = {name: values[-1] for name, values in self.history.losses.items()}
            state = TrainState(step, self.steps, losses, self.model, self.history)
            for callback in self.callbacks:
                callback(state)
        if checkpoint_now:
            self._checkpoint(step)
        self.bar.update(1)

    # ----------------------------------------------------------------------- context manager

    def __enter__(self) -> "Run":
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        self.bar.close()
        self.history.seconds += time.perf_counter() - self.t0
        if kind is StopTraining:
            print(f"stopped by a callback at step {self.history.step[-1] if self.history.step else self.start}")
            return True
        return False

    # ----------------------------------------------------------------------- internals

    def _resume(self) -> None:
        saved = load_checkpoint(self.path)
        try:
            self.model.load_state_dict(saved["model"])
        except (KeyError, RuntimeError, ValueError) as err:
            raise ValueError(f"the checkpoint {self.path} was written for a different model; delete it or pick "
                             f"another checkpoint_dir ({str(err).splitlines()[0]})") from None
        per_rank = saved.get("rng_per_rank") or [saved["rng"]]
        if len(per_rank) == self.world.size:
            set_rng_state(per_rank[self.world.rank])  # every process continues its own streams
        else:  # written by another number of processes: rank 0's streams, then one per rank from them
            set_rng_state(saved["rng"])
            if self.world.active:
                distributed.reseed_per_rank(self.world)
            if self.world.is_main:
                print(f"the checkpoint was written by {len(per_rank)} process(es), this run has {self.world.size}: "
                      "the noise streams restart from its rank 0's (the weights and the data stream resume exactly)")
        if saved["batches"] is not None and hasattr(self.batches, "load_state_dict"):
            self.batches.load_state_dict(saved["batches"])
        self.history = History.from_state_dict(saved["history"])
        self.start = self.history.resumed_from = saved["step"]
        if self.world.is_main:
            print(f"resumed from {self.path} at step {self.start}")

    def _check_same_start(self) -> None:
        """Every process must resume from the same step: on several machines, only where the checkpoint folder is
        shared."""
        starts = distributed.gather_objects(self.start)
        if len(set(starts)) > 1:
            raise RuntimeError(f"the processes would start from different steps ({starts}, by rank): some found the "
                               f"checkpoint {self.path} and some did not. On several machines the checkpoint folder must "
                               "be one that every machine reads (a shared file system: set GAN_COURSE_CACHE to it)")

    def _checkpoint(self, step: int) -> None:
        now = time.perf_counter()
        self.history.seconds += now - self.t0
        self.t0 = now
        per_rank = None
        if self.world.active:  # every process takes part: the weights must agree, and each sends its generators
            distributed.check_in_sync(self.model, self.world, step)
            per_rank = distributed.gather_objects(rng_state())
        if self.world.is_main:
            save_checkpoint(self.path, {
                "step": step, "model": self.model.state_dict(), "history": self.history.state_dict(),
                "rng": rng_state(), "rng_per_rank": per_rank,
                "batches": self.batches.state_dict() if hasattr(self.batches, "state_dict") else None,
            })
        self.last_good = step

    def _take_snapshot(self, step: int) -> None:
        modules = list(self.model.modules().values())
        modes = [m.training for m in modules]
        for m in modules:
            m.eval()
        try:
            with torch.no_grad():
                self.history.snapshots.append((step, self.snapshot(self.model)))
        finally:
            for m, mode in zip(modules, modes):
                m.train(mode)

    def _read_losses(self, now: int) -> None:
        """Move the unread losses to the host in one transfer, stop at the first NaN/inf, record and log them."""
        tensors = [t for _, ds, g in self.unread for losses in (*ds, g) for t in losses.values()]
        stacked = torch.stack([t.detach().float().reshape(()) for t in tensors]) if tensors else None
        if stacked is not None and self.world.active:
            stacked = distributed.mean_over_processes(stacked)  # each process's losses are of its shard
        values = iter(stacked.tolist() if stacked is not None else [])
        for when, ds, g in self.unread:  # the same order as `tensors`
            d_rows = [{name: next(values) for name in d} for d in ds]
            row = {name: sum(r[name] for r in d_rows) / len(d_rows) for name in d_rows[0]}  # mean over n_critic
            row.update({name: next(values) for name in g})
            if not all(math.isfinite(v) for v in row.values()):
                where = (f"the last good checkpoint is {self.path} (step {self.last_good})" if self.last_good
                         else "no checkpoint was written (pass checkpoint_dir and checkpoint_every to keep one)")
                late = f" (losses are read every {self.sync_every} steps: training ran on to step {now})" \
                    if when < now else ""
                shown = ", ".join(f"{k}={v}" for k, v in row.items())
                raise TrainingDiverged(f"training diverged at step {when}: {shown}; {where}{late}. "
                                       "Try a smaller learning rate or check the data.")
            self.history.step.append(when)
            for name, value in row.items():
                self.history.losses.setdefault(name, []).append(value)
            if when % 10 == 0 or when == self.steps:
                self.bar.set_postfix({k: f"{v:.3f}" for k, v in row.items()}, refresh=False)
            if self.log_every and (when % self.log_every == 0 or when == self.steps):
                print(f"step {when:>6}/{self.steps}  " + "  ".join(f"{k} {v:8.4f}" for k, v in row.items()))
        self.unread.clear()
