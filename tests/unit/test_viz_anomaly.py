"""gan_course.viz.anomaly: score histograms and rows of reconstructions with defect outlines."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from gan_course.viz import anomaly as viz_anomaly  # noqa: E402


def test_score_histograms_one_panel_per_detector_with_its_auroc_and_bad_input():
    flags = torch.tensor([False] * 5 + [True] * 5)
    fig = viz_anomaly.plot_score_histograms({"a": torch.arange(10.0), "b": -torch.arange(10.0)}, flags,
                                            {"a": 1.0, "b": 0.0})
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["a: AUROC 1.000", "b: AUROC 0.000"]
    plt.close(fig)
    with pytest.raises(ValueError, match="3 scores for 10 images"):
        viz_anomaly.plot_score_histograms({"a": torch.zeros(3)}, flags)
    with pytest.raises(ValueError, match="at least one detector"):
        viz_anomaly.plot_score_histograms({}, flags)


def test_reconstructions_rows_labels_and_mask_outlines():
    images = torch.rand(4, 1, 32, 32) * 2 - 1
    masks = torch.zeros(4, 1, 32, 32, dtype=torch.bool)
    masks[:, :, 10:20, 10:20] = True
    fig = viz_anomaly.plot_reconstructions({"x": images, "residual": images.abs()}, masks=masks, title="t")
    ax = fig.axes[0]
    assert [label.get_text() for label in ax.get_yticklabels()] == ["x", "residual"]
    assert len(ax.collections) >= 2  # one outline per row
    plt.close(fig)
    with pytest.raises(ValueError, match="has 3 images"):
        viz_anomaly.plot_reconstructions({"x": images, "y": images[:3]})


def test_auroc_grid_writes_every_cell_and_rejects_ragged_rows():
    fig = viz_anomaly.plot_auroc_grid({"a": {"1": 0.25, "6": 0.9}, "b": {"1": 0.5, "6": 1.0}}, title="t")
    ax = fig.axes[0]
    assert sorted(t.get_text() for t in ax.texts) == ["0.25", "0.50", "0.90", "1.00"]
    assert [label.get_text() for label in ax.get_yticklabels()] == ["a", "b"]
    assert [label.get_text() for label in ax.get_xticklabels()] == ["1", "6"]
    plt.close(fig)
    with pytest.raises(ValueError, match="has the columns"):
        viz_anomaly.plot_auroc_grid({"a": {"1": 0.2}, "b": {"6": 0.3}})
    with pytest.raises(ValueError, match="at least one detector"):
        viz_anomaly.plot_auroc_grid({})
