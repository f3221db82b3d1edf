"""The GPU check: what only a CUDA machine can measure, in one command of at most 9 minutes.

    make gpu-check                                              # on a machine with one NVIDIA GPU
    .venv/bin/python benchmarks/gpu_check.py [--budget 525] [--throughput-cap 240] [--notebook-cap 120]
        [--only 04_wgan 07_dcgan_training] [--results-md PATH]
    .venv/bin/python benchmarks/gpu_check.py --profile smoke    # the same steps on a CPU, to test this script

1. ``benchmarks/throughput.py`` on CUDA, run as a command: the course's training loop against the
   PyTorch example's loop (stopped at ``--throughput-cap`` seconds).
2. Every lesson headless in the ``gpu`` profile (``python -m gan_course run``, i.e.
   ``headless.run_notebook``), in course order, each stopped at ``--notebook-cap`` seconds. A lesson
   that would start with less than ``MIN_START`` seconds of the budget left is not run.
3. A dated section with the device, torch, the throughput figures and each lesson's time and status,
   appended to ``benchmarks/RESULTS.md`` (the smoke profile writes it only to ``<out>/section.md``).

The check ends within ``--budget`` seconds (default 8 min 45 s, for a 9-minute slot). Without a CUDA
device it stops at once, saying "no CUDA device", with exit status 2. Exit status 1: throughput.py or a
lesson failed. A lesson stopped at its cap, or not run for lack of time, is reported, not a failure.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import torch

from gan_course import headless, notebook_tools, runtime

HERE = Path(__file__).resolve().parent
MIN_START = 30  # seconds a lesson needs at least: a kernel, torch, CUDA
RESERVE = 10  # seconds kept back for writing the results


def run_capped(command: list[str], cap: float, capture: bool = True,
               env: dict | None = None) -> tuple[int | None, str, str, float]:
    """Run ``command`` for at most ``cap`` seconds: (exit status, None when stopped; stdout; stderr; seconds)."""
    start = time.monotonic()
    pipe = subprocess.PIPE if capture else None
    with subprocess.Popen(command, cwd=runtime.PROJECT_ROOT, stdout=pipe, stderr=pipe, text=True,
                          start_new_session=True, env=env) as proc:
        try:
            stdout, stderr = proc.communicate(timeout=cap)
            code = proc.returncode
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # with its workers; a Jupyter kernel exits when its parent dies
            except ProcessLookupError:  # it ended meanwhile
                pass
            stdout, stderr = proc.communicate()
            code = None
    return code, stdout or "", stderr or "", round(time.monotonic() - start, 1)


def last_line(text: str | None) -> str:
    """The last non-empty line of an error message, without terminal colours, for a table cell."""
    lines = [line.strip() for line in re.sub(r"\x1b\[[0-9;]*m", "", text or "").splitlines() if line.strip()]
    return lines[-1][:160] if lines else ""


def throughput(profile: str, out: Path, cap: float) -> dict:
    """Step 1: ``throughput.py`` as a subprocess; its result file, or why there is none."""
    target = out / "throughput.json"
    target.unlink(missing_ok=True)
    options = ["--modes", "native"] + (["--profile", "smoke"] if profile == "smoke" else [])
    shown = " ".join(["throughput.py", *options])
    if cap < 1:
        return {"command": shown, "seconds": None, "result": None, "status": "not run: time budget"}
    print(f"gpu_check: {shown} (cap {cap:.0f} s)", flush=True)
    code, _, _, seconds = run_capped([sys.executable, str(HERE / "throughput.py"), *options, "--out", str(target)],
                                     cap, capture=False)  # its table and errors go to the console
    row = {"command": shown, "seconds": seconds, "result": None}
    if code is None:
        return {**row, "status": f"stopped at the {cap:.0f} s cap"}
    if code != 0 or not target.is_file():
        return {**row, "status": f"error: exit status {code}"}
    return {**row, "status": "ok", "result": json.loads(target.read_text())["modes"]["native"]}


def lessons(sources: list[Path], profile: str, out: Path, cap: float, deadline: float) -> list[dict]:
    """Step 2: each lesson headless in ``profile``, at most ``cap`` seconds each, none after ``deadline``."""
    rows = []
    for source in sources:
        left = deadline - time.monotonic()
        row = {"notebook": source.stem, "profile": profile, "seconds": None}
        if left < MIN_START:
            rows.append({**row, "status": "not run: time budget"})
            continue
        limit = min(cap, left)
        command = [sys.executable, "-m", "gan_course", "run", str(source.with_suffix(".ipynb")),
                   "--profile", profile, "--out", str(out)]
        print(f"gpu_check: {source.stem} ({profile}, cap {limit:.0f} s) ...", flush=True)
        code, stdout, stderr, row["wall_seconds"] = run_capped(command, limit)
        if code is None:
            row["status"] = f"stopped at the {limit:.0f} s cap"
        else:
            try:  # headless.run_notebook's row; its seconds are the notebook's, as in `make course`
                ran = json.loads(stdout)
                row.update(seconds=ran["seconds"], status=ran["status"], error=ran["error"], results=ran["results"])
            except (json.JSONDecodeError, KeyError):
                row.update(status="error", error=last_line(stderr) or f"exit status {code}")
            if row["status"] != "ok":
                row["status"] = f"error: {last_line(row['error'])}"
        print(f"  {row['status']} after {row['wall_seconds']} s", flush=True)
        rows.append(row)
    return rows


def only(sources: list[Path], stems: list[str] | None, who: str) -> list[Path]:
    """The lessons of ``sources`` named in ``stems`` (all when ``stems`` is empty); an unknown name stops the
    script, saying which names exist."""
    if not stems:
        return sources
    unknown = sorted(set(stems) - {s.stem for s in sources})
    if unknown:
        raise SystemExit(f"{who}: unknown notebooks {unknown}; expected some of {[s.stem for s in sources]}")
    return [s for s in sources if s.stem in stems]


def cell(text) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|")


def section(when: str, device: str, bench: dict, rows: list[dict], args, seconds: float) -> str:
    """Step 3: the RESULTS.md section."""
    result = bench["result"] or {}
    lines = [
        f"## GPU check, {when} (`benchmarks/gpu_check.py --profile {args.profile}`)",
        "",
        f"- Device: {device}; torch {torch.__version__} (CUDA {torch.version.cuda}).",
        f"- The whole check: {seconds:.0f} s of its {args.budget:.0f} s budget.",
        "",
        f"**Throughput** (`{bench['command']}`): {bench['status']} in {bench['seconds']} s.",
    ]
    if result:
        rates, rounds = result.get("images_per_second", {}), result.get("images_per_second_rounds", {})
        target, met = result.get("target"), result.get("met")
        verdict = "" if target is None else f" (target ≥ {target:g}×: {'met' if met else 'MISSED'})"
        lines += [
            "",
            "| loop | images/s (median) | rounds |",
            "|---|---:|---|",
            *(f"| {name} | {rates.get(name, 0):,.0f} | " + " ".join(f"{x:,.0f}" for x in rounds.get(name, [])) + " |"
              for name in ("reference", "course")),
            "",
            f"Ratio b/a: **{result.get('ratio', float('nan')):.2f}×**{verdict}; per round: "
            + " ".join(f"{x:.2f}" for x in result.get("ratio_rounds", [])) + ".",
            "Warm-up (compilation included): "
            + ", ".join(f"{name} {s:.1f} s" for name, s in result.get("warmup_seconds", {}).items())
            + ". Course speed-ups: " + ", ".join(f"{k}={v}" for k, v in result.get("speed_ups", {}).items()) + ".",
        ]
    lines += [
        "",
        f"**Lessons in the {args.profile} profile** (`python -m gan_course run notebooks/NN_topic.ipynb "
        f"--profile {args.profile}`, each capped at {args.notebook_cap:.0f} s; "
        "seconds: the notebook's run, as in `make course`):",
        "",
        "| notebook | seconds | status |",
        "|---|---:|---|",
        *(f"| {row['notebook']} | {'' if row['seconds'] is None else row['seconds']} | {cell(row['status'])} |"
          for row in rows),
    ]
    return "\n".join(lines) + "\n"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="gpu", choices=["gpu", "smoke"],
                        help="smoke: the same steps on any device with the smallest sizes (the figures mean nothing)")
    parser.add_argument("--budget", type=float, default=525, help="seconds for the whole check (8 min 45 s)")
    parser.add_argument("--throughput-cap", type=float, default=240, help="seconds for throughput.py")
    parser.add_argument("--notebook-cap", type=float, default=120, help="seconds for one lesson")
    parser.add_argument("--only", nargs="+", help="notebook stems to run (default: every lesson)")
    parser.add_argument("--notebooks", type=Path, default=notebook_tools.NOTEBOOKS, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=headless.BUILD / "gpu_check",
                        help="executed notebooks, results, throughput.json, section.md, gpu_check.json")
    parser.add_argument("--results-md", type=Path, default=None,
                        help="where the section is appended (gpu: benchmarks/RESULTS.md; smoke: nowhere)")
    args = parser.parse_args(argv)
    if args.results_md is None and args.profile == "gpu":
        args.results_md = HERE / "RESULTS.md"
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    start = time.monotonic()
    deadline = start + args.budget - RESERVE
    if args.profile == "gpu" and not torch.cuda.is_available():
        print(f"gpu_check: no CUDA device: torch {torch.__version__} (CUDA build {torch.version.cuda}) sees none. "
              "This check needs a machine with an NVIDIA GPU; `--profile smoke` tests the script on a CPU.",
              file=sys.stderr)
        return 2
    sources = only(notebook_tools.lesson_sources(args.notebooks), args.only, "gpu_check")
    device = (torch.cuda.get_device_name(0) if args.profile == "gpu"
              else f"CPU, {os.cpu_count()} logical cores (smoke profile: the figures mean nothing)")
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    args.out.mkdir(parents=True, exist_ok=True)

    bench = throughput(args.profile, args.out, min(args.throughput_cap, deadline - time.monotonic()))
    rows = lessons(sources, args.profile, args.out, args.notebook_cap, deadline)
    seconds = time.monotonic() - start

    text = section(when, device, bench, rows, args, seconds)
    (args.out / "section.md").write_text(text)
    (args.out / "gpu_check.json").write_text(json.dumps(
        {"when": when, "device": device, "torch": torch.__version__, "throughput": bench, "notebooks": rows}, indent=2))
    print("\n" + text)
    if args.results_md:
        with open(args.results_md, "a") as results_md:
            results_md.write("\n" + text)
        print(f"gpu_check: appended to {args.results_md}")
    failed = bench["status"].startswith("error") or any(row["status"].startswith("error") for row in rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
