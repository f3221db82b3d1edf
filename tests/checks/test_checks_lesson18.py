"""Lesson 18's checks (faded_output, minibatch_stddev) accept the references and reject plausible mistakes."""

import pytest
import torch
import torch.nn.functional as F
from check_helpers import assert_rejected, mistake_ids, solutions, stub

from gan_course import checks
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
