"""PGGAN (Karras, Aila, Laine & Lehtinen 2018, "Progressive growing of GANs for improved quality, stability, and
variation"): G and D grow together from 4 x 4 to the full resolution, each new resolution faded in.

At stage k the networks work at 4·2^k pixels. While a new stage's block fades in, G's output is

    (1 - α) · upsample(toRGB_{k-1}(h_{k-1})) + α · toRGB_k(block_k(h_{k-1})),

and D's input path the mirror image, (1 - α) · fromRGB_{k-1}(downsample(x)) + α · block_k(fromRGB_k(x)), with α
rising linearly from 0 to 1 (Section 3, Figure 2): at α = 0 the grown networks compute exactly what the smaller
ones did, so nothing breaks when a resolution is added. The other parts, from :mod:`gan_course.layers`: equalised
learning rate in every layer, pixel-wise feature normalisation after every convolution of G, minibatch standard
deviation (groups of 4) before D's last block, the WGAN-GP loss with the drift term ε·E[D(x)²] (ε = 0.001), and
Adam with β = (0, 0.99).

This module holds the networks (tested: shapes at every stage, and α = 0 equal to the smaller network), the
growth :class:`Schedule` and the training step :class:`PGGANStep`; the recipe and the lesson are still to come
(issue #19).

Taught in: the PGGAN lesson (issue #19), not yet written
"""

from __future__ import annotations

import dataclasses
import functools

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .. import losses
from ..layers import EqualizedConv2d, EqualizedLinear, MinibatchStdDev, PixelNorm, fade_in
from ..train import Step


@dataclasses.dataclass(frozen=True)
class PGGANConfig:
    z_dim: int = 128                                 # latent size (the paper: 512)
    channels: int = 1                                # image channels
    widths: tuple[int, ...] = (128, 128, 64, 32)     # feature maps at 4, 8, 16, 32 pixels (the paper: 512 ... 16)
    lr: float = 1e-3                                 # Adam, the paper's 0.001 with betas (0, 0.99)
    betas: tuple[float, float] = (0.0, 0.99)
    gp_weight: float = 10.0                          # WGAN-GP's λ
    drift: float = 1e-3                              # ε of the drift term ε·E[D(x)²]
    mbstd_group: int = 4                             # minibatch standard deviation over groups of 4

    def __post_init__(self):
        if len(self.widths) < 1 or any(w < 1 for w in self.widths):
            raise ValueError(f"widths must list at least one positive width, got {self.widths}")

    @property
    def stages(self) -> int:
        return len(self.widths)

    def resolution(self, stage: int) -> int:
        return 4 * 2 ** stage


def _check_stage(config: PGGANConfig, stage: int, alpha: float) -> None:
    if isinstance(stage, bool) or not isinstance(stage, int) or not 0 <= stage < config.stages:
        raise ValueError(f"stage must be an integer from 0 to {config.stages - 1}, got {stage!r}")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 <= alpha <= 1:
        raise ValueError(f"alpha must be a number from 0 to 1, got {alpha!r}")


def _conv(c_in: int, c_out: int, kernel: int = 3) -> nn.Sequential:
    return nn.Sequential(EqualizedConv2d(c_in, c_out, kernel), nn.LeakyReLU(0.2))


class Generator(nn.Module):
    """z -> image at any stage: a 4 x 4 block from z, then one upsampling block per stage, each with its toRGB."""

    def __init__(self, config: PGGANConfig = PGGANConfig()):
        super().__init__()
        self.config, w = config, config.widths
        self.input = nn.Sequential(PixelNorm(), EqualizedLinear(config.z_dim, w[0] * 16, gain=2 ** 0.5 / 4))
        self.first = nn.Sequential(nn.LeakyReLU(0.2), PixelNorm(), *_conv(w[0], w[0]), PixelNorm())
        self.blocks = nn.ModuleList(nn.Sequential(*_conv(w[k - 1], w[k]), PixelNorm(), *_conv(w[k], w[k]), PixelNorm())
                                    for k in range(1, config.stages))
        self.to_rgb = nn.ModuleList(EqualizedConv2d(width, config.channels, 1, gain=1.0) for width in w)

    def forward(self, z: Tensor, stage: int | None = None, alpha: float = 1.0) -> Tensor:
        stage = self.config.stages - 1 if stage is None else stage
        _check_stage(self.config, stage, alpha)
        h = self.first(self.input(z).view(len(z), self.config.widths[0], 4, 4))
        for k in range(1, stage + 1):
            previous = h
            h = self.blocks[k - 1](F.interpolate(h, scale_factor=2, mode="nearest"))
        if stage == 0 or alpha == 1:
            return self.to_rgb[stage](h)
        old = F.interpolate(self.to_rgb[stage - 1](previous), scale_factor=2, mode="nearest")
        return fade_in(old, self.to_rgb[stage](h), alpha)


class Discriminator(nn.Module):
    """Image at any stage -> score: fromRGB, one downsampling block per stage, then the 4 x 4 block with the
    minibatch standard deviation and two dense layers."""

    def __init__(self, config: PGGANConfig = PGGANConfig()):
        super().__init__()
        self.config, w = config, config.widths
        self.from_rgb = nn.ModuleList(_conv(config.channels, width, 1) for width in w)
        self.blocks = nn.ModuleList(nn.Sequential(*_conv(w[k], w[k]), *_conv(w[k], w[k - 1]), nn.AvgPool2d(2))
                                    for k in range(1, config.stages))
        self.last = nn.Sequential(MinibatchStdDev(group_size=config.mbstd_group), *_conv(w[0] + 1, w[0]),
                                  nn.Flatten(), EqualizedLinear(w[0] * 16, w[0]), nn.LeakyReLU(0.2),
                                  EqualizedLinear(w[0], 1, gain=1.0))

    def forward(self, x: Tensor, stage: int | None = None, alpha: float = 1.0) -> Tensor:
        stage = self.config.stages - 1 if stage is None else stage
        _check_stage(self.config, stage, alpha)
        size = self.config.resolution(stage)
        if x.dim() != 4 or x.shape[1:] != (self.config.channels, size, size):
            raise ValueError(f"stage {stage} takes images (N, {self.config.channels}, {size}, {size}), got "
                             f"{tuple(x.shape)}")
        h = self.from_rgb[stage](x)
        if stage > 0:
            h = self.blocks[stage - 1](h)
            if alpha < 1:
                h = fade_in(self.from_rgb[stage - 1](F.avg_pool2d(x, 2)), h, alpha)
        for k in range(stage - 1, 0, -1):
            h = self.blocks[k - 1](h)
        return self.last(h).view(-1)


@dataclasses.dataclass(frozen=True)
class Schedule:
    """Which stage, and which α, at each generator step: ``stable`` steps at 4 x 4, then for every further stage
    ``fade`` steps with α rising linearly from 0 to 1 and ``stable`` steps at α = 1 (the paper: 800k images
    each). ``fade = 0`` is the abrupt switch: α jumps to 1 when a stage begins."""

    stages: int
    stable: int
    fade: int

    def __post_init__(self):
        for name in ("stages", "stable", "fade"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < (1 if name != "fade" else 0):
                raise ValueError(f"{name} must be an integer >= {1 if name != 'fade' else 0}, got {value!r}")

    @property
    def total(self) -> int:
        return self.stable + (self.stages - 1) * (self.fade + self.stable)

    def at(self, step: int) -> tuple[int, float]:
        """(stage, α) at generator step ``step`` (0-based); past the end, the last stage at α = 1."""
        if step < self.stable:
            return 0, 1.0
        stage, into = divmod(step - self.stable, self.fade + self.stable)
        if stage + 1 >= self.stages:
            return self.stages - 1, 1.0
        return stage + 1, (into / self.fade if into < self.fade else 1.0)

    def switches(self) -> list[int]:
        """The steps at which a new stage begins."""
        return [self.stable + k * (self.fade + self.stable) for k in range(self.stages - 1)]


def real_at(images: Tensor, resolution: int, alpha: float) -> Tensor:
    """Real images as D sees them at a stage: average-pooled to ``resolution``, and while the stage fades in,
    blended the same way as G's output, (1 - α)·upsample(downsample(x)) + α·x (the paper's code does this too)."""
    x = F.adaptive_avg_pool2d(images, resolution) if images.shape[-1] != resolution else images
    if alpha < 1:
        x = fade_in(F.interpolate(F.avg_pool2d(x, 2), scale_factor=2, mode="nearest"), x, alpha)
    return x


class PGGANStep(Step):
    """One PGGAN update pair: the WGAN-GP critic loss plus the drift term, then the generator's; the stage and α
    come from the :class:`Schedule` at the current generator step, which checkpoints keep (:meth:`extra_state`)."""

    networks = ("G", "D")
    optimizers = ("d_opt", "g_opt")

    def __init__(self, G: Generator, D: Discriminator, schedule: Schedule, config: PGGANConfig = PGGANConfig()):
        if schedule.stages != config.stages:
            raise ValueError(f"the schedule has {schedule.stages} stages, the networks {config.stages}")
        self.G, self.D, self.schedule, self.config = G, D, schedule, config
        self.d_opt = torch.optim.Adam(D.parameters(), lr=config.lr, betas=config.betas)
        self.g_opt = torch.optim.Adam(G.parameters(), lr=config.lr, betas=config.betas)
        self.g_steps = 0

    @property
    def stage_alpha(self) -> tuple[int, float]:
        return self.schedule.at(self.g_steps)

    def _z(self, n: int, device) -> Tensor:
        return torch.randn(n, self.config.z_dim, device=device)

    def d_step(self, real: Tensor) -> dict[str, Tensor]:
        stage, alpha = self.stage_alpha
        real = real_at(real, self.config.resolution(stage), alpha)
        with torch.no_grad():
            fake = self.G(self._z(len(real), real.device), stage, alpha)
        critic = functools.partial(self.D, stage=stage, alpha=alpha)
        real_scores, fake_scores = critic(real), critic(fake)
        wasserstein = losses.wasserstein_d_loss(real_scores, fake_scores)
        penalty = losses.gradient_penalty(critic, real, fake, weight=self.config.gp_weight)
        drift = self.config.drift * real_scores.pow(2).mean()          # keeps D's outputs near 0
        loss = wasserstein + penalty + drift
        self.d_opt.zero_grad(set_to_none=True)
        loss.backward()
        self.d_opt.step()
        return {"d_loss": loss.detach(), "w_estimate": -wasserstein.detach(), "drift": drift.detach()}

    def g_step(self, real: Tensor) -> dict[str, Tensor]:
        stage, alpha = self.stage_alpha
        fake = self.G(self._z(len(real), real.device), stage, alpha)
        loss = losses.wasserstein_g_loss(self.D(fake, stage, alpha))
        self.g_opt.zero_grad(set_to_none=True)
        loss.backward()
        self.g_opt.step()
        self.g_steps += 1
        return {"g_loss": loss.detach(), "stage": torch.tensor(float(stage)), "alpha": torch.tensor(alpha)}

    def extra_state(self) -> dict:
        return {"g_steps": self.g_steps}

    def load_extra_state(self, state: dict) -> None:
        self.g_steps = int(state["g_steps"])
