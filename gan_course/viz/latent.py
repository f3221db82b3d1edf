"""Walking a generator's latent space (lesson 07): interpolation paths, and the figures of interpolation
strips, nearest training images and distance histograms.

Paths between two latent vectors z0 and z1:

* :func:`lerp` goes along the straight line, ``(1 - t) z0 + t z1``;
* :func:`slerp` goes along the great circle, ``sin((1 - t) θ) / sin θ · z0 + sin(t θ) / sin θ · z1``
  with θ the angle between them (Shoemake 1985; White 2016, *Sampling generative networks*).

Every figure is a plain function that returns a matplotlib Figure (or draws into ``ax``), like
:mod:`gan_course.viz.core`, whose ``image_grid`` tiles the images.

    from gan_course.viz import latent as viz_latent

    z = viz_latent.slerp(z0, z1, torch.linspace(0, 1, 9))          # (9, d)
    viz_latent.plot_image_rows({"lerp": G(lerp_path), "slerp": G(slerp_path)})

Taught in: lesson 07
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from torch import Tensor

from .core import DATA_COLOR, FAKE_COLOR, image_grid, make_axes, to_numpy


def _path_inputs(z0: Tensor, z1: Tensor, t) -> tuple[Tensor, Tensor, Tensor]:
    if z0.shape != z1.shape or z0.dim() not in (1, 2):
        raise ValueError(f"z0 and z1 must be (d,) or (B, d) of one shape, got {tuple(z0.shape)} and {tuple(z1.shape)}")
    t = torch.as_tensor(t, dtype=z0.dtype, device=z0.device)
    if t.dim() != 1:
        raise ValueError(f"t must be a 1D sequence of positions in [0, 1], got shape {tuple(t.shape)}")
    return z0.unsqueeze(-2), z1.unsqueeze(-2), t[:, None]  # (..., 1, d), (..., 1, d), (T, 1)


def lerp(z0: Tensor, z1: Tensor, t) -> Tensor:
    """Linear interpolation: (T, d) points for z0, z1 of shape (d,); (B, T, d) for (B, d)."""
    a, b, t = _path_inputs(z0, z1, t)
    return (1 - t) * a + t * b


def slerp(z0: Tensor, z1: Tensor, t, eps: float = 1e-7) -> Tensor:
    """Spherical interpolation along the great circle through z0 and z1 (shapes as in :func:`lerp`).

    Between two vectors of equal norm every point keeps that norm; nearly parallel vectors fall back to
    :func:`lerp` (the two agree in the limit).
    """
    a, b, t = _path_inputs(z0, z1, t)
    cos = (a * b).sum(-1, keepdim=True) / (a.norm(dim=-1, keepdim=True) * b.norm(dim=-1, keepdim=True))
    theta = torch.arccos(cos.clamp(-1, 1))  # (..., 1, 1)
    sin = torch.sin(theta)
    parallel = sin.abs() < eps
    safe = torch.where(parallel, torch.ones_like(sin), sin)
    on_circle = (torch.sin((1 - t) * theta) * a + torch.sin(t * theta) * b) / safe
    return torch.where(parallel, (1 - t) * a + t * b, on_circle)


# --------------------------------------------------------------------------- figures


def plot_image_rows(rows: dict[str, Tensor], ax=None, title: str | None = None,
                    captions: dict[str, list[str]] | None = None, image_size: float = 0.75) -> Figure:
    """One labelled row of images per entry of ``rows`` (each (N, 1 or 3, H, W) in [-1, 1], the same N).

    Args:
        rows: row label -> images, drawn top to bottom in order.
        captions: optional row label -> one short text per image, written under it (e.g. a class and confidence).
        image_size: inches per image when a new figure is made.
    """
    if not rows:
        raise ValueError("plot_image_rows needs at least one row of images")
    lengths = {len(images) for images in rows.values()}
    if len(lengths) != 1:
        raise ValueError(f"every row needs the same number of images, got {sorted(lengths)}")
    n = lengths.pop()
    h, w = next(iter(rows.values())).shape[-2:]
    padding = 9 if captions else 2  # room for the captions under each image
    stacked = torch.cat([images.detach().float().cpu() for images in rows.values()])  # (rows * n, C, H, W)
    grid = image_grid(stacked, nrow=n, padding=padding)
    fig, ax = make_axes(ax, figsize=(max(3.0, n * image_size + 1.2), len(rows) * image_size * 1.25 + 0.4))
    ax.imshow(grid, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([padding + i * (h + padding) + h / 2 for i in range(len(rows))], list(rows))
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    for r, label in enumerate(rows):
        for i, text in enumerate((captions or {}).get(label, [])[:n]):
            ax.text(padding + i * (w + padding) + w / 2, padding + r * (h + padding) + h + 0.5, text, ha="center",
                    va="top", fontsize=7, color="tab:red")
    if title:
        ax.set_title(title)
    return fig


def plot_path_curves(t, curves: dict[str, object], ax=None, ylabel: str = "", title: str | None = None,
                     references: dict[str, float] | None = None) -> Figure:
    """Curves along an interpolation path: ``curves[label]`` is (T,) values, or (B, T) values of B paths, drawn as
    their mean with a band from the 25th to the 75th percentile.

    Args:
        t: (T,) positions along the path.
        references: horizontal dotted lines, label -> value (e.g. the typical norm sqrt(d)).
    """
    fig, ax = make_axes(ax, figsize=(6, 3.6))
    t = to_numpy(t)
    for (label, values), color in zip(curves.items(), plt.rcParams["axes.prop_cycle"].by_key()["color"]):
        values = to_numpy(values)
        if values.ndim == 2:
            low, high = np.percentile(values, [25, 75], axis=0)
            ax.fill_between(t, low, high, color=color, alpha=0.2, lw=0)
            values = values.mean(0)
        ax.plot(t, values, color=color, lw=2, label=label)
    for (label, value), style in zip((references or {}).items(), (":", "-.", "--")):
        ax.axhline(value, color="grey", ls=style, lw=1, label=label)
    ax.set_xlabel("position t along the path")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def plot_nearest_pairs(queries: Tensor, neighbours: Tensor, distances, ax=None, title: str | None = None,
                       labels: tuple[str, str] = ("sample", "nearest training image")) -> Figure:
    """Each query image above its nearest neighbour, with their distance written between them.

    Args:
        queries, neighbours: (N, C, H, W) in [-1, 1]; neighbour i belongs to query i.
        distances: (N,) the pixel distance of each pair.
    """
    if queries.shape != neighbours.shape:
        raise ValueError(f"queries and neighbours must have one shape, got {tuple(queries.shape)} and "
                         f"{tuple(neighbours.shape)}")
    distances = to_numpy(distances)
    if distances.shape != (len(queries),):
        raise ValueError(f"expected one distance per pair ({len(queries)}), got shape {distances.shape}")
    fig = plot_image_rows({labels[0]: queries, labels[1]: neighbours}, ax=ax, title=title,
                          captions={labels[1]: [f"{d:.2f}" for d in distances]}, image_size=0.8)
    return fig


def plot_distance_histograms(distances: dict[str, object], ax=None, title: str | None = None,
                             bins: int = 40, xlabel: str = "distance to the nearest training image (per pixel)"
                             ) -> Figure:
    """Overlaid density histograms of distances, one per entry, each with a dashed line at its median."""
    if not distances:
        raise ValueError("plot_distance_histograms needs at least one set of distances")
    fig, ax = make_axes(ax, figsize=(7, 3.8))
    arrays = {label: to_numpy(values).ravel() for label, values in distances.items()}
    low = min(a.min() for a in arrays.values())
    high = max(a.max() for a in arrays.values())
    edges = np.linspace(low, high if high > low else low + 1, bins + 1)
    colors = [DATA_COLOR, FAKE_COLOR, "tab:orange", "tab:purple", "tab:red"]
    for (label, values), color in zip(arrays.items(), colors):
        median = float(np.median(values))
        ax.hist(values, bins=edges, density=True, color=color, alpha=0.45, label=f"{label} (median {median:.3f})")
        ax.axvline(median, color=color, ls="--", lw=1.5)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("density")
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return fig
