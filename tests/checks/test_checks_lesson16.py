"""Lesson 16's checks (latent_search; the open alarm_threshold) accept the references and reject plausible
mistakes."""

import pytest
import torch
from check_helpers import assert_rejected, mistake_ids, solutions, stub

from gan_course import checks, metrics
from gan_course.models import anogan

# --------------------------------------------------------------------------- latent_search


def reference(G, D, x, z0, steps, lam, lr):
    z, loss, _ = anogan.latent_search(G, D, x, steps, lam, lr, z0=z0)
    return z, loss


def _search(G, D, x, z0, steps, lam, lr, *, optimizer=torch.optim.Adam, reduce="sum", train_mode=False,
            final="after", in_place=False, freeze=True):
    G.train(train_mode)
    D.train(train_mode)
    if freeze:
        G.requires_grad_(False)
        D.requires_grad_(False)
    z = z0.requires_grad_(True) if in_place else z0.clone().requires_grad_(True)
    params = [z] if freeze else [z, *G.parameters(), *D.parameters()]
    opt = optimizer(params, lr=lr)
    last = anogan.search_loss(G, D, x, z, lam).detach()
    for _ in range(steps):
        loss = anogan.search_loss(G, D, x, z, lam)
        last = loss.detach()
        opt.zero_grad()
        getattr(loss, reduce)().backward()
        opt.step()
    with torch.no_grad():
        after = anogan.search_loss(G, D, x, z, lam)
    G.requires_grad_(True)
    D.requires_grad_(True)
    return z.detach(), (after if final == "after" else last)


def sgd(*a):
    return _search(*a, optimizer=torch.optim.SGD)


def train_mode(*a):
    return _search(*a, train_mode=True)


def loss_before_last_step(*a):
    return _search(*a, final="before")


def modifies_z0(*a):
    return _search(*a, in_place=True)


def also_trains_g_and_d(*a):
    return _search(*a, freeze=False)


def one_step_short(G, D, x, z0, steps, lam, lr):
    return _search(G, D, x, z0, max(steps - 1, 0), lam, lr)


def residual_only(G, D, x, z0, steps, lam, lr):
    return _search(G, D, x, z0, steps, 0.0, lr)


def loss_only(G, D, x, z0, steps, lam, lr):
    return _search(G, D, x, z0, steps, lam, lr)[1]


def test_latent_search_accepts_references(capsys):
    checks.latent_search(reference)
    checks.latent_search(solutions("16_anomaly_gans")["search"])
    assert capsys.readouterr().out.count("passed") == 2


MISTAKES = [
    (checks.latent_search, stub, "not implemented yet"),
    (checks.latent_search, sgd, "away"),
    (checks.latent_search, train_mode, "eval mode"),
    (checks.latent_search, loss_before_last_step, "final z"),
    (checks.latent_search, modifies_z0, "z0 unchanged"),
    (checks.latent_search, also_trains_g_and_d, "stay as they were"),
    (checks.latent_search, one_step_short, "away"),
    (checks.latent_search, residual_only, "case '3 images, 5 steps"),
    (checks.latent_search, loss_only, "a pair of tensors"),
]


@pytest.mark.parametrize("check, wrong, fragment", MISTAKES, ids=mistake_ids(MISTAKES))
def test_latent_search_rejects_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)


# --------------------------------------------------------------------------- alarm_threshold (open)


def test_alarm_threshold_accepts_the_reference_and_an_interpolated_quantile(capsys):
    checks.alarm_threshold(solutions("16_anomaly_gans")["alarm_threshold"])
    checks.alarm_threshold(lambda s, rate: torch.quantile(s, 1 - rate, interpolation="higher").item())
    out = capsys.readouterr().out
    assert out.count("passed") == 2 and "held out" in out


def too_high(scores, rate):                 # never a false alarm, and few detections
    return scores.max().item() + 1.0


def too_low(scores, rate):                  # the rate's quantile from the wrong end
    return metrics.threshold_at(scores, 1 - rate)


def mean_plus_two_sd(scores, rate):         # a Gaussian guess that ignores the budget
    return (scores.mean() + 0.5 * scores.std()).item()


def interpolated_quantile(scores, rate):    # between two scores: one normal image too many above it
    return torch.quantile(scores, 1 - rate).item()


def sorts_in_place(scores, rate):
    scores.copy_(scores.sort().values)
    return metrics.threshold_at(scores, rate)


ALARM_MISTAKES = [
    (checks.alarm_threshold, stub, "not implemented yet"),
    (checks.alarm_threshold, too_high, "higher than it needs to be"),
    (checks.alarm_threshold, too_low, "calibration scores above"),
    (checks.alarm_threshold, mean_plus_two_sd, "budget 5%"),
    (checks.alarm_threshold, interpolated_quantile, "take a higher quantile"),
    (checks.alarm_threshold, sorts_in_place, "modified in place"),
]


@pytest.mark.parametrize("check, wrong, fragment", ALARM_MISTAKES, ids=mistake_ids(ALARM_MISTAKES))
def test_alarm_threshold_rejects_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)
