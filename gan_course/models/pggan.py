"""PGGAN (Karras, Aila, Laine & Lehtinen 2018, "Progressive growing of GANs for improved quality, stability, and
variation"): G and D grow together from 4 x 4 to the full resolution, each new resolution faded in.

At stage k the networks work at 4·2^k pixels. While a new stage's block fades in, G's output is

    (1 - α) · upsample(toRGB_{k-1}(h_{k-1})) + α · toRGB_k(block_k(h_{k-1})),

and D's input path the mirror image, (1 - α) · fromRGB_{k-1}(downsample(x)) + α · block_k(fromRGB_k(x)), with α
rising linearly from 0 to 1 (Section 3, Figure 2): at α = 0 the grown networks compute exactly what the smaller
ones did, so nothing breaks when a resolution is added. The other parts, from :mod:`gan_course.layers`: equalised
learning rate in every layer, pixel-wise feature normalisation after every convolution of G, minibatch standard
deviation (groups of 4) before D's last block, the WGAN-GP loss with the drift term ε·E[D(x)²] (ε = 0.001), and
Adam with β = (0, 0.99).

This module holds the networks (tested: shapes at every stage, and α = 0 equal to the smaller network), the
growth :class:`Schedule` (and :class:`FixedSchedule`, no growing), the training step :class:`PGGANStep`, and the
runs: :data:`VARIANTS` (fade-in, abrupt switches, no growing, each of the three other parts removed, and the
procedural faces of lesson 15 instead of MNIST), a :class:`Tracker` that scores the FID as a run trains,
:func:`spike` at a switch, and the recipe. Digits are judged by lesson 06's MNIST classifier, faces by the faces'
identity network (:func:`.face_identity.identity_scorer`).

Taught in: lesson 18 (progressive growing)
"""

from __future__ import annotations

import dataclasses
import functools
import shutil
import time

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .. import checkpoints, data, distributed, evaluation, losses, metrics, runtime, speed, train
from ..data.digits import DeviceBatches
from ..layers import EqualizedConv2d, EqualizedLinear, MinibatchStdDev, PixelNorm, fade_in
from ..train import History, Step
from . import face_identity


@dataclasses.dataclass(frozen=True)
class PGGANConfig:
    z_dim: int = 128                                 # latent size (the paper: 512)
    channels: int = 1                                # image channels
    widths: tuple[int, ...] = (64, 64, 32, 16)       # feature maps at 4, 8, 16, 32 pixels (the paper: 512 ... 16);
    #                                                  a step at 32 x 32 and batch 32 takes about 0.2 s on 2 cores
    lr: float = 1e-3                                 # Adam, the paper's 0.001 with betas (0, 0.99)
    betas: tuple[float, float] = (0.0, 0.99)
    gp_weight: float = 10.0                          # WGAN-GP's λ
    drift: float = 1e-3                              # ε of the drift term ε·E[D(x)²]
    mbstd_group: int = 4                             # minibatch standard deviation over groups of 4
    # the ablations (Table 1 of the paper removes them one at a time)
    minibatch_stddev: bool = True                    # D's extra feature map
    equalized_lr: bool = True                        # False: plain He-initialised weights
    pixel_norm: bool = True                          # False: no normalisation in G at all

    def __post_init__(self):
        check_lr_and_widths(self.lr, self.widths)

    @property
    def stages(self) -> int:
        return len(self.widths)

    def resolution(self, stage: int) -> int:
        return 4 * 2 ** stage


def check_lr_and_widths(lr, widths) -> None:
    """The checks of a config's Adam rate (between 0 and 1) and its widths per resolution (positive integers), which
    StyleGAN's config shares."""
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not 0 < lr < 1:
        raise ValueError(f"lr must be a number between 0 and 1, got {lr!r}")
    if len(widths) < 1 or any(isinstance(w, bool) or not isinstance(w, int) or w < 1 for w in widths):
        raise ValueError(f"widths must list at least one positive integer width, got {widths}")


def _check_stage(config: PGGANConfig, stage: int, alpha: float) -> None:
    if isinstance(stage, bool) or not isinstance(stage, int) or not 0 <= stage < config.stages:
        raise ValueError(f"stage must be an integer from 0 to {config.stages - 1}, got {stage!r}")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 <= alpha <= 1:
        raise ValueError(f"alpha must be a number from 0 to 1, got {alpha!r}")


def _conv(config: PGGANConfig, c_in: int, c_out: int, kernel: int = 3) -> nn.Sequential:
    return nn.Sequential(EqualizedConv2d(c_in, c_out, kernel, equalized=config.equalized_lr), nn.LeakyReLU(0.2))


def _norm(config: PGGANConfig) -> nn.Module:
    return PixelNorm() if config.pixel_norm else nn.Identity()


class Generator(nn.Module):
    """z -> image at any stage: a 4 x 4 block from z, then one upsampling block per stage, each with its toRGB."""

    def __init__(self, config: PGGANConfig = PGGANConfig()):
        super().__init__()
        self.config, w, eq = config, config.widths, config.equalized_lr
        self.input = nn.Sequential(PixelNorm(), EqualizedLinear(config.z_dim, w[0] * 16, gain=2 ** 0.5 / 4,
                                                                equalized=eq))
        self.first = nn.Sequential(nn.LeakyReLU(0.2), _norm(config), *_conv(config, w[0], w[0]), _norm(config))
        self.blocks = nn.ModuleList(nn.Sequential(*_conv(config, w[k - 1], w[k]), _norm(config),
                                                  *_conv(config, w[k], w[k]), _norm(config))
                                    for k in range(1, config.stages))
        self.to_rgb = nn.ModuleList(EqualizedConv2d(width, config.channels, 1, gain=1.0, equalized=eq) for width in w)

    def forward(self, z: Tensor, stage: int | None = None, alpha: float = 1.0) -> Tensor:
        stage = self.config.stages - 1 if stage is None else stage
        _check_stage(self.config, stage, alpha)
        h = self.first(self.input(z).view(len(z), self.config.widths[0], 4, 4))
        for k in range(1, stage + 1):
            previous = h
            h = self.blocks[k - 1](F.interpolate(h, scale_factor=2, mode="nearest"))
        if stage == 0 or alpha == 1:
            return self.to_rgb[stage](h)
        old = F.interpolate(self.to_rgb[stage - 1](previous), scale_factor=2, mode="nearest")
        return fade_in(old, self.to_rgb[stage](h), alpha)


class Discriminator(nn.Module):
    """Image at any stage -> score: fromRGB, one downsampling block per stage, then the 4 x 4 block with the
    minibatch standard deviation and two dense layers."""

    def __init__(self, config: PGGANConfig = PGGANConfig()):
        super().__init__()
        self.config, w, eq = config, config.widths, config.equalized_lr
        self.from_rgb = nn.ModuleList(_conv(config, config.channels, width, 1) for width in w)
        self.blocks = nn.ModuleList(nn.Sequential(*_conv(config, w[k], w[k]), *_conv(config, w[k], w[k - 1]),
                                                  nn.AvgPool2d(2))
                                    for k in range(1, config.stages))
        mbstd = config.minibatch_stddev
        self.last = nn.Sequential(MinibatchStdDev(group_size=config.mbstd_group) if mbstd else nn.Identity(),
                                  *_conv(config, w[0] + mbstd, w[0]), nn.Flatten(),
                                  EqualizedLinear(w[0] * 16, w[0], equalized=eq), nn.LeakyReLU(0.2),
                                  EqualizedLinear(w[0], 1, gain=1.0, equalized=eq))

    def forward(self, x: Tensor, stage: int | None = None, alpha: float = 1.0) -> Tensor:
        stage = self.config.stages - 1 if stage is None else stage
        _check_stage(self.config, stage, alpha)
        size = self.config.resolution(stage)
        if x.dim() != 4 or x.shape[1:] != (self.config.channels, size, size):
            raise ValueError(f"stage {stage} takes images (N, {self.config.channels}, {size}, {size}), got "
                             f"{tuple(x.shape)}")
        h = self.from_rgb[stage](x)
        if stage > 0:
            h = self.blocks[stage - 1](h)
            if alpha < 1:
                h = fade_in(self.from_rgb[stage - 1](F.avg_pool2d(x, 2)), h, alpha)
        for k in range(stage - 1, 0, -1):
            h = self.blocks[k - 1](h)
        return self.last(h).view(-1)


@dataclasses.dataclass(frozen=True)
class Schedule:
    """Which stage, and which α, at each generator step: ``stable`` steps at 4 x 4, then for every further stage
    ``fade`` steps with α rising linearly from 0 to 1 and ``stable`` steps at α = 1 (the paper: 800k images
    each). ``fade = 0``, or ``abrupt=True`` (the same steps, α = 1 throughout), is the abrupt switch: α jumps to 1
    when a stage begins."""

    stages: int
    stable: int
    fade: int
    abrupt: bool = False

    def __post_init__(self):
        for name in ("stages", "stable", "fade"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < (1 if name != "fade" else 0):
                raise ValueError(f"{name} must be an integer >= {1 if name != 'fade' else 0}, got {value!r}")

    @property
    def total(self) -> int:
        return self.stable + (self.stages - 1) * (self.fade + self.stable)

    def at(self, step: int) -> tuple[int, float]:
        """(stage, α) at generator step ``step`` (0-based); past the end, the last stage at α = 1."""
        if step < self.stable:
            return 0, 1.0
        stage, into = divmod(step - self.stable, self.fade + self.stable)
        if stage + 1 >= self.stages:
            return self.stages - 1, 1.0
        return stage + 1, (into / self.fade if into < self.fade and not self.abrupt else 1.0)

    def switches(self) -> list[int]:
        """The steps at which a new stage begins."""
        return [self.stable + k * (self.fade + self.stable) for k in range(self.stages - 1)]


@dataclasses.dataclass(frozen=True)
class FixedSchedule:
    """No growing: the last stage (full resolution, α = 1) from the first step to the last (the baseline of the
    paper's speed claim)."""

    stages: int
    steps: int

    def __post_init__(self):
        for name in ("stages", "steps"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")

    @property
    def total(self) -> int:
        return self.steps

    def at(self, step: int) -> tuple[int, float]:
        return self.stages - 1, 1.0

    def switches(self) -> list[int]:
        return []


def real_at(images: Tensor, resolution: int, alpha: float) -> Tensor:
    """Real images as D sees them at a stage: average-pooled to ``resolution``, and while the stage fades in,
    blended the same way as G's output, (1 - α)·upsample(downsample(x)) + α·x (the paper's code does this too)."""
    x = F.adaptive_avg_pool2d(images, resolution) if images.shape[-1] != resolution else images
    if alpha < 1:
        x = fade_in(F.interpolate(F.avg_pool2d(x, 2), scale_factor=2, mode="nearest"), x, alpha)
    return x


class PGGANStep(Step):
    """One PGGAN update pair: the WGAN-GP critic loss plus the drift term, then the generator's; the stage and α
    come from the :class:`Schedule` at the current generator step, which checkpoints keep (:meth:`extra_state`)."""

    networks = ("G", "D")
    optimizers = ("d_opt", "g_opt")
    unused_parameters = True  # the blocks of stages not yet grown get no gradient (distributed runs skip them)

    def __init__(self, G: Generator, D: Discriminator, schedule: Schedule | FixedSchedule,
                 config: PGGANConfig = PGGANConfig()):
        if schedule.stages != config.stages:
            raise ValueError(f"the schedule has {schedule.stages} stages, the networks {config.stages}")
        self.G, self.D, self.schedule, self.config = G, D, schedule, config
        self.d_opt = torch.optim.Adam(D.parameters(), lr=config.lr, betas=config.betas)
        self.g_opt = torch.optim.Adam(G.parameters(), lr=config.lr, betas=config.betas)
        self.g_steps = 0

    @property
    def stage_alpha(self) -> tuple[int, float]:
        return self.schedule.at(self.g_steps)

    def _z(self, n: int, device) -> Tensor:
        return torch.randn(n, self.config.z_dim, device=device)

    def d_step(self, real: Tensor) -> dict[str, Tensor]:
        stage, alpha = self.stage_alpha
        real = real_at(real, self.config.resolution(stage), alpha)
        with torch.no_grad():
            fake = self.G(self._z(len(real), real.device), stage, alpha)
        critic = functools.partial(self.D, stage=stage, alpha=alpha)
        real_scores, fake_scores = critic(real), critic(fake)
        wasserstein = losses.wasserstein_d_loss(real_scores, fake_scores)
        penalty = losses.gradient_penalty(critic, real, fake, weight=self.config.gp_weight)
        drift = self.config.drift * real_scores.pow(2).mean()          # keeps D's outputs near 0
        loss = wasserstein + penalty + drift
        self.d_opt.zero_grad(set_to_none=True)
        loss.backward()
        self.d_opt.step()
        return {"d_loss": loss.detach(), "w_estimate": -wasserstein.detach(), "drift": drift.detach()}

    def g_step(self, real: Tensor) -> dict[str, Tensor]:
        stage, alpha = self.stage_alpha
        fake = self.G(self._z(len(real), real.device), stage, alpha)
        loss = losses.wasserstein_g_loss(self.D(fake, stage, alpha))
        self.g_opt.zero_grad(set_to_none=True)
        loss.backward()
        self.g_opt.step()
        self.g_steps += 1
        return {"g_loss": loss.detach(), "stage": torch.tensor(float(stage)), "alpha": torch.tensor(alpha)}

    def extra_state(self) -> dict:
        return {"g_steps": self.g_steps}

    def load_extra_state(self, state: dict) -> None:
        self.g_steps = int(state["g_steps"])


# --------------------------------------------------------------------------- the runs: variants, tracking, recipe

BATCH_SIZE = 32
STABLE = FADE = 400       # generator steps per phase (the paper: 800k images each; here 12,800)
GROWTHS = ("fade", "abrupt", "fixed")
FIXED_STEPS = 1500        # steps at 32 x 32 that cost about as much as one grown run here (the benchmark times both)
EVAL_SAMPLES = 4000       # the final scores, as lesson 09's (its real-vs-real row has 4,000 digits)
CURVE_SAMPLES = 1000      # each point of an FID curve

VARIANTS: dict[str, tuple[PGGANConfig, str]] = {
    "pggan": (PGGANConfig(), "fade"),
    "pggan-abrupt": (PGGANConfig(), "abrupt"),                       # α jumps to 1 at every new stage
    "pggan-fixed": (PGGANConfig(), "fixed"),                         # 32 x 32 from the start
    "pggan-no-mbstd": (PGGANConfig(minibatch_stddev=False), "fade"),
    "pggan-no-eqlr": (PGGANConfig(equalized_lr=False), "fade"),
    "pggan-no-pixelnorm": (PGGANConfig(pixel_norm=False), "fade"),
    # the procedural faces of lesson 15, at the rate the MNIST sweep chose for the full model (benchmarks/RESULTS.md)
    "pggan-faces": (PGGANConfig(lr=1e-2), "fade"),
}
DATASETS = ("mnist", "faces")
JUDGE_CROP = {"mnist": 28, "faces": 32}   # what each judge sees of a 32 x 32 image: MNIST's 28 x 28 inside the pad


def variant(name: str) -> tuple[PGGANConfig, str]:
    """The config and growth (``"fade"``, ``"abrupt"`` or ``"fixed"``) of the run called ``name``."""
    if name not in VARIANTS:
        raise ValueError(f"unknown PGGAN variant {name!r}; choose one of {sorted(VARIANTS)}")
    return VARIANTS[name]


def dataset_of(name: str) -> str:
    """What the variant ``name`` trains on: ``"faces"`` (the procedural faces' training views, 32 x 32) for names
    ending in ``-faces``, else ``"mnist"`` (MNIST's training digits padded to 32 x 32)."""
    variant(name)
    return "faces" if name.endswith("-faces") else "mnist"


def _check_dataset(dataset: str) -> str:
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {DATASETS}, got {dataset!r}")
    return dataset


def training_images(dataset: str = "mnist", device=None, verbose: bool = False) -> tuple[Tensor, str]:
    """The training images (N, 1, 32, 32) in [-1, 1] of ``dataset``, on ``device``, and what they are in words."""
    if _check_dataset(dataset) == "faces":
        faces = face_identity.faces_on("train", device=device, verbose=verbose)
        return faces.images, faces.source
    digits = data.load_mnist("train", size=32, verbose=verbose)
    return digits.images.to(device or "cpu"), digits.source


def schedule_for(growth: str, config: PGGANConfig = PGGANConfig(), stable: int = STABLE, fade: int = FADE,
                 fixed_steps: int = FIXED_STEPS) -> Schedule | FixedSchedule:
    """The schedule of a growth: fade-in or abrupt switches at the same steps, or no growing."""
    if growth not in GROWTHS:
        raise ValueError(f"growth must be one of {GROWTHS}, got {growth!r}")
    if growth == "fixed":
        return FixedSchedule(config.stages, fixed_steps)
    return Schedule(config.stages, stable, fade, abrupt=growth == "abrupt")


def full_size(images: Tensor, size: int = 32, crop: int = 28) -> Tensor:
    """Images of any stage as the judge sees them: upsampled (nearest) to ``size``, the centre ``crop`` (MNIST's
    28 x 28 inside the padded 32 x 32; the faces' judge: all 32), clipped to [-1, 1] (G has no tanh, as in the
    paper)."""
    if images.shape[-1] != size:
        images = F.interpolate(images, size=size, mode="nearest")
    margin = (size - crop) // 2
    return images[..., margin:margin + crop, margin:margin + crop].clamp(-1, 1)


@torch.no_grad()
def samples(G: Generator, n: int, stage: int | None = None, alpha: float = 1.0, seed: int = 0,
            batch_size: int = 500) -> Tensor:
    """``n`` images of G at ``stage`` (default: the last) from a fixed seed, at the stage's own size, on the CPU."""
    z = torch.randn(n, G.config.z_dim, generator=torch.Generator().manual_seed(seed))
    device = next(G.parameters()).device
    return torch.cat([G(z[i:i + batch_size].to(device), stage, alpha).cpu() for i in range(0, n, batch_size)])


class Tracker:
    """A training callback: the FID of G's samples (:func:`full_size`, against ``scorer``'s real digits) at the
    steps ``at`` lists, and the seconds spent training at each stage, not counting its own scoring; at the steps
    ``keep`` lists, also ``keep_n`` samples at the stage's own size (``kept[step]``, the same noise each time).
    ``crop``: what of the full-size image the judge sees (:data:`JUDGE_CROP`).

    ``points``: one dict per scored step: step, stage, alpha, fid, precision, recall (G as it is after that many
    steps, at the stage and α of its last step); ``stage_seconds`` and ``stage_steps``: per stage."""

    def __init__(self, scorer, schedule, at, n: int = CURVE_SAMPLES, seed: int = 0, keep=(), keep_n: int = 8,
                 crop: int = JUDGE_CROP["mnist"]):
        self.scorer, self.schedule, self.at, self.n, self.seed, self.crop = scorer, schedule, set(at), n, seed, crop
        self.keep, self.keep_n, self.kept = set(keep), keep_n, {}
        self.points: list[dict] = []
        self.stage_seconds = [0.0] * schedule.stages
        self.stage_steps = [0] * schedule.stages
        self._last = time.perf_counter()

    @property
    def train_seconds(self) -> float:
        return sum(self.stage_seconds)

    def __call__(self, state) -> None:
        stage, alpha = self.schedule.at(state.step - 1)
        self.stage_seconds[stage] += time.perf_counter() - self._last
        self.stage_steps[stage] += 1
        if state.step in self.at:
            G = state.model.G
            G.eval()
            scores = self.scorer.score(full_size(samples(G, self.n, stage, alpha, self.seed), crop=self.crop))
            G.train()
            self.points.append({"step": state.step, "stage": stage, "alpha": round(alpha, 4),
                                "fid": round(scores.fid, 3), "precision": round(scores.precision, 4),
                                "recall": round(scores.recall, 4)})
        if state.step in self.keep:
            self.kept[state.step] = samples(state.model.G.eval(), self.keep_n, stage, alpha, self.seed)
            state.model.G.train()
        self._last = time.perf_counter()

    def images_per_second(self, batch_size: int = BATCH_SIZE) -> dict[int, float]:
        """Real images seen per training second at each resolution the run trained at."""
        return {self.schedule_resolution(k): round(steps * batch_size / seconds, 1)
                for k, (steps, seconds) in enumerate(zip(self.stage_steps, self.stage_seconds)) if steps}

    @staticmethod
    def schedule_resolution(stage: int) -> int:
        return 4 * 2 ** stage


def curve_steps(schedule: Schedule | FixedSchedule, every: int = 100, dense: int = 20, after: int = 200) -> list[int]:
    """Where to score a run: every ``every`` steps, the step before each new stage begins, and every ``dense``
    steps for ``after`` steps from there (to see a switch's spike and its recovery)."""
    at = set(range(every, schedule.total + 1, every)) | {schedule.total}
    for s in schedule.switches():
        at |= set(range(s, min(s + after, schedule.total) + 1, dense))
    return sorted(at)


def spike(points: list[dict], switch: int, window: int = 200) -> dict:
    """The FID spike at a stage switch: the FID at ``switch`` (the last step before the new stage), its highest in
    the ``window`` steps after, their difference, and the steps from the switch until the FID is back at or below
    its value before (None if it never is within the points)."""
    by_step = {p["step"]: p["fid"] for p in points}
    if switch not in by_step:
        raise ValueError(f"no FID at the switch step {switch}; scored steps: {sorted(by_step)[:8]} ...")
    before = by_step[switch]
    after = [(s, f) for s, f in sorted(by_step.items()) if switch < s <= switch + window]
    if not after:
        raise ValueError(f"no FID within {window} steps after the switch at {switch}")
    peak = max(f for _, f in after)
    back = next((s - switch for s, f in sorted(by_step.items()) if s > switch and f <= before), None)
    return {"switch": switch, "before": before, "peak": peak, "spike": round(peak - before, 3), "recovery": back}


def build(config: PGGANConfig) -> tuple[Generator, Discriminator]:
    return Generator(config), Discriminator(config)


def fit(config: PGGANConfig, schedule: Schedule | FixedSchedule, images: Tensor, *, seed: int = 0,
        batch_size: int = BATCH_SIZE, device=None, **train_options) -> tuple[PGGANStep, History]:
    """Train PGGAN on ``images`` (N, C, 32, 32) in [-1, 1] along ``schedule``, seeded by ``seed``.
    ``train_options`` go to :func:`gan_course.train.train` (callbacks such as a :class:`Tracker`, checkpoints ...).
    Returns the step (``step.G``, ``step.D`` in eval mode) and the history."""
    size = config.resolution(config.stages - 1)
    if images.dim() != 4 or tuple(images.shape[1:]) != (config.channels, size, size):
        raise ValueError(f"expected images (N, {config.channels}, {size}, {size}), got {tuple(images.shape)}")
    runtime.seed_everything(seed)
    device = device or images.device
    G, D = (net.to(device) for net in build(config))
    step = PGGANStep(G, D, schedule, config)
    history = train.train(step, DeviceBatches(images.to(device), batch_size=batch_size, seed=seed), schedule.total,
                          **train_options)
    G.eval(), D.eval()
    return step, history


def load(name: str = "pggan", device=None, root=checkpoints.ROOT) -> Generator:
    """The committed (sha256-verified) generator of ``name``, in eval mode, its weights in channels_last (faster
    upsampling and convolutions on a CPU, the same outputs to float rounding; see :func:`.stylegan.load`)."""
    config, _ = variant(name)
    G = checkpoints.load_into(Generator(config), name, device, root)
    speed.speed_up(G, channels_last=True)
    return G


def scorer(device=None, dataset: str = "mnist") -> evaluation.Scorer:
    """The judge of ``dataset``: MNIST's classifier against the 1,000 held-out digits (lessons 08 and 09), or the
    faces' identity network against the 4,000 test views (:func:`.face_identity.identity_scorer`)."""
    if _check_dataset(dataset) == "faces":
        return face_identity.identity_scorer(device)
    return evaluation.Scorer(evaluation.load_classifier(device), data.load_mnist("test", verbose=False).images)


def held_out(dataset: str = "mnist", n: int = 1000) -> Tensor:
    """``n`` held-out images (N, 1, 32, 32) of ``dataset`` for the SWD: MNIST's test digits padded to 32 x 32, or
    test views of the faces drawn at random (seed 0) from all identities."""
    if _check_dataset(dataset) == "faces":
        views = face_identity.faces_on("test").images
        return views[torch.randperm(len(views), generator=torch.Generator().manual_seed(0))[:n]]
    return data.load_mnist("test", size=32, verbose=False).images[:n]


def measure(G: Generator, judge: evaluation.Scorer, seed: int = 0, dataset: str = "mnist") -> dict:
    """The final scores of G at full size: FID, precision, recall, classes of :data:`EVAL_SAMPLES` samples (by
    ``dataset``'s judge: digits or identities), and the SWD (x 10³, 32 and 16 pixels) of 1,000 samples against
    1,000 held-out images at 32 x 32 (:func:`held_out`)."""
    scores = judge.score(full_size(samples(G, EVAL_SAMPLES, seed=seed), crop=JUDGE_CROP[_check_dataset(dataset)]))
    real = held_out(dataset)
    sliced = metrics.swd(real, samples(G, len(real), seed=seed + 1).clamp(-1, 1), seed=seed)
    return {**scores.row(), "class_shares": scores.class_shares, **{f"swd_{k}": round(v, 3) for k, v in sliced.items()}}


def _synchronize(device) -> None:
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)


def step_seconds(config: PGGANConfig = PGGANConfig(), batch_size: int = BATCH_SIZE, steps: int = 8,
                 rounds: int = 2, device=None) -> list[float]:
    """Seconds per training step (one D and one G update) at each stage, timed here and now on random data
    (the stages interleaved ``rounds`` times, the fastest round kept): what growing saves, in this process's
    conditions."""
    device = device or runtime.device()
    G, D = (net.to(device) for net in build(config))
    step = PGGANStep(G, D, Schedule(config.stages, 1, 0), config)
    real = torch.rand(batch_size, config.channels, *(2 * [config.resolution(config.stages - 1)]), device=device)
    best = [float("inf")] * config.stages
    for _ in range(rounds):
        for stage in range(config.stages):
            step.g_steps = 0 if stage == 0 else step.schedule.switches()[stage - 1]
            for i in range(steps + 2):
                if i == 2:
                    _synchronize(device)
                    start = time.perf_counter()
                step.d_step(real)
                step.g_step(real)
                step.g_steps -= 1                                   # stay at this stage
            _synchronize(device)
            best[stage] = min(best[stage], (time.perf_counter() - start) / steps)
    return best


def equal_time_steps(schedule: Schedule, seconds: list[float]) -> int:
    """Steps at the last stage that take as long as ``schedule``'s grown run, from per-stage step times."""
    spent = sum(seconds[schedule.at(i)[0]] for i in range(schedule.total))
    return round(spent / seconds[-1])


def fit_variant(name: str, images: Tensor, *, seed: int = 0, phase: int = STABLE, fixed_steps: int | None = None,
                judge: evaluation.Scorer | None = None, lr: float | None = None,
                **train_options) -> tuple[PGGANStep, History, Tracker]:
    """Train the variant ``name`` with ``phase`` steps per phase (a fixed run: ``fixed_steps``, default
    :data:`FIXED_STEPS` scaled alike), scoring its FID curve with ``judge`` (default :func:`scorer`); ``lr``
    replaces the variant's learning rate (for a sweep). Returns the step, the history and the :class:`Tracker`."""
    config, growth = variant(name)
    if lr is not None:
        config = dataclasses.replace(config, lr=lr)
    dataset = dataset_of(name)
    fixed_steps = fixed_steps or round(FIXED_STEPS * phase / STABLE)
    schedule = schedule_for(growth, config, phase, phase, fixed_steps=fixed_steps)
    tracker = Tracker(judge or scorer(images.device, dataset), schedule, curve_steps(schedule), seed=seed,
                      crop=JUDGE_CROP[dataset])
    step, history = fit(config, schedule, images, seed=seed, callbacks=[tracker, *train_options.pop("callbacks", ())],
                        **train_options)
    return step, history, tracker


def stability(w_estimates) -> dict:
    """How calm D's Wasserstein estimate stayed over a run: its median, its largest magnitude, and the steps where
    its magnitude exceeded 5 times the run's median magnitude (spikes)."""
    w = torch.as_tensor(w_estimates, dtype=torch.float64)
    typical = w.abs().median().item() + 1e-12
    return {"w_median": round(w.median().item(), 3), "w_max": round(w.abs().max().item(), 3),
            "w_spikes": int((w.abs() > 5 * typical).sum())}


def run_metrics(step: PGGANStep, tracker: Tracker, history: History, judge: evaluation.Scorer, seed: int,
                train_images: int, dataset: str = "mnist") -> dict:
    """What a run measured: :func:`measure` of G as it is, the steps taken, the switches and the FID spike at each
    (:func:`spike`), training seconds, images per second per resolution, :func:`stability` and the FID curve."""
    switches = step.schedule.switches()
    return {**measure(step.G, judge, seed, dataset), "steps": step.g_steps, "switches": switches,
            "spikes": [spike(tracker.points, s) for s in switches], "train_images": train_images,
            "train_seconds": round(tracker.train_seconds, 1), "images_per_second": tracker.images_per_second(),
            **stability(history.losses["w_estimate"]), "curve": tracker.points}


def train_recipe(name: str = "pggan", seed: int = 0, epochs: int | None = None, root=checkpoints.ROOT,
                 limit: int | None = None, verbose: bool = True, register: bool = False, cache=None) -> dict:
    """``python -m gan_course train pggan`` (or another of :data:`VARIANTS`): grow G and D on MNIST's training
    digits padded to 32 x 32 (``pggan-faces``: the faces' training views), scoring the FID as it trains
    (:func:`curve_steps`), then store G in half precision with :func:`run_metrics` measured on what is stored.
    ``epochs`` scales every phase: each phase takes ``epochs`` passes over the training images instead of
    :data:`STABLE` steps."""
    dataset = dataset_of(name)  # fail before loading any data
    checkpoints.check_recipe_options(epochs=epochs, limit=limit)
    device = runtime.device()
    images, source = training_images(dataset, device, verbose)
    images = images[:limit]
    phase = STABLE if epochs is None else epochs * max(1, len(images) // BATCH_SIZE)
    judge = scorer(device, dataset)
    run_dir = checkpoints.cache_root(cache) / "train" / f"{name}-seed{seed}-phase{phase}-limit{limit}"
    step, history, tracker = fit_variant(name, images, seed=seed, phase=phase, judge=judge, checkpoint_dir=run_dir,
                                         checkpoint_every=500, progress=verbose, log_every=None if verbose else 0)
    if not distributed.end_training():  # under torchrun: the other processes stop here, rank 0 goes on alone
        return None
    shutil.rmtree(run_dir, ignore_errors=True)
    return checkpoints.save_half(name, step.G, lambda G: run_metrics(step, tracker, history, judge, seed, len(images),
                                                                      dataset),
                                 history.seconds, source, seed, epochs, limit, root, register, verbose, cache)
