import numpy as np
import pytest
import torch
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist

from gan_course import metrics


def test_w1_1d_by_hand():
    assert metrics.wasserstein1([0.0, 1.0], [2.0, 3.0]) == pytest.approx(2.0)
    # Unequal sizes: {0} vs {-1, 1}: half the mass moves 1 each way.
    assert metrics.wasserstein1([0.0], [-1.0, 1.0]) == pytest.approx(1.0)
    # {0, 0, 3} vs {0, 3}: a third of the mass moves from 0 to 3 ... no: u in (1/2, 2/3] costs 3.
    assert metrics.wasserstein1([0.0, 0.0, 3.0], [0.0, 3.0]) == pytest.approx(3 * (2 / 3 - 1 / 2))


def test_w1_1d_shift_and_unequal_sizes_against_scipy():
    from scipy.stats import wasserstein_distance

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=300), rng.normal(1.0, 2.0, size=170)
    assert metrics.wasserstein1(x, y) == pytest.approx(wasserstein_distance(x, y), rel=1e-9)
    assert metrics.wasserstein1(x, x + 0.7) == pytest.approx(0.7)


@pytest.mark.parametrize("dim", [1, 2, 3])
def test_w1_matches_the_optimal_assignment(dim):
    # For two sets of equal size the optimal plan is a permutation (Birkhoff).
    rng = np.random.default_rng(dim)
    x, y = rng.normal(size=(40, dim)), rng.normal(0.5, 1.0, size=(40, dim))
    cost = cdist(x, y)
    rows, cols = linear_sum_assignment(cost)
    assert metrics.wasserstein1(torch.tensor(x), torch.tensor(y)) == pytest.approx(cost[rows, cols].mean(), rel=1e-7)


def test_w1_bad_input():
    with pytest.raises(ValueError, match="same dimension"):
        metrics.wasserstein1(np.zeros((3, 2)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="NaN"):
        metrics.wasserstein1([0.0, float("nan")], [1.0])
    with pytest.raises(ValueError, match=r"shape \(N,\) or \(N, d\)"):
        metrics.wasserstein1([], [1.0])


def test_mode_fractions():
    centers = torch.tensor([[-2.0], [2.0]])
    samples = torch.tensor([[-2.1], [-1.5], [1.9], [0.1]])
    assert metrics.mode_fractions(samples, centers).tolist() == [0.5, 0.5]
    with pytest.raises(ValueError, match="agree in d"):
        metrics.mode_fractions(torch.zeros(3, 2), centers)


def test_knn_radii_reach_the_kth_nearest_other_point():
    points = torch.tensor([[0.0], [1.0], [3.0], [7.0]])
    assert metrics.knn_radii(points, k=1).tolist() == [1.0, 1.0, 2.0, 4.0]
    assert metrics.knn_radii(points, k=2).tolist() == [3.0, 2.0, 3.0, 6.0]
