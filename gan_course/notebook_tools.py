"""The notebook pipeline: pair and release (running them headless: :mod:`gan_course.headless`).

* ``render_ipynb`` turns a lesson's py:percent source into the ``.ipynb`` that is
  committed beside it (no outputs, kernelspec ``python3``, stable cell ids), so
  Colab can open it and a test can tell when the pair is out of sync.
* ``release_notebook`` makes the student version: every nbgrader solution block
  (``### BEGIN SOLUTION`` ... ``### END SOLUTION``) becomes ``# YOUR CODE HERE``
  and ``raise NotImplementedError()``; its Colab badge opens the student version.
* The repository's GitHub name lives in one place, :data:`gan_course.runtime.REPO_SLUG`.
  ``sync`` and ``release`` write every lesson's Colab badge (:func:`colab_badge`) and
  Colab install cell (:func:`setup_cell`) from it, into the ``.py`` sources too;
  ``set_repo`` changes it (``make set-repo SLUG=owner/name``).

Running notebooks headless is :mod:`gan_course.headless`.

Command line: ``python -m gan_course sync|release|set-repo`` (see ``__main__``).

Used by: ``make sync``, ``make set-repo``, the tests and the instructors' release (README).
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
from pathlib import Path

from . import runtime

NOTEBOOKS = runtime.PROJECT_ROOT / "notebooks"
EXERCISES = runtime.PROJECT_ROOT / "exercises"
LESSON_PATTERN = "[0-9][0-9]_*.py"

NOTEBOOK_METADATA = {
    "accelerator": "GPU",  # Colab opens the notebook on a GPU runtime
    "colab": {"provenance": []},
    "jupytext": {"formats": "ipynb,py:percent"},
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}

SOLUTION_BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)### BEGIN SOLUTION[ \t]*\n.*?^[ \t]*### END SOLUTION[ \t]*(\n|$)",
    re.MULTILINE | re.DOTALL,
)
HIDDEN_TESTS = re.compile(
    r"^[ \t]*### BEGIN HIDDEN TESTS[ \t]*\n.*?^[ \t]*### END HIDDEN TESTS[ \t]*(\n|$)",
    re.MULTILINE | re.DOTALL,
)
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
NBGRADER_KEYS = ("grade", "grade_id", "locked", "schema_version", "solution", "task")

# GitHub's rules: an owner (user or organisation) is 1-39 letters, digits or single inner hyphens; a
# repository name is 1-100 letters, digits, '.', '-' or '_', and neither '.' nor '..'.
SLUG = re.compile(r"(?P<owner>[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38})/(?P<name>[A-Za-z0-9._-]{1,100})")
SLUG_LINE = re.compile(r'^REPO_SLUG = "(?P<slug>[^"\n]*)"$', re.MULTILINE)  # in gan_course/runtime.py
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
BADGE_LINE = re.compile(  # the badge's line in a lesson's py:percent title cell
    r"^# \[!\[Open In Colab\]\([^)\s]*\)\]\(https://colab\.research\.google\.com/github/[^)\s]*\)[ \t]*$", re.MULTILINE)
CELL_START = re.compile(r"^# %%.*$", re.MULTILINE)


def lesson_sources(notebooks: Path = NOTEBOOKS) -> list[Path]:
    """The lessons' py:percent sources, in course order."""
    return sorted(Path(notebooks).glob(LESSON_PATTERN))


# --------------------------------------------------------------------------- the repository's name


def check_slug(slug: str) -> str:
    """``slug`` if it is a GitHub ``owner/name``; else a ``ValueError`` that says what is wrong."""
    slug = str(slug).strip()
    example = "e.g. `make set-repo SLUG=my-university/gan-course`"
    if re.match(r"(https?://|git@|github\.com)", slug):
        raise ValueError(f"give the repository as owner/name, not a URL: got {slug!r} ({example})")
    match = SLUG.fullmatch(slug)
    if match is None:
        raise ValueError(
            f"not a GitHub repository owner/name: {slug!r}. The owner has 1-39 letters, digits or single "
            f"inner hyphens; the name 1-100 letters, digits, '.', '-' or '_' ({example})")
    if match["name"] in (".", "..") or match["name"].lower().endswith(".git"):
        raise ValueError(f"not a GitHub repository name: {match['name']!r} (drop a trailing .git; {example})")
    return slug


def colab_url(slug: str, folder: str, stem: str) -> str:
    """The address that opens ``<folder>/<stem>.ipynb`` of the repository's main branch in Colab."""
    return f"https://colab.research.google.com/github/{slug}/blob/main/{folder}/{stem}.ipynb"


def colab_badge(slug: str, folder: str, stem: str) -> str:
    """The "Open In Colab" badge (Markdown) of ``<folder>/<stem>.ipynb``."""
    return f"[![Open In Colab]({BADGE_IMAGE})]({colab_url(slug, folder, stem)})"


def setup_cell(slug: str) -> str:
    """Every lesson's first code cell: on Colab it installs the course package from GitHub; elsewhere nothing."""
    return "\n".join([
        "import importlib.util",
        "import subprocess",
        "import sys",
        "",
        f'REPO = "{slug}"  # the course\'s GitHub repository: gan_course.runtime.REPO_SLUG (`make set-repo`)',
        'if "google.colab" in sys.modules and importlib.util.find_spec("gan_course") is None:',
        '    subprocess.run([sys.executable, "-m", "pip", "install", "-q", f"git+https://github.com/{REPO}.git"],',
        "                   check=True)",
        "    importlib.invalidate_caches()",
    ])


def _is_setup_cell(body: str) -> bool:
    return '"google.colab" in sys.modules' in body and re.search(r'^REPO = "', body, re.MULTILINE) is not None


def stamp_source(text: str, stem: str, slug: str | None = None) -> str:
    """A lesson's py:percent text with its Colab badge and its setup cell written from ``slug``.

    The badge is the title cell's ``[![Open In Colab](...)](...)`` line; the setup cell is the code
    cell that sets ``REPO = "..."`` and installs on Colab. Everything else is left byte for byte.

    Raises:
        ValueError: the lesson lacks the badge line or the setup cell, or has more than one.
    """
    slug = check_slug(runtime.REPO_SLUG if slug is None else slug)
    badges = BADGE_LINE.findall(text)
    if len(badges) != 1:
        raise ValueError(f"{stem}: expected one Colab badge line in the title cell, found {len(badges)}; "
                         f"the line is\n# {colab_badge(slug, 'notebooks', stem)}")
    text = BADGE_LINE.sub(lambda m: "# " + colab_badge(slug, "notebooks", stem), text)
    headers = list(CELL_START.finditer(text))
    cells = zip(headers, [h.start() for h in headers[1:]] + [len(text)])
    setups = [(header.end(), end) for header, end in cells
              if "[markdown]" not in header.group(0) and _is_setup_cell(text[header.end():end])]
    if len(setups) != 1:
        raise ValueError(f"{stem}: expected one setup cell (a code cell with REPO = ... and the Colab install), "
                         f"found {len(setups)}; the cell is\n# %%\n{setup_cell(slug)}")
    start, end = setups[0]
    body = text[start:end]
    gap = body[len(body.rstrip("\n")):] or "\n"  # the newline and blank lines before the next cell
    return text[:start] + "\n" + setup_cell(slug) + gap + text[end:]


# --------------------------------------------------------------------------- pairing


def render_ipynb(source: str | os.PathLike, slug: str | None = None):
    """The committed ``.ipynb`` for a py:percent lesson source, as an nbformat notebook.

    Deterministic: the same source always gives the same file (cell ids are
    derived from the cell's position and text; there are no outputs). The badge
    and the setup cell are written from ``slug`` (default ``runtime.REPO_SLUG``),
    whatever the source says (:func:`stamp_source`).
    """
    import jupytext
    import nbformat

    source = Path(source)
    if source.suffix != ".py" or not source.is_file():
        raise ValueError(f"expected a lesson source notebooks/NN_topic.py, got {source}")
    nb = jupytext.reads(stamp_source(source.read_text(), source.stem, slug), fmt="py:percent")
    nb.metadata = copy.deepcopy(NOTEBOOK_METADATA)
    nb.nbformat, nb.nbformat_minor = 4, 5
    for index, cell in enumerate(nb.cells):
        digest = hashlib.sha1(f"{index}\n{cell.source}".encode()).hexdigest()[:8]
        cell["id"] = f"c{index:03d}-{digest}"
        if cell.cell_type == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    nbformat.validate(nb)
    return nb


def notebook_text(nb) -> str:
    """The exact text a notebook is written with (so pairs compare byte for byte)."""
    import nbformat

    return nbformat.writes(nb) + "\n"


LESSON_WORDS = 3050  # prose per lesson: "one 90-minute class, about 3,000 words at most" (the course guide, section 3)


def prose_words(nb) -> int:
    """The words of a notebook's Markdown cells (its prose: text, headings and formulas; not its code)."""
    return sum(len(cell.source.split()) for cell in nb.cells if cell.cell_type == "markdown")


def sync(notebooks: Path = NOTEBOOKS, check: bool = False, slug: str | None = None) -> list[Path]:
    """Write every lesson's ``.ipynb`` from its ``.py`` source, and the source's badge and setup cell from ``slug``.

    Args:
        check: only compare; write nothing.
        slug: the repository's ``owner/name`` (default :data:`gan_course.runtime.REPO_SLUG`).

    Returns:
        The ``.py`` and ``.ipynb`` files that were out of date (rewritten unless ``check``).
    """
    stale = []
    for source in lesson_sources(notebooks):
        text = source.read_text()
        stamped = stamp_source(text, source.stem, slug)
        if stamped != text:
            stale.append(source)
            if not check:
                source.write_text(stamped)
        target = source.with_suffix(".ipynb")
        text = notebook_text(render_ipynb(source, slug))
        if not target.is_file() or target.read_text() != text:
            stale.append(target)
            if not check:
                target.write_text(text)
    return stale


# --------------------------------------------------------------------------- exercises


def strip_solutions(code: str) -> str:
    """Replace each solution block with the nbgrader stub; drop hidden tests."""

    def stub(match: re.Match) -> str:
        indent = match.group("indent")
        return f"{indent}# YOUR CODE HERE\n{indent}raise NotImplementedError()\n"

    released = SOLUTION_BLOCK.sub(stub, code)
    released = HIDDEN_TESTS.sub("", released)
    leftover = [m for m in MARKERS if m in released]
    if leftover:
        raise ValueError(f"unbalanced nbgrader markers {leftover} in a cell:\n{code}")
    return released.rstrip("\n")


def check_nbgrader(nb, name: str = "notebook") -> list[str]:
    """Validate the nbgrader metadata of a lesson; return its grade ids in order.

    Raises:
        ValueError: a solution block outside a solution cell, missing nbgrader
            keys, a graded cell without points, or a repeated ``grade_id``.
    """
    ids = []
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader")
        where = f"{name}, cell {index}"
        if meta is None:
            if any(m in cell.source for m in MARKERS):
                raise ValueError(f"{where} has nbgrader markers but no nbgrader metadata")
            continue
        missing = [k for k in NBGRADER_KEYS if k not in meta]
        if missing:
            raise ValueError(f"{where}: nbgrader metadata lacks {missing}; expected keys {NBGRADER_KEYS}")
        if meta["solution"] and "### BEGIN SOLUTION" not in cell.source:
            raise ValueError(f"{where} is a solution cell without a ### BEGIN SOLUTION block")
        if not meta["solution"] and "### BEGIN SOLUTION" in cell.source:
            raise ValueError(f"{where} has a solution block but is not marked solution: true")
        if meta["grade"] and not isinstance(meta.get("points"), (int, float)):
            raise ValueError(f"{where} is graded but has no numeric 'points'")
        if meta["grade"] and not meta["locked"]:
            raise ValueError(f"{where} is a graded check cell and must be locked")
        ids.append(meta["grade_id"])
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValueError(f"{name}: grade_id values must be unique, repeated: {repeated}")
    return ids


def release_notebook(source: str | os.PathLike, slug: str | None = None):
    """The student version of a lesson (nbformat notebook), or ``None`` if it has no exercise.

    Its Colab badge opens the student version (``exercises/``), and it is not paired with a
    ``.py`` (no jupytext metadata), so that saving it in JupyterLab writes only the ``.ipynb``.
    """
    source = Path(source)
    slug = check_slug(runtime.REPO_SLUG if slug is None else slug)
    nb = render_ipynb(source, slug)
    if not check_nbgrader(nb, source.name):
        return None
    solved, student = colab_badge(slug, "notebooks", source.stem), colab_badge(slug, "exercises", source.stem)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") or "### BEGIN HIDDEN TESTS" in cell.source:
            cell.source = strip_solutions(cell.source)
        if cell.cell_type == "markdown":
            cell.source = cell.source.replace(solved, student)
    nb.metadata.pop("jupytext", None)
    return nb


def release(notebooks: Path = NOTEBOOKS, exercises: Path = EXERCISES, check: bool = False,
            slug: str | None = None) -> list[Path]:
    """Write ``exercises/NN_topic.ipynb`` for every lesson that has exercises.

    Args:
        check: only compare; write nothing.
        slug: the repository's ``owner/name`` (default :data:`gan_course.runtime.REPO_SLUG`).

    Returns:
        The exercise files that were out of date or should not exist (fixed unless ``check``).
    """
    exercises = Path(exercises)
    stale, expected = [], set()
    for source in lesson_sources(notebooks):
        nb = release_notebook(source, slug)
        if nb is None:
            continue
        target = exercises / f"{source.stem}.ipynb"
        expected.add(target)
        text = notebook_text(nb)
        if not target.is_file() or target.read_text() != text:
            stale.append(target)
            if not check:
                exercises.mkdir(parents=True, exist_ok=True)
                target.write_text(text)
    for orphan in sorted(set(exercises.glob("*.ipynb")) - expected) if exercises.is_dir() else []:
        stale.append(orphan)
        if not check:
            orphan.unlink()
    return stale


# --------------------------------------------------------------------------- a fork's name


def set_repo(slug: str, root: str | os.PathLike = runtime.PROJECT_ROOT) -> list[Path]:
    """Make ``slug`` the course's GitHub repository: what a lecturer runs after forking.

    Writes ``REPO_SLUG`` in ``<root>/gan_course/runtime.py`` (the one place), the repository's
    GitHub and Colab addresses in ``<root>/README.md``, then every lesson's badge and setup cell
    (``notebooks/*.py`` and ``.ipynb``) and the student versions (``exercises/``).

    Raises:
        ValueError: ``slug`` is not a GitHub ``owner/name``, or ``runtime.py`` has no ``REPO_SLUG`` line.

    Returns:
        The files it changed.
    """
    slug, root = check_slug(slug), Path(root)
    module = root / "gan_course" / "runtime.py"
    text = module.read_text()
    lines = SLUG_LINE.findall(text)
    if len(lines) != 1:
        raise ValueError(f'{module}: expected one line REPO_SLUG = "owner/name", found {len(lines)}')
    old = lines[0]
    changed = []
    new_text = SLUG_LINE.sub(f'REPO_SLUG = "{slug}"', text)
    if new_text != text:
        module.write_text(new_text)
        changed.append(module)
    readme = root / "README.md"
    if readme.is_file() and old != slug:
        text = readme.read_text()
        new_text = re.sub(rf"(github\.com/|colab\.research\.google\.com/github/){re.escape(old)}(?=[/.#)\s]|$)",
                          lambda m: m.group(1) + slug, text)
        if new_text != text:
            readme.write_text(new_text)
            changed.append(readme)
    if module.resolve() == Path(runtime.__file__).resolve():
        runtime.REPO_SLUG = slug  # this process's view of the one place
    changed += sync(root / "notebooks", slug=slug)
    changed += release(root / "notebooks", root / "exercises", slug=slug)
    return changed
