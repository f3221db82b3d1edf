"""Recycle-GAN (Bansal, Ma, Ramanan & Sheikh 2018, "Recycle-GAN: unsupervised video retargeting"): CycleGAN's two
translators, each domain's temporal predictor, and the recycle loss that ties them together through time.

Notation (the paper's): G_Y translates X -> Y, G_X translates Y -> X (frame by frame, CycleGAN's
:class:`.cyclegan.ResnetGenerator`), P_X predicts the next frame of an X clip from the two before it, P_Y the same
in Y. On windows of three consecutive frames (x_0, x_1, x_2) of X and (y_0, y_1, y_2) of Y, E and G minimise

    L_g:                 least-squares adversarial terms of G_Y(x_0), G_Y(x_1) and P_Y(G_Y(x_0), G_Y(x_1)) against
                         D_Y, and the same from Y against D_X
    lambda_pred L_tau:   d(x_2, P_X(x_0, x_1)) + d(y_2, P_Y(y_0, y_1))                          (the recurrent loss)
    lambda_rec  L_r:     d(x_2, G_X(P_Y(G_Y(x_0), G_Y(x_1)))) + d(y_2, G_Y(P_X(G_X(y_0), G_X(y_1))))   (recycle)

with d the squared error of the paper's equations (``distance="squared"``) or the absolute error of the authors'
released code (``"absolute"``). The recycle loss translates two frames, predicts the next one *in the other
domain*, translates it back, and asks for the true next frame: a translation that breaks the motion (shifted in
time, or redrawn differently in every frame) cannot be predicted, and pays for it. D_X and D_Y see the real
frames against the translated frames, the predictions from translated frames and the predictions from real
frames (through history buffers, as in :mod:`.cyclegan`). The paper has no per-frame cycle term;
``lambda_cycle > 0`` adds CycleGAN's on frames 0 and 1, as the authors' released "ReCycle-GAN" does.

:data:`VARIANTS` names the course's runs on moving digits (:mod:`gan_course.data.moving_digits`, handwritten X
bouncing, printed Y orbiting): the paper's Recycle-GAN, the one with the cycle term, and CycleGAN trained on the
frames and applied frame by frame (the baseline), all at one budget; :func:`measure_clips` scores any of them.

Taught in: lesson 14
"""

from __future__ import annotations

import dataclasses
import shutil
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from .. import checkpoints, distributed, losses, runtime, train
from ..data.digits import UnpairedBatches
from ..train import Step
from .cyclegan import (CycleGANConfig, HistoryBuffer, PatchDiscriminator, ResidualBlock, ResnetGenerator,
                       check_image_size, check_images, decoder_layers, encoder_layers, linear_decay)
from .dcgan import init_weights

DISTANCES = ("squared", "absolute")


@dataclass(frozen=True)
class RecycleGANConfig:
    """Recycle-GAN at CycleGAN's budget and training settings (:class:`.cyclegan.CycleGANConfig`), on 32x32
    frames."""

    channels: int = 1
    image_size: int = 32
    width: int = 16                   # of the translators and the predictors
    n_residual: int = 3
    d_width: int = 32
    lambda_recycle: float = 10.0      # the authors' code: 10 for the recycle and the prediction terms
    lambda_prediction: float = 10.0
    distance: str = "squared"         # the paper's ||.||^2; "absolute": the authors' code
    lambda_cycle: float = 0.0         # the paper: none; the authors' "ReCycle-GAN" adds CycleGAN's (10) per frame
    pool_size: int = 50
    lr: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    batch_size: int = 16              # windows of three frames per domain
    steps: int = 2000

    def __post_init__(self):
        check_image_size(self.image_size)
        if self.channels not in (1, 3) or self.distance not in DISTANCES:
            raise ValueError(f"channels must be 1 or 3 and distance one of {DISTANCES}, got {self.channels!r} and "
                             f"{self.distance!r}")
        if min(self.lambda_recycle, self.lambda_prediction, self.lambda_cycle, self.pool_size) < 0:
            raise ValueError("lambda_recycle, lambda_prediction, lambda_cycle and pool_size must be >= 0, got "
                             f"{self.lambda_recycle}, {self.lambda_prediction}, {self.lambda_cycle} and "
                             f"{self.pool_size}")


class Predictor(nn.Module):
    """P: two consecutive frames (B, C, S, S) each -> the next frame (B, C, S, S). CycleGAN's generator with the
    two frames stacked as its input channels."""

    def __init__(self, channels: int = 1, width: int = 16, n_residual: int = 3, image_size: int = 32):
        super().__init__()
        self.channels, self.image_size = channels, check_image_size(image_size)
        self.net = nn.Sequential(*encoder_layers(2 * channels, width),
                                 *[ResidualBlock(4 * width) for _ in range(n_residual)],
                                 *decoder_layers(channels, width))

    def forward(self, previous: Tensor, current: Tensor) -> Tensor:
        check_images(previous, self.channels, "P (the earlier frame)", self.image_size)
        check_images(current, self.channels, "P (the later frame)", self.image_size)
        if previous.shape != current.shape:
            raise ValueError(f"P expects two frames of one shape, got {tuple(previous.shape)} and "
                             f"{tuple(current.shape)}")
        return self.net(torch.cat([previous, current], 1))


def build(config: RecycleGANConfig = RecycleGANConfig()) -> dict[str, nn.Module]:
    """Fresh G_Y (X -> Y), G_X (Y -> X), P_X, P_Y, D_X and D_Y; weights ~ N(0, 0.02²)."""
    c = config
    nets = {"G_Y": ResnetGenerator(c.channels, c.width, c.n_residual, c.image_size),
            "G_X": ResnetGenerator(c.channels, c.width, c.n_residual, c.image_size),
            "P_X": Predictor(c.channels, c.width, c.n_residual, c.image_size),
            "P_Y": Predictor(c.channels, c.width, c.n_residual, c.image_size),
            "D_X": PatchDiscriminator(c.channels, c.d_width, c.image_size),
            "D_Y": PatchDiscriminator(c.channels, c.d_width, c.image_size)}
    for net in nets.values():
        net.apply(init_weights)
    return nets


def distance(a: Tensor, b: Tensor, kind: str = "squared") -> Tensor:
    """Mean squared (``"squared"``) or absolute (``"absolute"``) difference per pixel."""
    if kind not in DISTANCES:
        raise ValueError(f"kind must be one of {DISTANCES}, got {kind!r}")
    return ((a - b) ** 2).mean() if kind == "squared" else (a - b).abs().mean()


class RecycleGANStep(Step):
    """Algorithm 1 for Recycle-GAN on unpaired batches ``(x, y)`` of windows (B, 3, C, S, S), one per domain.
    ``d_step``: D_X and D_Y descend their least-squares losses (real frames against translations and predictions,
    through history buffers). ``g_step``: the translators and the predictors descend L_g + lambda_rec L_r +
    lambda_pred L_tau through frozen discriminators."""

    networks = ("G_Y", "G_X", "P_X", "P_Y", "D_X", "D_Y")
    optimizers = ("g_opt", "d_opt")

    def __init__(self, nets: dict[str, nn.Module], config: RecycleGANConfig, seed: int = 0):
        for name in self.networks:
            setattr(self, name, nets[name])
        self.config = config
        self.g_opt = torch.optim.Adam([p for n in ("G_Y", "G_X", "P_X", "P_Y") for p in nets[n].parameters()],
                                      lr=config.lr, betas=config.betas)
        self.d_opt = torch.optim.Adam([*self.D_X.parameters(), *self.D_Y.parameters()], lr=config.lr,
                                      betas=config.betas)
        self.g_schedule, self.d_schedule = (torch.optim.lr_scheduler.LambdaLR(opt, linear_decay(config.steps))
                                            for opt in (self.g_opt, self.d_opt))
        self.pool_X, self.pool_Y = HistoryBuffer(config.pool_size, seed), HistoryBuffer(config.pool_size, seed + 1)

    def check(self, batch) -> None:
        c = self.config
        if not isinstance(batch, (tuple, list)) or len(batch) != 2:
            raise ValueError(f"Recycle-GAN trains on unpaired batches of windows (x, y), got {type(batch).__name__}")
        for name, windows in zip(("X", "Y"), batch):
            if not isinstance(windows, Tensor) or windows.dim() != 5 or windows.shape[1] != 3:
                raise ValueError(f"domain {name}'s batch must be windows of 3 frames (B, 3, {c.channels}, "
                                 f"{c.image_size}, {c.image_size}), got {getattr(windows, 'shape', type(windows))}")
            check_images(windows[:, 0], c.channels, f"domain {name}'s frames", c.image_size)

    def _fakes(self, windows: Tensor, G: nn.Module, P_other: nn.Module) -> tuple[Tensor, Tensor, Tensor]:
        """G(w_0), G(w_1) and the next frame P_other predicts from them, in the other domain."""
        there_0, there_1 = G(windows[:, 0]), G(windows[:, 1])
        return there_0, there_1, P_other(there_0, there_1)

    def d_step(self, batch) -> dict[str, Tensor]:
        x, y = batch
        with torch.no_grad():
            to_y = torch.cat([*self._fakes(x, self.G_Y, self.P_Y), self.P_Y(y[:, 0], y[:, 1])])
            to_x = torch.cat([*self._fakes(y, self.G_X, self.P_X), self.P_X(x[:, 0], x[:, 1])])
        real_x, real_y = x.flatten(0, 1), y.flatten(0, 1)
        loss_D_Y = losses.least_squares_d_loss(self.D_Y(real_y), self.D_Y(self.pool_Y.query(to_y)))
        loss_D_X = losses.least_squares_d_loss(self.D_X(real_x), self.D_X(self.pool_X.query(to_x)))
        self.d_opt.zero_grad(set_to_none=True)
        (loss_D_X + loss_D_Y).backward()
        self.d_opt.step()
        self.d_schedule.step()
        return {"D_X": loss_D_X.detach(), "D_Y": loss_D_Y.detach()}

    def g_step(self, batch) -> dict[str, Tensor]:
        x, y = batch
        c = self.config
        self.D_X.requires_grad_(False)
        self.D_Y.requires_grad_(False)
        try:
            x_fakes, y_fakes = self._fakes(x, self.G_Y, self.P_Y), self._fakes(y, self.G_X, self.P_X)
            adversarial = (sum(losses.least_squares_g_loss(self.D_Y(f)) for f in x_fakes)
                           + sum(losses.least_squares_g_loss(self.D_X(f)) for f in y_fakes))
            recycle = (distance(x[:, 2], self.G_X(x_fakes[2]), c.distance)        # x_2 vs G_X(P_Y(G_Y(x_0), G_Y(x_1)))
                       + distance(y[:, 2], self.G_Y(y_fakes[2]), c.distance))
            prediction = (distance(x[:, 2], self.P_X(x[:, 0], x[:, 1]), c.distance)
                          + distance(y[:, 2], self.P_Y(y[:, 0], y[:, 1]), c.distance))
            loss = adversarial + c.lambda_recycle * recycle + c.lambda_prediction * prediction
            cycle = torch.zeros(())
            if c.lambda_cycle > 0:                                   # CycleGAN's L1 cycle on frames 0 and 1
                cycle = sum((G_back(there) - frames).abs().mean()
                            for fakes, G_back, windows in ((x_fakes, self.G_X, x), (y_fakes, self.G_Y, y))
                            for there, frames in zip(fakes[:2], (windows[:, 0], windows[:, 1])))
                loss = loss + c.lambda_cycle * cycle
            self.g_opt.zero_grad(set_to_none=True)
            loss.backward()
            self.g_opt.step()
        finally:
            self.D_X.requires_grad_(True)
            self.D_Y.requires_grad_(True)
        self.g_schedule.step()
        return {"G_adversarial": adversarial.detach(), "recycle": recycle.detach(), "prediction": prediction.detach(),
                "cycle": cycle.detach()}

    def extra_state(self) -> dict:
        return {"pool_X": self.pool_X.state_dict(), "pool_Y": self.pool_Y.state_dict(),
                "g_schedule": self.g_schedule.state_dict(), "d_schedule": self.d_schedule.state_dict()}

    def load_extra_state(self, state: dict) -> None:
        device = next(self.G_Y.parameters()).device
        self.pool_X.load_state_dict(state["pool_X"], device)
        self.pool_Y.load_state_dict(state["pool_Y"], device)
        self.g_schedule.load_state_dict(state["g_schedule"])
        self.d_schedule.load_state_dict(state["d_schedule"])


def fit(config: RecycleGANConfig, clips_X: Tensor, clips_Y: Tensor, *, seed: int = 0, **train_options
        ) -> tuple[dict[str, nn.Module], train.History]:
    """Train a Recycle-GAN of ``config`` on two sets of clips (N, T, C, S, S) (e.g. the ``frames`` of
    :func:`gan_course.data.moving_digits.load_clips`) for ``config.steps`` generator steps, seeded with ``seed``;
    returns the six networks in eval mode and the run's history."""
    from ..data.moving_digits import ClipWindows

    runtime.seed_everything(seed)
    nets = {name: net.to(clips_X.device) for name, net in build(config).items()}
    batches = UnpairedBatches(ClipWindows(clips_X, 3, config.batch_size, seed=seed),
                              ClipWindows(clips_Y, 3, config.batch_size, seed=seed + 1))
    history = train.train(RecycleGANStep(nets, config, seed), batches, config.steps, **train_options)
    return {name: net.eval() for name, net in nets.items()}, history


@torch.no_grad()
def translate_clips(G: nn.Module, frames: Tensor, batch_size: int = 500) -> Tensor:
    """G applied to every frame of ``frames`` (N, T, C, S, S), in eval mode, on the CPU: the clips translated
    frame by frame (how both Recycle-GAN and CycleGAN translate a video)."""
    from .cyclegan import translate

    n, t = frames.shape[:2]
    return translate(G, frames.flatten(0, 1), batch_size).reshape(n, t, *frames.shape[2:])


# --------------------------------------------------------------------------- measuring a translated clip


def frame_crops(frames: Tensor, positions: Tensor) -> Tensor:
    """Every frame's digit box, cut at its source position and padded back to a 28x28 digit image (background -1):
    (N * T, C, 28, 28), frames in order, for a judge of 28x28 digits."""
    from ..data import moving_digits as md

    boxes = md.cut_boxes(frames, positions).flatten(0, 1)
    pad = (28 - md.BOX) // 2
    return nn.functional.pad(boxes, (pad, pad, pad, pad), value=-1.0)


def score_clips(translated: Tensor, clips, judge: nn.Module) -> dict:
    """How well ``translated`` (N, T, C, 32, 32) renders ``clips`` (a :class:`gan_course.data.moving_digits.Clips`)
    in the target domain: ``content``, the share of frames whose digit box the target domain's ``judge`` reads as
    the clip's digit; ``flicker``, the mean change per pixel between consecutive frames once the source's motion is
    undone (0 for a digit moving rigidly with its source); ``displacement_error``, the mean distance in pixels
    between how far the translated digit moved and how far the source did. The last two are means over clips; the
    source clips themselves score 0 on both."""
    from ..data import moving_digits as md
    from ..evaluation import classify

    positions = clips.positions.cpu()
    read, _ = classify(judge, frame_crops(translated, positions))
    labels = clips.labels.cpu().repeat_interleave(translated.shape[1])
    return {"content": (read == labels).double().mean().item(),
            "flicker": md.flicker(translated, positions).mean().item(),
            "displacement_error": md.displacement_error(translated, positions).mean().item()}


def measure(G: nn.Module, clips, judge: nn.Module) -> dict:
    """:func:`score_clips` of ``G`` applied to ``clips`` frame by frame (:func:`translate_clips`)."""
    return score_clips(translate_clips(G, clips.frames), clips, judge)


# --------------------------------------------------------------------------- the course's runs


DOMAINS = ("handwritten", "printed")      # X and Y
FRAMEWISE = "cyclegan-moving-digits"
VARIANTS: dict[str, RecycleGANConfig | CycleGANConfig] = {
    "recyclegan-digits": RecycleGANConfig(),
    "recyclegan-digits-with-cycle": RecycleGANConfig(lambda_cycle=10.0),
    # CycleGAN on single frames, with as many frames per step as Recycle-GAN's 16 windows of 3
    FRAMEWISE: CycleGANConfig(image_size=32, batch_size=48),
}


def variant(name: str) -> RecycleGANConfig | CycleGANConfig:
    """The configuration of the run called ``name`` (a key of :data:`VARIANTS`)."""
    if name not in VARIANTS:
        raise ValueError(f"unknown video translation {name!r}; choose one of {sorted(VARIANTS)}")
    return VARIANTS[name]


def translators(name: str) -> tuple[str, ...]:
    """The networks a run of ``name`` keeps: the translators, and a Recycle-GAN's predictors."""
    return ("G_Y", "G_X") + (("P_X", "P_Y") if isinstance(variant(name), RecycleGANConfig) else ())


def fit_variant(name: str, clips_X: Tensor, clips_Y: Tensor, *, steps: int | None = None, seed: int = 0,
                **train_options) -> tuple[dict[str, nn.Module], train.History]:
    """Train the run ``name`` of :data:`VARIANTS` (for ``steps`` generator steps instead of its configuration's,
    if given) on clips (N, T, C, 32, 32) of X and Y: a Recycle-GAN on windows of three frames, or CycleGAN on every
    frame as an image. Returns :func:`translators`'s networks (CycleGAN's G_AB as G_Y, G_BA as G_X) in eval mode
    and the run's history."""
    from . import cyclegan

    config = variant(name)
    if steps is not None:
        config = dataclasses.replace(config, steps=steps)
    if isinstance(config, RecycleGANConfig):
        nets, history = fit(config, clips_X, clips_Y, seed=seed, **train_options)
    else:
        frames = [_Frames(clips.flatten(0, 1)) for clips in (clips_X, clips_Y)]
        nets, history = cyclegan.fit(config, *frames, seed=seed, **train_options)
        nets = {"G_Y": nets["G_AB"], "G_X": nets["G_BA"]}
    return {key: nets[key] for key in translators(name)}, history


@dataclass
class _Frames:
    """Clips' frames as the images :func:`.cyclegan.fit` reads."""

    images: Tensor


def test_clips(domain: str, n: int | None = None):
    """The held-out clips of ``domain``: all 1,000, or ``n`` of them at even intervals (the held-out digits are
    sorted by label, so the first ``n`` would hold only the first digits)."""
    from ..data import moving_digits as md
    from .cyclegan import spread

    clips = md.load_clips(domain, "test")
    if n is None:
        return clips
    return md.Clips(spread(clips.frames, n), spread(clips.labels, n), spread(clips.positions, n), clips.source)


def measure_clips(G_Y: nn.Module, G_X: nn.Module, n: int | None = None) -> dict:
    """:func:`measure` both ways on the held-out clips of each domain (:func:`test_clips`): X -> Y read by the
    printed judge (keys ending ``_xy``), Y -> X by the handwritten judge (``_yx``), and the mean of the two ways of
    each score (no suffix)."""
    from .classifier import load_judge

    out = {}
    for tag, G, source, target in (("xy", G_Y, DOMAINS[0], DOMAINS[1]), ("yx", G_X, DOMAINS[1], DOMAINS[0])):
        out.update({f"{key}_{tag}": value
                    for key, value in measure(G, test_clips(source, n), load_judge(target)).items()})
    for key in ("content", "flicker", "displacement_error"):
        out[key] = (out[f"{key}_xy"] + out[f"{key}_yx"]) / 2
    return out


def _build_kept(name: str) -> dict[str, nn.Module]:
    config = variant(name)
    nets = {"G_Y": ResnetGenerator(config.channels, config.width, config.n_residual, config.image_size),
            "G_X": ResnetGenerator(config.channels, config.width, config.n_residual, config.image_size)}
    if isinstance(config, RecycleGANConfig):
        nets.update({key: Predictor(config.channels, config.width, config.n_residual, config.image_size)
                     for key in ("P_X", "P_Y")})
    return nets


def load(name: str, device=None, root=checkpoints.ROOT) -> dict[str, nn.Module]:
    """The committed (sha256-verified) networks of ``name`` (:func:`translators`), in eval mode."""
    state = checkpoints.load(name, root=root)
    nets = _build_kept(name)
    for key, net in nets.items():
        net.load_state_dict({k: v.float() for k, v in state[key].items()})
        net.to(device or "cpu").eval()
    return nets


def train_recipe(name: str, seed: int = 0, epochs: int | None = None, root=checkpoints.ROOT,
                 limit: int | None = None, verbose: bool = True, register: bool = False, cache=None) -> dict:
    """``python -m gan_course train <name>``: train one run of :data:`VARIANTS` on the training clips of both
    domains, store what it keeps (:func:`translators`) in half precision, and :func:`measure_clips` what is stored.
    ``epochs``: passes over X's training windows (Recycle-GAN) or frames (CycleGAN) (default: the configuration's
    ``steps``). Resumable (a checkpoint every 500 steps)."""
    from ..data import moving_digits as md

    config = variant(name)
    checkpoints.check_recipe_options(epochs=epochs, limit=limit)
    device = runtime.device()
    clips = [md.load_clips(domain, "train") for domain in DOMAINS]
    clips_X, clips_Y = (c.frames[:limit].to(device) for c in clips)
    recycle = isinstance(config, RecycleGANConfig)            # an epoch: every window, or every frame, of X once
    per_epoch = max(1, len(clips_X) * (clips_X.shape[1] - (2 if recycle else 0)) // config.batch_size)
    steps = config.steps if epochs is None else epochs * per_epoch
    epochs = steps // per_epoch
    run_dir = checkpoints.cache_root(cache) / "train" / (f"{name}-seed{seed}-epochs{epochs}"
                                                          + (f"-limit{limit}" if limit is not None else ""))
    nets, history = fit_variant(name, clips_X, clips_Y, steps=steps, seed=seed, checkpoint_dir=run_dir,
                                checkpoint_every=500, progress=verbose, log_every=None if verbose else 0)
    if not distributed.end_training():  # under torchrun: the other processes stop here, rank 0 goes on alone
        return None
    state = {key: {k: v.detach().cpu().half() for k, v in net.state_dict().items()} for key, net in nets.items()}
    for key, net in nets.items():
        net.cpu().load_state_dict({k: v.float() for k, v in state[key].items()})   # measure what is stored
    metrics = {**measure_clips(nets["G_Y"], nets["G_X"]), "steps": steps, "train_clips": len(clips_X),
               "seconds": round(history.seconds, 1), "machine": runtime.describe_machine()}
    command = checkpoints.recipe_command(name, seed, epochs, limit, register)
    entry = checkpoints.save_trained(name, state, command, " | ".join(c.source for c in clips), metrics, root,
                                     register, verbose, cache=cache)
    shutil.rmtree(run_dir)
    if verbose:
        print(f"{name}: content {metrics['content']:.3f}, flicker {metrics['flicker']:.3f}, displacement error "
              f"{metrics['displacement_error']:.2f} px ({history.seconds:.0f} s)")
    return entry
