"""StyleGAN's parts (gan_course.layers.adain / AdaIN / NoiseInput, gan_course.models.stylegan): each checked against
its definition, and the training step on a few tiny batches."""

import dataclasses

import pytest
import torch

from gan_course import layers
from gan_course.models import stylegan

pytestmark = pytest.mark.usefixtures("one_torch_thread")

TINY = stylegan.StyleGANConfig(z_dim=8, w_dim=8, mapping_layers=2, widths=(8, 8, 8, 4))


def test_adain_gives_each_sample_and_channel_the_styles_mean_and_standard_deviation():
    torch.manual_seed(0)
    x = 3 + 2 * torch.randn(4, 5, 6, 6)
    scale, bias = torch.rand(4, 5) + 0.5, torch.randn(4, 5)
    out = layers.adain(x, scale, bias)
    torch.testing.assert_close(out.mean(dim=(2, 3)), bias, atol=1e-5, rtol=0)
    torch.testing.assert_close(out.std(dim=(2, 3), unbiased=False), scale, atol=1e-4, rtol=0)
    # instance statistics: a sample's output does not depend on the rest of its batch
    torch.testing.assert_close(layers.adain(x[:1], scale[:1], bias[:1]), out[:1])
    with pytest.raises(ValueError, match=r"\(B, C\)"):
        layers.adain(x, scale[:, :3], bias)
    with pytest.raises(ValueError, match=r"\(B, C, H, W\)"):
        layers.adain(x.flatten(2), scale, bias)


def test_a_fresh_adain_layer_passes_the_normalised_features_through():
    torch.manual_seed(0)
    layer = layers.AdaIN(w_dim=8, channels=5)
    x, w = torch.randn(3, 5, 4, 4), torch.zeros(3, 8)  # w = 0: A gives its biases, y_s = 1 and y_b = 0
    expected = (x - x.mean(dim=(2, 3), keepdim=True)) / x.std(dim=(2, 3), unbiased=False, keepdim=True)
    torch.testing.assert_close(layer(x, w), expected, atol=1e-5, rtol=0)


def test_noise_input_adds_one_image_scaled_per_channel():
    layer = layers.NoiseInput(channels=3)
    x, noise = torch.randn(2, 3, 4, 4), torch.randn(2, 1, 4, 4)
    torch.testing.assert_close(layer(x, noise), x)  # B starts at 0
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([0.0, 1.0, -2.0]))
    out = layer(x, noise)
    torch.testing.assert_close(out - x, noise * torch.tensor([0.0, 1.0, -2.0])[None, :, None, None])
    assert torch.equal(layers.NoiseInput(3, enabled=False)(x), x)
    with pytest.raises(ValueError, match=r"\(B, 1, H, W\)"):
        layer(x, torch.randn(2, 3, 4, 4))


def test_config_checks_its_fields_and_derives_gamma_and_the_moving_average():
    config = stylegan.StyleGANConfig()
    assert config.resolution == 32 and config.num_ws == 8
    assert config.gamma(32) == pytest.approx(0.0002 * 32 ** 2 / 32)
    assert config.ema_beta(32) ** (10_000 / 32) == pytest.approx(0.5)  # the weight halves every 10,000 images
    assert stylegan.layer_groups(config) == {"coarse": [0, 1, 2, 3], "middle": [4, 5], "fine": [6, 7]}
    with pytest.raises(ValueError, match="z_dim .* must equal w_dim"):
        stylegan.StyleGANConfig(z_dim=8, w_dim=16, mapping_layers=0)
    with pytest.raises(ValueError, match="noise must be one of"):
        stylegan.StyleGANConfig(noise="some")
    with pytest.raises(ValueError, match="probability"):
        stylegan.StyleGANConfig(style_mixing=1.5)


def test_generator_shapes_and_the_learned_constant_input():
    torch.manual_seed(0)
    G = stylegan.Generator(TINY)
    assert G.synthesis.const.shape == (1, 8, 4, 4) and G.synthesis.const.requires_grad
    assert G(torch.randn(3, 8)).shape == (3, 1, 32, 32)
    assert len(G.synthesis.layers) == TINY.num_ws and G.synthesis.layers[0].conv is None  # layer 0: the constant
    with pytest.raises(ValueError, match=r"z must be \(B, 8\)"):
        G(torch.randn(3, 9))
    with pytest.raises(ValueError, match="one w per layer"):
        G.synthesis(torch.randn(3, 7, 8))


def fixed_noise(G, n, seed=1):
    gen = torch.Generator().manual_seed(seed)
    return [torch.randn(n, 1, G.config.layer_resolution(i), G.config.layer_resolution(i), generator=gen)
            for i in range(G.config.num_ws)]


def test_truncation_at_psi_zero_gives_the_mean_image_and_at_one_changes_nothing():
    torch.manual_seed(0)
    G = stylegan.Generator(TINY).eval()
    with torch.no_grad():
        G.w_avg.copy_(torch.randn(8))
        z, noise = torch.randn(4, 8), fixed_noise(G, 4)
        # ψ = 0: every z lands on w̄, and with one noise image for all, every z gives the same image
        ws = G.truncate(G.broadcast(G.mapping(z)), 0.0)
        torch.testing.assert_close(ws, G.w_avg.expand_as(ws))
        torch.testing.assert_close(G(z, psi=1.0, noise=noise), G.synthesis(G.broadcast(G.mapping(z)), noise))
        half = G.truncate(G.broadcast(G.mapping(z)), 0.5, layers=2)
        full = G.broadcast(G.mapping(z))
        torch.testing.assert_close(half[:, 2:], full[:, 2:])            # only the first two layers truncated
        torch.testing.assert_close(half[:, :2], (G.w_avg + 0.5 * (full[:, :2] - G.w_avg)))
        one = [n[:1].expand(4, -1, -1, -1) for n in noise]
        same = G(z, psi=0.0, noise=one)
        torch.testing.assert_close(same, same[:1].expand_as(same))


def test_style_mixing_switches_the_w_of_the_layers_after_the_crossover():
    torch.manual_seed(0)
    G = stylegan.Generator(TINY).eval()
    with torch.no_grad():
        a, b = G.broadcast(G.mapping(torch.randn(2, 8))), G.broadcast(G.mapping(torch.randn(2, 8)))
        mixed = G.mix(a, b, 3)
        assert torch.equal(mixed[:, :3], a[:, :3]) and torch.equal(mixed[:, 3:], b[:, 3:])
        noise = fixed_noise(G, 2)
        torch.testing.assert_close(G.synthesis(G.mix(a, b, TINY.num_ws), noise), G.synthesis(a, noise))
        torch.testing.assert_close(G.synthesis(G.mix(a, b, 0), noise), G.synthesis(b, noise))
    with pytest.raises(ValueError, match="crossover"):
        G.mix(a, b, 9)


def test_noise_modes_decide_which_layers_are_stochastic():
    torch.manual_seed(0)
    for mode, expected in {"all": [True] * 8, "none": [False] * 8, "coarse": [True] * 4 + [False] * 4,
                           "fine": [False] * 4 + [True] * 4}.items():
        G = stylegan.Generator(stylegan.StyleGANConfig(**{**vars_of(TINY), "noise": mode}))
        assert [layer.noise.enabled for layer in G.synthesis.layers] == expected, mode
    G = stylegan.Generator(stylegan.StyleGANConfig(**{**vars_of(TINY), "noise": "none"})).eval()
    z = torch.randn(2, 8)
    with torch.no_grad():
        assert torch.equal(G(z), G(z))  # no noise: one image per z


def vars_of(config):
    return {f.name: getattr(config, f.name) for f in dataclasses.fields(config)}


def test_mapping_network_depth_and_its_learning_rate_multiplier():
    torch.manual_seed(0)
    flat = stylegan.MappingNetwork(stylegan.StyleGANConfig(z_dim=8, w_dim=8, mapping_layers=0))
    z = torch.randn(5, 8)
    torch.testing.assert_close(flat(z), z / z.pow(2).mean(1, keepdim=True).sqrt(), atol=1e-5, rtol=0)
    deep = stylegan.MappingNetwork(stylegan.StyleGANConfig(z_dim=8, w_dim=8, mapping_layers=8))
    linear = [m for m in deep.modules() if isinstance(m, layers.EqualizedLinear)]
    assert len(linear) == 8 and all(m.lr_multiplier == 0.01 for m in linear)
    assert all(m.weight.std() > 10 for m in linear)  # stored as N(0, 1 / 0.01²): Adam's steps move them 100 times less


def test_the_step_trains_tracks_w_avg_and_averages_g():
    torch.manual_seed(0)
    images = torch.rand(64, 1, 32, 32) * 2 - 1
    step, history = stylegan.fit(TINY, images, 6, batch_size=8, progress=False, log_every=0)
    assert set(step.networks) == {"G", "D", "G_ema"}
    assert set(history.losses) >= {"d_loss", "r1", "g_loss"} and len(history.losses["g_loss"]) == 6
    assert all(torch.isfinite(torch.tensor(v)).all() for v in history.losses.values())
    assert step.G.w_avg.abs().sum() > 0                        # w̄ moved from 0
    torch.testing.assert_close(step.G_ema.w_avg, step.G.w_avg)
    live = torch.cat([p.flatten() for p in step.G.parameters()])
    ema = torch.cat([p.flatten() for p in step.G_ema.parameters()])
    assert not torch.equal(live, ema)                          # the average lags behind G ...
    assert (live - ema).abs().max() < 0.1                      # ... by little after 6 steps
    state = step.state_dict()
    assert set(state["networks"]) == {"G", "D", "G_ema"} and "w_avg" in state["networks"]["G_ema"]
    with pytest.raises(ValueError, match=r"expected images \(N, 1, 32, 32\)"):
        stylegan.fit(TINY, torch.rand(8, 3, 32, 32), 1)


def test_the_d_step_adds_r1_on_real_images():
    torch.manual_seed(0)
    G, D = stylegan.build(TINY)
    step = stylegan.StyleGANStep(G, D, stylegan.StyleGANConfig(**{**vars_of(TINY), "r1_gamma": 1.0}), batch_size=8)
    real = torch.rand(8, 1, 32, 32)
    x = real.clone().requires_grad_(True)
    grad, = torch.autograd.grad(D(x).sum(), x)
    expected = grad.pow(2).flatten(1).sum(1).mean()
    out = step.d_step(real)
    torch.testing.assert_close(out["r1"], expected, rtol=1e-4, atol=1e-6)


def test_path_lengths_give_both_images_of_a_pair_the_same_noise():
    torch.manual_seed(0)
    G = stylegan.Generator(TINY).eval()
    with torch.no_grad():
        for layer in G.synthesis.layers:
            layer.noise.weight.fill_(5.0)  # loud noise: a pair with different noise would be far apart
    flat = lambda images: images.flatten(1)  # noqa: E731
    ppl = stylegan.path_lengths(G, flat, n=40, batch_size=20)
    assert set(ppl) == {"z", "w"} and len(ppl["z"].values) == 40
    again = stylegan.path_lengths(G, flat, n=40, batch_size=20)
    assert ppl["w"].mean == again["w"].mean  # seeded: the same pairs, t and noise
    # one noise for both images: the distance over an epsilon step is the image's change, small at eps = 1e-4
    assert ppl["z"].mean < 1e3 and ppl["w"].mean < 1e3


def test_path_lengths_take_psi_eps_and_one_space_at_a_time():
    torch.manual_seed(0)
    G = stylegan.Generator(TINY).eval()
    G.w_avg.normal_()
    flat = lambda images: images.flatten(1)  # noqa: E731
    both = stylegan.path_lengths(G, flat, n=30)
    only_w = stylegan.path_lengths(G, flat, n=30, spaces=("w",))
    assert set(only_w) == {"w"} and only_w["w"].mean == both["w"].mean
    # ψ = 0: every image is drawn from w̄ alone, so no step along any path changes it
    assert stylegan.path_lengths(G, flat, n=30, psi=0.0, spaces=("z",))["z"].mean < 1e-6
    truncated = stylegan.path_lengths(G, flat, n=30, psi=0.5)
    assert truncated["z"].mean < both["z"].mean and truncated["w"].mean < both["w"].mean
    assert stylegan.path_lengths(G, flat, n=30, eps=1e-3)["z"].mean == pytest.approx(both["z"].mean, rel=0.2)
    with pytest.raises(ValueError, match="spaces"):
        stylegan.path_lengths(G, flat, n=30, spaces=("x",))


def test_path_profile_walks_the_same_end_points_in_z_and_in_w():
    torch.manual_seed(0)
    G = stylegan.Generator(TINY).eval()
    z1, z2 = torch.randn(2, 3, 8)
    flat = lambda images: images.flatten(1)  # noqa: E731
    profile = stylegan.path_profile(G, flat, z1, z2, steps=4)
    for space in ("z", "w"):
        assert profile[space]["images"].shape == (3, 5, 1, 32, 32) and profile[space]["d"].shape == (3, 4)
        assert (profile[space]["d"] >= 0).all()
    noise = stylegan.shared_noise(TINY, 3, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        ends = {"z1": G(z1 / z1.norm(dim=1, keepdim=True), noise=noise).clamp(-1, 1),   # slerp's ends: unit z's
                "w2": G.synthesis(G.broadcast(G.mapping(z2)), noise).clamp(-1, 1)}
    assert torch.allclose(profile["z"]["images"][:, 0], ends["z1"], atol=1e-5)
    assert torch.allclose(profile["w"]["images"][:, -1], ends["w2"], atol=1e-5)
    # both routes share their end images: f normalises z first, so f(z / |z|) = f(z)
    assert torch.allclose(profile["z"]["images"][:, -1], profile["w"]["images"][:, -1], atol=1e-5)
    with pytest.raises(ValueError, match="one shape"):
        stylegan.path_profile(G, flat, z1, z2[:2])


def test_linear_r2_of_an_exact_linear_map_of_noise_and_of_a_nonlinear_one():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(2000, 5, generator=gen)
    values = torch.stack([x @ torch.arange(1.0, 6.0) + 3, torch.randn(2000, generator=gen), x[:, 0] ** 2], 1)
    r2 = stylegan.linear_r2(x, values)
    assert r2[0] > 0.999 and r2[1] < 0.01 and r2[2] < 0.01


def test_factor_samples_and_separabilities_from_them():
    from gan_course.models import face_factors

    torch.manual_seed(0)
    G, reader = stylegan.Generator(dataclasses.replace(TINY, z_dim=8)).eval(), face_factors.FactorNet().eval()
    drawn = stylegan.factor_samples(G, reader, n=40, seed=1)
    assert drawn["z"].shape == (40, 8) and drawn["w"].shape == (40, 8) and drawn["factors"].shape == (40, 7)
    assert drawn["images"].abs().max() <= 1
    assert torch.allclose(drawn["w"], G.mapping(drawn["z"]).detach())
    again = stylegan.separabilities(G, reader, n=40, seed=1)
    assert stylegan.separabilities(G, reader, seed=1, drawn=drawn) == again


def test_the_faces_recipe_trains_measures_and_stores_the_moving_average(tmp_path, monkeypatch):
    from test_face_identity import TINY_ID, fake_faces

    from gan_course.models import face_factors, face_identity

    faces, judge_net = fake_faces(64), face_identity.IdentityNet(**TINY_ID).eval()
    monkeypatch.setattr(face_identity, "load_faces", lambda split, verbose=False: faces)
    monkeypatch.setattr(face_identity, "load_identity", lambda device=None, root=None: judge_net)
    monkeypatch.setattr(face_factors, "load_factors", lambda device=None, root=None: face_factors.FactorNet().eval())
    monkeypatch.setattr(stylegan, "VARIANTS", {"stylegan-faces": TINY})
    monkeypatch.setattr(stylegan, "EVAL_SAMPLES", 64)
    monkeypatch.setattr(stylegan, "LATENT_SAMPLES", 64)
    assert stylegan.dataset_of("stylegan-faces") == "faces"
    entry = stylegan.train_recipe("stylegan-faces", epochs=1, limit=64, verbose=False, root=tmp_path / "registry",
                                  cache=tmp_path / "cache", register=True)
    m = entry["metrics"]
    assert m["steps"] == 2 and m["ppl_z"] > 0 and m["ppl_w"] > 0
    assert m["separability_z"] >= 1 and set(m["separability_entropy"]["w"]) == set(face_factors.FACTORS)
    G = stylegan.load("stylegan-faces", root=tmp_path / "registry")
    assert not G.training and G(torch.randn(2, 8)).shape == (2, 1, 32, 32)
    with pytest.raises(ValueError, match="unknown StyleGAN variant"):
        stylegan.train_recipe("stylegan-xl")


def test_noise_std_is_zero_without_noise_and_mixing_takes_the_listed_layers_from_b():
    torch.manual_seed(0)
    quiet = stylegan.Generator(stylegan.StyleGANConfig(**{**vars_of(TINY), "noise": "none"})).eval()
    assert stylegan.noise_std(quiet, n_w=2, draws=5).abs().max() == 0
    G = stylegan.Generator(TINY).eval()
    with torch.no_grad():
        for layer in G.synthesis.layers:
            layer.noise.weight.fill_(1.0)
    assert stylegan.noise_std(G, n_w=2, draws=5).shape == (2, 1, 32, 32)
    assert stylegan.noise_std(G, n_w=2, draws=5).mean() > 0
    z_a, z_b = torch.randn(3, 8), torch.randn(3, 8)
    all_b = stylegan.mixed(G, z_a, z_b, list(range(TINY.num_ws)))
    torch.testing.assert_close(all_b, stylegan.mixed(G, z_b, z_a, []))  # every layer from B: B's image


def test_follows_reads_which_source_a_factor_comes_from():
    gen = torch.Generator().manual_seed(0)
    a, b = torch.randn(200, 2, generator=gen), torch.randn(200, 2, generator=gen)
    mixed = torch.stack([0.9 * b[:, 0] + 0.1 * a[:, 0], a[:, 1]], 1)  # factor 0 mostly from B, factor 1 all from A
    shares = stylegan.follows(mixed, a, b)
    assert shares[0] == pytest.approx(0.9, abs=1e-4) and shares[1] == pytest.approx(0.0, abs=1e-4)


def test_digit_factors_read_class_slant_and_thickness_of_padded_digits():
    from gan_course import data, evaluation

    digits = data.load_mnist("test", size=32, verbose=False)
    judge = evaluation.Scorer(evaluation.load_classifier(), data.load_mnist("test", verbose=False).images[:50])
    read = stylegan.digit_factors(digits.images[:200], judge)
    assert (read["class"] == digits.labels[:200]).double().mean() > 0.95  # in order, not shuffled
    assert read["slant"].shape == (200,) and read["thickness"].min() > 0


def test_config_refuses_pggans_bad_rates_and_widths_too():
    with pytest.raises(ValueError, match="lr must be a number between 0 and 1"):
        stylegan.StyleGANConfig(lr=1.5)
    with pytest.raises(ValueError, match="widths must list"):
        stylegan.StyleGANConfig(widths=(64, 0))


def test_noise_in_listed_layers_only_and_the_unstyled_features():
    torch.manual_seed(0)
    G = stylegan.Generator(TINY).eval()
    with torch.no_grad():
        for layer in G.synthesis.layers:
            layer.noise.weight.fill_(1.0)
    assert stylegan.noise_std(G, n_w=2, draws=5, layers=[]).abs().max() == 0           # zero noise images: none
    coarse = stylegan.noise_std(G, n_w=2, draws=5, layers=[0, 1])
    assert coarse.mean() > 0
    # the styled layer is AdaIN of its unstyled features
    layer, x, w = G.synthesis.layers[2], torch.randn(2, 8, 4, 4), torch.randn(2, 8)
    noise = torch.randn(2, 1, 8, 8)
    torch.testing.assert_close(layer(x, w, noise), layer.adain(layer.unstyled(x, noise), w))
    assert layer.unstyled(x, noise).shape == (2, 8, 8, 8)


def test_mixing_shares_read_which_factors_follow_each_group():
    torch.manual_seed(0)
    G = stylegan.Generator(TINY).eval()
    # a reader of two "factors": the image's mean brightness and its top-left pixel
    read = lambda images: torch.stack([images.mean((1, 2, 3)), images[:, 0, 0, 0]], 1)  # noqa: E731
    shares = stylegan.mixing_shares(G, read, n=40, seed=0)
    assert list(shares) == ["coarse", "middle", "fine"]
    assert all(s.shape == (2,) and torch.isfinite(s).all() for s in shares.values())
    # every layer from B gives B's image, so a reading of it follows B entirely
    everything = list(range(TINY.num_ws))
    gen = torch.Generator().manual_seed(0)
    z_a, z_b = (torch.randn(40, 8, generator=gen) for _ in range(2))
    read_b = read(stylegan.mixed(G, z_b, z_b, everything))
    full = stylegan.follows(read(stylegan.mixed(G, z_a, z_b, everything)), read(stylegan.mixed(G, z_a, z_a, everything)),
                            read_b)
    torch.testing.assert_close(full, torch.ones(2), atol=1e-4, rtol=0)
