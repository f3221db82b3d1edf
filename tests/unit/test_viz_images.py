import matplotlib
import numpy as np
import pytest
import torch

from gan_course.viz import images as viz_images


def test_image_panels_one_titled_grid_per_set():
    images = {"real": torch.rand(10, 1, 6, 6) * 2 - 1, "fake": -torch.ones(4, 1, 6, 6)}
    fig = viz_images.plot_image_panels(images, nrow=4)
    assert [ax.get_title() for ax in fig.axes] == ["real", "fake"]
    assert fig.axes[0].images[0].get_array().shape == (3 * 8 + 2, 4 * 8 + 2)  # 3 rows of 4 with padding 2
    with pytest.raises(ValueError, match="at least one"):
        viz_images.plot_image_panels({})


def test_confusion_matrix_writes_the_off_diagonal_counts():
    matrix = torch.tensor([[5, 1, 0], [0, 7, 2], [0, 0, 9]])
    fig = viz_images.plot_confusion_matrix(matrix, title="c")
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert texts == ["1", "2"]  # the mistakes, not the diagonal
    with pytest.raises(ValueError, match="square"):
        viz_images.plot_confusion_matrix(torch.zeros(2, 3))


def test_class_shares_draws_one_bar_per_class_and_set():
    shares = {"a": [0.1] * 10, "b": [0.5, 0.5] + [0.0] * 8}
    fig = viz_images.plot_class_shares(shares)
    ax = fig.axes[0]
    assert len(ax.patches) == 20
    assert {line.get_ydata()[0] for line in ax.get_lines()} == {0.1, 0.05}  # fair share and the threshold
    with pytest.raises(ValueError, match="one share per class"):
        viz_images.plot_class_shares({"a": [0.5, 0.5], "b": [1.0]})


def test_score_bars_mark_the_reference_row():
    rows = {"real": dict(fid=30.0, inception_score=9.9, precision=0.8, recall=0.85, classes=10),
            "model": dict(fid=3000.0, inception_score=2.0, precision=0.5, recall=0.1, classes=3)}
    fig = viz_images.plot_score_bars(rows, reference="real")
    assert len(fig.axes) == 5
    fid_ax = fig.axes[0]
    assert fid_ax.get_xscale() == "log"  # 100x apart
    assert [t.get_text() for t in fid_ax.texts] == [" 30", " 3000"]
    assert fid_ax.get_lines()[0].get_xdata()[0] == 30.0
    with pytest.raises(ValueError, match="reference"):
        viz_images.plot_score_bars(rows, reference="missing")


def test_precision_recall_plane_keeps_labels_of_nearby_points_apart():
    points = {"a": (1.0, 0.0), "b": (0.99, 0.01), "c": (0.5, 0.9), "d": (0.98, 0.02)}
    fig = viz_images.plot_precision_recall(points)
    ax = fig.axes[0]
    texts = {t.get_text(): t for t in ax.texts}
    assert set(texts) == set(points)
    boxes = [viz_images._label_box(*t.get_position(), name, t.get_horizontalalignment() == "left")
             for name, t in texts.items()]
    for i, a in enumerate(boxes):  # no two labels overlap
        for b in boxes[i + 1:]:
            assert not (a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3])
    assert all(-0.05 <= box[0] and box[1] <= 1.05 for box in boxes)  # inside the axes
    assert isinstance(fig, matplotlib.figure.Figure) and np.isclose(ax.get_xlim()[1], 1.05)


def test_plot_image_rows_labels_each_row_and_refuses_mixed_shapes():
    import matplotlib.pyplot as plt

    from gan_course.viz import images as viz_images

    rows = {"x": -torch.ones(5, 3, 28, 28), "G(x)": torch.ones(5, 3, 28, 28)}
    fig = viz_images.plot_image_rows(rows, title="t")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x", "G(x)"]
    grid = ax.images[0].get_array()
    assert grid.shape == (2 * 30 + 2, 5 * 30 + 2, 3)
    assert grid[2:30, 2:30].max() == 0 and grid[32:60, 2:30].min() == 1   # row 1 black, row 2 white
    plt.close(fig)
    with pytest.raises(ValueError, match="one shape"):
        viz_images.plot_image_rows({"x": torch.zeros(5, 1, 28, 28), "y": torch.zeros(4, 1, 28, 28)})
    with pytest.raises(ValueError, match="at least one row"):
        viz_images.plot_image_rows({})


def test_animate_clips_draws_each_rows_frame_t(monkeypatch):
    import matplotlib.pyplot as plt

    from gan_course.viz import images as viz_images

    played = {}
    monkeypatch.setattr(viz_images, "animate", lambda frames, draw, **kw: played.update(frames=frames, draw=draw))
    clips = -torch.ones(2, 3, 1, 32, 32)
    clips[:, 1] = 1                                              # frame 2 white, frames 1 and 3 black
    viz_images.animate_clips({"source": clips, "G(source)": -clips}, title="clips")
    assert list(played["frames"]) == [0, 1, 2]
    fig, ax = plt.subplots()
    played["draw"](ax, 1)
    assert ax.get_title() == "clips, frame 2 of 3"
    grid = ax.images[0].get_array()
    assert grid[2:34, 2:34].min() == 1 and grid[36:68, 2:34].max() == 0   # source white, G(source) black at t = 1
    plt.close(fig)
    with pytest.raises(ValueError, match=r"\(N, T, C, H, W\)"):
        viz_images.animate_clips({"x": torch.zeros(2, 1, 32, 32)})


def test_scores_by_yaw_one_panel_per_score_with_baselines_where_measured():
    bins = ["0-15", "15-30", "30-45"]
    scores = {"l1_by_yaw": [0.1, 0.2, None], "l1_views_by_yaw": [0.2, 0.4, 0.6], "asymmetry_by_yaw": [0.0, 0.1, 0.2],
              "asymmetry_frontal_by_yaw": [0.05] * 3, "yaw_bins": bins}
    fig = viz_images.plot_scores_by_yaw({"a": scores, "b": scores}, keys=("l1", "asymmetry"), title="t")
    l1, asymmetry = fig.axes
    assert [ax.get_title() for ax in fig.axes] == ["l1", "asymmetry"]
    assert [line.get_label() for line in l1.lines] == ["a", "b", "input view as is"]
    assert [line.get_label() for line in asymmetry.lines] == ["a", "b", "true frontal view"]
    assert list(l1.lines[0].get_xdata()) == [7.5, 22.5, 37.5] and np.isnan(l1.lines[0].get_ydata()[2])  # empty bin
    with pytest.raises(ValueError, match="identity_accuracy_by_yaw"):
        viz_images.plot_scores_by_yaw({"a": scores})
    matplotlib.pyplot.close("all")


def test_faces_mark_visible_landmarks_filled_and_hidden_ones_hollow():
    images, landmarks = torch.zeros(3, 1, 8, 8), torch.full((3, 2, 2), 4.0)
    visible = torch.tensor([[True, True], [True, False], [False, False]])
    fig = viz_images.plot_faces(images, landmarks, visible, labels=["a", "b", "c"], title="t")
    filled, hollow = fig.axes[0].collections
    assert len(filled.get_offsets()) == 3 and len(hollow.get_offsets()) == 3
    assert [tuple(p) for p in filled.get_offsets()] == [(6, 6), (6, 6), (16, 6)]     # column 4 of image 0 and 1
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["a", "b", "c"]
    with pytest.raises(ValueError, match="landmarks must be"):
        viz_images.plot_faces(images, torch.zeros(2, 2, 2))
    matplotlib.pyplot.close("all")
