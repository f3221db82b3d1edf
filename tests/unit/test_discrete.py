import pytest
import torch

from gan_course import discrete, losses
from gan_course.models.gan import MLPDiscriminator


def test_categorical_samples_one_hot_with_the_right_frequencies():
    dist = discrete.Categorical([0.1, 0.2, 0.7])
    x = dist.sample(20_000, generator=torch.Generator().manual_seed(0))
    assert x.shape == (20_000, 3) and set(x.unique().tolist()) == {0.0, 1.0} and (x.sum(1) == 1).all()
    assert torch.allclose(x.mean(0), dist.probs, atol=0.01)
    stream = dist.batches(8, seed=3)
    assert torch.equal(next(stream), next(dist.batches(8, seed=3)))


@pytest.mark.parametrize("probs", [[1.0], [0.5, 0.6], [-0.1, 1.1], [[0.5, 0.5]]])
def test_categorical_rejects_non_distributions(probs):
    with pytest.raises(ValueError, match="probability vector"):
        discrete.Categorical(probs)


def test_generator_rejects_unknown_output_and_bad_tau():
    with pytest.raises(ValueError, match="output"):
        discrete.CategoricalGenerator(4, output="softmax")
    with pytest.raises(ValueError, match="tau"):
        discrete.CategoricalGenerator(4, tau=0.0)


def generator_gradient(output: str) -> torch.Tensor:
    """The gradient of a D's verdict on G's samples with respect to G's logits."""
    torch.manual_seed(0)
    G = discrete.CategoricalGenerator(5, output=output)
    D = MLPDiscriminator(data_dim=5, hidden=16, depth=1)
    z = G.sample_z(64)
    logits = G.logits(z).detach().requires_grad_(True)
    if output == "argmax":
        samples = discrete.one_hot_argmax(logits)
        assert not samples.requires_grad  # no path back to the logits at all
        return torch.zeros_like(logits)
    samples = torch.nn.functional.gumbel_softmax(logits, tau=G.tau, hard=output == "straight-through")
    (grad,) = torch.autograd.grad(losses.nonsaturating_g_loss(D(samples)), logits)
    return grad


def test_argmax_samples_are_one_hot_and_piecewise_constant():
    torch.manual_seed(0)
    G = discrete.CategoricalGenerator(5, output="argmax")
    z = G.sample_z(32)
    x = G(z)
    assert x.shape == (32, 5) and (x.sum(1) == 1).all() and not x.requires_grad
    logits = G.logits(z).detach()
    top2 = logits.topk(2, dim=1).values
    clear = top2[:, 0] - top2[:, 1] > 1e-3  # rows without a near-tie
    nudged = discrete.one_hot_argmax(logits + 1e-4 * torch.randn_like(logits))
    assert clear.sum() > 16 and torch.equal(nudged[clear], x[clear])  # small changes change nothing: derivative 0


@pytest.mark.parametrize("output", ["gumbel", "straight-through"])
def test_relaxed_outputs_pass_gradient(output):
    assert generator_gradient(output).abs().sum() > 0


def test_gumbel_is_relaxed_and_straight_through_is_one_hot():
    torch.manual_seed(0)
    soft = discrete.CategoricalGenerator(4, output="gumbel")
    hard = discrete.CategoricalGenerator(4, output="straight-through")
    z = soft.sample_z(100)
    x_soft, x_hard = soft(z), hard(z)
    assert torch.allclose(x_soft.sum(1), torch.ones(100)) and (x_soft.max(1).values < 1).any()
    assert set(x_hard.detach().unique().tolist()) <= {0.0, 1.0} and x_hard.requires_grad


def test_frequencies_sum_to_one():
    torch.manual_seed(0)
    f = discrete.CategoricalGenerator(6).frequencies(1000)
    assert f.shape == (6,) and abs(f.sum().item() - 1) < 1e-6
