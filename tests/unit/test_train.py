import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from gan_course import bookkeeping, losses, train
from gan_course.models.gan import GANStep, MLPDiscriminator, MLPGenerator, fit_discriminator


class Stream:
    """Resumable stream of 1D two-mode data, as the loop expects from a data source."""

    def __init__(self, batch=32, seed=0):
        self.batch, self.gen = batch, torch.Generator().manual_seed(seed)

    def __iter__(self):
        return self

    def __next__(self):
        sign = torch.randint(0, 2, (self.batch, 1), generator=self.gen) * 2 - 1
        return 2.0 * sign + 0.3 * torch.randn(self.batch, 1, generator=self.gen)

    def state_dict(self):
        return {"gen": self.gen.get_state()}

    def load_state_dict(self, state):
        self.gen.set_state(state["gen"])


def make(seed=0):
    torch.manual_seed(seed)
    G, D = MLPGenerator(z_dim=4, data_dim=1, hidden=16), MLPDiscriminator(data_dim=1, hidden=16)
    return G, D, torch.optim.Adam(D.parameters(), 1e-3), torch.optim.Adam(G.parameters(), 1e-3)


STEP_OPTIONS = ("d_loss", "g_loss", "n_critic", "d_penalty", "sample_z", "autocast")


def run(steps, seed=0, **kw):
    G, D, d_opt, g_opt = make(seed)
    step = GANStep(G, D, d_opt, g_opt, **{k: kw.pop(k) for k in STEP_OPTIONS if k in kw})
    history = train.train(step, Stream(seed=seed), steps, progress=False, log_every=0, **kw)
    return G, D, history


def params(*modules):
    return torch.cat([p.detach().flatten() for m in modules for p in m.parameters()])


def test_d_step_updates_only_d_and_g_step_updates_only_g():
    G, D, d_opt, g_opt = make()
    step, real = GANStep(G, D, d_opt, g_opt), next(Stream())
    g0, d0 = params(G).clone(), params(D).clone()
    assert set(step.d_step(real)) == {"d_loss"}
    assert torch.equal(params(G), g0) and not torch.equal(params(D), d0)
    d1 = params(D).clone()
    assert set(step.g_step(real)) == {"g_loss"}
    assert torch.equal(params(D), d1) and not torch.equal(params(G), g0)
    # D's parameters are trainable again and got no gradient from G's loss.
    assert all(p.requires_grad for p in D.parameters())


def test_d_step_lowers_the_discriminator_loss():
    G, D, d_opt, g_opt = make()
    step, real = GANStep(G, D, d_opt, g_opt), next(Stream(batch=256))
    first = step.d_step(real)["d_loss"].item()
    for _ in range(50):
        last = step.d_step(real)["d_loss"].item()
    assert last < first - 0.1


def test_history_and_n_critic():
    G, D, d_opt, g_opt = make()
    step = GANStep(G, D, d_opt, g_opt, n_critic=3)
    calls = []
    d_step = step.d_step
    step.d_step = lambda batch: calls.append(1) or d_step(batch)
    history = train.train(step, Stream(), 7, progress=False)
    assert history.step == list(range(1, 8)) and set(history.losses) == {"d_loss", "g_loss"}
    assert len(history.losses["d_loss"]) == len(history.losses["g_loss"]) == 7
    assert len(calls) == 21


def test_same_seed_same_run_and_training_moves_the_generator():
    _, _, h1 = run(30, seed=1)
    _, _, h2 = run(30, seed=1)
    _, _, h3 = run(30, seed=2)
    assert h1.losses == h2.losses
    assert h1.losses["d_loss"] != h3.losses["d_loss"]


def test_snapshots_and_callbacks():
    seen = []
    G, D, h = run(10, snapshot=lambda step: step.G(torch.zeros(3, 4)), snapshot_every=5, callbacks=[lambda s: seen.append(s.step)])
    assert [s for s, _ in h.snapshots] == [0, 5, 10] and h.snapshots[0][1].shape == (3, 1)
    assert seen == list(range(1, 11))
    _, _, h = run(7, snapshot=lambda step: 0, snapshot_every=5)
    assert [s for s, _ in h.snapshots] == [0, 5, 7]  # the last step is always kept


def test_stop_training_from_a_callback():
    def stop(state):
        if state.step == 4:
            raise train.StopTraining

    _, _, h = run(10, callbacks=[stop])
    assert h.step == [1, 2, 3, 4]


def test_resume_after_an_interruption_matches_an_uninterrupted_run(tmp_path):
    G_full, D_full, h_full = run(20)

    def interrupt(state):
        if state.step == 14:  # e.g. a Colab disconnect; the last checkpoint is at step 12
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(20, checkpoint_dir=tmp_path, checkpoint_every=4, callbacks=[interrupt])
    G, D, h = run(20, checkpoint_dir=tmp_path, checkpoint_every=4, seed=123)  # fresh weights, then resume
    assert h.resumed_from == 12
    assert torch.equal(params(G, D), params(G_full, D_full))
    assert h.losses == h_full.losses and h.step == h_full.step
    # Already finished: resuming again trains nothing more.
    _, _, again = run(20, checkpoint_dir=tmp_path, checkpoint_every=4)
    assert again.resumed_from == 20 and again.step == h_full.step


KILLED_RUN = """
import os, signal, sys
sys.path.insert(0, {tests!r})
from test_train import run
def die(state):
    if state.step == 13:
        os.kill(os.getpid(), signal.SIGKILL)
run(20, checkpoint_dir={ckpt!r}, checkpoint_every=5, callbacks=[die])
"""


def test_a_killed_process_loses_at_most_one_interval(tmp_path):
    script = KILLED_RUN.format(tests=str(Path(__file__).parent), ckpt=str(tmp_path))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.pt"]  # no temporary file left
    assert bookkeeping.load_checkpoint(tmp_path / "latest.pt")["step"] == 10
    G, D, h = run(20, checkpoint_dir=tmp_path, checkpoint_every=5)
    G_full, D_full, _ = run(20)
    assert h.resumed_from == 10 and h.step[-1] == 20
    assert torch.equal(params(G, D), params(G_full, D_full))


def test_checkpoint_writes_are_atomic(tmp_path, monkeypatch):
    path = tmp_path / "latest.pt"
    bookkeeping.save_checkpoint(path, {"step": 1})

    def dies_halfway(obj, f, *a, **k):
        f.write(b"half a checkpoint")
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", dies_halfway)
    with pytest.raises(OSError, match="disk full"):
        bookkeeping.save_checkpoint(path, {"step": 2})
    monkeypatch.undo()
    assert bookkeeping.load_checkpoint(path) == {"step": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["latest.pt"]


def test_corrupt_checkpoint_is_reported(tmp_path):
    (tmp_path / "latest.pt").write_bytes(b"\x80\x02garbage")
    with pytest.raises(ValueError, match="cannot read the checkpoint"):
        run(5, checkpoint_dir=tmp_path, checkpoint_every=5)


def test_checkpoint_of_another_model_is_reported(tmp_path):
    run(5, checkpoint_dir=tmp_path, checkpoint_every=5)
    G, D = MLPGenerator(z_dim=4, hidden=8), MLPDiscriminator(hidden=8)
    step = GANStep(G, D, torch.optim.Adam(D.parameters()), torch.optim.Adam(G.parameters()))
    with pytest.raises(ValueError, match="different model"):
        train.train(step, Stream(), 5, checkpoint_dir=tmp_path, checkpoint_every=5, progress=False)


def test_nan_loss_stops_with_step_and_last_good_checkpoint(tmp_path):
    def g_loss(logits):
        g_loss.calls += 1
        loss = losses.nonsaturating_g_loss(logits)
        return loss * float("nan") if g_loss.calls == 7 else loss

    g_loss.calls = 0
    with pytest.raises(train.TrainingDiverged, match=r"step 7.*latest.pt \(step 5\)"):
        run(20, g_loss=g_loss, checkpoint_dir=tmp_path, checkpoint_every=5)
    g_loss.calls = 0
    with pytest.raises(train.TrainingDiverged, match="no checkpoint was written"):
        run(20, g_loss=g_loss)


class Images:
    def __init__(self, scale=1.0, size=8):
        self.scale, self.size = scale, size

    def __iter__(self):
        return self

    def __next__(self):
        return self.scale * torch.rand(4, 1, self.size, self.size)


class ImageG(torch.nn.Module):
    def __init__(self, size=8):
        super().__init__()
        self.lin, self.size = torch.nn.Linear(2, size * size), size

    def forward(self, z):
        return torch.tanh(self.lin(z)).view(-1, 1, self.size, self.size)

    def sample_z(self, n):
        return torch.randn(n, 2)


class ImageD(torch.nn.Module):
    def __init__(self, size=8, out=1):
        super().__init__()
        self.lin, self.out = torch.nn.Linear(size * size, out), out

    def forward(self, x):
        y = self.lin(x.flatten(1))
        return y.squeeze(1) if self.out == 1 else y


def train_images(data, G=None, D=None):
    G, D = G or ImageG(), D or ImageD()
    step = GANStep(G, D, torch.optim.SGD(D.parameters(), 0.1), torch.optim.SGD(G.parameters(), 0.1))
    return train.train(step, data, 2, progress=False)


def train_once(batches):
    return train.train(GANStep(*make()), batches, 1, progress=False)


def test_clear_errors_for_mismatched_data_and_models():
    with pytest.raises(ValueError, match=r"\[-1, 1\].*the real batch spans \["):
        train_images(Images(scale=255.0))
    with pytest.raises(ValueError, match=r"G makes samples of shape \(1, 8, 8\).*\(1, 10, 10\)"):
        train_images(Images(size=10), D=ImageD(size=10))
    with pytest.raises(ValueError, match="one logit per sample"):
        train_images(Images(), D=ImageD(out=3))
    with pytest.raises(ValueError, match="different devices"):
        train_once(iter([torch.zeros(4, 1, device="meta")]))
    with pytest.raises(ValueError, match="NaN"):
        train_once(iter([torch.full((4, 1), float("nan"))]))
    with pytest.raises(TypeError, match="takes batches of real samples as tensors"):
        train_once(iter([(torch.zeros(4, 1), torch.zeros(4))]))
    with pytest.raises(ValueError, match="data stream is empty"):
        train_once(iter([]))
    with pytest.raises(ValueError, match="ran out after 3 batches"):
        train.train(GANStep(*make()), iter([torch.zeros(4, 1)] * 3), 5, progress=False)
    with pytest.raises(TypeError, match="must be an iterator"):
        train_once([torch.zeros(4, 1)])


def test_bad_arguments():
    with pytest.raises(ValueError, match="steps"):
        run(-1)
    with pytest.raises(ValueError, match="n_critic"):
        run(3, n_critic=0)
    with pytest.raises(ValueError, match="autocast"):
        run(3, autocast=torch.float16)
    with pytest.raises(ValueError, match="sync_every"):
        run(3, sync_every=0)
    with pytest.raises(ValueError, match="checkpoint_dir"):
        run(3, checkpoint_every=2)


def test_fit_discriminator_approaches_the_optimal_discriminator():
    from gan_course import data, theory
    from gan_course.models.gan import MLPDiscriminator

    torch.manual_seed(0)
    real, fake = data.mixture_1d((-1.0,), std=1.0), data.mixture_1d((1.0,), std=1.0)
    D = MLPDiscriminator(data_dim=1, hidden=32, depth=2)
    opt = torch.optim.Adam(D.parameters(), lr=3e-3)
    history = fit_discriminator(D, real.batches(512, seed=0), fake.batches(512, seed=1), steps=300, d_opt=opt)
    assert len(history) == 300 and history[-1] < history[0]
    x = torch.linspace(-2, 2, 41).unsqueeze(1)
    d_star = theory.optimal_discriminator(real.density(x), fake.density(x))  # sigmoid(-2x) here
    with torch.no_grad():
        assert (torch.sigmoid(D(x)) - d_star).abs().max() < 0.1


def test_fit_discriminator_calls_after_step_and_checks_shapes():
    from gan_course.models.gan import MLPDiscriminator

    D = MLPDiscriminator(data_dim=2, hidden=8, depth=1)
    opt = torch.optim.RMSprop(D.parameters(), lr=1e-2)
    batches = iter(lambda: torch.randn(16, 2), None)

    def clip(D):
        for p in D.parameters():
            p.clamp_(-0.01, 0.01)

    fit_discriminator(D, batches, batches, steps=5, d_opt=opt, d_loss=losses.wasserstein_d_loss, after_step=clip)
    assert max(p.abs().max().item() for p in D.parameters()) <= 0.01
    with pytest.raises(ValueError, match="differ in shape"):
        fit_discriminator(D, batches, iter(lambda: torch.randn(16, 3), None), steps=1, d_opt=opt)


def test_the_loop_lesson_01_shows_is_short_and_reads_like_algorithm_1():
    import inspect

    source = inspect.getsource(train.train)
    assert len(source.splitlines()) <= 60
    for line in ("for number of training iterations", "for k steps", "update D by ascending",
                 "update G by descending"):
        assert line in source  # each line of Algorithm 1 beside the code that implements it
