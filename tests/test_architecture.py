"""The shape of the code: packaging covers every package; the domain stays pure."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_IN_DOMAIN = (
    "sqlalchemy",
    "fastapi",
    "orjson",
    "psycopg",
    "sqlite3",
    "ledger.infrastructure",
    "ledger.application",
    "ledger.api",
    "ledger.projections",
)


def test_pyproject_lists_every_folder_with_an_init_file() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = set()
    for prefix, folder in config["package-dir"].items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((prefix, *relative)))
    assert found == listed


def test_domain_imports_no_infrastructure() -> None:
    offenders = []
    for path in (ROOT / "src/ledger/domain").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.startswith(FORBIDDEN_IN_DOMAIN)]
    assert offenders == []
