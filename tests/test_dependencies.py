"""Every required dependency is imported by nlp/, and every third-party package nlp/ imports is declared."""

from __future__ import annotations

import ast
import re
import sys
from importlib import metadata
from pathlib import Path

import tomllib

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
#: extras that are not about nlp/ itself
NOT_PACKAGE_EXTRAS = {"dev"}


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]).lower()


def _imports() -> dict[str, set[str]]:
    """top-level module imported -> the nlp/ files importing it at run time (other packages only)."""
    found: dict[str, set[str]] = {}
    for path in (REPO / "nlp").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {
            id(n)
            for block in ast.walk(tree)
            if isinstance(block, ast.If)
            and isinstance(block.test, ast.Name)
            and block.test.id == "TYPE_CHECKING"
            for stmt in block.body
            for n in ast.walk(stmt)
        }  # annotations, never imported at run time
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top != "nlp" and top not in sys.stdlib_module_names:
                    found.setdefault(top, set()).add(str(path.relative_to(REPO)))
    return found


def _distributions(modules) -> dict[str, str]:
    """import name -> distribution name (normalised), from the installed metadata."""
    owners = metadata.packages_distributions()
    return {m: _name(owners[m][0]) for m in modules if m in owners}


def test_every_required_dependency_is_imported_by_the_package():
    imported = set(_distributions(_imports()).values())
    unused = sorted({_name(r) for r in PYPROJECT["dependencies"]} - imported)
    assert not unused, f"required in pyproject.toml but never imported by nlp/: {unused}"


def test_every_imported_package_is_declared():
    declared = {_name(r) for r in PYPROJECT["dependencies"]}
    for extra, reqs in PYPROJECT["optional-dependencies"].items():
        if extra not in NOT_PACKAGE_EXTRAS:
            declared |= {_name(r) for r in reqs}
    imports = _imports()
    by_dist = _distributions(imports)
    missing = sorted(
        f"{m} ({', '.join(sorted(imports[m]))})"
        for m in imports
        # a package that is not installed here (an optional extra) is matched by its import name
        if by_dist.get(m, _name(m)) not in declared
    )
    assert not missing, f"nlp/ imports packages pyproject.toml does not declare: {missing}"


def test_optional_packages_are_only_imported_where_their_extra_says():
    imports = _imports()
    by_dist = _distributions(imports)
    optional = {
        "pandas": {"nlp/frames.py"},
        "spacy": {"nlp/spacy_docs.py"},
        "distributed": {"nlp/distributed.py"},
    }
    for dist, allowed in optional.items():
        users = (
            set().union(*(imports[m] for m, d in by_dist.items() if d == dist))
            if dist in by_dist.values()
            else set()
        )
        assert users <= allowed, f"{dist} is an extra but is imported by {sorted(users - allowed)}"
