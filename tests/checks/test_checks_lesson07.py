"""Lesson 07's open exercise: a latent walk graded on what it measures."""

import pytest
import torch
from check_helpers import solutions, stub

from gan_course import checks
from gan_course.viz.latent import lerp, slerp


def test_shell_walk_accepts_the_great_circle(capsys):
    checks.shell_walk(solutions("07_dcgan_training")["walk"])
    checks.shell_walk(lambda z0, z1, n: slerp(z0, z1, torch.linspace(0, 1, n)))
    assert capsys.readouterr().out.count("✔ shell_walk") == 2


def test_shell_walk_rejects_and_explains():
    with pytest.raises(AssertionError, match="leaves the shell"):  # the straight line dips to sqrt(d / 2)
        checks.shell_walk(lambda z0, z1, n: lerp(z0, z1, torch.linspace(0, 1, n)))

    def normalised_line(z0, z1, n):  # on the shell, but fast in the middle and slow at the ends
        p = lerp(z0, z1, torch.linspace(0, 1, n))
        return p / p.norm(dim=1, keepdim=True) * z0.norm()

    with pytest.raises(AssertionError, match="constant speed"):
        checks.shell_walk(normalised_line)
    with pytest.raises(AssertionError, match="start at z0"):
        checks.shell_walk(lambda z0, z1, n: slerp(z0, z1, torch.linspace(0, 1, n)).flip(0))
    with pytest.raises(AssertionError, match=r"shape \(9, 100\)"):
        checks.shell_walk(lambda z0, z1, n: torch.stack([z0, z1]))
    with pytest.raises(AssertionError, match="not implemented"):
        checks.shell_walk(stub)
