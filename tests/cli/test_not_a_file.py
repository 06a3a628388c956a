"""A book is a regular file: anything else given as a book (a FIFO, a folder, a device, a
socket) is refused with one sentence, before it is opened (opening a FIFO waits forever
for a writer); a symbolic link to a book is a book."""

from __future__ import annotations

import os
import signal
import socket
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_run import kamtui

from kamtui import paths

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="FIFOs, sockets and devices as files are POSIX"
)

DAY = "2026-11-23"


class Hung(Exception):
    pass


@pytest.fixture(autouse=True)
def no_hang() -> Iterator[None]:
    """A command that blocks (opening a FIFO) fails the test instead of hanging it."""

    def hung(_signum: int, _frame: object) -> None:
        raise Hung("the command hung")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(10)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Stand in for the Textual app: record that it was started."""
    import kamtui.ui.app

    runs: list[object] = []

    class FakeApp:
        def __init__(self, book: object, **_kw: Any) -> None:
            runs.append(book)

        def run(self) -> None:
            pass

    monkeypatch.setattr(kamtui.ui.app, "KamApp", FakeApp)
    return runs


def _fifo(p: Path) -> Path:
    os.mkfifo(p)
    return p


def _folder(p: Path) -> Path:
    p.mkdir()
    return p


def _device(p: Path) -> Path:
    p.symlink_to("/dev/null")  # a character device, reached through a link
    return p


def _socket(p: Path) -> Path:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(p))
    s.close()  # the socket file stays
    return p


KINDS: list[tuple[str, Callable[[Path], Path], str]] = [
    ("fifo", _fifo, "a named pipe (FIFO)"),
    ("folder", _folder, "a folder"),
    ("device", _device, "a device"),
    ("socket", _socket, "a socket"),
]

COMMANDS: list[tuple[str, list[object]]] = [
    ("app", ["--today", DAY]),
    ("app read-only", ["--read-only", "--today", DAY]),
    ("export", ["export", "accounts", "--today", DAY]),
    ("plan", ["plan", "--today", DAY]),
    ("doctor", ["doctor", "--today", DAY]),
    ("backup", ["backup"]),
    ("import", ["import", "accounts", "accounts.csv"]),
]


@pytest.mark.parametrize("command", [c for _, c in COMMANDS], ids=[n for n, _ in COMMANDS])
@pytest.mark.parametrize(
    ("make", "kind"), [(m, k) for _, m, k in KINDS], ids=[n for n, _, _ in KINDS]
)
def test_a_book_that_is_no_file_is_refused_at_once(
    capsys: pytest.CaptureFixture[str],
    app: list[object],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make: Callable[[Path], Path],
    kind: str,
    command: list[object],
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("accounts.csv").write_text("name\n云翔集团\n", encoding="utf-8")
    path = make(tmp_path / "book.db")

    r = kamtui(capsys, *command, "--db", path)

    assert r.code == 1 and r.out == "", r
    lines = r.err.splitlines()
    assert len(lines) == 1, r.err
    assert lines[0].startswith(f"kamtui: {path} is {kind}, not a kamtui book"), lines[0]
    assert app == []


@pytest.mark.parametrize(
    ("make", "kind"), [(m, k) for _, m, k in KINDS], ids=[n for n, _, _ in KINDS]
)
def test_the_team_view_refuses_a_member_that_is_no_file(
    capsys: pytest.CaptureFixture[str],
    app: list[object],
    tmp_path: Path,
    demo_path: Path,
    make: Callable[[Path], Path],
    kind: str,
) -> None:
    path = make(tmp_path / "other.db")
    r = kamtui(capsys, "team", demo_path, path, "--today", DAY)
    assert r.code == 1 and f"{path} is {kind}, not a kamtui book" in r.err, r
    assert len(r.err.splitlines()) == 1 and app == []


@pytest.mark.parametrize("which", ["default", "demo"])
def test_the_default_and_demo_books_that_are_no_file_are_refused(
    capsys: pytest.CaptureFixture[str], app: list[object], tmp_path: Path, which: str
) -> None:
    path = paths.default_book() if which == "default" else paths.demo_book()
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    args = ["--today", DAY] + (["--demo"] if which == "demo" else [])

    r = kamtui(capsys, *args)

    assert r.code == 1 and f"{path} is a named pipe (FIFO), not a kamtui book" in r.err, r
    assert app == []
    if which == "default":  # the commands that read the default book say the same
        r = kamtui(capsys, "doctor")
        assert r.code == 1 and "is a named pipe (FIFO)" in r.err


@pytest.mark.parametrize("command", [["init"], ["demo", "--accounts", "3"]])
def test_creating_over_something_that_is_no_file_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]
) -> None:
    path = _fifo(tmp_path / "book.db")
    r = kamtui(capsys, *command, "--db", path, *(["--today", DAY] if "demo" in command else []))
    assert r.code == 1 and "already exists" in r.err and len(r.err.splitlines()) == 1, r
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.db"]


def test_a_link_to_a_book_is_a_book(
    capsys: pytest.CaptureFixture[str], app: list[object], tmp_path: Path, demo_path: Path
) -> None:
    link = tmp_path / "link.db"
    link.symlink_to(demo_path)
    r = kamtui(capsys, "doctor", "--db", link, "--today", DAY)
    assert r.code == 0, r
    assert kamtui(capsys, "--db", link, "--today", DAY).code == 0
    assert len(app) == 1
