"""Data-parallel training on several processes: ``torchrun`` starts them, PyTorch's
``DistributedDataParallel`` (DDP) averages their gradients, and this module fits both to the step protocol.

    torchrun --nproc_per_node=2 -m gan_course train dcgan --seed 0          # 2 processes on one machine
    torchrun --nnodes=2 --node_rank=0 --master_addr=HOST --master_port=29500 --nproc_per_node=4 \\
        -m gan_course train stylegan-faces --seed 0                        # the same on each of 2 machines

Nothing here starts a process: torchrun does, and sets ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``,
``MASTER_ADDR`` and ``MASTER_PORT`` in each. :func:`gan_course.train.train` reads them through
:func:`current` and, when there is more than one process, changes four things and nothing else:

1. **Gradients are averaged.** Every network a step trains is wrapped in DDP (:class:`Replica`): calls that
   train it (gradients on, its parameters trainable) go through DDP, which all-reduces the gradients during
   ``backward``; calls that do not -- G under ``no_grad`` in D's update, the frozen D that G's gradient flows
   through -- go to the network itself and cost no communication. Every process then takes the same
   optimizer step, so the weights stay equal (checked at every checkpoint, :func:`check_in_sync`).
2. **Each process sees its shard of every batch.** The data stream is the single-process one, with the same
   seed; process ``r`` of ``N`` keeps rows ``r*B/N ... (r+1)*B/N - 1`` of each global batch of ``B``
   (:class:`ShardedBatches`). The global batch, the steps and the learning rate stay those of the recipe.
3. **Each process draws its own noise**: after the networks are synchronised, every random number generator is
   reseeded from a seed derived from the run's seed and the rank (:func:`rank_seed`). Equal noise on every
   process would make N copies of the same fakes: the global batch would hold B/N distinct ones.
4. **Rank 0 alone** shows progress, logs and writes checkpoints (holding every rank's generator state, so that a
   resumed run restores each; every process reads it, so on several machines the checkpoint folder must be
   shared, and processes that would resume from different steps stop with an error). A recipe ends training
   with :func:`end_training`: the other processes stop, and rank 0 evaluates and saves what was trained, as a
   single process.

Batch norm sees only its process's shard: on CUDA (``nccl``) it becomes ``SyncBatchNorm``, which
computes the statistics of the global batch; on the CPU (``gloo``) PyTorch has no synchronised batch norm, so
each process normalises by its shard's statistics -- a smaller batch, noisier statistics (lesson 21 measures
what that changes for DCGAN).

Taught in: lesson 21 (training GANs on several GPUs).
"""

from __future__ import annotations

import contextlib
import datetime
import os
from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np
import torch
import torch.distributed as dist
from torch import Tensor, nn
from torch.nn.parallel import DistributedDataParallel

#: What torchrun sets in every process it starts.
ENV_VARS = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")
#: Seconds a collective may wait for a process that is gone before the run fails (``GAN_COURSE_DIST_TIMEOUT``).
DEFAULT_TIMEOUT = 300
LAUNCH = "torchrun --nproc_per_node=N -m gan_course train <recipe>"


@dataclass(frozen=True)
class World:
    """Where this process stands: its rank among ``size`` processes (``local_rank`` on its machine)."""

    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        """True for the process that logs, writes checkpoints and saves results (rank 0)."""
        return self.rank == 0

    @property
    def active(self) -> bool:
        """True when more than one process trains together."""
        return self.size > 1


def world_from_env(environ=None) -> World:
    """The :class:`World` that torchrun's variables describe; a single process when none is set.

    Raises:
        ValueError: when only some of them are set, or their values do not fit together.
    """
    environ = os.environ if environ is None else environ
    present = [name for name in ENV_VARS if environ.get(name, "").strip()]
    if not present:
        return World()
    size_given = environ.get("WORLD_SIZE", "").strip()
    if present == ["WORLD_SIZE"] and size_given == "1":
        return World()
    missing = [name for name in ENV_VARS if name not in present]
    if missing:
        raise ValueError(f"a distributed launch needs {', '.join(ENV_VARS)}; {', '.join(missing)} "
                         f"{'is' if len(missing) == 1 else 'are'} missing (only {', '.join(present)} set). "
                         f"Launch with `{LAUNCH}`, which sets them all, or unset them to train in one process.")
    values = {}
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_PORT"):
        try:
            values[name] = int(environ[name])
        except ValueError:
            raise ValueError(f"{name} must be an integer, got {environ[name]!r}") from None
    rank, size, local = values["RANK"], values["WORLD_SIZE"], values["LOCAL_RANK"]
    if size < 1 or not 0 <= rank < size or not 0 <= local <= rank:
        raise ValueError(f"expected WORLD_SIZE >= 1 and 0 <= LOCAL_RANK <= RANK < WORLD_SIZE, got RANK={rank}, "
                         f"WORLD_SIZE={size}, LOCAL_RANK={local}")
    return World(rank, size, local)


def backend() -> str:
    """``nccl`` where CUDA is, ``gloo`` on the CPU."""
    return "nccl" if torch.cuda.is_available() else "gloo"


def init(environ=None, timeout: float | None = None) -> World:
    """Join the process group that torchrun's variables describe (once; a single process joins nothing).

    On CUDA each process takes the GPU ``LOCAL_RANK``. ``timeout`` (default ``GAN_COURSE_DIST_TIMEOUT`` or
    :data:`DEFAULT_TIMEOUT` seconds) bounds how long a collective waits for a process that died.
    """
    world = world_from_env(environ)
    if not world.active or dist.is_initialized():
        return world
    if torch.cuda.is_available():
        if world.local_rank >= torch.cuda.device_count():
            raise ValueError(f"process {world.rank} wants GPU {world.local_rank}, but this machine has "
                             f"{torch.cuda.device_count()}: start at most that many processes per node "
                             "(--nproc_per_node)")
        torch.cuda.set_device(world.local_rank)
    if timeout is None:
        timeout = float(os.environ.get("GAN_COURSE_DIST_TIMEOUT", DEFAULT_TIMEOUT))
    dist.init_process_group(backend(), timeout=datetime.timedelta(seconds=timeout))
    return world


def current() -> World:
    """This process's :class:`World`: the joined process group's, else a single process."""
    if not (dist.is_available() and dist.is_initialized()):
        return World()
    return World(dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", 0)))


def end_training() -> bool:
    """The end of a recipe's training on several processes: all of them leave the process group together, and
    rank 0 goes on as a single process (to evaluate and save); returns whether this process goes on (always, when
    it trains alone). Called by every process, after the last collective of training."""
    world = current()
    if world.active:
        dist.barrier()
        dist.destroy_process_group()
    return world.is_main


def finish() -> None:
    """Leave the process group (at the end of a distributed command)."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


# --------------------------------------------------------------------------- noise and data


def rank_seed(seed: int, rank: int) -> int:
    """A seed for process ``rank`` of a run seeded with ``seed``: distinct per rank, and unlike ``seed + rank``
    never the seed of another run's rank (seed 1 of rank 0 is not seed 0 of rank 1)."""
    return int(np.random.SeedSequence([int(seed), int(rank)]).generate_state(1, dtype=np.uint32)[0])


def reseed_per_rank(world: World) -> int:
    """Give every process its own random streams (noise, dropout, augmentation): draw one number from the
    generator all processes share (the same on each), mix it with the rank (:func:`rank_seed`) and seed every
    generator with the result. Returns that seed."""
    from .runtime import seed_everything  # noqa: PLC0415

    shared = int(torch.randint(0, 2**31 - 1, ()))
    seed = rank_seed(shared, world.rank)
    seed_everything(seed)
    return seed


def shard(batch: Any, world: World) -> Any:
    """This process's rows of a global ``batch``: tensors (also inside tuples, lists and dicts) are cut along
    dim 0 into ``world.size`` equal parts and part ``world.rank`` is kept; other values pass unchanged."""
    if isinstance(batch, Tensor):
        rows = batch.shape[0] if batch.dim() else 0
        if rows < world.size or rows % world.size:
            parts = [n for n in range(1, rows + 1) if rows % n == 0]
            raise ValueError(f"a global batch of {rows} does not split evenly over {world.size} processes: start "
                             f"a number of processes that divides it ({', '.join(map(str, parts))}), or give the "
                             "recipe a batch size that the number of processes divides")
        per = rows // world.size
        return batch[world.rank * per:(world.rank + 1) * per]
    if isinstance(batch, (tuple, list)):
        parts = [shard(part, world) for part in batch]
        return type(batch)(*parts) if hasattr(batch, "_fields") else type(batch)(parts)
    if isinstance(batch, dict):
        return {key: shard(value, world) for key, value in batch.items()}
    return batch


class ShardedBatches:
    """The stream ``batches`` as process ``world.rank`` sees it: its :func:`shard` of every global batch.
    Every process runs the same stream (same seed), so together they see each global batch exactly once;
    the stream's position (``state_dict``) is the same on all of them."""

    def __init__(self, batches: Iterator, world: World):
        self.batches, self.world = batches, world

    def __iter__(self) -> "ShardedBatches":
        return self

    def __next__(self):
        return shard(next(self.batches), self.world)

    def __getattr__(self, name: str):  # state_dict / load_state_dict of the stream, when it has them
        if name in ("batches", "world"):
            raise AttributeError(name)
        return getattr(self.batches, name)


# --------------------------------------------------------------------------- networks


class Replica:
    """A network of a step, trained by several processes.

    Calling it runs DDP's forward when the call trains the network (gradients enabled and its parameters
    trainable): DDP then all-reduces the parameters' gradients in the ``backward`` that follows. Other calls --
    under ``no_grad``, or through the frozen D of G's update -- go to the network itself. Everything else
    (``requires_grad_``, ``state_dict``, ``eval``, attributes such as ``z_dim``) is the network's own, so a step
    and its checkpoints cannot tell the difference.
    """

    def __init__(self, module: nn.Module, ddp: DistributedDataParallel):
        self.__dict__.update(module=module, ddp=ddp)

    def _trains(self) -> bool:
        return torch.is_grad_enabled() and any(p.requires_grad for p in self.module.parameters())

    def __call__(self, *args, **kwargs):
        return (self.ddp if self._trains() else self.module)(*args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self.__dict__["module"], name)

    def __setattr__(self, name: str, value) -> None:
        setattr(self.module, name, value)

    def __repr__(self) -> str:
        return f"Replica({self.module!r})"


def sync_batch_norm(module: nn.Module, device: torch.device) -> nn.Module:
    """``module`` with its batch norms synchronised across processes, on CUDA (in place: the parameters and
    running statistics are the same tensors, so optimizers keep working). On the CPU unchanged: PyTorch's
    ``SyncBatchNorm`` runs only on GPUs."""
    if device.type != "cuda":
        return module
    return nn.SyncBatchNorm.convert_sync_batchnorm(module)


def trained_networks(step) -> dict[str, nn.Module]:
    """The networks of ``step`` that have trainable parameters (an EMA copy or a frozen encoder has none)."""
    return {name: module for name, module in step.modules().items()
            if any(p.requires_grad for p in module.parameters())}


@contextlib.contextmanager
def replicate(step, world: World):
    """Within the block, every trained network of ``step`` is a :class:`Replica` (DDP; batch norm synchronised on
    CUDA), every network's weights and buffers start from rank 0's, and each process has its own random streams
    (:func:`reseed_per_rank`); afterwards the step holds its own networks again. ``step.unused_parameters = True`` declares networks that leave some parameters without a
    gradient in an update (PGGAN's blocks of stages not yet grown): DDP then looks for them each step."""
    originals = step.modules()
    trained = trained_networks(step)
    for module in originals.values():
        broadcast_state(module)
    reseed_per_rank(world)  # after the networks agree: from here on each process draws its own noise
    find_unused = bool(getattr(step, "unused_parameters", False))
    try:
        for name, module in trained.items():
            ddp = data_parallel(module, world, find_unused_parameters=find_unused, synced=True)
            setattr(step, name, Replica(ddp.module, ddp))
        yield step
    finally:
        for name in trained:
            replica = getattr(step, name)
            step.__dict__[name] = replica.module if isinstance(replica, Replica) else replica


def data_parallel(module: nn.Module, world: World, find_unused_parameters: bool = False, synced: bool = False):
    """``module`` wrapped in DDP for ``world`` (batch norm synchronised on CUDA; rank 0's weights everywhere), or
    ``module`` itself in a single process. A plain training loop calls what this returns and cuts each batch with
    :func:`shard`; ``synced``: the weights were broadcast already."""
    if not world.active:
        return module
    if not synced:
        broadcast_state(module)
    device = next(module.parameters()).device
    module = sync_batch_norm(module, device)
    index = (torch.cuda.current_device() if device.index is None else device.index) if device.type == "cuda" else None
    return DistributedDataParallel(module, device_ids=None if index is None else [index],
                                   find_unused_parameters=find_unused_parameters)


def broadcast_state(module: nn.Module) -> None:
    """Copy rank 0's parameters and buffers into every process's ``module``."""
    with torch.no_grad():
        for tensor in [*module.parameters(), *module.buffers()]:
            dist.broadcast(tensor.data, src=0)


def fingerprint(module: nn.Module) -> Tensor:
    """Two numbers that differ when two copies of ``module``'s parameters do (their sum, and their sum weighted
    by position), in float64."""
    flat = torch.cat([p.detach().double().flatten().cpu() for p in module.parameters()])
    weights = torch.linspace(1.0, 2.0, len(flat), dtype=torch.float64)
    return torch.stack([flat.sum(), (flat * weights).sum()])


def check_in_sync(step, world: World, when: int) -> None:
    """Raise when a trained network's weights differ between processes after generator step ``when``: its
    training forward went around DDP (a sub-network called directly), so its gradients were not averaged."""
    for name, module in trained_networks(step).items():
        mine = fingerprint(getattr(module, "module", module))
        device = torch.device("cuda", world.local_rank) if dist.get_backend() == "nccl" else torch.device("cpu")
        everyone = [torch.zeros_like(mine, device=device) for _ in range(world.size)]
        dist.all_gather(everyone, mine.to(device))
        spread = (torch.stack(everyone).cpu() - mine).abs().max().item()
        scale = mine.abs().max().item() + 1.0
        if spread > 1e-9 * scale:
            raise RuntimeError(f"network {name!r} differs between processes after step {when} (fingerprint spread "
                               f"{spread:.3g}): its training forward did not go through DistributedDataParallel -- "
                               "call the network itself (its forward), not one of its sub-networks, in the update "
                               "that trains it")


def mean_over_processes(values: Tensor) -> Tensor:
    """The mean of ``values`` over all processes (an all-reduce), on ``values``'s device."""
    if dist.get_backend() == "nccl" and values.device.type != "cuda":
        out = values.to(torch.device("cuda", current().local_rank))
        dist.all_reduce(out)
        return (out / dist.get_world_size()).to(values.device)
    out = values.clone()
    dist.all_reduce(out)
    return out / dist.get_world_size()


def gather_objects(obj) -> list:
    """``obj`` of every process, by rank (all processes must call it)."""
    out = [None] * dist.get_world_size()
    dist.all_gather_object(out, obj)
    return out
