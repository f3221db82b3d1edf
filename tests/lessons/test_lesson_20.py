"""Lesson 20 (StyleGAN's latent space: linear fits of the known factors from z and from w, the perceptual path
length and its ε, the separability's entropy on known cases and on the generator, the truncation that matches Z's
paths to W's) runs headless; its recorded figures are checked.

``pytest tests/lessons/test_lesson_20.py`` runs the notebook in the smoke profile; ``GAN_COURSE_TEST_PROFILE=cpu``
runs the cpu profile and asserts what the lesson's text says, with the cpu run's values (seed 0) noted.
"""

import math

import pytest

from conftest import LESSON_PROFILE

SMOKE = LESSON_PROFILE == "smoke"


@pytest.fixture(scope="module")
def r(lesson_results):
    return lesson_results("20_stylegan_latent_space")


def test_w_is_read_more_linearly_than_z(r):
    r2 = r["stylegan_factor_r2"]
    assert set(r2) == {"z", "w"} and all(len(row) == 7 for row in r2.values())
    assert all(0 <= v <= 1 for row in r2.values() for v in row.values())
    assert sum(r2["w"].values()) > sum(r2["z"].values())
    if not SMOKE:
        assert all(r2["w"][k] > r2["z"][k] for k in r2["w"])                         # every factor


def test_the_path_length_is_flat_in_eps_and_shorter_in_w(r):
    by_eps = r["stylegan_ppl_by_eps"]
    assert abs(by_eps["0.001"] / by_eps["0.0001"] - 1) < 0.05                        # the quadratic regime
    assert abs(by_eps["1e-05"] / by_eps["0.0001"] - 1) < 0.05
    assert r["stylegan_ppl_w"] < r["stylegan_ppl_z"]
    assert r["stylegan_ppl_end"]["w"] < r["stylegan_ppl_end"]["z"]
    assert r["stylegan_profile_peak"]["w"] < r["stylegan_profile_peak"]["z"]
    if SMOKE:
        return
    assert r["stylegan_ppl_z"] > 2.5 * r["stylegan_ppl_w"]


def test_the_separability_entropy_on_known_cases_and_on_the_generator(r):
    toy = r["stylegan_toy_entropy"]
    linear, coin = toy["linear: sign of a · x"], toy["a coin flip"]
    sphere = toy["inside or outside the sphere |x| = √8"]
    assert linear < 0.01 and abs(coin - math.log(2)) < 0.02 and sphere > 0.55        # 0, log 2, near log 2
    assert r["stylegan_separability_w"] >= 1 and r["stylegan_separability_z"] >= 1  # exp of a sum of entropies >= 0
    if SMOKE:
        return
    assert r["stylegan_separability_z"] > 3 * r["stylegan_separability_w"]


def test_truncating_z_to_w_s_path_length_costs_diversity(r):
    low, full = r["stylegan_truncation_cost"]
    assert (low["psi"], full["psi"]) == (0.4, 1.0)
    assert low["recall"] < full["recall"] and low["classes"] < full["classes"] and low["fid"] > full["fid"]


def test_the_mapping_depth_table_is_shown_and_bears_out_the_text(r):
    rows = r["stylegan_mapping_depth_table"]                 # the kept benchmark runs (checkpoints.measured)
    assert [row["mapping_layers"] for row in rows] == [0, 1, 2, 8]
    assert all(row["seeds"] == [0, 1, 2] and row["steps"] == 1500 for row in rows)   # the same budget, 3 seeds
    sep_w = [row["mean"]["separability_w"] for row in rows]
    assert sep_w == sorted(sep_w, reverse=True)              # W more separable with every added layer
    assert rows[0]["mean"]["separability_w"] - rows[2]["mean"]["separability_w"] > \
        rows[0]["se"]["separability_w"] + rows[2]["se"]["separability_w"]              # beyond the spread
    assert rows[-1]["mean"]["separability_z"] > rows[0]["mean"]["separability_z"]      # Z worse with depth
    for row in rows:                                          # per-seed figures agree with the means
        assert abs(sum(row["per_seed"]["fid"]) / 3 - row["mean"]["fid"]) < 0.1
