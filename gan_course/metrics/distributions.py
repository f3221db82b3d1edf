"""Numbers that say how close generated samples are to the data.

Every function rejects bad input with a ``ValueError`` or ``TypeError`` that names the argument:
NaN or inf values, empty sample sets, shapes that do not fit together, a covariance that is not
symmetric positive semi-definite, a ``k`` that leaves no neighbour.

Taught in: lessons 02–09
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
    spread = float(np.sqrt((hq_distances ** 2).mean()) / (std * np.sqrt(x.shape[1]))) if len(hq_distances) else float("nan")
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


# --------------------------------------------------------------------------- image metrics on classifier features


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
