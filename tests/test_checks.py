"""Every check accepts the reference solution and rejects the stub and plausible mistakes."""

import re
from pathlib import Path

import jupytext
import pytest
import torch
import torch.nn.functional as F

from gan_course import checks, losses

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def solutions(stem: str) -> dict:
    """Execute the solution cells of a lesson and return the functions they define."""
    nb = jupytext.read(NOTEBOOKS / f"{stem}.py")
    namespace = {"torch": torch, "F": F}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
            exec(cell.source, namespace)
    return namespace


def stub(*args):
    raise NotImplementedError()


# --------------------------------------------------------------------------- discriminator_loss


def d_loss_sign_flipped(real, fake):
    return -losses.minimax_d_loss(real, fake)


def d_loss_summed(real, fake):
    return -(F.logsigmoid(real).sum() + F.logsigmoid(-fake).sum())


def d_loss_labels_swapped(real, fake):
    return -(F.logsigmoid(-real).mean() + F.logsigmoid(fake).mean())


def d_loss_logits_as_probabilities(real, fake):
    return -(torch.log(real).mean() + torch.log(1 - fake).mean())


def d_loss_naive_sigmoid(real, fake):
    return -(torch.log(torch.sigmoid(real)).mean() + torch.log(1 - torch.sigmoid(fake)).mean())


def d_loss_one_mean_over_both(real, fake):
    return -torch.cat([F.logsigmoid(real), F.logsigmoid(-fake)]).mean()


def d_loss_as_float(real, fake):
    return torch.tensor(losses.minimax_d_loss(real, fake).item())


def test_discriminator_loss_accepts_the_references(capsys):
    checks.discriminator_loss(losses.minimax_d_loss)
    checks.discriminator_loss(lambda r, f: F.binary_cross_entropy_with_logits(r, torch.ones_like(r))
                              + F.binary_cross_entropy_with_logits(f, torch.zeros_like(f)))
    checks.discriminator_loss(solutions("00_start_here")["discriminator_loss"])
    assert "passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, message",
    [
        (stub, "not implemented yet"),
        (d_loss_sign_flipped, "D unsure"),
        (d_loss_summed, "expected 1.386294, received 5.545177"),
        (d_loss_labels_swapped, "random logits"),
        (d_loss_logits_as_probabilities, "received inf"),
        (d_loss_naive_sigmoid, "very sure"),
        (d_loss_one_mean_over_both, "expected 1.386294, received 0.693147"),
        (d_loss_as_float, "requires grad"),
    ],
)
def test_discriminator_loss_rejects_mistakes(wrong, message):
    with pytest.raises(AssertionError, match=re.escape(message)) as failure:
        checks.discriminator_loss(wrong)
    text = str(failure.value)
    assert "case" in text or "not implemented" in text
