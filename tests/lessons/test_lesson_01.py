"""Lesson 01 (the GAN objective): the figures the notebook records, checked against the derivations."""

import math

import pytest

from conftest import LESSON_PROFILE

LOG4 = math.log(4)


@pytest.fixture(scope="module")
def r(lesson_results):
    return lesson_results("01_gan_objective")


def test_value_function_of_simple_discriminators(r):
    assert r["v_half"] == pytest.approx(-LOG4, abs=1e-9)  # D = 1/2 scores -log 4 whatever G is
    assert r["v_wrong"] < r["v_half"] < r["cg_exact"]  # a swapped D is worse than a coin, D* better


def test_optimal_discriminator_derivation(r):
    assert r["pointwise_argmax_error"] <= 1.5e-6  # the grid spacing of the brute-force search
    assert r["support_range"][0] < -2.5 and r["support_range"][1] > 2.5
    limit = 0.05 if LESSON_PROFILE != "smoke" else 0.35  # cpu target; smoke trains only 150 steps
    assert r["dstar_max_error"] <= limit


def test_c_of_g_is_minus_log_4_plus_twice_jsd(r):
    # C(G) by quadrature against the JSD by Monte Carlo: equal within the Monte Carlo error.
    assert r["cg_identity_max_z"] <= 4 and r["cg_identity_max_difference"] <= 0.02
    assert r["cg_exact"] == pytest.approx(-LOG4 + 2 * r["jsd_exact"], abs=1e-6)
    # A trained D gives a value below C(G) (V <= C(G) for every D), hence a lower bound on the JSD.
    assert r["v_trained_d"] <= r["cg_exact"] + 1e-9
    assert 0 < r["jsd_from_trained_d"] <= r["jsd_exact"] + 1e-9
    if LESSON_PROFILE != "smoke":
        assert r["cg_exact"] - r["v_trained_d"] < 0.01


def test_global_optimum(r):
    assert r["cg_at_optimum"] == pytest.approx(-LOG4, abs=1e-9)
    assert r["dstar_at_optimum_max_deviation"] == 0.0
    assert r["trained_d_at_optimum_max_deviation"] < (0.03 if LESSON_PROFILE != "smoke" else 0.1)


def test_the_non_saturating_loss_gives_the_generator_a_gradient(r):
    assert r["d_of_fakes_at_start"] < 0.2  # D rejects the untrained generator's samples
    assert r["grad_norm_nonsaturating"] > 5 * r["grad_norm_saturating"] > 0
    assert r["grad_norm_ratio"] == pytest.approx(r["grad_norm_nonsaturating"] / r["grad_norm_saturating"])
