"""Small fully connected generator and discriminator for 1D and 2D toy data."""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor, nn


def _mlp(in_dim: int, hidden: int, depth: int, out_dim: int, activation: Callable[[], nn.Module]) -> nn.Sequential:
    if min(in_dim, hidden, depth, out_dim) < 1:
        raise ValueError(
            f"sizes must be positive, got in_dim={in_dim}, hidden={hidden}, depth={depth}, out_dim={out_dim}"
        )
    layers: list[nn.Module] = []
    width = in_dim
    for _ in range(depth):
        layers += [nn.Linear(width, hidden), activation()]
        width = hidden
    layers.append(nn.Linear(width, out_dim))
    return nn.Sequential(*layers)


class MLPGenerator(nn.Module):
    """G: maps noise ``z`` (B, z_dim) to a sample (B, data_dim).

    The output layer is linear: toy data is not confined to [-1, 1].
    """

    def __init__(
        self,
        z_dim: int = 8,      # dimension of the noise z ~ N(0, I)
        data_dim: int = 1,   # dimension of a sample (1 or 2 for toy data)
        hidden: int = 64,    # width of every hidden layer
        depth: int = 2,      # number of hidden layers
    ):
        super().__init__()
        self.z_dim, self.data_dim = z_dim, data_dim
        self.net = _mlp(z_dim, hidden, depth, data_dim, nn.ReLU)

    def forward(self, z: Tensor) -> Tensor:
        if z.dim() != 2 or z.shape[1] != self.z_dim:
            raise ValueError(f"G expects z of shape (B, {self.z_dim}), got {tuple(z.shape)}")
        return self.net(z)  # (B, data_dim)

    def sample_z(self, n: int, device=None) -> Tensor:
        """Draw ``n`` noise vectors from the prior N(0, I) on the generator's device."""
        device = device or next(self.parameters()).device
        return torch.randn(n, self.z_dim, device=device)


class MLPDiscriminator(nn.Module):
    """D: maps a sample (B, data_dim) to one logit per sample (B,); ``D(x) = sigmoid(logit)``.

    LeakyReLU keeps a gradient for inputs far from the data, where a ReLU
    network can go flat and stop telling G where to move.
    """

    def __init__(
        self,
        data_dim: int = 1,   # dimension of a sample
        hidden: int = 64,    # width of every hidden layer
        depth: int = 2,      # number of hidden layers
    ):
        super().__init__()
        self.data_dim = data_dim
        self.net = _mlp(data_dim, hidden, depth, 1, lambda: nn.LeakyReLU(0.2))

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 2 or x.shape[1] != self.data_dim:
            raise ValueError(f"D expects x of shape (B, {self.data_dim}), got {tuple(x.shape)}")
        return self.net(x).squeeze(1)  # (B,) logits
