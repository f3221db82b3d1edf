import pytest
import torch

import math

import torch.nn.functional as F

from gan_course import layers
from gan_course.layers import EqualizedConv2d, EqualizedLinear, MinibatchStdDev, PixelNorm, fade_in


def test_minibatch_stddev_appends_the_mean_standard_deviation():
    x = torch.tensor([[0.0, 1.0], [2.0, 5.0]])  # per-feature std over the batch: 1 and 2 -> mean 1.5
    out = MinibatchStdDev(eps=0.0)(x)
    assert out.shape == (2, 3)
    assert torch.equal(out[:, :2], x) and torch.allclose(out[:, 2], torch.tensor([1.5, 1.5]))
    images = torch.randn(4, 3, 5, 5)
    out = MinibatchStdDev()(images)
    assert out.shape == (4, 4, 5, 5) and torch.allclose(out[:, 3], out[0, 3].expand(4, 5, 5))


def test_minibatch_stddev_tells_a_collapsed_batch_and_passes_gradients():
    collapsed = MinibatchStdDev()(torch.ones(8, 2))
    varied = MinibatchStdDev()(torch.randn(8, 2, generator=torch.Generator().manual_seed(0)))
    assert collapsed[0, 2] < 1e-3 < varied[0, 2]
    x = torch.randn(4, 2, requires_grad=True)
    MinibatchStdDev()(x)[:, 2].sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_minibatch_stddev_refuses_single_samples_and_odd_shapes():
    with pytest.raises(ValueError, match="B >= 2"):
        MinibatchStdDev()(torch.randn(1, 3))
    with pytest.raises(ValueError, match=r"\(B, C\)"):
        MinibatchStdDev()(torch.randn(4, 3, 2))


def test_minibatch_stddev_in_groups_of_four_as_pggan():
    x = torch.randn(8, 3, 4, 4, generator=torch.Generator().manual_seed(1))
    out = MinibatchStdDev(group_size=4)(x)
    for group in (0, 1):  # sample i is in group i mod 2: samples 0, 2, 4, 6 and 1, 3, 5, 7
        members = x[group::2]
        expected = torch.sqrt(members.var(0, unbiased=False) + 1e-8).mean()
        assert torch.allclose(out[group::2, 3], expected.expand(4, 4, 4))
    assert not torch.allclose(out[0, 3], out[1, 3])
    assert torch.equal(MinibatchStdDev(group_size=4)(x[:3]), MinibatchStdDev()(x[:3]))  # fewer: one group
    assert torch.equal(MinibatchStdDev(group_size=8)(x), MinibatchStdDev()(x))
    with pytest.raises(ValueError, match="does not split into groups of 4"):
        MinibatchStdDev(group_size=4)(torch.randn(6, 3))
    with pytest.raises(ValueError, match="group_size"):
        MinibatchStdDev(group_size=1)


@pytest.mark.parametrize("fan_in", [16, 1024])
def test_equalized_linear_is_he_initialised_at_run_time(fan_in):
    torch.manual_seed(0)
    layer = EqualizedLinear(fan_in, 256)
    assert abs(layer.weight.std().item() - 1) < 0.02                       # stored: N(0, 1)
    x = torch.randn(8, fan_in)
    assert torch.allclose(layer(x), F.linear(x, layer.weight * math.sqrt(2 / fan_in), layer.bias), atol=1e-6)
    out = layer(torch.randn(4096, fan_in))
    assert abs(out.pow(2).mean().item() - 2) < 0.15                        # He: variance gain 2 for what ReLU halves


def test_equalized_learning_rate_moves_every_layer_at_the_same_relative_speed():
    # the point of the trick: one Adam step changes each layer's effective weights by the same share of their
    # scale whatever the fan-in; plain He-initialised layers change by lr in absolute terms, far more for wide fan-in
    def relative_step(layer, weight_scale):
        before = (layer.weight * weight_scale).detach().clone()
        optimizer = torch.optim.Adam(layer.parameters(), lr=0.01)
        layer(torch.randn(32, layer.weight.shape[1])).pow(2).mean().backward()
        optimizer.step()
        return ((layer.weight * weight_scale).detach() - before).abs().mean().item() / before.std().item()

    torch.manual_seed(0)
    equalized = [relative_step(EqualizedLinear(n, 64), math.sqrt(2 / n)) for n in (16, 1024)]
    assert abs(equalized[0] / equalized[1] - 1) < 0.1 and abs(equalized[0] - 0.01) < 0.002
    plain = []
    for n in (16, 1024):
        layer = torch.nn.Linear(n, 64)
        torch.nn.init.normal_(layer.weight, std=math.sqrt(2 / n))
        plain.append(relative_step(layer, 1.0))
    assert plain[1] / plain[0] > 5                                          # sqrt(1024 / 16) = 8
    ablated = [relative_step(EqualizedLinear(n, 64, equalized=False), 1.0) for n in (16, 1024)]
    assert ablated[1] / ablated[0] > 5                                      # the ablation is the plain layer


def test_equalized_false_is_plain_he_initialisation_with_the_same_function():
    torch.manual_seed(0)
    linear, conv = EqualizedLinear(256, 128, equalized=False), EqualizedConv2d(16, 32, 3, equalized=False)
    assert linear.scale == 1.0 and conv.scale == 1.0
    assert abs(linear.weight.std().item() - math.sqrt(2 / 256)) < 0.003    # stored already He-scaled
    assert abs(conv.weight.std().item() - math.sqrt(2 / (16 * 9))) < 0.005
    x = torch.randn(3, 16, 6, 6)
    assert torch.allclose(conv(x), F.conv2d(x, conv.weight, conv.bias, padding=1), atol=1e-6)
    with pytest.raises(ValueError, match="equalized=True"):
        EqualizedLinear(4, 3, lr_multiplier=0.01, equalized=False)


def test_equalized_linear_lr_multiplier_and_bias():
    layer = EqualizedLinear(64, 32, lr_multiplier=0.01, bias_init=1.0)
    assert abs(layer.weight.std().item() - 100) < 5                       # stored N(0, 1 / 0.01²)
    assert torch.allclose(layer(torch.zeros(2, 64)), torch.ones(2, 32))    # the effective bias is bias_init
    assert EqualizedLinear(4, 3, bias=False).bias is None
    with pytest.raises(ValueError, match="lr_multiplier"):
        EqualizedLinear(4, 3, lr_multiplier=0)


def test_equalized_conv_keeps_the_size_and_scales_by_its_fan_in():
    layer = EqualizedConv2d(8, 16, 3)
    x = torch.randn(2, 8, 5, 5)
    expected = F.conv2d(x, layer.weight * math.sqrt(2 / (8 * 9)), layer.bias, padding=1)
    assert layer(x).shape == (2, 16, 5, 5) and torch.allclose(layer(x), expected, atol=1e-6)
    assert EqualizedConv2d(8, 16, 1)(x).shape == (2, 16, 5, 5)


def test_pixel_norm_gives_every_pixel_unit_rms_features():
    x = torch.randn(3, 16, 4, 4) * torch.rand(3, 1, 4, 4) * 10
    out = PixelNorm()(x)
    assert torch.allclose(out.pow(2).mean(1), torch.ones(3, 4, 4), atol=1e-4)
    assert torch.allclose(PixelNorm()(5 * x), out, atol=1e-5)             # scale invariant per pixel
    assert torch.allclose(PixelNorm()(torch.randn(4, 8)).pow(2).mean(1), torch.ones(4), atol=1e-4)


def test_fade_in_blends_from_old_to_new_and_refuses_bad_alpha():
    old, new = torch.zeros(2, 3, 8, 8), torch.ones(2, 3, 8, 8)
    assert torch.equal(fade_in(old, new, 0.0), old) and torch.equal(fade_in(old, new, 1), new)
    assert torch.allclose(fade_in(old, new, 0.25), torch.full_like(old, 0.25))
    for alpha in (-0.1, 1.5, True, "0.5"):
        with pytest.raises(ValueError, match="alpha"):
            fade_in(old, new, alpha)
    with pytest.raises(ValueError, match="one shape"):
        fade_in(old, new[:, :, :4], 0.5)


def test_relative_adam_steps_show_what_equalisation_and_the_multiplier_do():
    torch.manual_seed(0)
    net = torch.nn.Sequential(layers.EqualizedLinear(16, 64), layers.EqualizedLinear(64, 8, lr_multiplier=0.01))
    steps = layers.relative_adam_steps(net, {"first": net[0], "slow": net[1]},
                                       lambda n: n(torch.randn(32, 16)).square().mean(), lr=1e-3, betas=(0.0, 0.99))
    # Adam moves every stored weight by about lr; the multiplier scales the slow layer's effective step by 0.01
    assert steps["slow"] / steps["first"] == pytest.approx(0.01, rel=0.05)
    torch.manual_seed(0)
    plain = torch.nn.Sequential(layers.EqualizedLinear(16, 64, equalized=False),
                                layers.EqualizedLinear(64, 8, equalized=False))
    steps = layers.relative_adam_steps(plain, {"narrow": plain[0], "wide": plain[1]},
                                       lambda n: n(torch.randn(32, 16)).square().mean(), lr=1e-3, betas=(0.0, 0.99))
    assert steps["wide"] / steps["narrow"] == pytest.approx(2.0, rel=0.15)     # sqrt(64 / 16): smaller weights
    with pytest.raises(ValueError, match="expected an equalised layer"):
        layers.relative_adam_steps(plain, {"relu": torch.nn.ReLU()}, lambda n: n(torch.randn(2, 16)).sum(), 1e-3,
                                   (0.0, 0.99))
