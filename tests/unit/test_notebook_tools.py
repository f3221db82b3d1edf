"""The notebook pipeline: pairing, release of exercises, headless runs, and the repository's own files."""

import json
import re
import textwrap

import nbformat
import pytest

from gan_course import notebook_tools as nt
from gan_course import runtime

ROOT = runtime.PROJECT_ROOT
SOURCES = nt.lesson_sources()

LESSON = '''\
# %% [markdown]
# # 99 · A test lesson
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/{repo}/blob/main/notebooks/99_test.ipynb)

# %% tags=["parameters"]
PROFILE = "auto"
SEED = 0

# %%
import gan_course
gan_course.record("profile", gan_course.profile(PROFILE).name)
gan_course.record("answer", 6 * 7)

# %% nbgrader={{"grade": false, "grade_id": "double", "locked": false, "schema_version": 3, "solution": true, "task": false}}
def double(x):
    """Twice x."""
    ### BEGIN SOLUTION
    y = 2 * x
    return y
    ### END SOLUTION

# %% nbgrader={{"grade": true, "grade_id": "check_double", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}}
assert double(3) == 6
'''


@pytest.fixture
def lesson_dir(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "99_test.py").write_text(LESSON.format(repo=runtime.REPO_SLUG))
    return notebooks


# --------------------------------------------------------------------------- pairing


def test_render_is_deterministic_output_free_and_python3(lesson_dir):
    source = lesson_dir / "99_test.py"
    first, second = nt.notebook_text(nt.render_ipynb(source)), nt.notebook_text(nt.render_ipynb(source))
    assert first == second
    nb = nbformat.reads(first, as_version=4)
    assert nb.metadata.kernelspec.name == "python3"
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "code", "code", "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in nb.cells if c.cell_type == "code")
    assert nb.cells[1].metadata.tags == ["parameters"]
    assert len({c.id for c in nb.cells}) == len(nb.cells)


def test_sync_writes_then_reports_up_to_date_and_detects_an_edit(lesson_dir):
    target = lesson_dir / "99_test.ipynb"
    assert nt.sync(lesson_dir) == [target] and target.is_file()
    assert nt.sync(lesson_dir, check=True) == []
    source = lesson_dir / "99_test.py"
    source.write_text(source.read_text().replace("6 * 7", "6 * 8"))
    before = target.read_text()
    assert nt.sync(lesson_dir, check=True) == [target]
    assert target.read_text() == before  # check mode writes nothing


def test_render_rejects_a_non_source(tmp_path):
    with pytest.raises(ValueError, match="NN_topic.py"):
        nt.render_ipynb(tmp_path / "missing.py")


# --------------------------------------------------------------------------- release


def test_strip_solutions_keeps_indentation_and_the_rest_of_the_cell():
    code = textwrap.dedent("""\
        def f(x):
            ### BEGIN SOLUTION
            return x + 1
            ### END SOLUTION

        ### BEGIN HIDDEN TESTS
        assert f(1) == 2
        ### END HIDDEN TESTS
        print("kept")""")
    assert nt.strip_solutions(code) == textwrap.dedent("""\
        def f(x):
            # YOUR CODE HERE
            raise NotImplementedError()

        print("kept")""")


def test_strip_solutions_rejects_unbalanced_markers():
    with pytest.raises(ValueError, match="unbalanced"):
        nt.strip_solutions("### BEGIN SOLUTION\nx = 1\n")


def test_release_replaces_solutions_and_points_the_badge_at_the_exercise(lesson_dir, tmp_path):
    exercises = tmp_path / "exercises"
    assert nt.release(lesson_dir, exercises) == [exercises / "99_test.ipynb"]
    text = (exercises / "99_test.ipynb").read_text()
    assert "2 * x" not in text and "SOLUTION" not in text
    nb = nbformat.reads(text, as_version=4)
    assert "raise NotImplementedError()" in nb.cells[3].source and '"""Twice x."""' in nb.cells[3].source
    assert "/exercises/99_test.ipynb" in nb.cells[0].source
    assert nb.cells[4].metadata.nbgrader["points"] == 1
    assert nt.release(lesson_dir, exercises, check=True) == []
    (exercises / "stray.ipynb").write_text("{}")
    assert nt.release(lesson_dir, exercises, check=True) == [exercises / "stray.ipynb"]


@pytest.mark.parametrize("edit, message", [
    (lambda s: s.replace('"grade_id": "check_double"', '"grade_id": "double"'), "unique"),
    (lambda s: s.replace('"points": 1, ', ""), "points"),
    (lambda s: s.replace('"solution": true', '"solution": false'), "not marked solution"),
    (lambda s: s.replace('"locked": true', '"locked": false'), "locked"),
])
def test_release_rejects_bad_nbgrader_metadata(lesson_dir, tmp_path, edit, message):
    source = lesson_dir / "99_test.py"
    source.write_text(edit(source.read_text()))
    with pytest.raises(ValueError, match=message):
        nt.release(lesson_dir, tmp_path / "exercises")


# --------------------------------------------------------------------------- running


def test_run_notebook_and_course_summary(lesson_dir, tmp_path):
    nt.sync(lesson_dir)
    out = tmp_path / "build"
    rows = nt.run_course("smoke", out, notebooks=lesson_dir)
    assert [r["status"] for r in rows] == ["ok"], rows[0]["error"]
    assert rows[0]["results"] == {"profile": "smoke", "answer": 42}
    assert (out / "executed" / "99_test.ipynb").is_file() and (out / "html" / "99_test.html").is_file()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["notebooks"][0]["results"]["answer"] == 42
    assert "| 99_test | smoke |" in (out / "summary.md").read_text()


def test_a_failing_notebook_is_reported_not_raised(lesson_dir, tmp_path):
    source = lesson_dir / "99_test.py"
    source.write_text(source.read_text().replace('gan_course.record("answer", 6 * 7)', "1 / 0"))
    nt.sync(lesson_dir)
    row = nt.run_notebook(lesson_dir / "99_test.ipynb", tmp_path / "build", profile="smoke")
    assert row["status"] == "error" and "ZeroDivisionError" in row["error"]
    assert row["results"] == {"profile": "smoke"}  # what it recorded before failing


def test_a_figure_that_fails_to_draw_fails_the_run_in_the_lesson_tests_kernel(lesson_dir, tmp_path, monkeypatch):
    """The lesson tests' kernels draw figures as Jupyter does, so papermill fails where nbval would."""
    from conftest import KERNEL_BACKEND

    source = lesson_dir / "99_test.py"
    source.write_text(source.read_text().replace(
        'gan_course.record("answer", 6 * 7)',
        'import matplotlib.pyplot as plt\n'
        'plt.figure().gca().set_title(r"$\\frac{$")  # bad mathtext: fails only when drawn'))
    nt.sync(lesson_dir)
    monkeypatch.setenv("MPLBACKEND", KERNEL_BACKEND)
    row = nt.run_notebook(lesson_dir / "99_test.ipynb", tmp_path / "build", profile="smoke")
    assert row["status"] == "error" and "Expected \\frac{num}{den}" in row["error"]


def test_run_notebook_rejects_bad_arguments(lesson_dir, tmp_path):
    with pytest.raises(ValueError, match="ipynb"):
        nt.run_notebook(lesson_dir / "99_test.py", tmp_path)
    nt.sync(lesson_dir)
    with pytest.raises(ValueError, match="profile"):
        nt.run_notebook(lesson_dir / "99_test.ipynb", tmp_path, profile="fast")


# --------------------------------------------------------------------------- this repository


def test_the_course_has_lessons():
    assert SOURCES and SOURCES[0].name == "00_start_here.py"


def test_every_committed_notebook_is_in_sync_with_its_source():
    assert nt.sync(check=True) == [], "run `make sync` and commit the .ipynb files"
    assert sorted((ROOT / "notebooks").glob("*.ipynb")) == [s.with_suffix(".ipynb") for s in SOURCES]


def test_exercises_are_exactly_what_release_writes():
    assert nt.release(check=True) == [], "run `make sync` and commit exercises/"


def test_no_solution_text_reaches_the_exercises():
    for exercise in (ROOT / "exercises").glob("*.ipynb"):
        nb = nbformat.read(exercise, as_version=4)
        source_nb = nt.render_ipynb(ROOT / "notebooks" / f"{exercise.stem}.py")
        text = exercise.read_text()
        assert "### BEGIN SOLUTION" not in text
        for cell in source_nb.cells:
            for block in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.DOTALL):
                for line in block.strip().splitlines():
                    # Lines of only brackets and commas (a closing ")") say nothing about the answer.
                    if re.search(r"\w", line) and not line.strip().startswith("#"):
                        assert line.strip() not in "\n".join(c.source for c in nb.cells), (exercise, line)


@pytest.mark.parametrize("source", SOURCES, ids=[s.stem for s in SOURCES])
def test_each_lesson_follows_the_notebook_structure(source):
    nb = nt.render_ipynb(source)
    title = nb.cells[0]
    assert title.cell_type == "markdown" and title.source.startswith(f"# {source.stem[:2]} ·")
    badge = f"https://colab.research.google.com/github/{runtime.REPO_SLUG}/blob/main/notebooks/{source.stem}.ipynb"
    assert badge in title.source
    setup = nb.cells[2].source  # the cell after the "Setup" heading
    assert f'REPO = "{runtime.REPO_SLUG}"' in setup and "google.colab" in setup
    parameters = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(parameters) == 1
    assert parameters[0].source.splitlines() == ['PROFILE = "auto"', "SEED = 0"]
    nt.check_nbgrader(nb, source.name)
    for index, cell in enumerate(nb.cells):  # every exercise is followed by its check
        if cell.metadata.get("nbgrader", {}).get("solution"):
            follower = nb.cells[index + 1]
            assert follower.metadata.get("nbgrader", {}).get("grade"), f"no check after exercise {index}"
            assert "gan_course.checks." in follower.source
