"""Lesson 08 (FID, Inception Score, precision and recall, class coverage; four DCGANs scored) runs headless;
its recorded figures are checked.

``pytest tests/lessons/test_lesson_08.py`` runs the notebook in the smoke profile (code paths and sanity);
``GAN_COURSE_TEST_PROFILE=cpu`` runs the cpu profile and asserts what the lesson's text says. The cpu
thresholds leave a margin around the values of the cpu run (seed 0), noted next to them. The assertions in
``test_the_dcgans_against_the_real_baseline`` under ``if not SMOKE`` depend on the committed DCGAN checkpoints.
"""

import pytest

from conftest import LESSON_PROFILE

SMOKE = LESSON_PROFILE == "smoke"
MODELS = ("DCGAN", "DCGAN, no batch norm", "DCGAN, WGAN-GP", "DCGAN, batch norm everywhere")
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
    for name, c in check.items():
        assert c["relative_difference"] < 1e-4  # measured: 2e-8 to 6e-7
        assert c["ours"] == pytest.approx(c["torchmetrics"], rel=1e-4)
        assert c["ours"] == pytest.approx(r["table"][name]["fid"], rel=1e-12)  # the table's very number


def test_fid_falls_linearly_in_one_over_n(r):
    sizes, real, dcgan = r["fid_sizes"], r["fid_by_size_real"], r["fid_by_size_dcgan"]
    assert sizes == sorted(sizes) and sizes[-1] == r["n_scored"] and len(real) == len(dcgan) == len(sizes)
    assert all(b < a for a, b in zip(real, real[1:]))  # nested real subsets (cpu: 82.0, 55.7, 42.5, 33.0, 30.7)
    assert r["fid_linearity_r2_real"] > 0.97  # cpu 0.998
    assert r["fid_infinity_real"] < real[-1]
    assert real[-1] == pytest.approx(r["flawed"]["real"]["fid"], rel=1e-12)
    assert dcgan[-1] == pytest.approx(r["table"]["DCGAN"]["fid"], rel=1e-12)
    if not SMOKE:  # the text: both curves are close to a line, and the smallest n gives a higher FID
        assert r["fid_linearity_r2_dcgan"] > 0.9  # depends on the DCGAN checkpoint
        assert dcgan[0] > dcgan[-1] + 2 * r["dcgan_fid_seed_std"]  # depends on the DCGAN checkpoint


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


def test_the_is_cannot_see_copies(r):
    flawed = r["flawed"]
    assert set(flawed) == set(FLAWED)
    for row in flawed.values():
        check_scores(row)
    copies, real, half = flawed["ten images, repeated"], flawed["real"], flawed["half the classes"]
    assert copies["inception_score"] > real["inception_score"] - 0.1  # as high as real (cpu 9.91 vs 9.88)
    assert r["copycat_is_minus_real_is"] == pytest.approx(copies["inception_score"] - real["inception_score"])
    assert r["copycat_fid_over_real_fid"] > (5 if SMOKE else 10)  # cpu 22x, smoke 8x
    assert copies["recall"] < 0.05
    assert 4 < half["inception_score"] < 6  # about 5 (cpu 4.95)
    # the FID column: tens for real digits, hundreds for the flawed digits, thousands for noise
    assert real["fid"] < 100 and flawed["noise"]["fid"] > 1000
    assert all(100 < flawed[name]["fid"] < 1000 for name in ("half the classes", "blurred", "ten images, repeated"))
    # opposite flaws, one FID: half the classes and blurred within 10% (cpu 1.07)
    assert r["fid_half_over_blurred"] == pytest.approx(flawed["half the classes"]["fid"] / flawed["blurred"]["fid"])
    assert 1 / 1.1 < r["fid_half_over_blurred"] < 1.1


def test_precision_and_recall_on_the_ring(r):
    toy = r["toy_precision_recall"]
    same, half, wide = toy["another sample of the data"], toy["4 of the 8 modes"], toy["all modes, 3x too wide"]
    assert same["precision"] > 0.85 and same["recall"] > 0.85  # cpu 0.93 / 0.97
    assert half["precision"] > 0.85 and 0.3 < half["recall"] < 0.6  # cpu 0.97 / 0.44
    assert wide["precision"] < 0.65 and wide["recall"] > 0.9  # cpu 0.48 / 0.98


def test_relu_features_fool_knn_precision_and_pre_relu_features_do_not(r):
    after, before = r["flawed"], r["flawed_pre_relu"]
    assert after["noise"]["precision"] > 0.95 and after["noise"]["recall"] < 0.01  # cpu 1.0 / 0.0
    assert after["blurred"]["precision"] > after["real"]["precision"]  # cpu 0.98 vs 0.83
    assert 0.35 < r["half_classes_recall_over_real"] < 0.65  # about half the recall (cpu 0.51)
    assert after["half the classes"]["precision"] > after["real"]["precision"] - 0.05
    assert 1 <= r["origin_balls"] <= 20  # a handful of the 1,000 real balls contain the origin (cpu 3)
    assert r["noise_in_origin_balls"] > 0.9 and r["blurred_in_origin_balls"] > 0.3  # cpu 1.0 / 0.39
    norms = r["feature_norm_median"]
    assert norms["noise"] < 0.15 * norms["real"] and 0.3 * norms["real"] < norms["blurred"] < 0.7 * norms["real"]
    # before the ReLU: noise off the manifold, blur below real, the others keep their precision and recall
    assert before["noise"]["precision"] < 0.05  # cpu 0.0
    assert before["blurred"]["precision"] < before["real"]["precision"] - 0.05  # cpu 0.73 vs 0.85
    assert before["real"]["precision"] > 0.7 and before["real"]["recall"] > 0.7  # cpu 0.85 / 0.86
    assert abs(before["half the classes"]["precision"] - after["half the classes"]["precision"]) < 0.1
    assert before["ten images, repeated"]["precision"] > 0.8 and before["ten images, repeated"]["recall"] < 0.05


def test_class_coverage(r):
    coverage = r["coverage_flawed"]
    assert coverage == {name: r["flawed"][name]["classes"] for name in FLAWED}
    assert coverage["real"] == 10 and coverage["half the classes"] == 5 and coverage["ten images, repeated"] == 10
    assert coverage["noise"] <= 5  # garbage is "predicted" as a few digits (cpu 3)
    for shares in r["class_shares"].values():
        assert len(shares) == 10 and sum(shares) == pytest.approx(1, abs=1e-3)


def test_the_dcgans_against_the_real_baseline(r):
    table, verdicts = r["table"], r["verdicts"]
    assert set(table) == {"real", *MODELS}  # (the results file sorts the keys)
    for name, row in table.items():
        check_scores(row)
        assert row["n"] == r["n_scored"]
        assert 0 <= row["precision_pre_relu"] <= 1 and 0 <= row["recall_pre_relu"] <= 1
    assert table["real"]["fid"] == pytest.approx(r["flawed"]["real"]["fid"], rel=1e-12)
    models = list(MODELS)
    assert verdicts["fid_ranking"] == sorted(models, key=lambda name: table[name]["fid"])
    assert verdicts["best_fid"] == verdicts["fid_ranking"][0]
    assert verdicts["best_precision"] == max(models, key=lambda name: table[name]["precision"])
    assert verdicts["best_recall"] == max(models, key=lambda name: table[name]["recall"])
    assert verdicts["dcgan_is_target_met"] == (table["DCGAN"]["inception_score"] >= 9.0)
    assert verdicts["batch_norm_helps"] == (table["DCGAN"]["fid"] < table["DCGAN, no batch norm"]["fid"])
    assert verdicts["every_model_above_real"] == all(table[m]["fid"] > table["real"]["fid"] for m in models)
    assert verdicts["dcgan_fid_over_real"] == pytest.approx(table["DCGAN"]["fid"] / table["real"]["fid"])
    seeds = r["dcgan_fid_by_seed"]
    assert len(seeds) == len(r["dcgan_is_by_seed"]) == (2 if SMOKE else 5) and r["dcgan_fid_seed_std"] > 0
    assert set(r["at_training"]) == set(MODELS)
    assert set(r["is_parts"]) == set(table)
    for name, part in r["is_parts"].items():  # with one split: IS = balance / hesitation, each in [1, 10]
        assert 1 - 1e-9 <= part["hesitation"] <= part["balance"] <= 10 + 1e-9
    if SMOKE:
        return
    # cpu: 4,000 samples from seed 0, as the training recipe scored them: the committed files are the ones measured
    for name in MODELS:
        then, now = r["at_training"][name], table[name]
        assert then["n"] == now["n"] == 4000
        assert now["fid"] == pytest.approx(then["fid"], rel=1e-3)
        assert now["inception_score"] == pytest.approx(then["inception_score"], abs=0.01)
        assert now["precision"] == pytest.approx(then["precision"], abs=0.005)
        assert now["recall"] == pytest.approx(then["recall"], abs=0.005)
        assert now["classes"] == then["classes"]
    # What the text says about the final checkpoints (these depend on them):
    assert verdicts["every_model_above_real"]  # no generator reaches the real-vs-real row (cpu: DCGAN 72.8 vs 30.7)
    # the guidelines' DCGAN is closer to real-vs-real than the one without batch norm, beyond the seed spread
    # (cpu: FID 72.8 vs 138.3, spread over 5 sampling seeds 1.75)
    assert table["DCGAN"]["fid"] + 3 * r["dcgan_fid_seed_std"] < table["DCGAN, no batch norm"]["fid"]
    # what limits the DCGAN's IS: hesitation costs more than imbalance, and caps it just below 9
    # (cpu: real balance 10.00, hesitation 1.001; DCGAN 9.93 and 1.114, so at most 8.97 if balanced)
    parts = r["is_parts"]
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
    assert r["verdicts"]["dcgan_is_target_met"], f"IS {r['table']['DCGAN']['inception_score']:.2f} < 9.0"
