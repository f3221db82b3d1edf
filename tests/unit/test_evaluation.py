import pytest
import torch

from gan_course import data, evaluation, metrics
from gan_course.models.dcgan import DCGANGenerator


@pytest.fixture(scope="module")
def digits():
    return data.load_mnist("train", verbose=False), data.load_mnist("test", verbose=False)


@pytest.fixture(scope="module")
def scorer(digits):
    return evaluation.Scorer(evaluation.load_classifier(), real=digits[1].images)


def test_class_coverage_counts_classes_with_half_a_fair_share():
    assert evaluation.class_coverage(torch.arange(10).repeat(10)) == 10
    assert evaluation.class_coverage(torch.zeros(50, dtype=torch.long)) == 1
    # 3 of 100 is below half of a fair share (5 of 100): not covered
    labels = torch.cat([torch.full((97,), 1), torch.full((3,), 2)])
    assert evaluation.class_coverage(labels) == 1
    with pytest.raises(ValueError, match="1D"):
        evaluation.class_coverage(torch.zeros(2, 3, dtype=torch.long))


def test_real_digits_score_like_real_mnist(scorer, digits):
    scores = scorer.score(digits[0].images)
    # held-out real digits: the literature's 9.88 on the MNIST test set, all 10 classes, a small FID
    assert scores.inception_score > 9.7 and scores.classes == 10
    assert scores.precision > 0.7 and scores.recall > 0.7 and scores.fid < 60
    assert sum(scores.class_shares) == pytest.approx(1, abs=1e-3) and scores.n == len(digits[0])


def test_one_repeated_digit_and_noise_score_badly(scorer, digits):
    ones = digits[0].images[digits[0].labels == 1][:300]
    one_class = scorer.score(ones)
    assert one_class.classes == 1 and one_class.inception_score < 1.5 and one_class.recall < 0.2
    noise = scorer.score(torch.rand(300, 1, 28, 28) * 2 - 1)
    real = digits[0].images[torch.randperm(len(digits[0]), generator=torch.Generator().manual_seed(0))[:300]]
    assert noise.fid > 10 * scorer.score(real).fid


def test_scores_do_not_depend_on_the_order_of_the_images(scorer, digits):
    # the Inception Score's splits must not see one class each when the images are sorted by class
    # (contiguous splits of the class-sorted test set would score about 1; splits of 100 shuffled ones ~9.4)
    sorted_scores = scorer.score(digits[1].images)
    assert sorted_scores.inception_score > 9.0
    assert sorted_scores.fid == pytest.approx(0, abs=1e-9)  # the reference set against itself


def test_bad_images_are_refused_with_the_expected_shape_and_range(scorer):
    with pytest.raises(ValueError, match=r"\(N, 1, 28, 28\)"):
        scorer.score(torch.zeros(10, 28, 28))
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        scorer.score(torch.full((10, 1, 28, 28), 255.0))


def test_feature_extractor_gives_the_same_fid_in_torchmetrics(scorer, digits):
    fid_metric = pytest.importorskip("torchmetrics.image.fid")
    extractor = evaluation.FeatureExtractor(scorer.classifier)
    assert extractor.num_features == 256
    real, fake = digits[1].images, digits[0].images[:1000]
    library = fid_metric.FrechetInceptionDistance(feature=extractor, normalize=True)
    library.update(real, real=True)
    library.update(fake, real=False)
    ours = metrics.fid_from_features(extractor(real).double(), extractor(fake).double())
    assert library.compute().item() == pytest.approx(ours, rel=1e-3)


def test_sample_images_is_seeded_and_keeps_the_training_mode():
    torch.manual_seed(0)
    G = DCGANGenerator(z_dim=8, width=4)
    a, b = evaluation.sample_images(G, 7, seed=3, batch_size=3), evaluation.sample_images(G, 7, seed=3)
    assert a.shape == (7, 1, 28, 28) and torch.allclose(a, b, atol=1e-6)
    assert G.training
    with pytest.raises(ValueError, match="positive integer"):
        evaluation.sample_images(G, 0)


def test_nearest_neighbours_finds_a_copied_training_image(digits):
    pool = digits[0].images[:500]
    queries = torch.stack([pool[17], pool[250] + 0.01, digits[1].images[0]])
    index, distance = evaluation.nearest_neighbours(queries, pool, batch_size=2)
    assert index[:2].tolist() == [17, 250]
    assert distance[0] == 0 and distance[1] == pytest.approx(0.01, abs=1e-4)
    assert distance[2] > 0.2  # a held-out digit is far from every training image
    with pytest.raises(ValueError, match="one shape"):
        evaluation.nearest_neighbours(queries[:, :, :14], pool)


def test_decode_keeps_the_leading_shape_and_matches_sample_images():
    torch.manual_seed(0)
    G = DCGANGenerator(z_dim=8, width=4).train()
    z = torch.randn(3, 5, 8, generator=torch.Generator().manual_seed(1))  # e.g. 3 paths of 5 points
    images = evaluation.decode(G, z, batch_size=4)
    assert images.shape == (3, 5, 1, 28, 28) and G.training  # eval for decoding, training mode restored
    assert torch.allclose(images[1, 2], evaluation.decode(G, z[1, 2:3])[0], atol=1e-6)
    seeded = torch.randn(6, 8, generator=torch.Generator().manual_seed(7))
    assert torch.allclose(evaluation.sample_images(G, 6, seed=7), evaluation.decode(G, seeded), atol=1e-6)
    with pytest.raises(ValueError, match=r"\(\.\.\., 8\)"):
        evaluation.decode(G, torch.randn(4, 9))
    with pytest.raises(ValueError, match=r"\(\.\.\., 8\)"):
        evaluation.decode(G, torch.randn(8))


def test_classify_keeps_the_order_of_the_images(scorer, digits):
    test = digits[1]
    images, labels = test.images[::3][:300], test.labels[::3][:300]  # every class (the split is sorted by class)
    predicted, confidence = evaluation.classify(scorer.classifier, images, batch_size=64)
    assert predicted.shape == confidence.shape == (300,) and ((confidence > 0.1) & (confidence <= 1)).all()
    assert (predicted == labels).float().mean() > 0.95  # in order: the test digits' own labels
    assert torch.equal(evaluation.classify(scorer.classifier, images.flip(0))[0], predicted.flip(0))
    with pytest.raises(ValueError, match=r"\(N, 1, 28, 28\)"):
        evaluation.classify(scorer.classifier, images[:, 0])


def test_class_probabilities_are_the_rows_classify_reads(scorer, digits):
    images = digits[1].images[::7][:100]
    probs = evaluation.class_probabilities(scorer.classifier, images, batch_size=32)
    assert probs.shape == (100, 10) and torch.allclose(probs.sum(1), torch.ones(100), atol=1e-5)
    label, confidence = evaluation.classify(scorer.classifier, images)
    assert torch.equal(probs.argmax(1), label) and torch.allclose(probs.max(1).values, confidence)
    with pytest.raises(ValueError, match=r"\(N, 1, 28, 28\)"):
        evaluation.class_probabilities(scorer.classifier, images[0])


def test_flawed_sets_have_the_flaws_they_name(digits):
    train = digits[0]
    sets = evaluation.flawed_sets(train, 500, seed=3)
    assert tuple(sets) == evaluation.FLAWED and all(images.shape == (500, 1, 28, 28) for images in sets.values())
    _, distance = evaluation.nearest_neighbours(sets["real"], train.images)
    assert distance.max() < 1e-6  # real training digits, unchanged
    _, distance = evaluation.nearest_neighbours(sets["half the classes"], train.images)
    assert distance.max() < 1e-6 and (evaluation.classify(evaluation.load_classifier(), sets["half the classes"])[0]
                                      < 5).float().mean() > 0.95
    assert len(torch.unique(sets["ten images, repeated"], dim=0)) == 10
    blurred, real = sets["blurred"], sets["real"]
    assert (blurred - real).abs().mean() > 0.05 and blurred.mean().item() == pytest.approx(real.mean().item(), abs=0.05)
    noise = sets["noise"]
    assert -1 <= noise.min() and noise.max() <= 1 and noise.mean().abs() < 0.05
    again = evaluation.flawed_sets(train, 500, seed=3)
    assert all(torch.equal(sets[name], again[name]) for name in sets)  # deterministic from the seed
    assert not torch.equal(evaluation.flawed_sets(train, 500, seed=4)["real"], sets["real"])
    with pytest.raises(ValueError, match="n must be an integer from 10"):
        evaluation.flawed_sets(train, len(train) + 1)
    with pytest.raises(ValueError, match="all ten digits"):
        evaluation.flawed_sets(data.DigitData(train.images[:50], train.labels[:50] * 0, "one class"), 20)


def test_discriminator_features_pool_every_hidden_layer_and_keep_the_mode():
    from gan_course.models import dcgan

    _, D = dcgan.build(dcgan.VARIANTS["dcgan"])
    D.train()
    features = evaluation.discriminator_features(D, torch.randn(3, 1, 28, 28).clamp(-1, 1))
    width = dcgan.WIDTH
    assert features.shape == (3, (width + 2 * width + 4 * width) * 16)
    assert D.training  # left in the mode it was in
    with pytest.raises(ValueError, match="DCGANDiscriminator"):
        evaluation.discriminator_features(torch.nn.Linear(2, 1), torch.zeros(1, 2))


def test_linear_probe_learns_separable_classes_and_refuses_too_few_labels():
    g = torch.Generator().manual_seed(0)
    y = torch.arange(3).repeat_interleave(40)
    x = torch.randn(120, 5, generator=g) + 4 * torch.nn.functional.one_hot(y, 5).double().float()
    result = evaluation.linear_probe(x, y, x, y, per_class=10, draws=3)
    assert result["mean"] > 0.95 and len(result["accuracies"]) == 3 and result["C"] in (0.01, 0.1, 1.0)
    with pytest.raises(ValueError, match="per_class"):
        evaluation.linear_probe(x, y, x, y, per_class=41)


def test_best_matching_finds_a_permutation_in_disguise_and_refuses_bad_tables():
    counts = torch.zeros(3, 3, dtype=torch.long)
    counts[0, 2], counts[1, 0], counts[2, 1], counts[2, 2] = 5, 4, 3, 1
    share, mapping = evaluation.best_matching(counts)
    assert mapping == [2, 0, 1] and share == pytest.approx(12 / 13)
    assert evaluation.confusion(torch.tensor([0, 1, 1]), torch.tensor([1, 1, 0]), n_classes=2).tolist() == [[0, 1],
                                                                                                         [1, 1]]
    with pytest.raises(ValueError, match="square table"):
        evaluation.best_matching(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="one length"):
        evaluation.confusion(torch.tensor([0, 1]), torch.tensor([0]))
