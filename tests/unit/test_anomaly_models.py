"""The anomaly detectors of lesson 16 (models.anogan, egbad, ganomaly, fanogan, baselines) and their building
blocks (layers.ConvEncoder, layers.ConvDecoder): shapes, each loss against its formula, which networks each
update changes, and the scores."""

import dataclasses

import pytest
import torch

from gan_course.layers import ConvDecoder, ConvEncoder
from gan_course.models import anogan, baselines, egbad, fanogan, ganomaly, one_class


def images(n=8, seed=0):
    return torch.rand(n, 1, 32, 32, generator=torch.Generator().manual_seed(seed)) * 2 - 1


def snapshot(module):
    return {k: v.detach().clone() for k, v in module.named_parameters()}


def changed(before, module):
    """Whether a parameter of ``module`` differs from ``before`` (batch-norm statistics do not count)."""
    return any(not torch.equal(before[k], v) for k, v in module.named_parameters())


def test_encoder_and_decoder_shapes_features_and_bad_input():
    E, G = ConvEncoder(5, width=4), ConvDecoder(7, width=4)
    x = G(torch.randn(3, 7))
    assert x.shape == (3, 1, 32, 32) and x.abs().max() <= 1
    assert E(x).shape == (3, 5) and E.features(x).shape == (3, 16, 4, 4)
    critic = ConvEncoder(1, width=4, batch_norm=False)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in critic.modules())
    with pytest.raises(ValueError, match=r"\(B, 1, 32, 32\)"):
        E(torch.zeros(2, 1, 28, 28))
    with pytest.raises(ValueError, match=r"\(B, 7\)"):
        G(torch.zeros(2, 6))


SMALL = dict(width=4, z_dim=6, steps=3, batch_size=4)


def test_anogan_search_loss_is_the_papers_mix_and_the_search_lowers_it():
    nets = anogan.build(anogan.AnoGANConfig(**SMALL))
    G, D = nets["G"].eval(), nets["D"].eval()
    x, z = images(4), torch.randn(4, 6)
    with torch.no_grad():
        fake = G(z)
        expected = (0.7 * (x - fake).abs().mean((1, 2, 3))
                    + 0.3 * (D.features(x) - D.features(fake)).abs().mean((1, 2, 3)))
        assert torch.allclose(anogan.search_loss(G, D, x, z, lam=0.3), expected)
    z0, start, _ = anogan.latent_search(G, D, x, steps=0)
    z_end, end, recorded = anogan.latent_search(G, D, x, steps=30, lr=0.05, record_at=(1, 10, 30))
    assert sorted(recorded) == [1, 10, 30] and torch.equal(recorded[30], end)
    assert (end < start).all()
    assert all(p.requires_grad for p in [*G.parameters(), *D.parameters()])  # restored after the search
    with pytest.raises(ValueError, match="lam"):
        anogan.latent_search(G, D, x, steps=1, lam=1.5)


def test_anogan_search_of_an_image_does_not_depend_on_the_other_images_of_its_batch():
    nets = anogan.build(anogan.AnoGANConfig(**SMALL))
    x = images(3)
    other = torch.cat([x[:1], images(2, seed=9)])  # the same first image, two others
    z_a, scores_a, _ = anogan.latent_search(nets["G"], nets["D"], x, steps=15, seed=4)
    z_b, scores_b, _ = anogan.latent_search(nets["G"], nets["D"], other, steps=15, seed=4)
    assert torch.allclose(z_a[0], z_b[0], atol=1e-6) and torch.allclose(scores_a[0], scores_b[0], atol=1e-6)
    assert not torch.allclose(scores_a[1:], scores_b[1:])


def test_anogan_fit_and_score():
    config = anogan.AnoGANConfig(**SMALL, search_steps=5)
    nets, history = anogan.fit(config, images(), progress=False, log_every=0)
    assert len(history.losses["g_loss"]) == 3
    scores, maps = anogan.score(nets, images(5, seed=1), config, batch_size=2)
    assert scores.shape == (5,) and maps.shape == (5, 1, 32, 32) and (maps >= 0).all()


def test_egbad_updates_d_then_g_and_e_and_scores_with_alpha():
    config = egbad.EGBADConfig(**SMALL, hidden=8)
    nets = egbad.build(config)
    step = egbad.EGBADStep(nets, config)
    before = {k: snapshot(net) for k, net in nets.items()}
    step.d_step(images(4))
    assert changed(before["D"], nets["D"]) and not changed(before["G"], nets["G"])
    assert not changed(before["E"], nets["E"])
    before = {k: snapshot(net) for k, net in nets.items()}
    losses = step.g_step(images(4))
    assert torch.isfinite(losses["ge_loss"])
    assert changed(before["G"], nets["G"]) and changed(before["E"], nets["E"])
    assert not changed(before["D"], nets["D"])
    x = images(6, seed=2)
    scores, maps = egbad.score(nets, x, config, alpha=0.0)
    assert torch.allclose(scores, maps.mean((1, 2, 3)), atol=1e-6)  # α = 0: the image residual alone
    assert egbad.score(nets, x, config)[0].shape == (6,)


def test_ganomaly_loss_terms_weights_and_score():
    config = ganomaly.GANomalyConfig(**SMALL)
    nets = ganomaly.build(config)
    G, D = nets["G"].eval(), nets["D"].eval()
    x = images(4)
    with torch.no_grad():
        rebuilt, z, z_rebuilt = G(x)
        terms = ganomaly.generator_loss(D, x, rebuilt, z, z_rebuilt, config)
        assert torch.allclose(terms["contextual"], (x - rebuilt).abs().mean())
        assert torch.allclose(terms["encoder"], ((z - z_rebuilt) ** 2).mean())
        assert torch.allclose(terms["g_loss"], terms["adversarial"] + 50 * terms["contextual"] + terms["encoder"])
        scores, maps = ganomaly.score(nets, x, config)
        assert torch.allclose(scores, ((z - z_rebuilt) ** 2).mean(1), atol=1e-6)
        assert torch.allclose(maps, (x - rebuilt).abs(), atol=1e-6)
    trained, history = ganomaly.fit(config, images(), progress=False, log_every=0)
    assert set(history.losses) >= {"d_loss", "g_loss", "adversarial", "contextual", "encoder"}


def test_ganomaly_restarts_a_discriminator_that_has_won():
    D = ganomaly.build(ganomaly.GANomalyConfig(**SMALL))["D"]
    before = snapshot(D)
    assert not ganomaly.restart_if_won(D, 0.1) and not changed(before, D)
    assert ganomaly.restart_if_won(D, 1e-6) and changed(before, D)


def test_fanogan_stage_two_trains_only_the_encoder_in_each_way():
    for way in fanogan.ENCODER_TRAINING:
        config = fanogan.FAnoGANConfig(**SMALL, encoder_steps=2, n_critic=2, encoder_training=way)
        nets = fanogan.build(config)
        before = {k: snapshot(net) for k, net in nets.items()}
        step = fanogan.EncoderStep(nets, config)
        assert step.d_step(images(4)) == {}
        loss = step.g_step(images(4))["e_loss"]
        assert torch.isfinite(loss)
        assert changed(before["E"], nets["E"])
        assert not changed(before["G"], nets["G"]) and not changed(before["D"], nets["D"])
    with pytest.raises(ValueError, match="encoder_training"):
        fanogan.FAnoGANConfig(encoder_training="zz")


def test_fanogan_fit_both_stages_reuse_of_a_gan_and_score():
    config = fanogan.FAnoGANConfig(**SMALL, encoder_steps=2, n_critic=2)
    nets, histories = fanogan.fit(config, images(), progress=False, log_every=0)
    assert set(histories) == {"wgan_gp", "encoder"} and len(histories["encoder"].losses["e_loss"]) == 2
    ziz = dataclasses.replace(config, encoder_training="ziz")
    again, histories = fanogan.fit(ziz, images(), start=nets, progress=False, log_every=0)
    assert set(histories) == {"encoder"} and torch.equal(again["G"].net[0].weight, nets["G"].net[0].weight)
    x = images(5, seed=3)
    scores, maps = fanogan.score(nets, x, config)
    with torch.no_grad():
        image, feature, rebuilt = fanogan.residuals(nets["G"], nets["D"], nets["E"], x)
    assert torch.allclose(scores, image + feature, atol=1e-6)
    assert torch.allclose(fanogan.score(nets, x, config, kappa=0.0)[0], image, atol=1e-6)
    assert torch.allclose(maps, (x - rebuilt).abs(), atol=1e-6)


def test_autoencoder_baseline_learns_and_knn_distances_by_hand():
    config = baselines.AutoencoderConfig(width=4, z_dim=6, steps=40, batch_size=8, lr=3e-3)
    x = images(8)
    nets, history = baselines.fit(config, x, progress=False, log_every=0)
    losses = history.losses["reconstruction"]
    assert losses[-1] < losses[0]
    scores, maps = baselines.score(nets, x)
    assert torch.allclose(scores, (maps ** 2).mean((1, 2, 3)), atol=1e-6)
    train = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    test = torch.tensor([[0.0, 0.0], [3.0, 0.0]])
    assert torch.allclose(baselines.knn_scores(train, test, k=1), torch.tensor([0.0, 2.0]))
    assert torch.allclose(baselines.knn_scores(train, test, k=2), torch.tensor([0.5, (2 + 3) / 2]))
    with pytest.raises(ValueError, match="k must be"):
        baselines.knn_scores(train, test, k=4)
    with pytest.raises(ValueError, match="features must be"):
        baselines.knn_scores(train, torch.zeros(2, 3))


def test_knn_in_the_judges_features_takes_32_pixel_digits():
    features = baselines.judge_features(images(3))
    assert features.shape == (3, 256) and torch.isfinite(features).all()


def test_scoring_in_batches_is_scoring_at_once():
    x = images(7)
    score_batch = lambda b: (b.mean((1, 2, 3)), b.abs())  # noqa: E731
    whole = score_batch(x)
    for batch_size in (1, 3, 7, 100):
        scores, maps = one_class.score_in_batches(score_batch, x, "cpu", batch_size)
        assert torch.equal(scores, whole[0]) and torch.equal(maps, whole[1])
