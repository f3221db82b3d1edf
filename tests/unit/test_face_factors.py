"""The faces' factor reader (gan_course.models.face_factors): what it predicts, that it learns a factor the images
show, the attribute split of the separability metric, and its recipe."""

import dataclasses

import pytest
import torch

from gan_course.data import faces as fc
from gan_course.models import face_factors, face_identity
from test_face_identity import fake_faces

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def faces_showing_yaw(n=256, seed=0):
    """Fake faces whose images are a vertical ramp as steep as the yaw: the one factor the pixels show."""
    faces = fake_faces(n, seed)
    yaw = torch.linspace(-80, 80, n)[torch.randperm(n, generator=torch.Generator().manual_seed(seed))]
    ramp = torch.linspace(-1, 1, 32)[None, None, None, :]
    images = (yaw[:, None, None, None] / 80 * ramp).expand(n, 1, 32, 32).contiguous()
    return dataclasses.replace(faces, images=images, frontal=torch.zeros_like(images), yaw=yaw)


def test_factor_values_and_thresholds():
    faces = fake_faces(6)
    values = face_factors.factor_values(faces)
    assert values.shape == (6, len(face_factors.FACTORS))
    torch.testing.assert_close(values[:, 0], faces.yaw)
    torch.testing.assert_close(values[:, 3], faces.params.skin_tone.float())
    low, high, _ = fc.FACTORS["skin_tone"]
    assert face_factors.THRESHOLDS["skin_tone"] == pytest.approx((low + high) / 2) and face_factors.THRESHOLDS["yaw"] == 0


def test_the_network_learns_a_factor_the_images_show_and_not_the_others():
    train, test = faces_showing_yaw(512, 0), faces_showing_yaw(200, 1)
    net = face_factors.fit_factors(train, epochs=8, seed=0, batch_size=32)
    r2 = face_factors.r_squared(face_factors.predict_factors(net, test.images), face_factors.factor_values(test))
    assert r2["yaw"] > 0.9, r2
    assert r2["skin_tone"] < 0.5, r2  # random people: nothing in these pixels tells their skin tone


def test_attributes_split_each_factor_at_the_middle_of_its_range():
    net = face_factors.FactorNet().eval()
    with torch.no_grad():
        net.head[-1].weight.zero_()
        net.head[-1].bias.copy_(torch.tensor([1.0, -1.0, 0.5, 0.0, 0.0, 0.0, 2.0]))
        net.mean.copy_(torch.tensor([0.0, 0.0, 0.0, 0.7, 0.65, 0.275, 0.33]))
        net.std.copy_(torch.tensor([40.0, 5.0, 30.0, 0.1, 0.1, 0.1, 0.05]))
    out = face_factors.attributes(net, face_factors.predict_factors(net, torch.zeros(3, 1, 32, 32)))
    assert out["yaw"][0].tolist() == [1, 1, 1] and out["pitch"][0].tolist() == [0, 0, 0]
    torch.testing.assert_close(out["yaw"][1], torch.full((3,), 1.0))
    # skin tone predicted at 0.7, its range's middle: confidence 0
    assert out["skin_tone"][1].abs().max() < 1e-5


def test_the_recipe_trains_stores_and_loads(tmp_path, monkeypatch):
    faces = faces_showing_yaw(64)
    monkeypatch.setattr(face_identity, "load_faces", lambda split, verbose=False: faces)
    root, cache = tmp_path / "registry", tmp_path / "cache"
    entry = face_factors.train_factors_recipe(epochs=1, root=root, verbose=False, register=True, cache=cache)
    assert set(entry["metrics"]["test_r2"]) == set(face_factors.FACTORS)
    net = face_factors.load_factors(root=root)
    assert not net.training and net(faces.images[:2]).shape == (2, len(face_factors.FACTORS))
