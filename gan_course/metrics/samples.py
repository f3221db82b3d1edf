"""How close generated images are to the data, measured on a classifier's features: FID, the Inception
Score, and precision and recall.

Every function rejects bad input with a ``ValueError`` or ``TypeError`` that names the argument.

Taught in: lessons 08–09
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from .distributions import _as_samples, _as_tensor, _check_int


def _sqrt_psd(matrix: np.ndarray) -> np.ndarray:
    """The symmetric square root of a symmetric positive semi-definite matrix."""
    values, vectors = np.linalg.eigh(matrix)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def _check_covariance(cov: np.ndarray, name: str, tol: float = 1e-6) -> None:
    """Raise unless ``cov`` is symmetric positive semi-definite up to round-off: asymmetry and negative
    eigenvalues of at most ``tol`` times its largest entry are allowed."""
    scale = max(np.abs(cov).max(), np.finfo(float).tiny)
    asymmetry = np.abs(cov - cov.T).max()
    if asymmetry > tol * scale:
        raise ValueError(f"{name} must be a symmetric covariance matrix, but cov - cov.T reaches {asymmetry:.3g}")
    smallest = np.linalg.eigvalsh((cov + cov.T) / 2)[0]
    if smallest < -tol * scale:
        raise ValueError(f"{name} must be positive semi-definite (a covariance), but has the eigenvalue "
                         f"{smallest:.3g}")


def frechet_distance(mu1, cov1, mu2, cov2) -> float:
    """The Fréchet distance between N(mu1, cov1) and N(mu2, cov2) (the "F" of FID; Heusel et al. 2017):

    ``||mu1 - mu2||^2 + Tr(cov1 + cov2 - 2 (cov1 cov2)^(1/2))``. The trace of the matrix square root is
    taken as ``sum sqrt(eig(S cov2 S))`` with ``S = cov1^(1/2)``: the same eigenvalues, from a symmetric
    matrix, so no complex round-off appears.

    Raises:
        ValueError: for NaN or inf values, shapes that do not fit (means (d,), covariances (d, d)), or a
            covariance that is not symmetric positive semi-definite (up to round-off).
    """
    mu1, mu2 = np.atleast_1d(np.asarray(mu1, float)), np.atleast_1d(np.asarray(mu2, float))
    cov1, cov2 = np.atleast_2d(np.asarray(cov1, float)), np.atleast_2d(np.asarray(cov2, float))
    d = mu1.shape[0]
    if mu2.shape != (d,) or cov1.shape != (d, d) or cov2.shape != (d, d):
        raise ValueError(f"expected means (d,) and covariances (d, d) of one d, got mu1 {mu1.shape}, "
                         f"cov1 {cov1.shape}, mu2 {mu2.shape}, cov2 {cov2.shape}")
    for name, value in (("mu1", mu1), ("cov1", cov1), ("mu2", mu2), ("cov2", cov2)):
        if not np.isfinite(value).all():
            raise ValueError(f"{name} contains NaN or inf values")
    _check_covariance(cov1, "cov1")
    _check_covariance(cov2, "cov2")
    root1 = _sqrt_psd(cov1)
    cross = np.sqrt(np.clip(np.linalg.eigvalsh(root1 @ cov2 @ root1), 0, None)).sum()
    distance = ((mu1 - mu2) ** 2).sum() + np.trace(cov1) + np.trace(cov2) - 2 * cross
    return max(0.0, float(distance))  # equal Gaussians can round to -1e-5


def fid_from_features(real_features, fake_features) -> float:
    """FID between two sets of feature vectors (N, d): the Fréchet distance of their Gaussian fits.

    Raises:
        ValueError: for NaN or inf values, fewer than 2 vectors per set, or vector sizes that differ.
    """
    real, fake = _as_samples(real_features, "real_features"), _as_samples(fake_features, "fake_features")
    if min(len(real), len(fake)) < 2 or real.shape[1] != fake.shape[1]:
        raise ValueError(f"need at least 2 feature vectors of the same size per set, got {real.shape}, {fake.shape}")
    return frechet_distance(real.mean(0), np.cov(real, rowvar=False), fake.mean(0), np.cov(fake, rowvar=False))


def inception_score(probs, splits: int = 10) -> tuple[float, float]:
    """The Inception Score (Salimans et al. 2016) from class probabilities (N, K): mean and std over ``splits``.

    ``IS = exp(E_x KL(p(y|x) || p(y)))``: K for confident predictions spread evenly over K classes, 1 for
    predictions that are all the same or all uncertain.

    Raises:
        ValueError: for NaN or inf values, rows that are not probabilities, or ``splits`` outside 1..N.
        TypeError: for a ``splits`` that is not an integer.
    """
    p = _as_samples(probs, "probs")
    if (p < 0).any() or not np.allclose(p.sum(1), 1, atol=1e-4):
        raise ValueError("probs must be rows of class probabilities (non-negative, summing to 1), e.g. a softmax")
    if isinstance(splits, bool) or not isinstance(splits, (int, np.integer)):
        raise TypeError(f"splits must be an integer, got {splits!r}")
    if not 1 <= splits <= len(p):
        raise ValueError(f"splits must be between 1 and the number of rows ({len(p)}), got {splits}")
    scores = []
    for part in np.array_split(p, splits):
        marginal = part.mean(0, keepdims=True)  # p(y) over this split
        kl = (part * (np.log(np.clip(part, 1e-30, None)) - np.log(np.clip(marginal, 1e-30, None)))).sum(1)
        scores.append(np.exp(kl.mean()))
    return float(np.mean(scores)), float(np.std(scores))


def knn_radii(points: Tensor, k: int = 3) -> Tensor:
    """The radius of each point's k-NN ball: the distance from each row of ``points`` (N, D) to its k-th
    nearest other row, shape (N,).

    Raises:
        TypeError: when ``points`` is not a tensor or ``k`` not an integer.
        ValueError: for NaN or inf values, or unless 1 <= k < N (there must be k other rows).
    """
    _as_tensor(points, "points")
    _check_int(k, "k", 1)
    if k >= len(points):
        raise ValueError(f"k must be less than the number of points (k = {k}, N = {len(points)}): "
                         f"each point needs k other points")
    distances = torch.cdist(points, points)  # (N, N); the diagonal (0, the point itself) is the first "neighbour"
    return distances.kthvalue(k + 1, dim=1).values


def precision_recall(real_features, fake_features, k: int = 3) -> tuple[float, float]:
    """Improved precision and recall (Kynkäänniemi et al. 2019) with k-nearest-neighbour manifolds.

    Each real sample gets a ball reaching its k-th nearest real neighbour; **precision** is the fraction
    of fake samples inside at least one real ball (are the samples realistic?). **Recall** swaps the
    roles: the fraction of real samples inside a fake ball (is the data's variety covered?).

    Raises:
        ValueError: for NaN or inf values, vector sizes that differ, or unless 1 <= k < N for both sets.
        TypeError: for a ``k`` that is not an integer.
    """
    _check_int(k, "k", 1)
    real = torch.as_tensor(_as_samples(real_features, "real_features"))
    fake = torch.as_tensor(_as_samples(fake_features, "fake_features"))
    if real.shape[1] != fake.shape[1] or min(len(real), len(fake)) <= k or k < 1:
        raise ValueError(f"need more than k = {k} feature vectors of the same size per set, got "
                         f"{tuple(real.shape)} and {tuple(fake.shape)}")

    def inside(points: Tensor, centres: Tensor) -> float:
        radii = knn_radii(centres, k)  # (M,)
        return (torch.cdist(points, centres) <= radii[None, :]).any(dim=1).double().mean().item()

    return inside(fake, real), inside(real, fake)
