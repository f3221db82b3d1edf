"""Checks of lesson 03, the first GAN: one training step (D's update, then G's) and the mode-coverage
numbers of a generator on a Gaussian mixture.

``training_step`` runs the student's step and a reference side by side on two GANs of the course --
the toy MLP pair and a small DCGAN pair with batch norm in both networks -- and compares the returned
losses and every parameter after each step. The reference is written here with plain torch and
:mod:`gan_course.losses`, so that the check does not depend on the course's training loop.

Taught in: lesson 03
"""

from __future__ import annotations

import copy
import math
from typing import Callable

import torch
from torch import Tensor

from .. import losses, metrics
from ._common import _call, _describe, _number, _number_close, _number_in, _passed, _settings, exercise_check


def _reference_training_step(G, D, d_opt, g_opt, real, z) -> tuple[float, float]:
    fake = G(z).detach()  # D's update must not reach G
    d_loss = losses.minimax_d_loss(D(real), D(fake))
    d_opt.zero_grad()
    d_loss.backward()
    d_opt.step()
    g_loss = losses.nonsaturating_g_loss(D(G(z)))  # through the updated D
    g_opt.zero_grad()
    g_loss.backward()
    g_opt.step()
    return d_loss.item(), g_loss.item()


def _mlp_pair():
    from ..models.gan import MLPDiscriminator, MLPGenerator

    return MLPGenerator(z_dim=3, data_dim=2, hidden=8, depth=1), MLPDiscriminator(data_dim=2, hidden=8, depth=1)


def _conv_pair():
    from ..models.dcgan import DCGANDiscriminator, DCGANGenerator

    return DCGANGenerator(z_dim=4, width=2), DCGANDiscriminator(width=2)  # batch norm in G and in D


_SETUPS = [  # name, networks, batch size, sample shape, z_dim
    ("MLP GAN", _mlp_pair, 16, (2,), 3),
    ("MLP GAN, a batch of one", _mlp_pair, 1, (2,), 3),
    ("DCGAN with batch norm", _conv_pair, 6, (1, 28, 28), 4),
]
_ORDER = ("Order: D's update (zero_grad, backward, step), then G's through the updated D; zero each optimizer's "
          "gradients before its backward pass; D moves only by d_opt.step() on d_loss (not on G's loss), G only by "
          "g_opt.step(); use the optimizers you are given; G uses the non-saturating loss.")
_BATCH_NORM = (" With batch norm, D sees the real and the fake batch as two separate batches (no torch.cat) and "
               "stays in training mode for G's update, as in the lesson.")


def _pair(out, case: str) -> tuple[float, float]:
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise AssertionError(f"case '{case}': expected a pair (d_loss, g_loss), received {_describe(out)}")
    return _number(out[0], case), _number(out[1], case)


def _compare_parameters(name: str, ref, yours, before: dict, case: str, hint: str) -> None:
    params = dict(yours.named_parameters())
    if all(torch.equal(p.detach(), before[k]) for k, p in params.items()):
        raise AssertionError(
            f"case '{case}': expected {name}'s parameters to change in this step, received the same parameters as "
            f"before it. " + ("The G update needs a fake batch that is still connected to G: compute D(G(z)) again "
                              "rather than reusing the detached one, and call g_opt.step()." if name == "G" else
                              "Call d_opt.zero_grad() before d_loss.backward() and d_opt.step() after it (zero_grad "
                              "between backward and step throws the gradients away)."))
    for param, a in ref.named_parameters():
        b = params[param].detach()
        if not torch.allclose(a.detach(), b, atol=1e-5, rtol=1e-4):
            raise AssertionError(f"case '{case}': expected parameter '{param}' to equal the reference's, received "
                                 f"values that differ by up to {(a.detach() - b).abs().max().item():.2e}. {hint}")


@exercise_check(seed=30)
def training_step(student_fn: Callable) -> None:
    """Check ``student_fn(G, D, d_opt, g_opt, real, z) -> (d_loss, g_loss)``: one D update, then one G update.

    The D update uses ``losses.minimax_d_loss`` on real and on G(z) *detached*; the G update uses
    ``losses.nonsaturating_g_loss`` on D(G(z)) through the updated D. Two steps in a row are compared with
    the reference after each step, parameter by parameter, on an MLP pair and on a DCGAN pair with batch norm.
    """
    n_cases = 0
    prepared = [(setup, networks(), [(torch.randn(batch, *shape) + 0.5, torch.randn(batch, z_dim)) for _ in range(2)])
                for setup, networks, batch, shape, z_dim in _SETUPS]  # before any call: the same for every answer
    for setup, (G, D), batches in prepared:
        nets = {"reference": (G, D), "yours": (copy.deepcopy(G), copy.deepcopy(D))}
        opts, passes = {}, {}
        for who, (g, d) in nets.items():
            opts[who] = (torch.optim.SGD(d.parameters(), lr=0.05, momentum=0.9),
                         torch.optim.SGD(g.parameters(), lr=0.05, momentum=0.9))
            passes[who] = []  # one entry per backward pass that reached G's first parameter
            next(g.parameters()).register_hook(lambda grad, log=passes[who]: log.append(1))
        hint = _ORDER + (_BATCH_NORM if "batch norm" in setup else "")
        for i, (real, z) in enumerate(batches):
            (G, D), (d_opt, g_opt) = nets["reference"], opts["reference"]
            d_ref, g_ref = _reference_training_step(G, D, d_opt, g_opt, real.clone(), z.clone())
            (G, D), (d_opt, g_opt) = nets["yours"], opts["yours"]
            before = {name: {k: p.detach().clone() for k, p in net.named_parameters()} for name, net in
                      (("D", D), ("G", G))}
            step = f"step {i + 1} ({setup})"
            out = _call(student_fn, f"training {step}", G, D, d_opt, g_opt, real.clone(), z.clone(),
                        expected="a pair (d_loss, g_loss)")
            d_yours, g_yours = _pair(out, f"training {step}")
            case = f"the D update does not reach G, {step}"
            if len(passes["yours"]) > len(passes["reference"]):
                raise AssertionError(
                    f"case '{case}': expected {len(passes['reference'])} backward passes through G so far (one per "
                    f"G update), received {len(passes['yours'])}. Detach the fake batch for D's loss (G(z).detach(), "
                    "or generate it under torch.no_grad()).")
            case = f"returned losses, {step}"
            G_ref, D_ref = nets["reference"]
            _number_close(d_yours, d_ref, case, "d_loss: losses.minimax_d_loss(D(real), D(fake)) before D's update, "
                          "returned as a float (.item()). " + hint, tol=1e-4)
            _compare_parameters("D", D_ref, D, before["D"], f"D's parameters after {step}", hint)
            _number_close(g_yours, g_ref, case, "g_loss: losses.nonsaturating_g_loss(D(G(z))) with the *updated* D "
                          "(D first, then G). " + hint, tol=1e-4)
            _compare_parameters("G", G_ref, G, before["G"], f"G learns: G's parameters after {step}", hint)
            n_cases += 1
    _passed("training_step", n_cases)


@exercise_check(seed=31)
def mode_coverage(student_fn: Callable[[Tensor, Tensor, float], tuple]) -> None:
    """Check ``student_fn(samples, centers, std) -> (modes, hq_fraction, reverse_kl)`` (VEEGAN/PacGAN protocol)."""
    square = torch.tensor([[0.0, 0.0], [0.0, 2.0], [2.0, 0.0], [2.0, 2.0]])  # 4 modes, std 0.1: 3 std = 0.3
    gen = torch.Generator().manual_seed(6)
    grid = torch.stack(torch.meshgrid(torch.arange(5.0), torch.arange(5.0), indexing="ij"), -1).reshape(-1, 2) * 2
    noisy = grid[torch.randint(25, (400,), generator=gen)] + 0.12 * torch.randn(400, 2, generator=gen)
    ring = torch.stack([torch.cos(torch.arange(8) * math.pi / 4), torch.sin(torch.arange(8) * math.pi / 4)], 1) * 3
    cases = [
        ("every mode hit equally, samples at the centres", square.repeat(5, 1), square, 0.1, (4, 1.0, 0.0),
         "Four modes, all samples of high quality, an even histogram: KL to the uniform is 0."),
        ("all samples at one mode", square[:1].repeat(8, 1), square, 0.1, (1, 1.0, math.log(4)),
         "One mode of four: reverse KL = KL(histogram || uniform over all K modes) = log 4, in nats. "
         "KL(uniform || histogram) would be inf."),
        ("3 std is the radius", torch.tensor([[0.29, 0.0], [0.0, 2.31]]), square, 0.1, (1, 0.5, math.log(4)),
         "0.29 is within 3 std = 0.3 of (0, 0); 2.31 is 0.31 from (0, 2): not of high quality, so it "
         "captures no mode. Compare the distance itself (not its square) with 3 * std."),
        ("only high-quality samples count", torch.tensor([[0.0, 0.0], [0.05, 0.0], [2.0, 1.5], [1.6, 2.0]]),
         square, 0.1, (1, 0.5, math.log(4)),
         "The last two samples are nearest to modes 2 and 4 but farther than 3 std: they capture nothing "
         "and do not enter the histogram."),
        ("an uneven histogram over two modes", torch.tensor([[0.0, 0.0]] * 3 + [[2.0, 2.0]]), square[[0, 3]], 0.1,
         (2, 1.0, 0.75 * math.log(1.5) + 0.25 * math.log(0.5)),
         "reverse KL = sum_k p_k log(p_k / (1/K)) with p the share of high-quality samples at mode k."),
        ("no sample of high quality", torch.full((5, 2), 10.0), square, 0.1, (0, 0.0, math.inf),
         "No high-quality sample: 0 modes, fraction 0, and the reverse KL is inf (math.inf)."),
        ("samples off the axes (Euclidean distance)", torch.tensor([[0.2, 0.2], [1.85, 1.8], [2.25, -0.2]]), square,
         0.1, (2, 2 / 3, math.log(2)),
         "Distances are Euclidean: (0.2, 0.2) is 0.283 from (0, 0), inside 3 std; (2.25, -0.2) is 0.32 from "
         "(2, 0), outside. The fraction is a share of all samples, between 0 and 1."),
        ("a single sample", torch.tensor([[3.0, 0.2]]), ring, 0.1, (1, 1.0, math.log(8)),
         "One high-quality sample: one mode of eight, reverse KL = log 8."),
        ("25 modes, noisy samples", noisy, grid, 0.05, None, "Compare distances with 3 * std, per sample."),
    ]
    for case, samples, centers, std, expected, hint in cases:
        out = _call(student_fn, case, samples.clone(), centers.clone(), std,
                    expected="(modes, hq_fraction, reverse_kl)")
        if not isinstance(out, (tuple, list)) or len(out) != 3:
            raise AssertionError(f"case '{case}': expected (modes, hq_fraction, reverse_kl), received "
                                 f"{_describe(out)}")
        if expected is None:
            ref = metrics.mode_coverage(samples, centers, std)
            expected = (ref.modes, ref.hq_fraction, ref.reverse_kl)
        for what, got, want in zip(("modes", "hq_fraction", "reverse_kl"), out, expected):
            _number_close(_number(got, case), float(want), f"{case}: {what}", hint, tol=1e-4)
    _passed("mode_coverage", len(cases))


# --------------------------------------------------------------------------- the open exercise

# The benchmark's cpu budget. Half of it would keep the lesson's smoke profile within 30 s, but one run of 2,000 steps
# grades by luck: the reference (2e-3, decay from half-way) read 91.3% high quality natively and 71.5% with torch's
# kernels capped at AVX2, from the same seed, on one Intel Xeon (2026-12-03). Even at 4,000 steps the lesson's
# reference (1e-3, decay from half-way) read 88.5% under the caps on that CPU (>= 90% natively), so the target is
# 80%; the paper's 1e-4 stays far below it (modes missing, or about half the samples of high quality).
RING_STEPS = 4000        # generator steps of the open exercise
RING_TARGET = (8, 80.0)  # every mode, and at least this share (%) of high-quality samples


def train_ring_gan(lr: float, decay_from: float, seed: int = 0):
    """The benchmark's plain GAN (``toy_gans.METHODS["gan"]``) with this learning rate and decay, trained on the
    ring of 8 for :data:`RING_STEPS` generator steps; returns its :class:`gan_course.metrics.ModeCoverage`."""
    from .. import toy_gans
    from ..data import ring_of_gaussians

    ring = ring_of_gaussians()
    with torch.random.fork_rng(devices=[]):
        G = toy_gans.train_toy_gan(toy_gans.METHODS["gan"].replace(lr=lr, decay_from=decay_from), ring, RING_STEPS,
                                   seed=seed)
    return toy_gans.evaluate(G, ring, seed=seed)


@exercise_check(seed=32)
def ring_gan(student_fn) -> None:
    """Check (open exercise): grade the settings ``{'lr', 'decay_from'}`` of the plain GAN on the ring by the outcome: 8 of 8 modes
    and at least 80% high-quality samples after 4,000 generator steps."""
    settings = _settings(student_fn, ("lr", "decay_from"), "{'lr': 1e-4, 'decay_from': 1.0}")
    lr, decay_from = _number_in(settings, "lr", 1e-6, 0.1), _number_in(settings, "decay_from", 0.0, 1.0)
    cov = train_ring_gan(lr, decay_from)
    modes, hq = RING_TARGET
    if cov.modes < modes or 100 * cov.hq_fraction < hq:
        hint = ("samples are spread between the modes: G has not settled on them; larger steps early (a larger lr), "
                "smaller ones late (decay_from < 1), or both" if cov.modes >= modes else
                "modes are missing: G collapsed onto a few or never found them; compare the paper's lr 1e-4 with "
                "rates 3, 10 and 30 times larger")
        raise AssertionError(f"with lr {lr:g} and decay_from {decay_from:g}: {cov} (target: {modes} modes and >= "
                             f"{hq:g}% high quality). Hint: {hint}")
    print(f"✔ ring_gan passed: with lr {lr:g} and decay_from {decay_from:g}: {cov}")
