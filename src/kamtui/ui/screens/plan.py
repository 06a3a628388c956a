"""The weekly plan (周计划): what to do this week, S tier first, worked through.

An item is ticked done (``space``: a touch logs a call today, a task is completed; a batch
of tier-C accounts logs the standard e-mail to those ticked in its dialog), a tick made by
mistake is taken back (``u``), an item is put off until a day (``z``, again on an item put
off brings it back). The book keeps all of it (see ``domain.plan``): the plan shows ticked
items ticked whenever it is worked out again, and the exports say so. What exceeds the
rep's capacity is folded under one line, and what is put off under another; ``m`` (or
``Enter`` on the line) shows them. ``Enter`` on a batch lists its accounts.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import Static
from textual.worker import Worker

from kamtui.domain.plan import BATCH, TICKABLE, IsoWeek, PlanItem, WeekPlan, next_monday
from kamtui.services import export
from kamtui.services.book import Book
from kamtui.ui import strings as S
from kamtui.ui.messages import ShowsFailure
from kamtui.ui.read_only import HidesWrites
from kamtui.ui.safe import content, plain, text
from kamtui.ui.screens.dialogs import ConfirmDialog, ReasonDialog
from kamtui.ui.screens.plan_dialogs import BatchDialog, PutOff, SnoozeDialog
from kamtui.ui.widgets.footer import KeyFooter
from kamtui.ui.widgets.row_list import RowList

KIND_WIDTH = 16  # cells of the kind column
MEMBER_INDENT = 3  # a batch's account: its box where an item's tier is


class PlanLoaded(Message):
    def __init__(self, week: IsoWeek, owner: str | None, plan: WeekPlan) -> None:
        super().__init__()
        self.week, self.owner, self.plan = week, owner, plan


class PlanChanged(Message):
    """A write finished: say ``note``; ``done`` and ``undone`` are the keys ticked and
    unticked (shown at once); ``reload`` works the plan out again."""

    def __init__(
        self,
        note: str,
        *,
        done: dict[str, date] | None = None,
        undone: tuple[str, ...] = (),
        reload: bool = False,
    ) -> None:
        super().__init__()
        self.note, self.done, self.undone, self.reload = note, done or {}, undone, reload


class Row(NamedTuple):
    """One line of the plan: an item (``item``), an account of a batch (``member``), an
    item put off (``put_off``, with its day and reason), or the line under which the items
    folded beyond the capacity (``folded``) or put off (``snoozed``) are kept."""

    kind: str
    item: PlanItem | None = None
    until: date | None = None
    reason: str = ""


def who(items: list[PlanItem]) -> str:
    """Whom items are about, for a note or a title: the account, or how many accounts."""
    accounts = {i.account_id for i in items}
    if len(accounts) == 1:
        return plain(items[0].account)
    return S.PLAN_BATCH_ACCOUNTS.format(n=len(accounts))


class PlanList(RowList):
    """The plan's rows, one line each; only the lines on screen are rendered. A click on
    an item's box ticks it."""

    COMPONENT_CLASSES = {
        "plan-list--cursor",
        "plan-list--done",
        "plan-list--overdue",
        "plan-list--tier",
        "plan-list--aside",
    }

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.plan = WeekPlan(IsoWeek(1970, 1), [])
        self.lines: list[Row] = []
        self.opened: set[str] = set()  # batches whose accounts are listed
        self.more = False  # the folded and put-off items are shown
        self.today = date.min  # set by show()

    def show(self, plan: WeekPlan, today: date) -> None:
        self.plan, self.today = plan, today
        self.relist()

    def relist(self) -> None:
        """Lay the rows out again (after a batch opened, the folded items shown …), the
        cursor staying on the row it was on."""
        was = self.current
        lines: list[Row] = []
        plan = self.plan

        def add(items: list[PlanItem]) -> None:
            for item in items:
                lines.append(Row("item", item))
                if item.kind == BATCH and item.key in self.opened:
                    lines.extend(Row("member", m) for m in plan.members(item))

        add(plan.items)
        if plan.folded:
            lines.append(Row("folded"))
            if self.more:
                add(plan.folded)
        if plan.snoozed:
            lines.append(Row("snoozed"))
            if self.more:
                lines.extend(Row("put_off", z.item, z.until, z.reason) for z in plan.snoozed)
        self.lines = lines
        if was is not None:
            same = next((n for n, r in enumerate(lines) if r == was), None)
            if same is not None:
                self.set_reactive(RowList.cursor, same)
        self.virtual_size = Size(self.scrollable_content_region.width, len(lines))
        self.keep_cursor()
        self.refresh()

    @property
    def items(self) -> list[PlanItem]:
        """The items that fit the week, in order (what the plan's title counts)."""
        return self.plan.items

    @property
    def done(self) -> dict[str, date]:
        return self.plan.done

    @property
    def rows(self) -> int:
        return len(self.lines)

    @property
    def current(self) -> Row | None:
        return self.lines[self.cursor] if 0 <= self.cursor < len(self.lines) else None

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = self.scroll_offset.y + y
        if index >= len(self.lines):
            return Strip.blank(width, self.rich_style)
        row = self.lines[index]
        line = self._line(row)
        line.truncate(width, overflow="ellipsis", pad=True)
        if row.item is not None and row.item.key in self.plan.done and row.kind != "put_off":
            line.stylize(self.get_component_rich_style("plan-list--done"))
        if index == self.cursor:
            line.stylize(self.get_component_rich_style("plan-list--cursor"))
        return Strip(line.render(self.app.console), width)

    def _line(self, row: Row) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        aside = self.get_component_rich_style("plan-list--aside")
        plan = self.plan
        if row.kind == "folded":
            said = S.PLAN_FOLDED_OPEN if self.more else S.PLAN_FOLDED
            line.append(
                said.format(n=f"{len(plan.folded):,}", capacity=plan.capacity or 0), style=aside
            )
            return line
        if row.kind == "snoozed":
            said = S.PLAN_SNOOZED_OPEN if self.more else S.PLAN_SNOOZED
            line.append(said.format(n=f"{len(plan.snoozed):,}"), style=aside)
            return line
        item = row.item
        assert item is not None
        if row.kind == "member":
            line.append(" " * MEMBER_INDENT)  # under the batch, its dates in the same column
        box = "↷ " if row.kind == "put_off" else "☑ " if item.key in plan.done else "☐ "
        line.append(box)
        if row.kind != "member":
            tier = f"{(item.tier or '–'):<2} "
            line.append(tier, style=self.get_component_rich_style("plan-list--tier"))
        overdue = item.due < self.today and item.key not in plan.done
        due_style = self.get_component_rich_style("plan-list--overdue") if overdue else Style()
        line.append(item.due.isoformat(), style=due_style)
        kind = S.plan_kind(item.kind)
        exec_mark = "★" if item.executive else " "
        line.append(f"  {kind}{' ' * max(0, KIND_WIDTH - cell_len(kind))}{exec_mark} ")
        if item.kind == BATCH:
            members = plan.members(item)
            mark = "▾" if item.key in self.opened else "▸"
            line.append(f"{mark} {S.PLAN_BATCH_ACCOUNTS.format(n=len(members))}", style="bold")
            line.append(" · ")
            line.append_text(text(item.owner, "bold"))  # whose accounts: each rep has a batch
            done = sum(1 for m in members if m.key in plan.done)
            line.append("  ")
            line.append_text(text(S.say(item.reason), "dim"))
            if done:
                line.append("  " + S.PLAN_BATCH_DONE.format(done=done, n=len(members)), "dim")
            return line
        line.append_text(text(item.account))
        line.append("  ")
        line.append_text(text(S.say(item.reason), "dim"))
        if row.kind == "put_off" and row.until is not None:
            line.append("  ")
            said = S.PLAN_PUT_OFF.format(date=row.until.isoformat())
            line.append_text(text(said + (f": {row.reason}" if row.reason else ""), "italic"))
        return line


class PlanScreen(ShowsFailure, HidesWrites, Screen[None]):
    WRITES = frozenset({"tick", "untick", "snooze"})
    BINDINGS = [
        Binding("escape", "app.pop_screen", S.KEY_BACK, id="plan.back"),
        Binding("space", "tick", S.KEY_TICK, id="plan.tick"),
        Binding("u", "untick", S.KEY_UNTICK, id="plan.untick"),
        Binding("z", "snooze", S.KEY_SNOOZE, id="plan.snooze"),
        Binding("enter", "open", S.KEY_OPEN, id="plan.open"),
        Binding("m", "more", S.KEY_PLAN_MORE, id="plan.more"),
        Binding(
            "left_square_bracket", "week(-1)", S.KEY_PREV_WEEK, key_display="[", id="plan.prev"
        ),
        Binding(
            "right_square_bracket", "week(1)", S.KEY_NEXT_WEEK, key_display="]", id="plan.next"
        ),
        Binding("w", "cycle_owner", S.KEY_OWNER, id="plan.owner"),
        Binding("e", "export", S.KEY_EXPORT, id="plan.export"),
    ]

    def __init__(self, book: Book, today: date, owners: list[str]) -> None:
        super().__init__()
        self.book = book
        self.today = today
        self.week = IsoWeek.of(today)
        self.owner: str | None = None
        self.owners = owners

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        yield Static(id="plan-status")
        yield PlanList(id="plan-list")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(PlanList).focus()
        self.load()

    def load(self) -> None:
        self.query_one("#plan-status", Static).update(content(S.PLAN_LOADING))
        self.load_plan(self.week, self.owner)

    @work(thread=True, exclusive=True, group="plan", exit_on_error=False)
    def load_plan(self, week: IsoWeek, owner: str | None) -> None:
        self.post_message(PlanLoaded(week, owner, self.book.plan(week, self.today, owner)))

    def on_plan_loaded(self, message: PlanLoaded) -> None:
        if (message.week, message.owner) != (self.week, self.owner):
            return
        self.query_one(PlanList).show(message.plan, self.today)
        self._say()
        self.query_one("#plan-status", Static).update(content(S.PLAN_HINT))

    def _say(self) -> None:
        plan = self.query_one(PlanList).plan
        done = sum(1 for i in plan.items if i.key in plan.done)
        title = S.PLAN_TITLE.format(
            week=str(self.week), start=self.week.monday.isoformat()[5:],
            end=self.week.sunday.isoformat()[5:],
            owner=self.owner or S.FILTER_ANY, n=f"{len(plan.items):,}", done=f"{done:,}",
        )  # fmt: skip
        self.query_one("#title", Static).update(content(title))

    def action_week(self, step: int) -> None:
        self.week = IsoWeek.of(self.week.monday + timedelta(weeks=step))
        self.load()

    def action_cycle_owner(self) -> None:
        choices: list[str | None] = [None, *self.owners]
        self.owner = (
            choices[(choices.index(self.owner) + 1) % len(choices)]
            if self.owner in choices
            else None
        )
        self.load()

    def action_more(self) -> None:
        plan = self.query_one(PlanList)
        plan.more = not plan.more
        plan.relist()

    @on(RowList.Chosen)
    def _chosen(self, event: RowList.Chosen) -> None:
        """A click on the row under the cursor: on its box ticks it, elsewhere opens it."""
        row = self.query_one(PlanList).current
        indent = MEMBER_INDENT if row is not None and row.kind == "member" else 0
        if indent <= event.x < indent + 2:
            self.action_tick()
        else:
            self.action_open()

    def action_open(self) -> None:
        plan = self.query_one(PlanList)
        row = plan.current
        if row is None:
            return
        if row.kind in ("folded", "snoozed"):
            self.action_more()
        elif row.item is not None and row.item.kind == BATCH:
            plan.opened ^= {row.item.key}
            plan.relist()
        elif row.item is not None:
            self.app.open_account(row.item.account_id)  # type: ignore[attr-defined]

    # ---- ticking and taking a tick back ------------------------------------------------------
    def action_tick(self) -> None:
        plan = self.query_one(PlanList)
        row = plan.current
        if row is None or row.item is None or row.kind == "put_off":
            return
        item = row.item
        if item.key in plan.done:
            self.notify(S.PLAN_TICKED_ALREADY, markup=False)
        elif item.kind == BATCH:
            self._send_batch(item)
        elif item.kind in TICKABLE:
            email = row.kind == "member"  # an account of the standard e-mail's batch
            self.write_tick(self._with_plain_touch([item]), "email" if email else "call",
                            who([item]))  # fmt: skip
        else:
            self.action_open()

    def _send_batch(self, batch: PlanItem) -> None:
        plan = self.query_one(PlanList).plan
        members = [m for m in plan.members(batch) if m.key not in plan.done]

        def chosen(items: list[PlanItem] | None) -> None:
            if items:
                self.write_tick(items, "email", who(items))

        title = S.BATCH_TITLE.format(who=who(members))
        self.app.push_screen(BatchDialog(title, members), chosen)

    def _with_plain_touch(self, items: list[PlanItem]) -> list[PlanItem]:
        """An executive touch ticked is a touch too: the account's plain touch in the plan,
        if open, is ticked with it (one call)."""
        plan = self.query_one(PlanList).plan
        out = list(items)
        for item in items:
            if item.kind == "exec_touch":
                plain_touch = next(
                    (i for i in plan.items + plan.folded if i.kind == "touch"
                     and i.account_id == item.account_id and i.key not in plan.done),
                    None,
                )  # fmt: skip
                if plain_touch is not None and plain_touch not in out:
                    out.append(plain_touch)
        return out

    @work(thread=True, group="plan-write", exit_on_error=False)
    def write_tick(self, items: list[PlanItem], kind: str, whom: str) -> None:
        keys = self.book.tick(self.week, items, self.today, kind=kind)
        note = (
            S.PLAN_TASK_DONE if items[0].kind == "task"
            else S.PLAN_EMAILS_LOGGED if kind == "email"
            else S.PLAN_TOUCH_LOGGED
        )  # fmt: skip
        said = note.format(account=whom)
        self.post_message(PlanChanged(said, done=dict.fromkeys(keys, self.today)))

    def action_untick(self) -> None:
        plan = self.query_one(PlanList)
        row = plan.current
        if row is None or row.item is None or row.kind == "put_off":
            return
        item = row.item
        items = [m for m in plan.plan.members(item) if m.key in plan.done]
        if item.kind != BATCH:
            items = [item] if item.key in plan.done else []
        if not items:
            self.notify(S.PLAN_NOT_TICKED, markup=False)
            return
        self.write_untick(items, who(items))

    @work(thread=True, group="plan-write", exit_on_error=False)
    def write_untick(self, items: list[PlanItem], whom: str) -> None:
        keys = self.book.untick(self.week, items, self.today)
        self.post_message(PlanChanged(S.PLAN_UNTICKED.format(account=whom), undone=tuple(keys)))

    # ---- putting off ---------------------------------------------------------------------------
    def action_snooze(self) -> None:
        plan = self.query_one(PlanList)
        row = plan.current
        if row is None or row.item is None:
            return
        item = row.item
        if row.kind == "put_off":
            self.write_unsnooze(item)
            return
        items = [item]
        if item.kind == BATCH:
            items = [m for m in plan.plan.members(item) if m.key not in plan.done]
        if item.key in plan.done or not items:
            self.notify(S.PLAN_SNOOZE_DONE, markup=False)
            return
        what = (
            who(items)
            if len(items) > 1
            else f"{plain(items[0].account)} · {S.plan_kind(items[0].kind)}"
        )

        def chosen(put_off: PutOff | None) -> None:
            if put_off is not None:
                self.write_snooze(items, put_off, what)

        title = S.SNOOZE_TITLE.format(what=what)
        self.app.push_screen(SnoozeDialog(title, self.today, next_monday(self.today)), chosen)

    @work(thread=True, group="plan-write", exit_on_error=False)
    def write_snooze(self, items: list[PlanItem], put_off: PutOff, what: str) -> None:
        self.book.snooze(items, put_off.until, put_off.reason, self.today)
        note = S.PLAN_SNOOZED_NOTE.format(what=what, date=put_off.until.isoformat())
        self.post_message(PlanChanged(note, reload=True))

    @work(thread=True, group="plan-write", exit_on_error=False)
    def write_unsnooze(self, item: PlanItem) -> None:
        self.book.unsnooze([item], self.today)
        note = S.PLAN_UNSNOOZED.format(what=f"{plain(item.account)} · {S.plan_kind(item.kind)}")
        self.post_message(PlanChanged(note, reload=True))

    def work_failed(self, worker: Worker[object], message: str) -> None:
        """A plan that could not be worked out, or a write refused: said on the status line
        too (the app has said it in a notification), and the screen stays usable."""
        said = S.PLAN_FAILED if worker.group == "plan" else S.say(message)
        self.query_one("#plan-status", Static).update(content(said))

    def on_plan_changed(self, message: PlanChanged) -> None:
        self.notify(plain(message.note), markup=False)
        plan = self.query_one(PlanList)
        plan.plan.done.update(message.done)
        for key in message.undone:
            plan.plan.done.pop(key, None)
        for batch in plan.plan.batches:  # a batch is done when all its accounts are
            members = plan.plan.batches[batch]
            if all(m.key in plan.plan.done for m in members):
                plan.plan.done[batch] = max(plan.plan.done[m.key] for m in members)
            else:
                plan.plan.done.pop(batch, None)
        plan.refresh()
        self._say()
        if message.reload:
            self.load()

    # ---- export --------------------------------------------------------------------------------
    def action_export(self) -> None:
        suffix = f"-{self.owner}" if self.owner else ""
        default = str(Path.cwd() / f"plan-{self.week}{suffix}.md")

        def chosen(typed: str | None) -> None:
            if not typed:
                return
            path = Path(typed).expanduser().absolute()
            if path.is_dir():
                self.notify(S.PLAN_EXPORT_IS_FOLDER.format(path=str(path)), severity="error",
                            markup=False)  # fmt: skip
                return
            if not path.exists():
                self.write_export(path)
                return

            def replace(yes: bool | None) -> None:
                if yes:
                    self.write_export(path)

            question = S.PLAN_EXPORT_REPLACE.format(path=str(path))
            self.app.push_screen(ConfirmDialog(question, S.REPLACE, danger=True), replace)

        dialog = ReasonDialog(S.PLAN_EXPORT_TITLE, value=default, required=S.PLAN_EXPORT_NO_PATH)
        self.app.push_screen(dialog, chosen)

    @work(thread=True, group="plan-write", exit_on_error=False)
    def write_export(self, path: Path) -> None:
        plan = self.query_one(PlanList).plan
        suffix = path.suffix.lower()
        if suffix == ".ics":
            body = export.plan_ics(plan, self.owner, self.today, S.plan_words())
        elif suffix == ".csv":
            body = export.plan_csv(plan)
        elif suffix == ".json":
            body = export.plan_json(plan)
        else:
            body = export.plan_markdown(plan, self.owner, S.plan_words())
        export.write_atomic(path, body)
        self.post_message(PlanChanged(S.PLAN_EXPORTED.format(n=len(plan.items), path=str(path))))
