"""benchmarks/lesson_times.py: the two modes' environments, the rows, the table and the options it refuses."""

import json
from pathlib import Path

import pytest

from gan_course import runtime

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench(load_benchmark):
    return load_benchmark("lesson_times")


def fake_run(calls, seconds=12.5, status="ok"):
    def run_capped(command, cap, env=None):
        calls.append((command, cap, env))
        return 0, json.dumps({"seconds": seconds, "status": status, "error": "Boom\nValueError: bad"}), "", seconds + 9
    return run_capped


def test_each_mode_runs_with_its_caps_and_native_with_none(bench, monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(bench, "run_capped", fake_run(calls))
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX2")  # set in the calling shell: native must drop it
    source = ROOT / "notebooks" / "01_gan_objective.py"
    native = bench.run_one(source, "smoke", "native", tmp_path)
    avx2 = bench.run_one(source, "cpu", "avx2", tmp_path)
    (cmd_native, cap_native, env_native), (cmd_avx2, cap_avx2, env_avx2) = calls
    assert not any(name in env_native for name in runtime.ISA_LIMITS)
    assert all(env_avx2[name] == value for name, value in runtime.AVX2_ONLY.items())
    assert cmd_native[-4:-1] == ["--profile", "smoke", "--out"] and cmd_avx2[cmd_avx2.index("--profile") + 1] == "cpu"
    assert cmd_native[4].endswith("01_gan_objective.ipynb") and cap_native < cap_avx2
    assert native["seconds"] == 12.5 and native["wall_seconds"] == 21.5 and native["status"] == "ok"
    assert avx2["budget"] == 600 and native["budget"] == 30


def test_a_failed_or_stopped_lesson_says_so(bench, monkeypatch, tmp_path):
    source = ROOT / "notebooks" / "01_gan_objective.py"
    monkeypatch.setattr(bench, "run_capped", fake_run([], status="error"))
    assert bench.run_one(source, "smoke", "native", tmp_path)["status"] == "error: ValueError: bad"
    monkeypatch.setattr(bench, "run_capped", lambda *a, **k: (None, "", "", 180.0))
    assert bench.run_one(source, "smoke", "native", tmp_path)["status"] == "stopped at the 180 s cap"


def test_the_table_marks_what_is_over_budget(bench):
    rows = {
        "01_a/smoke/native": {"notebook": "01_a", "seconds": 12.0, "wall_seconds": 21.0, "budget": 30, "status": "ok"},
        "01_a/smoke/avx2": {"notebook": "01_a", "seconds": 31.0, "wall_seconds": 40.0, "budget": 30, "status": "ok"},
        "02_b/smoke/native": {"notebook": "02_b", "seconds": None, "wall_seconds": 180.0, "budget": 30,
                              "status": "stopped at the 180 s cap"},
    }
    text = bench.table({"machine": "a CPU", "rows": rows}, ["smoke"], ["native", "avx2"])
    lines = text.splitlines()
    assert lines[0] == "| lesson | smoke native | smoke avx2 |"
    assert lines[2] == "| 01_a | 12 s | 31 s ✗ |"
    assert lines[3].startswith("| 02_b | stopped at the 180 s cap (3 min 00 s) | not run |")
    assert "2 over budget or failed" in text and "adds 9-9 s" in text


def test_unknown_profiles_modes_and_lessons_are_refused(bench):
    with pytest.raises(SystemExit):
        bench.parse(["--modes", "avx512"])
    with pytest.raises(SystemExit):
        bench.parse(["--profiles", "gpu"])
    with pytest.raises(SystemExit, match="unknown notebooks"):
        bench.main(["--only", "99_nothing", "--table", "--out", "/nonexistent/lesson_times.json"])
