"""Lesson 10 (the conditional game's optimal discriminator on a 1D toy; captions measured from pixels; three
committed conditional GANs scored on the held-out captions, per word and per class) runs headless; its recorded
figures are checked.

``pytest tests/lessons/test_lesson_10.py`` runs the notebook in the smoke profile; ``GAN_COURSE_TEST_PROFILE=cpu``
runs the cpu profile and asserts what the lesson's text says, with the cpu run's values (seed 0) noted.
"""

import math

import pytest

from conftest import LESSON_PROFILE

SMOKE = LESSON_PROFILE == "smoke"
MODELS = ("(a) caption, concat", "(b) caption, concat, matching-aware", "caption, projection, matching-aware")


@pytest.fixture(scope="module")
def r(lesson_results):
    return lesson_results("10_conditional_gans")


def test_the_conditional_game_on_the_toy(r):
    # C(G) two ways, by quadrature: equal, and above -log 4 although the marginals match exactly
    assert r["toy_value_at_dstar"] == pytest.approx(r["toy_value_via_jsd"], abs=1e-6)
    assert r["toy_value_at_dstar"] > -math.log(4) + 0.1 and r["toy_marginal_jsd"] < 1e-9
    toy = r["toy"]
    if SMOKE:  # a few hundred D steps: on its way
        assert toy["value_conditional_d"] > toy["value_unconditional_d"]
        return
    assert toy["dstar_max_error"] < 0.12  # cpu 0.085
    assert toy["value_conditional_d"] == pytest.approx(r["toy_value_at_dstar"], abs=0.01)  # cpu -1.1857 vs -1.1838
    assert toy["value_unconditional_d"] == pytest.approx(-math.log(4), abs=0.005)  # sees a perfect generator


def test_captions(r):
    assert len(r["caption_examples"]) == 12 and all(text.startswith("a ") for text in r["caption_examples"])
    assert 100 < r["distinct_captions"] <= 10 * 27  # a digit and up to three words of three levels each


def test_the_committed_conditional_gans(r):
    table = r["table"]
    assert set(table) == set(MODELS)
    for row in table.values():
        assert 0 <= row["class_accuracy"] <= 1 and 0 <= row["agreement"] <= 1
        assert row["class_accuracy_std"] >= 0 and row["agreement_std"] >= 0
        assert set(row["words"]) == {"thin", "thick", "upright", "slanting right", "small", "large"}
    assert r["cgan_best"] in MODELS
    assert r["cgan_class_accuracy"] == max(row["class_accuracy"] for row in table.values())
    a, b = table["(a) caption, concat"], table["(b) caption, concat, matching-aware"]
    assert r["cgan_mismatch_gain"] == pytest.approx(b["agreement"] - a["agreement"])
    per_class = r["per_class"]
    assert sorted(per_class, key=int) == [str(d) for d in range(10)]
    for row in per_class.values():
        assert row["n"] > 50 and row["fid"] >= 0 and row["fid_real"] >= 0 and row["fid_std"] >= 0
        spread = math.hypot(row["fid_std"], row["fid_real_std"])
        assert row["above_floor"] == (row["fid"] - row["fid_real"] > 2 * spread)
        assert 0 <= row["precision"] <= 1 and 0 <= row["recall"] <= 1
    # the committed checkpoints' scores hold in every profile (smoke samples fewer seeds)
    assert r["cgan_class_accuracy"] >= 0.97  # the target for the best variant
    assert b["agreement"] > a["agreement"] + 0.05 and b["class_accuracy"] > a["class_accuracy"] + 0.1
    assert a["class_accuracy"] < 0.3  # the concatenation D trained on real and fake pairs ignores the caption
    if SMOKE:
        return
    # cpu: per class, fours, sevens and nines above their floor (FID 172 vs 133, 168 vs 109, 128 vs 101), the
    # others within the noise; the fours' precision the lowest (0.76), the sevens' recall below 0.6 (0.57)
    assert [d for d, row in sorted(per_class.items()) if row["above_floor"]] == ["4", "7", "9"]
    assert min(per_class, key=lambda d: per_class[d]["precision"]) == "4" and per_class["4"]["precision"] < 0.8
    assert per_class["7"]["recall"] < 0.6
    assert per_class["1"]["fid_real"] < 70 and per_class["2"]["fid_real"] > 200
