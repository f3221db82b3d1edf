"""Lesson 20's checks (slerp, conditional_entropy; the open matching_psi) accept the references and reject plausible
mistakes."""

import math

import numpy as np
import pytest
import torch
from check_helpers import assert_rejected, mistake_ids, solutions, stub

from gan_course import checks
from gan_course.checks import lesson20
from gan_course.metrics import conditional_entropy as reference_entropy
from gan_course.metrics import unit_slerp

# --------------------------------------------------------------------------- slerp


def _unit(x):
    return x / x.norm(dim=1, keepdim=True)


def slerp_by_weights(a, b, t):                      # the textbook formula, guarded where sin θ = 0
    a, b = _unit(a), _unit(b)
    theta = torch.arccos((a * b).sum(1, keepdim=True).clamp(-1, 1))
    sin = torch.sin(theta)
    tt = t[:, None]
    safe = torch.where(sin.abs() < 1e-6, torch.ones_like(sin), sin)
    out = (torch.sin((1 - tt) * theta) * a + torch.sin(tt * theta) * b) / safe
    return torch.where(sin.abs() < 1e-6, a, out)


def straight_line(a, b, t):
    return torch.lerp(_unit(a), _unit(b), t[:, None])


def not_normalised(a, b, t):
    theta = torch.arccos((_unit(a) * _unit(b)).sum(1, keepdim=True).clamp(-1, 1))
    return (torch.sin((1 - t[:, None]) * theta) * a + torch.sin(t[:, None] * theta) * b) / torch.sin(theta)


def angle_t(a, b, t):
    a, b = _unit(a), _unit(b)
    c = _unit(b - (a * b).sum(1, keepdim=True) * a)
    return a * torch.cos(t[:, None]) + c * torch.sin(t[:, None])


def swapped_weights(a, b, t):
    a, b = _unit(a), _unit(b)
    theta = torch.arccos((a * b).sum(1, keepdim=True).clamp(-1, 1))
    return (torch.sin(t[:, None] * theta) * a + torch.sin((1 - t[:, None]) * theta) * b) / torch.sin(theta)


def unguarded(a, b, t):
    a, b = _unit(a), _unit(b)
    theta = torch.arccos((a * b).sum(1, keepdim=True).clamp(-1, 1))
    return (torch.sin((1 - t[:, None]) * theta) * a + torch.sin(t[:, None] * theta) * b) / torch.sin(theta)


def test_slerp_accepts_references(capsys):
    checks.slerp(unit_slerp)
    checks.slerp(slerp_by_weights)
    checks.slerp(solutions("20_stylegan_latent_space")["slerp"])
    assert capsys.readouterr().out.count("passed") == 3


SLERP_MISTAKES = [
    (checks.slerp, straight_line, "straight line (lerp)"),
    (checks.slerp, not_normalised, "normalise a and b"),
    (checks.slerp, angle_t, "fraction of the angle"),
    (checks.slerp, swapped_weights, "not the other way round"),
    (checks.slerp, unguarded, "finite points"),
    (checks.slerp, stub, "not implemented yet"),
]


@pytest.mark.parametrize("check, wrong, fragment", SLERP_MISTAKES, ids=mistake_ids(SLERP_MISTAKES))
def test_slerp_rejects_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)


# --------------------------------------------------------------------------- conditional_entropy


def entropy_from_counts(y, x):
    joint = np.zeros((2, 2))
    np.add.at(joint, (x, y), 1)
    p = joint / joint.sum()
    px = p.sum(1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(p / px), 0.0)
    return float(-terms.sum())


def in_bits(y, x):
    return reference_entropy(y, x) / math.log(2)


def entropy_of_y(y, x):
    p = np.bincount(y, minlength=2) / len(y)
    return float(-sum(q * math.log(q) for q in p if q > 0))


def swapped(y, x):
    return reference_entropy(x, y)


def joint_entropy(y, x):
    p = np.bincount(2 * y + x, minlength=4) / len(y)
    return float(-sum(q * math.log(q) for q in p if q > 0))


def unweighted(y, x):
    return sum(reference_entropy(y[x == s], x[x == s]) for s in np.unique(x))


def zero_terms_kept(y, x):
    h = 0.0
    for side in (0, 1):
        inside = y[x == side]
        for label in (0, 1):
            p = np.mean(inside == label) if len(inside) else 0.0
            h -= len(inside) / len(y) * p * np.log(p)
    return h


def test_conditional_entropy_accepts_references(capsys):
    checks.conditional_entropy(reference_entropy)
    checks.conditional_entropy(entropy_from_counts)
    checks.conditional_entropy(solutions("20_stylegan_latent_space")["conditional_entropy"])
    assert capsys.readouterr().out.count("passed") == 3


ENTROPY_MISTAKES = [
    (checks.conditional_entropy, in_bits, "natural logarithm"),
    (checks.conditional_entropy, entropy_of_y, "ignores X"),
    (checks.conditional_entropy, swapped, "not of X given Y"),
    (checks.conditional_entropy, joint_entropy, "joint entropy"),
    (checks.conditional_entropy, unweighted, "weight each side"),
    (checks.conditional_entropy, zero_terms_kept, "skip the terms with p = 0"),
    (checks.conditional_entropy, stub, "not implemented yet"),
]


@pytest.mark.parametrize("check, wrong, fragment", ENTROPY_MISTAKES, ids=mistake_ids(ENTROPY_MISTAKES))
def test_conditional_entropy_rejects_mistakes(check, wrong, fragment):
    with np.errstate(divide="ignore", invalid="ignore"):
        assert_rejected(check, wrong, fragment)


# --------------------------------------------------------------------------- matching_psi (open)


def _solution():
    return solutions("20_stylegan_latent_space")["matching_psi"]


def test_matching_psi_accepts_the_reference(capsys):
    checks.matching_psi(_solution())
    out = capsys.readouterr().out
    assert "passed" in out and "ratio" in out


def no_truncation(G, features):                     # paths in Z as they are: far longer than W's
    return 1.0


def far_too_much(G, features):                      # every image near w̄: paths far shorter than W's
    return 0.1


def outside(G, features):
    return 1.5


def a_tensor_of_many(G, features):
    return torch.tensor([0.4, 0.5])


MATCHING_MISTAKES = [
    (checks.matching_psi, no_truncation, "truncate more"),
    (checks.matching_psi, far_too_much, "truncate less"),
    (checks.matching_psi, outside, "between 0 and 1"),
    (checks.matching_psi, a_tensor_of_many, "a number between 0 and 1"),
    (checks.matching_psi, stub, "not implemented yet"),
]


@pytest.mark.parametrize("check, wrong, fragment", MATCHING_MISTAKES, ids=mistake_ids(MATCHING_MISTAKES))
def test_matching_psi_rejects_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)


def test_the_check_measures_what_the_lesson_measures():
    """The check's two path lengths are stylegan.path_lengths on the same seeded paths: Z at ψ = 1 is the lesson's
    untruncated Z, and W at ψ = 1 does not depend on the ψ asked for."""
    G, features = lesson20.psi_setup()
    found = lesson20.psi_lengths(G, features, 1.0, n=100, seed=3)
    from gan_course.models import stylegan

    both = stylegan.path_lengths(G, features, 100, seed=3)
    assert found["ppl_z"] == pytest.approx(both["z"].mean) and found["ppl_w"] == pytest.approx(both["w"].mean)
    assert found["ratio"] > 1.5                      # untruncated Z's paths are the longer ones
