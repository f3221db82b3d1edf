"""Figures of GANs on toy data: Goodfellow et al.'s Figure 1 in 1D, 2D samples over D's contour, snapshots of
G during training and the mode-hopping heatmap.

Taught in: lessons 00, 02, 03, 04, 05
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.figure import Figure
from torch import Tensor

from .core import D_COLOR, DATA_COLOR, FAKE_COLOR, make_axes, to_numpy


# --------------------------------------------------------------------------- 1D: data, G and D together


def snapshot_1d(n: int = 2000, x_range: tuple[float, float] = (-5.0, 5.0), points: int = 200, seed: int = 0):
    """Make a ``snapshot`` function for :func:`gan_course.train.train` on 1D data.

    Every snapshot keeps G's samples for the same fixed noise and D's
    probability ``D(x) = sigmoid(logit)`` on a grid, so frames compare.
    """
    z_gen = torch.Generator().manual_seed(seed)
    grid = torch.linspace(*x_range, points).unsqueeze(1)  # (points, 1)
    fixed: dict[str, Tensor] = {}

    def take(model) -> dict:  # model: a training Step with a generator G and a discriminator D
        G, D = model.G, model.D
        device = next(G.parameters()).device
        if "z" not in fixed:
            fixed["z"] = torch.randn(n, G.z_dim, generator=z_gen)
        fake = G(fixed["z"].to(device)).cpu()
        d_prob = torch.sigmoid(D(grid.to(device))).cpu()
        return {"fake": fake, "x": grid.squeeze(1), "d": d_prob}

    return take


def plot_1d(
    dist,
    fake: Tensor | None = None,
    d_curve: tuple[Tensor, Tensor] | None = None,
    ax=None,
    x_range: tuple[float, float] = (-5.0, 5.0),
    title: str | None = None,
    samples_label: str = "$p_g$ (samples of G)",
) -> Figure:
    """The picture of Goodfellow et al.'s Figure 1 for 1D data.

    Args:
        dist: the data distribution (anything with ``density(x)`` for x of shape (N, 1)).
        fake: generated samples (N, 1), drawn as a histogram, or None.
        samples_label: legend entry of the histogram (e.g. for real samples).
        d_curve: ``(x, D(x))`` to draw the discriminator's probability, or None.
        x_range: the horizontal range.
    """
    fig, ax = make_axes(ax)
    x = torch.linspace(*x_range, 400).unsqueeze(1)
    ax.plot(x.squeeze(1), to_numpy(dist.density(x)), ":", color=DATA_COLOR, lw=2, label="$p_{data}$")
    if fake is not None:
        ax.hist(to_numpy(fake).ravel(), bins=80, range=x_range, density=True, color=FAKE_COLOR, alpha=0.5,
                label=samples_label)
    if d_curve is not None:
        ax.plot(to_numpy(d_curve[0]), to_numpy(d_curve[1]), "--", color=D_COLOR, lw=2, label="$D(x)$")
        ax.axhline(0.5, color=D_COLOR, lw=0.5, alpha=0.5)
    ax.set_xlim(*x_range)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("x")
    ax.legend(loc="upper right", fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def plot_1d_snapshot(dist, snapshot: tuple[int, dict], ax=None, x_range=(-5.0, 5.0)) -> Figure:
    """Plot one ``(step, snapshot)`` pair recorded with :func:`snapshot_1d`."""
    step, snap = snapshot
    return plot_1d(dist, snap["fake"], (snap["x"], snap["d"]), ax=ax, x_range=x_range, title=f"step {step}")


# --------------------------------------------------------------------------- 2D: samples over D's contour


def plot_2d(
    real: Tensor,
    fake: Tensor | None = None,
    D=None,
    ax=None,
    lim: float | None = None,
    title: str | None = None,
) -> Figure:
    """Real and generated 2D samples over the discriminator's probability D(x).

    Args:
        real, fake: (N, 2) samples.
        D: the discriminator (returns logits); its sigmoid is drawn as filled contours.
        lim: half-width of the square view; default fits the real data with a margin.
    """
    fig, ax = make_axes(ax, figsize=(5, 5))
    real_np = to_numpy(real)
    lim = lim or float(np.abs(real_np).max() * 1.3 + 1e-6)
    if D is not None:
        axis = torch.linspace(-lim, lim, 120)
        xx, yy = torch.meshgrid(axis, axis, indexing="xy")
        points = torch.stack([xx.ravel(), yy.ravel()], dim=1)  # (120*120, 2)
        device = next(D.parameters()).device
        with torch.no_grad():
            prob = torch.sigmoid(D(points.to(device))).cpu().view(120, 120)
        filled = ax.contourf(xx, yy, prob, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.45)
        fig.colorbar(filled, ax=ax, fraction=0.046, label="D(x)")
    ax.scatter(real_np[:, 0], real_np[:, 1], s=4, color=DATA_COLOR, alpha=0.5, label="real")
    if fake is not None:
        fake_np = to_numpy(fake)
        ax.scatter(fake_np[:, 0], fake_np[:, 1], s=4, color=FAKE_COLOR, alpha=0.6, label="generated")
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=8, markerscale=3)
    if title:
        ax.set_title(title)
    return fig


# --------------------------------------------------------------------------- samples over training, mode hopping


def snapshot_samples(n: int = 2500, seed: int = 0):
    """Make a ``snapshot`` function for :func:`gan_course.train.train`: G's samples for fixed noise.

    The same ``n`` noise vectors every time, so that frames and mode counts compare
    from one snapshot to the next. Works for data of any dimension.
    """
    z_gen = torch.Generator().manual_seed(seed)
    fixed: dict[str, Tensor] = {}

    def take(model) -> Tensor:  # model: a training Step with a generator G
        G = model.G
        device = next(G.parameters()).device
        if "z" not in fixed:
            fixed["z"] = torch.randn(n, G.z_dim, generator=z_gen)
        return G(fixed["z"].to(device)).cpu()  # (n, d)

    return take


def plot_mode_hopping(steps, counts, ax=None, title: str = "which modes G covers, over training") -> Figure:
    """A heatmap of the share of samples at each mode (rows) at each snapshot (columns).

    Args:
        steps: the training step of each snapshot, (T,).
        counts: high-quality samples per mode at each snapshot, (T, K), e.g. from
            :func:`gan_course.metrics.mode_coverage` ``.counts``.
        ax: axes to draw on, or None for a new figure.
    """
    counts = np.asarray(counts, dtype=float)
    steps = np.asarray(steps)
    if counts.ndim != 2 or len(steps) != counts.shape[0]:
        raise ValueError(f"counts must be (T, K) with T = len(steps) = {len(steps)}, got shape {counts.shape}")
    fig, ax = make_axes(ax, figsize=(9, 3.2))
    totals = np.maximum(counts.sum(axis=1, keepdims=True), 1)
    share = (counts / totals).T  # (K, T): each column sums to 1 over the modes (0 where nothing is captured)
    image = ax.imshow(share, aspect="auto", origin="lower", cmap="magma", vmin=0, vmax=min(1.0, 4 / counts.shape[1]),
                      interpolation="nearest", extent=(-0.5, len(steps) - 0.5, -0.5, counts.shape[1] - 0.5))
    fig.colorbar(image, ax=ax, fraction=0.03, label="share of high-quality samples")
    ticks = np.linspace(0, len(steps) - 1, min(len(steps), 8)).round().astype(int)
    ax.set_xticks(ticks, [str(steps[i]) for i in ticks])
    ax.set_yticks(range(counts.shape[1]))
    ax.set_xlabel("training step")
    ax.set_ylabel("mode")
    ax.set_title(title)
    return fig
