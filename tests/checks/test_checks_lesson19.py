"""Lesson 19's checks (adain, truncate; the open w_direction) accept the references and reject plausible mistakes."""

import pytest
import torch
from check_helpers import assert_rejected, mistake_ids, solutions, stub

from gan_course import checks
from gan_course.checks import lesson19
from gan_course.layers import adain as reference_adain

# --------------------------------------------------------------------------- adain


def _norm(x, dims, unbiased=False, eps=1e-8):
    return (x - x.mean(dims, keepdim=True)) / (x.var(dims, keepdim=True, unbiased=unbiased) + eps).sqrt()


def adain_by_hand(x, y_s, y_b):
    return y_s[..., None, None] * _norm(x, (2, 3)) + y_b[..., None, None]


def adain_instance_norm(x, y_s, y_b):            # torch's own instance norm, eps 1e-5: the same within the tolerance
    return y_s[..., None, None] * torch.nn.functional.instance_norm(x) + y_b[..., None, None]


def batch_statistics(x, y_s, y_b):
    return y_s[..., None, None] * _norm(x, (0, 2, 3)) + y_b[..., None, None]


def layer_statistics(x, y_s, y_b):
    return y_s[..., None, None] * _norm(x, (1, 2, 3)) + y_b[..., None, None]


def unbiased_std(x, y_s, y_b):
    return y_s[..., None, None] * _norm(x, (2, 3), unbiased=True) + y_b[..., None, None]


def swapped_style(x, y_s, y_b):
    return y_b[..., None, None] * _norm(x, (2, 3)) + y_s[..., None, None]


def no_epsilon(x, y_s, y_b):
    return y_s[..., None, None] * (x - x.mean((2, 3), keepdim=True)) / x.std((2, 3), unbiased=False,
                                                                             keepdim=True) + y_b[..., None, None]


def detached_statistics(x, y_s, y_b):
    mean, std = x.mean((2, 3), keepdim=True).detach(), (x.var((2, 3), keepdim=True, unbiased=False) + 1e-8).sqrt()
    return y_s[..., None, None] * (x - mean) / std.detach() + y_b[..., None, None]


def detached_style(x, y_s, y_b):
    return y_s.detach()[..., None, None] * _norm(x, (2, 3)) + y_b[..., None, None]


def variance_not_std(x, y_s, y_b):
    return y_s[..., None, None] * (x - x.mean((2, 3), keepdim=True)) / (
        x.var((2, 3), keepdim=True, unbiased=False) + 1e-8) + y_b[..., None, None]


def no_centering(x, y_s, y_b):
    return y_s[..., None, None] * x / (x.var((2, 3), keepdim=True, unbiased=False) + 1e-8).sqrt() + y_b[..., None, None]


def flat_styles(x, y_s, y_b):                     # forgot to broadcast: (B, C) against (B, C, H, W)
    return y_s * _norm(x, (2, 3)) + y_b


def test_adain_accepts_references(capsys):
    checks.adain(reference_adain)
    checks.adain(adain_by_hand)
    checks.adain(adain_instance_norm)
    checks.adain(solutions("19_stylegan")["adain"])
    assert capsys.readouterr().out.count("passed") == 4


ADAIN_MISTAKES = [
    (checks.adain, batch_statistics, "not the batch's"),
    (checks.adain, layer_statistics, "each channel on its own"),
    (checks.adain, unbiased_std, "population variance"),
    (checks.adain, swapped_style, "y_s scales"),
    (checks.adain, no_epsilon, "add a small epsilon"),
    (checks.adain, detached_statistics, "gradient to reach x"),
    (checks.adain, detached_style, "gradient to reach y_s"),
    (checks.adain, variance_not_std, "square root of the variance"),
    (checks.adain, no_centering, "subtract the mean"),
    (checks.adain, flat_styles, "received an error instead"),
    (checks.adain, stub, "not implemented yet"),
]


@pytest.mark.parametrize("check, wrong, fragment", ADAIN_MISTAKES, ids=mistake_ids(ADAIN_MISTAKES))
def test_adain_rejects_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)


# --------------------------------------------------------------------------- truncate


def truncate_by_hand(ws, w_avg, psi, layers):
    cut = ws.shape[1] if layers is None else layers
    out = ws.clone()
    out[:, :cut] = w_avg + psi * (ws[:, :cut] - w_avg)
    return out


def truncate_with_cat(ws, w_avg, psi, layers):
    cut = ws.shape[1] if layers is None else layers
    return torch.cat([torch.lerp(w_avg.expand_as(ws[:, :cut]), ws[:, :cut], psi), ws[:, cut:]], dim=1)


def every_layer(ws, w_avg, psi, layers):
    return w_avg + psi * (ws - w_avg)


def last_layers(ws, w_avg, psi, layers):
    cut = ws.shape[1] if layers is None else layers
    out = ws.clone()
    out[:, ws.shape[1] - cut:] = w_avg + psi * (ws[:, ws.shape[1] - cut:] - w_avg)
    return out


def step_towards(ws, w_avg, psi, layers):
    cut = ws.shape[1] if layers is None else layers
    out = ws.clone()
    out[:, :cut] = ws[:, :cut] + psi * (w_avg - ws[:, :cut])
    return out


def towards_zero(ws, w_avg, psi, layers):
    cut = ws.shape[1] if layers is None else layers
    out = ws.clone()
    out[:, :cut] = psi * ws[:, :cut]
    return out


def in_place(ws, w_avg, psi, layers):
    cut = ws.shape[1] if layers is None else layers
    ws[:, :cut] = w_avg + psi * (ws[:, :cut] - w_avg)
    return ws


def detached(ws, w_avg, psi, layers):
    return truncate_by_hand(ws.detach(), w_avg, psi, layers)


def test_truncate_accepts_references(capsys):
    checks.truncate(truncate_by_hand)
    checks.truncate(truncate_with_cat)
    checks.truncate(solutions("19_stylegan")["truncate"])
    assert capsys.readouterr().out.count("passed") == 3


TRUNCATE_MISTAKES = [
    (checks.truncate, every_layer, "only the first `layers`"),
    (checks.truncate, last_layers, "not the last"),
    (checks.truncate, step_towards, "not the step towards it"),
    (checks.truncate, towards_zero, "not towards 0"),
    (checks.truncate, in_place, "modified in place"),
    (checks.truncate, detached, "gradient to reach ws"),
    (checks.truncate, stub, "not implemented yet"),
]


@pytest.mark.parametrize("check, wrong, fragment", TRUNCATE_MISTAKES, ids=mistake_ids(TRUNCATE_MISTAKES))
def test_truncate_rejects_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)


def test_the_truncation_matches_the_generator():
    """The exercise's rule is the one the model uses (Generator.truncate)."""
    from gan_course.models import stylegan

    G = stylegan.Generator(stylegan.StyleGANConfig(z_dim=8, w_dim=8, widths=(8, 8)))
    gen = torch.Generator().manual_seed(0)
    G.w_avg.copy_(torch.randn(8, generator=gen))
    ws = torch.randn(3, G.config.num_ws, 8, generator=gen)
    for psi, layers in ((0.6, None), (0.3, 2)):
        # lerp and w̄ + ψ (w - w̄) round differently: an absolute tolerance, as the check itself uses
        assert torch.allclose(G.truncate(ws, psi, layers), truncate_by_hand(ws, G.w_avg, psi, layers), atol=1e-6)
    assert lesson19.truncate.__doc__


# --------------------------------------------------------------------------- turn_direction (open)


def _solution():
    return solutions("19_stylegan")["turn_direction"]


def test_turn_direction_accepts_the_reference(capsys):
    checks.turn_direction(_solution())
    out = capsys.readouterr().out
    assert "passed" in out and "degrees" in out


def regression_direction(G, factors):       # the lesson's direction: a linear fit falls short
    return lesson19.regression_direction(G, factors, n=2000)


def regression_doubled(G, factors):              # long enough to turn 30 degrees, and moving the rest with it
    return 1.5 * lesson19.regression_direction(G, factors, n=2000)


def reference_reversed(G, factors):
    return -_solution()(G, factors)


def far_too_long(G, factors):
    return 10 * _solution()(G, factors)


def random_direction(G, factors):
    return torch.randn(G.config.w_dim, generator=torch.Generator().manual_seed(0)) * 0.3


def a_face_not_a_direction(G, factors):
    return torch.randn(1, G.config.num_ws, G.config.w_dim)


def zeros(G, factors):
    return torch.zeros(G.config.w_dim)


TURN_MISTAKES = [
    (checks.turn_direction, regression_direction, "expected a turn of at least 30"),
    (checks.turn_direction, regression_doubled, "keep still"),
    (checks.turn_direction, reference_reversed, "negate d"),
    (checks.turn_direction, far_too_long, "G draws what it never learned"),
    (checks.turn_direction, random_direction, "expected"),
    (checks.turn_direction, a_face_not_a_direction, "a tensor of 64 numbers"),
    (checks.turn_direction, zeros, "non-zero direction"),
    (checks.turn_direction, stub, "not implemented yet"),
]


@pytest.mark.parametrize("check, wrong, fragment", TURN_MISTAKES, ids=mistake_ids(TURN_MISTAKES))
def test_turn_direction_rejects_mistakes(check, wrong, fragment):
    assert_rejected(check, wrong, fragment)


def test_true_renders_turned_keep_the_other_factors_within_the_bounds():
    """The check's bounds leave room for the reader's own error: real faces turned by 40 degrees, all else equal,
    read well within them (the numbers in lesson19's comment)."""
    from gan_course.data import faces as fd
    from gan_course.models import face_factors

    factors = face_factors.load_factors()
    people = fd.identities(300)
    gen = torch.Generator().manual_seed(3)
    pitch, light = (torch.rand(300, generator=gen) * 2 - 1) * 10, (torch.rand(300, generator=gen) * 2 - 1) * 60
    yaw = (torch.rand(300, generator=gen) * 2 - 1) * 30
    change = (face_factors.predict_factors(factors, fd.render(people, yaw + 20, pitch, light))
              - face_factors.predict_factors(factors, fd.render(people, yaw - 20, pitch, light))) / factors.std
    assert change[:, 0].mean() * factors.std[0] > 35
    assert change[:, 1:].mean(0).abs().max() < lesson19.KEEP_MEAN / 4
    assert change[:, 1:].abs().mean(0).max() < 0.75 * lesson19.KEEP_ABS
