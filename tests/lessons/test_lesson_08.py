"""Lesson 08 (the judge, FID derived and cross-checked, FID's bias in 1/n, the Inception Score and its blind spots,
what limits the DCGAN's IS) runs headless; its recorded figures are checked.

``pytest tests/lessons/test_lesson_08.py`` runs the notebook in the smoke profile (code paths and sanity);
``GAN_COURSE_TEST_PROFILE=cpu`` runs the cpu profile and asserts what the lesson's text says. The cpu
thresholds leave a margin around the values of the cpu run (seed 0), noted next to them. The assertions
under ``if not SMOKE`` on the DCGAN depend on its committed checkpoint.
"""

import pytest

from conftest import LESSON_PROFILE

SMOKE = LESSON_PROFILE == "smoke"
FLAWED = ("real", "half the classes", "blurred", "ten images, repeated", "noise")
SCORE_KEYS = {"fid", "inception_score", "inception_std", "precision", "recall", "classes", "n"}


@pytest.fixture(scope="module")
def r(lesson_results):
    return lesson_results("08_evaluating_gans")


def check_scores(row: dict) -> None:
    assert SCORE_KEYS <= set(row)
    assert row["fid"] >= 0 and 1 - 1e-9 <= row["inception_score"] <= 10 + 1e-9 and row["inception_std"] >= 0
    assert 0 <= row["precision"] <= 1 and 0 <= row["recall"] <= 1 and 0 <= row["classes"] <= 10


def test_the_classifier_is_a_competent_judge(r):
    assert r["n_scored"] in ({"smoke": {300}, "cpu": {4000}}.get(LESSON_PROFILE, {4000, 10_000}))
    assert r["classifier_mistakes"] == round((1 - r["classifier_accuracy"]) * r["test_digits"])
    assert r["classifier_train_accuracy"] >= r["classifier_accuracy"]  # it has seen the training digits
    if r["test_digits"] == 1000:  # the offline held-out split the checkpoint was measured on
        assert r["classifier_accuracy"] >= 0.985  # the target (measured: 0.987)
        assert r["classifier_accuracy"] == pytest.approx(r["classifier_accuracy_at_training"], abs=1e-12)


def test_the_frechet_distance_closed_form(r):
    assert r["fd_1d_closed_form"] == 6.25  # (1 - (-1))^2 + (0.5 - 2)^2
    assert r["fd_1d_quantile_integral"] == pytest.approx(6.25, abs=1e-4)
    assert r["fd_1d_package"] == pytest.approx(6.25, abs=1e-9)
    assert r["fd_64d_relative_difference_to_sqrtm"] < 1e-8


def test_our_fid_agrees_with_torchmetrics_on_the_same_features(r):
    check = r["fid_crosscheck"]
    assert set(check) == {"real", "DCGAN"}
    for c in check.values():
        assert c["relative_difference"] < 1e-4  # measured: 2e-8 to 6e-7
        assert c["ours"] == pytest.approx(c["torchmetrics"], rel=1e-4)
    # the very numbers of the lesson's tables
    assert check["real"]["ours"] == pytest.approx(r["flawed"]["real"]["fid"], rel=1e-12)
    assert check["DCGAN"]["ours"] == pytest.approx(r["dcgan_scores"]["fid"], rel=1e-12)


def test_fid_falls_linearly_in_one_over_n(r):
    sizes, real, dcgan = r["fid_sizes"], r["fid_by_size_real"], r["fid_by_size_dcgan"]
    assert sizes == sorted(sizes) and sizes[-1] == r["n_scored"] and len(real) == len(dcgan) == len(sizes)
    assert all(b < a for a, b in zip(real, real[1:]))  # nested real subsets (cpu: 82.0, 55.7, 42.5, 33.0, 30.7)
    assert r["fid_linearity_r2_real"] > 0.97  # cpu 0.998
    assert r["fid_infinity_real"] < real[-1]
    assert real[-1] == pytest.approx(r["flawed"]["real"]["fid"], rel=1e-12)
    assert dcgan[-1] == pytest.approx(r["dcgan_scores"]["fid"], rel=1e-12)
    if not SMOKE:  # the text: both curves are close to a line, and the smallest n gives a higher FID
        assert r["fid_linearity_r2_dcgan"] > 0.9  # depends on the DCGAN checkpoint
        # far beyond the spread between sampling seeds (lesson 09 measures 1.75 at n = 4,000)
        assert dcgan[0] > dcgan[-1] + 20  # depends on the DCGAN checkpoint


def test_the_inception_score_identity_and_extremes(r):
    assert r["is_kl_form"] == pytest.approx(r["is_entropy_form"], rel=1e-9)  # exp(H(y) - E H(y|x))
    assert r["is_kl_form"] == pytest.approx(r["is_heldout"], rel=1e-9)  # the package, one split
    assert r["is_one_hot_balanced"] == pytest.approx(10, abs=1e-9)
    assert r["is_one_class"] == pytest.approx(1, abs=1e-9) and r["is_uniform"] == pytest.approx(1, abs=1e-9)


def test_the_is_of_real_digits_and_its_split_size_bias(r):
    heldout = {int(size): v for size, v in r["is_heldout_by_split_size"].items()}
    seen = {int(size): v for size, v in r["is_train_by_split_size"].items()}
    sizes = sorted(heldout)
    assert all(heldout[a] < heldout[b] for a, b in zip(sizes, sizes[1:]))  # (cpu: 9.04, 9.45, 9.68, 9.82, 9.86)
    assert 9.7 < r["is_heldout"] <= 10  # close to the quoted 9.88 (measured 9.86)
    assert heldout[100] < heldout[max(sizes)] - 0.2  # 10 splits of 1,000 vs one split: 9.45 vs 9.86
    assert seen and all(seen[size] > heldout[size] for size in seen)  # the judge is surer of what it has seen
    # the open exercise's target (9.4) is about what 1,000 held-out digits score in splits of 100
    assert 9.3 < heldout[100] < 9.6


def test_the_is_cannot_see_copies(r):
    flawed = r["flawed"]
    assert set(flawed) == set(FLAWED)
    for row in flawed.values():
        check_scores(row)
    copies, real, half = flawed["ten images, repeated"], flawed["real"], flawed["half the classes"]
    assert copies["inception_score"] > real["inception_score"] - 0.1  # as high as real (cpu 9.91 vs 9.88)
    assert r["copycat_is_minus_real_is"] == pytest.approx(copies["inception_score"] - real["inception_score"])
    assert r["copycat_fid_over_real_fid"] > (5 if SMOKE else 10)  # cpu 22x, smoke 8x
    assert 4 < half["inception_score"] < 6  # about 5 (cpu 4.95)
    # the FID column: tens for real digits, hundreds for the flawed digits, thousands for noise
    assert real["fid"] < 100 and flawed["noise"]["fid"] > 1000
    assert all(100 < flawed[name]["fid"] < 1000 for name in ("half the classes", "blurred", "ten images, repeated"))


def test_what_limits_the_dcgans_inception_score(r):
    check_scores(r["dcgan_scores"])
    assert r["dcgan_scores"]["n"] == r["n_scored"]
    assert r["dcgan_is_target_met"] == (r["dcgan_scores"]["inception_score"] >= 9.0)
    parts = r["is_parts"]
    assert set(parts) == {"real", "DCGAN"}
    for part in parts.values():  # with one split: IS = balance / hesitation, each in [1, 10]
        assert 1 - 1e-9 <= part["hesitation"] <= part["balance"] <= 10 + 1e-9
    if SMOKE:
        return
    # what limits the DCGAN's IS: hesitation costs more than imbalance, and caps it just below 9
    # (cpu: real balance 10.00, hesitation 1.001; DCGAN 9.93 and 1.114, so at most 8.97 if balanced)
    assert parts["real"]["balance"] > 9.95 and parts["real"]["hesitation"] < 1.01
    dcgan = parts["DCGAN"]
    assert dcgan["balance"] > 9.5 and dcgan["hesitation"] > 10 / dcgan["balance"] > 1
    assert 8.5 < 10 / dcgan["hesitation"] < 9.0


@pytest.mark.skipif(SMOKE, reason="the smoke profile scores 300 samples; the target is for the cpu profile's 4,000")
@pytest.mark.xfail(strict=True, reason="missed: the committed DCGAN (200 epochs on 4,000 digits) scores IS 8.82; "
                                       "when a better checkpoint meets the target this test passes and strict "
                                       "xfail turns that into a failure: remove this mark then")
def test_the_pretrained_dcgan_meets_the_is_target(r):
    # the target for the pretrained DCGAN
    assert r["dcgan_is_target_met"], f"IS {r['dcgan_scores']['inception_score']:.2f} < 9.0"
