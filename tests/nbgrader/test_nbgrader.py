"""nbgrader end to end: generate_assignment over the lessons with exercises, then autograde two submissions each.

Run with ``make nbgrader-test`` (or ``GAN_COURSE_NBGRADER=1 .venv/bin/python -m pytest -rP tests/nbgrader``);
``GAN_COURSE_NBGRADER_LESSONS="00_start_here 06_dcgan"`` picks some lessons. In a temporary course directory
(``nbgrader_course.make_course``: one assignment per lesson, the solved notebook as its source):

* ``generate_assignment`` must release what ``exercises/`` holds: the same cells, sources and nbgrader
  metadata, and no line of a solution;
* ``autograde``, in the smoke profile that the course's ``nbgrader_config.py`` selects, scores
  ``reference`` (the source notebook itself) full marks in every lesson, and ``edited_checks`` (the release with
  every locked check cell replaced by ``pass``, which would pass if nbgrader kept it) zero, with the check cells
  restored: the autograded notebook's cells are then the release's, so this also grades the release as handed
  out. ``edited_checks`` runs in every sixth lesson (:data:`EDITED_LESSONS`; all of them with
  ``GAN_COURSE_NBGRADER_ALL=1``): what it shows of nbgrader holds for any lesson whose check cells are locked,
  which ``test_release_is_the_exercises`` asserts of every lesson, and that each check fails on the unsolved
  exercise is asserted in tests/checks (each check rejects the stub); running it everywhere doubled this test's
  time;
* autograding one submission of one lesson takes at most two minutes on 2 CPU cores: its wall time, or,
  when the machine was busier than its cores (1-minute load average above the CPU count, e.g. other test
  runs beside this one), the CPU time nbgrader and its kernel used, which is what an idle machine needs.

The measured times (wall and CPU seconds per submission, the slowest cells, the load average) go to
``build/nbgrader/autograde.json`` and are printed (``-rP``).
"""

from __future__ import annotations

import copy
import datetime
import fcntl
import json
import os
import resource
import time

import pytest

import nbgrader_course as course_tools

LESSONS = course_tools.graded_lessons()
if os.environ.get("GAN_COURSE_NBGRADER_LESSONS"):
    LESSONS = [s for s in os.environ["GAN_COURSE_NBGRADER_LESSONS"].split() if s in LESSONS] or LESSONS
STUDENTS = ("reference", "edited_checks")
EDITED_LESSONS = LESSONS if os.environ.get("GAN_COURSE_NBGRADER_ALL") == "1" else LESSONS[::6]
MAX_SECONDS = 120  # autograding one submission of one lesson, 2 CPU cores
TIMES = course_tools.ROOT / "build" / "nbgrader" / "autograde.json"


def nbgrader_meta(cell) -> dict:
    """A cell's nbgrader metadata without what generate_assignment adds (checksum, cell_type)."""
    meta = dict(cell.metadata.get("nbgrader", {}))
    meta.pop("checksum", None)
    meta.pop("cell_type", None)
    return meta


def is_check(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course directory with every selected lesson as a source; :func:`release_lesson` releases one.

    ``make nbgrader-test`` spreads the lessons over one pytest-xdist worker per core: each worker has its own
    course directory and gradebook (nbgrader's sqlite database takes one writer), and releases only its lessons.
    """
    return course_tools.make_course(tmp_path_factory.mktemp("nbgrader") / "course", LESSONS)


RELEASED: set[tuple[str, str]] = set()  # (course, lesson) pairs already released


def release_lesson(course, stem) -> None:
    """``nbgrader generate_assignment`` of one lesson, once per course directory."""
    if (str(course), stem) not in RELEASED:
        start = time.perf_counter()
        course_tools.nbgrader(course, "generate_assignment", stem, timeout=300)
        RELEASED.add((str(course), stem))
        print(f"generate_assignment {stem}: {time.perf_counter() - start:.1f} s")


@pytest.mark.parametrize("stem", LESSONS)
def test_release_is_the_exercises(course, stem):
    import nbformat

    release_lesson(course, stem)
    source = nbformat.read(course / "source" / stem / f"{stem}.ipynb", as_version=4)
    released = nbformat.read(course / "release" / stem / f"{stem}.ipynb", as_version=4)
    exercises = nbformat.read(course_tools.EXERCISES / f"{stem}.ipynb", as_version=4)
    assert released.metadata == exercises.metadata
    assert len(released.cells) == len(exercises.cells) == len(source.cells)
    graded = 0
    for index, (ours, theirs, solved) in enumerate(zip(released.cells, exercises.cells, source.cells)):
        where = f"{stem}, cell {index}"
        assert ours.cell_type == theirs.cell_type, where
        assert ours.source == theirs.source, f"{where}: nbgrader's release differs from exercises/"
        assert nbgrader_meta(ours) == nbgrader_meta(theirs), where
        assert "### BEGIN SOLUTION" not in ours.source, where
        leaked = course_tools.solution_lines(solved.source) & {line.strip() for line in ours.source.splitlines()}
        assert not leaked, f"{where}: solution lines in the release: {sorted(leaked)}"
        if ours.metadata.get("nbgrader", {}).get("solution"):
            assert "raise NotImplementedError()" in ours.source, where
        if is_check(ours):  # nbgrader restores a locked cell that a student edits (autograde, below)
            assert ours.metadata["nbgrader"].get("locked") is True, f"{where}: a check cell must be locked"
        graded += is_check(ours)
    assert graded, f"{stem}: no graded check cell in the release"


def submissions(course, stem) -> dict:
    """Write the submissions of a lesson under ``submitted/``; the edited check cells' original text."""
    import nbformat

    reference = nbformat.read(course / "source" / stem / f"{stem}.ipynb", as_version=4)
    untouched = nbformat.read(course / "release" / stem / f"{stem}.ipynb", as_version=4)
    edited = copy.deepcopy(untouched)
    originals = {}
    for cell in edited.cells:
        if is_check(cell):
            originals[cell.metadata["nbgrader"]["grade_id"]] = cell.source
            cell.source = "pass"  # a check that cannot fail, if nbgrader kept it
    for student, nb in zip(STUDENTS, (reference, edited)):
        target = course / "submitted" / student / stem / f"{stem}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
    return originals


def scores(course, stem, student) -> dict:
    """``{grade_id: (score, max_score)}`` of one autograded submission, from the gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(stem, stem, student)
        assert not notebook.needs_manual_grade, f"{stem}/{student} needs manual grading"
        return {grade.name: (grade.score, grade.max_score) for grade in notebook.grades}


def cell_seconds(nb) -> list[tuple[float, int, str]]:
    """``(seconds, index, first line)`` of each executed code cell, slowest first (nbclient's timestamps)."""
    rows = []
    for index, cell in enumerate(nb.cells):
        stamps = cell.metadata.get("execution", {})
        if "iopub.execute_input" in stamps and "shell.execute_reply" in stamps:
            start, end = (datetime.datetime.fromisoformat(stamps[k].replace("Z", "+00:00"))
                          for k in ("iopub.execute_input", "shell.execute_reply"))
            rows.append((round((end - start).total_seconds(), 2), index, cell.source.split("\n", 1)[0][:60]))
    return sorted(rows, reverse=True)


def record_times(stem: str, row: dict) -> None:
    """Add a lesson's row to ``autograde.json``; the pytest-xdist workers take turns (a lock file), and each
    writes a whole new file that replaces the old one, so a reader never sees half a table."""
    TIMES.parent.mkdir(parents=True, exist_ok=True)
    with open(TIMES.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        table = json.loads(TIMES.read_text()) if TIMES.is_file() else {}
        table[stem] = row
        partial = TIMES.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(table, indent=2) + "\n")
        os.replace(partial, TIMES)


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # nbgrader and the kernels it started and waited for
    return usage.ru_utime + usage.ru_stime


# test_export reads the gradebook of its own worker's course: it runs after the last lesson's autograde, on the
# same worker (one xdist_group keeps them together, in this order).
AUTOGRADED = [pytest.param(stem, marks=pytest.mark.xdist_group("export")) if stem == LESSONS[-1] else stem
              for stem in LESSONS]


@pytest.mark.parametrize("stem", AUTOGRADED)
def test_autograde(course, stem):
    import nbformat

    release_lesson(course, stem)
    originals = submissions(course, stem)
    # The kernels inherit this environment: no profile set here, so the course config's smoke is what runs;
    # figures drawn as in Jupyter (the inline backend); no results file of the lesson tests.
    env = course_tools.nbgrader_env()
    for name in ("GAN_COURSE_PROFILE", "MPLBACKEND", "GAN_COURSE_RESULTS"):
        env.pop(name, None)
    students = STUDENTS if stem in EDITED_LESSONS else STUDENTS[:1]
    seconds, cpu_seconds = {}, {}
    for student in students:
        start, cpu_start = time.perf_counter(), children_cpu_seconds()
        course_tools.nbgrader(course, "autograde", stem, "--student", student, env=env, timeout=600)
        seconds[student] = round(time.perf_counter() - start, 1)
        cpu_seconds[student] = round(children_cpu_seconds() - cpu_start, 1)
    load, cores = os.getloadavg()[0], os.cpu_count() or 1
    got = {student: scores(course, stem, student) for student in students}
    reference = nbformat.read(course / "autograded" / "reference" / stem / f"{stem}.ipynb", as_version=4)
    timed = cell_seconds(reference)
    graded_cells = round(sum(t for t, index, _ in timed
                           if reference.cells[index].metadata.get("nbgrader", {}).get("grade_id")), 2)
    record_times(stem, {"wall_seconds": seconds, "cpu_seconds": cpu_seconds,
                        "total_wall_seconds": round(sum(seconds.values()), 1),
                        "load_average_1min": round(load, 2), "cpus": cores,
                        "graded_cells_seconds_reference": graded_cells,
                        "slowest_cells_reference": timed[:3], "scores": got})
    print(f"{stem}: autograde wall seconds {seconds}, CPU seconds {cpu_seconds} "
          f"(load average {load:.1f} on {cores} CPUs); the graded cells ran {graded_cells} s; "
          f"slowest cells {timed[:3]}; scores {got}")

    points = {cell.metadata["nbgrader"]["grade_id"]: cell.metadata["nbgrader"]["points"]
              for cell in nbformat.read(course / "source" / stem / f"{stem}.ipynb", as_version=4).cells
              if is_check(cell)}
    assert set(originals) == set(points)
    for student in students:
        assert set(got[student]) == set(points), f"{stem}/{student}: graded cells {sorted(got[student])}"
        assert {k: m for k, (_, m) in got[student].items()} == points
    assert {k: s for k, (s, _) in got["reference"].items()} == points, "the reference must get full marks"
    if "edited_checks" in students:
        assert {k: s for k, (s, _) in got["edited_checks"].items()} == dict.fromkeys(points, 0), \
            "edited check cells must be restored (and then fail on the unsolved exercises)"
        graded = nbformat.read(course / "autograded" / "edited_checks" / stem / f"{stem}.ipynb", as_version=4)
        restored = {c.metadata["nbgrader"]["grade_id"]: c.source for c in graded.cells if is_check(c)}
        assert restored == originals, "nbgrader must restore the locked check cells"
        release = nbformat.read(course / "release" / stem / f"{stem}.ipynb", as_version=4)
        assert [c.source for c in graded.cells] == [c.source for c in release.cells], \
            "restored, the edited submission must be the release as handed out (whose zero marks it then shows)"
    for student in students:
        graded = nbformat.read(course / "autograded" / student / stem / f"{stem}.ipynb", as_version=4)
        outputs = [(index, o) for index, c in enumerate(graded.cells) if c.cell_type == "code" for o in c.outputs]
        printed = "".join(o.get("text", "") for _, o in outputs)
        assert "[recorded] profile = 'smoke'" in printed, f"{stem}/{student} did not run in the smoke profile"
        if student == "reference":  # the solved lesson runs cleanly under autograde, every cell
            errors = [(index, o.ename, o.evalue[:200]) for index, o in outputs if o.output_type == "error"]
            assert not errors, f"{stem}: the reference raised under autograde: {errors}"
    busy = load > cores  # the wall time then measures the neighbours too; the CPU time still measures the work
    slow = {s: (seconds[s], cpu_seconds[s]) for s in students
            if seconds[s] > MAX_SECONDS and (not busy or cpu_seconds[s] > MAX_SECONDS)}
    assert not slow, (f"{stem}: autograding took more than {MAX_SECONDS} s (wall, CPU seconds): {slow}; "
                      f"load average {load:.1f} on {cores} CPUs")


@pytest.mark.xdist_group("export")
def test_export(course):
    """``nbgrader export`` writes the same totals to grades.csv (runs after the autograde tests above)."""
    import csv

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        expected = {(sub.assignment.name, sub.student.id): (sub.score, sub.max_score)
                    for assignment in gradebook.assignments for sub in assignment.submissions}
    if not expected:
        pytest.skip("no lesson was autograded in this run")
    course_tools.nbgrader(course, "export", timeout=300)
    with open(course / "grades.csv", newline="") as handle:
        rows = {(row["assignment"], row["student_id"]): (float(row["score"]), float(row["max_score"]))
                for row in csv.DictReader(handle)}
    assert {key: rows[key] for key in expected if key in rows} == expected
    # a student without a submission of an assignment (edited_checks outside EDITED_LESSONS) is exported with 0
    assert all(score == 0 for key, (score, _) in rows.items() if key not in expected)
    for (stem, student), (score, max_score) in expected.items():
        assert score == (max_score if student == "reference" else 0), (stem, student, score)
