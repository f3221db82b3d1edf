"""The generic figures of the course: colours, axes, image grids, loss curves, animations, live plots, sliders.

Every picture is a plain ``plot_*`` function that returns a matplotlib Figure
(the tests call these). Widgets are thin ``interact_*`` wrappers around them:
an exception inside a widget callback does not fail a headless run, so
notebooks also call the ``plot_*`` function once directly. The topic modules
(:mod:`.toy`, :mod:`.theory`, :mod:`.wgan`, :mod:`.images`, :mod:`.latent`)
draw with the helpers here.

Taught in: lessons 00–06
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


def make_axes(ax, figsize=(6, 4)):
    """``(figure, ax)`` of the given axes, or of a new figure of ``figsize`` when ``ax`` is None."""
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def to_numpy(x) -> np.ndarray:
    """A tensor (detached, on the CPU) or anything array-like as a float NumPy array."""
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
    fig, ax = make_axes(ax, figsize=(nrow * 0.8, grid.shape[0] / grid.shape[1] * nrow * 0.8))
    ax.imshow(grid, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return fig


# --------------------------------------------------------------------------- losses


def plot_losses(history, ax=None, title: str = "losses", smooth: int = 0) -> Figure:
    """Plot every named loss of a run per generator step (D's in blue, G's in orange, others after them).

    Args:
        history: a :class:`gan_course.train.History` (``step`` and ``losses``, a dict of lists).
        smooth: width of a moving average drawn over the raw curves (0: none).
    """
    fig, ax = make_axes(ax)
    steps = np.asarray(history.step)
    colors = {"d_loss": D_COLOR, "g_loss": FAKE_COLOR}
    for name, values in history.losses.items():
        values, color = np.asarray(values, dtype=float), colors.get(name)
        if smooth and len(values) > smooth:
            line, = ax.plot(steps, values, color=color, alpha=0.25, lw=0.8)
            kernel = np.ones(smooth) / smooth
            ax.plot(steps[smooth - 1 :], np.convolve(values, kernel, mode="valid"), color=line.get_color(),
                    label=name)
        else:
            ax.plot(steps, values, color=color, label=name)
    ax.set_xlabel("generator step")
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.legend()
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
