"""Checks of lesson 14, Recycle-GAN: the recycle loss, and the open exercise that steadies a frame-by-frame
translation.

Taught in: lesson 14
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor

from ._common import _call, _close, _describe, _passed, _scalar_tensor, _values, exercise_check


def _small_recycle() -> dict:
    from ..models import recyclegan

    return recyclegan.build(recyclegan.RecycleGANConfig(width=4, n_residual=1, d_width=4))


@exercise_check(seed=140)
def recycle_loss(student_fn: Callable) -> None:
    """Check ``student_fn(G_Y, G_X, P_Y, x) -> loss``: the recycle loss of windows ``x`` (B, 3, C, 32, 32) of
    domain X, ``||x_2 - G_X(P_Y(G_Y(x_0), G_Y(x_1)))||^2`` as a mean squared error per pixel, P_Y taking the earlier
    frame first; gradients reach G_Y, G_X and P_Y."""
    gen = torch.Generator().manual_seed(14)
    cases = [
        ("a batch of 4 windows", 4, "Translate the first two frames to Y, let P_Y predict the third in Y, bring it "
                                    "back with G_X, and compare with the true third frame."),
        ("one window", 1, "A mean over pixels (and windows) of the squared difference, not a sum."),
        ("frames that differ a lot", 3, "P_Y(previous, current): the earlier frame first; the target is frame 2, "
                                        "not frame 1."),
    ]
    for case, batch, hint in cases:
        nets = _small_recycle()
        G_Y, G_X, P_Y = nets["G_Y"], nets["G_X"], nets["P_Y"]
        x = torch.rand(batch, 3, 1, 32, 32, generator=gen) * 2 - 1
        if "differ" in case:
            x[:, 0] = -1.0
        received = _call(student_fn, case, G_Y, G_X, P_Y, x.clone(), expected="a scalar loss")
        value = _scalar_tensor(received, case)
        params = [*G_Y.parameters(), *G_X.parameters(), *P_Y.parameters()]
        if not value.requires_grad:
            raise AssertionError(f"case '{case}': expected a loss that requires grad (G_Y, G_X and P_Y learn from "
                                 "it), received a detached value: avoid .item(), .detach() and torch.no_grad()")
        student_grads = torch.autograd.grad(value, params, allow_unused=True)
        expected = ((x[:, 2] - G_X(P_Y(G_Y(x[:, 0]), G_Y(x[:, 1])))) ** 2).mean()
        _close(value, expected, case, hint)
        for got, want in zip(student_grads, torch.autograd.grad(expected, params)):
            if got is None or not torch.allclose(got, want, atol=1e-6, rtol=1e-4):
                got_text = "no gradient" if got is None else _values(got)
                raise AssertionError(f"case '{case}': expected the gradient {_values(want)}, received {got_text}. "
                                     "Nothing may be detached: the loss trains both translators and P_Y.")
    _passed("recycle_loss", len(cases))


# The open exercise: a translation of clips that flickers far less than frame by frame, keeping the digit.
STEADY_FLICKER = 0.5      # at most this share of the frame-by-frame translation's flicker
STEADY_CONTENT = 0.02     # content at most this far below the frame-by-frame translation's
STEADY_CLIPS = 200        # held-out handwritten clips, every 5th


def steady_case(G: torch.nn.Module | None = None):
    """The exercise's clips and translator: every 5th of the first 1,000 held-out handwritten clips, and G_Y of the
    committed ``recyclegan-digits``."""
    from ..data import moving_digits as md
    from ..models import recyclegan

    clips = md.load_clips("handwritten", "test")
    pick = torch.arange(0, 5 * STEADY_CLIPS, 5)
    clips = md.Clips(clips.frames[pick], clips.labels[pick], clips.positions[pick], clips.source)
    return clips, G if G is not None else recyclegan.load("recyclegan-digits")["G_Y"]


@exercise_check(seed=141)
def steady_translation(student_fn: Callable) -> None:
    """Check (open exercise): ``student_fn(frames, G) -> clips`` gets 200 held-out handwritten clips (200, 8, 1, 32,
    32) (no labels, no positions) and the committed Recycle-GAN's G_Y, and returns the clips translated to printed
    digits, same shape. Their flicker must be at most half that of G_Y applied frame by frame, their content (the
    printed judge on every frame) at most 0.02 below it, and their displacement error no larger than it plus
    0.5 pixel."""
    from ..models import recyclegan
    from ..models.classifier import load_judge

    clips, G = steady_case()
    case = "200 held-out handwritten clips"
    weights = [t.clone() for t in G.state_dict().values()]
    received = _call(student_fn, case, clips.frames.clone(), G, expected=f"clips of shape {tuple(clips.frames.shape)}")
    if any(not torch.equal(a, b) for a, b in zip(weights, G.state_dict().values())):
        raise AssertionError(f"case '{case}': expected G_Y unchanged, received its weights or statistics changed: "
                             "translate with it (in eval mode, without training it)")
    if not isinstance(received, Tensor) or received.shape != clips.frames.shape or not received.is_floating_point():
        raise AssertionError(f"case '{case}': expected translated clips of shape {tuple(clips.frames.shape)}, received "
                             f"{_describe(received)}")
    judge = load_judge("printed")  # the frame-by-frame reference only once the answer has the right shape
    framewise = recyclegan.measure(G, clips, judge)
    scores = recyclegan.score_clips(received.detach().cpu().float(), clips, judge)
    wanted = {"flicker": framewise["flicker"] * STEADY_FLICKER, "content": framewise["content"] - STEADY_CONTENT,
              "displacement_error": framewise["displacement_error"] + 0.5}
    if (scores["flicker"] > wanted["flicker"] or scores["content"] < wanted["content"]
            or scores["displacement_error"] > wanted["displacement_error"]):
        raise AssertionError(
            f"case '{case}': expected flicker <= {wanted['flicker']:.4f}, content >= {wanted['content']:.3f} and "
            f"displacement error <= {wanted['displacement_error']:.2f} px (frame by frame: flicker "
            f"{framewise['flicker']:.4f}, content {framewise['content']:.3f}, displacement error "
            f"{framewise['displacement_error']:.2f} px), received flicker {scores['flicker']:.4f}, content "
            f"{scores['content']:.3f}, displacement error {scores['displacement_error']:.2f} px. Hint: the source "
            "clip shows where the digit is in every frame (its ink centre); one digit needs drawing only once.")
    print(f"✔ steady_translation passed: flicker {scores['flicker']:.4f} (frame by frame "
          f"{framewise['flicker']:.4f}), "
          f"content {scores['content']:.3f} ({framewise['content']:.3f}), displacement error "
          f"{scores['displacement_error']:.2f} px ({framewise['displacement_error']:.2f})")
