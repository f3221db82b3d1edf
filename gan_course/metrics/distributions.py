"""How close generated samples are to the data, as distributions: W1, the divergences, mode coverage, and a
Lipschitz estimate.

Every function rejects bad input with a ``ValueError`` or ``TypeError`` that names the argument:
NaN or inf values, empty sample sets, shapes that do not fit together, a covariance that is not
symmetric positive semi-definite, a ``k`` that leaves no neighbour.

Taught in: lessons 02–05
"""

from __future__ import annotations

from dataclasses import dataclass

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


def _as_tensor(x, name: str) -> Tensor:
    """``x`` as a tensor of samples (N, d) with N >= 1 and finite values."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of samples (N, d), got {type(x).__name__}")
    if x.dim() != 2 or x.shape[0] == 0:
        raise ValueError(f"{name} must be samples of shape (N, d) with N >= 1, got shape {tuple(x.shape)}")
    if not torch.isfinite(x).all():
        raise ValueError(f"{name} contains NaN or inf values")
    return x


def _check_int(value, name: str, low: int, high: int | None = None) -> None:
    """Raise unless ``value`` is an integer with ``low <= value`` (and ``value <= high``)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < low or (high is not None and value > high):
        upper = f" and at most {high}" if high is not None else ""
        raise ValueError(f"{name} must be at least {low}{upper}, got {value}")


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

    Raises:
        TypeError: when ``samples`` or ``centers`` is not a tensor.
        ValueError: for empty sets, NaN or inf values, or dimensions that differ.
    """
    _as_tensor(samples, "samples")
    _as_tensor(centers, "centers")
    if samples.shape[1] != centers.shape[1]:
        raise ValueError(
            f"samples (N, d) and centers (K, d) must agree in d, got {tuple(samples.shape)} and {tuple(centers.shape)}"
        )
    nearest = torch.cdist(samples.float().cpu(), centers.float().cpu()).argmin(dim=1)  # (N,)
    return torch.bincount(nearest, minlength=len(centers)).float() / len(samples)


# --------------------------------------------------------------------------- discrete divergences


def _distribution(p, name: str) -> np.ndarray:
    arr = p.detach().double().cpu().numpy() if isinstance(p, Tensor) else np.asarray(p, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a 1D array of probabilities, got shape {arr.shape}")
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise ValueError(f"{name} must hold finite, non-negative probabilities, got {arr.tolist()}")
    if abs(arr.sum() - 1) > 1e-6:
        raise ValueError(f"{name} must sum to 1 (a distribution), but sums to {arr.sum():.6g}")
    return arr


def _pair(p, q) -> tuple[np.ndarray, np.ndarray]:
    p, q = _distribution(p, "p"), _distribution(q, "q")
    if p.shape != q.shape:
        raise ValueError(f"p and q must be over the same outcomes, got {p.size} and {q.size} probabilities")
    return p, q


def kl_divergence(p, q) -> float:
    """KL(p || q) = sum_i p_i log(p_i / q_i) in nats, for discrete distributions.

    Terms with ``p_i = 0`` contribute 0; the result is ``inf`` when ``q_i = 0``
    for some ``p_i > 0`` (p puts mass where q has none).
    """
    p, q = _pair(p, q)
    if ((q == 0) & (p > 0)).any():
        return float("inf")
    mask = p > 0
    return float(np.sum(p[mask] * np.log(p[mask] / q[mask])))


def js_divergence(p, q) -> float:
    """JS(p, q) = KL(p || m)/2 + KL(q || m)/2 with m = (p + q)/2, in nats; 0 <= JS <= log 2."""
    p, q = _pair(p, q)
    m = (p + q) / 2
    return 0.5 * kl_divergence(p, m) + 0.5 * kl_divergence(q, m)


def total_variation(p, q) -> float:
    """TV(p, q) = max over events A of |p(A) - q(A)| = sum_i |p_i - q_i| / 2; 0 <= TV <= 1."""
    p, q = _pair(p, q)
    return float(np.abs(p - q).sum() / 2)


# --------------------------------------------------------------------------- mode coverage


@dataclass(frozen=True)
class ModeCoverage:
    """The toy-data mode-collapse measurements of VEEGAN (Srivastava et al. 2017) and PacGAN (Lin et al. 2018).

    Attributes:
        modes: modes captured (the nearest mode of at least one high-quality sample).
        hq_fraction: fraction of samples within 3 std of their nearest mode.
        reverse_kl: KL(mode histogram of the high-quality samples || uniform over all modes), in nats;
            0 when every mode gets the same share, log K when one mode gets everything
            (``inf`` when no sample is of high quality).
        counts: high-quality samples per mode, (K,).
        n_modes: K, the number of modes of the data.
        spread: the root-mean-square distance of the high-quality samples to their mode, in units of
            the data's own (``std * sqrt(d)``): about 0.97 for real samples (their 3-std cut trims the
            tail), near 0 when G puts each mode's samples on one point -- which the high-quality
            share rewards rather than punishes (``nan`` when no sample is of high quality).
    """

    modes: int
    hq_fraction: float
    reverse_kl: float
    counts: tuple[int, ...]
    n_modes: int
    spread: float = float("nan")

    def __str__(self) -> str:
        return (f"{self.modes}/{self.n_modes} modes, {100 * self.hq_fraction:.1f}% high quality, "
                f"reverse KL {self.reverse_kl:.3f}")


def mode_coverage(samples, centers, std: float, threshold: float = 3.0) -> ModeCoverage:
    """Mode coverage of generated samples on a Gaussian-mixture toy set (the protocol of VEEGAN and PacGAN).

    A sample is of *high quality* when it lies within ``threshold * std`` (3 std) of its
    nearest mode centre; a mode is *captured* when it is the nearest mode of at least one
    high-quality sample. The papers draw 2,500 samples.

    Args:
        samples: generated samples (N, d).
        centers: the data's mode centres (K, d).
        std: the standard deviation of each mode.
        threshold: the high-quality radius, in standard deviations.

    Raises:
        ValueError: for empty sets, NaN or inf values, dimensions that differ, or a ``std`` or
            ``threshold`` that is not a positive finite number.
    """
    x, c = _as_samples(samples, "samples"), _as_samples(centers, "centers")
    if x.shape[1] != c.shape[1]:
        raise ValueError(f"samples (N, d) and centers (K, d) must agree in d, got {x.shape} and {c.shape}")
    if not (np.isfinite(std) and std > 0) or not (np.isfinite(threshold) and threshold > 0):
        raise ValueError(f"std and threshold must be positive, got std={std}, threshold={threshold}")
    distances = np.sqrt(((x[:, None, :] - c[None, :, :]) ** 2).sum(-1))  # (N, K)
    nearest = distances.argmin(1)  # (N,)
    high_quality = distances[np.arange(len(x)), nearest] <= threshold * std  # (N,)
    counts = np.bincount(nearest[high_quality], minlength=len(c))  # (K,)
    hq_distances = distances[np.arange(len(x)), nearest][high_quality]  # (N_hq,)
    spread = (float(np.sqrt((hq_distances ** 2).mean()) / (std * np.sqrt(x.shape[1]))) if len(hq_distances)
              else float("nan"))
    if counts.sum() == 0:
        reverse_kl = float("inf")
    else:
        reverse_kl = kl_divergence(counts / counts.sum(), np.full(len(c), 1 / len(c)))
    return ModeCoverage(int((counts > 0).sum()), float(high_quality.mean()), reverse_kl,
                        tuple(int(n) for n in counts), len(c), spread)


# --------------------------------------------------------------------------- Lipschitz constants


def lipschitz_estimate(f, x: Tensor, y: Tensor, n: int = 4096, seed: int = 0) -> float:
    """An empirical lower bound on the Lipschitz constant of a critic ``f`` near two sample sets.

    The largest gradient norm ``||grad f||_2`` (one norm per sample, over all of its
    dimensions) at ``n`` random interpolates between rows of ``x`` and of ``y``: the
    points WGAN-GP penalises. A 1-Lipschitz critic gives at most 1.

    Args:
        f: the critic, (B, ...) -> (B,) scores.
        x, y: two sample sets of the same shape per sample (e.g. real and generated).
        n: how many interpolates, at least 1.

    Raises:
        TypeError / ValueError: for ``x`` or ``y`` that are not non-empty tensors of finite values, sample
            shapes that differ, or an ``n`` that is not an integer >= 1.
    """
    for name, points in (("x", x), ("y", y)):
        if not isinstance(points, Tensor):
            raise TypeError(f"{name} must be a torch.Tensor of samples (N, ...), got {type(points).__name__}")
        if points.dim() == 0 or len(points) == 0:
            raise ValueError(f"{name} must hold at least one sample (N, ...), got shape {tuple(points.shape)}")
        if not torch.isfinite(points).all():
            raise ValueError(f"{name} contains NaN or inf values")
    _check_int(n, "n", 1)
    if x.shape[1:] != y.shape[1:]:
        raise ValueError(f"x and y must have the same sample shape, got {tuple(x.shape[1:])} and {tuple(y.shape[1:])}")
    gen = torch.Generator(device="cpu").manual_seed(seed)
    i = torch.randint(len(x), (n,), generator=gen)
    j = torch.randint(len(y), (n,), generator=gen)
    eps = torch.rand(n, *([1] * (x.dim() - 1)), generator=gen).to(x.device, x.dtype)
    points = (eps * x[i.to(x.device)] + (1 - eps) * y[j.to(y.device)]).detach().requires_grad_(True)
    was_training = getattr(f, "training", False)
    if hasattr(f, "eval"):
        f.eval()
    try:
        (grad,) = torch.autograd.grad(f(points).sum(), points)
    finally:
        if hasattr(f, "train"):
            f.train(was_training)
    return float(grad.flatten(1).norm(dim=1).max())
