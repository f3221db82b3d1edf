"""Checks of lesson 18, progressive growing (PGGAN): the generator's output while a new resolution fades in, the
minibatch standard deviation, and the open exercise: a variation signal that sees a duplicate in a group.

Taught in: lesson 18
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from ._common import _call, _describe, _passed, _values, exercise_check


def _tiny_generator(seed: int):
    from ..models import pggan

    torch.manual_seed(seed)
    config = pggan.PGGANConfig(z_dim=8, widths=(8, 8, 6, 4))
    G = pggan.Generator(config)
    with torch.no_grad():                       # toRGB layers that differ from their initial near-zero-mean state
        for rgb in G.to_rgb:
            rgb.bias.add_(torch.randn_like(rgb.bias))
    return G


def _no_shortcut(G) -> None:
    def refuse(*args, **kwargs):
        raise RuntimeError("G itself may not be called here: build the faded output from G.input, G.first, "
                           "G.blocks and G.to_rgb")
    G.forward = refuse


@exercise_check(seed=180)
def faded_output(student_fn: Callable) -> None:
    """Check ``student_fn(G, z, stage, alpha) -> images``: PGGAN's generator output at ``stage`` while it fades in,
    (1 - α)·upsample(toRGB_{stage-1}(h_{stage-1})) + α·toRGB_stage(h_stage), built from G's parts (nearest
    upsampling), with gradients reaching both toRGB layers and the blocks."""
    gen = torch.Generator().manual_seed(18)
    cases = [("stage 1, α 0.3", 1, 0.3), ("stage 2, α 0.75", 2, 0.75), ("stage 3, α 0.5", 3, 0.5),
             ("stage 2, α 0 (just switched)", 2, 0.0), ("stage 3, α 1 (faded in)", 3, 1.0)]
    hints = {
        "swap": "α weighs the new block's image and 1 - α the old one (at α = 0 G draws what it drew before)",
        "interp": "upsample the old image by repeating pixels (F.interpolate(..., scale_factor=2, mode='nearest')): "
                  "the paper's nearest-neighbour upsampling, which keeps the old image exactly at α = 0",
        "path": "the old image is toRGB_{stage-1} of the features *before* the last block "
                "(h_{stage-1}), the new one toRGB_stage of that block's output",
    }
    for i, (case, stage, alpha) in enumerate(cases):
        G = _tiny_generator(180 + i)
        z = torch.randn(5, 8, generator=gen)
        expected = G(z, stage, alpha)
        student_G = _tiny_generator(180 + i)
        _no_shortcut(student_G)
        out = _call(student_fn, case, student_G, z, stage, alpha, expected="images (N, 1, H, W)")
        size = 4 * 2 ** stage
        if not isinstance(out, Tensor) or tuple(out.shape) != (5, 1, size, size):
            raise AssertionError(f"case '{case}': expected images of shape (5, 1, {size}, {size}), received "
                                 f"{_describe(out)}")
        if not torch.allclose(out.detach(), expected.detach(), atol=1e-5):
            hint = hints["path"]
            small, new = G(z, stage - 1).detach(), G(z, stage, 1.0).detach()
            old = F.interpolate(small, scale_factor=2, mode="nearest")
            smooth = F.interpolate(small, scale_factor=2, mode="bilinear", align_corners=False)
            if torch.allclose(out.detach(), torch.lerp(new, old, alpha), atol=1e-5):
                hint = hints["swap"]
            elif any(torch.allclose(out.detach(), torch.lerp(smooth, new, a), atol=1e-5) for a in (alpha, 1 - alpha)):
                hint = hints["interp"]
            raise AssertionError(f"case '{case}': expected {_values(expected)}, received {_values(out)}: {hint}")
        if 0 < alpha < 1:
            out.square().mean().backward()
            expected.square().mean().backward()
            for name in (f"to_rgb.{stage - 1}.weight", f"to_rgb.{stage}.weight", f"blocks.{stage - 1}.0.weight"):
                got, want = dict(student_G.named_parameters())[name].grad, dict(G.named_parameters())[name].grad
                if got is None or not torch.allclose(got, want, atol=1e-5):
                    raise AssertionError(f"case '{case}': expected the gradient to reach {name} as through G itself, "
                                         f"received {'none' if got is None else 'a different one'}: nothing may be "
                                         "detached, both paths of the blend learn while it fades in")
    _passed("faded_output", len(cases))


@exercise_check(seed=181)
def minibatch_stddev(student_fn: Callable) -> None:
    """Check ``student_fn(x, group_size) -> x with one more channel``: PGGAN's minibatch standard deviation, the
    standard deviation of every feature over a group of samples (sample i in group i mod (B / group size); a batch
    smaller than the group size is one group), averaged over features and pixels into one number per group,
    appended as a constant feature map; gradients reach x."""
    from ..layers import MinibatchStdDev

    gen = torch.Generator().manual_seed(181)
    cases = [("8 samples, groups of 4", torch.randn(8, 3, 4, 4, generator=gen), 4),
             ("12 samples, groups of 4, varied scales",
              torch.randn(12, 2, 3, 3, generator=gen) * torch.arange(1, 13.0).view(12, 1, 1, 1), 4),
             ("6 samples, groups of 2", torch.randn(6, 5, 2, 2, generator=gen), 2),
             ("2 samples, groups of 4 (one group of 2)", torch.randn(2, 3, 4, 4, generator=gen), 4),
             ("identical samples (a collapsed batch)", torch.randn(1, 3, 4, 4, generator=gen).repeat(8, 1, 1, 1), 4)]
    for case, x, group in cases:
        reference = MinibatchStdDev(group_size=group)
        x_student, x_reference = x.clone().requires_grad_(True), x.clone().requires_grad_(True)
        out = _call(student_fn, case, x_student, group, expected="a tensor (B, C + 1, H, W)")
        expected = reference(x_reference)
        b, c, h, w = x.shape
        if not isinstance(out, Tensor) or tuple(out.shape) != (b, c + 1, h, w):
            raise AssertionError(f"case '{case}': expected x with one more channel, shape {(b, c + 1, h, w)}, "
                                 f"received {_describe(out)}")
        if not torch.equal(out[:, :c].detach(), x):
            raise AssertionError(f"case '{case}': expected the first {c} channels to be x itself, unchanged, and the "
                                 "new feature map appended after them (torch.cat([x, extra], dim=1)), received other "
                                 "values there")
        got, want = out[:, c, 0, 0].detach(), expected[:, c, 0, 0].detach()
        if not torch.allclose(out[:, c:].detach(), expected[:, c:].detach(), atol=1e-5):
            raise AssertionError(f"case '{case}': expected the extra feature per sample {_values(want, 8)}, received "
                                 f"{_values(got, 8)}. {_stddev_hint(x, group, got)}")
        weights = torch.randn(out.shape, generator=gen)
        (out * weights).sum().backward()
        (expected * weights).sum().backward()
        if x_student.grad is None or not torch.allclose(x_student.grad, x_reference.grad, atol=1e-5):
            received = "none" if x_student.grad is None else "a different one"
            raise AssertionError(f"case '{case}': expected the gradient to reach x through the standard deviation "
                                 f"too (D learns through this layer), received {received}: compute it with torch "
                                 "operations, detach nothing")
    _passed("minibatch_stddev", len(cases))


def _stddev_hint(x: Tensor, group: int, got: Tensor) -> str:
    b = len(x)
    g = min(group, b)
    candidates = {
        "Use the population variance (unbiased=False), as the layer does, then the square root with a small eps.":
            x.reshape(g, b // g, *x.shape[1:]).var(0, unbiased=True).add(1e-8).sqrt().flatten(1).mean(1).repeat(g),
        "Group sample i with the samples i mod (B / group size): x.reshape(group, B // group, ...) puts sample i in "
        "group i mod (B / group), as the paper's code does, not consecutive samples together.":
            x.reshape(b // g, g, *x.shape[1:]).var(1, unbiased=False).add(1e-8).sqrt().flatten(1).mean(1)
            .repeat_interleave(g),
        "The standard deviation is over a group of samples, not over the whole batch.":
            x.var(0, unbiased=False).add(1e-8).sqrt().mean().expand(b),
    }
    for hint, value in candidates.items():
        if torch.allclose(got, value, atol=1e-5):
            return hint
    return ("For each feature and pixel, the standard deviation over the samples of a group; their mean over "
            "features and pixels is one number per group, given to every sample of it.")


# The open exercise: a group statistic that tells groups of four real digits from groups in which a partly collapsed
# generator drew one digit twice.
GROUP = 4             # PGGAN's group size
NOISE = 0.1           # pixel noise on every image, real or not (so that noise itself gives nothing away)
N_GROUPS = 1000       # groups the check scores, half of each kind, drawn with CHECK_SEED (not the lesson's seed)
CHECK_SEED = 18
TARGET_AUROC = 0.95   # the paper's statistic (spread averaged over pixels) reaches 0.78, the mean pair distance 0.90


def variation_groups(n: int, seed: int) -> tuple[Tensor, Tensor]:
    """``n`` groups of four MNIST test digits at 32 × 32, (n, 4, 1, 32, 32), and whether each is real (n,), bool.

    A real group holds four randomly drawn digits; the other half, a partly collapsed generator's: three drawn
    digits, one of them twice, in shuffled places. Every image gets Gaussian noise of standard deviation
    :data:`NOISE` (clamped to [-1, 1]). Deterministic from ``seed``.
    """
    from ..data import load_mnist

    if isinstance(n, bool) or not isinstance(n, int) or n < 2 or n % 2:
        raise ValueError(f"n must be an even integer >= 2 (half of the groups real), got {n!r}")
    digits = load_mnist("test", size=32, verbose=False).images
    gen = torch.Generator().manual_seed(seed)
    drawn = torch.randint(len(digits), (n, GROUP), generator=gen)
    is_real = torch.arange(n) % 2 == 0
    repeated = torch.randint(GROUP - 1, (n,), generator=gen)          # which of the first three is drawn twice
    drawn[~is_real, GROUP - 1] = drawn[~is_real].gather(1, repeated[~is_real, None]).squeeze(1)
    places = torch.rand(n, GROUP, generator=gen).argsort(dim=1)
    groups = digits[drawn.gather(1, places)]
    return (groups + NOISE * torch.randn(groups.shape, generator=gen)).clamp(-1, 1), is_real


def paper_statistic(groups: Tensor) -> Tensor:
    """PGGAN's minibatch standard deviation of each group: the spread over the group, averaged over pixels."""
    return groups.var(dim=1, unbiased=False).add(1e-8).sqrt().flatten(1).mean(1)


@exercise_check(seed=182)
def variation_signal(student_fn: Callable) -> None:
    """Check (open exercise): ``student_fn(groups) -> scores``, one number per group of four images
    (N, 4, 1, 32, 32), larger for a more varied group. On fresh groups (:func:`variation_groups` with another
    seed), it must tell real groups from those holding a duplicate with an AUROC of at least :data:`TARGET_AUROC`.
    """
    from .. import metrics

    groups, is_real = variation_groups(N_GROUPS, CHECK_SEED)
    given = groups.clone()
    case = f"{N_GROUPS} fresh groups of four digits, half of them holding one digit twice"
    out = _call(student_fn, case, given, expected="a tensor of scores, one per group")
    if not isinstance(out, Tensor) or tuple(out.shape) != (N_GROUPS,):
        raise AssertionError(f"case '{case}': expected a tensor of {N_GROUPS} scores, one per group, received "
                             f"{_describe(out)}")
    if not torch.equal(given, groups):
        raise AssertionError(f"case '{case}': expected the groups unchanged, received them modified in place: work on "
                             "a copy")
    if not torch.isfinite(out).all():
        raise AssertionError(f"case '{case}': expected finite scores, received NaN or infinity")
    paper, yours = metrics.auroc(paper_statistic(groups), is_real), metrics.auroc(out.detach().float(), is_real)
    print(f"AUROC, real groups against groups with a duplicate: the paper's statistic {paper:.3f}, yours {yours:.3f}")
    if yours < TARGET_AUROC:
        hint = ("your scores are upside down: a larger score must mean a more varied group" if yours < 1 - TARGET_AUROC
                else "a duplicate changes the group's spread averaged over all pixels little, and the noise hides "
                     "it; it leaves one pair of images in the group much closer than any pair of different digits")
        raise AssertionError(f"case '{case}': expected an AUROC of at least {TARGET_AUROC}, received {yours:.3f}: "
                             f"{hint}")
    _passed("variation_signal", 1)
