import pytest
import torch
from torch import nn

from gan_course.models.dcgan import BATCH_NORM, DCGANDiscriminator, DCGANGenerator, init_weights


def count(module: nn.Module, kind) -> int:
    return sum(isinstance(m, kind) for m in module.modules())


def test_shapes_and_ranges():
    torch.manual_seed(0)
    G, D = DCGANGenerator(z_dim=16, width=8), DCGANDiscriminator(width=8)
    x = G(G.sample_z(5))
    assert x.shape == (5, 1, 28, 28) and x.min() >= -1 and x.max() <= 1
    assert D(x).shape == (5,)


@pytest.mark.parametrize("batch_norm, g_bn, d_bn", [("guidelines", 3, 2), ("everywhere", 4, 3), ("none", 0, 0)])
def test_batch_norm_placement(batch_norm, g_bn, d_bn):
    G, D = DCGANGenerator(width=8, batch_norm=batch_norm), DCGANDiscriminator(width=8, batch_norm=batch_norm)
    assert count(G, nn.BatchNorm2d) == g_bn and count(D, nn.BatchNorm2d) == d_bn
    last_g = [m for m in G.net if not isinstance(m, nn.Tanh)][-1]
    first_d = D.net[0]
    # the guidelines: no batch norm on G's output layer nor on D's input layer
    assert isinstance(last_g, nn.BatchNorm2d) == (batch_norm == "everywhere")
    assert isinstance(first_d, nn.BatchNorm2d) == (batch_norm == "everywhere")


def test_the_architecture_follows_the_guidelines():
    G, D = DCGANGenerator(width=8), DCGANDiscriminator(width=8)
    for net in (G, D):
        assert count(net, nn.Linear) == 0 and count(net, nn.MaxPool2d) == count(net, nn.AvgPool2d) == 0
    assert count(G, nn.ConvTranspose2d) == 4 and count(G, nn.ReLU) == 3 and isinstance(G.net[-1], nn.Tanh)
    assert G.output_layer is [m for m in G.modules() if isinstance(m, nn.ConvTranspose2d)][-1]
    assert G.output_layer.out_channels == 1
    assert count(D, nn.Conv2d) == 4 and count(D, nn.LeakyReLU) == 3
    assert all(m.negative_slope == 0.2 for m in D.modules() if isinstance(m, nn.LeakyReLU))


def test_init_weights_draws_from_n_0_002():
    torch.manual_seed(0)
    G = DCGANGenerator(width=32)
    G.apply(init_weights)
    weights = torch.cat([m.weight.flatten() for m in G.modules() if isinstance(m, nn.ConvTranspose2d)])
    assert abs(weights.mean().item()) < 1e-3 and abs(weights.std().item() - 0.02) < 1e-3
    bn = [m for m in G.modules() if isinstance(m, nn.BatchNorm2d)]
    assert all(abs(m.weight.mean().item() - 1) < 0.01 and (m.bias == 0).all() for m in bn)


def test_bad_inputs_are_refused():
    G, D = DCGANGenerator(z_dim=16, width=8), DCGANDiscriminator(width=8)
    with pytest.raises(ValueError, match=r"\(B, 16\)"):
        G(torch.randn(3, 8))
    with pytest.raises(ValueError, match=r"\(B, 1, 28, 28\)"):
        D(torch.randn(3, 28, 28))
    with pytest.raises(ValueError, match="batch_norm"):
        DCGANGenerator(batch_norm="some")
    assert set(BATCH_NORM) == {"guidelines", "everywhere", "none"}


def test_gradient_reaches_every_generator_parameter():
    torch.manual_seed(0)
    G, D = DCGANGenerator(z_dim=16, width=8), DCGANDiscriminator(width=8)
    D(G(G.sample_z(4))).mean().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in G.parameters())


def test_each_variant_makes_its_papers_step():
    from gan_course.models import dcgan
    from gan_course.models.wgan import WGANStep

    for name, config in dcgan.VARIANTS.items():
        G, D = dcgan.build(config)
        step = dcgan.make_step(config, G, D)
        assert step.n_critic == config.n_critic and step.d_opt.param_groups[0]["lr"] == config.lr
        assert isinstance(step, WGANStep) == (config.objective == "wgan-gp")
        assert tuple(step.g_opt.param_groups[0]["betas"]) == config.betas
    assert dcgan.VARIANTS["dcgan-wgangp"].d_batch_norm == "none"  # the gradient penalty needs per-sample D outputs
    with pytest.raises(ValueError, match="objective"):
        dcgan.DCGANConfig(objective="lsgan")
    with pytest.raises(ValueError, match="batch_norm"):
        dcgan.DCGANConfig(g_batch_norm="sometimes")


def test_fit_is_seeded_and_trains_with_the_course_loop():
    from gan_course import data
    from gan_course.models import dcgan

    digits = data.DigitData(torch.rand(32, 1, 28, 28) * 2 - 1, torch.zeros(32, dtype=torch.long), "noise")
    config = dcgan.DCGANConfig(width=4, batch_size=8)
    (G1, _, h1), (G2, _, h2) = (dcgan.fit(config, digits, 3, seed=1, progress=False) for _ in range(2))
    assert h1.losses == h2.losses and set(h1.losses) == {"d_loss", "g_loss"} and not G1.training
    assert all(torch.equal(a, b) for a, b in zip(G1.parameters(), G2.parameters()))
