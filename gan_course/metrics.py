"""Numbers that say how close generated samples are to the data."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor


def _as_samples(x, name: str) -> np.ndarray:
    arr = x.detach().double().cpu().numpy() if isinstance(x, Tensor) else np.asarray(x, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] == 0:
        raise ValueError(f"{name} must be samples of shape (N,) or (N, d) with N >= 1, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or inf values")
    return arr


def wasserstein1(x, y) -> float:
    """The exact 1-Wasserstein (earth mover's) distance between two empirical distributions.

    Each sample set is a uniform distribution over its points.

    * 1D: ``W1 = integral over u in (0, 1) of |F_x^-1(u) - F_y^-1(u)|``, the
      area between the two quantile functions (sorted samples); set sizes may differ.
    * nD: the optimal transport cost with the Euclidean ground distance, solved
      exactly as a linear program by POT's ``ot.emd2``.

    Args:
        x: samples (N,) or (N, d).
        y: samples (M,) or (M, d).

    Returns:
        W1 as a float.
    """
    x, y = _as_samples(x, "x"), _as_samples(y, "y")
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"x and y must have the same dimension, got {x.shape[1]} and {y.shape[1]}")
    if x.shape[1] == 1:
        return _wasserstein1_1d(x[:, 0], y[:, 0])
    import ot  # POT: exact optimal transport

    cost = ot.dist(x, y, metric="euclidean")
    return float(ot.emd2(ot.unif(len(x)), ot.unif(len(y)), cost, numItermax=10_000_000))


def _wasserstein1_1d(x: np.ndarray, y: np.ndarray) -> float:
    xs, ys = np.sort(x), np.sort(y)
    n, m = len(xs), len(ys)
    # The quantile functions are step functions that jump at k/n and k/m;
    # between two consecutive jumps both are constant.
    u = np.union1d(np.arange(1, n + 1) / n, np.arange(1, m + 1) / m)
    u[-1] = 1.0
    widths = np.diff(u, prepend=0.0)
    mid = u - widths / 2  # a point strictly inside each interval
    qx = xs[np.minimum((mid * n).astype(int), n - 1)]
    qy = ys[np.minimum((mid * m).astype(int), m - 1)]
    return float(np.sum(widths * np.abs(qx - qy)))


def mode_fractions(samples: Tensor, centers: Tensor) -> Tensor:
    """The fraction of samples whose nearest mode centre is each centre.

    Args:
        samples: (N, d); centers: (K, d).

    Returns:
        (K,) fractions summing to 1.
    """
    if samples.dim() != 2 or centers.dim() != 2 or samples.shape[1] != centers.shape[1]:
        raise ValueError(
            f"samples (N, d) and centers (K, d) must agree in d, got {tuple(samples.shape)} and {tuple(centers.shape)}"
        )
    nearest = torch.cdist(samples.float().cpu(), centers.float().cpu()).argmin(dim=1)  # (N,)
    return torch.bincount(nearest, minlength=len(centers)).float() / len(samples)
