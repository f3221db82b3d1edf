"""Checks of lesson 08, evaluating GANs: the Fréchet distance between two Gaussians (the "F" of FID) and
the Inception Score of class probabilities, both on NumPy inputs; the open exercise raises the Inception Score of
a generator by choosing its samples.

The cases include degenerate inputs the formulas must survive: identical Gaussians, singular and zero
covariances, one-hot predictions (probabilities of exactly 0), a single image, a split per image.

Taught in: lesson 08
"""

from __future__ import annotations

import functools
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

CHERRY_SAMPLES = 4000  # DCGAN samples the student chooses from
CHERRY_PICK = 1000     # images the student keeps
CHERRY_TARGET = 9.4    # the Inception Score to reach (1,000 held-out real digits score 9.45 in the same 10 splits)


@functools.lru_cache(maxsize=1)
def _cherry_pool():
    """The check's fixed material, made once per session: 4,000 samples of the committed DCGAN (seed 80), the
    judge's class probabilities for them, a Scorer against the held-out digits, and the scores of the first
    1,000 samples (samples as they come)."""
    from .. import evaluation
    from ..data import load_mnist
    from ..models import dcgan

    classifier = evaluation.load_classifier()
    G, _ = dcgan.load("dcgan")
    images = evaluation.sample_images(G, CHERRY_SAMPLES, seed=80)
    scorer = evaluation.Scorer(classifier, real=load_mnist("test", verbose=False).images)
    return images, evaluation.class_probabilities(classifier, images), scorer, scorer.score(images[:CHERRY_PICK])


@exercise_check(seed=81, threads=None)  # convolutional networks: every thread
def cherry_picked_is(student_fn: Callable) -> None:
    """Check (open exercise): grade ``cherry_pick(images, probs) -> (1000, 1, 28, 28)``, 1,000 different samples
    of the committed DCGAN chosen from 4,000 (``probs``: the judge's class probabilities, (4000, 10), in the
    images' order) so that their Inception Score (10 splits) is at least 9.4; the pass message sets the pick's FID
    and recall beside those of 1,000 samples taken as they come."""
    from ..evaluation import nearest_neighbours

    images, probs, scorer, as_they_come = _cherry_pool()
    case = "your pick"
    picked = _call(student_fn, case, images.clone(), probs.clone(),
                   expected=f"a tensor of shape ({CHERRY_PICK}, 1, 28, 28)")
    if not isinstance(picked, Tensor) or tuple(picked.shape) != (CHERRY_PICK, 1, 28, 28):
        raise AssertionError(f"case '{case}': expected a tensor of shape ({CHERRY_PICK}, 1, 28, 28), received "
                             f"{_describe(picked)}")
    picked = picked.detach().float().cpu()
    index, distance = nearest_neighbours(picked, images)
    if distance.max() > 1e-6:
        raise AssertionError(f"case '{case}': expected the generator's samples, unchanged, received "
                             f"{(distance > 1e-6).sum().item()} images that are not among the {CHERRY_SAMPLES}")
    if len(index.unique()) < CHERRY_PICK:
        raise AssertionError(f"case '{case}': expected {CHERRY_PICK} different samples, received "
                             f"{len(index.unique())} different ones (the others are copies)")
    chosen = scorer.score(picked)
    if chosen.inception_score < CHERRY_TARGET:
        raise AssertionError(
            f"case '{case}': expected an Inception Score of at least {CHERRY_TARGET}, received "
            f"{chosen.inception_score:.2f} ({CHERRY_PICK} samples as they come score "
            f"{as_they_come.inception_score:.2f}). Hint: with one split the IS is balance / hesitation (section 4); "
            "which samples is the judge surest of, and how many of each digit should you keep?")
    print(f"✔ cherry_picked_is passed: IS {chosen.inception_score:.2f} (samples as they come: "
          f"{as_they_come.inception_score:.2f}), FID {chosen.fid:.1f} ({as_they_come.fid:.1f}), recall "
          f"{chosen.recall:.3f} ({as_they_come.recall:.3f}): the same generator, a better score")
