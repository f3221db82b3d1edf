"""Lesson 19 (StyleGAN: the mapping network's slow learning rate, AdaIN's two properties and why its statistics are
each image's own, the committed face generator's scores, style mixing measured per factor, where the noise acts,
the truncation curve) runs headless; its recorded figures are checked.

``pytest tests/lessons/test_lesson_19.py`` runs the notebook in the smoke profile; ``GAN_COURSE_TEST_PROFILE=cpu``
runs the cpu profile and asserts what the lesson's text says, with the cpu run's values (seed 0) noted.
"""

import pytest

from conftest import LESSON_PROFILE

SMOKE = LESSON_PROFILE == "smoke"


@pytest.fixture(scope="module")
def r(lesson_results):
    return lesson_results("19_stylegan")


def test_the_mapping_network_learns_a_hundred_times_more_slowly(r):
    assert 0.005 < r["stylegan_mapping_step_ratio"] < 0.02
    sizes = r["stylegan_parameters"]
    assert sizes["learned constant"] == 64 * 4 * 4 and sizes["mapping network f"] == 8 * (64 * 64 + 64)


def test_adain_sets_the_statistics_erases_the_input_and_ignores_the_batch(r):
    checks = r["stylegan_adain_checks"]
    assert all(value < 1e-3 for value in checks.values()), checks
    change = r["stylegan_companion_change"]
    assert change["instance statistics (AdaIN)"] == 0.0 and change["batch statistics"] > 0.01


def test_the_model_the_mixing_the_noise_and_the_truncation(r):
    assert r["stylegan_fid"] > 0 and 1 <= r["stylegan_people"] <= 200
    shares = r["stylegan_mixing_shares"]
    assert set(shares) == {"coarse", "middle", "fine"} and all(len(v) == 7 for v in shares.values())
    noise = r["stylegan_noise_std"]
    assert set(noise) == {"noise everywhere", "coarse noise only", "fine noise only"}
    ratios = r["stylegan_truncation_distance_ratio"]
    assert all(abs(ratios[psi] - float(psi)) < 1e-4 for psi in ratios), ratios       # distances shrink by exactly ψ
    curve = r["stylegan_truncation_curve"]
    assert [row["psi"] for row in curve] == [0.0, 0.25, 0.5, 0.7, 0.85, 1.0]
    assert curve[0]["recall"] <= curve[-1]["recall"]                                 # every image from w̄: no recall
    if SMOKE:
        return
    # the cpu run's values (seed 0) as the text gives them
    scores = r["stylegan_faces_scores"]
    stylegan_row, pggan_row = scores["StyleGAN (stylegan-faces)"], scores["PGGAN (pggan-faces)"]
    assert 40 < r["stylegan_fid"] < 90 and r["stylegan_fid"] < 0.75 * r["stylegan_pggan_faces_fid"]   # 59.7, 119.1
    assert stylegan_row["precision"] < 0.1 and scores["real training views"]["precision"] > 0.85      # 0.026, 0.935
    assert 60 <= r["stylegan_people"] <= 140                                                           # 94
    coarse, middle, fine = shares["coarse"], shares["middle"], shares["fine"]
    assert coarse["yaw"] > 0.8 and coarse["pitch"] > 0.6 and coarse["light"] > 0.5      # 1.07, 0.88, 0.78
    assert fine["skin_tone"] > 0.6 and coarse["skin_tone"] < 0.2                         # 0.81, -0.05
    assert abs(fine["yaw"]) < 0.2 and abs(middle["yaw"]) < 0.2                           # 0.01, -0.09
    assert middle["hair_darkness"] > max(coarse["hair_darkness"], fine["hair_darkness"])  # 0.50 vs 0.27, 0.22
    assert noise["fine noise only"] > 4 * noise["coarse noise only"]                     # 0.0157 vs 0.0023
    assert abs(noise["noise everywhere"] - noise["fine noise only"]) < 0.2 * noise["noise everywhere"]
    recall = [row["recall"] for row in curve]
    fid = [row["fid"] for row in curve]
    assert recall == sorted(recall) and fid == sorted(fid, reverse=True)                 # 0 -> 0.149; 369 -> 60.6
    assert max(row["precision"] for row in curve) - curve[-1]["precision"] < 0.02        # 0.027 vs 0.020
    turn = r["stylegan_regression_turn"]
    assert 10 < turn["turn"] < 30 and turn["abs_change"]["pitch"] > 0.6                  # 25.8 (of 40), 1.10


def test_the_mnist_table_matches_compute_and_bears_out_the_text(r):
    rows = {row["model"]: row for row in r["stylegan_mnist_table"]}   # the kept benchmark runs
    assert set(rows) == {"dcgan", "pggan-fixed", "stylegan"}
    assert all(row["seeds"] == [0, 1, 2] for row in rows.values())
    totals = [row["gflop_per_step"] * row["steps"] for row in rows.values()]
    assert max(totals) / min(totals) < 1.01                  # the same operations for every model
    style, dc, pg = rows["stylegan"], rows["dcgan"], rows["pggan-fixed"]
    assert max(style["per_seed"]["recall"]) < 0.01 and max(style["per_seed"]["classes"]) <= 3   # collapsed, every seed
    assert min(dc["per_seed"]["recall"]) > 0.5 and min(pg["per_seed"]["recall"]) > 0.3
    assert max(dc["per_seed"]["fid"]) < min(style["per_seed"]["fid"])
