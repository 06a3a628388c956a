"""The app side of the benchmark: one fresh process per measurement, started by run.py.

    probe_app.py baseline --t0 T --out FILE
    probe_app.py book     --t0 T --out FILE --db PATH [--scroll]
    probe_app.py interact --t0 T --out FILE --db PATH

``--t0`` is the parent's ``time.time()`` taken just before it started this process, so
"start-up" includes the interpreter, every import and opening the book. The app runs
headless at 160x50 through ``App.run(headless=True, size=...)``; nothing is printed while
it runs, and the result is written as JSON to ``--out``.

"Painted" means: the table's ``render_line`` produced a line of data (not the header,
not a placeholder), and then a ``call_after_refresh`` callback ran, i.e. the compositor
finished that frame. Headless Textual builds every frame (all ``render_line`` calls,
the compositor update) but skips encoding it as ANSI and writing it to a terminal.

Only the standard library is imported at module level, so the baseline pays for Textual
and nothing of kamtui.
"""

import time

T_SCRIPT = time.time()  # as close to interpreter start as a script can get

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

SIZE = (160, 50)
TODAY = date(2026, 11, 23)
EMPTY_KEY = "f12"  # bound to nothing in kamtui; used for the empty-press baseline
EMPTY_PRESSES = 15
DOWN_PRESSES = 50
FILTER_TEXT = "nox"  # typed one character at a time into the empty filter
PAINT_TIMEOUT = 300.0


def max_rss_mb() -> float:
    """Peak resident set size of this process in MB (10^6 bytes).

    VmHWM from /proc/self/status: the high-water mark of this process's own address space.
    ``getrusage().ru_maxrss`` is not used for the figure because on Linux a child inherits
    its parent's peak across fork + exec, so a probe started by a 700 MB harness would
    report 700 MB. It is kept in the result as ``ru_maxrss_mb`` for comparison, and used
    where /proc is missing.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    return ru_maxrss_mb()


def ru_maxrss_mb() -> float:
    """getrusage's peak in MB; ru_maxrss is in KiB on Linux."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def watch_first_paint(
    cls: Any, is_data_line: Callable[[Any, int], bool], marks: dict[str, float]
) -> asyncio.Event:
    """Wrap ``cls.render_line``: on the first data line, wait for the frame to finish.

    Sets ``marks["rendered"]`` when the first data line is rendered and
    ``marks["painted"]`` when the ``call_after_refresh`` callback scheduled then has run.
    """
    painted = asyncio.Event()
    original = cls.render_line

    def after_refresh() -> None:
        marks["painted"] = time.time()
        painted.set()

    def render_line(self: Any, y: int) -> Any:
        strip = original(self, y)
        if "rendered" not in marks and is_data_line(self, y):
            marks["rendered"] = time.time()
            self.call_after_refresh(after_refresh)
        return strip

    cls.render_line = render_line
    return painted


# ---- the baseline: a minimal Textual app with a 100-row DataTable --------------------------


def run_baseline(args: argparse.Namespace) -> dict[str, Any]:
    from textual.app import App, ComposeResult
    from textual.pilot import Pilot
    from textual.widgets import DataTable

    marks: dict[str, float] = {"imported": time.time()}
    painted = watch_first_paint(DataTable, lambda t, y: y >= 1 and t.row_count > 0, marks)
    columns = ("Tier", "Name", "Track", "Score", "Health", "Stage", "Last touch", "Next", "Owner")

    class Baseline(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns(*columns)
            table.add_rows(
                (
                    "A",
                    f"Account {i:05d} Holdings",
                    "expand",
                    f"{i % 100 / 10:.2f}",
                    f"● {i % 100}",
                    "3 Solution",
                    "2026-11-01",
                    "Call the sponsor about the renewal",
                    "Alex Chen",
                )
                for i in range(100)
            )
            marks["rows_added"] = time.time()
            table.focus()

    app = Baseline()
    result: dict[str, Any] = {}

    async def pilot_fn(pilot: Pilot[None]) -> None:
        try:
            await asyncio.wait_for(painted.wait(), PAINT_TIMEOUT)
        except TimeoutError:
            result["error"] = f"no painted row within {PAINT_TIMEOUT:.0f} s"
        app.exit()

    app.run(headless=True, size=SIZE, auto_pilot=pilot_fn)
    result["rss_mb"] = max_rss_mb()
    result["ru_maxrss_mb"] = ru_maxrss_mb()
    return result | {"marks": marks}


# ---- the Book: KamApp on the demo book -------------------------------------------------------


def _book_app(db: str, marks: dict[str, float]) -> tuple[Any, asyncio.Event]:
    from kamtui.services.book import Book
    from kamtui.ui.app import KamApp
    from kamtui.ui.widgets.account_table import AccountTable

    marks["imported"] = time.time()
    painted = watch_first_paint(AccountTable, lambda t, y: y >= 1 and t.total > 0, marks)
    book = Book.open(db)
    marks["book_open"] = time.time()
    return KamApp(book, today=TODAY), painted


def _table(app: Any) -> Any:
    from kamtui.ui.widgets.account_table import AccountTable

    return app.screen.query_one(AccountTable)


async def settle(pilot: Any) -> None:
    """Wait until no worker runs, every message is handled and the screen was redrawn."""
    app = pilot.app
    for _ in range(20):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.state.name in ("PENDING", "RUNNING") for w in app.workers):
            break
    await app.screen.wait_for_refresh()


async def timed_press(pilot: Any, key: str) -> tuple[float, float]:
    """(CPU seconds, wall seconds) from pressing ``key`` until everything settled."""
    c0, w0 = time.process_time(), time.perf_counter()
    await pilot.press(key)
    await settle(pilot)
    return time.process_time() - c0, time.perf_counter() - w0


async def empty_presses(pilot: Any) -> dict[str, Any]:
    """The cost of a press that does nothing, measured like every other press."""
    bound = pilot.app.screen.active_bindings
    if EMPTY_KEY in bound:
        raise RuntimeError(f"{EMPTY_KEY!r} is bound here; pick another empty-press key")
    samples = [await timed_press(pilot, EMPTY_KEY) for _ in range(EMPTY_PRESSES)]
    cpu = [c for c, _ in samples]
    return {"cpu": statistics.median(cpu), "cpu_samples": cpu, "wall": [w for _, w in samples]}


def run_book(args: argparse.Namespace) -> dict[str, Any]:
    marks: dict[str, float] = {}
    app, painted = _book_app(args.db, marks)
    result: dict[str, Any] = {}

    async def pilot_fn(pilot: Any) -> None:
        try:
            await asyncio.wait_for(painted.wait(), PAINT_TIMEOUT)
        except TimeoutError:
            result["error"] = f"no painted row within {PAINT_TIMEOUT:.0f} s"
            app.exit()
            return
        table = _table(app)
        result["total"] = table.total
        if args.scroll:
            await settle(pilot)
            result["rss_mb_painted"] = max_rss_mb()
            keys = ["pagedown"] * 30 + ["end"] + ["pageup"] * 30 + ["home"] + ["pagedown"] * 30
            for key in keys:
                await pilot.press(key)
                await settle(pilot)
            result["scroll_keys"] = len(keys)
            result["cursor_after_scroll"] = table.cursor_row
        app.exit()

    app.run(headless=True, size=SIZE, auto_pilot=pilot_fn)
    result["rss_mb"] = max_rss_mb()
    result["ru_maxrss_mb"] = ru_maxrss_mb()
    result["return_code"] = app.return_code
    return result | {"marks": marks}


# ---- interaction: keys in the Book, CPU time each ----------------------------------------------


def run_interact(args: argparse.Namespace) -> dict[str, Any]:
    from textual.widgets import Input

    from kamtui.ui.screens.book import SORTS

    marks: dict[str, float] = {}
    app, painted = _book_app(args.db, marks)
    r: dict[str, Any] = {}

    async def pilot_fn(pilot: Any) -> None:
        await asyncio.wait_for(painted.wait(), PAINT_TIMEOUT)
        await settle(pilot)
        screen = app.screen
        table = _table(app)
        if not table.has_focus:
            raise RuntimeError("the account table does not have focus after start-up")

        # the empty press, with the table focused
        r["empty_table"] = await empty_presses(pilot)

        # cursor: DOWN_PRESSES single presses from the top
        down = [await timed_press(pilot, "down") for _ in range(DOWN_PRESSES)]
        if table.cursor_row != DOWN_PRESSES:
            raise RuntimeError(f"cursor at {table.cursor_row}, expected {DOWN_PRESSES}")
        r["down_cpu"] = [c for c, _ in down]
        r["down_wall"] = [w for _, w in down]

        # open the account under the cursor: Enter until the 360° view is painted
        expected = table.current.id
        cpu, wall = await timed_press(pilot, "enter")
        view = getattr(app.screen, "view", None)
        if view is None or view.id != expected:
            raise RuntimeError("Enter did not show the account's 360° view")
        r["open_account"] = {"cpu": cpu, "wall": wall, "account_id": expected}
        await pilot.press("escape")
        await settle(pilot)
        if app.screen is not screen:
            raise RuntimeError("Escape did not return to the Book")

        # the filter: focus it, then type one character at a time
        await pilot.press("slash")
        await settle(pilot)
        if not isinstance(app.focused, Input):
            raise RuntimeError("/ did not focus the filter")
        r["empty_input"] = await empty_presses(pilot)
        r["filter"] = []
        for n, ch in enumerate(FILTER_TEXT, 1):
            cpu, wall = await timed_press(pilot, ch)
            text = FILTER_TEXT[:n]
            if screen.query_state.text != text or table.generation != screen.generation:
                raise RuntimeError(f"the table does not show the rows for filter {text!r}")
            r["filter"].append({"text": text, "cpu": cpu, "wall": wall, "matches": table.total})
        await pilot.press("escape")  # back to the table
        await pilot.press("escape")  # clear the filter
        await settle(pilot)
        if screen.query_state.text or not table.has_focus:
            raise RuntimeError("Escape, Escape did not clear the filter")

        # sort: "o" through every column and back to the first
        r["sort"] = []
        for _ in SORTS:
            before = screen.query_state.sort
            cpu, wall = await timed_press(pilot, "o")
            after = screen.query_state.sort
            if after == before or table.sort_key != after or table.generation != screen.generation:
                raise RuntimeError(f"'o' did not re-sort the table (from {before})")
            r["sort"].append({"sort": after, "cpu": cpu, "wall": wall})
        app.exit()

    async def guarded(pilot: Any) -> None:
        try:
            await pilot_fn(pilot)
        except Exception as e:  # report, do not hang
            r["error"] = f"{type(e).__name__}: {e}"
            app.exit()

    app.run(headless=True, size=SIZE, auto_pilot=guarded)
    r["rss_mb"] = max_rss_mb()
    r["ru_maxrss_mb"] = ru_maxrss_mb()
    r["return_code"] = app.return_code
    return r | {"marks": marks}


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["baseline", "book", "interact"])
    p.add_argument("--t0", type=float, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--db")
    p.add_argument("--scroll", action="store_true")
    args = p.parse_args()
    run = {"baseline": run_baseline, "book": run_book, "interact": run_interact}[args.mode]
    result = run(args)
    result["marks"] = {"t0": args.t0, "script": T_SCRIPT, **result.get("marks", {})}
    Path(args.out).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
