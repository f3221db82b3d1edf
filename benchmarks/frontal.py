"""Frontal view synthesis over several training seeds: TP-GAN's ablation ladder on the procedural faces, global
pathway only -> + local pathway -> + symmetry loss -> + identity loss (the full model), all at one budget.

Every run of :data:`gan_course.models.tpgan.VARIANTS` takes the same 2,000 generator steps of 32 views (16 passes
over the 4,000 training views), the same optimizer (Adam 2e-4, beta1 0.5) and the same loss weights wherever a
term is on; each rung changes one thing. The weights are the paper's as per-pixel means, except the adversarial
and identity weights, set once before any run and the same for every rung that has the term (see the module
docstring of :mod:`gan_course.models.tpgan`). Each run trains exactly as ``python -m gan_course train <variant>
--seed <k>`` does and is measured on the 4,000 test views (new poses and lights of the same 200 people) as its
recipe measures it (:func:`gan_course.models.tpgan.measure`), after a round trip through half precision: L1 to
the true frontal view, identity accuracy of the synthesised faces read by the committed ``faces-identity``
network, and left-right asymmetry, overall and per |yaw| bin.

Runs are written to ``benchmarks/results/frontal/<variant>-seed<k>.json`` as they end (and G, as stored, to
the cache's ``benchmarks/frontal/``); a run whose file exists is not trained again. A committed checkpoint is
seed 0 of its variant (its manifest's metrics), so ``--seeds 1,2`` completes 3 seeds for those (and takes seed 0
of the others from its file, when one was run). The tables give
mean ± standard error over seeds and every seed's value.

    .venv/bin/python benchmarks/frontal.py [--seeds 0,1,2] [--jobs 2] [--variants a,b] [--steps N]
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import torch

from cgan_variants import committed_row, mean_se, run_jobs, seed_runs
from translation import table

from gan_course import checkpoints, runtime
from gan_course.data.faces import load_faces
from gan_course.models import face_identity, tpgan

OUT = Path(__file__).parent / "results" / "frontal"
COLUMNS = ["l1", "identity_accuracy", "asymmetry"]


def run(job: tuple) -> dict:
    """Train and measure one (variant, seed); write its JSON; return its row."""
    name, seed, steps, out = job
    path = Path(out) / (f"{name}-seed{seed}" + (f"-steps{steps}" if steps else "") + ".json")
    if path.exists():
        return json.loads(path.read_text())
    start = time.perf_counter()
    config = tpgan.variant(name) if not steps else dataclasses.replace(tpgan.variant(name), steps=steps)
    identity_net = face_identity.load_identity()
    nets, _ = tpgan.fit(config, load_faces("train", verbose=False), identity_net, seed=seed, progress=False,
                        log_every=0)
    G = nets["G"]
    G.load_state_dict({k: v.half().float() if v.is_floating_point() and "template" not in k else v
                       for k, v in G.state_dict().items()})  # as the recipe stores it
    kept = checkpoints.cache_root() / "benchmarks" / "frontal" / path.with_suffix(".pt").name
    kept.parent.mkdir(parents=True, exist_ok=True)
    checkpoints.write_atomically(kept, lambda f: torch.save(G.state_dict(), f))
    row = {"variant": name, "seed": seed, "steps": config.steps,
           **tpgan.measure(G, load_faces("test", verbose=False), identity_net),
           "seconds": round(time.perf_counter() - start, 1), "machine": runtime.describe_machine()}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(row, indent=1))
    return row


def seed0_row(name: str, out) -> dict | None:
    """Seed 0 of ``name``: its committed checkpoint's metrics, else its run's file if there is one, else None."""
    path = Path(out, f"{name}-seed0.json")
    return committed_row(name) or (json.loads(path.read_text()) if path.exists() else None)


def by_yaw_table(rows: list[dict], names: list[str], column: str) -> None:
    """``column`` per |yaw| bin: mean ± standard error over seeds, one line per variant."""
    bins = rows[0]["yaw_bins"]
    print(f"\n{column} by |yaw| (degrees)\n{'variant':<22}" + "".join(f"{b:>16}" for b in bins))
    for name in names:
        group = [r[f"{column}_by_yaw"] for r in rows if r["variant"] == name]
        if group:
            cells = [mean_se([g[i] for g in group]) for i in range(len(bins))]
            print(f"{name:<22}" + "".join(f"{m:>9.3f} ± {s:.3f}" for m, s in cells))
    first = rows[0]
    for base in ("views", "frontal"):
        if f"{column}_{base}_by_yaw" in first:
            print(f"{'(' + base + ')':<22}" + "".join(f"{v:>16.3f}" for v in first[f"{column}_{base}_by_yaw"]))


def main() -> None:
    args, names, seeds = seed_runs(__doc__, tpgan.VARIANTS, OUT)
    jobs = [(n, s, args.steps, args.out) for s in seeds for n in names]

    def describe(row):
        return (f"{row['variant']:<16} seed {row['seed']}: L1 {row['l1']:.4f}, identity accuracy "
                f"{row['identity_accuracy']:.3f}, asymmetry {row['asymmetry']:.4f}")

    rows = [row for n in names if 0 not in seeds and not args.steps for row in [seed0_row(n, args.out)] if row]
    rows += run_jobs(run, jobs, args.jobs, describe)
    table(rows, names, COLUMNS)
    for column in COLUMNS:
        by_yaw_table(rows, names, column)
    print("\n(mean ± standard error over seeds, on the 4,000 test views; l1: mean |G(x) - y| per pixel in [-1, 1]; "
          "identity_accuracy: share of syntheses the identity network gives the person whose view went in; "
          "asymmetry: mean |G(x) - flip G(x)|; (views): the input views as they are; (frontal): the true frontal "
          "views)")


if __name__ == "__main__":
    main()
