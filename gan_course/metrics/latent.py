"""How well a generator's latent space is organised (StyleGAN, Karras et al. 2019, Section 4 and Appendix C).

* :func:`perceptual_path_length`: walk a tiny step ε along an interpolation between two latent points and measure
  how much the image changes, perceptually, divided by ε²:

      l_Z = E[ d(G(slerp(z₁, z₂; t)), G(slerp(z₁, z₂; t + ε))) / ε² ]
      l_W = E[ d(g(lerp(f(z₁), f(z₂); t)), g(lerp(f(z₁), f(z₂); t + ε))) / ε² ]

  with ε = 1e-4 and t ~ U(0, 1) ("full" paths) or t = 0 ("end" points). It compares nearby points of one latent
  path, not images from different times of training. The paper's d is LPIPS (distances of VGG16 features); here
  d(a, b) = ‖φ(a)/‖φ(a)‖ - φ(b)/‖φ(b)‖‖² on the features φ of a network the caller passes (the course's judges:
  the MNIST classifier, the faces' identity network), a stand-in for LPIPS that is not on the paper's scale. As
  in the paper's code, the mean leaves out the values below the 1st and above the 99th percentile.
* :func:`separability`: how linearly a latent space separates an attribute. Label every sample with an attribute
  classifier, keep the more confident half, fit a linear SVM from the latents to the labels, and measure the
  conditional entropy H(Y | X) of the classifier's label Y given the SVM's side X: 0 when a hyperplane splits
  them exactly, log 2 when it tells nothing. The paper's score is exp(Σ over attributes of H(Y | X)).

Taught in: lessons 19 (StyleGAN) and 20 (its latent space)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

SAMPLINGS = ("full", "end")


def unit_slerp(a: Tensor, b: Tensor, t: Tensor) -> Tensor:
    """Row-wise spherical interpolation of the directions of (B, d) a and b at (B,) positions t: a unit vector, as
    in the paper's code (the mapping network normalises z anyway)."""
    a, b = a / a.norm(dim=1, keepdim=True), b / b.norm(dim=1, keepdim=True)
    cos = (a * b).sum(1, keepdim=True).clamp(-1, 1)
    angle = t[:, None] * torch.arccos(cos)
    c = b - cos * a                                   # the part of b orthogonal to a
    c = c / c.norm(dim=1, keepdim=True).clamp_min(1e-12)
    return a * torch.cos(angle) + c * torch.sin(angle)


def lerp_rows(a: Tensor, b: Tensor, t: Tensor) -> Tensor:
    """Row-wise linear interpolation a + t (b - a) of (B, d) a and b at (B,) positions t (the path in W)."""
    return torch.lerp(a, b, t[:, None])


@dataclass(frozen=True)
class PathLength:
    """A perceptual path length: the mean over the kept values (1st to 99th percentile), and every value."""

    mean: float
    values: np.ndarray

    def __str__(self) -> str:
        return f"PPL {self.mean:.4g} over {len(self.values)} paths"


def unit_feature_distance(a: Tensor, b: Tensor) -> Tensor:
    """d(a, b) = ‖a/‖a‖ - b/‖b‖‖², row by row, for feature vectors (B, F) (or feature maps, flattened)."""
    a, b = a.flatten(1), b.flatten(1)
    a = a / a.norm(dim=1, keepdim=True).clamp_min(1e-12)
    b = b / b.norm(dim=1, keepdim=True).clamp_min(1e-12)
    return (a - b).pow(2).sum(1)


@torch.no_grad()
def perceptual_path_length(start: Tensor, end: Tensor, synthesise: Callable[[Tensor], Tensor],
                           features: Callable[[Tensor], Tensor], interpolation: str, sampling: str = "full",
                           eps: float = 1e-4, seed: int = 0, batch_size: int = 250) -> PathLength:
    """The perceptual path length between pairs of latent points.

    Args:
        start, end: (N, d) the paths' end points (z₁, z₂ in Z; f(z₁), f(z₂) in W).
        synthesise: latents (B, d) -> images (the whole generator in Z; the synthesis network, the same w at every
            layer, in W). Anything else it draws (StyleGAN's noise) must be the same for both images of a pair:
            call it on the two points of a pair together.
        features: images -> features (B, F), the stand-in for LPIPS's network.
        interpolation: ``"slerp"`` (the paper's choice in Z) or ``"lerp"`` (in W).
        sampling: ``"full"``: t ~ U(0, 1); ``"end"``: t = 0.
        eps: the step ε.
        seed: seeds t.
    """
    if start.dim() != 2 or start.shape != end.shape:
        raise ValueError(f"start and end must be (N, d) of one shape, got {tuple(start.shape)} and {tuple(end.shape)}")
    if interpolation not in ("slerp", "lerp"):
        raise ValueError(f"interpolation must be 'slerp' or 'lerp', got {interpolation!r}")
    if sampling not in SAMPLINGS:
        raise ValueError(f"sampling must be one of {SAMPLINGS}, got {sampling!r}")
    if not 0 < eps < 1:
        raise ValueError(f"eps must be a small positive step, got {eps!r}")
    interpolate = unit_slerp if interpolation == "slerp" else lerp_rows
    gen = torch.Generator().manual_seed(seed)
    n = len(start)
    t = torch.rand(n, generator=gen) if sampling == "full" else torch.zeros(n)
    t = t.to(start.device, start.dtype)
    values = []
    for i in range(0, n, batch_size):
        a, b, ti = start[i:i + batch_size], end[i:i + batch_size], t[i:i + batch_size]
        pair = torch.cat([interpolate(a, b, ti), interpolate(a, b, ti + eps)])  # both points in one call
        images = synthesise(pair)
        phi = features(images)
        values.append((unit_feature_distance(phi[:len(a)], phi[len(a):]) / eps ** 2).double().cpu())
    values = torch.cat(values).numpy()
    lo, hi = np.percentile(values, 1), np.percentile(values, 99)
    kept = values[(values >= lo) & (values <= hi)]
    return PathLength(float(kept.mean()), values)


@dataclass(frozen=True)
class Separability:
    """One attribute's linear separability: H(Y | X) in nats, the SVM's agreement with the labels, how many
    samples were kept."""

    entropy: float
    agreement: float
    kept: int


def conditional_entropy(y: np.ndarray, x: np.ndarray) -> float:
    """H(Y | X) in nats of two binary label arrays, from their joint frequencies."""
    y, x = np.asarray(y).astype(int), np.asarray(x).astype(int)
    if y.shape != x.shape or y.ndim != 1:
        raise ValueError(f"y and x must be 1D arrays of one length, got {y.shape} and {x.shape}")
    h = 0.0
    for side in np.unique(x):
        ys = y[x == side]
        p_side = len(ys) / len(y)
        for label in np.unique(ys):
            p = np.mean(ys == label)
            h -= p_side * p * math.log(p)
    return h


def separability(latents: Tensor | np.ndarray, labels: Tensor | np.ndarray, confidence: Tensor | np.ndarray,
                 keep: float = 0.5, seed: int = 0) -> Separability:
    """The paper's linear separability of one binary attribute in a latent space (Appendix C).

    Args:
        latents: (N, d) the samples' latent points (z or w).
        labels: (N,) the attribute classifier's binary labels of the samples' images.
        confidence: (N,) how sure it was (e.g. the probability of the chosen label); the least confident
            ``1 - keep`` are dropped.
    """
    from sklearn.svm import LinearSVC

    latents, labels, confidence = (np.asarray(torch.as_tensor(v).detach().cpu()) for v in (latents, labels, confidence))
    if latents.ndim != 2 or labels.shape != (len(latents),) or confidence.shape != (len(latents),):
        raise ValueError(f"expected latents (N, d), labels (N,) and confidence (N,), got {latents.shape}, "
                         f"{labels.shape} and {confidence.shape}")
    if not set(np.unique(labels)) <= {0, 1}:
        raise ValueError(f"labels must be 0 or 1, got {np.unique(labels)[:5]}")
    order = np.argsort(-confidence, kind="stable")[: int(round(keep * len(latents)))]
    x, y = latents[order], labels[order].astype(int)
    if len(np.unique(y)) < 2:  # one class left: the attribute is constant, nothing to separate
        return Separability(0.0, 1.0, len(y))
    svm = LinearSVC(C=1.0, max_iter=20000, random_state=seed).fit(x, y)
    side = svm.predict(x)
    return Separability(conditional_entropy(y, side), float(np.mean(side == y)), len(y))
