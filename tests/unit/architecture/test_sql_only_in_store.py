"""House rule: SQL is written only in ``kraan/store``; api and web import no sqlalchemy.

An AST scan of every module under ``src/kraan``. Outside the store, the only sqlalchemy
names a module may import are the ``Connection``/``Engine`` types that services pass
through; ``api/``, ``web/`` and ``cli/`` name them via :mod:`kraan.store.db` and import
no sqlalchemy at all. Statement builders (``select``, ``insert``, ``update``,
``delete``, ``text``, ...) stay in the store.
"""

from __future__ import annotations

import ast
from pathlib import Path

import kraan

PACKAGE = Path(kraan.__file__).resolve().parent
#: Types a service may name when it passes a connection or engine through.
PASS_THROUGH = frozenset({"Connection", "Engine"})
#: Packages that import no sqlalchemy at all (engine wiring goes through kraan.store.db).
NO_SQLALCHEMY = ("api", "web", "cli", "domain")


def _modules() -> list[Path]:
    return sorted(
        p for p in PACKAGE.rglob("*.py") if "store" not in p.relative_to(PACKAGE).parts[:1]
    )


def _sqlalchemy_imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported name) of every sqlalchemy import in the module, nested ones too."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [
                (node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "sqlalchemy"
            ]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return found


def test_the_scan_sees_the_store_itself() -> None:
    """Guard the guard: the store's own modules do import the statement builders."""
    names = {n.rsplit(".", 1)[-1] for _, n in _sqlalchemy_imports(PACKAGE / "store" / "reports.py")}
    assert {"select", "insert", "text"} <= names


def test_no_sql_outside_the_store() -> None:
    problems = []
    for path in _modules():
        rel = path.relative_to(PACKAGE)
        for line, name in _sqlalchemy_imports(path):
            short = name.rsplit(".", 1)[-1]
            if rel.parts[0] in NO_SQLALCHEMY:
                problems.append(f"{rel}:{line} imports {name} (use kraan.store.db for types)")
            elif name != f"sqlalchemy.{short}" or short not in PASS_THROUGH:
                problems.append(f"{rel}:{line} imports {name}: SQL belongs in kraan/store")
    assert not problems, "\n".join(problems)

