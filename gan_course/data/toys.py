"""Toy distributions with exact densities, so that we can *measure* what a GAN learned.

* :func:`mixture_1d`: a 1D mixture of Gaussians (lesson 00, Goodfellow et al.'s Figure 1);
* :func:`ring_of_gaussians` and :func:`grid_of_gaussians`: the 2D mode-collapse benchmarks
  (8 modes on a circle, 25 modes on a grid), with the PacGAN paper's settings;
* :class:`ParallelLine`: Example 1 of the WGAN paper, where JS divergence fails and W1 works.

Each has ``sample(n)`` and ``batches(batch_size, seed)``, an endless, resumable :class:`SampleStream`.

Taught in: lessons 00–05, 08
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor


def _positive_int(what: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{what} must be a positive integer, got {value!r}")
    return int(value)


def _positive_float(what: str, value) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        out = float("nan")
    if not math.isfinite(out) or out <= 0:
        raise ValueError(f"{what} must be a positive number, got {value!r}")
    return out


def _to(x: Tensor, device) -> Tensor:
    return x if device is None else x.to(device)


# --------------------------------------------------------------------------- toy distributions


class SampleStream:
    """Infinite iterator of fresh batches from a distribution.

    It owns a CPU ``torch.Generator``: the same seed gives the same batches on every
    device, and ``state_dict`` lets a checkpointed run resume the exact same stream.

    Args:
        dist: anything with ``sample(n, generator, device)``.
        batch_size: samples per batch.
        seed: seed of the stream's own generator.
        device: where the batches go (they are drawn on the CPU, then moved).
    """

    def __init__(self, dist, batch_size: int, seed: int = 0, device=None):
        self.dist = dist
        self.batch_size = _positive_int("batch_size", batch_size)
        self.device = None if device is None else torch.device(device)
        self.generator = torch.Generator().manual_seed(int(seed))
        self.batches_drawn = 0

    def __iter__(self) -> "SampleStream":
        return self

    def __next__(self) -> Tensor:
        self.batches_drawn += 1
        return self.dist.sample(self.batch_size, generator=self.generator, device=self.device)  # (B, d)

    def state_dict(self) -> dict:
        """The generator state and a batch count, for checkpoints."""
        return {"generator": self.generator.get_state(), "batch_size": self.batch_size,
                "batches_drawn": self.batches_drawn}

    def load_state_dict(self, state: dict) -> None:
        """Continue exactly where the stream that wrote ``state`` stopped."""
        if state.get("batch_size") != self.batch_size:
            raise ValueError(f"the saved stream has batch_size {state.get('batch_size')!r}, "
                             f"this one {self.batch_size}; they would give different batches")
        self.generator.set_state(state["generator"])
        self.batches_drawn = int(state["batches_drawn"])


class GaussianMixture:
    """Isotropic Gaussian mixture with equal std per component.

    Args:
        centers: (K, d) means of the K components.
        std: the standard deviation of every component (same in every direction).
        weights: (K,) non-negative mixing weights, normalised to sum to 1; None: equal.
        name: a label for plots and reports.
    """

    def __init__(self, centers, std: float, weights=None, name: str = "mixture"):
        centers = torch.as_tensor(centers, dtype=torch.float32)
        if centers.dim() != 2 or centers.shape[0] == 0:
            raise ValueError(f"centers must be a 2-D (K, d) array with K >= 1, "
                             f"got shape {tuple(centers.shape)}")
        k = centers.shape[0]
        if weights is None:
            weights = torch.full((k,), 1.0 / k)
        weights = torch.as_tensor(weights, dtype=torch.float32)
        if weights.shape != (k,):
            raise ValueError(f"weights must have one entry per center, i.e. shape ({k},), "
                             f"got shape {tuple(weights.shape)}")
        if not torch.isfinite(weights).all() or (weights < 0).any() or weights.sum() <= 0:
            raise ValueError(f"weights must be finite, non-negative and sum to a positive number, "
                             f"got {weights.tolist()}")
        self.centers = centers
        self.std = _positive_float("std", std)
        self.weights = weights / weights.sum()
        self.name = name

    @property
    def dim(self) -> int:
        return self.centers.shape[1]

    def __repr__(self) -> str:
        return f"GaussianMixture({self.name!r}, {self.centers.shape[0]} modes, dim {self.dim}, std {self.std})"

    def sample_with_modes(self, n: int, generator: torch.Generator | None = None,
                          device=None) -> tuple[Tensor, Tensor]:
        """Draw ``n`` samples and say which component each came from.

        Args:
            n: number of samples.
            generator: a ``torch.Generator`` for reproducible draws (None: torch's global one).
            device: where the result goes.

        Returns:
            x (n, d) float32 and the component index (n,) int64 of each sample.
        """
        n = _positive_int("n", n)
        # Draw on the generator's device (the CPU unless the caller brings a CUDA generator).
        where = generator.device if generator is not None else torch.device("cpu")
        modes = torch.multinomial(self.weights.to(where), n, replacement=True, generator=generator)  # (n,)
        noise = torch.randn(n, self.dim, generator=generator, device=where)  # (n, d)
        x = self.centers.to(where)[modes] + self.std * noise  # (n, d)
        return _to(x, device), _to(modes, device)

    def sample(self, n: int, generator: torch.Generator | None = None, device=None) -> Tensor:
        """``n`` samples, shape (n, d). Args as in :meth:`sample_with_modes`."""
        return self.sample_with_modes(n, generator, device)[0]

    def log_prob(self, x: Tensor) -> Tensor:
        """Exact log density of each row of ``x`` (N, d), or of ``x`` (N,) when d == 1.

        Returns:
            (N,) ``log sum_k w_k N(x; mu_k, std^2 I)``, computed with ``logsumexp`` so that
            points far from every mode give a large negative number instead of ``log(0)``.
        """
        x = torch.as_tensor(x)
        if x.dim() == 1 and self.dim == 1:
            x = x.unsqueeze(1)  # (N,) -> (N, 1)
        if x.dim() != 2 or x.shape[1] != self.dim:
            raise ValueError(f"x must have shape (N, {self.dim}), got {tuple(x.shape)}")
        x = x if x.is_floating_point() else x.float()
        centers = self.centers.to(x.device, x.dtype)
        sq_dist = ((x[:, None, :] - centers[None, :, :]) ** 2).sum(-1)  # (N, K)
        log_norm = -0.5 * self.dim * math.log(2 * math.pi * self.std**2)
        log_w = torch.log(self.weights.to(x.device, x.dtype))  # (K,); log 0 = -inf is fine here
        return torch.logsumexp(log_w + log_norm - sq_dist / (2 * self.std**2), dim=1)  # (N,)

    def density(self, x: Tensor) -> Tensor:
        """``exp(log_prob(x))``: the density at each row of ``x``, shape (N,)."""
        return self.log_prob(x).exp()

    def batches(self, batch_size: int, seed: int = 0, device=None) -> SampleStream:
        """An endless, resumable stream of fresh (batch_size, d) batches."""
        return SampleStream(self, batch_size, seed=seed, device=device)


def mixture_1d(means=(-2.0, 2.0), std: float = 0.5, weights=None) -> GaussianMixture:
    """A 1D mixture of Gaussians (dim 1), by default two modes at -2 and +2."""
    return GaussianMixture([[float(m)] for m in means], std, weights, name="mixture_1d")


class LabelledMixtures:
    """Pairs (x, y) of a conditional 1D toy: a label y ~ ``p_y`` (K labels), then x ~ ``conditionals[y]``, one
    1D :class:`GaussianMixture` per label. A sample is the row ``[x, one_hot(y)]``, shape (n, 1 + K), which is what
    a conditional discriminator on 1D data reads (the label as K inputs that are 0 or 1).

    Args:
        conditionals: K 1D mixtures, p(x | y) for y = 0 .. K-1.
        p_y: (K,) label probabilities summing to 1; None: equal.
    """

    def __init__(self, conditionals, p_y=None):
        conditionals = list(conditionals)
        if not conditionals or any(getattr(c, "dim", None) != 1 for c in conditionals):
            raise ValueError("conditionals must be one or more 1D GaussianMixtures (e.g. mixture_1d(...)), got "
                             f"{conditionals!r}")
        k = len(conditionals)
        p_y = torch.full((k,), 1.0 / k) if p_y is None else torch.as_tensor(p_y, dtype=torch.float32)
        if p_y.shape != (k,) or (p_y < 0).any() or abs(p_y.sum().item() - 1) > 1e-6:
            raise ValueError(f"p_y must be {k} non-negative probabilities summing to 1 (one per conditional), got "
                             f"{p_y.tolist()}")
        self.conditionals, self.p_y = conditionals, p_y

    @property
    def dim(self) -> int:
        return 1 + len(self.conditionals)

    def sample(self, n: int, generator: torch.Generator | None = None, device=None) -> Tensor:
        """``n`` rows ``[x, one_hot(y)]``, shape (n, 1 + K)."""
        n = _positive_int("n", n)
        y = torch.multinomial(self.p_y, n, replacement=True, generator=generator)  # (n,)
        x = torch.empty(n)
        for label, conditional in enumerate(self.conditionals):
            rows = torch.nonzero(y == label).squeeze(1)
            if len(rows):
                x[rows] = conditional.sample(len(rows), generator)[:, 0].to(x.dtype)
        one_hot = torch.nn.functional.one_hot(y, len(self.conditionals)).float()
        return _to(torch.cat([x[:, None], one_hot], dim=1), device)

    def batches(self, batch_size: int, seed: int = 0, device=None) -> SampleStream:
        """An endless, resumable stream of fresh (batch_size, 1 + K) batches."""
        return SampleStream(self, batch_size, seed=seed, device=device)


def ring_of_gaussians(n_modes: int = 8, radius: float = 1.0, std: float = 0.01) -> GaussianMixture:
    """``n_modes`` Gaussians evenly spaced on a circle (PacGAN's 2D-ring: 8 modes, radius 1, std 0.01)."""
    n_modes = _positive_int("n_modes", n_modes)
    radius = _positive_float("radius", radius)
    # Angles 2*pi*k/n for k = 0..n-1. A common bug is torch.linspace(0, 2*pi, n): it includes
    # both 0 and 2*pi, which are the same point, so the "8-mode" ring has only 7 distinct modes
    # (and one of them twice the weight), and every mode-coverage number is silently wrong.
    angles = 2 * math.pi * torch.arange(n_modes, dtype=torch.float64) / n_modes
    centers = radius * torch.stack([angles.cos(), angles.sin()], dim=1)  # (n_modes, 2)
    return GaussianMixture(centers, std, name="ring")


def grid_of_gaussians(side: int = 5, spacing: float = 2.0, std: float = 0.05) -> GaussianMixture:
    """``side x side`` Gaussians on a grid centred at 0 (PacGAN's 2D-grid: means in {-4,-2,0,2,4}^2, std 0.05)."""
    side = _positive_int("side", side)
    spacing = _positive_float("spacing", spacing)
    axis = (torch.arange(side, dtype=torch.float64) - (side - 1) / 2) * spacing  # (side,), centred
    xs, ys = torch.meshgrid(axis, axis, indexing="ij")
    centers = torch.stack([xs.flatten(), ys.flatten()], dim=1)  # (side*side, 2)
    return GaussianMixture(centers, std, name="grid")


class ParallelLine:
    """The WGAN paper's Example 1 (Arjovsky et al. 2017): P_theta is the distribution of (theta, Z), Z ~ U[0, 1].

    Two such lines, theta != 0 apart, never overlap: JS(P_0, P_theta) = log 2 and KL is infinite
    whatever theta, so they give no gradient, while W1(P_0, P_theta) = |theta| shrinks smoothly.

    Args:
        theta: the horizontal position of the line.
    """

    dim = 2

    def __init__(self, theta: float):
        try:
            self.theta = float(theta)
        except (TypeError, ValueError):
            raise ValueError(f"theta must be a number, got {theta!r}") from None
        if not math.isfinite(self.theta):
            raise ValueError(f"theta must be finite, got {theta!r}")
        self.name = "parallel_line"

    def __repr__(self) -> str:
        return f"ParallelLine(theta={self.theta})"

    def sample(self, n: int, generator: torch.Generator | None = None, device=None) -> Tensor:
        """``n`` points (theta, z) with z ~ U[0, 1], shape (n, 2)."""
        n = _positive_int("n", n)
        where = generator.device if generator is not None else torch.device("cpu")
        z = torch.rand(n, generator=generator, device=where)  # (n,)
        x = torch.stack([torch.full_like(z, self.theta), z], dim=1)  # (n, 2)
        return _to(x, device)

    def batches(self, batch_size: int, seed: int = 0, device=None) -> SampleStream:
        """An endless, resumable stream of fresh (batch_size, 2) batches."""
        return SampleStream(self, batch_size, seed=seed, device=device)


_TOYS = {"mixture_1d": mixture_1d, "ring": ring_of_gaussians, "grid": grid_of_gaussians,
         "parallel_line": ParallelLine}


def toy(name: str, **kwargs):
    """A toy distribution by name: ``"mixture_1d"``, ``"ring"``, ``"grid"`` or ``"parallel_line"``.

    Args:
        name: which distribution.
        **kwargs: passed to its constructor, e.g. ``toy("ring", n_modes=6)``.
    """
    if name not in _TOYS:
        raise ValueError(f"unknown toy distribution {name!r}; expected one of {', '.join(_TOYS)}")
    return _TOYS[name](**kwargs)
