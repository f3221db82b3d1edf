"""Lesson 16 (anomaly detection: the one-class task and AUROC, AnoGAN's latent search, its AUROC by search steps
and λ, EGBAD's encoder as G's inverse, the cost of the search) runs headless; its recorded figures are checked.

``pytest tests/lessons/test_lesson_16.py`` runs the notebook in the smoke profile; ``GAN_COURSE_TEST_PROFILE=cpu``
runs the cpu profile and asserts what the lesson's text says, with the cpu run's values (seed 0) noted.
"""

import pytest

from conftest import LESSON_PROFILE

SMOKE = LESSON_PROFILE == "smoke"


@pytest.fixture(scope="module")
def r(lesson_results):
    return lesson_results("16_anomaly_gans")


def test_auroc_by_ranks_is_auroc_by_pairs_and_scikit_learns(r):
    values = list(r["auroc_check"].values())
    assert max(values) - min(values) < 1e-12 and 0.5 < values[0] < 1


def test_anogan_and_egbad_scores(r):
    for key in ("anogan_auroc_8v6", "egbad_auroc_8v6"):
        assert 0 <= r[key] <= 1
    assert set(r["anogan_auroc_by_lambda"]) >= {"0.1", "1.0"}
    inversion = r["egbad_inversion"]
    assert inversion["|E(G(z)) - z|²"] < inversion["|z' - z|², z' another code"]   # E does undo G, partly
    assert r["egbad_speedup_vs_anogan"] > 1
    if SMOKE:
        return
    by_steps, by_lambda = r["anogan_auroc_by_steps"], r["anogan_auroc_by_lambda"]
    assert by_steps["100"] > by_steps["10"] + 0.03           # the score needs the search (cpu: 0.855 vs 0.798)
    assert abs(by_steps["500"] - by_steps["100"]) < 0.02     # and then stays (0.858 vs 0.855)
    assert by_lambda["1.0"] < by_lambda["0.1"] - 0.02        # D's features alone are worse (0.811 vs 0.858)
    assert abs(by_lambda["0.0"] - by_lambda["0.1"]) < 0.02   # pixels alone are as good (0.852)
    assert inversion["correlation of E(G(z))_i with z_i"] < 0.2                      # far from G's inverse (0.046)
    assert inversion["|E(G(z)) - z|²"] > 0.8 * inversion["|z' - z|², z' another code"]  # 58.2 vs 64.5
    assert r["egbad_auroc_8v6"] < r["anogan_auroc_8v6"] - 0.1                        # 0.666 vs 0.858
    assert r["egbad_speedup_vs_anogan"] >= 100               # the floor (566x idle, 938x on one thread)
