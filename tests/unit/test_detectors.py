"""gan_course.models.detectors: one interface over the anomaly detectors; their recipes train, store in half
precision, register, load and measure what they stored."""

import functools

import pytest
import torch

from gan_course import checkpoints, metrics, recipes
from gan_course.data import anomaly
from gan_course.models import anogan, detectors


@pytest.fixture
def quick_anogan(monkeypatch):  # a 3-step search: the recipe's measurement in seconds
    monkeypatch.setitem(detectors.CONFIGS, "anogan", functools.partial(anogan.AnoGANConfig, search_steps=3))


@pytest.mark.parametrize("method", sorted(detectors.METHODS))
def test_every_method_trains_registers_loads_and_measures_what_it_stored(method, tmp_path, quick_anogan):
    name, root = f"{method}-digits", tmp_path / "registry"
    entry = detectors.train_recipe(name, seed=0, epochs=1, limit=64, root=root, verbose=False, register=True,
                                   cache=tmp_path / "cache")
    assert entry["command"] == f"python -m gan_course train {name} --seed 0 --epochs 1 --limit 64 --register"
    assert entry["metrics"]["steps"] == 1 and entry["metrics"]["train_images"] == 64
    assert all(v.dtype in (torch.float16, torch.int64) for v in checkpoints.load(name, root).values())
    nets = detectors.load(name, root=root)
    assert set(nets) == set(detectors.TEST_TIME[method])
    test = detectors.load_data("digits", "test")
    again = detectors.measure(method, nets, test)
    assert again["image_auroc"] == pytest.approx(entry["metrics"]["image_auroc"], abs=1e-9)
    assert "pixel_auroc" not in again and again["test_images"] == 200


def test_measure_gives_pixel_auroc_where_there_are_masks_and_scores_match_the_methods_own():
    nets = detectors.METHODS["ganomaly"].build(detectors.config("ganomaly"))
    test = anomaly.texture_defects("test", 40)
    out = detectors.measure("ganomaly", nets, test)
    scores, maps = detectors.METHODS["ganomaly"].score(nets, test.images)
    assert out["image_auroc"] == pytest.approx(metrics.auroc(scores, test.is_anomaly))
    assert out["pixel_auroc"] == pytest.approx(metrics.auroc(maps, test.masks))
    assert out["ms_per_image"] > 0


def test_the_config_and_the_recipes_cover_every_variant_and_refuse_unknown_names():
    assert detectors.config("fanogan", kappa=0.5).kappa == 0.5
    assert set(detectors.VARIANTS) <= set(recipes.RECIPES)
    for bad in (lambda: detectors.config("vae"), lambda: detectors.load("gan-digits"),
                lambda: detectors.load_data("faces", "train"),
                lambda: detectors.train_recipe("anogan-faces", epochs=1)):
        with pytest.raises(ValueError, match="must be one of|unknown detector"):
            bad()


def test_fanogan_checkpoints_each_stage_in_its_own_folder(tmp_path):
    images = torch.rand(64, 1, 32, 32) * 2 - 1
    nets, seconds = detectors.fit("fanogan", images, steps=2, checkpoint_dir=tmp_path, checkpoint_every=1,
                                  progress=False, log_every=0)
    assert (tmp_path / "wgan_gp" / "latest.pt").exists() and (tmp_path / "encoder" / "latest.pt").exists()
    assert seconds > 0


def test_a_recipe_run_at_its_own_length_records_a_command_without_epochs():
    # 1,500 steps are not whole passes over the 4,000 brick patches (62 batches each): --epochs 24 would give 1,488
    assert checkpoints.recipe_command("anogan-bricks", 0, None, None, True) == \
        "python -m gan_course train anogan-bricks --seed 0 --register"
    for name in detectors.VARIANTS:
        assert "--epochs" not in checkpoints.entry(name)["command"]
