"""Figures of the weekly plan for a day after the book's last refresh (for bench/run.py).

The book is refreshed for ``today``; its plan for the next day derives in memory, and
writes nowhere, the values that may have changed since (``Book._overlay``). Measured in
the same run as the plan of the refreshed book, and compared with it as a ratio:

- ``book.plan(week, today + 1 day)`` in the harness process, ``runs`` times; target at
  most ``RATIO`` × the refreshed book's plan (its median, measured just before);
- ``kamtui plan`` in fresh processes, for ``today`` and for the next day, ``runs`` times
  each: wall time from process start and peak memory (``VmHWM``); information. The book
  file is checked to be unchanged by them (a plan never writes the book).

The figure class is passed in (``run.Figure``): this module is imported by run.py, which
runs as ``__main__``.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

RATIO = 1.5  # the later day's plan against the refreshed book's
LATER = timedelta(days=1)
CLI_TIMEOUT = 600  # seconds, per process

# A fresh process running the CLI's plan command, then saying its peak memory.
CHILD = """
import json, sys
from kamtui.cli import main
code = main(sys.argv[1:])
peak = None
with open("/proc/self/status") as f:
    for line in f:
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) * 1024 / 1e6
print(json.dumps({"code": code, "rss_mb": peak}))
"""


def _book_file_state(db: Path) -> tuple[tuple[int, int] | None, ...]:
    """Size and modification time of the book and its -wal, to tell that nothing wrote it."""
    out = []
    for suffix in ("", "-wal"):
        p = Path(f"{db}{suffix}")
        out.append((p.stat().st_size, p.stat().st_mtime_ns) if p.exists() else None)
    return tuple(out)


def _cli_plan(db: Path, day: date, week: str, out: Path) -> tuple[float, float | None]:
    """Wall seconds and peak MB of one ``kamtui plan`` process."""
    argv = ["plan", "--db", str(db), "--today", day.isoformat(), "--week", week, "-o", str(out)]
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *argv],
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
        check=False,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"kamtui plan failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["code"] != 0:
        raise RuntimeError(f"kamtui plan exited {result['code']}: {done.stderr.strip()[-500:]}")
    return seconds, result["rss_mb"]


def measure_later_day_plan(
    book: Any,
    db: Path,
    week: Any,
    today: date,
    runs: int,
    fresh_plan: list[float],
    figure: Callable[..., Any],
) -> tuple[list[Any], dict[str, Any]]:
    """The figures (made by ``figure``, run.Figure) and the raw samples."""
    later = today + LATER
    in_process, overlay = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        made = book.plan(week, later)
        in_process.append(time.perf_counter() - start)
        items = len(made.items)
        del made
    with book.store.reading() as conn:
        overlay = len(book._overlay(conn, later) or {})
    fresh = statistics.median(fresh_plan)
    limit = RATIO * fresh
    ratio = statistics.median(in_process) / fresh
    figures = [
        figure(
            f"weekly plan {week}, whole team, a day after the last refresh",
            "s",
            in_process,
            target=limit,
            target_text=f"≤ {RATIO:.1f}× fresh ({limit:.2f} s)",
            note=f"book.plan(today {later}) on a book refreshed for {today}: {ratio:.2f}× the "
            f"fresh book's plan; {overlay:,} accounts' values derived anew in memory; "
            f"{items:,} plan items; wall time",
        )
    ]
    cli: dict[str, dict[str, list[Any]]] = {}
    before = _book_file_state(db)
    with tempfile.TemporaryDirectory(prefix="kamtui-plan-") as tmp:
        for _ in range(runs):
            for name, day in (("fresh", today), ("later", later)):
                secs, mb = _cli_plan(db, day, str(week), Path(tmp) / f"{name}.md")
                got = cli.setdefault(name, {"s": [], "rss_mb": []})
                got["s"].append(secs)
                got["rss_mb"].append(mb)
    written = _book_file_state(db) != before
    error = "the book file changed while kamtui plan ran" if written else ""
    fresh_s, later_s = (statistics.median(cli[n]["s"]) for n in ("fresh", "later"))
    peaks = {n: statistics.median(x for x in cli[n]["rss_mb"] if x) for n in cli}
    figures += [
        figure(
            f"kamtui plan --week {week} (CLI), book fresh",
            "s",
            cli["fresh"]["s"],
            note=f"fresh process, start to exit; peak memory {peaks['fresh']:,.0f} MB",
            error=error,
        ),
        figure(
            f"kamtui plan --week {week} (CLI), a day after the last refresh",
            "s",
            cli["later"]["s"],
            note=f"--today {later}: {later_s / fresh_s:.2f}× the fresh book's; "
            f"peak memory {peaks['later']:,.0f} MB",
            error=error,
        ),
        figure(
            "peak memory: kamtui plan, a day after the last refresh",
            "MB",
            [x for x in cli["later"]["rss_mb"] if x],
            note=f"VmHWM of the CLI process; book fresh: {peaks['fresh']:,.0f} MB",
            error=error,
        ),
    ]
    raw = {"plan_s": in_process, "overlay_accounts": overlay, "cli": cli}
    return figures, raw
