"""Captions for handwritten digits, offline: a short sentence per image, built from its label and three
properties measured on its pixels.

    rule = captions.CaptionRule.fit(train.images, train.labels)   # terciles of the training digits
    rule.captions(train.images, train.labels)[:2]   # ['a thick seven slanting right, small', 'a zero']

The properties (each a plain function of images (N, 1, H, W) in [-1, 1], ink bright):

* :func:`stroke_width`: the ink mass over half the outline's length, in pixels (a stroke of width w and
  length L has mass w L and an outline of about 2 L);
* :func:`slant`: the lean of the ink from its second moments, in degrees, positive when the top leans right;
* :func:`size`: the area of the ink's bounding box, in pixels.

A :class:`CaptionRule` turns each property into a word: the lower third of the training digits gets one word
(``thin``, ``upright``, ``small``), the upper third another (``thick``, ``slanting right``, ``large``),
the middle third none. Size is compared among digits of the same class (a one is narrow, a zero is not).
:func:`encode` turns captions into padded token ids for a text encoder (:data:`VOCABULARY`);
:meth:`CaptionRule.agreement` measures, word by word, how often generated images show what their
captions asked for.

Taught in: lesson 10
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import torch
from torch import Tensor

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
PROPERTIES = ("thickness", "slant", "size")
# MNIST's digits lean right (median slant about 8 degrees): the lower third of them stands upright or leans left.
WORDS = {"thickness": ("thin", "thick"), "slant": ("upright", "slanting right"), "size": ("small", "large")}
VOCABULARY = ("<pad>", "a", "thin", "thick", *DIGIT_WORDS, "upright", "slanting", "right", "small", "large")
MAX_WORDS = 7  # "a thick seven slanting right small": the longest caption, in tokens
INK_THRESHOLD = 0.5  # ink in [0, 1] above which a pixel counts as part of the digit


def _ink(images: Tensor) -> Tensor:
    """Ink in [0, 1], (N, H, W), from images (N, 1, H, W) in [-1, 1]."""
    if not isinstance(images, Tensor) or images.dim() != 4 or images.shape[1] != 1:
        shape = tuple(images.shape) if isinstance(images, Tensor) else type(images).__name__
        raise ValueError(f"expected images of shape (N, 1, H, W) in [-1, 1], got {shape}")
    if not torch.isfinite(images).all() or images.min() < -1 - 1e-3 or images.max() > 1 + 1e-3:
        raise ValueError("images must be finite and scaled to [-1, 1] (background -1, ink up to +1)")
    return ((images[:, 0].float() + 1) / 2).clamp(0, 1)


def ink_mass(images: Tensor) -> Tensor:
    """The total ink of each image, (N,): the number of fully inked pixels it is worth."""
    return _ink(images).sum((1, 2))


def _outline(mask: Tensor) -> Tensor:
    """The number of pixel edges between ink and background (the image border counts as background), (N,)."""
    padded = torch.nn.functional.pad(mask.float(), (1, 1, 1, 1))
    across = (padded[:, :, 1:] != padded[:, :, :-1]).sum((1, 2))   # vertical edges, between columns
    down = (padded[:, 1:, :] != padded[:, :-1, :]).sum((1, 2))     # horizontal edges, between rows
    return (across + down).float()


def stroke_width(images: Tensor) -> Tensor:
    """The mean width of the strokes in pixels, (N,): ink mass / (outline / 2); 0 for an empty image."""
    ink = _ink(images)
    outline = _outline(ink > INK_THRESHOLD)
    return torch.where(outline > 0, 2 * ink.sum((1, 2)) / outline.clamp(min=1), torch.zeros_like(outline))


def slant(images: Tensor) -> Tensor:
    """The lean of the ink in degrees, (N,): atan(-mu11 / mu02) from the ink-weighted central moments
    (rows grow downwards, so a top leaning right has mu11 < 0); 0 for an empty image."""
    ink = _ink(images)
    n, height, width = ink.shape
    rows = torch.arange(height, dtype=ink.dtype)[None, :, None]
    cols = torch.arange(width, dtype=ink.dtype)[None, None, :]
    mass = ink.sum((1, 2)).clamp(min=1e-8)
    row_mean = (ink * rows).sum((1, 2)) / mass
    col_mean = (ink * cols).sum((1, 2)) / mass
    dr, dc = rows - row_mean[:, None, None], cols - col_mean[:, None, None]
    mu11 = (ink * dr * dc).sum((1, 2)) / mass
    mu02 = (ink * dr * dr).sum((1, 2)) / mass
    angle = torch.rad2deg(torch.atan2(-mu11, mu02.clamp(min=1e-8)))
    return torch.where(ink.sum((1, 2)) > 0, angle, torch.zeros_like(angle))


def size(images: Tensor) -> Tensor:
    """The area in pixels of the bounding box of the inked pixels (ink > 0.5), (N,); 0 for an empty image."""
    mask = _ink(images) > INK_THRESHOLD
    rows, cols = mask.any(2), mask.any(1)  # (N, H), (N, W)

    def extent(hit: Tensor) -> Tensor:
        index = torch.arange(hit.shape[1])
        first = torch.where(hit, index, hit.shape[1]).min(1).values
        last = torch.where(hit, index, -1).max(1).values
        return (last - first + 1).clamp(min=0)

    return (extent(rows) * extent(cols)).float()


def measure(images: Tensor) -> dict[str, Tensor]:
    """The three properties of every image: ``{"thickness": ..., "slant": ..., "size": ...}``, each (N,)."""
    return {"thickness": stroke_width(images), "slant": slant(images), "size": size(images)}


def _check_labels(labels: Tensor, n: int) -> Tensor:
    labels = torch.as_tensor(labels)
    well_formed = labels.shape == (n,) and labels.dtype in (torch.int64, torch.int32)
    if not well_formed or (n > 0 and (labels.min() < 0 or labels.max() > 9)):
        raise ValueError(f"labels must be {n} integer digits 0-9, one per image, got {tuple(labels.shape)} "
                         f"{labels.dtype}")
    return labels.long()


@dataclass(frozen=True)
class CaptionRule:
    """Where each property's words begin: the terciles of a set of digits.

    ``cuts[name]`` is a (low, high) pair for thickness and slant, and one pair per class, (10, 2), for size:
    a value below ``low`` gets the property's first word, one above ``high`` its second, one in between none.
    """

    cuts: dict

    @classmethod
    def fit(cls, images: Tensor, labels: Tensor) -> "CaptionRule":
        """The terciles of ``images`` (N, 1, 28, 28) with their ``labels``: each word names a third of them."""
        labels = _check_labels(labels, len(images))
        if sorted(set(labels.tolist())) != list(range(10)):
            raise ValueError("fit needs digits of all ten classes (size is compared within each class)")
        values = measure(images)
        thirds = torch.tensor([1 / 3, 2 / 3])
        cuts = {name: torch.quantile(values[name], thirds).tolist() for name in ("thickness", "slant")}
        cuts["size"] = [torch.quantile(values["size"][labels == digit], thirds).tolist() for digit in range(10)]
        return cls(cuts)

    def levels(self, images: Tensor, labels: Tensor) -> dict[str, Tensor]:
        """Each property as -1 (first word), 0 (no word) or +1 (second word), (N,) per property."""
        labels = _check_labels(labels, len(images))
        values = measure(images)
        out = {}
        for name in PROPERTIES:
            low, high = (torch.tensor(self.cuts[name]).T[:, labels] if name == "size"
                         else torch.tensor(self.cuts[name])[:, None].expand(2, len(labels)))
            out[name] = (values[name] > high).long() - (values[name] < low).long()
        return out

    def captions(self, images: Tensor, labels: Tensor) -> list[str]:
        """One caption per image, from its label and its measured properties."""
        levels = self.levels(images, labels)
        return [caption(int(label), {name: int(levels[name][i]) for name in PROPERTIES})
                for i, label in enumerate(_check_labels(labels, len(images)).tolist())]

    def agreement(self, captions: list[str], images: Tensor) -> dict[str, float]:
        """Word by word, the share of ``images`` whose measured property matches the word of the caption it was
        generated from: ``{"thick": 0.8, ...}`` over the images whose caption has that word (about a third
        would match by chance). The digit words are the judge's to check (class accuracy), not this rule's."""
        parsed = [parse(text) for text in captions]
        if len(parsed) != len(images):
            raise ValueError(f"need one caption per image, got {len(parsed)} captions for {len(images)} images")
        labels = torch.tensor([label for label, _ in parsed])
        measured = self.levels(images, labels)
        out = {}
        for name in PROPERTIES:
            asked = torch.tensor([levels[name] for _, levels in parsed])
            for level, word in zip((-1, 1), WORDS[name]):
                chosen = asked == level
                if chosen.any():
                    out[word] = (measured[name][chosen] == level).double().mean().item()
        return out


def caption(label: int, levels: dict[str, int]) -> str:
    """The sentence for a digit: ``caption(7, {"thickness": 1, "slant": 1, "size": -1})`` is
    ``"a thick seven slanting right, small"``; a level of 0 leaves its word out."""
    if label not in range(10) or set(levels) != set(PROPERTIES) or not set(levels.values()) <= {-1, 0, 1}:
        raise ValueError(f"expected a digit 0-9 and levels -1, 0 or 1 for {PROPERTIES}, got {label!r}, {levels!r}")

    def word(name: str) -> str | None:
        return None if levels[name] == 0 else WORDS[name][(levels[name] + 1) // 2]

    text = " ".join(w for w in ("a", word("thickness"), DIGIT_WORDS[label], word("slant")) if w)
    return text + (f", {word('size')}" if word("size") else "")


def parse(text: str) -> tuple[int, dict[str, int]]:
    """The label and levels of a caption (the inverse of :func:`caption`)."""
    tokens = _tokens(text)
    digits = [DIGIT_WORDS.index(t) for t in tokens if t in DIGIT_WORDS]
    if len(digits) != 1:
        raise ValueError(f"a caption names exactly one digit ({', '.join(DIGIT_WORDS)}), got {text!r}")
    levels = {name: 0 for name in PROPERTIES}
    for name, (first, second) in WORDS.items():
        if second.split()[-1] in tokens:
            levels[name] = 1
        elif first.split()[-1] in tokens:
            levels[name] = -1
    return digits[0], levels


def _tokens(text: str) -> list[str]:
    if not isinstance(text, str):
        raise ValueError(f"a caption must be a string, got {type(text).__name__}")
    tokens = re.findall(r"[a-z]+", text.lower())
    unknown = sorted(set(tokens) - set(VOCABULARY))
    if unknown:
        raise ValueError(f"unknown word(s) {unknown} in {text!r}; the vocabulary is {list(VOCABULARY[1:])}")
    return tokens


def encode(captions: list[str], length: int = MAX_WORDS) -> Tensor:
    """Token ids (N, ``length``) of the captions' words in :data:`VOCABULARY`, padded with 0 (``<pad>``)."""
    if isinstance(captions, str):
        raise ValueError("expected a list of captions, got one string")
    ids = torch.zeros(len(captions), length, dtype=torch.long)
    for i, text in enumerate(captions):
        tokens = _tokens(text)
        if len(tokens) > length:
            raise ValueError(f"caption {text!r} has {len(tokens)} words, more than length={length}")
        ids[i, :len(tokens)] = torch.tensor([VOCABULARY.index(t) for t in tokens], dtype=torch.long)
    return ids


def decode(ids: Tensor) -> list[str]:
    """The words of token ids (N, L), padding dropped (without the caption's comma)."""
    return [" ".join(VOCABULARY[i] for i in row.tolist() if i) for row in ids]


__all__ = ["DIGIT_WORDS", "PROPERTIES", "WORDS", "VOCABULARY", "MAX_WORDS", "ink_mass", "stroke_width", "slant",
           "size", "measure", "CaptionRule", "caption", "parse", "encode", "decode"]
