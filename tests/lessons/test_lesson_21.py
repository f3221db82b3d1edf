"""Lesson 21 (data parallelism: the averaged gradient, noise per process, batch norm on shards, the global batch on
the ring, a real torchrun launch) runs headless; its recorded figures are checked.

``pytest tests/lessons/test_lesson_21.py`` runs the notebook in the smoke profile; ``GAN_COURSE_TEST_PROFILE=cpu``
runs the cpu profile and asserts what the lesson's text says.
"""

import pytest

from conftest import LESSON_PROFILE

SMOKE = LESSON_PROFILE == "smoke"


@pytest.fixture(scope="module")
def r(lesson_results):
    return lesson_results("21_scaling_gans")


def test_the_mean_of_the_shards_gradients_is_the_batch_gradient(r):
    for n, gaps in r["gradient_gaps"].items():
        assert gaps["mean of shards"] < 1e-6        # float rounding
        assert gaps["sum of shards"] > 1e-3         # N times the gradient: off by (N - 1) times it


def test_one_seed_for_every_process_repeats_its_fakes(r):
    assert r["distinct_fakes"] == {"same seed everywhere": 16, "rank-derived seeds": 64}


def test_batch_norm_normalises_each_shard(r):
    gaps = r["batch_norm_gaps"]
    assert all(gap > 1e-4 for gap in gaps["train"].values())
    assert gaps["eval"] < 1e-5  # running statistics: the shards no longer matter


def test_the_launch_ran_and_rank_0_alone_saved(r):
    assert r["launch"]["returncode"] == 0 and r["launch"]["saved_lines"] == 1


def test_the_global_batch_table(r):
    table = r["global_batch"]
    assert set(table) == {"reference", "same samples, same lr", "same samples, lr x 2", "same samples, lr x 4",
                           "same steps, same lr"}  # (the record keeps keys sorted)
    reference = table["reference"]
    assert reference["batch"] == 64 and table["same steps, same lr"]["steps"] == reference["steps"]
    for rule in ("same samples, same lr", "same samples, lr x 2", "same samples, lr x 4"):
        assert table[rule]["samples"] == reference["samples"] and table[rule]["batch"] == 256
    assert table["same samples, lr x 4"]["lr"] == pytest.approx(4 * reference["lr"])
    if SMOKE:
        return
    score = {rule: row["score"][0] for rule, row in table.items()}
    # what the text says (cpu, seeds 0-2: reference 0.66, same samples 0.16 / 0.09 / 0.31, same steps 0.85)
    assert score["reference"] > score["same samples, same lr"] + 0.2
    assert score["same steps, same lr"] > score["same samples, same lr"] + 0.3
    assert max(score[r] for r in ("same samples, same lr", "same samples, lr x 2", "same samples, lr x 4")) < \
        score["reference"] - 0.2
    assert score["same samples, lr x 4"] > score["same samples, lr x 2"]
    assert table["same steps, same lr"]["modes"][0] == 8
