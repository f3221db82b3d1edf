import os
from pathlib import Path

import pytest

# Tests never show progress bars and always run the smallest profile.
os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("GAN_COURSE_PROFILE", "smoke")
os.environ.setdefault("MPLBACKEND", "Agg")  # no screen in tests

import matplotlib.pyplot as plt  # noqa: E402  (after MPLBACKEND)

ROOT = Path(__file__).resolve().parent.parent

# The long tests of where the course is used run only when asked (their make targets set the variable):
# `make package-test` (the wheel in a fresh environment), `make nbgrader-test`, `make browser-test`,
# `make distributed-test` (torchrun).
# Gated here, in the one conftest.py: a second conftest.py under tests/ would shadow this module for the
# tests that import from it (`from conftest import ...`).
OPT_IN = {"packaging": "GAN_COURSE_PACKAGING", "nbgrader": "GAN_COURSE_NBGRADER", "browser": "GAN_COURSE_BROWSER",
          "distributed": "GAN_COURSE_DISTRIBUTED"}
collect_ignore = [folder for folder, variable in OPT_IN.items() if os.environ.get(variable) != "1"]
# The profile the lesson tests run the notebooks in: smoke for `make test`;
# GAN_COURSE_TEST_PROFILE=cpu asserts the lessons' quality targets.
LESSON_PROFILE = os.environ.get("GAN_COURSE_TEST_PROFILE", "smoke")
# The lessons' kernels draw every figure as Jupyter does (the inline backend), so a figure that fails to
# draw is an error output and fails the papermill run; the tests themselves draw off screen (Agg, above).
KERNEL_BACKEND = "module://matplotlib_inline.backend_inline"


def lesson_of(item) -> str | None:
    """The lesson a test in ``tests/lessons`` reads (``"18_pggan"``), or None for any other test.

    ``make test`` spreads the tests over one pytest-xdist worker per core (``--dist loadgroup``); every test of one
    lesson goes to the same worker (``xdist_group``), so that each notebook runs once, in that worker's
    ``lesson_runs``, and not once per worker that happens to hold one of its tests.
    """
    path = Path(str(item.fspath))
    if path.parent.name != "lessons":
        return None
    if path.stem.startswith("test_lesson_"):  # test_lesson_18.py -> the notebook 18_*.ipynb
        number = path.stem.removeprefix("test_lesson_")
        return next((p.stem for p in (ROOT / "notebooks").glob(f"{number}_*.ipynb")), None)
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "path" in callspec.params:  # test_lessons.py's run of every notebook
        return Path(callspec.params["path"]).stem
    name = item.originalname if hasattr(item, "originalname") else item.name  # test_00_start_here
    return next((p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb") if name == f"test_{p.stem}"),
                None)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    for item in items:
        stem = lesson_of(item)
        if stem is not None:
            item.add_marker(pytest.mark.xdist_group(stem))


@pytest.fixture(scope="session")
def lesson_runs(tmp_path_factory):
    """``lesson_runs("01_gan_objective")``: run a notebook headless once per session; its summary row.

    This is the only place the test suite executes the lessons: papermill fails a run on any cell that
    raises or prints a traceback, and the lesson tests assert on what the run recorded.
    """
    from gan_course import headless

    out = tmp_path_factory.mktemp("build")
    cache: dict[str, dict] = {}

    def run(stem: str) -> dict:
        if stem not in cache:
            with pytest.MonkeyPatch.context() as env:  # the kernel inherits this process's environment
                env.setenv("MPLBACKEND", KERNEL_BACKEND)
                cache[stem] = headless.run_notebook(ROOT / "notebooks" / f"{stem}.ipynb", out,
                                                          profile=LESSON_PROFILE)
        return cache[stem]

    return run


@pytest.fixture(scope="session")
def lesson_results(lesson_runs):
    """``lesson_results("01_gan_objective")``: what a lesson recorded, after asserting it ran without error."""

    def results(stem: str) -> dict:
        row = lesson_runs(stem)
        assert row["status"] == "ok", row["error"]
        return row["results"]

    return results


@pytest.fixture(scope="session")
def load_benchmark():
    """``load_benchmark("lesson_times")``: a script of ``benchmarks/`` imported as a module, its siblings importable
    as when it runs (``benchmarks/`` on ``sys.path`` for the session)."""
    import importlib.util
    import sys

    folder = Path(__file__).resolve().parents[1] / "benchmarks"
    sys.path.insert(0, str(folder))

    def load(name: str):
        spec = importlib.util.spec_from_file_location(name, folder / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    yield load
    sys.path.remove(str(folder))


@pytest.fixture
def one_torch_thread():
    """For modules of tiny networks (``pytestmark = pytest.mark.usefixtures("one_torch_thread")``): one thread is
    fastest and never waits for a busy core (as in checks/_common)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(autouse=True)
def close_figures():
    """Every test starts without open figures (plot tests would otherwise pile them up)."""
    yield
    plt.close("all")


def lines_by_label(ax) -> dict:
    """The lines of a Matplotlib axes by their legend label."""
    return {line.get_label(): line for line in ax.get_lines()}
