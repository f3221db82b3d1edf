"""Checks of lesson 09, comparing GANs: improved precision and recall with k-nearest-neighbour balls, and the open
exercise on a set of real digits with precision but no recall.

The cases of ``precision_recall`` are small enough to check by hand: a point exactly on a ball's edge, k = 1,
sets of different sizes, a generator that covers half of the modes (where precision and recall differ).

Taught in: lesson 09
"""

from __future__ import annotations

import math
from typing import Callable

import torch
from torch import Tensor

from .. import metrics
from ._common import _call, _describe, _number, _number_close, _passed, exercise_check


def _ring(n: int, modes: list[int], gen: torch.Generator) -> Tensor:
    """``n`` points around the chosen modes of a ring of 8 (standard deviation 0.05), float64 (n, 2)."""
    angle = torch.tensor(modes, dtype=torch.float64)[torch.randint(len(modes), (n,), generator=gen)] * math.pi / 4
    centres = torch.stack([angle.cos(), angle.sin()], dim=1)
    return centres + 0.05 * torch.randn(n, 2, generator=gen, dtype=torch.float64)


@exercise_check(seed=90)
def precision_recall(student_fn: Callable) -> None:
    """Check ``student_fn(real, fake, k) -> (precision, recall)``: improved precision and recall (Kynkäänniemi et
    al. 2019) of feature tensors real (N, D) and fake (M, D), with balls reaching each point's k-th nearest other
    point of its own set; a point on a ball's edge is inside."""
    gen = torch.Generator().manual_seed(9)
    line = lambda *xs: torch.tensor(xs, dtype=torch.float64)[:, None]  # noqa: E731  points on a line, (N, 1)
    every_mode = _ring(60, list(range(8)), gen)
    cases = [
        ("the same set twice", every_mode, every_mode.clone(), 3,
         "Every sample is a real point (distance 0), and every real point a sample: (1, 1). Both numbers are "
         "shares of points, from 0 to 1: a point counts once however many balls hold it (any, not sum)."),
        ("a copy moved far away", every_mode, every_mode + 100, 3,
         "No sample is near a real point and no real point near a sample: (0, 0)."),
        ("1D, k = 1", line(0, 1, 3, 7), line(0.5, 5, 2.9, 20), 1,
         "A real point's ball reaches its k-th nearest *other* real point: torch.cdist of a set with itself has 0 "
         "on the diagonal (the point itself), so the k-th neighbour is the (k + 1)-th smallest distance of its row. "
         "Here the real radii are 1, 1, 2, 4: 0.5, 2.9 and 5 are inside a real ball, 20 is not."),
        ("a sample exactly on a ball's edge", line(0, 2), line(4, 10), 1,
         "Both real balls have radius 2; the sample at 4 lies on the edge of the ball around 2, which counts as "
         "inside (distance <= radius), the one at 10 is outside: precision 1/2."),
        ("1D, k = 2", line(0, 1, 3, 7, 8), line(12, -2.5, 14, 5), 2,
         "The radius of a ball is the distance to the k-th nearest other point itself, not the mean distance to the "
         "k nearest: here the real radii are 3, 2, 3, 4 and 5, so 12, -2.5 and 5 are inside a real ball, 14 is not."),
        ("half of the modes (2D, k = 3)", every_mode, _ring(40, [0, 2, 4, 6], gen), 3,
         "Precision is the share of *samples* inside the union of the *real* balls; recall the share of *real* "
         "points inside the union of the *samples'* balls. A generator on half of the modes keeps its precision and "
         "loses half of its recall."),
        ("sets of different sizes (5D, k = 2)", torch.randn(30, 5, generator=gen, dtype=torch.float64),
         1.3 * torch.randn(17, 5, generator=gen, dtype=torch.float64), 2,
         "Each number is a fraction of its own set: precision over the M samples, recall over the N real points; a "
         "point counts once however many balls hold it (any, not sum)."),
    ]
    for case, real, fake, k, hint in cases:
        received = _call(student_fn, case, real.clone(), fake.clone(), k, expected="a pair (precision, recall)")
        if not isinstance(received, (tuple, list)) or len(received) != 2:
            raise AssertionError(f"case '{case}': expected a pair (precision, recall), received {_describe(received)}")
        expected = metrics.precision_recall(real, fake, k=k)
        for name, value, reference in zip(("precision", "recall"), received, expected):
            _number_close(_number(value, case), reference, f"{case}, {name}", hint)
    _passed("precision_recall", len(cases))


PICK = 1000  # images the student picks


@exercise_check(seed=80)
def precision_without_recall(student_fn: Callable) -> None:
    """Check (open exercise): grade ``pick(images, labels) -> (1000, 1, 28, 28)``, real training digits chosen so
    that, scored against the held-out digits, precision is at least 0.8 (1,000 random training digits score about
    0.83) and recall at most 0.5: quality without variety."""
    from .. import evaluation
    from ..data import load_mnist

    train, test = load_mnist("train", verbose=False), load_mnist("test", verbose=False)
    picked = _call(student_fn, "your pick", train.images.clone(), train.labels.clone(),
                   expected=f"a tensor of shape ({PICK}, 1, 28, 28)")
    if not isinstance(picked, Tensor) or tuple(picked.shape) != (PICK, 1, 28, 28):
        raise AssertionError(f"case 'your pick': expected a tensor of shape ({PICK}, 1, 28, 28), received "
                             f"{_describe(picked)}")
    _, distance = evaluation.nearest_neighbours(picked.detach().float(), train.images)
    if distance.max() > 1e-6:
        raise AssertionError(f"case 'your pick': expected real training digits, unchanged, received "
                             f"{(distance > 1e-6).sum().item()} images that are not in the training set")
    scores = evaluation.Scorer(evaluation.load_classifier(), real=test.images).score(picked.detach().float())
    if scores.precision < 0.8 or scores.recall > 0.5:
        raise AssertionError(f"case 'your pick': expected precision >= 0.8 and recall <= 0.5, received precision "
                             f"{scores.precision:.3f} and recall {scores.recall:.3f} (FID {scores.fid:.1f}, "
                             f"{scores.classes}/10 classes). Hint: real digits are all of high quality; what limits "
                             "recall is how much of the held-out digits' variety your set covers")
    print(f"✔ precision_without_recall passed: precision {scores.precision:.3f}, recall {scores.recall:.3f}, FID "
          f"{scores.fid:.1f}, {scores.classes}/10 classes: real digits, and still a poor generator's scores")
