"""Figures of lessons 16 and 17: anomaly scores of normal images against anomalies, what the detectors rebuilt,
and tables of AUROCs.

Taught in: lessons 16 and 17
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from torch import Tensor

from .core import image_grid, make_axes, to_numpy


def plot_score_histograms(scores: Mapping[str, Tensor], is_anomaly: Tensor, aurocs: Mapping[str, float] | None = None,
                          bins: int = 30, names: Sequence[str] = ("normal", "anomaly")) -> Figure:
    """One panel per detector: the histogram of its scores on normal test images and on anomalies (each scaled to
    the detector's own range), with its AUROC in the title when given."""
    if not scores:
        raise ValueError("scores must name at least one detector")
    fig = plt.figure(figsize=(3.2 * len(scores), 2.6))
    axes = fig.subplots(1, len(scores), squeeze=False)[0]
    flags = to_numpy(is_anomaly).astype(bool)
    for ax, (name, values) in zip(axes, scores.items()):
        values = to_numpy(values).astype(float)
        if values.shape != flags.shape:
            raise ValueError(f"{name}: {values.shape[0]} scores for {flags.shape[0]} images")
        edges = np.histogram_bin_edges(values, bins=bins)
        ax.hist(values[~flags], edges, alpha=0.6, label=names[0], color="tab:blue")
        ax.hist(values[flags], edges, alpha=0.6, label=names[1], color="tab:red")
        ax.set_title(name if aurocs is None else f"{name}: AUROC {aurocs[name]:.3f}", fontsize=10)
        ax.set_xlabel("anomaly score")
        ax.set_yticks([])
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_reconstructions(rows: Mapping[str, Tensor], masks: Tensor | None = None, title: str | None = None) -> Figure:
    """Rows of images (each (N, 1, H, W), images in [-1, 1] and residual maps in [0, 2] alike shown on one grey
    scale per row), with the outline of the true defect ``masks`` (N, 1, H, W) drawn over every row."""
    if not rows:
        raise ValueError("rows must hold at least one row of images")
    n = next(iter(rows.values())).shape[0]
    fig, ax = make_axes(None, figsize=(1.1 * n, 1.2 * len(rows) + 0.4))
    grids = []
    for name, images in rows.items():
        if images.shape[0] != n:
            raise ValueError(f"row {name!r} has {images.shape[0]} images, the first row {n}")
        x = images.detach().float().cpu()
        low, high = (0.0, max(float(x.max()), 1e-6)) if x.min() >= 0 else (-1.0, 1.0)
        grids.append(image_grid((x - low) / (high - low) * 2 - 1, nrow=n))
    ax.imshow(np.concatenate(grids, 0), cmap="gray", vmin=0, vmax=1)
    if masks is not None:
        tiles = 1 - image_grid(torch.full_like(masks, -1, dtype=torch.float32), nrow=n)  # 0 on the white padding
        outline = image_grid(masks.float() * 2 - 1, nrow=n) * tiles
        height = grids[0].shape[0]
        for row in range(len(rows)):
            ax.contour(np.arange(outline.shape[1]), row * height + np.arange(height), outline, levels=[0.5],
                       colors="red", linewidths=0.8)
    ax.set_yticks([(i + 0.5) * grids[0].shape[0] for i in range(len(rows))], list(rows))
    ax.set_xticks([])
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_auroc_grid(aurocs: Mapping[str, Mapping[str, float]], xlabel: str = "anomaly",
                    title: str | None = None) -> Figure:
    """A table of AUROCs as a heat map, detectors down and columns (e.g. the anomalous digit) across, each cell
    written out; 0.5 (a coin) is white, red above it, blue below."""
    if not aurocs:
        raise ValueError("aurocs must name at least one detector")
    columns = list(next(iter(aurocs.values())))
    for name, row in aurocs.items():
        if list(row) != columns:
            raise ValueError(f"detector {name!r} has the columns {list(row)}, the first detector {columns}")
    values = np.array([[row[c] for c in columns] for row in aurocs.values()], dtype=float)
    fig, ax = make_axes(None, figsize=(0.7 * len(columns) + 2.2, 0.45 * len(aurocs) + 1.2))
    ax.imshow(values, cmap="coolwarm", vmin=0, vmax=1, aspect="auto")
    for (i, j), value in np.ndenumerate(values):
        ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=8)
    ax.set_xticks(range(len(columns)), columns)
    ax.set_yticks(range(len(aurocs)), list(aurocs))
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
