"""Checks of lesson 21, data parallelism: one process's shard of a global batch, and one update of D made by
several simulated processes that must equal the update of one process on the whole batch.

Taught in: lesson 21
"""

from __future__ import annotations

import copy
from typing import Callable

import torch
from torch import Tensor, nn

from .. import distributed, losses
from ._common import _call, _describe, _passed, exercise_check


@exercise_check(seed=210)
def shard_rows(student_fn: Callable) -> None:
    """Check ``student_fn(batch, rank, world_size) -> rows``: process ``rank``'s consecutive rows of a global batch
    cut into ``world_size`` equal parts, and a ``ValueError`` when the rows do not split evenly."""
    cases = [
        ("8 rows, 2 processes, rank 0", torch.arange(8.0)[:, None], 0, 2,
         "Rank r keeps rows r * B/N up to (r + 1) * B/N - 1."),
        ("8 rows, 2 processes, rank 1", torch.arange(8.0)[:, None], 1, 2, "Rank 1 keeps the second half."),
        ("6 images, 3 processes, rank 2", torch.arange(6 * 4.0).reshape(6, 1, 2, 2), 2, 3,
         "Cut along dim 0 only; every other dimension stays."),
        ("one process keeps everything", torch.randn(5, 3), 0, 1, "With one process the shard is the batch."),
    ]
    for case, batch, rank, size, hint in cases:
        got = _call(student_fn, case, batch.clone(), rank, size, expected="a tensor of this rank's rows")
        want = distributed.shard(batch, distributed.World(rank, size))
        if not isinstance(got, Tensor) or got.shape != want.shape or not torch.equal(got, want):
            raise AssertionError(f"case '{case}': expected the rows {tuple(want.shape)} {want.flatten()[:6].tolist()}"
                                 f"..., received {_describe(got)}. Hint: {hint}")
    for case, rows, size in (("10 rows over 3 processes", 10, 3), ("2 rows over 4 processes", 2, 4)):
        try:
            got = student_fn(torch.zeros(rows, 2), 0, size)
        except ValueError:
            continue
        raise AssertionError(f"case '{case}': expected a ValueError (the rows do not split evenly: the processes "
                             f"would train on batches of different sizes, or one on none), received {_describe(got)}")
    _passed("shard_rows", len(cases) + 2)


def _discriminator() -> nn.Module:
    """A small D without batch norm (with it, shards would be normalised apart and no update could match)."""
    return nn.Sequential(nn.Linear(2, 16), nn.LeakyReLU(0.2), nn.Linear(16, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1),
                         nn.Flatten(0))


def one_process_update(D: nn.Module, opt: torch.optim.Optimizer, real: Tensor, fake: Tensor) -> None:
    """The reference: one update of D on the whole batch (the GAN's D loss, a mean over its samples)."""
    opt.zero_grad(set_to_none=True)
    losses.minimax_d_loss(D(real), D(fake)).backward()
    opt.step()


@exercise_check(seed=211)
def averaged_update(student_fn: Callable) -> None:
    """Check (open exercise) ``student_fn(D, opt, real_shards, fake_shards)``: one update of D as N processes make
    it, graded by its outcome: D's weights afterwards must equal, within 1e-5, those of one update on the whole
    batch (plain SGD, which unlike Adam shows a gradient twice too large), for 2 and 4 shards."""
    for shards, lr in ((2, 0.5), (4, 0.5), (2, 0.05)):
        case = f"{shards} shards of 8 real and 8 fake samples, SGD lr {lr}"
        D = _discriminator()
        real, fake = torch.randn(8 * shards, 2) + 2.0, torch.randn(8 * shards, 2)
        reference = copy.deepcopy(D)
        one_process_update(reference, torch.optim.SGD(reference.parameters(), lr=lr), real, fake)
        opt = torch.optim.SGD(D.parameters(), lr=lr)
        before = [p.detach().clone() for p in D.parameters()]
        world = [distributed.World(r, shards) for r in range(shards)]
        _call(student_fn, case, D, opt, [distributed.shard(real, w) for w in world],
              [distributed.shard(fake, w) for w in world], expected="D updated in place")
        gap = max((a - b).abs().max().item() for a, b in zip(D.parameters(), reference.parameters()))
        if not all(torch.isfinite(p).all() for p in D.parameters()):
            raise AssertionError(f"case '{case}': expected D's weights after one update, received weights that are "
                                 "NaN or inf: the update must change D only through opt.step()")
        if not gap <= 1e-5:
            step = torch.cat([(a.detach() - b).flatten() for a, b in zip(D.parameters(), before)])
            wanted = torch.cat([(a.detach() - b).flatten() for a, b in zip(reference.parameters(), before)])
            ratio = step.norm().item() / wanted.norm().item()
            hint = ("D did not move: set each parameter's .grad to the mean of the shards' gradients, then call "
                    "opt.step() once" if ratio < 1e-6 else
                    f"the update is {ratio:.2f} times one process's: the shards' gradients were summed (accumulated "
                    "in .grad without the 1/N, or one step taken per shard), not averaged" if abs(ratio - shards) < 0.1
                    else "each shard's gradient must be that of its own mean loss (the D loss of its real and fake "
                         "rows), and D's .grad their mean, before one optimizer step")
            raise AssertionError(f"case '{case}': expected D's weights to equal those of one process's update on the "
                                 f"whole batch, received weights {gap:.3g} from them at most. Hint: {hint}")
    print("✔ averaged_update passed: N shards averaged give one process's update (2 and 4 shards, to 1e-5)")
