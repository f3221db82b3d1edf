"""Lesson 15's checks (symmetry_loss; the open weigh_identity) accept the references and reject plausible
mistakes."""

import pytest
import torch
from check_helpers import assert_rejected, mistake_ids, solutions, stub

from gan_course import checks
from gan_course.models import tpgan

# --------------------------------------------------------------------------- symmetry_loss


def reference(images, on="pixels"):
    return tpgan.symmetry_loss(images, on)


def flipped_height(images, on="pixels"):
    x = tpgan.high_pass(images) if on == "laplacian" else images
    return (x - x.flip(-2)).abs().mean()


def squared(images, on="pixels"):
    x = tpgan.high_pass(images) if on == "laplacian" else images
    return ((x - x.flip(-1)) ** 2).mean()


def half_only(images, on="pixels"):              # Eq. 4 over one half: the mean over W/2 columns
    x = tpgan.high_pass(images) if on == "laplacian" else images if on == "pixels" else None
    w = x.shape[-1] // 2
    return (x[..., :w] - x.flip(-1)[..., :w]).abs().mean()


def summed(images, on="pixels"):
    x = tpgan.high_pass(images) if on == "laplacian" else images
    return (x - x.flip(-1)).abs().sum()


def pixels_always(images, on="pixels"):
    return (images - images.flip(-1)).abs().mean()


def laplacian_always(images, on="pixels"):
    x = tpgan.high_pass(images)
    return (x - x.flip(-1)).abs().mean()


def falls_back_to_pixels(images, on="pixels"):
    x = tpgan.high_pass(images) if on == "laplacian" else images
    return (x - x.flip(-1)).abs().mean()


def detached(images, on="pixels"):
    return tpgan.symmetry_loss(images.detach(), on)


def test_symmetry_loss_accepts_references(capsys):
    checks.symmetry_loss(reference)
    checks.symmetry_loss(solutions("15_tpgan_pose")["symmetry_loss"])
    assert capsys.readouterr().out.count("passed") == 2


MISTAKES = [
    (checks.symmetry_loss, stub, "not implemented yet"),
    (checks.symmetry_loss, flipped_height, "case 'grey faces, pixels'"),
    (checks.symmetry_loss, squared, "case 'grey faces, pixels'"),
    (checks.symmetry_loss, summed, "case 'grey faces, pixels'"),
    (checks.symmetry_loss, pixels_always, "case 'grey faces, laplacian'"),
    (checks.symmetry_loss, laplacian_always, "case 'grey faces, pixels'"),
    (checks.symmetry_loss, falls_back_to_pixels, "case 'on=\"sideways\"'"),
    (checks.symmetry_loss, detached, "requires grad"),
]


@pytest.mark.parametrize("check, wrong, fragment", MISTAKES, ids=mistake_ids(MISTAKES))
def test_symmetry_loss_rejects_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)


def test_half_of_eq_4_is_the_same_mean():
    """The paper's Eq. 4 sums over one half; per pixel, over both halves it is the same number (why half_only,
    though written differently, is right)."""
    checks.symmetry_loss(half_only)


# --------------------------------------------------------------------------- weigh_identity (open)


def balanced(G, identity_net, views, landmarks, frontal):
    pixel, identity = checks.lesson15.pulls(G, identity_net, views, landmarks, frontal)
    return pixel / identity


def test_weigh_identity_grades_the_balance(capsys):
    checks.weigh_identity(balanced)
    checks.weigh_identity(solutions("15_tpgan_pose")["identity_weight"])
    assert capsys.readouterr().out.count("passed") == 2
    cases = checks.lesson15.balance_cases()
    weights = [balanced(*case[1:]) for case in cases]
    assert max(weights) / min(weights) > 1.05        # one fixed number cannot pass every case
    fixed = lambda *args: sum(weights) / len(weights)  # noqa: E731
    assert_rejected(checks.weigh_identity, fixed, "expected a weight near")
    assert_rejected(checks.weigh_identity, lambda *a: 1 / balanced(*a), "expected a weight near")      # upside down
    assert_rejected(checks.weigh_identity, lambda *a: balanced(*a) * 1.05, "expected a weight near")   # 5% off
    assert_rejected(checks.weigh_identity, lambda *a: -balanced(*a), "positive, finite")
    assert_rejected(checks.weigh_identity, lambda *a: "0.1", "positive, finite")
    assert_rejected(checks.weigh_identity, stub, "not implemented yet")


def test_weigh_identity_accepts_a_tensor_and_refuses_changed_inputs():
    checks.weigh_identity(lambda *a: torch.tensor(balanced(*a)))

    def scribbles(G, identity_net, views, landmarks, frontal):
        weight = balanced(G, identity_net, views, landmarks, frontal)
        frontal.zero_()
        return weight

    assert_rejected(checks.weigh_identity, scribbles, "modified in place")
