import math

import pytest
import torch

from gan_course import losses

LOG2 = math.log(2.0)


def test_losses_at_d_equal_one_half():
    zero = torch.zeros(5)
    # D = 1/2 everywhere: -V = -(log 1/2 + log 1/2) = 2 log 2 (the value at the game's equilibrium is -log 4).
    assert losses.minimax_d_loss(zero, zero).item() == pytest.approx(2 * LOG2)
    assert losses.minimax_g_loss(zero).item() == pytest.approx(-LOG2)
    assert losses.nonsaturating_g_loss(zero).item() == pytest.approx(LOG2)


def test_d_loss_matches_the_formula_with_probabilities():
    real, fake = torch.tensor([0.3, -1.2, 2.0]), torch.tensor([-0.5, 0.7])
    d_real, d_fake = torch.sigmoid(real), torch.sigmoid(fake)
    expected = -(torch.log(d_real).mean() + torch.log(1 - d_fake).mean())
    assert losses.minimax_d_loss(real, fake).item() == pytest.approx(expected.item(), rel=1e-6)
    # (B, 1) logits give the same value as (B,)
    assert losses.minimax_d_loss(real[:, None], fake[:, None]).item() == pytest.approx(expected.item(), rel=1e-6)


def test_losses_stay_finite_for_saturated_logits():
    big = torch.tensor([80.0, -80.0])
    for value in (losses.minimax_d_loss(big, big), losses.minimax_g_loss(big), losses.nonsaturating_g_loss(big)):
        assert torch.isfinite(value)


def test_saturating_loss_has_vanishing_gradient_where_nonsaturating_does_not():
    # D confidently rejects the fake: D(G(z)) = sigmoid(-8) ~ 3e-4.
    logit = torch.tensor([-8.0], requires_grad=True)
    (g_sat,) = torch.autograd.grad(losses.minimax_g_loss(logit), logit)
    (g_ns,) = torch.autograd.grad(losses.nonsaturating_g_loss(logit), logit)
    assert abs(g_sat.item()) == pytest.approx(torch.sigmoid(torch.tensor(-8.0)).item(), rel=1e-4)
    assert abs(g_ns.item()) == pytest.approx(1 - torch.sigmoid(torch.tensor(-8.0)).item(), rel=1e-4)
    assert abs(g_ns.item()) > 1000 * abs(g_sat.item())


def test_wasserstein_losses():
    real, fake = torch.tensor([1.0, 3.0]), torch.tensor([0.0, -2.0])
    assert losses.wasserstein_d_loss(real, fake).item() == pytest.approx(-1.0 - 2.0)
    assert losses.wasserstein_g_loss(fake).item() == pytest.approx(1.0)


class Linear(torch.nn.Module):
    def __init__(self, w):
        super().__init__()
        self.w = w

    def forward(self, x):
        return (x.flatten(1) * self.w).sum(1)


def test_gradient_penalty_of_a_linear_critic_is_exact():
    # f(x) = w . x has gradient w everywhere, so the penalty is lambda (|w| - 1)^2.
    torch.manual_seed(0)
    w = torch.tensor([3.0, 4.0])  # |w| = 5
    real, fake = torch.randn(16, 2), torch.randn(16, 2)
    assert losses.gradient_penalty(Linear(w), real, fake, weight=10).item() == pytest.approx(10 * 16.0)


def test_gradient_penalty_norm_is_per_sample_over_all_pixels():
    # Images of 1x2x2 with w = 0.5 everywhere: per-sample norm sqrt(4 * 0.25) = 1 -> zero penalty.
    # A per-pixel norm would give |0.5| per pixel and a penalty of 0.25.
    w = torch.full((4,), 0.5)
    real, fake = torch.randn(8, 1, 2, 2), torch.randn(8, 1, 2, 2)
    assert losses.gradient_penalty(Linear(w), real, fake).item() == pytest.approx(0.0, abs=1e-10)


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="one logit per sample"):
        losses.minimax_d_loss(torch.zeros(4, 2), torch.zeros(4))
    with pytest.raises(TypeError, match="torch.Tensor"):
        losses.nonsaturating_g_loss([0.0, 1.0])
    with pytest.raises(ValueError, match="same shape"):
        losses.gradient_penalty(Linear(torch.ones(2)), torch.zeros(4, 2), torch.zeros(3, 2))


def test_matching_aware_d_loss_weighs_wrong_pairs_and_fakes_half_and_half():
    real, fake, wrong = torch.tensor([2.0, -1.0]), torch.tensor([0.5, -3.0]), torch.tensor([1.0, 0.0])
    log_sigmoid = torch.nn.functional.logsigmoid
    expected = -log_sigmoid(real).mean() - 0.5 * (log_sigmoid(-fake).mean() + log_sigmoid(-wrong).mean())
    assert torch.allclose(losses.matching_aware_d_loss(real, fake, wrong), expected)
    # with wrong pairs scored like the fakes it is the plain minimax loss
    assert torch.allclose(losses.matching_aware_d_loss(real, fake, fake), losses.minimax_d_loss(real, fake))
    with pytest.raises(ValueError, match="wrong_logits"):
        losses.matching_aware_d_loss(real, fake, torch.zeros(2, 3))
