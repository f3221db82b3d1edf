"""The conditional GAN's networks and step: shapes, how D reads the condition, the matching-aware loss, and a
short training run with the course loop that resumes exactly."""

import pytest
import torch
import torch.nn.functional as F

from gan_course import train
from gan_course.data import DeviceBatches, captions
from gan_course.models import cgan


def labels(n=8):
    return torch.arange(n) % 10


def caption_ids(n=8):
    texts = [captions.caption(i % 10, {"thickness": i % 3 - 1, "slant": 0, "size": 1}) for i in range(n)]
    return captions.encode(texts)


@pytest.mark.parametrize("condition, y", [("label", labels()), ("caption", caption_ids())])
@pytest.mark.parametrize("conditioning", cgan.CONDITIONING)
def test_shapes_and_every_parameter_gets_a_gradient(condition, y, conditioning):
    torch.manual_seed(0)
    G, D = cgan.build(condition, conditioning, width=8, z_dim=16, dim=8)
    x = G(G.sample_z(8), y)
    assert x.shape == (8, 1, 28, 28) and x.abs().max() <= 1
    logits = D(x, y)
    assert logits.shape == (8,)
    (logits.sum() + x.sum()).backward()
    for name, net in (("G", G), ("D", D)):
        missing = [n for n, p in net.named_parameters() if p.grad is None or not p.grad.abs().sum() > 0]
        assert not missing, f"{name}: no gradient for {missing}"


def test_the_projection_discriminator_is_psi_plus_an_inner_product():
    torch.manual_seed(0)
    _, D = cgan.build("label", "projection", width=8, dim=8)
    x, y = torch.rand(5, 1, 28, 28) * 2 - 1, labels(5)
    phi = D.phi(x)
    expected = D.psi(phi).flatten() + (D.project(D.encoder(y)) * phi).sum(1)
    assert torch.allclose(D(x, y), expected)
    # the condition moves the logit only through <V e(y), phi(x)>: two labels differ by <V (e(a) - e(b)), phi>
    a, b = D(x, torch.zeros(5, dtype=torch.long)), D(x, torch.ones(5, dtype=torch.long))
    gap = (D.project(D.encoder.table.weight[0] - D.encoder.table.weight[1]) * phi).sum(1)
    assert torch.allclose(a - b, gap, atol=1e-5)


def test_the_caption_encoder_reads_words_not_their_order_or_padding():
    torch.manual_seed(0)
    enc = cgan.CaptionEncoder(dim=6)
    ids = captions.encode(["a thick seven slanting right, small"])
    shuffled = ids[:, [5, 4, 3, 2, 1, 0, 6]]
    assert torch.allclose(enc(ids), enc(shuffled))
    assert not torch.allclose(enc(ids), enc(captions.encode(["a thin seven slanting right, small"])))
    with pytest.raises(ValueError, match="at least one word"):
        enc(torch.zeros(1, 7, dtype=torch.long))


@pytest.mark.parametrize("bad, message", [
    (lambda G, D: G(torch.randn(3, 16), labels(4)), "B conditions"),
    (lambda G, D: D(torch.rand(2, 1, 32, 32), labels(2)), r"\(B, 1, 28, 28\)"),
    (lambda G, D: G(torch.randn(2, 16), torch.tensor([3, 10])), "integers 0..9"),
    (lambda G, D: G(torch.randn(2, 16), torch.tensor([3.0, 1.0])), "integers 0..9"),
])
def test_bad_inputs_are_refused(bad, message):
    G, D = cgan.build("label", width=8, z_dim=16, dim=8)
    with pytest.raises(ValueError, match=message):
        bad(G, D)
    with pytest.raises(ValueError, match="conditioning must be"):
        cgan.ConditionalDiscriminator(cgan.LabelEncoder(), conditioning="inner")
    with pytest.raises(ValueError, match="condition must be"):
        cgan.build("text")


def test_wrong_labels_are_always_another_class():
    y = torch.randint(0, 10, (1000,), generator=torch.Generator().manual_seed(0))
    wrong = cgan.roll_conditions(y)
    assert (wrong != y).all() and wrong.min() >= 0 and wrong.max() <= 9
    assert len(torch.unique(wrong)) == 10
    ids = caption_ids(6)
    assert torch.equal(cgan.roll_conditions(ids), ids.roll(1, 0))


class RecordingD(torch.nn.Module):
    """A D that returns fixed logits per kind of pair, to check the loss by hand."""

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(()))

    def forward(self, x, y):
        real = (x > 0).flatten(1).all(1)              # the test's real images are all +1, fakes all -1
        matched = (y == torch.arange(len(y)) % 10)    # the batch's own labels
        return self.w + torch.where(real & matched, 2.0, torch.where(real, -1.0, 0.5))


class ConstantG(torch.nn.Module):
    z_dim = 3

    def __init__(self):
        super().__init__()
        self.b = torch.nn.Parameter(torch.zeros(()))

    def forward(self, z, y):
        return torch.full((len(y), 1, 28, 28), -1.0) + 0 * self.b

    def sample_z(self, n):
        return torch.zeros(n, 3)


def test_the_matching_aware_loss_adds_wrong_pairs_as_half_of_the_negatives():
    G, D = ConstantG(), RecordingD()
    real, y = torch.ones(4, 1, 28, 28), labels(4)

    def d_loss(mismatch):
        step = cgan.ConditionalGANStep(G, D, torch.optim.SGD(D.parameters(), lr=0.0),
                                       torch.optim.SGD(G.parameters(), lr=0.0), mismatch=mismatch)
        return step.d_step((real, y))["d_loss"].item()

    bce = lambda logit, target: F.binary_cross_entropy_with_logits(torch.tensor(logit), torch.tensor(target))  # noqa
    plain = bce(2.0, 1.0) + bce(0.5, 0.0)                       # real pair, fake pair
    aware = bce(2.0, 1.0) + 0.5 * (bce(0.5, 0.0) + bce(-1.0, 0.0))  # ... and a real image with a wrong label
    assert d_loss(False) == pytest.approx(plain.item(), rel=1e-6)
    assert d_loss(True) == pytest.approx(aware.item(), rel=1e-6)


@pytest.mark.parametrize("mismatch", [False, True])
def test_a_short_run_trains_with_the_course_loop_and_resumes_exactly(tmp_path, mismatch):
    images = torch.rand(64, 1, 28, 28) * 2 - 1

    def run(steps, folder, seed=0):
        torch.manual_seed(seed)
        G, D = cgan.build("caption", "projection", width=4, z_dim=8, dim=4)
        step = cgan.ConditionalGANStep(G, D, torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999)),
                                       torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999)), mismatch=mismatch)
        torch.manual_seed(1)
        history = train.train(step, DeviceBatches(images, caption_ids(64), batch_size=16, seed=0), steps,
                              checkpoint_dir=folder, checkpoint_every=3, progress=False)
        return step, history

    full, h_full = run(6, tmp_path / "full")
    assert set(h_full.losses) == {"d_loss", "d_real", "d_fake", "g_loss"} | ({"d_wrong"} if mismatch else set())
    run(3, tmp_path / "cut")
    resumed, h = run(6, tmp_path / "cut", seed=5)
    assert h.resumed_from == 3
    for a, b in zip(full.G.parameters(), resumed.G.parameters()):
        assert torch.equal(a, b)


def test_conditions_fit_generate_and_evaluate_on_a_few_digits():
    from gan_course import data, evaluation

    train_digits = data.load_mnist("train", verbose=False)
    rule = captions.CaptionRule.fit(train_digits.images, train_digits.labels)
    few = data.DigitData(train_digits.images[::40], train_digits.labels[::40], train_digits.source)  # 100 digits
    ids = cgan.conditions_of(cgan.VARIANTS["cgan-caption-concat"], few, rule)
    assert ids.shape == (100, captions.MAX_WORDS) and captions.decode(ids)[0].startswith("a ")
    assert torch.equal(cgan.conditions_of(cgan.VARIANTS["cgan-label-projection"], few), few.labels)
    with pytest.raises(ValueError, match="CaptionRule"):
        cgan.conditions_of(cgan.VARIANTS["cgan-caption-concat"], few)
    config = cgan.CGANConfig(condition="caption", mismatch=True, width=4, z_dim=8, dim=4, batch_size=20)
    G, D, history = cgan.fit(config, few, 3, seed=0, rule=rule, progress=False)
    assert not G.training and len(history.losses["d_wrong"]) == 3
    again = cgan.fit(config, few, 3, seed=0, rule=rule, progress=False)[0]
    assert all(torch.equal(a, b) for a, b in zip(G.parameters(), again.parameters()))  # seeded
    samples = cgan.generate(G, ids, seed=1)
    assert samples.shape == (100, 1, 28, 28) and torch.equal(samples, cgan.generate(G, ids, seed=1))
    scores = cgan.evaluate(G, config, few, evaluation.load_classifier(), rule)
    assert 0 <= scores["class_accuracy"] <= 1 and set(scores["agreement"]) <= {
        "thin", "thick", "upright", "slanting right", "small", "large"}
    assert scores["mean_agreement"] == pytest.approx(sum(scores["agreement"].values()) / len(scores["agreement"]))


def test_the_recipe_stores_a_half_precision_generator_and_measures_what_it_stores(tmp_path):
    from gan_course import checkpoints

    entry = cgan.train_recipe("cgan-label-projection", seed=0, epochs=1, limit=128, root=tmp_path / "registry",
                              verbose=False, register=True, cache=tmp_path / "cache")
    assert entry["command"] == ("python -m gan_course train cgan-label-projection --seed 0 --epochs 1 --limit 128 "
                                "--register")
    metrics = entry["metrics"]
    assert metrics["steps"] == 2 and metrics["train_images"] == 128 and 0 <= metrics["class_accuracy"] <= 1
    state = checkpoints.load("cgan-label-projection", root=tmp_path / "registry")
    assert all(v.dtype == torch.float16 for v in state["G"].values() if v.is_floating_point())
    G = cgan.load("cgan-label-projection", root=tmp_path / "registry")
    from gan_course import data, evaluation
    train_digits = data.load_mnist("train", verbose=False)
    rule = captions.CaptionRule.fit(train_digits.images, train_digits.labels)
    again = cgan.evaluate(G, cgan.variant("cgan-label-projection"), data.load_mnist("test", verbose=False),
                          evaluation.load_classifier(), rule, seed=0)
    assert again["class_accuracy"] == pytest.approx(metrics["class_accuracy"])  # the stored weights were measured
    with pytest.raises(ValueError, match="unknown conditional GAN"):
        cgan.variant("cgan")


def test_conditions_from_text_are_token_ids_or_the_named_digit():
    caption_config, label_config = cgan.variant("cgan-caption-concat"), cgan.variant("cgan-label-concat")
    texts = ["a thick seven slanting right, small", "a two"]
    assert torch.equal(cgan.conditions_from_text(caption_config, texts), captions.encode(texts))
    assert cgan.conditions_from_text(label_config, texts).tolist() == [7, 2]
    with pytest.raises(ValueError, match="exactly one digit"):
        cgan.conditions_from_text(caption_config, ["a thick one seven"])
    with pytest.raises(ValueError, match="unknown word"):
        cgan.conditions_from_text(label_config, ["a bold seven"])
    with pytest.raises(ValueError, match="one string"):
        cgan.conditions_from_text(label_config, "a seven")
