"""f-AnoGAN (Schlegl, Seeböck, Waldstein, Langs & Schmidt-Erfurth 2019, "f-AnoGAN: fast unsupervised anomaly
detection with generative adversarial networks"): AnoGAN's GAN, trained as a WGAN-GP, and an encoder trained
afterwards to replace the search.

1. A WGAN-GP (:class:`~gan_course.models.wgan.WGANStep`: λ = 10, n_critic = 5, Adam 1e-4 with betas (0, 0.9)) on
   normal images; the critic has no batch norm, as the gradient penalty requires.
2. G and the critic frozen, an encoder E is trained to map images into z, in one of the paper's three ways:

   * ``"ziz"``: z -> G(z) -> E(G(z)) ≈ z, |z - E(G(z))|²; E only ever sees generated images;
   * ``"izi"``: x -> E(x) -> G(E(x)) ≈ x, |x - G(E(x))|² / n on real images (an autoencoder with a fixed decoder);
   * ``"izi_f"``: izi plus κ |f(x) - f(G(E(x)))|² / n_d, the residual of the critic's features f (its last
     feature map, n_d values); the paper's best.

The score is the izi_f loss of the image (Eq. 5-6), from one forward pass:

    A(x) = A_R(x) + κ A_D(x),   A_R = |x - G(E(x))|² / n,   A_D = |f(x) - f(G(E(x)))|² / n_d,   κ = 1.

Taught in: lesson 17
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import torch
from torch import Tensor, nn

from .. import runtime, train
from ..data.digits import DeviceBatches
from ..layers import ConvDecoder, ConvEncoder
from ..train import Step
from .dcgan import init_weights
from .one_class import score_in_batches
from .wgan import WGANStep

ENCODER_TRAINING = ("ziz", "izi", "izi_f")


@dataclasses.dataclass(frozen=True)
class FAnoGANConfig:
    z_dim: int = 32                   # dimension of z ~ N(0, I)
    width: int = 16                   # channels of the first encoder / last decoder map
    channels: int = 1                 # image channels
    steps: int = 1500                 # generator steps of the WGAN-GP (each after n_critic critic steps)
    encoder_steps: int = 1500         # steps of the encoder's training
    batch_size: int = 64
    lr: float = 1e-4                  # WGAN-GP's Adam (Gulrajani et al., Algorithm 1)
    betas: tuple[float, float] = (0.0, 0.9)
    n_critic: int = 5
    gp_weight: float = 10.0
    encoder_lr: float = 2e-4          # the encoder's Adam
    encoder_betas: tuple[float, float] = (0.5, 0.999)
    encoder_training: str = "izi_f"   # "ziz", "izi" or "izi_f"
    kappa: float = 1.0                # κ: weight of the feature residual, in training and in the score

    def __post_init__(self):
        if self.encoder_training not in ENCODER_TRAINING:
            raise ValueError(f"encoder_training must be one of {ENCODER_TRAINING}, got {self.encoder_training!r}")


def build(config: FAnoGANConfig = FAnoGANConfig()) -> dict[str, nn.Module]:
    nets = {"G": ConvDecoder(config.z_dim, config.channels, config.width),
            "D": ConvEncoder(1, config.channels, config.width, batch_norm=False),   # the critic
            "E": ConvEncoder(config.z_dim, config.channels, config.width)}
    for net in nets.values():
        net.apply(init_weights)
    return nets


def residuals(G: nn.Module, D: ConvEncoder, E: nn.Module, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """A_R (N,), A_D (N,) and G(E(x))."""
    rebuilt = G(E(x))
    image = (x - rebuilt).pow(2).flatten(1).mean(1)                          # |x - G(E(x))|² / n
    feature = (D.features(x) - D.features(rebuilt)).pow(2).flatten(1).mean(1)  # |f(x) - f(G(E(x)))|² / n_d
    return image, feature, rebuilt


class EncoderStep(Step):
    """Stage 2: only E learns; G and the critic stay as the WGAN-GP left them. There is no discriminator update:
    :meth:`d_step` only hands the batch on, and :meth:`g_step` updates E."""

    networks = ("E",)
    optimizers = ("e_opt",)

    def __init__(self, nets: dict[str, nn.Module], config: FAnoGANConfig):
        self.G, self.D, self.E, self.config = nets["G"].eval(), nets["D"].eval(), nets["E"], config
        self.G.requires_grad_(False)
        self.D.requires_grad_(False)
        self.e_opt = torch.optim.Adam(self.E.parameters(), lr=config.encoder_lr, betas=config.encoder_betas)

    def d_step(self, x: Tensor) -> dict[str, Tensor]:
        return {}

    def g_step(self, x: Tensor) -> dict[str, Tensor]:
        if self.config.encoder_training == "ziz":
            z = torch.randn(len(x), self.config.z_dim, device=x.device)
            loss = (z - self.E(self.G(z))).pow(2).mean()                         # |z - E(G(z))|²
        else:
            image, feature, _ = residuals(self.G, self.D, self.E, x)
            loss = image.mean()                                                  # izi
            if self.config.encoder_training == "izi_f":
                loss = loss + self.config.kappa * feature.mean()                 # + κ A_D
        self.e_opt.zero_grad(set_to_none=True)
        loss.backward()
        self.e_opt.step()
        return {"e_loss": loss.detach()}


def fit(config: FAnoGANConfig, images: Tensor, *, seed: int = 0, start: dict[str, nn.Module] | None = None,
        **train_options) -> tuple[dict[str, nn.Module], dict[str, train.History]]:
    """Both stages on ``images`` (normal ones only, on the training device); with ``start`` (nets of this
    config, e.g. another encoder training's), stage 1 is skipped and its G and critic are used. A
    ``checkpoint_dir`` gets one subfolder per stage."""
    def stage(name: str) -> dict:
        folder = train_options.get("checkpoint_dir")
        return {**train_options, "checkpoint_dir": None if folder is None else Path(folder) / name}

    runtime.seed_everything(seed)
    nets = {k: net.to(images.device) for k, net in build(config).items()}
    histories = {}
    if start is None:
        G, D = nets["G"], nets["D"]
        gan = WGANStep(G, D, torch.optim.Adam(D.parameters(), lr=config.lr, betas=config.betas),
                       torch.optim.Adam(G.parameters(), lr=config.lr, betas=config.betas),
                       gp_weight=config.gp_weight, n_critic=config.n_critic,
                       sample_z=lambda n: torch.randn(n, config.z_dim, device=images.device))
        histories["wgan_gp"] = train.train(gan, DeviceBatches(images, batch_size=config.batch_size, seed=seed),
                                           config.steps, **stage("wgan_gp"))
    else:
        for k in ("G", "D"):
            nets[k].load_state_dict(start[k].state_dict())
    histories["encoder"] = train.train(EncoderStep(nets, config),
                                       DeviceBatches(images, batch_size=config.batch_size, seed=seed + 1),
                                       config.encoder_steps, **stage("encoder"))
    return {k: net.eval().requires_grad_(True) for k, net in nets.items()}, histories


@torch.no_grad()
def score(nets: dict[str, nn.Module], images: Tensor, config: FAnoGANConfig = FAnoGANConfig(),
          batch_size: int = 500, kappa: float | None = None) -> tuple[Tensor, Tensor]:
    """Scores A(x) = A_R + κ A_D (N,) and residual maps |x - G(E(x))| (N, C, 32, 32), one pass each; on the CPU."""
    G, D, E = (nets[k].eval() for k in ("G", "D", "E"))
    kappa = config.kappa if kappa is None else kappa

    def score_batch(x: Tensor) -> tuple[Tensor, Tensor]:
        image, feature, rebuilt = residuals(G, D, E, x)
        return image + kappa * feature, (x - rebuilt).abs()

    return score_in_batches(score_batch, images, next(G.parameters()).device, batch_size)
