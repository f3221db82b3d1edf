"""metrics.sliced: PGGAN's sliced Wasserstein distance, on cases whose answer is known."""

import math

import pytest
import torch
from scipy.stats import wasserstein_distance

from gan_course import metrics
from gan_course.data.digits import load_mnist
from gan_course.metrics import sliced


def test_the_pyramid_halves_and_gives_the_images_back():
    images = torch.rand(3, 2, 32, 32, generator=torch.Generator().manual_seed(0))
    bands = metrics.laplacian_pyramid(images, 3)
    assert [tuple(b.shape[2:]) for b in bands] == [(32, 32), (16, 16), (8, 8)]
    rebuilt = bands[-1]
    for band in bands[-2::-1]:
        rebuilt = sliced.pyr_up(rebuilt) + band
    assert torch.allclose(rebuilt, images, atol=1e-5)
    flat = torch.full((1, 1, 16, 16), 0.7)                 # a flat image has no detail: its finest band is zero
    assert metrics.laplacian_pyramid(flat, 2)[0].abs().max() < 1e-5
    with pytest.raises(ValueError, match="halve"):
        metrics.laplacian_pyramid(torch.rand(1, 1, 12, 12), 4)


def test_patches_are_the_pixels_at_their_places():
    band = torch.arange(2 * 3 * 10 * 10, dtype=torch.float32).reshape(2, 3, 10, 10)
    patches = sliced.patch_descriptors(band, per_image=5, size=7, generator=torch.Generator().manual_seed(1))
    assert patches.shape == (10, 3, 7, 7)
    for k, patch in enumerate(patches):
        image = k // 5
        top, left = divmod(int(patch[0, 0, 0].item()) - image * 300, 10)  # the values encode their positions
        assert torch.equal(patch, band[image, :, top:top + 7, left:left + 7])


def test_sliced_wasserstein_in_one_dimension_is_wasserstein_1():
    gen = torch.Generator().manual_seed(2)
    a, b = torch.randn(500, 1, generator=gen), 2 + 0.5 * torch.randn(500, 1, generator=gen)
    expected = wasserstein_distance(a[:, 0].numpy(), b[:, 0].numpy())
    assert metrics.sliced_wasserstein(a, b, repeats=1, per_repeat=3, generator=gen) == pytest.approx(expected, 1e-5)


def test_sliced_wasserstein_of_shifted_gaussians_matches_the_formula():
    # N(0, I) against N(mu, I) in d dimensions: every projection is a shift by theta . mu, so the distance is
    # |mu| E|theta_1| over unit directions theta, with E|theta_1| = Gamma(d/2) / (sqrt(pi) Gamma((d + 1)/2))
    d, n = 8, 20000
    gen = torch.Generator().manual_seed(3)
    mu = torch.tensor([3.0] + [0.0] * (d - 1))
    a = torch.randn(n, d, generator=gen)
    b = torch.randn(n, d, generator=gen) + mu
    expected = 3.0 * math.exp(math.lgamma(d / 2) - math.lgamma((d + 1) / 2)) / math.sqrt(math.pi)
    got = metrics.sliced_wasserstein(a, b, repeats=8, per_repeat=256, generator=gen)
    assert got == pytest.approx(expected, rel=0.05)


def test_swd_of_a_set_with_itself_is_zero_and_it_grows_with_a_real_difference():
    digits = load_mnist("test", size=32).images
    first, second = digits[:250], digits[250:500]
    same = metrics.swd(first, first)
    assert set(same) == {"32", "16", "avg"} and all(v == 0 for v in same.values())
    floor = metrics.swd(first, second)                       # two samples of one distribution
    blurred = metrics.swd(first, sliced.pyr_up(sliced.pyr_down(second)))
    noisy = metrics.swd(first, (second + 0.3 * torch.randn(second.shape, generator=torch.Generator().manual_seed(4))))
    assert blurred["32"] > 2 * floor["32"] and blurred["16"] > 1.3 * floor["16"]   # 138 vs 46, 99 vs 65
    assert noisy["32"] > 3 * floor["32"]                                           # 202 vs 46: fine noise shows
    assert noisy["16"] < 1.2 * floor["16"]                                         # in the finest band only (66)
    # each set is normalised by its own statistics: a change of contrast and brightness is invisible
    assert metrics.swd(first, 0.5 * second + 0.2)["avg"] == pytest.approx(floor["avg"], rel=1e-3)


def test_swd_refuses_sets_it_cannot_compare():
    with pytest.raises(ValueError, match="one shape"):
        metrics.swd(torch.rand(4, 1, 32, 32), torch.rand(5, 1, 32, 32))
    with pytest.raises(ValueError, match="float tensor"):
        metrics.swd(torch.rand(4, 32, 32), torch.rand(4, 32, 32))
    with pytest.raises(ValueError, match="smaller than min_resolution"):
        metrics.swd(torch.rand(4, 1, 8, 8), torch.rand(4, 1, 8, 8))
    with pytest.raises(ValueError, match="one shape"):
        metrics.sliced_wasserstein(torch.rand(4, 3), torch.rand(4, 2))
