import numpy as np
import pytest
import torch

from gan_course import metrics


def test_frechet_distance_of_1d_gaussians_has_the_closed_form():
    # W2^2 between N(m1, s1^2) and N(m2, s2^2) is (m1 - m2)^2 + (s1 - s2)^2
    assert metrics.frechet_distance([1.0], [[4.0]], [3.0], [[1.0]]) == pytest.approx(4 + 1)


def test_frechet_distance_matches_scipy_sqrtm_and_is_zero_for_equal_gaussians():
    from scipy.linalg import sqrtm

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(5, 5)), rng.normal(size=(5, 5))
    c1, c2 = a @ a.T + 0.1 * np.eye(5), b @ b.T + 0.1 * np.eye(5)
    m1, m2 = rng.normal(size=5), rng.normal(size=5)
    expected = ((m1 - m2) ** 2).sum() + np.trace(c1 + c2 - 2 * sqrtm(c1 @ c2).real)
    assert metrics.frechet_distance(m1, c1, m2, c2) == pytest.approx(expected, rel=1e-8)
    assert metrics.frechet_distance(m1, c1, m1, c1) == pytest.approx(0, abs=1e-9)
    with pytest.raises(ValueError, match="covariances"):
        metrics.frechet_distance(m1, c1, m2[:4], c2)


def test_fid_from_features_is_small_for_samples_of_one_distribution():
    gen = torch.Generator().manual_seed(0)
    x, y = torch.randn(4000, 4, generator=gen), torch.randn(4000, 4, generator=gen)
    assert metrics.fid_from_features(x, y) < 0.02
    assert metrics.fid_from_features(x, y + 1) == pytest.approx(4, abs=0.1)  # mean shift of 1 in 4 dims


def test_inception_score_limits():
    confident = np.eye(10)[np.arange(1000) % 10]  # one-hot, every class equally often
    assert metrics.inception_score(confident)[0] == pytest.approx(10, rel=1e-6)
    assert metrics.inception_score(np.eye(10)[np.zeros(1000, int)])[0] == pytest.approx(1)  # one class only
    assert metrics.inception_score(np.full((1000, 10), 0.1))[0] == pytest.approx(1)  # no confidence
    with pytest.raises(ValueError, match="probabilities"):
        metrics.inception_score(np.full((10, 10), 0.2))


def test_precision_and_recall_separate_quality_from_coverage():
    gen = torch.Generator().manual_seed(0)
    centres = torch.tensor([[0.0, 0.0], [10.0, 0.0]])
    real = torch.cat([c + 0.1 * torch.randn(500, 2, generator=gen) for c in centres])
    same = torch.cat([c + 0.1 * torch.randn(500, 2, generator=gen) for c in centres])
    half = centres[0] + 0.1 * torch.randn(1000, 2, generator=gen)  # only one of the two modes
    far = torch.randn(1000, 2, generator=gen) + 50
    p, r = metrics.precision_recall(real, same)
    assert p > 0.95 and r > 0.95
    p, r = metrics.precision_recall(real, half)
    assert p > 0.95 and 0.4 < r < 0.6
    assert metrics.precision_recall(real, far) == (0.0, 0.0)
    with pytest.raises(ValueError, match="more than k"):
        metrics.precision_recall(real[:3], same[:3], k=3)
