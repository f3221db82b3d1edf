"""pyproject.toml declares every third-party package that the package and the lessons import.

A Colab notebook's first cell runs ``pip install git+https://github.com/<slug>.git`` and gets exactly
``[project] dependencies``: a module imported by ``gan_course`` or a lesson but not declared there is an
ImportError on Colab only. This test reads the imports statically (AST, nothing is imported, no network).
"""

import ast
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]

#: Import names that differ from the distribution that provides them.
DISTRIBUTION_OF = {"sklearn": "scikit-learn", "skimage": "scikit-image", "ot": "pot", "IPython": "ipython",
                   "PIL": "pillow"}
#: Imported but provided by a declared dependency's own requirements (pillow comes with matplotlib and
#: torchvision); allowed without a declaration of their own.
INDIRECT = {"pillow": "matplotlib"}
#: The checkout's notebook tooling (sync, release, headless runs): its imports may come from an extra.
TOOLING = {"gan_course/notebook_tools.py", "gan_course/headless.py"}


def imports(path: Path) -> set[str]:
    """The top-level names of the absolute imports in a Python file (inside functions too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def third_party(names: set[str]) -> set[str]:
    return {name for name in names if name not in sys.stdlib_module_names and name not in {"gan_course", "__future__"}}


def declared() -> tuple[set[str], set[str]]:
    """(the distributions in ``dependencies``, those in any optional extra), canonical names."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    required = {canonicalize_name(Requirement(text).name) for text in project["dependencies"]}
    extras = {canonicalize_name(Requirement(text).name)
              for group in project.get("optional-dependencies", {}).values() for text in group}
    return required, extras


def distribution(module: str) -> str:
    return canonicalize_name(DISTRIBUTION_OF.get(module, module))


def sources() -> list[Path]:
    found = sorted((REPO / "gan_course").rglob("*.py")) + sorted((REPO / "notebooks").glob("[0-9][0-9]_*.py"))
    assert len(found) > 20 and any(path.parent.name == "notebooks" for path in found)
    return found


def test_every_import_of_the_package_and_the_lessons_is_a_declared_dependency():
    required, extras = declared()
    missing = []
    for path in sources():
        where = path.relative_to(REPO).as_posix()
        allowed = required | extras if where in TOOLING else required
        for module in sorted(third_party(imports(path))):
            dist = distribution(module)
            if dist not in allowed and INDIRECT.get(dist) not in required:
                missing.append(f"{where} imports {module!r}: add {dist!r} to [project] dependencies")
    assert not missing, "\n".join(missing)


def test_every_declared_dependency_is_imported_somewhere():
    """No dead weight in what a bare install downloads (an unused dependency is minutes on Colab)."""
    required, _ = declared()
    used = {distribution(module) for path in sources() for module in third_party(imports(path))}
    assert required - used == set(), f"declared but imported nowhere: {sorted(required - used)}"


def test_the_scan_sees_lazy_imports_and_the_known_import_names(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom . import x\nimport sklearn.datasets as d\n"
                      "def f():\n    from ot import emd2\n    import IPython.display\n")
    assert third_party(imports(module)) == {"sklearn", "ot", "IPython"}
    assert {distribution(m) for m in ("sklearn", "ot", "IPython", "torchmetrics")} == {
        "scikit-learn", "pot", "ipython", "torchmetrics"}
