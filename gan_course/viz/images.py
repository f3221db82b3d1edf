"""Figures for scoring image generators (lessons 08 and 09): labelled sample grids side by side, a bar chart per score,
a confusion matrix, predicted class shares and the precision-recall plane.

Each function returns a matplotlib Figure (or draws into ``ax``/``axes`` when given), like :mod:`gan_course.viz.core`,
whose ``image_grid`` tiles the images.

    from gan_course.viz import images as viz_images

    viz_images.plot_image_panels({"real": real[:64], "DCGAN": fake[:64]})
    viz_images.plot_score_bars({"real": scores_real.row(), "DCGAN": scores_fake.row()}, reference="real")

Taught in: lessons 08 and 09 (``plot_image_rows``: lesson 12; ``animate_clips``: lesson 14;
``plot_faces``, ``plot_scores_by_yaw``: lesson 15)
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
import torch
from torch import Tensor

from .core import animate, image_grid, make_axes, plot_images, to_numpy

#: The scores of :meth:`gan_course.evaluation.Scores.row` that :func:`plot_score_bars` draws, with their labels.
SCORE_LABELS = {"fid": "FID (lower is better)", "inception_score": "Inception Score (at most 10)",
                "precision": "precision", "recall": "recall", "classes": "classes covered (of 10)"}


def plot_image_panels(panels: dict[str, Tensor], nrow: int = 8, axes=None, panel_size: float = 3.2) -> Figure:
    """One grid of images (N, 1 or 3, H, W) in [-1, 1] per entry of ``panels``, side by side, titled by its key."""
    if not panels:
        raise ValueError("plot_image_panels needs at least one set of images")
    if axes is None:
        fig, axes = plt.subplots(1, len(panels), figsize=(panel_size * len(panels), panel_size * 1.08))
    axes = np.atleast_1d(axes)
    if len(axes) != len(panels):
        raise ValueError(f"got {len(panels)} panels but {len(axes)} axes")
    for ax, (title, images) in zip(axes, panels.items()):
        plot_images(images, nrow=nrow, title=title, ax=ax)
    return axes[0].figure


def plot_confusion_matrix(matrix, ax=None, title: str | None = None, labels: Sequence[str] | None = None) -> Figure:
    """A (K, K) confusion matrix of counts (rows: true class, columns: predicted); off-diagonal counts are written."""
    counts = to_numpy(matrix)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError(f"expected a square (K, K) matrix of counts, got shape {counts.shape}")
    k = counts.shape[0]
    labels = [str(i) for i in range(k)] if labels is None else list(labels)
    fig, ax = make_axes(ax, figsize=(5, 4.5))
    ax.imshow(np.log1p(counts), cmap="Blues")  # log scale: the few mistakes stay visible next to the diagonal
    for i in range(k):
        for j in range(k):
            if counts[i, j] and i != j:
                ax.text(j, i, f"{counts[i, j]:.0f}", ha="center", va="center", fontsize=8, color="tab:red")
    ax.set_xticks(range(k), labels)
    ax.set_yticks(range(k), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if title:
        ax.set_title(title)
    return fig


def plot_class_shares(shares: dict[str, Sequence[float]], ax=None, min_share: float = 0.5,
                      title: str | None = None) -> Figure:
    """Grouped bars: the share of each set's images predicted as each class, with the fair share 1/K and the
    coverage threshold ``min_share``/K (:func:`gan_course.evaluation.class_coverage`) as lines."""
    if not shares:
        raise ValueError("plot_class_shares needs at least one set of shares")
    values = {name: to_numpy(s) for name, s in shares.items()}
    k = len(next(iter(values.values())))
    if any(v.shape != (k,) for v in values.values()):
        raise ValueError("every set must give one share per class")
    fig, ax = make_axes(ax, figsize=(10, 3.5))
    width = 0.8 / len(values)
    for i, (name, v) in enumerate(values.items()):
        ax.bar(np.arange(k) + (i - (len(values) - 1) / 2) * width, v, width=width, label=name)
    ax.axhline(1 / k, color="black", lw=1, ls="--", label="fair share 1/K")
    ax.axhline(min_share / k, color="grey", lw=1, ls=":", label=f"covered from {min_share:g}/K")
    ax.set_xticks(range(k))
    ax.set_xlabel("predicted class")
    ax.set_ylabel("share of the images")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if title:
        ax.set_title(title)
    return fig


def plot_score_bars(rows: dict[str, dict], scores: Sequence[str] = tuple(SCORE_LABELS), reference: str | None = None,
                    axes=None) -> Figure:
    """One horizontal bar chart per score, one bar per row (e.g. a model); the ``reference`` row (real vs real)
    is also drawn as a dashed line, the value to compare the others with."""
    if not rows:
        raise ValueError("plot_score_bars needs at least one row")
    if reference is not None and reference not in rows:
        raise ValueError(f"reference {reference!r} is not one of the rows {list(rows)}")
    if axes is None:
        fig, axes = plt.subplots(1, len(scores), figsize=(3.4 * len(scores), 0.45 * len(rows) + 1.2), sharey=True)
    axes = np.atleast_1d(axes)
    names = list(rows)
    y = np.arange(len(names))[::-1]  # the first row on top
    for ax, score in zip(axes, scores):
        values = [float(rows[name][score]) for name in names]
        ax.barh(y, values, color=["tab:grey" if name == reference else "tab:blue" for name in names])
        if reference is not None:
            ax.axvline(float(rows[reference][score]), color="black", ls="--", lw=1)
        for yi, v in zip(y, values):
            ax.text(v, yi, f" {v:.0f}" if abs(v) >= 100 else f" {v:.3g}", va="center", fontsize=8)
        ax.set_title(SCORE_LABELS.get(score, score), fontsize=10)
        ax.margins(x=0.3)
        if score == "fid" and max(values) > 20 * max(min(values), 1e-9):
            ax.set_xscale("log")  # FIDs of good and bad sets differ by orders of magnitude
    axes[0].set_yticks(y, names)
    return axes[0].figure


def _label_box(x: float, y: float, name: str, right: bool) -> tuple[float, float, float, float]:
    """The (x0, x1, y0, y1) a label of fontsize 8 roughly covers in the unit (recall, precision) square."""
    width = 0.0135 * len(name)
    return (x, x + width, y - 0.018, y + 0.018) if right else (x - width, x, y - 0.018, y + 0.018)


def plot_precision_recall(points: dict[str, tuple[float, float]], ax=None, title: str | None = None) -> Figure:
    """Sets as points in the (recall, precision) plane, each labelled with its name in the point's colour.

    A label goes right of its point, else left of it, else below on a leader line: where it covers no other
    label and no point.
    """
    fig, ax = make_axes(ax, figsize=(5.5, 5))
    dots = [(recall, precision) for precision, recall in points.values()]
    boxes: list[tuple[float, float, float, float]] = []

    def free(box) -> bool:
        x0, x1, y0, y1 = box
        if x0 < -0.05 or x1 > 1.05:  # outside the axes
            return False
        overlaps = any(x0 < b[1] and b[0] < x1 and y0 < b[3] and b[2] < y1 for b in boxes)
        return not overlaps and not any(x0 - 0.01 < px < x1 + 0.01 and y0 - 0.01 < py < y1 + 0.01 for px, py in dots)

    lowest = -0.05
    for name, (precision, recall) in sorted(points.items(), key=lambda item: -item[1][0]):
        dot = ax.scatter(recall, precision, s=30)
        candidates = [(recall + 0.025, precision, True), (recall - 0.025, precision, False)]
        candidates += [(recall + 0.06, precision - 0.045 * step, True) for step in range(1, 12)]
        x, y, right = next((c for c in candidates if free(_label_box(c[0], c[1], name, c[2]))), candidates[-1])
        boxes.append(_label_box(x, y, name, right))
        lowest = min(lowest, y - 0.04)
        ax.annotate(name, (recall, precision), xytext=(x, y), fontsize=8, color=dot.get_facecolor()[0],
                    va="center", ha="left" if right else "right",
                    arrowprops=dict(arrowstyle="-", lw=0.5, color="grey") if y != precision else None)
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(lowest, 1.05)  # room for labels moved below 0
    ax.set_xlabel("recall (variety: real images the samples' manifold covers)")
    ax.set_ylabel("precision (quality: samples on the real manifold)")
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title)
    return fig


def plot_image_rows(rows: dict[str, Tensor], ax=None, title: str | None = None) -> Figure:
    """Labelled rows of images, one row per entry (e.g. x, G(x) and F(G(x)) for the same x, column by column):
    every row holds images (N, C, H, W) in [-1, 1] of one shape, and its label is written on the left."""
    if not rows:
        raise ValueError("plot_image_rows needs at least one row of images")
    shapes = {tuple(images.shape) for images in rows.values() if isinstance(images, Tensor)}
    if len(shapes) != 1 or len(rows) != sum(isinstance(images, Tensor) for images in rows.values()):
        raise ValueError(f"every row must be a tensor (N, C, H, W) of one shape, got "
                         f"{[getattr(images, 'shape', type(images).__name__) for images in rows.values()]}")
    n, _, h, _ = next(iter(shapes))
    grid = image_grid(torch.cat(list(rows.values())), nrow=n)
    fig, ax = make_axes(ax, figsize=(min(16, 0.55 * n + 1.5), 0.6 * len(rows) + 0.6))
    ax.imshow(grid, cmap="gray" if grid.ndim == 2 else None, vmin=0, vmax=1)
    ax.set_yticks([2 + h / 2 + i * (h + 2) for i in range(len(rows))], list(rows))
    ax.set_xticks([])
    if title:
        ax.set_title(title)
    return fig


def animate_clips(rows: dict[str, Tensor], interval: int = 300, title: str = "") -> None:
    """Play clips side by side (:func:`gan_course.viz.core.animate`): every row holds clips (N, T, C, H, W) in
    [-1, 1] of one shape (e.g. source clips and their translations), and frame t shows each row's frame t, as
    :func:`plot_image_rows` lays them out. Displays the player; returns None."""
    shapes = {tuple(clips.shape) for clips in rows.values() if isinstance(clips, Tensor)}
    if not rows or len(shapes) != 1 or len(next(iter(shapes))) != 5:
        raise ValueError("animate_clips needs rows of clips (N, T, C, H, W) of one shape, got "
                         f"{[getattr(clips, 'shape', type(clips).__name__) for clips in rows.values()]}")
    n, frames = next(iter(shapes))[:2]
    label = 0.09 * max(len(name) for name in rows) + 0.3      # inches for the row labels (frames are not cropped)
    width, height = min(16, 0.55 * n + label + 0.3), 0.6 * len(rows) + 0.8

    def draw(ax, t):
        plot_image_rows({name: clips[:, t] for name, clips in rows.items()}, ax=ax,
                        title=f"{title}{', ' if title else ''}frame {t + 1} of {frames}")
        ax.figure.subplots_adjust(left=label / width, right=1 - 0.15 / width, bottom=0.25 / height,
                                  top=1 - 0.45 / height)

    animate(range(frames), draw, interval=interval, figsize=(width, height))


def plot_scores_by_yaw(measured: dict[str, dict], keys: Sequence[str] = ("l1", "identity_accuracy", "asymmetry"),
                       axes=None, title: str | None = None) -> Figure:
    """One panel per score of :func:`gan_course.models.tpgan.measure`, against |yaw|: a line per model
    (``measured[name]``: its scores, with ``<key>_by_yaw`` and ``yaw_bins`` such as "15-30"), and the inputs as they
    are (``<key>_views_by_yaw``) and the true frontal views (``<key>_frontal_by_yaw``) dotted, where measured."""
    if not measured or any(f"{k}_by_yaw" not in s or "yaw_bins" not in s for s in measured.values() for k in keys):
        raise ValueError(f"plot_scores_by_yaw needs scores with yaw_bins and {[f'{k}_by_yaw' for k in keys]}")
    if axes is None:
        fig, axes = plt.subplots(1, len(keys), figsize=(4.2 * len(keys), 3.4), squeeze=False)
        axes = axes[0]
    fig, first = axes[0].figure, next(iter(measured.values()))
    centres = [sum(map(float, b.split("-"))) / 2 for b in first["yaw_bins"]]
    for ax, key in zip(axes, keys):
        for name, scores in measured.items():
            ax.plot(centres, [np.nan if v is None else v for v in scores[f"{key}_by_yaw"]], "o-", lw=2, label=name)
        for base, style in (("views", ":"), ("frontal", "--")):
            if f"{key}_{base}_by_yaw" in first:
                ax.plot(centres, first[f"{key}_{base}_by_yaw"], style, color="grey", lw=1.5,
                        label="input view as is" if base == "views" else "true frontal view")
        ax.set_xlabel("|yaw| of the input view, degrees (bin centres)")
        ax.set_title(key.replace("_", " "))
        ax.legend(fontsize=7)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_faces(images: Tensor, landmarks: Tensor | None = None, visible: Tensor | None = None,
               labels: Sequence[str] | None = None, ax=None, title: str | None = None) -> Figure:
    """A row of faces (N, C, H, W) in [-1, 1], with their ``landmarks`` (N, K, 2) (row, column) marked where given:
    filled where ``visible`` (N, K) (default: all), hollow where the head hides them; ``labels`` under each face."""
    n, _, h, w = images.shape
    if landmarks is not None and (landmarks.dim() != 3 or len(landmarks) != n or landmarks.shape[-1] != 2):
        raise ValueError(f"landmarks must be (N={n}, K, 2) (row, column), got {tuple(landmarks.shape)}")
    fig, ax = make_axes(ax, figsize=(min(16, 0.9 * n + 1), 1.8))
    ax.imshow(image_grid(images, nrow=n), cmap="gray", vmin=0, vmax=1)
    if landmarks is not None:
        seen = torch.ones(landmarks.shape[:2], dtype=torch.bool) if visible is None else visible.bool().cpu()
        left = 2 + torch.arange(n)[:, None] * (w + 2)                     # image_grid's padding of 2
        rows, cols = 2 + landmarks[..., 0].cpu(), left + landmarks[..., 1].cpu()
        ax.scatter(cols[seen], rows[seen], s=14, c="tab:red", marker="o", label="landmark")
        ax.scatter(cols[~seen], rows[~seen], s=14, facecolors="none", edgecolors="tab:red", label="hidden")
    ax.set_xticks([2 + w / 2 + i * (w + 2) for i in range(n)], labels or [""] * n, fontsize=7)
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return fig
