"""InfoGAN on MNIST over several training seeds, with the control lambda = 0 (no information term).

Each (variant, seed) trains exactly as ``python -m gan_course train <variant> --seed <k>`` does
(:func:`gan_course.models.infogan.fit`, the variant's 50 epochs of the 4,000 training digits), stores the
generator in half precision and measures what is stored: the categorical code's accuracy as digits after the
best one-to-one matching (the judge, 100 samples per code value) and the continuous codes' Spearman correlations
with slant and stroke width along sweeps from -2 to 2.

Runs are written to ``benchmarks/results/infogan_seeds/<variant>-seed<k>.json`` as they end, and a run whose
file exists is not trained again. The committed checkpoints are seed 0 of each variant; their recipes measured
them the same way (their metrics are in the checkpoint manifest), so ``--seeds 1,2`` completes 3 seeds.

    .venv/bin/python benchmarks/infogan_seeds.py [--seeds 0,1,2] [--jobs 2] [--variants infogan,infogan-no-info]
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from cgan_variants import committed_row, mean_se, run_jobs, seed_runs
from gan_course import data, evaluation, runtime
from gan_course.models import infogan

OUT = Path(__file__).parent / "results" / "infogan_seeds"


def run(job: tuple) -> dict:
    """Train and score one (variant, seed); write its JSON; return its row."""
    name, seed, out = job
    path = Path(out) / f"{name}-seed{seed}.json"
    if path.exists():
        return json.loads(path.read_text())
    config = infogan.variant(name)
    digits = data.load_mnist("train", verbose=False)
    steps = config.epochs * (len(digits) // config.batch_size)
    start = time.perf_counter()
    G, _, _, history = infogan.fit(config, digits, steps, seed=seed, progress=False, log_every=0)
    G.load_state_dict({k: v.half().float() for k, v in G.state_dict().items()})  # score what would be stored
    bound = history.losses["mi_bound"]
    row = {"variant": name, "seed": seed, "steps": steps, **infogan.measure(G, evaluation.load_classifier(), seed),
           "final_mi_bound": sum(bound[-25:]) / 25,
           "seconds": round(time.perf_counter() - start, 1), "machine": runtime.describe_machine()}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(row, indent=1))
    return row


def main() -> None:
    args, names, seeds = seed_runs(__doc__, infogan.VARIANTS, OUT, steps=False)
    jobs = [(n, s, args.out) for n in names for s in seeds]
    rows = [row for n in names if 0 not in seeds for row in [committed_row(n)] if row]
    rows += run_jobs(run, jobs, args.jobs, lambda row: f"{row['variant']:<16} seed {row['seed']}: code accuracy "
                     f"{row['code_accuracy']:.3f}")
    print(f"\n{'variant':<16}{'code accuracy':>16}   per seed")
    for name in names:
        group = sorted((r for r in rows if r["variant"] == name), key=lambda r: r["seed"])
        acc = mean_se([r["code_accuracy"] for r in group])
        seeds_text = ", ".join(f"{r['seed']}: {r['code_accuracy']:.3f}" for r in group)
        print(f"{name:<16}{acc[0]:>9.3f} ± {acc[1]:.3f}   {seeds_text}")
        for r in group:
            print(f"    seed {r['seed']}: codes -> digits {r['code_to_digit']}, continuous codes "
                  f"{json.dumps(r['code_correlations'])}")
    print("\n(mean ± standard error over seeds; a code that ignores the digit scores about 0.1-0.2 after the "
          "best matching)")


if __name__ == "__main__":
    main()
