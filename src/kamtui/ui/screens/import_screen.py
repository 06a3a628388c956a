"""Import a rep's CSV or Excel file from the app (``i`` on the Book).

The rep chooses what the file holds (accounts, contacts, …), types or pastes its path and
presses Enter. The file is checked in a thread worker (``importer.check``: nothing is
written) and the screen shows the first rows, how each column maps to a field (each one
can be changed), every bad row with its line, column and reason, and what the import would
create and update, with likely duplicates. ``ctrl+s`` then imports it in a worker
(``importer.commit``), all or nothing unless "skip invalid rows" is ticked, with a progress
bar; the Book reloads when the rep goes back.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    Checkbox,
    DataTable,
    Input,
    Label,
    ProgressBar,
    Select,
    Static,
)
from textual.worker import Worker

from kamtui.domain.errors import KamError
from kamtui.services import importer, reading
from kamtui.services.book import Book
from kamtui.ui import strings as S
from kamtui.ui.messages import ShowsFailure
from kamtui.ui.read_only import HidesWrites
from kamtui.ui.safe import content, plain, text
from kamtui.ui.widgets.footer import KeyFooter

PREVIEW_ROWS = 10  # rows of the file shown before importing
ERRORS_SHOWN = 500  # bad rows listed in the table (all are counted)
CELL_WIDTH = 40  # characters of a preview cell
NOT_IMPORTED = ""  # the mapping choice "leave this column out"
EXCEL = (".xlsx", ".xlsm")


# ---- messages from the workers ------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """A readable file's columns and first rows, for when the check itself failed (say, a
    required column is missing): the rep can still map the columns."""

    table: reading.Table
    mapping: list[tuple[str, str | None]]


@dataclass
class CheckDone(Message):
    generation: int
    checked: importer.ImportCheck


@dataclass
class CheckFailed(Message):
    """A check refused the file (the refusal itself reaches ``work_failed``): its columns,
    if it can be read at all, so that the rep can map them."""

    generation: int
    layout: Layout | None


@dataclass
class ImportProgress(Message):
    phase: str
    done: int
    total: int


@dataclass
class ImportDone(Message):
    result: importer.ImportResult


@dataclass
class ImportRefusedRows(Message):
    """An import refused for rows found bad when it matched them again (the book changed
    since the check); the refusal itself reaches ``work_failed``."""

    checked: importer.ImportCheck


@dataclass(frozen=True)
class Request:
    """What to check: the form as it was when Enter (or a change) asked for a check."""

    kind: str
    path: str
    encoding: str
    sheet: str | None
    mapping: dict[str, str | None]


class Reporter:
    """Progress from a worker thread as messages, at most one per phase step of 1% or
    every 50 ms (a 100,000-row import would otherwise flood the screen)."""

    def __init__(self, screen: ImportScreen) -> None:
        self.screen = screen
        self.last: tuple[str, int] = ("", -1)
        self.at = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        pct = 100 if total <= 0 else done * 100 // total
        now = time.monotonic()
        if (phase, pct) == self.last or (
            phase == self.last[0] and done < total and now - self.at < 0.05
        ):
            return
        self.last, self.at = (phase, pct), now
        self.screen.post_message(ImportProgress(phase, done, total))


def _cell(value: Any) -> str:
    """A file cell as the preview shows it (the file's own text; dates as ISO)."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    shown = str(value)
    return shown if len(shown) <= CELL_WIDTH else shown[: CELL_WIDTH - 1] + "…"


def _kind_label(kind: str) -> str:
    return getattr(S, f"IMPORT_KIND_{kind.upper()}")


class ImportScreen(ShowsFailure, HidesWrites, Screen[None]):
    WRITES = frozenset({"run_import"})  # a read-only book's file can be checked, not imported
    CSS_PATH = "../import.tcss"
    BINDINGS = [
        Binding("escape", "back", S.KEY_BACK, id="import.back"),
        Binding("ctrl+r", "check", S.KEY_CHECK, id="import.check"),
        Binding("ctrl+s", "run_import", S.KEY_RUN_IMPORT, id="import.run"),
    ]

    def __init__(self, book: Book, today: date) -> None:
        super().__init__()
        self.book = book
        self.today = today
        self.checked: importer.ImportCheck | None = None
        self.generation = 0
        self.check_worker: Worker[None] | None = None  # the check whose answer is awaited
        self.busy = False  # an import is being written
        self.overrides: dict[str, str | None] = {}  # header → field the rep chose
        self.shown: dict[str, str] = {}  # header → the field its Select shows
        self.headers: list[str] = []  # the headers the mapping panel is built for
        self.mapped_for: tuple[str, str] = ("", "")  # (kind, path) of the overrides
        self.mapping_kind = ""  # the kind the mapping panel offers the fields of

    # ---- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(content(S.IMPORT_TITLE.format(book=self.book.path)), id="title")
        with Horizontal(id="import-form"):
            yield Select(
                [(_kind_label(k), k) for k in importer.KINDS],
                value="accounts",
                allow_blank=False,
                id="import-kind",
            )
            yield Input(placeholder=S.IMPORT_PATH_PLACEHOLDER, id="import-path")
            yield Select(
                [(getattr(S, f"IMPORT_ENCODING_{e.replace('-', '').upper()}"), e)
                 for e in reading.ENCODINGS],
                value="auto",
                allow_blank=False,
                id="import-encoding",
            )  # fmt: skip
            yield Input(placeholder=S.IMPORT_SHEET_PLACEHOLDER, id="import-sheet")
            yield Checkbox(S.IMPORT_SKIP_INVALID, id="import-skip")
        yield Static(content(S.IMPORT_HINT), id="import-summary")
        with Horizontal(id="import-main"):
            mapping = VerticalScroll(id="import-mapping")
            mapping.border_title = S.IMPORT_MAPPING
            yield mapping
            with Vertical(id="import-right"):
                preview: DataTable[Text] = DataTable(
                    id="import-preview", zebra_stripes=True, cursor_type="none"
                )
                preview.border_title = S.IMPORT_PREVIEW_EMPTY
                preview.header_height = 2
                yield preview
                problems: DataTable[Text] = DataTable(id="import-errors", cursor_type="row")
                problems.border_title = S.IMPORT_PROBLEMS_EMPTY
                yield problems
                yield Static(id="import-report")
        with Horizontal(id="import-progress"):
            yield Label(id="import-phase")
            yield ProgressBar(total=100, show_eta=False, id="import-bar")
        yield Static(id="import-result")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#import-errors", DataTable).add_columns(
            S.COL_LINE, S.COL_COLUMN, S.COL_VALUE, S.COL_REASON
        )
        self.query_one("#import-path", Input).focus()

    # ---- the form ------------------------------------------------------------------------
    def _request(self) -> Request | None:
        path = self.query_one("#import-path", Input).value.strip()
        if not path:
            return None
        kind = str(self.query_one("#import-kind", Select).value)
        sheet = self.query_one("#import-sheet", Input).value.strip() or None
        if Path(path).suffix.lower() not in EXCEL:
            sheet = None  # a sheet name means nothing for a CSV file
        if self.mapped_for != (kind, path):
            self.overrides = {}
            self.mapped_for = (kind, path)
        return Request(
            kind,
            path,
            str(self.query_one("#import-encoding", Select).value),
            sheet,
            dict(self.overrides),
        )

    @on(Input.Submitted, "#import-path")
    @on(Input.Submitted, "#import-sheet")
    def action_check(self) -> None:
        if self.busy:
            self.notify(S.IMPORT_BUSY, markup=False)
            return
        request = self._request()
        if request is None:
            self._summary(S.IMPORT_NO_PATH, error=True)
            self.notify(S.IMPORT_NO_PATH, severity="warning", markup=False)
            self.query_one("#import-path", Input).focus()
            return
        self.generation += 1
        self.checked = None
        self._result("")  # (what an import of the file before said)
        self._summary(S.IMPORT_CHECKING.format(name=Path(request.path).name))
        self._progress(S.IMPORT_PHASE_READING, 0, 0)
        self.check_worker = self.run_check(self.generation, request)

    @on(Select.Changed, "#import-kind")
    @on(Select.Changed, "#import-encoding")
    def _form_changed(self) -> None:
        if self.query_one("#import-path", Input).value.strip():
            self.action_check()

    @on(Checkbox.Changed, "#import-skip")
    def _skip_changed(self) -> None:
        if self.checked is not None:
            self._show_ready(self.checked)

    @on(Select.Changed, ".import-field")
    def _mapping_changed(self, event: Select.Changed) -> None:
        index = int(str(event.select.id).removeprefix("map-"))
        if index >= len(self.headers):
            return
        header = self.headers[index]
        chosen = NOT_IMPORTED if event.value == Select.NULL else str(event.value)
        if self.shown.get(header) == chosen:
            return  # set by the screen itself, not by the rep
        self.shown[header] = chosen
        self.overrides[header] = chosen or None
        self.action_check()

    def action_back(self) -> None:
        if self.busy:
            self.notify(S.IMPORT_BUSY, markup=False)
            return
        self.app.pop_screen()

    # ---- checking ------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="import-check", exit_on_error=False)
    def run_check(self, generation: int, request: Request) -> None:
        try:
            checked = importer.check(
                self.book,
                request.kind,
                request.path,
                self.today,
                encoding=request.encoding,
                sheet=request.sheet,
                mapping=request.mapping or None,
                progress=Reporter(self),
            )
        except KamError:
            self.post_message(CheckFailed(generation, self._layout(request)))
            raise  # the app says why; ``work_failed`` shows it here
        self.post_message(CheckDone(generation, checked))

    def _layout(self, request: Request) -> Layout | None:
        """The file's columns as the check would map them, if the file can be read at all."""
        try:
            table = reading.read_table(request.path, request.encoding, request.sheet)
            fields = importer.fields_for(request.kind, self.book.config.model)
            columns, _ = importer.map_columns(table.headers, fields, request.mapping or None)
        except KamError:
            return None
        chosen = {c.header: c.field.key for c in columns}
        return Layout(table, [(h, chosen.get(h)) for h in table.headers if h.strip()])

    async def on_check_done(self, message: CheckDone) -> None:
        if message.generation != self.generation:
            return
        checked = self.checked = message.checked
        self._hide_progress()
        await self._show_mapping(checked.kind, checked.mapping)
        self._show_preview(checked.table, checked.mapping)
        self._show_errors(checked.errors, checked.bad_rows)
        self._show_report(checked)
        self._show_ready(checked)

    async def on_check_failed(self, message: CheckFailed) -> None:
        if message.generation != self.generation:
            return
        layout = message.layout
        if layout is not None:
            kind = str(self.query_one("#import-kind", Select).value)
            await self._show_mapping(kind, layout.mapping)
            self._show_preview(layout.table, layout.mapping)
        elif not self.overrides:  # a mapping the rep is fixing stays on screen
            await self._show_mapping("", [])
            self._show_preview(None, [])

    def work_failed(self, worker: Worker[object], message: str) -> None:
        """A check or an import that failed (refused, or a bug): the app has said so; the
        screen leaves "Checking…" or "Importing…" and says it too, where the rep looks."""
        if worker.group == "import-check":
            if worker is not self.check_worker:
                return  # a check the rep has already replaced
            self.checked = None
            self._hide_progress()
            self._summary(message, error=True)
            self._show_errors([], 0)
            self.query_one("#import-report", Static).update("")
        elif worker.group == "import-write":
            self.busy = False
            self._hide_progress()
            self._result(message, error=True)

    # ---- showing a check -----------------------------------------------------------------
    def _summary(self, message: str, *, error: bool = False) -> None:
        summary = self.query_one("#import-summary", Static)
        summary.update(content(message))
        summary.set_class(error, "-error")
        summary.scroll_home(animate=False)

    def _result(self, message: str, *, error: bool = False) -> None:
        result = self.query_one("#import-result", Static)
        result.update(content(message))
        result.set_class(error, "-error")
        if message:
            self.call_after_refresh(result.scroll_visible, animate=False)

    async def _show_mapping(self, kind: str, mapping: list[tuple[str, str | None]]) -> None:
        panel = self.query_one("#import-mapping", VerticalScroll)
        headers = [h for h, _ in mapping]
        self.shown = {h: key or NOT_IMPORTED for h, key in mapping}
        if (kind, headers) == (self.mapping_kind, self.headers):
            for n, (_, key) in enumerate(mapping):
                self.query_one(f"#map-{n}", Select).value = key or NOT_IMPORTED
            return
        self.mapping_kind = kind
        self.headers = headers
        await panel.remove_children()
        if not mapping:
            return
        fields = importer.fields_for(kind, self.book.config.model)
        options: list[tuple[str | Text, str]] = [(S.IMPORT_NOT_IMPORTED, NOT_IMPORTED)]
        for f in fields:
            zh = next((n for n in f.names if not n.isascii()), "")
            options.append((f"{f.key} {zh}".strip(), f.key))
        rows = []
        for n, (header, key) in enumerate(mapping):
            rows.append(
                Horizontal(
                    Label(text(header), classes="import-header"),
                    Select(
                        options,
                        value=key or NOT_IMPORTED,
                        allow_blank=False,
                        compact=True,
                        id=f"map-{n}",
                        classes="import-field",
                    ),
                    classes="import-map-row",
                )
            )
        await panel.mount_all(rows)

    def _show_preview(
        self, table: reading.Table | None, mapping: list[tuple[str, str | None]]
    ) -> None:
        preview = self.query_one("#import-preview", DataTable)
        preview.clear(columns=True)
        if table is None:
            preview.border_title = S.IMPORT_PREVIEW_EMPTY
            return
        fields = dict(mapping)
        shown = [i for i, h in enumerate(table.headers) if h.strip()]
        for i in shown:
            header = table.headers[i]
            label = text(header)
            label.append("\n")
            key = fields.get(header)
            label.append(f"→ {key}" if key else S.IMPORT_NOT_IMPORTED, style="dim")
            preview.add_column(label, key=str(i))
        for line, cells in table.first[:PREVIEW_ROWS]:
            preview.add_row(
                *(text(_cell(cells[i]) if i < len(cells) else "") for i in shown),
                label=Text(str(line), style="dim"),
            )
        preview.show_row_labels = True
        preview.border_title = S.IMPORT_PREVIEW.format(
            n=min(PREVIEW_ROWS, len(table.first)), total=f"{table.total:,}"
        )

    def _show_errors(self, errors: list[reading.RowError], bad: int) -> None:
        problems = self.query_one("#import-errors", DataTable)
        problems.clear()
        for e in errors[:ERRORS_SHOWN]:
            problems.add_row(
                Text(str(e.line)), text(e.column), text(_cell(e.value)), text(S.say(e.reason))
            )
        problems.border_title = (
            S.IMPORT_PROBLEMS.format(bad=f"{bad:,}", errors=f"{len(errors):,}")
            if errors
            else S.IMPORT_PROBLEMS_EMPTY
        )
        if len(errors) > ERRORS_SHOWN:
            problems.border_subtitle = S.IMPORT_MORE_ERRORS.format(
                n=f"{len(errors) - ERRORS_SHOWN:,}"
            )
        else:
            problems.border_subtitle = ""
        problems.set_class(bool(errors), "-bad")

    def _show_report(self, checked: importer.ImportCheck) -> None:
        lines: list[str] = []
        if checked.ignored:
            lines.append(S.IMPORT_IGNORED.format(columns=", ".join(checked.ignored)))
        lines += [S.IMPORT_NOTE.format(note=S.say(n)) for n in checked.notes]
        dupes = checked.duplicates
        lines += [S.IMPORT_DUPLICATE.format(group=g) for g in dupes[:10]]
        if len(dupes) > 10:
            lines.append(S.IMPORT_MORE_DUPLICATES.format(n=f"{len(dupes) - 10:,}"))
        report = Content("\n").join(content(line) for line in lines)
        self.query_one("#import-report", Static).update(report)

    def _show_ready(self, checked: importer.ImportCheck) -> None:
        table = checked.table
        if table.sheet is not None:
            source = S.IMPORT_SOURCE_SHEET.format(sheet=table.sheet)
        else:
            delimiter = {",": S.IMPORT_COMMA, ";": S.IMPORT_SEMICOLON, "\t": S.IMPORT_TAB}
            source = S.IMPORT_SOURCE_CSV.format(
                encoding=table.encoding or "", delimiter=delimiter.get(table.delimiter or ",", "")
            )
        line = S.IMPORT_SUMMARY.format(
            total=f"{checked.total:,}",
            source=source,
            created=f"{checked.created:,}",
            updated=f"{checked.updated:,}",
            unchanged=f"{checked.unchanged:,}",
        )
        bad = checked.bad_rows
        good = checked.total - bad
        skip = self.query_one("#import-skip", Checkbox).value
        if self.book.read_only:
            line += " " + S.IMPORT_READ_ONLY
        elif not bad:
            line += " " + S.IMPORT_READY.format(n=f"{checked.total:,}")
        elif skip:
            line += " " + S.IMPORT_READY_SKIP.format(good=f"{good:,}", bad=f"{bad:,}")
        else:
            line += " " + S.IMPORT_BLOCKED.format(good=f"{good:,}", bad=f"{bad:,}")
        if bad:  # the first bad row, in view at any size (the table may be narrow)
            first = checked.errors[0]
            said = S.say(first.reason).rstrip(".。")
            where = (S.IMPORT_WHERE_ROW if table.sheet is not None else S.IMPORT_WHERE_LINE).format(
                n=first.line
            )
            line += " " + (
                S.IMPORT_FIRST_ERROR.format(where=where, column=first.column, reason=said)
                if first.column
                else S.IMPORT_FIRST_ERROR_ROW.format(where=where, reason=said)
            )
        self._summary(line, error=bool(bad) and not skip)

    # ---- progress ------------------------------------------------------------------------
    def _progress(self, phase: str, done: int, total: int) -> None:
        box = self.query_one("#import-progress")
        box.display = True
        self.query_one("#import-phase", Label).update(
            content(S.IMPORT_PROGRESS.format(phase=phase, done=f"{done:,}", total=f"{total:,}"))
        )
        self.query_one("#import-bar", ProgressBar).update(
            total=100, progress=100 if total <= 0 and done else done * 100 // max(total, 1)
        )

    def _hide_progress(self) -> None:
        self.query_one("#import-progress").display = False

    def on_import_progress(self, message: ImportProgress) -> None:
        phase = getattr(S, f"IMPORT_PHASE_{message.phase.upper()}", message.phase)
        self._progress(phase, message.done, message.total)

    # ---- importing -----------------------------------------------------------------------
    def action_run_import(self) -> None:
        if self.busy:
            self.notify(S.IMPORT_BUSY, markup=False)
            return
        checked = self.checked
        if checked is None:
            self.notify(S.IMPORT_CHECK_FIRST, severity="warning", markup=False)
            return
        if self.book.read_only:
            self.notify(S.IMPORT_READ_ONLY, severity="warning", markup=False)
            return
        skip = self.query_one("#import-skip", Checkbox).value
        if checked.errors and not skip:
            message = S.IMPORT_REFUSED.format(bad=f"{checked.bad_rows:,}")
            self._result(message, error=True)
            self.notify(message, severity="error", markup=False)
            return
        self.busy = True
        self._result("")
        self._progress(S.IMPORT_PHASE_CHECKING, 0, checked.total)
        self.run_import(checked, skip)

    @work(thread=True, exclusive=True, group="import-write", exit_on_error=False)
    def run_import(self, checked: importer.ImportCheck, skip_invalid: bool) -> None:
        try:
            result = importer.commit(
                self.book, checked, self.today, skip_invalid=skip_invalid, progress=Reporter(self)
            )
        except importer.ImportRefused as e:
            self.post_message(ImportRefusedRows(e.checked))
            raise  # the app says why; ``work_failed`` shows it here
        self.post_message(ImportDone(result))

    def on_import_done(self, message: ImportDone) -> None:
        self.busy = False
        self._hide_progress()
        r = message.result
        name = self.checked.path.name if self.checked else ""
        note = S.IMPORT_DONE.format(
            name=name,
            kind=_kind_label(r.kind),
            created=f"{r.created:,}",
            updated=f"{r.updated:,}",
            unchanged=f"{r.unchanged:,}",
        )
        if r.skipped:
            note += " " + S.IMPORT_DONE_SKIPPED.format(skipped=f"{r.skipped:,}")
        self.checked = None  # the book changed: check again before another import
        self._result(note)
        self._summary(S.IMPORT_AGAIN)
        self.notify(plain(note), markup=False)

    def on_import_refused_rows(self, message: ImportRefusedRows) -> None:
        self._show_errors(message.checked.errors, message.checked.bad_rows)
