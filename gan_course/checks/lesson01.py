"""Checks of lesson 01, the GAN objective: D's and G's losses from logits, the optimal discriminator,
and the Jensen-Shannon divergence of two densities on a grid.

``discriminator_loss`` is also the exercise of lesson 00 (start here). The losses are checked on their
value *and* on their gradient with respect to every input: training calls ``.backward()`` on them.

Taught in: lesson 01
"""

from __future__ import annotations

import math
from typing import Callable

import torch
from torch import Tensor

from .. import losses, theory
from ._common import _call, _describe, _loss_cases, _number, _number_close, _number_in, _passed, _settings, _unchanged, exercise_check

_LOGITS_HINT = ("d loss / d logit is (sigmoid(l) - label) / batch size: take the mean of each term over its own "
                "batch.")


@exercise_check(seed=0)
def discriminator_loss(student_fn: Callable[[Tensor, Tensor], Tensor]) -> None:
    """Check ``student_fn(real_logits, fake_logits) = -E[log D(x)] - E[log(1 - D(G(z)))]``."""
    gen = torch.Generator().manual_seed(0)
    cases = [
        ("D unsure (all logits 0, D = 1/2)", torch.zeros(4), torch.zeros(4),
         "With D = 1/2 the loss is 2 log 2; check the signs."),
        ("random logits", torch.randn(6, generator=gen), torch.randn(6, generator=gen),
         "The loss is a *mean* over each batch; real samples have label 1 and fakes label 0; "
         "the inputs are logits, D(x) = sigmoid(logit)."),
        ("different batch sizes (3 real, 5 fake)", torch.randn(3, generator=gen), torch.randn(5, generator=gen),
         "Average each term over its own batch, then add the two averages."),
        ("D very sure (logits of +-20)", torch.tensor([20.0, -20.0]), torch.tensor([20.0, -20.0]),
         "In float32, sigmoid(20) rounds to 1 and log(1 - 1) = -inf: use F.logsigmoid "
         "(log(1 - sigmoid(l)) = logsigmoid(-l)) or F.binary_cross_entropy_with_logits."),
        ("a batch of one", torch.tensor([1.5]), torch.tensor([-0.5]), "One sample each: no batch axis to lose."),
        ("logits spread from -8 to 8", torch.linspace(-8, 8, 7), torch.linspace(8, -8, 5) + 0.3,
         "Take the log of D's probability per sample, then the mean: the log of the mean logit, or the mean "
         "logit itself, is not the loss."),
    ]
    _loss_cases(student_fn, [(case, {"real_logits": real, "fake_logits": fake}, hint)
                             for case, real, fake, hint in cases], losses.minimax_d_loss,
                _LOGITS_HINT + " Both terms must stay connected: no .detach() on either batch of logits.")
    _passed("discriminator_loss", len(cases))


@exercise_check(seed=1)
def generator_loss(student_fn: Callable[[Tensor], Tensor]) -> None:
    """Check the non-saturating generator loss ``student_fn(fake_logits) = -E[log D(G(z))]``."""
    gen = torch.Generator().manual_seed(1)
    cases = [
        ("D unsure (logits 0)", torch.zeros(5), "With D = 1/2 the loss is log 2 = 0.693147."),
        ("random logits", torch.randn(7, generator=gen),
         "The non-saturating loss is -mean(log D(G(z))) with D = sigmoid(logit); "
         "log(1 - D) is the saturating minimax loss."),
        ("D rejects the fakes (logits -200)", torch.full((3,), -200.0),
         "sigmoid(-200) rounds to 0 in float32 and log(0) = -inf: use F.logsigmoid."),
        ("a batch of one", torch.tensor([-2.5]), "One sample: the mean of one loss is that loss."),
        ("logits from -6 to 6 (D rejects some fakes, accepts others)", torch.tensor([-6.0, -2.0, 0.5, 3.0, 6.0]),
         "-mean(log sigmoid(l)): log of each probability first, then the mean over the batch."),
    ]
    _loss_cases(student_fn, [(case, {"fake_logits": fake}, hint) for case, fake, hint in cases],
                losses.nonsaturating_g_loss, "d loss / d logit = -(1 - sigmoid(l)) / B: a strong push where D rejects "
                "the fakes (the point of the non-saturating loss); keep the graph (no .item() or .detach()).")
    _passed("generator_loss", len(cases))


@exercise_check(seed=2)
def optimal_discriminator(student_fn: Callable[[Tensor, Tensor], Tensor]) -> None:
    """Check ``student_fn(p_data, p_model) = p_data / (p_data + p_model)``, 1/2 where both are 0."""
    gen = torch.Generator().manual_seed(2)
    x = torch.linspace(-3, 3, 12).reshape(3, 4)
    cases = [
        ("equal densities", torch.tensor([0.1, 0.4, 2.0]), torch.tensor([0.1, 0.4, 2.0]),
         "Where p_data = p_model, D* = 1/2."),
        ("random densities", torch.rand(6, generator=gen), torch.rand(6, generator=gen),
         "D*(x) = p_data(x) / (p_data(x) + p_model(x))."),
        ("only data or only model", torch.tensor([0.3, 0.0]), torch.tensor([0.0, 0.7]),
         "Where only real data can appear D* = 1, where only fakes can D* = 0."),
        ("both densities zero", torch.tensor([0.0, 0.5]), torch.tensor([0.0, 0.5]),
         "0/0 is undefined; the convention here is D* = 1/2 (torch.where helps), not NaN."),
        ("disjoint supports with gaps (zeros in both)", torch.tensor([0.5, 0.5, 0.0, 0.0, 0.0]),
         torch.tensor([0.0, 0.0, 0.0, 0.2, 0.8]), "D* = 1 on the data's support, 0 on the model's, 1/2 in the gap."),
        ("far tails (tiny densities)", torch.tensor([1e-6, 3e-9, 2e-12]), torch.tensor([3e-6, 1e-9, 2e-12]),
         "Far from the data both densities are tiny but their ratio is not: adding an epsilon to the "
         "denominator changes D* there. Handle the 0/0 case with torch.where instead."),
        ("densities on a 3x4 grid", torch.exp(-0.5 * (x - 0.5) ** 2), torch.exp(-0.5 * (x + 1) ** 2) / 2,
         "D* is elementwise: the result has the shape of the inputs."),
    ]
    for case, p, q, hint in cases:
        originals = {"p_data": p.clone(), "p_model": q.clone()}
        passed = {"p_data": p.clone(), "p_model": q.clone()}
        received = _call(student_fn, case, passed["p_data"], passed["p_model"],
                         expected=f"a tensor of shape {tuple(p.shape)}")
        if not isinstance(received, Tensor) or received.shape != p.shape:
            raise AssertionError(f"case '{case}': expected a tensor of shape {tuple(p.shape)}, received "
                                 f"{_describe(received)}")
        _unchanged(originals, passed, case)
        expected = theory.optimal_discriminator(p, q).double()
        if not torch.allclose(received.detach().double(), expected, atol=1e-6, rtol=1e-5):
            raise AssertionError(f"case '{case}': expected {expected.tolist()}, received "
                                 f"{received.detach().tolist()}. {hint}")
    _passed("optimal_discriminator", len(cases))


@exercise_check(seed=3)
def js_from_densities(student_fn: Callable[[Tensor, Tensor, float], float]) -> None:
    """Check ``student_fn(p, q, dx)``: the JSD (nats) of two densities sampled on a uniform grid of spacing dx."""
    x = torch.linspace(-8, 8, 4001, dtype=torch.float64)
    dx = float(x[1] - x[0])
    coarse = torch.arange(-6, 6.25, 0.5, dtype=torch.float64)

    def normal(mu, sigma, at=x):
        return torch.exp(-0.5 * ((at - mu) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))

    def uniform(lo, hi, at=x):
        return ((at >= lo) & (at < hi)).double() / (hi - lo)

    def reference(p, q, step):  # the Riemann sum of the JSD integrand, 0 log 0 = 0
        m = (p + q) / 2
        return float(0.5 * (torch.xlogy(p, p) - torch.xlogy(p, m) + torch.xlogy(q, q) - torch.xlogy(q, m)).sum() * step)

    cases = [
        ("identical densities", normal(0, 1), normal(0, 1), dx, "JSD(p, p) = 0."),
        ("shifted Gaussians", normal(-1, 1), normal(1, 1), dx,
         "JSD = KL(p||m)/2 + KL(q||m)/2 with m = (p+q)/2; each KL is a sum of p log(p/m) times dx."),
        ("different widths", normal(0, 0.5), normal(0, 2), dx, "Is JSD symmetric in your code? It should be."),
        ("disjoint supports", normal(-5, 0.3), normal(5, 0.3), dx,
         "Disjoint densities give log 2 = 0.693147; treat 0 log 0 as 0 (torch.xlogy does)."),
        ("truly disjoint uniforms (exact zeros)", uniform(-4, -1), uniform(1, 4), dx,
         "Where one density is exactly 0 its term is 0 log 0 = 0 and the other's is p log(p / (p/2)) = p log 2: "
         "the JSD of disjoint densities is log 2 = 0.693147, in nats (natural logarithm)."),
        ("overlapping uniforms (zeros in one, in both and in neither)", uniform(-3, 1), uniform(-1, 3), dx,
         "Points where both densities are 0 add nothing; where only one is positive, its term is p log 2."),
        ("a coarse grid (dx = 0.5)", normal(-0.5, 1.5, coarse), normal(1, 1, coarse), 0.5,
         "The integral is the sum over the grid times the spacing dx you are given (not the mean over points)."),
    ]
    for case, p, q, step, hint in cases:
        originals = {"p": p.clone(), "q": q.clone()}
        passed = {"p": p.clone(), "q": q.clone()}
        received = _number(_call(student_fn, case, passed["p"], passed["q"], step, expected="one number (nats)"),
                           case)
        _unchanged(originals, passed, case)
        _number_close(received, reference(p, q, step), case, hint, tol=1e-3)
    _passed("js_from_densities", len(cases))


# --------------------------------------------------------------------------- the open exercise

_TWO_MODES = dict(means=(-2.0, 2.0), std=0.5)  # lesson 01's data: 0.5 N(-2, 0.5²) + 0.5 N(2, 0.5²)


def _c_of_gaussian(mu: float, sigma: float) -> float:
    """C(G) = -log 4 + 2 JSD(p_data || N(mu, sigma²)) for lesson 01's two-mode data, by quadrature."""
    from .. import theory
    from ..data import mixture_1d

    p = theory.density_of(mixture_1d(**_TWO_MODES))
    return theory.virtual_training_criterion(p, lambda x: theory.gaussian_mixture_pdf(x, [mu], sigma), -15, 15)


@exercise_check(seed=4)
def best_gaussian(student_fn) -> None:
    """Check (open exercise): grade the Gaussian ``{'mu': ..., 'sigma': ...}`` the student found on its C(G): within 0.002 nats of
    the best single Gaussian's (found here from a start between the modes)."""
    from .. import theory
    from ..data import mixture_1d

    settings = _settings(student_fn, ("mu", "sigma"), "{'mu': 0.5, 'sigma': 1.0}")
    mu, sigma = _number_in(settings, "mu", -10, 10), _number_in(settings, "sigma", 1e-3, 10)
    p = theory.density_of(mixture_1d(**_TWO_MODES))
    best_mu, best_sigma = theory.fit_gaussian(p, "jsd", (0.3, 1.5), -15, 15)
    c_yours, c_best = _c_of_gaussian(mu, sigma), _c_of_gaussian(best_mu, best_sigma)
    if c_yours > c_best + 0.002:
        near_mode = abs(abs(mu) - 2) < 0.3 and sigma < 0.8
        hint = ("a Gaussian on one mode is a *local* minimum of C(G): the JSD prefers a different shape; try "
                "starting your search elsewhere" if near_mode else
                "search over both mu and sigma (e.g. scipy.optimize.minimize on (mu, log sigma)) from several starts")
        raise AssertionError(f"your N({mu:.3g}, {sigma:.3g}²) has C(G) = {c_yours:.4f}; a better single Gaussian "
                             f"reaches {c_best:.4f} (-log 4 = -1.3863 would need p_g = p_data). Hint: {hint}")
    print(f"✔ best_gaussian passed: N({mu:.3g}, {sigma:.3g}²) has C(G) = {c_yours:.4f}, the best single Gaussian's "
          f"{c_best:.4f}")
