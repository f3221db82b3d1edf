"""StyleGAN's latent-space metrics (gan_course.metrics.latent) on cases whose answer is known in closed form."""

import math

import numpy as np
import pytest
import torch

from gan_course import metrics


def identity(x):
    return x


def test_path_length_of_a_rotation_is_the_squared_angle():
    # slerp between directions theta apart moves the image (= the point) by eps * theta per step eps of t; the unit
    # feature distance is (2 sin(eps theta / 2))^2, so the path length is theta^2 wherever t is
    theta = 1.2
    n = 200
    start = torch.tensor([[1.0, 0.0]], dtype=torch.float64).repeat(n, 1)
    end = torch.tensor([[math.cos(theta), math.sin(theta)]], dtype=torch.float64).repeat(n, 1) * 3.0
    for sampling in ("full", "end"):
        ppl = metrics.perceptual_path_length(start, end, identity, identity, "slerp", sampling)
        assert ppl.mean == pytest.approx(theta ** 2, rel=1e-4) and len(ppl.values) == n


def test_path_length_of_a_straight_line_seen_as_directions():
    # lerp from (1, 0) to (1, 1): the point (1, t) has direction angle atan(t), which turns at 1 / (1 + t^2);
    # at t = 0 ("end") the path length is 1, and over t ~ U(0, 1) the mean of 1 / (1 + t^2)^2 is (pi + 2) / 8
    n = 4000
    start = torch.tensor([[1.0, 0.0]], dtype=torch.float64).repeat(n, 1)
    end = torch.tensor([[1.0, 1.0]], dtype=torch.float64).repeat(n, 1)
    assert metrics.perceptual_path_length(start, end, identity, identity, "lerp", "end").mean == pytest.approx(1, rel=1e-3)
    full = metrics.perceptual_path_length(start, end, identity, identity, "lerp", "full")
    assert np.mean(full.values) == pytest.approx((math.pi + 2) / 8, rel=0.02)


def test_path_length_leaves_out_the_extreme_percentiles_and_checks_its_arguments():
    # 199 paths turn by 1 radian, one by 3: its value, 9, lies above the 99th percentile and is left out of the mean
    angles = torch.tensor([1.0] * 199 + [3.0], dtype=torch.float64)
    start = torch.tensor([[1.0, 0.0]], dtype=torch.float64).repeat(200, 1)
    end = torch.stack([angles.cos(), angles.sin()], 1)
    ppl = metrics.perceptual_path_length(start, end, identity, identity, "slerp")
    assert ppl.values.max() == pytest.approx(9, rel=1e-3) and np.mean(ppl.values) == pytest.approx(1.04, rel=1e-3)
    assert ppl.mean == pytest.approx(1, rel=1e-3)
    with pytest.raises(ValueError, match="interpolation"):
        metrics.perceptual_path_length(start, end, identity, identity, "cubic")
    with pytest.raises(ValueError, match="sampling"):
        metrics.perceptual_path_length(start, end, identity, identity, "lerp", "middle")
    with pytest.raises(ValueError, match="one shape"):
        metrics.perceptual_path_length(start, end[:5], identity, identity, "lerp")


def test_conditional_entropy_known_cases():
    x = np.array([0, 0, 1, 1] * 50)
    assert metrics.conditional_entropy(x, x) == 0.0
    assert metrics.conditional_entropy(np.array([0, 1, 0, 1] * 50), x) == pytest.approx(math.log(2))
    with pytest.raises(ValueError, match="one length"):
        metrics.conditional_entropy(x, x[:3])


def test_separability_of_a_hyperplane_and_of_noise():
    gen = np.random.default_rng(0)
    latents = gen.normal(size=(2000, 8))
    confidence = gen.random(2000)
    split = metrics.separability(latents, (latents @ np.arange(1, 9) > 0).astype(int), confidence)
    assert split.entropy < 0.05 and split.agreement > 0.98 and split.kept == 1000
    noise = metrics.separability(latents, gen.integers(0, 2, 2000), confidence)
    assert noise.entropy > 0.95 * math.log(2)
    with pytest.raises(ValueError, match="labels must be 0 or 1"):
        metrics.separability(latents, np.full(2000, 2), confidence)
    with pytest.raises(ValueError, match=r"latents \(N, d\)"):
        metrics.separability(latents, np.zeros(5, dtype=int), confidence)


def test_unit_slerp_walks_the_great_circle_at_a_constant_angular_pace():
    gen = torch.Generator().manual_seed(0)
    a, b = torch.randn(6, 16, generator=gen, dtype=torch.float64), 3 * torch.randn(6, 16, generator=gen,
                                                                                     dtype=torch.float64)
    ua, ub = a / a.norm(dim=1, keepdim=True), b / b.norm(dim=1, keepdim=True)
    theta = torch.arccos((ua * ub).sum(1))
    t = torch.linspace(0, 1, 6, dtype=torch.float64)
    points = metrics.unit_slerp(a, b, t)
    assert torch.allclose(points.norm(dim=1), torch.ones(6, dtype=torch.float64))     # on the unit sphere
    assert torch.allclose(torch.arccos((points * ua).sum(1).clamp(-1, 1)), t * theta)  # at angle t·θ from â
    assert torch.allclose(metrics.unit_slerp(a, b, torch.ones(6, dtype=torch.float64)), ub)
    same = metrics.unit_slerp(a, 2 * a, torch.full((6,), 0.5, dtype=torch.float64))     # θ = 0: stays at â
    assert torch.allclose(same, ua)
    assert torch.allclose(metrics.lerp_rows(a, b, t), a + t[:, None] * (b - a))
