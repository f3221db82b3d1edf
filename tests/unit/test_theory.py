"""theory.py: D*, V(D, G), C(G) = -log 4 + 2 JSD, and the parallel lines, against hand computation."""

import math

import numpy as np
import pytest
import torch

from gan_course import data, metrics, theory


def test_optimal_discriminator_by_hand_and_the_zero_zero_convention():
    d = theory.optimal_discriminator(np.array([1.0, 0.0, 3.0, 0.0]), np.array([1.0, 2.0, 1.0, 0.0]))
    assert d.tolist() == [0.5, 0.0, 0.75, 0.5]
    t = theory.optimal_discriminator(torch.tensor([0.2, 0.0]), torch.tensor([0.6, 0.0]))
    assert isinstance(t, torch.Tensor) and t.dtype == torch.float32
    assert torch.allclose(t, torch.tensor([0.25, 0.5]))
    assert theory.optimal_discriminator([0.0], [0.0], where_both_zero=0.0).tolist() == [0.0]


@pytest.mark.parametrize("p, q, message", [
    ([1.0, 2.0], [1.0], "same points"),
    ([-1.0], [1.0], "non-negative"),
    ([float("nan")], [1.0], "finite"),
])
def test_optimal_discriminator_rejects_bad_densities(p, q, message):
    with pytest.raises(ValueError, match=message):
        theory.optimal_discriminator(np.array(p), np.array(q))


def test_density_of_matches_the_mixture():
    dist = data.mixture_1d((-1.0, 2.0), std=0.7, weights=(0.3, 0.7))
    x = np.linspace(-4, 5, 50)
    expected = dist.density(torch.tensor(x, dtype=torch.float32).unsqueeze(1)).double().numpy()
    assert np.allclose(theory.density_of(dist)(x), expected, rtol=1e-5)
    with pytest.raises(ValueError, match="1D GaussianMixture"):
        theory.density_of(data.ring_of_gaussians())


def normal(mu, sigma):
    return lambda x: theory.gaussian_mixture_pdf(x, [mu], sigma)


def test_jsd_by_quadrature_matches_a_fine_discrete_sum():
    p, q = normal(-1, 1), normal(1.5, 0.7)
    x = np.linspace(-12, 12, 200_001)
    dx = x[1] - x[0]
    discrete = metrics.js_divergence(p(x) * dx / (p(x) * dx).sum(), q(x) * dx / (q(x) * dx).sum())
    assert theory.js_divergence_of_densities(p, q, -12, 12) == pytest.approx(discrete, abs=1e-6)
    assert theory.js_divergence_of_densities(p, p, -12, 12) == pytest.approx(0, abs=1e-12)
    assert theory.js_divergence_of_densities(normal(-30, 1), normal(30, 1), -60, 60) == pytest.approx(math.log(2))


def test_c_of_g_is_minus_log_4_plus_twice_the_jsd():
    for (mp, sp), (mq, sq) in [((0, 1), (0, 1)), ((-1, 1), (2, 0.5)), ((0, 0.3), (0, 3))]:
        p, q = normal(mp, sp), normal(mq, sq)
        c = theory.virtual_training_criterion(p, q, -20, 20)
        assert c == pytest.approx(-theory.LOG4 + 2 * theory.js_divergence_of_densities(p, q, -20, 20), abs=1e-7)
    assert theory.virtual_training_criterion(p, p, -20, 20) == pytest.approx(-math.log(4), abs=1e-9)


def test_value_function_of_a_constant_discriminator():
    p, q = normal(0, 1), normal(3, 1)
    half = lambda x: np.zeros_like(x)  # noqa: E731  (logit 0: D = 1/2)
    assert theory.value_function(half, p, q, -15, 15) == pytest.approx(2 * math.log(0.5), abs=1e-8)
    assert theory.value_function(half, p, q, -15, 15) <= theory.virtual_training_criterion(p, q, -15, 15)
    via_d_star = theory.value_function(theory.optimal_logit(p, q), p, q, -15, 15)
    assert via_d_star == pytest.approx(theory.virtual_training_criterion(p, q, -15, 15), abs=1e-8)
    sure = lambda x: np.where(x < 1.5, 50.0, -50.0)  # noqa: E731  (a nearly perfect, saturated D)
    p_far, q_far = normal(0, 0.1), normal(3, 0.1)  # disjoint in practice: D can be nearly perfect
    assert -1e-6 < theory.value_function(sure, p_far, q_far, -15, 15) < 0
    with pytest.raises(ValueError, match="limits"):
        theory.value_function(half, p, q, 1, -1)


def test_parallel_lines():
    assert theory.parallel_lines(0.0) == {"kl": 0.0, "js": 0.0, "tv": 0.0, "w1": 0.0}
    far = theory.parallel_lines(-0.3)
    assert far == {"kl": math.inf, "js": math.log(2), "tv": 1.0, "w1": 0.3}
    with pytest.raises(ValueError):
        theory.parallel_lines(float("inf"))


def test_value_function_of_a_kinked_network_returns_its_error_estimate_instead_of_warning():
    """A LeakyReLU network's logit has kinks, so QUADPACK stops short of 1e-10 with a roundoff warning
    (lesson 01's trained D). ``with_error`` returns the estimate instead; without it the warning stays."""
    import warnings

    from scipy.integrate import IntegrationWarning, trapezoid

    rng = np.random.default_rng(0)
    w, b, v = rng.normal(size=64), rng.normal(size=64), rng.normal(size=64) / 8

    def logit(x):
        h = np.outer(np.asarray(x, dtype=float), w) + b  # (N, 64)
        return np.where(h > 0, h, 0.2 * h) @ v  # one hidden LeakyReLU layer

    p, q = normal(-2, 0.5), normal(0.5, 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", IntegrationWarning)
        value, error = theory.value_function(logit, p, q, -12, 12, with_error=True)
    x = np.linspace(-12, 12, 2_000_001)
    l = logit(x)
    reference = trapezoid(-(p(x) * np.logaddexp(0, -l) + q(x) * np.logaddexp(0, l)), x=x)
    assert 0 < error < 1e-4 and abs(value - reference) <= error
    with pytest.warns(IntegrationWarning, match="roundoff"):
        assert theory.value_function(logit, p, q, -12, 12) == value


def test_js_monte_carlo_agrees_with_quadrature_within_its_standard_error():
    p, q = data.mixture_1d(), data.mixture_1d(means=(0.5,), std=1.0)
    estimate, se = theory.js_divergence_monte_carlo(p, q, n=200_000, seed=1)
    exact = theory.js_divergence_of_densities(theory.density_of(p), theory.density_of(q), -20, 20)
    assert 0 < se < 0.002 and abs(estimate - exact) < 4 * se
    assert theory.js_divergence_monte_carlo(p, p, n=1000) == (0.0, 0.0)
    far = theory.js_divergence_monte_carlo(data.mixture_1d(means=(0.0,)), data.mixture_1d(means=(100.0,)), n=1000)
    assert far[0] == pytest.approx(math.log(2), abs=1e-9)  # disjoint supports: log 2


def test_fit_gaussian_forward_is_the_moment_match_and_reverse_seeks_a_mode():
    p = theory.density_of(data.mixture_1d())
    mu, sigma = theory.fit_gaussian(p, "forward", (1.0, 1.0), -12, 12)
    assert abs(mu) < 1e-3 and sigma == pytest.approx(math.sqrt(0.25 + 4), abs=1e-3)
    mu, sigma = theory.fit_gaussian(p, "reverse", (-0.5, 1.0), -12, 12)
    assert mu == pytest.approx(-2, abs=1e-2) and sigma == pytest.approx(0.5, abs=1e-2)
    with pytest.raises(ValueError, match="objective"):
        theory.fit_gaussian(p, "backward", (0.0, 1.0), -12, 12)


def test_bilinear_game_spirals_out_circles_or_converges():
    out = theory.bilinear_game("simultaneous", 0.1, 10)
    assert out.shape == (11, 2)
    assert np.hypot(*out[-1]) == pytest.approx(math.sqrt(2) * 1.01 ** 5)  # sqrt(1 + 0.01) per step
    assert theory.bilinear_game("alternating", 0.1, 1)[-1] == pytest.approx([0.9, 1.09])
    assert np.hypot(*theory.bilinear_game("extragradient", 0.1, 500)[-1]) < 0.2
    with pytest.raises(ValueError, match="method"):
        theory.bilinear_game("adam", 0.1, 10)


# --------------------------------------------------------------------------- conditional GANs and InfoGAN

def test_the_conditional_game_at_its_optimal_discriminator_is_minus_log_4_plus_twice_the_mean_jsd():
    from gan_course.theory import gaussian_mixture_pdf as pdf
    p_y = [0.3, 0.7]
    data = [lambda x: pdf(x, [-1.0], 0.5), lambda x: pdf(x, [2.0], 0.7)]
    model = [lambda x: pdf(x, [0.0], 1.0), lambda x: pdf(x, [2.5], 0.4)]
    value, closed = theory.conditional_virtual_training_criterion(p_y, data, model, -12, 12)
    assert value == pytest.approx(closed, abs=1e-7) and value > -math.log(4) + 0.05
    separate = sum(w * theory.virtual_training_criterion(p, q, -12, 12) for w, p, q in zip(p_y, data, model))
    assert value == pytest.approx(separate, abs=1e-12)  # label by label, Theorem 1
    assert theory.conditional_virtual_training_criterion(p_y, data, data, -12, 12)[0] == pytest.approx(
        -math.log(4), abs=1e-7)  # p_g(.|y) = p(.|y) for every y: the minimum
    with pytest.raises(ValueError, match="one data and one generator density per label"):
        theory.conditional_virtual_training_criterion([0.5, 0.6], data, model, -12, 12)


def test_mutual_information_and_its_variational_lower_bound():
    uniform = np.full(4, 0.25)
    assert theory.mutual_information(uniform, np.eye(4)) == pytest.approx(math.log(4))  # x reveals c
    assert theory.mutual_information(uniform, np.full((4, 3), 1 / 3)) == pytest.approx(0.0, abs=1e-12)  # nothing
    rng = np.random.default_rng(0)
    p_c, channel = rng.dirichlet(np.ones(5)), rng.dirichlet(np.ones(7), size=5)
    p_x = p_c @ channel
    entropy = lambda p: -(p * np.log(p)).sum(-1)  # noqa: E731
    assert theory.mutual_information(p_c, channel) == pytest.approx(entropy(p_x) - p_c @ entropy(channel))
    exact = theory.posterior(p_c, channel)
    assert np.allclose(exact.sum(1), 1) and exact.shape == (7, 5)
    assert theory.information_lower_bound(p_c, channel, exact) == pytest.approx(theory.mutual_information(p_c, channel))
    for _ in range(20):  # any other Q: a lower bound, short by E_x KL(p(c|x) || Q(c|x))
        q = rng.dirichlet(np.ones(5), size=7)
        gap = (p_x[:, None] * exact * np.log(exact / q)).sum()
        bound = theory.information_lower_bound(p_c, channel, q)
        assert bound < theory.mutual_information(p_c, channel) and bound == pytest.approx(
            theory.mutual_information(p_c, channel) - gap)
    assert theory.information_lower_bound(uniform, np.eye(4), np.full((4, 4), 0.25)) == pytest.approx(0.0)
    with pytest.raises(ValueError, match=r"\(K, M\)"):
        theory.mutual_information(uniform, np.eye(3))
    with pytest.raises(ValueError, match=r"Q must be \(M, K\)"):
        theory.information_lower_bound(uniform, np.eye(4), np.eye(3))
