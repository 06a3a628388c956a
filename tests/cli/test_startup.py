"""Start-up of the command: `kamtui --version` and `--help` answer without loading a
book's machinery (SQLAlchemy, the importer, export) or the UI (Textual); the app is made
with Python's cyclic garbage collector paused (`cli._start_up`), which is left as it was
found whatever happens.

How long start-up takes is the benchmark's business (bench/startup_pty.py); these tests
check only what is loaded and in which state the collector is.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cli_run import kamtui

from kamtui.services.book import Book

DAY = "2026-11-23"
# what a question about the command itself must not load
HEAVY_PACKAGES = {"sqlalchemy", "sqlmodel", "textual", "rich", "openpyxl", "icalendar"}
HEAVY_MODULES = {"kamtui.services.book", "kamtui.services.importer", "kamtui.services.export"}


def imported_by(*args: str) -> set[str]:
    """Every module `python -X importtime -m kamtui ARGS` imports (it must exit 0)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "kamtui", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = [line for line in proc.stderr.splitlines() if line.startswith("import time:")]
    assert lines, "no -X importtime output"
    return {line.rsplit("|", 1)[1].strip() for line in lines[1:]}  # after the header line


@pytest.mark.parametrize(
    "args",
    [["--version"], ["--help"], ["import", "--help"], ["plan", "--help"]],
    ids=lambda a: " ".join(a),
)
def test_asking_the_command_about_itself_loads_no_book_and_no_ui(args: list[str]) -> None:
    modules = imported_by(*args)
    assert "kamtui.cli" in modules
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY_PACKAGES or m in HEAVY_MODULES)
    assert heavy == []


def test_the_import_command_still_offers_every_kind_and_encoding(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from kamtui.services import importer, reading

    r = kamtui(capsys, "import", "--help")
    assert r.code == 0
    assert "{" + ",".join(importer.KINDS) + "}" in r.out
    assert "{" + ",".join(reading.ENCODINGS) + "}" in r.out


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Stand in for the app: record the collector's state when it is made and run."""
    import kamtui.ui.app

    seen: dict[str, Any] = {}
    frozen = gc.get_freeze_count()

    class FakeApp:
        def __init__(self, book: Book, today: date, **_kw: Any) -> None:
            seen["made"] = gc.isenabled()

        def run(self) -> None:
            seen["run"] = gc.isenabled()
            seen["frozen"] = gc.get_freeze_count() > frozen

    monkeypatch.setattr(kamtui.ui.app, "KamApp", FakeApp)
    return seen


def test_the_app_is_made_with_the_collector_paused_and_runs_with_it(
    capsys: pytest.CaptureFixture[str], demo_path: Path, seen: dict[str, Any]
) -> None:
    frozen = gc.get_freeze_count()
    r = kamtui(capsys, "--db", demo_path, "--today", DAY)
    assert r.code == 0, r
    # paused while the book opened and the app was made; resumed, start-up's objects
    # frozen, while it ran
    assert seen == {"made": False, "run": True, "frozen": True}
    assert gc.isenabled() and gc.get_freeze_count() == frozen  # as it was, once it ended


def test_a_book_that_cannot_be_opened_leaves_the_collector_as_it_was(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, seen: dict[str, Any]
) -> None:
    frozen = gc.get_freeze_count()
    not_a_book = tmp_path / "notes.db"
    not_a_book.write_text("not a book")
    r = kamtui(capsys, "--db", not_a_book, "--today", DAY)
    assert r.code == 1 and r.err.startswith("kamtui: "), r
    assert seen == {}
    assert gc.isenabled() and gc.get_freeze_count() == frozen
