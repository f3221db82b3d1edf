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


NORMS = (None, "spectral", "weight", "batch")


class MLPDiscriminator(nn.Module):
    """D: maps a sample (B, data_dim) to one logit per sample (B,); ``D(x) = sigmoid(logit)``.

    The same network serves as a WGAN critic: its output is a plain score
    (there is no sigmoid in the last layer; the losses decide what it means).
    LeakyReLU keeps a gradient for inputs far from the data, where a ReLU
    network can go flat and stop telling G where to move.

    ``norm`` normalises every linear layer:

    * ``"spectral"``: divides each weight matrix by its largest singular value
      (Miyato et al. 2018), so every layer is 1-Lipschitz and so is D;
    * ``"weight"``: reparametrises each weight row as ``g * v / ||v||``
      (Salimans & Kingma 2016), which eases optimisation but bounds nothing;
    * ``"batch"``: batch normalisation after each hidden linear layer (not on the input),
      which makes D's output for one sample depend on the rest of its batch.
    """

    def __init__(
        self,
        data_dim: int = 1,   # dimension of a sample
        hidden: int = 64,    # width of every hidden layer
        depth: int = 2,      # number of hidden layers
        norm: str | None = None,  # None, "spectral", "weight" or "batch"
    ):
        super().__init__()
        if norm not in NORMS:
            raise ValueError(f"norm must be one of {NORMS}, got {norm!r}")
        self.data_dim, self.norm = data_dim, norm
        self.net = _mlp(data_dim, hidden, depth, 1, lambda: nn.LeakyReLU(0.2))
        if norm == "batch":
            layers = []
            for layer in self.net:
                layers.append(layer)
                if isinstance(layer, nn.Linear) and layer.out_features == hidden and layer is not self.net[-1]:
                    layers.append(nn.BatchNorm1d(hidden))
            self.net = nn.Sequential(*layers)
        elif norm is not None:
            wrap = {"spectral": nn.utils.parametrizations.spectral_norm,
                    "weight": nn.utils.parametrizations.weight_norm}[norm]
            for i, layer in enumerate(self.net):
                if isinstance(layer, nn.Linear):
                    self.net[i] = wrap(layer)

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 2 or x.shape[1] != self.data_dim:
            raise ValueError(f"D expects x of shape (B, {self.data_dim}), got {tuple(x.shape)}")
        return self.net(x).squeeze(1)  # (B,) logits
