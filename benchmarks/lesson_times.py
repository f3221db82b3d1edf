"""Every lesson's smoke and cpu profiles, timed natively and as on an AVX2-only laptop CPU.

    .venv/bin/python benchmarks/lesson_times.py [--profiles smoke,cpu] [--modes native,avx2]
        [--only 05_stabilising_gans 18_pggan] [--again] [--table]

Each lesson runs headless (``python -m gan_course run notebooks/NN_topic.ipynb --profile P``, in a fresh
process, as a student's command would) in each mode:

- ``native``: the machine as it is;
- ``avx2``: torch's kernels capped at AVX2 (``ONEDNN_MAX_CPU_ISA=AVX2``, ``ATEN_CPU_CAPABILITY=avx2``,
  ``MKL_ENABLE_INSTRUCTIONS=AVX2``), the vector units of most student laptops: no AVX-512, no native
  bfloat16. It emulates such a CPU's instructions on a faster one, not its clock or its memory.

A row is the notebook's wall-clock seconds (its kernel's start included; the budgets of guide §4 are
30 s a notebook for ``smoke``, 10 minutes for ``cpu``, on 2 cores) and the whole command's (Python, torch and
papermill imports added, which a notebook opened in Jupyter does not pay). Rows are written to ``benchmarks/results/lesson_times.json`` as they end; a lesson whose
row exists is not run again (``--again`` runs it again). ``--table`` prints the Markdown table of what the
file holds and runs nothing. Run it alone on the machine: anything beside it makes the times meaningless.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from pathlib import Path

from gpu_check import HERE, last_line, only, run_capped

from gan_course import notebook_tools, runtime

BUDGET = {"smoke": 30, "cpu": 600}        # seconds a notebook, on 2 cores (guide §4)
CAP = {"smoke": 180, "cpu": 1500}         # a run stopped here is reported as over the budget
MODES = {"native": {}, "avx2": runtime.AVX2_ONLY}
OUT = HERE / "results" / "lesson_times.json"


def run_one(source: Path, profile: str, mode: str, out: Path) -> dict:
    """One lesson in one profile and mode: its seconds and status."""
    command = [sys.executable, "-m", "gan_course", "run", str(source.with_suffix(".ipynb")),
               "--profile", profile, "--out", str(out / "build")]
    env = {**os.environ, "TQDM_DISABLE": "1", "MPLBACKEND": "Agg", **MODES[mode]}
    for name in runtime.ISA_LIMITS:  # native means no cap, whatever the calling shell set
        if name not in MODES[mode]:
            env.pop(name, None)
    code, stdout, stderr, wall = run_capped(command, CAP[profile], env=env)
    row = {"notebook": source.stem, "profile": profile, "mode": mode, "wall_seconds": wall, "seconds": None,
           "budget": BUDGET[profile], "when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
    if code is None:
        return {**row, "status": f"stopped at the {CAP[profile]} s cap"}
    try:
        ran = json.loads(stdout)
        row.update(seconds=ran["seconds"], status=ran["status"])
        if ran["status"] != "ok":
            row["status"] = f"error: {last_line(ran['error'])}"
    except (json.JSONDecodeError, KeyError):
        row["status"] = f"error: {last_line(stderr) or f'exit status {code}'}"
    return row


def load(path: Path) -> dict:
    return json.loads(path.read_text()) if path.is_file() else {"machine": None, "rows": {}}


def key(stem: str, profile: str, mode: str) -> str:
    return f"{stem}/{profile}/{mode}"


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def table(results: dict, profiles: list[str], modes: list[str]) -> str:
    """The Markdown table: a column per profile and mode, the wall-clock time, ✗ past the budget."""
    stems = sorted({row["notebook"] for row in results["rows"].values()})
    head = [f"{profile} {mode}" for profile in profiles for mode in modes]
    lines = ["| lesson | " + " | ".join(head) + " |", "|---|" + "---:|" * len(head)]
    over = 0
    for stem in stems:
        cells = []
        for profile in profiles:
            for mode in modes:
                row = results["rows"].get(key(stem, profile, mode))
                if row is None:
                    cells.append("not run")
                elif row["status"] != "ok":
                    cells.append(f"{row['status'][:60]} ({fmt(row['wall_seconds'])})")
                    over += 1
                else:
                    late = row["seconds"] > row["budget"]
                    over += late
                    cells.append(fmt(row["seconds"]) + (" ✗" if late else ""))
        lines.append(f"| {stem} | " + " | ".join(cells) + " |")
    budgets = ", ".join(f"{p} {fmt(BUDGET[p])}" for p in profiles)
    overhead = [r["wall_seconds"] - r["seconds"] for r in results["rows"].values() if r["seconds"] is not None]
    lines += ["", f"The notebook's wall-clock time (its kernel's start included) in `python -m gan_course run` on "
              f"{results['machine']}; budgets: {budgets} (✗ over it); {over} over budget or failed. The command "
              f"itself adds {min(overhead, default=0):.0f}-{max(overhead, default=0):.0f} s (Python, torch and "
              "papermill imports) that a notebook opened in Jupyter does not pay."]
    return "\n".join(lines)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", default="smoke,cpu", help="comma-separated: smoke, cpu")
    parser.add_argument("--modes", default="native,avx2", help="comma-separated: native, avx2")
    parser.add_argument("--only", nargs="+", help="notebook stems (default: every lesson)")
    parser.add_argument("--again", action="store_true", help="run lessons whose rows exist again")
    parser.add_argument("--table", action="store_true", help="print the table of what the file holds; run nothing")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.profiles, args.modes = args.profiles.split(","), args.modes.split(",")
    for name, given, known in (("profile", args.profiles, BUDGET), ("mode", args.modes, MODES)):
        unknown = [x for x in given if x not in known]
        if unknown:
            parser.error(f"unknown {name} {unknown}; expected some of {sorted(known)}")
    return args


def main(argv: list[str] | None = None) -> dict:
    args = parse(argv)
    results = load(args.out)
    sources = only(notebook_tools.lesson_sources(notebook_tools.NOTEBOOKS), args.only, "lesson_times")
    if not args.table:
        results["machine"] = f"{runtime.cpu_name()}, {os.cpu_count()} logical cores, torch {runtime.torch.__version__}"
        for source in sources:
            for profile in args.profiles:
                for mode in args.modes:
                    k = key(source.stem, profile, mode)
                    if k in results["rows"] and not args.again:
                        continue
                    print(f"lesson_times: {source.stem} {profile} {mode} ...", flush=True)
                    row = run_one(source, profile, mode, args.out.parent / "lesson_times")
                    print(f"  {row['status']} in {fmt(row['wall_seconds'])} (notebook {fmt(row['seconds'])})", flush=True)
                    results["rows"][k] = row
                    runtime.write_text_atomically(args.out, json.dumps(results, indent=2))
    print(table(results, args.profiles, args.modes))
    return results


if __name__ == "__main__":
    main()
