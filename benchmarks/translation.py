"""Unpaired translation over several training seeds: CycleGAN and its ablations on both domain pairs, and
Twin-GAN with its control (separate encoders), all at one budget.

Every variant of :data:`gan_course.models.cyclegan.VARIANTS` and :data:`gan_course.models.twingan.VARIANTS`
trains with the same generator steps, batch size, optimizer and learning-rate schedule (the paper's Adam 2e-4,
beta1 0.5, constant then decayed to 0; not tuned per variant: the paper's settings for all), exactly as
``python -m gan_course train <variant> --seed <k>`` does, and is measured on the held-out images as its recipe
measures it (:func:`gan_course.models.cyclegan.measure`, :func:`gan_course.models.twingan.measure`), after a
round trip through half precision (what would be stored).

Runs are written to ``benchmarks/results/translation/<variant>-seed<k>.json`` as they end, and a run whose file
exists is not trained again. A committed checkpoint is seed 0 of its variant, measured by its recipe the same
way (the metrics in the checkpoint manifest), so ``--seeds 1,2`` completes 3 seeds for those. The tables give
mean ± standard error over seeds and every seed's value.

    .venv/bin/python benchmarks/translation.py [--seeds 0,1,2] [--jobs 2] [--variants a,b] [--steps N]
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

from cgan_variants import committed_row, mean_se, run_jobs, seed_runs
from gan_course import runtime
from gan_course.data import domains
from gan_course.models import cyclegan, twingan

OUT = Path(__file__).parent / "results" / "translation"
VARIANTS = [*cyclegan.VARIANTS, *twingan.VARIANTS]


def stored(net) -> None:
    """Round ``net``'s floating-point weights through half precision, as a recipe stores them."""
    net.load_state_dict({k: v.half().float() if v.is_floating_point() else v for k, v in net.state_dict().items()})


def run(job: tuple) -> dict:
    """Train and measure one (variant, seed); write its JSON; return its row."""
    name, seed, steps, out = job
    path = Path(out) / (f"{name}-seed{seed}" + (f"-steps{steps}" if steps else "") + ".json")
    if path.exists():
        return json.loads(path.read_text())
    start = time.perf_counter()
    if name in cyclegan.VARIANTS:
        pair, config = cyclegan.variant(name)
        config = dataclasses.replace(config, steps=steps) if steps else config
        nets, _ = cyclegan.fit(config, *domains.load_pair(pair, "train"), seed=seed, progress=False, log_every=0)
        for key in ("G_AB", "G_BA"):
            stored(nets[key])
        scores = cyclegan.measure(nets["G_AB"], nets["G_BA"], pair)
    else:
        config = twingan.variant(name)
        config = dataclasses.replace(config, steps=steps) if steps else config
        step, _ = twingan.fit(config, *domains.load_pair(twingan.PAIR, "train"), seed=seed, progress=False,
                              log_every=0)
        nets = {key: getattr(step, key) for key in step.networks if not key.startswith("D")}
        for net in nets.values():
            stored(net)
        scores = twingan.measure(nets, seed)
    row = {"variant": name, "seed": seed, "steps": config.steps, **scores,
           "seconds": round(time.perf_counter() - start, 1), "machine": runtime.describe_machine()}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(row, indent=1))
    return row


def table(rows: list[dict], names: list[str], columns: list[str]) -> None:
    """One line per variant: mean ± standard error of each column over its seeds."""
    print(f"\n{'variant':<36}" + "".join(f"{c:>26}" for c in columns))
    for name in names:
        group = [r for r in rows if r["variant"] == name]
        if not group:
            continue
        cells = []
        for column in columns:
            mean, se = mean_se([r[column] for r in group])
            cells.append(f"{mean:>17.3f} ± {se:.3f}")
        print(f"{name:<36}" + "".join(f"{c:>26}" for c in cells) + f"   ({len(group)} seeds)")
        for column in columns:
            print(f"    {column}: " + ", ".join(f"seed {r['seed']} {r[column]:.3f}" for r in group))


def main() -> None:
    args, names, seeds = seed_runs(__doc__, VARIANTS, OUT)
    jobs = [(n, s, args.steps, args.out) for n in names for s in seeds]

    def describe(row):
        key = "label_preservation_ab" if row["variant"] in cyclegan.VARIANTS else "label_preservation_xy"
        return f"{row['variant']:<36} seed {row['seed']}: label preservation {row[key]:.3f}"

    rows = [row for n in names if 0 not in seeds and not args.steps for row in [committed_row(n)] if row]
    rows += run_jobs(run, jobs, args.jobs, describe)
    cycle_names = [n for n in names if n in cyclegan.VARIANTS]
    twin_names = [n for n in names if n in twingan.VARIANTS]
    if cycle_names:
        table(rows, cycle_names, ["label_preservation_ab", "label_preservation_ba", "permutation_accuracy_ab",
                                  "cycle_error_ab", "cycle_error_ba"])
        table(rows, cycle_names, ["fid_ab", "precision_ab", "recall_ab", "fid_ba", "precision_ba", "recall_ba"])
    if twin_names:
        table(rows, twin_names, ["label_preservation_xy", "fid_xy", "switch_to_y", "switch_to_x", "retrieval_top1",
                                 "pixel_retrieval_top1"])
    print("\n(mean ± standard error over seeds; A -> B is handwritten -> printed or plain -> textured)")


if __name__ == "__main__":
    main()
