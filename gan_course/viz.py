"""Figures of the course: image grids, loss curves, 1D and 2D GAN pictures, animations, widgets.

Every picture is a plain ``plot_*`` function that returns a matplotlib Figure
(the tests call these). Widgets are thin ``interact_*`` wrappers around them:
an exception inside a widget callback does not fail a headless run, so
notebooks also call the ``plot_*`` function once directly.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure
from torch import Tensor

# Colours of Goodfellow et al.'s Figure 1: data black dotted, G green, D blue dashed.
DATA_COLOR, FAKE_COLOR, D_COLOR = "black", "tab:green", "tab:blue"


def _axes(ax, figsize=(6, 4)):
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def _numpy(x) -> np.ndarray:
    return x.detach().float().cpu().numpy() if isinstance(x, Tensor) else np.asarray(x, dtype=float)


# --------------------------------------------------------------------------- images


def image_grid(images: Tensor, nrow: int = 8, padding: int = 2) -> np.ndarray:
    """Tile a batch of images in [-1, 1] into one array in [0, 1].

    Args:
        images: (N, C, H, W) with C = 1 or 3, values in [-1, 1].
        nrow: images per row.
        padding: pixels of white between images.

    Returns:
        (rows*(H+p)+p, nrow*(W+p)+p) for grey images, or (..., ..., 3) for colour.
    """
    if not isinstance(images, Tensor) or images.dim() != 4 or images.shape[1] not in (1, 3):
        shape = tuple(images.shape) if isinstance(images, Tensor) else type(images).__name__
        raise ValueError(f"image_grid expects a tensor of shape (N, 1 or 3, H, W), got {shape}")
    n, c, h, w = images.shape
    rows = -(-n // nrow)
    grid = torch.ones(c, rows * (h + padding) + padding, nrow * (w + padding) + padding)
    pixels = ((images.detach().float().cpu() + 1) / 2).clamp(0, 1)  # [-1, 1] -> [0, 1]
    for i in range(n):
        top, left = padding + (i // nrow) * (h + padding), padding + (i % nrow) * (w + padding)
        grid[:, top : top + h, left : left + w] = pixels[i]
    return grid[0].numpy() if c == 1 else grid.permute(1, 2, 0).numpy()


def plot_images(images: Tensor, nrow: int = 8, title: str | None = None, ax=None) -> Figure:
    """Show a batch of images in [-1, 1] as one grid."""
    grid = image_grid(images, nrow=nrow)
    fig, ax = _axes(ax, figsize=(nrow * 0.8, grid.shape[0] / grid.shape[1] * nrow * 0.8))
    ax.imshow(grid, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return fig


# --------------------------------------------------------------------------- losses


def plot_losses(history, ax=None, title: str = "losses", smooth: int = 0) -> Figure:
    """Plot D's and G's losses per generator step.

    Args:
        history: a :class:`gan_course.train.History` (or anything with ``step``,
            ``d_loss`` and ``g_loss`` lists).
        smooth: width of a moving average drawn over the raw curves (0: none).
    """
    fig, ax = _axes(ax)
    for name, color in (("d_loss", D_COLOR), ("g_loss", FAKE_COLOR)):
        values = np.asarray(getattr(history, name), dtype=float)
        steps = np.asarray(history.step)
        if smooth and len(values) > smooth:
            ax.plot(steps, values, color=color, alpha=0.25, lw=0.8)
            kernel = np.ones(smooth) / smooth
            ax.plot(steps[smooth - 1 :], np.convolve(values, kernel, mode="valid"), color=color, label=name)
        else:
            ax.plot(steps, values, color=color, label=name)
    ax.set_xlabel("generator step")
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.legend()
    return fig


# --------------------------------------------------------------------------- 1D: data, G and D together


def snapshot_1d(n: int = 2000, x_range: tuple[float, float] = (-5.0, 5.0), points: int = 200, seed: int = 0):
    """Make a ``snapshot`` function for :func:`gan_course.train.train` on 1D data.

    Every snapshot keeps G's samples for the same fixed noise and D's
    probability ``D(x) = sigmoid(logit)`` on a grid, so frames compare.
    """
    z_gen = torch.Generator().manual_seed(seed)
    grid = torch.linspace(*x_range, points).unsqueeze(1)  # (points, 1)
    fixed: dict[str, Tensor] = {}

    def take(G, D) -> dict:
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
    fig, ax = _axes(ax)
    x = torch.linspace(*x_range, 400).unsqueeze(1)
    ax.plot(x.squeeze(1), _numpy(dist.density(x)), ":", color=DATA_COLOR, lw=2, label="$p_{data}$")
    if fake is not None:
        ax.hist(_numpy(fake).ravel(), bins=80, range=x_range, density=True, color=FAKE_COLOR, alpha=0.5,
                label=samples_label)
    if d_curve is not None:
        ax.plot(_numpy(d_curve[0]), _numpy(d_curve[1]), "--", color=D_COLOR, lw=2, label="$D(x)$")
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
    fig, ax = _axes(ax, figsize=(5, 5))
    real_np = _numpy(real)
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
        fake_np = _numpy(fake)
        ax.scatter(fake_np[:, 0], fake_np[:, 1], s=4, color=FAKE_COLOR, alpha=0.6, label="generated")
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=8, markerscale=3)
    if title:
        ax.set_title(title)
    return fig


# --------------------------------------------------------------------------- animations and live plots


def animate(frames: Sequence[Any], draw: Callable[[Any, Any], None], interval: int = 250, figsize=(6, 4)):
    """An embedded JavaScript animation: ``draw(ax, frame)`` for each frame.

    Returns:
        An ``IPython.display.HTML`` object (display it, or leave it last in a cell).
    """
    from IPython.display import HTML

    if len(frames) == 0:
        raise ValueError("animate needs at least one frame")
    fig, ax = plt.subplots(figsize=figsize)

    def update(i):
        ax.clear()
        draw(ax, frames[i])

    animation = FuncAnimation(fig, update, frames=len(frames), interval=interval)
    html = HTML(animation.to_jshtml())
    plt.close(fig)
    return html


class LivePlot:
    """A training callback that redraws one figure in place every ``every`` steps.

    ``draw(fig, state)`` gets an empty figure and the :class:`~gan_course.train.TrainState`.
    Outside a notebook it does nothing.
    """

    def __init__(self, draw: Callable[[Figure, Any], None], every: int = 100, figsize=(10, 3.5)):
        if every < 1:
            raise ValueError(f"every must be a positive number of steps, got {every}")
        self.draw, self.every, self.figsize = draw, every, figsize
        self.handle = None

    def __call__(self, state) -> None:
        if state.step % self.every and state.step != state.steps:
            return
        try:
            from IPython import get_ipython
            from IPython.display import display
        except ImportError:  # pragma: no cover
            return
        if get_ipython() is None:
            return
        fig = plt.figure(figsize=self.figsize)
        self.draw(fig, state)
        if self.handle is None:
            self.handle = display(fig, display_id=True)
        else:
            self.handle.update(fig)
        plt.close(fig)


# --------------------------------------------------------------------------- widgets


def interact_snapshots(history, plot: Callable[[tuple[int, Any]], Figure]):
    """A slider over the recorded snapshots of a run; ``plot((step, snapshot))`` draws one."""
    import ipywidgets as widgets

    if not history.snapshots:
        raise ValueError("the run recorded no snapshots; pass snapshot= and snapshot_every= to train()")
    slider = widgets.IntSlider(0, 0, len(history.snapshots) - 1, description="snapshot", continuous_update=False)
    return widgets.interact(lambda i: plot(history.snapshots[i]) and plt.show(), i=slider)


# --------------------------------------------------------------------------- the theory of lesson 01


def plot_optimal_discriminator(
    x, p_data, p_g, d_trained=None, ax=None, title: str | None = None,
) -> Figure:
    """The two densities, the optimal discriminator D* = p_data / (p_data + p_g), and optionally a trained D.

    Args:
        x: (N,) grid; p_data, p_g: densities on it; d_trained: a trained D's probabilities on it, or None.
    """
    from .theory import optimal_discriminator

    fig, ax = _axes(ax, figsize=(7, 4))
    x, p, q = _numpy(x), _numpy(p_data), _numpy(p_g)
    ax.plot(x, p, ":", color=DATA_COLOR, lw=2, label="$p_{data}$")
    ax.plot(x, q, "-", color=FAKE_COLOR, lw=2, label="$p_g$")
    ax.plot(x, optimal_discriminator(p, q), "-", color=D_COLOR, lw=2.5, alpha=0.6,
            label="$D^*=p_{data}/(p_{data}+p_g)$")
    if d_trained is not None:
        ax.plot(x, _numpy(d_trained), "--", color="tab:red", lw=1.5, label="trained $D$")
    ax.axhline(0.5, color=D_COLOR, lw=0.5, alpha=0.5)
    ax.set_xlim(x.min(), x.max())
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("x")
    ax.legend(loc="upper right", fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def plot_gaussian_generator(dist, mu: float, sigma: float, ax=None, x_range=(-6.0, 6.0)) -> Figure:
    """A Gaussian "generator" N(mu, sigma^2) against 1D data: densities, D*, and the JSD and C(G) it gives."""
    from . import theory

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
        title=f"JSD = {jsd:.3f} nats (max log 2 = 0.693)   C(G) = {c_g:.3f}  (min -log 4 = -1.386)",
    )


def interact_gaussian_generator(dist, mu: float = 0.0, sigma: float = 1.0):
    """Sliders for the mean and standard deviation of a Gaussian generator (see :func:`plot_gaussian_generator`)."""
    import ipywidgets as widgets

    return widgets.interact(
        lambda mu, sigma: plot_gaussian_generator(dist, mu, sigma) and plt.show(),
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
