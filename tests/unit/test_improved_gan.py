import pytest
import torch

from gan_course import losses
from gan_course.models.gan import MLPDiscriminator, MLPGenerator
from gan_course.models.improved_gan import FeatureMatchingStep


def test_smoothed_d_loss_is_the_cross_entropy_with_target_0_9():
    real, fake = torch.tensor([0.3, -1.2]), torch.tensor([0.5, 2.0])
    p_real, p_fake = torch.sigmoid(real), torch.sigmoid(fake)
    by_hand = -(0.9 * p_real.log() + 0.1 * (1 - p_real).log()).mean() - (1 - p_fake).log().mean()
    assert torch.allclose(losses.smoothed_d_loss(real, fake), by_hand)
    assert torch.allclose(losses.smoothed_d_loss(real, fake, real_label=1.0), losses.minimax_d_loss(real, fake))
    with pytest.raises(ValueError, match="real_label"):
        losses.smoothed_d_loss(real, fake, real_label=0.3)


def test_smoothed_d_losss_optimum_on_real_samples_is_0_9():
    logit = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([logit], lr=1.0)
    for _ in range(500):
        opt.zero_grad()
        losses.smoothed_d_loss(logit, torch.full((1,), -30.0)).backward()
        opt.step()
    assert torch.sigmoid(logit).item() == pytest.approx(0.9, abs=1e-3)


def test_feature_matching_moves_the_mean_of_ds_features_towards_the_data():
    torch.manual_seed(0)
    G, D = MLPGenerator(z_dim=2, data_dim=2, hidden=16), MLPDiscriminator(data_dim=2, hidden=16)
    step = FeatureMatchingStep(G, D, torch.optim.Adam(D.parameters(), 1e-3), torch.optim.Adam(G.parameters(), 1e-2))
    real = torch.randn(256, 2) + torch.tensor([3.0, -2.0])
    d_before = [p.clone() for p in D.parameters()]

    def gap():
        with torch.no_grad():
            return (D.features(real).mean(0) - D.features(G(G.sample_z(256))).mean(0)).pow(2).sum().item()

    before = gap()
    losses_seen = [step.g_step(real)["g_loss"].item() for _ in range(50)]
    assert gap() < 0.2 * before and losses_seen[-1] < losses_seen[0]
    assert all(torch.equal(a, b) for a, b in zip(d_before, D.parameters()))  # G's update leaves D alone
    assert all(p.requires_grad for p in D.parameters())


def test_feature_matching_needs_features():
    G = MLPGenerator(z_dim=2, data_dim=2)
    D = torch.nn.Linear(2, 1)
    with pytest.raises(ValueError, match="features"):
        FeatureMatchingStep(G, D, torch.optim.SGD(D.parameters(), 0.1), torch.optim.SGD(G.parameters(), 0.1))


def test_minibatch_std_discriminator_keeps_its_shapes_and_norms():
    for norm in (None, "spectral", "batch"):
        D = MLPDiscriminator(data_dim=2, hidden=8, depth=2, norm=norm, minibatch_std=True)
        x = torch.randn(6, 2)
        assert D(x).shape == (6,) and D.features(x).shape == (6, 8)
