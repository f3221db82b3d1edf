import random

import numpy as np
import pytest
import torch

import gan_course
from gan_course import runtime


def test_profiles_resolve(monkeypatch):
    monkeypatch.delenv("GAN_COURSE_PROFILE", raising=False)
    for name in ("smoke", "cpu", "gpu"):
        assert gan_course.profile(name).name == name
    expected = "gpu" if torch.cuda.is_available() else "cpu"
    assert gan_course.profile("auto").name == expected
    assert gan_course.profile().requested == "auto"


def test_env_overrides_auto_only(monkeypatch):
    monkeypatch.setenv("GAN_COURSE_PROFILE", "smoke")
    assert gan_course.profile("auto").name == "smoke"
    assert gan_course.profile("cpu").name == "cpu"  # an explicit name wins
    monkeypatch.setenv("GAN_COURSE_PROFILE", "fast")
    with pytest.raises(ValueError, match="GAN_COURSE_PROFILE='fast'.*smoke"):
        gan_course.profile("auto")


def test_unknown_profile():
    with pytest.raises(ValueError, match=r"unknown profile 'laptop'; expected one of \('auto', 'smoke', 'cpu', 'gpu'\)"):
        gan_course.profile("laptop")


def test_pick_and_description():
    p = gan_course.profile("cpu")
    assert p.pick(smoke=1, cpu=2, gpu=3) == 2
    assert "10 min" in str(p)


def test_device_prefers_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert gan_course.device().type == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert gan_course.device().type == "mps"
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert gan_course.device().type == "cpu"


def test_seed_everything_seeds_all_generators():
    def draw():
        return random.random(), np.random.rand(), torch.rand(1).item()

    gan_course.seed_everything(7)
    first = draw()
    gan_course.seed_everything(7)
    assert draw() == first
    gen = gan_course.seed_everything(8)
    assert draw() != first and isinstance(gen, torch.Generator)
    for bad in (-1, 1.5, "3", True):
        with pytest.raises(ValueError, match="non-negative integer"):
            gan_course.seed_everything(bad)


def test_describe_machine_and_colab():
    assert torch.__version__ in runtime.describe_machine()
    assert gan_course.in_colab() is False


def test_limit_threads_sets_blas_and_torch_threads_and_refuses_nonsense():
    import threadpoolctl

    before_torch = torch.get_num_threads()
    try:
        with threadpoolctl.threadpool_limits(limits=None):  # restores the BLAS pools on exit
            runtime.limit_threads(1)
            assert torch.get_num_threads() == 1
            assert all(pool["num_threads"] == 1 for pool in threadpoolctl.threadpool_info()
                       if pool["user_api"] == "blas")
            torch.set_num_threads(before_torch)
            runtime.limit_threads(1, torch_ops=False)
            assert torch.get_num_threads() == before_torch
    finally:
        torch.set_num_threads(before_torch)
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="positive integer"):
            runtime.limit_threads(bad)


def test_torch_threads_sets_the_number_inside_the_block_and_restores_it_even_after_an_error():
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        with runtime.torch_threads(1):
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2
        with pytest.raises(RuntimeError, match="inside"), runtime.torch_threads(1):
            raise RuntimeError("inside")
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="positive integer"), runtime.torch_threads(bad):
            pass
    assert torch.get_num_threads() == before
