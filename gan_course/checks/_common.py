"""What every exercise check shares: calling the student's function, reading and comparing what it
returns, and the message for a pass or a failure.

A check must never crash on a wrong answer. Every check is wrapped in :func:`exercise_check`, which
runs it in a private random stream and turns *any* exception -- from the student's function, from
using what it returned, or from anything the check could not foresee -- into an ``AssertionError``
that names the case, what was expected and what was received. The released stub
(``raise NotImplementedError()``) gets its own message.

Taught in: lessons 00–21
"""

from __future__ import annotations

import contextlib
import functools
import math
from typing import Callable

import torch
from torch import Tensor

from ..runtime import torch_threads

NOT_IMPLEMENTED = "not implemented yet: replace `raise NotImplementedError()` with your code"

_current = {"case": "setting up the check"}  # the case being checked, for failures nobody foresaw


def exercise_check(seed: int, threads: int | None = 1) -> Callable:
    """Decorate a check: a private random stream seeded with ``seed`` (the notebook's stream is left
    alone and the check's randomness is repeatable), and every failure an ``AssertionError``.
    ``threads``: torch's CPU threads while it runs; 1 for tiny cases (fastest, and never waits for a busy
    core), ``None`` (torch's own setting) for checks that train or run convolutional networks, which one
    thread slowed by 1.45x (lesson 10's caption GAN, ``speed.calibrate``)."""

    def decorate(check: Callable) -> Callable:
        @functools.wraps(check)
        def run(student_fn):
            _current["case"] = "setting up the check"
            threads_ = contextlib.nullcontext() if threads is None else torch_threads(threads)
            with torch.random.fork_rng(devices=[]), threads_:
                torch.manual_seed(seed)
                try:
                    return check(student_fn)
                except AssertionError:
                    raise
                except NotImplementedError:
                    raise AssertionError(NOT_IMPLEMENTED) from None
                except Exception as err:  # noqa: BLE001  (a wrong answer must never crash the check)
                    raise AssertionError(
                        f"case '{_current['case']}': expected an answer the check can use, received one that "
                        f"failed when the check used it ({type(err).__name__}: {err})") from err

        return run

    return decorate


def _call(fn: Callable, case: str, *args, expected: str = "a result"):
    """Call the student's function on one case; the released stub and any crash become clear failures."""
    _current["case"] = case
    try:
        return fn(*args)
    except NotImplementedError:
        raise AssertionError(NOT_IMPLEMENTED) from None
    except AssertionError as err:
        raise AssertionError(f"case '{case}': expected {expected}, received an AssertionError from your "
                             f"function: {err}") from err
    except Exception as err:  # noqa: BLE001
        raise AssertionError(f"case '{case}': expected {expected}, received an error instead: your function "
                             f"raised {type(err).__name__}: {err}") from err


@contextlib.contextmanager
def _using(case: str, what: str):
    """``with _using(case, "calling .backward() on your loss"):`` -- an error there is the answer's fault."""
    _current["case"] = case
    try:
        yield
    except AssertionError:
        raise
    except Exception as err:  # noqa: BLE001
        raise AssertionError(f"case '{case}': expected {what} to work, received {type(err).__name__}: {err}") from err


def _describe(value) -> str:
    """A short description of any value, for 'received ...'."""
    if value is None:
        return "None (did you forget `return`?)"
    if isinstance(value, Tensor):
        if value.dim() == 0:
            return f"a 0-dim tensor {value.item():.6g}"
        return f"a tensor of shape {tuple(value.shape)}"
    shape = getattr(value, "shape", None)
    if shape is not None and hasattr(value, "dtype"):
        return f"a {type(value).__name__} of shape {tuple(shape)}" if len(shape) else f"{type(value).__name__} {value}"
    if isinstance(value, (bool, int, float, complex)):
        return f"{type(value).__name__} {value:.6g}" if not isinstance(value, bool) else f"bool {value}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)} values"
    text = repr(value)
    return f"{type(value).__name__} {text[:60]}{'...' if len(text) > 60 else ''}"


def _values(t: Tensor, n: int = 6) -> str:
    """The first ``n`` entries of a tensor, rounded, for messages."""
    flat = [round(v, 5) for v in t.detach().double().flatten()[:n].tolist()]
    return f"{flat}{' ...' if t.numel() > n else ''}"


def _scalar_tensor(value, case: str) -> Tensor:
    """The loss the student returned, which must be a 0-dim floating-point tensor."""
    if not isinstance(value, Tensor) or value.dim() != 0 or not value.is_floating_point():
        what = _describe(value) if not isinstance(value, Tensor) or value.dim() else f"a tensor of dtype {value.dtype}"
        raise AssertionError(f"case '{case}': expected a scalar tensor (0-dim, floating point, e.g. from .mean()), "
                             f"received {what}")
    return value


def _close(received: Tensor, expected: Tensor, case: str, hint: str = "", tol: float = 1e-5) -> None:
    r, e = received.detach().item(), expected.detach().item()
    if not math.isfinite(r) or abs(r - e) > tol * max(1.0, abs(e)):
        raise AssertionError(f"case '{case}': expected {e:.6f}, received {r:.6f}. {hint}".rstrip())


def _number(value, case: str) -> float:
    """A Python float from a float, an int, a NumPy scalar or a one-element tensor or array (or a clear failure)."""
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise AssertionError(f"case '{case}': expected one number, received a tensor of shape {tuple(value.shape)}")
        value = value.detach().cpu().item()
    elif hasattr(value, "shape") and hasattr(value, "dtype"):  # a NumPy array or scalar
        if getattr(value, "size", 1) != 1:
            raise AssertionError(f"case '{case}': expected one number, received {_describe(value)}")
        value = value.reshape(()).item() if hasattr(value, "reshape") else value
    if isinstance(value, complex):
        raise AssertionError(f"case '{case}': expected a real number, received the complex value {value:.6g}")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            if isinstance(value, (bool, str, bytes)) or value is None:
                raise TypeError
            return float(value)
        except (TypeError, ValueError):
            raise AssertionError(f"case '{case}': expected a number, received {_describe(value)}") from None
    return float(value)


def _number_close(received: float, expected: float, case: str, hint: str = "", tol: float = 1e-5) -> None:
    if math.isinf(expected) and received == expected:
        return
    if math.isinf(expected) or not math.isfinite(received) or abs(received - expected) > tol * max(1.0, abs(expected)):
        raise AssertionError(f"case '{case}': expected {expected:.6f}, received {received:.6f}. {hint}".rstrip())


def _unchanged(originals: dict, passed: dict, case: str) -> None:
    """The student's function must not modify its input tensors (values or ``requires_grad``) in place."""
    for name, before in originals.items():
        after = passed[name]
        if isinstance(after, Tensor) and (after.shape != before.shape or after.requires_grad != before.requires_grad
                                          or not torch.equal(after.detach(), before)):
            flag = (f" (requires_grad={after.requires_grad})" if after.requires_grad != before.requires_grad else "")
            raise AssertionError(f"case '{case}': expected your function to leave its input '{name}' as it was, "
                                 f"received it modified in place{flag}. Compute new tensors instead of changing the "
                                 "caller's (no in-place operations or requires_grad_() on the inputs).")


def _settings(student_fn: Callable, keys: tuple[str, ...], example: str) -> dict:
    """The settings dict an open exercise's function returns, with exactly ``keys``."""
    settings = _call(student_fn, "your settings", expected=f"a dict like {example}")
    if not isinstance(settings, dict) or set(settings) != set(keys):
        got = f" with keys {sorted(settings)}" if isinstance(settings, dict) else ""
        raise AssertionError(f"case 'your settings': expected a dict with exactly the keys "
                             f"{', '.join(repr(k) for k in keys)} (e.g. {example}), received {_describe(settings)}{got}")
    return settings


def _number_in(settings: dict, key: str, low: float, high: float, integer: bool = False):
    """One setting, checked: a finite number in [low, high] (an int where ``integer``)."""
    value = settings[key]
    kind = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind) or not (low <= value <= high) or value != value:
        raise AssertionError(f"case 'your settings': expected {key!r} to be {'an integer' if integer else 'a number'} "
                             f"from {low:g} to {high:g}, received {_describe(value)}")
    return value


def _passed(name: str, n_cases: int) -> None:
    print(f"✔ {name}: all {n_cases} cases passed")


def _loss_cases(student_fn: Callable, cases: list, reference: Callable, grad_hint: str = "") -> None:
    """The cases of a loss exercise: first the value of every case, then, case by case, the gradient with
    respect to *every* input (training calls ``.backward()`` on the loss).

    ``cases`` holds ``(case, inputs, hint)`` with ``inputs`` a dict from argument names to tensors; the student
    and the reference each get their own leaf copies that require grad.
    """
    results = []
    for case, inputs, hint in cases:
        leaves = {name: t.detach().clone().requires_grad_(True) for name, t in inputs.items()}
        references = {name: t.detach().clone().requires_grad_(True) for name, t in inputs.items()}
        received = _scalar_tensor(_call(student_fn, case, *leaves.values(), expected="a scalar loss tensor"), case)
        expected = reference(*references.values())
        _close(received, expected, case, hint)
        for name, leaf in leaves.items():  # a value right, but an input modified in place, is still wrong
            if not torch.equal(leaf.detach(), inputs[name].detach()):
                raise AssertionError(f"case '{case}': expected your function to leave its input '{name}' as it was, "
                                     "received it modified in place (no in-place operations on the inputs)")
        results.append((case, leaves, references, received, expected))
    for case, leaves, references, received, expected in results:
        if not received.requires_grad:
            raise AssertionError(f"case '{case}': expected a loss that requires grad (training calls .backward() on "
                                 "it), received a detached value: avoid .item(), .detach(), .numpy() or building a "
                                 "new tensor from numbers")
        with _using(case, "calling .backward() on your loss"):
            received.backward()
        expected.backward()
        for name, leaf in leaves.items():
            want = references[name].grad
            if leaf.grad is None or leaf.grad.shape != want.shape or not torch.allclose(leaf.grad, want, atol=1e-6,
                                                                                          rtol=1e-4):
                got = "no gradient (None): your loss does not depend on it" if leaf.grad is None else _values(leaf.grad)
                raise AssertionError(f"case '{case}': expected d loss / d {name} = {_values(want)}, received {got}. "
                                     f"{grad_hint}".rstrip())
