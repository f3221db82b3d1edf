"""Check of lesson 00's open exercise: settings that make a small GAN learn a mixture of three Gaussians.

The student returns training settings (learning rate and number of steps); the check trains the
lesson's GAN with them from a fixed seed (:func:`train_three_modes`) and grades the *outcome*: the
distance to the data (W1) and the share of samples at each mode, with a hint for what to change
when a threshold is missed.

Taught in: lesson 00
"""

from __future__ import annotations

import math

import torch

from .. import metrics, train
from ..data import mixture_1d
from ..models.gan import GANStep, MLPDiscriminator, MLPGenerator
from ..runtime import torch_threads
from ._common import _number_in, _settings, exercise_check

THREE_MODES = dict(means=(-3.0, 0.0, 3.0), std=0.5)  # the exercise's data: N(-3, 0.5²), N(0, 0.5²), N(3, 0.5²)
MAX_STEPS = 20_000      # the most generator steps the check will train (about 40 s on one laptop core)
W1_TARGET = 0.22       # the data's own W1 between two samples of 5,000 is about 0.03
SHARE_TARGET = 0.28     # every mode gets at least this share of the samples (the data: 1/3 each)


def three_mode_data():
    """The exercise's data set: three Gaussians at -3, 0 and 3 with standard deviation 0.5."""
    return mixture_1d(**THREE_MODES)


def train_three_modes(lr: float, steps: int, seed: int = 0) -> MLPGenerator:
    """Lesson 00's GAN (G and D: 2 hidden layers of 64; Adam with beta1 0.5 for both; batch 256) trained
    on :func:`three_mode_data` for ``steps`` generator steps at learning rate ``lr``, from ``seed``."""
    if not (isinstance(lr, (int, float)) and math.isfinite(lr) and 0 < lr < 1):
        raise ValueError(f"lr must be a number in (0, 1), got {lr!r}")
    if not isinstance(steps, int) or isinstance(steps, bool) or not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be an integer from 1 to {MAX_STEPS:,}, got {steps!r}")
    dist = three_mode_data()
    with torch.random.fork_rng(devices=[]), torch_threads(1):  # tiny MLPs: 9 s alone, 98 s beside a busy one on 2
        torch.manual_seed(seed)
        G = MLPGenerator(z_dim=8, data_dim=1, hidden=64, depth=2)
        D = MLPDiscriminator(data_dim=1, hidden=64, depth=2)
        step = GANStep(G, D, torch.optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.999)),
                       torch.optim.Adam(G.parameters(), lr=lr, betas=(0.5, 0.999)))
        train.train(step, dist.batches(256, seed=seed), steps, progress=False, log_every=0)
    return G.eval()


def measure_three_modes(G, n: int = 5000, seed: int = 1) -> tuple[float, list[float]]:
    """W1 between ``n`` samples of G and of the data, and the share of G's samples nearest each mode."""
    dist = three_mode_data()
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        fake = G(torch.randn(n, G.z_dim, generator=generator)).cpu()
    w1 = metrics.wasserstein1(fake, dist.sample(n, generator))
    return float(w1), [float(s) for s in metrics.mode_fractions(fake, dist.centers)]


@exercise_check(seed=0)
def three_modes(student_fn) -> None:
    """Check (open exercise): grade the settings ``student_fn()`` returns (``lr``, ``steps``) on the outcome."""
    settings = _settings(student_fn, ("lr", "steps"), "{'lr': 2e-4, 'steps': 5000}")
    lr = _number_in(settings, "lr", 1e-6, 0.5)
    steps = _number_in(settings, "steps", 1, MAX_STEPS, integer=True)
    G = train_three_modes(lr, steps)
    w1, shares = measure_three_modes(G)
    outcome = f"W1 to the data {w1:.3f}, shares of the three modes {', '.join(f'{s:.2f}' for s in shares)}"
    hints = []
    if min(shares) < SHARE_TARGET:
        hints.append(f"a mode gets only {min(shares):.0%} of the samples (target >= {SHARE_TARGET:.0%}): G has not "
                     "yet moved enough mass onto it; it needs more steps, or larger ones")
    if w1 >= W1_TARGET:
        hints.append(f"W1 is {w1:.3f} (target < {W1_TARGET}): if the shares are fine, the samples are spread too "
                     "wide or sit off the modes; a learning rate that is too large keeps G and D oscillating "
                     "(try a smaller one and more steps), one that is too small has not converged yet")
    if hints:
        raise AssertionError(f"with lr {settings['lr']:g} and {settings['steps']:,} steps: {outcome}. " + "; ".join(hints))
    print(f"✔ three_modes passed: learned with lr {settings['lr']:g} and {settings['steps']:,} steps: {outcome}")
