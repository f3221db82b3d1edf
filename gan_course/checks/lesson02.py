"""Checks of lesson 02, divergences and distances: KL and JS between discrete distributions, and the exact
1D Wasserstein-1 distance between two sample sets.

The cases include what the formulas leave to a convention: outcomes where both distributions are 0,
supports that do not meet, a single outcome or sample, identical distributions.

Taught in: lesson 02
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor

from .. import metrics
from ._common import _call, _number, _number_close, _number_in, _passed, _settings, _unchanged, exercise_check


def _discrete_cases():
    gen = torch.Generator().manual_seed(20)
    p7, q7 = torch.rand(7, generator=gen, dtype=torch.float64) + 0.05, torch.rand(7, generator=gen, dtype=torch.float64)
    return [
        ("identical", torch.tensor([0.25, 0.25, 0.5]), torch.tensor([0.25, 0.25, 0.5])),
        ("two outcomes", torch.tensor([0.5, 0.5]), torch.tensor([0.9, 0.1])),
        ("the other way round", torch.tensor([0.9, 0.1]), torch.tensor([0.5, 0.5])),
        ("p has a zero", torch.tensor([0.0, 0.5, 0.5]), torch.tensor([0.2, 0.3, 0.5])),
        ("q has a zero where p does not", torch.tensor([0.2, 0.3, 0.5]), torch.tensor([0.0, 0.5, 0.5])),
        ("outcomes where both are 0", torch.tensor([0.0, 0.3, 0.0, 0.7]), torch.tensor([0.0, 0.6, 0.0, 0.4])),
        ("a single outcome", torch.tensor([1.0]), torch.tensor([1.0])),
        ("7 random outcomes", p7 / p7.sum(), q7 / q7.sum()),
    ]


def _divergence_cases(student_fn: Callable, name: str, cases, reference: Callable, hint: str) -> None:
    for case, p, q in cases:
        originals = {"p": p.clone(), "q": q.clone()}
        passed = {"p": p.clone(), "q": q.clone()}
        received = _number(_call(student_fn, case, passed["p"], passed["q"], expected="one number (nats)"), case)
        _unchanged(originals, passed, case)
        _number_close(received, reference(p, q), case, hint)
    _passed(name, len(cases))


@exercise_check(seed=20)
def kl_divergence(student_fn: Callable[[Tensor, Tensor], float]) -> None:
    """Check ``student_fn(p, q) = KL(p || q)`` (nats) for discrete distributions, ``inf`` where q misses p's mass."""
    hint = ("KL(p||q) = sum p_i log(p_i / q_i) with the natural logarithm; terms with p_i = 0 are 0 (also where "
            "q_i = 0); it is inf when q_i = 0 < p_i; it is not symmetric.")
    _divergence_cases(student_fn, "kl_divergence", _discrete_cases(), metrics.kl_divergence, hint)


@exercise_check(seed=21)
def js_divergence(student_fn: Callable[[Tensor, Tensor], float]) -> None:
    """Check ``student_fn(p, q) = JS(p, q)`` (nats) for discrete distributions."""
    hint = ("JS = KL(p||m)/2 + KL(q||m)/2 with m = (p + q)/2, natural logarithms; it is symmetric, finite and at "
            "most log 2 = 0.693147 (reached by disjoint distributions); terms with p_i = 0 are 0.")
    cases = _discrete_cases() + [
        ("disjoint", torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])),
        ("disjoint, with outcomes where both are 0", torch.tensor([0.0, 0.6, 0.0, 0.4, 0.0]),
         torch.tensor([0.1, 0.0, 0.0, 0.0, 0.9])),
    ]
    _divergence_cases(student_fn, "js_divergence", cases, metrics.js_divergence, hint)


@exercise_check(seed=22)
def wasserstein1_1d(student_fn: Callable[[Tensor, Tensor], float]) -> None:
    """Check ``student_fn(x, y)``: the exact W1 between two 1D sample sets of equal size."""
    gen = torch.Generator().manual_seed(3)
    spread = torch.randn(9, generator=gen)
    cases = [
        ("a shift", torch.tensor([0.0, 1.0, 2.0]), torch.tensor([3.0, 4.0, 5.0]), "Shifting by 3 costs 3."),
        ("unsorted samples", torch.tensor([2.0, 0.0, 1.0]), torch.tensor([1.0, 5.0, 3.0]),
         "Match the samples in sorted order (the i-th smallest with the i-th smallest)."),
        ("random samples", torch.randn(50, generator=gen), 2 + 0.5 * torch.randn(50, generator=gen),
         "W1 = mean |sort(x) - sort(y)|."),
        ("crossing distributions", torch.tensor([-1.0, 1.0]), torch.tensor([0.0, 0.0]),
         "Take the absolute value of each difference before averaging."),
        ("a batch of one", torch.tensor([-0.7]), torch.tensor([1.8]), "One sample each: W1 = |x - y|."),
        ("the same samples in another order", spread, spread[torch.randperm(9, generator=gen)],
         "The same empirical distribution, shuffled: W1 = 0 (sort both before comparing)."),
        ("repeated values", torch.tensor([1.0, 1.0, 3.0, 0.0]), torch.tensor([2.0, -1.0, 2.0, 2.0]),
         "Sort the values (torch.sort(x).values, not the indices) and average the absolute differences."),
    ]
    for case, x, y, hint in cases:
        originals = {"x": x.clone(), "y": y.clone()}
        passed = {"x": x.clone(), "y": y.clone()}
        received = _number(_call(student_fn, case, passed["x"], passed["y"], expected="one number"), case)
        _unchanged(originals, passed, case)
        _number_close(received, metrics.wasserstein1(x, y), case, hint)
    _passed("wasserstein1_1d", len(cases))


# --------------------------------------------------------------------------- the open exercise

MAX_CRITIC_STEPS = 1500  # the budget of the open exercise's critic
W1_TOLERANCE = 0.02      # relative error of its estimate


def train_w1_critic(steps: int, lr: float, gp_weight: float, seed: int = 0) -> tuple[float, float]:
    """Lesson 02's gradient-penalty critic (2 hidden layers of 64, Adam with betas (0, 0.9), batch 256) trained
    for ``steps`` updates between its ring (radius 1.5) and blob; returns (its estimate E_r f - E_g f on 20,000
    fresh samples a side, POT's exact W1 on 2,000 samples a side)."""
    from .. import losses
    from ..data import GaussianMixture, ring_of_gaussians
    from ..models.gan import MLPDiscriminator, fit_discriminator

    ring, blob = ring_of_gaussians(8, radius=1.5, std=0.1), GaussianMixture([[0.0, 0.0]], std=0.5, name="blob")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        critic = MLPDiscriminator(data_dim=2, hidden=64, depth=2)
        fit_discriminator(critic, ring.batches(256, seed=seed + 1), blob.batches(256, seed=seed + 2), steps=steps,
                          d_opt=torch.optim.Adam(critic.parameters(), lr=lr, betas=(0.0, 0.9)),
                          d_loss=losses.wasserstein_d_loss,
                          d_penalty=lambda f, real, fake: losses.gradient_penalty(f, real, fake, weight=gp_weight))
        generator = torch.Generator().manual_seed(seed + 3)
        real, fake = ring.sample(20_000, generator), blob.sample(20_000, generator)
        with torch.no_grad():
            estimate = (critic(real).mean() - critic(fake).mean()).item()
    exact = metrics.wasserstein1(real[:2000], fake[:2000])
    return estimate, exact


@exercise_check(seed=23)
def critic_w1(student_fn) -> None:
    """Check (open exercise): grade the settings ``{'steps', 'lr', 'gp_weight'}`` of a gradient-penalty critic on the outcome: its
    estimate of W1 within 2% of the exact value, in at most 1,500 updates."""
    settings = _settings(student_fn, ("steps", "lr", "gp_weight"), "{'steps': 1000, 'lr': 1e-4, 'gp_weight': 10.0}")
    steps = _number_in(settings, "steps", 1, MAX_CRITIC_STEPS, integer=True)
    lr, weight = _number_in(settings, "lr", 1e-6, 0.1), _number_in(settings, "gp_weight", 0.0, 1e4)
    estimate, exact = train_w1_critic(steps, lr, weight)
    error = (estimate - exact) / exact
    if abs(error) > W1_TOLERANCE:
        hint = ("it reads too little: the critic has not converged (more updates or larger ones), or its slope is "
                "held below 1" if error < 0 else
                "it reads too much: a soft penalty lets the slope exceed 1 (by about W1 / (2 lambda), section 5), "
                "or the critic has not settled")
        raise AssertionError(f"with {steps} updates, lr {lr:g}, lambda {weight:g}: the critic reads {estimate:.4f}, "
                             f"the exact W1 is {exact:.4f} ({100 * error:+.1f}%, target within "
                             f"{100 * W1_TOLERANCE:.0f}%). Hint: {hint}")
    print(f"✔ critic_w1 passed: the critic reads {estimate:.4f}, the exact W1 is {exact:.4f} ({100 * error:+.1f}%)")
