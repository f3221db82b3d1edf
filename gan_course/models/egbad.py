"""EGBAD (Zenati, Foo, Lecouat, Manek & Chandrasekhar 2018, "Efficient GAN-based anomaly detection"): a BiGAN
(Donahue et al. 2017) trained on normal images, whose encoder replaces AnoGAN's search with one forward pass.

Three networks: G maps z to an image, E maps an image to a z, and D judges *pairs*: it tells (x, E(x)) with x a
real image from (G(z), z) with z ~ N(0, I). The game is a GAN's on the joint space,

    min_{G,E} max_D  E_x[log D(x, E(x))] + E_z[log(1 - D(G(z), z))],

and at its optimum the two joint distributions are equal (Donahue et al., Theorem 1). Equal joints mean that the
pair (x, E(x)) could have been drawn as (G(z), z): wherever p(x, z) has mass, x = G(z) and z = E(x) together, so
E = G^-1 on the support (their Theorem 2). E has learned to invert G without ever being told G(E(x)) ≈ x.

The score (Eq. 3 of the paper) mixes AnoGAN's two terms, computed once instead of after a search:

    A(x) = (1 - α) L_G(x) + α L_D(x),   L_G = |x - G(E(x))|,   L_D = |f(x, E(x)) - f(G(E(x)), E(x))|,

with f D's last hidden layer (feature matching) and α = 0.1, as in AnoGAN (the authors' code: ``--w 0.1 --m fm``).
Both are means over their terms here.

Taught in: lesson 16
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
class EGBADConfig:
    z_dim: int = 32                   # dimension of z ~ N(0, I)
    width: int = 16                   # channels of the first encoder / last decoder map
    channels: int = 1                 # image channels
    hidden: int = 256                 # D's joint hidden layer (f, the features of the score)
    steps: int = 1500                 # generator (G and E) steps
    batch_size: int = 64
    lr: float = 2e-4                  # Adam for all three, DCGAN's settings
    betas: tuple[float, float] = (0.5, 0.999)
    alpha: float = 0.1                # α: weight of the discriminator term in the score


class JointDiscriminator(nn.Module):
    """D(x, z): an image branch (:class:`~gan_course.layers.ConvEncoder`'s feature map), a z branch (one layer),
    and a joint layer whose output, :meth:`features`, the score compares; then one logit."""

    def __init__(self, z_dim: int, channels: int = 1, width: int = 16, hidden: int = 256):
        super().__init__()
        self.image = ConvEncoder(1, channels, width)                     # only its .features are used
        self.code = nn.Sequential(nn.Linear(z_dim, hidden), nn.LeakyReLU(0.2))
        self.joint = nn.Sequential(nn.Linear(4 * width * 16 + hidden, hidden), nn.LeakyReLU(0.2))
        self.logit = nn.Linear(hidden, 1)

    def features(self, x: Tensor, z: Tensor) -> Tensor:
        """f(x, z), (B, hidden)."""
        return self.joint(torch.cat([self.image.features(x).flatten(1), self.code(z)], 1))

    def forward(self, x: Tensor, z: Tensor) -> Tensor:
        return self.logit(self.features(x, z))                           # (B, 1)


def build(config: EGBADConfig = EGBADConfig()) -> dict[str, nn.Module]:
    nets = {"G": ConvDecoder(config.z_dim, config.channels, config.width),
            "E": ConvEncoder(config.z_dim, config.channels, config.width),
            "D": JointDiscriminator(config.z_dim, config.channels, config.width, config.hidden)}
    for net in nets.values():
        net.apply(init_weights)
    return nets


def _bce(logits: Tensor, target: float) -> Tensor:
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))


class EGBADStep(Step):
    """BiGAN's updates: D on the two kinds of pairs, then G and E together against D (non-saturating: each pair
    with the other's label)."""

    networks = ("G", "E", "D")
    optimizers = ("d_opt", "ge_opt")
    unused_parameters = True  # D's image branch never uses its encoder's last layer (D reads its .features)

    def __init__(self, nets: dict[str, nn.Module], config: EGBADConfig):
        self.G, self.E, self.D = nets["G"], nets["E"], nets["D"]
        self.z_dim = config.z_dim
        self.d_opt = torch.optim.Adam(self.D.parameters(), lr=config.lr, betas=config.betas)
        self.ge_opt = torch.optim.Adam([*self.G.parameters(), *self.E.parameters()], lr=config.lr, betas=config.betas)

    def d_step(self, x: Tensor) -> dict[str, Tensor]:
        z = torch.randn(len(x), self.z_dim, device=x.device)                     # z ~ N(0, I)
        with torch.no_grad():
            encoded, fake = self.E(x), self.G(z)                                 # E(x), G(z): fixed here
        loss = _bce(self.D(x, encoded), 1.0) + _bce(self.D(fake, z), 0.0)        # -[log D(x,E(x)) + log(1-D(G(z),z))]
        self.d_opt.zero_grad(set_to_none=True)
        loss.backward()
        self.d_opt.step()
        return {"d_loss": loss.detach()}

    def g_step(self, x: Tensor) -> dict[str, Tensor]:
        z = torch.randn(len(x), self.z_dim, device=x.device)
        self.D.requires_grad_(False)
        try:
            loss = _bce(self.D(self.G(z), z), 1.0) + _bce(self.D(x, self.E(x)), 0.0)  # swap the labels: fool D
            self.ge_opt.zero_grad(set_to_none=True)
            loss.backward()
            self.ge_opt.step()
        finally:
            self.D.requires_grad_(True)
        return {"ge_loss": loss.detach()}


def fit(config: EGBADConfig, images: Tensor, *, seed: int = 0, **train_options
        ) -> tuple[dict[str, nn.Module], train.History]:
    """Train the BiGAN on ``images`` (normal ones only, (N, C, 32, 32) on the training device)."""
    runtime.seed_everything(seed)
    return fit_on_normal(build(config), lambda nets: EGBADStep(nets, config), images, config.steps,
                         config.batch_size, seed, **train_options)


@torch.no_grad()
def score(nets: dict[str, nn.Module], images: Tensor, config: EGBADConfig = EGBADConfig(), batch_size: int = 500,
          alpha: float | None = None) -> tuple[Tensor, Tensor]:
    """Anomaly scores A(x) (N,) and residual maps |x - G(E(x))| (N, C, 32, 32), one forward pass each; CPU."""
    G, E, D = (nets[k].eval() for k in ("G", "E", "D"))
    alpha = config.alpha if alpha is None else alpha

    def score_batch(x: Tensor) -> tuple[Tensor, Tensor]:
        z = E(x)                                                                 # one pass replaces the search
        rebuilt = G(z)
        residual = (x - rebuilt).abs()
        l_g = residual.flatten(1).mean(1)                                        # L_G
        l_d = (D.features(x, z) - D.features(rebuilt, z)).abs().mean(1)          # L_D (feature matching)
        return (1 - alpha) * l_g + alpha * l_d, residual

    return score_in_batches(score_batch, images, next(G.parameters()).device, batch_size)
