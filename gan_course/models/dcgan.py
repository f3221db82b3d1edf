"""DCGAN (Radford, Metz & Chintala 2016) for 28 x 28 single-channel images such as MNIST.

The paper's architecture guidelines, each visible below:

* strided convolutions in D and fractionally-strided (transposed) convolutions in G
  instead of pooling: the networks learn their own down- and up-sampling;
* batch norm in G (not on its output layer) and in D (not on its input layer);
* no fully connected hidden layers: z is reshaped to (B, z_dim, 1, 1) and the first
  transposed convolution makes a 7 x 7 map; D's last convolution turns its 4 x 4 map
  into one score;
* ReLU in G with tanh at the output (images are scaled to [-1, 1]); LeakyReLU(0.2) in D;
* weights initialised from N(0, 0.02) (:func:`init_weights`).

Four layers each. G grows 1 x 1 -> 7 x 7 -> 14 x 14 -> 28 x 28 while the channels shrink, then a
3 x 3 transposed convolution with stride 1 paints the one output channel from the full-size features;
D mirrors it, 28 -> 14 -> 7 -> 4, then one score.

``batch_norm`` switches between the guidelines and the two ablations of lesson 05:
``"guidelines"``, ``"everywhere"`` (also on G's output and D's input layer) and ``"none"``.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

BATCH_NORM = ("guidelines", "everywhere", "none")
IMAGE_SHAPE = (1, 28, 28)


def _check_batch_norm(batch_norm: str) -> None:
    if batch_norm not in BATCH_NORM:
        raise ValueError(f"batch_norm must be one of {BATCH_NORM}, got {batch_norm!r}")


def _norm(channels: int, on: bool) -> nn.Module:
    return nn.BatchNorm2d(channels) if on else nn.Identity()


class DCGANGenerator(nn.Module):
    """G: z (B, z_dim) -> image (B, 1, 28, 28) in [-1, 1]."""

    def __init__(
        self,
        z_dim: int = 100,                 # dimension of z ~ N(0, I)
        width: int = 64,                  # channels of the last hidden map; the first has 4x as many
        batch_norm: str = "guidelines",   # "guidelines", "everywhere" or "none"
    ):
        super().__init__()
        _check_batch_norm(batch_norm)
        hidden_bn, output_bn = batch_norm != "none", batch_norm == "everywhere"
        self.z_dim = z_dim
        self.net = nn.Sequential(
            nn.ConvTranspose2d(z_dim, 4 * width, 7, 1, 0, bias=not hidden_bn),       # (B, 4w, 7, 7)
            _norm(4 * width, hidden_bn), nn.ReLU(),
            nn.ConvTranspose2d(4 * width, 2 * width, 4, 2, 1, bias=not hidden_bn),   # (B, 2w, 14, 14)
            _norm(2 * width, hidden_bn), nn.ReLU(),
            nn.ConvTranspose2d(2 * width, width, 4, 2, 1, bias=not hidden_bn),       # (B, w, 28, 28)
            _norm(width, hidden_bn), nn.ReLU(),
            nn.ConvTranspose2d(width, 1, 3, 1, 1, bias=not output_bn),               # (B, 1, 28, 28)
            _norm(1, output_bn), nn.Tanh(),
        )

    @property
    def output_layer(self) -> nn.ConvTranspose2d:
        """The last transposed convolution, which makes the one output channel (before the tanh)."""
        return self.net[-3]

    def forward(self, z: Tensor) -> Tensor:
        if z.dim() != 2 or z.shape[1] != self.z_dim:
            raise ValueError(f"G expects z of shape (B, {self.z_dim}), got {tuple(z.shape)}")
        return self.net(z[:, :, None, None])  # (B, z_dim, 1, 1) -> (B, 1, 28, 28)

    def sample_z(self, n: int, device=None) -> Tensor:
        """Draw ``n`` noise vectors from N(0, I) on the generator's device."""
        device = device or next(self.parameters()).device
        return torch.randn(n, self.z_dim, device=device)


class DCGANDiscriminator(nn.Module):
    """D: image (B, 1, 28, 28) -> one logit per image (B,)."""

    def __init__(
        self,
        width: int = 64,                  # channels of the first hidden map; the next have 2x and 4x as many
        batch_norm: str = "guidelines",   # "guidelines", "everywhere" or "none"
    ):
        super().__init__()
        _check_batch_norm(batch_norm)
        input_bn, hidden_bn = batch_norm == "everywhere", batch_norm != "none"
        self.net = nn.Sequential(
            _norm(1, input_bn),
            nn.Conv2d(1, width, 4, 2, 1),                                   # (B, w, 14, 14)
            nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, 2, 1, bias=not hidden_bn),       # (B, 2w, 7, 7)
            _norm(2 * width, hidden_bn), nn.LeakyReLU(0.2),
            nn.Conv2d(2 * width, 4 * width, 3, 2, 1, bias=not hidden_bn),   # (B, 4w, 4, 4)
            _norm(4 * width, hidden_bn), nn.LeakyReLU(0.2),
            nn.Conv2d(4 * width, 1, 4, 1, 0),                               # (B, 1, 1, 1)
        )

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 4 or tuple(x.shape[1:]) != IMAGE_SHAPE:
            raise ValueError(f"D expects images of shape (B, 1, 28, 28), got {tuple(x.shape)}")
        return self.net(x).flatten()  # (B,)


def init_weights(module: nn.Module) -> None:
    """DCGAN's initialisation, for ``model.apply(init_weights)``: convolution weights ~ N(0, 0.02);
    batch-norm scales ~ N(1, 0.02) and shifts 0; convolution biases 0."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)
