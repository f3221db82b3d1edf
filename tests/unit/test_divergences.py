"""KL, JS and TV for discrete distributions, against hand computation; W1 against an assignment solver."""

import math

import numpy as np
import pytest
import torch
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist

from gan_course import metrics


def test_kl_by_hand_and_asymmetric():
    p, q = [0.5, 0.5], [0.9, 0.1]
    by_hand = 0.5 * math.log(0.5 / 0.9) + 0.5 * math.log(0.5 / 0.1)
    assert metrics.kl_divergence(p, q) == pytest.approx(by_hand, abs=1e-12)
    reverse = 0.9 * math.log(0.9 / 0.5) + 0.1 * math.log(0.1 / 0.5)
    assert metrics.kl_divergence(q, p) == pytest.approx(reverse, abs=1e-12)
    assert by_hand != pytest.approx(reverse)


def test_kl_zero_terms_and_infinity():
    assert metrics.kl_divergence([1, 0], [0.5, 0.5]) == pytest.approx(math.log(2))  # 0 log 0 = 0
    assert metrics.kl_divergence([0.5, 0.5], [1, 0]) == math.inf
    assert metrics.kl_divergence(torch.tensor([0.2, 0.8]), np.array([0.2, 0.8])) == pytest.approx(0.0, abs=1e-7)


def test_js_is_symmetric_and_bounded_by_log_2():
    p, q = [0.1, 0.2, 0.7], [0.6, 0.3, 0.1]
    assert metrics.js_divergence(p, q) == pytest.approx(metrics.js_divergence(q, p))
    m = [(a + b) / 2 for a, b in zip(p, q)]
    by_hand = sum(0.5 * a * math.log(a / c) + 0.5 * b * math.log(b / c) for a, b, c in zip(p, q, m))
    assert metrics.js_divergence(p, q) == pytest.approx(by_hand, abs=1e-12)
    assert metrics.js_divergence([1, 0], [0, 1]) == pytest.approx(math.log(2), abs=1e-12)  # disjoint
    assert metrics.js_divergence([0.3, 0.7], [0.3, 0.7]) == 0.0


def test_total_variation():
    assert metrics.total_variation([0.5, 0.5, 0], [0, 0.5, 0.5]) == pytest.approx(0.5)
    assert metrics.total_variation([1, 0], [0, 1]) == 1.0


@pytest.mark.parametrize("fn", [metrics.kl_divergence, metrics.js_divergence, metrics.total_variation])
@pytest.mark.parametrize("p, q, message", [
    ([0.5, 0.6], [0.5, 0.5], "sum to 1"),
    ([-0.5, 1.5], [0.5, 0.5], "non-negative"),
    ([0.5, 0.5], [0.2, 0.3, 0.5], "same outcomes"),
    ([[0.5, 0.5]], [[0.5, 0.5]], "1D array"),
    ([float("nan"), 1.0], [0.5, 0.5], "finite"),
])
def test_not_a_distribution_is_rejected(fn, p, q, message):
    with pytest.raises(ValueError, match=message):
        fn(p, q)


@pytest.mark.parametrize("dim", [1, 2, 3])
def test_wasserstein1_matches_the_optimal_assignment(dim):
    rng = np.random.default_rng(dim)
    x, y = rng.normal(size=(40, dim)), rng.normal(loc=1.0, size=(40, dim))
    rows, cols = linear_sum_assignment(cdist(x, y))
    exact = cdist(x, y)[rows, cols].mean()  # equal sizes: W1 is an optimal matching
    assert metrics.wasserstein1(x, y) == pytest.approx(exact, rel=1e-9, abs=1e-12)
