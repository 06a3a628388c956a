"""The Book: every account of the book in one table, filtered and sorted in SQL.

Typing to filter: the letters and digits are the Book's keys (``h`` health, ``b`` the
pipeline…), so ``/`` puts the cursor in the filter, and Esc leaves it. Text that is no
key — Chinese typed or sent by an input method, any letter beyond ASCII, a paste — goes
into the filter at once, without ``/``. The placeholder says both.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import Worker

from kamtui import logs
from kamtui.domain.errors import KamError
from kamtui.domain.tracks import TRACKS
from kamtui.services.book import Book, BookBusy, BookQuery
from kamtui.ui import strings as S
from kamtui.ui.messages import (
    AccountChanged,
    AccountLoaded,
    BookChecked,
    RefreshBusy,
    RefreshDone,
    RefreshProgress,
    RowsLoaded,
    ShowsFailure,
    SummaryLoaded,
)
from kamtui.ui.read_only import HidesWrites
from kamtui.ui.safe import content, plain, text
from kamtui.ui.widgets.account_table import COLUMNS, PAGE, AccountTable
from kamtui.ui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from kamtui.ui.first_rows import FirstRows
    from kamtui.ui.screens.form import FormValues

TIER_KEYS = {"1": "S", "2": "A", "3": "B", "4": "C", "5": "unscored"}
SORTS = [c.key for c in COLUMNS]


WARM_UP_AFTER = 0.5  # seconds after the first rows are shown: load the next screens meanwhile
RETRY_BUSY = 10.0  # seconds: a refresh that met a locked book tries again after this
LOGGER = logs.LOGGER.getChild("book")


class BookScreen(ShowsFailure, HidesWrites, Screen[None]):
    WRITES = frozenset({"new_account", "edit_account", "delete_account", "open_settings"})
    BINDINGS = [
        Binding("slash", "focus_filter", S.KEY_FILTER, id="book.filter"),
        Binding("escape", "leave_filter", S.KEY_BACK, show=False),
        Binding("o", "next_sort", S.KEY_SORT, id="book.sort"),
        Binding("O", "reverse", S.KEY_REVERSE, id="book.reverse"),
        Binding("1", "toggle_tier('1')", "S", show=False),
        Binding("2", "toggle_tier('2')", "A", show=False),
        Binding("3", "toggle_tier('3')", "B", show=False),
        Binding("4", "toggle_tier('4')", "C", show=False),
        Binding("5", "toggle_tier('5')", S.KEY_TIERS, key_display="1-5", id="book.tiers"),
        Binding("0", "all_tiers", S.KEY_ALL_TIERS, id="book.all_tiers"),
        Binding("t", "cycle('track')", S.KEY_TRACK, id="book.track"),
        Binding("h", "cycle('health')", S.KEY_HEALTH, id="book.health"),
        Binding("w", "cycle('owner')", S.KEY_OWNER, id="book.owner"),
        Binding("p", "open_plan", S.KEY_PLAN, id="book.plan"),
        Binding("ctrl+r", "reload", S.KEY_RELOAD, id="book.reload"),
        Binding("H", "open_health", S.KEY_HEALTH_SCREEN, id="book.health_screen"),
        Binding("b", "open_pipeline", S.KEY_PIPELINE, id="book.pipeline"),
        Binding("comma", "open_settings", S.KEY_SETTINGS, key_display=",", id="book.settings"),
        Binding("n", "new_account", S.KEY_NEW, id="book.new"),
        Binding("e", "edit_account", S.KEY_EDIT, id="book.edit"),
        Binding("delete", "delete_account", S.KEY_DELETE, key_display="Del", id="book.delete"),
        Binding("T", "open_trash", S.KEY_TRASH, id="book.trash"),
        Binding("i", "open_import", S.KEY_IMPORT, id="book.import"),
        Binding(
            "exclamation_mark",
            "toggle_attention",
            S.KEY_ATTENTION,
            key_display="!",
            id="book.attention",
        ),
    ]

    def __init__(self, book: Book, today: date, first_rows: FirstRows | None = None) -> None:
        """``first_rows``: the opening query's rows, read while the UI loaded, if any."""
        super().__init__()
        self.book = book
        self.today = today
        self.first_rows = first_rows
        self.query_state = BookQuery()
        self.generation = 0
        self.total: int | None = None
        self._started = False
        self.owners: list[str] = []
        self.derived_on: date | None = None  # the day of the stored values, read by the refresh
        self._busy_retry: Timer | None = None  # a refresh to try again (the book was locked)

    def compose(self) -> ComposeResult:
        # #counts, #summary and #status are one line each (app.tcss): their texts are
        # updated without a new layout of the screen (update(..., layout=False))
        yield Static(self._title(), id="title")
        yield Input(placeholder=S.FILTER_PLACEHOLDER, id="filter", select_on_focus=False)
        yield Static(id="counts")
        yield Static(id="summary")
        yield AccountTable(id="accounts")
        yield Static(id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(AccountTable).focus()
        # the rows first; the summary and recompute start once they are shown
        read = self.first_rows.take(self.query_state) if self.first_rows else None
        if read is None:
            self.reload()
        else:  # read while the UI loaded (ui/first_rows.py): shown in the first frame
            self.generation += 1
            total, rows = read
            self.on_rows_loaded(RowsLoaded(self.generation, total, 0, rows))

    def on_screen_resume(self) -> None:
        """Back from an account: show what changed there."""
        if self._started:
            self.reload()
            self.load_summary()

    def _title(self) -> Content:
        mark = S.TITLE_DAMAGED if self.book.damage else S.READ_ONLY if self.book.read_only else ""
        return content(f"kamtui · {self.book.path}" + (f"  [{mark}]" if mark else ""))

    def show_title(self) -> None:
        self.query_one("#title", Static).update(self._title())

    def _start_background_work(self) -> None:
        """Once the first rows are shown (or could not be read): the summary, the warm-up,
        and a check of the whole book, then its refresh for today."""
        if self._started:
            return
        self._started = True
        self.load_summary()
        self.set_timer(WARM_UP_AFTER, self.warm_up)
        self.check_book()

    # ---- loading -------------------------------------------------------------------------
    def reload(self) -> None:
        self.generation += 1
        self.load_rows(self.generation, self.query_state)

    @work(thread=True, exclusive=True, group="book-query", exit_on_error=False)
    def load_rows(self, generation: int, query: BookQuery, total: int | None = None) -> None:
        """The first page of ``query``, and its count unless known (``total``)."""
        if total is None:
            total = self.book.count(query)
        rows = self.book.page(query, 0, PAGE, matching=total)
        self.post_message(RowsLoaded(generation, total, 0, rows))

    @work(thread=True, group="book-pages", exit_on_error=False)
    def load_page(self, generation: int, query: BookQuery, page: int) -> None:
        rows = self.book.page(query, page * PAGE, PAGE, matching=self.total)
        self.post_message(RowsLoaded(generation, None, page * PAGE, rows))

    @work(thread=True, exclusive=True, group="book-summary", exit_on_error=False)
    def load_summary(self) -> None:
        self.post_message(SummaryLoaded(self.book.summary(self.today), self.book.owners()))

    @work(thread=True, exclusive=True, group="book-warm-up", exit_on_error=False)
    def warm_up(self) -> None:
        """Load what the next screens need while the rep looks at this one: SQLAlchemy and
        the engine (every read but this screen's, every write) and the account screen."""
        self.book.warm_up()
        import kamtui.ui.screens.account  # noqa: F401

    @work(thread=True, exclusive=True, group="book-check", exit_on_error=False)
    def check_book(self) -> None:
        """SQLite's quick check of the whole book, in the background after the first paint
        (under a second for 100,000 accounts): a damaged book is said at once, before
        anything is written to it (see ``KamApp.book_damaged``)."""
        self.post_message(BookChecked(self.book.check()))

    def on_book_checked(self, message: BookChecked) -> None:
        if message.problem:
            self.app.book_damaged(message.problem)  # type: ignore[attr-defined]
        elif not self.book.read_only:
            self.refresh_derived()

    @work(thread=True, exclusive=True, group="book-refresh", exit_on_error=False)
    def refresh_derived(self) -> None:
        """Recompute tiers and health for today, unless the stored values are today's; a
        book that another program holds locked keeps its values, says so, and is tried
        again (``RETRY_BUSY``, or ctrl+r)."""

        def progress(done: int, total: int) -> None:
            self.post_message(RefreshProgress(done, total))

        day = None
        try:
            if self.book.is_fresh(self.today):
                return
            day = self.derived_on = self.book.derived_on()
            changed = self.book.refresh(self.today, progress=progress)
        except BookBusy as e:
            LOGGER.info("refresh for %s put off: %s", self.today, e.message)
            self.post_message(RefreshBusy(day))
            return
        self.post_message(RefreshDone(changed))

    def on_refresh_busy(self, message: RefreshBusy) -> None:
        every = f"{RETRY_BUSY:g}"
        said = (
            S.REFRESH_BUSY.format(day=message.day.isoformat(), every=every)
            if message.day
            else S.REFRESH_BUSY_NEVER.format(every=every)
        )
        status = self.query_one("#status", Static)
        if self._busy_retry is None:  # said once; the status line keeps saying it
            self.notify(said, severity="warning", timeout=15, markup=False)
        status.update(content(said), layout=False)
        self._busy_retry = self.set_timer(RETRY_BUSY, self._retry_refresh)

    def _retry_refresh(self) -> None:
        if self._busy_retry is not None and not self.book.read_only:
            self.refresh_derived()

    def work_failed(self, worker: Worker[object], message: str) -> None:
        """A read of the Book that failed (a damaged page, say): the sentence takes the
        place of what could not be shown, and the rest of the screen goes on."""
        if worker.group in ("book-query", "book-pages"):
            self.query_one("#counts", Static).update(content(message), layout=False)
            self.call_after_refresh(self._start_background_work)
        elif worker.group == "book-refresh":
            self.query_one("#status", Static).update(
                content(S.REFRESH_FAILED.format(day=self.derived_on or "–")), layout=False
            )

    def on_rows_loaded(self, message: RowsLoaded) -> None:
        table = self.query_one(AccountTable)
        if message.generation != self.generation:
            return
        if message.total is not None:
            self.total = message.total
            table.reset(
                message.generation,
                message.total,
                message.rows,
                self.query_state.sort,
                self.query_state.descending,
            )
            self._show_counts()
            self.call_after_refresh(self._start_background_work)
        else:
            table.add_page(message.generation, message.offset, message.rows)

    def on_summary_loaded(self, message: SummaryLoaded) -> None:
        s = message.summary
        self.owners = message.owners
        self.book_total = s.accounts
        colors = self.app.get_css_variables()
        paint = {"green": colors.get("success", ""), "yellow": colors.get("warning", ""),
                 "red": colors.get("error", "")}  # fmt: skip
        line = Text(overflow="ellipsis")  # two lines under 120 columns (app.tcss)
        line.append(
            S.SUMMARY_TIERS.format(
                **{k: f"{s.by_tier.get(k, 0):,}" for k in ("S", "A", "B", "C", "unscored")}
            )
        )
        line.append("   ")
        for color in ("green", "yellow", "red"):
            line.append("● ", style=paint[color])
            line.append(f"{s.by_color.get(color, 0):,}  ")
        line.append("  " + S.SUMMARY_PIPELINE + " ")
        for stage in range(1, 6):
            n, amount = s.pipeline.get(stage, (0, 0.0))
            line.append(f"{stage}:{n:,} ")
        total = sum(a for _, a in s.pipeline.values())
        line.append(f"({total:,.0f})")
        conc = s.concentration
        if conc is not None and conc.total:
            line.append("   " + S.SUMMARY_TOP20.format(share=f"{conc.top20_share:.0%}"))
            for aid, share in conc.dependencies:
                name = (s.names or {}).get(aid, str(aid))  # type: ignore[call-overload]
                line.append("  ⚠ ", style=paint["yellow"])
                line.append_text(text(S.SUMMARY_DEPENDENCY.format(name=name, share=f"{share:.0%}")))
        self.query_one("#summary", Static).update(line, layout=False)
        self._show_counts()

    def on_refresh_progress(self, message: RefreshProgress) -> None:
        self.query_one("#status", Static).update(
            content(
                S.REFRESHING.format(
                    today=self.today.isoformat(), done=message.done, total=message.total
                )
            ),
            layout=False,
        )

    def on_refresh_done(self, message: RefreshDone) -> None:
        if self._busy_retry is not None:
            self._busy_retry.stop()
            self._busy_retry = None
        self.query_one("#status", Static).update(
            content(S.REFRESHED.format(today=self.today.isoformat())), layout=False
        )
        if message.changed:
            self.reload()
            self.load_summary()

    @on(AccountTable.RequestPage)
    def _page_wanted(self, message: AccountTable.RequestPage) -> None:
        if message.generation == self.generation:
            self.load_page(message.generation, self.query_state, message.page)

    @on(AccountTable.Selected)
    def _open_account(self, message: AccountTable.Selected) -> None:
        self.app.open_account(message.account_id)  # type: ignore[attr-defined]

    @on(AccountTable.SortClicked)
    def _sort_clicked(self, message: AccountTable.SortClicked) -> None:
        if message.key == self.query_state.sort:
            self.action_reverse()
        else:
            self._set_query(replace(self.query_state, sort=message.key, descending=False))

    def _show_counts(self) -> None:
        q = self.query_state
        shown = "…" if self.total is None else f"{self.total:,}"
        total = getattr(self, "book_total", None)
        col = next(c.title for c in COLUMNS if c.key == q.sort)
        # only the filters that are set: the line stays short enough for 80 columns
        parts = [S.SUMMARY.format(shown=shown, total="…" if total is None else f"{total:,}")]
        if q.tiers:
            tiers = ", ".join(t for t in ("S", "A", "B", "C", "unscored") if t in q.tiers)
            parts.append(S.FILTER_TIERS.format(tiers=tiers))
        if q.track:
            parts.append(S.FILTER_TRACK.format(track=q.track))
        if q.health:
            parts.append(S.FILTER_HEALTH.format(health=q.health))
        if q.owner:
            parts.append(S.FILTER_OWNER.format(owner=q.owner))
        if q.attention:
            parts.append(S.FILTER_ATTENTION)
        parts.append(S.SORTED_BY.format(column=col, direction=S.DESCENDING if q.descending else ""))
        if self.total == 0:
            parts.append(S.EMPTY_BOOK)
        self.query_one("#counts", Static).update(content("  ·  ".join(parts)), layout=False)

    def _set_query(self, query: BookQuery) -> None:
        if query != self.query_state:
            old = self.query_state
            # another order of the same rows: their count is known (counting costs a scan)
            same_rows = replace(query, sort=old.sort, descending=old.descending) == old
            total = self.total if same_rows else None
            self.query_state = query
            self.total = None
            self.generation += 1
            self.load_rows(self.generation, query, total)

    # ---- actions -------------------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        """A character no key of the Book is (Chinese, é…) starts the filter with it."""
        char = event.character
        if char and event.is_printable and not char.isascii():
            event.stop()
            event.prevent_default()
            self._into_filter(char)

    def on_paste(self, event: events.Paste) -> None:
        """Text pasted on the Book (the filter takes its own pastes) goes into the filter."""
        line = event.text.splitlines()[0] if event.text.strip() else ""
        if line:
            event.stop()
            self._into_filter(line)

    def _into_filter(self, typed: str) -> None:
        filt = self.query_one("#filter", Input)
        filt.insert_text_at_cursor(typed)  # a second character may come before the focus
        filt.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._set_query(replace(self.query_state, text=event.value))

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.query_one(AccountTable).focus()

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_leave_filter(self) -> None:
        filt = self.query_one("#filter", Input)
        if filt.has_focus:
            self.query_one(AccountTable).focus()
        elif filt.value:
            filt.value = ""

    def action_toggle_tier(self, key: str) -> None:
        tier = TIER_KEYS[key]
        self._set_query(replace(self.query_state, tiers=self.query_state.tiers ^ {tier}))

    def action_all_tiers(self) -> None:
        self._set_query(replace(self.query_state, tiers=frozenset()))

    def action_next_sort(self) -> None:
        nxt = SORTS[(SORTS.index(self.query_state.sort) + 1) % len(SORTS)]
        self._set_query(replace(self.query_state, sort=nxt, descending=False))

    def action_reverse(self) -> None:
        self._set_query(replace(self.query_state, descending=not self.query_state.descending))

    def action_cycle(self, what: str) -> None:
        """Step a filter through its values and back to "any"."""
        choices: list[str | None] = [None]
        if what == "track":
            choices += list(TRACKS)
        elif what == "health":
            choices += ["red", "yellow", "green"]
        else:
            choices += self.owners
        current = getattr(self.query_state, what)
        nxt = choices[(choices.index(current) + 1) % len(choices)] if current in choices else None
        if what == "track":
            self._set_query(replace(self.query_state, track=nxt))
        elif what == "health":
            self._set_query(replace(self.query_state, health=nxt))
        else:
            self._set_query(replace(self.query_state, owner=nxt))

    def action_toggle_attention(self) -> None:
        self._set_query(replace(self.query_state, attention=not self.query_state.attention))

    def action_open_plan(self) -> None:
        from kamtui.ui.screens.plan import PlanScreen

        self.app.push_screen(PlanScreen(self.book, self.today, self.owners))

    def action_new_account(self) -> None:
        from kamtui.ui.screens.account_form import AccountForm

        book, today = self.book, self.today

        def save(form: FormValues) -> None:
            fields = {k: v for k, v in form.fields.items() if v is not None}
            account_id = book.add_account(today, **fields)
            if any(v is not None for v in form.ratings.values()):
                book.set_ratings(account_id, form.ratings, today)

        self.app.push_screen(AccountForm(S.FORM_NEW, book.config.model, {}, {}, save), self._saved)

    def action_edit_account(self) -> None:
        row = self.query_one(AccountTable).current
        if row is not None:
            self.load_for_edit(row.id)

    @work(thread=True, exclusive=True, group="book-edit", exit_on_error=False)
    def load_for_edit(self, account_id: int) -> None:
        self.post_message(AccountLoaded(self.book.account_view(account_id, self.today)))

    def on_account_loaded(self, message: AccountLoaded) -> None:
        from kamtui.ui.screens.account import edit_form

        self.app.push_screen(edit_form(self.book, self.today, message.view), self._saved)

    def _saved(self, saved: bool | None) -> None:
        if saved:
            self.reload()
            self.load_summary()

    def action_open_health(self) -> None:
        from kamtui.ui.screens.health import HealthScreen

        self.app.push_screen(HealthScreen(self.book, self.today, self.owners))

    def action_open_settings(self) -> None:
        from kamtui.ui.screens.settings import SettingsScreen

        self.app.push_screen(SettingsScreen(self.book, self.today))

    def action_open_pipeline(self) -> None:
        from kamtui.ui.screens.pipeline import PipelineScreen

        self.app.push_screen(PipelineScreen(self.book, self.today, self.owners))

    # ---- the trash -----------------------------------------------------------------------
    def action_delete_account(self) -> None:
        """Move the account under the cursor to the trash, after a confirmation."""
        row = self.query_one(AccountTable).current
        if row is None:
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.trash_account(row.id, row.name)

        from kamtui.ui.screens.dialogs import ConfirmDialog

        question = S.CONFIRM_DELETE.format(name=plain(row.name))
        self.app.push_screen(ConfirmDialog(question, S.MOVE_TO_TRASH), done)

    @work(thread=True, group="book-trash", exit_on_error=False)
    def trash_account(self, account_id: int, name: str) -> None:
        try:
            self.book.delete_account(account_id)
        except KamError as e:
            self.post_message(AccountChanged(str(e), error=True))
            return
        self.post_message(AccountChanged(S.TRASHED.format(name=name)))

    def on_account_changed(self, message: AccountChanged) -> None:
        self.notify(
            plain(message.note), markup=False, severity="error" if message.error else "information"
        )
        self._saved(True)

    def action_open_trash(self) -> None:
        from kamtui.ui.screens.trash import TrashScreen

        self.app.push_screen(TrashScreen(self.book, self.today))

    def action_open_import(self) -> None:
        self.app.open_import()  # type: ignore[attr-defined]

    def action_reload(self) -> None:
        """Show what other windows or processes saved meanwhile (and try again a refresh
        that met a locked book)."""
        self.reload()
        self.load_summary()
        if self._busy_retry is not None:
            self._busy_retry.stop()
            self._retry_refresh()
