"""The GAN variants of the mode-collapse benchmark, each as one configuration.

Lesson 04 and ``benchmarks/toy_modes.py`` train the same methods on the ring of 8
and the grid of 25 Gaussians (:mod:`gan_course.data`) and score them with the
VEEGAN/PacGAN protocol (:func:`gan_course.metrics.mode_coverage` on 2,500 samples):

* ``gan``: the non-saturating GAN (Goodfellow et al. 2014);
* ``wgan``: WGAN with weight clipping and the paper's defaults (Arjovsky et al. 2017:
  RMSProp, lr 5e-5, c = 0.01, n_critic = 5, batch 64);
* ``wgan-gp``: WGAN with a gradient penalty (Gulrajani et al. 2017: lambda = 10,
  Adam lr 1e-4, betas (0, 0.9), n_critic = 5);
* ``sngan``: a spectrally normalised D with the non-saturating loss (Miyato et al. 2018);
* ``gan-anneal``: the non-saturating GAN with a 20x larger learning rate that decays
  linearly to 0 over the second half of training (standard practice, nothing new):
  the large early steps find the modes, the small late ones settle every sample on
  one -- the grid's modes are only 0.05 wide, 2 apart.

A method is a frozen :class:`ToyGAN` whose settings come from its paper; the networks and
training steps live in the papers' modules (:mod:`gan_course.models.gan`, ``wgan``, ``pacgan``).
:func:`fit_toy_gan` builds a method's G, D and step, trains them with the course loop
(:func:`gan_course.train.train`) and :func:`evaluate` scores G. ``ToyGAN.pack`` turns any method
into its PacGAN variant, e.g. ``METHODS["gan"].replace(pack=2)``.

Taught in: lessons 03 and 04; ``benchmarks/toy_modes.py`` runs the full benchmark.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

import torch
from torch import nn

from . import metrics, train
from .data import GaussianMixture
from .models.gan import GANStep, MLPDiscriminator, MLPGenerator
from .models.pacgan import PackedDiscriminator
from .models.wgan import WGANStep

N_EVAL = 2500  # samples per evaluation in VEEGAN's and PacGAN's protocol

# Published rows (Table 1 of VEEGAN, Srivastava et al. 2017, and of PacGAN, Lin et al. 2018):
# (modes captured, high-quality %) on the ring of 8 and the grid of 25.
PUBLISHED: list[tuple[str, dict[str, tuple[float, float]]]] = [
    ("GAN (VEEGAN Table 1)", {"ring": (1.0, 99.3), "grid": (3.3, 0.5)}),
    ("VEEGAN (VEEGAN Table 1)", {"ring": (8.0, 52.9), "grid": (24.6, 40.0)}),
    ("GAN (PacGAN Table 1)", {"ring": (6.3, 98.2), "grid": (17.3, 94.8)}),
    ("PacGAN2 (PacGAN Table 1)", {"ring": (7.9, 95.6), "grid": (23.8, 91.3)}),
    ("PacGAN4 (PacGAN Table 1)", {"ring": (7.8, 95.9), "grid": (24.8, 93.6)}),
]
# Generator steps per profile, data set and method for the benchmark (and lesson 04's small version of
# it). The baselines get what the cpu budget allows (WGAN and WGAN-GP make five critic updates per
# step); "gan-anneal" gets the steps its learning-rate schedule needs to settle every sample on a mode.
STEPS: dict[str, dict[str, dict[str, int]]] = {
    "smoke": {"ring": {}, "grid": {}},
    "cpu": {
        "ring": {"gan": 4000, "wgan": 4000, "wgan-gp": 1500, "sngan": 4000, "gan-anneal": 8000},
        "grid": {"gan": 4000, "wgan": 4000, "wgan-gp": 1500, "sngan": 4000, "gan-anneal": 20000},
    },
    "gpu": {
        "ring": {"gan": 20000, "wgan": 20000, "wgan-gp": 20000, "sngan": 20000, "gan-anneal": 20000},
        "grid": {"gan": 20000, "wgan": 20000, "wgan-gp": 20000, "sngan": 20000, "gan-anneal": 30000},
    },
}
SMOKE_STEPS = 20  # every method, every data set, in the smoke profile


def steps_for(profile: str, data_name: str, method: str) -> int:
    """Generator steps of ``method`` on ``data_name`` ("ring" or "grid") in ``profile``, from :data:`STEPS`."""
    if profile not in STEPS or data_name not in STEPS[profile]:
        raise ValueError(f"expected a profile in {list(STEPS)} and data 'ring' or 'grid', got {profile!r}, {data_name!r}")
    return STEPS[profile][data_name].get(method, SMOKE_STEPS)


# The course's target for its best method: every mode and >= 95% high quality, better than every row above.
TARGET: dict[str, tuple[float, float]] = {"ring": (8.0, 95.0), "grid": (24.8, 95.0)}


@dataclass(frozen=True)
class ToyGAN:
    """One method of the benchmark: losses, optimiser, constraint on D, sizes.

    ``steps`` are always generator steps; a method with ``n_critic = 5`` makes five D
    updates per G update.
    """

    name: str                       # short label for tables
    loss: str = "nonsaturating"     # "nonsaturating" (D gives logits) or "wasserstein" (a critic)
    optimizer: str = "adam"         # "adam" or "rmsprop" (WGAN's choice: no momentum)
    lr: float = 1e-4                # learning rate of G and D
    betas: tuple[float, float] = (0.5, 0.999)  # Adam's (beta1, beta2)
    n_critic: int = 1               # D updates per G update
    clip: float | None = None       # WGAN weight clipping bound c
    gp_weight: float | None = None  # WGAN-GP penalty lambda
    d_norm: str | None = None       # MLPDiscriminator's norm: None, "spectral", ...
    batch_size: int = 256           # samples per batch (real and fake alike)
    z_dim: int = 2                  # dimension of z ~ N(0, I)
    g_hidden: int = 128             # width of G's hidden layers
    g_depth: int = 3                # number of G's hidden layers
    d_hidden: int = 128             # width of D's hidden layers
    d_depth: int = 3                # number of D's hidden layers
    decay_from: float = 1.0         # the lr decays linearly to 0 from this fraction of the steps (1: constant)
    pack: int = 1                   # PacGAN: D judges packs of this many samples jointly (1: plain D)
    reference: str = ""             # where the settings come from

    def replace(self, **changes) -> "ToyGAN":
        """A copy with some fields changed, e.g. ``METHODS["gan"].replace(lr=2e-4)``."""
        return dataclasses.replace(self, **changes)


METHODS: dict[str, ToyGAN] = {
    m.name: m
    for m in (
        ToyGAN("gan", reference="Goodfellow et al. 2014, non-saturating loss; Adam 1e-4, beta1 0.5"),
        ToyGAN("wgan", loss="wasserstein", optimizer="rmsprop", lr=5e-5, n_critic=5, clip=0.01, batch_size=64,
               reference="Arjovsky et al. 2017, Algorithm 1 defaults"),
        ToyGAN("wgan-gp", loss="wasserstein", lr=1e-4, betas=(0.0, 0.9), n_critic=5, gp_weight=10.0,
               reference="Gulrajani et al. 2017, Algorithm 1 defaults"),
        ToyGAN("sngan", lr=2e-4, d_norm="spectral",
               reference="Miyato et al. 2018, spectral norm in D, non-saturating loss, Adam 2e-4, beta1 0.5"),
        ToyGAN("gan-anneal", lr=2e-3, decay_from=0.5,
               reference="non-saturating GAN, Adam 2e-3 decaying linearly to 0 over the second half"),
    )
}


def build(method: ToyGAN, data_dim: int = 2, device="cpu") -> tuple[MLPGenerator, nn.Module]:
    """G and D of ``method`` for ``data_dim``-dimensional data, on ``device``."""
    G = MLPGenerator(z_dim=method.z_dim, data_dim=data_dim, hidden=method.g_hidden, depth=method.g_depth)
    D = MLPDiscriminator(data_dim=data_dim * method.pack, hidden=method.d_hidden, depth=method.d_depth,
                         norm=method.d_norm)
    if method.pack > 1:
        D = PackedDiscriminator(D, method.pack)
    return G.to(device), D.to(device)


def lr_scale(step: int, steps: int, decay_from: float) -> float:
    """The learning-rate factor for the updates after generator step ``step`` of ``steps``.

    1 until ``decay_from * steps``, then falling linearly to 0 at the last step: the
    large early steps find the modes, the small late ones settle G onto them.
    """
    start = int(decay_from * steps)
    return min(1.0, max(0.0, (steps - step) / max(1, steps - start)))


def _optimizer(method: ToyGAN, params) -> torch.optim.Optimizer:
    if method.optimizer == "adam":
        return torch.optim.Adam(params, lr=method.lr, betas=method.betas)
    if method.optimizer == "rmsprop":
        return torch.optim.RMSprop(params, lr=method.lr)
    raise ValueError(f"unknown optimizer {method.optimizer!r}; expected 'adam' or 'rmsprop'")


def fit_toy_gan(
    method: ToyGAN | str,
    dist: GaussianMixture,
    steps: int,
    seed: int = 0,
    device="cpu",
    progress: bool = False,
    callbacks=(),
) -> tuple[nn.Module, nn.Module, train.History]:
    """Build ``method``'s G and D and train them on ``dist`` for ``steps`` generator steps.

    Args:
        method: a :class:`ToyGAN` or the name of one in :data:`METHODS`.
        dist: the data, e.g. ``data.grid_of_gaussians()``.
        steps: generator steps.
        seed: seeds the weights, the noise and the data stream.
        device: where to train.
        progress: show the loop's progress bar.
        callbacks: extra callbacks for :func:`gan_course.train.train` (e.g. a meter), called after
            the method's own learning-rate schedule.

    Returns:
        G (in eval mode), D and the run's :class:`gan_course.train.History`.
    """
    if isinstance(method, str):
        if method not in METHODS:
            raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
        method = METHODS[method]
    torch.manual_seed(seed)
    G, D = build(method, dist.dim, device)
    d_opt, g_opt = _optimizer(method, D.parameters()), _optimizer(method, G.parameters())
    if method.loss == "wasserstein":
        step = WGANStep(G, D, d_opt, g_opt, clip=method.clip, gp_weight=method.gp_weight, n_critic=method.n_critic)
    elif method.loss == "nonsaturating":
        step = GANStep(G, D, d_opt, g_opt, n_critic=method.n_critic)
    else:
        raise ValueError(f"unknown loss {method.loss!r}; expected 'nonsaturating' or 'wasserstein'")

    schedule = []
    if method.decay_from < 1.0:

        def anneal(state: train.TrainState) -> None:
            for opt in (d_opt, g_opt):
                for group in opt.param_groups:
                    group["lr"] = method.lr * lr_scale(state.step, state.steps, method.decay_from)

        schedule.append(anneal)

    history = train.train(step, dist.batches(method.batch_size, seed=seed, device=device), steps,
                          callbacks=schedule + list(callbacks), progress=progress, log_every=0)
    return G.eval(), D, history


def train_toy_gan(method: ToyGAN | str, dist: GaussianMixture, steps: int, seed: int = 0, device="cpu",
                  progress: bool = False) -> nn.Module:
    """Train ``method`` on ``dist`` for ``steps`` generator steps and return G (in eval mode); see :func:`fit_toy_gan`."""
    G, _, _ = fit_toy_gan(method, dist, steps, seed=seed, device=device, progress=progress)
    return G


def evaluate(G: nn.Module, dist: GaussianMixture, n: int = N_EVAL, seed: int = 0) -> metrics.ModeCoverage:
    """Score G with the VEEGAN/PacGAN protocol: ``n`` samples -> :func:`metrics.mode_coverage`."""
    device = next(G.parameters()).device
    generator = torch.Generator().manual_seed(seed)
    z = torch.randn(n, G.z_dim, generator=generator).to(device)  # (n, z_dim)
    with torch.no_grad():
        samples = G(z).cpu()  # (n, d)
    return metrics.mode_coverage(samples, dist.centers, dist.std)


# --------------------------------------------------------------------------- tables over seeds


def mean_se(values) -> tuple[float, float]:
    """Mean and standard error of the mean (0 for a single value; inf when any value is inf)."""
    x = np.asarray(values, dtype=float)
    if not np.isfinite(x).all():
        return float("inf"), float("nan")
    se = x.std(ddof=1) / math.sqrt(len(x)) if len(x) > 1 else 0.0
    return float(x.mean()), float(se)


def summarize(runs: list[dict]) -> list[dict]:
    """One row per (data, method) from per-seed runs (dicts with method, data, steps, modes, hq_percent,
    reverse_kl, seconds): means ± standard errors, in the order the pairs first appear."""
    keys = list(dict.fromkeys((r["data"], r["method"]) for r in runs))
    rows = []
    for data_name, method in keys:
        group = [r for r in runs if (r["data"], r["method"]) == (data_name, method)]
        rows.append(dict(method=method, data=data_name, steps=group[0]["steps"], seeds=len(group),
                         modes=mean_se([r["modes"] for r in group]),
                         hq_percent=mean_se([r["hq_percent"] for r in group]),
                         reverse_kl=mean_se([r["reverse_kl"] for r in group]),
                         seconds=float(np.mean([r["seconds"] for r in group]))))
    return rows


def _fmt(mean: float, se: float, digits: int = 1) -> str:
    return f"{mean:.{digits}f} ± {se:.{digits}f}" if math.isfinite(mean) else "inf"


def format_table(rows: list[dict]) -> str:
    """The benchmark's table: our rows (from :func:`summarize`) and the published ones, per data set."""
    lines = [f"{'method':<26}{'data':<6}{'G steps':>8}{'modes':>15}{'high quality %':>17}{'reverse KL':>16}"
             f"{'s / run':>9}"]
    for data_name in dict.fromkeys(r["data"] for r in rows):
        for row in (r for r in rows if r["data"] == data_name):
            lines.append(f"{row['method']:<26}{data_name:<6}{row['steps']:>8}{_fmt(*row['modes']):>15}"
                         f"{_fmt(*row['hq_percent']):>17}{_fmt(*row['reverse_kl'], digits=3):>16}"
                         f"{row['seconds']:>9.1f}")
        for name, numbers in PUBLISHED:
            modes, hq = numbers[data_name]
            lines.append(f"{name:<26}{data_name:<6}{'':>8}{modes:>15.1f}{hq:>17.1f}{'—':>16}{'':>9}")
    return "\n".join(lines)


def target_verdicts(rows: list[dict]) -> dict[str, dict]:
    """Per data set: the best row (most modes, then high quality) and whether it meets :data:`TARGET`."""
    verdicts = {}
    for data_name in dict.fromkeys(r["data"] for r in rows):
        best = max((r for r in rows if r["data"] == data_name), key=lambda r: (r["modes"][0], r["hq_percent"][0]))
        modes, hq = TARGET[data_name]
        verdicts[data_name] = dict(method=best["method"], modes=best["modes"][0], hq_percent=best["hq_percent"][0],
                                   met=best["modes"][0] >= modes and best["hq_percent"][0] >= hq,
                                   modes_short=max(0.0, modes - best["modes"][0]),
                                   hq_short=max(0.0, hq - best["hq_percent"][0]))
    return verdicts
