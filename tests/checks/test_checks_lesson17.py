"""Lesson 17's checks (ganomaly_score; the open defect_map) accept the references and reject plausible mistakes."""

import pytest
import torch
import torch.nn.functional as F
from check_helpers import assert_rejected, mistake_ids, solutions, stub

from gan_course import checks
from gan_course.models import ganomaly

# --------------------------------------------------------------------------- ganomaly_score


def reference(G, x):
    with torch.no_grad():
        _, z, z_rebuilt = G.eval()(x)
    return ganomaly.anomaly_score(z, z_rebuilt)


def test_ganomaly_score_accepts_references(capsys):
    checks.ganomaly_score(reference)
    checks.ganomaly_score(solutions("17_anomaly_detectors")["ganomaly_score"])
    assert capsys.readouterr().out.count("passed") == 2


def _codes(G, x, train=False):
    with torch.no_grad():
        return G.train(train)(x)


def summed(G, x):
    _, z, z_rebuilt = _codes(G, x)
    return (z - z_rebuilt).pow(2).sum(1)


def in_training_mode(G, x):
    _, z, z_rebuilt = _codes(G, x, train=True)
    return (z - z_rebuilt).pow(2).mean(1)


def absolute(G, x):
    _, z, z_rebuilt = _codes(G, x)
    return (z - z_rebuilt).abs().mean(1)


def pixel_residual(G, x):
    rebuilt, _, _ = _codes(G, x)
    return (x - rebuilt).abs().flatten(1).mean(1)


def kept_dims(G, x):
    _, z, z_rebuilt = _codes(G, x)
    return (z - z_rebuilt).pow(2).mean(1, keepdim=True)


def one_number(G, x):
    _, z, z_rebuilt = _codes(G, x)
    return (z - z_rebuilt).pow(2).mean()


MISTAKES = [
    (checks.ganomaly_score, stub, "not implemented yet"),
    (checks.ganomaly_score, summed, "the sum over the code's dimensions"),
    (checks.ganomaly_score, in_training_mode, "batch-norm statistics updated"),
    (checks.ganomaly_score, absolute, "the mean of (z - ẑ)²"),
    (checks.ganomaly_score, pixel_residual, "case '5 images"),
    (checks.ganomaly_score, kept_dims, "one score per image"),
    (checks.ganomaly_score, one_number, "one score per image"),
]


@pytest.mark.parametrize("check, wrong, fragment", MISTAKES, ids=mistake_ids(MISTAKES))
def test_ganomaly_score_rejects_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)


# --------------------------------------------------------------------------- defect_map (open)


def test_defect_map_accepts_the_reference_and_a_wider_blur(capsys):
    checks.defect_map(solutions("17_anomaly_detectors")["defect_map"])
    checks.defect_map(lambda r: F.avg_pool2d(F.pad(r, (1, 1, 1, 1), mode="replicate"), 3, stride=1))
    out = capsys.readouterr().out
    assert out.count("passed") == 2 and "raw residual" in out


def unchanged(residual):                 # the raw residual gains nothing
    return residual.clone()


def squared(residual):                   # monotone per pixel: the same ranking, the same AUROC
    return residual ** 2


def dropped_channel(residual):
    return residual[:, 0]


def in_place(residual):
    return residual.mul_(2)


def divides_by_zero(residual):
    return residual / (residual - residual)


MAP_MISTAKES = [
    (checks.defect_map, stub, "not implemented yet"),
    (checks.defect_map, unchanged, "expected a pixel AUROC of at least"),
    (checks.defect_map, squared, "single pixels"),
    (checks.defect_map, dropped_channel, "one value per pixel"),
    (checks.defect_map, in_place, "modified in place"),
    (checks.defect_map, divides_by_zero, "finite values"),
]


@pytest.mark.parametrize("check, wrong, fragment", MAP_MISTAKES, ids=mistake_ids(MAP_MISTAKES))
def test_defect_map_rejects_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)
