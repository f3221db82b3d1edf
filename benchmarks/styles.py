"""StyleGAN's latent spaces over training seeds (the StyleGAN lessons, issue #20): the mapping network's depth
(0, 1, 2 and 8 layers) and the runs without noise or without style mixing, each trained on the procedural faces
with the same budget and scored the same way.

Every run is the recipe of :data:`gan_course.models.stylegan.VARIANTS` (``python -m gan_course train <variant>
--seed <k>``: batch 32, Adam (0, 0.99) at 0.002, the logistic loss with R1, the moving average of G, stored in half
precision) for ``--steps`` generator steps (default the recipe's 3,000). Each is scored by
:func:`gan_course.models.stylegan.measure` as stored: FID, precision, recall and people covered of 4,000 samples by
the faces' identity network; the perceptual path length in Z and in W (2,000 paths, ε = 1e-4, the identity
network's features standing in for LPIPS); the linear separability of the seven known factors in Z and in W
(2,000 samples, the paper's protocol, exp of the summed conditional entropies).

Runs are written to ``benchmarks/results/styles/<variant>-seed<k>[-steps<n>].json`` as they end (G beside it); a
run whose file exists is not trained again, and a run cut short resumes from its last checkpoint (every 500 steps).
Seed 0 of ``stylegan-faces`` at the recipe's length is the committed checkpoint (the manifest keeps its figures).

    .venv/bin/python benchmarks/styles.py [--seeds 0,1] [--jobs 2] [--variants a,b] [--steps N]
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import torch

from cgan_variants import committed_row, mean_se, run_jobs, seed_runs

from gan_course import runtime
from gan_course.bookkeeping import TrainingDiverged
from gan_course.models import face_factors, pggan, stylegan

OUT = Path(__file__).parent / "results" / "styles"
FACE_RUNS = {name: config for name, config in stylegan.VARIANTS.items() if stylegan.dataset_of(name) == "faces"}


def path_of(out, name: str, seed: int, steps: int) -> Path:
    return Path(out) / (f"{name}-seed{seed}" + ("" if steps == stylegan.STEPS else f"-steps{steps}") + ".json")


def run(job: tuple) -> dict:
    """Train and measure one (variant, seed); write its JSON and G; return its row."""
    name, seed, steps, out = job
    path = path_of(out, name, seed, steps)
    if path.exists():
        return json.loads(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    row = {"variant": name, "seed": seed, "steps": steps,
           "mapping_layers": stylegan.variant(name).mapping_layers}
    dataset = stylegan.dataset_of(name)
    images, _ = pggan.training_images(dataset)
    resume_dir = path.with_suffix(".checkpoints")
    try:
        step, history = stylegan.fit(stylegan.variant(name), images, steps, seed=seed,
                                     batch_size=stylegan.BATCH_SIZE, checkpoint_dir=resume_dir,
                                     checkpoint_every=500, progress=False, log_every=0)
    except TrainingDiverged as error:
        row.update(diverged=True, message=str(error))
    else:
        G = step.G_ema
        state = {k: (v.half() if k != "w_avg" else v) for k, v in G.state_dict().items()}
        G.load_state_dict({k: v.float() for k, v in state.items()})      # scored as stored
        factors = face_factors.load_factors() if dataset == "faces" else None
        row.update(diverged=False, dataset=dataset, train_seconds=round(history.seconds, 1),
                   **stylegan.measure(G, pggan.scorer(dataset=dataset), dataset, seed, factors))
        torch.save(state, path.with_suffix(".pt"))
    shutil.rmtree(resume_dir, ignore_errors=True)
    row.update(seconds=round(time.perf_counter() - start, 1), machine=runtime.describe_machine())
    path.write_text(json.dumps(row, indent=1))
    return row


COLUMNS = {"fid": ("FID", ".1f"), "precision": ("precision", ".3f"), "recall": ("recall", ".3f"),
           "classes": ("people", ".0f"), "ppl_z": ("PPL in Z", ".2f"), "ppl_w": ("PPL in W", ".2f"),
           "separability_z": ("sep. in Z", ".2f"), "separability_w": ("sep. in W", ".2f")}


def summary(rows: list[dict], names: list[str]) -> None:
    print(f"\n{'variant':<26}" + "".join(f"{title:>17}" for title, _ in COLUMNS.values()) + f"{'diverged':>10}")
    for name in names:
        group = [r for r in rows if r["variant"] == name]
        done = [r for r in group if not r["diverged"]]
        cells = []
        for key, (_, fmt) in COLUMNS.items():
            values = [r[key] for r in done if key in r]
            m, se = mean_se(values) if values else (float("nan"), float("nan"))
            cells.append(f"{m:{fmt}} ± {se:{fmt}}")
        diverged = sum(r["diverged"] for r in group)
        print(f"{name:<26}" + "".join(f"{c:>17}" for c in cells) + f"{diverged:>8}/{len(group)}")
        for r in done:
            print(f"    seed {r['seed']}: " + ", ".join(f"{title} {r[key]:{fmt}}" for key, (title, fmt)
                                                         in COLUMNS.items() if key in r)
                  + (f", training {r['train_seconds']:.0f} s" if "train_seconds" in r else f" ({r.get('from')})"))


def entropies(rows: list[dict], names: list[str]) -> None:
    """Each factor's conditional entropy H(Y | X) in Z and W, mean over the seeds: which factors the depth helps."""
    print("\nH(Y | X) per factor (nats, mean over seeds), in Z -> in W")
    for name in names:
        done = [r for r in rows if r["variant"] == name and not r["diverged"] and "separability_entropy" in r]
        if not done:
            continue
        factors = list(done[0]["separability_entropy"]["z"])
        cells = []
        for factor in factors:
            z, w = (mean_se([r["separability_entropy"][space][factor] for r in done])[0] for space in ("z", "w"))
            cells.append(f"{factor} {z:.2f} -> {w:.2f}")
        print(f"  {name:<26}" + "; ".join(cells))


def main() -> None:
    args, names, seeds = seed_runs(__doc__, FACE_RUNS, OUT)
    steps = args.steps or stylegan.STEPS
    committed = {(n, 0): row for n in names for row in [committed_row(n)]
                 if row and 0 in seeds and steps == stylegan.STEPS}
    jobs = [(n, s, steps, args.out) for s in seeds for n in names if (n, s) not in committed]  # seed by seed
    print(f"{len(jobs)} runs to train or read from {args.out}, {len(committed)} from committed checkpoints; "
          f"{steps} generator steps each")
    rows = ([{**row, "diverged": False} for row in committed.values()]
            + run_jobs(run, jobs, args.jobs, describe))
    summary(rows, names)
    entropies(rows, names)
    print("\n(mean ± standard error over seeds; FID, precision, recall and people of 200 by the faces' identity "
          "network, 4,000 samples against the 4,000 test views; PPL of 2,000 paths; separability exp(Σ H) of the "
          "seven factors, 2,000 samples)")


def describe(row: dict) -> str:
    if row["diverged"]:
        return f"{row['variant']:<26} seed {row['seed']}: diverged ({row['message'][:80]})"
    return (f"{row['variant']:<26} seed {row['seed']}: FID {row['fid']:.1f}, PPL W {row['ppl_w']:.2f}, "
            f"separability W {row['separability_w']:.2f}, {row['steps']} steps")


if __name__ == "__main__":
    main()
