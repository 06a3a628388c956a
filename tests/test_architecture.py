"""Dependencies point one way: ui/cli → services → store, domain; the domain is pure."""

from __future__ import annotations

import ast
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


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


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
