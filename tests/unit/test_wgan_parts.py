"""The pieces WGAN needs: weight clipping, normalised critics, an empirical Lipschitz constant."""

import pytest
import torch
from torch import nn

from gan_course import losses, metrics
from gan_course.models.gan import MLPDiscriminator, fit_discriminator
from gan_course.models.wgan import WGANStep, clip_weights


class Linear(nn.Module):
    def __init__(self, w):
        super().__init__()
        self.w = nn.Parameter(torch.as_tensor(w, dtype=torch.float32))

    def forward(self, x):
        return x @ self.w


def test_lipschitz_estimate_of_a_linear_function_is_its_weight_norm():
    f = Linear([3.0, 4.0])
    x, y = torch.randn(50, 2), torch.randn(60, 2)
    assert metrics.lipschitz_estimate(f, x, y) == pytest.approx(5.0)
    with pytest.raises(ValueError, match="same sample shape"):
        metrics.lipschitz_estimate(f, x, torch.randn(5, 3))


def test_spectral_norm_makes_the_critic_about_1_lipschitz():
    torch.manual_seed(0)
    x, y = torch.randn(500, 2) * 3, torch.randn(500, 2)
    plain = MLPDiscriminator(data_dim=2, hidden=64, depth=3)
    for p in plain.parameters():  # a large-weight critic
        p.data.mul_(4)
    spectral = MLPDiscriminator(data_dim=2, hidden=64, depth=3, norm="spectral")
    for p in spectral.parameters():
        p.data.mul_(4)
    spectral.train()
    for _ in range(30):  # power iterations run in training-mode forwards
        spectral(x)
    assert metrics.lipschitz_estimate(plain, x, y) > 10
    assert metrics.lipschitz_estimate(spectral, x, y) <= 1.05


@pytest.mark.parametrize("norm", [None, "spectral", "weight", "batch"])
def test_every_norm_gives_one_score_per_sample_and_trains(norm):
    D = MLPDiscriminator(data_dim=2, hidden=16, depth=2, norm=norm)
    assert D(torch.randn(8, 2)).shape == (8,)
    opt = torch.optim.Adam(D.parameters(), lr=1e-2)
    before = [p.detach().clone() for p in D.parameters()]
    fit_discriminator(D, iter(lambda: torch.randn(8, 2), None), iter(lambda: torch.randn(8, 2) + 2, None),
                            steps=3, d_opt=opt)
    assert any(not torch.equal(a, b) for a, b in zip(before, D.parameters()))
    if norm == "batch":
        assert any(isinstance(m, nn.BatchNorm1d) for m in D.modules())


def test_batch_norm_is_not_applied_to_the_input_or_the_output():
    D = MLPDiscriminator(data_dim=2, hidden=16, depth=2, norm="batch")
    kinds = [type(m).__name__ for m in D.net]
    assert kinds == ["Linear", "BatchNorm1d", "LeakyReLU", "Linear", "BatchNorm1d", "LeakyReLU", "Linear"]


def test_unknown_norm_is_rejected():
    with pytest.raises(ValueError, match="norm must be one of"):
        MLPDiscriminator(norm="layer")


def test_the_clipped_critic_update_keeps_every_weight_within_c():
    G = nn.Linear(4, 2)
    D = MLPDiscriminator(data_dim=2, hidden=16, depth=2)
    step = WGANStep(G, D, torch.optim.RMSprop(D.parameters(), lr=0.1), None, clip=0.01,
                    sample_z=lambda n: torch.randn(n, 4))
    loss = step.d_step(torch.randn(16, 2))["d_loss"]
    assert loss.dim() == 0
    assert max(p.abs().max().item() for p in D.parameters()) <= 0.01
    with pytest.raises(ValueError, match="positive"):
        WGANStep(G, D, None, None, clip=0)
    with pytest.raises(ValueError, match="positive"):
        clip_weights(D, -1.0)


def test_the_gradient_penalty_step_adds_the_penalty_to_the_critic_loss():
    torch.manual_seed(0)
    G, D = nn.Linear(4, 2), MLPDiscriminator(data_dim=2, hidden=16, depth=2)
    step = WGANStep(G, D, torch.optim.SGD(D.parameters(), lr=0.0), None, gp_weight=10.0,
                    sample_z=lambda n: torch.randn(n, 4))
    real = torch.randn(16, 2)
    torch.manual_seed(1)
    with_penalty = step.d_step(real)["d_loss"]
    torch.manual_seed(1)
    z = torch.randn(16, 4)
    plain = losses.wasserstein_d_loss(D(real), D(G(z)))
    penalty = losses.gradient_penalty(D, real, G(z).detach(), weight=10.0)
    assert torch.allclose(with_penalty, plain + penalty, atol=1e-6) and penalty > 0
    assert step.n_critic == 5
