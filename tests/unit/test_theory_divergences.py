"""Lesson 02's closed forms and quadratures (gan_course.theory), against hand computation and each other."""

import math

import numpy as np
import pytest
from scipy import stats

from gan_course import theory


def normal_pdf(mu, sigma):
    return stats.norm(mu, sigma).pdf


# --------------------------------------------------------------------------- KL


def test_kl_gaussians_by_hand():
    # log(2/1) + (1 + 1^2) / (2 * 4) - 1/2 = log 2 - 1/4
    assert theory.kl_gaussians(0, 1, 1, 2) == pytest.approx(math.log(2) - 0.25, abs=1e-15)
    # equal widths: KL = (mu_p - mu_q)^2 / (2 sigma^2)
    assert theory.kl_gaussians(3, 0.5, 1, 0.5) == pytest.approx(8.0, abs=1e-12)
    assert theory.kl_gaussians(0.3, 1.7, 0.3, 1.7) == 0.0


def test_kl_gaussians_is_asymmetric_and_rejects_bad_widths():
    assert theory.kl_gaussians(0, 1, 1, 2) != pytest.approx(theory.kl_gaussians(1, 2, 0, 1))
    with pytest.raises(ValueError, match="positive std"):
        theory.kl_gaussians(0, 0, 1, 1)
    with pytest.raises(ValueError, match="finite mean"):
        theory.kl_gaussians(math.nan, 1, 1, 1)


@pytest.mark.parametrize("mu_p, s_p, mu_q, s_q", [(0, 1, 1, 2), (1, 2, 0, 1), (-1, 0.3, 0.5, 0.8)])
def test_kl_integral_matches_the_closed_form(mu_p, s_p, mu_q, s_q):
    integral = theory.kl_divergence_of_densities(normal_pdf(mu_p, s_p), normal_pdf(mu_q, s_q), -30, 30)
    assert integral == pytest.approx(theory.kl_gaussians(mu_p, s_p, mu_q, s_q), rel=1e-8)


def test_kl_integral_is_infinite_outside_the_support_and_ignores_zero_p():
    u01, u_half = stats.uniform(0, 1).pdf, stats.uniform(0.5, 1).pdf  # U[0, 1] and U[0.5, 1.5]
    assert theory.kl_divergence_of_densities(u01, u_half, -1, 2) == math.inf
    # p = U[0.5, 1] inside q = U[0, 1]: KL = log((1/0.5) / 1) = log 2; p = 0 elsewhere contributes 0.
    inner = stats.uniform(0.5, 0.5).pdf
    assert theory.kl_divergence_of_densities(inner, u01, 0.5, 1.0) == pytest.approx(math.log(2), rel=1e-9)


# --------------------------------------------------------------------------- JS


def test_js_gaussians_limits_and_symmetry():
    assert theory.js_gaussians(1, 2, 1, 2) == pytest.approx(0.0, abs=1e-12)
    assert theory.js_gaussians(0, 1, 20, 1) == pytest.approx(math.log(2), abs=1e-9)
    assert theory.js_gaussians(0, 0.01, 5, 0.01) == pytest.approx(math.log(2), abs=1e-9)  # narrow peaks
    assert theory.js_gaussians(0, 1, 1, 3) == pytest.approx(theory.js_gaussians(1, 3, 0, 1), abs=1e-10)


def test_js_gaussians_against_a_riemann_sum():
    x = np.linspace(-15, 15, 300_001)
    p, q = stats.norm(0, 1).pdf(x), stats.norm(1, 1).pdf(x)
    m = (p + q) / 2
    riemann = 0.5 * np.sum(p * np.log(p / m) + q * np.log(q / m)) * (x[1] - x[0])
    assert theory.js_gaussians(0, 1, 1, 1) == pytest.approx(riemann, abs=1e-8)
    assert 0 < riemann < math.log(2)


# --------------------------------------------------------------------------- W1


def test_w1_gaussians_by_hand():
    assert theory.w1_gaussians(0, 1, 3, 1) == 3.0  # equal widths: a shift
    assert theory.w1_gaussians(-1, 0.5, -4, 0.5) == 3.0
    # equal means: E|(s_p - s_q) Z| = |s_p - s_q| sqrt(2 / pi)
    assert theory.w1_gaussians(0, 1, 0, 3) == pytest.approx(2 * math.sqrt(2 / math.pi), abs=1e-14)
    assert theory.w1_gaussians(0, 1, 2, 0.5) == pytest.approx(theory.w1_gaussians(2, 0.5, 0, 1), abs=1e-14)


@pytest.mark.parametrize("mu_p, s_p, mu_q, s_q", [(0, 1, 2, 0.5), (0, 1, 1, 2), (0.5, 1, 0, 1.2), (0, 1, 0, 1)])
def test_w1_gaussians_matches_the_quantile_quadrature(mu_p, s_p, mu_q, s_q):
    quadrature = theory.w1_from_quantiles(stats.norm(mu_p, s_p).ppf, stats.norm(mu_q, s_q).ppf)
    assert quadrature == pytest.approx(theory.w1_gaussians(mu_p, s_p, mu_q, s_q), abs=1e-10)


def test_w1_gaussians_matches_sorted_samples():
    rng = np.random.default_rng(0)
    x, y = rng.normal(0, 1, 400_000), rng.normal(1, 2, 400_000)
    assert np.abs(np.sort(x) - np.sort(y)).mean() == pytest.approx(theory.w1_gaussians(0, 1, 1, 2), abs=0.01)


def test_w1_from_quantiles_of_uniforms():
    assert theory.w1_from_quantiles(stats.uniform(0, 1).ppf, stats.uniform(3, 1).ppf) == pytest.approx(3.0)
    # U[0, 1] against U[0, 2]: quantiles u and 2u, W1 = integral of u = 1/2
    assert theory.w1_from_quantiles(stats.uniform(0, 1).ppf, stats.uniform(0, 2).ppf) == pytest.approx(0.5)
