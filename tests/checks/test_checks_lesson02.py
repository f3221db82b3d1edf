"""Lesson 02's checks (KL, JS, W1) accept the references and reject plausible mistakes."""

import math

import pytest
import torch
from check_helpers import assert_rejected, mistake_ids, solutions, stub

from gan_course import checks, metrics

# --------------------------------------------------------------------------- kl_divergence


def kl_swapped(p, q):
    return metrics.kl_divergence(q, p)


def kl_naive(p, q):
    return (p * torch.log(p / q)).sum()  # 0 log 0 = nan


def kl_log2(p, q):
    return (torch.xlogy(p, p) - torch.xlogy(p, q)).sum() / math.log(2)  # bits, not nats


def kl_eps(p, q):
    return (p * torch.log((p + 1e-10) / (q + 1e-10))).sum()  # finite where it must be inf


def kl_mean_not_sum(p, q):
    return (torch.xlogy(p, p) - torch.xlogy(p, q)).mean()


def kl_masked_by_q(p, q):
    return torch.where(q > 0, p * torch.log(p / q), torch.zeros_like(p)).sum()  # the mask belongs to p


def kl_ignores_missing_mass(p, q):
    both = (p > 0) & (q > 0)
    return (p[both] * torch.log(p[both] / q[both])).sum()  # 0 where q misses p's mass, instead of inf


def kl_log10(p, q):
    return (torch.xlogy(p, p) - torch.xlogy(p, q)).sum() / math.log(10)


def kl_cross_entropy(p, q):
    return -torch.xlogy(p, q).sum()  # forgot the entropy term: H(p, q), not KL


def kl_per_outcome(p, q):
    return torch.xlogy(p, p) - torch.xlogy(p, q)  # no sum


def kl_nan_to_num(p, q):
    return torch.nan_to_num(p * torch.log(p / q)).sum()  # nan -> 0 is right, but inf -> 3.4e38 is not


def kl_nansum(p, q):
    return (p * torch.log(p / q)).nansum()  # also correct: 0 log 0 = nan is skipped, inf stays inf


# --------------------------------------------------------------------------- js_divergence


def js_without_halves(p, q):
    m = (p + q) / 2
    return metrics.kl_divergence(p, m) + metrics.kl_divergence(q, m)


def js_one_sided(p, q):
    return metrics.kl_divergence(p, (p + q) / 2)


def _kl(p, q):
    return (torch.xlogy(p, p) - torch.xlogy(p, q)).sum()


def js_mixture_not_halved(p, q):
    m = p + q
    return 0.5 * _kl(p, m) + 0.5 * _kl(q, m)


def js_log2(p, q):
    return metrics.js_divergence(p, q) / math.log(2)


def js_symmetrised_kl(p, q):
    return 0.5 * _kl(p, q) + 0.5 * _kl(q, p)


def js_distance(p, q):
    return math.sqrt(metrics.js_divergence(p, q))


def js_naive(p, q):
    m = (p + q) / 2
    return 0.5 * (p * torch.log(p / m)).sum() + 0.5 * (q * torch.log(q / m)).sum()


def js_mean_not_sum(p, q):
    m = (p + q) / 2
    return 0.5 * (torch.xlogy(p, p) - torch.xlogy(p, m)).mean() + 0.5 * (torch.xlogy(q, q) - torch.xlogy(q, m)).mean()


# --------------------------------------------------------------------------- wasserstein1_1d


def w1_unsorted(x, y):
    return (x - y).abs().mean()


def w1_signed(x, y):
    return (x.sort().values - y.sort().values).mean()


def w1_means(x, y):
    return (x.mean() - y.mean()).abs()


def w1_sort_only_x(x, y):
    return (x.sort().values - y).abs().mean()


def w1_sum(x, y):
    return (x.sort().values - y.sort().values).abs().sum()


def w1_squared(x, y):
    return ((x.sort().values - y.sort().values) ** 2).mean()  # W2 squared


def w1_w2(x, y):
    return ((x.sort().values - y.sort().values) ** 2).mean().sqrt()


def w1_one_descending(x, y):
    return (x.sort().values - y.sort(descending=True).values).abs().mean()


def w1_sort_indices(x, y):
    return (x.sort().indices - y.sort().indices).abs().float().mean()


def w1_largest_gap(x, y):
    return (x.sort().values - y.sort().values).abs().max()  # W-infinity


def w1_per_sample(x, y):
    return (x.sort().values - y.sort().values).abs()


def test_lesson_02_checks_accept_references(capsys):
    checks.kl_divergence(metrics.kl_divergence)
    checks.kl_divergence(kl_nansum)
    checks.js_divergence(metrics.js_divergence)
    checks.wasserstein1_1d(lambda x, y: (x.sort().values - y.sort().values).abs().mean())
    checks.wasserstein1_1d(metrics.wasserstein1)
    lesson = solutions("02_divergences")
    checks.kl_divergence(lesson["kl_divergence"])
    checks.js_divergence(lesson["js_divergence"])
    checks.wasserstein1_1d(lesson["wasserstein1_1d"])
    assert capsys.readouterr().out.count("passed") == 8


OLD_MISTAKES = [
    (checks.kl_divergence, stub, "not implemented yet"),
    (checks.kl_divergence, kl_swapped, "two outcomes"),
    (checks.kl_divergence, kl_naive, "p has a zero"),
    (checks.kl_divergence, kl_log2, "two outcomes"),
    (checks.js_divergence, stub, "not implemented yet"),
    (checks.js_divergence, js_without_halves, "two outcomes"),
    (checks.js_divergence, js_one_sided, "two outcomes"),
    (checks.wasserstein1_1d, stub, "not implemented yet"),
    (checks.wasserstein1_1d, w1_unsorted, "unsorted samples"),
    (checks.wasserstein1_1d, w1_signed, "a shift"),
    (checks.wasserstein1_1d, w1_means, "crossing distributions"),
]

NEW_MISTAKES = [
    (checks.kl_divergence, kl_eps, "case 'q has a zero where p does not': expected inf"),
    (checks.kl_divergence, kl_mean_not_sum, "case 'two outcomes'"),
    (checks.kl_divergence, kl_masked_by_q, "case 'p has a zero': expected 0.255413, received nan"),
    (checks.kl_divergence, kl_ignores_missing_mass, "case 'q has a zero where p does not': expected inf, received"),
    (checks.kl_divergence, kl_log10, "case 'two outcomes'"),
    (checks.kl_divergence, kl_cross_entropy, "case 'identical': expected 0.000000, received 1.039721"),
    (checks.kl_divergence, kl_per_outcome, "expected one number, received a tensor of shape (3,)"),
    (checks.kl_divergence, kl_nan_to_num, "case 'q has a zero where p does not': expected inf"),
    (checks.js_divergence, js_mixture_not_halved, "case 'identical': expected 0.000000, received -0.693147"),
    (checks.js_divergence, js_log2, "case 'two outcomes'"),
    (checks.js_divergence, js_symmetrised_kl, "case 'two outcomes'"),
    (checks.js_divergence, js_distance, "case 'two outcomes'"),
    (checks.js_divergence, js_naive, "case 'p has a zero'"),
    (checks.js_divergence, js_mean_not_sum, "case 'two outcomes'"),
    (checks.wasserstein1_1d, w1_sort_only_x, "case 'random samples'"),
    (checks.wasserstein1_1d, w1_sum, "case 'a shift': expected 3.000000, received 9.000000"),
    (checks.wasserstein1_1d, w1_squared, "case 'a shift': expected 3.000000, received 9.000000"),
    (checks.wasserstein1_1d, w1_w2, "case 'unsorted samples': expected 2.000000"),
    (checks.wasserstein1_1d, w1_one_descending, "case 'unsorted samples': expected 2.000000"),
    (checks.wasserstein1_1d, w1_sort_indices, "case 'a shift': expected 3.000000, received 0.000000"),
    (checks.wasserstein1_1d, w1_largest_gap, "case 'unsorted samples': expected 2.000000, received 3.000000"),
    (checks.wasserstein1_1d, w1_per_sample, "expected one number, received a tensor of shape (3,)"),
]


@pytest.mark.parametrize("check, wrong, fragment", OLD_MISTAKES + NEW_MISTAKES,
                         ids=mistake_ids(OLD_MISTAKES + NEW_MISTAKES))
def test_lesson_02_checks_reject_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)


def test_critic_w1_grades_the_estimate():  # the reference passes in test_checks_package.py
    with pytest.raises(AssertionError, match="reads too little"):  # the paper's lr: not converged in 1,500 updates
        checks.critic_w1(lambda: {"steps": 1500, "lr": 1e-4, "gp_weight": 10.0})
    with pytest.raises(AssertionError, match="reads too much"):  # converged, but the soft penalty's slope > 1
        checks.critic_w1(lambda: {"steps": 1500, "lr": 1e-3, "gp_weight": 10.0})
    with pytest.raises(AssertionError, match="'steps' to be"):
        checks.critic_w1(lambda: {"steps": 10_000, "lr": 1e-3, "gp_weight": 10.0})
    with pytest.raises(AssertionError, match="not implemented"):
        checks.critic_w1(stub)
