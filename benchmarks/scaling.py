"""Data-parallel scaling: DCGAN-MNIST images per second on 1, 2, ... processes under torchrun, in one run.

Each row starts ``torchrun --standalone --nproc_per_node=N`` on this script's worker, which trains lesson 07's
DCGAN (width 64, Adam 2e-4) through :func:`gan_course.train.train` -- DDP when N > 1 -- on MNIST's training
digits and times ``--steps`` iterations after ``--warmup``. The *global* batch is the same for every N
(``--batch-size``, split into N shards), so every row does the same arithmetic per iteration and
"images per second" compares like with like (strong scaling). On the CPU the machine's cores are shared
out: N processes of cores/N threads each (``--threads`` overrides), so the one-process row has them all.

Why a CPU may not speed up: the processes share the same cores, and each iteration adds the all-reduces of
the gradients (D's in its update, G's in its own: every parameter once); the worker times one all-reduce of
that many floats after training and the table prints its share of an iteration (DDP overlaps part of it with
the backward pass, so the share is an upper bound). On GPUs (one process per GPU,
``nccl``) the processes add devices, not share one.

    .venv/bin/python benchmarks/scaling.py [--procs 1,2] [--repeats 3] [--steps 20] [--warmup 5]
        [--batch-size 128] [--width 64] [--threads N] [--out benchmarks/results/scaling.json]

Each process count runs ``--repeats`` times, the counts alternating; the table gives the median and the range.

Taught in: lesson 21 (its measured speed-up and why).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
OUT = HERE / "results" / "scaling.json"


def worker(args: argparse.Namespace) -> None:
    """One process of a torchrun launch: train, time, write rank 0's figures to ``args.worker_out``."""
    import torch.distributed as dist

    from gan_course import data, distributed, runtime, train
    from gan_course.models import dcgan

    world = distributed.init()
    torch.set_num_threads(args.threads)
    device = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")  # init() set the GPU
    digits = data.load_mnist("train", verbose=False).to(device)
    config = dcgan.DCGANConfig(width=args.width, batch_size=args.batch_size)
    runtime.seed_everything(0)
    G, D = (net.to(device) for net in dcgan.build(config))
    marks = {}

    def clock(state: train.TrainState) -> None:
        if state.step in (args.warmup, args.warmup + args.steps):
            if device.type == "cuda":
                torch.cuda.synchronize()
            marks[state.step] = time.perf_counter()

    train.train(dcgan.make_step(config, G, D), digits.batches(args.batch_size, seed=0), args.warmup + args.steps,
                callbacks=[clock], progress=False, log_every=0)
    seconds = marks[args.warmup + args.steps] - marks[args.warmup]
    reduce_ms = None
    if world.active:  # an all-reduce of G's and D's gradients (as many floats as they have parameters), timed
        n = sum(p.numel() for net in (G, D) for p in net.parameters())
        grads = torch.ones(n, device=device)
        for _ in range(3):
            dist.all_reduce(grads)
        if device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(10):
            dist.all_reduce(grads)
        if device.type == "cuda":
            torch.cuda.synchronize()
        reduce_ms = (time.perf_counter() - start) / 10 * 1000
    if world.is_main:
        Path(args.worker_out).write_text(json.dumps({
            "procs": world.size, "threads_per_proc": torch.get_num_threads(), "device": str(device),
            "global_batch": args.batch_size, "steps": args.steps, "seconds": seconds,
            "images_per_s": args.batch_size * args.steps / seconds, "ms_per_iteration": seconds / args.steps * 1000,
            "allreduce_ms": reduce_ms, "gradient_floats": sum(p.numel() for net in (G, D) for p in net.parameters()),
            "machine": runtime.describe_machine(),
        }))
    distributed.finish()


def launch(procs: int, args: argparse.Namespace) -> dict:
    """Run the worker on ``procs`` processes; its rank 0's figures."""
    cores = os.cpu_count() or 1
    threads = args.threads or max(1, cores // procs)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "row.json"
        command = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={procs}",
                   __file__, "--worker", "--worker-out", str(out), "--threads", str(threads),
                   "--steps", str(args.steps), "--warmup", str(args.warmup), "--batch-size", str(args.batch_size),
                   "--width", str(args.width)]
        env = {**os.environ, "OMP_NUM_THREADS": str(threads), "TQDM_DISABLE": "1"}
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"{procs} process(es) failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
        return json.loads(out.read_text())


def summarize(runs: list[dict]) -> dict:
    """The runs of one process count: median images/s and all-reduce time, and the range of images/s."""
    speeds = [r["images_per_s"] for r in runs]
    reduces = [r["allreduce_ms"] for r in runs if r["allreduce_ms"] is not None]
    return {**runs[0], "images_per_s": statistics.median(speeds), "range": [min(speeds), max(speeds)],
            "ms_per_iteration": statistics.median(r["ms_per_iteration"] for r in runs),
            "allreduce_ms": statistics.median(reduces) if reduces else None, "runs": speeds}


def table(rows: list[dict]) -> str:
    base = rows[0]["images_per_s"]
    lines = ["procs  threads each  global batch  images/s (range)   speed-up   ms/iteration  all-reduce of every gradient",
             "-----  ------------  ------------  -----------------  --------   ------------  ----------------------------"]
    for row in rows:
        reduce = "-" if row["allreduce_ms"] is None else (
            f"{row['allreduce_ms']:.1f} ms ({100 * row['allreduce_ms'] / row['ms_per_iteration']:.0f}% of an iteration)")
        low, high = row["range"]
        lines.append(f"{row['procs']:>5}  {row['threads_per_proc']:>12}  {row['global_batch']:>12}  "
                     f"{row['images_per_s']:>5.0f} ({low:.0f}-{high:.0f})  {row['images_per_s'] / base:>7.2f}x   "
                     f"{row['ms_per_iteration']:>12.0f}  {reduce}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict | None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procs", default=None, help="comma-separated process counts (default: 1 and 2 on a CPU, "
                                                       "1, 2, 4, ... up to the GPUs on CUDA)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each process count, alternating")
    parser.add_argument("--steps", type=int, default=20, help="timed iterations")
    parser.add_argument("--warmup", type=int, default=5, help="untimed iterations first")
    parser.add_argument("--batch-size", type=int, default=128, help="the global batch, split over the processes")
    parser.add_argument("--width", type=int, default=64, help="DCGAN width (64 as in lesson 07)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads per process (0: cores / processes)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args)
        return None
    for name in ("repeats", "steps", "warmup", "batch_size", "width"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be >= 1")
    gpus = torch.cuda.device_count()
    if args.procs:
        procs = [int(p) for p in args.procs.split(",")]
    else:
        procs = [n for n in (1, 2, 4, 8, 16) if n <= max(gpus, 2)] if gpus else [1, 2]
    if gpus and max(procs) > gpus:
        parser.error(f"--procs asks for {max(procs)} processes, this machine has {gpus} GPU(s)")
    bad = [n for n in procs if n < 1 or args.batch_size % n]
    if bad:
        parser.error(f"the global batch {args.batch_size} must split evenly over every process count; {bad} do not")
    runs = {n: [] for n in procs}
    for round_ in range(args.repeats):
        for n in procs:
            runs[n].append(launch(n, args))
            print(f"round {round_ + 1}, {n} process(es): {runs[n][-1]['images_per_s']:.0f} images/s", flush=True)
    rows = [summarize(runs[n]) for n in procs]
    print(f"machine: {rows[0]['machine']}")
    print(f"DCGAN width {args.width}, global batch {args.batch_size}, {args.steps} timed iterations after "
          f"{args.warmup}, {args.repeats} runs each; gradients of {rows[0]['gradient_floats']:,} floats all-reduced per iteration")
    print(table(rows))
    result = {"rows": rows, "date": time.strftime("%Y-%m-%d"), "command": " ".join(sys.argv)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"wrote {args.out}")
    return result


if __name__ == "__main__":
    main()
