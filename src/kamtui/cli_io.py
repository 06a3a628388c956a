"""The `kamtui import` and `kamtui export` commands: files in and out of a book.

Row errors go to standard error, one line each (``FILE line N, column C: reason``; ``row
N`` in a sheet); what was (or would be) created and updated goes to standard output. User
text is printed as data: stdout and stderr show control characters as placeholders
(``cli_text``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from kamtui.cli_text import raw
from kamtui.domain.counts import count
from kamtui.services import export, importer

LARGE = 20_000  # rows: from here on progress is shown even when stderr is not a terminal


class ProgressLine:
    """Progress on stderr: a redrawn bar on a terminal; on anything else, a line per quarter,
    and only for large imports. The bar's carriage return is kamtui's own: it is written
    under the stream that shows control characters (``cli_text.raw``)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = raw(sys.stderr if stream is None else stream)  # as it is now
        self.tty = self.stream.isatty()
        self.shown: dict[str, int] = {}
        self.last = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.tty and total < LARGE:
            return
        pct = 100 if total == 0 else done * 100 // total
        if self.tty:
            now = time.monotonic()
            if done < total and now - self.last < 0.1:
                return
            self.last = now
            bar = "#" * (pct // 5) + "." * (20 - pct // 5)
            end = "\n" if done >= total else ""
            self.stream.write(f"\r{phase:<12} [{bar}] {done:>9,}/{total:,} {pct:3d}%{end}")
        else:
            quarter = pct // 25
            if self.shown.get(phase, -1) >= quarter:
                return
            self.shown[phase] = quarter
            self.stream.write(f"{phase}: {done:,} of {total:,} ({pct}%)\n")
        self.stream.flush()


def _say(kind: str, n: int) -> str:
    noun = importer.NOUNS.get(kind, kind[:-1]) if kind != "accounts" else "account"
    if kind == "usage":
        noun = "usage month"
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def run_import(args: argparse.Namespace, today: date, open_book: Callable[..., Any]) -> int:
    mapping: dict[str, str | None] = {col: (field or None) for col, field in args.map}
    progress = ProgressLine()
    options = {
        "encoding": args.encoding,
        "sheet": args.sheet,
        "mapping": mapping or None,
        "progress": progress,
    }
    name = Path(args.file).name
    with open_book(args.db, read_only=args.dry_run) as book:
        if args.dry_run:
            checked = importer.check(book, args.kind, args.file, today, **options)
            _report(checked, name, args.report)
            return _dry_run(checked, args.skip_invalid, name)
        try:
            checked, result = importer.import_file(
                book, args.kind, args.file, today, skip_invalid=args.skip_invalid, **options
            )
        except importer.ImportRefused as refused:
            _report(refused.checked, name, args.report)
            raise
        _report(checked, name, args.report)
    line = (
        f"Imported {name} into {book.path}: created {_say(args.kind, result.created)}, "
        f"updated {result.updated:,}, {result.unchanged:,} unchanged"
    )
    if result.skipped:
        line += (
            f"; skipped {result.skipped:,} {'row' if result.skipped == 1 else 'rows'} with errors"
        )
    print(line + ".")
    return 0


def _report(checked: importer.ImportCheck, name: str, report: str | None) -> None:
    """Every bad row on stderr (and in the --report file), then notes on stdout."""
    line = "row" if checked.table.sheet is not None else "line"  # of a sheet, or of a CSV file
    for e in checked.errors:
        where = f"{name} {line} {e.line}" + (f", column {e.column}" if e.column else "")
        print(f"{where}: {e.reason}", file=sys.stderr)  # shown as text by cli_text
    if report:
        export.write_atomic(report, importer.report_csv(checked.errors))
    _notes(checked)


def _notes(checked: importer.ImportCheck) -> None:
    if checked.ignored:
        print(
            "Columns not imported: "
            + ", ".join(checked.ignored)
            + " (name them with --map COLUMN=FIELD)"
        )
    for note in checked.notes:
        print(f"Note: {note}")
    for group in checked.duplicates:
        print(f"Check: {group}")


def _dry_run(checked: importer.ImportCheck, skip_invalid: bool, name: str) -> int:
    bad = checked.bad_rows
    what = (
        f"Dry run of {name}: {count(f'{checked.total:,}', 'row', 'rows')}; would create "
        f"{_say(checked.kind, checked.created)}, update {checked.updated:,}, "
        f"{checked.unchanged:,} unchanged"
    )
    if bad and skip_invalid:
        what += f", skip {bad:,} {'row' if bad == 1 else 'rows'} with errors"
    print(what + ". Nothing was written.")
    if bad and not skip_invalid:
        print(
            f"kamtui: {bad} of {checked.total} {'row' if checked.total == 1 else 'rows'} "
            f"{'has' if bad == 1 else 'have'} errors; the import would be refused "
            "(use --skip-invalid to import the valid rows).",
            file=sys.stderr,
        )
        return 1
    return 0


def run_export(args: argparse.Namespace, today: date, open_book: Callable[..., Any]) -> int:
    if args.format == "xlsx" and not args.output:
        print(
            "usage: kamtui export WHAT --format xlsx -o FILE\n"
            "kamtui export: error: --format xlsx needs -o FILE (a workbook cannot go to the "
            "terminal)",
            file=sys.stderr,
        )
        return 2
    with open_book(args.db, read_only=True) as book:
        records = export.each_record(book, args.what, today)
        if args.what == "accounts":
            header, rows = export.accounts_table(records, book.config.model.keys)
        else:
            header, rows = export.flat_rows(args.what, records)
        if args.format == "xlsx":
            export.write_xlsx(args.output, header, rows, args.what)
            return 0
        if args.format == "json":
            chunks = export.json_chunks(records)
        else:
            chunks = export.csv_chunks(header, rows)
        if args.output:
            export.write_atomic_with(
                args.output, lambda f: f.writelines(c.encode("utf-8") for c in chunks)
            )
        else:
            sys.stdout.writelines(chunks)
    return 0
