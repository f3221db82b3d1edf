"""CycleGAN's networks, history buffer and step: shapes, the PatchGAN's receptive field, what each update
trains, the loss terms against hand computation, the schedule, and a short run that resumes exactly."""

import pytest
import torch

from gan_course import losses, train
from gan_course.data.digits import DeviceBatches, UnpairedBatches
from gan_course.models import cyclegan

SMALL = cyclegan.CycleGANConfig(width=4, n_residual=1, d_width=4, batch_size=4, steps=6, pool_size=3)


def _batch(config=SMALL, seed=0):
    gen = torch.Generator().manual_seed(seed)
    shape = (config.batch_size, config.channels, 28, 28)
    return torch.rand(shape, generator=gen) * 2 - 1, torch.rand(shape, generator=gen) * 2 - 1


@pytest.mark.parametrize("channels", [1, 3])
def test_shapes_and_bad_inputs(channels):
    nets = cyclegan.build(cyclegan.CycleGANConfig(channels=channels, width=4, n_residual=1, d_width=4))
    x = torch.rand(2, channels, 28, 28) * 2 - 1
    y = nets["G_AB"](x)
    assert y.shape == x.shape and y.abs().max() <= 1
    assert nets["D_B"](y).shape == (2, 1, 7, 7)
    with pytest.raises(ValueError, match=rf"\(B, {channels}, 28, 28\)"):
        nets["G_AB"](torch.zeros(2, 4 - channels, 28, 28))
    with pytest.raises(ValueError, match="channels must be 1"):
        cyclegan.CycleGANConfig(channels=2)
    with pytest.raises(ValueError, match=">= 0"):
        cyclegan.CycleGANConfig(lambda_cycle=-1)


def test_each_patch_score_sees_an_18_by_18_patch():
    D = cyclegan.PatchDiscriminator(1, 4)
    # instance normalisation adds each channel's mean and spread over the whole image; without it, the
    # convolutions alone decide what a score sees
    D.net = torch.nn.Sequential(*[torch.nn.Identity() if isinstance(m, torch.nn.InstanceNorm2d) else m
                                  for m in D.net])
    x = torch.randn(1, 1, 28, 28, requires_grad=True)
    D(x)[0, 0, 3, 3].backward()                       # the centre score
    rows, cols = torch.nonzero(x.grad[0, 0].abs() > 0, as_tuple=True)
    assert (rows.max() - rows.min() + 1, cols.max() - cols.min() + 1) == (18, 18)


def test_least_squares_and_cycle_losses_by_hand():
    real, fake = torch.tensor([1.0, 0.0]), torch.tensor([0.5, -1.0])
    assert losses.least_squares_d_loss(real, fake).item() == pytest.approx(0.5 * ((0 + 1) / 2 + (0.25 + 1) / 2))
    assert losses.least_squares_g_loss(fake).item() == pytest.approx((0.25 + 4) / 2)
    patches = torch.zeros(2, 1, 7, 7)
    assert losses.least_squares_g_loss(patches).item() == pytest.approx(1.0)
    a, b = torch.zeros(2, 1, 2, 2), torch.ones(2, 1, 2, 2)
    assert losses.cycle_consistency_loss(a, b * 0.5).item() == pytest.approx(0.5)
    with pytest.raises(ValueError, match="same shape"):
        losses.cycle_consistency_loss(a, torch.zeros(2, 1, 3, 3))
    with pytest.raises(ValueError, match="batch dimension"):
        losses.least_squares_g_loss(torch.tensor(1.0))


def test_history_buffer_fills_then_swaps_half_the_time():
    buffer = cyclegan.HistoryBuffer(size=4, seed=0)
    first = torch.arange(4.0).reshape(4, 1, 1, 1)
    assert torch.equal(buffer.query(first), first) and len(buffer) == 4   # filling: passed on and kept
    new = torch.arange(100.0, 1100.0).reshape(1000, 1, 1, 1)
    out = buffer.query(new)
    older = (out != new).flatten()
    assert 0.45 < older.float().mean().item() < 0.55                     # about half are swapped for older fakes
    stored = {v.item() for v in torch.stack(buffer.images).flatten()}
    assert len(buffer) == 4 and stored <= set(range(100, 1100))           # every first fake was swapped out
    assert torch.equal(cyclegan.HistoryBuffer(0).query(new), new)       # size 0: no buffer
    with pytest.raises(ValueError, match="integer >= 0"):
        cyclegan.HistoryBuffer(-1)


def test_history_buffer_state_round_trip():
    a, b = cyclegan.HistoryBuffer(3, seed=1), cyclegan.HistoryBuffer(3, seed=5)
    a.query(torch.randn(5, 1, 2, 2))
    b.load_state_dict(a.state_dict())
    x = torch.randn(6, 1, 2, 2)
    assert torch.equal(a.query(x), b.query(x))


def test_d_step_trains_only_the_discriminators_and_g_step_only_the_generators():
    torch.manual_seed(0)
    nets = cyclegan.build(SMALL)
    step = cyclegan.CycleGANStep(nets, SMALL)
    before = {name: [p.clone() for p in net.parameters()] for name, net in nets.items()}

    def moved(name):
        return any(not torch.equal(p, q) for p, q in zip(before[name], nets[name].parameters()))

    out = step.d_step(_batch())
    assert set(out) == {"D_A", "D_B"} and [moved(n) for n in step.networks] == [False, False, True, True]
    before = {name: [p.clone() for p in net.parameters()] for name, net in nets.items()}
    out = step.g_step(_batch())
    assert set(out) == {"G_adversarial", "cycle", "identity"}
    assert [moved(n) for n in step.networks] == [True, True, False, False]
    assert all(p.requires_grad for net in nets.values() for p in net.parameters())


def test_the_generator_loss_is_the_papers_objective():
    torch.manual_seed(0)
    nets = cyclegan.build(SMALL)
    step = cyclegan.CycleGANStep(nets, SMALL)
    a, b = _batch()
    G_AB, G_BA, D_A, D_B = (nets[n] for n in step.networks)
    with torch.no_grad():
        adversarial = ((D_B(G_AB(a)) - 1) ** 2).mean() + ((D_A(G_BA(b)) - 1) ** 2).mean()
        cycle = (G_BA(G_AB(a)) - a).abs().mean() + (G_AB(G_BA(b)) - b).abs().mean()
        identity = (G_AB(b) - b).abs().mean() + (G_BA(a) - a).abs().mean()
    out = step.g_step((a, b))
    assert out["G_adversarial"].item() == pytest.approx(adversarial.item(), rel=1e-5)
    assert out["cycle"].item() == pytest.approx(cycle.item(), rel=1e-5)
    assert out["identity"].item() == pytest.approx(identity.item(), rel=1e-5)


def test_lambda_cycle_zero_turns_off_the_cycle_and_identity_gradients():
    config = cyclegan.CycleGANConfig(width=4, n_residual=1, d_width=4, lambda_cycle=0.0)
    torch.manual_seed(0)
    nets = cyclegan.build(config)
    step = cyclegan.CycleGANStep(nets, config)
    out = step.g_step(_batch(config))
    assert out["identity"].item() == 0 and out["cycle"].item() > 0   # measured, but not trained


def test_learning_rate_is_constant_then_decays_linearly_to_zero():
    factor = cyclegan.linear_decay(10)
    assert [factor(i) for i in range(11)] == pytest.approx([1, 1, 1, 1, 1, 1, 0.8, 0.6, 0.4, 0.2, 0])
    nets = cyclegan.build(SMALL)
    step = cyclegan.CycleGANStep(nets, SMALL)
    for _ in range(SMALL.steps):
        step.d_step(_batch())
        step.g_step(_batch())
    assert step.g_opt.param_groups[0]["lr"] == 0 and step.d_opt.param_groups[0]["lr"] == 0


def test_a_short_run_resumes_exactly(tmp_path):
    a_images, b_images = (torch.rand(12, 1, 28, 28) * 2 - 1 for _ in range(2))

    def run(steps, directory):
        torch.manual_seed(0)
        nets = cyclegan.build(SMALL)
        batches = UnpairedBatches(DeviceBatches(a_images, batch_size=4, seed=0),
                                  DeviceBatches(b_images, batch_size=4, seed=1))
        history = train.train(cyclegan.CycleGANStep(nets, SMALL), batches, steps, checkpoint_dir=directory,
                              checkpoint_every=3, progress=False, log_every=0)
        return nets, history

    straight, _ = run(6, tmp_path / "straight")
    run(3, tmp_path / "resumed")
    resumed, history = run(6, tmp_path / "resumed")
    assert len(history.losses["cycle"]) == 6
    for name in straight:
        for p, q in zip(straight[name].parameters(), resumed[name].parameters()):
            assert torch.equal(p, q), name


def test_check_names_the_expected_batch():
    step = cyclegan.CycleGANStep(cyclegan.build(SMALL), SMALL)
    with pytest.raises(ValueError, match=r"unpaired batches \(a, b\)"):
        step.check(torch.zeros(4, 1, 28, 28))
    with pytest.raises(ValueError, match="domain B's batch"):
        step.check((torch.zeros(4, 1, 28, 28), torch.zeros(4, 3, 28, 28)))


def test_label_lookup_shows_the_permuted_digit_and_refuses_non_permutations():
    from gan_course.data.digits import DigitData

    target = DigitData(torch.arange(20.0).reshape(20, 1, 1, 1), torch.arange(20) % 10, "toy")
    labels = torch.tensor([0, 3, 3, 9])
    swap = [1, 0, 2, 4, 3, 5, 6, 7, 8, 9]
    out = cyclegan.label_lookup(labels, target, swap, seed=0)
    assert [int(v) % 10 for v in out.flatten()] == [1, 4, 4, 9]
    assert torch.equal(out, cyclegan.label_lookup(labels, target, swap, seed=0))
    with pytest.raises(ValueError, match="each once"):
        cyclegan.label_lookup(labels, target, [0] * 10)


def test_variants_cover_both_pairs_and_the_three_ablations():
    assert set(cyclegan.VARIANTS) == {f"cyclegan-{pair}{suffix}" for pair in ("digits", "textures")
                                      for suffix in ("", "-no-cycle", "-no-identity", "-no-buffer")} \
        | {"cyclegan-digits-lambda1"}
    assert cyclegan.variant("cyclegan-digits-lambda1")[1].lambda_cycle == 1
    assert cyclegan.variant("cyclegan-textures")[1].channels == 3
    assert cyclegan.variant("cyclegan-digits-no-cycle")[1].lambda_cycle == 0
    with pytest.raises(ValueError, match="unknown CycleGAN"):
        cyclegan.variant("cyclegan-horses")


def test_label_preservation_tells_a_permutation_from_noise():
    from gan_course.data.digits import DigitData

    class Judge(torch.nn.Module):     # reads the digit from the image's constant value
        channels = 1

        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(()))

        def forward(self, x):
            return torch.nn.functional.one_hot(x.flatten(1)[:, 0].round().long() % 10, 10).float() + self.w

    class Shift(torch.nn.Module):     # "translates" digit k into digit k + 1
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(()))

        def forward(self, x):
            return x + 1 + self.w

    labels = torch.arange(10).repeat(5)
    source = DigitData(labels.float().reshape(-1, 1, 1, 1).expand(-1, 1, 28, 28).contiguous(), labels, "toy")
    kept = cyclegan.label_preservation(Shift(), source, Judge())
    assert kept["accuracy"] == 0 and kept["permutation_accuracy"] == 1
    assert kept["mapping"] == [(k + 1) % 10 for k in range(10)] and kept["confusion"].sum() == 50


def test_the_recipe_trains_registers_loads_and_measures(tmp_path):
    entry = cyclegan.train_recipe("cyclegan-digits", seed=0, epochs=1, limit=32, root=tmp_path / "registry",
                                  verbose=False, register=True, cache=tmp_path / "cache")
    assert entry["command"] == ("python -m gan_course train cyclegan-digits --seed 0 --epochs 1 --limit 32 "
                                "--register")
    metrics = entry["metrics"]
    assert metrics["steps"] == 2 and metrics["train_images"] == 32
    for tag in ("ab", "ba"):
        assert 0 <= metrics[f"label_preservation_{tag}"] <= metrics[f"permutation_accuracy_{tag}"] <= 1
        assert metrics[f"cycle_error_{tag}"] > 0 and metrics[f"fid_{tag}"] > 0
        assert sum(map(sum, metrics[f"confusion_{tag}"])) in (1000, 500)
    nets = cyclegan.load("cyclegan-digits", root=tmp_path / "registry")
    assert set(nets) == {"G_AB", "G_BA"} and not nets["G_AB"].training
    assert all(p.dtype == torch.float32 for p in nets["G_AB"].parameters())


def test_other_image_sizes_for_recycle_gans_frames():
    config = cyclegan.CycleGANConfig(image_size=32, width=4, d_width=4, n_residual=1)
    nets = cyclegan.build(config)
    x = torch.rand(2, 1, 32, 32) * 2 - 1
    assert nets["G_AB"](x).shape == (2, 1, 32, 32) and nets["D_B"](x).shape == (2, 1, 8, 8)
    with pytest.raises(ValueError, match=r"\(B, 1, 32, 32\)"):
        nets["G_AB"](torch.zeros(2, 1, 28, 28))
    for bad in (30, 8, 32.0):
        with pytest.raises(ValueError, match="image_size must be a multiple of 4"):
            cyclegan.CycleGANConfig(image_size=bad)
