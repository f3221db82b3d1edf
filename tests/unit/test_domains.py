"""Tests of gan_course.data.domains: the unpaired image domains of lesson 12 (offline, fast)."""

import pytest
import torch

from gan_course import data
from gan_course.data import domains


@pytest.fixture(autouse=True)
def offline_cache(monkeypatch, tmp_path):
    """No network probe, and a cache folder of this test's own (the checkout's data/cache stays untouched)."""
    monkeypatch.setattr(data.digits, "_can_reach", lambda *args, **kwargs: False)
    monkeypatch.setenv("GAN_COURSE_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache" / "domains"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """Every (domain, split), loaded once for the tests that only read them."""
    with pytest.MonkeyPatch.context() as env:
        env.setattr(data.digits, "_can_reach", lambda *args, **kwargs: False)
        env.setenv("GAN_COURSE_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield {(name, split): domains.load_domain(name, split) for name in domains.DOMAINS
               for split in domains.SPLITS}


def _nearest_neighbour_accuracy(train, test) -> float:
    nearest = torch.cdist(test.images.flatten(1), train.images.flatten(1)).argmin(1)
    return (train.labels[nearest] == test.labels).float().mean().item()


def _nearest_mean_accuracy(train, test) -> float:
    means = torch.stack([train.images[train.labels == c].flatten(1).mean(0) for c in range(10)])
    return (torch.cdist(test.images.flatten(1), means).argmin(1) == test.labels).float().mean().item()


def test_every_domain_has_the_promised_shapes_types_and_range(loaded):
    assert domains.PAIRS == {"digits": ("handwritten", "printed"), "textures": ("plain", "textured")}
    for (name, split), d in loaded.items():
        assert isinstance(d, data.DigitData) and d.images.dtype == torch.float32 and d.labels.dtype == torch.int64
        assert d.images.shape == (len(d), domains.channels(name), 28, 28) and d.labels.shape == (len(d),)
        assert d.images.min() == -1 and d.images.max() == 1, (name, split)
        assert torch.isfinite(d.images).all() and sorted(d.labels.unique().tolist()) == list(range(10))
    assert [domains.channels(name) for name in domains.DOMAINS] == [1, 1, 3, 3]


def test_printed_digits_are_balanced_and_as_many_as_offline_mnist(loaded):
    for split, per_class in (("train", 400), ("test", 100)):
        printed = loaded["printed", split]
        assert torch.bincount(printed.labels).tolist() == [per_class] * 10
        assert torch.equal(printed.labels, torch.arange(10).repeat_interleave(per_class))
        assert "matplotlib fonts" in printed.source and "cmr10" in printed.source
        # the background is exactly -1 and the images are 8-bit, as MNIST's
        assert ((printed.images + 1) * 127.5 - ((printed.images + 1) * 127.5).round()).abs().max() < 1e-3
        assert (printed.images[:, :, :, 0] == -1).float().mean() > 0.95  # ink stays off the border


def test_printed_digits_look_like_digits(loaded):
    # measured: 1-NN printed train -> test 0.988, nearest class mean 0.754 (offline MNIST's own: 0.934 and
    # 0.808); 1-NN handwritten train -> printed test 0.628 (chance 0.10)
    train, test = loaded["printed", "train"], loaded["printed", "test"]
    assert _nearest_neighbour_accuracy(train, test) >= 0.95
    assert _nearest_mean_accuracy(train, test) >= 0.70
    assert _nearest_neighbour_accuracy(loaded["handwritten", "train"], test) >= 0.5
    widths = data.captions.stroke_width(train.images)  # MNIST's median is 1.9 pixels
    assert 1.6 <= widths.median() <= 2.5 and widths.std() > 0.2


def test_printed_generation_is_deterministic_bit_for_bit():
    first = domains.render_printed(20, seed=5)
    domains._glyph_bank.cache_clear()  # render the fonts again too
    again = domains.render_printed(20, seed=5)
    assert torch.equal(first.images, again.images) and torch.equal(first.labels, again.labels)
    other = domains.render_printed(20, seed=6)
    assert (first.images != other.images).any(1).any(1).any(1).float().mean() > 0.9


def test_train_and_test_differ(loaded):
    for name in ("printed", "textured"):
        train, test = loaded[name, "train"], loaded[name, "test"]
        distance = torch.cdist(test.images.flatten(1), train.images.flatten(1))
        assert distance.min() > 0.5, name  # no test image repeats a training image
    assert all(photo in loaded["textured", split].source for photo in domains.PHOTOS for split in domains.SPLITS)


def test_plain_and_textured_split_mnist_by_parity(loaded):
    for split in domains.SPLITS:
        mnist = loaded["handwritten", split]
        plain, textured = loaded["plain", split], loaded["textured", split]
        assert len(plain) + len(textured) == len(mnist)
        assert torch.equal(plain.images, mnist.images[0::2].expand(-1, 3, -1, -1))
        assert torch.equal(plain.labels, mnist.labels[0::2]) and torch.equal(textured.labels, mnist.labels[1::2])
        assert "even positions" in plain.source and "odd positions" in textured.source


def test_textured_digits_are_coloured_and_readable(loaded):
    # measured: mean contrast 0.38 (train) and 0.35 (test), colour 0.30 and 0.16
    for split in domains.SPLITS:
        textured = (loaded["textured", split].images + 1) / 2  # (N, 3, 28, 28) in [0, 1]
        digit = (loaded["handwritten", split].images[1::2] + 1) / 2  # (N, 1, 28, 28)
        colour = (textured[:, 0] - textured[:, 1]).abs() + (textured[:, 1] - textured[:, 2]).abs()
        assert colour.mean() > 0.1, split
        ink, background = (digit > 0.5).float(), (digit == 0).float()
        ink_mean = (textured * ink).sum((2, 3)) / ink.sum((2, 3))  # (N, 3)
        background_mean = (textured * background).sum((2, 3)) / background.sum((2, 3))
        contrast = (ink_mean - background_mean).abs().mean(1)  # (N,)
        assert contrast.mean() > 0.25 and contrast.median() > 0.25, split


def test_texture_is_the_absolute_difference_of_a_photo_crop_and_the_digit():
    digits = data.load_mnist("test", verbose=False).images[:64]
    crops = (domains.texture(torch.full_like(digits, -1.0), seed=3) + 1) / 2  # no ink: the crops themselves
    expected = (crops - (digits + 1) / 2).abs() * 2 - 1
    assert (domains.texture(digits, seed=3) - expected).abs().max() <= 1 / 255 + 1e-6
    assert not torch.equal(domains.texture(digits, seed=4), domains.texture(digits, seed=3))
    assert domains.texture(data.load_mnist("test", size=32, verbose=False).images[:4], 0).shape == (4, 3, 32, 32)


def test_cache_round_trip_and_corrupt_cache_is_regenerated(offline_cache, monkeypatch):
    fresh = domains.load_domain("printed", "test")
    files = sorted(offline_cache.iterdir())
    assert [f.name for f in files] == [f"printed-test-{domains.VERSION}-seed{domains.SEEDS['test']}.pt"]

    def no_rendering(*args, **kwargs):
        raise AssertionError("the cache should have been used")

    domains._load.cache_clear()
    with monkeypatch.context() as patch:
        patch.setattr(domains, "render_printed", no_rendering)
        cached = domains.load_domain("printed", "test")
    assert torch.equal(cached.images, fresh.images) and torch.equal(cached.labels, fresh.labels)
    assert cached.source == fresh.source

    files[0].write_bytes(b"not a torch file")
    domains._load.cache_clear()
    again = domains.load_domain("printed", "test")  # regenerated, not a crash
    assert torch.equal(again.images, fresh.images)
    assert [f.name for f in offline_cache.iterdir()] == [files[0].name]  # rewritten; no temporary file left
    assert domains._read(files[0], 1) is not None


def test_textured_cache_round_trip(offline_cache):
    fresh = domains.load_domain("textured", "test")
    domains._load.cache_clear()
    cached = domains.load_domain("textured", "test")
    assert len(list(offline_cache.glob("textured-test-*.pt"))) == 1
    assert torch.equal(cached.images, fresh.images) and torch.equal(cached.labels, fresh.labels)


def test_loaded_data_is_a_copy_and_load_pair_keeps_the_order(capsys):
    first = domains.load_domain("handwritten", "test")
    first.images.zero_()
    assert domains.load_domain("handwritten", "test").images.min() == -1  # the in-process cache is intact
    plain, textured = domains.load_pair("textures", "test", verbose=True)
    assert plain.images.shape[1] == textured.images.shape[1] == 3
    printed = capsys.readouterr().out
    assert "plain (test)" in printed and "textured (test)" in printed


@pytest.mark.parametrize("call, accepted", [
    (lambda: domains.load_domain("mnist"), "'handwritten', 'printed', 'plain', 'textured'"),
    (lambda: domains.load_domain("printed", "all"), "('train', 'test')"),
    (lambda: domains.load_pair("faces"), "('digits', 'textures')"),
    (lambda: domains.channels("printed-digits"), "'handwritten'"),
    (lambda: domains.render_printed(0, 0), "positive integer"),
    (lambda: domains.render_printed(10, -1), "non-negative integer"),
    (lambda: domains.texture(torch.zeros(2, 3, 28, 28), 0), "(N, 1, H, W)"),
    (lambda: domains.texture(torch.full((2, 1, 28, 28), 3.0), 0), "[-1, 1]"),
    (lambda: domains.texture(torch.zeros(2, 1, 28, 28), 0, photos=("lena",)), "'astronaut'"),
    (lambda: domains.texture(torch.zeros(2, 1, 28, 28), 0, photos="coffee"), "non-empty tuple"),
])
def test_bad_input_says_what_is_accepted(call, accepted):
    with pytest.raises(ValueError) as err:
        call()
    assert accepted in str(err.value)
