"""Building blocks shared by several papers.

* :class:`MinibatchStdDev` (Karras et al. 2018, PGGAN, Section 3): D sees how varied its batch is.
* :class:`DomainBatchNorm2d` (Twin-GAN): one network, two domains, told apart only by their batch norms.

Taught in: lesson 05 (the stabilising tricks on the mode-coverage benchmark), lesson 13 (domain batch norm, Twin-GAN).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


class MinibatchStdDev(nn.Module):
    """Appends one feature to every sample: the batch's standard deviation, averaged over features.

    For each feature, the standard deviation over the batch; their mean is one number, which
    is appended to every sample (PGGAN, Section 3, for images: one extra constant feature map).
    A batch of fakes from a collapsed generator varies less than a batch of real samples, and
    D can now see it. Works on (B, C) and (B, C, H, W) inputs; needs B >= 2.
    """

    def __init__(self, eps: float = 1e-8):
        super().__init__()
        self.eps = eps

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() not in (2, 4) or x.shape[0] < 2:
            raise ValueError(f"MinibatchStdDev expects (B, C) or (B, C, H, W) with B >= 2, got {tuple(x.shape)}")
        std = torch.sqrt(x.var(dim=0, unbiased=False) + self.eps)  # (C,) or (C, H, W): per feature over the batch
        extra = std.mean().expand(x.shape[0], 1, *x.shape[2:])    # (B, 1) or (B, 1, H, W)
        return torch.cat([x, extra], dim=1)                        # (B, C + 1, ...)


class DomainBatchNorm2d(nn.Module):
    """Batch normalisation with its own learned scale and shift for each domain (Twin-GAN): the rest of the
    network is shared, and setting ``domain`` is all that switches it from one domain to the other. Input and
    output (B, C, H, W); a batch is of one domain.

    It always normalises with the statistics of the batch it is given, in training and in use, and keeps no
    running averages: in Twin-GAN, domain Y's norms see Y's own images (reconstructions) and X's images on their
    way to Y (translations), whose features have other statistics. Running averages would mix the two, and a
    translation would be normalised at test time with statistics it never had in training. So give it batches of
    one domain, of more than a few images."""

    def __init__(self, channels: int, n_domains: int = 2):
        super().__init__()
        self.norms = nn.ModuleList(nn.BatchNorm2d(channels, track_running_stats=False) for _ in range(n_domains))
        self.domain = 0

    def forward(self, x: Tensor) -> Tensor:
        return self.norms[self.domain](x)
