"""How well a score separates anomalies from normal data: AUROC, the ROC curve, and a threshold for a
required false-alarm rate.

A detector gives every image (or pixel) a score, higher meaning "more anomalous". For a threshold t, the
false-alarm rate is the share of normal items scored above t and the detection rate the share of anomalies
scored above t; the ROC curve traces both as t falls. Its area, the AUROC, is the probability that a random
anomaly scores above a random normal item (ties count one half): the Mann-Whitney U statistic divided by
n_anomalies * n_normal, which is how :func:`auroc` computes it, from ranks, in O(N log N).

Scores and labels may have any shape as long as the two match: pixel-level AUROC is the same number over
the flattened maps and masks.

Taught in: lesson 16
"""

from __future__ import annotations

import numpy as np
from torch import Tensor


def _scores_and_labels(scores, is_anomaly) -> tuple[np.ndarray, np.ndarray]:
    s = scores.detach().double().cpu().numpy() if isinstance(scores, Tensor) else np.asarray(scores, dtype=float)
    y = is_anomaly.detach().cpu().numpy() if isinstance(is_anomaly, Tensor) else np.asarray(is_anomaly)
    if s.shape != y.shape:
        raise ValueError(f"scores and is_anomaly must have the same shape, got {s.shape} and {y.shape}")
    if not np.isfinite(s).all():
        raise ValueError("scores contains NaN or inf values")
    if y.dtype != bool:
        if not np.isin(y, (0, 1)).all():
            raise ValueError("is_anomaly must be booleans or 0/1 (1 = anomaly), got other values")
        y = y.astype(bool)
    s, y = s.ravel(), y.ravel()
    if y.all() or not y.any():
        raise ValueError(f"is_anomaly must mark both normal items and anomalies, got {int(y.sum())} anomalies "
                         f"among {y.size} items")
    return s, y


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..N of ``values``, tied values sharing the mean of their ranks."""
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])  # first index of each tie group
    ends = np.r_[starts[1:], len(values)]
    ranks = np.empty(len(values))
    ranks[order] = np.repeat((starts + ends + 1) / 2, ends - starts)  # mean of ranks start+1 .. end
    return ranks


def auroc(scores, is_anomaly) -> float:
    """The area under the ROC curve of ``scores`` (higher = more anomalous) against the truth ``is_anomaly``.

    0.5: the score knows nothing; 1: every anomaly scores above every normal item; below 0.5: the score is
    upside down. Equals scikit-learn's ``roc_auc_score(is_anomaly, scores)``.
    """
    s, y = _scores_and_labels(scores, is_anomaly)
    ranks = _average_ranks(s)
    n_anomalies, n_normal = int(y.sum()), int((~y).sum())
    u = ranks[y].sum() - n_anomalies * (n_anomalies + 1) / 2  # pairs (anomaly, normal) ordered right, ties 1/2
    return float(u / (n_anomalies * n_normal))


def roc_curve(scores, is_anomaly) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ROC curve: (false-alarm rates, detection rates, thresholds), one point per distinct score
    (flagging every item scored >= the threshold), from (0, 0) at threshold +inf to (1, 1)."""
    s, y = _scores_and_labels(scores, is_anomaly)
    order = np.argsort(-s, kind="stable")
    s, y = s[order], y[order]
    last_of_tie = np.r_[s[1:] != s[:-1], True]  # the curve moves only after a whole tie group
    detections, false_alarms = np.cumsum(y)[last_of_tie], np.cumsum(~y)[last_of_tie]
    tpr = np.r_[0.0, detections / y.sum()]
    fpr = np.r_[0.0, false_alarms / (~y).sum()]
    return fpr, tpr, np.r_[np.inf, s[last_of_tie]]


def threshold_at(normal_scores, false_alarm_rate: float) -> float:
    """The smallest threshold t whose false-alarm rate on ``normal_scores`` (flagging scores > t) is at most
    ``false_alarm_rate``: the (1 - rate) quantile of the normal scores, taken among the scores themselves."""
    s = normal_scores.detach().double().cpu().numpy() if isinstance(normal_scores, Tensor) \
        else np.asarray(normal_scores, dtype=float)
    s = s.ravel()
    if s.size == 0 or not np.isfinite(s).all():
        raise ValueError(f"normal_scores must be a non-empty set of finite scores, got {s.size} values")
    if isinstance(false_alarm_rate, bool) or not isinstance(false_alarm_rate, (int, float)) \
            or not 0 <= false_alarm_rate < 1:
        raise ValueError(f"false_alarm_rate must be a number in [0, 1), got {false_alarm_rate!r}")
    s = np.sort(s)
    allowed = int(np.floor(false_alarm_rate * s.size + 1e-9))  # normal items that may score above t
    return float(s[s.size - 1 - allowed])


def rates_at(scores, is_anomaly, threshold: float) -> tuple[float, float]:
    """(false-alarm rate, detection rate) when every item scored above ``threshold`` is flagged."""
    s, y = _scores_and_labels(scores, is_anomaly)
    flagged = s > threshold
    return float(flagged[~y].mean()), float(flagged[y].mean())
