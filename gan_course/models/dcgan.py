"""DCGAN (Radford, Metz & Chintala 2016) for 28 x 28 single-channel images such as MNIST.

The paper's architecture guidelines, each visible below:

* strided convolutions in D and fractionally-strided (transposed) convolutions in G
  instead of pooling: the networks learn their own down- and up-sampling;
* batch norm in G (not on its output layer) and in D (not on its input layer);
* no fully connected hidden layers: z is reshaped to (B, z_dim, 1, 1) and the first
  transposed convolution makes a 7 x 7 map; D's last convolution turns its 4 x 4 map
  into one score;
* ReLU in G with tanh at the output (images are scaled to [-1, 1]); LeakyReLU(0.2) in D;
* weights initialised from N(0, 0.02²), standard deviation 0.02 (:func:`init_weights`).

Four layers each. G grows 1 x 1 -> 7 x 7 -> 14 x 14 -> 28 x 28 while the channels shrink, then a
3 x 3 transposed convolution with stride 1 paints the one output channel from the full-size features;
D mirrors it, 28 -> 14 -> 7 -> 4, then one score.

``batch_norm`` switches between the guidelines and the ablations of lesson 07:
``"guidelines"``, ``"everywhere"`` (also on G's output and D's input layer) and ``"none"``.

The DCGANs of lessons 06–09 are :data:`VARIANTS`, frozen :class:`DCGANConfig` objects:
the networks, the objective and the training settings. :func:`make_step` turns one into the
training step (the GAN's, or WGAN-GP's), :func:`fit` trains it with the course loop (lesson 07
calls it as the recipe does), :func:`train_recipe` is ``python -m gan_course train dcgan ...``,
and :func:`load` returns a committed checkpoint.

Taught in: lessons 06 and 07 (lessons 08 and 09 score the committed DCGANs).
"""

from __future__ import annotations

import dataclasses
import shutil
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from .. import checkpoints, data, distributed, evaluation, runtime, train
from .gan import GANStep
from .wgan import WGANStep

BATCH_NORM = ("guidelines", "everywhere", "none")
IMAGE_SHAPE = (1, 28, 28)


def _check_batch_norm(batch_norm: str) -> None:
    if batch_norm not in BATCH_NORM:
        raise ValueError(f"batch_norm must be one of {BATCH_NORM}, got {batch_norm!r}")


def _norm(channels: int, on: bool) -> nn.Module:
    return nn.BatchNorm2d(channels) if on else nn.Identity()


class DCGANGenerator(nn.Module):
    """G: z (B, z_dim) -> image (B, 1, 28, 28) in [-1, 1]."""

    def __init__(
        self,
        z_dim: int = 100,                 # dimension of z ~ N(0, I)
        width: int = 64,                  # channels of the last hidden map; the first has 4x as many
        batch_norm: str = "guidelines",   # "guidelines", "everywhere" or "none"
    ):
        super().__init__()
        _check_batch_norm(batch_norm)
        hidden_bn, output_bn = batch_norm != "none", batch_norm == "everywhere"
        self.z_dim = z_dim
        self.net = nn.Sequential(
            nn.ConvTranspose2d(z_dim, 4 * width, 7, 1, 0, bias=not hidden_bn),       # (B, 4w, 7, 7)
            _norm(4 * width, hidden_bn), nn.ReLU(),
            nn.ConvTranspose2d(4 * width, 2 * width, 4, 2, 1, bias=not hidden_bn),   # (B, 2w, 14, 14)
            _norm(2 * width, hidden_bn), nn.ReLU(),
            nn.ConvTranspose2d(2 * width, width, 4, 2, 1, bias=not hidden_bn),       # (B, w, 28, 28)
            _norm(width, hidden_bn), nn.ReLU(),
            nn.ConvTranspose2d(width, 1, 3, 1, 1, bias=not output_bn),               # (B, 1, 28, 28)
            _norm(1, output_bn), nn.Tanh(),
        )

    @property
    def output_layer(self) -> nn.ConvTranspose2d:
        """The last transposed convolution, which makes the one output channel (before the tanh)."""
        return self.net[-3]

    def forward(self, z: Tensor) -> Tensor:
        if z.dim() != 2 or z.shape[1] != self.z_dim:
            raise ValueError(f"G expects z of shape (B, {self.z_dim}), got {tuple(z.shape)}")
        return self.net(z[:, :, None, None])  # (B, z_dim, 1, 1) -> (B, 1, 28, 28)

    def sample_z(self, n: int, device=None) -> Tensor:
        """Draw ``n`` noise vectors from N(0, I) on the generator's device."""
        device = device or next(self.parameters()).device
        return torch.randn(n, self.z_dim, device=device)


class DCGANDiscriminator(nn.Module):
    """D: image (B, 1, 28, 28) -> one logit per image (B,)."""

    def __init__(
        self,
        width: int = 64,                  # channels of the first hidden map; the next have 2x and 4x as many
        batch_norm: str = "guidelines",   # "guidelines", "everywhere" or "none"
    ):
        super().__init__()
        _check_batch_norm(batch_norm)
        input_bn, hidden_bn = batch_norm == "everywhere", batch_norm != "none"
        self.net = nn.Sequential(
            _norm(1, input_bn),
            nn.Conv2d(1, width, 4, 2, 1),                                   # (B, w, 14, 14)
            nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, 2, 1, bias=not hidden_bn),       # (B, 2w, 7, 7)
            _norm(2 * width, hidden_bn), nn.LeakyReLU(0.2),
            nn.Conv2d(2 * width, 4 * width, 3, 2, 1, bias=not hidden_bn),   # (B, 4w, 4, 4)
            _norm(4 * width, hidden_bn), nn.LeakyReLU(0.2),
            nn.Conv2d(4 * width, 1, 4, 1, 0),                               # (B, 1, 1, 1)
        )

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 4 or tuple(x.shape[1:]) != IMAGE_SHAPE:
            raise ValueError(f"D expects images of shape (B, 1, 28, 28), got {tuple(x.shape)}")
        return self.net(x).flatten()  # (B,)


def init_weights(module: nn.Module) -> None:
    """DCGAN's initialisation, for ``model.apply(init_weights)``: convolution weights ~ N(0, 0.02²)
    (standard deviation 0.02); batch-norm scales ~ N(1, 0.02²) and shifts 0; convolution biases 0."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


# --------------------------------------------------------------------------- the four DCGANs and their recipe

WIDTH = 32              # channels of G's last and D's first hidden map (the paper's 64 is more than 28x28 needs)
BATCH_SIZE = 64         # the paper: 128; 64 here, for more updates from 4,000 digits
EVAL_SAMPLES = 4000     # as many as the real-vs-real row of lesson 09 (the 4,000 training digits)
OBJECTIVES = ("gan", "wgan-gp")


@dataclass(frozen=True)
class DCGANConfig:
    """One DCGAN: where batch norm sits, the objective, and how it is trained.

    The defaults are Radford et al.'s (Adam 2e-4, beta1 0.5, the non-saturating GAN loss);
    the WGAN-GP variant takes Gulrajani et al.'s (Adam 1e-4, betas (0, 0.9), 5 critic
    updates, lambda 10) and a critic without batch norm, as the gradient penalty requires.
    """

    g_batch_norm: str = "guidelines"          # "guidelines", "everywhere" or "none"
    d_batch_norm: str = "guidelines"
    objective: str = "gan"                    # "gan" (non-saturating loss) or "wgan-gp"
    width: int = WIDTH
    z_dim: int = 100
    batch_size: int = BATCH_SIZE
    lr: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    n_critic: int = 1                         # D updates per G update
    gp_weight: float | None = None            # WGAN-GP's lambda
    epochs: int = 200                         # passes over the 4,000 training digits, in generator steps

    def __post_init__(self):
        _check_batch_norm(self.g_batch_norm), _check_batch_norm(self.d_batch_norm)
        if self.objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {OBJECTIVES}, got {self.objective!r}")


VARIANTS: dict[str, DCGANConfig] = {
    "dcgan": DCGANConfig(),
    "dcgan-bn-everywhere": DCGANConfig(g_batch_norm="everywhere", d_batch_norm="everywhere"),
    "dcgan-nobn": DCGANConfig(g_batch_norm="none", d_batch_norm="none"),
    # The two halves of "everywhere", to tell their effects apart: batch norm added on G's output only,
    # and on D's input only (each with the guidelines' batch norm in the hidden layers).
    "dcgan-bn-g-output": DCGANConfig(g_batch_norm="everywhere"),
    "dcgan-bn-d-input": DCGANConfig(d_batch_norm="everywhere"),
    # A WGAN-GP step reads five batches (one per critic update): 80 of its epochs cost about 200 of the others.
    "dcgan-wgangp": DCGANConfig(d_batch_norm="none", objective="wgan-gp", lr=1e-4, betas=(0.0, 0.9), n_critic=5,
                                gp_weight=10.0, epochs=80),
}


def variant(name: str) -> DCGANConfig:
    """The configuration of the DCGAN called ``name`` (a key of :data:`VARIANTS`)."""
    if name not in VARIANTS:
        raise ValueError(f"unknown DCGAN variant {name!r}; choose one of {sorted(VARIANTS)}")
    return VARIANTS[name]


def build(config: DCGANConfig) -> tuple[DCGANGenerator, DCGANDiscriminator]:
    """A freshly initialised (N(0, 0.02²)) generator and discriminator of ``config``."""
    G = DCGANGenerator(z_dim=config.z_dim, width=config.width, batch_norm=config.g_batch_norm)
    D = DCGANDiscriminator(width=config.width, batch_norm=config.d_batch_norm)
    G.apply(init_weights)
    D.apply(init_weights)
    return G, D


def make_step(config: DCGANConfig, G: nn.Module, D: nn.Module, autocast: torch.dtype | None = None) -> GANStep:
    """The training step of ``config``: its Adam optimizers and its objective."""
    d_opt = torch.optim.Adam(D.parameters(), lr=config.lr, betas=config.betas)
    g_opt = torch.optim.Adam(G.parameters(), lr=config.lr, betas=config.betas)
    if config.objective == "wgan-gp":
        return WGANStep(G, D, d_opt, g_opt, gp_weight=config.gp_weight, n_critic=config.n_critic, autocast=autocast)
    return GANStep(G, D, d_opt, g_opt, n_critic=config.n_critic, autocast=autocast)


def fit(config: DCGANConfig, digits: data.DigitData, steps: int, *, seed: int = 0, device=None,
        **train_options) -> tuple[DCGANGenerator, DCGANDiscriminator, train.History]:
    """Train a DCGAN of ``config`` on ``digits`` from scratch for ``steps`` generator steps.

    Seeds everything with ``seed`` first, so that the same seed gives the same networks, batches
    and noise. ``train_options`` go to :func:`gan_course.train.train` (callbacks, snapshots,
    checkpoints ...). Returns G and D in eval mode, and the run's history.
    """
    runtime.seed_everything(seed)
    device = device or digits.images.device
    G, D = (net.to(device) for net in build(config))
    history = train.train(make_step(config, G, D), digits.to(device).batches(config.batch_size, seed=seed), steps,
                          **train_options)
    return G.eval(), D.eval(), history


def load(name: str, device=None, root=checkpoints.ROOT) -> tuple[DCGANGenerator, DCGANDiscriminator]:
    """The committed (sha256-verified) generator and discriminator of ``name``, in eval mode."""
    state = checkpoints.load(name, root=root)
    G, D = build(dataclasses.replace(variant(name), width=state["width"]))
    G.load_state_dict(state["G"])
    D.load_state_dict(state["D"])
    return G.to(device or "cpu").eval(), D.to(device or "cpu").eval()


def train_recipe(name: str = "dcgan", seed: int = 0, epochs: int | None = None, width: int = WIDTH,
                 root=checkpoints.ROOT, limit: int | None = None, verbose: bool = True,
                 register: bool = False, cache=None) -> dict:
    """``python -m gan_course train <name>``: train one DCGAN on MNIST's train split and save it.

    Training writes a resumable checkpoint to ``<cache>/train/<run>/`` every 500 steps, so an
    interrupted run continues where it stopped when the same command is run again. The saved
    metrics are lesson 09's scores of :data:`EVAL_SAMPLES` samples against the held-out digits.

    Args:
        name: a key of :data:`VARIANTS`.
        seed: seeds the weights, the batch order and the noise.
        epochs: passes over the training split counted in generator steps; default the variant's.
        width: the networks' width.
        limit: use only the first ``limit`` training images (for tests).
        root: the registry folder (default: the committed one, :data:`gan_course.checkpoints.ROOT`).
        register: also register it in ``root``, replacing the committed checkpoint.
        cache: where to train and save (``<cache>/train/``, ``<cache>/checkpoints/``); default
            :func:`gan_course.runtime.cache_dir` (``data/cache/`` of a checkout).

    Returns:
        The manifest entry (see :func:`gan_course.checkpoints.save_trained`).

    Raises:
        ValueError: for an unknown variant, or ``epochs``, ``width`` or ``limit`` that are not integers >= 1.
    """
    config = variant(name)  # fail before loading any data
    checkpoints.check_recipe_options(epochs=epochs, width=width, limit=limit)
    config = dataclasses.replace(config, width=width, epochs=config.epochs if epochs is None else epochs)
    device = runtime.device()
    digits = data.load_mnist("train", verbose=verbose).to(device)
    if limit is not None:
        digits = data.DigitData(digits.images[:limit], digits.labels[:limit], digits.source)
    steps = config.epochs * max(1, len(digits) // config.batch_size)
    run_name = f"{name}-seed{seed}-epochs{config.epochs}" + (f"-limit{limit}" if limit is not None else "")
    run_dir = checkpoints.cache_root(cache) / "train" / run_name
    G, D, history = fit(config, digits, steps, seed=seed, checkpoint_dir=run_dir, checkpoint_every=500,
                        progress=verbose, log_every=None if verbose else 0)
    if not distributed.end_training():  # under torchrun: the other processes stop here, rank 0 goes on alone
        return None
    scorer = evaluation.Scorer(evaluation.load_classifier(device), data.load_mnist("test", verbose=False).images)
    scores = scorer.score(evaluation.sample_images(G, EVAL_SAMPLES, seed=seed))
    metrics = {**scores.row(), "class_shares": scores.class_shares, "steps": steps,
               "train_images": len(digits), "seconds": round(history.seconds, 1),
               "machine": runtime.describe_machine()}
    state = {"width": width, "G": {k: v.cpu() for k, v in G.state_dict().items()},
             "D": {k: v.cpu() for k, v in D.state_dict().items()}}
    command = checkpoints.recipe_command(name, seed, config.epochs, limit, register)
    entry = checkpoints.save_trained(name, state, command, digits.source, metrics, root, register, verbose,
                                     cache=cache)
    shutil.rmtree(run_dir)  # saved: the resumable copy is done with
    if verbose:
        print(f"{name}: {scores} ({history.seconds:.0f} s)")
    return entry
