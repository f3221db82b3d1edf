"""Lesson 14's checks (recycle_loss; the open steady_translation) accept the references and reject plausible
mistakes."""

import pytest
import torch
from check_helpers import assert_rejected, mistake_ids, solutions, stub

from gan_course import checks
from gan_course.models import recyclegan

# --------------------------------------------------------------------------- recycle_loss


def reference(G_Y, G_X, P_Y, x):
    return ((G_X(P_Y(G_Y(x[:, 0]), G_Y(x[:, 1]))) - x[:, 2]) ** 2).mean()


def frames_swapped(G_Y, G_X, P_Y, x):            # P_Y(current, previous)
    return ((G_X(P_Y(G_Y(x[:, 1]), G_Y(x[:, 0]))) - x[:, 2]) ** 2).mean()


def against_frame_1(G_Y, G_X, P_Y, x):
    return ((G_X(P_Y(G_Y(x[:, 0]), G_Y(x[:, 1]))) - x[:, 1]) ** 2).mean()


def absolute_error(G_Y, G_X, P_Y, x):
    return (G_X(P_Y(G_Y(x[:, 0]), G_Y(x[:, 1]))) - x[:, 2]).abs().mean()


def summed(G_Y, G_X, P_Y, x):
    return ((G_X(P_Y(G_Y(x[:, 0]), G_Y(x[:, 1]))) - x[:, 2]) ** 2).sum()


def no_way_back(G_Y, G_X, P_Y, x):               # compares the prediction in Y with x_2 directly
    return ((P_Y(G_Y(x[:, 0]), G_Y(x[:, 1])) - x[:, 2]) ** 2).mean()


def detached_translations(G_Y, G_X, P_Y, x):
    return ((G_X(P_Y(G_Y(x[:, 0]).detach(), G_Y(x[:, 1]).detach())) - x[:, 2]) ** 2).mean()


def as_number(*args):
    return torch.tensor(reference(*args).item())


def test_recycle_loss_accepts_references(capsys):
    checks.recycle_loss(reference)
    checks.recycle_loss(solutions("14_recycle_gan")["recycle_loss"])
    assert capsys.readouterr().out.count("passed") == 2


MISTAKES = [
    (checks.recycle_loss, stub, "not implemented yet"),
    (checks.recycle_loss, frames_swapped, "case 'a batch of 4 windows'"),
    (checks.recycle_loss, against_frame_1, "case 'a batch of 4 windows'"),
    (checks.recycle_loss, absolute_error, "case 'a batch of 4 windows'"),
    (checks.recycle_loss, summed, "case 'a batch of 4 windows'"),
    (checks.recycle_loss, no_way_back, "case 'a batch of 4 windows'"),
    (checks.recycle_loss, detached_translations, "expected the gradient"),
    (checks.recycle_loss, as_number, "requires grad"),
]


@pytest.mark.parametrize("check, wrong, fragment", MISTAKES, ids=mistake_ids(MISTAKES))
def test_recycle_loss_rejects_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)


# --------------------------------------------------------------------------- steady_translation (open)


def test_steady_translation_grades_the_clips(capsys):
    checks.steady_translation(solutions("14_recycle_gan")["steady"])
    assert "✔ steady_translation" in capsys.readouterr().out
    framewise = recyclegan.translate_clips
    assert_rejected(checks.steady_translation, lambda frames, G: framewise(G, frames), "expected flicker <=")
    assert_rejected(checks.steady_translation, lambda frames, G: frames, "expected flicker <=")   # not translated
    standing_still = lambda frames, G: framewise(G, frames)[:, :1].expand_as(frames)  # noqa: E731
    assert_rejected(checks.steady_translation, standing_still, "expected flicker <=")
    assert_rejected(checks.steady_translation, lambda frames, G: framewise(G, frames)[:, :4], "of shape")
    assert_rejected(checks.steady_translation, stub, "not implemented yet")
