"""The kamtui benchmark: a demo book, then every figure we hold a target for.

    .venv/bin/python bench/run.py [--accounts 100000] [--runs 5] [--keep PATH]

Start-up, painting and key presses are measured in fresh processes (bench/probe_app.py);
the service calls (opening an account, the weekly plan, recomputing health) in this
one. Every figure is the median of ``--runs`` runs. The table is printed and written to
bench/out/results.json. Exit status: 0 every target met, 1 some target missed or some
measurement failed, 2 bad arguments. See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROBE = HERE / "probe_app.py"
OUT = HERE / "out"
TODAY = date(2026, 11, 23)
WEEK = (2026, 48)
SEED = 1
TARGETS_AT = 100_000
SIZE = "160x50"
PROBE_TIMEOUT = 1800  # seconds, per probe process


# ---- figures ----------------------------------------------------------------------------------


@dataclass
class Figure:
    name: str
    unit: str  # "ms", "s", "MB", "x"
    samples: list[float] = field(default_factory=list)
    target: float | None = None  # in ``unit``; None: shown for information
    target_text: str = ""
    note: str = ""
    error: str = ""
    value: float | None = None  # when the figure is derived from others' medians

    @property
    def median(self) -> float | None:
        if self.value is not None:
            return self.value
        return statistics.median(self.samples) if self.samples else None

    @property
    def passed(self) -> bool | None:
        if self.target is None:
            return None
        m = self.median
        return False if self.error or m is None else m <= self.target

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "unit": self.unit,
            "median": self.median,
            "samples": self.samples,
            "target": self.target,
            "target_text": self.target_text or fmt_target(self),
            "passed": self.passed,
            "note": self.note,
            "error": self.error,
        }


def fmt_value(v: float | None, unit: str) -> str:
    if v is None:
        return "—"
    if unit == "ms":
        return f"{v:,.1f} ms" if v < 100 else f"{v:,.0f} ms"
    if unit == "s":
        return f"{v:,.2f} s"
    if unit == "MB":
        return f"{v:,.0f} MB"
    if unit == "x":
        return f"{v:.2f}×"
    return f"{v:g} {unit}"


def fmt_target(f: Figure) -> str:
    if f.target_text:
        return f.target_text
    return "—" if f.target is None else "≤ " + fmt_value(f.target, f.unit)


def fmt_result(f: Figure) -> str:
    if f.error:
        return "FAIL (error)"
    return {None: "info", True: "pass", False: "FAIL"}[f.passed]


def say(message: str) -> None:
    print(message, flush=True)


def die(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr)
    raise SystemExit(2)


def med(xs: list[float]) -> float:
    return statistics.median(xs)


# ---- the book ---------------------------------------------------------------------------------


def prepare_book(args: argparse.Namespace, tmp: Path) -> tuple[Path, dict[str, Any]]:
    """Generate the demo book, or reuse the one at --keep; return its path and how."""
    from kamtui.domain.errors import KamError
    from kamtui.services.book import Book
    from kamtui.services.demo import make_demo

    path = Path(args.keep).expanduser() if args.keep else tmp / "bench.db"
    if path.exists():
        try:
            with Book.open(path) as book:
                accounts = book.summary().accounts
        except KamError as e:
            die(f"--keep {path}: {e}")
        if accounts != args.accounts:
            die(
                f"{path} holds {accounts:,} accounts, not {args.accounts:,}; "
                f"pass --accounts {accounts} or another --keep path."
            )
        say(f"Reusing the book at {path} ({accounts:,} accounts); generation not measured.")
        return path, {"reused": True, "seconds": None}
    path.parent.mkdir(parents=True, exist_ok=True)
    say(f"Generating the demo book: {args.accounts:,} accounts, seed {SEED}, today {TODAY} …")
    start = time.perf_counter()

    def progress(message: str) -> None:
        say(f"  {message} ({time.perf_counter() - start:.1f} s)")

    book = make_demo(
        path,
        accounts=args.accounts,
        seed=SEED,
        today=TODAY,
        progress=progress if args.accounts >= 20_000 else None,
    )
    book.close()
    seconds = time.perf_counter() - start
    say(f"Generated in {seconds:.1f} s: {path}")
    return path, {"reused": False, "seconds": seconds}


def row_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "ORDER BY rootpage"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def account_sample(path: Path, heavy: int = 5, sampled: int = 7) -> list[int]:
    """The accounts with the longest history, then a seeded random sample."""
    conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    try:
        per_table = " UNION ALL ".join(
            f"SELECT account_id, count(*) AS n FROM {t} GROUP BY account_id"
            for t in (
                "interactions",
                "orders",
                "invoices",
                "tickets",
                "usage_snapshots",
                "deals",
                "contacts",
            )
        )
        top = [
            r[0]
            for r in conn.execute(
                f"SELECT account_id FROM ({per_table}) GROUP BY account_id "
                "ORDER BY sum(n) DESC, account_id LIMIT ?",
                (heavy,),
            )
        ]
        ids = [
            r[0]
            for r in conn.execute("SELECT id FROM accounts WHERE deleted_at IS NULL ORDER BY id")
        ]
    finally:
        conn.close()
    chosen = set(top)
    rest = [i for i in ids if i not in chosen]
    return top + sorted(random.Random(SEED).sample(rest, min(sampled, len(rest))))


# ---- probes (fresh processes) -----------------------------------------------------------------


def probe(mode: str, db: Path | None = None, *extra: str) -> dict[str, Any]:
    """Run bench/probe_app.py in a fresh interpreter; its JSON result, or {"error": ...}."""
    fd, out_name = tempfile.mkstemp(prefix=f"kamtui-bench-{mode}-", suffix=".json")
    os.close(fd)
    out = Path(out_name)
    # PYTHONDONTWRITEBYTECODE would make every probe compile kamtui from source (the
    # warm-up run is there to leave .pyc files, as an installed kamtui has them)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TEXTUAL") and k != "PYTHONDONTWRITEBYTECODE"
    }
    args = [str(PROBE), mode, "--out", str(out), *(["--db", str(db)] if db else []), *extra]
    try:
        t0 = time.time()
        proc = subprocess.run(
            [sys.executable, *args, "--t0", repr(t0)],
            env=env,
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT,
        )
        text = out.read_text() if out.exists() else ""
        if proc.returncode != 0 or not text:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
            return {"error": f"{mode} probe exited {proc.returncode}: " + " | ".join(tail)}
        result: dict[str, Any] = json.loads(text)
        return result
    except subprocess.TimeoutExpired:
        return {"error": f"{mode} probe did not finish within {PROBE_TIMEOUT} s"}
    finally:
        out.unlink(missing_ok=True)


def since_start(result: dict[str, Any], mark: str) -> float | None:
    marks = result.get("marks", {})
    if mark not in marks:
        return None
    return (marks[mark] - marks["t0"]) * 1000


def measure_startup(db: Path, runs: int) -> tuple[list[Figure], dict[str, Any]]:
    say("Warming up (one discarded run of each start-up probe) …")
    warm = [probe("baseline"), probe("book", db)]
    base: list[dict[str, Any]] = []
    book: list[dict[str, Any]] = []
    for i in range(runs):
        say(f"  start-up run {i + 1}/{runs}: baseline, Book (then scrolling)")
        base.append(probe("baseline"))
        book.append(probe("book", db, "--scroll"))

    def painted(results: list[dict[str, Any]]) -> tuple[list[float], str]:
        times = [t for r in results if not r.get("error") and (t := since_start(r, "painted"))]
        errors = sorted({r.get("error", "") for r in results if r.get("error")})
        return times, "; ".join(errors)

    def breakdown(results: list[dict[str, Any]], marks: list[str]) -> str:
        parts = []
        for m in marks:
            xs = [t for r in results if (t := since_start(r, m)) is not None]
            if xs:
                parts.append(f"{m} at {med(xs):,.0f}")
        return "ms after start: " + ", ".join(parts) if parts else ""

    base_ms, base_err = painted(base)
    book_ms, book_err = painted(book)
    f_base = Figure(
        "first paint: baseline (DataTable, 100 rows)",
        "ms",
        base_ms,
        note=breakdown(base, ["imported", "rows_added", "rendered"]),
        error=base_err,
    )
    limit = 2 * f_base.median if f_base.median else None
    f_book = Figure(
        "first paint: Book (first rows on screen)",
        "ms",
        book_ms,
        target=limit,
        target_text=f"≤ 2× baseline ({fmt_value(limit, 'ms')})" if limit else "≤ 2× baseline",
        note=breakdown(book, ["imported", "book_open", "rendered"]),
        error=book_err or ("" if limit else "no baseline"),
    )
    ratio = f_book.median / f_base.median if f_book.median and f_base.median else None
    if ratio is not None:
        f_book.note = f"{ratio:.2f}× baseline (aim 1.50×); " + f_book.note
    rss = [r["rss_mb"] for r in book if not r.get("error") and "rss_mb" in r]
    rss_painted = [r["rss_mb_painted"] for r in book if "rss_mb_painted" in r]
    f_mem = Figure(
        "peak memory: Book shown and scrolled",
        "MB",
        rss,
        target=250,
        note=(
            f"peak RSS (VmHWM) of the app process; {fmt_value(med(rss_painted), 'MB')} "
            f"when first painted; then {book[0].get('scroll_keys', 0)} scroll keys"
            if rss_painted
            else "peak RSS (VmHWM) of the app process"
        ),
        error=book_err,
    )
    totals = {r.get("total") for r in book if "total" in r}
    if totals:
        f_book.note += f"; table total {', '.join(f'{t:,}' for t in sorted(totals))}"
    raw = {"warmup": warm, "baseline": base, "book": book}
    return [f_base, f_book, f_mem], raw


def measure_interaction(db: Path, runs: int) -> tuple[list[Figure], dict[str, Any]]:
    results = []
    for i in range(runs):
        say(f"  interaction run {i + 1}/{runs}: cursor, Enter, filter, sort")
        results.append(probe("interact", db))
    ok = [r for r in results if not r.get("error")]
    err = "; ".join(sorted({r["error"] for r in results if r.get("error")}))

    def net(key: Callable[[dict[str, Any]], float], base: str) -> list[float]:
        return [(key(r) - r[base]["cpu"]) * 1000 for r in ok]

    empty_t = [r["empty_table"]["cpu"] * 1000 for r in ok]
    empty_i = [r["empty_input"]["cpu"] * 1000 for r in ok]
    empty_wall = [w * 1000 for r in ok for w in r["empty_table"]["wall"]]
    figures = [
        Figure(
            "empty key press (CPU, subtracted below)",
            "ms",
            empty_t,
            note=(
                f"f12, no binding, table focused; {fmt_value(med(empty_i), 'ms')} with the filter "
                f"focused; Pilot wall time {fmt_value(med(empty_wall), 'ms')}"
                if ok
                else ""
            ),
            error=err,
        ),
        Figure(
            "cursor: one Down (CPU)",
            "ms",
            net(lambda r: statistics.mean(r["down_cpu"]), "empty_table"),
            target=35,
            note=(
                f"mean of {len(ok[0]['down_cpu'])} presses from the top; slowest single press "
                f"{fmt_value(med([(max(r['down_cpu']) - r['empty_table']['cpu']) * 1000 for r in ok]), 'ms')}"
                if ok
                else ""
            ),
            error=err,
        ),
        Figure(
            "open account: Enter until 360° view painted (CPU)",
            "ms",
            net(lambda r: r["open_account"]["cpu"], "empty_table"),
            target=150,
            note=(
                f"push AccountScreen, load in its worker, paint; wall "
                f"{fmt_value(med([r['open_account']['wall'] * 1000 for r in ok]), 'ms')} (Pilot)"
                if ok
                else ""
            ),
            error=err,
        ),
    ]
    if ok:
        for n, step in enumerate(ok[0]["filter"]):
            figures.append(
                Figure(
                    f"filter keystroke → {step['text']!r} (CPU)",
                    "ms",
                    net(lambda r, n=n: r["filter"][n]["cpu"], "empty_input"),
                    target=150,
                    note=f"{step['matches']:,} matching accounts; until new rows painted",
                    error=err,
                )
            )
        sorts = [[(s["cpu"] - r["empty_table"]["cpu"]) * 1000 for s in r["sort"]] for r in ok]
        slowest = [r["sort"][xs.index(max(xs))]["sort"] for r, xs in zip(ok, sorts, strict=True)]
        figures += [
            Figure(
                "sort change 'o': typical column (CPU)",
                "ms",
                [med(xs) for xs in sorts],
                target=150,
                note=f"median over all {len(sorts[0])} columns, each press until repainted",
                error=err,
            ),
            Figure(
                "sort change 'o': slowest column (CPU)",
                "ms",
                [max(xs) for xs in sorts],
                target=150,
                note="slowest: " + ", ".join(sorted(set(slowest))),
                error=err,
            ),
        ]
    else:
        figures += [
            Figure("filter keystroke (CPU)", "ms", target=150, error=err or "no result"),
            Figure("sort change 'o' (CPU)", "ms", target=150, error=err or "no result"),
        ]
    rss = [r["rss_mb"] for r in ok]
    figures.append(
        Figure(
            "peak memory: after the interaction run",
            "MB",
            rss,
            note="peak RSS (VmHWM); cursor, account, filter, every sort",
            error=err,
        )
    )
    return figures, {"interact": results}


# ---- services (this process) ------------------------------------------------------------------


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def measure_services(
    db: Path, runs: int, fresh_seconds: float, fresh_changed: int
) -> tuple[list[Figure], dict[str, Any]]:
    from kamtui.domain.plan import IsoWeek
    from kamtui.services.book import Book

    raw: dict[str, Any] = {}
    figures: list[Figure] = []
    with Book.open(db) as book:
        if not book.is_fresh(TODAY):
            raise RuntimeError(f"the book is not fresh for {TODAY}; cannot measure")

        say("  account_view over sampled accounts")
        ids = account_sample(db)
        per_id: dict[int, list[float]] = {i: [] for i in ids}
        sizes: dict[int, int] = {}
        for _ in range(runs):
            for aid in ids:
                secs, view = timed(lambda aid=aid: book.account_view(aid, TODAY))
                per_id[aid].append(secs * 1000)
                sizes[aid] = len(view.timeline) + len(view.deals) + len(view.contacts)
        id_medians = {aid: med(xs) for aid, xs in per_id.items()}
        worst = max(id_medians, key=lambda a: id_medians[a])
        raw["account_view"] = {"ids": ids, "ms": per_id, "sizes": sizes}
        figures += [
            Figure(
                "open account: account_view, typical account",
                "ms",
                [med([xs[r] for xs in per_id.values()]) for r in range(runs)],
                target=150,
                note=f"median over {len(ids)} accounts: the 5 with the most history, "
                "then a seeded sample; wall time",
            ),
            Figure(
                "open account: account_view, slowest account",
                "ms",
                per_id[worst],
                target=150,
                note=f"account {worst} ({sizes[worst]} timeline entries, deals, contacts)",
            ),
        ]

        say("  weekly plan")
        week = IsoWeek(*WEEK)

        def plans(owner: str | None) -> tuple[list[float], int]:
            """Seconds per run, and the items of the last; each plan is let go before the
            next is made (outside the timing), as a screen showing a new one does."""
            seconds, items = [], 0
            for _ in range(runs):
                secs, made = timed(lambda: book.plan(week, TODAY, owner))
                seconds.append(secs)
                items = len(made.items)  # what fits the week (a batch is one item)
                del made
            return seconds, items

        plan, n_items = plans(None)
        figures.append(
            Figure(
                f"weekly plan {week}, whole team (book fresh)",
                "s",
                plan,
                target=1.0,
                note=f"book.plan(); {n_items:,} plan items; wall time",
            )
        )
        owner = book.owners()[0]
        own_plan, n_items = plans(owner)
        figures.append(
            Figure(
                f"weekly plan {week}, one rep (book fresh)",
                "s",
                own_plan,
                target=1.0,
                note=f"book.plan(owner={owner!r}); {n_items:,} plan items; wall time",
            )
        )

        say("  weekly plan for a day after the last refresh (in memory, and kamtui plan)")
        from plan_later_day import measure_later_day_plan  # beside this file

        later, raw["plan_later_day"] = measure_later_day_plan(
            book, db, week, TODAY, runs, plan, Figure
        )
        figures += later

        say("  compute and refresh for new dates")
        compute = []
        for k in range(1, runs + 1):
            with book.store.reading() as conn:
                secs, out = timed(lambda k=k, conn=conn: book.compute(conn, TODAY + timedelta(k)))
            compute.append(secs)
        figures.append(
            Figure(
                "book.compute() for a new date (no write)",
                "s",
                compute,
                note=f"{len(out):,} accounts derived; wall time",
            )
        )
        refresh, checkpoint = [], []
        for k in range(1, runs + 1):
            refresh.append(timed(lambda k=k: book.refresh(TODAY + timedelta(k))))
            # a refresh leaves the WAL's checkpoint to a background thread; a day passes
            # before the next one, so it has finished by then
            checkpoint.append(timed(book.store.wait_for_checkpoint)[0])
        changed = [c for _, c in refresh]
        figures.append(
            Figure(
                "recompute all health: book.refresh(new date)",
                "s",
                [s for s, _ in refresh],
                target=3.0,
                note=f"today+1 … today+{runs}; {med(changed):,.0f} accounts changed (median); "
                f"wall; then its checkpoint in the background {med(checkpoint):.2f} s",
            )
        )
        back, back_changed = timed(lambda: book.refresh(TODAY))
        figures.append(
            Figure(
                "book.refresh(today) with nothing to change",
                "s",
                [fresh_seconds],
                note=f"run once before measuring ({fresh_changed} changed); refresh back to "
                f"{TODAY} afterwards: {back:.2f} s",
            )
        )
        raw |= {
            "plan_s": plan,
            "plan_one_rep_s": own_plan,
            "compute_s": compute,
            "refresh_s": [s for s, _ in refresh],
            "refresh_changed": changed,
            "refresh_checkpoint_s": checkpoint,
            "refresh_back_s": back,
            "refresh_back_changed": back_changed,
        }
    return figures, raw


# ---- output -----------------------------------------------------------------------------------


def table(figures: list[Figure]) -> str:
    rows = [("figure", "median", "target", "result", "notes")]
    rows += [
        (f.name, fmt_value(f.median, f.unit), fmt_target(f), fmt_result(f), f.error or f.note)
        for f in figures
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for n, r in enumerate(rows):
        cells = [r[0].ljust(widths[0]), r[1].rjust(widths[1]), r[2].ljust(widths[2])]
        lines.append("  ".join([*cells, r[3].ljust(widths[3]), r[4]]).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 5)
    return "\n".join(lines)


def src_digest() -> str:
    """A digest of every file under src/, to notice src changing while the harness runs."""
    h = hashlib.sha256()
    for f in sorted((HERE.parent / "src").rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts:
            h.update(f.relative_to(HERE.parent).as_posix().encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:12]


def environment() -> dict[str, Any]:
    import textual

    import kamtui

    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=HERE.parent, capture_output=True, text=True, timeout=10
            ).stdout.strip()
        except OSError:
            return ""

    return {
        "src_digest": src_digest(),
        "python": platform.python_version(),
        "textual": textual.__version__,
        "kamtui": kamtui.__version__,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "commit": git("rev-parse", "--short", "HEAD"),
        "src_modified": bool(git("status", "--porcelain", "--", "src")),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Benchmark kamtui against its targets.")
    p.add_argument("--accounts", type=int, default=TARGETS_AT, help="accounts in the demo book")
    p.add_argument("--runs", type=int, default=5, help="runs per figure (the median is shown)")
    p.add_argument(
        "--keep", metavar="PATH", help="generate the book here and keep it, or reuse it if there"
    )
    p.add_argument(
        "--only",
        choices=["services", "exports"],
        help="measure only these figures: the service calls in this process (no start-up or "
        "key-press processes), or the exports",
    )
    args = p.parse_args(argv)
    if args.accounts < 1 or args.runs < 1:
        p.error("--accounts and --runs must be at least 1")
    env = environment()
    say(
        f"kamtui {env['kamtui']} (commit {env['commit']}"
        f"{', src modified' if env['src_modified'] else ''}, src digest {env['src_digest']}) · "
        f"Python {env['python']} · "
        f"Textual {env['textual']} · {env['cpus']} CPUs · {env['platform']}"
    )
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="kamtui-bench-") as tmp:
        db, generation = prepare_book(args, Path(tmp))
        counts = row_counts(db)
        size_mb = sum(
            Path(f"{db}{s}").stat().st_size for s in ("", "-wal") if Path(f"{db}{s}").exists()
        )
        say(
            "Rows: "
            + ", ".join(f"{t} {n:,}" for t, n in counts.items())
            + f"; file {size_mb / 1e6:,.0f} MB"
        )

        from kamtui.services.book import Book

        with Book.open(db) as book:
            fresh_seconds, fresh_changed = timed(lambda: book.refresh(TODAY))
        say(f"Book made fresh for {TODAY}: {fresh_seconds:.2f} s, {fresh_changed} changed")

        startup, interaction, services, exported = [], [], [], []
        raw_startup, raw_interaction, raw_services, raw_exports = {}, {}, {}, {}
        if args.only is None:
            say(f"Measuring start-up in fresh processes, {args.runs} runs …")
            startup, raw_startup = measure_startup(db, args.runs)
            import startup_pty  # beside this file: the installed command in a pseudo-terminal

            terminal, raw_startup["terminal"] = startup_pty.measure(db, args.runs, say)
            startup += [Figure(**f) for f in terminal]
            say(f"Measuring key presses in fresh processes, {args.runs} runs …")
            interaction, raw_interaction = measure_interaction(db, args.runs)
        if args.only in (None, "services"):
            say(f"Measuring services in this process, {args.runs} runs …")
            services, raw_services = measure_services(db, args.runs, fresh_seconds, fresh_changed)
        if args.only in (None, "exports"):
            from exports import measure_exports  # bench/exports.py

            say(
                f"Measuring exports in fresh processes beside the sqlite3 shell, {args.runs} runs …"
            )
            exported, raw_exports = measure_exports(db, args.runs, TODAY.isoformat())

    figures = startup + interaction + services + [Figure(**f) for f in exported]
    say("")
    say(
        f"kamtui benchmark · {args.accounts:,} accounts · {args.runs} runs (median) · "
        f"{SIZE} headless · today {TODAY}"
    )
    if generation["seconds"] is not None:
        say(f"demo book generated in {generation['seconds']:.1f} s")
    if args.accounts != TARGETS_AT:
        say(f"(targets are set for {TARGETS_AT:,} accounts; at {args.accounts:,} they only hint)")
    say(
        "CPU figures: time.process_time() of the app process (all threads) from the key press "
        "until workers are done and the screen was redrawn, minus the empty key press."
    )
    say("")
    say(table(figures))
    failed = [f for f in figures if f.passed is False]
    digest_after = src_digest()
    if digest_after != env["src_digest"]:
        say("")
        say(
            "WARNING: src/ changed while the benchmark ran; these figures mix versions of "
            "the code. Run it again."
        )
    say("")
    say(
        f"{len(failed)} of {sum(f.target is not None for f in figures)} targets missed"
        + (": " + "; ".join(f.name for f in failed) if failed else "")
    )

    OUT.mkdir(exist_ok=True)
    results = {
        "meta": env
        | {
            "accounts": args.accounts,
            "runs": args.runs,
            "size": SIZE,
            "today": TODAY.isoformat(),
            "seed": SEED,
            "targets_at": TARGETS_AT,
            "started": started,
            "seconds": time.time() - started,
            "src_digest_after": digest_after,
        },
        "generation": generation | {"rows": counts},
        "figures": [f.as_dict() for f in figures],
        "raw": raw_startup | raw_interaction | {"services": raw_services, "exports": raw_exports},
    }
    (OUT / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    say(f"Written to {OUT / 'results.json'}")
    return 1 if failed or any(f.error for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
