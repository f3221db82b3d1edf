"""Checks of lesson 20, StyleGAN's latent space: spherical interpolation (the path in Z of the perceptual path
length), the conditional entropy of the separability score, and the open exercise: the truncation ψ at which
paths in Z become as short as the untruncated paths in W.

Taught in: lesson 20
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch
from torch import Tensor

from ._common import _call, _describe, _passed, _values, exercise_check


def _unit(x: Tensor) -> Tensor:
    return x / x.norm(dim=1, keepdim=True)


def _slerp_hint(a: Tensor, b: Tensor, t: Tensor, got: Tensor) -> str:
    ua, ub = _unit(a), _unit(b)
    theta = torch.arccos((ua * ub).sum(1, keepdim=True).clamp(-1, 1))
    tt = t[:, None]
    candidates = {
        "that is the straight line (lerp): its points fall inside the sphere, shorter than the end points; slerp "
        "walks along the great circle, every point a unit vector": torch.lerp(ua, ub, tt),
        "normalise a and b to unit length first: slerp interpolates their directions":
            (torch.sin((1 - tt) * theta) * a + torch.sin(tt * theta) * b) / torch.sin(theta),
        "t is the fraction of the angle θ between a and b: the point lies at angle t·θ from a, not at angle t":
            ua * torch.cos(tt) + _unit(ub - (ua * ub).sum(1, keepdim=True) * ua) * torch.sin(tt),
        "the weights are sin((1 − t)θ)/sin θ on a and sin(tθ)/sin θ on b, not the other way round":
            (torch.sin(tt * theta) * ua + torch.sin((1 - tt) * theta) * ub) / torch.sin(theta),
    }
    for hint, value in candidates.items():
        if value.shape == got.shape and torch.isfinite(value).all() and torch.allclose(got, value, atol=1e-4):
            return hint
    return "slerp(a, b; t) = sin((1 − t)θ)/sin θ · â + sin(tθ)/sin θ · b̂, θ the angle between the unit vectors â, b̂"


@exercise_check(seed=200)
def slerp(student_fn: Callable) -> None:
    """Check ``student_fn(a, b, t) -> points``: spherical interpolation of the directions of a and b, row by row
    ((N, d) and (N, d), positions t (N,)): the unit vector at angle t·θ from â towards b̂ on their great circle, θ the
    angle between them; finite when a and b point the same way; t a little beyond 1 (t + ε) continues the arc."""
    from ..metrics.latent import unit_slerp as reference

    gen = torch.Generator().manual_seed(200)
    a_orth, b_orth = torch.eye(4)[:1].repeat(3, 1), torch.eye(4)[1:2].repeat(3, 1)
    same = torch.randn(2, 6, generator=gen)
    cases = [
        ("two orthogonal unit vectors at t = 0, 0.5, 1", a_orth, b_orth, torch.tensor([0.0, 0.5, 1.0])),
        ("Gaussian z's of 64 numbers (lengths about 8), t uniform", torch.randn(5, 64, generator=gen),
         torch.randn(5, 64, generator=gen), torch.rand(5, generator=gen)),
        ("t = 1 + 1e-4 and t = 1e-4: a step ε past the ends", torch.randn(2, 8, generator=gen),
         torch.randn(2, 8, generator=gen), torch.tensor([1.0001, 0.0001])),
        ("a and b pointing the same way (θ = 0)", same, 3 * same, torch.tensor([0.3, 0.8])),
    ]
    for case, a, b, t in cases:
        out = _call(student_fn, case, a.clone(), b.clone(), t.clone(), expected=f"points {tuple(a.shape)}")
        expected = reference(a, b, t)
        if not isinstance(out, Tensor) or out.shape != a.shape:
            raise AssertionError(f"case '{case}': expected points of shape {tuple(a.shape)}, received {_describe(out)}")
        out = out.detach().float()
        if not torch.isfinite(out).all():
            raise AssertionError(f"case '{case}': expected finite points, received NaN or infinity: when a and b "
                                 "point the same way sin θ = 0; guard it (e.g. clamp the norm of the part of b "
                                 "orthogonal to a, or fall back to â)")
        if not torch.allclose(out, expected, atol=1e-4):
            raise AssertionError(f"case '{case}': expected {_values(expected)}, received {_values(out)}: "
                                 f"{_slerp_hint(a, b, t, out)}")
    _passed("slerp", len(cases))


def _entropy_hint(y: np.ndarray, x: np.ndarray, got: float) -> str:
    from ..metrics.latent import conditional_entropy as reference

    def plain_entropy(v):
        p = np.bincount(v, minlength=2) / len(v)
        return -sum(q * math.log(q) for q in p if q > 0)

    joint = plain_entropy(2 * y + x) if len(y) else 0.0
    candidates = {
        "use the natural logarithm (nats, as the paper's score exp(Σ H) assumes), not log base 2":
            reference(y, x) / math.log(2),
        "H(Y | X) averages the entropy of Y within each side of X, weighted by how often that side occurs; this is "
        "H(Y), which ignores X": plain_entropy(y),
        "H(Y | X) is the entropy of the labels Y given the SVM's side X, not of X given Y (they differ when the "
        "classes are unbalanced)": reference(x, y),
        "that is the joint entropy H(X, Y); subtract H(X): H(Y | X) = H(X, Y) − H(X)": joint,
        "weight each side's entropy by its share p(x) of the samples": sum(
            reference(y[x == s], x[x == s]) for s in np.unique(x)) if len(y) else 0.0,
    }
    matching = [hint for hint, value in candidates.items()
                if abs(value - reference(y, x)) > 1e-6 and abs(got - value) < 1e-4]
    if matching:                            # where two mistakes give the same number here, name both
        return "; or ".join(matching)
    return "H(Y | X) = −Σ_x p(x) Σ_y p(y | x) log p(y | x), in nats, from the samples' frequencies"


@exercise_check(seed=201)
def conditional_entropy(student_fn: Callable) -> None:
    """Check ``student_fn(y, x) -> float``: the conditional entropy H(Y | X) in nats of binary labels y (the
    attribute classifier's) given binary labels x (the linear SVM's side), 1D numpy integer arrays of one length,
    from their frequencies: 0 when x tells y exactly, log 2 when it tells nothing about balanced classes."""
    from ..metrics.latent import conditional_entropy as reference

    rng = np.random.default_rng(201)
    y_random = rng.integers(0, 2, 4000)
    skewed_y = (rng.random(3000) < 0.15).astype(int)
    skewed_x = np.where(rng.random(3000) < 0.8, skewed_y, 1 - skewed_y)
    one_side = rng.integers(0, 2, 500)
    cases = [
        ("x equal to y: a perfect hyperplane", y_random, y_random.copy()),
        ("x the opposite of y: as informative", y_random, 1 - y_random),
        ("x independent of y, balanced classes", y_random, rng.integers(0, 2, 4000)),
        ("unbalanced classes (15% ones), x agreeing 80% of the time", skewed_y, skewed_x),
        ("x on one side only: H(Y | X) = H(Y)", one_side, np.zeros(500, dtype=int)),
        ("every y the same", np.ones(300, dtype=int), rng.integers(0, 2, 300)),
    ]
    for case, y, x in cases:
        out = _call(student_fn, case, y.copy(), x.copy(), expected="a number, H(Y | X) in nats")
        expected = reference(y, x)
        try:
            value = float(out)
        except (TypeError, ValueError):
            raise AssertionError(f"case '{case}': expected a number (H(Y | X) in nats), received {_describe(out)}") \
                from None
        if not math.isfinite(value):
            raise AssertionError(f"case '{case}': expected a finite entropy, received {value}: skip the terms with "
                                 "p = 0 (0 · log 0 counts as 0)")
        if abs(value - expected) > 1e-4:
            raise AssertionError(f"case '{case}': expected {expected:.4f} nats, received {value:.4f}: "
                                 f"{_entropy_hint(y, x, value)}")
    _passed("conditional_entropy", len(cases))


# The open exercise: the truncation ψ at which paths in Z are as short as W's without truncation, graded on the
# committed face generator with paths the student never sees.
PATHS = 1000              # paths of each path length the check measures, drawn with CHECK_SEED
CHECK_SEED = 20
TOLERANCE = 0.25          # PPL in Z at the student's ψ within 25% of W's at ψ = 1 (draws of 1,000 paths: up to ~10%)


def psi_setup(device=None):
    """The committed face generator (``stylegan-faces``) and the perceptual features of the path length (the faces'
    identity network, :func:`gan_course.models.stylegan.perceptual_features`), both frozen."""
    from ..models import stylegan

    G = stylegan.load("stylegan-faces", device).requires_grad_(False)
    return G, stylegan.perceptual_features("faces", device)


def psi_lengths(G, features, psi: float, n: int = PATHS, seed: int = CHECK_SEED) -> dict:
    """The check's measurement: PPL in Z at ``psi`` and PPL in W at ψ = 1, over the same ``n`` seeded paths."""
    from ..models import stylegan

    in_z = stylegan.path_lengths(G, features, n, seed=seed, psi=psi, spaces=("z",))["z"].mean
    in_w = stylegan.path_lengths(G, features, n, seed=seed, spaces=("w",))["w"].mean
    return {"psi": psi, "ppl_z": in_z, "ppl_w": in_w, "ratio": in_z / in_w}


@exercise_check(seed=202, threads=None)  # convolutional networks: every thread
def matching_psi(student_fn: Callable) -> None:
    """Check (open exercise): ``student_fn(G, features) -> ψ``, a truncation ψ found with the committed face
    generator ``G`` and the path length's ``features`` (:func:`psi_setup`), at which the perceptual path length in
    Z (slerp, images truncated by ψ) is within :data:`TOLERANCE` of the path length in W without truncation, both
    measured on :data:`PATHS` fresh paths."""
    G, features = psi_setup()
    case = f"PPL in Z at your ψ against PPL in W at ψ = 1, {PATHS} fresh paths"
    out = _call(student_fn, case, G, features, expected="ψ, a number between 0 and 1")
    try:
        psi = float(out)
    except (TypeError, ValueError):
        raise AssertionError(f"case '{case}': expected ψ, a number between 0 and 1, received {_describe(out)}") \
            from None
    if not 0 <= psi <= 1:
        raise AssertionError(f"case '{case}': expected ψ between 0 and 1 (a pull towards w̄), received {psi:g}")
    found = psi_lengths(*psi_setup(), psi)          # measured on fresh copies: the answer may have changed G
    print(f"ψ = {psi:.3f}: PPL in Z {found['ppl_z']:.2f}, in W at ψ = 1 {found['ppl_w']:.2f} (ratio "
          f"{found['ratio']:.2f}; within {1 - TOLERANCE:.2f}-{1 + TOLERANCE:.2f})")
    if not math.isfinite(found["ratio"]):
        raise AssertionError(f"case '{case}': expected finite path lengths at ψ = {psi:g}, received "
                             f"{found['ppl_z']} in Z and {found['ppl_w']} in W")
    if abs(found["ratio"] - 1) > TOLERANCE:
        hint = ("paths in Z are still longer: truncate more (a smaller ψ)" if found["ratio"] > 1 else
                "paths in Z are now shorter than W's: truncate less (a larger ψ)")
        raise AssertionError(f"case '{case}': expected PPL in Z within {TOLERANCE:.0%} of W's {found['ppl_w']:.2f}, "
                             f"received {found['ppl_z']:.2f} at ψ = {psi:.3f}: {hint}")
    _passed("matching_psi", 1)
