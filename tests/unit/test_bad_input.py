"""Bad input to the public API gives an error of the right type whose message names the problem (issue #12).

Each case is ``(call, error, match)``: ``call(tmp_path)`` must raise ``error`` with a message matching ``match``.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from gan_course import checkpoints, data, losses, metrics
from gan_course.models import classifier, dcgan
from gan_course.__main__ import main

NAN, INF = float("nan"), float("inf")
REPO = Path(__file__).resolve().parents[2]
CENTERS = torch.tensor([[-2.0], [2.0]])
FEATURES = np.random.default_rng(0).normal(size=(20, 3))
EYE = np.eye(3)


def _registry(tmp_path: Path, manifest_text: str | None = None) -> Path:
    """A registry folder, optionally with the given manifest.json text."""
    root = tmp_path / "registry"
    root.mkdir(exist_ok=True)
    if manifest_text is not None:
        (root / "manifest.json").write_text(manifest_text)
    return root


def _source(tmp_path: Path) -> Path:
    path = tmp_path / "weights.pt"
    torch.save({"w": torch.ones(2)}, path)
    return path


METRICS = [
    ("w1-nan", lambda t: metrics.wasserstein1([0.0, 1.0], [NAN]), ValueError, "y contains NaN"),
    ("w1-inf", lambda t: metrics.wasserstein1(np.array([[0.0, INF]]), np.zeros((2, 2))), ValueError,
     "x contains NaN or inf"),
    ("w1-dims", lambda t: metrics.wasserstein1(np.zeros((3, 2)), np.zeros((3, 3))), ValueError, "same dimension"),
    ("w1-empty", lambda t: metrics.wasserstein1([], [1.0]), ValueError, r"x must be samples .* N >= 1"),
    ("kl-nan", lambda t: metrics.kl_divergence([NAN, 1.0], [0.5, 0.5]), ValueError, "p must hold finite"),
    ("js-inf", lambda t: metrics.js_divergence([0.5, 0.5], [INF, 0.0]), ValueError, "q must hold finite"),
    ("tv-sum", lambda t: metrics.total_variation([0.5, 0.6], [0.5, 0.5]), ValueError, "p must sum to 1"),
    ("kl-outcomes", lambda t: metrics.kl_divergence([1.0], [0.5, 0.5]), ValueError, "same outcomes"),
    ("coverage-nan", lambda t: metrics.mode_coverage([[NAN]], CENTERS, std=0.1), ValueError, "samples contains NaN"),
    ("coverage-empty", lambda t: metrics.mode_coverage(np.zeros((0, 1)), CENTERS, std=0.1), ValueError,
     r"samples must be samples .* N >= 1"),
    ("coverage-centers", lambda t: metrics.mode_coverage([[0.0]], [[INF]], std=0.1), ValueError,
     "centers contains NaN or inf"),
    ("coverage-std", lambda t: metrics.mode_coverage([[0.0]], CENTERS, std=0.0), ValueError, "std=0.0"),
    ("coverage-threshold", lambda t: metrics.mode_coverage([[0.0]], CENTERS, std=0.1, threshold=INF), ValueError,
     "threshold=inf"),
    ("coverage-dims", lambda t: metrics.mode_coverage(np.zeros((2, 2)), CENTERS, std=0.1), ValueError, "agree in d"),
    ("fractions-empty", lambda t: metrics.mode_fractions(torch.zeros(0, 1), CENTERS), ValueError,
     r"samples must be samples .* N >= 1"),
    ("fractions-inf", lambda t: metrics.mode_fractions(torch.zeros(3, 1), torch.tensor([[INF]])), ValueError,
     "centers contains NaN or inf"),
    ("fractions-type", lambda t: metrics.mode_fractions([[0.0]], CENTERS), TypeError,
     "samples must be a torch.Tensor"),
    ("fid-nan", lambda t: metrics.fid_from_features(FEATURES, np.full((4, 3), NAN)), ValueError,
     "fake_features contains NaN"),
    ("fid-one-row", lambda t: metrics.fid_from_features(FEATURES, FEATURES[:1]), ValueError,
     "at least 2 feature vectors"),
    ("is-inf", lambda t: metrics.inception_score(np.array([[INF, 0.0]]), splits=1), ValueError,
     "probs contains NaN or inf"),
    ("is-not-probabilities", lambda t: metrics.inception_score(np.ones((4, 2)), splits=1), ValueError,
     "probs must be rows of class probabilities"),
    ("is-splits-0", lambda t: metrics.inception_score(np.eye(4), splits=0), ValueError, "splits must be between 1"),
    ("is-splits-float", lambda t: metrics.inception_score(np.eye(4), splits=2.5), TypeError,
     "splits must be an integer"),
    ("pr-nan", lambda t: metrics.precision_recall(np.full((5, 3), NAN), FEATURES), ValueError,
     "real_features contains NaN"),
    ("pr-k-0", lambda t: metrics.precision_recall(FEATURES, FEATURES, k=0), ValueError, "k must be at least 1"),
    ("pr-k-too-big", lambda t: metrics.precision_recall(FEATURES[:5], FEATURES, k=5), ValueError,
     "more than k = 5"),
    ("knn-k-too-big", lambda t: metrics.knn_radii(torch.zeros(3, 2), k=3), ValueError,
     r"k must be less than the number of points \(k = 3, N = 3\)"),
    ("knn-k-0", lambda t: metrics.knn_radii(torch.zeros(3, 2), k=0), ValueError, "k must be at least 1"),
    ("knn-k-float", lambda t: metrics.knn_radii(torch.zeros(3, 2), k=1.0), TypeError, "k must be an integer"),
    ("knn-nan", lambda t: metrics.knn_radii(torch.tensor([[0.0], [NAN]]), k=1), ValueError, "points contains NaN"),
    ("fd-asymmetric", lambda t: metrics.frechet_distance(np.zeros(2), [[1.0, 0.5], [0.0, 1.0]], np.zeros(2),
                                                         np.eye(2)), ValueError, "cov1 must be a symmetric"),
    ("fd-indefinite", lambda t: metrics.frechet_distance(np.zeros(2), np.eye(2), np.zeros(2), np.diag([1.0, -1.0])),
     ValueError, "cov2 must be positive semi-definite"),
    ("fd-nan-mean", lambda t: metrics.frechet_distance([NAN, 0, 0], EYE, np.zeros(3), EYE), ValueError,
     "mu1 contains NaN"),
    ("fd-inf-cov", lambda t: metrics.frechet_distance(np.zeros(3), EYE, np.zeros(3), np.diag([1.0, INF, 1.0])), ValueError,
     "cov2 contains NaN or inf"),
    ("fd-shapes", lambda t: metrics.frechet_distance(np.zeros(2), np.eye(2), np.zeros(2), EYE), ValueError,
     r"cov2 \(3, 3\)"),
    ("lipschitz-n", lambda t: metrics.lipschitz_estimate(lambda x: x.sum(1), torch.zeros(2, 2), torch.ones(2, 2),
                                                         n=0), ValueError, "n must be at least 1"),
    ("lipschitz-nan", lambda t: metrics.lipschitz_estimate(lambda x: x.sum(1), torch.full((2, 2), NAN),
                                                           torch.ones(2, 2)), ValueError, "x contains NaN"),
    ("lipschitz-empty", lambda t: metrics.lipschitz_estimate(lambda x: x.sum(1), torch.ones(2, 2),
                                                             torch.zeros(0, 2)), ValueError,
     "y must hold at least one sample"),
]

LOSSES_AND_DATA = [  # behaviour that already exists in modules owned by others
    ("loss-type", lambda t: losses.minimax_d_loss([1.0], torch.zeros(1)), TypeError,
     "real_logits must be a torch.Tensor"),
    ("loss-shape", lambda t: losses.nonsaturating_g_loss(torch.zeros(3, 2)), ValueError,
     r"fake_logits must have shape \(B,\) or \(B, 1\)"),
    ("wgan-loss-shape", lambda t: losses.wasserstein_d_loss(torch.zeros(3, 1, 1), torch.zeros(3)), ValueError,
     "real_scores must have shape"),
    ("gp-shapes", lambda t: losses.gradient_penalty(lambda x: x.sum(1), torch.zeros(2, 2), torch.zeros(3, 2)),
     ValueError, "real and fake must have the same shape"),
    ("ring-modes", lambda t: data.ring_of_gaussians(n_modes=0), ValueError, "n_modes must be a positive integer"),
    ("grid-spacing", lambda t: data.grid_of_gaussians(spacing=INF), ValueError, "spacing must be a positive number"),
    ("toy-name", lambda t: data.toy("spiral"), ValueError, "unknown toy distribution 'spiral'"),
    ("mnist-split", lambda t: data.load_mnist("validation", verbose=False), ValueError, "split must be one of"),
]

CHECKPOINTS = [
    ("unknown-checkpoint", lambda t: checkpoints.load("nope", root=_registry(t, "{}")), checkpoints.CheckpointError,
     "no checkpoint named 'nope'"),
    ("manifest-not-json", lambda t: checkpoints.manifest(_registry(t, "{\"dcgan\": ")), checkpoints.CheckpointError,
     r"manifest.json is damaged: not valid JSON .*`git checkout -- "),
    ("manifest-list", lambda t: checkpoints.entry("dcgan", _registry(t, "[]")), checkpoints.CheckpointError,
     r"manifest.json is damaged: expected an object of entries .*`git checkout -- "),
    ("register-name", lambda t: checkpoints.register("../evil", _source(t), command="c", data="d", metrics={},
                                                     root=_registry(t)), ValueError, "name must be a plain file name"),
    ("register-source", lambda t: checkpoints.register("x", t / "missing.pt", command="c", data="d", metrics={},
                                                       root=_registry(t)), FileNotFoundError, "source .*missing.pt"),
    ("register-metrics", lambda t: checkpoints.register("x", _source(t), command="c", data="d",
                                                        metrics={"fid": torch.tensor(1.0)}, root=_registry(t)),
     TypeError, "metrics of 'x' must be JSON-serialisable"),
]

RECIPES = [
    ("recipe-variant", lambda t: dcgan.train_recipe("dcgan-xl", root=_registry(t)), ValueError,
     "unknown DCGAN variant 'dcgan-xl'"),
    ("recipe-epochs", lambda t: classifier.train_recipe(epochs=0, root=_registry(t)), ValueError,
     "epochs must be an integer >= 1, got 0"),
    ("recipe-limit", lambda t: dcgan.train_recipe("dcgan", limit=-5, root=_registry(t)), ValueError,
     "limit must be an integer >= 1, got -5"),
]

CASES = METRICS + LOSSES_AND_DATA + CHECKPOINTS + RECIPES


@pytest.mark.parametrize("call, error, match", [pytest.param(*case[1:], id=case[0]) for case in CASES])
def test_bad_input_is_refused_naming_the_problem(call, error, match, tmp_path):
    with pytest.raises(error, match=match):
        call(tmp_path)


@pytest.mark.parametrize("argv, message", [
    (["train", "dcgan", "--epochs", "0"], "argument --epochs: must be an integer >= 1, got 0"),
    (["train", "dcgan", "--epochs", "ten"], "argument --epochs: must be an integer >= 1, got 'ten'"),
    (["train", "mnist-classifier", "--limit", "-1"], "argument --limit: must be an integer >= 1, got -1"),
    (["train", "mnist-classifier", "--limit", "2.5"], "argument --limit: must be an integer >= 1, got '2.5'"),
    (["train", "dcgan", "--seed", "x"], "argument --seed: invalid int value: 'x'"),
    (["train", "dcgan-xl"], "argument recipe: invalid choice: 'dcgan-xl'"),
    (["run"], "the following arguments are required: notebook"),
])
def test_the_cli_refuses_bad_options_with_a_clean_argparse_error(argv, message, capsys):
    with pytest.raises(SystemExit) as exit:
        main(argv)
    assert exit.value.code == 2 and message in capsys.readouterr().err


def test_the_cli_as_a_process_exits_with_status_2_and_touches_nothing(tmp_path):
    before = sorted(checkpoints.ROOT.iterdir())
    done = subprocess.run([sys.executable, "-m", "gan_course", "train", "dcgan", "--epochs", "-1", "--register"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "argument --epochs: must be an integer >= 1, got -1" in done.stderr
    assert done.stdout == "" and sorted(checkpoints.ROOT.iterdir()) == before
