"""Twin-GAN's networks and step: one encoder and one generator for both domains, told apart only by their
batch norms; what each update trains; the four loss terms by hand; retrieval; a short run that resumes."""

import pytest
import torch

from gan_course import layers, train
from gan_course.data.digits import DeviceBatches, DigitData, UnpairedBatches
from gan_course.models import twingan

SMALL = twingan.TwinGANConfig(width=4, n_residual=2, d_width=4, batch_size=4, steps=6)


def _batch(seed=0):
    gen = torch.Generator().manual_seed(seed)
    return tuple(torch.rand(4, 1, 28, 28, generator=gen) * 2 - 1 for _ in range(2))


def test_shapes_names_and_bad_inputs():
    nets = twingan.build(SMALL)
    assert list(nets) == ["E", "G", "D_X", "D_Y"]
    assert list(twingan.build(twingan.TwinGANConfig(width=4, shared_encoder=False))) == ["E_X", "E_Y", "G", "D_X", "D_Y"]
    h = nets["E"](torch.rand(3, 1, 28, 28))
    assert h.shape == (3, 16, 7, 7) and nets["G"](h, "Y").shape == (3, 1, 28, 28)
    with pytest.raises(ValueError, match="domain must be one of"):
        nets["G"](h, "Z")
    with pytest.raises(ValueError, match=r"\(B, 16, 7, 7\)"):
        nets["G"](torch.zeros(3, 8, 7, 7), "X")
    with pytest.raises(ValueError, match="n_residual >= 1"):
        twingan.TwinGANConfig(n_residual=0)


def test_the_two_domains_differ_only_in_their_batch_norms():
    torch.manual_seed(0)
    G = twingan.build(SMALL)["G"]
    norms = [m for m in G.modules() if isinstance(m, layers.DomainBatchNorm2d)]
    assert norms
    for m in norms:                                    # give domain Y its own scale and shift
        m.norms[1].weight.data.uniform_(0.5, 1.5)
        m.norms[1].bias.data.uniform_(-0.5, 0.5)
    h = torch.randn(2, 16, 7, 7)
    in_training = G(h, "Y")
    G.eval()   # no running statistics: in use, G normalises as in training, with the batch's own statistics
    assert torch.equal(G(h, "Y"), in_training)
    assert not any(buffer.numel() for buffer in G.buffers() if buffer.dtype.is_floating_point)
    assert not torch.allclose(G(h, "X"), G(h, "Y"))
    for m in norms:                                    # copy Y's batch norms into X: the outputs agree
        m.norms[0].load_state_dict(m.norms[1].state_dict())
    assert torch.allclose(G(h, "X"), G(h, "Y"))


def test_updates_train_only_their_own_networks():
    torch.manual_seed(0)
    nets = twingan.build(SMALL)
    step = twingan.TwinGANStep(nets, SMALL)
    before = {n: [p.clone() for p in m.parameters()] for n, m in nets.items()}

    def moved():
        return [any(not torch.equal(p, q) for p, q in zip(before[n], nets[n].parameters())) for n in nets]

    assert set(step.d_step(_batch())) == {"D_X", "D_Y"} and moved() == [False, False, True, True]
    before = {n: [p.clone() for p in m.parameters()] for n, m in nets.items()}
    assert set(step.g_step(_batch())) == {"G_adversarial", "reconstruction", "cycle"}
    assert moved() == [True, True, False, False]


def test_the_four_terms_by_hand():
    torch.manual_seed(0)
    nets = twingan.build(SMALL)
    step = twingan.TwinGANStep(nets, SMALL)
    x, y = _batch()
    E, G, D_X, D_Y = (nets[n] for n in ("E", "G", "D_X", "D_Y"))
    with torch.no_grad():
        x_to_y = G(E(x), "Y")
        reconstruction = (G(E(x), "X") - x).abs().mean() + (G(E(y), "Y") - y).abs().mean()
        cycle = (G(E(x_to_y), "X") - x).abs().mean()
        adversarial = (((D_X(G(E(x), "X")) - 1) ** 2).mean() + ((D_Y(G(E(y), "Y")) - 1) ** 2).mean()
                       + ((D_Y(x_to_y) - 1) ** 2).mean())
    out = step.g_step((x, y))
    assert out["reconstruction"].item() == pytest.approx(reconstruction.item(), rel=1e-5)
    assert out["cycle"].item() == pytest.approx(cycle.item(), rel=1e-5)
    assert out["G_adversarial"].item() == pytest.approx(adversarial.item(), rel=1e-5)


def test_separate_encoders_read_their_own_domain():
    torch.manual_seed(0)
    nets = twingan.build(twingan.TwinGANConfig(width=4, n_residual=2, d_width=4, shared_encoder=False))
    step = twingan.TwinGANStep(nets, twingan.TwinGANConfig(width=4, shared_encoder=False))
    assert step.encoder_of == {"X": "E_X", "Y": "E_Y"} and step.E_X is nets["E_X"] and step.E_Y is nets["E_Y"]
    before = [p.clone() for p in nets["E_Y"].parameters()]
    step.g_step(_batch())
    assert any(not torch.equal(p, q) for p, q in zip(before, nets["E_Y"].parameters()))  # via Y's and the cycle


def test_retrieval_counts_label_matches_of_the_nearest_neighbour():
    class Pixels(torch.nn.Module):       # an "encoder" that returns the image itself
        def __init__(self):
            super().__init__()
            self.p = torch.nn.Parameter(torch.zeros(()))

        def forward(self, x):
            return x

    gen = torch.Generator().manual_seed(0)
    pool_images = torch.rand(10, 1, 28, 28, generator=gen)
    pool = DigitData(pool_images, torch.arange(10), "test")
    queries = DigitData(pool_images[[3, 7, 1]] + 0.01, torch.tensor([3, 7, 2]), "test")
    share, nearest = twingan.retrieval_top1(Pixels(), Pixels(), queries, pool)
    assert nearest.tolist() == [3, 7, 1] and share == pytest.approx(2 / 3)


def test_a_short_run_resumes_exactly(tmp_path):
    x_images, y_images = (torch.rand(12, 1, 28, 28) * 2 - 1 for _ in range(2))

    def run(steps, directory):
        torch.manual_seed(0)
        nets = twingan.build(SMALL)
        batches = UnpairedBatches(DeviceBatches(x_images, batch_size=4, seed=0),
                                  DeviceBatches(y_images, batch_size=4, seed=1))
        train.train(twingan.TwinGANStep(nets, SMALL), batches, steps, checkpoint_dir=directory, checkpoint_every=3,
                    progress=False, log_every=0)
        return nets

    straight = run(6, tmp_path / "a")
    run(3, tmp_path / "b")
    resumed = run(6, tmp_path / "b")
    for name in straight:
        assert all(torch.equal(p, q) for p, q in zip(straight[name].state_dict().values(),
                                                      resumed[name].state_dict().values())), name


def test_measure_reads_switch_and_retrieval_and_the_recipe_stores_half_precision(tmp_path):
    entry = twingan.train_recipe("twingan-digits-separate-encoders", seed=0, epochs=1, limit=32,
                                 root=tmp_path / "registry", verbose=False, register=True, cache=tmp_path / "cache")
    metrics = entry["metrics"]
    assert metrics["steps"] == 2 and metrics["domain_classifier_accuracy"] > 0.9   # real handwritten vs printed
    for key in ("label_preservation_xy", "switch_to_y", "switch_to_x", "retrieval_top1", "pixel_retrieval_top1"):
        assert 0 <= metrics[key] <= 1, key
    nets = twingan.load("twingan-digits-separate-encoders", root=tmp_path / "registry")
    assert set(nets) == {"E_X", "E_Y", "G"}
    E_X, E_Y = twingan.encoders(nets)
    assert E_X is nets["E_X"] and E_Y is nets["E_Y"]
    with pytest.raises(ValueError, match="unknown Twin-GAN"):
        twingan.variant("twingan-faces")
