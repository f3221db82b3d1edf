"""Checks of lesson 15, TP-GAN: the symmetry loss, and the open exercise that weighs the identity loss against the
pixel loss by how hard each pulls on the synthesis.

Taught in: lesson 15
"""

from __future__ import annotations

from typing import Callable

import torch

from ._common import _call, _describe, _loss_cases, _passed, exercise_check


@exercise_check(seed=150)
def symmetry_loss(student_fn: Callable) -> None:
    """Check ``student_fn(images, on) -> loss``: TP-GAN's L_sym, the mean over every pixel of |I - flip I| (flipped
    left to right), of the images (``on="pixels"``) or of ``tpgan.high_pass(images)`` (``on="laplacian"``), with
    gradients reaching the images."""
    from ..models import tpgan

    gen = torch.Generator().manual_seed(15)
    faces = torch.rand(4, 1, 8, 8, generator=gen) * 2 - 1
    wide = torch.rand(2, 3, 6, 10, generator=gen) * 2 - 1           # colour, not square: the flip is along width
    upside = torch.cat([faces[:1], faces[:1].flip(-2)], 2)           # symmetric top to bottom, not left to right
    cases = [
        ("grey faces, pixels", "pixels", faces, "The mean of |I - flip(I)| over every pixel, flipped left to right."),
        ("colour, 6x10, pixels", "pixels", wide, "Flip the last dimension (width): dims=[3] or [-1], not the height."),
        ("top-bottom symmetric, pixels", "pixels", upside, "Flip left to right (the last dimension), not top to "
                                                           "bottom."),
        ("grey faces, laplacian", "laplacian", faces, "With on='laplacian', take tpgan.high_pass(images) first, then "
                                                      "the same mean."),
        ("colour, 6x10, laplacian", "laplacian", wide, "with on='laplacian': the high-pass images, flipped along "
                                                       "width."),
    ]
    for case, on, images, hint in cases:
        _loss_cases(lambda x, on=on: student_fn(x, on),       # _loss_cases reports what the student's code raises
                    [(case, {"images": images}, hint)], lambda x, on=on: tpgan.symmetry_loss(x, on),
                    grad_hint="Nothing may be detached: G learns from this loss.")
    bad = _refuses(student_fn)
    if bad is not None:
        raise AssertionError(f"case 'on=\"sideways\"': expected an error naming what 'on' may be (\"pixels\" or "
                             f"\"laplacian\"), received {_describe(bad)}: an unknown option must not silently fall "
                             "back to one of them")
    _passed("symmetry_loss", len(cases) + 1)


def _refuses(student_fn: Callable):
    """None when ``student_fn`` raises an error on an unknown ``on``; otherwise what it returned."""
    try:
        return student_fn(torch.zeros(1, 1, 4, 4), "sideways")
    except Exception:  # noqa: BLE001 (any error names the problem; the message is the student's)
        return None


# The open exercise: a weight for the identity loss that makes it pull on the synthesis as hard as the pixel loss.
BALANCE_TOLERANCE = 0.02   # |weighted identity pull / pixel pull - 1| at most this


def pulls(G, identity_net, views, landmarks, frontal) -> tuple[float, float]:
    """The norms of the gradients that L_pixel and (unweighted) L_ip send to the synthesis G(x), on one batch."""
    from ..models import tpgan

    with torch.no_grad():
        fake = G(views, landmarks)[0]
    fake.requires_grad_(True)
    pixel = torch.autograd.grad((fake - frontal).abs().mean(), fake)[0]
    identity = torch.autograd.grad(tpgan.identity_loss(identity_net.eval(), fake, frontal), fake)[0]
    return pixel.norm().item(), identity.norm().item()


def balance_cases():
    """(case, G, identity network, views, landmarks, frontal targets): the committed generators on test views."""
    from ..models import face_identity, tpgan

    test, identity_net = face_identity.faces_on("test"), face_identity.load_identity()
    turned, front = (test.yaw.abs() >= 45).nonzero()[:, 0], (test.yaw.abs() < 15).nonzero()[:, 0]
    batch = lambda idx: (test.images[idx], test.landmarks[idx], test.frontal[idx])  # noqa: E731
    return [("the global pathway, 64 views turned 45° or more", tpgan.load("tpgan-global"), identity_net,
             *batch(turned[:64])),
            ("TP-GAN, 64 views turned 45° or more", tpgan.load("tpgan"), identity_net, *batch(turned[64:128])),
            ("TP-GAN, 8 views within 15° of the front", tpgan.load("tpgan"), identity_net, *batch(front[:8]))]


@exercise_check(seed=151)
def weigh_identity(student_fn: Callable) -> None:
    """Check (open exercise): ``student_fn(G, identity_net, views, landmarks, frontal) -> weight``, a positive number
    λ for which, on that batch, λ L_ip pulls on the synthesis G(x) as hard as L_pixel does: the norms of their
    gradients with respect to G(x) agree within :data:`BALANCE_TOLERANCE`. Three batches, two committed generators."""
    cases = balance_cases()
    for case, G, identity_net, views, landmarks, frontal in cases:
        before = [t.clone() for t in (views, landmarks, frontal)]
        weight = _call(student_fn, case, G, identity_net, views, landmarks, frontal, expected="a positive number")
        if isinstance(weight, torch.Tensor) and weight.numel() == 1:
            weight = weight.item()
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 < weight < float("inf"):
            raise AssertionError(f"case '{case}': expected a positive, finite weight, received {_describe(weight)}")
        if not all(torch.equal(a, b) for a, b in zip(before, (views, landmarks, frontal))):
            raise AssertionError(f"case '{case}': expected your function to leave the views, landmarks and targets "
                                 "as they were, received them modified in place")
        pixel, identity = pulls(G, identity_net, views, landmarks, frontal)
        ratio = weight * identity / pixel
        if abs(ratio - 1) > BALANCE_TOLERANCE:
            raise AssertionError(
                f"case '{case}': expected a weight near {pixel / identity:.4g} (the identity term's pull, weighted, "
                f"within {BALANCE_TOLERANCE:.0%} of the pixel term's), received {weight:.4g}: weighted, it pulls "
                f"{ratio:.3f} times as hard. Hint: compare the norms of d L / d G(x) for each term, G(x) detached from "
                "G and the identity network in eval mode.")
    _passed("weigh_identity", len(cases))
