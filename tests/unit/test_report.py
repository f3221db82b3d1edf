import json

import numpy as np
import pytest
import torch

import gan_course
from gan_course import report
from gan_course.models.gan import GANStep


@pytest.fixture(autouse=True)
def fresh():
    report.clear()
    yield
    report.clear()


def test_record_converts_and_writes_the_results_file(tmp_path, monkeypatch, capsys):
    path = tmp_path / "results" / "00_x.json"
    monkeypatch.setenv("GAN_COURSE_RESULTS", str(path))
    assert gan_course.record("w1", torch.tensor(0.25)) == 0.25
    gan_course.record("modes", np.array([1, 2]))
    gan_course.record("ok", np.bool_(True))
    gan_course.record("curve", {"a": [np.float32(1.5), 2]})
    gan_course.record("bad", float("nan"))
    assert json.loads(path.read_text()) == {
        "w1": 0.25, "modes": [1, 2], "ok": True, "curve": {"a": [1.5, 2]}, "bad": "nan"
    }
    assert report.load_results(path) == report.results()
    assert "[recorded] w1 = 0.25" in capsys.readouterr().out
    assert not list(path.parent.glob("*.tmp"))


def test_record_without_a_results_file_keeps_it_in_memory(monkeypatch):
    monkeypatch.delenv("GAN_COURSE_RESULTS", raising=False)
    gan_course.record("x", 1)
    assert report.results() == {"x": 1}


def test_record_refuses_bad_input():
    with pytest.raises(ValueError, match="non-empty string"):
        gan_course.record("", 1)
    with pytest.raises(TypeError, match="expected a number"):
        gan_course.record("model", torch.nn.Linear(1, 1))


def test_load_results_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="run the notebook headless"):
        report.load_results(tmp_path / "nope.json")


def test_show_prints_the_source(capsys):
    gan_course.show(GANStep.d_step)
    out = capsys.readouterr().out
    assert out.startswith("# gan_course/models/gan.py, lines ")
    assert "def d_step(" in out and "d_opt.step()" in out
    with pytest.raises(TypeError, match="cannot find the source"):
        gan_course.show(3)


def test_spread_table_shows_mean_and_standard_error_per_row():
    table = {"rows": [{"label": "a", "seeds": [0, 1, 2], "mean": {"fid": 132.7, "r": 0.5}, "se": {"fid": 21.8, "r": 0.01}},
                      {"label": "longer", "seeds": [0, 1], "mean": {"fid": 73.5, "r": 0.25}, "se": {"fid": 5.8, "r": 0.04}}]}
    text = report.spread_table(table, {"fid": "FID", "r": "recall"}, first="model")
    head, a, longer = text.splitlines()
    assert head.split() == ["model", "seeds", "FID", "recall"]
    assert a.split() == ["a", "3", "132.7", "±", "22", "0.5", "±", "0.01"]
    assert longer.split()[:5] == ["longer", "2", "73.5", "±", "5.8"]
    assert len(head) == len(a) == len(longer)   # aligned columns
