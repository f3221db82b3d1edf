"""Lesson 12 (unpaired translation: two offline domain pairs, the do-nothing baseline, why the adversarial loss
cannot keep the digit, CycleGAN's committed translators measured, the lambda_cyc = 0 control) runs headless; its
recorded figures are checked.

``pytest tests/lessons/test_lesson_12.py`` runs the notebook in the smoke profile; ``GAN_COURSE_TEST_PROFILE=cpu``
runs the cpu profile and asserts what the lesson's text says, with the cpu run's values (seed 0) noted.
"""

import pytest

from conftest import LESSON_PROFILE

SMOKE = LESSON_PROFILE == "smoke"


@pytest.fixture(scope="module")
def r(lesson_results):
    return lesson_results("12_unpaired_translation")


def test_the_do_nothing_translator(r):
    baseline = r["identity_label_preservation"]
    assert set(baseline) == {"handwritten->printed", "printed->handwritten", "plain->textured", "textured->plain"}
    assert all(0.3 < v < 1 for v in baseline.values())


def test_an_adversarial_loss_cannot_tell_a_permutation_from_the_right_map(r):
    same, again = r["label_lookup"]["same digit"], r["label_lookup"]["same digit, another draw"]
    permuted = r["label_lookup"]["permuted digits"]
    assert same["label_preservation"] > 0.97 and again["label_preservation"] > 0.97
    assert permuted["label_preservation"] < 0.2
    # all three are samples of real printed digits: the permuted one's FID is as far from the right one's as
    # two draws of the right one are from each other, give or take (cpu: 17.6, 18.4; permuted 20.2)
    noise = abs(same["fid"] - again["fid"])
    assert abs(permuted["fid"] - same["fid"]) < 3 * noise + 0.15 * same["fid"]


def test_the_committed_cyclegans(r):
    params = r["cyclegan_parameters"]
    assert params["G_AB"] == params["G_BA"] and params["D_A"] == params["D_B"]
    full, no_cycle = r["cyclegan_label_preservation"], r["cyclegan_label_preservation_no_cycle"]
    assert 0 <= no_cycle <= r["no_cycle_permutation_accuracy"] <= 1
    assert full > no_cycle
    if SMOKE:
        return
    # cpu: "the printed judge reads 74% of the handwritten digits as they are ... the handwritten judge 92% of the
    # printed ones ... the textured judge 97% of the plain digits; the plain judge about half of the textured"
    baseline = r["identity_label_preservation"]
    assert baseline["handwritten->printed"] == pytest.approx(0.736, abs=0.01)
    assert baseline["printed->handwritten"] == pytest.approx(0.92, abs=0.01)
    assert baseline["plain->textured"] > 0.93 and 0.45 < baseline["textured->plain"] < 0.6
    # section 4 (cpu: 0.689 / 0.871; 0.876 / 0.640; FID 450 against the do-nothing 561)
    digits, textures = r["cyclegan_scores"]["cyclegan-digits"], r["cyclegan_scores"]["cyclegan-textures"]
    assert full == pytest.approx(0.69, abs=0.01) and full < baseline["handwritten->printed"]
    assert digits["label_preservation_ba"] == pytest.approx(0.87, abs=0.01)
    assert digits["fid_ab"] < r["do_nothing_fid"]["handwritten->printed"]
    assert textures["label_preservation_ab"] == pytest.approx(0.88, abs=0.01)
    assert textures["label_preservation_ba"] > baseline["textured->plain"] + 0.05
    assert all(s["cycle_error_ab"] < 0.06 and s["cycle_error_ba"] < 0.06 for s in (digits,)) \
        and textures["cycle_error_ba"] == pytest.approx(0.24, abs=0.01)
    # section 5 (cpu: 0.223, best permutation 0.235): a collapse, not a permutation
    assert no_cycle == pytest.approx(0.22, abs=0.01) and r["no_cycle_permutation_accuracy"] < 0.3
