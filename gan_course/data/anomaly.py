"""Two offline data sets for anomaly detection: learn what is normal, then flag what is not.

A one-class model (lesson 16) trains on normal images only and scores held-out images, some of which are
anomalies it has never seen. Both sets are 1x32x32 float32 images in [-1, 1]:

* :func:`one_class_digits`: MNIST, one digit as normal (train and test), other digits as anomalies (test);
  :data:`POST_SPLIT` is the source post's split, 8s normal and 6s anomalous;
* :func:`texture_defects`: industrial inspection. Patches of scikit-image's brick photo (in the wheel, no
  download) are normal; test patches may carry one synthetic defect, a scratch, a hole or a stain, with its
  exact ground-truth mask (pixel-level evaluation).

    train, test = anomaly.one_class_digits(**anomaly.POST_SPLIT)    # DigitData of 8s, AnomalySet of 8s and 6s
    normal = anomaly.texture_defects("train", 2000)                 # all normal
    test = anomaly.texture_defects("test", 1000)                    # half of them defective

The textures are quantised to 8 bits (what a PNG holds) and bit-identical for the same arguments.

Taught in: lessons 16 and 17
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from .digits import DigitData, load_mnist
from .domains import _check, _check_seed, _quantise
from .toys import _positive_int

POST_SPLIT = {"normal": 8, "anomalies": (6,)}  # the split of the source post: train on 8s, test on 6s
SPLITS = ("train", "test")
SEEDS = {"train": 0, "test": 1}  # the random draws of each split when no seed is given
SIZE = 32  # patches are SIZE x SIZE pixels
DEFECT_KINDS = ("none", "scratch", "hole", "stain")  # index = the label of a texture patch

#: The 512x512 brick photo is average-pooled by POOL to 256x256: a brick is then ~16 pixels wide and ~50 tall,
#: so a patch shows one or two vertical mortar lines and often a horizontal one (at full size many are plain brick).
POOL = 2
#: Rows of the pooled photo each split crops from: alternating bands, so that both see the whole perspective
#: (bricks grow ~25% from the top of the photo to its bottom) and no pixel is in patches of both splits.
BANDS = {"train": ((0, 64), (128, 192)), "test": ((64, 128), (192, 256))}
#: The photo's 0.1st and 99.9th percentiles become -1 and 1 (bricks ~-0.6, mortar ~0.8): a hole is darker than
#: a brick, yet a third of normal patches have a pixel as dark (the darkest pixel alone flags defects poorly).
STRETCH = (0.001, 0.999)
THRESHOLD = 0.05  # a defect's mask: the pixels it changed by more than this (and it changed no others)
MARGIN = 6  # a defect's centre is at least this many pixels inside the patch
SCRATCH_LENGTH, SCRATCH_WIDTH, SCRATCH_CONTRAST = (10.0, 24.0), (1.0, 2.0), (0.5, 0.8)  # pixels; [-1, 1] units
HOLE_RADIUS, HOLE_EDGE, HOLE_LEVEL = (2.0, 4.0), 1.5, (-1.0, -0.85)  # pixels; soft edge width; value at the centre
STAIN_SIGMA, STAIN_SHIFT = (2.0, 4.0), (0.3, 0.6)  # std of the Gaussian blob in pixels; its peak shift


@dataclass(repr=False)
class AnomalySet:
    """Images to score, with the truth about which are anomalies.

    Attributes:
        images: (N, 1, 32, 32) float32 in [-1, 1].
        is_anomaly: (N,) bool.
        labels: (N,) int64: the digit class for digits; for textures the index of the defect kind in
            :data:`DEFECT_KINDS` (0 = none).
        source: where the images came from, in words.
        masks: (N, 1, 32, 32) bool, the defect's pixels (textures only; all False for a normal image).
    """

    images: Tensor
    is_anomaly: Tensor
    labels: Tensor
    source: str
    masks: Tensor | None = None

    def __len__(self) -> int:
        return self.images.shape[0]

    def __repr__(self) -> str:  # the default would print every pixel
        masks = "" if self.masks is None else ", with masks"
        return (f"AnomalySet({len(self)} images of {tuple(self.images.shape[1:])} on {self.images.device}, "
                f"{int(self.is_anomaly.sum())} anomalies{masks}, labels {sorted(set(self.labels.tolist()))}, "
                f"from {self.source})")

    def to(self, device) -> "AnomalySet":
        """The same data on ``device``."""
        masks = None if self.masks is None else self.masks.to(device)
        return AnomalySet(self.images.to(device), self.is_anomaly.to(device), self.labels.to(device),
                          self.source, masks)


# --------------------------------------------------------------------------- one-class digits


def _digit(what: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value <= 9:
        raise ValueError(f"{what} must be an integer digit 0..9, got {value!r}")
    return int(value)


def one_class_digits(normal: int, anomalies=None, verbose: bool = False) -> tuple[DigitData, AnomalySet]:
    """MNIST for one-class learning: train on the digit ``normal``, test on it and on ``anomalies``.

    Args:
        normal: the normal digit, 0..9.
        anomalies: the anomalous digits (an iterable of distinct digits without ``normal``, or one digit);
            None: the nine others.
        verbose: print which MNIST source was used (:func:`~gan_course.data.digits.load_mnist`).

    Returns:
        ``(train, test)``: the training split's images of ``normal`` (400 offline), and the test split's
        images of ``normal`` and ``anomalies`` with ``is_anomaly = labels != normal`` (100 each offline).
    """
    normal = _digit("normal", normal)
    if anomalies is None:
        anomalies = [d for d in range(10) if d != normal]
    elif isinstance(anomalies, (int, np.integer)) and not isinstance(anomalies, bool):
        anomalies = [anomalies]
    try:
        anomalies = list(anomalies)
    except TypeError:
        raise ValueError(f"anomalies must be None or an iterable of digits 0..9, got {anomalies!r}") from None
    anomalies = [_digit("every anomaly", d) for d in anomalies]
    if not anomalies or len(set(anomalies)) < len(anomalies) or normal in anomalies:
        raise ValueError(f"anomalies must be distinct digits other than the normal digit {normal}, at least "
                         f"one, got {anomalies!r}")
    train = load_mnist("train", digits=[normal], size=SIZE, verbose=verbose)
    test = load_mnist("test", digits=[normal, *anomalies], size=SIZE, verbose=verbose)
    source = f"{test.source}; normal digit {normal}, anomalies {sorted(anomalies)}"
    return train, AnomalySet(test.images, test.labels != normal, test.labels, source)


# --------------------------------------------------------------------------- texture defects


@functools.lru_cache(maxsize=1)
def _photo() -> Tensor:
    """scikit-image's brick photo, average-pooled by POOL and stretched by STRETCH: (256, 256) in [0, 1]."""
    from skimage import data as skimage_data

    photo = F.avg_pool2d(torch.from_numpy(skimage_data.brick()).float()[None, None] / 255, POOL)[0, 0]
    low, high = torch.quantile(photo.flatten(), torch.tensor(STRETCH))
    return ((photo - low) / (high - low)).clamp(0, 1)


def _crop_corners(split: str, n: int, gen: torch.Generator) -> Tensor:
    """(n, 2) random top-left corners (row, column) of patches inside the split's BANDS."""
    bands = torch.tensor(BANDS[split])  # (B, 2) first and end rows
    band = bands[torch.randint(len(bands), (n,), generator=gen)]  # (n, 2); the bands are equally tall
    top = band[:, 0] + (torch.rand(n, generator=gen) * (band[:, 1] - band[:, 0] - SIZE + 1)).long()
    left = torch.randint(_photo().shape[1] - SIZE + 1, (n,), generator=gen)
    return torch.stack([top, left], 1)


def _crops(corners: Tensor, gen: torch.Generator) -> Tensor:
    """(n, 32, 32) patches of the photo in [0, 1] at ``corners``, each flipped left-right with odds 1/2."""
    offsets = torch.arange(SIZE)
    rows, cols = corners[:, :1] + offsets, corners[:, 1:] + offsets  # (n, 32) each
    patches = _photo()[rows[:, :, None], cols[:, None, :]]
    flip = torch.rand(len(corners), generator=gen) < 0.5
    return torch.where(flip[:, None, None], patches.flip(-1), patches)


def _add_defects(clean: Tensor, kinds: Tensor, gen: torch.Generator) -> tuple[Tensor, Tensor]:
    """One defect per image: ``clean`` (m, 32, 32) on the 8-bit grid of [-1, 1], ``kinds`` (m,) in 1..3.
    Returns the images with their defect, (m, 32, 32) on the grid, and the masks of the changed pixels."""
    m = len(kinds)

    def uniform(limits: tuple[float, float]) -> Tensor:  # (m, 1, 1): one value per image
        return (limits[0] + (limits[1] - limits[0]) * torch.rand(m, generator=gen)).view(m, 1, 1)

    grid = torch.arange(SIZE, dtype=torch.float32)
    dy = grid.view(1, SIZE, 1) - uniform((MARGIN, SIZE - 1 - MARGIN))  # (m, 32, 1): pixel minus centre
    dx = grid.view(1, 1, SIZE) - uniform((MARGIN, SIZE - 1 - MARGIN))  # (m, 1, 32)
    radius = torch.sqrt(dy ** 2 + dx ** 2)  # (m, 32, 32)
    angle = uniform((0.0, math.pi))
    along, across = dx * angle.cos() + dy * angle.sin(), dy * angle.cos() - dx * angle.sin()
    beyond = (along.abs() - uniform(SCRATCH_LENGTH) / 2).clamp(min=0)  # past either end of the segment
    # How much of each pixel the defect covers, in [0, 1]:
    scratch = (uniform(SCRATCH_WIDTH) / 2 + 0.5 - torch.sqrt(beyond ** 2 + across ** 2)).clamp(0, 1)  # anti-aliased
    hole = ((uniform(HOLE_RADIUS) + HOLE_EDGE / 2 - radius) / HOLE_EDGE).clamp(0, 1)  # soft edge
    stain = torch.exp(-radius ** 2 / (2 * uniform(STAIN_SIGMA) ** 2))
    kind = kinds.view(m, 1, 1)
    cover = torch.where(kind == 1, scratch, torch.where(kind == 2, hole, stain))
    sign = torch.where(torch.rand(m, generator=gen) < 0.5, -1.0, 1.0).view(m, 1, 1)  # darker or brighter
    shift = sign * torch.where(kind == 1, uniform(SCRATCH_CONTRAST), uniform(STAIN_SHIFT))
    change = cover * torch.where(kind == 2, uniform(HOLE_LEVEL) - clean, shift)  # a hole replaces, others add
    dirty = _quantise((clean + change + 1) / 2)
    # The mask is exactly what changed: changes of at most THRESHOLD (a soft edge's fringe) are not made.
    masks = (dirty - clean).abs() > THRESHOLD
    return torch.where(masks, dirty, clean), masks


def _check_share(value) -> float:
    try:
        share = float(value)
    except (TypeError, ValueError):
        share = float("nan")
    if isinstance(value, bool) or not 0 <= share < 1:
        raise ValueError(f"anomaly_share must be a number in [0, 1), got {value!r}")
    return share


def _texture_draw(split: str, n: int, seed: int | None = None,
                  anomaly_share: float = 0.5) -> tuple[AnomalySet, Tensor, Tensor]:
    """:func:`texture_defects`, and the images before their defects (N, 1, 32, 32) and the patches'
    top-left corners in the pooled photo (N, 2) (row, column)."""
    split, n = _check("split", split, SPLITS), _positive_int("n", n)
    seed, share = _check_seed(SEEDS[split] if seed is None else seed), _check_share(anomaly_share)
    gen = torch.Generator().manual_seed(seed)
    corners = _crop_corners(split, n, gen)
    clean = _quantise(_crops(corners, gen))  # (n, 32, 32) in [-1, 1]
    labels = torch.zeros(n, dtype=torch.int64)
    m = round(n * share) if split == "test" else 0
    labels[torch.randperm(n, generator=gen)[:m]] = torch.arange(m) % (len(DEFECT_KINDS) - 1) + 1  # balanced
    images, masks = clean.clone(), torch.zeros(n, SIZE, SIZE, dtype=torch.bool)
    todo = labels > 0
    while todo.any():  # a defect that changed no pixel (e.g. a hole on pixels as black) is drawn again
        images[todo], masks[todo] = _add_defects(clean[todo], labels[todo], gen)
        todo = (labels > 0) & ~masks.flatten(1).any(1)
    rows = " and ".join(f"{a}-{b - 1}" for a, b in BANDS[split])
    source = (f"patches of scikit-image's brick photo (skimage.data.brick, {POOL}x average-pooled to "
              f"{tuple(_photo().shape)}, contrast stretched; {split} rows {rows}, seed {seed}); "
              + (f"test: {m / n:.0%} with synthetic defects" if split == "test" else "train: all normal"))
    data = AnomalySet(images.unsqueeze(1), labels > 0, labels, source, masks.unsqueeze(1))
    return data, clean.unsqueeze(1), corners


def texture_defects(split: str, n: int, seed: int | None = None, anomaly_share: float = 0.5) -> AnomalySet:
    """``n`` random 32x32 patches of a brick wall, normal or with one synthetic defect and its exact mask.

    Patches are crops of scikit-image's brick photo (:data:`POOL`, :data:`STRETCH`), flipped left-right at
    random; train and test crop disjoint rows of it (:data:`BANDS`), so held-out patches are new texture.

    Defects (``labels``: their index in :data:`DEFECT_KINDS`, balanced; ``masks``: the changed pixels):

    * scratch: a straight anti-aliased line, 10-24 pixels long, 1-2 wide, 0.5-0.8 brighter or darker;
    * hole: a near-black disc (-1 to -0.85) of radius 2-4 pixels with a soft edge;
    * stain: a Gaussian blob of standard deviation 2-4 pixels, 0.3-0.6 brighter or darker at its peak.

    Args:
        split: ``"train"`` (every patch normal: ``anomaly_share`` is ignored) or ``"test"``.
        n: the number of patches.
        seed: seed of the draws (a ``torch.Generator`` of its own); None: 0 for train, 1 for test.
        anomaly_share: in [0, 1): the share of test patches with a defect, exactly ``round(n * share)``,
            at random positions.

    Returns:
        An :class:`AnomalySet` with ``masks``; the same arguments give bit-identical tensors.
    """
    return _texture_draw(split, n, seed, anomaly_share)[0]
