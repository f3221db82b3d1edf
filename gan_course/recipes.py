"""The recipes behind ``python -m gan_course train <recipe>``: each trains one model and saves it to
``data/cache/checkpoints/<name>.pt`` (git-ignored); only with ``--register`` does it replace the
committed checkpoint (:mod:`gan_course.checkpoints`), with the exact command that made it and what
was measured on it. A careless run never overwrites what the lessons load.

    python -m gan_course train mnist-classifier --seed 0 --epochs 40 --register
    python -m gan_course train dcgan --seed 0 --register   # and dcgan-nobn, dcgan-bn-everywhere, dcgan-wgangp

Used by: lessons 05, 06 (their committed checkpoints)
"""

from __future__ import annotations

import functools
import math
import shutil
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor

from . import checkpoints, data, evaluation, losses, runtime, train
from .models.classifier import MNISTClassifier
from .models.dcgan import DCGANDiscriminator, DCGANGenerator, init_weights


def random_affine(x: Tensor, generator: torch.Generator, rotation: float = 0.2, scale: float = 0.1,
                  shift: float = 0.1) -> Tensor:
    """Randomly rotated (±``rotation`` rad), scaled (±``scale``) and shifted (±``shift`` of the half-width)
    copies of images (B, 1, H, W) in [-1, 1]; new pixels are background (-1)."""
    B = x.shape[0]
    u = torch.rand(B, 4, generator=generator).to(x.device) * 2 - 1  # (B, 4) in [-1, 1]
    angle, zoom = u[:, 0] * rotation, 1 + u[:, 1] * scale
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    theta = torch.stack([torch.stack([cos, -sin, u[:, 2] * shift], 1),
                         torch.stack([sin, cos, u[:, 3] * shift], 1)], 1)  # (B, 2, 3)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x + 1, grid, align_corners=False) - 1  # zero padding of x + 1 = background -1


@torch.no_grad()
def accuracy(model: torch.nn.Module, digits: data.DigitData, batch_size: int = 1000) -> float:
    """The fraction of ``digits`` that ``model`` classifies correctly (in eval mode)."""
    model.eval()
    correct = 0
    for start in range(0, len(digits), batch_size):
        logits = model(digits.images[start:start + batch_size])
        correct += (logits.argmax(1) == digits.labels[start:start + batch_size]).sum().item()
    return correct / len(digits)


def train_mnist_classifier(seed: int = 0, epochs: int = 40, batch_size: int = 64, lr: float = 3e-3,
                           root=checkpoints.ROOT, limit: int | None = None, verbose: bool = True,
                           register: bool = False) -> dict:
    """Train :class:`MNISTClassifier` on MNIST's train split and save it as ``mnist-classifier``.

    Adam with a one-cycle learning-rate schedule (peak ``lr``) and random affine augmentation.
    Accuracy is measured on the held-out test split: with the offline data, the last 100
    digits of each class (1,000), which training never sees.

    Args:
        seed: seeds the weights, the batch order and the augmentation.
        epochs: passes over the training split.
        limit: use only the first ``limit`` training images (for tests).
        root: the registry folder; the checkpoint is saved to ``root/../cache/checkpoints/``.
        register: also register it in ``root``, replacing the committed checkpoint.

    Returns:
        The manifest entry (see :func:`_save`).

    Raises:
        ValueError: for ``epochs`` or ``limit`` (when given) that are not integers >= 1.
    """
    _check_options(epochs=epochs, limit=limit)
    runtime.seed_everything(seed)
    device = runtime.device()
    train_split = data.load_mnist("train", verbose=verbose).to(device)
    test_split = data.load_mnist("test", verbose=False).to(device)
    if limit is not None:
        train_split = data.DigitData(train_split.images[:limit], train_split.labels[:limit], train_split.source)
    model = MNISTClassifier().to(device)
    opt = torch.optim.Adam(model.parameters(), lr=lr / 10)
    steps_per_epoch = max(1, len(train_split) // batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * steps_per_epoch)
    batches = train_split.batches(batch_size, seed=seed, with_labels=True)
    augment_gen = torch.Generator().manual_seed(seed + 1)
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        model.train()
        for _ in range(steps_per_epoch):
            images, labels = next(batches)
            loss = F.cross_entropy(model(random_affine(images, augment_gen)), labels)
            if not math.isfinite(loss.item()):
                raise RuntimeError(f"the classifier's loss became {loss.item()} in epoch {epoch}; try a smaller lr")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            schedule.step()
        if verbose and (epoch % 5 == 0 or epoch == epochs):
            print(f"epoch {epoch:>3}/{epochs}  loss {loss.item():.4f}  test accuracy {accuracy(model, test_split):.4f}")
    seconds = time.perf_counter() - start
    metrics = {"test_accuracy": accuracy(model, test_split), "train_accuracy": accuracy(model, train_split),
               "test_images": len(test_split), "train_images": len(train_split), "seconds": round(seconds, 1),
               "machine": runtime.describe_machine()}
    command = _command("mnist-classifier", seed, epochs, limit, register)
    entry = _save("mnist-classifier", {k: v.cpu() for k, v in model.state_dict().items()}, command,
                  train_split.source, metrics, root, register, verbose)
    if verbose:
        print(f"mnist-classifier: test accuracy {metrics['test_accuracy']:.4f} on "
              f"{metrics['test_images']} held-out digits ({seconds:.0f} s)")
    return entry


def _check_options(**options) -> None:
    """Raise unless every given option (None: not given) is an integer >= 1, naming the option."""
    for name, value in options.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ValueError(f"{name} must be an integer >= 1, got {value!r}")


def _command(name: str, seed: int, epochs: int, limit: int | None, register: bool) -> str:
    """The command line that reproduces the checkpoint ``name`` trained with these options."""
    return (f"python -m gan_course train {name} --seed {seed} --epochs {epochs}"
            + (f" --limit {limit}" if limit is not None else "") + (" --register" if register else ""))


def _save(name: str, state: dict, command: str, data_source: str, metrics: dict, root, register: bool,
          verbose: bool) -> dict:
    """Save ``state`` (tensors and plain values only) to ``root/../cache/checkpoints/<name>.pt``, and with
    ``register`` also register it as ``name`` in ``root``; print which (when ``verbose``).

    Returns:
        The manifest entry written; unregistered, an entry of the same form whose ``file`` is the cache path.
    """
    cached = Path(root).parent / "cache" / "checkpoints" / f"{name}.pt"
    cached.parent.mkdir(parents=True, exist_ok=True)
    checkpoints.write_atomically(cached, lambda f: torch.save(state, f))
    if register:
        entry = checkpoints.register(name, cached, command=command, data=data_source, metrics=metrics, root=root)
        where = f"registered {name}: {Path(root) / entry['file']} and its entry in {Path(root) / checkpoints.MANIFEST}"
    else:
        entry = {"file": str(cached), "sha256": checkpoints.sha256_of(cached), "size": cached.stat().st_size,
                 "command": command, "data": data_source, "metrics": metrics}
        where = (f"saved {name} to {cached} (not registered; add --register to replace the committed "
                 f"checkpoint in {Path(root)})")
    if verbose:
        print(where)
    return entry


# --------------------------------------------------------------------------- DCGAN on MNIST

# The four DCGANs of lessons 05 and 06. Radford et al.'s settings (Adam 2e-4, beta1 0.5, batch 128 in the
# paper; 64 here, for more updates from 4,000 digits) with batch norm per the guidelines, everywhere or
# nowhere; and the WGAN-GP objective (Gulrajani et al.'s Adam 1e-4, betas (0, 0.9), 5 critic updates,
# lambda 10) with a critic without batch norm, as the gradient penalty requires.
DCGAN_VARIANTS = {
    "dcgan": dict(g_batch_norm="guidelines", d_batch_norm="guidelines", objective="gan"),
    "dcgan-bn-everywhere": dict(g_batch_norm="everywhere", d_batch_norm="everywhere", objective="gan"),
    "dcgan-nobn": dict(g_batch_norm="none", d_batch_norm="none", objective="gan"),
    "dcgan-wgangp": dict(g_batch_norm="guidelines", d_batch_norm="none", objective="wgan-gp"),
}
# Default passes over the 4,000 training digits (62 generator steps each). A WGAN-GP step reads five
# batches (one per critic update), so 80 of its epochs cost about as much as 200 of the others.
DCGAN_EPOCHS = {"dcgan": 200, "dcgan-bn-everywhere": 200, "dcgan-nobn": 200, "dcgan-wgangp": 80}
DCGAN_WIDTH = 32
DCGAN_BATCH_SIZE = 64
DCGAN_EVAL_SAMPLES = 4000  # as many as the real-vs-real row of lesson 06 (the 4,000 training digits)


def dcgan_training_setup(variant: str, G: torch.nn.Module, D: torch.nn.Module, steps: int) -> dict:
    """The optimizers, losses, critic steps and callbacks of ``variant`` for a run of ``steps`` generator
    steps: keyword arguments for :func:`train.train` (add your own callbacks to ``["callbacks"]``)."""
    objective = _dcgan_variant(variant)["objective"]
    if objective == "wgan-gp":
        adam = dict(lr=1e-4, betas=(0.0, 0.9))
        rules = dict(d_loss=losses.wasserstein_d_loss, g_loss=losses.wasserstein_g_loss, n_critic=5,
                     d_penalty=losses.gradient_penalty)
    else:
        adam = dict(lr=2e-4, betas=(0.5, 0.999))
        rules = dict(d_loss=losses.minimax_d_loss, g_loss=losses.nonsaturating_g_loss)
    return dict(d_opt=torch.optim.Adam(D.parameters(), **adam), g_opt=torch.optim.Adam(G.parameters(), **adam),
                callbacks=[], **rules)


def _dcgan_variant(variant: str) -> dict:
    if variant not in DCGAN_VARIANTS:
        raise ValueError(f"unknown DCGAN variant {variant!r}; choose one of {sorted(DCGAN_VARIANTS)}")
    return DCGAN_VARIANTS[variant]


def build_dcgan(variant: str, width: int = DCGAN_WIDTH) -> tuple[DCGANGenerator, DCGANDiscriminator]:
    """A freshly initialised (N(0, 0.02)) generator and discriminator of ``variant``."""
    config = _dcgan_variant(variant)
    G = DCGANGenerator(width=width, batch_norm=config["g_batch_norm"])
    D = DCGANDiscriminator(width=width, batch_norm=config["d_batch_norm"])
    G.apply(init_weights)
    D.apply(init_weights)
    return G, D


def load_dcgan(variant: str, device=None, root=checkpoints.ROOT) -> tuple[DCGANGenerator, DCGANDiscriminator]:
    """The committed (sha256-verified) generator and discriminator of ``variant``, in eval mode."""
    state = checkpoints.load(variant, root=root)
    G, D = build_dcgan(variant, width=state["width"])
    G.load_state_dict(state["G"])
    D.load_state_dict(state["D"])
    return G.to(device or "cpu").eval(), D.to(device or "cpu").eval()


def train_dcgan(variant: str = "dcgan", seed: int = 0, epochs: int | None = None, width: int = DCGAN_WIDTH,
                root=checkpoints.ROOT, limit: int | None = None, verbose: bool = True,
                register: bool = False) -> dict:
    """Train one DCGAN variant on MNIST's train split and save it under the variant's name.

    Training writes a resumable checkpoint to ``data/cache/train/<run>/`` every 500 steps, so an
    interrupted run continues where it stopped when the same command is run again. The registered
    metrics are lesson 06's scores of 4,000 samples against the held-out test digits.

    Args:
        variant: a key of :data:`DCGAN_VARIANTS`.
        seed: seeds the weights, the batch order and the noise.
        epochs: passes over the training split counted in generator steps (a WGAN-GP step reads 5
            batches); default :data:`DCGAN_EPOCHS` of the variant.
        width: the networks' width (see :mod:`gan_course.models.dcgan`).
        limit: use only the first ``limit`` training images (for tests).
        root: the registry folder; the checkpoint is saved to ``root/../cache/checkpoints/``.
        register: also register it in ``root``, replacing the committed checkpoint.

    Returns:
        The manifest entry (see :func:`_save`).

    Raises:
        ValueError: for an unknown variant, or ``epochs``, ``width`` or ``limit`` that are not integers >= 1.
    """
    _dcgan_variant(variant)  # fail before loading any data
    _check_options(epochs=epochs, width=width, limit=limit)
    epochs = DCGAN_EPOCHS[variant] if epochs is None else epochs
    runtime.seed_everything(seed)
    device = runtime.device()
    digits = data.load_mnist("train", verbose=verbose).to(device)
    if limit is not None:
        digits = data.DigitData(digits.images[:limit], digits.labels[:limit], digits.source)
    G, D = build_dcgan(variant, width)  # after seeding: the same weights for the same seed
    G, D = G.to(device), D.to(device)
    steps = epochs * max(1, len(digits) // DCGAN_BATCH_SIZE)
    command = _command(variant, seed, epochs, limit, register)
    run_name = f"{variant}-seed{seed}-epochs{epochs}" + (f"-limit{limit}" if limit is not None else "")
    run_dir = Path(root).parent / "cache" / "train" / run_name
    history = train.train(G, D, digits.batches(DCGAN_BATCH_SIZE, seed=seed), steps=steps,
                          checkpoint_dir=run_dir, checkpoint_every=500, progress=verbose,
                          log_every=None if verbose else 0, **dcgan_training_setup(variant, G, D, steps))
    scorer = evaluation.Scorer(evaluation.load_classifier(device), data.load_mnist("test", verbose=False).images)
    scores = scorer.score(evaluation.sample_images(G, DCGAN_EVAL_SAMPLES, seed=seed))
    metrics = {**scores.row(), "class_shares": scores.class_shares, "steps": steps,
               "train_images": len(digits), "seconds": round(history.seconds, 1),
               "machine": runtime.describe_machine()}
    state = {"width": width, "G": {k: v.cpu() for k, v in G.state_dict().items()},
             "D": {k: v.cpu() for k, v in D.state_dict().items()}}
    entry = _save(variant, state, command, digits.source, metrics, root, register, verbose)
    shutil.rmtree(run_dir)  # saved: the resumable copy is done with
    if verbose:
        print(f"{variant}: {scores} ({history.seconds:.0f} s)")
    return entry


RECIPES = {"mnist-classifier": train_mnist_classifier,
           **{variant: functools.partial(train_dcgan, variant) for variant in DCGAN_VARIANTS}}
