"""Checks for the graded exercises.

Each check calls the student's function on a few cases, compares with the
reference, and either prints a short pass message or raises ``AssertionError``
saying which case failed, what was expected and what was received.
"""

from __future__ import annotations

import math
from typing import Callable

import torch
from torch import Tensor

from . import losses


def _call(fn: Callable, case: str, *args):
    """Call the student's function; turn the released stub and crashes into clear failures."""
    try:
        return fn(*args)
    except NotImplementedError:
        raise AssertionError(
            "not implemented yet: replace `raise NotImplementedError()` with your code"
        ) from None
    except Exception as err:
        raise AssertionError(f"case '{case}': your function raised {type(err).__name__}: {err}") from err


def _scalar_tensor(value, case: str) -> Tensor:
    if not isinstance(value, Tensor) or value.dim() != 0:
        what = f"a tensor of shape {tuple(value.shape)}" if isinstance(value, Tensor) else type(value).__name__
        raise AssertionError(
            f"case '{case}': expected a scalar tensor (0-dim, e.g. from .mean()), received {what}"
        )
    return value


def _close(received: Tensor, expected: Tensor, case: str, hint: str = "", tol: float = 1e-5) -> None:
    r, e = received.item(), expected.item()
    if not math.isfinite(r) or abs(r - e) > tol * max(1.0, abs(e)):
        raise AssertionError(f"case '{case}': expected {e:.6f}, received {r:.6f}. {hint}".rstrip())


def _passed(name: str, n_cases: int) -> None:
    print(f"✔ {name}: all {n_cases} cases passed")


def discriminator_loss(student_fn: Callable[[Tensor, Tensor], Tensor]) -> None:
    """Check ``student_fn(real_logits, fake_logits) = -E[log D(x)] - E[log(1 - D(G(z)))]``."""
    gen = torch.Generator().manual_seed(0)
    cases = [
        ("D unsure (all logits 0, D = 1/2)", torch.zeros(4), torch.zeros(4),
         "With D = 1/2 the loss is 2 log 2; check the signs."),
        ("random logits", torch.randn(6, generator=gen), torch.randn(6, generator=gen),
         "The loss is a *mean* over each batch; real samples have label 1 and fakes label 0; "
         "the inputs are logits, D(x) = sigmoid(logit)."),
        ("different batch sizes (3 real, 5 fake)", torch.randn(3, generator=gen), torch.randn(5, generator=gen),
         "Average each term over its own batch, then add the two averages."),
        ("D very sure (logits of +-20)", torch.tensor([20.0, -20.0]), torch.tensor([20.0, -20.0]),
         "In float32, sigmoid(20) rounds to 1 and log(1 - 1) = -inf: use F.logsigmoid "
         "(log(1 - sigmoid(l)) = logsigmoid(-l)) or F.binary_cross_entropy_with_logits."),
    ]
    for case, real, fake, hint in cases:
        received = _scalar_tensor(_call(student_fn, case, real, fake), case)
        _close(received, losses.minimax_d_loss(real, fake), case, hint)
    # The loss must keep its graph: training calls .backward() on it.
    case = "gradient flows back to the logits"
    real, fake = torch.randn(4, generator=gen).requires_grad_(), torch.randn(4, generator=gen).requires_grad_()
    received = _scalar_tensor(_call(student_fn, case, real, fake), case)
    if not received.requires_grad:
        raise AssertionError(
            f"case '{case}': expected a loss that requires grad, received a detached value "
            "(avoid .item(), .detach() or creating a new tensor from numbers)"
        )
    received.backward()
    expected_grad = torch.sigmoid(real.detach()) - 1  # d/dl of -mean(log sigmoid(l)) times B
    if not torch.allclose(real.grad * len(real), expected_grad, atol=1e-5):
        raise AssertionError(
            f"case '{case}': expected d loss / d real_logits = {(expected_grad / len(real)).tolist()}, "
            f"received {real.grad.tolist()}"
        )
    _passed("discriminator_loss", len(cases) + 1)
