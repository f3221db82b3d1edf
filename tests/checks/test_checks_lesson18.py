"""Lesson 18's checks (faded_output, minibatch_stddev; the open variation_signal) accept the references and reject plausible mistakes."""

import pytest
import torch
import torch.nn.functional as F
from check_helpers import assert_rejected, mistake_ids, solutions, stub

from gan_course import checks, metrics
from gan_course.checks import lesson18
from gan_course.layers import MinibatchStdDev

# --------------------------------------------------------------------------- faded_output


def _features(G, z, stage):
    """h_{stage-1} and h_stage, the features before and after the last block."""
    h = G.first(G.input(z).view(len(z), G.config.widths[0], 4, 4))
    previous = h
    for k in range(1, stage + 1):
        previous = h
        h = G.blocks[k - 1](F.interpolate(h, scale_factor=2, mode="nearest"))
    return previous, h


def faded(G, z, stage, alpha):
    previous, h = _features(G, z, stage)
    old = F.interpolate(G.to_rgb[stage - 1](previous), scale_factor=2, mode="nearest")
    return (1 - alpha) * old + alpha * G.to_rgb[stage](h)


def upsample_features_first(G, z, stage, alpha):    # the same image: toRGB is 1x1, nearest upsampling commutes
    previous, h = _features(G, z, stage)
    old = G.to_rgb[stage - 1](F.interpolate(previous, scale_factor=2, mode="nearest"))
    return torch.lerp(old, G.to_rgb[stage](h), alpha)


def swapped(G, z, stage, alpha):
    previous, h = _features(G, z, stage)
    old = F.interpolate(G.to_rgb[stage - 1](previous), scale_factor=2, mode="nearest")
    return alpha * old + (1 - alpha) * G.to_rgb[stage](h)


def bilinear(G, z, stage, alpha):
    previous, h = _features(G, z, stage)
    old = F.interpolate(G.to_rgb[stage - 1](previous), scale_factor=2, mode="bilinear", align_corners=False)
    return (1 - alpha) * old + alpha * G.to_rgb[stage](h)


def new_rgb_for_old(G, z, stage, alpha):            # the old path through the new toRGB
    previous, h = _features(G, z, stage)
    old = F.interpolate(G.to_rgb[stage](previous), scale_factor=2, mode="nearest")
    return (1 - alpha) * old + alpha * G.to_rgb[stage](h)


def old_from_new_features(G, z, stage, alpha):      # downsampled new features through the old toRGB
    previous, h = _features(G, z, stage)
    return (1 - alpha) * F.interpolate(G.to_rgb[stage - 1](previous).detach(), scale_factor=2) + \
        alpha * G.to_rgb[stage](h)


def calls_g(G, z, stage, alpha):
    return G(z, stage, alpha)


def no_blend(G, z, stage, alpha):
    return G.to_rgb[stage](_features(G, z, stage)[1])


def test_faded_output_accepts_references(capsys):
    checks.faded_output(faded)
    checks.faded_output(upsample_features_first)
    checks.faded_output(solutions("18_pggan")["faded_output"])
    assert capsys.readouterr().out.count("passed") == 3


FADE_MISTAKES = [
    (checks.faded_output, swapped, "α weighs the new block"),
    (checks.faded_output, bilinear, "nearest"),
    (checks.faded_output, new_rgb_for_old, "the old image is toRGB_{stage-1}"),
    (checks.faded_output, old_from_new_features, "gradient to reach to_rgb"),
    (checks.faded_output, calls_g, "G itself may not be called"),
    (checks.faded_output, no_blend, "case 'stage 1, α 0.3'"),
    (checks.faded_output, stub, "not implemented yet"),
]


@pytest.mark.parametrize("check, wrong, fragment", FADE_MISTAKES, ids=mistake_ids(FADE_MISTAKES))
def test_faded_output_rejects_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)


# --------------------------------------------------------------------------- minibatch_stddev


def reference_stddev(x, group_size):
    return MinibatchStdDev(group_size=group_size)(x)


def _group_stddev(x, group_size, unbiased=False, consecutive=False):
    """The layer written out; ``unbiased`` and ``consecutive`` (groups of neighbours, not i mod) are two mistakes."""
    b = len(x)
    g = min(group_size, b)
    if consecutive:
        std = (x.reshape(b // g, g, *x.shape[1:]).var(1, unbiased=unbiased) + 1e-8).sqrt()
        per_group = std.flatten(1).mean(1).repeat_interleave(g)
    else:
        std = (x.reshape(g, b // g, *x.shape[1:]).var(0, unbiased=unbiased) + 1e-8).sqrt()
        per_group = std.flatten(1).mean(1).repeat(g)
    return torch.cat([x, per_group.view(b, 1, 1, 1).expand(b, 1, *x.shape[2:])], 1)


def by_hand(x, group_size):
    return _group_stddev(x, group_size)


def unbiased(x, group_size):
    return _group_stddev(x, group_size, unbiased=True)


def consecutive_groups(x, group_size):
    return _group_stddev(x, group_size, consecutive=True)


def whole_batch(x, group_size):
    return MinibatchStdDev(group_size=None)(x)


def extra_first(x, group_size):
    out = MinibatchStdDev(group_size=group_size)(x)
    return torch.cat([out[:, -1:], out[:, :-1]], 1)


def detached_std(x, group_size):
    out = MinibatchStdDev(group_size=group_size)(x.detach())
    return torch.cat([x, out[:, -1:]], 1)


def per_channel(x, group_size):                     # one map per channel instead of one in all
    b = len(x)
    g = min(group_size, b)
    std = x.reshape(g, b // g, *x.shape[1:]).var(0, unbiased=False).add(1e-8).sqrt().mean((2, 3))
    return torch.cat([x, std.repeat(g, 1)[:, :, None, None].expand_as(x)], 1)


def test_minibatch_stddev_accepts_references(capsys):
    checks.minibatch_stddev(reference_stddev)
    checks.minibatch_stddev(by_hand)
    checks.minibatch_stddev(solutions("18_pggan")["minibatch_stddev"])
    assert capsys.readouterr().out.count("passed") == 3


STDDEV_MISTAKES = [
    (checks.minibatch_stddev, unbiased, "population variance"),
    (checks.minibatch_stddev, consecutive_groups, "i mod"),
    (checks.minibatch_stddev, whole_batch, "not over the whole batch"),
    (checks.minibatch_stddev, extra_first, "first"),
    (checks.minibatch_stddev, detached_std, "gradient to reach x"),
    (checks.minibatch_stddev, per_channel, "one more channel"),
    (checks.minibatch_stddev, stub, "not implemented yet"),
]


@pytest.mark.parametrize("check, wrong, fragment", STDDEV_MISTAKES, ids=mistake_ids(STDDEV_MISTAKES))
def test_minibatch_stddev_rejects_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)


# --------------------------------------------------------------------------- variation_signal (open)


def test_the_groups_hold_a_duplicate_exactly_where_they_are_not_real():
    groups, is_real = lesson18.variation_groups(40, seed=3)
    assert groups.shape == (40, 4, 1, 32, 32) and is_real.sum() == 20
    assert groups.min() >= -1 and groups.max() <= 1
    again, _ = lesson18.variation_groups(40, seed=3)
    assert torch.equal(groups, again)
    flat = groups.flatten(2)
    closest = (torch.cdist(flat, flat) + torch.eye(4) * 1e9).flatten(1).amin(1)
    noise_only = 0.1 * (2 * 1024) ** 0.5      # two independent noises of σ 0.1 over 1,024 pixels, before clamping
    assert (closest[~is_real] < noise_only).all() and (closest[is_real] > 1.5 * noise_only).all()
    for bad in (3, 0, 2.0, True):
        with pytest.raises(ValueError, match="even integer"):
            lesson18.variation_groups(bad, seed=0)


def test_the_paper_statistic_is_the_layer_and_falls_short():
    groups, is_real = lesson18.variation_groups(200, seed=1)
    layer = MinibatchStdDev(group_size=4)(groups[0])[:, -1, 0, 0]
    assert torch.allclose(lesson18.paper_statistic(groups[:1]).expand(4), layer, atol=1e-6)
    assert 0.6 < metrics.auroc(lesson18.paper_statistic(groups), is_real) < lesson18.TARGET_AUROC


def closest_pair_l1(groups):
    flat = groups.flatten(2)
    return (torch.cdist(flat, flat, p=1) + torch.eye(4) * 1e9).flatten(1).amin(1)


def test_variation_signal_accepts_the_reference_and_another_distance(capsys):
    checks.variation_signal(solutions("18_pggan")["variation_signal"])
    checks.variation_signal(closest_pair_l1)
    out = capsys.readouterr().out
    assert out.count("passed") == 2 and "the paper's statistic" in out


def mean_pair_distance(groups):           # every pair counted: the duplicate is averaged away again
    flat = groups.flatten(2)
    return torch.cdist(flat, flat).flatten(1).sum(1)


def upside_down(groups):
    return -closest_pair_l1(groups)


def per_image(groups):
    return groups.flatten(2).std(2)


def in_place(groups):
    groups.clamp_(-0.5, 0.5)
    return closest_pair_l1(groups)


def not_finite(groups):
    return closest_pair_l1(groups) / 0 - closest_pair_l1(groups) / 0


SIGNAL_MISTAKES = [
    (checks.variation_signal, stub, "not implemented yet"),
    (checks.variation_signal, lesson18.paper_statistic, "much closer than any pair"),
    (checks.variation_signal, mean_pair_distance, "expected an AUROC of at least 0.95"),
    (checks.variation_signal, upside_down, "upside down"),
    (checks.variation_signal, per_image, "one per group"),
    (checks.variation_signal, in_place, "modified in place"),
    (checks.variation_signal, not_finite, "finite"),
]


@pytest.mark.parametrize("check, wrong, fragment", SIGNAL_MISTAKES, ids=mistake_ids(SIGNAL_MISTAKES))
def test_variation_signal_rejects_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)
