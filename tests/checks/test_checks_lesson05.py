"""Lesson 05's open exercise: a method of the student's own on the grid, graded on the protocol's outcome (the
reference solution passes in test_checks_package.py)."""

import pytest
from check_helpers import stub

from gan_course import checks, toy_gans


def test_grid_gan_rejects_and_explains():
    with pytest.raises(AssertionError, match="modes missing|between the modes"):  # the paper's rate: far off
        checks.grid_gan(lambda: toy_gans.METHODS["gan"])
    with pytest.raises(AssertionError, match="networks and batch size"):  # a bigger network is not the same budget
        checks.grid_gan(lambda: toy_gans.METHODS["gan"].replace(g_hidden=512))
    with pytest.raises(AssertionError, match="n_critic <= 5"):
        checks.grid_gan(lambda: toy_gans.METHODS["wgan-gp"].replace(n_critic=20))
    with pytest.raises(AssertionError, match="toy_gans.ToyGAN"):
        checks.grid_gan(lambda: {"lr": 1e-3})
    with pytest.raises(AssertionError, match="not implemented"):
        checks.grid_gan(stub)
