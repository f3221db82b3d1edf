"""Closed forms and quadratures that the theory lessons check numerically.

Goodfellow et al. (2014), Section 4: for a fixed generator with density p_g,

* the optimal discriminator is ``D*(x) = p_data(x) / (p_data(x) + p_g(x))`` (Proposition 1);
* the value of the game at D* is ``C(G) = -log 4 + 2 JSD(p_data || p_g)`` (Theorem 1),
  minimal (``-log 4``) exactly when ``p_g = p_data``, where ``D* = 1/2`` everywhere.

Arjovsky et al. (2017), Example 1: for the parallel lines P_0 = (0, Z) and
P_theta = (theta, Z), Z ~ U[0, 1], KL = inf, JS = log 2 and TV = 1 whenever
theta != 0, while W1 = |theta|.

Densities here are plain Python callables on NumPy arrays, so SciPy's adaptive
quadrature can evaluate them anywhere; :func:`density_of` turns a
:class:`gan_course.data.GaussianMixture` of dimension 1 into one.

Taught in: lessons 01 and 02; the mode-seeking fits and the bilinear game in lesson 03; the conditional game in
lesson 10; InfoGAN's information bound in lesson 11.
"""

from __future__ import annotations

import math
import warnings
from typing import Callable

import numpy as np
import torch
from scipy import integrate
from scipy.special import xlogy
from torch import Tensor

Density = Callable[[np.ndarray], np.ndarray]
LOG4 = math.log(4.0)


def optimal_discriminator(p_data, p_model, where_both_zero: float = 0.5):
    """``D*(x) = p_data(x) / (p_data(x) + p_model(x))``, elementwise.

    Where both densities are 0 the ratio is 0/0 and D is not constrained by the
    game at all (no sample ever lands there); we return ``where_both_zero``,
    1/2 by default: "cannot tell".

    Args:
        p_data, p_model: densities at the same points (tensors or arrays of one shape).

    Returns:
        D* with the type of ``p_data`` (tensor in, tensor out).
    """
    if isinstance(p_data, Tensor) or isinstance(p_model, Tensor):
        p, q = torch.as_tensor(p_data, dtype=torch.float64), torch.as_tensor(p_model, dtype=torch.float64)
        lib = torch
    else:
        p, q = np.asarray(p_data, dtype=float), np.asarray(p_model, dtype=float)
        lib = np
    if p.shape != q.shape:
        raise ValueError(f"p_data and p_model must be evaluated at the same points, got shapes "
                         f"{tuple(p.shape)} and {tuple(q.shape)}")
    if not bool(lib.isfinite(p).all() & lib.isfinite(q).all()) or bool((p < 0).any() | (q < 0).any()):
        raise ValueError("densities must be finite and non-negative")
    total = p + q
    safe = lib.where(total > 0, total, lib.ones_like(total))
    d = lib.where(total > 0, p / safe, lib.full_like(total, where_both_zero))
    return d.to(p_data.dtype) if isinstance(p_data, Tensor) and p_data.is_floating_point() else d


def density_of(dist) -> Density:
    """A NumPy density function ``x -> p(x)`` for a 1D :class:`~gan_course.data.GaussianMixture`."""
    if getattr(dist, "dim", None) != 1 or not hasattr(dist, "centers"):
        raise ValueError(f"expected a 1D GaussianMixture (e.g. data.mixture_1d()), got {dist!r}")
    means = dist.centers[:, 0].double().numpy()
    weights = dist.weights.double().numpy()
    std = dist.std
    return lambda x: gaussian_mixture_pdf(x, means, std, weights)


def gaussian_mixture_pdf(x, means, std: float, weights=None) -> np.ndarray:
    """The density of a 1D Gaussian mixture with a common ``std``, at the points ``x``."""
    x = np.asarray(x, dtype=float)[..., None]  # (..., 1) against (K,)
    means = np.atleast_1d(np.asarray(means, dtype=float))
    weights = np.full(len(means), 1 / len(means)) if weights is None else np.asarray(weights, dtype=float)
    if std <= 0:
        raise ValueError(f"std must be positive, got {std}")
    z = (x - means) / std
    return (weights * np.exp(-0.5 * z**2) / (std * math.sqrt(2 * math.pi))).sum(-1)


def _integrate(f: Callable[[float], float], lo: float, hi: float, with_error: bool = False):
    """``integral of f`` over [lo, hi] by adaptive quadrature (QUADPACK), asked for 1e-10 relative.

    An integrand with kinks (a network's logit: LeakyReLU is piecewise linear) stops QUADPACK short of
    that tolerance with a "roundoff error is detected" ``IntegrationWarning``; the value is still good
    to about its error estimate. With ``with_error`` the caller gets ``(value, error estimate)`` and
    shows the estimate, so that one warning (only that one, only from this call) is caught here.
    Every other warning is passed on unchanged.
    """
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"need finite integration limits lo < hi, got {lo}, {hi}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", integrate.IntegrationWarning)
        value, error = integrate.quad(f, lo, hi, limit=500, epsabs=1e-12, epsrel=1e-10)
    for w in caught:
        roundoff = issubclass(w.category, integrate.IntegrationWarning) and "roundoff error" in str(w.message).lower()
        if not (with_error and roundoff):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
    return (float(value), float(error)) if with_error else float(value)


def value_function(logit: Callable, p_data: Density, p_g: Density, lo: float, hi: float,
                   with_error: bool = False):
    """``V(D, G) = integral of p_data log D + p_g log(1 - D)`` over [lo, hi], by adaptive quadrature.

    ``logit`` maps x to D's logit ``l(x)``, ``D = sigmoid(l)`` (what the course's
    discriminators return). Working with logits keeps ``log D = -softplus(-l)``
    and ``log(1 - D) = -softplus(l)`` finite where D rounds to exactly 0 or 1.
    A term whose density is 0 contributes 0, whatever D does there.

    With ``with_error`` it returns ``(V, the quadrature's error estimate)``: use it for a trained
    network, whose kinks keep the quadrature from its 1e-10 target (the estimate says how close it got).
    """
    def integrand(x: float) -> float:
        point = np.array([x])
        l = float(np.asarray(logit(point), dtype=float).reshape(-1)[0])
        pd, pg = float(p_data(point)[0]), float(p_g(point)[0])
        real = pd * np.logaddexp(0.0, -l) if pd > 0 else 0.0  # p_data * softplus(-l) = -p_data log D
        fake = pg * np.logaddexp(0.0, l) if pg > 0 else 0.0  # p_g * softplus(l) = -p_g log(1 - D)
        return float(-(real + fake))

    return _integrate(integrand, lo, hi, with_error=with_error)


def optimal_logit(p_data: Density, p_g: Density) -> Callable:
    """The logit of D*: ``log p_data(x) - log p_g(x)`` (+-inf where one density is 0, 0 where both are)."""
    def logit(x):
        p, q = np.asarray(p_data(x), dtype=float), np.asarray(p_g(x), dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.log(p) - np.log(q)
        return np.where((p == 0) & (q == 0), 0.0, out)

    return logit


def js_divergence_of_densities(p: Density, q: Density, lo: float, hi: float) -> float:
    """``JSD(p || q) = KL(p || m)/2 + KL(q || m)/2``, ``m = (p + q)/2``, by adaptive quadrature (nats)."""
    def integrand(x: float) -> float:
        px, qx = float(p(np.array([x]))[0]), float(q(np.array([x]))[0])
        m = (px + qx) / 2
        if m == 0:
            return 0.0
        return float(0.5 * (xlogy(px, px) - xlogy(px, m)) + 0.5 * (xlogy(qx, qx) - xlogy(qx, m)))

    return _integrate(integrand, lo, hi)


def js_divergence_monte_carlo(p_dist, q_dist, n: int = 1_000_000, seed: int = 0) -> tuple[float, float]:
    """``JSD(p || q)`` estimated from samples, with its standard error (nats).

    ``JSD = 1/2 E_{x~p}[log p(x)/m(x)] + 1/2 E_{x~q}[log q(x)/m(x)]`` with ``m = (p + q)/2``:
    ``n`` samples of each distribution, each term an average of log-density ratios. No grid and
    no quadrature, so it checks :func:`js_divergence_of_densities` and
    :func:`virtual_training_criterion` independently. ``p_dist`` and ``q_dist`` are
    :class:`~gan_course.data.GaussianMixture` objects (anything with ``sample`` and ``log_prob``).
    """
    generator = torch.Generator().manual_seed(seed)
    halves = []
    for own, other in ((p_dist, q_dist), (q_dist, p_dist)):
        x = own.sample(n, generator)  # (n, d)
        log_own, log_other = own.log_prob(x).double(), other.log_prob(x).double()  # (n,) each
        log_m = torch.logaddexp(log_own, log_other) - math.log(2)  # log m(x)
        halves.append(0.5 * (log_own - log_m))  # (n,): one term of the average
    estimate = sum(h.mean().item() for h in halves)
    se = math.sqrt(sum(h.var().item() / n for h in halves))
    return estimate, se


def virtual_training_criterion(p_data: Density, p_g: Density, lo: float, hi: float) -> float:
    """``C(G) = max_D V(D, G) = V(D*, G)``, by adaptive quadrature.

    With ``D* = p / (p + q)`` the integrand ``p log D* + q log(1 - D*)`` is
    evaluated as ``p log p + q log q - (p + q) log(p + q)``: the same number,
    written without D* so that it stays finite where the densities underflow.
    (``value_function(optimal_logit(p, q), p, q, lo, hi)`` computes it the long way.)
    """
    def integrand(x: float) -> float:
        px, qx = float(p_data(np.array([x]))[0]), float(p_g(np.array([x]))[0])
        return float(xlogy(px, px) + xlogy(qx, qx) - xlogy(px + qx, px + qx))

    return _integrate(integrand, lo, hi)


def parallel_lines(theta: float) -> dict[str, float]:
    """Exact KL, JS, TV and W1 between P_0 = (0, Z) and P_theta = (theta, Z), Z ~ U[0, 1] (WGAN Example 1)."""
    theta = float(theta)
    if not math.isfinite(theta):
        raise ValueError(f"theta must be finite, got {theta}")
    if theta == 0:
        return {"kl": 0.0, "js": 0.0, "tv": 0.0, "w1": 0.0}
    return {"kl": math.inf, "js": math.log(2), "tv": 1.0, "w1": abs(theta)}


# --------------------------------------------------------------------------- lesson 02
# Closed forms for two 1D Gaussians P = N(mu_p, sigma_p^2) and Q = N(mu_q, sigma_q^2), and the
# quadratures that check them: KL as an integral, W1 as the area between two quantile functions.


def _check_gaussian(mu: float, sigma: float) -> tuple[float, float]:
    mu, sigma = float(mu), float(sigma)
    if not (math.isfinite(mu) and math.isfinite(sigma) and sigma > 0):
        raise ValueError(f"a Gaussian needs a finite mean and a positive std, got mean {mu}, std {sigma}")
    return mu, sigma


def kl_gaussians(mu_p: float, sigma_p: float, mu_q: float, sigma_q: float) -> float:
    """``KL(P || Q) = log(sigma_q / sigma_p) + (sigma_p^2 + (mu_p - mu_q)^2) / (2 sigma_q^2) - 1/2`` (nats)."""
    (mu_p, sigma_p), (mu_q, sigma_q) = _check_gaussian(mu_p, sigma_p), _check_gaussian(mu_q, sigma_q)
    return math.log(sigma_q / sigma_p) + (sigma_p**2 + (mu_p - mu_q) ** 2) / (2 * sigma_q**2) - 0.5


def kl_divergence_of_densities(p: Density, q: Density, lo: float, hi: float) -> float:
    """``KL(p || q) = integral of p log(p / q)`` over [lo, hi] by adaptive quadrature (nats).

    ``0 log 0`` counts as 0; the result is ``inf`` as soon as the quadrature meets a point
    where ``q = 0 < p`` (p puts mass where q has none).
    """
    def integrand(x: float) -> float:
        px, qx = float(p(np.array([x]))[0]), float(q(np.array([x]))[0])
        if px == 0:
            return 0.0
        if qx == 0:
            raise ZeroDivisionError
        return px * math.log(px / qx)

    try:
        return _integrate(integrand, lo, hi)
    except ZeroDivisionError:
        return math.inf


def js_gaussians(mu_p: float, sigma_p: float, mu_q: float, sigma_q: float) -> float:
    """``JS(P, Q)`` in nats by quadrature (no closed form exists); at most ``log 2``.

    The integral is split at both means so the adaptive rule cannot step over a narrow peak.
    """
    (mu_p, sigma_p), (mu_q, sigma_q) = _check_gaussian(mu_p, sigma_p), _check_gaussian(mu_q, sigma_q)
    p = lambda x: gaussian_mixture_pdf(x, [mu_p], sigma_p)  # noqa: E731
    q = lambda x: gaussian_mixture_pdf(x, [mu_q], sigma_q)  # noqa: E731
    width = 12 * max(sigma_p, sigma_q)
    cuts = sorted({min(mu_p, mu_q) - width, mu_p, mu_q, max(mu_p, mu_q) + width})
    return sum(js_divergence_of_densities(p, q, a, b) for a, b in zip(cuts, cuts[1:]))


def w1_gaussians(mu_p: float, sigma_p: float, mu_q: float, sigma_q: float) -> float:
    """``W1(P, Q)`` in closed form.

    In 1D, ``W1 = integral over u in (0, 1) of |F_P^-1(u) - F_Q^-1(u)|``, and for Gaussians
    ``F^-1(u) = mu + sigma Phi^-1(u)``, so ``W1 = E|a + b Z|`` with ``Z ~ N(0, 1)``,
    ``a = mu_p - mu_q`` and ``b = sigma_p - sigma_q``: the mean of a folded normal,
    ``|b| sqrt(2/pi) exp(-a^2 / 2b^2) + a (1 - 2 Phi(-a/|b|))``; ``|a|`` when ``b = 0``.
    """
    (mu_p, sigma_p), (mu_q, sigma_q) = _check_gaussian(mu_p, sigma_p), _check_gaussian(mu_q, sigma_q)
    a, b = mu_p - mu_q, abs(sigma_p - sigma_q)
    if b == 0:
        return abs(a)
    phi = 0.5 * math.erfc(a / b / math.sqrt(2))  # Phi(-a/b)
    return b * math.sqrt(2 / math.pi) * math.exp(-(a**2) / (2 * b**2)) + a * (1 - 2 * phi)


def w1_from_quantiles(ppf_p: Callable[[float], float], ppf_q: Callable[[float], float]) -> float:
    """``W1 = integral over u in (0, 1) of |F_p^-1(u) - F_q^-1(u)|`` by adaptive quadrature.

    The quantile functions of unbounded distributions blow up at 0 and 1, and the two may cross
    deep in a tail (for N(0, 1) against N(2, 0.5^2) only above u = 0.99997); a single adaptive
    rule can step over such a crossing. So the interval is cut at logistic-spaced points,
    ever finer towards both ends, and every piece is integrated on its own.

    Args:
        ppf_p, ppf_q: the two quantile functions (inverse CDFs), e.g. ``scipy.stats.norm(0, 1).ppf``.
    """
    cuts = np.concatenate([[0.0], 1 / (1 + np.exp(-np.linspace(-25, 25, 51))), [1.0]])
    gap = lambda u: abs(float(ppf_p(u)) - float(ppf_q(u)))  # noqa: E731
    return sum(_integrate(gap, float(a), float(b)) for a, b in zip(cuts, cuts[1:]))


# --------------------------------------------------------------------------- why GANs collapse and cycle


def fit_gaussian(p: Density, objective: str, start: tuple[float, float], lo: float, hi: float) -> tuple[float, float]:
    """The Gaussian ``N(mu, sigma^2)`` closest to the density ``p`` under ``objective``, from ``start = (mu, sigma)``.

    * ``"forward"``: ``KL(p || q)``, what maximum likelihood minimises: *mass-covering*, q must be large
      wherever p is, so with one Gaussian for two modes it sits between them;
    * ``"reverse"``: ``KL(q || p)``: *mode-seeking*, q must be small wherever p is, so it settles on one mode;
    * ``"gan"``: ``KL(q || p) - 2 JSD(p || q)``, what the generator's ``-log D`` loss minimises against the
      optimal D (Arjovsky & Bottou 2017, Theorem 2.5);
    * ``"jsd"``: ``JSD(p || q)``, what the minimax game's ``C(G)`` minimises (lesson 01).

    Quadrature for the divergences on [lo, hi] and Nelder–Mead over ``(mu, log sigma)``; a local minimum
    (the reverse KL of a two-mode p has one at each mode). Returns ``(mu, sigma)``.
    """
    from scipy.optimize import minimize

    if objective not in ("forward", "reverse", "gan", "jsd"):
        raise ValueError(f"objective must be 'forward', 'reverse', 'gan' or 'jsd', got {objective!r}")
    _check_gaussian(*start)

    def loss(params: np.ndarray) -> float:
        mu, sigma = float(params[0]), float(np.exp(params[1]))
        q = lambda x: gaussian_mixture_pdf(x, [mu], sigma)  # noqa: E731
        if objective == "forward":
            return kl_divergence_of_densities(p, q, lo, hi)
        if objective == "jsd":
            return js_divergence_of_densities(p, q, lo, hi)
        reverse = kl_divergence_of_densities(q, p, lo, hi)
        return reverse if objective == "reverse" else reverse - 2 * js_divergence_of_densities(p, q, lo, hi)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # quadrature warnings at far-off trial points of the search
        result = minimize(loss, np.array([start[0], math.log(start[1])]), method="Nelder-Mead",
                          options=dict(xatol=1e-4, fatol=1e-7, maxiter=2000))
    return float(result.x[0]), float(np.exp(result.x[1]))


def bilinear_game(method: str, lr: float, steps: int, start: tuple[float, float] = (1.0, 1.0)) -> np.ndarray:
    """Gradient play on ``min_x max_y x * y``, whose only Nash equilibrium is (0, 0); the path (steps + 1, 2).

    * ``"simultaneous"``: both players step from the same point, ``x -= lr * y``, ``y += lr * x``:
      each step multiplies the distance to (0, 0) by ``sqrt(1 + lr^2)``, so the players spiral outwards;
    * ``"alternating"``: G first, then D answers the new x (as Algorithm 1 does): the players circle
      around (0, 0) for ever, neither out nor in;
    * ``"extragradient"``: each player looks ahead one step and takes the gradient there
      (Korpelevich 1976): the spiral turns inwards, to the equilibrium.
    """
    if method not in ("simultaneous", "alternating", "extragradient"):
        raise ValueError(f"method must be 'simultaneous', 'alternating' or 'extragradient', got {method!r}")
    if not (lr > 0 and math.isfinite(lr)) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"expected lr > 0 and a non-negative integer of steps, got lr={lr!r}, steps={steps!r}")
    x, y = map(float, start)
    path = [(x, y)]
    for _ in range(steps):
        if method == "simultaneous":
            x, y = x - lr * y, y + lr * x          # both gradients at the same point: d(xy)/dx = y, d(xy)/dy = x
        elif method == "alternating":
            x = x - lr * y                         # G's step
            y = y + lr * x                         # D's step, against the new x
        else:
            x_look, y_look = x - lr * y, y + lr * x  # a trial step ...
            x, y = x - lr * y_look, y + lr * x_look  # ... and the real step with the gradients found there
        path.append((x, y))
    return np.array(path)


# --------------------------------------------------------------------------- conditional GANs and InfoGAN (lesson 10)

def conditional_virtual_training_criterion(p_y, p_data_given_y: list[Density], p_g_given_y: list[Density],
                                           lo: float, hi: float) -> tuple[float, float]:
    """The conditional game at its optimal discriminator, two ways, for a label y with probabilities ``p_y``.

    With D*(x, y) = p(x|y) / (p(x|y) + p_g(x|y)) the value of the game is, label by label, Goodfellow et al.'s
    Theorem 1, so C(G) = sum_y p(y) C_y(G) = -log 4 + 2 E_y JSD(p(.|y) || p_g(.|y)).

    Returns:
        (the value function at D* by quadrature, ``-log 4 + 2 E_y JSD`` with each JSD by quadrature).
    """
    p_y = np.asarray(p_y, dtype=float)
    if p_y.ndim != 1 or len(p_y) != len(p_data_given_y) or len(p_y) != len(p_g_given_y) or (p_y < 0).any() \
            or not math.isclose(p_y.sum(), 1.0, abs_tol=1e-9):
        raise ValueError("p_y must be a probability vector with one data and one generator density per label, got "
                         f"{len(p_y)} probabilities summing to {p_y.sum():.6g}, {len(p_data_given_y)} and "
                         f"{len(p_g_given_y)} densities")
    value = sum(w * virtual_training_criterion(p, q, lo, hi) for w, p, q in zip(p_y, p_data_given_y, p_g_given_y))
    jsd = sum(w * js_divergence_of_densities(p, q, lo, hi) for w, p, q in zip(p_y, p_data_given_y, p_g_given_y))
    return float(value), float(-LOG4 + 2 * jsd)


def _channel(p_c, p_x_given_c) -> tuple[np.ndarray, np.ndarray]:
    p_c, p_x_given_c = np.asarray(p_c, dtype=float), np.asarray(p_x_given_c, dtype=float)
    if p_c.ndim != 1 or p_x_given_c.ndim != 2 or p_x_given_c.shape[0] != len(p_c) or (p_c < 0).any() \
            or (p_x_given_c < 0).any() or not math.isclose(p_c.sum(), 1.0, abs_tol=1e-9) \
            or not np.allclose(p_x_given_c.sum(1), 1.0, atol=1e-9):
        raise ValueError("expected p_c (K,) and p_x_given_c (K, M), each a probability vector per row, got shapes "
                         f"{p_c.shape} and {p_x_given_c.shape}")
    return p_c, p_x_given_c


def posterior(p_c, p_x_given_c) -> np.ndarray:
    """p(c|x) by Bayes' rule, (M, K), for a code c ~ p_c (K,) and a channel p(x|c) (K, M); uniform where p(x) = 0."""
    p_c, p_x_given_c = _channel(p_c, p_x_given_c)
    joint = (p_c[:, None] * p_x_given_c).T  # (M, K): p(x, c)
    p_x = joint.sum(1, keepdims=True)
    return np.where(p_x > 0, joint / np.where(p_x > 0, p_x, 1.0), 1.0 / len(p_c))


def mutual_information(p_c, p_x_given_c) -> float:
    """I(c; x) = sum_{c, x} p(c) p(x|c) log(p(x|c) / p(x)) in nats, for discrete c and x."""
    p_c, p_x_given_c = _channel(p_c, p_x_given_c)
    p_x = p_c @ p_x_given_c
    safe = np.where(p_x > 0, p_x, 1.0)[None]  # p(x) = 0 only where every p(x|c) with p(c) > 0 is 0 too
    return float((p_c[:, None] * xlogy(p_x_given_c, p_x_given_c / safe)).sum())


def information_lower_bound(p_c, p_x_given_c, q_c_given_x) -> float:
    """InfoGAN's variational bound E_{c ~ p_c, x ~ p(x|c)}[log Q(c|x)] + H(c) <= I(c; x) (Chen et al. 2016,
    Lemma 5.1), for any Q (M, K) whose rows are distributions over c; equal to I(c; x) when Q = p(c|x)."""
    p_c, p_x_given_c = _channel(p_c, p_x_given_c)
    q = np.asarray(q_c_given_x, dtype=float)
    if q.shape != (p_x_given_c.shape[1], len(p_c)) or (q < 0).any() or not np.allclose(q.sum(1), 1.0, atol=1e-9):
        raise ValueError(f"Q must be (M, K) = {(p_x_given_c.shape[1], len(p_c))} with rows that are distributions "
                         f"over c, got shape {q.shape}")
    joint = p_c[:, None] * p_x_given_c  # (K, M): p(c, x)
    with np.errstate(divide="ignore"):
        log_q = np.where(joint.T > 0, np.log(np.where(q > 0, q, 1e-300)), 0.0)  # (M, K); only where p(c, x) > 0
    entropy = -float(xlogy(p_c, p_c).sum())
    return float((joint.T * log_q).sum()) + entropy
