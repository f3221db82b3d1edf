"""Checks of lesson 17, GANomaly, f-AnoGAN and the comparison: GANomaly's score, and the open exercise that turns
residual maps into better defect maps.

Taught in: lesson 17
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor

from ._common import _call, _describe, _passed, exercise_check


@exercise_check(seed=170)
def ganomaly_score(student_fn: Callable) -> None:
    """Check ``student_fn(G, x) -> scores``: GANomaly's anomaly score, the mean over the code's dimensions of
    (z - ẑ)², one per image, with G in eval mode and unchanged."""
    from ..models import ganomaly

    gen = torch.Generator().manual_seed(17)
    cases = [("5 images, code 8", 5, 8), ("1 image, code 3", 1, 3), ("7 images, code 16", 7, 16)]
    for i, (case, n, z_dim) in enumerate(cases):
        torch.manual_seed(170 + i)
        G = ganomaly.Generator(ganomaly.GANomalyConfig(z_dim=z_dim, width=4))
        with torch.no_grad():  # running statistics that differ from any one batch's own
            G.train()(torch.rand(32, 1, 32, 32) * 2 - 1)
        G.eval()
        x = torch.rand(n, 1, 32, 32, generator=gen) * 2 - 1
        before = [t.clone() for t in G.state_dict().values()]
        with torch.no_grad():
            _, z, z_rebuilt = G(x)
        expected = ganomaly.anomaly_score(z, z_rebuilt)
        G.train()  # the student's function must put G in eval mode itself
        out = _call(student_fn, case, G, x.clone(), expected="a tensor of scores, one per image")
        if not isinstance(out, Tensor):
            raise AssertionError(f"case '{case}': expected a tensor of {n} scores, received {_describe(out)}")
        if tuple(out.shape) != (n,):
            raise AssertionError(f"case '{case}': expected one score per image, shape ({n},), received "
                                 f"{tuple(out.shape)}: average over the code's dimensions (dim 1) only")
        if any(not torch.equal(a, b) for a, b in zip(before, G.state_dict().values())):
            raise AssertionError(f"case '{case}': expected G unchanged, received its batch-norm statistics updated: "
                                 "score in eval mode (G.eval()) and without gradients")
        if not torch.allclose(out.detach().float(), expected, rtol=1e-4, atol=1e-7):
            hint = ("the sum over the code's dimensions, not the mean" if torch.allclose(
                out.detach().float(), expected * z_dim, rtol=1e-4) else
                "the mean of (z - ẑ)² over dim 1, with G in eval mode (batch norm on its running statistics)")
            raise AssertionError(f"case '{case}': expected {expected.tolist()}, received "
                                 f"{out.detach().tolist()}: check {hint}")
    _passed("ganomaly_score", len(cases))


# The open exercise: post-process residual maps so that they locate defects better, pixel by pixel.
N_PATCHES = 400       # fresh brick test patches (half defective), none of the lesson's
PATCH_SEED = 17
GAIN = 0.025          # pixel AUROC at least this above the raw residual's (a Gaussian blur of σ 1 gains 0.038)


def ganomaly_residuals(n: int = N_PATCHES, seed: int = PATCH_SEED):
    """The committed GANomaly's residual maps |x - x̂| of fresh brick test patches, and their defect masks."""
    from ..data import anomaly
    from ..models import detectors

    patches = anomaly.texture_defects("test", n, seed=seed)
    _, residual = detectors.score("ganomaly", detectors.load("ganomaly-bricks"), patches.images)
    return residual, patches.masks


@exercise_check(seed=171)
def defect_map(student_fn: Callable) -> None:
    """Check (open exercise): ``student_fn(residual) -> maps`` turns residual maps (N, 1, 32, 32) into defect maps of
    the same shape. On fresh brick patches, the committed GANomaly's residuals processed by it must reach a pixel
    AUROC (against the true defect masks) at least :data:`GAIN` above the raw residuals'."""
    from .. import metrics

    residual, masks = ganomaly_residuals()
    given = residual.clone()
    case = f"GANomaly's residual maps of {N_PATCHES} fresh brick patches"
    out = _call(student_fn, case, given, expected="a tensor of maps, (N, 1, 32, 32)")
    if not isinstance(out, Tensor):
        raise AssertionError(f"case '{case}': expected a tensor of maps of shape {tuple(residual.shape)}, "
                             f"received {_describe(out)}")
    if tuple(out.shape) != tuple(residual.shape):
        raise AssertionError(f"case '{case}': expected maps of the residuals' shape {tuple(residual.shape)}, one "
                             f"value per pixel, received {tuple(out.shape)}")
    if not torch.equal(given, residual):
        raise AssertionError(f"case '{case}': expected the residual maps unchanged, received them modified in "
                             "place: work on a copy")
    if not torch.isfinite(out).all():
        raise AssertionError(f"case '{case}': expected finite values in every pixel, received NaN or infinity")
    raw, yours = metrics.auroc(residual, masks), metrics.auroc(out.detach().float(), masks)
    print(f"pixel AUROC on {N_PATCHES} fresh brick patches: raw residual {raw:.3f}, your maps {yours:.3f}")
    if yours < raw + GAIN:
        raise AssertionError(f"case '{case}': expected a pixel AUROC of at least {raw + GAIN:.3f} (the raw "
                             f"residual's {raw:.3f} + {GAIN}), received {yours:.3f}: a defect covers several "
                             "neighbouring pixels, while much of the residual is noise in single pixels")
    _passed("defect_map", 1)
