"""Lesson 04's figure (gan_course.viz.plot_progress_meter) draws what it says, on small inputs."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from conftest import lines_by_label
from gan_course import viz


def test_progress_meter_puts_a_scaled_reading_on_its_own_axis():
    steps, w1 = [1, 100, 200], [0.9, 0.5, 0.3]
    reading = [2e-4, 1e-4, 5e-5]
    fig = viz.plot_progress_meter(steps, w1, {"clipped critic": reading}, title="WGAN")
    assert isinstance(fig, Figure)
    left, right = fig.axes  # W1 on the left, the reading on a twin axis on the right
    np.testing.assert_allclose(lines_by_label(left)["exact $W_1$ (POT)"].get_ydata(), w1)
    np.testing.assert_allclose(lines_by_label(right)["clipped critic"].get_xdata(), steps)
    np.testing.assert_allclose(lines_by_label(right)["clipped critic"].get_ydata(), reading)
    assert right.get_ylim()[1] < 1e-3 < left.get_ylim()[1]  # each axis fits its own scale
    assert left.get_title() == "WGAN" and left.get_xlabel() == "generator steps"
    assert [t.get_text() for t in left.get_legend().get_texts()] == ["exact $W_1$ (POT)", "clipped critic"]


def test_progress_meter_on_one_scale_draws_every_reading_next_to_w1():
    fig, ax = plt.subplots()
    out = viz.plot_progress_meter([1, 2, 3, 4], [1.0, 0.8, 0.6, 0.5],
                                  {"in training": [0.9, -0.2, 0.7, 0.4], "trained afresh": [1.0, 0.8, 0.6, 0.5]},
                                  ax=ax, same_scale=True)
    assert out is fig and fig.axes == [ax]  # no second axis
    lines = lines_by_label(ax)
    assert {"exact $W_1$ (POT)", "in training", "trained afresh"} <= set(lines)
    np.testing.assert_allclose(lines["in training"].get_ydata(), [0.9, -0.2, 0.7, 0.4])
    assert ax.get_ylim()[0] < -0.2  # a negative reading stays in view
