"""Recycle-GAN's networks and step: the predictor, what each update trains, the three kinds of terms by hand, a
short run that resumes exactly, and frame-by-frame translation of clips."""

import dataclasses

import pytest
import torch

from gan_course import train
from gan_course.data.digits import UnpairedBatches
from gan_course.data.moving_digits import ClipWindows
from gan_course.models import recyclegan

SMALL = recyclegan.RecycleGANConfig(width=4, n_residual=1, d_width=4, batch_size=3, steps=6)


def _windows(seed=0):
    gen = torch.Generator().manual_seed(seed)
    return tuple(torch.rand(3, 3, 1, 32, 32, generator=gen) * 2 - 1 for _ in range(2))


def test_shapes_names_and_bad_inputs():
    nets = recyclegan.build(SMALL)
    assert list(nets) == ["G_Y", "G_X", "P_X", "P_Y", "D_X", "D_Y"]
    frames = torch.rand(2, 1, 32, 32)
    assert nets["P_X"](frames, frames).shape == (2, 1, 32, 32) and nets["G_Y"](frames).shape == (2, 1, 32, 32)
    with pytest.raises(ValueError, match="two frames of one shape"):
        nets["P_X"](frames, frames[:1])
    with pytest.raises(ValueError, match=r"\(B, 1, 32, 32\)"):
        nets["P_Y"](torch.zeros(2, 1, 28, 28), torch.zeros(2, 1, 28, 28))
    with pytest.raises(ValueError, match="distance one of"):
        recyclegan.RecycleGANConfig(distance="huber")
    with pytest.raises(ValueError, match="must be >= 0"):
        recyclegan.RecycleGANConfig(lambda_recycle=-1.0)
    with pytest.raises(ValueError, match="must be >= 0"):
        recyclegan.RecycleGANConfig(lambda_cycle=-1.0)
    step = recyclegan.RecycleGANStep(nets, SMALL)
    x, y = _windows()
    with pytest.raises(ValueError, match="windows of 3 frames"):
        step.check((x[:, :2], y))
    step.check((x, y))
    assert recyclegan.distance(torch.zeros(2), torch.full((2,), 2.0), "absolute") == 2
    assert recyclegan.distance(torch.zeros(2), torch.full((2,), 2.0)) == 4


def test_updates_train_only_their_own_networks():
    torch.manual_seed(0)
    nets = recyclegan.build(SMALL)
    step = recyclegan.RecycleGANStep(nets, SMALL)
    before = {n: [p.clone() for p in m.parameters()] for n, m in nets.items()}

    def moved():
        return [any(not torch.equal(p, q) for p, q in zip(before[n], nets[n].parameters())) for n in nets]

    assert set(step.d_step(_windows())) == {"D_X", "D_Y"} and moved() == [False] * 4 + [True] * 2
    before = {n: [p.clone() for p in m.parameters()] for n, m in nets.items()}
    assert set(step.g_step(_windows(1))) == {"G_adversarial", "recycle", "prediction", "cycle"}
    assert moved() == [True] * 4 + [False] * 2


@pytest.mark.parametrize("kind, lambda_cycle", [(kind, 0.0) for kind in recyclegan.DISTANCES] + [("squared", 10.0)])
def test_the_terms_by_hand(kind, lambda_cycle):
    torch.manual_seed(0)
    config = recyclegan.RecycleGANConfig(width=4, n_residual=1, d_width=4, distance=kind, lambda_cycle=lambda_cycle)
    nets = recyclegan.build(config)
    step = recyclegan.RecycleGANStep(nets, config)
    x, y = _windows()
    G_Y, G_X, P_X, P_Y, D_X, D_Y = (nets[n] for n in recyclegan.RecycleGANStep.networks)

    def d(a, b):
        return ((a - b) ** 2).mean() if kind == "squared" else (a - b).abs().mean()

    def fool(scores):
        return ((scores - 1) ** 2).mean()

    with torch.no_grad():
        x_next_in_y = P_Y(G_Y(x[:, 0]), G_Y(x[:, 1]))
        y_next_in_x = P_X(G_X(y[:, 0]), G_X(y[:, 1]))
        adversarial = (fool(D_Y(G_Y(x[:, 0]))) + fool(D_Y(G_Y(x[:, 1]))) + fool(D_Y(x_next_in_y))
                       + fool(D_X(G_X(y[:, 0]))) + fool(D_X(G_X(y[:, 1]))) + fool(D_X(y_next_in_x)))
        recycle = d(x[:, 2], G_X(x_next_in_y)) + d(y[:, 2], G_Y(y_next_in_x))
        prediction = d(x[:, 2], P_X(x[:, 0], x[:, 1])) + d(y[:, 2], P_Y(y[:, 0], y[:, 1]))
        cycle = sum((G_X(G_Y(x[:, t])) - x[:, t]).abs().mean() + (G_Y(G_X(y[:, t])) - y[:, t]).abs().mean()
                    for t in (0, 1))
    out = step.g_step((x, y))
    assert out["cycle"].item() == (pytest.approx(cycle.item(), rel=1e-5) if lambda_cycle else 0)
    assert out["G_adversarial"].item() == pytest.approx(adversarial.item(), rel=1e-5)
    assert out["recycle"].item() == pytest.approx(recycle.item(), rel=1e-5)
    assert out["prediction"].item() == pytest.approx(prediction.item(), rel=1e-5)


def test_a_short_run_resumes_exactly(tmp_path):
    gen = torch.Generator().manual_seed(0)
    clips_x, clips_y = (torch.rand(4, 5, 1, 32, 32, generator=gen) * 2 - 1 for _ in range(2))

    def run(steps, directory):
        torch.manual_seed(0)
        nets = recyclegan.build(SMALL)
        batches = UnpairedBatches(ClipWindows(clips_x, 3, 3, seed=0), ClipWindows(clips_y, 3, 3, seed=1))
        train.train(recyclegan.RecycleGANStep(nets, SMALL), batches, steps, checkpoint_dir=directory,
                    checkpoint_every=3, progress=False, log_every=0)
        return nets

    straight = run(6, tmp_path / "a")
    run(3, tmp_path / "b")
    resumed = run(6, tmp_path / "b")
    for name in straight:
        assert all(torch.equal(p, q) for p, q in zip(straight[name].state_dict().values(),
                                                      resumed[name].state_dict().values())), name


def test_fit_and_translate_clips():
    gen = torch.Generator().manual_seed(0)
    clips_x, clips_y = (torch.rand(4, 4, 1, 32, 32, generator=gen) * 2 - 1 for _ in range(2))
    nets, history = recyclegan.fit(SMALL, clips_x, clips_y, seed=0, progress=False, log_every=0)
    assert not any(net.training for net in nets.values())
    out = recyclegan.translate_clips(nets["G_Y"], clips_x)
    assert out.shape == clips_x.shape
    assert torch.allclose(out[2, 1], nets["G_Y"](clips_x[2:3, 1])[0], atol=1e-6)


def test_measure_scores_the_identity_as_the_source_clips():
    from gan_course.data import moving_digits as md
    from gan_course.models.classifier import load_judge

    clips = md.load_clips("printed", "test", frames=4)
    clips = md.Clips(clips.frames[::50], clips.labels[::50], clips.positions[::50], clips.source)
    crops = recyclegan.frame_crops(clips.frames, clips.positions)
    assert crops.shape == (len(clips) * 4, 1, 28, 28)

    class Identity(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.p = torch.nn.Parameter(torch.zeros(()))

        def forward(self, x):
            return x

    scores = recyclegan.measure(Identity(), clips, load_judge("printed"))
    assert scores["flicker"] == 0 and scores["displacement_error"] < 1e-4 and scores["content"] > 0.9
    with pytest.raises(ValueError, match="positions must be"):
        recyclegan.frame_crops(clips.frames, clips.positions[:, :2])


def test_variants_fit_and_load(tmp_path, monkeypatch):
    """Each course run trains through fit_variant (CycleGAN on single frames for the baseline) and keeps its
    translators (and a Recycle-GAN's predictors); load() rebuilds what a recipe stored."""
    from gan_course import checkpoints

    gen = torch.Generator().manual_seed(0)
    clips_x, clips_y = (torch.rand(3, 4, 1, 32, 32, generator=gen) * 2 - 1 for _ in range(2))
    assert recyclegan.variant(recyclegan.FRAMEWISE).batch_size == 3 * recyclegan.variant("recyclegan-digits").batch_size
    with pytest.raises(ValueError, match="unknown video translation"):
        recyclegan.variant("recyclegan-faces")
    for name in recyclegan.VARIANTS:
        monkeypatch.setitem(recyclegan.VARIANTS, name, dataclasses.replace(recyclegan.VARIANTS[name],
            width=4, n_residual=1, d_width=4, batch_size=2, image_size=32))
        nets, history = recyclegan.fit_variant(name, clips_x, clips_y, steps=2, progress=False, log_every=0)
        assert tuple(nets) == recyclegan.translators(name) and len(history.step) == 2
        state = {key: {k: v.half() for k, v in net.state_dict().items()} for key, net in nets.items()}
        path = tmp_path / f"{name}.pt"
        torch.save(state, path)
        checkpoints.register(name, path, command="test", data="test", metrics={}, root=tmp_path)
        loaded = recyclegan.load(name, root=tmp_path)
        assert set(loaded) == set(nets) and not loaded["G_Y"].training
        assert torch.allclose(loaded["G_Y"](clips_x[0]), nets["G_Y"](clips_x[0]), atol=0.05)


def test_test_clips_spread_over_every_digit():
    clips = recyclegan.test_clips("printed", 50)
    assert len(clips) == 50 and set(clips.labels.tolist()) == set(range(10))   # the first 50 would all be 0s
    assert len(recyclegan.test_clips("printed")) == 1000
