"""A LeNet-style MNIST classifier: the course's stand-in for Inception when scoring generated digits.

Lesson 06 computes FID on its penultimate features (:meth:`MNISTClassifier.features`)
and the Inception Score on its class probabilities. It is trained by
``python -m gan_course train mnist-classifier`` (:func:`train_recipe`).

Lesson 12's judges (:func:`load_judge`) are the same network, trained on each generated image domain.

Taught in: lessons 08 and 09 (and lesson 07 scores its DCGANs with it; lesson 12 judges translations).
"""

from __future__ import annotations

import math
import time

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .. import checkpoints, data, distributed, runtime


class MNISTClassifier(nn.Module):
    """Images (B, 1, 28, 28) in [-1, 1] -> class logits (B, 10); ``features`` gives the penultimate layer."""

    def __init__(
        self,
        width: int = 32,        # channels of the first convolution; the second has 2x as many
        n_features: int = 256,  # size of the penultimate layer (the FID features)
        dropout: float = 0.5,   # dropout on the features during training
        channels: int = 1,      # of the input images (3: the colour digits of lesson 12)
    ):
        super().__init__()
        self.n_features, self.channels = n_features, channels
        self.body = nn.Sequential(
            nn.Conv2d(channels, width, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),       # (B, w, 14, 14)
            nn.Conv2d(width, 2 * width, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),      # (B, 2w, 7, 7)
            nn.Flatten(), nn.Linear(2 * width * 7 * 7, n_features), nn.ReLU(),         # (B, n_features)
        )
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(n_features, 10)

    def features(self, x: Tensor) -> Tensor:
        """The penultimate activations (B, n_features)."""
        if x.dim() != 4 or tuple(x.shape[1:]) != (self.channels, 28, 28):
            raise ValueError(f"the classifier expects images of shape (B, {self.channels}, 28, 28), got "
                             f"{tuple(x.shape)}")
        return self.body(x)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.dropout(self.features(x)))  # (B, 10)


# --------------------------------------------------------------------------- the recipe


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


def fit(model: MNISTClassifier, train_split: data.DigitData, test_split: data.DigitData, *, seed: int, epochs: int,
        batch_size: int = 64, lr: float = 3e-3, verbose: bool = True) -> float:
    """Train ``model`` (on the data's device) for ``epochs`` passes over ``train_split``: Adam with a one-cycle
    learning-rate schedule (peak ``lr``) and random affine augmentation, seeded with ``seed``. Prints the
    accuracy on ``test_split`` every 5 epochs when ``verbose``; returns the seconds it took. Under torchrun the
    processes train it together (:func:`gan_course.distributed.data_parallel`), each on its shard of every batch."""
    world = distributed.current()
    trained = distributed.data_parallel(model, world)  # the model itself in one process
    verbose = verbose and world.is_main
    opt = torch.optim.Adam(model.parameters(), lr=lr / 10)
    steps_per_epoch = max(1, len(train_split) // batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * steps_per_epoch)
    batches = train_split.batches(batch_size, seed=seed, with_labels=True)
    augment_gen = torch.Generator().manual_seed(distributed.rank_seed(seed + 1, world.rank) if world.active else seed + 1)
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        model.train()
        for _ in range(steps_per_epoch):
            images, labels = distributed.shard(next(batches), world)
            loss = F.cross_entropy(trained(random_affine(images, augment_gen)), labels)
            if not math.isfinite(loss.item()):
                raise RuntimeError(f"the classifier's loss became {loss.item()} in epoch {epoch}; try a smaller lr")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            schedule.step()
        if verbose and (epoch % 5 == 0 or epoch == epochs):
            print(f"epoch {epoch:>3}/{epochs}  loss {loss.item():.4f}  test accuracy {accuracy(model, test_split):.4f}")
    return time.perf_counter() - start


def train_recipe(seed: int = 0, epochs: int = 40, batch_size: int = 64, lr: float = 3e-3,
                 root=checkpoints.ROOT, limit: int | None = None, verbose: bool = True,
                 register: bool = False, cache=None) -> dict:
    """Train :class:`MNISTClassifier` on MNIST's train split and save it as ``mnist-classifier``.

    Adam with a one-cycle learning-rate schedule (peak ``lr``) and random affine augmentation (:func:`fit`).
    Accuracy is measured on the held-out test split: with the offline data, the last 100
    digits of each class (1,000), which training never sees.

    Args:
        seed: seeds the weights, the batch order and the augmentation.
        epochs: passes over the training split.
        limit: use only the first ``limit`` training images (for tests).
        root: the registry folder (default: the committed one, :data:`gan_course.checkpoints.ROOT`).
        register: also register it in ``root``, replacing the committed checkpoint.
        cache: the checkpoint is saved to ``<cache>/checkpoints/``; default :func:`gan_course.runtime.cache_dir`
            (``data/cache/`` of a checkout).

    Returns:
        The manifest entry (see :func:`gan_course.checkpoints.save_trained`).

    Raises:
        ValueError: for ``epochs`` or ``limit`` (when given) that are not integers >= 1.
    """
    checkpoints.check_recipe_options(epochs=epochs, limit=limit)
    runtime.seed_everything(seed)
    device = runtime.device()
    train_split = data.load_mnist("train", verbose=verbose).to(device)
    test_split = data.load_mnist("test", verbose=False).to(device)
    if limit is not None:
        train_split = data.DigitData(train_split.images[:limit], train_split.labels[:limit], train_split.source)
    model = MNISTClassifier().to(device)
    seconds = fit(model, train_split, test_split, seed=seed, epochs=epochs, batch_size=batch_size, lr=lr,
                  verbose=verbose)
    if not distributed.end_training():  # under torchrun: the other processes stop here, rank 0 goes on alone
        return None
    metrics = {"test_accuracy": accuracy(model, test_split), "train_accuracy": accuracy(model, train_split),
               "test_images": len(test_split), "train_images": len(train_split), "seconds": round(seconds, 1),
               "machine": runtime.describe_machine()}
    command = checkpoints.recipe_command("mnist-classifier", seed, epochs, limit, register)
    entry = checkpoints.save_trained("mnist-classifier", {k: v.cpu() for k, v in model.state_dict().items()}, command,
                                      train_split.source, metrics, root, register, verbose, cache=cache)
    if verbose:
        print(f"mnist-classifier: test accuracy {metrics['test_accuracy']:.4f} on "
              f"{metrics['test_images']} held-out digits ({seconds:.0f} s)")
    return entry


# --------------------------------------------------------------------------- judges of lesson 12's image domains

#: The judge of each image domain of :mod:`gan_course.data.domains`: the checkpoint that classifies its digits.
JUDGES = {"handwritten": "mnist-classifier", "printed": "judge-printed", "plain": "judge-plain",
          "textured": "judge-textured"}
JUDGE_SIZE = {"width": 16, "n_features": 128}  # smaller than the MNIST classifier: committed in half precision


def load_judge(domain: str, device=None, root=checkpoints.ROOT) -> MNISTClassifier:
    """The committed (sha256-verified) classifier of ``domain``'s digits, in eval mode."""
    if domain not in JUDGES:
        raise ValueError(f"domain must be one of {sorted(JUDGES)}, got {domain!r}")
    state = checkpoints.load(JUDGES[domain], root=root)
    if domain == "handwritten":
        model = MNISTClassifier()
    else:
        model = MNISTClassifier(**JUDGE_SIZE, channels=data.domains.channels(domain))
    model.load_state_dict({k: v.float() for k, v in state.items()})
    return model.to(device or "cpu").eval()


TEXTURE_DRAWS = (10, 11, 12)  # texture seeds of the textured judge's training images (the domain's own: 0)


def judge_training_set(domain: str) -> data.DigitData:
    """What the judge of ``domain`` learns from. Printed: the domain's training images. Plain and textured: the
    domain's images made from *all* of MNIST's training digits (the GAN's domains each get half of them), the
    textured ones on three draws of photo patches each, from the training photos only; their held-out sets
    (other digits, other photos) stay unseen. A judge is a measuring tool: its labels never reach a GAN."""
    if domain == "printed":
        return data.domains.load_domain(domain, "train")
    mnist = data.load_mnist("train", verbose=False)
    if domain == "plain":
        return data.DigitData(mnist.images.repeat(1, 3, 1, 1), mnist.labels, f"{mnist.source}, grey in 3 channels")
    images = torch.cat([data.domains.texture(mnist.images, seed=s) for s in TEXTURE_DRAWS])
    return data.DigitData(images, mnist.labels.repeat(len(TEXTURE_DRAWS)),
                          f"{mnist.source}, each on {len(TEXTURE_DRAWS)} photo patches (seeds {TEXTURE_DRAWS})")


def train_judge_recipe(domain: str, seed: int = 0, epochs: int = 30, root=checkpoints.ROOT,
                       limit: int | None = None, verbose: bool = True, register: bool = False, cache=None) -> dict:
    """``python -m gan_course train judge-<domain>``: a classifier of one generated domain's digits (printed,
    plain or textured; :mod:`gan_course.data.domains`), trained as :func:`train_recipe` trains the MNIST one,
    smaller (:data:`JUDGE_SIZE`) and stored in half precision; its held-out accuracy is measured on what is
    stored. Lesson 12 asks it which digit a translated image shows."""
    checkpoints.check_recipe_options(epochs=epochs, limit=limit)
    if domain not in JUDGES or domain == "handwritten":
        raise ValueError(f"domain must be one of printed, plain, textured, got {domain!r}")
    runtime.seed_everything(seed)
    device = runtime.device()
    train_split = judge_training_set(domain).to(device)
    test_split = data.domains.load_domain(domain, "test").to(device)
    if limit is not None:
        train_split = data.DigitData(train_split.images[:limit], train_split.labels[:limit], train_split.source)
    model = MNISTClassifier(**JUDGE_SIZE, channels=data.domains.channels(domain)).to(device)
    seconds = fit(model, train_split, test_split, seed=seed, epochs=epochs, verbose=verbose)
    if not distributed.end_training():  # under torchrun: the other processes stop here, rank 0 goes on alone
        return None
    state = {k: v.detach().cpu().half() for k, v in model.state_dict().items()}
    model.load_state_dict({k: v.float() for k, v in state.items()})  # measure what is stored
    metrics = {"test_accuracy": accuracy(model, test_split), "train_accuracy": accuracy(model, train_split),
               "test_images": len(test_split), "train_images": len(train_split), "seconds": round(seconds, 1),
               "machine": runtime.describe_machine()}
    name = JUDGES[domain]
    command = checkpoints.recipe_command(name, seed, epochs, limit, register)
    entry = checkpoints.save_trained(name, state, command, train_split.source, metrics, root, register, verbose,
                                     cache=cache)
    if verbose:
        print(f"{name}: test accuracy {metrics['test_accuracy']:.4f} on {metrics['test_images']} held-out digits "
              f"({seconds:.0f} s)")
    return entry


def domain_classifier(domain_a: data.DigitData, domain_b: data.DigitData, seed: int = 0, epochs: int = 3,
                      verbose: bool = False) -> MNISTClassifier:
    """A classifier of *which domain* an image comes from (output 0: ``domain_a``, 1: ``domain_b``; the digit is
    ignored), trained for a few passes over both sets: lesson 13 asks it whether switching Twin-GAN's batch
    norms switches the domain of its output. Returns it in eval mode."""
    if domain_a.images.shape[1:] != domain_b.images.shape[1:]:
        raise ValueError(f"both domains must hold images of one shape, got {tuple(domain_a.images.shape[1:])} and "
                         f"{tuple(domain_b.images.shape[1:])}")
    runtime.seed_everything(seed)
    both = data.DigitData(torch.cat([domain_a.images, domain_b.images]),
                          torch.cat([torch.zeros(len(domain_a)), torch.ones(len(domain_b))]).long().to(
                              domain_a.images.device), "two domains")
    model = MNISTClassifier(**JUDGE_SIZE, channels=domain_a.images.shape[1]).to(domain_a.images.device)
    fit(model, both, both, seed=seed, epochs=epochs, verbose=verbose)
    return model.eval()
