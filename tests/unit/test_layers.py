import pytest
import torch

from gan_course.layers import MinibatchStdDev


def test_minibatch_stddev_appends_the_mean_standard_deviation():
    x = torch.tensor([[0.0, 1.0], [2.0, 5.0]])  # per-feature std over the batch: 1 and 2 -> mean 1.5
    out = MinibatchStdDev(eps=0.0)(x)
    assert out.shape == (2, 3)
    assert torch.equal(out[:, :2], x) and torch.allclose(out[:, 2], torch.tensor([1.5, 1.5]))
    images = torch.randn(4, 3, 5, 5)
    out = MinibatchStdDev()(images)
    assert out.shape == (4, 4, 5, 5) and torch.allclose(out[:, 3], out[0, 3].expand(4, 5, 5))


def test_minibatch_stddev_tells_a_collapsed_batch_and_passes_gradients():
    collapsed = MinibatchStdDev()(torch.ones(8, 2))
    varied = MinibatchStdDev()(torch.randn(8, 2, generator=torch.Generator().manual_seed(0)))
    assert collapsed[0, 2] < 1e-3 < varied[0, 2]
    x = torch.randn(4, 2, requires_grad=True)
    MinibatchStdDev()(x)[:, 2].sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_minibatch_stddev_refuses_single_samples_and_odd_shapes():
    with pytest.raises(ValueError, match="B >= 2"):
        MinibatchStdDev()(torch.randn(1, 3))
    with pytest.raises(ValueError, match=r"\(B, C\)"):
        MinibatchStdDev()(torch.randn(4, 3, 2))
