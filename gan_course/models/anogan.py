"""AnoGAN (Schlegl, Seeböck, Waldstein, Schmidt-Erfurth & Langs 2017, "Unsupervised anomaly detection with
generative adversarial networks to guide marker discovery"): a GAN trained on normal images only, and a search
at test time for the latent point whose image is closest to the query.

Training is a DCGAN's (Algorithm 1 on normal images; :class:`~gan_course.models.gan.GANStep`). G has learned the
manifold of normal images; an anomaly lies off it, so no z makes it. For a query x, AnoGAN starts from a random z
and takes Γ gradient steps (the paper: 500) on the loss of its Eq. 3-5,

    L(z) = (1 - λ) L_R(z) + λ L_D(z),   L_R = |x - G(z)|,   L_D = |f(x) - f(G(z))|,

with f an intermediate layer of D (here its last feature map) and λ = 0.1. The final L is the anomaly score
(Eq. 6), and the residual |x - G(z)| shows where the image leaves the manifold. The paper sums over pixels and
features; we average (the two sums have the same number of terms here, 1,024 each, so λ weighs them the same).

The search is the method's cost: Γ forward and backward passes through G and D per image, where the other
detectors of lesson 16 need one forward pass. :func:`latent_search` runs it for a whole batch at once (each image
its own z; the loss is a sum over images and Adam works element by element, so this is the same as one search
per image).

Taught in: lesson 16
"""

from __future__ import annotations

import dataclasses

import torch
from torch import Tensor, nn

from .. import runtime, train
from ..layers import ConvDecoder, ConvEncoder
from .dcgan import init_weights
from .gan import GANStep
from .one_class import fit_on_normal


@dataclasses.dataclass(frozen=True)
class AnoGANConfig:
    z_dim: int = 32                   # dimension of z ~ N(0, I)
    width: int = 16                   # channels of the first encoder / last decoder map
    channels: int = 1                 # image channels
    steps: int = 1500                 # generator steps of training
    batch_size: int = 64
    lr: float = 2e-4                  # Adam, DCGAN's settings
    betas: tuple[float, float] = (0.5, 0.999)
    lam: float = 0.1                  # λ: weight of the discrimination loss in the search (the paper: 0.1)
    search_steps: int = 500           # Γ: gradient steps of the latent search (the paper: 500)
    # Adam's step size on z: of 0.005 ... 0.1, the lowest final search loss on 200 normal training images
    # (0.0737, against 0.0998 at 0.005; benchmarks/RESULTS.md)
    search_lr: float = 0.1


def build(config: AnoGANConfig = AnoGANConfig()) -> dict[str, nn.Module]:
    """G (z -> image) and D (image -> logit; :meth:`~gan_course.layers.ConvEncoder.features` is f)."""
    nets = {"G": ConvDecoder(config.z_dim, config.channels, config.width),
            "D": ConvEncoder(1, config.channels, config.width)}
    for net in nets.values():
        net.apply(init_weights)
    return nets


def fit(config: AnoGANConfig, images: Tensor, *, seed: int = 0, **train_options
        ) -> tuple[dict[str, nn.Module], train.History]:
    """Train the GAN on ``images`` (normal ones only, (N, C, 32, 32) on the training device)."""
    def make_step(nets: dict[str, nn.Module]) -> GANStep:
        G, D = nets["G"], nets["D"]
        return GANStep(G, D, torch.optim.Adam(D.parameters(), lr=config.lr, betas=config.betas),
                       torch.optim.Adam(G.parameters(), lr=config.lr, betas=config.betas),
                       sample_z=lambda n: torch.randn(n, config.z_dim, device=images.device))

    runtime.seed_everything(seed)
    return fit_on_normal(build(config), make_step, images, config.steps, config.batch_size, seed, **train_options)


def search_loss(G: nn.Module, D: ConvEncoder, x: Tensor, z: Tensor, lam: float = 0.1) -> Tensor:
    """AnoGAN's loss per image, (N,): (1 - λ) |x - G(z)| + λ |f(x) - f(G(z))|, each a mean over its terms."""
    fake = G(z)
    residual = (x - fake).abs().flatten(1).mean(1)                                  # L_R, Eq. 3
    discrimination = (D.features(x) - D.features(fake)).abs().flatten(1).mean(1)    # L_D, Eq. 4 (feature matching)
    return (1 - lam) * residual + lam * discrimination                              # Eq. 5


def latent_search(G: nn.Module, D: ConvEncoder, x: Tensor, steps: int = 500, lam: float = 0.1, lr: float = 0.1,
                  seed: int = 0, record_at: tuple[int, ...] = (), z0: Tensor | None = None
                  ) -> tuple[Tensor, Tensor, dict[int, Tensor]]:
    """Γ = ``steps`` Adam steps on z for every image of ``x`` at once, from ``z0`` (N, z_dim) when given, else
    from z ~ N(0, I) drawn with ``seed``.

    Returns:
        z (N, z_dim) and the final loss (N,), the anomaly score; and the loss after each step in ``record_at``
        (for the score's quality as a function of Γ), on the CPU.
    """
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    if not 0 <= lam <= 1:
        raise ValueError(f"lam (λ) must be in [0, 1], got {lam!r}")
    G.eval().requires_grad_(False)  # eval: batch norm's running statistics, so the images do not mix
    D.eval().requires_grad_(False)
    if z0 is None:
        z0 = torch.randn(len(x), G.z_dim, generator=torch.Generator().manual_seed(seed))
    if z0.shape != (len(x), G.z_dim):
        raise ValueError(f"z0 must be ({len(x)}, {G.z_dim}): one code per image, got {tuple(z0.shape)}")
    z = z0.detach().clone().to(x.device).requires_grad_(True)
    optimizer = torch.optim.Adam([z], lr=lr)
    recorded = {}
    try:
        for step in range(1, steps + 1):
            loss = search_loss(G, D, x, z, lam)                 # (N,)
            optimizer.zero_grad(set_to_none=True)
            loss.sum().backward()                               # each z gets its own image's gradient
            optimizer.step()
            if step in record_at:
                with torch.no_grad():
                    recorded[step] = search_loss(G, D, x, z, lam).cpu()
        with torch.no_grad():
            final = search_loss(G, D, x, z, lam)
    finally:
        G.requires_grad_(True)
        D.requires_grad_(True)
    return z.detach().cpu(), final.cpu(), recorded


def score(nets: dict[str, nn.Module], images: Tensor, config: AnoGANConfig = AnoGANConfig(), batch_size: int = 500,
          steps: int | None = None, lam: float | None = None, seed: int = 0) -> tuple[Tensor, Tensor]:
    """Anomaly scores (N,) and residual maps |x - G(z)| (N, C, 32, 32) of ``images`` after the latent search
    (``config``'s Γ and λ unless given), in batches on the networks' device; results on the CPU."""
    G, D = nets["G"], nets["D"]
    device = next(G.parameters()).device
    steps = config.search_steps if steps is None else steps
    lam = config.lam if lam is None else lam
    scores, residuals = [], []
    for i in range(0, len(images), batch_size):
        x = images[i:i + batch_size].to(device)
        z, final, _ = latent_search(G, D, x, steps, lam, config.search_lr, seed=seed + i)
        with torch.no_grad():
            residuals.append((x - G(z.to(device))).abs().cpu())
        scores.append(final)
    return torch.cat(scores), torch.cat(residuals)
