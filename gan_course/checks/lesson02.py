"""Checks of lesson 02, divergences and distances: KL and JS between discrete distributions, and the exact
1D Wasserstein-1 distance between two sample sets.

The cases include what the formulas leave to a convention: outcomes where both distributions are 0,
supports that do not meet, a single outcome or sample, identical distributions.

Taught in: lesson 02
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor

from .. import metrics
from ._common import _call, _number, _number_close, _passed, _unchanged, exercise_check


def _discrete_cases():
    gen = torch.Generator().manual_seed(20)
    p7, q7 = torch.rand(7, generator=gen, dtype=torch.float64) + 0.05, torch.rand(7, generator=gen, dtype=torch.float64)
    return [
        ("identical", torch.tensor([0.25, 0.25, 0.5]), torch.tensor([0.25, 0.25, 0.5])),
        ("two outcomes", torch.tensor([0.5, 0.5]), torch.tensor([0.9, 0.1])),
        ("the other way round", torch.tensor([0.9, 0.1]), torch.tensor([0.5, 0.5])),
        ("p has a zero", torch.tensor([0.0, 0.5, 0.5]), torch.tensor([0.2, 0.3, 0.5])),
        ("q has a zero where p does not", torch.tensor([0.2, 0.3, 0.5]), torch.tensor([0.0, 0.5, 0.5])),
        ("outcomes where both are 0", torch.tensor([0.0, 0.3, 0.0, 0.7]), torch.tensor([0.0, 0.6, 0.0, 0.4])),
        ("a single outcome", torch.tensor([1.0]), torch.tensor([1.0])),
        ("7 random outcomes", p7 / p7.sum(), q7 / q7.sum()),
    ]


def _divergence_cases(student_fn: Callable, name: str, cases, reference: Callable, hint: str) -> None:
    for case, p, q in cases:
        originals = {"p": p.clone(), "q": q.clone()}
        passed = {"p": p.clone(), "q": q.clone()}
        received = _number(_call(student_fn, case, passed["p"], passed["q"], expected="one number (nats)"), case)
        _unchanged(originals, passed, case)
        _number_close(received, reference(p, q), case, hint)
    _passed(name, len(cases))


@exercise_check(seed=20)
def kl_divergence(student_fn: Callable[[Tensor, Tensor], float]) -> None:
    """Check ``student_fn(p, q) = KL(p || q)`` (nats) for discrete distributions, ``inf`` where q misses p's mass."""
    hint = ("KL(p||q) = sum p_i log(p_i / q_i) with the natural logarithm; terms with p_i = 0 are 0 (also where "
            "q_i = 0); it is inf when q_i = 0 < p_i; it is not symmetric.")
    _divergence_cases(student_fn, "kl_divergence", _discrete_cases(), metrics.kl_divergence, hint)


@exercise_check(seed=21)
def js_divergence(student_fn: Callable[[Tensor, Tensor], float]) -> None:
    """Check ``student_fn(p, q) = JS(p, q)`` (nats) for discrete distributions."""
    hint = ("JS = KL(p||m)/2 + KL(q||m)/2 with m = (p + q)/2, natural logarithms; it is symmetric, finite and at "
            "most log 2 = 0.693147 (reached by disjoint distributions); terms with p_i = 0 are 0.")
    cases = _discrete_cases() + [
        ("disjoint", torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])),
        ("disjoint, with outcomes where both are 0", torch.tensor([0.0, 0.6, 0.0, 0.4, 0.0]),
         torch.tensor([0.1, 0.0, 0.0, 0.0, 0.9])),
    ]
    _divergence_cases(student_fn, "js_divergence", cases, metrics.js_divergence, hint)


@exercise_check(seed=22)
def wasserstein1_1d(student_fn: Callable[[Tensor, Tensor], float]) -> None:
    """Check ``student_fn(x, y)``: the exact W1 between two 1D sample sets of equal size."""
    gen = torch.Generator().manual_seed(3)
    spread = torch.randn(9, generator=gen)
    cases = [
        ("a shift", torch.tensor([0.0, 1.0, 2.0]), torch.tensor([3.0, 4.0, 5.0]), "Shifting by 3 costs 3."),
        ("unsorted samples", torch.tensor([2.0, 0.0, 1.0]), torch.tensor([1.0, 5.0, 3.0]),
         "Match the samples in sorted order (the i-th smallest with the i-th smallest)."),
        ("random samples", torch.randn(50, generator=gen), 2 + 0.5 * torch.randn(50, generator=gen),
         "W1 = mean |sort(x) - sort(y)|."),
        ("crossing distributions", torch.tensor([-1.0, 1.0]), torch.tensor([0.0, 0.0]),
         "Take the absolute value of each difference before averaging."),
        ("a batch of one", torch.tensor([-0.7]), torch.tensor([1.8]), "One sample each: W1 = |x - y|."),
        ("the same samples in another order", spread, spread[torch.randperm(9, generator=gen)],
         "The same empirical distribution, shuffled: W1 = 0 (sort both before comparing)."),
        ("repeated values", torch.tensor([1.0, 1.0, 3.0, 0.0]), torch.tensor([2.0, -1.0, 2.0, 2.0]),
         "Sort the values (torch.sort(x).values, not the indices) and average the absolute differences."),
    ]
    for case, x, y, hint in cases:
        originals = {"x": x.clone(), "y": y.clone()}
        passed = {"x": x.clone(), "y": y.clone()}
        received = _number(_call(student_fn, case, passed["x"], passed["y"], expected="one number"), case)
        _unchanged(originals, passed, case)
        _number_close(received, metrics.wasserstein1(x, y), case, hint)
    _passed("wasserstein1_1d", len(cases))
