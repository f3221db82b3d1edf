"""Conditional GANs on MNIST: what the condition's way into D changes, over several training seeds.

Every variant of :data:`gan_course.models.cgan.VARIANTS` (caption or label; read by concatenation or by
projection; with or without wrong pairs as negatives) trains with the same networks, optimizer and number of
generator steps (the variant's epochs over the 4,000 training digits), on seeds 0, 1, ... Each run is scored on
the held-out digits' conditions (:func:`gan_course.models.cgan.evaluate`): the judge's class accuracy, and word by
word how often the samples show what their captions asked for.

Each run is written as soon as it ends to ``benchmarks/results/cgan_variants/<variant>-seed<k>.json`` (its
generator, in half precision, beside it as ``.pt``), and a run whose file exists is not trained again: an
interrupted benchmark continues where it stopped. The table gives mean ± standard error over seeds, and the two
comparisons of the lesson with the standard error of each difference.

    .venv/bin/python benchmarks/cgan_variants.py [--seeds 3 | --seeds 1,2] [--jobs 2] [--variants a,b]
                                                 [--epochs N] [--lr X]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import time
from pathlib import Path

import numpy as np
import torch

from gan_course import data, evaluation, runtime
from gan_course.data import captions
from gan_course.models import cgan

OUT = Path(__file__).parent / "results" / "cgan_variants"


def _one_thread() -> None:
    torch.set_num_threads(1)


def committed_row(name: str) -> dict | None:
    """Seed 0 of a variant as its committed checkpoint's recipe measured it (the manifest's metrics), or None
    without one: a benchmark that trains seeds 1 and 2 completes 3 seeds with it."""
    from gan_course import checkpoints

    try:
        metrics = checkpoints.entry(name)["metrics"]
    except checkpoints.CheckpointError:
        return None
    return {"variant": name, "seed": 0, "from": "committed checkpoint", **metrics}


def seed_runs(doc: str, variants, out: Path, steps: bool = True,
              extra=None) -> tuple[argparse.Namespace, list[str], list[int]]:
    """The command line of a benchmark of (variant, seed) runs: ``--seeds``, ``--jobs``, ``--variants`` (checked
    against ``variants``), ``--steps`` (where ``steps``), ``--out``, and what ``extra(parser)`` adds; the parsed
    arguments, names and seeds. Prints the machine."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated training seeds")
    parser.add_argument("--jobs", type=int, default=1, help="trainings at once, one torch thread each")
    parser.add_argument("--variants", default=",".join(variants))
    if steps:
        parser.add_argument("--steps", type=int, default=0, help="generator steps (default: the variants' own)")
    parser.add_argument("--out", default=str(out))
    if extra:
        extra(parser)
    args = parser.parse_args()
    names, seeds = args.variants.split(","), [int(s) for s in args.seeds.split(",")]
    unknown = [n for n in names if n not in variants]
    if unknown:
        parser.error(f"unknown variants {unknown}; expected some of {', '.join(variants)}")
    print(f"machine: {runtime.describe_machine()}; {len(names)} variants x {len(seeds)} seeds, {args.jobs} at once")
    return args, names, seeds


def run_jobs(run, jobs: list, n_jobs: int, describe) -> list[dict]:
    """``run`` every job, ``n_jobs`` at once (spawned workers of one torch thread each), printing
    ``describe(row)`` as each ends; the rows in the order of ``jobs``."""
    rows = []
    pool = multiprocessing.get_context("spawn").Pool(n_jobs, initializer=_one_thread) if n_jobs > 1 else None
    try:
        # a plain loop, not map(): a StopIteration escaping ``run`` would end map() silently, losing the run
        for row in (pool.imap(run, jobs) if pool else (run(job) for job in jobs)):
            rows.append(row)
            print(f"  {describe(row)} ({row['seconds']:.0f} s)", flush=True)
    finally:
        if pool:
            pool.close()
            pool.join()
    return rows


def run(job: tuple) -> dict:
    """Train and score one (variant, seed); write its JSON and generator; return its row."""
    name, seed, epochs, lr, out = job
    config = cgan.variant(name) if lr is None else dataclasses.replace(cgan.variant(name), lr=lr)
    path = Path(out) / (f"{name}-seed{seed}" + ("" if lr is None else f"-lr{lr:g}") + ".json")
    if path.exists():
        return json.loads(path.read_text())
    digits = data.load_mnist("train", verbose=False)
    rule = captions.CaptionRule.fit(digits.images, digits.labels)
    steps = epochs * (len(digits) // config.batch_size)
    start = time.perf_counter()
    G, _, history = cgan.fit(config, digits, steps, seed=seed, rule=rule, progress=False, log_every=0)
    state = {k: v.detach().cpu().half() for k, v in G.state_dict().items()}
    G.load_state_dict({k: v.float() for k, v in state.items()})  # score what is stored
    scores = cgan.evaluate(G, config, data.load_mnist("test", verbose=False), evaluation.load_classifier(), rule,
                           seed=seed)
    row = {"variant": name, "seed": seed, "epochs": epochs, "steps": steps, "lr": config.lr, **scores,
           "seconds": round(time.perf_counter() - start, 1), "machine": runtime.describe_machine()}
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"width": config.width, "G": state}, path.with_suffix(".pt"))
    path.write_text(json.dumps(row, indent=1))
    return row


def mean_se(values) -> tuple[float, float]:
    x = np.asarray(values, dtype=float)
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(len(x))) if len(x) > 1 else 0.0


def difference(rows: list[dict], a: str, b: str, field: str) -> tuple[float, float] | None:
    """Mean of ``b`` minus mean of ``a`` in ``field`` and the standard error of that difference."""
    xa = [r[field] for r in rows if r["variant"] == a]
    xb = [r[field] for r in rows if r["variant"] == b]
    if not xa or not xb:
        return None
    (ma, sa), (mb, sb) = mean_se(xa), mean_se(xb)
    return mb - ma, float(np.hypot(sa, sb))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="3", help="how many seeds (0, 1, ...), or a comma-separated list")
    parser.add_argument("--jobs", type=int, default=1, help="trainings at once, one torch thread each")
    parser.add_argument("--variants", default=",".join(cgan.VARIANTS))
    parser.add_argument("--epochs", type=int, default=None, help="default: each variant's (the same for all)")
    parser.add_argument("--lr", type=float, default=None, help="one learning rate for G and D of every variant "
                        "(default: each variant's, 2e-4 for all); runs at another rate are stored apart")
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args()
    names = args.variants.split(",")
    seeds = [int(s) for s in args.seeds.split(",")] if "," in args.seeds else range(int(args.seeds))
    unknown = [n for n in names if n not in cgan.VARIANTS]
    if unknown:
        parser.error(f"unknown variants {unknown}; expected some of {', '.join(cgan.VARIANTS)}")
    jobs = [(n, s, args.epochs or cgan.variant(n).epochs, args.lr, args.out) for n in names for s in seeds]
    print(f"machine: {runtime.describe_machine()}; {len(jobs)} runs, {args.jobs} at once")
    rows = run_jobs(run, jobs, args.jobs, lambda row: f"{row['variant']:<34} seed {row['seed']}: class accuracy "
                    f"{row['class_accuracy']:.3f}, caption agreement {row['mean_agreement']:.3f}")
    print(f"\n{'variant':<34}{'class accuracy':>18}{'caption agreement':>21}   seeds")
    for name in names:
        group = [r for r in rows if r["variant"] == name]
        acc, agree = mean_se([r["class_accuracy"] for r in group]), mean_se([r["mean_agreement"] for r in group])
        print(f"{name:<34}{acc[0]:>11.3f} ± {acc[1]:.3f}{agree[0]:>14.3f} ± {agree[1]:.3f}   {len(group)}")
    print("\n(mean ± standard error over seeds; the judge scores 98.7% on real held-out digits; caption agreement "
          "is about 1/3 by chance)")
    for condition in ("caption", "label"):
        for conditioning in cgan.CONDITIONING:
            a = f"cgan-{condition}-{conditioning}"
            for field in ("class_accuracy", "mean_agreement"):
                d = difference(rows, a, a + "-mismatch", field)
                if d:
                    print(f"wrong pairs, {condition} by {conditioning}: {field} {d[0]:+.3f} ± {d[1]:.3f} "
                          f"({'outside' if abs(d[0]) > 2 * d[1] else 'inside'} the noise: 2 SE)")


if __name__ == "__main__":
    main()
