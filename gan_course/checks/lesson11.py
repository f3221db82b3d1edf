"""Checks of lesson 11, InfoGAN: the information loss (the negative variational bound without H(c)), and the
open exercise that edits digits through a code the GAN found by itself.

Taught in: lesson 11
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor

from ._common import _call, _close, _describe, _passed, _scalar_tensor, _values, exercise_check


@exercise_check(seed=110)
def information_loss(student_fn: Callable) -> None:
    """Check ``student_fn(q_logits, q_means, categorical, continuous) -> (categorical_term, continuous_term)``:
    the cross-entropy of the categorical code under Q's logits (B, K), and half the squared error of the
    continuous codes (B, M) from Q's means (B, M), summed over the codes and averaged over the batch: the two parts
    of -L_I (Q's continuous codes are Gaussians of unit variance; H(c) and log(2 pi) / 2 are constants)."""
    from ..models.infogan import information_terms

    gen = torch.Generator().manual_seed(11)
    cases = [
        ("Q knows nothing (logits 0, means 0)", torch.zeros(4, 10), torch.zeros(4, 2), torch.tensor([0, 3, 9, 9]),
         torch.tensor([[0.5, -0.5], [1.0, 0.0], [0.0, 0.0], [-1.0, 1.0]]),
         "With equal logits the cross-entropy is log K = log 10 whatever the code; the continuous term is half the "
         "squared distance, summed over the codes, then averaged over the batch."),
        ("Q reads every code exactly", torch.eye(5)[[1, 4, 0]] * 30, torch.tensor([[0.2, -0.7], [0.9, 0.1],
                                                                                    [-0.3, 0.0]]),
         torch.tensor([1, 4, 0]), torch.tensor([[0.2, -0.7], [0.9, 0.1], [-0.3, 0.0]]),
         "A Q that is sure and right has a cross-entropy near 0 and no squared error: both terms near 0."),
        ("random logits and means", torch.randn(6, 10, generator=gen), torch.randn(6, 2, generator=gen),
         torch.randint(0, 10, (6,), generator=gen), torch.rand(6, 2, generator=gen) * 2 - 1,
         "The categorical term is -mean(log softmax(logits)[i, c_i]): F.cross_entropy does it, softmax first."),
        ("three continuous codes, a batch of one", torch.randn(1, 4, generator=gen), torch.randn(1, 3, generator=gen),
         torch.tensor([2]), torch.tensor([[1.0, -1.0, 0.5]]),
         "Sum the half squared errors over the codes (not the mean over codes): each code is its own Gaussian."),
    ]
    for case, logits, means, categorical, continuous, hint in cases:
        leaves = (logits.clone().requires_grad_(True), means.clone().requires_grad_(True))
        received = _call(student_fn, case, *leaves, categorical.clone(), continuous.clone(),
                         expected="a pair (categorical_term, continuous_term)")
        if not isinstance(received, (tuple, list)) or len(received) != 2:
            raise AssertionError(f"case '{case}': expected a pair (categorical_term, continuous_term) of scalar "
                                 f"tensors, received {_describe(received)}")
        references = (logits.clone().requires_grad_(True), means.clone().requires_grad_(True))
        expected = information_terms(*references, categorical, continuous)
        for name, value, want, leaf, reference in zip(("categorical_term", "continuous_term"), received, expected,
                                                      leaves, references):
            value = _scalar_tensor(value, f"{case}, {name}")
            _close(value, want, f"{case}, {name}", hint)
            if not value.requires_grad:
                raise AssertionError(f"case '{case}': expected {name} to require grad (G and Q learn through it), "
                                     "received a detached value: avoid .item(), .detach() or new tensors from numbers")
            value.backward()
            want.backward()
            if leaf.grad is None or not torch.allclose(leaf.grad, reference.grad, atol=1e-6, rtol=1e-4):
                got = "no gradient" if leaf.grad is None else _values(leaf.grad)
                raise AssertionError(f"case '{case}': expected d {name} / d Q's output = {_values(reference.grad)}, "
                                     f"received {got}. {hint}")
    _passed("information_loss", len(cases))


# The open exercise: edit the committed InfoGAN's digits through its codes alone.
EDIT_N = 500
EDIT_GAIN = 0.05      # relative gain in mean stroke width the edited digits must reach
EDIT_SAME = 0.8       # share of edited samples the judge must still read as the original digit


@exercise_check(seed=111)
def code_edit(student_fn: Callable) -> None:
    """Check (open exercise): ``student_fn(z, categorical, continuous) -> (z, categorical, continuous)`` changes
    500 draws of the committed InfoGAN's codes (z (500, 62), c1 (500,), c2..c3 (500, 2)) so that its digits come out
    with thicker strokes: the mean stroke width measured on G's images rises by at least 5%, z is returned
    unchanged, and the judge reads the same digit in at least 80% of the edited images as in the originals."""
    from .. import evaluation
    from ..data import captions
    from ..models import infogan

    G, _ = infogan.load("infogan")
    gen = torch.Generator().manual_seed(111)
    z, categorical, continuous = G.sample_codes(EDIT_N, generator=gen)
    received = _call(student_fn, "your edit", z.clone(), categorical.clone(), continuous.clone(),
                     expected="a triple (z, categorical, continuous)")
    if not isinstance(received, (tuple, list)) or len(received) != 3:
        raise AssertionError(f"case 'your edit': expected a triple (z, categorical, continuous), received "
                             f"{_describe(received)}")
    new_z, new_categorical, new_continuous = received
    for name, value, like in (("z", new_z, z), ("categorical", new_categorical, categorical),
                              ("continuous", new_continuous, continuous)):
        if not isinstance(value, Tensor) or value.shape != like.shape or value.dtype != like.dtype:
            raise AssertionError(f"case 'your edit': expected {name} as a {like.dtype} tensor of shape "
                                 f"{tuple(like.shape)}, received {_describe(value)}")
    if not torch.equal(new_z, z):
        raise AssertionError("case 'your edit': expected z returned unchanged (edit the codes, not the noise), "
                             "received a different z")
    if not torch.isfinite(new_continuous).all() or new_categorical.min() < 0 or new_categorical.max() > 9:
        raise AssertionError("case 'your edit': expected finite continuous codes and categorical values 0..9, "
                             f"received continuous codes from {new_continuous.min():.3g} to "
                             f"{new_continuous.max():.3g} and categorical values from {new_categorical.min()} to "
                             f"{new_categorical.max()}")
    with torch.no_grad():
        before, after = G(z, categorical, continuous), G(z, new_categorical, new_continuous)
    judge = evaluation.load_classifier()
    same = (evaluation.classify(judge, before)[0] == evaluation.classify(judge, after)[0]).double().mean().item()
    gain = (captions.stroke_width(after).mean() / captions.stroke_width(before).mean()).item() - 1
    if gain < EDIT_GAIN or same < EDIT_SAME:
        raise AssertionError(f"case 'your edit': expected the mean stroke width {EDIT_GAIN:.0%} larger or more with "
                             f"at least {EDIT_SAME:.0%} of the digits unchanged, received {gain:+.1%} and {same:.1%} "
                             "unchanged. Hint: section 4 says which code goes with stroke width, and which way; "
                             "the training range of a code is not the end of it")
    print(f"✔ code_edit passed: stroke width {gain:+.1%} on average, {same:.1%} of the digits unchanged")
