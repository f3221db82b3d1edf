"""Progressive growing over several training seeds (the PGGAN lesson, issue #19): fade-in against abrupt switches,
growing against training at 32 x 32 from the start at equal training time, and the paper's three other parts
removed one at a time, on MNIST padded to 32 x 32.

Every run of :data:`gan_course.models.pggan.VARIANTS` is the recipe's (``python -m gan_course train <variant>
--seed <k>``): batch 32, Adam (0, 0.99) at 1e-3, WGAN-GP with the drift term, 400 steps per phase (4 x 4, then a
fade-in and a stable phase for 8, 16 and 32 pixels: 2,800 steps). The abrupt variant switches at the same steps
with α = 1. The fixed variant trains the full networks at 32 x 32 from the start for as long as the grown run
takes: its process first times a training step at each resolution (:func:`gan_course.models.pggan.step_seconds`,
the resolutions interleaved, under the same load) and converts the grown schedule into steps at 32 x 32
(:func:`~gan_course.models.pggan.equal_time_steps`); the row keeps the per-resolution times and both runs'
measured training seconds.

Each run scores the FID of 1,000 samples (the MNIST judge, lesson 09) along the way, densely after each switch,
and at the end the FID, precision, recall and classes of 4,000 samples and the SWD of 1,000 (x 10³), all of G as
stored (half precision). A run that diverges (a NaN or infinite loss) is recorded as such. Stability is read
from D's Wasserstein estimate: its median, its largest value, and the steps where it exceeded 5 times the run's
median magnitude. Runs are written to ``benchmarks/results/progressive/<variant>-seed<k>.json`` as they end (G,
as stored, beside it); a run whose file exists is not trained again. Seed 0 of a variant with a committed
checkpoint is that checkpoint (its recipe measured the same things; the manifest keeps them).

``pggan-faces`` grows the same networks on the procedural faces' 4,000 training views (lesson 15) and is judged by
the faces' identity network (:func:`gan_course.models.face_identity.identity_scorer`: FID of its embedding,
precision and recall, identities covered of 200, against the 4,000 test views; the SWD against 1,000 of them).

    .venv/bin/python benchmarks/progressive.py [--seeds 0,1] [--jobs 2] [--variants a,b] [--steps N] [--lr 3e-3,1e-2]

``--steps N`` sets the steps per phase (for a quick try; runs of another length are stored apart). ``--lr`` sweeps
the learning rate: every variant and seed also trains at each listed rate (stored apart; the paper's 1e-3 is the
runs above), and a last table gives each variant at the rate with its best mean FID over the seeds, every variant
tuned the same way. ``--only-lr`` trains and tabulates the listed rates alone (the main table and the switch
spikes at each), leaving out the paper's rate.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import torch

from cgan_variants import committed_row, mean_se, run_jobs, seed_runs
from translation import stored

from gan_course import runtime
from gan_course.bookkeeping import TrainingDiverged
from gan_course.models import pggan

OUT = Path(__file__).parent / "results" / "progressive"


PAPER_LR = pggan.PGGANConfig().lr


def path_of(out, name: str, seed: int, phase: int, lr: float = PAPER_LR) -> Path:
    return Path(out) / (f"{name}-seed{seed}" + ("" if phase == pggan.STABLE else f"-phase{phase}")
                        + ("" if lr == PAPER_LR else f"-lr{lr:g}") + ".json")


def run(job: tuple) -> dict:
    """Train and measure one (variant, seed, learning rate); write its JSON and G; return its row."""
    name, seed, phase, out, lr = job
    path = path_of(out, name, seed, phase, lr)
    if path.exists():
        return {"lr": PAPER_LR, **json.loads(path.read_text())}
    path.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    row = {"variant": name, "seed": seed, "phase": phase, "lr": lr}
    fixed_steps = None
    if pggan.variant(name)[1] == "fixed":
        config = pggan.variant(name)[0]
        row["step_seconds"] = [round(t, 4) for t in pggan.step_seconds(config)]
        fixed_steps = pggan.equal_time_steps(pggan.schedule_for("fade", config, phase, phase), row["step_seconds"])
    dataset = pggan.dataset_of(name)
    images, _ = pggan.training_images(dataset)
    judge = pggan.scorer(dataset=dataset)
    try:
        step, history, tracker = pggan.fit_variant(name, images, seed=seed, phase=phase, fixed_steps=fixed_steps,
                                                   judge=judge, lr=lr, progress=False, log_every=0)
    except TrainingDiverged as error:
        row.update(diverged=True, message=str(error))
    else:
        stored(step.G)
        row.update(diverged=False, dataset=dataset,
                   **pggan.run_metrics(step, tracker, history, judge, seed, len(images), dataset))
        torch.save({k: v.half() for k, v in step.G.state_dict().items()}, path.with_suffix(".pt"))
    row.update(seconds=round(time.perf_counter() - start, 1), machine=runtime.describe_machine())
    path.write_text(json.dumps(row, indent=1))
    return row


COLUMNS = {"fid": ("FID", ".2f"), "precision": ("precision", ".3f"), "recall": ("recall", ".3f"),
           "classes": ("classes", ".1f"), "swd_avg": ("SWD avg", ".2f"), "w_spikes": ("W spikes", ".1f")}


def summary(rows: list[dict], names: list[str]) -> None:
    print(f"\n{'variant':<22}" + "".join(f"{title:>18}" for title, _ in COLUMNS.values()) + f"{'diverged':>10}")
    for name in names:
        group = [r for r in rows if r["variant"] == name]
        done = [r for r in group if not r["diverged"]]
        cells = []
        for key, (_, fmt) in COLUMNS.items():
            m, se = mean_se([r[key] for r in done]) if done else (float("nan"), float("nan"))
            cells.append(f"{m:{fmt}} ± {se:{fmt}}")
        diverged = sum(r["diverged"] for r in group)
        print(f"{name:<22}" + "".join(f"{c:>18}" for c in cells) + f"{diverged:>8}/{len(group)}")
        for r in done:
            print(f"    seed {r['seed']}: FID {r['fid']:.2f}, recall {r['recall']:.3f}, classes {r['classes']}, "
                  f"SWD {r['swd_avg']:.2f}, steps {r['steps']}, training {r['train_seconds']:.0f} s, images/s "
                  f"{r['images_per_second']}")


def spikes(rows: list[dict], names: list[str]) -> None:
    print("\nFID spike at each switch (peak within 200 steps minus the FID just before; recovery: steps until the "
          "FID is back at or below it)")
    for name in names:
        for r in (r for r in rows if r["variant"] == name and not r["diverged"] and "spikes" in r):
            print(f"  {name:<20} seed {r['seed']}: " + "; ".join(
                f"{4 * 2 ** (k + 1)} px {s['spike']:+.1f} (from {s['before']:.1f}), back in {s['recovery']}"
                for k, s in enumerate(r["spikes"])))


def main() -> None:
    def extra(parser):
        parser.add_argument("--lr", default="", help="comma-separated learning rates to sweep besides the paper's 1e-3")
        parser.add_argument("--only-lr", action="store_true",
                            help="train and tabulate only the rates of --lr, not the paper's (whose runs take as long)")

    args, names, seeds = seed_runs(__doc__, pggan.VARIANTS, OUT, extra=extra)
    phase = args.steps or pggan.STABLE
    listed = [float(r) for r in args.lr.split(",") if r]
    if args.only_lr:
        if not listed or PAPER_LR in listed:
            raise SystemExit(f"--only-lr needs --lr with rates other than the paper's {PAPER_LR:g}")
        for lr in listed:
            rows = run_jobs(run, [(n, s, phase, args.out, lr) for n in names for s in seeds], args.jobs, describe)
            print(f"\nlearning rate {lr:g}:")
            summary(rows, names)
            spikes(rows, names)
        return
    rates = [PAPER_LR] + listed
    committed = {(n, 0): row for n in names for row in [committed_row(n)] if row and 0 in seeds and not args.steps}
    jobs = [(n, s, phase, args.out, lr) for lr in rates for n in names for s in seeds
            if lr != PAPER_LR or (n, s) not in committed]
    print(f"{len(jobs)} runs to train or read from {args.out}, {len(committed)} from committed checkpoints")
    rows = ([{**row, "diverged": False, "lr": PAPER_LR} for row in committed.values()]
            + run_jobs(run, jobs, args.jobs, describe))
    paper = [r for r in rows if r["lr"] == PAPER_LR]
    summary(paper, names)
    spikes(paper, names)
    if len(rates) > 1:
        sweep(rows, names, rates)
    print("\n(mean ± standard error over seeds; FID, precision, recall and classes of 4,000 samples by the MNIST "
          "judge against the 1,000 held-out digits; SWD x 10³ of 1,000 samples at 32 and 16 pixels"
          + ("; pggan-faces: by the faces' identity network against the 4,000 test views, classes = identities "
             "covered of 200" if "pggan-faces" in names else "") + ")")


def sweep(rows: list[dict], names: list[str], rates: list[float]) -> None:
    """Each variant's mean FID at every rate, then each at its best rate (the lowest mean FID over the seeds; a
    rate with a diverged run is not eligible)."""
    print("\nlearning-rate sweep: mean FID over the seeds at each rate")
    print(f"{'variant':<22}" + "".join(f"{f'lr {lr:g}':>18}" for lr in rates))
    best = {}
    for name in names:
        cells, means = [], {}
        for lr in rates:
            group = [r for r in rows if r["variant"] == name and r["lr"] == lr]
            if any(r["diverged"] for r in group):
                cells.append(f"{sum(r['diverged'] for r in group)}/{len(group)} diverged")
                continue
            means[lr] = mean_se([r["fid"] for r in group])
            cells.append(f"{means[lr][0]:.1f} ± {means[lr][1]:.1f}")
        print(f"{name:<22}" + "".join(f"{c:>18}" for c in cells))
        if means:
            best[name] = min(means, key=lambda lr: means[lr][0])
    print("\neach variant at its best rate:")
    summary([r for r in rows if best.get(r["variant"]) == r["lr"]], [n for n in names if n in best])
    for name, lr in best.items():
        print(f"  {name}: lr {lr:g}")


def describe(row: dict) -> str:
    if row["diverged"]:
        return f"{row['variant']:<22} seed {row['seed']}, lr {row['lr']:g}: diverged ({row['message'][:80]})"
    return (f"{row['variant']:<22} seed {row['seed']}, lr {row['lr']:g}: FID {row['fid']:.2f}, recall {row['recall']:.3f}, "
            f"SWD {row['swd_avg']:.2f}, {row['steps']} steps")


if __name__ == "__main__":
    main()
