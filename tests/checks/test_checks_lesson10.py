"""Lesson 10's checks (matching_aware_d_loss; the open caption_accuracy) accept the references and reject
plausible mistakes."""

import pytest
import torch
import torch.nn.functional as F
from check_helpers import assert_rejected, mistake_ids, solutions, stub

from gan_course import checks, losses

# --------------------------------------------------------------------------- matching_aware_d_loss


def bce_reference(real, fake, wrong):  # written as a student would, with binary cross-entropy
    return (F.binary_cross_entropy_with_logits(real, torch.ones_like(real))
            + 0.5 * F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake))
            + 0.5 * F.binary_cross_entropy_with_logits(wrong, torch.zeros_like(wrong)))


def full_weights(real, fake, wrong):  # the wrong pairs added at full weight
    return losses.minimax_d_loss(real, fake) + F.softplus(wrong).mean()


def wrong_as_positive(real, fake, wrong):  # a wrong pair counted as real
    return F.softplus(-real).mean() + 0.5 * (F.softplus(fake).mean() + F.softplus(-wrong).mean())


def naive_log(real, fake, wrong):  # log(1 - sigmoid) in float32
    s = torch.sigmoid
    return -torch.log(s(real)).mean() - 0.5 * (torch.log(1 - s(fake)).mean() + torch.log(1 - s(wrong)).mean())


def pooled_negatives(real, fake, wrong):  # one mean over fakes and wrong pairs together
    return F.softplus(-real).mean() + F.softplus(torch.cat([fake, wrong])).mean()


def detached_wrong(real, fake, wrong):
    return losses.matching_aware_d_loss(real, fake, wrong.detach())


def test_matching_aware_d_loss_accepts_references(capsys):
    checks.matching_aware_d_loss(losses.matching_aware_d_loss)
    checks.matching_aware_d_loss(bce_reference)
    checks.matching_aware_d_loss(solutions("10_conditional_gans")["matching_aware_d_loss"])
    assert capsys.readouterr().out.count("passed") == 3


MISTAKES = [
    (checks.matching_aware_d_loss, stub, "not implemented yet"),
    (checks.matching_aware_d_loss, full_weights, "case 'D unsure (all logits 0)': expected"),
    (checks.matching_aware_d_loss, wrong_as_positive, "case 'wrong pairs scored like the fakes': expected"),
    (checks.matching_aware_d_loss, naive_log, "case 'D accepts the wrong pairs (logits +15)': expected"),
    (checks.matching_aware_d_loss, pooled_negatives, "case 'batches of different sizes (4 real, 2 fake, 3 wrong)'"),
    (checks.matching_aware_d_loss, detached_wrong, "d loss / d wrong_logits"),
]


@pytest.mark.parametrize("check, wrong, fragment", MISTAKES, ids=mistake_ids(MISTAKES))
def test_matching_aware_d_loss_rejects_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)


# --------------------------------------------------------------------------- caption_accuracy


def test_caption_accuracy_rejects_bad_settings_before_training():
    assert_rejected(checks.caption_accuracy, lambda: {"conditioning": "sum", "mismatch": True, "lr": 2e-4},
                    "expected 'conditioning' to be one of ('concat', 'projection')")
    assert_rejected(checks.caption_accuracy, lambda: {"conditioning": "concat", "mismatch": 1, "lr": 2e-4},
                    "expected 'mismatch' to be True or False")
    assert_rejected(checks.caption_accuracy, lambda: {"conditioning": "concat", "mismatch": True, "lr": 0.5},
                    "expected 'lr' to be a number from 1e-05 to 0.01")
    assert_rejected(checks.caption_accuracy, lambda: {"conditioning": "concat"}, "exactly the keys")
    assert_rejected(checks.caption_accuracy, stub, "not implemented yet")


def test_caption_accuracy_fails_the_weak_defaults():
    assert_rejected(checks.caption_accuracy, lambda: {"conditioning": "concat", "mismatch": False, "lr": 2e-4},
                    "expected the judge to read the asked-for digit in at least 60% of the samples")
