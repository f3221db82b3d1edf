"""DCGAN-MNIST training throughput: the PyTorch-example loop vs the course's loop with its speed-ups.

Both loops train the same DCGAN (same initial weights, batch size and Adam) on the same
MNIST images, in one run, alternating:

(a) reference: written the way PyTorch's DCGAN example writes it. A DataLoader (2 worker
    processes, as in the example) over the images on the CPU, each batch moved to the
    device, float32, default memory format, labels built every step, BCE with logits,
    a D step (real, then ``fake.detach()``) and a G step on the same fake batch, the
    losses read every step (the example prints them).
(b) course: ``gan_course.train.train`` over a ``GANStep`` on ``DeviceBatches`` (data resident on the
    device) with the speed-ups ``speed.calibrate`` measured on this model and machine and kept
    because they were faster (channels_last, bfloat16 autocast where the CPU or GPU has it, fewer
    threads, torch.compile on CUDA; a host sync every 50 steps on CUDA); each can be overridden below.

(c) as (b), with ``GANStep(reuse_fake=True)``: G's update reuses the D update's fake batch, as the
    example does, instead of fresh noise (Algorithm 1): the same arithmetic as (a)'s G update.

After ``--warmup`` steps of each (compilation included) the three alternate for ``--repeats``
rounds of ``--steps`` steps. A figure is real images per second through one D step and one
G step (``--batch-size`` images per iteration), the median over rounds; the ratio is b/a.

    .venv/bin/python benchmarks/throughput.py [--steps 100] [--repeats 5] [--batch-size 128]
        [--threads N] [--workers 2] [--compile auto|off|default|reduce-overhead]
        [--autocast auto|bf16|off] [--channels-last auto|on|off] [--sync-every N] [--recalibrate]
        [--modes native,avx2] [--profile smoke]

By default a CPU run measures twice, natively and as an AVX2-only laptop CPU (``--modes``, each in its own
process; ``results/throughput-<mode>.json`` each, the two side by side in ``--out``).
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import gan_course
from gan_course import data, speed, train
from gan_course.models.dcgan import DCGANDiscriminator, DCGANGenerator, init_weights
from gan_course.models.gan import GANStep
from gan_course.runtime import AVX2_ONLY, ISA_LIMITS, cpu_isa, cpu_name, describe_machine

TARGET = {"cuda": 3.0, "cpu": 1.0}  # ratio b/a asked for in the issue


def reference_steps(G, D, d_opt, g_opt, batches, steps: int, device: torch.device) -> None:
    """``steps`` iterations as PyTorch's DCGAN example writes them (D ends in logits here)."""
    criterion = nn.BCEWithLogitsLoss()  # the example: sigmoid + BCELoss, the same loss
    for _ in range(steps):
        real = next(batches)[0].to(device)
        b = real.size(0)
        # (1) D: maximise log D(x) + log(1 - D(G(z)))
        D.zero_grad()
        label = torch.full((b,), 1.0, device=device)
        err_d_real = criterion(D(real), label)
        err_d_real.backward()
        fake = G(torch.randn(b, G.z_dim, device=device))
        label.fill_(0.0)
        err_d_fake = criterion(D(fake.detach()), label)
        err_d_fake.backward()
        d_opt.step()
        # (2) G: maximise log D(G(z)) on the same fake batch
        G.zero_grad()
        label.fill_(1.0)
        err_g = criterion(D(fake), label)
        err_g.backward()
        g_opt.step()
        (err_d_real + err_d_fake).item(), err_g.item()  # the example prints them every step


def course_steps(step: GANStep, batches, steps: int, fast: speed.SpeedUps) -> None:
    """``steps`` iterations of the course's loop."""
    train.train(step, batches, steps, sync_every=fast.sync_every, progress=False, log_every=0)


def iteration_flops(G, D, opts, step: GANStep, real, device: torch.device) -> dict[str, int]:
    """The floating-point operations of one iteration of each loop (on copies: the loops' models stay as they are)."""
    G, D, step = copy.deepcopy(G), copy.deepcopy(D), copy.deepcopy(step)
    opts = (adam(D), adam(G))
    reference, _ = speed.count_flops(reference_steps, G, D, *opts, iter([(real,)]), 1, device)
    course, _ = speed.count_flops(lambda: (step.d_step(real), step.g_step(real)))
    return {"reference": reference, "course": course}


def endless(loader):
    while True:  # a new epoch re-creates the workers, as the example's `for epoch` loop does
        yield from loader


def adam(model: nn.Module) -> torch.optim.Optimizer:
    return torch.optim.Adam(model.parameters(), lr=2e-4, betas=(0.5, 0.999))


def choose_speed_ups(args, calibration: speed.Calibration) -> speed.SpeedUps:
    """The speed-ups the calibration chose, with the command line's overrides."""
    fast = calibration.speed_ups
    if args.compile != "auto":
        fast = dataclasses.replace(fast, compile=False if args.compile == "off" else args.compile)
    if args.autocast != "auto":
        fast = dataclasses.replace(fast, autocast=torch.bfloat16 if args.autocast == "bf16" else None)
    if args.channels_last != "auto":
        fast = dataclasses.replace(fast, channels_last=args.channels_last == "on")
    if args.sync_every:
        fast = dataclasses.replace(fast, sync_every=args.sync_every)
    return fast


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="full", choices=["full", "smoke"],
                        help="smoke: a few tiny steps, for tests (the figures mean nothing)")
    parser.add_argument("--steps", type=int, default=100, help="iterations per round")
    parser.add_argument("--repeats", type=int, default=5, help="rounds of each loop, alternating")
    parser.add_argument("--warmup", type=int, default=10, help="untimed iterations of each loop first")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--width", type=int, default=64, help="DCGAN width (64 as in lesson 07)")
    parser.add_argument("--workers", type=int, default=2, help="DataLoader workers of the reference")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    parser.add_argument("--compile", default="auto", choices=["auto", "off", *speed.COMPILE_MODES])
    parser.add_argument("--autocast", default="auto", choices=["auto", "bf16", "off"])
    parser.add_argument("--channels-last", default="auto", choices=["auto", "on", "off"])
    parser.add_argument("--sync-every", type=int, default=0, help="0: the device's default")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--modes", default=None,
                        help="comma-separated: native, avx2 (an AVX2-only CPU, emulated); default both on a CPU, "
                             "native on CUDA; each mode runs in its own process")
    parser.add_argument("--recalibrate", action="store_true", help="time the speed-ups again (not the cached choice)")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "throughput.json"))
    args = parser.parse_args(argv)
    if args.modes is None:
        args.modes = "native" if torch.cuda.is_available() else "native,avx2"
    args.modes = args.modes.split(",")
    if args.modes != ["here"] and any(m not in ("native", "avx2") for m in args.modes):
        parser.error(f"--modes takes native and/or avx2, got {','.join(args.modes)}")
    if args.profile == "smoke":
        args.steps, args.repeats, args.warmup, args.batch_size, args.width = 2, 1, 1, 16, 8
    return args


def without(argv: list[str], *options: str) -> list[str]:
    """``argv`` less ``options`` and their values (``--out x`` and ``--out=x`` alike)."""
    kept, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg in options:
            skip = True
        elif not arg.startswith(tuple(f"{o}=" for o in options)):
            kept.append(arg)
    return kept


def in_modes(args, argv: list[str]) -> dict:
    """Run this benchmark once per mode, each in its own process (the caps are read when torch loads), and put
    the results side by side: ``{"modes": {mode: result}, "met": every mode's target met}``."""
    results = {}
    for mode in args.modes:
        out = Path(args.out).with_name(f"{Path(args.out).stem}-{mode}.json")
        env = {k: v for k, v in os.environ.items() if k not in ISA_LIMITS}
        env.update(AVX2_ONLY if mode == "avx2" else {})
        print(f"\n== mode {mode}" + (" (" + " ".join(f"{k}={v}" for k, v in AVX2_ONLY.items()) + ")"
                                    if mode == "avx2" else ""), flush=True)
        subprocess.run([sys.executable, __file__, *argv, "--modes", "here", "--out", str(out)], env=env, check=True)
        results[mode] = json.loads(out.read_text())
    print("\nmode      reference images/s   course images/s   ratio b/a   ratio c/a (reuse_fake)   speed-ups (calibrated)")
    for mode, r in results.items():
        chosen = r["speed_ups_described"]
        print(f"{mode:<10}{r['images_per_second']['reference']:>19,.0f}{r['images_per_second']['course']:>18,.0f}"
              f"{r['ratio']:>11.2f}x{r['ratio_shortcut']:>24.2f}x   {chosen}")
    summary = {"modes": results, "met": all(r["met"] is not False for r in results.values())}
    Path(args.out).write_text(json.dumps(summary, indent=2))
    print(f"wrote {args.out}")
    return summary


def main(argv: list[str] | None = None) -> dict:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse(argv)
    if args.modes != ["here"]:
        return in_modes(args, without(argv, "--modes", "--out"))
    if args.threads:
        torch.set_num_threads(args.threads)
    device = gan_course.device()
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True  # as the example sets it; it applies to both loops
    digits = data.load_mnist("train")

    gan_course.seed_everything(args.seed)
    G0, D0 = DCGANGenerator(width=args.width), DCGANDiscriminator(width=args.width)
    G0.apply(init_weights), D0.apply(init_weights)
    G_a, D_a = copy.deepcopy(G0).to(device), copy.deepcopy(D0).to(device)
    G_b, D_b = copy.deepcopy(G0).to(device), copy.deepcopy(D0).to(device)
    G_c, D_c = copy.deepcopy(G0).to(device), copy.deepcopy(D0).to(device)
    loader = DataLoader(TensorDataset(digits.images), batch_size=args.batch_size, shuffle=True,
                        num_workers=args.workers, drop_last=True)
    opts_a = (adam(D_a), adam(G_a))
    step_b = GANStep(G_b, D_b, adam(D_b), adam(G_b))
    step_c = GANStep(G_c, D_c, adam(D_c), adam(G_c), reuse_fake=True)
    batches_a = endless(loader)
    batches_b = digits.to(device).batches(args.batch_size, seed=args.seed)
    batches_c = digits.to(device).batches(args.batch_size, seed=args.seed)
    # the course's loop times the speed-ups on this model and keeps what is faster (a copy trains, not step_b)
    compile_ = None if args.compile == "auto" else args.compile != "off"
    calibration = speed.calibrate(step_b, next(iter(digits.to(device).batches(args.batch_size, seed=99))),
                                  compile=compile_, cache=not args.recalibrate and args.profile != "smoke")
    print(calibration)
    fast = choose_speed_ups(args, calibration)
    for step in (step_b, step_c):
        speed.apply(step, dataclasses.replace(fast, threads=None))
    threads = {"reference": torch.get_num_threads(), "course": fast.threads or torch.get_num_threads()}
    threads["shortcut"] = threads["course"]
    loops = {
        "reference": lambda n: reference_steps(G_a, D_a, *opts_a, batches_a, n, device),
        "course": lambda n: course_steps(step_b, batches_b, n, fast),
        "shortcut": lambda n: course_steps(step_c, batches_c, n, fast),
    }

    def timed(name: str, steps: int) -> float:
        if device.type == "cuda":
            torch.cuda.synchronize()
        torch.set_num_threads(threads[name])
        start = time.perf_counter()
        loops[name](steps)
        if device.type == "cuda":
            torch.cuda.synchronize()  # the GPU's queued work belongs to this round
        return time.perf_counter() - start

    warmup = {name: timed(name, args.warmup) for name in loops}  # compiles, starts workers
    rounds = {name: [] for name in loops}
    for r in range(args.repeats):
        for name in (list(loops) if r % 2 == 0 else list(loops)[::-1]):  # alternate who goes first
            rounds[name].append(args.steps * args.batch_size / timed(name, args.steps))
    median = {name: statistics.median(rates) for name, rates in rounds.items()}
    ratio = median["course"] / median["reference"]
    flops = iteration_flops(G_a, D_a, opts_a, step_b, next(batches_b), device)
    paired = [b / a for a, b in zip(rounds["reference"], rounds["course"])]  # back to back: drift cancels
    shortcut = median["shortcut"] / median["reference"]

    gpu = torch.cuda.get_device_name(0) if device.type == "cuda" else None
    machine = f"{describe_machine()}; CPU {cpu_name()}, {cpu_isa()}"
    target = TARGET.get(device.type)
    print(f"machine: {machine}; data: {digits.source}")
    print(f"DCGAN width {args.width}, batch {args.batch_size}, Adam 2e-4; {args.repeats} rounds x {args.steps} "
          f"steps after {args.warmup} warm-up steps (course warm-up {warmup['course']:.1f} s)")
    print(f"course speed-ups: {fast}")
    print(f"{'loop':<62}{'images/s (median)':>18}   rounds")
    for name, label in (("reference", "(a) reference: DataLoader, float32, NCHW"),
                        ("course", "(b) course: train.train + GANStep + DeviceBatches + speed-ups"),
                        ("shortcut", "(c) as (b), G's update on D's fake batch (reuse_fake)")):
        print(f"{label:<62}{median[name]:>18,.0f}   " + " ".join(f"{x:,.0f}" for x in rounds[name]))
    verdict = "" if target is None else f" (target >= {target:g}x: {'met' if ratio >= target else 'MISSED'})"
    print(f"ratio b/a: {ratio:.2f}x{verdict}; per round: " + " ".join(f"{x:.2f}" for x in paired))
    print(f"ratio c/a: {shortcut:.2f}x (the same arithmetic as the reference's G update, less D's unused gradients)")
    print(f"arithmetic an iteration: reference {flops['reference'] / 1e9:.1f} GFLOP, course {flops['course'] / 1e9:.1f} "
          f"GFLOP ({flops['course'] / flops['reference']:.2f}x): Algorithm 1 draws fresh noise for G's update, so the "
          "course runs G forward once more; the reference reuses the D step's fake batch (and computes D's weight "
          "gradients in the G step, then discards them)")

    result = {
        "machine": machine, "gpu": gpu, "torch": torch.__version__, "device": device.type,
        "torch_threads": torch.get_num_threads(), "data": digits.source,
        "settings": {k: v for k, v in vars(args).items() if k != "out"},
        "speed_ups": {**dataclasses.asdict(fast), "autocast": str(fast.autocast)}, "speed_ups_described": fast.describe(),
        "calibration": {"ms_per_iteration": calibration.ms_per_iteration, "from_cache": calibration.from_cache},
        "warmup_seconds": warmup, "images_per_second_rounds": rounds, "images_per_second": median,
        "ratio": ratio, "ratio_rounds": paired, "ratio_shortcut": shortcut, "flops_per_iteration": flops,
        "target": target, "met": None if target is None else ratio >= target,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"wrote {out}")
    return result


if __name__ == "__main__":
    main()
