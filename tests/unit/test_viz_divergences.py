"""Lesson 02's figures (gan_course.viz): each plot_* function draws what it says, on small inputs."""

import math

import matplotlib.pyplot as plt
import numpy as np
import ot
import pytest
import torch
from matplotlib.figure import Figure

from conftest import lines_by_label
from gan_course import theory, viz
from gan_course.models.gan import MLPDiscriminator


def parallel_lines_curves(thetas):
    exact = [theory.parallel_lines(t) for t in thetas]
    return {k: [e[k] for e in exact] for k in ("kl", "js", "tv", "w1")}


def test_divergence_curves_draw_exact_values_jumps_and_infinity():
    thetas = np.linspace(-1, 1, 9)  # contains 0 exactly
    sampled = {"js": [math.log(2)] * 4 + [0.01] + [math.log(2)] * 4, "kl": [math.inf] * 4 + [0.02] + [math.inf] * 4}
    fig = viz.plot_divergence_curves(thetas, parallel_lines_curves(thetas), sampled, theta=0.5)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    lines = lines_by_label(ax)
    np.testing.assert_allclose(lines["$W_1$ (exact)"].get_ydata(), np.abs(thetas))  # one continuous line
    # JS: each side is a flat line at log 2 that does not touch theta = 0; the value there is a dot at 0.
    js_lines = [line for line in ax.get_lines() if line.get_color() == "tab:blue" and line.get_linestyle() == "-"]
    assert len(js_lines) == 2
    for line in js_lines:
        np.testing.assert_allclose(line.get_ydata(), math.log(2))
        assert 0 not in line.get_xdata()
    # Infinite KL is drawn at the cap, exact and sampled.
    np.testing.assert_allclose(lines["KL = $\\infty$ (exact)"].get_ydata(), viz.INF_CAP)
    kl_samples = lines["KL (samples)"].get_ydata()
    assert kl_samples[4] == pytest.approx(0.02) and (kl_samples[[0, 8]] > 1.4).all()
    assert any(list(line.get_xdata()) == [0.5, 0.5] for line in ax.get_lines())  # the theta marker


def test_parallel_lines_figure():
    fig = viz.plot_parallel_lines(0.3, n=25, thetas=np.linspace(-1, 1, 21))
    left, right = fig.axes
    assert "$W_1$ = 0.30" in left.get_title() and "JS = 0.693" in left.get_title() and "\\infty" in left.get_title()
    assert len(left.texts) == 25  # one arrow per point: the optimal plan moves each point straight across
    arrow = left.texts[0]
    assert arrow.xy[0] == pytest.approx(0.3) and arrow.xyann[0] == pytest.approx(0.0)
    assert "$W_1$ (exact)" in lines_by_label(right)


def test_gaussian_divergence_curves_by_hand():
    curves = viz.gaussian_divergence_curves([0.0, 1.0, 2.0], sigma=1.0)
    np.testing.assert_allclose(curves["kl"], [0.0, 0.5, 2.0], atol=1e-12)  # shift^2 / 2
    np.testing.assert_allclose(curves["w1"], [0.0, 1.0, 2.0], atol=1e-12)
    assert curves["js"][0] == pytest.approx(0.0, abs=1e-12)
    assert 0 < curves["js"][1] < curves["js"][2] < math.log(2)


def test_gaussian_divergences_figure():
    fig = viz.plot_gaussian_divergences(1.0, 1.0, max_shift=3.0, points=7)
    left, right = fig.axes
    assert "KL(P‖Q) = 0.500" in left.get_title() and "$W_1$ = 1.000" in left.get_title()
    np.testing.assert_allclose(lines_by_label(right)["$W_1$"].get_ydata(), np.linspace(0, 3, 7), atol=1e-12)
    with pytest.raises(ValueError, match="positive"):
        viz.plot_gaussian_divergences(1.0, 0.0)


def test_gradient_norms_plot_uses_log_scales():
    fig = viz.plot_gradient_norms([0, 10, 100], {"a": [1.0, 0.1, 0.01], "b": [1.0, 2.0, 4.0]}, ylabel="|g|")
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and ax.get_xscale() == "symlog" and ax.get_ylabel() == "|g|"
    np.testing.assert_allclose(lines_by_label(ax)["a"].get_ydata(), [1.0, 0.1, 0.01])


def test_transport_plan_draws_one_line_per_nonzero_entry():
    x = np.array([[0.0, 0.0], [1.0, 0.0]])
    y = np.array([[0.0, 1.0], [1.0, 1.0], [2.0, 1.0]])
    plan = ot.emd(ot.unif(2), ot.unif(3), ot.dist(x, y, metric="euclidean"))
    fig = viz.plot_transport_plan(x, y, plan, title="plan")
    ax = fig.axes[0]
    assert len(ax.get_lines()) == int((plan > 0).sum()) == 4  # 1/2 = 1/3 + 1/6: the middle point splits
    assert ax.get_title() == "plan"
    with pytest.raises(ValueError, match="shape"):
        viz.plot_transport_plan(x, y, plan.T)


def test_critic_contours_and_weight_histogram():
    critic = MLPDiscriminator(data_dim=2, hidden=8)
    real, fake = torch.randn(50, 2), 0.5 * torch.randn(50, 2)
    fig = viz.plot_critic(critic, real, fake, lim=2.0, title="critic")
    assert len(fig.axes) == 2  # the plot and its colour bar
    assert fig.axes[0].get_xlim() == (-2.0, 2.0) and fig.axes[0].get_title() == "critic"

    fig = viz.plot_weight_histogram(critic, clip=0.01)
    ax = fig.axes[0]
    n_params = sum(p.numel() for p in critic.parameters())
    assert sum(patch.get_height() for patch in ax.patches) == n_params
    bounds = sorted(line.get_xdata()[0] for line in ax.get_lines())
    assert bounds == [-0.01, 0.01]


def test_slider_panels_pass_their_sliders_to_the_plot(monkeypatch):
    pytest.importorskip("ipywidgets")
    shown, drawn = [], []
    monkeypatch.setattr("IPython.display.display", lambda *objs, **kw: shown.extend(objs))

    def recorder(name):
        def plot(*args, **kwargs):
            drawn.append((name, args, kwargs))
            return plt.figure()
        return plot

    monkeypatch.setattr(viz.theory, "plot_parallel_lines", recorder("lines"))
    monkeypatch.setattr(viz.theory, "plot_gaussian_divergences", recorder("gaussians"))
    assert viz.interact_parallel_lines(0.25) is None and viz.interact_gaussian_divergences(1.0, 0.5) is None
    (lines, gaussians) = [o for o in shown if hasattr(o, "children")]
    (theta,) = lines.children[:-1]
    mu, sigma = gaussians.children[:-1]
    assert theta.value == 0.25 and not theta.continuous_update and (mu.value, sigma.value) == (1.0, 0.5)
    assert drawn == []  # nothing drawn at creation (see build_slider_panel)
    theta.value = 0.5
    sigma.value = 1.0
    assert drawn == [("lines", (), {"theta": 0.5}), ("gaussians", (), {"mu": 1.0, "sigma": 1.0})]
    assert plt.get_fignums() == []  # each figure closed once shown