"""The step protocol: models with several networks, dict batches and extra state train and resume exactly.

Two steps shaped like the course's later models: one with two generator/discriminator pairs
and dict batches (CycleGAN), one with an EMA copy of G and a fade-in alpha (PGGAN, StyleGAN).
An interrupted run resumed from its last checkpoint -- into freshly built, differently
seeded networks -- must end bit for bit where the uninterrupted run ends.
"""

import copy

import pytest
import torch
from torch import nn

from gan_course import bookkeeping, train
from gan_course.models.gan import GANStep, MLPDiscriminator, MLPGenerator


class TwoDomains:
    """An endless, resumable stream of dict batches {"A": (B, 2), "B": (B, 2)} from two shifted clouds."""

    def __init__(self, batch=16, seed=0):
        self.batch, self.gen = batch, torch.Generator().manual_seed(seed)

    def __iter__(self):
        return self

    def __next__(self):
        a = torch.randn(self.batch, 2, generator=self.gen) + torch.tensor([2.0, 0.0])
        b = 0.5 * torch.randn(self.batch, 2, generator=self.gen) - torch.tensor([0.0, 2.0])
        return {"A": a, "B": b}

    def state_dict(self):
        return {"gen": self.gen.get_state()}

    def load_state_dict(self, state):
        self.gen.set_state(state["gen"])


def mlp():
    return nn.Sequential(nn.Linear(2, 16), nn.LeakyReLU(0.2), nn.Dropout(0.1), nn.Linear(16, 2))


class CycleLikeStep(train.Step):
    """Two generators A->B, B->A and two least-squares discriminators, with a cycle-consistency loss."""

    networks = ("G_AB", "G_BA", "D_A", "D_B")
    optimizers = ("d_opt", "g_opt")

    def __init__(self, seed=0):
        torch.manual_seed(seed)
        self.G_AB, self.G_BA = mlp(), mlp()
        self.D_A, self.D_B = nn.Linear(2, 1), nn.Linear(2, 1)
        self.d_opt = torch.optim.Adam([*self.D_A.parameters(), *self.D_B.parameters()], 1e-3)
        self.g_opt = torch.optim.Adam([*self.G_AB.parameters(), *self.G_BA.parameters()], 1e-3)

    def d_step(self, batch):
        a, b = batch["A"], batch["B"]
        with torch.no_grad():
            fake_a, fake_b = self.G_BA(b), self.G_AB(a)
        d_a = ((self.D_A(a) - 1) ** 2).mean() + (self.D_A(fake_a) ** 2).mean()
        d_b = ((self.D_B(b) - 1) ** 2).mean() + (self.D_B(fake_b) ** 2).mean()
        self.d_opt.zero_grad(set_to_none=True)
        (d_a + d_b).backward()
        self.d_opt.step()
        return {"d_A": d_a.detach(), "d_B": d_b.detach()}

    def g_step(self, batch):
        a, b = batch["A"], batch["B"]
        fake_b, fake_a = self.G_AB(a), self.G_BA(b)
        adversarial = ((self.D_B(fake_b) - 1) ** 2).mean() + ((self.D_A(fake_a) - 1) ** 2).mean()
        cycle = (self.G_BA(fake_b) - a).abs().mean() + (self.G_AB(fake_a) - b).abs().mean()
        self.g_opt.zero_grad(set_to_none=True)
        (adversarial + 10 * cycle).backward()
        self.g_opt.step()
        return {"g_adv": adversarial.detach(), "cycle": cycle.detach()}


class EMAStep(GANStep):
    """A GAN step that keeps an exponential moving average of G and a fade-in alpha as extra state."""

    networks = ("G", "D", "G_ema")

    def __init__(self, seed=0):
        torch.manual_seed(seed)
        G, D = MLPGenerator(z_dim=4, data_dim=1, hidden=16), MLPDiscriminator(data_dim=1, hidden=16)
        super().__init__(G, D, torch.optim.Adam(D.parameters(), 1e-3), torch.optim.Adam(G.parameters(), 1e-3))
        self.G_ema = copy.deepcopy(G).requires_grad_(False)
        self.updates, self.alpha = 0, 0.0

    def g_step(self, real):
        out = super().g_step(real)
        self.updates += 1
        self.alpha = min(1.0, self.alpha + 0.07)  # a fade-in schedule
        beta = min(0.99, (1 + self.updates) / (10 + self.updates))  # warm-up: depends on the counter
        with torch.no_grad():
            for p_ema, p in zip(self.G_ema.parameters(), self.G.parameters()):
                p_ema.lerp_(p, 1 - beta)
        return {**out, "alpha": torch.tensor(self.alpha)}

    def extra_state(self):
        return {"updates": self.updates, "alpha": self.alpha}

    def load_extra_state(self, state):
        self.updates, self.alpha = state["updates"], state["alpha"]


class Mixture1D:
    def __init__(self, seed=0):
        self.gen = torch.Generator().manual_seed(seed)

    def __iter__(self):
        return self

    def __next__(self):
        return 2.0 * (torch.randint(0, 2, (32, 1), generator=self.gen) * 2 - 1) + 0.3 * torch.randn(32, 1, generator=self.gen)

    def state_dict(self):
        return {"gen": self.gen.get_state()}

    def load_state_dict(self, state):
        self.gen.set_state(state["gen"])


CASES = {"two pairs, dict batches": (CycleLikeStep, TwoDomains), "EMA copy and fade-in": (EMAStep, Mixture1D)}


def everything(step):
    """All the numbers a step holds: networks' parameters and buffers, optimizer moments, extra state."""
    tensors = [t.detach().flatten().float() for m in step.modules().values()
               for t in (*m.parameters(), *m.buffers())]
    for name in step.optimizers:
        for state in getattr(step, name).state.values():
            tensors += [v.flatten().float() for v in state.values() if torch.is_tensor(v)]
    return torch.cat(tensors), step.extra_state()


@pytest.mark.parametrize("case", CASES)
def test_an_interrupted_run_resumes_bit_for_bit(tmp_path, case):
    make_step, make_data = CASES[case]
    full = make_step()
    h_full = train.train(full, make_data(), 20, progress=False)

    def interrupt(state):
        if state.step == 14:  # the last checkpoint is at step 12
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train.train(make_step(), make_data(), 20, checkpoint_dir=tmp_path, checkpoint_every=4,
                    callbacks=[interrupt], progress=False)
    resumed = make_step(seed=123)  # other weights: everything must come from the checkpoint
    torch.manual_seed(999)  # another random state too
    h = train.train(resumed, make_data(seed=5), 20, checkpoint_dir=tmp_path, checkpoint_every=4, progress=False)
    assert h.resumed_from == 12
    assert h.losses == h_full.losses and h.step == h_full.step
    (numbers, extra), (numbers_full, extra_full) = everything(resumed), everything(full)
    assert torch.equal(numbers, numbers_full) and extra == extra_full


def test_every_named_loss_is_recorded_and_d_losses_are_averaged_over_n_critic():
    step = CycleLikeStep()
    step.n_critic = 3
    seen = []
    d_step = step.d_step
    step.d_step = lambda batch: seen.append(d_step(batch)) or seen[-1]
    history = train.train(step, TwoDomains(), 2, progress=False)
    assert set(history.losses) == {"d_A", "d_B", "g_adv", "cycle"}
    first = sum(d["d_A"].item() for d in seen[:3]) / 3
    assert history.losses["d_A"][0] == pytest.approx(first, rel=1e-6)


def test_a_checkpoint_keeps_every_network_and_optimizer_by_name(tmp_path):
    train.train(CycleLikeStep(), TwoDomains(), 4, checkpoint_dir=tmp_path, checkpoint_every=2, progress=False)
    saved = bookkeeping.load_checkpoint(tmp_path / "latest.pt")
    assert set(saved["model"]["networks"]) == {"G_AB", "G_BA", "D_A", "D_B"}
    assert set(saved["model"]["optimizers"]) == {"d_opt", "g_opt"}
    assert saved["batches"] is not None and saved["step"] == 4
    ema_dir = tmp_path / "ema"
    train.train(EMAStep(), Mixture1D(), 3, checkpoint_dir=ema_dir, checkpoint_every=3, progress=False)
    assert bookkeeping.load_checkpoint(ema_dir / "latest.pt")["model"]["extra"]["updates"] == 3


def test_a_checkpoint_of_another_step_is_refused(tmp_path):
    train.train(EMAStep(), Mixture1D(), 2, checkpoint_dir=tmp_path, checkpoint_every=2, progress=False)
    with pytest.raises(ValueError, match=r"different model.*networks \['D', 'G', 'G_ema'\]"):
        train.train(CycleLikeStep(), TwoDomains(), 4, checkpoint_dir=tmp_path, checkpoint_every=2, progress=False)


def test_a_step_without_its_updates_says_what_is_missing():
    with pytest.raises(NotImplementedError, match=r"Step must define d_step\(batch\)"):
        train.train(train.Step(), iter([torch.zeros(2)] * 3), 1, progress=False)


def test_temporaries_of_a_killed_writer_are_removed_by_the_next_run(tmp_path):
    stale = tmp_path / ".latest.pt.abc123.tmp"
    stale.write_bytes(b"half a checkpoint")
    train.train(EMAStep(), Mixture1D(), 2, checkpoint_dir=tmp_path, checkpoint_every=2, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.pt"]


def test_nan_in_any_named_loss_stops_training():
    step = CycleLikeStep()
    g_step = step.g_step
    step.g_step = lambda batch: {**g_step(batch), "cycle": torch.tensor(float("nan"))}
    with pytest.raises(bookkeeping.TrainingDiverged, match="step 1: .*cycle=nan"):
        train.train(step, TwoDomains(), 3, progress=False)


def test_losses_are_plain_numbers_for_callbacks():
    seen = []
    train.train(EMAStep(), Mixture1D(), 3, callbacks=[lambda s: seen.append((s.step, s.losses, s.model))],
                progress=False)
    assert [s for s, _, _ in seen] == [1, 2, 3]
    assert all(isinstance(v, float) for _, row, _ in seen for v in row.values())
    assert seen[-1][1]["alpha"] == pytest.approx(0.21) and isinstance(seen[0][2], EMAStep)
