"""Start-up as the user sees it: the installed command's first paint in a real terminal.

    .venv/bin/python bench/startup_pty.py --db BOOK [--runs 5]

``run.py`` calls ``measure`` after its start-up probes; run alone, this module measures
only these figures (the book should be fresh for 2026-11-23, as ``run.py`` leaves it, or
the app refreshes it while it paints).

Both programs are spawned the same way, with the interpreter running this module (a venv's
``bin/python``, never resolved to the file it links to), in a pseudo-terminal of 160×50
(``ptyprocess``), with ``TERM=xterm-256color`` and the same environment (``TEXTUAL*`` and
``PYTHONDONTWRITEBYTECODE`` removed, as for the probes; ``KAMTUI_LANG=en``):

- the baseline: ``python bench/minimal_app.py``, a Textual app with one ``Static``;
- kamtui: the installed command, ``bin/kamtui --db BOOK --today 2026-11-23``.

First paint is the time from just before the spawn until the app's text has appeared in
what it wrote to the terminal (escape sequences removed): the minimal app's sentence, and
the Book's count line (``100,000 of …``), which comes in the same frame as the first rows.
Each is then quit with ctrl+q (killed if it has not exited 10 s later). One run of each is
made first and thrown away (``.pyc`` files written, the book in the OS file cache), then
the two alternate. ``kamtui --version`` and ``--help`` are timed too (plain subprocesses).
"""

from __future__ import annotations

import argparse
import os
import re
import select
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MINIMAL = HERE / "minimal_app.py"
ROWS, COLUMNS = 50, 160
TODAY = "2026-11-23"
TARGET = 1.3  # kamtui's first paint, in multiples of the minimal app's
PAINT_TIMEOUT = 300.0  # seconds until the text must have appeared
EXIT_TIMEOUT = 10.0  # seconds between ctrl+q and a kill
# CSI (colours, cursor moves, modes), OSC, DCS, charset and keypad sequences
ESCAPES = re.compile(
    rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|P[^\x1b]*\x1b\\|[()][0-9A-Za-z]|.)"
)
WINDOW = 8192  # bytes before a new chunk searched with it: the text may straddle two reads


class NotPainted(Exception):
    """The program exited, or took too long, before its text appeared."""


def child_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TEXTUAL") and k != "PYTHONDONTWRITEBYTECODE"
    }
    return env | {
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "COLUMNS": str(COLUMNS),
        "LINES": str(ROWS),
        "KAMTUI_LANG": "en",
    }


def first_paint(argv: list[str], text: str, env: dict[str, str]) -> float:
    """Seconds from spawning ``argv`` in a pty until ``text`` appears in its output."""
    from ptyprocess import PtyProcess

    wanted = text.encode()
    out = bytearray()
    start = time.perf_counter()
    proc = PtyProcess.spawn(argv, env=env, dimensions=(ROWS, COLUMNS))
    try:
        while True:
            left = start + PAINT_TIMEOUT - time.perf_counter()
            if left <= 0:
                raise NotPainted(f"{text!r} not shown within {PAINT_TIMEOUT:.0f} s")
            if not select.select([proc.fd], [], [], left)[0]:
                continue
            try:
                chunk = proc.read(65536)
            except EOFError:
                shown = ESCAPES.sub(b"", out).decode(errors="replace").split()
                raise NotPainted(
                    f"{Path(argv[-1] if argv[-1].endswith('.py') else argv[0]).name} exited "
                    f"before showing {text!r}: …{' '.join(shown)[-200:]}"
                ) from None
            seen = time.perf_counter()
            out += chunk
            if wanted in ESCAPES.sub(b"", out[-(len(chunk) + WINDOW) :]):
                return seen - start
    finally:
        _quit(proc)


def _quit(proc: Any) -> None:
    """ctrl+q (both apps quit on it), reading what they write meanwhile; else a kill."""
    try:
        proc.write(b"\x11")
        deadline = time.perf_counter() + EXIT_TIMEOUT
        while proc.isalive() and time.perf_counter() < deadline:
            if select.select([proc.fd], [], [], 0.05)[0]:
                proc.read(65536)
    except (OSError, EOFError):
        pass
    proc.close(force=True)


def command_ms(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, capture_output=True, check=True, timeout=60)
    return (time.perf_counter() - start) * 1000


def accounts_in(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db.as_posix()}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT count(*) FROM accounts WHERE deleted_at IS NULL").fetchone()
        return int(row[0])
    finally:
        conn.close()


def measure(
    db: Path, runs: int, say: Callable[[str], None] = print
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The figures (as keyword arguments of ``run.Figure``) and every sample."""
    from minimal_app import TEXT  # beside this file, as run.py and this module are run

    python = Path(sys.executable)  # not resolved: a venv's python links outside the venv
    kamtui = python.parent / "kamtui"
    env = child_env()
    book_text = f"{accounts_in(db):,} of "
    programs = {
        "minimal": ([str(python), str(MINIMAL)], TEXT),
        "kamtui": ([str(kamtui), "--db", str(db), "--today", TODAY], book_text),
    }
    samples: dict[str, list[float]] = {name: [] for name in programs}
    errors: dict[str, list[str]] = {name: [] for name in programs}
    say(f"Terminal start-up ({COLUMNS}×{ROWS} pty): one discarded run of each, then {runs} …")
    for run in range(runs + 1):
        for name, (argv, text) in programs.items():
            try:
                ms = first_paint(argv, text, env) * 1000
            except (NotPainted, OSError) as e:
                errors[name].append(str(e))
                continue
            if run:
                samples[name].append(ms)
    version = [command_ms([str(kamtui), "--version"], env) for _ in range(runs + 1)][1:]
    helps = [command_ms([str(kamtui), "--help"], env) for _ in range(runs + 1)][1:]

    def median(xs: list[float]) -> float | None:
        return statistics.median(xs) if xs else None

    base, book = median(samples["minimal"]), median(samples["kamtui"])
    limit = TARGET * base if base else None
    ratio = f"{book / base:.2f}× the minimal app; " if book and base else ""
    figures = [
        {
            "name": "terminal first paint: minimal Textual app",
            "unit": "ms",
            "samples": samples["minimal"],
            "note": f"python bench/minimal_app.py in a {COLUMNS}×{ROWS} pty, until its "
            "Static's text is in the output",
            "error": "; ".join(sorted(set(errors["minimal"]))),
        },
        {
            "name": "terminal first paint: installed kamtui",
            "unit": "ms",
            "samples": samples["kamtui"],
            "target": limit,
            "target_text": f"≤ {TARGET}× minimal ({limit:,.0f} ms)" if limit else f"≤ {TARGET}×",
            "note": f"{ratio}bin/kamtui --db BOOK --today {TODAY}, until {book_text!r} "
            "(the count line, with the first rows) is in the output",
            "error": "; ".join(sorted(set(errors["kamtui"]))) or ("" if limit else "no baseline"),
        },
        {
            "name": "kamtui --version (installed command)",
            "unit": "ms",
            "samples": version,
            "note": f"--help {median(helps):,.0f} ms; until the process exits",
        },
    ]
    raw = {"samples_ms": samples, "errors": errors, "version_ms": version, "help_ms": helps}
    return figures, raw


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="kamtui's first paint in a terminal.")
    p.add_argument("--db", required=True, type=Path, help="the book (fresh for 2026-11-23)")
    p.add_argument("--runs", type=int, default=5, help="counted runs (the median is shown)")
    args = p.parse_args(argv)
    if not args.db.is_file() or args.runs < 1:
        p.error("--db must be a book and --runs at least 1")
    figures, _ = measure(args.db, args.runs)
    for f in figures:
        xs = f["samples"]
        shown = f"{statistics.median(xs):,.0f} ms" if xs else "—"
        runs = ", ".join(f"{x:,.0f}" for x in xs)
        print(f"{f['name']}: {shown} (runs {runs}) {f.get('target_text', '')}")
        print(f"  {f.get('error') or f['note']}")
    return 1 if any(f.get("error") for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
