"""Dependencies point one way: ui/cli → services → store, domain; the domain is pure."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "kamtui"

FORBIDDEN: dict[str, tuple[str, ...]] = {
    "domain": ("kamtui.store", "kamtui.services", "kamtui.ui", "kamtui.cli", "kamtui.config",
               "sqlalchemy", "sqlmodel", "sqlite3", "textual", "rich"),
    "store": ("kamtui.services", "kamtui.ui", "kamtui.cli", "textual"),
    "services": ("kamtui.ui", "kamtui.cli", "textual"),
    "ui": ("kamtui.store", "sqlalchemy", "sqlmodel", "sqlite3", "kamtui.cli"),
}  # fmt: skip


def package_of(path: Path) -> str:
    """The package a module of src/kamtui is in: ``kamtui.services`` for services/book.py."""
    return ".".join(("kamtui", *path.relative_to(SRC).parent.parts))


def imported_names(source: str, package: str) -> set[str]:
    """Every module ``source`` imports, wherever the import is (in a function, under
    ``if TYPE_CHECKING:``), relative imports resolved from ``package``; with ``from m import
    n``, both ``m`` and ``m.n``; ``importlib.import_module("m")`` and ``__import__("m")`` too."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                up = parts[: len(parts) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names if a.name != "*")
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and (
                (
                    isinstance(node.func, ast.Name)
                    and node.func.id in ("__import__", "import_module")
                )
                or (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
            )
        ):
            found.add(node.args[0].value)
    return found


def imports(path: Path) -> set[str]:
    return imported_names(path.read_text(encoding="utf-8"), package_of(path))


def modules(layer: str) -> list[Path]:
    return sorted((SRC / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_what_it_may(layer: str) -> None:
    assert modules(layer), f"no modules found in {layer}"
    bad = []
    for path in modules(layer):
        for name in imports(path):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[layer]):
                bad.append(f"{path.relative_to(SRC)} imports {name}")
    assert not bad, "\n".join(bad)


def test_no_rule_reads_the_clock() -> None:
    offenders = [
        str(p.relative_to(SRC))
        for p in [*modules("domain"), SRC / "config.py", *modules("services"), *modules("store")]
        if "date.today(" in p.read_text(encoding="utf-8")
        or "datetime.now(" in p.read_text(encoding="utf-8")
    ]
    # the backup file name's timestamp and the time a change is recorded at (the history's
    # "when", which a test sets through ``Book.clock``) are the only clock reads below the CLI
    assert sorted(offenders) == ["services/history.py", "store/db.py"]
    assert "date.today(" not in (SRC / "services" / "history.py").read_text(encoding="utf-8")
    assert "date.today(" not in (SRC / "store" / "db.py").read_text(encoding="utf-8")


def test_the_book_is_painted_before_sqlalchemy_is_imported(tmp_path: Path) -> None:
    """Start-up imports only what the first screen needs: opening a book and showing its
    Book (first page, count, summary) reads through sqlite3; SQLAlchemy (and the ORM) load
    afterwards, in the warm-up worker, for every other read and every write."""
    from kamtui.services.demo import make_demo

    path = tmp_path / "book.db"
    make_demo(path, accounts=30, seed=1, today=date(2026, 11, 23)).close()
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        from datetime import date
        from kamtui.services.book import Book
        from kamtui.ui.app import KamApp
        from kamtui.ui.widgets.account_table import AccountTable

        def loaded():
            return sorted(m for m in ("sqlalchemy", "sqlmodel") if m in sys.modules)

        seen = {{}}
        original = AccountTable.render_line

        def render_line(self, y):
            if self.total and y >= 1 and "painted" not in seen:
                seen["painted"] = loaded()
            return original(self, y)

        AccountTable.render_line = render_line
        book = Book.open({str(path)!r})
        seen["opened"] = loaded()
        app = KamApp(book, today=date(2026, 11, 23))

        async def pilot(p):
            while "painted" not in seen:
                await p.pause()
            for _ in range(200):  # the warm-up starts a moment after the first rows
                if "kamtui.ui.screens.account" in sys.modules:
                    break
                await p.pause(0.05)
            await app.workers.wait_for_complete()
            await p.pause()
            seen["warm"] = loaded()
            seen["account_screen"] = "kamtui.ui.screens.account" in sys.modules
            app.exit()

        app.run(headless=True, size=(160, 50), auto_pilot=pilot)
        book.close()
        print(seen)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    seen = ast.literal_eval(out.strip().splitlines()[-1])
    assert seen["opened"] == [] and seen["painted"] == []
    assert seen["warm"] == ["sqlalchemy"]  # the warm-up worker; the ORM loads on a first edit
    assert seen["account_screen"]  # loaded by the warm-up too: the first account opens fast


# -- the store owns every statement -------------------------------------------------------

DATABASE_MODULES = ("sqlite3", "sqlalchemy", "sqlmodel")

# the start of a statement, in any case (a literal, or an f-string with its fields as "x");
# structural enough that words a user reads ("Select all", "Delete line") are no statement
_STATEMENT = re.compile(
    r"""\s*(?:
        (?:EXPLAIN\s+(?:QUERY\s+PLAN\s+)?)?(?:
            SELECT\s+(?:DISTINCT\s+)?(?:.*\bFROM\b|[\w.]*\(|\*|\d|\?)
          | (?:INSERT|REPLACE)\s+(?:OR\s+\w+\s+)?INTO\b
          | UPDATE\s+(?:OR\s+\w+\s+)?[\w."]+\s+SET\b
          | DELETE\s+FROM\b
          | WITH\s+(?:RECURSIVE\s+)?\w+(?:\s*\([^)]*\))?\s+AS\s*(?:NOT\s+)?(?:MATERIALIZED\s+)?\(
        )
      | PRAGMA\s+[\w.]+\s*(?:=|\(|;|$)
      | (?:CREATE|DROP)\s+(?:UNIQUE\s+|TEMP(?:ORARY)?\s+|VIRTUAL\s+)?(?:TABLE|INDEX|VIEW|TRIGGER)\b
      | ALTER\s+TABLE\b
      | (?:ATTACH|DETACH)\s+DATABASE\b
      | (?:ANALYZE|VACUUM|REINDEX)(?:\s+[\w."]+)?\s*;?\s*$
      | (?:BEGIN(?:\s+(?:DEFERRED|IMMEDIATE|EXCLUSIVE))?(?:\s+TRANSACTION)?
         |COMMIT|END\s+TRANSACTION|ROLLBACK|SAVEPOINT\s+\w+|RELEASE\s+\w+)\s*;?\s*$
    )""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)


def _text(node: ast.AST) -> str | None:
    """A string literal's text; an f-string's, with each field as "x"."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "x"
            for v in node.values
        )
    return None


def database_use(source: str, package: str) -> list[str]:
    """What in ``source`` belongs in the store: imports of a database module, statements."""
    found = sorted(
        f"imports {name}"
        for name in imported_names(source, package)
        if any(name == m or name.startswith(m + ".") for m in DATABASE_MODULES)
    )
    for node in ast.walk(ast.parse(source)):
        text = _text(node)
        if text is not None and _STATEMENT.match(text):
            found.append(f"line {getattr(node, 'lineno', '?')}: {text.strip()[:60]!r}")
    return found


# Modules outside the store that still hold SQL or import a database module. The list
# only shrinks: a module that no longer needs its entry fails the test below until the
# entry is gone.
STILL_TO_MOVE = {
    "services/book.py",  # still to move (issue 12): reads, the plan, sqlite3 for typing
    "services/importer.py",  # still to move (issue 12): writes through repo._raw
    "services/recompute.py",  # still to move (issue 12): its workers' own connections
}


def outside_the_store() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if p.relative_to(SRC).parts[0] != "store")


def test_the_store_owns_every_statement() -> None:
    """No module outside store/ imports sqlite3, SQLAlchemy or SQLModel, or holds SQL,
    but those still to move; and every one still listed still needs its entry."""
    offenders = {}
    for path in outside_the_store():
        name = path.relative_to(SRC).as_posix()
        found = database_use(path.read_text(encoding="utf-8"), package_of(path))
        if found:
            offenders[name] = found
    new = {name: found for name, found in offenders.items() if name not in STILL_TO_MOVE}
    assert not new, "SQL or a database module outside store/ (move it into the store):\n" + (
        "\n".join(f"{name}: {'; '.join(found)}" for name, found in new.items())
    )
    done = sorted(STILL_TO_MOVE - set(offenders))
    assert not done, f"no longer holds SQL or imports a database module: {done}; " + (
        "take it off STILL_TO_MOVE"
    )


@pytest.mark.parametrize(
    "source",
    [
        "import sqlite3",
        "import sqlalchemy.orm as orm",
        "from sqlmodel import Session",
        "from sqlalchemy.engine import Connection",
        "def f():\n    import sqlite3",
        "if TYPE_CHECKING:\n    from sqlalchemy import Connection",
        "import importlib\nimportlib.import_module('sqlite3')",
        "x = 'SELECT id FROM accounts'",
        "x = 'select count(*) from accounts'",
        "x = f'SELECT count(*) FROM {table}'",
        "x = '  INSERT INTO changes (a) VALUES (?)'",
        "x = 'insert or replace into settings (key, value) values (?, ?)'",
        "x = f'UPDATE {table} SET a = ?'",
        "x = 'DELETE FROM accounts WHERE id = ?'",
        "x = f'PRAGMA integrity_check({n})'",
        "x = 'pragma foreign_key_check'",
        "x = 'CREATE INDEX ix ON t (a)'",
        "x = 'ANALYZE'",
        "x = 'BEGIN IMMEDIATE'",
        "x = 'WITH t AS (SELECT 1) SELECT * FROM t'",
        "x = ('SELECT a '\n     'FROM t')",
    ],
)
def test_database_use_is_found(source: str) -> None:
    assert database_use(source, "kamtui.services")


@pytest.mark.parametrize(
    "source",
    [
        "import sqlite_utils_of_ours",
        "from kamtui.store import checks",
        "from ..store import db",  # kamtui.store.db
        "x = 'Select all'",
        "x = 'Delete line'",
        "x = 'Delete {name} for good, with its contacts'",
        "x = 'Update'",
        "x = 'PRAGMA integrity_check finds nothing wrong'",
        "x = 'Begin with the first account'",
        "x = 'the rows are in SELECT order'",
    ],
)
def test_what_is_no_database_use(source: str) -> None:
    assert database_use(source, "kamtui.services") == []


def test_relative_imports_are_resolved() -> None:
    assert "kamtui.store.db" in imported_names("from ..store import db", "kamtui.ui")
    assert "kamtui.store" in imported_names("from .. import store", "kamtui.ui")
    assert "kamtui.ui.strings" in imported_names("from .strings import S", "kamtui.ui")
