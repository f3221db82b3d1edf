"""gan_course.viz.growth: a score over training with the growth phases marked, and samples per resolution."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from gan_course.viz import growth  # noqa: E402


def test_growth_curves_mark_every_switch_and_shade_the_fade_ins():
    curve = [{"step": s, "fid": 100.0 / s} for s in range(10, 101, 10)]
    fig = growth.plot_growth_curves({"fade-in": curve, "abrupt": curve[::2]}, switches=[20, 50], fade=10)
    ax = fig.axes[0]
    assert len(ax.lines) == 2 + 2                                      # two runs, two switch lines
    assert [t.get_text() for t in ax.texts] == [" 8 px", " 16 px"]
    assert len(ax.patches) == 2 and ax.get_yscale() == "log"           # one shaded fade-in per switch
    plt.close(fig)
    fig = growth.plot_growth_curves({"abrupt": curve}, switches=[20], fade=0, log=False)
    assert len(fig.axes[0].patches) == 0
    plt.close(fig)


def test_growth_curves_refuse_bad_input():
    with pytest.raises(ValueError, match="at least one run"):
        growth.plot_growth_curves({}, [10], 5)
    with pytest.raises(ValueError, match="runs without them: \\['a'\\]"):
        growth.plot_growth_curves({"a": [{"step": 1}]}, [10], 5)
    with pytest.raises(ValueError, match="increasing"):
        growth.plot_growth_curves({"a": [{"step": 1, "fid": 2.0}]}, [10, 5], 5)


def test_resolutions_one_row_each_enlarged_to_one_size():
    fig = growth.plot_resolutions([torch.zeros(3, 1, 4, 4), torch.zeros(3, 1, 8, 8), torch.zeros(3, 1, 32, 32)])
    labels = [label.get_text() for label in fig.axes[0].get_yticklabels()]
    assert labels == ["4 px", "8 px", "32 px"]
    plt.close(fig)
    with pytest.raises(ValueError, match="same N"):
        growth.plot_resolutions([torch.zeros(3, 1, 4, 4), torch.zeros(2, 1, 8, 8)])
