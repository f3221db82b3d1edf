import matplotlib
import pytest
import torch

from gan_course import train, viz
from gan_course.models.gan import GANStep, MLPDiscriminator, MLPGenerator


class Normal1D:
    def density(self, x):
        return torch.exp(-x[:, 0] ** 2 / 2) / (2 * torch.pi) ** 0.5


def test_image_grid_layout_and_range():
    images = -torch.ones(10, 1, 4, 4)
    images[3] = 1.0
    grid = viz.image_grid(images, nrow=4, padding=1)
    assert grid.shape == (3 * 5 + 1, 4 * 5 + 1)
    assert grid.min() == 0.0 and grid.max() == 1.0
    assert (grid[1:5, 16:20] == 1.0).all()  # image 3 sits in row 0, column 3
    assert viz.image_grid(torch.zeros(2, 3, 4, 4), nrow=2).shape == (8, 14, 3)
    with pytest.raises(ValueError, match=r"\(N, 1 or 3, H, W\)"):
        viz.image_grid(torch.zeros(2, 4, 4))


def test_plots_return_figures():
    D = MLPDiscriminator(data_dim=2, hidden=8)
    history = train.History(step=[1, 2, 3], losses={"d_loss": [1.0, 0.9, 0.8], "g_loss": [0.7, 0.8, 0.9]})
    figures = [
        viz.plot_images(torch.rand(8, 1, 6, 6) * 2 - 1, nrow=4, title="x"),
        viz.plot_losses(history),
        viz.plot_losses(history, smooth=2),
        viz.plot_1d(Normal1D(), torch.randn(50, 1), (torch.linspace(-3, 3, 5), torch.rand(5))),
        viz.plot_2d(torch.randn(30, 2), torch.randn(30, 2), D, title="2d"),
    ]
    for fig in figures:
        assert isinstance(fig, matplotlib.figure.Figure)
        matplotlib.pyplot.close(fig)


def test_snapshot_1d_is_reproducible_and_plottable():
    torch.manual_seed(0)
    G, D = MLPGenerator(z_dim=3, hidden=8), MLPDiscriminator(hidden=8)
    take = viz.snapshot_1d(n=100, points=50)
    a, b = take(GANStep(G, D, None, None)), take(GANStep(G, D, None, None))
    assert a["fake"].shape == (100, 1) and a["d"].shape == (50,) and torch.equal(a["fake"], b["fake"])
    assert ((a["d"] > 0) & (a["d"] < 1)).all()
    fig = viz.plot_1d_snapshot(Normal1D(), (5, a))
    assert fig.axes[0].get_title() == "step 5"


def test_animate_renders_every_frame_and_refuses_none():
    # The player itself: tests/unit/test_viz_widgets.py.
    pngs = viz.render_frames([1, 2], lambda ax, k: ax.plot([0, k]))
    assert len(pngs) == 2 and all(png.startswith(b"\x89PNG") for png in pngs) and pngs[0] != pngs[1]
    with pytest.raises(ValueError, match="at least one frame"):
        viz.animate([], lambda ax, k: None)


def test_live_plot_outside_a_notebook_is_silent():
    calls = []
    live = viz.LivePlot(lambda fig, state: calls.append(state.step), every=2)
    state = train.TrainState(2, 4, {"d_loss": 0.0}, None, train.History())
    live(state)
    assert calls == []  # no IPython kernel here, nothing drawn
    with pytest.raises(ValueError, match="positive"):
        viz.LivePlot(lambda f, s: None, every=0)
