"""Mode collapse on the ring of 8 and the grid of 25 Gaussians, next to the published tables.

Trains every method of :mod:`gan_course.toy_gans` (GAN, WGAN, WGAN-GP, SN-GAN and the
course's annealed GAN) on both toy sets over several seeds, scores each run with the
VEEGAN/PacGAN protocol (2,500 samples -> modes captured, high-quality fraction,
reverse KL) and prints one table with the rows of VEEGAN's and PacGAN's Table 1
underneath. Every run's numbers go to ``benchmarks/results/toy_modes.json``.

    .venv/bin/python benchmarks/toy_modes.py [--profile auto|smoke|cpu|gpu] [--seeds N]
        [--methods gan,sngan] [--data ring,grid]

Step counts are generator steps and differ between methods (a WGAN step is five
critic updates); the table shows them. Published numbers used other networks and
far longer training (PacGAN: 400 epochs of 100,000 samples), so compare the outcome,
not the recipe.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import torch

import gan_course
from gan_course import data, toy_gans
from gan_course.runtime import describe_machine

# Generator steps per profile, data set and method. The baselines get what the cpu
# budget allows (WGAN and WGAN-GP make five critic updates per step); "gan-anneal"
# gets the steps its learning-rate schedule needs to settle every sample on a mode.
STEPS = {
    "smoke": {"ring": {}, "grid": {}},
    "cpu": {
        "ring": {"gan": 4000, "wgan": 4000, "wgan-gp": 1500, "sngan": 4000, "gan-anneal": 8000},
        "grid": {"gan": 4000, "wgan": 4000, "wgan-gp": 1500, "sngan": 4000, "gan-anneal": 12000},
    },
    "gpu": {
        "ring": {"gan": 20000, "wgan": 20000, "wgan-gp": 20000, "sngan": 20000, "gan-anneal": 20000},
        "grid": {"gan": 20000, "wgan": 20000, "wgan-gp": 20000, "sngan": 20000, "gan-anneal": 30000},
    },
}
SMOKE_STEPS = 20

# Published rows (Table 1 of each paper): (modes, high-quality %); None where not reported here.
PUBLISHED = [
    ("GAN (VEEGAN Table 1)", {"ring": (1.0, 99.3), "grid": (3.3, 0.5)}),
    ("VEEGAN (VEEGAN Table 1)", {"ring": (8.0, 52.9), "grid": (24.6, 40.0)}),
    ("GAN (PacGAN Table 1)", {"ring": (6.3, 98.2), "grid": (17.3, 94.8)}),
    ("PacGAN2 (PacGAN Table 1)", {"ring": (7.9, 95.6), "grid": (23.8, 91.3)}),
    ("PacGAN4 (PacGAN Table 1)", {"ring": (7.8, 95.9), "grid": (24.8, 93.6)}),
]
# The course's target for its best method: every mode and >= 95% high quality.
TARGET = {"ring": (8.0, 95.0), "grid": (24.8, 95.0)}


def mean_se(values) -> tuple[float, float]:
    """Mean and standard error of the mean (0 for a single value; inf stays inf)."""
    x = np.asarray(values, dtype=float)
    if not np.isfinite(x).all():
        return float("inf"), float("nan")
    se = x.std(ddof=1) / math.sqrt(len(x)) if len(x) > 1 else 0.0
    return float(x.mean()), float(se)


def fmt(mean: float, se: float, digits: int = 1) -> str:
    if not math.isfinite(mean):
        return "inf"
    return f"{mean:.{digits}f} ± {se:.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="auto", help="auto, smoke, cpu or gpu")
    parser.add_argument("--seeds", type=int, default=None, help="seeds per method (default: 2 / 5 / 10 by profile)")
    parser.add_argument("--methods", default=",".join(toy_gans.METHODS), help="comma-separated method names")
    parser.add_argument("--data", default="ring,grid", help="comma-separated: ring, grid")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "toy_modes.json"))
    args = parser.parse_args()

    P = gan_course.profile(args.profile)
    seeds = range(args.seeds or P.pick(smoke=2, cpu=5, gpu=10))
    methods = [toy_gans.METHODS[name] for name in args.methods.split(",")]
    sets = {"ring": data.ring_of_gaussians(), "grid": data.grid_of_gaussians()}
    sets = {name: sets[name] for name in args.data.split(",")}
    device = gan_course.device()
    if device.type == "cpu":
        torch.set_num_threads(1)  # small MLPs: one thread is as fast, and leaves the other cores free
    print(P)
    print(f"machine: {describe_machine()}")

    runs, rows = [], []
    start = time.perf_counter()
    for dist_name, dist in sets.items():
        for method in methods:
            steps = STEPS[P.name][dist_name].get(method.name, SMOKE_STEPS)
            results = []
            for seed in seeds:
                t0 = time.perf_counter()
                G = toy_gans.train_toy_gan(method, dist, steps, seed=seed, device=device)
                cov = toy_gans.evaluate(G, dist, seed=seed)
                seconds = time.perf_counter() - t0
                results.append(dict(method=method.name, data=dist_name, seed=seed, steps=steps, modes=cov.modes,
                                    hq_percent=100 * cov.hq_fraction, reverse_kl=cov.reverse_kl,
                                    counts=list(cov.counts), seconds=seconds))
                print(f"  {dist_name:<5}{method.name:<12}seed {seed}: {cov}  ({seconds:.0f} s)", flush=True)
            runs += results
            rows.append(dict(method=method.name, data=dist_name, steps=steps, seeds=len(results),
                             modes=mean_se([r["modes"] for r in results]),
                             hq_percent=mean_se([r["hq_percent"] for r in results]),
                             reverse_kl=mean_se([r["reverse_kl"] for r in results]),
                             seconds=float(np.mean([r["seconds"] for r in results]))))
    wall = time.perf_counter() - start

    print(f"\n{'method':<26}{'data':<6}{'G steps':>8}{'modes':>15}{'high quality %':>17}{'reverse KL':>16}{'s / run':>9}")
    for dist_name in sets:  # our rows, then the published ones, per data set
        for row in (r for r in rows if r["data"] == dist_name):
            print(f"{row['method']:<26}{row['data']:<6}{row['steps']:>8}{fmt(*row['modes']):>15}"
                  f"{fmt(*row['hq_percent']):>17}{fmt(*row['reverse_kl'], digits=3):>16}{row['seconds']:>9.1f}")
        for name, numbers in PUBLISHED:
            modes, hq = numbers[dist_name]
            print(f"{name:<26}{dist_name:<6}{'':>8}{modes:>15.1f}{hq:>17.1f}{'—':>16}{'':>9}")
    print(f"(mean ± standard error over {len(seeds)} seeds; 2,500 samples a run; published rows: the papers' "
          f"Table 1; wall time {wall:.0f} s)")
    for dist_name in sets:
        done = [r for r in rows if r["data"] == dist_name]
        best = max(done, key=lambda r: (r["modes"][0], r["hq_percent"][0]))
        modes, hq = TARGET[dist_name]
        met = best["modes"][0] >= modes and best["hq_percent"][0] >= hq
        print(f"target on the {dist_name} (>= {modes:g} modes, >= {hq:g}% high quality): best is {best['method']} "
              f"with {best['modes'][0]:.1f} modes, {best['hq_percent'][0]:.1f}% -> {'met' if met else 'MISSED'}")

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "profile": P.name, "machine": describe_machine(), "seeds": len(seeds), "wall_seconds": wall,
        "methods": {m.name: {k: v for k, v in vars(m).items()} for m in methods},
        "rows": rows, "runs": runs,
        "published": [{"method": name, **{d: {"modes": v[0], "hq_percent": v[1]} for d, v in nums.items()}}
                      for name, nums in PUBLISHED],
        "target": TARGET,
    }, indent=2, default=str))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
