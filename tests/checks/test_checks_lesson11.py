"""Lesson 11's checks (information_loss; the open code_edit) accept the references and reject plausible mistakes."""

import pytest
import torch.nn.functional as F
from check_helpers import assert_rejected, mistake_ids, solutions, stub

from gan_course import checks
from gan_course.models import infogan

# --------------------------------------------------------------------------- information_loss


def by_hand(logits, means, categorical, continuous):  # log-softmax picked by hand, squared error summed per row
    picked = logits.log_softmax(1).gather(1, categorical[:, None]).squeeze(1)
    return -picked.mean(), ((continuous - means) ** 2 / 2).sum(1).mean()


def mean_over_codes(logits, means, categorical, continuous):  # the mean over the codes instead of their sum
    return F.cross_entropy(logits, categorical), 0.5 * ((continuous - means) ** 2).mean()


def no_half(logits, means, categorical, continuous):
    return F.cross_entropy(logits, categorical), ((continuous - means) ** 2).sum(1).mean()


def probabilities_as_logits(logits, means, categorical, continuous):  # NLL of the logits without the softmax
    return F.nll_loss(logits, categorical), infogan.information_terms(logits, means, categorical, continuous)[1]


def one_number(logits, means, categorical, continuous):
    return sum(infogan.information_terms(logits, means, categorical, continuous))


def detached(logits, means, categorical, continuous):
    cat, cont = infogan.information_terms(logits, means, categorical, continuous)
    return cat.detach(), cont


def test_information_loss_accepts_references(capsys):
    checks.information_loss(infogan.information_terms)
    checks.information_loss(by_hand)
    checks.information_loss(solutions("11_infogan")["information_loss"])
    assert capsys.readouterr().out.count("passed") == 3


MISTAKES = [
    (checks.information_loss, stub, "not implemented yet"),
    (checks.information_loss, mean_over_codes, "case 'Q knows nothing (logits 0, means 0), continuous_term'"),
    (checks.information_loss, no_half, "case 'Q knows nothing (logits 0, means 0), continuous_term'"),
    (checks.information_loss, probabilities_as_logits, "case 'Q knows nothing (logits 0, means 0), "
                                                       "categorical_term'"),
    (checks.information_loss, one_number, "expected a pair (categorical_term, continuous_term)"),
    (checks.information_loss, detached, "expected categorical_term to require grad"),
]


@pytest.mark.parametrize("check, wrong, fragment", MISTAKES, ids=mistake_ids(MISTAKES))
def test_information_loss_rejects_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)


# --------------------------------------------------------------------------- code_edit


def test_code_edit_grades_the_edit(capsys):
    checks.code_edit(solutions("11_infogan")["edit"])
    assert "✔ code_edit" in capsys.readouterr().out
    assert_rejected(checks.code_edit, lambda z, cat, cont: (z, cat, cont), "expected the mean stroke width")  # no edit
    assert_rejected(checks.code_edit, lambda z, cat, cont: (z + 1, cat, cont), "expected z returned unchanged")
    assert_rejected(checks.code_edit, lambda z, cat, cont: (z, cat, cont.double()), "expected continuous as a")
    assert_rejected(checks.code_edit, lambda z, cat, cont: (z, cat + 10, cont), "categorical values 0..9")
    assert_rejected(checks.code_edit, lambda z, cat, cont: (z, cat), "expected a triple")
    assert_rejected(checks.code_edit, stub, "not implemented yet")
