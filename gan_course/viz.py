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


# --------------------------------------------------------------------------- samples over training, mode hopping


def snapshot_samples(n: int = 2500, seed: int = 0):
    """Make a ``snapshot`` function for :func:`gan_course.train.train`: G's samples for fixed noise.

    The same ``n`` noise vectors every time, so that frames and mode counts compare
    from one snapshot to the next. Works for data of any dimension.
    """
    z_gen = torch.Generator().manual_seed(seed)
    fixed: dict[str, Tensor] = {}

    def take(G, D) -> Tensor:
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
    fig, ax = _axes(ax, figsize=(9, 3.2))
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
    last = len(history.snapshots) - 1
    slider = widgets.IntSlider(last, 0, last, description="snapshot", continuous_update=False)
    return slider_panel(lambda i: plot(history.snapshots[i]), i=slider)


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
    ax.legend(loc="best", fontsize=8)
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
        title=f"JSD = {jsd:.3f} nats (at most log 2 = 0.693)\nC(G) = {c_g:.3f} (at least -log 4 = -1.386)",
    )


def interact_gaussian_generator(dist, mu: float = 0.0, sigma: float = 1.0):
    """Sliders for the mean and standard deviation of a Gaussian generator (see :func:`plot_gaussian_generator`)."""
    import ipywidgets as widgets

    return slider_panel(
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
    fig, ax = _axes(ax, figsize=(6.5, 4))
    thetas = _numpy(thetas)
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
    from . import theory
    from .data import ParallelLine

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [1, 1.4]})
    gen = torch.Generator().manual_seed(seed)
    p0, p_theta = ParallelLine(0.0).sample(n, generator=gen), ParallelLine(theta).sample(n, generator=gen)
    # The optimal plan moves every point straight across: match the sorted heights.
    for a, b in zip(p0[p0[:, 1].argsort()], p_theta[p_theta[:, 1].argsort()]):
        left.annotate("", xy=_numpy(b), xytext=_numpy(a), arrowprops=dict(arrowstyle="->", color="grey", lw=0.5))
    left.scatter(*_numpy(p0).T, s=10, color=DATA_COLOR, label="$P_0$ (real)", zorder=3)
    left.scatter(*_numpy(p_theta).T, s=10, color=FAKE_COLOR, label="$P_\\theta$ (generated)", zorder=3)
    d = theory.parallel_lines(theta)
    kl = "$\\infty$" if np.isinf(d["kl"]) else f"{d['kl']:.3g}"
    left.set_title(f"$\\theta$ = {theta:.2f}:  KL = {kl}, JS = {d['js']:.3f}, TV = {d['tv']:.0f}, "
                   f"$W_1$ = {d['w1']:.2f}", fontsize=9)
    left.set_xlim(-1.2, 1.2)
    left.set_ylim(-0.1, 1.25)
    left.set_xlabel("$x_1$")
    left.set_ylabel("$x_2$")
    left.legend(loc="upper left", fontsize=8, ncol=2)
    thetas = np.linspace(-1, 1, 201) if thetas is None else _numpy(thetas)
    exact = [theory.parallel_lines(t) for t in thetas]
    plot_divergence_curves(thetas, {k: [e[k] for e in exact] for k in DIVERGENCE_STYLE}, theta=theta, ax=right,
                           title="exact values against $\\theta$")
    fig.tight_layout()
    return fig


def slider_panel(plot: Callable[..., Figure], **sliders):
    """Sliders that redraw ``plot(**values)`` below them whenever one of them moves.

    Unlike ``ipywidgets.interact`` it draws nothing until a slider moves (the notebook shows
    the static figure just above). Headless runs therefore send no output into a widget: the
    Output-widget mimic of nbclient answers such output with a message on the kernel's shell
    channel, which can race with the cell's execute_reply and hang papermill for good.

    Returns:
        The ``VBox`` of sliders and output area (displayed).
    """
    import ipywidgets as widgets
    from IPython.display import display

    out = widgets.Output()

    def redraw(_change=None):
        with out:
            out.clear_output(wait=True)
            plot(**{name: slider.value for name, slider in sliders.items()})
            plt.show()

    for slider in sliders.values():
        slider.observe(redraw, names="value")
    panel = widgets.VBox([*sliders.values(), out])
    display(panel)
    return panel


def interact_parallel_lines(theta: float = 0.5):
    """A slider for theta in the parallel-lines example (see :func:`plot_parallel_lines`)."""
    import ipywidgets as widgets

    return slider_panel(plot_parallel_lines, theta=widgets.FloatSlider(
        theta, min=-1, max=1, step=0.05, description="θ", continuous_update=False))


def gaussian_divergence_curves(shifts, sigma: float = 1.0) -> dict[str, np.ndarray]:
    """KL(P||Q), JS and W1 between P = N(0, 1) and Q = N(shift, sigma^2) for each shift (closed forms, quadrature)."""
    from . import theory

    shifts = _numpy(shifts).ravel()
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
    from . import theory

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


def interact_gaussian_divergences(mu: float = 2.0, sigma: float = 1.0):
    """Sliders for the mean and std of Q (see :func:`plot_gaussian_divergences`)."""
    import ipywidgets as widgets

    return slider_panel(
        plot_gaussian_divergences,
        mu=widgets.FloatSlider(mu, min=0, max=6, step=0.1, description="mean of Q", continuous_update=False),
        sigma=widgets.FloatSlider(sigma, min=0.05, max=3, step=0.05, description="std of Q", continuous_update=False),
    )


def plot_gradient_norms(steps, curves: dict, ax=None, title: str = "the generator's gradient",
                        ylabel: str = "gradient norm") -> Figure:
    """Gradient norms (log scale) against the number of discriminator steps.

    Args:
        steps: (S,) discriminator steps at which the gradients were measured (0 allowed).
        curves: ``{label: (S,) gradient norms}``.
    """
    fig, ax = _axes(ax, figsize=(6.5, 4))
    steps = _numpy(steps)
    for (label, values), color in zip(curves.items(), ("tab:orange", "tab:green", "tab:blue", "tab:red")):
        ax.plot(steps, _numpy(values), "o-", color=color, label=label)
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
    fig, ax = _axes(ax, figsize=(5, 5))
    x, y, plan = _numpy(x), _numpy(y), _numpy(plan)
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

    Unlike :func:`plot_2d`, no sigmoid: a WGAN critic's output is a score, not a probability.
    """
    fig, ax = _axes(ax, figsize=(5, 5))
    real_np = _numpy(real)
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
        fake_np = _numpy(fake)
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
    fig, ax = _axes(ax, figsize=(5, 3.5))
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
    fig, ax = _axes(ax, figsize=(6.5, 4))
    steps = _numpy(steps)
    handles = ax.plot(steps, _numpy(w1), "o-", color=DATA_COLOR, ms=3, label="exact $W_1$ (POT)")
    other = ax if same_scale else ax.twinx()
    for (label, values), color in zip(readings.items(), READING_COLORS):
        handles += other.plot(steps, _numpy(values), "s--", color=color, ms=3, label=label)
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
