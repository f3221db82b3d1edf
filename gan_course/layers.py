"""Building blocks shared by several papers.

* :class:`MinibatchStdDev` (Karras et al. 2018, PGGAN, Section 3): D sees how varied its batch is, over the whole
  batch or, as PGGAN does, over groups of 4.
* :class:`EqualizedLinear`, :class:`EqualizedConv2d` (PGGAN, Section 4.1): weights drawn from N(0, 1) and scaled at
  run time by He's constant, so that Adam's steps move every layer at the same relative speed; a learning-rate
  multiplier (StyleGAN's mapping network uses 0.01).
* :func:`relative_adam_steps`: how far one Adam step moves each equalised layer's effective weights, relative to
  their size (what the equalised learning rate and the learning-rate multiplier are for, measured).
* :class:`PixelNorm` (PGGAN, Section 4.2): each pixel's feature vector scaled to unit root mean square.
* :func:`fade_in` (PGGAN, Section 3): the blend (1 - α)·old + α·new that adds a resolution without breaking G or D.
* :func:`adain` and :class:`AdaIN` (StyleGAN, Section 2, Eq. 1): each feature map of each sample normalised by its own
  mean and standard deviation, then scaled and shifted by a style; :class:`NoiseInput` (StyleGAN, Section 3.2): one
  single-channel noise image per layer, scaled per channel by learned weights.
* :class:`DomainBatchNorm2d` (Twin-GAN): one network, two domains, told apart only by their batch norms.
* :class:`ConvEncoder` and :class:`ConvDecoder`: DCGAN's convolutional encoder (image -> vector, with its last
  feature map for feature matching) and decoder (vector -> image) for 32 x 32 images; the anomaly detectors'
  generators, discriminators and encoders (AnoGAN, EGBAD, GANomaly, f-AnoGAN) are made of them.

Taught in: lesson 05 (the stabilising tricks on the mode-coverage benchmark), lesson 13 (domain batch norm, Twin-GAN),
lesson 16 (the anomaly detectors' networks), lesson 18 (PGGAN's equalised learning rate, pixel norm and minibatch
standard deviation), lesson 19 (StyleGAN's AdaIN and noise inputs).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class MinibatchStdDev(nn.Module):
    """Appends one feature to every sample: the standard deviation across samples, averaged over features.

    For each feature, the standard deviation over a group of samples; their mean is one number, which is
    appended to every sample of the group (PGGAN, Section 3, for images: one extra constant feature map). A batch
    of fakes from a collapsed generator varies less than a batch of real samples, and D can now see it.
    ``group_size=None``: the whole batch is one group; PGGAN uses groups of 4 (``group_size=4``; a batch smaller
    than that is one group), each sample taking its group's value, sample i in group i mod (B / group size) as in
    the paper's code. Works on (B, C) and (B, C, H, W) inputs; needs B >= 2.
    """

    def __init__(self, eps: float = 1e-8, group_size: int | None = None):
        super().__init__()
        if group_size is not None and (isinstance(group_size, bool) or not isinstance(group_size, int)
                                       or group_size < 2):
            raise ValueError(f"group_size must be None or an integer >= 2, got {group_size!r}")
        self.eps, self.group_size = eps, group_size

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() not in (2, 4) or x.shape[0] < 2:
            raise ValueError(f"MinibatchStdDev expects (B, C) or (B, C, H, W) with B >= 2, got {tuple(x.shape)}")
        b = x.shape[0]
        g = b if self.group_size is None else min(self.group_size, b)
        if b % g:
            raise ValueError(f"MinibatchStdDev: the batch of {b} does not split into groups of {g}")
        grouped = x.reshape(g, b // g, *x.shape[1:])                     # sample i in group i mod (b / g)
        std = torch.sqrt(grouped.var(dim=0, unbiased=False) + self.eps)  # (b/g, C, ...): per feature over a group
        per_group = std.flatten(1).mean(1)                               # (b/g,)
        extra = per_group.repeat(g).reshape(b, 1, *([1] * (x.dim() - 2))).expand(b, 1, *x.shape[2:])
        return torch.cat([x, extra], dim=1)                              # (B, C + 1, ...)


class EqualizedLinear(nn.Module):
    """A linear layer with PGGAN's equalised learning rate: the stored weights are N(0, 1 / lr_multiplier²) and
    multiplied at every call by ``gain / sqrt(fan_in) * lr_multiplier`` (He's constant for gain √2). The
    effective weights are then He-initialised as usual, but an optimizer that normalises its steps (Adam) moves
    every stored weight by about the same amount, so every layer learns at the same relative speed whatever its
    fan-in. The bias starts at ``bias_init`` and is scaled by ``lr_multiplier`` too.

    ``equalized=False`` is the ablation: the same He-initialised weights, stored as they are (scale 1), so Adam's
    steps are the same size for every weight and a layer with a larger fan-in (smaller weights) changes faster
    relative to its size."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, gain: float = math.sqrt(2),
                 lr_multiplier: float = 1.0, bias_init: float = 0.0, equalized: bool = True):
        super().__init__()
        if lr_multiplier <= 0:
            raise ValueError(f"lr_multiplier must be positive, got {lr_multiplier}")
        if not equalized and lr_multiplier != 1:
            raise ValueError(f"a learning-rate multiplier needs equalized=True, got lr_multiplier={lr_multiplier}")
        he = gain / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.randn(out_features, in_features) * (1 / lr_multiplier if equalized else he))
        self.bias = nn.Parameter(torch.full((out_features,), bias_init / lr_multiplier)) if bias else None
        self.scale = he * lr_multiplier if equalized else 1.0
        self.lr_multiplier = lr_multiplier

    def forward(self, x: Tensor) -> Tensor:
        bias = None if self.bias is None else self.bias * self.lr_multiplier
        return F.linear(x, self.weight * self.scale, bias)


class EqualizedConv2d(nn.Module):
    """A convolution with PGGAN's equalised learning rate (see :class:`EqualizedLinear`); fan-in is
    ``in_channels * kernel_size²``, and the padding keeps the size for odd kernels; ``equalized=False``: plain He
    initialisation (the ablation)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, bias: bool = True,
                 gain: float = math.sqrt(2), equalized: bool = True):
        super().__init__()
        he = gain / math.sqrt(in_channels * kernel_size ** 2)
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel_size, kernel_size)
                                   * (1.0 if equalized else he))
        self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None
        self.scale = he if equalized else 1.0
        self.padding = kernel_size // 2

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.weight * self.scale, self.bias, padding=self.padding)


def relative_adam_steps(net: nn.Module, layers: dict[str, nn.Module], loss, lr: float,
                        betas: tuple[float, float]) -> dict[str, float]:
    """One Adam step on every parameter of ``net`` for the scalar ``loss(net)``; for each of the named equalised
    ``layers`` (:class:`EqualizedLinear` / :class:`EqualizedConv2d`, or their plain ablation), the mean |change| of
    its effective weights (weight · scale) over their standard deviation before the step. ``net`` is changed."""
    for name, m in layers.items():
        if not (hasattr(m, "weight") and hasattr(m, "scale")):
            raise ValueError(f"layer {name!r} has no weight and scale: expected an equalised layer, got "
                             f"{type(m).__name__}")
    before = {name: (m.weight * m.scale).detach().clone() for name, m in layers.items()}
    optimizer = torch.optim.Adam(net.parameters(), lr=lr, betas=betas)
    loss(net).backward()
    optimizer.step()
    return {name: ((m.weight * m.scale).detach() - before[name]).abs().mean().item() / before[name].std().item()
            for name, m in layers.items()}


class PixelNorm(nn.Module):
    """PGGAN's pixel-wise feature normalisation: at every pixel, the C features divided by their root mean
    square, b = a / sqrt(mean_c a² + ε). Works on (B, C) and (B, C, H, W); it has no parameters."""

    def __init__(self, eps: float = 1e-8):
        super().__init__()
        self.eps = eps

    def forward(self, x: Tensor) -> Tensor:
        return x * torch.rsqrt(x.pow(2).mean(dim=1, keepdim=True) + self.eps)


def fade_in(old: Tensor, new: Tensor, alpha: float) -> Tensor:
    """PGGAN's fade-in: (1 - α)·old + α·new, the output of the previous resolution (upsampled in G, downsampled in
    D) blended with the new block's, while α rises from 0 to 1."""
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 <= alpha <= 1:
        raise ValueError(f"alpha must be a number from 0 to 1, got {alpha!r}")
    if old.shape != new.shape:
        raise ValueError(f"fade_in blends tensors of one shape, got {tuple(old.shape)} and {tuple(new.shape)}")
    return torch.lerp(old, new, float(alpha))


def adain(x: Tensor, scale: Tensor, bias: Tensor, eps: float = 1e-8) -> Tensor:
    """Adaptive instance normalisation, AdaIN(x, y) = y_s · (x - μ(x)) / σ(x) + y_b (StyleGAN, Eq. 1).

    μ(x) and σ(x) are each sample's and each channel's own mean and standard deviation over the pixels (instance
    statistics, not the batch's: a sample's style must not depend on the other samples of its batch).

    Args:
        x: feature maps (B, C, H, W).
        scale, bias: the style's y_s and y_b, (B, C) each.
    """
    if x.dim() != 4:
        raise ValueError(f"adain expects feature maps (B, C, H, W), got {tuple(x.shape)}")
    if scale.shape != x.shape[:2] or bias.shape != x.shape[:2]:
        raise ValueError(f"adain expects styles of shape {tuple(x.shape[:2])} (B, C), got scale "
                         f"{tuple(scale.shape)} and bias {tuple(bias.shape)}")
    mean = x.mean(dim=(2, 3), keepdim=True)                               # μ(x): (B, C, 1, 1)
    std = (x.var(dim=(2, 3), keepdim=True, unbiased=False) + eps).sqrt()  # σ(x): (B, C, 1, 1)
    return scale[:, :, None, None] * (x - mean) / std + bias[:, :, None, None]


class AdaIN(nn.Module):
    """AdaIN with its learned affine map A: w -> (y_s, y_b), an equalised linear layer whose bias starts y_s at 1 and
    y_b at 0, so that a fresh layer passes the normalised features through unchanged."""

    def __init__(self, w_dim: int, channels: int):
        super().__init__()
        self.channels = channels
        self.scale = EqualizedLinear(w_dim, channels, gain=1.0, bias_init=1.0)  # A's half that gives y_s
        self.bias = EqualizedLinear(w_dim, channels, gain=1.0)                  # A's half that gives y_b

    def forward(self, x: Tensor, w: Tensor) -> Tensor:
        return adain(x, self.scale(w), self.bias(w))


class NoiseInput(nn.Module):
    """StyleGAN's noise input: one noise image N(0, 1) of shape (B, 1, H, W), broadcast to every channel and scaled
    per channel by learned weights B (starting at 0), added to the feature maps. ``noise`` fixes the image (e.g.
    to show what it changes); ``enabled=False`` removes the input (the no-noise ablation)."""

    def __init__(self, channels: int, enabled: bool = True):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(channels))  # B: one factor per channel
        self.enabled = enabled

    def forward(self, x: Tensor, noise: Tensor | None = None) -> Tensor:
        if not self.enabled:
            return x
        if noise is None:
            noise = torch.randn(x.shape[0], 1, x.shape[2], x.shape[3], device=x.device, dtype=x.dtype)
        elif noise.shape != (x.shape[0], 1, x.shape[2], x.shape[3]):
            raise ValueError(f"noise must be (B, 1, H, W) = {(x.shape[0], 1, x.shape[2], x.shape[3])}, got "
                             f"{tuple(noise.shape)}")
        return x + self.weight[None, :, None, None] * noise


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


IMAGE_SIZE_32 = 32  # ConvEncoder's input and ConvDecoder's output: (B, C, 32, 32)


class ConvEncoder(nn.Module):
    """DCGAN's encoder for 32 x 32 images: x (B, C, 32, 32) -> (B, out_dim).

    Three strided 4 x 4 convolutions halve the size, 32 -> 16 -> 8 -> 4, while the channels double (``width``,
    2x, 4x), each followed by batch norm (not after the first, as in DCGAN's D; ``batch_norm=False``: none
    anywhere, as a WGAN-GP critic must be) and LeakyReLU(0.2); a last 4 x 4 convolution maps the (B, 4 width, 4, 4)
    map, :meth:`features`, to the output vector: D's logit (``out_dim`` 1) or a code z.
    """

    def __init__(self, out_dim: int, channels: int = 1, width: int = 16, batch_norm: bool = True):
        super().__init__()
        norm = (lambda c: nn.BatchNorm2d(c)) if batch_norm else (lambda c: nn.Identity())
        self.out_dim, self.channels = out_dim, channels
        self.body = nn.Sequential(
            nn.Conv2d(channels, width, 4, 2, 1), nn.LeakyReLU(0.2),                                  # (B, w, 16, 16)
            nn.Conv2d(width, 2 * width, 4, 2, 1, bias=not batch_norm), norm(2 * width), nn.LeakyReLU(0.2),  # 8 x 8
            nn.Conv2d(2 * width, 4 * width, 4, 2, 1, bias=not batch_norm), norm(4 * width), nn.LeakyReLU(0.2),
        )                                                                                            # (B, 4w, 4, 4)
        self.head = nn.Conv2d(4 * width, out_dim, 4, 1, 0)                                           # (B, out, 1, 1)

    def features(self, x: Tensor) -> Tensor:
        """The last feature map (B, 4 width, 4, 4): what feature matching compares."""
        if x.dim() != 4 or tuple(x.shape[1:]) != (self.channels, IMAGE_SIZE_32, IMAGE_SIZE_32):
            raise ValueError(f"expected images (B, {self.channels}, 32, 32), got {tuple(x.shape)}")
        return self.body(x)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.features(x)).flatten(1)                                                # (B, out_dim)


class ConvDecoder(nn.Module):
    """DCGAN's generator for 32 x 32 images: z (B, z_dim) -> x (B, C, 32, 32) in [-1, 1].

    A 4 x 4 transposed convolution makes a (B, 4 width, 4, 4) map from z, three strided ones double the size
    4 -> 8 -> 16 -> 32 while the channels halve; batch norm and ReLU after each but the last, tanh at the output.
    """

    def __init__(self, z_dim: int, channels: int = 1, width: int = 16):
        super().__init__()
        self.z_dim = z_dim
        self.net = nn.Sequential(
            nn.ConvTranspose2d(z_dim, 4 * width, 4, 1, 0, bias=False), nn.BatchNorm2d(4 * width), nn.ReLU(),  # 4x4
            nn.ConvTranspose2d(4 * width, 2 * width, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * width), nn.ReLU(),
            nn.ConvTranspose2d(2 * width, width, 4, 2, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),   # 16x16
            nn.ConvTranspose2d(width, channels, 4, 2, 1), nn.Tanh(),                                 # (B, C, 32, 32)
        )

    def forward(self, z: Tensor) -> Tensor:
        if z.dim() != 2 or z.shape[1] != self.z_dim:
            raise ValueError(f"expected z of shape (B, {self.z_dim}), got {tuple(z.shape)}")
        return self.net(z[:, :, None, None])
