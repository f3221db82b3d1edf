"""The speed-ups (gan_course.speed): bfloat16 autocast, channels_last, compile, fewer host syncs, and the benchmark."""

import copy
import importlib.util
import json
from pathlib import Path

import pytest
import torch

from gan_course import bookkeeping, losses, speed, train
from gan_course.models.dcgan import DCGANDiscriminator, DCGANGenerator, init_weights
from gan_course.models.gan import GANStep, MLPDiscriminator, MLPGenerator
from gan_course.models.wgan import WGANStep

ROOT = Path(__file__).resolve().parents[2]


def two_modes(batch=32, seed=0):
    """Endless 1D batches from two modes at -2 and +2."""
    gen = torch.Generator().manual_seed(seed)
    while True:
        sign = torch.randint(0, 2, (batch, 1), generator=gen) * 2 - 1
        yield 2.0 * sign + 0.3 * torch.randn(batch, 1, generator=gen)


def mlp_run(steps, seed=0, **kw):
    torch.manual_seed(seed)
    G, D = MLPGenerator(z_dim=4, data_dim=1, hidden=16), MLPDiscriminator(data_dim=1, hidden=16)
    d_opt, g_opt = torch.optim.Adam(D.parameters(), 1e-3), torch.optim.Adam(G.parameters(), 1e-3)
    step = GANStep(G, D, d_opt, g_opt, **{k: kw.pop(k) for k in ("g_loss", "n_critic", "autocast") if k in kw})
    history = train.train(step, two_modes(seed=seed), steps, progress=False, log_every=0, **kw)
    return G, D, history


def dcgan(width=8, seed=0):
    torch.manual_seed(seed)
    G, D = DCGANGenerator(z_dim=16, width=width), DCGANDiscriminator(width=width)
    G.apply(init_weights), D.apply(init_weights)
    return G, D


def images(batch=16, seed=0):
    gen = torch.Generator().manual_seed(seed)
    while True:
        yield torch.rand(batch, 1, 28, 28, generator=gen) * 2 - 1


def params(*modules):
    return torch.cat([p.detach().flatten() for m in modules for p in m.parameters()])


def test_autocast_and_sync_every_are_validated():
    with pytest.raises(ValueError, match="GradScaler.*bfloat16"):
        mlp_run(2, autocast=torch.float16)
    with pytest.raises(ValueError, match="torch.bfloat16 or None"):
        mlp_run(2, autocast=torch.float32)
    with pytest.raises(ValueError, match="sync_every"):
        mlp_run(2, sync_every=0)


def test_bfloat16_autocast_trains_a_dcgan_on_the_cpu():
    G, D = dcgan()
    before = params(G, D).clone()
    seen = []  # dtype of D's first convolution's output, in every forward pass
    D.net[1].register_forward_hook(lambda module, args, out: seen.append(out.dtype))
    step = GANStep(G, D, torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999)),
                   torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999)), autocast=torch.bfloat16)
    history = train.train(step, images(), 4, progress=False, log_every=0)
    assert history.step == [1, 2, 3, 4]
    assert all(torch.isfinite(torch.tensor(history.losses["d_loss"] + history.losses["g_loss"])))
    assert not torch.equal(params(G, D), before)
    assert all(p.dtype == torch.float32 for p in [*G.parameters(), *D.parameters()])  # weights stay float32
    assert seen[0] == torch.float32  # the set-up check runs without autocast ...
    assert set(seen[1:]) == {torch.bfloat16}  # ... every training forward pass under it


def test_autocast_losses_are_float32_and_close_to_float32_losses():
    G, D = dcgan()
    real, z = next(images()), G.sample_z(16)
    with torch.no_grad():
        exact = losses.minimax_d_loss(D(real), D(G(z)))
    step = GANStep(G, D, torch.optim.SGD(D.parameters(), 0.0), None, sample_z=lambda n: z, autocast=torch.bfloat16)
    loss = step.d_step(real)["d_loss"]
    assert loss.dtype == torch.float32 and abs(loss.item() - exact.item()) < 0.05
    clipped = WGANStep(G, D, torch.optim.SGD(D.parameters(), 0.1), None, clip=0.01, sample_z=lambda n: z,
                       autocast=torch.bfloat16).d_step(real)["d_loss"]
    assert torch.isfinite(clipped)


def test_channels_last_gives_the_same_outputs():
    G, D = dcgan(width=16)
    G_cl, D_cl = copy.deepcopy(G), copy.deepcopy(D)
    speed.speed_up(G_cl, D_cl, channels_last=True)
    assert G_cl.net[0].weight.is_contiguous(memory_format=torch.channels_last)
    assert D_cl.net[3].weight.is_contiguous(memory_format=torch.channels_last)
    G.eval(), D.eval(), G_cl.eval(), D_cl.eval()
    z = G.sample_z(8)
    with torch.no_grad():
        fake, fake_cl = G(z), G_cl(z)
        torch.testing.assert_close(fake_cl, fake, atol=1e-5, rtol=1e-4)
        torch.testing.assert_close(D_cl(fake), D(fake), atol=1e-5, rtol=1e-4)
    assert G_cl.state_dict().keys() == G.state_dict().keys()


def test_speed_up_compiles_in_place_and_checks_its_arguments(monkeypatch):
    calls = []
    monkeypatch.setattr(torch.nn.Module, "compile", lambda self, **kw: calls.append((type(self).__name__, kw)))
    G, D = dcgan()
    speed.speed_up(G, D, channels_last=False, compile="reduce-overhead")
    mode = {"mode": "reduce-overhead"}
    assert calls == [("DCGANGenerator", mode), ("DCGANDiscriminator", mode)]
    with pytest.raises(ValueError, match="compile must be"):
        speed.speed_up(G, compile="fastest")
    with pytest.raises(TypeError, match="nn.Module"):
        speed.speed_up(torch.zeros(3))


def test_speed_ups_for_each_device(monkeypatch):
    cpu = speed.speed_ups_for("cpu")
    assert cpu.compile is False and cpu.sync_every == 1  # compile made CPU steps slower; CPU syncs are free
    assert cpu.autocast in (None, torch.bfloat16)
    assert speed.speed_ups_for("meta") == speed.SpeedUps()  # unmeasured devices: nothing switched on
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX2")  # an AVX2-only laptop: bfloat16 would be emulated
    assert not speed.has_native_bfloat16("cpu") and speed.speed_ups_for("cpu") == speed.SpeedUps()


# --------------------------------------------------------------------------- calibration


def dcgan_step(width=8):
    G, D = dcgan(width)
    return GANStep(G, D, torch.optim.Adam(D.parameters(), 2e-4), torch.optim.Adam(G.parameters(), 2e-4))


def fixed_times(monkeypatch, ms):
    """Replace the stopwatch: each candidate takes ms[name] (names missing from ms take 100); nothing runs."""
    monkeypatch.setattr(speed, "_prepared", lambda *a, **k: (None, 1))
    monkeypatch.setattr(speed, "_time", lambda steps, *a: {name: ms.get(name, 100.0) for name in steps})


def test_calibrate_times_copies_and_leaves_the_step_as_it_was(monkeypatch, tmp_path):
    monkeypatch.setenv("GAN_COURSE_CACHE", str(tmp_path))
    step, batch = dcgan_step(), next(images())
    before = params(step.G, step.D)
    threads = torch.get_num_threads()
    calibration = speed.calibrate(step, batch, rounds=1)
    assert "plain" in calibration.ms_per_iteration and "channels_last" in calibration.ms_per_iteration
    assert all(ms > 0 for ms in calibration.ms_per_iteration.values())
    assert torch.equal(params(step.G, step.D), before) and step.autocast is None  # copies trained, not the step
    assert step.G.net[0].weight.is_contiguous() and torch.get_num_threads() == threads
    assert not step.d_opt.state  # the step's optimizers took no step either
    assert calibration.speed_ups.sync_every == 1 and calibration.speed_ups.compile is False  # on a CPU
    assert calibration.machine in str(calibration) and "chosen:" in str(calibration)


def test_calibrate_keeps_only_what_beats_plain_by_the_margin(monkeypatch, tmp_path):
    monkeypatch.setenv("GAN_COURSE_CACHE", str(tmp_path))
    step, batch = dcgan_step(), next(images())
    fixed_times(monkeypatch, {"plain": 100.0, "channels_last": 97.0})  # 3% faster: noise, not a speed-up
    assert speed.calibrate(step, batch, cache=False).speed_ups == speed.SpeedUps()
    fixed_times(monkeypatch, {"plain": 100.0, "channels_last": 80.0})
    assert speed.calibrate(step, batch, cache=False).speed_ups == speed.SpeedUps(channels_last=True)
    fixed_times(monkeypatch, {"plain": 100.0})  # everything slower or equal: plain
    slower = {name: 150.0 for name in speed._candidates(step, torch.device("cpu"), compile=True)}
    fixed_times(monkeypatch, {**slower, "plain": 100.0})
    assert speed.calibrate(step, batch, compile=True, cache=False).speed_ups == speed.SpeedUps()


def test_calibrate_tries_combinations(monkeypatch):
    monkeypatch.setattr(speed, "has_native_bfloat16", lambda device: True)
    monkeypatch.setattr(torch, "get_num_threads", lambda: 4)
    names = set(speed._candidates(dcgan_step(), torch.device("cpu"), compile=False))
    assert names == {"plain", "channels_last", "bfloat16 autocast", "2 threads", "channels_last + bfloat16 autocast",
                     "channels_last + 2 threads", "bfloat16 autocast + 2 threads",
                     "channels_last + bfloat16 autocast + 2 threads"}
    G, D = MLPGenerator(z_dim=4, data_dim=1, hidden=8), MLPDiscriminator(data_dim=1, hidden=8)
    mlp = GANStep(G, D, torch.optim.Adam(D.parameters()), torch.optim.Adam(G.parameters()))
    assert "channels_last" not in speed._candidates(mlp, torch.device("cpu"), compile=False)  # no convolutions


def test_calibrate_caches_its_choice_per_model(monkeypatch, tmp_path):
    monkeypatch.setenv("GAN_COURSE_CACHE", str(tmp_path))
    step, batch = dcgan_step(), next(images())
    fixed_times(monkeypatch, {"plain": 100.0, "channels_last": 50.0})
    first = speed.calibrate(step, batch)
    assert not first.from_cache and first.path.parent == tmp_path / "speed" and first.path.is_file()
    fixed_times(monkeypatch, {"plain": 50.0, "channels_last": 100.0})  # not measured again: the cache answers
    second = speed.calibrate(step, batch)
    assert second.from_cache and second.speed_ups == first.speed_ups and second.path == first.path
    other = speed.calibrate(dcgan_step(width=16), batch)  # another model's shapes: measured on its own
    assert not other.from_cache and other.path != first.path and other.speed_ups == speed.SpeedUps()
    assert json.loads(first.path.read_text())["key"]["torch"] == torch.__version__


def test_calibrate_and_apply_refuse_bad_input():
    step = dcgan_step()
    with pytest.raises(ValueError, match="at least one tensor"):
        speed.calibrate(step, [1, 2])
    with pytest.raises(ValueError, match="positive integers"):
        speed.calibrate(step, next(images()), rounds=0)
    with pytest.raises(ValueError, match="margin"):
        speed.calibrate(step, next(images()), margin=1.5)

    class NoAutocast(GANStep):
        def __init__(self, *a):
            super().__init__(*a)
            del self.autocast

    bare = NoAutocast(step.G, step.D, step.d_opt, step.g_opt)
    with pytest.raises(ValueError, match="no autocast setting"):
        speed.apply(bare, speed.SpeedUps(autocast=torch.bfloat16))


def test_apply_switches_the_chosen_speed_ups_on():
    step = dcgan_step()
    threads = torch.get_num_threads()
    try:
        speed.apply(step, speed.SpeedUps(channels_last=True, autocast=torch.bfloat16, threads=1))
        assert step.autocast is torch.bfloat16 and torch.get_num_threads() == 1
        assert step.G.net[0].weight.is_contiguous(memory_format=torch.channels_last)
    finally:
        torch.set_num_threads(threads)


def test_sync_every_keeps_the_history_and_the_callbacks():
    _, _, every = mlp_run(23)
    G, D, rare = mlp_run(23, sync_every=10)
    assert rare.step == every.step and rare.losses == every.losses
    seen = []
    _, _, h = mlp_run(7, sync_every=5, callbacks=[lambda s: seen.append((s.step, s.losses["d_loss"]))])
    assert seen == list(zip(h.step, h.losses["d_loss"]))  # callbacks still see every step's losses
    _, _, n3 = mlp_run(6, n_critic=3, sync_every=4)
    _, _, n3_every = mlp_run(6, n_critic=3)
    assert n3.losses == n3_every.losses


def test_nan_guard_with_sync_every_names_the_step_and_never_checkpoints_after_it(tmp_path):
    def g_loss(logits):
        g_loss.calls += 1
        loss = losses.nonsaturating_g_loss(logits)
        return loss * float("nan") if g_loss.calls == 7 else loss

    g_loss.calls = 0
    with pytest.raises(bookkeeping.TrainingDiverged, match=r"step 7:.*latest.pt \(step 5\).*ran on to step 8"):
        mlp_run(20, g_loss=g_loss, checkpoint_dir=tmp_path, checkpoint_every=5, sync_every=4)
    assert bookkeeping.load_checkpoint(tmp_path / "latest.pt")["step"] == 5
    g_loss.calls = 0
    with pytest.raises(bookkeeping.TrainingDiverged, match=r"step 7:.*no checkpoint.*ran on to step 20"):
        mlp_run(20, g_loss=g_loss, sync_every=100)  # at the latest, the last step reads the losses


def test_throughput_benchmark_smoke(tmp_path):
    spec = importlib.util.spec_from_file_location("throughput", ROOT / "benchmarks" / "throughput.py")
    throughput = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(throughput)
    out = tmp_path / "throughput.json"
    threads = torch.get_num_threads()
    try:
        result = throughput.main(["--profile", "smoke", "--threads", "1", "--out", str(out)])
    finally:
        torch.set_num_threads(threads)
    saved = json.loads(out.read_text())
    assert set(saved["modes"]) == {"native", "avx2"} and saved == json.loads(json.dumps(result))
    native, avx2 = saved["modes"]["native"], saved["modes"]["avx2"]
    assert native["images_per_second"]["reference"] > 0 and native["images_per_second"]["course"] > 0
    assert native["ratio"] > 0 and native["machine"] and native["torch"] == torch.__version__
    assert "AVX512" not in avx2["machine"] or "ONEDNN_MAX_CPU_ISA=AVX2" in avx2["machine"]
    assert "ONEDNN_MAX_CPU_ISA" not in native["machine"]  # native means no cap
    assert avx2["speed_ups"]["autocast"] == "None"  # no native bfloat16 under the caps
    assert native["flops_per_iteration"]["course"] > native["flops_per_iteration"]["reference"]  # fresh noise for G
    assert throughput.without(["--a", "1", "--out", "x", "--modes=avx2", "--b"], "--out", "--modes") == ["--a", "1", "--b"]


def test_count_flops_counts_products_forward_and_backward():
    layer = torch.nn.Linear(8, 4, bias=False)
    x = torch.randn(3, 8, requires_grad=True)
    flops, out = speed.count_flops(layer, x)
    assert flops == 2 * 3 * 8 * 4 and out.shape == (3, 4)          # one (3x8)(8x4) product, a multiply-add is 2
    backward, _ = speed.count_flops(lambda: layer(x).sum().backward())
    assert backward == 3 * flops                                     # forward, and the gradients of x and of W


def test_count_flops_counts_a_second_derivative_and_convolutions():
    conv = torch.nn.Conv2d(1, 2, 3, padding=1, bias=False)
    x = torch.randn(2, 1, 5, 5, requires_grad=True)
    forward, _ = speed.count_flops(conv, x)
    assert forward == 2 * (2 * 2 * 5 * 5) * (1 * 3 * 3)           # per output value: 9 multiply-adds

    def r1_like():
        grad, = torch.autograd.grad(conv(x).pow(2).sum(), x, create_graph=True)
        grad.pow(2).sum().backward()

    twice, _ = speed.count_flops(r1_like)
    assert twice > 3 * forward                                       # more than one forward and backward pass


def test_reuse_fake_spends_one_g_forward_less_and_trains_g_on_the_d_updates_batch():
    G, D = dcgan()
    real = next(images())
    fresh = GANStep(copy.deepcopy(G), copy.deepcopy(D), *(torch.optim.Adam(m.parameters(), 2e-4) for m in (D, G)))
    G2, D2 = copy.deepcopy(G), copy.deepcopy(D)
    reused = GANStep(G2, D2, torch.optim.Adam(D2.parameters(), 2e-4), torch.optim.Adam(G2.parameters(), 2e-4),
                     reuse_fake=True)
    flops = {}
    for name, step in (("fresh", fresh), ("reused", reused)):
        flops[name], _ = speed.count_flops(lambda: (step.d_step(real), step.g_step(real)))
    g_forward, _ = speed.count_flops(G, torch.randn(real.shape[0], G.z_dim))
    assert flops["fresh"] - flops["reused"] == g_forward          # exactly one G forward pass less
    assert reused._fake is None                                   # nothing kept between iterations
    seen = []
    reused.G.register_forward_hook(lambda *a: seen.append(1))
    reused.d_step(real), reused.g_step(real)
    assert len(seen) == 1                                         # one G forward an iteration
    reused.g_step(real)                                           # without a D update before it: fresh noise
    assert len(seen) == 2
    with pytest.raises(ValueError, match="reuse_fake"):
        GANStep(G, D, fresh.d_opt, fresh.g_opt, reuse_fake=1)
