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
import time
from pathlib import Path

import torch

import gan_course
from gan_course import data, toy_gans
from gan_course.runtime import describe_machine


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

    runs = []
    start = time.perf_counter()
    for dist_name, dist in sets.items():
        for method in methods:
            steps = toy_gans.steps_for(P.name, dist_name, method.name)
            for seed in seeds:
                t0 = time.perf_counter()
                G = toy_gans.train_toy_gan(method, dist, steps, seed=seed, device=device)
                cov = toy_gans.evaluate(G, dist, seed=seed)
                seconds = time.perf_counter() - t0
                runs.append(dict(method=method.name, data=dist_name, seed=seed, steps=steps, modes=cov.modes,
                                 hq_percent=100 * cov.hq_fraction, reverse_kl=cov.reverse_kl,
                                 counts=list(cov.counts), seconds=seconds))
                print(f"  {dist_name:<5}{method.name:<12}seed {seed}: {cov}  ({seconds:.0f} s)", flush=True)
    wall = time.perf_counter() - start

    rows = toy_gans.summarize(runs)
    print()
    print(toy_gans.format_table(rows))
    print(f"(mean ± standard error over {len(seeds)} seeds; 2,500 samples a run; published rows: the papers' "
          f"Table 1; wall time {wall:.0f} s)")
    verdicts = toy_gans.target_verdicts(rows)
    for dist_name, v in verdicts.items():
        modes, hq = toy_gans.TARGET[dist_name]
        shortfall = "" if v["met"] else f" (short by {v['modes_short']:.1f} modes, {v['hq_short']:.1f} points)"
        print(f"target on the {dist_name} (>= {modes:g} modes, >= {hq:g}% high quality): best is {v['method']} "
              f"with {v['modes']:.1f} modes, {v['hq_percent']:.1f}% -> {'met' if v['met'] else 'MISSED'}{shortfall}")

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "profile": P.name, "machine": describe_machine(), "seeds": len(seeds), "wall_seconds": wall,
        "methods": {m.name: {k: v for k, v in vars(m).items()} for m in methods},
        "rows": rows, "runs": runs,
        "published": [{"method": name, **{d: {"modes": v[0], "hq_percent": v[1]} for d, v in nums.items()}}
                      for name, nums in toy_gans.PUBLISHED],
        "target": toy_gans.TARGET, "verdicts": verdicts,
    }, indent=2, default=str))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
