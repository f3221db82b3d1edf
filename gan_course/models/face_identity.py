"""A face recogniser for the procedural faces: a classifier of their 200 identities.

TP-GAN (:mod:`~gan_course.models.tpgan`) uses it twice. The features of its last two layers
(:meth:`IdentityNet.features`: the last convolutional map and the embedding, both batch-normalised) serve the
identity-preserving loss, where the paper uses Light CNN; and its predictions measure identity preservation: how
often a synthesised frontal face is still recognised as the person whose view went in.

The network is small: three stages of conv 3x3, batch norm, ReLU and 2x2 max-pooling (w, 2w, 4w channels, down to
S/8), an embedding (linear, batch norm, ReLU) and a linear head behind dropout. :func:`fit_identity` trains it as
the course's classifiers are trained (:func:`.classifier.fit`), on every view and every frontal target of the
faces. ``python -m gan_course train faces-identity`` (:func:`train_identity_recipe`) stores it as
:data:`IDENTITY_NAME`, scored on the test views (new poses and lights) by |yaw| and on their frontal views;
:func:`load_identity` loads it.

:class:`IdentityJudge` and :func:`identity_scorer` make it the judge of generated faces (FID of its embedding,
precision and recall, identities covered), as lesson 06's classifier judges digits.

Taught in: lesson 15; judge of faces in lesson 18
"""

from __future__ import annotations

import dataclasses
import time

import torch
from torch import Tensor, nn

from .. import checkpoints, distributed, runtime
from ..data.digits import DigitData
from ..data.faces import load_faces

IDENTITY_NAME, IDENTITY_SIZE = "faces-identity", {"n_classes": 200, "width": 16, "n_features": 128}
YAW_BINS = (0, 15, 30, 45, 60, 75)  # |yaw| in degrees; beyond 75: the last bin


# --------------------------------------------------------------------------- the network


class IdentityNet(nn.Module):
    """Faces -> identity logits; :meth:`features`: its last two layers (conv map, embedding), batch-normalised."""

    def __init__(self, n_classes=200, width=16, n_features=128, channels=1, image_size=32, dropout=0.3):
        super().__init__()
        self.channels, self.image_size, self.n_classes = channels, image_size, n_classes
        self.conv = nn.Sequential(*[m for a, b in ((channels, width), (width, 2 * width), (2 * width, 4 * width))
                                    for m in (nn.Conv2d(a, b, 3, 1, 1), nn.BatchNorm2d(b), nn.ReLU(), nn.MaxPool2d(2))])
        self.embed = nn.Sequential(nn.Flatten(), nn.Linear(4 * width * (image_size // 8) ** 2, n_features),
                                   nn.BatchNorm1d(n_features), nn.ReLU())
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(n_features, n_classes))

    def features(self, x: Tensor) -> tuple[Tensor, Tensor]:
        return (conv := self.conv(x)), self.embed(conv)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.features(x)[1])


class IdentityJudge(nn.Module):
    """An :class:`IdentityNet` as the classifier of an :class:`~gan_course.evaluation.Scorer`: its embedding (the
    layer before the head) as the features of FID and precision/recall, its identities as the classes. It judges
    generated faces (lesson 18) as the MNIST classifier judges generated digits (lesson 06)."""

    def __init__(self, net: IdentityNet):
        super().__init__()
        self.net = net
        self.channels, self.image_size, self.n_classes = net.channels, net.image_size, net.n_classes

    def features(self, x: Tensor) -> Tensor:
        return self.net.features(x)[1]

    def head(self, features: Tensor) -> Tensor:
        return self.net.head(features)


def identity_scorer(device=None, root=checkpoints.ROOT):
    """An :class:`~gan_course.evaluation.Scorer` of faces: the committed identity network (:class:`IdentityJudge`)
    against the test views (new poses and lights of the 200 identities)."""
    from .. import evaluation
    return evaluation.Scorer(IdentityJudge(load_identity(device, root)), faces_on("test").images)


# --------------------------------------------------------------------------- training and measuring


def fit_identity(faces, epochs: int = 20, seed: int = 0, batch_size: int = 64, lr: float = 3e-3, verbose: bool = False,
                 held_out=None, **size) -> IdentityNet:
    """An :class:`IdentityNet` (``size``: its arguments) trained on every view and frontal target of ``faces`` as the
    course's classifiers are (:func:`.classifier.fit`: Adam, one-cycle, random affine augmentation)."""
    from . import classifier
    runtime.seed_everything(seed)
    both = DigitData(torch.cat([faces.images, faces.frontal]), faces.identity.repeat(2), "views and frontal targets")
    net = IdentityNet(**{**IDENTITY_SIZE, "image_size": faces.images.shape[-1], **size}).to(both.images.device)
    held_out = both if held_out is None else DigitData(held_out.images, held_out.identity, "held-out faces")
    classifier.fit(net, both, held_out.to(both.images.device), seed=seed, epochs=epochs, lr=lr, verbose=verbose,
                   batch_size=min(batch_size, len(both)))
    return net.eval()


@torch.no_grad()
def in_batches(net: nn.Module, fn, *tensors: Tensor, batch_size: int = 500) -> Tensor:
    """``fn(net, *batch)`` over ``tensors`` in batches, on ``net``'s device, ``net`` in eval mode (its mode restored
    after); the results concatenated on the CPU."""
    device, was_training = next(net.parameters()).device, net.training
    out = [fn(net.eval(), *(t[i:i + batch_size].to(device) for t in tensors)).cpu()
           for i in range(0, len(tensors[0]), batch_size)]
    net.train(was_training)
    return torch.cat(out)


def predict_identity(net: IdentityNet, images: Tensor, batch_size: int = 500) -> Tensor:
    """The identity ``net`` reads in each of ``images`` (N,), on the CPU."""
    return in_batches(net, lambda n, x: n(x).argmax(1), images, batch_size=batch_size)


def identity_accuracy(net: IdentityNet, images: Tensor, labels: Tensor, batch_size: int = 500) -> float:
    """The fraction of ``images`` that ``net`` gives their ``labels``."""
    return (predict_identity(net, images, batch_size) == labels.cpu()).double().mean().item()


def by_yaw(values: Tensor, yaw: Tensor) -> list[float | None]:
    """The mean of ``values`` (N,) in each bin of |yaw| of :data:`YAW_BINS` (beyond 75: the last), None if empty."""
    bins = torch.bucketize(yaw.abs().cpu().float(), torch.tensor(YAW_BINS[1:-1], dtype=torch.float32), right=True)
    return [values[bins == b].double().mean().item() if (bins == b).any() else None for b in range(len(YAW_BINS) - 1)]


# --------------------------------------------------------------------------- storing, loading and the recipe


def load_identity(device=None, root=checkpoints.ROOT) -> IdentityNet:
    """The committed :data:`IDENTITY_NAME` network (:func:`train_identity_recipe`)."""
    return checkpoints.load_into(IdentityNet(**IDENTITY_SIZE), IDENTITY_NAME, device, root)


def faces_on(split: str, limit: int | None = None, device=None, verbose: bool = False):
    """The first ``limit`` views of the ``split`` faces (all: None) of :func:`load_faces`, on ``device``."""
    faces, keep = load_faces(split, verbose=verbose), slice(None, limit)
    return dataclasses.replace(faces, params=faces.params[keep], **{k: v[keep].to(device or "cpu") for k, v in
                                                                     vars(faces).items() if isinstance(v, Tensor)})


def train_identity_recipe(seed: int = 0, epochs: int = 20, root=checkpoints.ROOT, limit: int | None = None,
                          verbose: bool = True, register: bool = False, cache=None) -> dict:
    """``python -m gan_course train faces-identity``: :func:`fit_identity` on the training faces, stored in half
    precision; what is stored is scored on the test views (new poses and lights), by |yaw|, and their frontal views."""
    checkpoints.check_recipe_options(epochs=epochs, limit=limit)
    faces, test = faces_on("train", limit, runtime.device(), verbose), faces_on("test")
    start = time.perf_counter()
    net, seconds = fit_identity(faces, epochs, seed, verbose=verbose, held_out=test), time.perf_counter() - start
    if not distributed.end_training():  # under torchrun: the other processes stop here, rank 0 goes on alone
        return None
    right = lambda net: (predict_identity(net, test.images) == test.identity).double()  # noqa: E731
    scores = lambda net: {"test_accuracy": right(net).mean().item(),  # noqa: E731
                          "test_accuracy_by_yaw": by_yaw(right(net), test.yaw), "train_views": len(faces),
                          "test_frontal_accuracy": identity_accuracy(net, test.frontal, test.identity),
                          "train_accuracy": identity_accuracy(net, faces.images, faces.identity)}
    return checkpoints.save_half(IDENTITY_NAME, net, scores, seconds, faces.source, seed, epochs, limit, root, register,
                                 verbose, cache)
