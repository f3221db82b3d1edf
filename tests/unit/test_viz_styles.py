"""gan_course.viz.styles: the style-mixing grid, the noise maps, the truncation curve, the panel's figure and the
shares of factors that follow B."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from gan_course.viz import styles  # noqa: E402


def test_mixing_grid_one_block_of_rows_per_group():
    a, b = torch.zeros(4, 1, 8, 8), torch.ones(2, 1, 8, 8)
    fig = styles.plot_mixing_grid(a, b, {"coarse": torch.zeros(2, 4, 1, 8, 8), "fine": torch.zeros(2, 4, 1, 8, 8)})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["sources A", "B's coarse\nstyles", "B's fine\nstyles"]
    height, width = ax.images[0].get_array().shape[:2]
    assert (height, width) == ((1 + 2 * 2) * 10 + 2, (1 + 4) * 10 + 2)     # 5 rows and 5 columns of 8 px + padding
    plt.close(fig)
    with pytest.raises(ValueError, match=r"mixed\['coarse'\] must be \(n_B, n_A, C, H, W\)"):
        styles.plot_mixing_grid(a, b, {"coarse": torch.zeros(4, 2, 1, 8, 8)})


def test_noise_maps_share_one_colour_scale():
    images = torch.zeros(3, 1, 8, 8)
    maps = {"all": torch.rand(3, 1, 8, 8), "coarse": 2 * torch.rand(3, 1, 8, 8)}
    fig = styles.plot_noise_maps(images, maps)
    shown = [im for ax in fig.axes for im in ax.images if im.get_cmap().name == "magma"]
    assert len(shown) == 6 and {im.get_clim()[1] for im in shown} == {float(maps["coarse"].max())}
    plt.close(fig)
    with pytest.raises(ValueError, match="images' shape"):
        styles.plot_noise_maps(images, {"all": torch.rand(2, 1, 8, 8)})


def test_truncation_curve_and_the_panel_figure():
    rows = [{"psi": p, "fid": 10 * (1 - p) + 5, "precision": 1 - p / 2, "recall": p} for p in (0.0, 0.5, 1.0)]
    fig = styles.plot_truncation_curve(rows, reference={"fid": 1.0, "precision": 0.9, "recall": 0.9})
    assert [line.get_ydata()[1] for line in fig.axes[0].lines[:1]] == [10.0]
    plt.close(fig)
    with pytest.raises(ValueError, match="psi, fid, precision and recall"):
        styles.plot_truncation_curve([{"psi": 0.5}])
    fig = styles.plot_style_mix(torch.zeros(1, 8, 8), torch.ones(1, 8, 8), torch.zeros(1, 8, 8), 3, 8, 0.7)
    assert [ax.get_title() for ax in fig.axes] == ["A", "B", "A, B's w in layers 3–7"]
    plt.close(fig)
    with pytest.raises(ValueError, match=r"one image \(C, H, W\)"):
        styles.plot_style_mix(torch.zeros(2, 1, 8, 8), torch.ones(1, 8, 8), torch.zeros(1, 8, 8), 3, 8, 0.7)


def test_follows_bars_one_per_group_and_factor():
    fig = styles.plot_follows({"coarse": [0.9, 0.1], "fine": [0.0, 0.8]}, ["yaw", "skin_tone"])
    assert len(fig.axes[0].patches) == 4
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["yaw", "skin tone"]
    plt.close(fig)
    with pytest.raises(ValueError, match="one value per category"):
        styles.plot_follows({"coarse": [0.9]}, ["yaw", "skin_tone"])


def test_grouped_bars_with_reference_lines():
    fig = styles.plot_grouped_bars({"in Z": [0.5, 0.6, 0.1], "in W": [0.0, 0.4, 0.0]}, ["yaw", "pitch", "light"],
                                   "H(Y | X)", lines={0.693: "log 2"}, title="t")
    ax = fig.axes[0]
    assert len(ax.patches) == 6 and ax.get_ylabel() == "H(Y | X)"
    assert any(abs(line.get_ydata()[0] - 0.693) < 1e-9 for line in ax.get_lines())
    plt.close(fig)


def test_path_profiles_show_both_routes_and_every_path():
    profile = {space: {"images": torch.rand(3, 9, 1, 8, 8) * 2 - 1, "d": torch.rand(3, 8) + 0.1} for space in "zw"}
    fig = styles.plot_path_profiles(profile, shown=1)
    assert len(fig.axes) == 3 and len(fig.axes[2].get_lines()) == 6          # a solid and a dashed line per path
    assert fig.axes[2].get_yscale() == "log"
    plt.close(fig)
    with pytest.raises(ValueError, match="'z' and 'w'"):
        styles.plot_path_profiles({"z": profile["z"]})


def test_path_length_histograms_mark_each_kept_mean():
    import numpy as np

    values = {"Z": np.random.default_rng(0).lognormal(3, 1, 500), "W": np.random.default_rng(1).lognormal(1.5, 1, 500)}
    fig = styles.plot_path_lengths(values)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and len(ax.get_lines()) == 2
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0].startswith("Z: mean") and labels[1].startswith("W: mean")
    plt.close(fig)
    with pytest.raises(ValueError, match="at least one"):
        styles.plot_path_lengths({})
