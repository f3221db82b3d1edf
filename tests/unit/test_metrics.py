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


def test_mode_fractions_and_knn_radii_refuse_bad_input():
    centers = torch.tensor([[-2.0], [2.0]])
    with pytest.raises(ValueError, match="samples must be samples of shape"):
        metrics.mode_fractions(torch.zeros(0, 1), centers)
    with pytest.raises(ValueError, match="centers contains NaN"):
        metrics.mode_fractions(torch.zeros(3, 1), torch.tensor([[0.0], [float("nan")]]))
    with pytest.raises(ValueError, match="k must be less than the number of points"):
        metrics.knn_radii(torch.zeros(3, 2), k=3)
    with pytest.raises(ValueError, match="k must be at least 1"):
        metrics.knn_radii(torch.zeros(3, 2), k=0)


def test_frechet_distance_accepts_covariances_with_round_off():
    # Sample covariances of fewer samples than dimensions are singular: eigenvalues of -1e-16 are round-off.
    rng = np.random.default_rng(0)
    few = rng.normal(size=(3, 64))
    cov = np.cov(few, rowvar=False)
    assert np.linalg.eigvalsh(cov)[0] < 0  # the round-off the check must tolerate
    assert metrics.frechet_distance(few.mean(0), cov, few.mean(0), cov) == pytest.approx(0, abs=1e-9)
    # float32 arithmetic: asymmetric and indefinite in the 7th digit.
    a = rng.normal(size=(32, 32)).astype(np.float32)
    cov32 = (a @ a.T / 32).astype(np.float32) + np.float32(1e-7) * rng.normal(size=(32, 32)).astype(np.float32)
    assert metrics.frechet_distance(np.zeros(32), cov32, np.zeros(32), cov32) == pytest.approx(0, abs=1e-3)


def test_frechet_distance_refuses_an_indefinite_covariance_it_used_to_score_zero():
    indefinite = np.array([[1.0, 0.0], [0.0, -1.0]])
    with pytest.raises(ValueError, match="cov2 must be positive semi-definite"):
        metrics.frechet_distance(np.zeros(2), np.eye(2), np.zeros(2), indefinite)
