"""Figures of the Wasserstein GAN: vanishing gradients, transport plans, a critic's scores, its clipped weights,
and its reading of W1 during training.

Taught in: lessons 02, 04
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.figure import Figure

from .core import DATA_COLOR, FAKE_COLOR, make_axes, to_numpy


def plot_gradient_norms(steps, curves: dict, ax=None, title: str = "the generator's gradient",
                        ylabel: str = "gradient norm") -> Figure:
    """Gradient norms (log scale) against the number of discriminator steps.

    Args:
        steps: (S,) discriminator steps at which the gradients were measured (0 allowed).
        curves: ``{label: (S,) gradient norms}``.
    """
    fig, ax = make_axes(ax, figsize=(6.5, 4))
    steps = to_numpy(steps)
    for (label, values), color in zip(curves.items(), ("tab:orange", "tab:green", "tab:blue", "tab:red")):
        ax.plot(steps, to_numpy(values), "o-", color=color, label=label)
    ax.set_xscale("symlog", linthresh=max(1.0, float(steps[steps > 0].min()) if (steps > 0).any() else 1.0))
    ax.set_yscale("log")
    ax.set_xlabel("discriminator steps against the fixed generator")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def plot_transport_plan(x, y, plan, ax=None, title: str | None = None) -> Figure:
    """Two 2D point clouds and the optimal transport plan between them, one line per unit of moved mass.

    Args:
        x: (N, 2) source points (e.g. real); y: (M, 2) target points (e.g. generated).
        plan: (N, M) transport plan (``ot.emd``): ``plan[i, j]`` is the mass moved from x_i to y_j.
    """
    fig, ax = make_axes(ax, figsize=(5, 5))
    x, y, plan = to_numpy(x), to_numpy(y), to_numpy(plan)
    if plan.shape != (len(x), len(y)):
        raise ValueError(f"plan must have shape ({len(x)}, {len(y)}), got {plan.shape}")
    heaviest = plan.max() if plan.max() > 0 else 1.0
    for i, j in zip(*np.nonzero(plan > 1e-12 * heaviest)):
        ax.plot([x[i, 0], y[j, 0]], [x[i, 1], y[j, 1]], "-", color="grey", lw=2.5 * plan[i, j] / heaviest, zorder=1)
    ax.scatter(x[:, 0], x[:, 1], s=30, color=DATA_COLOR, label="$P_r$ (real)", zorder=2)
    ax.scatter(y[:, 0], y[:, 1], s=30, color=FAKE_COLOR, label="$P_g$ (generated)", zorder=2)
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend(loc="best", fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def plot_critic(critic, real, fake=None, ax=None, lim: float | None = None, title: str | None = None) -> Figure:
    """A critic's scores f(x) as filled contours, with real and generated samples on top.

    Unlike :func:`gan_course.viz.toy.plot_2d`, no sigmoid: a WGAN critic's output is a score, not a probability.
    """
    fig, ax = make_axes(ax, figsize=(5, 5))
    real_np = to_numpy(real)
    lim = lim or float(np.abs(real_np).max() * 1.3 + 1e-6)
    axis = torch.linspace(-lim, lim, 120)
    xx, yy = torch.meshgrid(axis, axis, indexing="xy")
    points = torch.stack([xx.ravel(), yy.ravel()], dim=1)  # (120*120, 2)
    device = next(critic.parameters()).device
    with torch.no_grad():
        scores = critic(points.to(device)).cpu().view(120, 120).numpy()
    filled = ax.contourf(xx, yy, scores, levels=15, cmap="viridis", alpha=0.8)
    fig.colorbar(filled, ax=ax, fraction=0.046, label="f(x)")  # default ticks: an offset when the range is tiny
    ax.scatter(real_np[:, 0], real_np[:, 1], s=3, color=DATA_COLOR, alpha=0.5, label="real")
    if fake is not None:
        fake_np = to_numpy(fake)
        ax.scatter(fake_np[:, 0], fake_np[:, 1], s=3, color="white", alpha=0.5, label="generated")
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=8, markerscale=3, facecolor="lightgrey")
    if title:
        ax.set_title(title)
    return fig


def plot_weight_histogram(module, clip: float | None = None, ax=None, bins: int = 60,
                          title: str = "the critic's weights") -> Figure:
    """A histogram of all parameters of ``module``, with the clipping bounds ``±clip`` marked."""
    fig, ax = make_axes(ax, figsize=(5, 3.5))
    weights = torch.cat([p.detach().flatten().cpu() for p in module.parameters()]).numpy()
    ax.hist(weights, bins=bins, color="tab:blue")
    if clip is not None:
        for bound in (-clip, clip):
            ax.axvline(bound, color="tab:red", ls="--", lw=1)
        ax.text(clip, ax.get_ylim()[1] * 0.95, " +c", color="tab:red", va="top", fontsize=8)
        ax.text(-clip, ax.get_ylim()[1] * 0.95, "-c ", color="tab:red", va="top", ha="right", fontsize=8)
    ax.locator_params(axis="x", nbins=5)
    ax.set_xlabel("parameter value")
    ax.set_ylabel("count")
    ax.set_title(title)
    return fig


# --------------------------------------------------------------------------- lesson 04
# WGAN: the critic's reading next to the exact W1 during training.

READING_COLORS = ("tab:orange", "tab:purple", "tab:red", "tab:brown")


def plot_progress_meter(steps, w1, readings: dict, ax=None, same_scale: bool = False, title: str | None = None,
                        reading_label: str = "critic's reading") -> Figure:
    """The exact W1 between generated and real samples over training, with what a critic (or D) read meanwhile.

    Args:
        steps: (S,) generator steps at which both were measured.
        w1: (S,) the exact W1 at those steps (black, left axis).
        readings: ``{label: (S,) values}``, e.g. the negated critic loss ``E_real f - E_fake f``.
        same_scale: draw the readings on W1's axis (a critic that estimates W1 itself, e.g. with a
            gradient penalty); otherwise on a second y-axis on the right (a critic that estimates K * W1
            for an unknown K, or a loss that is not a distance at all).
        reading_label: the label of the right axis when ``same_scale`` is False.
    """
    fig, ax = make_axes(ax, figsize=(6.5, 4))
    steps = to_numpy(steps)
    handles = ax.plot(steps, to_numpy(w1), "o-", color=DATA_COLOR, ms=3, label="exact $W_1$ (POT)")
    other = ax if same_scale else ax.twinx()
    for (label, values), color in zip(readings.items(), READING_COLORS):
        handles += other.plot(steps, to_numpy(values), "s--", color=color, ms=3, label=label)
    ax.set_xlabel("generator steps")
    ax.set_ylabel("$W_1$" + (" and readings" if same_scale else ""))
    if same_scale:
        ax.axhline(0.0, color="grey", lw=0.6)
    else:
        other.set_ylabel(reading_label, color=READING_COLORS[0])
        other.tick_params(axis="y", colors=READING_COLORS[0])
        other.ticklabel_format(axis="y", style="sci", scilimits=(-3, 3))
    ax.grid(True, alpha=0.3)
    ax.legend(handles, [h.get_label() for h in handles], fontsize=8, loc="upper right")
    if title:
        ax.set_title(title)
    return fig
