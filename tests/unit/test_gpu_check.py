"""benchmarks/gpu_check.py: its CPU path (smoke profile) end to end, its time budget, and its refusal without CUDA."""

import importlib.util
import json
import sys
import time

import pytest

from gan_course import notebook_tools as nt
from gan_course import runtime

LESSON = '''\
# %% [markdown]
# # {stem}
# {badge}

# %%
{setup}

# %% tags=["parameters"]
PROFILE = "auto"
SEED = 0

# %%
import time
import gan_course
gan_course.record("profile", gan_course.profile(PROFILE).name)
time.sleep({sleep})
'''


def lesson(stem: str, sleep: int) -> str:
    """A tiny lesson with the title, badge and setup cell that sync requires of every lesson."""
    return LESSON.format(stem=stem, badge=nt.colab_badge(runtime.REPO_SLUG, "notebooks", stem),
                         setup=nt.setup_cell(runtime.REPO_SLUG), sleep=sleep)


@pytest.fixture(scope="module")
def gpu_check():
    spec = importlib.util.spec_from_file_location("gpu_check", runtime.PROJECT_ROOT / "benchmarks" / "gpu_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def lessons(tmp_path):
    """Two lessons: 98 finishes in seconds (a kernel, torch), 99 sleeps far past any cap of these tests."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "98_quick.py").write_text(lesson("98_quick", sleep=0))
    (notebooks / "99_slow.py").write_text(lesson("99_slow", sleep=600))
    nt.sync(notebooks)
    return notebooks


def test_smoke_profile_runs_every_step_and_writes_the_section(gpu_check, lessons, tmp_path):
    out, results_md = tmp_path / "out", tmp_path / "RESULTS.md"
    results_md.write_text("# Benchmark results\n")
    status = gpu_check.main(["--profile", "smoke", "--notebooks", str(lessons), "--only", "98_quick",
                             "--out", str(out), "--results-md", str(results_md)])
    assert status == 0
    summary = json.loads((out / "gpu_check.json").read_text())
    assert summary["throughput"]["status"] == "ok"
    assert summary["throughput"]["result"]["images_per_second"]["course"] > 0
    (quick,) = summary["notebooks"]
    assert quick["status"] == "ok" and quick["results"] == {"profile": "smoke"} and quick["seconds"] > 0
    assert (out / "executed" / "98_quick.ipynb").is_file()
    text = (out / "section.md").read_text()
    assert text.startswith("## GPU check, ") and "Ratio b/a: **" in text
    assert f"| 98_quick | {quick['seconds']} | ok |" in text and "99_slow" not in text
    assert results_md.read_text() == "# Benchmark results\n\n" + text


def test_a_run_is_stopped_at_its_cap(gpu_check):
    code, _, _, seconds = gpu_check.run_capped([sys.executable, "-c", "import time; time.sleep(60)"], cap=1)
    assert code is None and 1 <= seconds < 10


def test_lessons_past_the_deadline_are_listed_as_not_run(gpu_check, lessons, tmp_path):
    sources = nt.lesson_sources(lessons)
    rows = gpu_check.lessons(sources, "smoke", tmp_path, cap=60, deadline=time.monotonic() + gpu_check.MIN_START - 1)
    assert [(row["notebook"], row["status"]) for row in rows] == [
        ("98_quick", "not run: time budget"), ("99_slow", "not run: time budget")]


def test_without_cuda_it_stops_at_once_and_says_so(gpu_check, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(gpu_check.torch.cuda, "is_available", lambda: False)
    assert gpu_check.main(["--out", str(tmp_path / "out")]) == 2
    assert "no CUDA device" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
