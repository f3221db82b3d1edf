"""The checks as a package: one module per lesson, every check re-exported under its old name and signature, each
accepting its lesson's solution and rejecting the released stub, none crashing on a wrong answer, none moving the
notebook's random stream, all fast enough for nbgrader to grade a class in minutes."""

import importlib
import inspect
import math
import re
import time
from pathlib import Path

import jupytext
import numpy as np
import pytest
import torch
from check_helpers import CASE, released, solutions
from torch import nn

import gan_course
from gan_course import checks, notebook_tools

PACKAGE = Path(checks.__file__).parent
CHECK_CALL = re.compile(r"gan_course\.checks\.(\w+)\((\w+)\)")
EXERCISES = [
    (source.stem, match.group(1), match.group(2))
    for source in notebook_tools.lesson_sources()
    for cell in jupytext.read(source).cells
    if cell.metadata.get("nbgrader", {}).get("grade")
    for match in CHECK_CALL.finditer(cell.source)
]
ALL_CHECKS = [getattr(checks, name) for name in checks.__all__]


def test_every_lesson_with_exercises_is_collected():
    assert {"00_start_here", "01_gan_objective", "02_divergences", "03_first_gan", "04_wgan", "05_stabilising_gans",
            "06_dcgan", "07_dcgan_training", "08_evaluating_gans", "09_comparing_gans",
            "10_conditional_gans", "11_infogan", "12_unpaired_translation",
            "13_twin_translation", "14_recycle_gan", "15_tpgan_pose", "16_anomaly_gans",
            "17_anomaly_detectors", "18_pggan"} <= {stem for stem, _, _ in EXERCISES}


def test_every_check_a_notebook_calls_is_exported_under_its_name_and_signature():
    assert {check for _, check, _ in EXERCISES} == set(checks.__all__)
    for name in checks.__all__:
        check = getattr(checks, name)
        assert check.__name__ == name
        assert list(inspect.signature(check).parameters) == ["student_fn"]
        assert check.__doc__ and "Check" in check.__doc__


def test_each_check_lives_in_the_module_of_the_last_lesson_that_uses_it():
    lessons = {}
    for stem, check, _ in EXERCISES:
        lessons.setdefault(check, set()).add(stem[:2])
    for check, numbers in lessons.items():
        assert getattr(checks, check).__module__ == f"gan_course.checks.lesson{max(numbers)}", check


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_modules_are_short_and_say_which_lesson_teaches_them(path):
    assert len(path.read_text().splitlines()) < 400
    module = importlib.import_module(f"gan_course.checks.{path.stem}" if path.stem != "__init__" else
                                     "gan_course.checks")
    ending = module.__doc__.strip().splitlines()[-1]
    lesson = re.fullmatch(r"lesson(\d\d)", path.stem)
    last = max(p.stem for p in PACKAGE.glob("lesson??.py"))[-2:]
    assert ending == (f"Taught in: lesson {lesson.group(1)}" if lesson else f"Taught in: lessons 00–{last}")


def test_the_single_module_is_gone():
    assert not (PACKAGE.parent / "checks.py").exists()  # a module next to the package would shadow it
    assert gan_course.checks is checks


@pytest.mark.parametrize("stem, check, function", EXERCISES, ids=[f"{s}-{c}" for s, c, _ in EXERCISES])
def test_each_check_accepts_the_solution_rejects_the_stub_and_leaves_the_random_stream_and_threads_alone(
        stem, check, function, capsys):
    # one run of the solution serves both (an open exercise's check trains, for up to a minute and a half)
    torch.manual_seed(123)
    state, threads = torch.get_rng_state(), torch.get_num_threads()
    getattr(checks, check)(solutions(stem)[function])
    assert "passed" in capsys.readouterr().out
    assert torch.equal(state, torch.get_rng_state())
    assert torch.get_num_threads() == threads
    with pytest.raises(AssertionError, match="^not implemented yet: replace `raise NotImplementedError\\(\\)`"):
        getattr(checks, check)(released(stem)[function])
    with pytest.raises(AssertionError):
        getattr(checks, check)(lambda *args: None)
    assert torch.equal(state, torch.get_rng_state())
    assert torch.get_num_threads() == threads


FUNCTION_EXERCISES = [row for row in EXERCISES if row[1] not in checks.OPEN]


@pytest.mark.parametrize("stem, check, function", FUNCTION_EXERCISES, ids=[f"{s}-{c}" for s, c, _ in FUNCTION_EXERCISES])
def test_each_check_takes_well_under_a_second(stem, check, function, capsys):
    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)  # torch.optim's one-time import, as in a lesson
    solution = solutions(stem)[function]
    getattr(checks, check)(solution)  # warm up
    start = time.perf_counter()
    getattr(checks, check)(solution)
    assert time.perf_counter() - start < 1.0


def test_open_checks_are_the_open_exercises_and_name_their_budget():
    # an open exercise's check trains with the student's settings: its time is the lesson's (timed by the
    # notebook runs: each lesson's smoke run stays within its budget), so only the function fill-ins are
    # held to a second above
    assert set(checks.OPEN) <= set(checks.__all__)
    assert all("open exercise" in getattr(checks, name).__doc__ for name in checks.OPEN)


# --------------------------------------------------------------------------- no wrong answer crashes a check


def _raises(*args):
    raise ValueError("boom")


def _mutates_its_inputs(*args):
    for a in args:
        if isinstance(a, torch.Tensor):
            a.data.mul_(2)
        elif isinstance(a, nn.Module):
            for p in a.parameters():
                p.data.fill_(math.nan)
    return torch.tensor(0.0)


GARBAGE = {
    "returns None": lambda *args: None,
    "returns a string": lambda *args: "0.5",
    "returns NaN": lambda *args: math.nan,
    "returns a NaN tensor": lambda *args: torch.tensor(math.nan, requires_grad=True),
    "returns a 3x3 NaN tensor": lambda *args: torch.full((3, 3), math.nan),
    "returns an int tensor": lambda *args: torch.tensor(1),
    "returns an object": lambda *args: object(),
    "returns a NumPy vector": lambda *args: np.array([1.0, 2.0]),
    "returns a tuple of 3": lambda *args: (1, 2, 3),
    "returns a function": lambda *args: (lambda: 0),
    "returns a module without layers": lambda *args: nn.Identity(),
    "returns a Linear layer": lambda *args: nn.Linear(3, 3),
    "raises ValueError": _raises,
    "raises AssertionError": lambda *args: (_ for _ in ()).throw(AssertionError("my own assert")),
    "changes its inputs": _mutates_its_inputs,
}


@pytest.mark.parametrize("check", ALL_CHECKS, ids=[c.__name__ for c in ALL_CHECKS])
@pytest.mark.parametrize("answer", GARBAGE.values(), ids=GARBAGE.keys())
def test_a_wrong_answer_gets_an_explanation_not_a_crash(check, answer):
    with pytest.raises(AssertionError) as failure:  # any other exception fails this test
        check(answer)
    text = str(failure.value)
    assert CASE.search(text) and "expected" in text and "received" in text, text
