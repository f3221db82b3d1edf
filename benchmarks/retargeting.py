"""Video retargeting over several training seeds: Recycle-GAN (the paper's losses), Recycle-GAN with CycleGAN's
per-frame cycle term added (the authors' "ReCycle-GAN"), and CycleGAN trained on single frames and applied frame
by frame, all at one budget, on moving digits (handwritten X bouncing, printed Y orbiting).

Every run of :data:`gan_course.models.recyclegan.VARIANTS` takes the same 2,000 generator steps with 48 real
frames per domain per step (16 windows of 3 frames, or 48 single frames), the same optimizer and learning-rate
schedule (Adam 2e-4, beta1 0.5, constant then decayed to 0; the papers' settings, not tuned per method), exactly
as ``python -m gan_course train <variant> --seed <k>`` does, and is measured on the 1,000 held-out clips of each
domain as its recipe measures it (:func:`gan_course.models.recyclegan.measure_clips`: content read by the
target domain's judge on every frame, flicker and displacement error against the source's known motion), after a
round trip through half precision.

Runs are written to ``benchmarks/results/retargeting/<variant>-seed<k>.json`` as they end (and the networks, as
stored, to the cache's ``benchmarks/retargeting/``, to measure again without training); a run whose file exists is
not trained again. A committed checkpoint is seed 0 of its variant (its manifest's metrics), so ``--seeds 1,2``
completes 3 seeds for those. The tables give mean ± standard error over seeds and every seed's value.

    .venv/bin/python benchmarks/retargeting.py [--seeds 0,1,2] [--jobs 2] [--variants a,b] [--steps N]
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import torch

from cgan_variants import committed_row, run_jobs, seed_runs
from translation import stored, table

from gan_course import checkpoints, runtime
from gan_course.data import moving_digits as md
from gan_course.models import recyclegan

OUT = Path(__file__).parent / "results" / "retargeting"
COLUMNS = ["content", "flicker", "displacement_error", "content_xy", "flicker_xy", "displacement_error_xy",
           "content_yx", "flicker_yx", "displacement_error_yx"]


def run(job: tuple) -> dict:
    """Train and measure one (variant, seed); write its JSON; return its row."""
    name, seed, steps, out = job
    path = Path(out) / (f"{name}-seed{seed}" + (f"-steps{steps}" if steps else "") + ".json")
    if path.exists():
        return json.loads(path.read_text())
    start = time.perf_counter()
    clips_X, clips_Y = (md.load_clips(domain, "train").frames for domain in recyclegan.DOMAINS)
    nets, _ = recyclegan.fit_variant(name, clips_X, clips_Y, steps=steps or None, seed=seed, progress=False,
                                     log_every=0)
    for net in nets.values():
        stored(net)
    kept = checkpoints.cache_root() / "benchmarks" / "retargeting" / path.with_suffix(".pt").name
    kept.parent.mkdir(parents=True, exist_ok=True)
    checkpoints.write_atomically(kept, lambda f: torch.save({k: n.state_dict() for k, n in nets.items()}, f))
    row = {"variant": name, "seed": seed, "steps": steps or recyclegan.variant(name).steps,
           **recyclegan.measure_clips(nets["G_Y"], nets["G_X"]),
           "seconds": round(time.perf_counter() - start, 1), "machine": runtime.describe_machine()}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(row, indent=1))
    return row


def main() -> None:
    args, names, seeds = seed_runs(__doc__, recyclegan.VARIANTS, OUT)
    jobs = [(n, s, args.steps, args.out) for s in seeds for n in names]

    def describe(row):
        return (f"{row['variant']:<30} seed {row['seed']}: content {row['content']:.3f}, flicker {row['flicker']:.3f}, "
                f"displacement error {row['displacement_error']:.2f} px")

    rows = [row for n in names if 0 not in seeds and not args.steps for row in [committed_row(n)] if row]
    rows += run_jobs(run, jobs, args.jobs, describe)
    table(rows, names, COLUMNS[:3])
    table(rows, names, COLUMNS[3:])
    print("\n(mean ± standard error over seeds; content: share of frames the target judge reads as the source's digit;"
          " flicker: mean |change| per pixel between consecutive frames with the source's motion undone; "
          "displacement error: pixels; _xy handwritten -> printed, _yx printed -> handwritten; no suffix: their mean)")


if __name__ == "__main__":
    main()
