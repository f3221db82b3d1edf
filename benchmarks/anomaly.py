"""Anomaly detection with GANs against each other and against two baselines, over several training seeds.

Tables (the first argument):

* ``digits``: MNIST one-class. Each digit in turn is the normal class: a detector trains on its 400 training
  images and scores all 1,000 held-out digits (100 normal, 900 anomalies); image-level AUROC overall and against
  each other digit alone (the source post's split, 8 normal and 6 anomalous, is digit 8's column 6).
* ``bricks``: the texture-defect patches (4,000 normal training patches; 1,000 test patches, half defective):
  image-level AUROC of the scores and pixel-level AUROC of the residual maps.
* ``search``: AnoGAN's latent search on the digit-8 detectors: Adam's step size chosen by the lowest final loss on
  200 *normal training* images (no anomaly is looked at), and the 8-vs-6 AUROC as a function of the number of
  search steps Γ and of λ.
* ``speed``: milliseconds per image of every detector scoring the same 200 test images in one run (digit-8
  detectors of seed 0), and each one's speed-up over AnoGAN.

Methods: the four GAN detectors and the autoencoder of :mod:`gan_course.models.detectors` (same encoder and
decoder, the same 1,500 generator or reconstruction steps of 64 images, each at its paper's optimizer settings,
none tuned on anomalies), and ``knn``: the mean distance to the 5 nearest training images in the committed MNIST
classifier's features (digits only; that classifier saw every digit with its label in training).

Seed 0 of digit 8 and of the bricks is the committed detector (``<method>-digits``, ``<method>-bricks``: trained
by the same code, by its recipe), scored here on the table's test set. Each run is written to
``benchmarks/results/anomaly/<table>/<method>-<normal>-seed<k>.json`` as it ends (its test-time networks in half
precision beside it), and a run whose file exists is not done again.

    .venv/bin/python benchmarks/anomaly.py digits [--seeds 0,1,2] [--digits 8] [--methods a,b] [--jobs 2]
    .venv/bin/python benchmarks/anomaly.py bricks|search|speed [--seeds 0,1,2]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from cgan_variants import mean_se, run_jobs

from gan_course import checkpoints, metrics, runtime
from gan_course.data import anomaly
from gan_course.models import anogan, baselines, detectors

OUT = Path(__file__).parent / "results" / "anomaly"
METHODS = (*detectors.METHODS, "knn")
SEARCH_STEPS = (10, 20, 50, 100, 200, 500)
SEARCH_LRS = (0.005, 0.01, 0.02, 0.05, 0.1)
LAMBDAS = (0.0, 0.1, 0.5, 0.9, 1.0)


def _save(path: Path, row: dict, nets: dict | None) -> dict:
    path.parent.mkdir(parents=True, exist_ok=True)
    if nets is not None:
        torch.save({k: {n: v.half() if v.is_floating_point() else v for n, v in net.state_dict().items()}
                    for k, net in nets.items()}, path.with_suffix(".pt"))
    path.write_text(json.dumps(row, indent=1))
    return row


def _train(method: str, images: torch.Tensor, seed: int, steps: int | None) -> tuple[dict, float]:
    """Train, then round the test-time networks through half precision (as a committed checkpoint is)."""
    nets, seconds = detectors.fit(method, images, seed=seed, steps=steps, progress=False, log_every=0)
    nets = dict(detectors.test_time_networks(method, nets).items())
    for net in nets.values():
        net.load_state_dict({k: v.half().float() if v.is_floating_point() else v for k, v in net.state_dict().items()})
    return nets, seconds


def load_nets(path: Path, method: str) -> dict:
    nets = dict(detectors.test_time_networks(method, detectors.METHODS[method].build(detectors.config(method))).items())
    for k, state in torch.load(path, weights_only=True).items():
        nets[k].load_state_dict({n: v.float() if v.is_floating_point() else v for n, v in state.items()})
    return {k: net.eval() for k, net in nets.items()}


def run_digits(job: tuple) -> dict:
    """One (method, normal digit, seed): train on that digit, score every held-out digit."""
    method, digit, seed, steps, out = job
    path = Path(out) / "digits" / f"{method}-{digit}-seed{seed}.json"
    if path.exists():
        return json.loads(path.read_text())
    train, test = anomaly.one_class_digits(digit)
    start, nets, recorded = time.perf_counter(), None, {}
    if method == "knn":
        scores = baselines.knn_scores(baselines.judge_features(train.images), baselines.judge_features(test.images))
        train_seconds = 0.0
    else:
        if digit == anomaly.POST_SPLIT["normal"] and seed == 0 and steps is None:  # the committed detector is seed 0
            name = f"{method}-digits"
            nets, train_seconds = detectors.load(name), checkpoints.entry(name)["metrics"]["seconds"]
        else:
            nets, train_seconds = _train(method, train.images, seed, steps)
        if method == "anogan":  # one search, its scores read after each Γ of SEARCH_STEPS
            config = detectors.config("anogan")
            _, scores, by_steps = anogan.latent_search(nets["G"], nets["D"], test.images, config.search_steps,
                                                       config.lam, config.search_lr, seed=seed,
                                                       record_at=SEARCH_STEPS)
            recorded = {str(k): metrics.auroc(v, test.is_anomaly) for k, v in by_steps.items()}
        else:
            scores, _ = detectors.score(method, nets, test.images)
    row = {"method": method, "normal": digit, "seed": seed, "auroc": metrics.auroc(scores, test.is_anomaly),
           "auroc_vs": {str(d): metrics.auroc(scores[(test.labels == d) | ~test.is_anomaly],
                                              test.is_anomaly[(test.labels == d) | ~test.is_anomaly])
                        for d in range(10) if d != digit},
           "auroc_by_search_steps": recorded, "train_seconds": round(train_seconds, 1),
           "seconds": round(time.perf_counter() - start, 1), "machine": runtime.describe_machine()}
    return _save(path, row, nets)


def run_bricks(job: tuple) -> dict:
    method, seed, steps, out = job
    path = Path(out) / "bricks" / f"{method}-bricks-seed{seed}.json"
    if path.exists():
        return json.loads(path.read_text())
    start = time.perf_counter()
    if seed == 0 and steps is None:  # the committed detector is seed 0
        name = f"{method}-bricks"
        nets, train_seconds = detectors.load(name), checkpoints.entry(name)["metrics"]["seconds"]
    else:
        nets, train_seconds = _train(method, detectors.load_data("bricks", "train"), seed, steps)
    test = detectors.load_data("bricks", "test")
    scores, maps = detectors.score(method, nets, test.images)
    by_kind = {kind: metrics.auroc(scores[(test.labels == i) | ~test.is_anomaly],
                                   test.is_anomaly[(test.labels == i) | ~test.is_anomaly])
               for i, kind in enumerate(anomaly.DEFECT_KINDS) if i}
    row = {"method": method, "normal": "bricks", "seed": seed, "auroc": metrics.auroc(scores, test.is_anomaly),
           "pixel_auroc": metrics.auroc(maps, test.masks), "auroc_by_kind": by_kind,
           "train_seconds": round(train_seconds, 1), "seconds": round(time.perf_counter() - start, 1),
           "machine": runtime.describe_machine()}
    return _save(path, row, nets)


def digit8_anogan(seed: int, out: Path) -> dict:
    """The digit-8 AnoGAN of ``seed`` from its ``digits`` run (trained now if missing)."""
    run_digits(("anogan", 8, seed, None, out))
    return load_nets(Path(out) / "digits" / f"anogan-8-seed{seed}.pt", "anogan")


def run_search(seed: int, out: Path) -> dict:
    path = Path(out) / "search" / f"anogan-8-seed{seed}.json"
    if path.exists():
        return json.loads(path.read_text())
    nets, config = digit8_anogan(seed, out), detectors.config("anogan")
    train, test = anomaly.one_class_digits(**anomaly.POST_SPLIT)
    normal = train.images[:200]
    final_loss = {str(lr): float(anogan.latent_search(nets["G"], nets["D"], normal, config.search_steps, config.lam,
                                                      lr, seed=seed)[1].mean()) for lr in SEARCH_LRS}
    by_lambda = {str(lam): metrics.auroc(anogan.latent_search(nets["G"], nets["D"], test.images, config.search_steps,
                                                              lam, config.search_lr, seed=seed)[1], test.is_anomaly)
                 for lam in LAMBDAS}
    _, _, by_steps = anogan.latent_search(nets["G"], nets["D"], test.images, max(SEARCH_STEPS), config.lam,
                                          config.search_lr, seed=seed, record_at=SEARCH_STEPS)
    row = {"seed": seed, "final_loss_on_normal_by_lr": final_loss, "auroc_8v6_by_lambda": by_lambda,
           "auroc_8v6_by_steps": {str(k): metrics.auroc(v, test.is_anomaly) for k, v in by_steps.items()},
           "machine": runtime.describe_machine()}
    return _save(path, row, None)


def run_speed(out: Path) -> dict:
    """ms per image of each detector on the same 200 images, in one process, one after the other."""
    _, test = anomaly.one_class_digits(**anomaly.POST_SPLIT)
    row = {}
    for method in detectors.METHODS:
        run_digits((method, 8, 0, None, out))
        nets = load_nets(Path(out) / "digits" / f"{method}-8-seed0.pt", method)
        detectors.score(method, nets, test.images[:20])  # warm-up
        start = time.perf_counter()
        detectors.score(method, nets, test.images)
        row[method] = 1000 * (time.perf_counter() - start) / len(test)
    row["speedup_vs_anogan"] = {m: row["anogan"] / row[m] for m in detectors.METHODS}
    row["machine"] = runtime.describe_machine()
    return _save(Path(out) / "speed.json", row, None)


def print_table(rows: list[dict], columns: list[str], key: str = "normal") -> None:
    groups = sorted({r[key] for r in rows}, key=str)
    methods = [m for m in METHODS if any(r["method"] == m for r in rows)]
    print(f"\n{'method':<12}" + "".join(f"{str(g):>15}" for g in groups) + f"{'mean':>15}")
    for column in columns:
        print(f"[{column}]")
        for method in methods:
            cells, means = [], []
            for g in groups:
                values = [r[column] for r in rows if r["method"] == method and r[key] == g and column in r]
                if values:
                    m, se = mean_se(values)
                    means.append(values)
                    cells.append(f"{m:.3f}±{se:.3f}({len(values)})")
                else:
                    cells.append("-")
            by_seed = np.mean([np.mean(v) for v in means]) if means else float("nan")
            print(f"{method:<12}" + "".join(f"{c:>15}" for c in cells) + f"{by_seed:>15.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("table", choices=("digits", "bricks", "search", "speed"))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--digits", default=",".join(map(str, range(10))), help="normal digits (table digits)")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--steps", type=int, default=None, help="training steps (default: the detectors' own)")
    parser.add_argument("--jobs", type=int, default=1, help="runs at once, one torch thread each")
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args()
    seeds, methods = [int(s) for s in args.seeds.split(",")], args.methods.split(",")
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        parser.error(f"unknown methods {unknown}; expected some of {', '.join(METHODS)}")
    print(f"machine: {runtime.describe_machine()}")
    if args.table == "digits":
        digits = [int(d) for d in args.digits.split(",")]
        jobs = [(m, d, s, args.steps, args.out) for s in seeds for d in digits for m in methods]
        rows = run_jobs(run_digits, jobs, args.jobs, lambda r: f"{r['method']:<12} {r['normal']} seed {r['seed']}: "
                        f"AUROC {r['auroc']:.3f}")
        print_table(rows, ["auroc"])
        if 8 in digits:
            print_table([{**r, "auroc_8v6": r["auroc_vs"]["6"]} for r in rows if r["normal"] == 8], ["auroc_8v6"])
    elif args.table == "bricks":
        jobs = [(m, s, args.steps, args.out) for s in seeds for m in methods if m != "knn"]
        rows = run_jobs(run_bricks, jobs, args.jobs, lambda r: f"{r['method']:<12} seed {r['seed']}: AUROC "
                        f"{r['auroc']:.3f}, pixel AUROC {r['pixel_auroc']:.3f}")
        print_table(rows, ["auroc", "pixel_auroc"])
    elif args.table == "search":
        for seed in seeds:
            print(json.dumps(run_search(seed, Path(args.out)), indent=1))
    else:
        print(json.dumps(run_speed(Path(args.out)), indent=1))


if __name__ == "__main__":
    main()
