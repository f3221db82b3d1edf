"""DCGAN, PGGAN and StyleGAN on MNIST at matched compute (the StyleGAN lessons, issue #20).

Each model is its lesson's recipe, unchanged but for its length: lesson 06's DCGAN (28 x 28, batch 64, Adam 2e-4,
the non-saturating loss, batch norm where the paper puts it), lesson 18's PGGAN trained at 32 x 32 from the start
(``pggan-fixed``: batch 32, WGAN-GP with the drift term, at 1e-2, the rate lesson 18's sweep chose for it) and
lesson 19's StyleGAN (``stylegan``: the faces' recipe on the digits padded to 32 x 32, batch 32, the logistic loss
with R1, the moving average of G).

How each rate was chosen: PGGAN's by lesson 18's sweep (1e-3 against 1e-2, two seeds); StyleGAN's is the recipe's
0.002 (pilots of 1,200 steps at 5e-4, 2e-3 and 1e-2 all collapsed onto a few digits, see RESULTS.md); DCGAN's is the
paper's 2e-4, not swept here. ``--lr-factor`` multiplies every model's rate, for such a sweep.

**Matched compute** is counted, not timed: :func:`flops_per_step` runs one generator step of each recipe (with its
discriminator updates, R1's or the gradient penalty's second backward pass included) with
:func:`gan_course.speed.count_flops`, and every model gets the same number of floating-point operations,
``--budget`` StyleGAN steps' worth; the others' steps follow from the ratio. The count is the same on any machine;
the seconds each run took are printed beside it (they are this machine's, one torch thread a run).

Every run is scored the same way: FID, precision, recall and classes (digits with at least 2 % of the samples) of
4,000 samples by the MNIST judge against the 1,000 held-out digits (lesson 09), on the centre 28 x 28 of the 32 x 32
models. Runs are written to ``benchmarks/results/mnist_models/<model>-seed<k>-steps<n>[-lrx<f>].json`` as they end; a run
whose file exists is read, not trained again; a run cut short resumes from its last checkpoint (every 500 steps).

    .venv/bin/python benchmarks/mnist_models.py [--seeds 0,1,2] [--jobs 2] [--variants dcgan,pggan-fixed,stylegan]
                                                [--budget 1500] [--lr-factor 5]
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import time
from pathlib import Path

import matplotlib
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from cgan_variants import mean_se, run_jobs, seed_runs

from gan_course import data, evaluation, runtime, speed, train
from gan_course.bookkeeping import TrainingDiverged
from gan_course.data.digits import DeviceBatches
from gan_course.models import dcgan, pggan, stylegan
from gan_course.viz.core import image_grid

OUT = Path(__file__).parent / "results" / "mnist_models"
MODELS = ("dcgan", "pggan-fixed", "stylegan")
PGGAN_LR = 1e-2          # lesson 18's tuned rate for pggan-fixed (benchmarks/RESULTS.md, "Every variant at its tuned rate")
BUDGET = 1500            # StyleGAN generator steps whose operations every model gets


def make(name: str, seed: int, steps: int, lr_factor: float = 1.0):
    """A fresh (step, batches) of ``name``'s recipe for ``steps`` generator steps, seeded by ``seed``, on the CPU,
    its learning rate multiplied by ``lr_factor``."""
    runtime.seed_everything(seed)
    if name == "dcgan":
        config = dcgan.variant("dcgan")
        config = dataclasses.replace(config, lr=config.lr * lr_factor)
        G, D = dcgan.build(config)
        digits = data.load_mnist("train", verbose=False)
        return dcgan.make_step(config, G, D), digits.batches(config.batch_size, seed=seed)
    images, _ = pggan.training_images("mnist")
    if name == "pggan-fixed":
        config, growth = pggan.variant(name)
        config = dataclasses.replace(config, lr=PGGAN_LR * lr_factor)
        G, D = pggan.build(config)
        step = pggan.PGGANStep(G, D, pggan.schedule_for(growth, config, fixed_steps=steps), config)
        return step, DeviceBatches(images, batch_size=pggan.BATCH_SIZE, seed=seed)
    config = stylegan.variant(name)
    config = dataclasses.replace(config, lr=config.lr * lr_factor)
    G, D = stylegan.build(config)
    return (stylegan.StyleGANStep(G, D, config, stylegan.BATCH_SIZE),
            DeviceBatches(images, batch_size=stylegan.BATCH_SIZE, seed=seed))


def flops_per_step(name: str) -> int:
    """Floating-point operations of one generator step of ``name``'s recipe with its D updates: the count of two
    steps less the count of one (what a call of the loop does once, such as checking the first batch, cancels),
    after two steps that built the optimizers' state."""
    step, batches = make(name, 0, 10)
    train.train(step, batches, 2, progress=False, log_every=0)
    one, two = (speed.count_flops(train.train, step, batches, n, progress=False, log_every=0)[0] for n in (1, 2))
    return two - one


def generator_of(name: str, step):
    """The generator to score: StyleGAN's moving average, as stored (half precision); the others' G."""
    if name != "stylegan":
        return step.G.eval()
    G = step.G_ema
    G.load_state_dict({k: (v.half().float() if k != "w_avg" else v) for k, v in G.state_dict().items()})
    return G.eval()


def samples_of(name: str, G, n: int, seed: int) -> torch.Tensor:
    """``n`` samples as the judge sees them (28 x 28, in [-1, 1])."""
    if name == "dcgan":
        return evaluation.sample_images(G, n, seed=seed)
    drawn = stylegan.samples(G, n, seed=seed) if name == "stylegan" else pggan.samples(G, n, seed=seed)
    return pggan.full_size(drawn, crop=pggan.JUDGE_CROP["mnist"])


def run(job: tuple) -> dict:
    """Train and score one (model, seed) at ``steps`` generator steps; write its JSON; return its row."""
    name, seed, steps, budget, flops, lr_factor, out = job
    path = Path(out) / (f"{name}-seed{seed}-steps{steps}" + ("" if lr_factor == 1 else f"-lrx{lr_factor:g}")
                        + ".json")            # the steps in the name: a run of another budget is another run
    if path.exists():
        return json.loads(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    row = {"model": name, "seed": seed, "steps": steps, "budget": budget, "flops_per_step": flops,
           "total_flops": flops * steps, "lr_factor": lr_factor}
    resume_dir = path.with_suffix(".checkpoints")
    step, batches = make(name, seed, steps, lr_factor)
    try:
        history = train.train(step, batches, steps, checkpoint_dir=resume_dir, checkpoint_every=500,
                              progress=False, log_every=0)
    except TrainingDiverged as error:
        row.update(diverged=True, message=str(error))
    else:
        judge = pggan.scorer(dataset="mnist")
        drawn = samples_of(name, generator_of(name, step), stylegan.EVAL_SAMPLES, seed)
        scores = judge.score(drawn)
        plt.imsave(path.with_suffix(".png"), image_grid(drawn[:64]), cmap="gray")   # to look at
        row.update(diverged=False, train_seconds=round(history.seconds, 1), **scores.row(),
                   class_shares=scores.class_shares)
    shutil.rmtree(resume_dir, ignore_errors=True)
    row.update(seconds=round(time.perf_counter() - start, 1), machine=runtime.describe_machine())
    path.write_text(json.dumps(row, indent=1))
    return row


COLUMNS = {"fid": ("FID", ".1f"), "precision": ("precision", ".3f"), "recall": ("recall", ".3f"),
           "classes": ("classes", ".1f")}


def summary(rows: list[dict], names: list[str]) -> None:
    print(f"\n{'model':<13}{'steps':>7}{'GFLOP/step':>12}" + "".join(f"{t:>17}" for t, _ in COLUMNS.values())
          + f"{'diverged':>10}")
    for name in names:
        group = [r for r in rows if r["model"] == name]
        done = [r for r in group if not r["diverged"]]
        cells = []
        for key, (_, fmt) in COLUMNS.items():
            m, se = mean_se([r[key] for r in done]) if done else (float("nan"), float("nan"))
            cells.append(f"{m:{fmt}} ± {se:{fmt}}")
        print(f"{name:<13}{group[0]['steps']:>7}{group[0]['flops_per_step'] / 1e9:>12.2f}" + "".join(
            f"{c:>17}" for c in cells) + f"{sum(r['diverged'] for r in group):>8}/{len(group)}")
        for r in done:
            print(f"    seed {r['seed']}: FID {r['fid']:.1f}, precision {r['precision']:.3f}, recall "
                  f"{r['recall']:.3f}, {r['classes']} classes, training {r['train_seconds']:.0f} s")


def describe(row: dict) -> str:
    if row["diverged"]:
        return f"{row['model']:<13} seed {row['seed']}: diverged ({row['message'][:80]})"
    return (f"{row['model']:<13} seed {row['seed']}: FID {row['fid']:.1f}, recall {row['recall']:.3f}, "
            f"{row['classes']} classes, {row['steps']} steps")


def options(parser) -> None:
    parser.add_argument("--budget", type=int, default=BUDGET,
                        help="StyleGAN generator steps whose operations every model gets")
    parser.add_argument("--lr-factor", type=float, default=1.0, help="every model's learning rate times this")


def main() -> None:
    args, names, seeds = seed_runs(__doc__, MODELS, OUT, steps=False, extra=options)
    flops = {name: flops_per_step(name) for name in sorted({*names, "stylegan"})}
    total = flops["stylegan"] * args.budget
    steps = {name: max(1, round(total / flops[name])) for name in names}
    for name in names:
        print(f"  {name:<13} {flops[name] / 1e9:8.2f} GFLOP a step -> {steps[name]:>6} steps "
              f"({flops[name] * steps[name] / 1e12:.2f} TFLOP)")
    jobs = [(n, s, steps[n], args.budget, flops[n], args.lr_factor, args.out) for s in seeds for n in names]  # seed by seed
    rows = run_jobs(run, jobs, args.jobs, describe)
    summary(rows, names)
    print("\n(mean ± standard error over seeds; 4,000 samples by the MNIST judge against the 1,000 held-out digits; "
          "the same operations for every model, counted by speed.count_flops)")


if __name__ == "__main__":
    main()
