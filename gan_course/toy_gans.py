"""The GAN variants of the mode-collapse benchmark, each as one configuration, and the benchmark's protocol.

Lesson 05 and ``benchmarks/toy_modes.py`` train the same methods on the ring of 8 and the
grid of 25 Gaussians (:mod:`gan_course.data`) and score them with the VEEGAN/PacGAN protocol
(:func:`gan_course.metrics.mode_coverage` on 2,500 samples):

* ``gan``: the non-saturating GAN (Goodfellow et al. 2014);
* ``gan-anneal``: the same GAN with a learning rate that decays linearly to 0 over the second
  half of training (standard practice, nothing new): large early steps find the modes, small
  late ones settle the samples on them;
* ``wgan``: WGAN with weight clipping (Arjovsky et al. 2017: RMSProp, c = 0.01, n_critic = 5, batch 64);
* ``wgan-gp``: WGAN with a gradient penalty (Gulrajani et al. 2017: lambda = 10, Adam betas (0, 0.9),
  n_critic = 5);
* ``sngan``: a spectrally normalised D with the non-saturating loss (Miyato et al. 2018);
* three tricks on the plain GAN: ``gan-smooth`` (one-sided label smoothing, Salimans et al. 2016),
  ``gan-mbstd`` (a minibatch standard deviation feature in D, Karras et al. 2018) and ``gan-fm``
  (feature matching, Salimans et al. 2016).

**A fair comparison.** Every method gets the same number of generator steps (:data:`BUDGET`;
a WGAN step still makes five critic updates: that is the method) and its own learning rate,
tuned by the same small sweep: :data:`LR_FACTORS` times the paper's rate on :data:`SWEEP_SEEDS`,
which are not the benchmark's seeds, best mean :func:`score`. :data:`TUNED_LR` keeps the winners
of the sweep that ``benchmarks/toy_modes.py`` ran for ``benchmarks/RESULTS.md``; :func:`tuned`
applies them.

A method is a frozen :class:`ToyGAN`; the networks and training steps live in the papers'
modules (:mod:`gan_course.models.gan`, ``wgan``, ``improved_gan``, ``pacgan``).
:func:`fit_toy_gan` builds and trains one, :func:`evaluate` scores its G. ``ToyGAN.pack`` turns
any method into its PacGAN variant, e.g. ``METHODS["gan"].replace(pack=2)``.

Taught in: lessons 03, 04 and 05; ``benchmarks/toy_modes.py`` runs the full benchmark.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import time
from dataclasses import dataclass

import numpy as np

import torch
from torch import nn

from . import losses, metrics, train
from .data import GaussianMixture
from .models.gan import GANStep, MLPDiscriminator, MLPGenerator
from .models.improved_gan import FeatureMatchingStep
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
# Generator steps per profile: the same for every method and both data sets, in lesson 05's small
# version and in benchmarks/toy_modes.py alike.
BUDGET: dict[str, int] = {"smoke": 20, "cpu": 4000, "gpu": 20000}
# The learning-rate sweep: these multiples of each method's paper rate, on SWEEP_SEEDS -- not the
# benchmark's seeds 0, 1, ..., so that picking the best rate does not flatter the benchmark's own runs.
LR_FACTORS: tuple[float, ...] = (1.0, 3.0, 10.0, 30.0)
SWEEP_SEEDS: tuple[int, ...] = (100, 101)


def steps_for(profile: str) -> int:
    """Generator steps of every method in ``profile`` (:data:`BUDGET`)."""
    if profile not in BUDGET:
        raise ValueError(f"expected a profile in {list(BUDGET)}, got {profile!r}")
    return BUDGET[profile]


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
    real_label: float = 1.0         # D's target for real samples (0.9: one-sided label smoothing)
    minibatch_std: bool = False     # D sees the batch's standard deviation before its last layer
    g_objective: str = "nonsaturating"  # or "feature_matching" (G matches the mean of D's features)
    reference: str = ""             # where the settings come from

    def replace(self, **changes) -> "ToyGAN":
        """A copy with some fields changed, e.g. ``METHODS["gan"].replace(lr=2e-4)``."""
        return dataclasses.replace(self, **changes)


METHODS: dict[str, ToyGAN] = {
    m.name: m
    for m in (
        ToyGAN("gan", reference="Goodfellow et al. 2014, non-saturating loss; Adam 1e-4, beta1 0.5"),
        ToyGAN("gan-anneal", decay_from=0.5,
               reference="the GAN, its learning rate decaying linearly to 0 over the second half"),
        ToyGAN("wgan", loss="wasserstein", optimizer="rmsprop", lr=5e-5, n_critic=5, clip=0.01, batch_size=64,
               reference="Arjovsky et al. 2017, Algorithm 1 defaults"),
        ToyGAN("wgan-gp", loss="wasserstein", lr=1e-4, betas=(0.0, 0.9), n_critic=5, gp_weight=10.0,
               reference="Gulrajani et al. 2017, Algorithm 1 defaults"),
        ToyGAN("sngan", lr=2e-4, d_norm="spectral",
               reference="Miyato et al. 2018, spectral norm in D, non-saturating loss, Adam 2e-4, beta1 0.5"),
        ToyGAN("gan-smooth", real_label=0.9,
               reference="the GAN with one-sided label smoothing (Salimans et al. 2016, Sec. 3.4): real target 0.9"),
        ToyGAN("gan-mbstd", minibatch_std=True,
               reference="the GAN, D with a minibatch standard deviation feature (Karras et al. 2018, Sec. 3)"),
        ToyGAN("gan-fm", g_objective="feature_matching",
               reference="the GAN, G by feature matching on D's last hidden layer (Salimans et al. 2016, Sec. 3.1)"),
    )
}


def build(method: ToyGAN, data_dim: int = 2, device="cpu") -> tuple[MLPGenerator, nn.Module]:
    """G and D of ``method`` for ``data_dim``-dimensional data, on ``device``."""
    G = MLPGenerator(z_dim=method.z_dim, data_dim=data_dim, hidden=method.g_hidden, depth=method.g_depth)
    D = MLPDiscriminator(data_dim=data_dim * method.pack, hidden=method.d_hidden, depth=method.d_depth,
                         norm=method.d_norm, minibatch_std=method.minibatch_std)
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
    # foreach: one kernel per operation over all of a network's tensors instead of a loop over them. Torch picks
    # it on CUDA only; on a CPU it gives the same weights to the bit and cut a ring run's time by 1.25x (a toy
    # network's step is mostly per-operation overhead).
    if method.optimizer == "adam":
        return torch.optim.Adam(params, lr=method.lr, betas=method.betas, foreach=True)
    if method.optimizer == "rmsprop":
        return torch.optim.RMSprop(params, lr=method.lr, foreach=True)
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
        d_loss = functools.partial(losses.smoothed_d_loss, real_label=method.real_label)
        if method.g_objective == "nonsaturating":
            step = GANStep(G, D, d_opt, g_opt, d_loss=d_loss, n_critic=method.n_critic)
        elif method.g_objective == "feature_matching":
            step = FeatureMatchingStep(G, D, d_opt, g_opt, d_loss=d_loss, n_critic=method.n_critic)
        else:
            raise ValueError(f"unknown g_objective {method.g_objective!r}; expected 'nonsaturating' or "
                             "'feature_matching'")
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


# --------------------------------------------------------------------------- the protocol: runs, sweep, tables


def score(cov: metrics.ModeCoverage) -> float:
    """One number per run for the sweep: the share of modes captured times the share of high-quality
    samples (1 for a G that hits every mode and puts every sample on one; real data scores about 0.99)."""
    return cov.modes / cov.n_modes * cov.hq_fraction


# The sweep's winners, measured by `benchmarks/toy_modes.py --profile cpu --jobs 2` on 2026-11-30 (BUDGET["cpu"]
# steps, LR_FACTORS, SWEEP_SEEDS; the table is in benchmarks/RESULTS.md): data set -> method -> learning rate.
TUNED_LR: dict[str, dict[str, float]] = {
    "ring": {
        "gan": 0.001, "gan-anneal": 0.003, "wgan": 0.00015, "wgan-gp": 0.0001, "sngan": 0.0002, "gan-smooth": 0.001,
        "gan-mbstd": 0.003, "gan-fm": 0.0003,
    },
    "grid": {
        "gan": 0.001, "gan-anneal": 0.001, "wgan": 0.00015, "wgan-gp": 0.001, "sngan": 0.0002, "gan-smooth": 0.001,
        "gan-mbstd": 0.001, "gan-fm": 0.003,
    },
}


# The same run's mean scores: data set -> method -> {learning rate: mean score over SWEEP_SEEDS}, as printed.
SWEEP_SCORES: dict[str, dict[str, dict[float, float]]] = {
    "ring": {
        "gan": {0.0001: 0.46, 0.0003: 0.80, 0.001: 0.95, 0.003: 0.94},
        "gan-anneal": {0.0001: 0.41, 0.0003: 0.89, 0.001: 0.95, 0.003: 0.97},
        "wgan": {5e-05: 0.08, 0.00015: 0.15, 0.0005: 0.01, 0.0015: 0.00},
        "wgan-gp": {0.0001: 0.10, 0.0003: 0.00, 0.001: 0.00, 0.003: 0.00},
        "sngan": {0.0002: 0.02, 0.0006: 0.00, 0.002: 0.00, 0.006: 0.00},
        "gan-smooth": {0.0001: 0.57, 0.0003: 0.74, 0.001: 0.95, 0.003: 0.77},
        "gan-mbstd": {0.0001: 0.68, 0.0003: 0.88, 0.001: 0.92, 0.003: 0.94},
        "gan-fm": {0.0001: 0.36, 0.0003: 0.38, 0.001: 0.29, 0.003: 0.37},
    },
    "grid": {
        "gan": {0.0001: 0.01, 0.0003: 0.06, 0.001: 0.48, 0.003: 0.13},
        "gan-anneal": {0.0001: 0.01, 0.0003: 0.05, 0.001: 0.64, 0.003: 0.41},
        "wgan": {5e-05: 0.01, 0.00015: 0.01, 0.0005: 0.01, 0.0015: 0.01},
        "wgan-gp": {0.0001: 0.01, 0.0003: 0.01, 0.001: 0.07, 0.003: 0.01},
        "sngan": {0.0002: 0.05, 0.0006: 0.01, 0.002: 0.00, 0.006: 0.00},
        "gan-smooth": {0.0001: 0.04, 0.0003: 0.12, 0.001: 0.52, 0.003: 0.04},
        "gan-mbstd": {0.0001: 0.01, 0.0003: 0.10, 0.001: 0.43, 0.003: 0.21},
        "gan-fm": {0.0001: 0.01, 0.0003: 0.02, 0.001: 0.05, 0.003: 0.20},
    },
}


def format_sweep_scores(scores: dict[str, dict[str, dict[float, float]]] | None = None,
                        chosen: dict[str, dict[str, float]] | None = None) -> str:
    """Sweep scores (data set -> method -> {learning rate: mean score}; default :data:`SWEEP_SCORES`) as one
    line per data set and method, the chosen rate starred (default :data:`TUNED_LR`)."""
    scores, chosen = (SWEEP_SCORES if scores is None else scores), (TUNED_LR if chosen is None else chosen)
    lines = []
    for data_name, by_method in scores.items():
        for method, by_lr in by_method.items():
            cells = [f"{lr:.1e}: {score:.2f}{'*' if lr == chosen[data_name][method] else ' '}"
                     for lr, score in by_lr.items()]
            lines.append(f"{data_name:<5} {method:<11} " + "   ".join(cells))
    return "\n".join(lines)


def tuned(name: str, data_name: str) -> ToyGAN:
    """The method ``name`` at the learning rate the sweep picked for ``data_name`` (:data:`TUNED_LR`)."""
    if name not in METHODS:
        raise ValueError(f"unknown method {name!r}; expected one of {', '.join(METHODS)}")
    if data_name not in TUNED_LR:
        raise ValueError(f"expected data 'ring' or 'grid', got {data_name!r}")
    return METHODS[name].replace(lr=TUNED_LR[data_name][name])


def data_sets() -> dict[str, GaussianMixture]:
    """The benchmark's two data sets by name: the ring of 8 and the grid of 25 Gaussians."""
    from . import data

    return {"ring": data.ring_of_gaussians(), "grid": data.grid_of_gaussians()}


def benchmark_run(method: ToyGAN, data_name: str, steps: int, seed: int, device="cpu") -> dict:
    """Train and score one run of the benchmark; returns its row (method, data, lr, seed, steps, the
    coverage numbers, score, seconds). A plain function of plain arguments, so it runs in a worker."""
    dist = data_sets()[data_name]
    start = time.perf_counter()
    G = train_toy_gan(method, dist, steps, seed=seed, device=device)
    cov = evaluate(G, dist, seed=seed)
    return dict(method=method.name, data=data_name, lr=method.lr, seed=seed, steps=steps, modes=cov.modes,
                hq_percent=100 * cov.hq_fraction, spread=cov.spread, reverse_kl=cov.reverse_kl, score=score(cov),
                counts=list(cov.counts), seconds=time.perf_counter() - start)


def global_batch_runs(small: int = 64, large: int = 256, small_steps: int = 4000, seeds=(0, 1, 2),
                      data_name: str = "ring", method: str = "gan") -> list[dict]:
    """Lesson 21's experiment: what a larger global batch (N processes of ``small`` samples each, ``large`` in all)
    does to the benchmark's ``method`` at its tuned rate L, run by run (:func:`benchmark_run` rows with ``batch``,
    ``rule`` and ``samples`` added).

    - ``small`` for ``small_steps`` steps at L: the reference (one process);
    - ``large`` for as many *samples* (``small_steps * small / large`` steps) at L, at L times the square root of
      the ratio, and at L times the ratio (the "linear scaling rule");
    - ``large`` for as many *steps* at L: what N processes give in about the time one process takes.
    """
    if large % small or large <= small:
        raise ValueError(f"large must be a multiple of small larger than it, got small {small}, large {large}")
    base, ratio = tuned(method, data_name), large // small
    plan = [(small, small_steps, 1.0, "reference"), (large, small_steps // ratio, 1.0, "same samples, same lr"),
            (large, small_steps // ratio, math.sqrt(ratio), f"same samples, lr x {math.sqrt(ratio):g}"),
            (large, small_steps // ratio, float(ratio), f"same samples, lr x {ratio}"),
            (large, small_steps, 1.0, "same steps, same lr")]
    rows = []
    for batch, steps, factor, rule in plan:
        variant = base.replace(name=f"{method} batch {batch}, {rule}", batch_size=batch, lr=base.lr * factor)
        for seed in seeds:
            row = benchmark_run(variant, data_name, steps, seed)
            rows.append({**row, "batch": batch, "rule": rule, "samples": batch * steps})
    return rows


def real_data_row(data_name: str, seed: int = 0) -> dict:
    """The protocol applied to :data:`N_EVAL` real samples: what a perfect generator would score."""
    dist = data_sets()[data_name]
    cov = metrics.mode_coverage(dist.sample(N_EVAL, torch.Generator().manual_seed(seed)), dist.centers, dist.std)
    return dict(modes=cov.modes, hq_percent=100 * cov.hq_fraction, spread=cov.spread, score=score(cov))


def mean_se(values) -> tuple[float, float]:
    """Mean and standard error of the mean (0 for a single value; inf when any value is inf). NaN values
    (a spread where no sample was of high quality) are left out; all NaN gives NaN."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return float("nan"), float("nan")
    if not np.isfinite(x).all():
        return float("inf"), float("nan")
    se = x.std(ddof=1) / math.sqrt(len(x)) if len(x) > 1 else 0.0
    return float(x.mean()), float(se)


FIELDS = ("modes", "hq_percent", "spread", "reverse_kl", "score")


def summarize(runs: list[dict]) -> list[dict]:
    """One row per (data, method, lr) from per-seed runs (:func:`benchmark_run`): mean ± standard error of
    each of :data:`FIELDS`, in the order the groups first appear."""
    keys = list(dict.fromkeys((r["data"], r["method"], r["lr"]) for r in runs))
    rows = []
    for key in keys:
        group = [r for r in runs if (r["data"], r["method"], r["lr"]) == key]
        row = dict(data=key[0], method=key[1], lr=key[2], steps=group[0]["steps"], seeds=len(group),
                   seconds=float(np.mean([r["seconds"] for r in group])))
        row.update({field: mean_se([r[field] for r in group]) for field in FIELDS})
        rows.append(row)
    return rows


def best_lrs(sweep_rows: list[dict]) -> dict[str, dict[str, float]]:
    """Data set -> method -> the learning rate with the best mean score in the sweep's rows
    (ties go to the smaller rate)."""
    best: dict[str, dict[str, float]] = {}
    for row in sorted(sweep_rows, key=lambda r: r["lr"]):
        current = best.setdefault(row["data"], {})
        rival = next((r for r in sweep_rows if (r["data"], r["method"], r["lr"]) ==
                      (row["data"], row["method"], current.get(row["method"]))), None)
        if rival is None or row["score"][0] > rival["score"][0]:
            current[row["method"]] = row["lr"]
    return best


def _fmt(mean: float, se: float, digits: int = 1) -> str:
    if math.isnan(mean):
        return "—"
    return f"{mean:.{digits}f} ± {se:.{digits}f}" if math.isfinite(mean) else "inf"


def format_sweep(sweep_rows: list[dict]) -> str:
    """The sweep's rows (from :func:`summarize`) as :func:`format_sweep_scores` prints them, the best rate starred."""
    scores: dict[str, dict[str, dict[float, float]]] = {}
    for row in sweep_rows:
        scores.setdefault(row["data"], {}).setdefault(row["method"], {})[row["lr"]] = row["score"][0]
    return format_sweep_scores(scores, best_lrs(sweep_rows))


def format_table(rows: list[dict], real: dict[str, dict] | None = None) -> str:
    """The benchmark's table: our rows (from :func:`summarize`), the real data's own score and the
    published rows, per data set."""
    lines = [f"{'method':<26}{'data':<6}{'lr':>9}{'G steps':>8}{'modes':>14}{'high quality %':>16}"
             f"{'spread':>14}{'score':>14}{'s / run':>8}"]
    for data_name in dict.fromkeys(r["data"] for r in rows):
        for row in (r for r in rows if r["data"] == data_name):
            lines.append(f"{row['method']:<26}{data_name:<6}{row['lr']:>9.1e}{row['steps']:>8}"
                         f"{_fmt(*row['modes']):>14}{_fmt(*row['hq_percent']):>16}"
                         f"{_fmt(*row['spread'], digits=2):>14}{_fmt(*row['score'], digits=2):>14}"
                         f"{row['seconds']:>8.1f}")
        if real is not None and data_name in real:
            r = real[data_name]
            lines.append(f"{'real data (2,500 samples)':<26}{data_name:<6}{'':>9}{'':>8}{r['modes']:>14.1f}"
                         f"{r['hq_percent']:>16.1f}{r['spread']:>14.2f}{r['score']:>14.2f}{'':>8}")
        for name, numbers in PUBLISHED:
            modes, hq = numbers[data_name]
            lines.append(f"{name:<26}{data_name:<6}{'':>9}{'':>8}{modes:>14.1f}{hq:>16.1f}{'—':>14}{'—':>14}{'':>8}")
    return "\n".join(lines)


def ranking(rows: list[dict], data_name: str) -> list[dict]:
    """The rows of ``data_name`` by mean score, best first, each with ``margin`` (its mean score minus the
    next row's) and ``separated`` (whether that margin exceeds twice the standard error of the difference:
    outside the noise of this many seeds)."""
    ranked = sorted((r for r in rows if r["data"] == data_name), key=lambda r: -r["score"][0])
    out = []
    for row, nxt in zip(ranked, ranked[1:] + [None]):
        entry = dict(row)
        if nxt is not None:
            margin = row["score"][0] - nxt["score"][0]
            noise = 2 * math.hypot(row["score"][1], nxt["score"][1])
            entry.update(margin=margin, separated=bool(margin > noise), next_method=nxt["method"])
        out.append(entry)
    return out


def target_verdicts(rows: list[dict]) -> dict[str, dict]:
    """Per data set: the best row by mean score and whether it meets :data:`TARGET` (modes, high quality)."""
    verdicts = {}
    for data_name in dict.fromkeys(r["data"] for r in rows):
        best = ranking(rows, data_name)[0]
        modes, hq = TARGET[data_name]
        verdicts[data_name] = dict(method=best["method"], modes=best["modes"][0], hq_percent=best["hq_percent"][0],
                                   met=best["modes"][0] >= modes and best["hq_percent"][0] >= hq,
                                   modes_short=max(0.0, modes - best["modes"][0]),
                                   hq_short=max(0.0, hq - best["hq_percent"][0]))
    return verdicts
