"""A reader of the procedural faces' known factors: pose, light and a few features of the person, from the image.

The faces of lesson 15 are rendered from known factors (:mod:`gan_course.data.faces`): the view (yaw, pitch), the
light's direction, and twenty numbers that make the person. A generator's images come with none of them, so the
StyleGAN lesson reads them back with this network: which factors follow the coarse styles and which the fine ones
(the style-mixing measurement), and the attribute classifiers of the linear-separability metric (each factor split
at the middle of its range; the distance of the prediction from that middle, in standard deviations, is the
classifier's confidence).

:class:`FactorNet` is the identity network's convolutional trunk (:class:`.face_identity.IdentityNet`) with a linear
head that predicts the standardised factors of :data:`FACTORS`; :func:`fit_factors` trains it by mean squared error
on the training views and their frontal targets (yaw and pitch 0), and ``python -m gan_course train faces-factors``
(:func:`train_factors_recipe`) stores it as :data:`FACTORS_NAME`, scored by R² per factor on the test views (new
poses and lights).

Taught in: lesson 19 (StyleGAN)
"""

from __future__ import annotations

import time

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .. import checkpoints, distributed, runtime
from ..data import faces as faces_data
from .face_identity import faces_on, in_batches

FACTORS_NAME = "faces-factors"
#: The factors read back: the view, the light, and four features of the person that show at 32 x 32.
FACTORS = ("yaw", "pitch", "light", "skin_tone", "hair_darkness", "hair_length", "jaw_width")
#: Where each factor is split into two attribute classes: the middle of its range.
THRESHOLDS = {"yaw": 0.0, "pitch": 0.0, "light": 0.0,
              **{name: sum(faces_data.FACTORS[name][:2]) / 2 for name in FACTORS[3:]}}


def factor_values(faces) -> Tensor:
    """(N, len(FACTORS)) the true factors of ``faces`` (a :class:`~gan_course.data.faces.Faces`)."""
    return torch.stack([getattr(faces, name) if name in ("yaw", "pitch", "light") else getattr(faces.params, name)
                        for name in FACTORS], 1).float()


class FactorNet(nn.Module):
    """Faces (N, 1, S, S) -> their :data:`FACTORS` (N, F), in the factors' own units."""

    def __init__(self, width: int = 16, channels: int = 1, image_size: int = 32):
        super().__init__()
        self.conv = nn.Sequential(*[m for a, b in ((channels, width), (width, 2 * width), (2 * width, 4 * width))
                                    for m in (nn.Conv2d(a, b, 3, 1, 1), nn.BatchNorm2d(b), nn.ReLU(), nn.MaxPool2d(2))])
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(4 * width * (image_size // 8) ** 2, 128), nn.ReLU(),
                                  nn.Linear(128, len(FACTORS)))
        self.register_buffer("mean", torch.zeros(len(FACTORS)))  # the training factors' mean and standard deviation
        self.register_buffer("std", torch.ones(len(FACTORS)))

    def standardised(self, x: Tensor) -> Tensor:
        return self.head(self.conv(x))

    def forward(self, x: Tensor) -> Tensor:
        return self.standardised(x) * self.std + self.mean


class Standardised(nn.Module):
    """What training fits: the standardised factors of a :class:`FactorNet` as a module's forward (which DDP wraps)."""

    def __init__(self, net: FactorNet):
        super().__init__()
        self.net = net

    def forward(self, x: Tensor) -> Tensor:
        return self.net.standardised(x)


def fit_factors(faces, epochs: int = 15, seed: int = 0, batch_size: int = 64, lr: float = 3e-3,
                verbose: bool = False) -> FactorNet:
    """A :class:`FactorNet` trained on every view of ``faces`` and every frontal target (Adam, one-cycle rate, mean
    squared error of the standardised factors)."""
    runtime.seed_everything(seed)
    frontal = factor_values(faces)
    frontal[:, FACTORS.index("yaw")] = 0.0
    frontal[:, FACTORS.index("pitch")] = 0.0
    images = torch.cat([faces.images, faces.frontal])
    targets = torch.cat([factor_values(faces), frontal]).to(images.device)
    net = FactorNet(image_size=images.shape[-1]).to(images.device)
    std = targets.std(0)
    net.mean.copy_(targets.mean(0)), net.std.copy_(torch.where(std > 0, std, torch.ones_like(std)))  # a constant: 1
    standard = (targets - net.mean) / net.std
    world = distributed.current()
    verbose = verbose and world.is_main
    trained = distributed.data_parallel(Standardised(net), world)  # under torchrun: DDP, a shard of each batch
    opt = torch.optim.Adam(net.parameters(), lr=lr / 10)
    per_epoch = max(1, len(images) // batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * per_epoch)
    gen = torch.Generator().manual_seed(seed)
    net.train()
    for epoch in range(1, epochs + 1):
        order = torch.randperm(len(images), generator=gen).to(images.device)
        for i in range(per_epoch):
            index = distributed.shard(order[i * batch_size:(i + 1) * batch_size], world)
            loss = F.mse_loss(trained(images[index]), standard[index])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            schedule.step()
        if verbose and (epoch % 5 == 0 or epoch == epochs):
            print(f"epoch {epoch:>3}/{epochs}  loss {loss.item():.4f}")
    return net.eval()


def predict_factors(net: FactorNet, images: Tensor, batch_size: int = 500) -> Tensor:
    """(N, F) the factors ``net`` reads in ``images``, on the CPU."""
    return in_batches(net, lambda n, x: n(x), images, batch_size=batch_size)


def attributes(net: FactorNet, values: Tensor) -> dict[str, tuple[Tensor, Tensor]]:
    """The binary attributes of the separability metric from the factors ``net`` read, ``values`` (N, 7)
    (:func:`predict_factors`): factor -> (label (N,) 1 above the middle of its range, confidence (N,) the
    prediction's distance from that middle in standard deviations)."""
    out = {}
    for i, name in enumerate(FACTORS):
        offset = (values[:, i] - THRESHOLDS[name]) / net.std[i].cpu()
        out[name] = ((offset > 0).long(), offset.abs())
    return out


def r_squared(predicted: Tensor, true: Tensor) -> dict[str, float]:
    """R² of each factor: 1 - (mean squared error) / (variance of the truth)."""
    error = (predicted - true).pow(2).mean(0)
    return {name: 1 - (error[i] / true[:, i].var(unbiased=False)).item() for i, name in enumerate(FACTORS)}


def load_factors(device=None, root=checkpoints.ROOT) -> FactorNet:
    """The committed :data:`FACTORS_NAME` network (:func:`train_factors_recipe`)."""
    return checkpoints.load_into(FactorNet(), FACTORS_NAME, device, root)


def train_factors_recipe(seed: int = 0, epochs: int = 15, root=checkpoints.ROOT, limit: int | None = None,
                         verbose: bool = True, register: bool = False, cache=None) -> dict:
    """``python -m gan_course train faces-factors``: :func:`fit_factors` on the training faces, stored in half
    precision (its mean and standard deviation in full); R² per factor on the test views (new poses and lights)."""
    checkpoints.check_recipe_options(epochs=epochs, limit=limit)
    faces, test = faces_on("train", limit, runtime.device(), verbose), faces_on("test")
    start = time.perf_counter()
    net, seconds = fit_factors(faces, epochs, seed, verbose=verbose), time.perf_counter() - start
    if not distributed.end_training():  # under torchrun: the other processes stop here, rank 0 goes on alone
        return None
    scores = lambda net: {"test_r2": r_squared(predict_factors(net, test.images), factor_values(test)),  # noqa: E731
                          "train_views": len(faces)}
    return checkpoints.save_half(FACTORS_NAME, net, scores, seconds, faces.source, seed, epochs, limit, root, register,
                                 verbose, cache, keep_full="mean")
