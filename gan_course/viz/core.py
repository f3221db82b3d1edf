"""The generic figures of the course: colours, axes, image grids, loss curves, animations, live plots, sliders.

Every picture is a plain ``plot_*`` function that returns a matplotlib Figure
(the tests call these). Widgets are thin ``interact_*`` wrappers around them:
an exception inside a widget callback does not fail a headless run, so
notebooks also call the ``plot_*`` function once directly. Every widget helper
(:func:`slider_panel`, the ``interact_*``, :func:`animate`) displays its widget
exactly once and returns None, so a cell may end with the call. The topic modules
(:mod:`.toy`, :mod:`.theory`, :mod:`.wgan`, :mod:`.images`, :mod:`.latent`)
draw with the helpers here.

Taught in: lessons 00–09
"""

from __future__ import annotations

import base64
import io
from typing import Any, Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
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


def figure_png(fig: Figure) -> bytes:
    """The figure as PNG bytes, drawn the way the inline backend draws it (tight box, the figure's dpi)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", facecolor="white")
    return buffer.getvalue()


def render_frames(frames: Sequence[Any], draw: Callable[[Any, Any], None], figsize=(6, 4)) -> list[bytes]:
    """Each frame drawn once, ``draw(ax, frame)`` on a cleared axes of one figure, as PNG bytes.

    Every frame is saved at the figure's full size (no tight box), so all frames have the same pixel size.
    """
    if len(frames) == 0:
        raise ValueError("animate needs at least one frame")
    fig, ax = plt.subplots(figsize=figsize)
    pngs = []
    try:
        for frame in frames:
            ax.clear()
            draw(ax, frame)
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", facecolor="white")
            pngs.append(buffer.getvalue())
    finally:
        plt.close(fig)
    return pngs


def animation_player(pngs: Sequence[bytes], interval: int = 250):
    """A player over pre-rendered PNG frames: a Play button and a frame slider above the frames.

    With ipywidgets 8 the frames are the children of a ``Stack`` whose shown child follows the Play
    button through ``jslink``: playing runs in the browser alone (no kernel round trip, so it plays while
    the kernel runs later cells, and in an HTML export that kept the widget state). With older ipywidgets
    one ``Image`` swaps its bytes from the kernel.

    Returns:
        The ``VBox`` (not displayed).
    """
    import ipywidgets as widgets

    if len(pngs) == 0:
        raise ValueError("animate needs at least one frame")
    last = len(pngs) - 1
    play = widgets.Play(value=0, min=0, max=last, step=1, interval=interval, description="play")
    slider = widgets.IntSlider(0, 0, last, description="frame")
    widgets.jslink((play, "value"), (slider, "value"))
    if hasattr(widgets, "Stack"):  # ipywidgets >= 8
        frames = widgets.Stack([widgets.Image(value=png, format="png") for png in pngs], selected_index=0)
        widgets.jsdlink((play, "value"), (frames, "selected_index"))
        widgets.jsdlink((slider, "value"), (frames, "selected_index"))
    else:  # pragma: no cover  (ipywidgets 7: the kernel swaps the bytes)
        frames = widgets.Image(value=pngs[0], format="png")
        slider.observe(lambda change: setattr(frames, "value", pngs[change["new"]]), names="value")
    panel = widgets.VBox([widgets.HBox([play, slider]), frames])
    panel.add_class("gan-course-animation")
    return panel


def animate(frames: Sequence[Any], draw: Callable[[Any, Any], None], interval: int = 250, figsize=(6, 4)) -> None:
    """Display an animation of ``draw(ax, frame)`` over the frames, as a widget player; returns None.

    The frames are drawn once, to PNG (:func:`render_frames`), and shown by :func:`animation_player`: a
    widget renders whenever its cell scrolls into view, so the animation is visible after "Run All" in
    JupyterLab 4 (whose windowed notebook draws off-screen outputs lazily; the JavaScript animation this
    replaced was drawn at 0 x 0 there). The displayed output also carries the last frame as a PNG, which
    an HTML export shows when the notebook kept no widget state, and a line of text for a terminal.
    Like every widget helper of the course it displays its widget once and returns None.

    Args:
        frames: one item per frame, passed to ``draw``.
        draw: ``draw(ax, frame)`` draws one frame on an empty axes.
        interval: milliseconds between frames when playing.
        figsize: the figure size in inches.
    """
    pngs = render_frames(frames, draw, figsize=figsize)
    show_widget(animation_player(pngs, interval=interval), fallback_png=pngs[-1],
                text=f"<animation of {len(pngs)} frames: play it in JupyterLab, Jupyter or Colab>")


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
#
# One rule for every widget helper of the course (slider_panel, interact_snapshots, the interact_* of the
# topic modules, animate): it DISPLAYS its widget exactly once and returns None. A cell may end with the
# call (Jupyter displays a cell's last value, and None is not displayed), call it twice, or call it in a
# loop: each call shows one widget. The pictures themselves are plain, tested ``plot_*`` functions.


def show_widget(widget, fallback_png: bytes | None = None, text: str | None = None) -> None:
    """Display ``widget`` once; with ``fallback_png`` the same output also carries that image.

    A frontend with widgets (JupyterLab, Jupyter, Colab) shows the widget; an HTML export of a notebook
    that kept no widget state shows the image instead, and a terminal the text.
    """
    from IPython.display import display

    bundle = getattr(widget, "_repr_mimebundle_", None)
    if fallback_png is None or bundle is None:
        display(widget)
        return
    data = dict(bundle() or {})
    data["image/png"] = base64.b64encode(fallback_png).decode("ascii")
    if text is not None:
        data["text/plain"] = text
    display(data, raw=True)


def interact_snapshots(history, plot: Callable[[tuple[int, Any]], Figure]) -> None:
    """Display a slider over the recorded snapshots of a run; ``plot((step, snapshot))`` draws one.

    Displays the panel once and returns None (see :func:`slider_panel`).
    """
    import ipywidgets as widgets

    if not history.snapshots:
        raise ValueError("the run recorded no snapshots; pass snapshot= and snapshot_every= to train()")
    last = len(history.snapshots) - 1
    slider = widgets.IntSlider(last, 0, last, description="snapshot", continuous_update=False)
    slider_panel(lambda i: plot(history.snapshots[i]), i=slider)


def build_slider_panel(plot: Callable[..., Figure], **sliders):
    """The ``VBox`` of sliders over an ``Output`` that shows ``plot(**values)`` after a slider moves.

    Each move replaces the figure: the output is cleared and exactly one PNG of the figure ``plot``
    returns is shown (the figure is then closed, and so is any other figure ``plot`` opened). A ``plot``
    that returns None is read as having drawn on ``plt.gcf()``. An exception in ``plot`` shows as a
    traceback inside the panel.

    Nothing is drawn until a slider moves (the notebook shows the static figure just above). Headless
    runs therefore send no output into a widget: the Output-widget mimic of nbclient answers such output
    with a message on the kernel's shell channel, which can race with the cell's execute_reply and hang
    papermill for good.

    Returns:
        The panel, not displayed (:func:`slider_panel` displays it).
    """
    import ipywidgets as widgets
    from IPython.display import Image, display

    if not sliders:
        raise ValueError("slider_panel needs at least one slider, e.g. theta=ipywidgets.FloatSlider(...)")
    out = widgets.Output()

    def redraw(_change=None):
        with out:
            out.clear_output(wait=True)
            before = set(plt.get_fignums())
            try:
                result = plot(**{name: slider.value for name, slider in sliders.items()})
                fig = result if isinstance(result, Figure) else plt.gcf()
                display(Image(data=figure_png(fig), format="png"))
            finally:
                for number in set(plt.get_fignums()) - before:
                    plt.close(number)

    for slider in sliders.values():
        slider.observe(redraw, names="value")
    panel = widgets.VBox([*sliders.values(), out])
    panel.add_class("gan-course-slider-panel")
    return panel


def slider_panel(plot: Callable[..., Figure], **sliders) -> None:
    """Display sliders that redraw ``plot(**values)`` below them whenever one of them moves; returns None.

    The panel is displayed exactly once, also when a cell ends with this call; each move of a slider
    replaces the one figure below the sliders (:func:`build_slider_panel`).

    Example::

        viz.slider_panel(plot_parallel_lines, theta=widgets.FloatSlider(0.5, min=-1, max=1))
    """
    show_widget(build_slider_panel(plot, **sliders))
