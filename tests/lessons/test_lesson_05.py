"""Lesson 05 (normalised discriminators, three tricks, the fair mode-coverage benchmark) runs headless; its
recorded figures are checked.

``pytest tests/lessons/test_lesson_05.py`` runs the notebook in the smoke profile (code paths and sanity);
``GAN_COURSE_TEST_PROFILE=cpu`` runs the cpu profile and asserts what the lesson's text says. The cpu
thresholds leave a margin around the values of the cpu run (seed 0, one torch thread), noted next to them.
"""

import pytest

from conftest import LESSON_PROFILE

SMOKE = LESSON_PROFILE == "smoke"
METHODS = ("gan", "gan-anneal", "wgan", "wgan-gp", "sngan", "gan-smooth", "gan-mbstd", "gan-fm")
NORMS = ("plain", "spectral", "weight", "batch")


@pytest.fixture(scope="module")
def r(lesson_results):
    return lesson_results("05_stabilising_gans")


def test_batch_norm_makes_a_score_depend_on_the_batch(r):
    assert r["batchnorm_train_mode_change"] > 0.01
    assert r["batchnorm_eval_mode_change"] == pytest.approx(0.0, abs=1e-6)


def test_normalised_discriminators(r):
    res = r["norm_results"]
    assert set(res) == set(NORMS)
    for norm in NORMS:
        assert 0 <= res[norm]["modes"] <= 8 and 0 <= res[norm]["hq_percent"] <= 100
        assert res[norm]["lipschitz"] > 0 and res[norm]["seconds"] > 0
    assert res["spectral"]["lipschitz"] <= 1.1  # spectral norm: at most about 1, by construction
    if not SMOKE:  # cpu run: Lipschitz 0.99 plain, 0.17 spectral, 6.1 weight, 38 batch; modes 1, 8, 8, 0
        assert res["spectral"]["lipschitz"] < 0.5 * res["plain"]["lipschitz"]
        assert res["weight"]["lipschitz"] > 2 and res["batch"]["lipschitz"] > 10  # neither bounds anything
        assert res["plain"]["lipschitz"] < 2 and res["plain"]["modes"] <= 2  # collapsed, with a gentle slope
        modes = [res[norm]["modes"] for norm in NORMS]
        assert max(modes) - min(modes) >= 4  # mode coverage differs widely between the four runs


def test_benchmark_table(r):
    bench, runs = r["bench"], r["bench_runs"]
    data_sets = ("ring", "grid") if LESSON_PROFILE in ("smoke", "gpu") else ("ring",)
    assert set(bench) == {f"{d}/{m}" for d in data_sets for m in METHODS}
    assert len(runs) == len(data_sets) * len(METHODS)
    assert len({run["steps"] for run in runs}) == 1  # the same budget for every method
    for run in runs:
        n_modes = 8 if run["data"] == "ring" else 25
        assert 0 <= run["modes"] <= n_modes and 0 <= run["hq_percent"] <= 100 and run["seconds"] > 0
        assert run["lr"] == r["tuned_lr"][run["data"]][run["method"]]  # each at the sweep's rate
        assert 0 <= run["score"] <= 1
    for d in data_sets:  # real samples: 98.6% within 3 std (1 - exp(-4.5) in 2-D), spread 0.98
        assert 98 < r["bench_real"][d]["hq_percent"] < 99.5 and 0.95 < r["bench_real"][d]["spread"] < 1.0
    if SMOKE:
        assert all(run["steps"] == 20 for run in runs)
        return
    assert runs[0]["steps"] == 4000
    # cpu, seed 0 of the benchmark (the same runs as its table's seed 0): the annealed GAN and the minibatch
    # standard deviation put >= 90% of their samples on all 8 modes; WGAN, WGAN-GP, SN-GAN under 10%
    bench = r["bench"]
    for method in ("gan-anneal", "gan-mbstd"):
        assert bench[f"ring/{method}"]["modes"] == 8 and bench[f"ring/{method}"]["hq_percent"] > 90
    for method in ("wgan", "wgan-gp", "sngan"):
        assert bench[f"ring/{method}"]["hq_percent"] < 10
    assert bench["ring/gan-anneal"]["spread"] < 0.9  # more concentrated than real samples (0.98)
