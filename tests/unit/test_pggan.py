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
    with pytest.raises(ValueError, match="widths"):
        pggan.PGGANConfig(widths=(16, 8.5))


def test_the_schedule_grows_stage_by_stage_and_fades_linearly():
    schedule = pggan.Schedule(stages=3, stable=4, fade=2)
    got = [schedule.at(t) for t in range(schedule.total + 2)]
    assert got == [(0, 1.0)] * 4 + [(1, 0.0), (1, 0.5)] + [(1, 1.0)] * 4 + [(2, 0.0), (2, 0.5)] + [(2, 1.0)] * 6
    assert schedule.total == 16 and schedule.switches() == [4, 10]
    abrupt = pggan.Schedule(stages=3, stable=4, fade=0)
    assert [abrupt.at(t) for t in (3, 4, 7, 8)] == [(0, 1.0), (1, 1.0), (1, 1.0), (2, 1.0)]
    same_steps = pggan.Schedule(stages=3, stable=4, fade=2, abrupt=True)  # the benchmark's abrupt: same switches
    assert same_steps.switches() == [4, 10] and same_steps.total == 16
    assert [same_steps.at(t) for t in range(18)] == [(s, 1.0) for s, _ in got]
    fixed = pggan.FixedSchedule(stages=3, steps=7)
    assert fixed.total == 7 and fixed.switches() == [] and {fixed.at(t) for t in range(9)} == {(2, 1.0)}
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        pggan.FixedSchedule(stages=3, steps=0)
    with pytest.raises(ValueError, match="growth must be one of"):
        pggan.schedule_for("sudden")
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


@pytest.mark.parametrize("change, missing", [({"minibatch_stddev": False}, pggan.MinibatchStdDev),
                                             ({"pixel_norm": False}, None), ({"equalized_lr": False}, None)])
def test_each_ablation_removes_its_part_and_nothing_else(change, missing):
    import dataclasses
    from gan_course.layers import EqualizedConv2d, MinibatchStdDev, PixelNorm

    config = dataclasses.replace(CONFIG, **change)
    G, D = pggan.Generator(config), pggan.Discriminator(config)
    norms = sum(isinstance(m, PixelNorm) for m in G.modules())
    assert norms == (1 if not config.pixel_norm else 1 + 2 + 2 * (CONFIG.stages - 1))  # z is always normalised
    assert any(isinstance(m, MinibatchStdDev) for m in D.modules()) == config.minibatch_stddev
    scales = {m.scale for m in (*G.modules(), *D.modules()) if isinstance(m, EqualizedConv2d)}
    assert (scales == {1.0}) == (not config.equalized_lr)
    z = torch.randn(8, 16)
    assert D(G(z)).shape == (8,)                                       # still a working pair


def test_full_size_upsamples_crops_to_the_judges_28_pixels_and_clips():
    x = torch.linspace(-3, 3, 64).view(1, 1, 8, 8)
    out = pggan.full_size(x)
    assert out.shape == (1, 1, 28, 28) and out.min() == -1 and out.max() == 1
    assert torch.equal(out, F.interpolate(x, size=32, mode="nearest")[..., 2:30, 2:30].clamp(-1, 1))
    assert pggan.full_size(torch.zeros(3, 1, 32, 32)).shape == (3, 1, 28, 28)


def test_curve_steps_are_dense_after_every_switch():
    schedule = pggan.Schedule(stages=3, stable=100, fade=100)          # switches at 100 and 300, 500 steps
    at = pggan.curve_steps(schedule, every=100, dense=20, after=60)
    assert at == [100, 120, 140, 160, 200, 300, 320, 340, 360, 400, 500]
    assert pggan.curve_steps(pggan.FixedSchedule(3, 250), every=100) == [100, 200, 250]


def test_spike_reads_the_rise_after_a_switch_and_the_steps_to_recover():
    points = [{"step": s, "fid": f} for s, f in [(80, 50.0), (100, 40.0), (120, 70.0), (140, 55.0), (160, 39.0),
                                                  (400, 30.0)]]
    got = pggan.spike(points, 100, window=100)
    assert got == {"switch": 100, "before": 40.0, "peak": 70.0, "spike": 30.0, "recovery": 60}
    calm = pggan.spike([{"step": 100, "fid": 40.0}, {"step": 120, "fid": 38.0}], 100)
    assert calm["spike"] == -2.0 and calm["recovery"] == 20                # no rise: a negative spike, as measured
    assert pggan.spike([{"step": 100, "fid": 40.0}, {"step": 120, "fid": 45.0}], 100)["recovery"] is None
    with pytest.raises(ValueError, match="no FID at the switch step 90"):
        pggan.spike(points, 90)
    with pytest.raises(ValueError, match="no FID within 10 steps"):
        pggan.spike(points, 400, window=10)


def test_stability_counts_the_estimates_far_above_the_typical_one():
    w = [1.0, -1.2, 0.9, 1.1, 8.0, -1.0, 30.0]
    got = pggan.stability(w)
    assert got == {"w_median": 1.0, "w_max": 30.0, "w_spikes": 2}


def test_equal_time_steps_converts_a_grown_schedule_into_steps_at_full_size():
    schedule = pggan.Schedule(stages=3, stable=10, fade=10)            # 10 steps at stage 0, 20 at 1, 20 at 2
    assert pggan.equal_time_steps(schedule, [0.1, 0.5, 1.0]) == round(10 * 0.1 + 20 * 0.5 + 20 * 1.0)
    seconds = pggan.step_seconds(CONFIG, batch_size=8, steps=2, rounds=1)
    assert len(seconds) == 4 and all(t > 0 for t in seconds)


def test_the_tracker_scores_at_the_listed_steps_and_times_each_stage():
    class FakeScorer:
        def score(self, images):
            assert images.shape == (12, 1, 28, 28) and images.abs().max() <= 1
            return type("Scores", (), {"fid": 5.0, "precision": 0.5, "recall": 0.25})()

    from gan_course import train
    from gan_course.data.digits import DeviceBatches

    schedule = pggan.Schedule(stages=4, stable=2, fade=1)
    tracker = pggan.Tracker(FakeScorer(), schedule, at=[2, 3, 11], n=12, keep=[2, 11], keep_n=3)
    torch.manual_seed(0)
    step = pggan.PGGANStep(pggan.Generator(CONFIG), pggan.Discriminator(CONFIG), schedule, CONFIG)
    train.train(step, DeviceBatches(torch.rand(32, 1, 32, 32) * 2 - 1, batch_size=8, seed=0), schedule.total,
                callbacks=[tracker], progress=False, log_every=0)
    assert [(p["step"], p["stage"], p["alpha"]) for p in tracker.points] == [(2, 0, 1.0), (3, 1, 0.0), (11, 3, 1.0)]
    assert tracker.stage_steps == [2, 3, 3, 3] and all(t > 0 for t in tracker.stage_seconds)
    assert set(tracker.images_per_second()) == {4, 8, 16, 32}
    assert {step: tuple(x.shape) for step, x in tracker.kept.items()} == {2: (3, 1, 4, 4), 11: (3, 1, 32, 32)}


def test_the_recipe_trains_scores_and_stores_g_in_half_precision(tmp_path):
    entry = pggan.train_recipe("pggan-abrupt", seed=0, epochs=1, limit=64, verbose=False, root=tmp_path / "registry",
                               cache=tmp_path / "cache", register=True)
    metrics = entry["metrics"]
    assert metrics["steps"] == 14 and metrics["switches"] == [2, 6, 10] and len(metrics["spikes"]) == 3
    assert {"fid", "recall", "classes", "swd_avg", "w_spikes", "curve", "images_per_second"} <= set(metrics)
    assert entry["command"] == "python -m gan_course train pggan-abrupt --seed 0 --epochs 1 --limit 64 --register"
    G = pggan.load("pggan-abrupt", root=tmp_path / "registry")
    assert G(torch.randn(2, pggan.PGGANConfig().z_dim)).shape == (2, 1, 32, 32)
    with pytest.raises(ValueError, match="unknown PGGAN variant"):
        pggan.train_recipe("pggan-sudden")


def test_a_sweep_replaces_the_variants_learning_rate_and_bad_rates_are_refused():
    class FakeScorer:
        def score(self, images):
            return type("Scores", (), {"fid": 5.0, "precision": 0.5, "recall": 0.25})()

    images = torch.rand(pggan.BATCH_SIZE, 1, 32, 32) * 2 - 1
    step, _, _ = pggan.fit_variant("pggan-no-eqlr", images, phase=1, judge=FakeScorer(), lr=3e-3, progress=False,
                                   log_every=0)
    assert [g["lr"] for opt in (step.g_opt, step.d_opt) for g in opt.param_groups] == [3e-3, 3e-3]
    assert not step.config.equalized_lr                               # the rest of the variant is kept
    for bad in (0, 1.5, -1e-3, True, "1e-3"):
        with pytest.raises(ValueError, match="lr must be a number between 0 and 1"):
            pggan.PGGANConfig(lr=bad)


def test_the_faces_variant_trains_on_the_faces_and_is_judged_by_the_identity_network(tmp_path, monkeypatch):
    from gan_course.models import face_identity
    from test_face_identity import TINY_ID, fake_faces

    faces, judge_net = fake_faces(64), face_identity.IdentityNet(**TINY_ID).eval()
    monkeypatch.setattr(face_identity, "load_faces", lambda split, verbose=False: faces)
    monkeypatch.setattr(face_identity, "load_identity", lambda device=None, root=None: judge_net)
    assert pggan.dataset_of("pggan-faces") == "faces" and pggan.dataset_of("pggan-no-mbstd") == "mnist"
    images, source = pggan.training_images("faces")
    assert torch.equal(images, faces.images) and source == "fake faces"
    assert pggan.held_out("faces", n=10).shape == (10, 1, 32, 32)
    assert pggan.scorer(dataset="faces").real_features.shape == (64, 8)
    with pytest.raises(ValueError, match="dataset must be one of"):
        pggan.training_images("celeba")
    entry = pggan.train_recipe("pggan-faces", seed=0, epochs=1, limit=64, verbose=False, root=tmp_path / "registry",
                               cache=tmp_path / "cache", register=True)
    metrics = entry["metrics"]
    assert metrics["steps"] == 14 and len(metrics["class_shares"]) == 3 and metrics["train_images"] == 64
    assert entry["data"] == "fake faces"
