"""Lesson 08's checks (frechet_distance, inception_score; the open cherry_picked_is) accept the references and
reject plausible mistakes."""

import math

import numpy as np
import pytest
import torch
from check_helpers import assert_rejected, mistake_ids, solutions, stub
from scipy import linalg
from scipy.special import softmax, xlogy

from gan_course import checks, metrics

pytestmark = pytest.mark.filterwarnings("ignore::scipy.linalg.LinAlgWarning")  # sqrtm of the singular cases

# --------------------------------------------------------------------------- frechet_distance


def fd_sqrtm(mu1, cov1, mu2, cov2):
    return float(((mu1 - mu2) ** 2).sum() + np.trace(cov1 + cov2 - 2 * linalg.sqrtm(cov1 @ cov2).real))


def fd_eigenvalues(mu1, cov1, mu2, cov2):  # also correct: the trace of the root from the eigenvalues
    cross = np.sqrt(np.clip(np.linalg.eigvals(cov1 @ cov2).real, 0, None)).sum()
    return ((mu1 - mu2) ** 2).sum() + np.trace(cov1) + np.trace(cov2) - 2 * cross


def fd_no_factor_two(mu1, cov1, mu2, cov2):
    return ((mu1 - mu2) ** 2).sum() + np.trace(cov1 + cov2 - linalg.sqrtm(cov1 @ cov2).real)


def fd_cov_not_its_root(mu1, cov1, mu2, cov2):
    return ((mu1 - mu2) ** 2).sum() + np.trace(cov1 + cov2 - 2 * cov1 @ cov2)


def fd_elementwise_sqrt(mu1, cov1, mu2, cov2):
    with np.errstate(invalid="ignore"):  # negative off-diagonal products: nan, outside the trace
        return ((mu1 - mu2) ** 2).sum() + np.trace(cov1 + cov2 - 2 * np.sqrt(cov1 * cov2))


def fd_product_of_roots(mu1, cov1, mu2, cov2):
    return ((mu1 - mu2) ** 2).sum() + np.trace(cov1 + cov2 - 2 * linalg.sqrtm(cov1).real @ linalg.sqrtm(cov2).real)


def fd_square_root_taken(mu1, cov1, mu2, cov2):
    return math.sqrt(fd_sqrtm(mu1, cov1, mu2, cov2))  # the distance, not the squared distance FID reports


def fd_mean_norm_not_squared(mu1, cov1, mu2, cov2):
    return np.linalg.norm(mu1 - mu2) + np.trace(cov1 + cov2 - 2 * linalg.sqrtm(cov1 @ cov2).real)


def fd_complex(mu1, cov1, mu2, cov2):
    return ((mu1 - mu2) ** 2).sum() + np.trace(cov1 + cov2 - 2 * linalg.sqrtm(cov1 @ cov2))  # no .real


def fd_no_trace_term(mu1, cov1, mu2, cov2):
    return float(((mu1 - mu2) ** 2).sum())  # the covariances forgotten


def fd_absolute_mean_difference(mu1, cov1, mu2, cov2):
    return np.abs(mu1 - mu2).sum() + np.trace(cov1 + cov2 - 2 * linalg.sqrtm(cov1 @ cov2).real)


def fd_square_root_of_trace(mu1, cov1, mu2, cov2):
    return ((mu1 - mu2) ** 2).sum() + np.trace(cov1 + cov2) - 2 * np.sqrt(np.trace(cov1 @ cov2))  # right in 1D only


def fd_mean_over_dimensions(mu1, cov1, mu2, cov2):
    return ((mu1 - mu2) ** 2).mean() + np.trace(cov1 + cov2 - 2 * linalg.sqrtm(cov1 @ cov2).real)


def fd_unclipped_eigenvalues(mu1, cov1, mu2, cov2):
    with np.errstate(invalid="ignore"):  # round-off makes some eigenvalues of a singular product slightly negative
        cross = np.sqrt(np.linalg.eigvals(cov1 @ cov2).real).sum()
    return ((mu1 - mu2) ** 2).sum() + np.trace(cov1) + np.trace(cov2) - 2 * cross


def fd_diagonals_only(mu1, cov1, mu2, cov2):  # the 1D formula per dimension: ignores the correlations
    return ((mu1 - mu2) ** 2).sum() + ((np.sqrt(np.diag(cov1)) - np.sqrt(np.diag(cov2))) ** 2).sum()


def fd_forgot_the_trace(mu1, cov1, mu2, cov2):
    return ((mu1 - mu2) ** 2).sum() + cov1 + cov2 - 2 * linalg.sqrtm(cov1 @ cov2).real  # a matrix


# --------------------------------------------------------------------------- inception_score


def _is(probs, splits, kl=None, marginal="split", after=np.exp, per_image=False, axis=0, reduce=np.mean,
        combine=np.mean, split=np.array_split):
    """The Inception Score with switches for the mistakes the check must catch."""
    scores = []
    for part in split(probs, splits):
        m = part.mean(axis, keepdims=True) if marginal == "split" else probs.mean(0, keepdims=True)
        divergence = kl(part, m) if kl else (xlogy(part, part) - xlogy(part, m)).sum(1)
        scores.append(np.exp(divergence).mean() if per_image else after(reduce(divergence)))
    return float(combine(scores))


def is_kl_reversed(probs, splits):
    with np.errstate(divide="ignore"):
        return _is(probs, splits, kl=lambda p, m: (m * (np.log(m) - np.log(p))).sum(1))


def is_no_exp(probs, splits):
    return _is(probs, splits, after=lambda x: x)


def is_whole_set_marginal(probs, splits):
    return _is(probs, splits, marginal="all")


def is_log2(probs, splits):
    return _is(probs, splits, kl=lambda p, m: (xlogy(p, p) - xlogy(p, m)).sum(1) / math.log(2))


def is_exp_per_image(probs, splits):
    return _is(probs, splits, per_image=True)


def is_geometric_mean_of_splits(probs, splits):
    return float(np.exp(np.mean([np.log(_is(part, 1)) for part in np.array_split(probs, splits)])))


def is_entropies_swapped(probs, splits):
    return 1 / _is(probs, splits)  # exp(E H(y|x) - H(y))


def is_naive_log(probs, splits):
    with np.errstate(divide="ignore", invalid="ignore"):
        return _is(probs, splits, kl=lambda p, m: (p * np.log(p / m)).sum(1))  # 0 log 0 = nan


def is_mean_and_std(probs, splits):
    return metrics.inception_score(probs, splits)  # the package's (mean, std): the exercise asks for the mean


def is_marginal_over_classes(probs, splits):
    return _is(probs, splits, axis=1)  # the mean over the wrong axis: 1/K for every row


def is_summed_kl(probs, splits):
    return _is(probs, splits, reduce=np.sum)


def is_median_of_splits(probs, splits):
    return _is(probs, splits, combine=np.median)


def is_clipped_probabilities(probs, splits):
    return _is(np.clip(probs, 1e-3, 1.0), splits)  # an epsilon that changes the distribution


def is_split_by_reshape(probs, splits):
    return _is(probs, splits, split=lambda p, n: p.reshape(n, -1, p.shape[1]))  # needs a divisible N


def is_strided_splits(probs, splits):
    return _is(probs, splits, split=lambda p, n: [p[i::n] for i in range(n)])


def is_exp_entropy_of_marginal(probs, splits):
    m = probs.mean(0)
    return float(np.exp(-xlogy(m, m).sum()))  # exp(H(y)): forgets the E H(y|x) term


def is_split_scores(probs, splits):
    return [_is(part, 1) for part in np.array_split(probs, splits)]


def is_softmax_again(probs, splits):
    return _is(softmax(probs, axis=1), splits)  # the inputs are probabilities already


def test_lesson_08_checks_accept_references(capsys):
    checks.frechet_distance(metrics.frechet_distance)
    checks.frechet_distance(fd_sqrtm)
    checks.frechet_distance(fd_eigenvalues)
    checks.inception_score(lambda probs, splits: metrics.inception_score(probs, splits)[0])
    checks.inception_score(_is)
    lesson = solutions("08_evaluating_gans")
    checks.frechet_distance(lesson["frechet_distance"])
    checks.inception_score(lesson["inception_score"])
    assert capsys.readouterr().out.count("passed") == 7


OLD_MISTAKES = [
    (checks.frechet_distance, stub, "not implemented yet"),
    (checks.frechet_distance, fd_no_factor_two, "identical Gaussians"),
    (checks.frechet_distance, fd_cov_not_its_root, "identical Gaussians"),
    (checks.frechet_distance, fd_elementwise_sqrt, "do not commute"),
    (checks.frechet_distance, fd_product_of_roots, "do not commute"),
    (checks.frechet_distance, fd_square_root_taken, "not its square root"),
    (checks.frechet_distance, fd_mean_norm_not_squared, "(not its norm)"),
    (checks.frechet_distance, fd_complex, "keep the real part"),
    (checks.inception_score, stub, "not implemented yet"),
    (checks.inception_score, is_kl_reversed, "received inf"),
    (checks.inception_score, is_no_exp, "received 2.302585"),
    (checks.inception_score, is_whole_set_marginal, "its own marginal"),
    (checks.inception_score, is_log2, "natural logarithms"),
    (checks.inception_score, is_exp_per_image, "the exp comes after the mean"),
    (checks.inception_score, is_geometric_mean_of_splits, "mean of the splits' scores"),
    (checks.inception_score, is_entropies_swapped, "received 0.100000"),
    (checks.inception_score, is_naive_log, "0 log 0 = 0"),
    (checks.inception_score, is_mean_and_std, "expected one number"),
]

NEW_MISTAKES = [
    (checks.frechet_distance, fd_no_trace_term, "case '1D: N(0, 1) and N(3, 2^2)': expected 10.000000, received "
                                                "9.000000"),
    (checks.frechet_distance, fd_absolute_mean_difference, "case '1D: N(0, 1) and N(3, 2^2)': expected 10.000000, "
                                                           "received 4.000000"),
    (checks.frechet_distance, fd_square_root_of_trace, "case 'identical Gaussians': expected 0.000000"),
    (checks.frechet_distance, fd_mean_over_dimensions, "case 'diagonal covariances (3D)'"),
    (checks.frechet_distance, fd_unclipped_eigenvalues, "case 'singular covariances (4 samples in 8 dimensions)'"),
    (checks.frechet_distance, fd_diagonals_only, "case 'full covariances that do not commute (4D)'"),
    (checks.frechet_distance, fd_forgot_the_trace, "expected one number, received a ndarray of shape (3, 3)"),
    (checks.inception_score, is_marginal_over_classes, "case 'every image the same class': expected 1.000000, "
                                                       "received 10.000000"),
    (checks.inception_score, is_summed_kl, "case 'confident and balanced (one-hot, 10 classes)'"),
    (checks.inception_score, is_median_of_splits, "case '3 splits of class-sorted predictions': expected 2.333333, "
                                                  "received 2.000000"),
    (checks.inception_score, is_clipped_probabilities, "case 'confident and balanced (one-hot, 10 classes)'"),
    (checks.inception_score, is_split_by_reshape, "case 'random predictions, 4 splits of unequal size': expected one "
                                                  "number (the mean over the splits), received an error instead"),
    (checks.inception_score, is_strided_splits, "case '3 splits of class-sorted predictions'"),
    (checks.inception_score, is_exp_entropy_of_marginal, "case 'uncertain predictions (uniform rows)': expected "
                                                         "1.000000, received 10.000000"),
    (checks.inception_score, is_split_scores, "expected one number (the mean over the splits), received a list of"),
    (checks.inception_score, is_softmax_again, "case 'confident and balanced (one-hot, 10 classes)'"),
]


@pytest.mark.parametrize("check, wrong, fragment", OLD_MISTAKES + NEW_MISTAKES,
                         ids=mistake_ids(OLD_MISTAKES + NEW_MISTAKES))
def test_lesson_08_checks_reject_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)


# --------------------------------------------------------------------------- cherry_picked_is


def most_confident_per_class(images, probs):  # the lesson's idea, written another way: 100 of each digit
    confidence, label = probs.max(1)
    order = torch.argsort(confidence, descending=True)
    keep = torch.cat([order[label[order] == digit][:100] for digit in range(10)])
    return images[keep]


def most_confident_overall(images, probs):  # confident, but the digits the judge is surest of dominate
    return images[probs.max(1).values.argsort(descending=True)[:1000]]


def test_cherry_picked_is_grades_the_score(capsys):
    checks.cherry_picked_is(solutions("08_evaluating_gans")["cherry_pick"])
    checks.cherry_picked_is(most_confident_per_class)
    out = capsys.readouterr().out
    assert out.count("✔ cherry_picked_is passed") == 2 and "samples as they come" in out
    assert_rejected(checks.cherry_picked_is, lambda images, probs: images[:1000], "expected an Inception Score of at "
                                                                                   "least 9.4")
    assert_rejected(checks.cherry_picked_is, most_confident_overall, "balance / hesitation")
    clamped = lambda images, probs: most_confident_per_class(images, probs).clamp(-0.9, 0.9)  # noqa: E731
    assert_rejected(checks.cherry_picked_is, clamped, "images that are not among the 4000")
    best_ten = lambda images, probs: images[probs.max(1).values.argsort(descending=True)[:10]]  # noqa: E731
    assert_rejected(checks.cherry_picked_is, lambda images, probs: best_ten(images, probs).repeat(100, 1, 1, 1), "expected 1000 different samples, received 10 different ones")
    assert_rejected(checks.cherry_picked_is, lambda images, probs: images[:999], "shape (1000, 1, 28, 28)")
    assert_rejected(checks.cherry_picked_is, stub, "not implemented yet")
