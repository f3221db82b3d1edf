import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from gan_course import viz  # noqa: E402
from gan_course.models.gan import GANStep, MLPDiscriminator, MLPGenerator  # noqa: E402


def test_snapshot_samples_reuses_the_same_noise():
    torch.manual_seed(0)
    G, D = MLPGenerator(z_dim=2, data_dim=2), MLPDiscriminator(data_dim=2)
    take = viz.snapshot_samples(n=50, seed=1)
    with torch.no_grad():
        a, b = take(GANStep(G, D, None, None)), take(GANStep(G, D, None, None))
    assert a.shape == (50, 2) and torch.equal(a, b)


def test_plot_mode_hopping_draws_shares_per_mode():
    counts = np.array([[10, 0, 0], [5, 5, 0], [0, 0, 8]])
    fig = viz.plot_mode_hopping([0, 100, 200], counts)
    image = fig.axes[0].images[0].get_array()
    assert image.shape == (3, 3)  # (modes, snapshots)
    np.testing.assert_allclose(image[:, 1], [0.5, 0.5, 0.0])
    matplotlib.pyplot.close(fig)


def test_plot_mode_hopping_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="counts must be"):
        viz.plot_mode_hopping([0, 1], np.zeros((3, 4)))
