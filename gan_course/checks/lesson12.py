"""Checks of lesson 12, unpaired translation: CycleGAN's cycle-consistency terms and its history buffer, and the
open exercise that spots, without labels, the translations that lost their digit.

Taught in: lesson 12
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor, nn

from ._common import _call, _close, _describe, _passed, _scalar_tensor, _values, exercise_check


def _translators(channels: int, kind: str) -> tuple[nn.Module, nn.Module]:
    """Two small image-to-image networks: ``"identity"`` (a 1x1 convolution that returns its input), ``"conv"``
    or ``"batch norm"`` (a convolution, batch norm, tanh and a 1x1 convolution)."""
    def net():
        if kind == "identity":
            conv = nn.Conv2d(channels, channels, 1)
            nn.init.dirac_(conv.weight)
            nn.init.zeros_(conv.bias)
            return conv
        layers = [nn.Conv2d(channels, 3, 3, padding=1)] + ([nn.BatchNorm2d(3)] if kind == "batch norm" else [])
        return nn.Sequential(*layers, nn.Tanh(), nn.Conv2d(3, channels, 1))

    return net(), net()


@exercise_check(seed=120)
def cycle_loss(student_fn: Callable) -> None:
    """Check ``student_fn(G_AB, G_BA, real_A, real_B) -> loss``: CycleGAN's two cycle terms,
    ``E_a ||G_BA(G_AB(a)) - a||_1 + E_b ||G_AB(G_BA(b)) - b||_1`` (the mean absolute error per pixel in each
    direction, summed over the two directions), with gradients reaching both generators through both trips."""
    def reference(G_AB, G_BA, a, b):
        return (G_BA(G_AB(a)) - a).abs().mean() + (G_AB(G_BA(b)) - b).abs().mean()

    gen = torch.Generator().manual_seed(12)
    cases = [
        ("identity translators: nothing lost", 1, "identity", 4,
         "If both generators return their input, every round trip is exact: the loss is 0."),
        ("grey digits, convolutional translators", 1, "conv", 4,
         "The cycle of A goes through G_AB first, then G_BA; the cycle of B the other way round."),
        ("colour images, translators with batch norm", 3, "batch norm", 4,
         "Mean absolute error per pixel (L1), one term per direction, added: not squared, not summed over pixels."),
        ("a batch of one", 1, "conv", 1, "Average over the batch and the pixels; a batch of one is no exception."),
    ]
    for case, channels, kind, batch, hint in cases:
        a = torch.rand(batch, channels, 6, 6, generator=gen) * 2 - 1
        b = torch.rand(batch, channels, 6, 6, generator=gen) * 2 - 1
        nets, copies = _translators(channels, kind), _translators(channels, kind)
        for net, copy in zip(nets, copies):
            copy.load_state_dict(net.state_dict())
            net.train(batch > 1)
            copy.train(batch > 1)
        received = _call(student_fn, case, *nets, a.clone(), b.clone(), expected="a scalar loss")
        value = _scalar_tensor(received, case)
        expected = reference(*copies, a, b)
        _close(value, expected, case, hint)
        if not value.requires_grad:
            raise AssertionError(f"case '{case}': expected a loss that requires grad (both generators learn from "
                                 "it), received a detached value: avoid .item(), .detach() and torch.no_grad()")
        value.backward()
        expected.backward()
        for name, net, copy in zip(("G_AB", "G_BA"), nets, copies):
            for p, q in zip(net.parameters(), copy.parameters()):
                if p.grad is None or not torch.allclose(p.grad, q.grad, atol=1e-6, rtol=1e-4):
                    got = "no gradient" if p.grad is None else _values(p.grad)
                    raise AssertionError(f"case '{case}': expected the gradient of {name}'s weights "
                                         f"{_values(q.grad)}, received {got}. Both generators appear in both round "
                                         "trips: the fake must not be detached on its way back.")
    _passed("cycle_loss", len(cases))


HISTORY_SIZE = 20


@exercise_check(seed=121)
def history_query(student_fn: Callable) -> None:
    """Check ``student_fn(stored, size, fakes, generator) -> batch`` (the history buffer's query, Shrivastava et
    al. 2017): ``stored`` is a list of past fakes (each (C, H, W)), changed in place. While it holds fewer than
    ``size``, each new fake is appended and passed on. Once full, each new fake is passed on with probability
    1/2; otherwise a random stored fake is passed on in its place, and the new one takes that slot. ``size = 0``
    passes the fakes unchanged. The batch returned has the shape of ``fakes``, without gradient."""
    gen = torch.Generator().manual_seed(121)
    # 1. size 0: nothing stored, nothing changed
    fakes = torch.randn(5, 1, 2, 2, generator=gen)
    stored = []
    out = _call(student_fn, "size 0 (no buffer)", stored, 0, fakes.clone(), torch.Generator().manual_seed(0),
                expected="the fakes unchanged")
    if not isinstance(out, Tensor) or not torch.equal(out, fakes) or stored:
        raise AssertionError(f"case 'size 0 (no buffer)': expected the fakes unchanged and nothing stored, received "
                             f"{_describe(out)} and {len(stored)} stored")
    # 2. filling: passed on and appended
    first = torch.arange(HISTORY_SIZE * 4.0).reshape(HISTORY_SIZE, 1, 2, 2)
    out = _call(student_fn, "filling an empty buffer", stored, HISTORY_SIZE, first.clone(),
                torch.Generator().manual_seed(1), expected=f"the {HISTORY_SIZE} fakes passed on")
    if not isinstance(out, Tensor) or not torch.equal(out, first) or len(stored) != HISTORY_SIZE:
        raise AssertionError(f"case 'filling an empty buffer': expected the {HISTORY_SIZE} new fakes passed on and "
                             f"stored, received {_describe(out)} with {len(stored)} stored")
    # 3. full: half the time an older fake, swapped for the new one
    n = 2000
    new = (1000 + torch.arange(n * 4.0)).reshape(n, 1, 2, 2).requires_grad_(True)
    before = {tuple(x.flatten().tolist()) for x in stored}
    out = _call(student_fn, "a full buffer", stored, HISTORY_SIZE, new, torch.Generator().manual_seed(2),
                expected="a batch of the fakes' shape")
    case = "a full buffer"
    if not isinstance(out, Tensor) or out.shape != new.shape:
        raise AssertionError(f"case '{case}': expected a batch of shape {tuple(new.shape)}, received {_describe(out)}")
    if out.requires_grad:
        raise AssertionError(f"case '{case}': expected a batch without gradient (D learns from it; G must not), "
                             "received one that requires grad: detach the fakes")
    if len(stored) != HISTORY_SIZE:
        raise AssertionError(f"case '{case}': expected the buffer to stay at {HISTORY_SIZE} images, received a "
                             f"buffer of {len(stored)}: a new fake takes a slot, it does not add one")
    same = (out.detach() == new.detach()).flatten(1).all(1)                      # passed on as it was
    older = ~same
    seen = before | {tuple(x.flatten().tolist()) for x in new.detach()}
    if any(tuple(x.flatten().tolist()) not in seen for x in out[older]):
        raise AssertionError(f"case '{case}': expected every image passed on to be the new fake or a stored one, "
                             "received images that are neither")
    share = older.double().mean().item()
    if not 0.45 <= share <= 0.55:
        raise AssertionError(f"case '{case}': expected about half of the fakes ({n} of them) swapped for stored ones, "
                             f"received {share:.1%}. Toss a coin for each fake, not one for the batch")
    if len({tuple(x.flatten().tolist()) for x in out[older]} & before) < min(HISTORY_SIZE, 10):
        raise AssertionError(f"case '{case}': expected the first fakes stored to be handed back too, received "
                             "almost none of them: pick the slot at random among all the stored ones")
    in_buffer = {tuple(x.flatten().tolist()) for x in stored}
    if not in_buffer <= seen or not (in_buffer - before):
        raise AssertionError(f"case '{case}': expected new fakes to take the slots of those handed back, received "
                             "a buffer that holds none of them")
    _passed("history_query", 3)



# The open exercise: spot the translations that lost their digit, with neither labels nor the judge.
FLAG_SHARE = (0.15, 0.40)   # the share of the held-out images the flags may cover
FLAG_RATIO = 1.5            # the judge's error rate among the flagged, relative to the rest, at least


@exercise_check(seed=122)
def translation_flags(student_fn: Callable) -> None:
    """Check (open exercise): ``student_fn(x, G_AB, G_BA) -> flags`` gets the 1,000 held-out handwritten digits x
    (1000, 1, 28, 28) and the committed ``cyclegan-digits`` generators, and returns a bool tensor (1000,) marking
    the translations G_AB(x) it suspects of showing another digit. It may flag 15% to 40% of them; among the
    flagged, the printed judge must misread the digit at least 1.5 times as often as among the others."""
    from .. import evaluation
    from ..data import domains
    from ..models import cyclegan
    from ..models.classifier import load_judge

    nets = cyclegan.load("cyclegan-digits")
    held_out = domains.load_domain("handwritten", "test")
    x = held_out.images
    received = _call(student_fn, "the held-out handwritten digits", x.clone(), nets["G_AB"], nets["G_BA"],
                     expected="a bool tensor of flags (1000,)")
    case = "the held-out handwritten digits"
    if not isinstance(received, Tensor) or received.dtype != torch.bool or received.shape != (len(x),):
        raise AssertionError(f"case '{case}': expected a bool tensor of shape ({len(x)},), received "
                             f"{_describe(received)}")
    share = received.double().mean().item()
    if not FLAG_SHARE[0] <= share <= FLAG_SHARE[1]:
        raise AssertionError(f"case '{case}': expected between {FLAG_SHARE[0]:.0%} and {FLAG_SHARE[1]:.0%} of the "
                             f"images flagged, received {share:.1%} flagged")
    wrong = evaluation.classify(load_judge("printed"), cyclegan.translate(nets["G_AB"], x))[0] != held_out.labels
    flagged, rest = wrong[received].double().mean().item(), wrong[~received].double().mean().item()
    if flagged < FLAG_RATIO * rest:
        raise AssertionError(f"case '{case}': expected the judge to misread at least {FLAG_RATIO} times as many of "
                             f"the flagged translations as of the others, received {flagged:.1%} against {rest:.1%}. "
                             "Hint: what would a translator that keeps the digit leave nearly unchanged?")
    print(f"✔ translation_flags passed: {share:.0%} flagged; the judge misreads {flagged:.1%} of them and "
          f"{rest:.1%} of the others ({flagged / max(rest, 1e-9):.1f}x)")
