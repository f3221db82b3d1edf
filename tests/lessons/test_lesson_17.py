"""Lesson 17 (GANomaly's code score against its pixel score, f-AnoGAN's three encoder trainings, six detectors on
one test set with their cost, pixel AUROC on brick defects) runs headless; its recorded figures are checked.

``pytest tests/lessons/test_lesson_17.py`` runs the notebook in the smoke profile; ``GAN_COURSE_TEST_PROFILE=cpu``
runs the cpu profile and asserts what the lesson's text says, with the cpu run's values (seed 0) noted.
"""

import pytest

from conftest import LESSON_PROFILE

from gan_course.models import detectors

SMOKE = LESSON_PROFILE == "smoke"
DETECTORS = set(detectors.METHODS)


@pytest.fixture(scope="module")
def r(lesson_results):
    return lesson_results("17_anomaly_detectors")


def test_the_issues_records_name_every_detector(r):
    for key in ("anomaly_auroc_8v6", "anomaly_auroc_mean", "anomaly_auroc_8_vs_all"):
        assert set(r[key]) == DETECTORS | {"knn"} and all(0 <= v <= 1 for v in r[key].values())
    assert set(r["anomaly_speedup_vs_anogan"]) == (DETECTORS - {"anogan"}) | {"knn"}
    assert set(r["defect_pixel_auroc"]) == set(r["defect_image_auroc"]) == DETECTORS
    assert set(r["fanogan_auroc_by_encoder_training"]) == {"ziz", "izi", "izi_f"}


def test_equal_counts_make_the_mean_over_digits_the_auroc_against_all(r):
    # AUROC counts (anomaly, normal) pairs; with 100 images of every digit each digit holds a ninth of the pairs
    for method, mean in r["anomaly_auroc_mean"].items():
        assert mean == pytest.approx(r["anomaly_auroc_8_vs_all"][method], abs=1e-9)


def test_what_the_lesson_says_in_the_cpu_profile(r):
    if SMOKE:
        pytest.skip("the cpu profile's claims")
    speedup = r["anomaly_speedup_vs_anogan"]
    assert min(speedup[m] for m in ("egbad", "ganomaly", "fanogan", "autoencoder")) >= 100   # the issue's floor
    by_score = r["ganomaly_auroc_by_score"]
    codes, pixels = by_score["|z - ẑ|² (GANomaly)"], by_score["|x - x̂| (pixels)"]
    assert pixels["1"] < 0.5 < codes["1"]                 # a 1 is rebuilt well; its codes still differ (0.07, 0.71)
    assert abs(pixels["6"] - codes["6"]) < 0.03           # on 6s they agree (0.872, 0.878)
    by_way = r["fanogan_auroc_by_encoder_training"]       # real images train a better encoder than G's (cpu, seed 0)
    for split in ("8 vs 6", "8 vs all"):
        assert min(by_way["izi"][split], by_way["izi_f"][split]) > by_way["ziz"][split]
    by_digit = r["anomaly_auroc_by_digit"]
    for method in ("anogan", "egbad", "fanogan", "autoencoder"):
        assert by_digit[method]["1"] < 0.5                # 1s break every reconstruction score (0.12-0.40)
    assert by_digit["ganomaly"]["1"] > 0.6                # but not GANomaly's codes (0.71)
    assert r["anomaly_auroc_8v6"]["knn"] > 0.99 and r["anomaly_auroc_mean"]["knn"] > 0.99
    mean, v6 = r["anomaly_auroc_mean"], r["anomaly_auroc_8v6"]
    assert max(mean, key=lambda m: mean[m] if m != "knn" else 0) == "ganomaly"                # 0.878
    assert all(v6["autoencoder"] > v6[m] for m in ("anogan", "egbad", "ganomaly", "fanogan"))  # 0.910
    pixel, image = r["defect_pixel_auroc"], r["defect_image_auroc"]
    assert min(pixel[m] for m in ("autoencoder", "ganomaly", "fanogan")) > 0.7 > max(pixel["anogan"], pixel["egbad"])
    assert all(pixel["autoencoder"] > pixel[m] for m in ("anogan", "egbad", "ganomaly", "fanogan"))
    assert image["ganomaly"] > image["autoencoder"] and image["fanogan"] < pixel["fanogan"] - 0.1
