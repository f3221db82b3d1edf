"""Where and how big: the compute device, seeding, and the run profiles.

A *profile* says how much compute a notebook may spend:

========  =====================================  ==============================
profile   used by                                budget
========  =====================================  ==============================
smoke     tests and CI                           <= 30 s a notebook, 2 CPU cores
cpu       a laptop without a GPU                 <= 10 min a notebook, 2 cores
gpu       Colab or any CUDA machine              full training
========  =====================================  ==============================

``profile("auto")`` is ``gpu`` when CUDA is available and ``cpu`` otherwise;
the environment variable ``GAN_COURSE_PROFILE`` overrides ``auto`` (the tests
set it to ``smoke``). A notebook derives its sizes with ``Profile.pick``::

    P = gan_course.profile(PROFILE)
    STEPS = P.pick(smoke=100, cpu=3_000, gpu=20_000)

Taught in: lesson 00 (profiles and devices); every lesson starts with it.
"""

from __future__ import annotations

import contextlib
import os
import platform
import random
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import threadpoolctl
import torch

#: GitHub ``owner/name`` of the course, written only here: ``make sync`` writes every notebook's Colab
#: badge and Colab install cell from it; ``make set-repo SLUG=owner/name`` changes it (after a fork).
REPO_SLUG = "gan-course/gan-course"

#: Root of the repository checkout (``data/``, ``build/`` and ``notebooks/`` live here). For a package
#: installed with pip (Colab) it is the ``site-packages`` folder, which nothing may write into.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: True when the package runs from a checkout of the repository (an editable install or ``sys.path``).
IN_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "notebooks").is_dir()

CACHE_ENV = "GAN_COURSE_CACHE"


def cache_dir() -> Path:
    """Where generated data, downloads and trained checkpoints go (created on first write).

    ``GAN_COURSE_CACHE`` when set; else ``data/cache/`` in a checkout (git-ignored); else, for a pip
    install, the user's cache folder: ``$XDG_CACHE_HOME/gan_course`` (``~/.cache/gan_course``), on
    Windows ``%LOCALAPPDATA%\\gan_course``. Never the installed package's folder.
    """
    if os.environ.get(CACHE_ENV, "").strip():
        return Path(os.environ[CACHE_ENV].strip()).expanduser()
    if IN_CHECKOUT:
        return PROJECT_ROOT / "data" / "cache"
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "gan_course"
    return Path(os.environ.get("XDG_CACHE_HOME", "").strip() or Path.home() / ".cache") / "gan_course"


PROFILE_ENV = "GAN_COURSE_PROFILE"

PROFILE_BUDGETS = {
    "smoke": "tests and CI: <= 30 s a notebook on 2 CPU cores, every code path exercised",
    "cpu": "a laptop without a GPU: <= 10 min a notebook on 2 CPU cores, meaningful results",
    "gpu": "Colab or a CUDA machine: full training with paper-like settings",
}
PROFILES = tuple(PROFILE_BUDGETS)


@dataclass(frozen=True)
class Profile:
    """A resolved run profile.

    Attributes:
        name: ``"smoke"``, ``"cpu"`` or ``"gpu"``.
        requested: what the caller asked for (``"auto"`` or one of the names).
    """

    name: str
    requested: str

    @property
    def budget(self) -> str:
        return PROFILE_BUDGETS[self.name]

    def pick(self, *, smoke, cpu, gpu):
        """Return the value given for this profile, e.g. ``P.pick(smoke=50, cpu=2000, gpu=20000)``."""
        return {"smoke": smoke, "cpu": cpu, "gpu": gpu}[self.name]

    def __str__(self) -> str:
        how = "" if self.requested == self.name else f" (from {self.requested!r})"
        return f"profile {self.name!r}{how}: {self.budget}"


def profile(name: str = "auto") -> Profile:
    """Resolve a profile name.

    Args:
        name: ``"auto"``, ``"smoke"``, ``"cpu"`` or ``"gpu"``. ``"auto"`` reads
            ``GAN_COURSE_PROFILE`` if set, else picks ``gpu`` when CUDA is
            available and ``cpu`` otherwise.

    Returns:
        The resolved :class:`Profile`.

    Raises:
        ValueError: for an unknown name (here or in ``GAN_COURSE_PROFILE``).
    """
    accepted = ("auto",) + PROFILES
    if not isinstance(name, str) or name not in accepted:
        raise ValueError(f"unknown profile {name!r}; expected one of {accepted}")
    if name != "auto":
        return Profile(name, name)
    from_env = os.environ.get(PROFILE_ENV, "").strip()
    if from_env:
        if from_env not in PROFILES:
            raise ValueError(
                f"{PROFILE_ENV}={from_env!r} is not a profile; expected one of {PROFILES}"
            )
        return Profile(from_env, "auto")
    return Profile("gpu" if torch.cuda.is_available() else "cpu", "auto")


def device() -> torch.device:
    """The best available device: CUDA, then Apple's MPS, then the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python's, NumPy's and torch's (CPU and CUDA) random number generators.

    Args:
        seed: a non-negative integer.

    Returns:
        A fresh CPU ``torch.Generator`` seeded with ``seed``, for code that wants
        its own stream.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # also seeds every CUDA device
    return torch.Generator().manual_seed(seed)


def limit_threads(n: int = 1, torch_ops: bool = True) -> None:
    """Run NumPy's linear algebra (BLAS), and torch's CPU ops unless ``torch_ops`` is false, on ``n`` threads.

    Small models and 256 x 256 matrices gain nothing from more threads, and on a busy 2-core machine
    threads that wait for each other make them many times slower. Lasts for the rest of the process.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer number of threads, got {n!r}")
    threadpoolctl.threadpool_limits(limits=n, user_api="blas")
    if torch_ops:
        torch.set_num_threads(n)


@contextlib.contextmanager
def torch_threads(n: int = 1) -> Iterator[None]:
    """Run torch's CPU ops on ``n`` threads inside the ``with`` block; the previous number comes back after it.

    For tiny models (lesson 00's MLPs, the exercise checks' cases): on a core another process also uses,
    threads that wait for each other made 2,000 steps of lesson 00's GAN take 98 s instead of 9 s.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer number of threads, got {n!r}")
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def in_colab() -> bool:
    """True when running inside Google Colab."""
    return "google.colab" in sys.modules


def cpu_name() -> str:
    """The CPU's model name (from ``/proc/cpuinfo`` on Linux), else what :mod:`platform` knows."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        return next(line.split(":", 1)[1].strip() for line in lines if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


#: Environment variables that cap the vector instructions torch's kernels use (oneDNN, ATen, MKL);
#: ``ONEDNN_MAX_CPU_ISA=AVX2`` and its companions make a newer CPU behave like an AVX2-only laptop's.
ISA_LIMITS = ("ONEDNN_MAX_CPU_ISA", "ATEN_CPU_CAPABILITY", "MKL_ENABLE_INSTRUCTIONS")


#: The caps that make torch use only what an AVX2-only laptop CPU has (no AVX-512, no native bfloat16).
AVX2_ONLY = {"ONEDNN_MAX_CPU_ISA": "AVX2", "ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"}


def cpu_isa() -> str:
    """The vector instructions torch's CPU kernels use, e.g. ``"AVX512"`` or ``"AVX2"``, with any cap set by
    :data:`ISA_LIMITS` (``"AVX512 (ONEDNN_MAX_CPU_ISA=AVX2)"``)."""
    limits = [f"{name}={os.environ[name]}" for name in ISA_LIMITS if os.environ.get(name)]
    capability = torch.backends.cpu.get_cpu_capability()
    return f"{capability} ({', '.join(limits)})" if limits else capability


def write_text_atomically(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` so that a reader sees the old file or the new one, never half of one;
    each writer has its own temporary file, so concurrent writers cannot corrupt it (the last one wins)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def describe_machine() -> str:
    """One line saying which torch and which accelerator this kernel sees."""
    dev = device()
    if dev.type == "cuda":
        what = f"CUDA GPU {torch.cuda.get_device_name(0)}"
    elif dev.type == "mps":
        what = "Apple GPU (MPS)"
    else:
        what = f"CPU ({os.cpu_count()} logical cores, {torch.get_num_threads()} torch threads)"
    return f"torch {torch.__version__} on {what}"
