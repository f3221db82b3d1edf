"""Figures of the theory: the optimal discriminator and the two generator losses (lesson 01); KL, JS, TV and W1
on the WGAN paper's parallel lines and between two Gaussians (lesson 02).

Taught in: lessons 01, 02
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from .core import D_COLOR, DATA_COLOR, FAKE_COLOR, make_axes, slider_panel, to_numpy


# --------------------------------------------------------------------------- the theory of lesson 01


def plot_optimal_discriminator(
    x, p_data, p_g, d_trained=None, ax=None, title: str | None = None,
) -> Figure:
    """The two densities, the optimal discriminator D* = p_data / (p_data + p_g), and optionally a trained D.

    Args:
        x: (N,) grid; p_data, p_g: densities on it; d_trained: a trained D's probabilities on it, or None.
    """
    from ..theory import optimal_discriminator

    fig, ax = make_axes(ax, figsize=(7, 4))
    x, p, q = to_numpy(x), to_numpy(p_data), to_numpy(p_g)
    ax.plot(x, p, ":", color=DATA_COLOR, lw=2, label="$p_{data}$")
    ax.plot(x, q, "-", color=FAKE_COLOR, lw=2, label="$p_g$")
    ax.plot(x, optimal_discriminator(p, q), "-", color=D_COLOR, lw=2.5, alpha=0.6,
            label="$D^*=p_{data}/(p_{data}+p_g)$")
    if d_trained is not None:
        ax.plot(x, to_numpy(d_trained), "--", color="tab:red", lw=1.5, label="trained $D$")
    ax.axhline(0.5, color=D_COLOR, lw=0.5, alpha=0.5)
    ax.set_xlim(x.min(), x.max())
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("x")
    ax.legend(loc="best", fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def plot_gaussian_generator(dist, mu: float, sigma: float, ax=None, x_range=(-6.0, 6.0)) -> Figure:
    """A Gaussian "generator" N(mu, sigma^2) against 1D data: densities, D*, and the JSD and C(G) it gives."""
    from .. import theory

    if sigma <= 0:
        raise ValueError(f"sigma must be positive, got {sigma}")
    p_data = theory.density_of(dist)
    p_g = lambda t: theory.gaussian_mixture_pdf(t, [mu], sigma)  # noqa: E731
    lo, hi = x_range[0] - 4, x_range[1] + 4  # integrate past the picture: the tails count too
    jsd = theory.js_divergence_of_densities(p_data, p_g, lo, hi)
    c_g = theory.virtual_training_criterion(p_data, p_g, lo, hi)
    x = np.linspace(*x_range, 600)
    return plot_optimal_discriminator(
        x, p_data(x), p_g(x), ax=ax,
        title=f"JSD = {jsd:.3f} nats (at most log 2 = 0.693)\nC(G) = {c_g:.3f} (at least -log 4 = -1.386)",
    )


def interact_gaussian_generator(dist, mu: float = 0.0, sigma: float = 1.0) -> None:
    """Display sliders for the mean and std of a Gaussian generator (see :func:`plot_gaussian_generator`).

    Displays the panel once and returns None, like every widget helper (:func:`~.core.slider_panel`).
    """
    import ipywidgets as widgets

    slider_panel(
        lambda mu, sigma: plot_gaussian_generator(dist, mu, sigma),
        mu=widgets.FloatSlider(mu, min=-4, max=4, step=0.1, description="mean", continuous_update=False),
        sigma=widgets.FloatSlider(sigma, min=0.1, max=3, step=0.05, description="std", continuous_update=False),
    )


def plot_generator_losses(ax_loss=None, ax_grad=None) -> Figure:
    """The saturating log(1 - D) and the non-saturating -log D generator losses, and their gradients.

    Both against D(G(z)) in (0, 1). The gradient shown is with respect to D's logit l
    (D = sigmoid(l)), the quantity back-propagated into G: ``d/dl log(1 - sigmoid(l)) = -D`` and
    ``d/dl -log sigmoid(l) = -(1 - D)``.
    """
    if ax_loss is None or ax_grad is None:
        fig, (ax_loss, ax_grad) = plt.subplots(1, 2, figsize=(10, 3.5))
    else:
        fig = ax_loss.figure
    d = np.linspace(1e-3, 1 - 1e-3, 500)
    ax_loss.plot(d, np.log(1 - d), color="tab:orange", lw=2, label="saturating  $\\log(1-D(G(z)))$")
    ax_loss.plot(d, -np.log(d), color="tab:green", lw=2, label="non-saturating  $-\\log D(G(z))$")
    ax_loss.set_xlabel("$D(G(z))$")
    ax_loss.set_ylabel("generator loss (minimised)")
    ax_loss.legend(fontsize=8)
    ax_loss.set_title("the two generator losses")
    ax_grad.plot(d, np.abs(-d), color="tab:orange", lw=2, label="saturating: $|\\partial/\\partial l| = D$")
    ax_grad.plot(d, np.abs(-(1 - d)), color="tab:green", lw=2, label="non-saturating: $1 - D$")
    ax_grad.axvspan(0, 0.1, color="grey", alpha=0.15, label="early training: D rejects fakes")
    ax_grad.set_xlabel("$D(G(z))$")
    ax_grad.set_ylabel("gradient magnitude w.r.t. D's logit")
    ax_grad.legend(fontsize=8)
    ax_grad.set_title("the gradient that reaches G")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- lesson 02
# Divergences and distances: the parallel lines of the WGAN paper, two Gaussians, transport plans, critics.

DIVERGENCE_STYLE = {  # one colour per quantity, in every figure of lesson 02
    "kl": ("KL", "tab:red"),
    "js": ("JS", "tab:blue"),
    "tv": ("TV", "tab:purple"),
    "w1": ("$W_1$", "tab:green"),
}
INF_CAP = 1.5  # where an infinite KL is drawn


def plot_divergence_curves(
    thetas,
    exact: dict,
    sampled: dict | None = None,
    theta: float | None = None,
    ax=None,
    title: str = "four ways to compare $P_0$ and $P_\\theta$",
) -> Figure:
    """KL, JS, TV and W1 against the parameter theta of the parallel lines (WGAN paper, Example 1).

    Args:
        thetas: (T,) parameter values.
        exact: ``{"kl"|"js"|"tv"|"w1": (T,) values}``, lines; ``inf`` is drawn at the top as triangles.
        sampled: the same keys estimated from samples, drawn as dots, or None.
        theta: a value to mark with a vertical line (the widget's slider), or None.
    """
    fig, ax = make_axes(ax, figsize=(6.5, 4))
    thetas = to_numpy(thetas)
    for key, values in exact.items():
        label, color = DIVERGENCE_STYLE[key]
        values = np.asarray(values, dtype=float)
        if key == "w1":  # a distance, continuous in theta (WGAN paper, Theorem 1): one line
            ax.plot(thetas, values, "-", color=color, lw=2, label=f"{label} (exact)")
            continue
        # KL, JS and TV jump at theta = 0: draw each side on its own and the value at 0 as a dot.
        labels = {"line": f"{label} (exact)", "inf": f"{label} = $\\infty$ (exact)"}
        for side in (thetas < 0, thetas > 0):
            finite, infinite = side & np.isfinite(values), side & ~np.isfinite(values)
            if finite.any():
                ax.plot(thetas[finite], values[finite], "-", color=color, lw=2, label=labels.pop("line", None))
            if infinite.any():
                ax.plot(thetas[infinite], np.full(infinite.sum(), INF_CAP), "^:", color=color, ms=5, lw=1,
                        markevery=max(1, infinite.sum() // 8), label=labels.pop("inf", None))
        at_zero = thetas == 0
        if at_zero.any():
            ax.plot(thetas[at_zero], np.where(np.isfinite(values[at_zero]), values[at_zero], INF_CAP), "o",
                    color=color, ms=6, zorder=4, label=labels.pop("line", None))
    for key, values in (sampled or {}).items():
        label, color = DIVERGENCE_STYLE[key]
        values = np.asarray(values, dtype=float)
        shown = np.where(np.isfinite(values), values, INF_CAP - 0.06)
        ax.plot(thetas, shown, "o", color=color, ms=4, mfc="none", label=f"{label} (samples)")
    if theta is not None:
        ax.axvline(theta, color="grey", lw=1, ls="--")
    ax.axhline(np.log(2), color="grey", lw=0.5)
    ax.text(thetas.max(), np.log(2), "log 2 ", ha="right", va="bottom", fontsize=8, color="grey")
    ax.set_ylim(-0.05, INF_CAP + 0.1)
    ax.set_xlabel("$\\theta$")
    ax.set_ylabel("divergence / distance")
    ax.set_title(title)
    ax.legend(loc="upper center", fontsize=7, ncol=4, bbox_to_anchor=(0.5, -0.16), frameon=False)
    fig.tight_layout()
    return fig


def plot_parallel_lines(theta: float, n: int = 60, thetas=None, seed: int = 0) -> Figure:
    """Left: samples of P_0 = (0, Z) and P_theta = (theta, Z) and how W1 moves the mass; right: the exact curves.

    Args:
        theta: the position of the second line.
        n: points drawn per line.
        thetas: the grid of the curves (default: 201 values in [-1, 1]).
    """
    from .. import theory
    from ..data import ParallelLine

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [1, 1.4]})
    gen = torch.Generator().manual_seed(seed)
    p0, p_theta = ParallelLine(0.0).sample(n, generator=gen), ParallelLine(theta).sample(n, generator=gen)
    # The optimal plan moves every point straight across: match the sorted heights.
    for a, b in zip(p0[p0[:, 1].argsort()], p_theta[p_theta[:, 1].argsort()]):
        left.annotate("", xy=to_numpy(b), xytext=to_numpy(a), arrowprops=dict(arrowstyle="->", color="grey", lw=0.5))
    left.scatter(*to_numpy(p0).T, s=10, color=DATA_COLOR, label="$P_0$ (real)", zorder=3)
    left.scatter(*to_numpy(p_theta).T, s=10, color=FAKE_COLOR, label="$P_\\theta$ (generated)", zorder=3)
    d = theory.parallel_lines(theta)
    kl = "$\\infty$" if np.isinf(d["kl"]) else f"{d['kl']:.3g}"
    left.set_title(f"$\\theta$ = {theta:.2f}:  KL = {kl}, JS = {d['js']:.3f}, TV = {d['tv']:.0f}, "
                   f"$W_1$ = {d['w1']:.2f}", fontsize=9)
    left.set_xlim(-1.2, 1.2)
    left.set_ylim(-0.1, 1.25)
    left.set_xlabel("$x_1$")
    left.set_ylabel("$x_2$")
    left.legend(loc="upper left", fontsize=8, ncol=2)
    thetas = np.linspace(-1, 1, 201) if thetas is None else to_numpy(thetas)
    exact = [theory.parallel_lines(t) for t in thetas]
    plot_divergence_curves(thetas, {k: [e[k] for e in exact] for k in DIVERGENCE_STYLE}, theta=theta, ax=right,
                           title="exact values against $\\theta$")
    fig.tight_layout()
    return fig


def interact_parallel_lines(theta: float = 0.5) -> None:
    """Display a slider for theta in the parallel-lines example (see :func:`plot_parallel_lines`).

    Displays the panel once and returns None, like every widget helper (:func:`~.core.slider_panel`).
    """
    import ipywidgets as widgets

    slider_panel(plot_parallel_lines, theta=widgets.FloatSlider(
        theta, min=-1, max=1, step=0.05, description="θ", continuous_update=False))


def gaussian_divergence_curves(shifts, sigma: float = 1.0) -> dict[str, np.ndarray]:
    """KL(P||Q), JS and W1 between P = N(0, 1) and Q = N(shift, sigma^2) for each shift (closed forms, quadrature)."""
    from .. import theory

    shifts = to_numpy(shifts).ravel()
    return {
        "kl": np.array([theory.kl_gaussians(0, 1, m, sigma) for m in shifts]),
        "js": np.array([theory.js_gaussians(0, 1, m, sigma) for m in shifts]),
        "w1": np.array([theory.w1_gaussians(0, 1, m, sigma) for m in shifts]),
    }


def plot_gaussian_divergences(mu: float, sigma: float = 1.0, max_shift: float = 6.0, points: int = 61) -> Figure:
    """P = N(0, 1) against Q = N(mu, sigma^2): the densities, and KL, JS and W1 as the mean of Q moves.

    Args:
        mu, sigma: the mean and std of Q (the "generator").
        max_shift: the curves run over means in [0, max_shift].
        points: number of means on the curves.
    """
    from .. import theory

    if sigma <= 0:
        raise ValueError(f"sigma must be positive, got {sigma}")
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    x = np.linspace(min(-4.0, mu - 4 * sigma), max(4.0, mu + 4 * sigma), 600)
    left.plot(x, theory.gaussian_mixture_pdf(x, [0.0], 1.0), ":", color=DATA_COLOR, lw=2, label="P = N(0, 1)")
    left.plot(x, theory.gaussian_mixture_pdf(x, [mu], sigma), "-", color=FAKE_COLOR, lw=2,
              label=f"Q = N({mu:.1f}, {sigma:.2f}²)")
    now = {k: v[0] for k, v in gaussian_divergence_curves([mu], sigma).items()}
    left.set_title(f"KL(P‖Q) = {now['kl']:.3f}   JS = {now['js']:.3f}   $W_1$ = {now['w1']:.3f}", fontsize=10)
    left.set_xlabel("x")
    left.set_ylim(bottom=0)
    left.legend(loc="upper right", fontsize=8)
    shifts = np.linspace(0, max_shift, points)
    curves = gaussian_divergence_curves(shifts, sigma)
    for key, values in curves.items():
        label, color = DIVERGENCE_STYLE[key]
        right.plot(shifts, values, color=color, lw=2, label=label + ("(P‖Q)" if key == "kl" else ""))
        right.plot([abs(mu)], [now[key]], "o", color=color)
    right.axhline(np.log(2), color="grey", lw=0.5)
    right.text(max_shift, np.log(2), "log 2 ", ha="right", va="bottom", fontsize=8, color="grey")
    right.set_ylim(0, max(2 * np.log(2), curves["w1"].max() * 1.1))
    right.set_xlabel("distance between the means")
    right.set_ylabel("nats (KL, JS) / distance ($W_1$)")
    right.set_title(f"as Q moves away (std of Q = {sigma:.2f})")
    right.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def interact_gaussian_divergences(mu: float = 2.0, sigma: float = 1.0) -> None:
    """Display sliders for the mean and std of Q (see :func:`plot_gaussian_divergences`).

    Displays the panel once and returns None, like every widget helper (:func:`~.core.slider_panel`).
    """
    import ipywidgets as widgets

    slider_panel(
        plot_gaussian_divergences,
        mu=widgets.FloatSlider(mu, min=0, max=6, step=0.1, description="mean of Q", continuous_update=False),
        sigma=widgets.FloatSlider(sigma, min=0.05, max=3, step=0.05, description="std of Q", continuous_update=False),
    )
