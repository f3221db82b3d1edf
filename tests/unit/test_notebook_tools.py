"""The notebook pipeline: pairing, release of exercises, the repository's name, headless runs, and the
repository's own files (the notebooks, the exercises, `make lab`'s JupyterLab configuration)."""

import fnmatch
import json
import re
import shutil
import textwrap

import nbformat
import pytest

from gan_course import headless
from gan_course import notebook_tools as nt
from gan_course import runtime

ROOT = runtime.PROJECT_ROOT
SOURCES = nt.lesson_sources()

LESSON = '''\
# %% [markdown]
# # 99 · A test lesson
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/{repo}/blob/main/notebooks/99_test.ipynb)

# %%
{setup}

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


# An outdated setup cell, as a lesson's author might leave it: sync rewrites it.
OLD_SETUP = f"""\
import subprocess
import sys

REPO = "{runtime.REPO_SLUG}"
if "google.colab" in sys.modules:
    subprocess.run([sys.executable, "-m", "pip", "install", f"git+https://github.com/{{REPO}}.git"])"""


@pytest.fixture
def lesson_dir(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "99_test.py").write_text(LESSON.format(repo=runtime.REPO_SLUG, setup=OLD_SETUP))
    return notebooks


# --------------------------------------------------------------------------- pairing


def test_render_is_deterministic_output_free_and_python3(lesson_dir):
    source = lesson_dir / "99_test.py"
    first, second = nt.notebook_text(nt.render_ipynb(source)), nt.notebook_text(nt.render_ipynb(source))
    assert first == second
    nb = nbformat.reads(first, as_version=4)
    assert nb.metadata.kernelspec.name == "python3"
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "code", "code", "code", "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in nb.cells if c.cell_type == "code")
    assert nb.cells[2].metadata.tags == ["parameters"]
    assert len({c.id for c in nb.cells}) == len(nb.cells)


def test_sync_writes_then_reports_up_to_date_and_detects_an_edit(lesson_dir):
    target, source = lesson_dir / "99_test.ipynb", lesson_dir / "99_test.py"
    assert nt.sync(lesson_dir) == [source, target] and target.is_file()  # the source: its setup cell rewritten
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
    assert "raise NotImplementedError()" in nb.cells[4].source and '"""Twice x."""' in nb.cells[4].source
    assert nt.colab_badge(runtime.REPO_SLUG, "exercises", "99_test") in nb.cells[0].source
    assert "/notebooks/" not in nb.cells[0].source
    assert "jupytext" not in nb.metadata  # not paired: saving it in JupyterLab writes no exercises/99_test.py
    assert nb.cells[5].metadata.nbgrader["points"] == 1
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


# --------------------------------------------------------------------------- the repository's name


@pytest.mark.parametrize("slug", ["gan-course/gan-course", "a/b", "My-Uni2/GAN_course.2025", "x" * 39 + "/" + "y" * 100,
                                  "owner/.github", "owner/_"])
def test_check_slug_accepts_github_names(slug):
    assert nt.check_slug(f" {slug}\n") == slug


@pytest.mark.parametrize("slug, message", [
    ("gan-course", "owner/name"),
    ("a/b/c", "owner/name"),
    ("-owner/name", "owner/name"),
    ("owner-/name", "owner/name"),
    ("own--er/name", "owner/name"),
    ("x" * 40 + "/name", "owner/name"),
    ("owner/" + "y" * 101, "owner/name"),
    ("owner/na me", "owner/name"),
    ('owner/na"me', "owner/name"),
    ("owner/..", "repository name"),
    ("owner/name.git", ".git"),
    ("https://github.com/owner/name", "not a URL"),
    ("git@github.com:owner/name.git", "not a URL"),
    ("", "owner/name"),
])
def test_check_slug_rejects_what_github_does_not_allow(slug, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        nt.check_slug(slug)


def test_stamp_source_writes_badge_and_setup_cell_and_nothing_else(lesson_dir):
    text = (lesson_dir / "99_test.py").read_text()
    stamped = nt.stamp_source(text, "99_test", "someone/fork")
    badge = nt.colab_badge("someone/fork", "notebooks", "99_test")
    assert badge in stamped and "\n# %%\n" + nt.setup_cell("someone/fork") + "\n\n# %% tags=" in stamped
    assert runtime.REPO_SLUG not in stamped
    assert nt.stamp_source(stamped, "99_test", "someone/fork") == stamped
    restored = stamped.replace(nt.setup_cell("someone/fork"), OLD_SETUP)
    assert restored.replace(badge, nt.colab_badge(runtime.REPO_SLUG, "notebooks", "99_test")) == text


def test_setup_cell_installs_the_package_only_on_colab_and_only_once(monkeypatch):
    import importlib.util
    import subprocess
    import sys
    import types

    ran = []
    monkeypatch.setattr(subprocess, "run", lambda command, **kw: ran.append(command))
    setup = nt.setup_cell("someone/fork")
    exec(setup, {})  # not on Colab: nothing
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    exec(setup, {})  # on Colab with the package installed: nothing
    assert ran == []
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    exec(setup, {})  # on Colab, bare: pip installs the repository
    assert ran == [[sys.executable, "-m", "pip", "install", "-q", "git+https://github.com/someone/fork.git"]]


@pytest.mark.parametrize("edit, message", [
    (lambda s: re.sub(r"^# \[!\[Open In Colab.*\n", "", s, flags=re.MULTILINE), "one Colab badge"),
    (lambda s: s.replace('REPO = "', 'REPOSITORY = "'), "one setup cell"),
])
def test_stamp_source_says_what_a_lesson_lacks(lesson_dir, edit, message):
    text = edit((lesson_dir / "99_test.py").read_text())
    with pytest.raises(ValueError, match=message):
        nt.stamp_source(text, "99_test")


def test_sync_rewrites_a_foreign_slug_in_source_and_notebook(lesson_dir):
    source = lesson_dir / "99_test.py"
    source.write_text(source.read_text().replace(runtime.REPO_SLUG, "someone/old-fork"))
    assert nt.sync(lesson_dir, check=True) == [source, lesson_dir / "99_test.ipynb"]
    assert "someone/old-fork" in source.read_text()  # check mode writes nothing
    nt.sync(lesson_dir)
    assert "someone/old-fork" not in source.read_text() + (lesson_dir / "99_test.ipynb").read_text()


@pytest.fixture
def course_copy(lesson_dir, tmp_path):
    """A small copy of the repository: runtime.py, the README, one lesson, its notebook and its exercise."""
    (tmp_path / "gan_course").mkdir()
    shutil.copy(ROOT / "gan_course" / "runtime.py", tmp_path / "gan_course" / "runtime.py")
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    nt.sync(lesson_dir)
    nt.release(lesson_dir, tmp_path / "exercises")
    return tmp_path


def test_set_repo_rewrites_the_one_place_and_regenerates_everything(course_copy):
    old = runtime.REPO_SLUG
    changed = nt.set_repo("my-uni/gan-course-2025", course_copy)
    runtime_py = course_copy / "gan_course" / "runtime.py"
    assert runtime_py in changed and 'REPO_SLUG = "my-uni/gan-course-2025"' in runtime_py.read_text()
    assert runtime.REPO_SLUG == old  # a copy's set-repo leaves this process's package alone
    readme = (course_copy / "README.md").read_text()
    assert f"github.com/{old}" not in readme and "github.com/my-uni/gan-course-2025" in readme
    for folder, path in [("notebooks", "notebooks/99_test.py"), ("notebooks", "notebooks/99_test.ipynb"),
                         ("exercises", "exercises/99_test.ipynb")]:
        text = (course_copy / path).read_text()
        assert old not in text, path
        if path.endswith(".ipynb"):
            nb = nbformat.reads(text, as_version=4)
            assert nt.colab_badge("my-uni/gan-course-2025", folder, "99_test") in nb.cells[0].source
            assert nb.cells[1].source == nt.setup_cell("my-uni/gan-course-2025")
    again = nt.set_repo("my-uni/gan-course-2025", course_copy)
    assert again == []  # idempotent


@pytest.mark.parametrize("slug", ["not a slug", "https://github.com/a/b", "a/b/c"])
def test_set_repo_rejects_a_bad_slug_and_changes_nothing(course_copy, slug, capsys, monkeypatch):
    from gan_course.__main__ import main

    before = {p: p.read_bytes() for p in course_copy.rglob("*") if p.is_file()}
    with pytest.raises(ValueError):
        nt.set_repo(slug, course_copy)
    real_set_repo = nt.set_repo
    monkeypatch.setattr(nt, "set_repo", lambda slug, root=course_copy: real_set_repo(slug, course_copy))
    with pytest.raises(SystemExit) as exit_:
        main(["set-repo", slug])  # argparse stops it before anything is written
    assert exit_.value.code == 2 and "owner/name" in capsys.readouterr().err
    assert before == {p: p.read_bytes() for p in course_copy.rglob("*") if p.is_file()}


# --------------------------------------------------------------------------- running


def test_run_notebook_and_course_summary(lesson_dir, tmp_path):
    nt.sync(lesson_dir)
    out = tmp_path / "build"
    rows = headless.run_course("smoke", out, notebooks=lesson_dir)
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
    row = headless.run_notebook(lesson_dir / "99_test.ipynb", tmp_path / "build", profile="smoke")
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
    row = headless.run_notebook(lesson_dir / "99_test.ipynb", tmp_path / "build", profile="smoke")
    assert row["status"] == "error" and "Expected \\frac{num}{den}" in row["error"]


def test_run_notebook_rejects_bad_arguments(lesson_dir, tmp_path):
    with pytest.raises(ValueError, match="ipynb"):
        headless.run_notebook(lesson_dir / "99_test.py", tmp_path)
    nt.sync(lesson_dir)
    with pytest.raises(ValueError, match="profile"):
        headless.run_notebook(lesson_dir / "99_test.ipynb", tmp_path, profile="fast")


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
    assert nt.colab_badge(runtime.REPO_SLUG, "notebooks", source.stem) in title.source
    assert nb.cells[2].source == nt.setup_cell(runtime.REPO_SLUG)  # the cell after the "Setup" heading
    parameters = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(parameters) == 1
    assert parameters[0].source.splitlines() == ['PROFILE = "auto"', "SEED = 0"]
    nt.check_nbgrader(nb, source.name)
    for index, cell in enumerate(nb.cells):  # every exercise is followed by its check
        if cell.metadata.get("nbgrader", {}).get("solution"):
            follower = nb.cells[index + 1]
            assert follower.metadata.get("nbgrader", {}).get("grade"), f"no check after exercise {index}"
            assert "gan_course.checks." in follower.source


@pytest.mark.parametrize("source", SOURCES, ids=[s.stem for s in SOURCES])
def test_each_lesson_fits_one_class_and_has_an_open_exercise(source):
    from gan_course import checks

    nb = nt.render_ipynb(source)
    words = nt.prose_words(nb)
    assert words <= nt.LESSON_WORDS, f"{source.stem}: {words} words of prose; split the lesson where its topic splits"
    called = set(re.findall(r"gan_course\.checks\.(\w+)\(", "\n".join(c.source for c in nb.cells)))
    assert called & set(checks.OPEN), f"{source.stem} has no open exercise (a check in checks.OPEN)"


def test_prose_words_counts_markdown_only():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A title\nfour words here $x$"),
                                         nbformat.v4.new_code_cell("print('not prose at all')")])
    assert nt.prose_words(nb) == 7  # "#", "A", "title", "four", "words", "here", "$x$"


# --------------------------------------------------------------------------- the one place, as committed


def _setup_cells(nb):
    return [c.source for c in nb.cells if c.cell_type == "code" and "google.colab" in c.source]


@pytest.mark.parametrize("folder", ["notebooks", "exercises"])
def test_committed_badges_and_setup_cells_come_from_runtime_repo_slug(folder):
    """The files on disk (what GitHub and Colab show), not what sync would write."""
    paths = sorted((ROOT / folder).glob("*.ipynb"))
    assert [p.stem for p in paths] == [s.stem for s in SOURCES]  # every lesson has an exercise version
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        badges = re.findall(r"https://colab\.research\.google\.com/github/[^)\s]*", nbformat.writes(nb))
        assert badges == [nt.colab_url(runtime.REPO_SLUG, folder, path.stem)], path  # its own version
        assert _setup_cells(nb) == [nt.setup_cell(runtime.REPO_SLUG)], path
    for source in SOURCES if folder == "notebooks" else []:
        assert nt.stamp_source(source.read_text(), source.stem) == source.read_text(), "run `make sync`"


def test_the_slug_is_written_nowhere_else_in_the_package():
    for path in (ROOT / "gan_course").rglob("*.py"):
        if path.name != "runtime.py":
            assert runtime.REPO_SLUG not in path.read_text(), path
    for name in ("pyproject.toml", "Makefile", "requirements.txt"):
        if (ROOT / name).is_file():
            assert runtime.REPO_SLUG not in (ROOT / name).read_text(), name
    assert len(nt.SLUG_LINE.findall((ROOT / "gan_course" / "runtime.py").read_text())) == 1


def test_lesson_00_maps_exactly_the_lessons_that_exist_and_says_where_to_work():
    nb = nt.render_ipynb(ROOT / "notebooks" / "00_start_here.py")
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    rows = re.findall(r"^\| (\d\d\S*) \| `?([^|`]*)`? \|", text, re.MULTILINE)
    assert [stem for _, stem in rows] == [s.stem for s in SOURCES]
    assert all(number == stem[:2] for number, stem in rows)
    assert "planned" not in text.lower()
    assert "`exercises/`" in text and "`notebooks/`" in text


# --------------------------------------------------------------------------- make lab


LAB_CONFIG = ROOT / ".jupyter" / "jupyter_server_config.json"


def test_make_lab_config_hides_the_lesson_sources_and_nothing_a_student_needs():
    """`make lab` runs JupyterLab at the repository root with JUPYTER_CONFIG_PATH=.jupyter."""
    from jupyter_server.services.contents.manager import ContentsManager

    config = json.loads(LAB_CONFIG.read_text())
    hidden = config["ContentsManager"]["hide_globs"]
    assert set(ContentsManager.hide_globs.default()) <= set(hidden)  # jupyter's own defaults kept

    def listed(name):
        return not any(fnmatch.fnmatch(name, glob) for glob in hidden)

    for source in SOURCES:  # each lesson appears once: its .ipynb
        assert not listed(source.name) and listed(source.with_suffix(".ipynb").name)
    for path in [*(ROOT / "gan_course").rglob("*.py"), *(ROOT / "exercises").glob("*.ipynb"), *ROOT.iterdir()]:
        if not path.name.startswith(".") and path.name != "__pycache__" and not path.name.endswith(".egg-info"):
            assert listed(path.name), path  # the package's code and every other file stay visible
    # The browser opens on the exercises; lesson 00's student version is the first entry there.
    assert config["LabApp"]["default_url"] == "/lab/tree/exercises"
    assert sorted(p.name for p in (ROOT / "exercises").glob("*.ipynb"))[0] == "00_start_here.ipynb"
