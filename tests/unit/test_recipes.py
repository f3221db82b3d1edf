import pytest
import torch

from gan_course import checkpoints, data, recipes
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
    a = recipes.random_affine(x, torch.Generator().manual_seed(0))
    b = recipes.random_affine(x, torch.Generator().manual_seed(0))
    assert a.shape == x.shape and torch.equal(a, b)
    assert a.min() >= -1 - 1e-6 and a.max() <= 1 + 1e-6
    assert not torch.allclose(a, x)  # it did move the digits
    identity = recipes.random_affine(x, torch.Generator().manual_seed(0), rotation=0, scale=0, shift=0)
    assert torch.allclose(identity, x, atol=1e-5)


def test_the_recipe_trains_registers_and_loads(tmp_path):
    entry = recipes.train_mnist_classifier(seed=0, epochs=1, limit=256, root=tmp_path, verbose=False)
    assert entry["command"] == "python -m gan_course train mnist-classifier --seed 0 --epochs 1 --limit 256"
    assert entry["metrics"]["train_images"] == 256 and entry["metrics"]["test_images"] > 0
    assert 0.0 <= entry["metrics"]["test_accuracy"] <= 1.0
    model = MNISTClassifier()
    model.load_state_dict(checkpoints.load("mnist-classifier", tmp_path))
    test = data.load_mnist("test", verbose=False)
    assert recipes.accuracy(model, test) == pytest.approx(entry["metrics"]["test_accuracy"])
    assert not list(tmp_path.glob("*.tmp"))


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
    measured = recipes.accuracy(model, test)
    if info["metrics"]["test_images"] == len(test):  # it was measured on these same digits
        assert measured == pytest.approx(info["metrics"]["test_accuracy"], abs=1e-9)
    assert measured >= 0.985


@pytest.mark.parametrize("variant", sorted(recipes.DCGAN_VARIANTS))
def test_every_dcgan_recipe_trains_registers_and_loads(tmp_path, variant):
    root = tmp_path / "registry"
    entry = recipes.train_dcgan(variant, seed=0, epochs=1, limit=128, root=root, verbose=False)
    assert entry["command"] == f"python -m gan_course train {variant} --seed 0 --epochs 1 --limit 128"
    scores = entry["metrics"]
    assert scores["steps"] == 128 // recipes.DCGAN_BATCH_SIZE and scores["n"] == recipes.DCGAN_EVAL_SAMPLES
    assert {"fid", "inception_score", "precision", "recall", "classes"} <= set(scores)
    G, D = recipes.load_dcgan(variant, root=root)
    assert not G.training and G(torch.zeros(2, G.z_dim)).shape == (2, 1, 28, 28)
    config = recipes.DCGAN_VARIANTS[variant]
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in D.modules()) == (config["d_batch_norm"] != "none")
    assert not (tmp_path / "cache" / "train").exists() or not any((tmp_path / "cache" / "train").iterdir())


def test_an_interrupted_dcgan_recipe_resumes_from_its_checkpoint(tmp_path, monkeypatch, capsys):
    root = tmp_path / "registry"
    calls = []
    real_train = recipes.train.train

    def crash_after_checkpoint(*args, **kwargs):
        calls.append(kwargs["checkpoint_dir"])
        if len(calls) == 1:  # the first run writes its step-500 checkpoint, then "crashes"
            kwargs["steps"] = 500
            real_train(*args, **kwargs)
            raise KeyboardInterrupt
        return real_train(*args, **kwargs)

    monkeypatch.setattr(recipes.train, "train", crash_after_checkpoint)
    with pytest.raises(KeyboardInterrupt):
        recipes.train_dcgan("dcgan", epochs=251, limit=128, width=4, root=root, verbose=False)
    assert (calls[0] / "latest.pt").exists()
    capsys.readouterr()
    entry = recipes.train_dcgan("dcgan", epochs=251, limit=128, width=4, root=root, verbose=False)
    assert "at step 500" in capsys.readouterr().out and entry["metrics"]["steps"] == 502


def test_unknown_dcgan_variants_are_refused():
    with pytest.raises(ValueError, match="dcgan-nobn"):
        recipes.build_dcgan("dcgan-no-such-thing")
