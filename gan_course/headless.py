"""Running the lessons headless: ``run_notebook`` executes one notebook with papermill and collects
what it recorded with :func:`gan_course.record`; ``run_course`` does that for every lesson and writes
``build/summary.md`` and ``build/summary.json`` (``make course``), with an HTML export of each.

Command line: ``python -m gan_course run|course`` (see ``__main__``).

Used by: ``make course``, ``make test`` (tests/lessons), ``make gpu-check``.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from . import report, runtime
from .notebook_tools import NOTEBOOKS, lesson_sources

BUILD = runtime.PROJECT_ROOT / "build"
CELL_TIMEOUT = 900  # seconds a single cell may run in a headless run


def run_notebook(path: str | os.PathLike, out_dir: str | os.PathLike = BUILD, profile: str = "auto",
                 seed: int = 0, timeout: float | None = CELL_TIMEOUT) -> dict:
    """Execute one notebook headless with papermill and collect its recorded results.

    The executed notebook goes to ``<out_dir>/executed/`` and the results that
    the notebook ``record``-ed to ``<out_dir>/results/<stem>.json``.

    Args:
        path: a lesson ``.ipynb``.
        profile: passed as the notebook's ``PROFILE`` parameter.
        seed: passed as ``SEED``.
        timeout: seconds allowed per cell (None: no limit). The finite default turns a
            hung kernel into a failed row instead of a run that never ends.

    Returns:
        ``{"notebook", "profile", "seconds", "status" ("ok"/"error"), "error", "results"}``.
    """
    import papermill

    path, out_dir = Path(path), Path(out_dir)
    if path.suffix != ".ipynb" or not path.is_file():
        raise ValueError(f"expected an existing .ipynb notebook, got {path}")
    if profile != "auto" and profile not in runtime.PROFILES:
        raise ValueError(f"unknown profile {profile!r}; expected 'auto' or one of {runtime.PROFILES}")
    executed = out_dir / "executed" / path.name
    results_file = out_dir / "results" / f"{path.stem}.json"
    executed.parent.mkdir(parents=True, exist_ok=True)
    results_file.unlink(missing_ok=True)

    saved = os.environ.get(report.RESULTS_ENV)
    os.environ[report.RESULTS_ENV] = str(results_file.resolve())
    start = time.perf_counter()
    status, error = "ok", None
    try:
        papermill.execute_notebook(
            str(path), str(executed), parameters={"PROFILE": profile, "SEED": seed},
            cwd=str(path.parent), kernel_name="python3", progress_bar=False,
            execution_timeout=timeout,
        )
    except Exception as exc:  # a failing notebook is a row in the summary, not a crash
        status, error = "error", f"{type(exc).__name__}: {exc}"[-4000:]
    finally:
        if saved is None:
            os.environ.pop(report.RESULTS_ENV, None)
        else:
            os.environ[report.RESULTS_ENV] = saved
    seconds = round(time.perf_counter() - start, 1)
    results = report.load_results(results_file) if results_file.is_file() else {}
    return {
        "notebook": path.stem,
        "profile": results.get("profile", profile),
        "seconds": seconds,
        "status": status,
        "error": error,
        "results": results,
    }


def export_html(executed: Path, html_dir: Path) -> Path:
    """Write the HTML export of an executed notebook."""
    import nbformat
    from nbconvert import HTMLExporter

    html_dir.mkdir(parents=True, exist_ok=True)
    body, _ = HTMLExporter().from_notebook_node(nbformat.read(executed, as_version=4))
    target = html_dir / executed.with_suffix(".html").name
    target.write_text(body)
    return target


def _short(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        text = "[" + ", ".join(_short(v) for v in value[:4]) + (", …]" if len(value) > 4 else "]")
        return text
    if isinstance(value, dict):
        return "{…}"
    return str(value)


def summary_markdown(rows: list[dict], machine: str) -> str:
    """``build/summary.md``: one row per notebook with its profile, time and results."""
    lines = [
        "# Course run",
        "",
        f"Machine: {machine}",
        "",
        "| notebook | profile | seconds | status | recorded results |",
        "|---|---|---:|---|---|",
    ]
    for row in rows:
        shown = "; ".join(f"{k} = {_short(v)}" for k, v in row["results"].items() if k != "profile")
        status = row["status"] if row["status"] == "ok" else f"**{row['status']}**"
        lines.append(f"| {row['notebook']} | {row['profile']} | {row['seconds']} | {status} | {shown} |")
    failed = [row for row in rows if row["status"] != "ok"]
    for row in failed:
        lines += ["", f"## {row['notebook']} failed", "", "```", row["error"] or "", "```"]
    return "\n".join(lines) + "\n"


def run_course(profile: str = "auto", out_dir: str | os.PathLike = BUILD, notebooks: Path = NOTEBOOKS,
               only: list[str] | None = None) -> list[dict]:
    """Execute every lesson headless and write the executed notebooks, HTML and the summary.

    Args:
        profile: ``auto`` (the machine's default: gpu with CUDA, else cpu), ``smoke``, ``cpu`` or ``gpu``.
        only: notebook stems to run (default: all).

    Returns:
        The summary rows (also in ``<out_dir>/summary.json``).
    """
    out_dir = Path(out_dir)
    paths = [source.with_suffix(".ipynb") for source in lesson_sources(notebooks)]
    if only:
        unknown = sorted(set(only) - {p.stem for p in paths})
        if unknown:
            raise ValueError(f"unknown notebooks {unknown}; expected some of {[p.stem for p in paths]}")
        paths = [p for p in paths if p.stem in only]
    rows = []
    for path in paths:
        print(f"running {path.name} ({profile}) ...", flush=True)
        row = run_notebook(path, out_dir, profile=profile)
        executed = out_dir / "executed" / path.name
        if executed.is_file():
            export_html(executed, out_dir / "html")
        print(f"  {row['status']} in {row['seconds']} s", flush=True)
        rows.append(row)
    machine = runtime.describe_machine()
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "summary.json").write_text(json.dumps({"machine": machine, "notebooks": rows}, indent=2))
    (out_dir / "summary.md").write_text(summary_markdown(rows, machine))
    return rows
