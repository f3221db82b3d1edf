"""Shared by the tests of the exercise checks: the lessons' solutions and released stubs, and the assertion
that a check rejects a wrong answer with a message that names the case, the expected and the received value."""

from __future__ import annotations

import math
import re
from pathlib import Path

import jupytext
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gan_course import losses, metrics, notebook_tools, toy_gans
from gan_course.data import moving_digits as md
from gan_course.models import anogan, cyclegan, recyclegan, stylegan, tpgan, twingan

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

# What the lessons have imported when their exercises run.
LESSON_GLOBALS = {"torch": torch, "F": F, "math": math, "losses": losses, "nn": torch.nn, "np": np,
                  "toy_gans": toy_gans, "cyclegan": cyclegan, "twingan": twingan, "recyclegan": recyclegan, "md": md,
                  "tpgan": tpgan, "anogan": anogan, "metrics": metrics, "stylegan": stylegan,
                  "SEARCH_PATHS": 1000}


def _solution_cells(stem: str):
    nb = jupytext.read(NOTEBOOKS / f"{stem}.py")
    return [cell.source for cell in nb.cells
            if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution")]


def solutions(stem: str) -> dict:
    """Execute the solution cells of a lesson and return the functions they define."""
    namespace = dict(LESSON_GLOBALS)
    for source in _solution_cells(stem):
        exec(source, namespace)
    return namespace


def released(stem: str) -> dict:
    """Execute the solution cells as `python -m gan_course release` gives them to students (stubs)."""
    namespace = dict(LESSON_GLOBALS)
    for source in _solution_cells(stem):
        exec(notebook_tools.strip_solutions(source), namespace)
    return namespace


def stub(*args):
    raise NotImplementedError()


CASE = re.compile(r"case '[^']+'")


def assert_rejected(check, wrong, fragment: str) -> str:
    """``check(wrong)`` raises AssertionError (nothing else) whose message contains ``fragment`` and, unless
    ``wrong`` is the stub, names the case, the expected and the received value."""
    with pytest.raises(AssertionError) as failure:
        check(wrong)
    text = str(failure.value)
    assert fragment in text, f"{fragment!r} not in the message: {text}"
    if "not implemented yet" not in fragment:
        assert CASE.search(text) and "expected" in text and "received" in text, text
    return text


def mistake_ids(mistakes) -> list[str]:
    return [f"{check.__name__}-{wrong.__name__}" for check, wrong, _ in mistakes]
