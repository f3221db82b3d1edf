"""An nbgrader course directory made from the lessons, for instructors and for the end-to-end test.

    .venv/bin/python tests/nbgrader/nbgrader_course.py ~/gan-grading            # every lesson with exercises
    .venv/bin/python tests/nbgrader/nbgrader_course.py ~/gan-grading 00_start_here 06_dcgan

writes ``<root>/nbgrader_config.py`` and ``<root>/source/<lesson>/<lesson>.ipynb``: one nbgrader
assignment per lesson that has exercises, named after the lesson. The source is the solved
``notebooks/<lesson>.ipynb`` with its Colab badge pointed at the student version (and unpaired), so that
``nbgrader generate_assignment`` releases exactly what ``exercises/`` holds (the test checks that).

The config makes ``nbgrader autograde`` run the lessons in the ``smoke`` profile (unless
``GAN_COURSE_PROFILE`` is already set): the graded cells are function fill-ins whose checks do not
use the lessons' trained models, and smoke runs every other cell with tiny sizes, so one submission
autogrades in well under two minutes on two CPU cores.

nbgrader itself calls ``alembic`` through ``PATH``: run it with the virtualenv's ``bin`` first on
``PATH`` (``PATH=$PWD/.venv/bin:$PATH`` or an activated ``.venv``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
EXERCISES = ROOT / "exercises"
COURSE_ID = "gan-course"
CELL_TIMEOUT = 300  # seconds a cell may run under autograde (nbgrader's own default is 30)

CONFIG = '''\
"""nbgrader configuration of the GAN course (written by tests/nbgrader/nbgrader_course.py)."""
import os

c = get_config()  # noqa: F821 (nbgrader provides it)
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = {course_id!r}
# Autograde in the smoke profile: the graded cells do not depend on the lessons' training, and smoke
# runs every other cell with tiny sizes. The kernels nbgrader starts inherit this environment.
os.environ.setdefault("GAN_COURSE_PROFILE", "smoke")
os.environ.setdefault("TQDM_DISABLE", "1")
c.Execute.timeout = {timeout}  # seconds per cell
'''


def graded_lessons(notebooks: Path = NOTEBOOKS) -> list[str]:
    """The stems of the lessons that have graded cells, in course order."""
    stems = []
    for path in sorted(Path(notebooks).glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        if any(cell.get("metadata", {}).get("nbgrader", {}).get("grade") for cell in cells):
            stems.append(path.stem)
    return stems


def source_notebook(stem: str, notebooks: Path = NOTEBOOKS):
    """The nbgrader source of a lesson: the solved notebook, set up as ``exercises/`` sets up the student's.

    Its Colab badge opens the student version, and it is not paired with a ``.py`` (no jupytext metadata),
    so that the release nbgrader makes from it is the one in ``exercises/``.
    """
    import nbformat

    nb = nbformat.read(Path(notebooks) / f"{stem}.ipynb", as_version=4)
    nb.metadata.pop("jupytext", None)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = cell.source.replace(f"/notebooks/{stem}.ipynb", f"/exercises/{stem}.ipynb")
    return nb


def make_course(root: str | os.PathLike, stems: list[str] | None = None, notebooks: Path = NOTEBOOKS) -> Path:
    """Write ``nbgrader_config.py`` and ``source/<lesson>/<lesson>.ipynb`` under ``root``; return ``root``."""
    import nbformat

    root = Path(root).expanduser().resolve()
    stems = graded_lessons(notebooks) if stems is None else list(stems)
    unknown = sorted(set(stems) - set(graded_lessons(notebooks)))
    if unknown:
        raise ValueError(f"no graded lesson named {unknown}; expected some of {graded_lessons(notebooks)}")
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(
        CONFIG.format(root=str(root), course_id=COURSE_ID, timeout=CELL_TIMEOUT))
    for stem in stems:
        target = root / "source" / stem / f"{stem}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(source_notebook(stem, notebooks), target)
    return root


def nbgrader_env(**extra: str) -> dict:
    """This process's environment with the interpreter's ``bin`` first on PATH (nbgrader runs ``alembic``)."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.update(extra)
    return env


def nbgrader(root: Path, *args: str, env: dict | None = None, timeout: float | None = None):
    """Run ``nbgrader <args>`` in the course directory; the completed process (raises on failure)."""
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, env=env or nbgrader_env(),
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done


SOLUTION_BLOCK = re.compile(r"^[ \t]*### BEGIN SOLUTION[ \t]*\n(.*?)^[ \t]*### END SOLUTION", re.M | re.S)


def solution_lines(source: str) -> set[str]:
    """The stripped, non-blank lines inside a cell's solution blocks that occur nowhere else in it."""
    inside = {line.strip() for block in SOLUTION_BLOCK.findall(source) for line in block.splitlines()}
    outside = {line.strip() for line in SOLUTION_BLOCK.sub("", source).splitlines()}
    return {line for line in inside - outside if line and line != "### BEGIN SOLUTION"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="the course directory to write (created when missing)")
    parser.add_argument("lessons", nargs="*", help="lesson stems (default: every lesson with exercises)")
    args = parser.parse_args(argv)
    try:
        root = make_course(args.root, args.lessons or None)
    except ValueError as error:
        parser.error(str(error))
    print(f"wrote {root / 'nbgrader_config.py'} and source/ for: {' '.join(args.lessons or graded_lessons())}")
    print(f"next: cd {root} && nbgrader generate_assignment <lesson>   (with .venv/bin on PATH)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
