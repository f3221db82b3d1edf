"""models.pggan: G and D at every stage, and the fade-in's promise: at α = 0 the grown networks compute what the
smaller ones did."""

import pytest
import torch
import torch.nn.functional as F

from gan_course.models import pggan

CONFIG = pggan.PGGANConfig(z_dim=16, widths=(16, 16, 8, 8))


@pytest.fixture(scope="module")
def nets():
    torch.manual_seed(0)
    return pggan.Generator(CONFIG), pggan.Discriminator(CONFIG)


def test_every_stage_has_its_resolution(nets):
    G, D = nets
    z = torch.randn(8, 16)
    for stage in range(CONFIG.stages):
        size = 4 * 2 ** stage
        images = G(z, stage)
        assert images.shape == (8, 1, size, size) and CONFIG.resolution(stage) == size
        assert D(images, stage).shape == (8,)
    assert G(z).shape == (8, 1, 32, 32) and D(G(z)).shape == (8,)      # the full size by default


@pytest.mark.parametrize("stage", [1, 2, 3])
def test_at_alpha_zero_the_grown_generator_draws_the_smaller_ones_image_upsampled(nets, stage):
    G, _ = nets
    z = torch.randn(4, 16)
    with torch.no_grad():
        smaller = F.interpolate(G(z, stage - 1), scale_factor=2, mode="nearest")
        assert torch.allclose(G(z, stage, alpha=0.0), smaller, atol=1e-6)
        halfway = G(z, stage, alpha=0.5)
        assert torch.allclose(halfway, 0.5 * smaller + 0.5 * G(z, stage, alpha=1.0), atol=1e-5)


@pytest.mark.parametrize("stage", [1, 2, 3])
def test_at_alpha_zero_the_grown_discriminator_scores_the_downsampled_image_as_before(nets, stage):
    _, D = nets
    size = 4 * 2 ** stage
    x = torch.rand(8, 1, size, size) * 2 - 1
    with torch.no_grad():
        assert torch.allclose(D(x, stage, alpha=0.0), D(F.avg_pool2d(x, 2), stage - 1), atol=1e-5)
        assert not torch.allclose(D(x, stage, alpha=1.0), D(F.avg_pool2d(x, 2), stage - 1), atol=1e-3)


def test_every_layer_has_an_equalised_learning_rate_and_g_normalises_its_pixels(nets):
    G, D = nets
    for net in (G, D):
        assert not any(isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)) for m in net.modules())
    z = torch.randn(8, 16)
    h = G.first(G.input(z).view(8, 16, 4, 4))
    assert torch.allclose(h.pow(2).mean(1), torch.ones(8, 4, 4), atol=1e-3)  # PixelNorm after the block
    loss = D(G(z, 2, alpha=0.3), 2, alpha=0.3).mean()
    loss.backward()
    grads = [p.grad for p in (*G.to_rgb[1].parameters(), *G.to_rgb[2].parameters(), *D.from_rgb[1].parameters())]
    assert all(g is not None and g.abs().sum() > 0 for g in grads)        # both paths of a fade-in learn


def test_bad_stages_alphas_and_images_are_refused(nets):
    G, D = nets
    with pytest.raises(ValueError, match="stage must be an integer from 0 to 3"):
        G(torch.randn(2, 16), 4)
    with pytest.raises(ValueError, match="alpha"):
        G(torch.randn(2, 16), 1, alpha=1.5)
    with pytest.raises(ValueError, match=r"stage 1 takes images \(N, 1, 8, 8\)"):
        D(torch.rand(4, 1, 16, 16), 1)
    with pytest.raises(ValueError, match="widths"):
        pggan.PGGANConfig(widths=())


def test_the_schedule_grows_stage_by_stage_and_fades_linearly():
    schedule = pggan.Schedule(stages=3, stable=4, fade=2)
    got = [schedule.at(t) for t in range(schedule.total + 2)]
    assert got == [(0, 1.0)] * 4 + [(1, 0.0), (1, 0.5)] + [(1, 1.0)] * 4 + [(2, 0.0), (2, 0.5)] + [(2, 1.0)] * 6
    assert schedule.total == 16 and schedule.switches() == [4, 10]
    abrupt = pggan.Schedule(stages=3, stable=4, fade=0)
    assert [abrupt.at(t) for t in (3, 4, 7, 8)] == [(0, 1.0), (1, 1.0), (1, 1.0), (2, 1.0)]
    for bad in ({"stages": 0, "stable": 1, "fade": 1}, {"stages": 2, "stable": 0, "fade": 1},
                {"stages": 2, "stable": 1, "fade": -1}, {"stages": 2, "stable": 1.5, "fade": 1}):
        with pytest.raises(ValueError, match="must be an integer"):
            pggan.Schedule(**bad)


def test_real_images_are_pooled_to_the_stage_and_blended_while_it_fades_in():
    x = torch.rand(2, 1, 32, 32)
    at8 = pggan.real_at(x, 8, 1.0)
    assert at8.shape == (2, 1, 8, 8) and torch.allclose(at8, F.avg_pool2d(x, 4))
    coarse = F.interpolate(F.avg_pool2d(at8, 2), scale_factor=2, mode="nearest")
    assert torch.allclose(pggan.real_at(x, 8, 0.0), coarse)
    assert torch.allclose(pggan.real_at(x, 8, 0.25), 0.75 * coarse + 0.25 * at8)
    assert torch.equal(pggan.real_at(x, 32, 1.0), x)


def test_a_short_run_grows_through_every_stage_and_resumes_where_it_stopped(tmp_path):
    from gan_course import train
    from gan_course.data.digits import DeviceBatches

    images = torch.rand(64, 1, 32, 32) * 2 - 1
    schedule = pggan.Schedule(stages=4, stable=2, fade=2)          # 14 steps through 4, 8, 16 and 32 pixels

    def run(steps, folder):
        torch.manual_seed(0)
        step = pggan.PGGANStep(pggan.Generator(CONFIG), pggan.Discriminator(CONFIG), schedule, CONFIG)
        history = train.train(step, DeviceBatches(images, batch_size=8, seed=0), steps, checkpoint_dir=folder,
                              checkpoint_every=1, progress=False, log_every=0)
        return step, history

    whole, history = run(schedule.total, tmp_path / "whole")
    assert whole.g_steps == 14 and whole.stage_alpha == (3, 1.0)
    assert history.losses["stage"] == [0.0] * 2 + [1.0] * 4 + [2.0] * 4 + [3.0] * 4   # logged at each step
    assert history.losses["alpha"][2:6] == [0.0, 0.5, 1.0, 1.0]
    run(9, tmp_path / "halves")                                      # stopped in stage 2's fade-in ...
    resumed, _ = run(schedule.total, tmp_path / "halves")            # ... and resumed from its checkpoint
    assert resumed.g_steps == 14
    for a, b in zip(whole.G.state_dict().values(), resumed.G.state_dict().values()):
        assert torch.allclose(a, b, atol=1e-5)
    with pytest.raises(ValueError, match="the schedule has 2 stages, the networks 4"):
        pggan.PGGANStep(pggan.Generator(CONFIG), pggan.Discriminator(CONFIG), pggan.Schedule(2, 1, 1), CONFIG)
