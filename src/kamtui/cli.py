"""The `kamtui` command: open the app, make a demo book, export, plan.

Exit codes: 0 success; 1 a clear one-line error (bad input, bad file); 2 bad usage.
Bugs are logged with their traceback; the user sees a short message and the log path.
Everything written to stdout and stderr shows control characters as placeholders
(``cli_text``).
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kamtui import __version__
from kamtui.domain.counts import count
from kamtui.domain.errors import InputError, KamError

if TYPE_CHECKING:
    from kamtui.services.book import Book


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-23") from None


# A command's own --db/--today default to "not given", so that the same option written
# before the command (kamtui --db P plan) is not silently reset to None by the command.
HERE = argparse.SUPPRESS


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="kamtui",
        description="A key-account workbench for the terminal. With no command, opens the app.",
    )
    p.add_argument("--version", action="version", version=f"kamtui {__version__}")
    p.add_argument(
        "--db", metavar="PATH", help="the book to open (default: your book in the user data folder)"
    )
    p.add_argument(
        "--demo", action="store_true", help="open a demo book kept apart from your real book"
    )
    p.add_argument(
        "--read-only", action="store_true", help="open the book without any possibility of writing"
    )
    p.add_argument(
        "--today", type=_date, metavar="YYYY-MM-DD", help="work as if today were this date"
    )
    p.add_argument(
        "--lang",
        choices=["en", "zh"],
        help="the app's language: en or zh (简体中文); default from KAMTUI_LANG or the locale",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    d = sub.add_parser(
        "demo", help="create a demo book", description="Create a deterministic demo book."
    )
    d.add_argument(
        "--db",
        metavar="PATH",
        default=HERE,
        required=True,
        help="where to create it (must not exist)",
    )
    d.add_argument(
        "--accounts", type=int, default=200, metavar="N", help="how many accounts (default 200)"
    )
    d.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default 1)")
    d.add_argument(
        "--today",
        type=_date,
        metavar="YYYY-MM-DD",
        default=HERE,
        help="the date the book is made for",
    )

    i = sub.add_parser("init", help="create an empty book", description="Create an empty book.")
    i.add_argument(
        "--db",
        metavar="PATH",
        default=HERE,
        required=True,
        help="where to create it (must not exist)",
    )

    e = sub.add_parser(
        "export",
        help="export data",
        description="Export accounts, contacts, deals or interactions as JSON, CSV or Excel.",
    )
    e.add_argument(
        "what", choices=["accounts", "contacts", "deals", "interactions"], help="what to export"
    )
    e.add_argument("--db", metavar="PATH", default=HERE, help="the book (default: your book)")
    e.add_argument(
        "--format",
        choices=["json", "csv", "xlsx"],
        default="json",
        help="output format (default json; xlsx needs -o)",
    )
    e.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE instead of standard output"
    )
    e.add_argument(
        "--today",
        type=_date,
        metavar="YYYY-MM-DD",
        default=HERE,
        help="compute health as of this date",
    )

    pl = sub.add_parser(
        "plan", help="the weekly plan", description="The weekly plan for an ISO week."
    )
    pl.add_argument("--db", metavar="PATH", default=HERE, help="the book (default: your book)")
    pl.add_argument(
        "--week", metavar="YYYY-Www", help="ISO week, e.g. 2026-W48 (default: this week)"
    )
    pl.add_argument("--owner", metavar="NAME", help="only this rep's accounts")
    pl.add_argument(
        "--today",
        type=_date,
        metavar="YYYY-MM-DD",
        default=HERE,
        help="today's date (default: the clock)",
    )
    pl.add_argument(
        "--format",
        choices=["md", "csv", "ics", "json"],
        default="md",
        help="output format (default md; ics: one to-do per item for a calendar)",
    )
    pl.add_argument(
        "--lang",
        choices=["en", "zh"],
        default="en",
        help="words of the md and ics plans: en (default) or zh (简体中文); csv and json are data",
    )
    pl.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE instead of standard output"
    )

    b = sub.add_parser(
        "backup",
        help="a consistent copy of a book",
        description="Copy a book safely, even while it is open in the app (SQLite online "
        "backup). The copy is readable by you only and never replaces an existing file.",
    )
    b.add_argument("--db", metavar="PATH", default=HERE, help="the book (default: your book)")
    b.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="where to write the copy (default: beside the book, named with the date and time)",
    )

    dr = sub.add_parser(
        "doctor",
        help="check a book",
        description="Check a book without changing it: SQLite's integrity and foreign-key "
        "checks, schema version, journal mode, file size, rows per table and whether derived "
        "values are up to date. Exits 1 if anything is wrong.",
    )
    dr.add_argument("--db", metavar="PATH", default=HERE, help="the book (default: your book)")
    dr.add_argument(
        "--today",
        type=_date,
        metavar="YYYY-MM-DD",
        default=HERE,
        help="check derived values as of this date",
    )
    _import_parser(sub)
    _team_parser(sub)
    return p


def _team_parser(sub: Any) -> None:
    t = sub.add_parser(
        "team",
        help="open several reps' books as one read-only team view",
        description="Open several reps' books as one read-only book: the Book (with an owner "
        "column), Health, Pipeline and Weekly plan across all of them, totals per owner, and "
        "accounts found in more than one file marked. The files are never written.",
    )
    t.add_argument("files", nargs="+", metavar="FILE", help="the reps' book files")
    t.add_argument(
        "--today",
        type=_date,
        metavar="YYYY-MM-DD",
        default=HERE,
        help="work as if today were this date",
    )
    t.add_argument(
        "--lang", choices=["en", "zh"], default=HERE, help="the app's language: en or zh (简体中文)"
    )


def _emit(text: str, output: str | None) -> None:
    if output:
        from kamtui.services.export import write_atomic

        write_atomic(output, text)
    else:
        sys.stdout.write(text)


def _map(text: str) -> tuple[str, str]:
    column, sep, field = text.partition("=")
    if not sep or not column.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not COLUMN=FIELD (e.g. 客户简称=name)")
    return column.strip(), field.strip()


def _import_parser(sub: Any) -> None:
    from kamtui.services.import_choices import ENCODINGS, KINDS

    im = sub.add_parser(
        "import",
        help="import a CSV or Excel file",
        description="Import accounts, contacts, deals, interactions, orders, invoices, tickets "
        "or usage from a CSV (UTF-8, UTF-8 with BOM, GB18030/GBK) or .xlsx file with English or "
        "Chinese headers. Nothing is written unless every row is valid (see --skip-invalid); "
        "importing the same file again creates no duplicates.",
    )
    im.add_argument("kind", choices=KINDS, help="what the file holds")
    im.add_argument("file", metavar="FILE", help="the .csv or .xlsx file")
    im.add_argument("--db", metavar="PATH", default=HERE, help="the book (default: your book)")
    im.add_argument(
        "--dry-run",
        action="store_true",
        help="check the file and say what would change; write nothing",
    )
    im.add_argument(
        "--encoding", choices=ENCODINGS, default="auto", help="of a CSV file (default auto)"
    )
    im.add_argument(
        "--sheet", metavar="NAME", help="the sheet of an Excel file (default: the first)"
    )
    im.add_argument(
        "--map",
        type=_map,
        action="append",
        default=[],
        metavar="COLUMN=FIELD",
        help="read COLUMN as FIELD (COLUMN= leaves it out); repeat for more columns",
    )
    im.add_argument(
        "--skip-invalid", action="store_true", help="import the valid rows and report the others"
    )
    im.add_argument("--report", metavar="FILE.csv", help="write every bad row to this CSV file")
    im.add_argument(
        "--today",
        type=_date,
        metavar="YYYY-MM-DD",
        default=HERE,
        help="today's date (default: the clock)",
    )


def _open(db: str | None, read_only: bool = False):  # type: ignore[no-untyped-def]
    from kamtui import paths
    from kamtui.services.book import Book

    if db is None:
        db_path = paths.default_book()
        if not db_path.exists():
            raise InputError(
                f"You have no book yet at {db_path}; run `kamtui` to start one, or pass --db."
            )
        return Book.open(db_path, read_only=read_only)
    return Book.open(db, read_only=read_only)


def run(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    today: date = args.today or date.today()
    if args.command == "demo":
        from kamtui.services.demo import make_demo

        if args.accounts < 1:
            raise InputError("--accounts must be at least 1.")
        with make_demo(
            args.db,
            accounts=args.accounts,
            seed=args.seed,
            today=today,
            progress=(lambda m: print(m, file=sys.stderr)) if args.accounts >= 20_000 else None,
        ) as book:
            accounts = count(book.summary().accounts, "account", "accounts")
            print(f"Demo book with {accounts} written to {book.path}")
        return 0
    if args.command == "init":
        from kamtui.services.book import Book

        with Book.create(args.db) as book:
            print(f"Empty book created at {book.path}")
        return 0
    if args.command == "export":
        from kamtui.cli_io import run_export

        return run_export(args, today, _open)
    if args.command == "plan":
        from kamtui.domain.plan import IsoWeek
        from kamtui.services import export

        week = IsoWeek.parse(args.week) if args.week else IsoWeek.of(today)
        with _open(args.db, read_only=True) as book:
            if args.owner is not None:
                _check_owner(book, args.owner)
            plan = book.plan(week, today, args.owner)
        words = export.ENGLISH
        if args.lang == "zh":
            from kamtui.ui import strings

            strings.set_language("zh")
            words = strings.plan_words()
        if args.format == "ics":
            text = export.plan_ics(plan, args.owner, today, words)
        elif args.format == "csv":
            text = export.plan_csv(plan)
        elif args.format == "json":
            text = export.plan_json(plan)
        else:
            text = export.plan_markdown(plan, args.owner, words)
        _emit(text, args.output)
        return 0
    if args.command == "import":
        from kamtui.cli_io import run_import

        return run_import(args, today, _open)
    if args.command in ("backup", "doctor"):
        return _maintain(args, today)
    if args.command == "team":
        from kamtui.services.team import TeamBook

        return _show(lambda: TeamBook.open_files(args.files, today=today), args, today, team=True)
    return _run_app(args, today)


def _check_owner(book: Book, owner: str) -> None:
    """An owner no account has is a mistake (a typo, another rep's book), not an empty plan."""
    owners = book.owners()
    if owner in owners:
        return
    if not owners:
        raise InputError(
            f"No account has the owner {owner!r}; no account in {book.path} has an owner."
        )
    if len(owners) == 1:
        raise InputError(
            f"No account has the owner {owner!r}; the only owner in {book.path} is {owners[0]}."
        )
    shown = owners if len(owners) <= 12 else [*owners[:10], f"{len(owners) - 10} more"]
    raise InputError(
        f"No account has the owner {owner!r}; the owners in {book.path} are "
        f"{', '.join(shown[:-1])} and {shown[-1]}."
    )


def _book_path(db: str | None) -> Path:
    from kamtui import paths

    if db is not None:
        return Path(db)
    path = paths.default_book()
    if not path.exists():
        raise InputError(
            f"You have no book yet at {path}; run `kamtui` to start one, or pass --db."
        )
    return path


def _maintain(args: argparse.Namespace, today: date) -> int:
    from datetime import datetime

    from kamtui.services import maintenance

    path = _book_path(args.db)
    if args.command == "backup":
        done = maintenance.backup_book(path, args.output, datetime.now())
        accounts = count(done.accounts, "account", "accounts")
        print(f"Backup of {path} ({accounts}, {done.size:,} bytes): {done.path}")
        return 0
    report = maintenance.doctor(path, today)
    width = max(len(f.label) for f in report.findings)
    mark = {"ok": "ok", "note": "note", "problem": "PROBLEM"}
    print(f"kamtui doctor: {report.path}")
    for f in report.findings:
        print(f"  {f.label:<{width}}  {mark[f.status]:<7}  {f.text}")
    if report.problems:
        n = len(report.problems)
        problems = count(n, "problem", "problems")
        print(f"{problems} found.")
        for line in report.advice:
            print(f"What to do: {line}" if line is report.advice[0] else f"  {line}")
        print(f"kamtui: {path} has {problems}; see the report above.", file=sys.stderr)
        return 1
    print("No problems found.")
    return 0


def _run_app(args: argparse.Namespace, today: date) -> int:
    from kamtui import paths

    path: str | Path
    if args.demo:
        path = paths.demo_book()
        if not path.exists() and not path.is_symlink():
            from kamtui.services.demo import make_demo

            _first_run(path, lambda: make_demo(path, today=today).close())
    elif args.db:
        path = args.db
    else:
        path = paths.default_book()
        if not path.exists() and not path.is_symlink():
            from kamtui.services.book import Book

            _first_run(path, lambda: Book.create(path).close())

    def open_book() -> Book:
        from kamtui.services.book import Book

        book = Book.open(path, read_only=args.read_only)
        if book.read_only_reason:  # the title says read-only; this says why, once the app closes
            print(f"kamtui: {book.read_only_reason}", file=sys.stderr)
        return book

    return _show(open_book, args, today)


def _first_run(path: Path, make: Callable[[], None]) -> None:
    """Make the book at ``path`` (whole or not at all); if another kamtui made it
    meanwhile, that one is opened."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        make()
    except KamError:
        if not path.exists():
            raise


def _show(
    open_book: Callable[[], Book], args: argparse.Namespace, today: date, team: bool = False
) -> int:
    """Open the book (or ``team`` view), run the app on it, and close it afterwards."""
    with _start_up() as started, closing(open_book()) as book:
        from kamtui.ui.first_rows import FirstRows

        first_rows = None if team else FirstRows(book)  # read while the UI is imported
        from kamtui.ui import strings

        strings.set_language(args.lang or strings.detect_language())  # before the screens load
        from kamtui.prefs import prefs_file
        from kamtui.ui.app import KamApp

        app = KamApp(book, today=today, prefs=prefs_file(), first_rows=first_rows)
        started()
        app.run()
    return 0


@contextmanager
def _start_up() -> Iterator[Callable[[], None]]:
    """Python's cyclic garbage collector waits while the app starts; ``started()`` resumes it.

    Opening the book and importing the UI make some 40,000 objects the collector tracks
    (modules, classes, functions, tables) that live as long as the app, and it would walk
    them again and again while they are made, finding next to nothing to free: about 0.1 s
    of a 0.6 s first paint in a terminal (bench/startup_pty.py). So it is paused until the
    app is made, and what start-up made is then frozen (``gc.freeze``: left out of later
    collections) until the app has ended.
    """
    gc.disable()

    def started() -> None:
        gc.freeze()
        gc.enable()

    try:
        yield started
    finally:
        gc.unfreeze()
        gc.enable()


def _log_bug() -> Path | None:
    """Log the exception being handled; the log's path, if the record reached it."""
    from kamtui import logs

    logs.LOGGER.exception("unexpected error")
    log = logs.log_path()
    return log if log is not None and log.exists() else None


def main(argv: Sequence[str] | None = None) -> int:
    from kamtui.cli_text import shown_as_text

    with shown_as_text():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    from kamtui import logs

    logs.start()
    try:
        return run(argv)
    except KamError as e:
        print(f"kamtui: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("kamtui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # a bug: keep the traceback in the log, tell the user where it is
        log = _log_bug()
        where = f"; details are in {log}" if log else ""
        print(f"kamtui: unexpected error ({type(e).__name__}: {e}){where}", file=sys.stderr)
        return 1
