"""gan_course.metrics.detection: AUROC against scikit-learn, the ROC curve, thresholds for a false-alarm rate."""

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score
from sklearn.metrics import roc_curve as sk_roc_curve

from gan_course import metrics


@pytest.mark.parametrize("seed", range(5))
def test_auroc_equals_sklearn_on_random_scores_with_and_without_ties(seed):
    rng = np.random.default_rng(seed)
    y = rng.random(300) < 0.3
    continuous = rng.normal(size=300) + y * rng.uniform(0, 2)
    tied = np.round(continuous * 2) / 2  # many ties
    for scores in (continuous, tied):
        assert metrics.auroc(scores, y) == pytest.approx(roc_auc_score(y, scores), abs=1e-12)


def test_auroc_extremes_hand_computed_and_tensors():
    y = np.array([0, 0, 1, 1])
    assert metrics.auroc([0.1, 0.2, 0.8, 0.9], y) == 1.0
    assert metrics.auroc([0.9, 0.8, 0.2, 0.1], y) == 0.0
    assert metrics.auroc([1, 1, 1, 1], y) == 0.5
    # pairs (anomaly, normal): (0.3 vs 0.1, 0.4) -> 1 + 0, (0.5 vs 0.1, 0.4) -> 1 + 1: 3 of 4
    assert metrics.auroc([0.1, 0.4, 0.3, 0.5], y) == 0.75
    maps = torch.rand(3, 1, 4, 4, generator=torch.Generator().manual_seed(0))
    masks = torch.zeros(3, 1, 4, 4, dtype=torch.bool)
    masks[:, :, 1, 1] = True
    expected = roc_auc_score(masks.flatten().numpy(), maps.flatten().numpy())
    assert metrics.auroc(maps, masks) == pytest.approx(expected, abs=1e-12)  # pixel level: any shape


@pytest.mark.parametrize("scores, labels, match", [
    ([0.1, 0.2], [0, 0], "both normal items and anomalies"),
    ([0.1, 0.2], [1, 1], "both normal items and anomalies"),
    ([0.1, 0.2, 0.3], [0, 1], "same shape"),
    ([0.1, float("nan")], [0, 1], "NaN"),
    ([0.1, 0.2], [0, 2], "0/1"),
])
def test_auroc_refuses_bad_input(scores, labels, match):
    with pytest.raises(ValueError, match=match):
        metrics.auroc(scores, labels)


@pytest.mark.parametrize("seed", range(3))
def test_roc_curve_matches_sklearn_and_its_area_is_the_auroc(seed):
    rng = np.random.default_rng(seed)
    y = rng.random(200) < 0.4
    scores = np.round(rng.normal(size=200) + y, 1)
    fpr, tpr, thresholds = metrics.roc_curve(scores, y)
    sk_fpr, sk_tpr, _ = sk_roc_curve(y, scores, drop_intermediate=False)
    np.testing.assert_allclose(fpr, sk_fpr)
    np.testing.assert_allclose(tpr, sk_tpr)
    assert thresholds[0] == np.inf and np.all(np.diff(thresholds) < 0)
    assert np.trapezoid(tpr, fpr) == pytest.approx(metrics.auroc(scores, y), abs=1e-12)


def test_threshold_at_keeps_the_false_alarm_rate_and_rates_at_measures_it():
    normal = np.arange(100, dtype=float)  # 0 .. 99
    for rate in (0.0, 0.05, 0.1, 0.5):
        t = metrics.threshold_at(normal, rate)
        assert (normal > t).mean() <= rate and (normal > t).mean() == pytest.approx(rate)
    assert metrics.threshold_at(normal, 0.05) == 94.0
    scores = np.r_[normal, [50.0, 96.0, 200.0]]
    y = np.r_[np.zeros(100, bool), np.ones(3, bool)]
    assert metrics.rates_at(scores, y, 94.0) == (pytest.approx(0.05), pytest.approx(2 / 3))
    for bad in (-0.1, 1.0, True, "0.1"):
        with pytest.raises(ValueError, match="false_alarm_rate"):
            metrics.threshold_at(normal, bad)
    with pytest.raises(ValueError, match="non-empty"):
        metrics.threshold_at([], 0.1)
