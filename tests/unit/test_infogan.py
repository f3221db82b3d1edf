"""InfoGAN's networks, information terms and step: shapes, what each loss trains, the bound's ceiling,
the Hungarian code accuracy, and a short run that resumes exactly."""

import math

import pytest
import torch

from gan_course import train
from gan_course.models import infogan

SMALL = infogan.InfoGANConfig(z_dim=8, width=4)


def test_shapes_codes_and_bad_inputs():
    torch.manual_seed(0)
    G, D, Q = infogan.build(SMALL)
    z, cat, cont = G.sample_codes(6)
    assert z.shape == (6, 8) and cat.shape == (6,) and cont.shape == (6, 2)
    assert cat.max() < 10 and cont.abs().max() <= 1
    x = G(z, cat, cont)
    assert x.shape == (6, 1, 28, 28) and D(x).shape == (6,)
    logits, means = Q(D.features(x))
    assert logits.shape == (6, 10) and means.shape == (6, 2)
    with pytest.raises(ValueError, match="categorical codes"):
        G(z, cat[:5], cont)
    with pytest.raises(ValueError, match=r"\(B, 1, 28, 28\)"):
        D(torch.zeros(2, 1, 32, 32))
    seeded = [G.sample_codes(3, generator=torch.Generator().manual_seed(4)) for _ in range(2)]
    assert all(torch.equal(a, b) for a, b in zip(*seeded))


def test_the_information_terms_are_a_cross_entropy_and_half_a_squared_error():
    logits = torch.tensor([[2.0, 0.0], [0.0, 1.0]])
    means = torch.tensor([[0.5, -0.5], [0.0, 0.0]])
    cat, cont = torch.tensor([0, 0]), torch.tensor([[0.5, 0.5], [1.0, -1.0]])
    cat_term, cont_term = infogan.information_terms(logits, means, cat, cont)
    expected_ce = (-torch.log_softmax(logits, 1)[[0, 1], [0, 0]]).mean()
    assert cat_term.item() == pytest.approx(expected_ce.item())
    assert cont_term.item() == pytest.approx(0.5 * (1.0 + 2.0) / 2)  # rows: (0 + 1), (1 + 1); halved, averaged


@pytest.mark.parametrize("lam", [1.0, 0.0])
def test_d_and_q_learn_the_information_term_together_and_g_leaves_them_alone(lam):
    torch.manual_seed(0)
    config = infogan.InfoGANConfig(z_dim=8, width=4, lambda_categorical=lam, lambda_continuous=0.1 * lam)
    G, D, Q = infogan.build(config)
    step = infogan.InfoGANStep(G, D, Q, config)
    real = torch.rand(16, 1, 28, 28) * 2 - 1
    d_before, q_before = [p.clone() for p in D.parameters()], [p.clone() for p in Q.parameters()]
    out = step.g_step(real)
    assert all(torch.equal(a, b) for a, b in zip(d_before, D.parameters()))  # D and Q are not G's to train
    assert all(torch.equal(a, b) for a, b in zip(q_before, Q.parameters()))
    assert out["mi_bound"].item() <= math.log(10) + 1e-6
    assert out["mi_bound"].item() == pytest.approx(math.log(10) - out["info_categorical"].item())
    g_before = [p.clone() for p in G.parameters()]
    step.d_step(real)
    assert all(torch.equal(a, b) for a, b in zip(g_before, G.parameters()))
    assert any(not torch.equal(a, b) for a, b in zip(d_before, D.parameters()))
    q_moved = any(not torch.equal(a, b) for a, b in zip(q_before, Q.parameters()))
    assert q_moved == (lam > 0)  # Q learns only through the information term, which lambda = 0 switches off
    # G's gradient: from -log D alone when lambda = 0, the information term added otherwise
    z, cat, cont = G.sample_codes(16)
    fake = G(z, cat, cont)
    features = D.features(fake)
    adversarial = -torch.nn.functional.logsigmoid(D.head(features)).mean()
    info = sum(w * t for w, t in zip((config.lambda_categorical, config.lambda_continuous),
                                     infogan.information_terms(*Q(features), cat, cont)))
    grads = torch.autograd.grad(adversarial + info, list(G.parameters()), retain_graph=True)
    plain = torch.autograd.grad(adversarial, list(G.parameters()))
    same = all(torch.allclose(a, b) for a, b in zip(grads, plain))
    assert same == (lam == 0)


def test_code_accuracy_matches_codes_to_digits_one_to_one():
    class Judge(torch.nn.Module):  # "classifies" an image by the constant value it holds
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(()))

        def forward(self, x):
            digit = ((x[:, 0, 0, 0] + 1) * 4.5).round().long()  # images of value -1 + digit / 4.5
            return torch.nn.functional.one_hot(digit, 10).float() * 10 + self.w

    class CodeToDigit(infogan.InfoGANGenerator):  # code value k draws digit (3 k + 1) mod 10, or 0 if noisy
        def forward(self, z, categorical, continuous):
            digit = (3 * categorical + 1) % 10
            digit = torch.where(z[:, 0] > 1.5, torch.zeros_like(digit), digit)  # about 7% of samples wrong
            images = (-1 + digit.float() / 4.5)[:, None, None, None].expand(-1, 1, 28, 28)
            return images + 0 * self.net.net[0].weight.sum()

    G = CodeToDigit(SMALL)
    accuracy, mapping, counts = infogan.categorical_code_accuracy(G, Judge(), per_code=200, seed=1)
    assert mapping == [(3 * k + 1) % 10 for k in range(10)]
    assert counts.sum() == 2000 and 0.9 < accuracy < 0.96  # P(z > 1.5) = 6.7%, except code 3 that draws 0 anyway
    assert accuracy == pytest.approx(counts[torch.arange(10), torch.tensor(mapping)].sum().item() / 2000)


def test_a_short_run_resumes_exactly(tmp_path):
    images = torch.rand(64, 1, 28, 28) * 2 - 1
    from gan_course.data import DeviceBatches

    def run(steps, folder, seed=0):
        torch.manual_seed(seed)
        G, D, Q = infogan.build(SMALL)
        step = infogan.InfoGANStep(G, D, Q, SMALL)
        torch.manual_seed(1)
        history = train.train(step, DeviceBatches(images, batch_size=16, seed=0), steps, checkpoint_dir=folder,
                              checkpoint_every=3, progress=False)
        return step, history

    full, h_full = run(6, tmp_path / "full")
    assert set(h_full.losses) == {"d_loss", "g_loss", "info_categorical", "mi_bound"}
    run(3, tmp_path / "cut")
    resumed, h = run(6, tmp_path / "cut", seed=5)
    assert h.resumed_from == 3 and h.losses == h_full.losses
    for name in ("G", "D", "Q"):
        for a, b in zip(getattr(full, name).parameters(), getattr(resumed, name).parameters()):
            assert torch.equal(a, b), name


def test_a_code_that_tilts_the_digit_correlates_with_slant_and_not_with_width():
    class Tilting(infogan.InfoGANGenerator):  # a bar whose lean follows c2 and whose width follows nothing
        def forward(self, z, categorical, continuous):
            images = torch.full((len(z), 1, 28, 28), -1.0)
            for i, lean in enumerate(continuous[:, 0].tolist()):
                for row in range(4, 24):
                    col = round(13 + lean * 2 * (14 - row) / 10)
                    images[i, 0, row, col:col + 2] = 1.0
            return images + 0 * self.net.net[0].weight.sum()

    G = Tilting(SMALL)
    sweep = infogan.sweep_code(G, 0, torch.linspace(-2, 2, 5), per_value=3)
    assert sweep.shape == (5, 3, 1, 28, 28)
    rho = infogan.code_correlations(G, per_value=4)
    assert rho["c2"]["slant"] > 0.95 and abs(rho["c3"]["slant"]) < 1e-9 and abs(rho["c2"]["thickness"]) < 0.5
    with pytest.raises(ValueError, match="continuous codes 0..1"):
        infogan.sweep_code(G, 2, torch.zeros(2))


def test_the_recipe_stores_the_generator_and_its_information_curve(tmp_path):
    entry = infogan.train_recipe("infogan-no-info", seed=0, epochs=1, limit=128, root=tmp_path / "registry",
                                 verbose=False, register=True, cache=tmp_path / "cache")
    metrics = entry["metrics"]
    assert metrics["steps"] == 2 and 0 <= metrics["code_accuracy"] <= 1 and sorted(metrics["code_to_digit"]) == list(
        range(10))
    assert set(metrics["code_correlations"]) == {"c2", "c3"}
    G, stored = infogan.load("infogan-no-info", root=tmp_path / "registry")
    assert stored["curve_every"] == infogan.CURVE_EVERY and len(stored["mi_bound"]) == 1
    assert stored["mi_bound"][0] == metrics["final_mi_bound"] <= math.log(10)
    from gan_course import evaluation
    again, _, _ = infogan.categorical_code_accuracy(G, evaluation.load_classifier(), per_code=100, seed=0)
    assert again == pytest.approx(metrics["code_accuracy"])  # the stored weights were measured
    with pytest.raises(ValueError, match="unknown InfoGAN"):
        infogan.variant("info")
