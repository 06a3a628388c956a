"""Reading a rep's CSV and Excel files: a header row, then rows of cells, one at a time.

A file is read in a stream, never whole into memory: ``open_rows`` checks its size first
(``MAX_FILE_MB``; a larger file is refused before anything is read), then reads a CSV file
through a decoder and the ``csv`` module a line at a time, and an .xlsx sheet with openpyxl
in read-only mode, a row at a time. What an import keeps of a row is what it parsed from
it (see ``importer.parse_rows``); the file's own text is let go as it goes.

Every row is numbered by the line of the file it starts on (a CSV row whose quoted cell
holds line breaks spans several lines) or by its row in the sheet. A CSV row that cannot
be read as the header's cells is a ``RowError`` of its own, never imported shifted: more
cells than the header (``Acme, Inc`` unquoted), fewer, a quote misplaced, or a quote that
never closes (every line after it would be one cell). An .xlsx cell holding a formula
that was never computed (a file saved by a program that does not compute formulas) is a
``Formula``, refused where it would be imported.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain, zip_longest
from pathlib import Path
from typing import IO, Any

from kamtui.domain import parsing as p
from kamtui.domain.counts import count
from kamtui.domain.errors import KamError
from kamtui.services.import_choices import ENCODINGS

MAX_FILE_MB = 50  # a file larger than this is refused before it is read
MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024
MAX_ROWS = 500_000  # rows of one file: beyond them, memory and time stop being reasonable
MAX_UNPACKED_BYTES = 10 * MAX_FILE_BYTES  # what an .xlsx file's parts may unpack to
PREVIEW_ROWS = 20
BLOCK = 64 * 1024  # bytes decoded at a time when a CSV file's encoding is checked


class ImportFileError(KamError):
    """A file that cannot be imported at all: unreadable, wrong encoding, missing columns."""


@dataclass(frozen=True)
class RowError:
    line: int
    column: str  # the file's header ("" for the row as a whole)
    value: str
    reason: str


class Formula(str):
    """An .xlsx cell holding a formula with no computed value: its formula text."""


FORMULA_REASON = (
    "a formula with no computed value ({formula}): open the file in Excel or LibreOffice, "
    "save it, and import it again"
)


@dataclass(frozen=True)
class Table:
    """What a screen shows of a file: its header row, its first rows (each with the line or
    sheet row it starts on) and how many rows it has."""

    headers: list[str]
    first: list[tuple[int, list[Any]]]
    total: int
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None


@dataclass
class Rows:
    """An open file: its header row, then its rows as they are read (``__iter__``: the line
    or sheet row each starts on, and its cells; blank rows are left out), the first
    ``PREVIEW_ROWS`` of them kept in ``first``. Rows that could not be read as cells are in
    ``problems``; ``unheaded``: columns without a header that hold something."""

    headers: list[str]
    records: Iterator[tuple[int, list[Any]]]
    name: str  # the file, as messages name it
    expected: int  # rows, about (for progress)
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    problems: list[RowError] = field(default_factory=list)
    unheaded: set[int] = field(default_factory=set)
    count: int = 0  # rows read so far, problems included
    first: list[tuple[int, list[Any]]] = field(default_factory=list)

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]:
        return self.records

    def took(self, row: tuple[int, list[Any]]) -> tuple[int, list[Any]]:
        """Count a row read (the first ones are kept); a file of too many is refused."""
        self.count += 1
        if self.count > MAX_ROWS:
            raise _too_many_rows(self.name)
        if self.count <= PREVIEW_ROWS:
            self.first.append(row)
        return row

    def problem(self, line: int, value: str, reason: str) -> None:
        self.count += 1
        if self.count > MAX_ROWS:
            raise _too_many_rows(self.name)
        self.problems.append(RowError(line, "", value, reason))

    def table(self) -> Table:
        return Table(
            self.headers, self.first, self.count, self.encoding, self.delimiter, self.sheet
        )


def _too_many_rows(name: str) -> ImportFileError:
    return ImportFileError(
        f"{name} has more than {count(f'{MAX_ROWS:,}', 'row', 'rows')}, more than kamtui imports from "
        "one file: "
        "split it into smaller files and import them one after another."
    )


def read_table(path: str | Path, encoding: str = "auto", sheet: str | None = None) -> Table:
    """A file's header, first rows and number of rows (it is read through, in a stream)."""
    with open_rows(path, encoding, sheet) as rows:
        for _ in rows:
            pass
        return rows.table()


@contextmanager
def open_rows(path: str | Path, encoding: str = "auto", sheet: str | None = None) -> Iterator[Rows]:
    """The file at ``path`` open for reading its rows (closed when the block ends)."""
    file = Path(path).expanduser()
    if encoding not in ENCODINGS:
        raise ImportFileError(f"Encoding {encoding!r} is not one of {', '.join(ENCODINGS)}.")
    try:
        if not file.exists():
            raise ImportFileError(f"No file at {file}.")
        if file.is_dir():
            raise ImportFileError(f"{file} is a folder, not a CSV or Excel file.")
        if not file.is_file():
            raise ImportFileError(f"{file} is not a regular file, so kamtui does not read it.")
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFileError(
                f"{file} is {_megabytes(size)}; kamtui imports files of up to {MAX_FILE_MB} MB: "
                "split it into smaller files and import them one after another."
            )
        with open(file, "rb") as f:
            head = f.read(8)
    except OSError as e:
        raise ImportFileError(f"{file} cannot be read: {e.strerror}.") from None
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            f"{file} is an old Excel .xls file; save it as .xlsx or CSV in Excel and import that."
        )
    if head.startswith(b"PK\x03\x04") or file.suffix.lower() in (".xlsx", ".xlsm"):
        with _xlsx_rows(file, sheet) as rows:
            yield rows
        return
    if sheet is not None:
        raise ImportFileError(f"--sheet is for Excel files; {file.name} is a CSV file.")
    with _csv_rows(file, encoding) as rows:
        yield rows


def _megabytes(size: int) -> str:
    mb = size / (1024 * 1024)
    return f"{mb / 1024:,.1f} GB" if mb >= 1024 else f"{mb:,.0f} MB"


# ---- CSV ------------------------------------------------------------------------------------


def _codecs(head: bytes, encoding: str) -> tuple[list[str], int]:
    """The codecs to try, in order, and how many bytes of BOM to skip."""
    if head.startswith(codecs.BOM_UTF8):
        return (["utf-8-sig"], 0) if encoding in ("auto", "utf-8") else (["gb18030"], 3)
    if encoding == "auto" and head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return ["utf-16"], 0
    return {"auto": ["utf-8", "gb18030"], "utf-8": ["utf-8"]}.get(encoding, ["gb18030"]), 0


def _check_encoding(file: Path, codec: str, skip: int) -> tuple[int, int | None]:
    """Decode the file a block at a time: (its lines, the line of the first bytes ``codec``
    cannot read, or None)."""
    decoder = codecs.getincrementaldecoder(codec)()
    lines = 0
    with open(file, "rb") as f:
        f.seek(skip)
        while True:
            block = f.read(BLOCK)
            try:
                lines += decoder.decode(block, final=not block).count("\n")
            except UnicodeDecodeError as e:
                data = e.object if isinstance(e.object, bytes) else block
                return lines, lines + data.count(b"\n", 0, e.start) + 1
            if not block:
                return lines, None


def sniff_delimiter(line: str) -> str:
    """Comma, semicolon or tab: whichever the header line uses most (outside quotes)."""
    unquoted = re.sub(r'"[^"]*"', "", line)
    counts = {d: unquoted.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


@contextmanager
def _csv_rows(file: Path, encoding: str) -> Iterator[Rows]:
    with open(file, "rb") as f:
        head = f.read(4)
    tried, skip = _codecs(head, encoding)
    for codec in tried:
        lines, bad = _check_encoding(file, codec, skip)
        if bad is None:
            break
    else:
        what = "UTF-8 or GB18030" if encoding == "auto" else encoding.upper()
        other = "gb18030" if encoding != "gb18030" else "utf-8"
        raise ImportFileError(
            f"{file} cannot be read as {what} (bad bytes on line {bad}); "
            f"save it as UTF-8 CSV, or try --encoding {other}."
        )
    raw = open(file, "rb")  # noqa: SIM115 (closed below, with the text over it)
    raw.seek(skip)
    text = io.TextIOWrapper(raw, encoding=codec, newline="")
    try:
        yield _csv_records(text, file, codec, lines)
    finally:
        text.close()


def _blank(record: list[str]) -> bool:
    return not ((record and record[0].strip()) or any(c.strip() for c in record))


def _csv_records(text: IO[str], file: Path, used: str, lines: int) -> Rows:
    # the header: the first line with something in it decides the delimiter
    before = 0
    for first in text:
        if first.strip(' \t\r\n,;"'):
            break
        before += 1
    else:
        raise ImportFileError(f"{file} is empty: it has no header row.")
    delimiter = sniff_delimiter(first)
    reader = csv.reader(chain([first], text), delimiter=delimiter, strict=True)
    try:
        headers = next(reader)
        while _blank(headers):  # (a first line of quotes and delimiters only)
            headers = next(reader)
    except StopIteration:
        raise ImportFileError(f"{file} is empty: it has no header row.") from None
    except csv.Error as e:
        raise ImportFileError(
            f"{file} line {before + reader.line_num}: the header row is not valid CSV ({e})."
        ) from None
    rows = Rows(headers, iter(()), file.name, max(lines - before - 1, 0), used, delimiter)
    rows.records = _csv_lines(reader, rows, before)
    return rows


def _csv_lines(reader: Any, rows: Rows, before: int) -> Iterator[tuple[int, list[Any]]]:
    """The rows after the header, each with the line it starts on; rows that cannot be read
    as the header's cells go to ``rows.problems``."""
    width = len(rows.headers)
    unheaded = [i for i, h in enumerate(rows.headers) if not h.strip()]
    sep = DELIMITER_NAMES[rows.delimiter or ","]
    took = rows.took
    start = before + reader.line_num + 1
    while True:
        try:
            for record in reader:
                if len(record) == width:
                    if (record[0].strip() if record else False) or any(c.strip() for c in record):
                        if unheaded:
                            rows.unheaded.update(i for i in unheaded if record[i].strip())
                        yield took((start, record))
                elif not _blank(record):
                    rows.problem(
                        start, _joined(record, rows.delimiter), _shape(len(record), width, sep)
                    )
                start = before + reader.line_num + 1
            return
        except csv.Error as e:
            end = before + reader.line_num
            reason, fatal = _csv_problem(str(e), start, end)
            rows.problem(start, "", reason)
            if fatal:
                return
            start = end + 1
        except (UnicodeDecodeError, OSError) as e:  # changed or gone since it was opened
            raise ImportFileError(
                f"{rows.name} cannot be read to the end (line {start}): {e}; was it changed "
                "while kamtui read it?"
            ) from None


def _joined(record: list[str], delimiter: str | None) -> str:
    text = (delimiter or ",").join(record)
    return text if len(text) <= 200 else text[:199] + "…"


def _shape(cells: int, width: int, sep: str) -> str:
    if cells > width:
        return (
            f"{cells} cells where the header has {width}: the values would land in the wrong "
            f'columns (a value with a {sep} in it must be in quotes: "Acme, Inc")'
        )
    return (
        f"{cells} cells where the header has {width}: a cell is missing, so the values "
        "would land in the wrong columns"
    )


def _csv_problem(error: str, start: int, end: int) -> tuple[str, bool]:
    """What a ``csv.Error`` means for a rep, and whether the rest of the file is lost."""
    if "end of data" in error:
        return (
            f'a quote (") opens a cell on this line that never closes: lines {start}–{end}, '
            "the rest of the file, were read as one cell; close the quote or remove it",
            True,
        )
    if "field limit" in error:
        return (
            f"a cell from this line runs past {csv.field_size_limit():,} characters (line {end}): "
            'a quote (") that never closes? The rest of the file was not read',
            True,
        )
    if "expected after" in error:
        return (
            "a quoted cell goes on after its closing quote; inside quotes, write a quote "
            'as two ("")',
            False,
        )
    return f"not valid CSV ({error})", False


# ---- Excel ----------------------------------------------------------------------------------


@contextmanager
def _xlsx_rows(file: Path, sheet: str | None) -> Iterator[Rows]:
    try:
        import openpyxl
    except ImportError:
        raise ImportFileError(
            "Reading Excel files needs the openpyxl package: "
            "pip install 'kamtui[excel]' (or pip install openpyxl), or save the sheet as CSV."
        ) from None
    formulas = _parts_have_formulas(file)
    books = [_load(openpyxl, file, data_only=True)]
    try:
        ws = _sheet(books[0], file, sheet)
        sources = [ws.iter_rows(min_row=1, values_only=True)]
        if formulas:  # the same sheet with its formulas, read alongside
            books.append(_load(openpyxl, file, data_only=False))
            sources.append(books[1][ws.title].iter_rows(min_row=1, values_only=True))
        together = zip_longest(*sources, fillvalue=()) if formulas else sources[0]
        yield _xlsx_records(_guarded(together, file), file, ws.title, ws.max_row or 0, formulas)
    finally:
        for wb in books:
            wb.close()


def _guarded(rows: Iterator[Any], file: Path) -> Iterator[Any]:
    """The rows of a sheet as openpyxl reads them; a workbook broken further in is an
    ImportFileError (openpyxl and its XML parser have errors of their own)."""
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except KamError:
            raise
        except Exception as e:
            why = str(e) if isinstance(e, OSError | ValueError | KeyError) else type(e).__name__
            raise ImportFileError(
                f"{file} is damaged: it cannot be read to the end ({why})."
            ) from None
        yield row


def _load(openpyxl: Any, file: Path, *, data_only: bool) -> Any:
    try:
        return openpyxl.load_workbook(file, read_only=True, data_only=data_only)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise ImportFileError(f"{file} is not a readable .xlsx file ({e}).") from None
    except Exception as e:  # openpyxl's own errors for broken workbooks
        raise ImportFileError(
            f"{file} is not a readable .xlsx file ({type(e).__name__})."
        ) from None


def _parts_have_formulas(file: Path) -> bool:
    """Whether any sheet of the workbook holds a formula (an ``<f`` element); refuses a
    workbook that unpacks to more than ``MAX_UNPACKED_BYTES``."""
    try:
        with zipfile.ZipFile(file) as z:
            parts = z.infolist()
            if sum(i.file_size for i in parts) > MAX_UNPACKED_BYTES:
                raise ImportFileError(
                    f"{file} unpacks to more than {MAX_UNPACKED_BYTES // (1024 * 1024)} MB; "
                    f"kamtui imports workbooks of up to that: split it into smaller files."
                )
            for part in parts:
                if part.filename.startswith("xl/worksheets/") and _holds(z, part, b"<f"):
                    return True
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise ImportFileError(f"{file} is not a readable .xlsx file ({e}).") from None
    return False


def _holds(z: zipfile.ZipFile, part: zipfile.ZipInfo, what: bytes) -> bool:
    tail = b""
    with z.open(part) as f:
        while block := f.read(BLOCK):
            if what in tail + block[: len(what)] or what in block:
                return True
            tail = block[-len(what) :]
    return False


def _sheet(wb: Any, file: Path, sheet: str | None) -> Any:
    if sheet is None:
        if not wb.worksheets:
            raise ImportFileError(f"{file} has no sheets.")
        return wb.worksheets[0]
    if sheet not in wb.sheetnames:
        raise ImportFileError(
            f"{file} has no sheet {sheet!r}; its sheets are {', '.join(wb.sheetnames)}."
        )
    ws = wb[sheet]
    if not hasattr(ws, "iter_rows"):
        raise ImportFileError(f"Sheet {sheet!r} of {file} is a chart, not a table.")
    return ws


def _xlsx_records(
    source: Iterator[Any], file: Path, title: str, max_row: int, formulas: bool
) -> Rows:
    numbered = enumerate(source, 1)
    for at, values in numbered:
        cells = _with_formulas(values) if formulas else list(values)
        if any(not p.is_blank(c) for c in cells):
            headers, header_row = ["" if c is None else str(c) for c in cells], at
            break
    else:
        raise ImportFileError(f"Sheet {title!r} of {file} is empty: it has no header row.")
    rows = Rows(headers, iter(()), file.name, max(max_row - header_row, 0), sheet=title)
    rows.records = _xlsx_lines(numbered, rows, formulas)
    return rows


def _xlsx_lines(
    numbered: Iterator[tuple[int, Any]], rows: Rows, formulas: bool
) -> Iterator[tuple[int, list[Any]]]:
    width = len(rows.headers)
    unheaded = [i for i, h in enumerate(rows.headers) if not h.strip()]
    for n, values in numbered:
        cells = _with_formulas(values) if formulas else list(values)
        if any(not p.is_blank(c) for c in cells):
            rows.unheaded.update(i for i in unheaded if i < len(cells) and not p.is_blank(cells[i]))
            if len(cells) > width:
                rows.unheaded.update(
                    i for i in range(width, len(cells)) if not p.is_blank(cells[i])
                )
            yield rows.took((n, cells))


def _with_formulas(pair: tuple[Any, Any]) -> list[Any]:
    """A row's values, a formula that has none given as its ``Formula``."""
    values, formulas = pair
    return [
        Formula(str(getattr(f, "text", f))) if v is None and _is_formula(f) else v
        for v, f in zip_longest(values, formulas)
    ]


def _is_formula(cell: Any) -> bool:
    if isinstance(cell, str):
        return cell.startswith("=") and len(cell) > 1
    return cell is not None and type(cell).__name__ in ("ArrayFormula", "DataTableFormula")


def column_letter(index: int) -> str:
    """A column's letter as a spreadsheet shows it: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
