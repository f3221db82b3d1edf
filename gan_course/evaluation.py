"""Scoring an MNIST generator offline with the course's MNIST classifier (lessons 08 and 09).

The Inception network of FID and IS was trained on ImageNet photos and would have
to be downloaded; for digits, a classifier trained on MNIST is the better judge and
is committed with the course (``mnist-classifier``). It gives two things per image:
class probabilities (for the Inception Score and class coverage) and the 256
activations of its penultimate layer (the features of FID and precision/recall).

    scorer = evaluation.Scorer(evaluation.load_classifier(), real=test.images)
    scorer.score(evaluation.sample_images(G, 5000))     # Scores(fid=..., inception_score=..., ...)

Taught in: lessons 08 and 09 (and lesson 07 scores its DCGANs with it, and probes its discriminator's features).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import Tensor, nn
from torchvision.transforms.functional import gaussian_blur

from . import checkpoints, metrics
from .data.digits import DigitData
from .models.classifier import MNISTClassifier

CLASSIFIER = "mnist-classifier"


def load_classifier(device=None, root=checkpoints.ROOT) -> MNISTClassifier:
    """The committed MNIST classifier (sha256-verified), in eval mode, on ``device``."""
    model = MNISTClassifier()
    model.load_state_dict(checkpoints.load(CLASSIFIER, root=root))
    return model.to(device or "cpu").eval()


class FeatureExtractor(nn.Module):
    """The classifier's penultimate layer as a module: images (B, 1, 28, 28) -> features (B, 256).

    ``num_features`` is the attribute torchmetrics' ``FrechetInceptionDistance(feature=...)`` reads,
    so the library can compute FID with exactly our features (lesson 08's cross-check).
    """

    def __init__(self, classifier: MNISTClassifier):
        super().__init__()
        self.classifier = classifier.eval()
        self.num_features = classifier.n_features

    def forward(self, images: Tensor) -> Tensor:
        return self.classifier.features(images)


@torch.no_grad()
def decode(G: nn.Module, z: Tensor, batch_size: int = 500) -> Tensor:
    """G(z) in eval mode (as at test time) for noise ``z`` of shape (..., z_dim), on the CPU: (..., C, H, W).

    Any leading shape is kept, e.g. (pairs, points, z_dim) -> (pairs, points, 1, 28, 28) for interpolation paths.
    """
    if not isinstance(z, Tensor) or z.dim() < 2 or z.shape[-1] != G.z_dim:
        shape = tuple(z.shape) if isinstance(z, Tensor) else type(z).__name__
        raise ValueError(f"z must have shape (..., {G.z_dim}) with at least one leading dimension, got {shape}")
    was_training = G.training
    G.eval()
    device = next(G.parameters()).device
    flat = z.reshape(-1, z.shape[-1])
    try:
        parts = [G(flat[start:start + batch_size].to(device)).cpu() for start in range(0, len(flat), batch_size)]
    finally:
        G.train(was_training)
    images = torch.cat(parts)
    return images.reshape(*z.shape[:-1], *images.shape[1:])


def sample_images(G: nn.Module, n: int, seed: int = 0, batch_size: int = 500) -> Tensor:
    """``n`` samples of G (in eval mode, as at test time) from a fixed seed, on the CPU: (n, C, H, W)."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    z = torch.randn(n, G.z_dim, generator=torch.Generator().manual_seed(seed))  # the same z for any batch size
    return decode(G, z, batch_size)


@torch.no_grad()
def class_probabilities(classifier: MNISTClassifier, images: Tensor, batch_size: int = 1000) -> Tensor:
    """The classifier's probability of each digit for each image (N, 1, 28, 28), in the images' order, on the
    CPU: (N, 10), rows summing to 1."""
    if not isinstance(images, Tensor) or images.dim() != 4:
        shape = tuple(images.shape) if isinstance(images, Tensor) else type(images).__name__
        raise ValueError(f"expected images of shape (N, 1, 28, 28), got {shape}")
    device = next(classifier.parameters()).device
    return torch.cat([torch.softmax(classifier(images[start:start + batch_size].to(device)), dim=1).cpu()
                      for start in range(0, len(images), batch_size)])


def classify(classifier: MNISTClassifier, images: Tensor, batch_size: int = 1000) -> tuple[Tensor, Tensor]:
    """The classifier's digit and its probability for each image (N, 1, 28, 28), in the images' order, on the CPU."""
    confidence, label = class_probabilities(classifier, images, batch_size).max(1)
    return label, confidence


def class_coverage(labels, n_classes: int = 10, min_share: float = 0.5) -> int:
    """How many of the ``n_classes`` classes hold at least ``min_share`` of a fair share (1 / n_classes)
    of the predicted ``labels``: 10 of 10 for a generator that makes every digit often enough."""
    labels = torch.as_tensor(labels)
    if labels.dim() != 1 or len(labels) == 0:
        raise ValueError(f"labels must be a non-empty 1D sequence of class indices, got shape {tuple(labels.shape)}")
    counts = torch.bincount(labels, minlength=n_classes).double()
    return int((counts / len(labels) >= min_share / n_classes).sum())


def best_matching(counts: Tensor) -> tuple[float, list[int]]:
    """The one-to-one matching of rows to columns that keeps the most of ``counts`` (the Hungarian algorithm
    on a square table, e.g. code value x predicted digit, or true digit x predicted digit): the share of all
    counts it keeps, and the column matched to each row. A table that is a permutation in disguise scores 1.0."""
    from scipy.optimize import linear_sum_assignment

    if not isinstance(counts, Tensor) or counts.dim() != 2 or counts.shape[0] != counts.shape[1] or counts.sum() <= 0:
        raise ValueError(f"counts must be a square table of counts with a positive total, got "
                         f"{getattr(counts, 'shape', type(counts).__name__)}")
    rows, cols = linear_sum_assignment(counts.double().numpy(), maximize=True)
    mapping = [int(c) for _, c in sorted(zip(rows, cols))]
    return counts[torch.as_tensor(rows), torch.as_tensor(cols)].sum().item() / counts.sum().item(), mapping


def confusion(true: Tensor, predicted: Tensor, n_classes: int = 10) -> Tensor:
    """Counts (n_classes, n_classes): row = true class, column = predicted class."""
    if true.shape != predicted.shape or true.dim() != 1:
        raise ValueError(f"true and predicted must be (N,) labels of one length, got {tuple(true.shape)} and "
                         f"{tuple(predicted.shape)}")
    return torch.bincount(true.long() * n_classes + predicted.long(),
                          minlength=n_classes * n_classes).reshape(n_classes, n_classes)


FLAWED = ("real", "half the classes", "blurred", "ten images, repeated", "noise")


def flawed_sets(train: DigitData, n: int, seed: int = 0) -> dict[str, Tensor]:
    """Five sets of ``n`` images whose flaws are known, to test a score before it judges generators (lessons 08, 09).

    ``real``: ``n`` training digits drawn at random; ``half the classes``: training digits 0-4 only (at most as
    many as there are); ``blurred``: the real set under a Gaussian blur of standard deviation 1 pixel; ``ten images,
    repeated``: the first training image of each class, copied to ``n`` images; ``noise``: uniform in [-1, 1].
    Deterministic from ``seed``; the keys are :data:`FLAWED`.
    """
    if not isinstance(train, DigitData) or sorted(set(train.labels.tolist())) != list(range(10)):
        raise ValueError(f"train must be DigitData holding all ten digits, got {train!r}")
    if not isinstance(n, int) or not 10 <= n <= len(train):
        raise ValueError(f"n must be an integer from 10 to the {len(train)} training digits, got {n!r}")
    gen = torch.Generator().manual_seed(seed)
    real = train.images[torch.randperm(len(train), generator=gen)[:n]]
    low = train.images[train.labels < 5]
    one_per_class = torch.stack([train.images[train.labels == c][0] for c in range(10)])
    return {
        "real": real,
        "half the classes": low[torch.randperm(len(low), generator=gen)[:n]],
        "blurred": gaussian_blur(real, kernel_size=7, sigma=1.0),
        "ten images, repeated": one_per_class.repeat(-(-n // 10), 1, 1, 1)[:n],
        "noise": torch.rand(n, 1, 28, 28, generator=gen) * 2 - 1,
    }


@dataclass
class Scores:
    """What :meth:`Scorer.score` measured on one set of images."""

    fid: float              # Fréchet distance to the real features (0 = same Gaussian fit)
    inception_score: float  # mean over splits; 10 is the most a 10-class classifier can give
    inception_std: float
    precision: float        # fraction of samples on the real manifold (quality)
    recall: float           # fraction of real images on the samples' manifold (variety)
    classes: int            # classes covered (see class_coverage)
    class_shares: list      # share of the samples predicted as each class (digit 0..9)
    n: int                  # images scored

    def row(self) -> dict:
        """The scalar figures as a dict (for tables and ``report.record``)."""
        out = asdict(self)
        out.pop("class_shares")
        return out

    def __str__(self) -> str:
        return (f"FID {self.fid:.1f}  IS {self.inception_score:.2f} ± {self.inception_std:.2f}  "
                f"precision {self.precision:.3f}  recall {self.recall:.3f}  "
                f"classes {self.classes}/{len(self.class_shares)}  (n={self.n})")


class Scorer:
    """Scores image sets against one fixed set of real images with one classifier.

    The real features are computed once. Images are scored in a fixed random order, because the
    Inception Score averages over contiguous splits and a class-sorted set would give one class per split.

    Args:
        classifier: an :class:`MNISTClassifier` (see :func:`load_classifier`), or any module with ``features(x)``
            (N, F) and ``head(features)`` (class logits) and, where they differ from MNIST's 1, 28 and 10, the
            attributes ``channels``, ``image_size`` and ``n_classes`` (the faces' identity judge of lesson 18).
        real: the reference images (N, channels, size, size) in [-1, 1], e.g. the held-out test digits.
        k: neighbours of the precision/recall manifolds (Kynkäänniemi et al. use 3).
        splits: Inception Score splits (Salimans et al. use 10).
        batch_size: images per classifier forward pass.
    """

    def __init__(self, classifier: MNISTClassifier, real: Tensor, k: int = 3, splits: int = 10,
                 batch_size: int = 1000):
        self.classifier = classifier.eval()
        self.k, self.splits, self.batch_size = k, splits, batch_size
        self.real_features, _ = self.features_and_probs(real)

    @torch.no_grad()
    def features_and_probs(self, images: Tensor) -> tuple[Tensor, Tensor]:
        """Penultimate features (N, F) and class probabilities (N, classes) on the CPU, in a fixed shuffled order
        (the MNIST judge: F = 256, 10 classes)."""
        channels, size = getattr(self.classifier, "channels", 1), getattr(self.classifier, "image_size", 28)
        if not isinstance(images, Tensor) or images.dim() != 4 or tuple(images.shape[1:]) != (channels, size, size):
            shape = tuple(images.shape) if isinstance(images, Tensor) else type(images).__name__
            raise ValueError(f"expected images of shape (N, {channels}, {size}, {size}) in [-1, 1], got {shape}")
        if not torch.isfinite(images).all() or images.min() < -1 - 1e-3 or images.max() > 1 + 1e-3:
            raise ValueError("images must be finite and scaled to [-1, 1] (the generator's tanh range)")
        device = next(self.classifier.parameters()).device
        order = torch.randperm(len(images), generator=torch.Generator().manual_seed(0))
        features, probs = [], []
        for start in range(0, len(images), self.batch_size):
            x = images[order[start:start + self.batch_size]].to(device)
            f = self.classifier.features(x)
            features.append(f.cpu())
            probs.append(torch.softmax(self.classifier.head(f), dim=1).cpu())
        return torch.cat(features), torch.cat(probs)

    def score(self, images: Tensor) -> Scores:
        """FID, Inception Score, precision, recall and class coverage of ``images`` against the real set."""
        features, probs = self.features_and_probs(images)
        mean, std = metrics.inception_score(probs.double().numpy(), splits=min(self.splits, len(probs)))
        precision, recall = metrics.precision_recall(self.real_features, features, k=self.k)
        labels, n_classes = probs.argmax(1), probs.shape[1]
        shares = (torch.bincount(labels, minlength=n_classes).double() / len(labels)).tolist()
        fid = metrics.fid_from_features(self.real_features.double().numpy(), features.double().numpy())
        return Scores(fid=fid, inception_score=mean, inception_std=std, precision=precision, recall=recall,
                      classes=class_coverage(labels, n_classes),
                      class_shares=[round(s, 4) for s in shares], n=len(images))


@torch.no_grad()
def nearest_neighbours(queries: Tensor, pool: Tensor, batch_size: int = 256) -> tuple[Tensor, Tensor]:
    """For each query image, the index of its nearest image in ``pool`` and the pixel distance (L2 / sqrt(pixels)).

    The memorisation check of lesson 07: a generator that copies its training set puts its samples at
    distance ~0 from a training image; a new digit is as far from the nearest training image as a
    held-out real digit is.
    """
    if queries.shape[1:] != pool.shape[1:]:
        raise ValueError(f"queries and pool must hold images of one shape, got {tuple(queries.shape)} and "
                         f"{tuple(pool.shape)}")
    flat_pool = pool.flatten(1).float()
    index, distance = [], []
    for start in range(0, len(queries), batch_size):
        d = torch.cdist(queries[start:start + batch_size].flatten(1).float(), flat_pool,  # (b, N)
                        compute_mode="donot_use_mm_for_euclid_dist")  # exact: a copy is at distance 0
        best = d.min(dim=1)
        index.append(best.indices)
        distance.append(best.values / math.sqrt(flat_pool.shape[1]))
    return torch.cat(index), torch.cat(distance)


# --------------------------------------------------------------------------- D's features as a representation


@torch.no_grad()
def discriminator_features(D: nn.Module, images: Tensor, grid: int = 4, batch_size: int = 500) -> Tensor:
    """What a DCGAN discriminator sees in each image: every hidden layer's activations (after its LeakyReLU),
    max-pooled to a ``grid`` x ``grid`` map, flattened and concatenated (Radford et al. 2016, Section 5.1).

    ``D`` is a :class:`~gan_course.models.dcgan.DCGANDiscriminator` (its layers in ``D.net``); it is read in
    eval mode and left in the mode it was in. Returns (N, features).
    """
    if not hasattr(D, "net"):
        raise ValueError(f"expected a DCGANDiscriminator (with .net), got {type(D).__name__}")
    mode = D.training
    D.eval()
    device = next(D.parameters()).device
    try:
        out = []
        for start in range(0, len(images), batch_size):
            h, parts = images[start:start + batch_size].to(device), []
            for layer in D.net:
                h = layer(h)
                if isinstance(layer, nn.LeakyReLU):
                    parts.append(nn.functional.adaptive_max_pool2d(h, grid).flatten(1))  # (b, C * grid²)
            out.append(torch.cat(parts, 1).cpu())
        return torch.cat(out)
    finally:
        D.train(mode)


def linear_probe(train_x: Tensor, train_y: Tensor, test_x: Tensor, test_y: Tensor, per_class: int,
                 draws: int = 5, c_grid=(0.01, 0.1, 1.0), seed: int = 0) -> dict:
    """Test accuracy of a linear classifier (multinomial logistic regression on standardised features)
    trained on ``per_class`` labelled examples of each class, over ``draws`` random draws of them.

    The regularisation strength C is picked once per representation from ``c_grid`` by 3-fold
    cross-validation on the first draw's labelled examples only (the test set never decides), so
    every representation is tuned the same way. Returns ``dict(mean, se, accuracies, C)``.
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x, y = train_x.double().numpy(), train_y.numpy()
    classes = np.unique(y)
    if per_class < 3 or any((y == c).sum() < per_class for c in classes):
        raise ValueError(f"per_class must be >= 3 and at most the examples of the rarest class, got {per_class}")
    rng = np.random.default_rng(seed)
    picks = [np.concatenate([rng.choice(np.flatnonzero(y == c), per_class, replace=False) for c in classes])
             for _ in range(draws)]

    def model(c):
        return make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=2000))

    first = picks[0]
    best_c = max(c_grid, key=lambda c: cross_val_score(model(c), x[first], y[first], cv=3).mean())
    accuracies = [float(model(best_c).fit(x[p], y[p]).score(test_x.double().numpy(), test_y.numpy())) for p in picks]
    se = float(np.std(accuracies, ddof=1) / math.sqrt(draws)) if draws > 1 else 0.0
    return dict(mean=float(np.mean(accuracies)), se=se, accuracies=accuracies, C=best_c)
