"""Figures of progressive growing (the PGGAN lesson): a score over training with the growth phases marked, and
samples of one generator at every resolution.

    from gan_course.viz import growth as viz_growth

    viz_growth.plot_growth_curves({"fade-in": curve, "abrupt": other}, switches=[400, 1200, 2000], fade=400)

Taught in: lesson 18 (the FID curve with its growth phases, samples per resolution)
"""

from __future__ import annotations

from typing import Mapping, Sequence

import torch.nn.functional as F
from matplotlib.figure import Figure
from torch import Tensor

from .core import make_axes
from .images import plot_image_rows


def plot_growth_curves(curves: Mapping[str, Sequence[Mapping]], switches: Sequence[int], fade: int,
                       key: str = "fid", first_resolution: int = 4, ax=None, title: str | None = None,
                       log: bool = True) -> Figure:
    """``key`` (default the FID) against the generator step for each run: ``curves`` maps a name to its points
    (dicts with ``step`` and ``key``, as :class:`gan_course.models.pggan.Tracker` keeps them). Each new stage
    begins at a step of ``switches`` (a dashed line, labelled with its resolution), and its fade-in, ``fade``
    steps long, is shaded."""
    if not curves or any(not points for points in curves.values()):
        raise ValueError(f"plot_growth_curves needs at least one run with points, got {list(curves)}")
    missing = [name for name, points in curves.items() if any("step" not in p or key not in p for p in points)]
    if missing:
        raise ValueError(f"every point needs 'step' and {key!r}; runs without them: {missing}")
    if list(switches) != sorted(switches) or fade < 0:
        raise ValueError(f"switches must be increasing steps and fade >= 0, got {list(switches)} and {fade}")
    fig, ax = make_axes(ax, figsize=(9, 4))
    for name, points in curves.items():
        ax.plot([p["step"] for p in points], [p[key] for p in points], marker=".", markersize=3, label=name)
    if log:
        ax.set_yscale("log")
    resolution = first_resolution
    for k, switch in enumerate(switches):
        resolution *= 2
        ax.axvline(switch, color="grey", linestyle="--", linewidth=0.8)
        if fade:
            ax.axvspan(switch, switch + fade, color="tab:orange", alpha=0.12, label="fade-in" if k == 0 else None)
        ax.text(switch, 1.0, f" {resolution} px", transform=ax.get_xaxis_transform(), va="top", fontsize=8)
    ax.set_xlabel("generator step")
    ax.set_ylabel(key.upper() if key == "fid" else key)
    ax.legend(fontsize=8)
    ax.set_title(title or f"{key.upper() if key == 'fid' else key} over training; dashed: a new resolution begins")
    return fig


def plot_resolutions(images: Sequence[Tensor], size: int = 32, ax=None, title: str | None = None) -> Figure:
    """One row per resolution: ``images[k]`` holds N images (N, C, h_k, w_k) in [-1, 1], shown enlarged (nearest)
    to ``size`` so that every pixel of the small ones stays visible as a block."""
    if not images or len({len(x) for x in images}) != 1 or any(x.dim() != 4 for x in images):
        raise ValueError("plot_resolutions needs image sets (N, C, H, W) with the same N, got "
                         f"{[tuple(getattr(x, 'shape', ())) for x in images]}")
    rows = {f"{x.shape[-1]} px": F.interpolate(x.float(), size=size, mode="nearest").clamp(-1, 1) for x in images}
    return plot_image_rows(rows, ax=ax, title=title)


__all__ = ["plot_growth_curves", "plot_resolutions"]
