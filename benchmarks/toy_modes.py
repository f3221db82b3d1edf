"""Mode collapse on the ring of 8 and the grid of 25 Gaussians: a fair comparison, next to the published tables.

Every method of :mod:`gan_course.toy_gans` (GAN, the annealed GAN, WGAN, WGAN-GP, SN-GAN and three
stabilising tricks on the GAN) gets the same number of generator steps (``toy_gans.BUDGET``) and
its own learning rate, tuned the same way:

1. **Sweep**: each method at ``toy_gans.LR_FACTORS`` times its paper's rate, on the sweep seeds
   (``toy_gans.SWEEP_SEEDS``, not the benchmark's); the rate with the best mean score
   (share of modes x share of high-quality samples) wins, per method and data set.
2. **Benchmark**: each method at its winning rate on seeds 0, 1, ..., scored with the VEEGAN/PacGAN
   protocol (2,500 samples -> modes captured, high-quality share, spread, reverse KL).

It prints the sweep, the table (mean ± standard error over seeds) with the real data's own score
and the rows of VEEGAN's and PacGAN's Table 1 underneath, the ranking with the margin between
neighbours and whether it is outside the noise, and the rates to put into ``toy_gans.TUNED_LR``.
Every run goes to ``benchmarks/results/toy_modes.json``.

    .venv/bin/python benchmarks/toy_modes.py [--profile auto|smoke|cpu|gpu] [--seeds N] [--jobs N]
        [--methods gan,sngan] [--data ring,grid] [--no-sweep]

``--no-sweep`` uses the rates of ``toy_gans.TUNED_LR`` instead of sweeping. ``--jobs`` runs that
many trainings at once, one torch thread each (the s / run column then depends on the load).
Published numbers used other networks and far longer training (PacGAN: 400 epochs of 100,000
samples), so compare the outcome, not the recipe.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from pathlib import Path

import torch

import gan_course
from gan_course import toy_gans
from gan_course.runtime import describe_machine


def _one_thread() -> None:
    torch.set_num_threads(1)  # small MLPs: one thread is as fast, and leaves the other cores free


def _run(job: tuple) -> dict:
    method, data_name, steps, seed, device = job
    return toy_gans.benchmark_run(method, data_name, steps, seed, device=device)


def run_all(jobs: list[tuple], workers: int, label: str) -> list[dict]:
    """Run the jobs (in order with one worker, else in a pool) and print each result as it arrives."""
    runs = []
    if workers > 1:
        pool = multiprocessing.get_context("spawn").Pool(workers, initializer=_one_thread)
        results = pool.imap(_run, jobs)
    else:
        pool, results = None, map(_run, jobs)
    try:
        for run in results:
            runs.append(run)
            print(f"  {label} {run['data']:<5}{run['method']:<11}lr {run['lr']:.1e} seed {run['seed']}: "
                  f"{run['modes']} modes, {run['hq_percent']:.1f}% hq, score {run['score']:.2f} "
                  f"({run['seconds']:.0f} s)", flush=True)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="auto", help="auto, smoke, cpu or gpu")
    parser.add_argument("--seeds", type=int, default=None, help="seeds per method (default: 2 / 5 / 10 by profile)")
    parser.add_argument("--methods", default=",".join(toy_gans.METHODS), help="comma-separated method names")
    parser.add_argument("--data", default="ring,grid", help="comma-separated: ring, grid")
    parser.add_argument("--no-sweep", action="store_true", help="use toy_gans.TUNED_LR instead of sweeping")
    parser.add_argument("--jobs", type=int, default=1, help="trainings at once (CPU only)")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "toy_modes.json"))
    args = parser.parse_args()

    P = gan_course.profile(args.profile)
    seeds = list(range(args.seeds or P.pick(smoke=2, cpu=5, gpu=10)))
    unknown = [m for m in args.methods.split(",") if m not in toy_gans.METHODS]
    if unknown:
        parser.error(f"unknown methods {unknown}; expected some of {', '.join(toy_gans.METHODS)}")
    methods = [toy_gans.METHODS[name] for name in args.methods.split(",")]
    data_names = args.data.split(",")
    steps = toy_gans.steps_for(P.name)
    device = gan_course.device()
    workers = args.jobs if device.type == "cpu" else 1
    _one_thread() if device.type == "cpu" else None
    print(P)
    print(f"machine: {describe_machine()}; {workers} worker(s); {steps} generator steps for every method")

    start = time.perf_counter()
    sweep_runs, sweep_rows = [], []
    if args.no_sweep:
        lrs = {d: {m.name: toy_gans.TUNED_LR[d][m.name] for m in methods} for d in data_names}
    else:
        jobs = [(m.replace(lr=float(f"{m.lr * f:.3g}")), d, steps, s, device) for d in data_names for m in methods
                for f in toy_gans.LR_FACTORS for s in toy_gans.SWEEP_SEEDS]
        sweep_runs = run_all(jobs, workers, "sweep")
        sweep_rows = toy_gans.summarize(sweep_runs)
        lrs = toy_gans.best_lrs(sweep_rows)
        print(f"\nlearning-rate sweep (mean score over seeds {list(toy_gans.SWEEP_SEEDS)}; * the best):")
        print(toy_gans.format_sweep(sweep_rows))

    jobs = [(m.replace(lr=lrs[d][m.name]), d, steps, s, device) for d in data_names for m in methods for s in seeds]
    runs = run_all(jobs, workers, "bench")
    wall = time.perf_counter() - start

    rows = toy_gans.summarize(runs)
    real = {d: toy_gans.real_data_row(d) for d in data_names}
    print()
    print(toy_gans.format_table(rows, real))
    print(f"(mean ± standard error over {len(seeds)} seeds; 2,500 samples a run; score = share of modes x share "
          f"of high-quality samples; spread: RMS distance of high-quality samples to their mode, real data ~0.98; "
          f"published rows: the papers' Table 1; wall time {wall:.0f} s)")
    ranked = {d: toy_gans.ranking(rows, d) for d in data_names}
    for d in data_names:
        print(f"ranking on the {d} by mean score:")
        for row in ranked[d]:
            gap = ("" if "margin" not in row else
                   f"  +{row['margin']:.3f} over {row['next_method']} "
                   f"({'outside' if row['separated'] else 'inside'} the noise: 2 SE of the difference)")
            print(f"    {row['method']:<11} {row['score'][0]:.3f} ± {row['score'][1]:.3f}{gap}")
    verdicts = toy_gans.target_verdicts(rows)
    for d, v in verdicts.items():
        modes, hq = toy_gans.TARGET[d]
        shortfall = "" if v["met"] else f" (short by {v['modes_short']:.1f} modes, {v['hq_short']:.1f} points)"
        print(f"target on the {d} (>= {modes:g} modes, >= {hq:g}% high quality): best is {v['method']} "
              f"with {v['modes']:.1f} modes, {v['hq_percent']:.1f}% -> {'met' if v['met'] else 'MISSED'}{shortfall}")
    print(f"toy_gans.TUNED_LR = {json.dumps(lrs)}")

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "profile": P.name, "machine": describe_machine(), "seeds": seeds, "steps": steps, "workers": workers,
        "wall_seconds": wall, "lr_factors": toy_gans.LR_FACTORS, "sweep_seeds": toy_gans.SWEEP_SEEDS,
        "methods": {m.name: vars(m) for m in methods}, "tuned_lr": lrs,
        "sweep_rows": sweep_rows, "sweep_runs": sweep_runs, "rows": rows, "runs": runs, "real": real,
        "ranking": ranked, "verdicts": verdicts,
        "published": [{"method": name, **{d: {"modes": v[0], "hq_percent": v[1]} for d, v in nums.items()}}
                      for name, nums in toy_gans.PUBLISHED],
        "target": toy_gans.TARGET,
    }, indent=2, default=str))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
