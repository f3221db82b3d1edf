"""Lesson 02 (KL, JS, TV and the Wasserstein distance) runs headless; its recorded figures are checked.

``pytest tests/lessons/test_lesson_02.py`` runs the notebook in the smoke profile (code paths and sanity);
``GAN_COURSE_TEST_PROFILE=cpu`` runs the cpu profile and asserts the lesson's targets.
"""

import math

import pytest

from conftest import LESSON_PROFILE

LOG2 = math.log(2)
SMOKE = LESSON_PROFILE == "smoke"


@pytest.fixture(scope="module")
def r(lesson_results):
    return lesson_results("02_divergences")


def test_kl_and_js_of_discrete_distributions(r):
    assert r["kl_pq"] == pytest.approx(0.5 * math.log(0.5 / 0.9) + 0.5 * math.log(0.5 / 0.1), abs=1e-9)
    assert r["kl_qp"] == pytest.approx(0.9 * math.log(0.9 / 0.5) + 0.1 * math.log(0.1 / 0.5), abs=1e-9)
    assert abs(r["kl_pq"] - r["kl_qp"]) > 0.1  # asymmetric
    assert r["kl_where_q_is_zero"] == "inf"  # JSON stores infinity as a string
    assert r["js_pq"] == r["js_qp"] and 0 < r["js_pq"] < LOG2  # symmetric and bounded
    assert r["js_disjoint"] == pytest.approx(LOG2, abs=1e-12)
    assert r["tv_disjoint"] == 1.0


def test_kl_of_gaussians_as_formula_integral_and_expectation(r):
    closed = math.log(2) + (1 + 1) / (2 * 4) - 0.5  # KL(N(0, 1) || N(1, 2^2)) by hand
    assert r["kl_gauss_closed"] == pytest.approx(closed, abs=1e-12)
    assert r["kl_gauss_integral"] == pytest.approx(closed, abs=1e-8)
    assert abs(r["kl_gauss_mc"] - closed) < (0.03 if SMOKE else 0.01)
    assert r["kl_gauss_reverse"] == pytest.approx(math.log(0.5) + (4 + 1) / 2 - 0.5, abs=1e-12)
    assert r["js_gauss_far"] == pytest.approx(LOG2, abs=1e-9)


def test_parallel_lines_exact_and_from_samples(r):
    thetas = r["pl_thetas"]
    n = len(thetas)
    assert n == (9 if SMOKE else 41) and 0.0 in thetas and thetas[0] == -1 and thetas[-1] == 1
    for key in ("pl_js_exact", "pl_w1_exact", "pl_kl_samples", "pl_js_samples", "pl_tv_samples", "pl_w1_samples"):
        assert len(r[key]) == n, key
    tv_at_zero = 0.2 if SMOKE else 0.1
    for i, theta in enumerate(thetas):
        assert r["pl_w1_exact"][i] == pytest.approx(abs(theta), abs=1e-12)
        # Sample W1 can only exceed |theta| (vertical mismatch of two finite samples adds cost), by little.
        assert abs(theta) - 1e-9 <= r["pl_w1_samples"][i] < abs(theta) + (0.06 if SMOKE else 0.02)
        if theta == 0:
            assert r["pl_js_exact"][i] == 0.0
            assert r["pl_js_samples"][i] < 0.05 and r["pl_tv_samples"][i] < tv_at_zero
            assert isinstance(r["pl_kl_samples"][i], float) and r["pl_kl_samples"][i] < 0.2
        else:
            assert r["pl_js_exact"][i] == pytest.approx(LOG2, abs=1e-12)
            assert r["pl_js_samples"][i] == pytest.approx(LOG2, abs=1e-9)
            assert r["pl_tv_samples"][i] == pytest.approx(1.0, abs=1e-12)
            assert r["pl_kl_samples"][i] == "inf"


def test_parallel_lines_gradients(r):
    assert r["grad_thetas"] == [-0.75, -0.25, 0.25, 0.75]
    assert r["grad_js_exact"] == [0.0] * 4 and r["grad_js_samples"] == [0.0] * 4  # JS: no signal
    for theta, auto, fd in zip(r["grad_thetas"], r["grad_w1_autograd"], r["grad_w1_fd"]):
        assert 0.95 < math.copysign(1, theta) * auto <= 1 + 1e-9  # W1: a unit push towards the data
        assert fd == pytest.approx(auto, abs=5e-3)  # the solver's gradient agrees with finite differences


def test_the_generator_gradient_vanishes_as_d_trains(r):
    steps, sat, ns = r["stall_steps"], r["stall_grad_saturating"], r["stall_grad_nonsaturating"]
    assert len(sat) == len(ns) == len(steps) and steps[0] == 0
    assert all(g > 0 and math.isfinite(g) for g in sat + ns)
    assert 0 < r["stall_peak_step"] < steps[-1]
    assert r["stall_d_accuracy"] >= 0.99 and r["stall_d_fake_mean"] < 0.01  # a (nearly) perfect discriminator
    assert r["stall_ratio_saturating"] == pytest.approx(sat[-1] / max(sat))
    assert r["stall_ratio_saturating"] < (0.1 if SMOKE else 0.01)  # saturating: vanishes
    assert r["stall_ratio_nonsaturating"] > 2  # non-saturating: grows
    peak = steps.index(r["stall_peak_step"])
    assert all(a > b for a, b in zip(sat[peak:], sat[peak + 1:]))  # falls steadily after the peak


def test_earth_movers_distance_exactly(r):
    assert r["w1_gauss_closed"] == pytest.approx(r["w1_gauss_quantiles"], abs=1e-10)
    assert r["w1_gauss_closed"] == pytest.approx(2.0, abs=1e-4)  # nearly the shift: the quantiles cross only far out
    assert r["w1_1d_sorted"] == pytest.approx(r["w1_1d_pot"], abs=1e-9)  # sorting solves the 1D problem
    assert abs(r["w1_1d_sorted"] - r["w1_gauss_closed"]) < (0.15 if SMOKE else 0.06)
    assert r["w1_2d_plan_cost"] == pytest.approx(r["w1_2d_assignment"], abs=1e-9)
    assert r["w1_2d_plan_cost"] == pytest.approx(r["w1_2d_metrics"], abs=1e-9)
    assert r["plan_marginal_error"] < 1e-12
    assert r["plan_nonzeros"] == 10  # equal masses: a matching
    assert 20 <= r["plan_unequal_nonzeros"] <= 24  # each row (0.1 = 1.5 / 15) splits; a vertex has <= n + m - 1


def test_critics_against_the_exact_w1(r):
    exact = r["critic_exact_w1"]
    assert 0.8 < exact < 1.0
    assert 0.9 * exact < r["kr_radial_bound"] < exact + 0.02  # f(x) = |x| is 1-Lipschitz: a lower bound
    assert r["critic_gp_rel_error"] == pytest.approx(abs(r["critic_gp_estimate"] - exact) / exact)
    assert r["critic_clip_rel_error"] == pytest.approx(abs(r["critic_clip_estimate"] - exact) / exact)
    # Weight clipping: a tiny Lipschitz constant, an estimate orders of magnitude too small, weights at +-c.
    assert 0 < r["critic_clip_lipschitz"] < 0.01
    assert abs(r["critic_clip_estimate"]) < 0.01 * exact
    assert r["critic_clip_rescaled"] == pytest.approx(r["critic_clip_estimate"] / r["critic_clip_lipschitz"])
    assert r["critic_clip_weights_at_bound"] > (0.3 if SMOKE else 0.9)
    assert r["critic_gp_seconds"] > 0 and r["critic_clip_seconds"] > 0
    assert r["critic_gp_predicted_slope"] == pytest.approx(1 + exact / 20)
    assert r["critic_gp_lipschitz"] > 100 * r["critic_clip_lipschitz"]
    if not SMOKE:  # the lesson's targets
        assert r["critic_gp_rel_error"] < 0.10
        assert abs(r["critic_gp_grad_norm_mean"] - r["critic_gp_predicted_slope"]) < 0.05
        assert 1.0 < r["critic_gp_lipschitz"] < 1.3  # the penalty is soft: slopes a little above 1
        assert r["critic_clip_rescaled"] < 0.85 * exact  # even rescaled, the clipped critic falls short
        assert r["critic_clip_rel_error"] > 0.99


def test_a_discriminator_separates_two_samples_of_one_distribution(r):
    train_accuracy, train_reading = r["finite_train"]
    fresh_accuracy, fresh_reading = r["finite_fresh"]
    assert 0.4 < fresh_accuracy < 0.6 and fresh_reading < 0.1  # on fresh samples: chance, no divergence
    if not SMOKE:  # cpu: it memorises its 128 + 128 samples: accuracy 1, nearly 2 log 2
        assert train_accuracy > 0.99 and train_reading > 1.2
