"""metrics.mode_coverage: the VEEGAN/PacGAN protocol on hand-made sample sets."""

import math

import numpy as np
import pytest
import torch

from gan_course import data, metrics


def test_samples_of_the_data_cover_every_mode_with_high_quality():
    ring = data.ring_of_gaussians()
    result = metrics.mode_coverage(ring.sample(2500, torch.Generator().manual_seed(0)), ring.centers, ring.std)
    assert result.modes == 8 and result.n_modes == 8
    assert result.hq_fraction > 0.98  # 3 std in 2D holds 98.9% of a Gaussian's mass
    assert result.reverse_kl < 0.01
    assert sum(result.counts) == round(result.hq_fraction * 2500)


def test_a_collapsed_generator():
    grid = data.grid_of_gaussians()
    samples = grid.centers[[0, 0, 0, 7]] + 0.01  # three on mode 0, one on mode 7
    result = metrics.mode_coverage(samples, grid.centers, grid.std)
    assert result.modes == 2 and result.hq_fraction == 1.0
    expected = 0.75 * math.log(0.75 * 25) + 0.25 * math.log(0.25 * 25)  # KL(histogram || uniform)
    assert result.reverse_kl == pytest.approx(expected)
    assert result.counts[0] == 3 and result.counts[7] == 1
    one_mode = metrics.mode_coverage(grid.centers[[3]], grid.centers, grid.std)
    assert one_mode.reverse_kl == pytest.approx(math.log(25))


def test_low_quality_samples_capture_nothing():
    centers = torch.tensor([[0.0, 0.0], [10.0, 0.0]])
    samples = torch.tensor([[0.29, 0.0], [0.31, 0.0], [5.0, 0.0]])  # std 0.1: 3 std = 0.3
    result = metrics.mode_coverage(samples, centers, 0.1)
    assert result.modes == 1 and result.hq_fraction == pytest.approx(1 / 3)
    nothing = metrics.mode_coverage(samples[1:], centers, 0.1)
    assert nothing.modes == 0 and nothing.reverse_kl == math.inf
    assert "0/2 modes" in str(nothing)


@pytest.mark.parametrize("samples, centers, std, message", [
    (np.zeros((4, 2)), np.zeros((3, 3)), 0.1, "agree in d"),
    (np.zeros((4, 2)), np.zeros((3, 2)), 0.0, "positive"),
    (np.full((4, 2), np.nan), np.zeros((3, 2)), 0.1, "NaN"),
])
def test_bad_input(samples, centers, std, message):
    with pytest.raises(ValueError, match=message):
        metrics.mode_coverage(samples, centers, std)
