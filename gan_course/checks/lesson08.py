"""Checks of lesson 08, evaluating GANs: the Fréchet distance between two Gaussians (the "F" of FID) and
the Inception Score of class probabilities, both on NumPy inputs.

The cases include degenerate inputs the formulas must survive: identical Gaussians, singular and zero
covariances, one-hot predictions (probabilities of exactly 0), a single image, a split per image.

Taught in: lesson 08
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from torch import Tensor

from .. import metrics
from ._common import _call, _describe, _number, _number_close, _passed, exercise_check


def _real_number(value, case: str) -> float:
    """Like :func:`_number`, but a complex result gets its own hint (scipy's sqrtm can return complex matrices)."""
    if isinstance(value, Tensor):
        value = value.detach()
    if (value.is_complex() if isinstance(value, Tensor) else np.iscomplexobj(value)) or isinstance(value, complex):
        if np.size(value) != 1:
            raise AssertionError(f"case '{case}': expected one real number, received {_describe(value)} of complex "
                                 "values")
        raise AssertionError(f"case '{case}': expected a real number, received the complex value "
                             f"{complex(np.asarray(value).reshape(())):.6g}. scipy.linalg.sqrtm returns complex "
                             "matrices with tiny imaginary parts when a covariance is singular: keep the real part "
                             "(np.real or .real) of the matrix square root.")
    return _number(value, case)


def _random_covariance(rng, d: int, rank: int | None = None):
    """A d x d covariance: of full rank (plus 0.1 I), or of ``rank`` < d like one estimated from ``rank`` samples."""
    a = rng.standard_normal((d, rank or d))
    return a @ a.T / (rank or d) + (0.0 if rank else 0.1 * np.eye(d))


@exercise_check(seed=60)
def frechet_distance(student_fn: Callable) -> None:
    """Check ``student_fn(mu1, cov1, mu2, cov2)``: the Fréchet distance between N(mu1, cov1) and N(mu2, cov2),
    ``||mu1 - mu2||^2 + Tr(cov1 + cov2 - 2 (cov1 cov2)^(1/2))``, for NumPy means (d,) and covariances (d, d)."""
    rng = np.random.default_rng(6)
    cov = _random_covariance(rng, 3)
    mu = rng.standard_normal(3)
    full1, full2 = _random_covariance(rng, 4), _random_covariance(rng, 4)
    rank1, rank2 = _random_covariance(rng, 8, rank=4), _random_covariance(rng, 8, rank=4)
    cases = [
        ("identical Gaussians", mu, cov, mu, cov,
         "A Gaussian is at distance 0 from itself: Tr(cov + cov - 2 (cov cov)^(1/2)) = Tr(2 cov - 2 cov) = 0. "
         "Check the factor 2 on the cross term and that it is the square root of the product."),
        ("1D: N(0, 1) and N(3, 2^2)", np.array([0.0]), np.array([[1.0]]), np.array([3.0]), np.array([[4.0]]),
         "In 1D the distance is (mu1 - mu2)^2 + (sigma1 - sigma2)^2 = 9 + 1 = 10: the squared difference of the "
         "means (not its norm), and the squared distance itself (not its square root)."),
        ("diagonal covariances (3D)", np.array([1.0, 0.0, -1.0]), np.diag([1.0, 4.0, 9.0]), np.zeros(3),
         np.diag([4.0, 1.0, 0.25]), "For diagonal covariances the distance is the sum of the 1D distances: sum "
         "the squared mean differences over the dimensions (not their mean), and take the trace of the matrix "
         "square root (the sum of square roots of eigenvalues, not the square root of a trace)."),
        ("full covariances that do not commute (4D)", rng.standard_normal(4), full1, rng.standard_normal(4), full2,
         "(cov1 cov2)^(1/2) is the matrix square root of the matrix product cov1 @ cov2 (scipy.linalg.sqrtm, or the "
         "square roots of its eigenvalues): not an elementwise square root, not sqrtm(cov1) @ sqrtm(cov2), and "
         "the off-diagonal entries count."),
        ("singular covariances (4 samples in 8 dimensions)", rng.standard_normal(8), rank1, rng.standard_normal(8),
         rank2, "Covariances estimated from fewer samples than dimensions are singular; the formula still holds "
         "(the eigenvalues of cov1 @ cov2 are >= 0 up to round-off: clip them at 0 before the square root)."),
        ("point masses (zero covariances)", np.array([0.5, -1.0]), np.zeros((2, 2)), np.array([-1.5, 2.0]),
         np.zeros((2, 2)), "Two points: only the squared distance between the means remains, 4 + 9 = 13."),
    ]
    for case, mu1, cov1, mu2, cov2, hint in cases:
        received = _real_number(_call(student_fn, case, mu1.copy(), cov1.copy(), mu2.copy(), cov2.copy(),
                                      expected="one number"), case)
        _number_close(received, metrics.frechet_distance(mu1, cov1, mu2, cov2), case, hint)
    _passed("frechet_distance", len(cases))


@exercise_check(seed=61)
def inception_score(student_fn: Callable) -> None:
    """Check ``student_fn(probs, splits)``: the Inception Score of class probabilities (N, K), the mean over
    ``np.array_split(probs, splits)`` of ``exp(mean_x KL(p(y|x) || p(y)))`` with p(y) the split's mean row."""
    rng = np.random.default_rng(7)
    one_hot = np.eye(10)[np.arange(50) % 10]  # 5 confident predictions of each of 10 classes
    sorted_one_hot = np.eye(4)[[0, 0, 1, 1, 2, 2, 2, 2, 0, 1, 2, 3]]  # splits of 4: classes {0, 1}, {2}, {0..3}
    cases = [
        ("confident and balanced (one-hot, 10 classes)", one_hot, 1,
         "Ten classes predicted with certainty, equally often: the score is 10. Probabilities of exactly 0 appear: "
         "0 log 0 = 0 (scipy.special.xlogy, or clip the probabilities before the log). The score is exp of the "
         "mean KL, with natural logarithms."),
        ("every image the same class", np.eye(10)[np.full(20, 3)], 1,
         "One class for every image: p(y|x) = p(y), every KL is 0 and the score is exp(0) = 1. p(y) is the mean "
         "over the images (axis 0), not over the classes."),
        ("uncertain predictions (uniform rows)", np.full((20, 10), 0.1), 1,
         "p(y|x) = p(y) = uniform: the score is 1."),
        ("random predictions", rng.dirichlet(np.full(6, 0.3), size=40), 1,
         "IS = exp(mean over images of KL(p(y|x) || p(y))), KL(p || q) = sum p log(p / q), p(y) = the mean row: "
         "the exp comes after the mean. The inputs are probabilities already (no softmax)."),
        ("3 splits of class-sorted predictions", sorted_one_hot, 3,
         "Each split has its own marginal p(y) (the mean row of that split) and its own score; the result is the "
         "mean of the splits' scores: here (2 + 1 + 4) / 3. Splits are consecutive blocks of rows."),
        ("random predictions, 4 splits of unequal size", rng.dirichlet(np.full(5, 0.5), size=42), 4,
         "Split with np.array_split(probs, splits) and average the splits' scores."),
        ("a single image", rng.dirichlet(np.full(7, 1.0), size=1), 1,
         "One image: p(y) = p(y|x), the KL is 0 and the score is 1."),
        ("one split per image", rng.dirichlet(np.full(3, 1.0), size=5), 5,
         "Each split of one image scores 1, and so does their mean."),
    ]
    for case, probs, splits, hint in cases:
        received = _call(student_fn, case, probs.copy(), splits, expected="one number (the mean over the splits)")
        if isinstance(received, (tuple, list)):
            raise AssertionError(f"case '{case}': expected one number (the mean over the splits), received a "
                                 f"{type(received).__name__} of {len(received)} values")
        _number_close(_real_number(received, case), metrics.inception_score(probs, splits)[0], case, hint)
    _passed("inception_score", len(cases))


# --------------------------------------------------------------------------- the open exercise

PICK = 1000  # images the student picks


@exercise_check(seed=80)
def precision_without_recall(student_fn) -> None:
    """Check (open exercise): grade ``pick(images, labels) -> (1000, 1, 28, 28)``, real training digits chosen so that, scored against the
    held-out digits, precision is at least 0.8 (1,000 random training digits score about 0.83) and recall at most
    0.5: quality without variety."""
    from .. import evaluation
    from ..data import load_mnist

    train, test = load_mnist("train"), load_mnist("test")
    picked = _call(student_fn, "your pick", train.images.clone(), train.labels.clone(),
                   expected=f"a tensor of shape ({PICK}, 1, 28, 28)")
    if not isinstance(picked, Tensor) or tuple(picked.shape) != (PICK, 1, 28, 28):
        raise AssertionError(f"case 'your pick': expected a tensor of shape ({PICK}, 1, 28, 28), received "
                             f"{_describe(picked)}")
    _, distance = evaluation.nearest_neighbours(picked.detach().float(), train.images)
    if distance.max() > 1e-6:
        raise AssertionError(f"case 'your pick': expected real training digits, unchanged: {(distance > 1e-6).sum().item()} of your "
                             "images are not in the training set")
    scores = evaluation.Scorer(evaluation.load_classifier(), real=test.images).score(picked.detach().float())
    if scores.precision < 0.8 or scores.recall > 0.5:
        raise AssertionError(f"your {PICK} digits score precision {scores.precision:.3f}, recall {scores.recall:.3f} "
                             f"(FID {scores.fid:.1f}, {scores.classes}/10 classes); target precision >= 0.8 and recall "
                             "<= 0.5. Hint: real digits are all of high quality; what limits recall is how much of "
                             "the held-out digits' variety your set covers")
    print(f"✔ precision_without_recall passed: precision {scores.precision:.3f}, recall {scores.recall:.3f}, FID "
          f"{scores.fid:.1f}, {scores.classes}/10 classes: real digits, and still a poor generator's scores")
