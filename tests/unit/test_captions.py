import math

import pytest
import torch

from gan_course import data
from gan_course.data import captions


def canvas(n: int = 1) -> torch.Tensor:
    return torch.full((n, 1, 28, 28), -1.0)


def bar(width: int, length: int = 20, shear: float = 0.0) -> torch.Tensor:
    """A stroke ``width`` pixels wide and ``length`` tall whose top is ``shear * length`` pixels to the right."""
    image = canvas()
    for i in range(length):
        row = 24 - i
        col = round(8 + shear * i)
        image[0, 0, row, col:col + width] = 1.0
    return image


@pytest.fixture(scope="module")
def train():
    return data.load_mnist("train", verbose=False)


def test_stroke_width_grows_with_the_stroke_and_reads_its_width():
    widths = torch.cat([captions.stroke_width(bar(w)) for w in range(1, 6)])
    assert (widths[1:] > widths[:-1]).all()
    for w, measured in zip(range(1, 6), widths.tolist()):  # mass w L over an outline of 2 (L + w)
        assert measured == pytest.approx(w * 20 / (20 + w), rel=1e-6)
    grey = bar(3).clamp(max=0.0)  # a stroke of ink 0.5 (value 0) is not above the threshold: no outline, width 0
    assert captions.stroke_width(grey).item() == 0.0


def test_slant_is_the_lean_of_the_ink_in_degrees():
    assert captions.slant(bar(2)).item() == pytest.approx(0.0, abs=1e-4)
    leaning = bar(2, shear=0.5)
    right, left = captions.slant(leaning).item(), captions.slant(leaning.flip(-1)).item()
    assert right == pytest.approx(math.degrees(math.atan(0.5)), abs=3)  # 26.6 degrees, up to pixel rounding
    assert left == pytest.approx(-right, abs=1e-4)  # the mirror image leans left as much


def test_size_is_the_bounding_box_area_and_empty_images_measure_zero():
    image = canvas()
    image[0, 0, 3:8, 10:17] = 1.0  # 5 rows, 7 columns
    image[0, 0, 5, 12] = -1.0      # a hole changes nothing
    assert captions.size(image).item() == 35
    empty = canvas(2)
    for name, values in captions.measure(empty).items():
        assert values.tolist() == [0.0, 0.0], name
    assert captions.ink_mass(image).item() == pytest.approx(34)


@pytest.mark.parametrize("bad, message", [(torch.zeros(2, 28, 28), r"\(N, 1, H, W\)"),
                                          (torch.full((1, 1, 28, 28), 2.0), r"\[-1, 1\]"),
                                          (torch.full((1, 1, 28, 28), float("nan")), "finite"),
                                          ("digits", r"\(N, 1, H, W\)")])
def test_properties_refuse_what_is_not_an_image(bad, message):
    with pytest.raises(ValueError, match=message):
        captions.measure(bad)


def test_a_rule_fitted_on_the_training_digits_gives_each_word_a_third(train):
    rule = captions.CaptionRule.fit(train.images, train.labels)
    levels = rule.levels(train.images, train.labels)
    for name in ("thickness", "slant"):
        counts = torch.bincount(levels[name] + 1, minlength=3)
        assert ((counts - len(train) / 3).abs() <= 2).all(), (name, counts)
    assert (torch.bincount(levels["size"] + 1) > 0.2 * len(train)).all()  # ties at the box sizes: about a quarter
    texts = rule.captions(train.images, train.labels)
    assert len(set(texts)) > 200  # of 10 * 3 * 3 * 3 = 270 possible
    for text, label in zip(texts[::97], train.labels[::97].tolist()):
        assert captions.caption(*captions.parse(text)) == text and captions.parse(text)[0] == label
    # the rule's own digits agree with their captions word for word; shuffled captions about a third of the time
    assert set(rule.agreement(texts, train.images).values()) == {1.0}
    shuffled = [texts[i] for i in torch.randperm(len(texts), generator=torch.Generator().manual_seed(0))]
    chance = rule.agreement(shuffled, train.images)
    assert set(chance) == {"thin", "thick", "upright", "slanting right", "small", "large"}
    assert all(0.15 < value < 0.5 for value in chance.values()), chance
    with pytest.raises(ValueError, match="all ten classes"):
        captions.CaptionRule.fit(train.images[:50], train.labels[:50])
    with pytest.raises(ValueError, match="one caption per image"):
        rule.agreement(texts[:3], train.images[:4])


def test_caption_parse_encode_and_decode():
    text = captions.caption(7, {"thickness": 1, "slant": 1, "size": -1})
    assert text == "a thick seven slanting right, small"
    assert captions.caption(0, {"thickness": 0, "slant": 0, "size": 0}) == "a zero"
    assert captions.caption(1, {"thickness": -1, "slant": -1, "size": 1}) == "a thin one upright, large"
    assert captions.parse(text) == (7, {"thickness": 1, "slant": 1, "size": -1})
    ids = captions.encode([text, "a zero"])
    assert ids.shape == (2, captions.MAX_WORDS) and ids.dtype == torch.long and ids[1, 2:].eq(0).all()
    assert captions.decode(ids) == ["a thick seven slanting right small", "a zero"]
    with pytest.raises(ValueError, match="unknown word"):
        captions.encode(["a purple seven"])
    with pytest.raises(ValueError, match="exactly one digit"):
        captions.parse("a thick seven one")
    with pytest.raises(ValueError, match="list of captions"):
        captions.encode("a zero")
    with pytest.raises(ValueError, match="levels -1, 0 or 1"):
        captions.caption(3, {"thickness": 2, "slant": 0, "size": 0})
