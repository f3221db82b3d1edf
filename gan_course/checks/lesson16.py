"""Checks of lesson 16, anomaly detection with AnoGAN and EGBAD: the latent search, and the open exercise that
chooses an alarm threshold for a false-alarm budget.

Taught in: lesson 16
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor

from ._common import _call, _describe, _number, _passed, exercise_check


def _tiny_gan(seed: int):
    """A small G and D of the lesson's kind, batch norm with non-trivial running statistics, in eval mode."""
    from ..layers import ConvDecoder, ConvEncoder

    torch.manual_seed(seed)
    G, D = ConvDecoder(6, width=4), ConvEncoder(1, width=4)
    with torch.no_grad():
        G.train()(torch.randn(64, 6))                       # running statistics that differ from a batch's own
        D.train()(torch.rand(64, 1, 32, 32) * 2 - 1)
    return G.eval(), D.eval()


def _state(*nets) -> list[Tensor]:
    return [t.detach().clone() for net in nets for t in net.state_dict().values()]


@exercise_check(seed=160)
def latent_search(student_fn: Callable) -> None:
    """Check ``student_fn(G, D, x, z0, steps, lam, lr) -> (z, loss)``: AnoGAN's search, ``steps`` Adam steps on z from
    ``z0`` minimising the summed ``anogan.search_loss``; z and each image's final loss, G and D unchanged."""
    from ..models import anogan

    gen = torch.Generator().manual_seed(16)
    cases = [("3 images, 5 steps, λ 0.1, lr 0.05", 3, 5, 0.1, 0.05),
             ("4 images, 8 steps, λ 0.7, lr 0.01", 4, 8, 0.7, 0.01),
             ("1 image, 3 steps, λ 0, lr 0.1", 1, 3, 0.0, 0.1),
             ("2 images, no step", 2, 0, 0.1, 0.05)]
    for i, (case, n, steps, lam, lr) in enumerate(cases):
        G, D = _tiny_gan(160 + i)
        with torch.no_grad():  # images near G's manifold: the search makes visible progress at every step
            x = (G(torch.randn(n, 6, generator=gen)) + 0.05 * torch.randn(n, 1, 32, 32, generator=gen)).clamp(-1, 1)
        z0 = torch.randn(n, 6, generator=gen)
        before, z0_before = _state(G, D), z0.clone()
        out = _call(student_fn, case, G, D, x, z0, steps, lam, lr, expected="a pair (z, loss per image)")
        if not (isinstance(out, (tuple, list)) and len(out) == 2 and all(isinstance(t, Tensor) for t in out)):
            raise AssertionError(f"case '{case}': expected a pair of tensors (z, loss per image), received "
                                 f"{_describe(out)}")
        z, loss = out
        if tuple(z.shape) != (n, 6) or tuple(loss.shape) != (n,):
            raise AssertionError(f"case '{case}': expected z of shape ({n}, 6) and one loss per image ({n},), "
                                 f"received {tuple(z.shape)} and {tuple(loss.shape)}")
        after = _state(G, D)
        if any(not torch.equal(a, b) for a, b in zip(before, after)):
            raise AssertionError(f"case '{case}': expected G and D to stay as they were, received them changed: only "
                                 "z may move (optimise [z] alone), and G and D must stay in eval mode (in training "
                                 "mode batch norm updates its running statistics)")
        if not torch.equal(z0, z0_before):
            raise AssertionError(f"case '{case}': expected z0 unchanged, received it modified in place: start from "
                                 "a copy, z = z0.clone().requires_grad_(True)")
        ref_z, ref_loss, _ = anogan.latent_search(G, D, x, steps, lam, lr, z0=z0)
        if not torch.allclose(z.detach(), ref_z, atol=1e-5, rtol=1e-4):
            raise AssertionError(
                f"case '{case}': expected z within 1e-5 of the reference search, received a z that is "
                f"{(z.detach() - ref_z).abs().max().item():.3g} away. Check: Adam on [z] with lr, exactly `steps` "
                "steps, each on the loss summed over the images (anogan.search_loss(G, D, x, z, lam).sum()), "
                "zero_grad before each backward")
        if not torch.allclose(loss.detach(), ref_loss, atol=1e-7, rtol=1e-4):
            raise AssertionError(f"case '{case}': expected the loss of each image at the final z, "
                                 f"{ref_loss.tolist()}, received {loss.detach().tolist()}: compute it once more after "
                                 "the last step (not the loss before the last update)")
    _passed("latent_search", len(cases))


# The open exercise: a threshold from normal images' scores that keeps a false-alarm budget.
RATES = (0.05, 0.2)
SPLITS = 3             # random halves of the held-out normal images: one calibrates, the other checks
DETECTION_SLACK = 0.05  # detection rate at most this below the best threshold that keeps the budget


def egbad_scores() -> tuple[Tensor, Tensor]:
    """The committed EGBAD's scores of the held-out 8s (normal) and 6s (anomalies)."""
    from ..data import anomaly
    from ..models import detectors

    _, test = anomaly.one_class_digits(**anomaly.POST_SPLIT)
    scores, _ = detectors.score("egbad", detectors.load("egbad-digits"), test.images)
    return scores[~test.is_anomaly], scores[test.is_anomaly]


@exercise_check(seed=161)
def alarm_threshold(student_fn: Callable) -> None:
    """Check (open exercise): ``student_fn(normal_scores, false_alarm_rate) -> threshold``. On random halves of the
    held-out 8s, the threshold from one half (calibration) must flag at most that share of it, and its detection
    rate on the 6s must be within :data:`DETECTION_SLACK` of the best threshold that keeps the budget there. The
    false-alarm rate on the other half is reported: on 50 images it scatters around the budget by several points."""
    from .. import metrics

    normal, anomalies = egbad_scores()
    lines = []
    for split in range(SPLITS):
        order = torch.randperm(len(normal), generator=torch.Generator().manual_seed(split))
        calibration, held_out = normal[order[: len(normal) // 2]], normal[order[len(normal) // 2:]]
        for rate in RATES:
            case = f"split {split}, budget {rate:.0%}"
            given = calibration.clone()
            threshold = _number(_call(student_fn, case, given, rate, expected="a threshold (one number)"), case)
            if not torch.equal(given, calibration):
                raise AssertionError(f"case '{case}': expected the scores unchanged, received them modified in place "
                                     "(sort a copy: torch.sort returns a new tensor)")
            if not threshold == threshold or abs(threshold) == float("inf"):
                raise AssertionError(f"case '{case}': expected a finite threshold, received {threshold}")
            own = (calibration > threshold).double().mean().item()
            if own > rate + 1e-9:
                raise AssertionError(f"case '{case}': expected at most {rate:.0%} of the calibration scores above "
                                     f"the threshold, received {own:.1%} above {threshold:.4g}: take a higher quantile")
            best = metrics.threshold_at(calibration, rate)
            detected = (anomalies > threshold).double().mean().item()
            best_detected = (anomalies > best).double().mean().item()
            if detected < best_detected - DETECTION_SLACK:
                raise AssertionError(
                    f"case '{case}': expected a detection rate near {best_detected:.1%} (the lowest threshold that "
                    f"keeps the budget flags that share of the 6s), received {detected:.1%} with the threshold "
                    f"{threshold:.4g}: it is higher than it needs to be")
            false_alarms = (held_out > threshold).double().mean().item()  # reported: 50 images make it noisy
            lines.append(f"{case}: threshold {threshold:.4g}; held out: {false_alarms:.1%} false alarms, "
                         f"{detected:.1%} of the 6s detected")
    print("\n".join(lines))
    _passed("alarm_threshold", len(lines))
