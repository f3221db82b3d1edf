import math

import pytest
import torch
from torch import nn

from gan_course import data, toy_gans
from gan_course.models.gan import MLPDiscriminator
from gan_course.models.pacgan import PackedDiscriminator


def tiny(name: str) -> toy_gans.ToyGAN:
    """The method with tiny networks and batches, so a run takes milliseconds."""
    return toy_gans.METHODS[name].replace(g_hidden=8, d_hidden=8, g_depth=1, d_depth=1, batch_size=8)


def test_methods_keep_the_papers_defaults():
    wgan, gp = toy_gans.METHODS["wgan"], toy_gans.METHODS["wgan-gp"]
    assert (wgan.optimizer, wgan.lr, wgan.clip, wgan.n_critic, wgan.batch_size) == ("rmsprop", 5e-5, 0.01, 5, 64)
    assert (gp.gp_weight, gp.n_critic, gp.lr, gp.betas) == (10.0, 5, 1e-4, (0.0, 0.9))
    assert toy_gans.METHODS["sngan"].d_norm == "spectral"
    assert {"gan", "wgan", "wgan-gp", "sngan"} <= set(toy_gans.METHODS)


@pytest.mark.parametrize("name", list(toy_gans.METHODS))
def test_every_method_trains_and_returns_a_generator(name):
    dist = data.ring_of_gaussians()
    G = toy_gans.train_toy_gan(tiny(name), dist, steps=3, seed=0)
    assert not G.training
    z = G.sample_z(16)
    with torch.no_grad():
        x = G(z)
    assert x.shape == (16, 2) and torch.isfinite(x).all()


def test_training_is_reproducible_and_wgan_clips_its_critic():
    dist = data.grid_of_gaussians()
    a = toy_gans.train_toy_gan(tiny("gan"), dist, steps=3, seed=1)
    b = toy_gans.train_toy_gan(tiny("gan"), dist, steps=3, seed=1)
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)
    _, D = toy_gans.build(tiny("wgan"))
    assert isinstance(D, MLPDiscriminator)


@pytest.mark.parametrize("name", ["gan", "wgan"])  # Adam and RMSprop
def test_foreach_optimisers_give_the_same_weights_as_the_per_tensor_loop(name, monkeypatch):
    # toy_gans switches foreach on for speed; the benchmark's tuned rates were measured with torch's CPU default
    dist = data.ring_of_gaussians()
    fast = toy_gans.train_toy_gan(tiny(name), dist, steps=20, seed=2)
    for cls in (torch.optim.Adam, torch.optim.RMSprop):
        original = cls.__init__
        monkeypatch.setattr(cls, "__init__", lambda self, *a, _init=original, **kw: _init(self, *a, **{**kw,
                                                                                                     "foreach": False}))
    slow = toy_gans.train_toy_gan(tiny(name), dist, steps=20, seed=2)
    for p, q in zip(fast.parameters(), slow.parameters()):
        assert torch.equal(p, q)


def test_unknown_names_are_refused():
    with pytest.raises(ValueError, match="unknown method"):
        toy_gans.train_toy_gan("vae", data.ring_of_gaussians(), steps=1)
    with pytest.raises(ValueError, match="unknown optimizer"):
        toy_gans.train_toy_gan(tiny("gan").replace(optimizer="sgd"), data.ring_of_gaussians(), steps=1)


def test_lr_scale_is_constant_then_falls_linearly_to_zero():
    assert toy_gans.lr_scale(10, 100, 0.5) == 1.0
    assert toy_gans.lr_scale(50, 100, 0.5) == 1.0
    assert math.isclose(toy_gans.lr_scale(75, 100, 0.5), 0.5)
    assert toy_gans.lr_scale(100, 100, 0.5) == 0.0
    assert toy_gans.lr_scale(99, 100, 1.0) == 1.0  # decay_from = 1: no decay before the end


def test_packed_discriminator_gives_one_verdict_per_pack():
    D = PackedDiscriminator(MLPDiscriminator(data_dim=4, hidden=8), pack=2)
    x = torch.randn(6, 2)
    out = D(x)
    assert out.shape == (6,)
    assert torch.equal(out[0::2], out[1::2])  # both samples of a pack share its verdict
    assert torch.allclose(out[0], D.D(x[:2].reshape(1, 4))[0])
    with pytest.raises(ValueError, match="multiple of pack"):
        D(torch.randn(5, 2))
    _, packed = toy_gans.build(tiny("gan").replace(pack=4))
    assert isinstance(packed, PackedDiscriminator) and packed.D.data_dim == 8


class AtTheCentres(nn.Module):
    """A perfect 'generator' for the protocol: every sample exactly on a mode centre."""

    def __init__(self, centers):
        super().__init__()
        self.z_dim, self.centers = 2, nn.Parameter(centers.clone(), requires_grad=False)

    def forward(self, z):
        return self.centers[torch.arange(len(z)) % len(self.centers)]


def test_evaluate_uses_the_protocol():
    dist = data.grid_of_gaussians()
    cov = toy_gans.evaluate(AtTheCentres(dist.centers), dist)
    assert (cov.modes, cov.hq_fraction, sum(cov.counts)) == (25, 1.0, toy_gans.N_EVAL)
    assert cov.reverse_kl < 1e-3


def test_fit_toy_gan_returns_g_d_history_and_calls_callbacks_without_changing_the_run():
    dist = data.ring_of_gaussians()
    seen = []
    G, D, history = toy_gans.fit_toy_gan(tiny("gan-anneal"), dist, steps=4, seed=1,
                                         callbacks=[lambda state: seen.append((state.step, state.model.D))])
    assert [step for step, _ in seen] == [1, 2, 3, 4] and seen[0][1] is D
    assert history.step == [1, 2, 3, 4] and not G.training
    G_plain = toy_gans.train_toy_gan(tiny("gan-anneal"), dist, steps=4, seed=1)
    assert all(torch.equal(a, b) for a, b in zip(G.parameters(), G_plain.parameters()))


def test_every_method_gets_the_same_budget():
    assert toy_gans.steps_for("cpu") == toy_gans.BUDGET["cpu"]
    assert toy_gans.steps_for("smoke") == toy_gans.BUDGET["smoke"]
    with pytest.raises(ValueError, match="profile"):
        toy_gans.steps_for("laptop")


def test_tuned_applies_the_sweeps_rate_and_refuses_unknown_names():
    for data_name in ("ring", "grid"):
        assert set(toy_gans.TUNED_LR[data_name]) == set(toy_gans.METHODS)
        assert toy_gans.tuned("wgan", data_name).lr == toy_gans.TUNED_LR[data_name]["wgan"]
        assert toy_gans.tuned("wgan", data_name).clip == toy_gans.METHODS["wgan"].clip  # only the rate changes
    with pytest.raises(ValueError, match="unknown method"):
        toy_gans.tuned("vae", "ring")
    with pytest.raises(ValueError, match="ring"):
        toy_gans.tuned("gan", "moons")


def _run(method, lr, seed, score, data_name="ring", modes=8, spread=1.0):
    return dict(method=method, data=data_name, lr=lr, seed=seed, steps=10, modes=modes, hq_percent=100 * score,
                spread=spread, reverse_kl=0.0, score=score, seconds=1.0)


def test_summarize_best_lrs_and_ranking():
    runs = [_run("gan", 1e-4, 0, 0.2), _run("gan", 1e-4, 1, 0.4), _run("gan", 1e-3, 0, 0.9), _run("gan", 1e-3, 1, 0.7),
            _run("wgan", 1e-4, 0, 0.5), _run("wgan", 1e-4, 1, 0.5, spread=float("nan"))]
    rows = toy_gans.summarize(runs)
    assert [(r["method"], r["lr"]) for r in rows] == [("gan", 1e-4), ("gan", 1e-3), ("wgan", 1e-4)]
    gan_fast = rows[1]
    assert gan_fast["score"][0] == pytest.approx(0.8) and gan_fast["score"][1] == pytest.approx(0.1)
    assert rows[2]["spread"] == (1.0, 0.0)  # a NaN spread (no high-quality sample) is left out
    assert toy_gans.best_lrs(rows) == {"ring": {"gan": 1e-3, "wgan": 1e-4}}
    ranked = toy_gans.ranking([rows[1], rows[2]], "ring")
    assert [r["method"] for r in ranked] == ["gan", "wgan"]
    assert ranked[0]["margin"] == pytest.approx(0.3) and ranked[0]["separated"]  # 0.3 > 2 * hypot(0.1, 0)
    close = toy_gans.summarize([_run("a", 1, 0, 0.5), _run("a", 1, 1, 0.9), _run("b", 1, 0, 0.6), _run("b", 1, 1, 0.7)])
    assert not toy_gans.ranking(close, "ring")[0]["separated"]  # 0.05 apart with SEs of 0.2 and 0.05: noise
    table = toy_gans.format_table(rows, {"ring": toy_gans.real_data_row("ring")})
    assert "real data" in table and "VEEGAN" in table
    assert "1.0e-03: 0.80*" in toy_gans.format_sweep(rows)


def test_score_and_the_real_datas_own_score():
    real = toy_gans.real_data_row("grid")
    assert real["modes"] == 25 and 97 < real["hq_percent"] < 100 and 0.9 < real["spread"] < 1.0
    perfect = toy_gans.evaluate(AtTheCentres(data.grid_of_gaussians().centers), data.grid_of_gaussians())
    assert toy_gans.score(perfect) == 1.0 and perfect.spread == 0.0  # on the centres: all high quality, no spread


def test_benchmark_run_returns_a_row():
    row = toy_gans.benchmark_run(tiny("gan-fm"), "ring", steps=3, seed=0)
    assert row["method"] == "gan-fm" and row["steps"] == 3 and 0 <= row["score"] <= 1
