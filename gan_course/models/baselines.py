"""Two anomaly detectors without a GAN, for lesson 16 to measure the GAN-based ones against.

* :class:`Autoencoder`: the GAN detectors' encoder and decoder (:mod:`gan_course.layers`) trained only to
  reconstruct normal images, |x - D(E(x))|²; the score is the mean squared reconstruction error, the residual
  map |x - x̂| as for the others. It is GANomaly without D and without the second encoder, or f-AnoGAN's izi
  without the GAN: what the adversarial parts add is the difference to it.
* :func:`knn_scores`: the mean distance of an image's features to its k nearest normal training images, in the
  penultimate layer of the course's MNIST classifier (``mnist-classifier``, lessons 08-09). A strong baseline and
  not a fair one: the classifier was trained with labels on all ten digits, anomalies included.

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
from .classifier import load_judge
from .dcgan import init_weights
from .one_class import fit_on_normal, score_in_batches


@dataclasses.dataclass(frozen=True)
class AutoencoderConfig:
    z_dim: int = 32                   # the bottleneck
    width: int = 16
    channels: int = 1
    steps: int = 1500                 # the same budget as the GAN detectors' generator steps
    batch_size: int = 64
    lr: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)


class Autoencoder(nn.Module):
    def __init__(self, config: AutoencoderConfig = AutoencoderConfig()):
        super().__init__()
        self.encoder = ConvEncoder(config.z_dim, config.channels, config.width)
        self.decoder = ConvDecoder(config.z_dim, config.channels, config.width)

    def forward(self, x: Tensor) -> Tensor:
        return self.decoder(self.encoder(x))


class AutoencoderStep(Step):
    """Reconstruction only: no discriminator, so :meth:`d_step` only hands the batch on."""

    networks = ("AE",)
    optimizers = ("opt",)

    def __init__(self, model: Autoencoder, config: AutoencoderConfig):
        self.AE = model
        self.opt = torch.optim.Adam(model.parameters(), lr=config.lr, betas=config.betas)

    def d_step(self, x: Tensor) -> dict[str, Tensor]:
        return {}

    def g_step(self, x: Tensor) -> dict[str, Tensor]:
        loss = F.mse_loss(self.AE(x), x)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        return {"reconstruction": loss.detach()}


def build(config: AutoencoderConfig = AutoencoderConfig()) -> dict[str, nn.Module]:
    model = Autoencoder(config)
    model.apply(init_weights)
    return {"AE": model}


def fit(config: AutoencoderConfig, images: Tensor, *, seed: int = 0, **train_options
        ) -> tuple[dict[str, nn.Module], train.History]:
    """Train on ``images`` (normal ones only, on the training device)."""
    runtime.seed_everything(seed)
    return fit_on_normal(build(config), lambda nets: AutoencoderStep(nets["AE"], config), images, config.steps,
                         config.batch_size, seed, **train_options)


@torch.no_grad()
def score(nets: dict[str, nn.Module], images: Tensor, batch_size: int = 500) -> tuple[Tensor, Tensor]:
    """Scores |x - x̂|² / n (N,) and residual maps |x - x̂| (N, C, 32, 32); on the CPU."""
    model = nets["AE"].eval()

    def score_batch(x: Tensor) -> tuple[Tensor, Tensor]:
        residual = x - model(x)
        return residual.pow(2).flatten(1).mean(1), residual.abs()

    return score_in_batches(score_batch, images, next(model.parameters()).device, batch_size)


def knn_scores(train_features: Tensor, test_features: Tensor, k: int = 5) -> Tensor:
    """Mean Euclidean distance of each test feature vector (M, d) to its ``k`` nearest training ones (N, d)."""
    if train_features.dim() != 2 or test_features.dim() != 2 or train_features.shape[1] != test_features.shape[1]:
        raise ValueError(f"features must be (N, d) and (M, d), got {tuple(train_features.shape)} and "
                         f"{tuple(test_features.shape)}")
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= len(train_features):
        raise ValueError(f"k must be an integer from 1 to the {len(train_features)} training images, got {k!r}")
    distances = torch.cdist(test_features.double(), train_features.double())   # (M, N)
    return distances.topk(k, dim=1, largest=False).values.mean(1).float()


@torch.no_grad()
def judge_features(images: Tensor, batch_size: int = 1000) -> Tensor:
    """The MNIST classifier's penultimate features (N, 256) of 32 x 32 digits (their 28 x 28 centre); on the CPU."""
    judge = load_judge("handwritten")
    return torch.cat([judge.features(images[i:i + batch_size, :, 2:30, 2:30].cpu())
                      for i in range(0, len(images), batch_size)])
