"""Checks of lesson 19, StyleGAN: adaptive instance normalisation, the truncation trick, and the open exercise: a
direction in W that turns the head and leaves the person and the light alone.

Taught in: lesson 19
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor

from ._common import _call, _describe, _passed, _values, exercise_check


def _instance_norm(x: Tensor, dims, unbiased: bool = False, eps: float = 1e-8) -> Tensor:
    mean = x.mean(dim=dims, keepdim=True)
    return (x - mean) / (x.var(dim=dims, keepdim=True, unbiased=unbiased) + eps).sqrt()


def _adain_hint(x: Tensor, scale: Tensor, bias: Tensor, got: Tensor) -> str:
    s, b = scale[:, :, None, None], bias[:, :, None, None]
    candidates = {
        "μ(x) and σ(x) are each sample's own statistics over its pixels (dims 2 and 3), not the batch's: with batch "
        "statistics a sample's style would depend on the other samples in its batch":
            s * _instance_norm(x, (0, 2, 3)) + b,
        "normalise each channel on its own (over the pixels, dims 2 and 3), not over all channels together":
            s * _instance_norm(x, (1, 2, 3)) + b,
        "use the population variance (unbiased=False), as instance normalisation does":
            s * _instance_norm(x, (2, 3), unbiased=True) + b,
        "y_s scales the normalised features and y_b shifts them: AdaIN(x, y) = y_s·(x − μ(x))/σ(x) + y_b":
            b * _instance_norm(x, (2, 3)) + s,
        "divide by the standard deviation σ(x), the square root of the variance":
            s * (x - x.mean(dim=(2, 3), keepdim=True)) / (x.var(dim=(2, 3), keepdim=True, unbiased=False) + 1e-8)
            + b,
        "subtract the mean μ(x) before dividing by σ(x)":
            s * x / (x.var(dim=(2, 3), keepdim=True, unbiased=False) + 1e-8).sqrt() + b,
    }
    for hint, value in candidates.items():
        if value.shape == got.shape and torch.allclose(got, value, atol=1e-4, rtol=1e-4):
            return hint
    return "AdaIN(x, y) = y_s·(x − μ(x))/σ(x) + y_b with μ and σ over each sample's and channel's pixels"


@exercise_check(seed=190)
def adain(student_fn: Callable) -> None:
    """Check ``student_fn(x, y_s, y_b) -> features``: adaptive instance normalisation (StyleGAN, Eq. 1), each sample's
    and each channel's features normalised by their own mean and (population) standard deviation over the pixels,
    then scaled by y_s and shifted by y_b (both (B, C)); a small epsilon under the square root keeps a constant
    channel finite; gradients reach x, y_s and y_b."""
    from ..layers import adain as reference

    gen = torch.Generator().manual_seed(190)
    constant = torch.randn(3, 4, 5, 5, generator=gen)
    constant[1, 2] = 0.7                                                     # one channel with no spread at all
    cases = [
        ("2 samples, 3 channels, 4 × 4", torch.randn(2, 3, 4, 4, generator=gen)),
        ("5 samples with their own scales and offsets, 8 × 8",
         torch.randn(5, 6, 8, 8, generator=gen) * torch.arange(1, 6.0).view(5, 1, 1, 1) + torch.arange(5.0).view(5, 1, 1, 1)),
        ("1 sample, 16 channels, 2 × 3 (not square)", torch.randn(1, 16, 2, 3, generator=gen)),
        ("a constant channel (σ = 0)", constant),
    ]
    for case, x in cases:
        b, c = x.shape[:2]
        scale = torch.randn(b, c, generator=gen).abs() + 0.5
        bias = torch.randn(b, c, generator=gen)
        mine = [t.clone().requires_grad_(True) for t in (x, scale, bias)]
        theirs = [t.clone().requires_grad_(True) for t in (x, scale, bias)]
        out = _call(student_fn, case, *theirs, expected="features (B, C, H, W)")
        expected = reference(*mine)
        if not isinstance(out, Tensor) or out.shape != x.shape:
            raise AssertionError(f"case '{case}': expected features of shape {tuple(x.shape)}, the shape of x, "
                                 f"received {_describe(out)}")
        if not torch.isfinite(out).all():
            raise AssertionError(f"case '{case}': expected finite features, received NaN or infinity: a channel with "
                                 "no spread has σ = 0; add a small epsilon (1e-8) to the variance before the square "
                                 "root")
        if not torch.allclose(out.detach(), expected.detach(), atol=1e-4, rtol=1e-4):
            raise AssertionError(f"case '{case}': expected {_values(expected)}, received {_values(out)}: "
                                 f"{_adain_hint(x, scale, bias, out.detach())}")
        weights = torch.randn(x.shape, generator=gen)
        if out.requires_grad:
            (out * weights).sum().backward()
        (expected * weights).sum().backward()
        for name, got, want in zip(("x", "y_s", "y_b"), theirs, mine):
            if name == "x" and case.startswith("a constant channel"):
                continue        # through σ = 0 the gradient is 1/√ε: it depends on the ε chosen, not on the answer
            if got.grad is None or not torch.allclose(got.grad, want.grad, atol=1e-3, rtol=1e-3):
                received = "none" if got.grad is None else "a different one"
                raise AssertionError(f"case '{case}': expected the gradient to reach {name} as through AdaIN itself, "
                                     f"received {received}: G learns through every input of this layer, so detach "
                                     "nothing and compute μ and σ with torch operations")
    _passed("adain", len(cases))


@exercise_check(seed=191)
def truncate(student_fn: Callable) -> None:
    """Check ``student_fn(ws, w_avg, psi, layers) -> ws'``: the truncation trick, w' = w̄ + ψ(w − w̄), applied to the
    first ``layers`` of the per-layer w's (None: all of them), the other layers unchanged; ``ws`` (N, L, w_dim) is
    not modified in place; gradients reach ws."""
    gen = torch.Generator().manual_seed(191)
    cases = [("ψ 0.7, every layer", 0.7, None), ("ψ 0.5, the first 4 of 8 layers", 0.5, 4),
             ("ψ 0 (every w becomes w̄)", 0.0, None), ("ψ 1 (no truncation)", 1.0, 3),
             ("ψ -0.5 (past w̄, the 'anti-face')", -0.5, 2)]
    for case, psi, layers in cases:
        ws = torch.randn(6, 8, 5, generator=gen) * 2
        w_avg = torch.randn(5, generator=gen)
        source = ws.clone().requires_grad_(True)
        given = source * 1                      # not a leaf: an in-place edit runs, and the check can see it
        kept = ws.clone()
        out = _call(student_fn, case, given, w_avg.clone(), psi, layers, expected="the truncated ws (N, L, w_dim)")
        cut = 8 if layers is None else layers
        expected = ws.clone()
        expected[:, :cut] = w_avg + psi * (ws[:, :cut] - w_avg)
        if not isinstance(out, Tensor) or out.shape != ws.shape:
            raise AssertionError(f"case '{case}': expected ws' of shape {tuple(ws.shape)}, received {_describe(out)}")
        if not torch.equal(given.detach(), kept):
            raise AssertionError(f"case '{case}': expected ws unchanged, received it modified in place: work on a "
                                 "copy (ws.clone()) or build a new tensor")
        if not torch.allclose(out.detach(), expected, atol=1e-5):
            got = out.detach()
            hint = _truncate_hint(ws, w_avg, psi, layers, got)
            raise AssertionError(f"case '{case}': expected {_values(expected)}, received {_values(got)}: {hint}")
        if psi not in (0.0, 1.0) or layers is not None:
            if out.requires_grad:
                out.sum().backward()
            want = torch.ones_like(ws)
            want[:, :cut] = psi
            if source.grad is None or not torch.allclose(source.grad, want, atol=1e-5):
                received = "none" if source.grad is None else "a different one"
                raise AssertionError(f"case '{case}': expected the gradient to reach ws (ψ on the truncated layers, "
                                     f"1 on the others), received {received}: build ws' with torch operations")
    _passed("truncate", len(cases))


def _truncate_hint(ws: Tensor, w_avg: Tensor, psi: float, layers: int | None, got: Tensor) -> str:
    cut = ws.shape[1] if layers is None else layers

    def truncated(first: bool, rule) -> Tensor:
        out = ws.clone()
        part = slice(0, cut) if first else slice(ws.shape[1] - cut, ws.shape[1])
        out[:, part] = rule(ws[:, part])
        return out

    right = lambda w: w_avg + psi * (w - w_avg)  # noqa: E731
    candidates = {
        f"truncate the first {layers} layers (the coarse styles), not the last": truncated(False, right),
        "only the first `layers` w's are truncated (None: all of them); the later layers keep their w":
            w_avg + psi * (ws - w_avg),
        "ψ scales the distance from w̄, w' = w̄ + ψ(w − w̄), not the step towards it":
            truncated(True, lambda w: w + psi * (w_avg - w)),
        "truncation pulls w towards the mean w̄, not towards 0: w' = w̄ + ψ(w − w̄)": truncated(True, lambda w: psi * w),
    }
    for hint, value in candidates.items():
        if torch.allclose(got, value, atol=1e-5) and not torch.allclose(value, truncated(True, right), atol=1e-5):
            return hint
    return "w' = w̄ + ψ(w − w̄) on the first `layers` w's: ψ = 1 leaves w alone, ψ = 0 gives w̄"


# The open exercise: a direction in W that turns the head (yaw) and leaves the person and the light alone, graded on
# the committed face generator with the faces' factor reader, on latents the student never sees. For scale, true
# renders of 300 people turned by 40 degrees (pose, light and person otherwise the same) read as a mean |change| of
# 0.07-0.35 standard deviations in the other factors (the reader's own error; pitch and hair length the largest)
# and a mean change of at most 0.01.
TURN_SAMPLES = 300        # fresh w's the check moves along the direction, drawn with CHECK_SEED
CHECK_SEED = 19
TARGET_TURN = 30.0        # degrees: mean yaw read at w + d minus at w - d, at least
KEEP_MEAN = 0.2           # every other factor: |mean change| at most this many of its standard deviations
KEEP_ABS = 0.6            # every other factor: mean |change| at most this many of its standard deviations
MAX_LENGTH = 1.0          # |d| at most this many times the mean distance |w - w̄| of a sample from w̄


def turn_setup(device=None):
    """The committed face generator (``stylegan-faces``) and the faces' factor reader (``faces-factors``: images
    -> (N, 7) factors of :data:`gan_course.models.face_factors.FACTORS` in their own units, yaw in degrees;
    ``.std`` holds each factor's standard deviation over the training views), both frozen."""
    from ..models import face_factors, stylegan

    G = stylegan.load("stylegan-faces", device).requires_grad_(False)
    return G, face_factors.load_factors(device).requires_grad_(False)


def turned(G, factors, direction: Tensor, n: int = TURN_SAMPLES, seed: int = CHECK_SEED) -> dict:
    """Move ``n`` fresh w's (seeded) to w ± d at every layer, with the same noise, and read the factors: the mean
    yaw change (+d minus −d, degrees); for every other factor the mean change and the mean |change|, in standard
    deviations of that factor over the training views; and |d| over the mean |w − w̄|."""
    from ..models import face_factors, stylegan

    gen = torch.Generator().manual_seed(seed)
    device = next(G.parameters()).device
    with torch.no_grad():
        w = G.mapping(torch.randn(n, G.config.z_dim, generator=gen).to(device))
        noise = stylegan.shared_noise(G.config, n, generator=gen, device=device)
        d = direction.to(device=device, dtype=w.dtype).flatten()
        read = {sign: face_factors.predict_factors(factors, G.synthesis(G.broadcast(w + sign * d), noise).clamp(-1, 1))
                for sign in (1.0, -1.0)}
        spread = (w - G.w_avg).norm(dim=1).mean()
    change = (read[1.0] - read[-1.0]) / factors.std.cpu()
    yaw = face_factors.FACTORS.index("yaw")
    others = [(k, name) for k, name in enumerate(face_factors.FACTORS) if k != yaw]
    return {"turn": (change[:, yaw].mean() * factors.std[yaw].cpu()).item(),
            "mean_change": {name: change[:, k].mean().item() for k, name in others},
            "abs_change": {name: change[:, k].abs().mean().item() for k, name in others},
            "length": (d.norm() / spread).item()}


def regression_direction(G, factors, n: int = 3000, seed: int = 5, degrees: float = 20.0) -> Tensor:
    """The obvious direction: regress the factors the reader sees in ``n`` samples on their w (least squares,
    factors ≈ w · C), and take the shortest d, measured in W's own spread (the covariance Σ of w), whose predicted
    change is ``degrees`` of yaw and nothing else: d = Σ C (Cᵀ Σ C)⁻¹ t."""
    from ..models import face_factors

    gen = torch.Generator().manual_seed(seed)
    device = next(G.parameters()).device
    with torch.no_grad():
        w = G.mapping(torch.randn(n, G.config.z_dim, generator=gen).to(device))
        seen = torch.cat([face_factors.predict_factors(factors, G.synthesis(G.broadcast(w[i:i + 500])).clamp(-1, 1))
                          for i in range(0, n, 500)])
    w_centred, seen_centred = (w - w.mean(0)).cpu(), seen - seen.mean(0)
    coef = torch.linalg.lstsq(w_centred, seen_centred).solution                 # (w_dim, F): factors ≈ w · C
    cov = w_centred.T @ w_centred / n                                            # Σ, (w_dim, w_dim)
    wanted = torch.zeros(len(face_factors.FACTORS))
    wanted[face_factors.FACTORS.index("yaw")] = degrees                          # t: this much yaw, nothing else
    return cov @ coef @ torch.linalg.solve(coef.T @ cov @ coef, wanted)


@exercise_check(seed=192, threads=None)  # convolutional networks: every thread
def turn_direction(student_fn: Callable) -> None:
    """Check (open exercise): ``student_fn(G, factors) -> d``, a direction (w_dim,) in W, found with the committed
    face generator ``G`` and the factor reader ``factors`` (:func:`turn_setup`). On :data:`TURN_SAMPLES` fresh w's,
    the images at w + d must read at least :data:`TARGET_TURN` degrees further to positive yaw than those at w − d;
    every other factor must change by at most :data:`KEEP_MEAN` of its standard deviation on average and
    :data:`KEEP_ABS` in mean |change|; and |d| must stay within :data:`MAX_LENGTH` times the mean |w − w̄|."""
    G, factors = turn_setup()
    case = f"{TURN_SAMPLES} fresh w's moved to w ± d"
    out = _call(student_fn, case, G, factors, expected=f"a direction in W, a tensor of {G.config.w_dim} numbers")
    if not isinstance(out, Tensor) or out.numel() != G.config.w_dim:
        raise AssertionError(f"case '{case}': expected a tensor of {G.config.w_dim} numbers (one per entry of w), "
                             f"received {_describe(out)}")
    if not torch.isfinite(out).all() or float(out.norm()) == 0:
        raise AssertionError(f"case '{case}': expected a finite, non-zero direction, received {_values(out)}")
    found = turned(G, factors, out.detach().float().cpu())
    rows = ", ".join(f"{name} {found['mean_change'][name]:+.2f} / {found['abs_change'][name]:.2f}"
                     for name in found["mean_change"])
    print(f"yaw at w + d minus at w - d: {found['turn']:.1f} degrees (at least {TARGET_TURN:g}); the other factors' "
          f"mean change / mean |change| in standard deviations: {rows} (at most {KEEP_MEAN:g} / {KEEP_ABS:g}); "
          f"|d| = {found['length']:.2f} of the mean |w - w̄| (at most {MAX_LENGTH:g})")
    if found["length"] > MAX_LENGTH:
        raise AssertionError(f"case '{case}': expected |d| at most {MAX_LENGTH:g} times the mean |w - w̄|, received "
                             f"{found['length']:.2f}: so far from where w lives, G draws what it never learned")
    if found["turn"] < TARGET_TURN:
        hint = ("the head turns the other way: negate d" if found["turn"] < -TARGET_TURN else
                "make d longer, or point it better")
        raise AssertionError(f"case '{case}': expected a turn of at least {TARGET_TURN:g} degrees, received "
                             f"{found['turn']:.1f}: {hint}")
    for kind, limit in (("mean_change", KEEP_MEAN), ("abs_change", KEEP_ABS)):
        values = {name: abs(v) for name, v in found[kind].items()}
        worst = max(values, key=values.get)
        if values[worst] > limit:
            what = "an average change" if kind == "mean_change" else "a mean |change|"
            raise AssertionError(f"case '{case}': expected every other factor to keep still (at most {limit:g} "
                                 f"standard deviations), received {what} of {values[worst]:.2f} for {worst}: "
                                 "remove from d what moves the other factors; G and the reader are differentiable")
    _passed("turn_direction", 1)
