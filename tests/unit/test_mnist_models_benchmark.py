"""benchmarks/mnist_models.py: the operation count that matches the models' budgets, and one short run end to end."""

import json
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench(load_benchmark):
    return load_benchmark("mnist_models")


def test_a_step_is_counted_once_and_the_same_every_time(bench):
    once = bench.flops_per_step("dcgan")
    assert once == bench.flops_per_step("dcgan")         # a count, not a timing: the same on every call
    step, batches = bench.make("dcgan", 0, 10)
    bench.train.train(step, batches, 1, progress=False, log_every=0)
    counts = [bench.speed.count_flops(bench.train.train, step, batches, n, progress=False, log_every=0)[0]
              for n in (1, 2, 3)]
    assert counts[2] - counts[1] == counts[1] - counts[0] == once   # each step the same; the loop's once-a-call
    assert counts[0] > once                                          # check of the first batch is not a step


def test_the_learning_rate_factor_reaches_every_model(bench):
    for name in bench.MODELS:
        step, _ = bench.make(name, 0, 10, lr_factor=5)
        base, _ = bench.make(name, 0, 10)
        for opt in step.optimizers:
            assert getattr(step, opt).param_groups[0]["lr"] == pytest.approx(5 * getattr(base, opt).param_groups[0]["lr"])


def test_one_short_run_writes_its_row_and_reads_it_back(bench, tmp_path, monkeypatch):
    monkeypatch.setattr(bench.stylegan, "EVAL_SAMPLES", 200)
    torch.manual_seed(0)
    row = bench.run(("dcgan", 0, 3, 10, 123, 1.0, tmp_path))
    path = tmp_path / "dcgan-seed0-steps3.json"
    assert json.loads(path.read_text()) == row and path.with_suffix(".png").exists()
    assert row["steps"] == 3 and row["total_flops"] == 369 and not row["diverged"]
    assert 0 <= row["recall"] <= 1 and row["fid"] > 0 and 1 <= row["classes"] <= 10
    assert not path.with_suffix(".checkpoints").exists()   # the resumable copy is gone once scored
    assert bench.run(("dcgan", 0, 3, 10, 123, 1.0, tmp_path)) == row   # read back, not trained again
