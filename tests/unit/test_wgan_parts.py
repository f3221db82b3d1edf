"""The pieces WGAN needs: weight clipping, normalised critics, an empirical Lipschitz constant."""

import pytest
import torch
from torch import nn

from gan_course import losses, metrics, train
from gan_course.models.gan import MLPDiscriminator


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
    train.fit_discriminator(D, iter(lambda: torch.randn(8, 2), None), iter(lambda: torch.randn(8, 2) + 2, None),
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


def test_clipped_d_step_keeps_every_weight_within_c():
    G = nn.Linear(4, 2)
    D = MLPDiscriminator(data_dim=2, hidden=16, depth=2)
    opt = torch.optim.RMSprop(D.parameters(), lr=0.1)
    step = train.clipped_d_step(0.01)
    loss = step(G, D, opt, torch.randn(16, 2), torch.randn(16, 4), losses.wasserstein_d_loss)
    assert loss.dim() == 0
    assert max(p.abs().max().item() for p in D.parameters()) <= 0.01
    with pytest.raises(ValueError, match="positive"):
        train.clipped_d_step(0)
