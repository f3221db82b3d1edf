"""What the one-class anomaly detectors of lesson 16 share: training a step on normal images, and scoring
images in batches.

Taught in: lessons 16 and 17
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor, nn

from .. import train
from ..data.digits import DeviceBatches


def fit_on_normal(nets: dict[str, nn.Module], make_step: Callable[[dict[str, nn.Module]], train.Step],
                  images: Tensor, steps: int, batch_size: int, seed: int, **train_options
                  ) -> tuple[dict[str, nn.Module], train.History]:
    """Train ``make_step(nets)`` for ``steps`` on shuffled batches of the normal ``images`` (their device is the
    training device); the networks in eval mode and the history. Seed the run before building ``nets``
    (``runtime.seed_everything``)."""
    nets = {k: net.to(images.device) for k, net in nets.items()}
    history = train.train(make_step(nets), DeviceBatches(images, batch_size=batch_size, seed=seed), steps,
                          **train_options)
    return {k: net.eval() for k, net in nets.items()}, history


@torch.no_grad()
def score_in_batches(score_batch: Callable[[Tensor], tuple[Tensor, Tensor]], images: Tensor, device,
                     batch_size: int = 500) -> tuple[Tensor, Tensor]:
    """``score_batch(x) -> (scores (B,), residual maps (B, C, H, W))`` over ``images`` in batches moved to
    ``device``; both concatenated on the CPU."""
    scores, maps = [], []
    for i in range(0, len(images), batch_size):
        s, m = score_batch(images[i:i + batch_size].to(device))
        scores.append(s.cpu())
        maps.append(m.cpu())
    return torch.cat(scores), torch.cat(maps)
