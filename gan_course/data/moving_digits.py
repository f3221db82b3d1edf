"""Moving digits: short clips of one digit moving on a 32x32 canvas, in two unpaired domains, for Recycle-GAN.

Each clip pastes one digit of a domain of :mod:`.domains` (its central 22x22 pixels, where 99% of the ink lies)
at a new integer position in every frame. The two domains move differently, so that the motion belongs to the
domain as much as the style does:

* ``"handwritten"`` digits **bounce**: a constant velocity of 1 to 2 pixels per frame in a random direction,
  reflected at the canvas's edges;
* ``"printed"`` digits **orbit**: a circle of radius 2 to 5 pixels around the canvas's centre, at 0.3 to 0.6
  radians per frame, clockwise or not.

    clips = moving_digits.load_clips("handwritten", "train")   # Clips of 4,000 clips, (4000, 8, 1, 32, 32)

A clip keeps what made it: the digit (``labels``) and the position of its 22x22 box in every frame
(``positions``), so a translated clip can be scored against what it should have been: :func:`displacement_error`
(does the translated digit move as the source did?) and :func:`flicker` (once the known motion is undone, how much
does the digit change from frame to frame?). Frames are float32 in [-1, 1], background -1.

The clips are rebuilt on each call, deterministically from the seed, from the cached domain images (a few
milliseconds; the generated images themselves are cached by :mod:`.domains`).

Taught in: lesson 14
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from . import domains
from .digits import DeviceBatches

SIZE, BOX = 32, 22          # canvas and digit box, in pixels
RANGE = SIZE - BOX          # a box's top-left corner lies in [0, RANGE] on each axis
MOTIONS = {"handwritten": "bounce", "printed": "orbit"}
SEEDS = {"train": 10, "test": 11}
FRAMES = 8


@dataclass
class Clips:
    """``frames`` (N, T, C, 32, 32) in [-1, 1]; ``labels`` (N,) the digit of each clip (to measure only);
    ``positions`` (N, T, 2) long, the (row, column) of the digit box's top-left corner in each frame."""

    frames: Tensor
    labels: Tensor
    positions: Tensor
    source: str

    def __len__(self) -> int:
        return len(self.frames)

    def to(self, device) -> "Clips":
        return Clips(self.frames.to(device), self.labels.to(device), self.positions.to(device), self.source)


def _check_count(what: str, value, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{what} must be an integer >= {low}, got {value!r}")
    return value


def trajectories(n: int, frames: int, motion: str, gen: torch.Generator) -> Tensor:
    """(n, frames, 2) long: the box's top-left corner in each frame, for ``motion`` "bounce" or "orbit"."""
    _check_count("n", n)
    _check_count("frames", frames)
    if motion == "bounce":
        start = torch.rand(n, 2, generator=gen) * RANGE
        angle = torch.rand(n, generator=gen) * 2 * math.pi
        speed = 1 + torch.rand(n, generator=gen)
        velocity = torch.stack([angle.sin(), angle.cos()], 1) * speed[:, None]
        path = start[:, None] + velocity[:, None] * torch.arange(frames)[None, :, None]
        period = 2 * RANGE                            # reflect at 0 and RANGE: a triangle wave of the free path
        path = path.remainder(period)
        path = torch.where(path > RANGE, period - path, path)
    elif motion == "orbit":
        radius = 2 + torch.rand(n, generator=gen) * 3
        speed = (0.3 + torch.rand(n, generator=gen) * 0.3) * torch.where(torch.rand(n, generator=gen) < 0.5, -1, 1)
        phase = torch.rand(n, generator=gen) * 2 * math.pi
        angle = phase[:, None] + speed[:, None] * torch.arange(frames)[None]
        path = RANGE / 2 + radius[:, None, None] * torch.stack([angle.sin(), angle.cos()], 2)
    else:
        raise ValueError(f"motion must be 'bounce' or 'orbit', got {motion!r}")
    return path.round().long().clamp(0, RANGE)


def paste(boxes: Tensor, positions: Tensor) -> Tensor:
    """Clips (N, T, C, SIZE, SIZE) with each digit box (N, C, BOX, BOX) at its ``positions`` (N, T, 2) on a
    background of -1."""
    if boxes.dim() != 4 or tuple(boxes.shape[2:]) != (BOX, BOX):
        raise ValueError(f"boxes must be (N, C, {BOX}, {BOX}), got {tuple(boxes.shape)}")
    if positions.dim() != 3 or positions.shape[0] != len(boxes) or positions.shape[2] != 2:
        raise ValueError(f"positions must be ({len(boxes)}, T, 2), got {tuple(positions.shape)}")
    if positions.min() < 0 or positions.max() > RANGE:
        raise ValueError(f"positions must lie in [0, {RANGE}], got {positions.min().item()} to {positions.max().item()}")
    n, c = boxes.shape[:2]
    t = positions.shape[1]
    clips = torch.full((n, t, c, SIZE, SIZE), -1.0, dtype=boxes.dtype)
    offsets = torch.arange(BOX)
    index = torch.arange(n)[:, None, None]
    for k in range(t):
        rows = (positions[:, k, 0, None] + offsets)[:, :, None]           # (N, BOX, 1)
        cols = (positions[:, k, 1, None] + offsets)[:, None, :]           # (N, 1, BOX)
        for channel in range(c):
            clips[index, k, channel, rows, cols] = boxes[:, channel]
    return clips


def load_clips(domain: str, split: str = "train", frames: int = FRAMES, seed: int | None = None) -> Clips:
    """One clip per image of ``domain``'s ``split`` (:func:`.domains.load_domain`), moving as :data:`MOTIONS`
    says; ``seed`` (default: one per split) draws the trajectories."""
    motion = MOTIONS.get(domain)
    if motion is None:
        raise ValueError(f"domain must be one of {tuple(MOTIONS)}, got {domain!r}")
    _check_count("frames", frames, low=2)
    seed = SEEDS[domains._check("split", split, domains.SPLITS)] if seed is None else domains._check_seed(seed)
    images = domains.load_domain(domain, split)
    a = (28 - BOX) // 2
    boxes = images.images[:, :, a:a + BOX, a:a + BOX].cpu()
    gen = torch.Generator().manual_seed(seed)
    positions = trajectories(len(boxes), frames, motion, gen)
    return Clips(paste(boxes, positions), images.labels.cpu(), positions,
                 f"{domain} digits ({images.source}), {motion}ing on a {SIZE}x{SIZE} canvas, {frames} frames, seed {seed}")


class ClipWindows:
    """Endless shuffled batches (B, W, C, H, W) of ``window`` consecutive frames cut from ``frames`` (N, T, C, H,
    W): every window of every clip once per epoch, in a new order each epoch (:class:`.digits.DeviceBatches` over
    the windows' indices, so it resumes exactly from :meth:`state_dict`)."""

    def __init__(self, frames: Tensor, window: int, batch_size: int, seed: int = 0):
        if not isinstance(frames, Tensor) or frames.dim() != 5:
            raise ValueError(f"frames must be clips (N, T, C, H, W), got {getattr(frames, 'shape', type(frames))}")
        _check_count("window", window)
        if window > frames.shape[1]:
            raise ValueError(f"window must be at most the clips' {frames.shape[1]} frames, got {window}")
        self.frames, self.window = frames, window
        self.per_clip = frames.shape[1] - window + 1
        self.windows = DeviceBatches(torch.arange(len(frames) * self.per_clip, device=frames.device),
                                     batch_size=batch_size, seed=seed)

    def __iter__(self) -> "ClipWindows":
        return self

    def __next__(self) -> Tensor:
        index = next(self.windows)
        clip, start = index // self.per_clip, index % self.per_clip
        return self.frames[clip[:, None], start[:, None] + torch.arange(self.window, device=index.device)]

    def state_dict(self) -> dict:
        return self.windows.state_dict()

    def load_state_dict(self, state: dict) -> None:
        self.windows.load_state_dict(state)


# --------------------------------------------------------------------------- scoring a clip against its motion


def _check_clips(frames: Tensor) -> None:
    if frames.dim() != 5 or tuple(frames.shape[3:]) != (SIZE, SIZE) or frames.shape[1] < 2:
        raise ValueError(f"clips must be (N, T >= 2, C, {SIZE}, {SIZE}), got {tuple(frames.shape)}")


def ink_centre(frames: Tensor) -> Tensor:
    """(N, T, 2): the centre of the ink (pixel values above the background, mapped to [0, 1]) of every frame, as
    (row, column)."""
    _check_clips(frames)
    ink = ((frames.mean(2) + 1) / 2).clamp(min=0)                             # (N, T, H, W)
    grid = torch.arange(SIZE, dtype=ink.dtype, device=ink.device)
    mass = ink.sum((2, 3)).clamp_min(1e-6)
    return torch.stack([(ink.sum(3) * grid).sum(2) / mass, (ink.sum(2) * grid).sum(2) / mass], 2)


def displacement_error(frames: Tensor, positions: Tensor) -> Tensor:
    """Per clip (N,): the mean distance, in pixels, between how far the ink of ``frames`` has moved since the first
    frame and how far the source digit moved (``positions``). 0 for a digit that moves exactly as its source,
    whatever it looks like."""
    _check_clips(frames)
    moved = ink_centre(frames) - ink_centre(frames)[:, :1]
    wanted = (positions - positions[:, :1]).to(moved)
    return (moved - wanted).norm(dim=2)[:, 1:].mean(1)


def cut_boxes(frames: Tensor, positions: Tensor) -> Tensor:
    """(N, T, C, BOX, BOX): every frame's digit box, cut at ``positions`` (N, T, 2)."""
    _check_clips(frames)
    if positions.shape != (*frames.shape[:2], 2):
        raise ValueError(f"positions must be {(*frames.shape[:2], 2)}, got {tuple(positions.shape)}")
    return torch.stack([torch.stack([frames[i, k, :, r:r + BOX, c:c + BOX]
                                     for k, (r, c) in enumerate(positions[i].tolist())]) for i in range(len(frames))])


def flicker(frames: Tensor, positions: Tensor) -> Tensor:
    """Per clip (N,): the mean absolute change per pixel between consecutive frames once the source's known motion
    is undone (each frame's box cut out at its position). 0 for a digit that moves rigidly with its source; the
    temporal inconsistency of a translation that redraws the digit differently in every frame."""
    boxes = cut_boxes(frames, positions)
    return (boxes[:, 1:] - boxes[:, :-1]).abs().mean((1, 2, 3, 4))
