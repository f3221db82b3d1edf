"""GANomaly (Akçay, Atapour-Abarghouei & Breckon 2018, "GANomaly: semi-supervised anomaly detection via
adversarial training"): an encoder-decoder-encoder generator whose score compares two codes of one image.

G is three networks in a row, x -> z -> x̂ -> ẑ: G_E encodes the image, G_D decodes the code into a
reconstruction, and a second encoder E encodes the reconstruction. D tells images from reconstructions. Trained on
normal images only, G minimises (Eq. 4-7 of the paper; the authors' released defaults w_adv 1, w_con 50, w_enc 1)

    L_G = w_adv |f(x) - f(x̂)|² + w_con |x - x̂|₁ + w_enc |z - ẑ|²,

the adversarial term as feature matching on D's last feature map f, the contextual term an L1 reconstruction, the
encoder term asking E to give the reconstruction the code of the image. An anomaly is reconstructed as a normal
image (G_D has only learned those), so its ẑ lands away from its z: the score is |z - ẑ|² (Eq. 8), from one
forward pass. D minimises the usual cross-entropy; when its loss falls below 1e-5, it is re-initialised (the
released code does so, to keep the adversarial term informative).

Taught in: lesson 17
"""

from __future__ import annotations

import dataclasses

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .. import runtime, train
from ..layers import ConvDecoder, ConvEncoder
from ..train import Step
from .dcgan import init_weights
from .one_class import fit_on_normal, score_in_batches


@dataclasses.dataclass(frozen=True)
class GANomalyConfig:
    z_dim: int = 32                   # dimension of the codes z and ẑ
    width: int = 16                   # channels of the first encoder / last decoder map
    channels: int = 1                 # image channels
    steps: int = 1500                 # generator steps
    batch_size: int = 64
    lr: float = 2e-4                  # Adam for G and D (the released code's 2e-4 and beta1 0.5)
    betas: tuple[float, float] = (0.5, 0.999)
    w_adv: float = 1.0                # weights of the three terms of L_G (released defaults)
    w_con: float = 50.0
    w_enc: float = 1.0


class Generator(nn.Module):
    """x -> (x̂, z, ẑ): G_E, G_D and E in a row."""

    def __init__(self, config: GANomalyConfig = GANomalyConfig()):
        super().__init__()
        self.G_E = ConvEncoder(config.z_dim, config.channels, config.width)   # x -> z
        self.G_D = ConvDecoder(config.z_dim, config.channels, config.width)   # z -> x̂
        self.E = ConvEncoder(config.z_dim, config.channels, config.width)     # x̂ -> ẑ

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        z = self.G_E(x)              # (B, z_dim)
        rebuilt = self.G_D(z)        # x̂ (B, C, 32, 32)
        return rebuilt, z, self.E(rebuilt)


def build(config: GANomalyConfig = GANomalyConfig()) -> dict[str, nn.Module]:
    nets = {"G": Generator(config), "D": ConvEncoder(1, config.channels, config.width)}
    for net in nets.values():
        net.apply(init_weights)
    return nets


def generator_loss(D: ConvEncoder, x: Tensor, rebuilt: Tensor, z: Tensor, z_rebuilt: Tensor,
                   config: GANomalyConfig = GANomalyConfig()) -> dict[str, Tensor]:
    """The three terms of L_G and their weighted sum ``"g_loss"`` (each a mean over its terms)."""
    adversarial = (D.features(x) - D.features(rebuilt)).pow(2).mean()   # |f(x) - f(x̂)|², feature matching
    contextual = (x - rebuilt).abs().mean()                             # |x - x̂|₁
    encoder = (z - z_rebuilt).pow(2).mean()                             # |z - ẑ|²
    total = config.w_adv * adversarial + config.w_con * contextual + config.w_enc * encoder
    return {"g_loss": total, "adversarial": adversarial, "contextual": contextual, "encoder": encoder}


RESTART_BELOW = 1e-5  # the released code's threshold on D's loss


def restart_if_won(D: nn.Module, d_loss: float) -> bool:
    """Re-initialise D when its loss is below :data:`RESTART_BELOW` (it has won outright, and its features no
    longer guide G), as the released code does. Returns whether it did."""
    if d_loss < RESTART_BELOW:
        D.apply(init_weights)
        return True
    return False


class GANomalyStep(Step):
    networks = ("G", "D")
    optimizers = ("d_opt", "g_opt")

    def __init__(self, nets: dict[str, nn.Module], config: GANomalyConfig):
        self.G, self.D, self.config = nets["G"], nets["D"], config
        self.d_opt = torch.optim.Adam(self.D.parameters(), lr=config.lr, betas=config.betas)
        self.g_opt = torch.optim.Adam(self.G.parameters(), lr=config.lr, betas=config.betas)

    def d_step(self, x: Tensor) -> dict[str, Tensor]:
        with torch.no_grad():
            rebuilt = self.G(x)[0]
        real, fake = self.D(x), self.D(rebuilt)
        loss = (F.binary_cross_entropy_with_logits(real, torch.ones_like(real))
                + F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake))) / 2
        self.d_opt.zero_grad(set_to_none=True)
        loss.backward()
        self.d_opt.step()
        restart_if_won(self.D, loss.item())
        return {"d_loss": loss.detach()}

    def g_step(self, x: Tensor) -> dict[str, Tensor]:
        self.D.requires_grad_(False)
        try:
            terms = generator_loss(self.D, x, *self.G(x), self.config)
            self.g_opt.zero_grad(set_to_none=True)
            terms["g_loss"].backward()
            self.g_opt.step()
        finally:
            self.D.requires_grad_(True)
        return {name: value.detach() for name, value in terms.items()}


def fit(config: GANomalyConfig, images: Tensor, *, seed: int = 0, **train_options
        ) -> tuple[dict[str, nn.Module], train.History]:
    """Train on ``images`` (normal ones only, (N, C, 32, 32) on the training device)."""
    runtime.seed_everything(seed)
    return fit_on_normal(build(config), lambda nets: GANomalyStep(nets, config), images, config.steps,
                         config.batch_size, seed, **train_options)


def anomaly_score(z: Tensor, z_rebuilt: Tensor) -> Tensor:
    """GANomaly's score per image, (N,): the mean squared difference of the two codes, |z - ẑ|² / z_dim."""
    return (z - z_rebuilt).pow(2).mean(1)


@torch.no_grad()
def score(nets: dict[str, nn.Module], images: Tensor, config: GANomalyConfig = GANomalyConfig(),
          batch_size: int = 500) -> tuple[Tensor, Tensor]:
    """Scores |z - ẑ|² (N,) and residual maps |x - x̂| (N, C, 32, 32), one forward pass each; on the CPU."""
    G = nets["G"].eval()

    def score_batch(x: Tensor) -> tuple[Tensor, Tensor]:
        rebuilt, z, z_rebuilt = G(x)
        return anomaly_score(z, z_rebuilt), (x - rebuilt).abs()

    return score_in_batches(score_batch, images, next(G.parameters()).device, batch_size)
