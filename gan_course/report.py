"""What a notebook shows and records: ``record`` for its key numbers, ``show`` for package source.

``record(key, value)`` keeps a notebook's measured figures. When the notebook
runs headless (``make course``, the tests), the runner sets
``GAN_COURSE_RESULTS`` to ``build/results/<notebook>.json`` and every call
rewrites that file, so tests and the course summary read exactly what the
notebook measured.

Taught in: lesson 00; every lesson records and shows with it.
"""

from __future__ import annotations

import inspect
import json
import math
import numbers
import os
from pathlib import Path

import numpy as np
import torch

from . import runtime

RESULTS_ENV = "GAN_COURSE_RESULTS"

_results: dict[str, object] = {}


def _to_json(value, key: str):
    """Turn numbers, tensors and arrays into plain JSON values, or refuse clearly."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu()
        value = value.item() if value.numel() == 1 else value.tolist()
    elif isinstance(value, np.ndarray):
        value = value.item() if value.size == 1 else value.tolist()
    elif isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return value if math.isfinite(value) else str(value)  # JSON has no nan/inf
    if isinstance(value, (list, tuple)):
        return [_to_json(v, key) for v in value]
    if isinstance(value, dict):
        return {str(k): _to_json(v, key) for k, v in value.items()}
    raise TypeError(
        f"record({key!r}, ...): expected a number, bool, string, tensor, array, "
        f"or a list/dict of those; got {type(value).__name__}"
    )


def record(key: str, value):
    """Record one of the notebook's measured results and print it.

    Args:
        key: a short identifier, e.g. ``"w1_final"``.
        value: a number, bool, string, 1-element tensor/array, or a list/dict of those.

    Returns:
        The value as stored (plain Python), so it can be used in the next line.
    """
    if not isinstance(key, str) or not key.strip():
        raise ValueError(f"record: key must be a non-empty string, got {key!r}")
    stored = _to_json(value, key)
    _results[key] = stored
    shown = f"{stored:.4g}" if isinstance(stored, float) else repr(stored)
    print(f"[recorded] {key} = {shown}")
    path = os.environ.get(RESULTS_ENV)
    if path:
        _write_atomically(Path(path), _results)
    return stored


def results() -> dict:
    """A copy of everything recorded so far in this kernel."""
    return dict(_results)


def clear() -> None:
    """Forget everything recorded in this kernel (the results file is left as is)."""
    _results.clear()


def load_results(path: str | os.PathLike) -> dict:
    """Read a results file written by a headless run."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no results file at {path}; run the notebook headless first")
    return json.loads(path.read_text())


def _write_atomically(path: Path, data: dict) -> None:
    runtime.write_text_atomically(path, json.dumps(data, indent=2, sort_keys=True))


def show(obj) -> None:
    """Show the source code of a package function or class in the notebook.

    Lessons call ``show(gan_course.train.d_step)`` instead of pasting the code,
    so there is one copy of it: the one that runs.
    """
    try:
        source = inspect.getsource(obj)
        _, first_line = inspect.getsourcelines(obj)
        file = Path(inspect.getsourcefile(obj))
    except (TypeError, OSError) as err:
        raise TypeError(f"show: cannot find the source of {obj!r} ({err})") from None
    try:
        where = file.relative_to(Path(__file__).resolve().parent.parent)
    except ValueError:
        where = file.name
    last_line = first_line + source.count("\n") - 1
    header = f"# {where}, lines {first_line}-{last_line}\n"
    try:
        from IPython import get_ipython
        from IPython.display import Code, display

        if get_ipython() is not None:
            display(Code(header + source, language="python"))
            return
    except ImportError:  # pragma: no cover - IPython ships with the course
        pass
    print(header + source)


def spread_table(table: dict, columns: dict[str, str], first: str = "run") -> str:
    """A measured table over seeds (:func:`gan_course.checkpoints.measured`) as text: one line per row, each
    column as mean ± standard error over the row's seeds. ``columns``: key -> header; a row holds ``label``,
    ``seeds`` and ``mean`` / ``se`` dicts by key."""
    head = [first, "seeds", *columns.values()]
    lines = [[row["label"], str(len(row["seeds"]))]
             + [f"{row['mean'][key]:.4g} ± {row['se'][key]:.2g}" for key in columns] for row in table["rows"]]
    widths = [max(len(cells[i]) for cells in [head, *lines]) for i in range(len(head))]
    return "\n".join("  ".join(cell.rjust(width) if i else cell.ljust(width) for i, (cell, width)
                               in enumerate(zip(cells, widths))) for cells in [head, *lines])
