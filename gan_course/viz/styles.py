"""Figures of the StyleGAN lessons: the style-mixing grid, where the noise acts, the truncation curve, the panel
that mixes two seeds at a crossover layer (lesson 19); paths through Z and W, their lengths, and grouped bars of
per-factor scores (lesson 20).

    from gan_course.viz import styles as viz_styles

    viz_styles.plot_mixing_grid(images_a, images_b, {"coarse": mixed_coarse, "middle": ..., "fine": ...})

Taught in: lessons 19 (StyleGAN) and 20 (StyleGAN's latent space)
"""

from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from torch import Tensor

from .core import image_grid, make_axes, to_numpy


def _check_images(name: str, images) -> None:
    if not isinstance(images, Tensor) or images.dim() != 4:
        raise ValueError(f"{name} must be images (N, C, H, W), got {getattr(images, 'shape', type(images).__name__)}")


def plot_mixing_grid(sources_a: Tensor, sources_b: Tensor, mixed: Mapping[str, Tensor], title: str | None = None) -> Figure:
    """The paper's Figure 3: the top row holds the sources A (one column each); for every group of layers (the keys
    of ``mixed``: e.g. coarse, middle, fine) a block of rows, one per source B, whose first image is B and whose
    others are A with that group's styles taken from B. ``mixed[group]`` is (n_B, n_A, C, H, W)."""
    _check_images("sources_a", sources_a)
    _check_images("sources_b", sources_b)
    n_a, n_b = len(sources_a), len(sources_b)
    for group, images in mixed.items():
        if not isinstance(images, Tensor) or tuple(images.shape[:2]) != (n_b, n_a) or images.shape[2:] != sources_a.shape[1:]:
            raise ValueError(f"mixed[{group!r}] must be (n_B, n_A, C, H, W) = ({n_b}, {n_a}, "
                             f"{', '.join(map(str, sources_a.shape[1:]))}), got {getattr(images, 'shape', None)}")
    h = sources_a.shape[-2]
    blank = sources_a[:1] * 0 + 1                                                 # a white cell in the corner
    rows = [torch.cat([blank, sources_a])]
    for images in mixed.values():
        rows += [torch.cat([sources_b[i:i + 1], images[i]]) for i in range(n_b)]
    grid = image_grid(torch.cat(rows), nrow=n_a + 1)
    fig, ax = make_axes(None, figsize=(0.75 * (n_a + 1) + 1.2, 0.75 * len(rows) + 0.6))
    ax.imshow(grid, cmap="gray" if grid.ndim == 2 else None, vmin=0, vmax=1, interpolation="nearest")
    labels, ticks = ["sources A"], [2 + h / 2]
    for g, group in enumerate(mixed):
        first = 1 + g * n_b
        ticks.append(2 + (first + (n_b - 1) / 2) * (h + 2) + h / 2)
        labels.append(f"B's {group}\nstyles")
        ax.axhline(first * (h + 2) + 0.5, color="tab:red", linewidth=1)
    ax.set_yticks(ticks, labels, fontsize=8)
    ax.axvline(h + 2.5, color="tab:red", linewidth=1)
    ax.set_xticks([])
    ax.set_title(title or "style mixing: left column B, top row A; each cell: A with B's styles in one group of layers",
                 fontsize=9)
    return fig


def plot_noise_maps(images: Tensor, stds: Mapping[str, Tensor], title: str | None = None) -> Figure:
    """Where stochastic variation lives: a row of images (one per fixed w), then for each entry of ``stds`` a row of
    the per-pixel standard deviation (N, 1, H, W) over noise draws with that w, all on one colour scale."""
    _check_images("images", images)
    if not stds or any(not isinstance(s, Tensor) or s.shape != images.shape for s in stds.values()):
        raise ValueError(f"every map must have the images' shape {tuple(images.shape)}, got "
                         f"{[getattr(s, 'shape', None) for s in stds.values()]}")
    n = len(images)
    top = max(float(s.max()) for s in stds.values()) or 1.0
    fig, axes = plt.subplots(1 + len(stds), n, figsize=(1.1 * n + 1, 1.15 * (1 + len(stds)) + 0.4), squeeze=False)
    for j in range(n):
        axes[0, j].imshow(image_grid(images[j:j + 1], nrow=1, padding=0), cmap="gray", vmin=0, vmax=1)
        for i, s in enumerate(stds.values(), start=1):
            shown = axes[i, j].imshow(to_numpy(s[j, 0]), cmap="magma", vmin=0, vmax=top)
    for ax in axes.flat:
        ax.set_xticks([]), ax.set_yticks([])
    axes[0, 0].set_ylabel("image", fontsize=8)
    for i, name in enumerate(stds, start=1):
        axes[i, 0].set_ylabel(name.replace(" ", "\n", 1), fontsize=8)
    fig.colorbar(shown, ax=axes.ravel().tolist(), shrink=0.8, label="standard deviation over noise draws")
    fig.suptitle(title or "each column: one w, many noise draws; where the images vary", fontsize=9)
    return fig


def plot_truncation_curve(rows: Sequence[Mapping], reference: Mapping | None = None, ax=None,
                          title: str | None = None) -> Figure:
    """FID (left axis) and precision and recall (right axis) against ψ, from rows with ``psi``, ``fid``,
    ``precision`` and ``recall`` (:func:`gan_course.models.stylegan.truncation_curve`); ``reference`` (real images'
    scores) drawn as thin horizontal lines."""
    if not rows or any(not {"psi", "fid", "precision", "recall"} <= set(r) for r in rows):
        raise ValueError("plot_truncation_curve needs rows with psi, fid, precision and recall")
    psi = [r["psi"] for r in rows]
    fig, ax = make_axes(ax, figsize=(7, 3.6))
    ax.plot(psi, [r["fid"] for r in rows], "o-", color="black", label="FID (left)")
    ax.set_xlabel("ψ (0: every image from w̄; 1: no truncation)")
    ax.set_ylabel("FID")
    right = ax.twinx()
    right.plot(psi, [r["precision"] for r in rows], "s-", color="tab:blue", label="precision (right)")
    right.plot(psi, [r["recall"] for r in rows], "^-", color="tab:orange", label="recall (right)")
    right.set_ylim(0, 1)
    right.set_ylabel("precision, recall")
    if reference:
        ax.axhline(reference["fid"], color="black", linewidth=0.6, linestyle=":")
        right.axhline(reference["precision"], color="tab:blue", linewidth=0.6, linestyle=":")
        right.axhline(reference["recall"], color="tab:orange", linewidth=0.6, linestyle=":")
    handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    ax.legend(handles, [h.get_label() for h in handles], fontsize=8, loc="upper center")
    ax.set_title(title or "the truncation trick: quality against diversity", fontsize=10)
    return fig


def plot_style_mix(image_a: Tensor, image_b: Tensor, image_mixed: Tensor, crossover: int, num_ws: int,
                   psi: float) -> Figure:
    """A, B and the image whose layers from ``crossover`` on take B's w (one image (C, H, W) each), for the panel."""
    for name, image in (("image_a", image_a), ("image_b", image_b), ("image_mixed", image_mixed)):
        if not isinstance(image, Tensor) or image.dim() != 3:
            raise ValueError(f"{name} must be one image (C, H, W), got {getattr(image, 'shape', None)}")
    fig, axes = plt.subplots(1, 3, figsize=(6.6, 2.6))
    taken = ("none of B's" if crossover >= num_ws else "all of B's" if crossover == 0
             else f"B's w in layers {crossover}–{num_ws - 1}")
    for ax, image, label in zip(axes, (image_a, image_b, image_mixed),
                                ("A", "B", f"A, {taken}")):
        ax.imshow(image_grid(image[None], nrow=1, padding=0), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(label, fontsize=9)
        ax.set_axis_off()
    fig.suptitle(f"crossover at layer {crossover} of {num_ws}, ψ = {psi:g}", fontsize=9)
    return fig


def plot_grouped_bars(values: Mapping[str, Sequence[float]], categories: Sequence[str], ylabel: str, ax=None,
                      title: str | None = None, lines: Mapping[float, str] | None = None) -> Figure:
    """One bar per category (x) for every series (the keys of ``values``, side by side); ``lines``: y -> a label
    drawn as a dotted horizontal line."""
    if not values or any(len(v) != len(categories) for v in values.values()):
        raise ValueError(f"every series needs one value per category ({len(categories)})")
    fig, ax = make_axes(ax, figsize=(8, 3.4))
    width = 0.8 / len(values)
    x = np.arange(len(categories))
    for k, (series, v) in enumerate(values.items()):
        ax.bar(x + (k - (len(values) - 1) / 2) * width, to_numpy(torch.as_tensor(v)), width, label=series)
    ax.set_xticks(x, [c.replace("_", " ") for c in categories], fontsize=8)
    ax.axhline(0, color="black", linewidth=0.6)
    for y, label in (lines or {}).items():
        ax.axhline(y, color="grey", linewidth=0.8, linestyle=":")
        ax.annotate(label, (len(categories) - 0.5, y), fontsize=8, color="grey", ha="right", va="bottom")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def plot_follows(shares: Mapping[str, Sequence[float]], factors: Sequence[str], ax=None,
                 title: str | None = None) -> Figure:
    """For each group of layers taken from B (the keys), the share of each factor that follows B (0: stays A's, 1:
    B's), as grouped bars."""
    return plot_grouped_bars({f"B's {group} styles": v for group, v in shares.items()}, factors,
                             "share that follows B", ax, title or "which factors follow the styles taken from B",
                             lines={1.0: ""})


def plot_path_profiles(profile: Mapping[str, Mapping[str, Tensor]], shown: int = 0, title: str | None = None) -> Figure:
    """The paths of :func:`gan_course.models.stylegan.path_profile`: the frames of path ``shown`` in Z and in W (a
    strip each), and below, for every path, the distance between neighbouring frames (over the squared step) along
    t, Z solid and W dashed, on a log scale."""
    if set(profile) != {"z", "w"} or any({"images", "d"} - set(p) for p in profile.values()):
        raise ValueError("profile must hold 'z' and 'w', each with 'images' and 'd' (stylegan.path_profile)")
    frames = profile["z"]["images"].shape[1]
    keep = sorted(set(np.linspace(0, frames - 1, min(frames, 9)).round().astype(int).tolist()))  # at most 9 frames
    fig = plt.figure(figsize=(9, 6.4))
    grid = fig.add_gridspec(3, 1, height_ratios=[1, 1, 2.2], hspace=0.3)
    for row, space in enumerate(("z", "w")):
        ax = fig.add_subplot(grid[row])
        ax.imshow(image_grid(profile[space]["images"][shown][keep], nrow=len(keep), padding=1), cmap="gray", vmin=0,
                  vmax=1, interpolation="nearest")
        ax.set_xticks([]), ax.set_yticks([])
        ax.set_ylabel("Z, slerp" if space == "z" else "W, lerp", fontsize=8)
        ax.set_title(f"t = " + ", ".join(f"{k / (frames - 1):.2g}" for k in keep), fontsize=7) if row == 0 else None
    ax = fig.add_subplot(grid[2])
    steps = profile["z"]["d"].shape[1]
    t = (np.arange(steps) + 0.5) / steps
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k in range(len(profile["z"]["d"])):
        colour = colours[k % len(colours)]
        ax.plot(t, to_numpy(profile["z"]["d"][k]).clip(1e-3), "-", color=colour, linewidth=1,
                label="in Z" if k == 0 else None)
        ax.plot(t, to_numpy(profile["w"]["d"][k]).clip(1e-3), "--", color=colour, linewidth=1,
                label="in W" if k == 0 else None)
    ax.set_yscale("log")
    ax.set_xlabel("t along the path (one colour per path)")
    ax.set_ylabel("d(neighbouring frames) / Δt²")
    ax.legend(fontsize=8)
    fig.suptitle(title or f"the same end points, interpolated in Z and in W (path {shown} shown)", fontsize=10)
    return fig


def plot_path_lengths(values: Mapping[str, Sequence[float]], ax=None, title: str | None = None) -> Figure:
    """Histograms (log-spaced bins) of the per-path values d / ε² of each entry (e.g. "Z, full paths": values),
    each entry's kept mean (1st-99th percentile) marked by a vertical line."""
    if not values:
        raise ValueError("plot_path_lengths needs at least one set of values")
    fig, ax = make_axes(ax, figsize=(7, 3.4))
    arrays = {name: np.asarray(v, dtype=float) for name, v in values.items()}
    positive = np.concatenate([a[a > 0] for a in arrays.values()])
    bins = np.logspace(np.log10(positive.min()), np.log10(positive.max()), 40)
    for name, a in arrays.items():
        lo, hi = np.percentile(a, [1, 99])
        mean = a[(a >= lo) & (a <= hi)].mean()
        line = ax.hist(a[a > 0], bins=bins, histtype="step", linewidth=1.5, label=f"{name}: mean {mean:.2f}")[2][0]
        ax.axvline(mean, color=line.get_edgecolor(), linewidth=1, linestyle=":")
    ax.set_xscale("log")
    ax.set_xlabel("d(G(t), G(t + ε)) / ε², one value per path")
    ax.set_ylabel("paths")
    ax.legend(fontsize=8)
    ax.set_title(title or "perceptual path lengths, path by path", fontsize=10)
    return fig


__all__ = ["plot_mixing_grid", "plot_noise_maps", "plot_truncation_curve", "plot_style_mix", "plot_grouped_bars",
           "plot_follows", "plot_path_profiles", "plot_path_lengths"]
