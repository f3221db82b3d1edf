"""Data-parallel training under torchrun, on this machine's CPU with the gloo backend (``make distributed-test``).

Every test starts real processes with ``python -m torch.distributed.run`` (torchrun), as a user would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
WORKER = HERE / "worker.py"
MATCHED = ("mlp-gan", "mlp-wgan-gp", "dcgan-nobn")
SCENARIOS = (*MATCHED, "dcgan-bn", "mlp-gan-own-noise")
ROUNDING = 1e-5  # float32 sums taken in another order (two shards, then the all-reduce): measured <= 1.7e-6


def environment(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR",
                                                            "MASTER_PORT")}
    env.update(OMP_NUM_THREADS="1", TQDM_DISABLE="1", GAN_COURSE_DIST_TIMEOUT="60", PYTHONUNBUFFERED="1", **extra)
    return env


def torchrun(*args, nproc: int = 2, timeout: float = 300, **env) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}", *map(str, args)]
    return subprocess.run(command, cwd=REPO, env=environment(**env), capture_output=True, text=True, timeout=timeout)


def single(*args, timeout: float = 300, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *map(str, args)], cwd=REPO, env=environment(**env), capture_output=True,
                          text=True, timeout=timeout)


def ok(done: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    return done


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The worker's scenarios in one process and in two (global batch 64 both times)."""
    out = tmp_path_factory.mktemp("runs")
    ok(single(WORKER, ",".join(SCENARIOS), out / "one"))
    ok(torchrun(WORKER, ",".join(SCENARIOS), out / "two"))

    def load(world: str, scenario: str, rank: int = 0) -> dict:
        return torch.load(out / world / f"{scenario}-rank{rank}.pt")
    return load


def largest_gap(a: dict, b: dict) -> float:
    return max((a["params"][net] - b["params"][net]).abs().max().item() for net in a["params"])


def loss_gap(a: dict, b: dict) -> float:
    return max(abs(x - y) for name in a["losses"] for x, y in zip(a["losses"][name], b["losses"][name]))


@pytest.mark.parametrize("scenario", MATCHED)
def test_two_processes_train_as_one_with_the_same_noise(runs, scenario):
    """With the noise of one process, two processes (32 rows each) end where one process (64 rows) does, to
    float rounding: DDP averages the shards' gradients into the global batch's (the losses are means)."""
    one, rank0, rank1 = runs("one", scenario), runs("two", scenario), runs("two", scenario, 1)
    assert largest_gap(rank0, rank1) == 0.0  # every process took the same optimizer steps
    assert largest_gap(one, rank0) < ROUNDING
    assert loss_gap(one, rank0) < ROUNDING
    assert len(rank0["losses"]["d_loss"]) == 5


def test_batch_norm_normalises_each_shard_on_the_cpu(runs):
    """DCGAN's batch norm on gloo: each process normalises by its own 32 rows, not the global 64 (PyTorch's
    SyncBatchNorm runs on GPUs only), so the same noise no longer gives the same weights -- a gap far above
    rounding, though small after 5 steps. Without batch norm (``dcgan-nobn``, above) the gap is rounding."""
    one, rank0, rank1 = runs("one", "dcgan-bn"), runs("two", "dcgan-bn"), runs("two", "dcgan-bn", 1)
    assert largest_gap(rank0, rank1) == 0.0
    assert 100 * ROUNDING < largest_gap(one, rank0) < 0.05  # measured 1.6e-3
    assert largest_gap(one, rank0) > 100 * largest_gap(runs("one", "dcgan-nobn"), runs("two", "dcgan-nobn"))


def test_each_process_draws_its_own_noise(runs):
    """The course's rule: noise from a rank-derived seed. The processes' fakes differ, their weights do not, and
    the run stays near the one-process run (other noise, the same data): losses within 0.01 after 5 steps."""
    one, rank0, rank1 = (runs("one", "mlp-gan-own-noise"), runs("two", "mlp-gan-own-noise"),
                         runs("two", "mlp-gan-own-noise", 1))
    assert (rank0["fake"] - rank1["fake"]).abs().max() > 1e-3
    assert largest_gap(rank0, rank1) == 0.0
    assert ROUNDING < loss_gap(one, rank0) < 0.01  # measured 1.2e-3: another draw of noise, not rounding


def test_a_killed_process_stops_the_run_and_the_same_command_resumes(tmp_path):
    """SIGKILL one of two processes after step 5: torchrun ends the run (no hang), the checkpoint of step 4 is
    intact, and the same command resumes there with every process's random streams, ending bit for bit where a
    run that was never stopped ends."""
    command = (WORKER, "checkpointed", tmp_path / "out", "--steps", 10, "--checkpoint-dir", tmp_path / "run")
    start = time.perf_counter()
    killed = torchrun(*command, "--kill-rank", 1, "--kill-at", 5, timeout=240)
    assert killed.returncode != 0
    assert time.perf_counter() - start < 120, "the run hung after a process died"
    assert (tmp_path / "run" / "latest.pt").is_file()
    assert not list((tmp_path / "out").glob("*.pt"))  # it never finished
    ok(torchrun(*command))
    ok(torchrun(WORKER, "checkpointed", tmp_path / "never-stopped", "--steps", 10, "--checkpoint-dir",
                tmp_path / "run2"))
    for rank in (0, 1):
        resumed = torch.load(tmp_path / "out" / f"checkpointed-rank{rank}.pt")
        whole = torch.load(tmp_path / "never-stopped" / f"checkpointed-rank{rank}.pt")
        assert resumed["resumed_from"] == 4 and whole["resumed_from"] is None
        assert largest_gap(resumed, whole) == 0.0
        assert torch.equal(resumed["fake"], whole["fake"])  # each process's noise stream was restored, not rank 0's
        assert resumed["losses"] == whole["losses"]


def test_processes_that_would_resume_from_different_steps_stop_with_a_clear_error(tmp_path):
    """Rank 1 cannot see rank 0's checkpoint (two machines without a shared folder): an error, not a hang or a
    silent mix of a resumed and a fresh process."""
    ok(torchrun(WORKER, "checkpointed", tmp_path / "first", "--steps", 4, "--checkpoint-dir", tmp_path / "run"))
    done = torchrun(WORKER, "checkpointed", tmp_path / "second", "--steps", 8, "--checkpoint-dir", tmp_path / "run",
                    "--rank1-checkpoint-dir", tmp_path / "elsewhere", timeout=240)
    assert done.returncode != 0
    assert "the processes would start from different steps ([4, 0], by rank)" in done.stdout + done.stderr


def test_a_batch_that_does_not_split_gives_a_clear_error(tmp_path):
    done = torchrun(WORKER, "mlp-gan", tmp_path, nproc=3, timeout=240)
    assert done.returncode != 0
    assert "a global batch of 64 does not split evenly over 3 processes" in done.stdout + done.stderr
    assert "1, 2, 4, 8, 16, 32, 64" in done.stdout + done.stderr


@pytest.mark.parametrize("env, missing", [({"RANK": "0"}, "WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT"),
                                          ({"RANK": "0", "WORLD_SIZE": "2", "LOCAL_RANK": "0"},
                                           "MASTER_ADDR, MASTER_PORT")])
def test_a_launch_without_torchrun_variables_names_what_is_missing(tmp_path, env, missing):
    done = single("-m", "gan_course", "train", "dcgan", "--epochs", "1", "--limit", "128", timeout=120,
                  GAN_COURSE_CACHE=str(tmp_path), **env)
    assert done.returncode == 2
    assert f"{missing} {'are' if ',' in missing else 'is'} missing" in done.stderr
    assert "torchrun --nproc_per_node=N -m gan_course train <recipe>" in done.stderr
    assert not (tmp_path / "checkpoints").exists()


# One recipe of each training loop, each as small as its own unit test trains it.
RECIPES = [
    ("dcgan", "--limit", 128), ("dcgan-wgangp", "--limit", 128), ("cgan-label-projection", "--limit", 128),
    ("infogan", "--limit", 128), ("cyclegan-digits", "--limit", 32), ("twingan-digits-separate-encoders", "--limit", 32),
    ("recyclegan-digits", "--limit", 32), ("tpgan", "--limit", 64), ("ganomaly-digits", "--limit", 64),
    ("egbad-digits", "--limit", 64), ("fanogan-digits", "--limit", 64), ("anogan-digits", "--limit", 64),
    ("autoencoder-digits", "--limit", 64), ("pggan-abrupt", "--limit", 64), ("stylegan-faces", "--limit", 64),
    ("mnist-classifier", "--limit", 256), ("judge-printed", "--limit", 128), ("faces-identity", "--limit", 64),
    ("faces-factors", "--limit", 64),
]


def test_every_training_loop_is_covered():
    """Each module whose recipes train (a models/ file with a recipe) has one recipe above."""
    from gan_course import recipes

    def module(recipe):
        target = recipes.RECIPES[recipe]
        return getattr(target, "func", target).__module__
    assert {module(name) for name, *_ in RECIPES} == {module(name) for name in recipes.RECIPES}


@pytest.mark.parametrize("recipe", RECIPES, ids=[r[0] for r in RECIPES])
def test_every_recipe_trains_on_two_processes(tmp_path, recipe):
    name, *options = recipe
    done = ok(torchrun("-m", "gan_course", "train", name, "--epochs", 1, *options, GAN_COURSE_CACHE=str(tmp_path)))
    output = done.stdout + done.stderr
    assert output.count(f"saved {name} to") == 1  # rank 0 alone saves
    assert (tmp_path / "checkpoints" / f"{name}.pt").is_file()
    assert "differs between processes" not in output


def test_scaling_benchmark_times_one_and_two_processes(tmp_path):
    """benchmarks/scaling.py at its smallest: one round of 1 and 2 processes, the table and the JSON."""
    out = tmp_path / "scaling.json"
    done = ok(single(REPO / "benchmarks" / "scaling.py", "--repeats", 1, "--steps", 2, "--warmup", 1, "--width", 4,
                     "--batch-size", 16, "--out", out))
    rows = json.loads(out.read_text())["rows"]
    assert [row["procs"] for row in rows] == [1, 2]
    assert rows[0]["allreduce_ms"] is None and rows[1]["allreduce_ms"] > 0
    assert all(row["images_per_s"] > 0 and row["global_batch"] == 16 for row in rows)
    assert "speed-up" in done.stdout and "1.00x" in done.stdout


def test_scaling_benchmark_refuses_counts_the_batch_does_not_split_over(tmp_path):
    done = single(REPO / "benchmarks" / "scaling.py", "--procs", "1,3", "--batch-size", 16, "--out", tmp_path / "x")
    assert done.returncode == 2 and "must split evenly over every process count; [3] do not" in done.stderr
