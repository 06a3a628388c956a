"""A book comes into being whole or not at all: `kamtui init`, the first run of `kamtui`
(which creates the default book) and `kamtui demo`, killed with SIGKILL at random moments
while they make the book, never leave a file that a later command refuses or that is
less than a whole book; what a killed run leaves besides is cleaned by the next one.

The moment of each kill is drawn (seeded) from the time the command's first file appears
in the book's folder to the time a run that is not killed has finished making the book.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_run import kamtui

from kamtui.config import BookConfig
from kamtui.services.book import Book

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

DAY = "2026-11-23"
DEMO_ACCOUNTS = 2000


def start(args: list[str]) -> subprocess.Popen[bytes]:
    """The kamtui command in a process of its own, as a user starts it: stdin is no
    terminal (the app then still starts, and draws to stdout)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    return subprocess.Popen(
        [sys.executable, "-m", "kamtui", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )


def names(folder: Path) -> set[str]:
    return set(os.listdir(folder)) if folder.is_dir() else set()


def first_file(
    folder: Path, proc: subprocess.Popen[bytes], before: set[str], timeout: float = 30
) -> float:
    """Wait until a file not in ``before`` appears in ``folder``; when it did (or the
    process ended)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if names(folder) - before:
            return time.monotonic()
        if proc.poll() is not None:
            return time.monotonic()
        time.sleep(0.0005)
    proc.kill()
    pytest.fail(f"nothing appeared in {folder}")


def made_in(args: list[str], folder: Path, done: Callable[[], bool]) -> float:
    """Seconds from the first file in ``folder`` until ``done()`` holds, for a run that is
    not killed (then stopped, and what it made removed)."""
    before = names(folder)
    proc = start(args)
    try:
        t0 = first_file(folder, proc, before)
        while not done():
            if time.monotonic() - t0 > 60:
                pytest.fail("the book was not made within a minute")
            time.sleep(0.001)
        return time.monotonic() - t0
    finally:
        proc.kill()
        proc.wait()
        clear(folder)


def clear(folder: Path) -> None:
    for p in folder.iterdir():
        p.unlink()


def kill_at_random(args: list[str], folder: Path, window: float, rng: random.Random) -> bool:
    """Run the command and SIGKILL it a random moment after its first file appears;
    True if it was killed (False: it had already finished)."""
    before = names(folder)
    proc = start(args)
    t0 = first_file(folder, proc, before)
    time.sleep(max(0.0, t0 + rng.uniform(0, window) - time.monotonic()))
    killed = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return killed


def check_after_kill(
    capsys: pytest.CaptureFixture[str],
    book: Path,
    doctor_args: list[str],
    whole: Callable[[Path], None],
) -> bool:
    """Every later command works: no book (a command says so), or a whole book that doctor
    calls fine. True if the book is there."""
    r = kamtui(capsys, "doctor", *doctor_args, "--today", DAY)
    if not book.exists():
        assert r.code == 1 and "no book" in r.err.lower(), r
        assert len(r.err.splitlines()) == 1, r.err
        return False
    assert r.code == 0, f"a killed run left {book} that doctor refuses:\n{r.out}{r.err}"
    assert r.out.splitlines()[-1] == "No problems found.", r.out
    assert f"up to date for {DAY}" in r.out, r.out  # derived values: all computed
    whole(book)
    return True


def remove_book(book: Path) -> None:
    """Start the next try without the book, but with whatever else a killed run left."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{book}{suffix}").unlink(missing_ok=True)


def empty_book(path: Path) -> None:
    with Book.open(path, read_only=True) as b:
        assert b.config == BookConfig() and b.summary().accounts == 0


def demo_book(path: Path) -> None:
    with Book.open(path, read_only=True) as b:
        assert b.summary().accounts == DEMO_ACCOUNTS


def only_the_book(folder: Path, book: Path) -> None:
    """Nothing a killed run left remains beside the book once a run has made it."""
    names = sorted(p.name for p in folder.iterdir())
    assert [n for n in names if not n.startswith(book.name)] == [], names
    assert set(names) <= {book.name, f"{book.name}-wal", f"{book.name}-shm"}, names


def run_kills(
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    folder: Path,
    book: Path,
    doctor_args: list[str],
    whole: Callable[[Path], None],
    tries: int,
    seed: int,
) -> None:
    window = 1.5 * made_in(args, folder, lambda: _opens(book))
    rng = random.Random(seed)
    outcomes = {"none": 0, "whole": 0}
    n = 0
    # the kills must fall both before and after the book was whole: on a busy machine the
    # window measured may be off, so more tries follow with it widened or narrowed
    while n < tries or (min(outcomes.values()) == 0 and n < 3 * tries):
        if n >= tries:
            window *= 1.5 if outcomes["whole"] == 0 else 0.5
        kill_at_random(args, folder, window, rng)
        there = check_after_kill(capsys, book, doctor_args, whole)
        outcomes["whole" if there else "none"] += 1
        remove_book(book)
        n += 1
    assert min(outcomes.values()) > 0, outcomes


def _opens(book: Path) -> bool:
    """The book at ``book`` is there and opens (without changing it)."""
    if not book.exists():
        return False
    try:
        Book.open(book, read_only=True).close()
    except Exception:
        return False
    return True


def test_init_killed_at_random_moments(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    book = folder / "book.db"
    args = ["init", "--db", str(book)]
    run_kills(capsys, args, folder, book, ["--db", str(book)], empty_book, tries=12, seed=11)

    r = kamtui(capsys, *args)  # the rerun makes it
    assert r.code == 0, r
    empty_book(book)
    only_the_book(folder, book)


def test_the_first_run_killed_at_random_moments(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, isolated_home: Path
) -> None:
    from kamtui import paths

    book = paths.default_book()
    folder = book.parent
    folder.mkdir(parents=True)
    args = ["--today", DAY]
    run_kills(capsys, args, folder, book, [], empty_book, tries=10, seed=12)

    # the rerun makes the default book and starts the app on it
    proc = start(args)
    try:
        end = time.monotonic() + 30
        while not _opens(book):
            assert proc.poll() is None, "the app stopped"
            assert time.monotonic() < end, "the first run made no book"
            time.sleep(0.01)
    finally:
        proc.kill()
        proc.wait()
    assert kamtui(capsys, "doctor", "--today", DAY).code == 0
    empty_book(book)
    only_the_book(folder, book)


@pytest.mark.parametrize("how", ["demo", "app --demo"])
def test_a_demo_killed_at_random_moments(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, isolated_home: Path, how: str
) -> None:
    from kamtui import paths

    if how == "demo":
        folder = tmp_path / "books"
        folder.mkdir()
        book = folder / "demo.db"
        args = ["demo", "--db", str(book), "--accounts", str(DEMO_ACCOUNTS), "--today", DAY]
        whole: Callable[[Path], None] = demo_book
    else:  # the app's demo book: 200 accounts
        book = paths.demo_book()
        folder = book.parent
        folder.mkdir(parents=True)
        args = ["--demo", "--today", DAY]

        def whole(path: Path) -> None:
            with Book.open(path, read_only=True) as b:
                assert b.summary().accounts == 200

    tries = 6 if how == "demo" else 5
    run_kills(capsys, args, folder, book, ["--db", str(book)], whole, tries=tries, seed=13)

    if how == "demo":
        assert kamtui(capsys, *args).code == 0  # the rerun makes it
        whole(book)
        only_the_book(folder, book)
