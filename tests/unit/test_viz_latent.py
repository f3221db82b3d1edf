import math

import matplotlib
import numpy as np
import pytest
import torch

from gan_course.viz import latent as viz_latent


def test_lerp_is_the_straight_line():
    z0, z1 = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 3.0])
    path = viz_latent.lerp(z0, z1, [0.0, 0.25, 1.0])
    assert path.shape == (3, 2)
    assert torch.allclose(path, torch.tensor([[1.0, 0.0], [0.75, 0.75], [0.0, 3.0]]))


def test_slerp_keeps_the_norm_between_vectors_of_equal_norm():
    z0, z1 = torch.tensor([2.0, 0.0]), torch.tensor([0.0, 2.0])
    t = torch.linspace(0, 1, 5)
    path = viz_latent.slerp(z0, z1, t)
    assert torch.allclose(path[0], z0) and torch.allclose(path[-1], z1, atol=1e-6)
    assert torch.allclose(path.norm(dim=1), torch.full((5,), 2.0), atol=1e-6)
    assert torch.allclose(path[2], torch.tensor([math.sqrt(2), math.sqrt(2)]), atol=1e-6)  # 45 degrees
    # the straight line cuts the corner: its midpoint has norm 2 / sqrt(2)
    assert viz_latent.lerp(z0, z1, t)[2].norm().item() == pytest.approx(math.sqrt(2))


def test_slerp_in_high_dimensions_and_batched():
    gen = torch.Generator().manual_seed(0)
    z0, z1 = torch.randn(64, 100, generator=gen), torch.randn(64, 100, generator=gen)
    t = torch.linspace(0, 1, 9)
    s, l = viz_latent.slerp(z0, z1, t), viz_latent.lerp(z0, z1, t)
    assert s.shape == l.shape == (64, 9, 100)
    mid_s, mid_l = s[:, 4].norm(dim=1).mean().item(), l[:, 4].norm(dim=1).mean().item()
    assert 9 < mid_s < 11 and 6.5 < mid_l < 7.6  # sqrt(100) vs sqrt(100 / 2) for independent Gaussians
    assert torch.allclose(s[:, 0], z0, atol=1e-5) and torch.allclose(s[:, -1], z1, atol=1e-5)


def test_slerp_of_parallel_vectors_falls_back_to_lerp():
    z = torch.tensor([1.0, 2.0, 3.0])
    path = viz_latent.slerp(z, 2 * z, [0.0, 0.5, 1.0])
    assert torch.isfinite(path).all()
    assert torch.allclose(path, viz_latent.lerp(z, 2 * z, [0.0, 0.5, 1.0]))


def test_paths_refuse_bad_shapes():
    with pytest.raises(ValueError, match="one shape"):
        viz_latent.lerp(torch.zeros(3), torch.zeros(4), [0.5])
    with pytest.raises(ValueError, match="1D"):
        viz_latent.slerp(torch.zeros(3), torch.ones(3), [[0.5]])


def test_figures():
    images = torch.rand(6, 1, 8, 8) * 2 - 1
    fig = viz_latent.plot_image_rows({"a": images, "b": -images}, captions={"b": list("abcdef")}, title="rows")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    assert sum(t.get_text() in "abcdef" for t in ax.texts) == 6
    with pytest.raises(ValueError, match="same number"):
        viz_latent.plot_image_rows({"a": images, "b": images[:3]})
    fig = viz_latent.plot_nearest_pairs(images, -images, torch.linspace(0.1, 0.6, 6))
    assert [t.get_text() for t in fig.axes[0].texts][:2] == ["0.10", "0.20"]
    with pytest.raises(ValueError, match="one distance per pair"):
        viz_latent.plot_nearest_pairs(images, images, [0.1])
    fig = viz_latent.plot_distance_histograms({"real": np.random.rand(50), "generated": np.random.rand(40) + 1})
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[0].startswith("real (median") and labels[1].startswith("generated (median")
    fig = viz_latent.plot_path_curves(np.linspace(0, 1, 5), {"lerp": np.random.rand(3, 5), "slerp": np.ones(5)},
                                      references={"sqrt(d)": 1.0}, ylabel="norm")
    assert isinstance(fig, matplotlib.figure.Figure) and len(fig.axes[0].lines) == 3
    band = fig.axes[0].collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() >= 0 and band.max() <= 1  # a percentile band stays inside the values (mean ± std would not)
