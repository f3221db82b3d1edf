import functools

import pytest
import torch

from gan_course import checkpoints, data, recipes, runtime
from gan_course.models import classifier, dcgan
from gan_course.__main__ import main
from gan_course.models.classifier import MNISTClassifier


def test_classifier_shapes_and_bad_input():
    model = MNISTClassifier(width=4, n_features=16)
    x = torch.rand(3, 1, 28, 28) * 2 - 1
    assert model(x).shape == (3, 10) and model.features(x).shape == (3, 16)
    with pytest.raises(ValueError, match=r"\(B, 1, 28, 28\)"):
        model(torch.rand(3, 28, 28))


def test_random_affine_keeps_shape_range_and_is_seeded():
    x = data.load_mnist("test", digits=[3], verbose=False).images[:8]
    a = classifier.random_affine(x, torch.Generator().manual_seed(0))
    b = classifier.random_affine(x, torch.Generator().manual_seed(0))
    assert a.shape == x.shape and torch.equal(a, b)
    assert a.min() >= -1 - 1e-6 and a.max() <= 1 + 1e-6
    assert not torch.allclose(a, x)  # it did move the digits
    identity = classifier.random_affine(x, torch.Generator().manual_seed(0), rotation=0, scale=0, shift=0)
    assert torch.allclose(identity, x, atol=1e-5)


def test_the_recipe_trains_registers_and_loads(tmp_path):
    root = tmp_path / "registry"
    entry = classifier.train_recipe(seed=0, epochs=1, limit=256, root=root, verbose=False, register=True,
                                    cache=tmp_path / "cache")
    assert entry["command"] == "python -m gan_course train mnist-classifier --seed 0 --epochs 1 --limit 256 --register"
    assert entry["metrics"]["train_images"] == 256 and entry["metrics"]["test_images"] > 0
    assert 0.0 <= entry["metrics"]["test_accuracy"] <= 1.0
    model = MNISTClassifier()
    model.load_state_dict(checkpoints.load("mnist-classifier", root))
    test = data.load_mnist("test", verbose=False)
    assert classifier.accuracy(model, test) == pytest.approx(entry["metrics"]["test_accuracy"])
    cached = tmp_path / "cache" / "checkpoints" / "mnist-classifier.pt"  # the git-ignored copy, the same file
    assert checkpoints.sha256_of(cached) == entry["sha256"]
    assert not list(root.glob("*.tmp")) and not list(cached.parent.glob("*.tmp"))


def test_the_cli_saves_to_the_cache_and_leaves_the_committed_checkpoint_alone(tmp_path, monkeypatch, capsys):
    root = tmp_path / "registry"
    committed = tmp_path / "committed.pt"
    committed.write_bytes(b"the committed weights")
    checkpoints.register("mnist-classifier", committed, command="c", data="d", metrics={}, root=root)
    before = {path.name: path.read_bytes() for path in root.iterdir()}
    monkeypatch.setitem(recipes.RECIPES, "mnist-classifier",
                        functools.partial(classifier.train_recipe, root=root, cache=tmp_path / "cache"))
    capsys.readouterr()
    assert main(["train", "mnist-classifier", "--epochs", "1", "--limit", "64"]) == 0
    cached = tmp_path / "cache" / "checkpoints" / "mnist-classifier.pt"
    out = capsys.readouterr().out
    assert f"saved mnist-classifier to {cached} (not registered" in out and "--register" in out
    assert {path.name: path.read_bytes() for path in root.iterdir()} == before  # the registry is untouched
    MNISTClassifier().load_state_dict(torch.load(cached, weights_only=True))


@pytest.mark.parametrize("option, value", [("--epochs", "0"), ("--epochs", "-3"), ("--limit", "0"),
                                           ("--limit", "1.5"), ("--epochs", "many")])
def test_the_cli_refuses_bad_options_naming_them(option, value, capsys):
    with pytest.raises(SystemExit) as exit:
        main(["train", "dcgan", option, value])
    assert exit.value.code == 2
    assert f"argument {option}: must be an integer >= 1, got" in capsys.readouterr().err


@pytest.mark.parametrize("recipe, options", [(classifier.train_recipe, dict(epochs=0)),
                                             (classifier.train_recipe, dict(limit=0)),
                                             (functools.partial(dcgan.train_recipe, "dcgan"), dict(epochs=2.5)),
                                             (functools.partial(dcgan.train_recipe, "dcgan"), dict(width=0))])
def test_the_recipes_refuse_bad_options_before_training(recipe, options, tmp_path):
    (name, value), = options.items()
    with pytest.raises(ValueError, match=f"{name} must be an integer >= 1, got {value}"):
        recipe(root=tmp_path / "registry", cache=tmp_path / "cache", verbose=False, **options)
    assert not any(tmp_path.iterdir())


def test_without_a_cache_folder_a_recipe_saves_to_the_runtime_cache(tmp_path, monkeypatch):
    monkeypatch.setenv(runtime.CACHE_ENV, str(tmp_path / "user-cache"))  # what a pip install's user cache stands for
    root = tmp_path / "registry"
    entry = classifier.train_recipe(epochs=1, limit=64, root=root, verbose=False)
    assert entry["file"] == str(tmp_path / "user-cache" / "checkpoints" / "mnist-classifier.pt")
    assert not root.exists()  # unregistered: the registry folder is not even created


def test_the_cli_refuses_unknown_recipes(capsys):
    with pytest.raises(SystemExit):
        main(["train", "no-such-recipe"])
    assert "invalid choice" in capsys.readouterr().err


def test_the_committed_classifier_reaches_its_recorded_accuracy(tmp_path):
    if "mnist-classifier" not in checkpoints.manifest():
        pytest.skip("no mnist-classifier registered yet")
    info = checkpoints.entry("mnist-classifier")
    model = MNISTClassifier()
    model.load_state_dict(checkpoints.load("mnist-classifier"))
    # The offline held-out digits (an empty cache folder and no download force them), which training never saw.
    test = data.load_mnist("test", root=tmp_path, download=False, verbose=False)
    measured = classifier.accuracy(model, test)
    if info["metrics"]["test_images"] == len(test):  # it was measured on these same digits
        assert measured == pytest.approx(info["metrics"]["test_accuracy"], abs=1e-9)
    assert measured >= 0.985


@pytest.mark.parametrize("variant", sorted(dcgan.VARIANTS))
def test_every_dcgan_recipe_trains_registers_and_loads(tmp_path, variant):
    root = tmp_path / "registry"
    entry = dcgan.train_recipe(variant, seed=0, epochs=1, limit=128, root=root, verbose=False, register=True,
                               cache=tmp_path / "cache")
    assert entry["command"] == f"python -m gan_course train {variant} --seed 0 --epochs 1 --limit 128 --register"
    scores = entry["metrics"]
    assert scores["steps"] == 128 // dcgan.BATCH_SIZE and scores["n"] == dcgan.EVAL_SAMPLES
    assert {"fid", "inception_score", "precision", "recall", "classes"} <= set(scores)
    G, D = dcgan.load(variant, root=root)
    assert not G.training and G(torch.zeros(2, G.z_dim)).shape == (2, 1, 28, 28)
    config = dcgan.VARIANTS[variant]
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in D.modules()) == (config.d_batch_norm != "none")
    assert not (tmp_path / "cache" / "train").exists() or not any((tmp_path / "cache" / "train").iterdir())


def test_an_interrupted_dcgan_recipe_resumes_from_its_checkpoint(tmp_path, monkeypatch, capsys):
    root = tmp_path / "registry"
    calls = []
    real_train = dcgan.train.train

    def crash_after_checkpoint(step, batches, steps, **kwargs):
        calls.append(kwargs["checkpoint_dir"])
        if len(calls) == 1:  # the first run writes its step-500 checkpoint, then "crashes"
            real_train(step, batches, 500, **kwargs)
            raise KeyboardInterrupt
        return real_train(step, batches, steps, **kwargs)

    monkeypatch.setattr(dcgan.train, "train", crash_after_checkpoint)
    with pytest.raises(KeyboardInterrupt):
        dcgan.train_recipe("dcgan", epochs=251, limit=128, width=4, root=root, cache=tmp_path / "cache",
                           verbose=False)
    assert (calls[0] / "latest.pt").exists()
    capsys.readouterr()
    entry = dcgan.train_recipe("dcgan", epochs=251, limit=128, width=4, root=root, cache=tmp_path / "cache",
                               verbose=False)
    assert "at step 500" in capsys.readouterr().out and entry["metrics"]["steps"] == 502


def test_unknown_dcgan_variants_are_refused():
    with pytest.raises(ValueError, match="dcgan-nobn"):
        dcgan.variant("dcgan-no-such-thing")


def test_judges_load_per_domain_and_refuse_unknown_domains():
    for domain in classifier.JUDGES:
        judge = classifier.load_judge(domain)
        assert not judge.training and judge.channels == data.domains.channels(domain)
    with pytest.raises(ValueError, match="domain must be one of"):
        classifier.load_judge("cursive")
    with pytest.raises(ValueError, match="printed, plain, textured"):
        classifier.train_judge_recipe("handwritten", epochs=1)


def test_the_committed_judges_reach_97_percent_on_their_held_out_digits():
    for domain, name in classifier.JUDGES.items():
        test = data.domains.load_domain(domain, "test")
        measured = classifier.accuracy(classifier.load_judge(domain), test)
        assert measured >= 0.97, domain
        assert measured == pytest.approx(checkpoints.entry(name)["metrics"]["test_accuracy"], abs=1e-9), domain


def test_the_judge_of_textured_digits_learns_from_all_of_mnist_on_three_texture_draws():
    train_set = classifier.judge_training_set("textured")
    mnist = data.load_mnist("train", verbose=False)
    assert train_set.images.shape == (3 * len(mnist), 3, 28, 28)
    assert torch.equal(train_set.labels, mnist.labels.repeat(3))
    plain = classifier.judge_training_set("plain")
    assert torch.equal(plain.images[:, 0], mnist.images[:, 0]) and torch.equal(plain.images[:, 2], mnist.images[:, 0])


def test_the_judge_recipe_trains_and_registers_in_half_precision(tmp_path):
    entry = classifier.train_judge_recipe("printed", epochs=1, limit=128, root=tmp_path / "registry", verbose=False,
                                          register=True, cache=tmp_path / "cache")
    assert entry["command"] == "python -m gan_course train judge-printed --seed 0 --epochs 1 --limit 128 --register"
    state = checkpoints.load("judge-printed", tmp_path / "registry")
    assert all(v.dtype == torch.float16 for v in state.values() if v.is_floating_point())
    assert 0 <= entry["metrics"]["test_accuracy"] <= 1


def test_a_domain_classifier_tells_handwritten_from_printed():
    from gan_course import evaluation

    which = classifier.domain_classifier(*data.domains.load_pair("digits", "train"), seed=0)  # as Twin-GAN's measure
    a, b = data.domains.load_pair("digits", "test")
    assert (evaluation.classify(which, a.images)[0] == 0).double().mean() > 0.9
    assert (evaluation.classify(which, b.images)[0] == 1).double().mean() > 0.9
    with pytest.raises(ValueError, match="one shape"):
        classifier.domain_classifier(a, data.domains.load_domain("textured", "test"))
