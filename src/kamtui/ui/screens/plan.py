"""The weekly plan (周计划): what to do this week, S tier first, ticked off as it is done."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

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

from kamtui.domain.errors import KamError
from kamtui.domain.plan import IsoWeek, PlanItem
from kamtui.services import export
from kamtui.services.book import Book
from kamtui.ui import strings as S
from kamtui.ui.messages import ShowsFailure
from kamtui.ui.read_only import HidesWrites
from kamtui.ui.safe import content, plain, text
from kamtui.ui.screens.dialogs import ConfirmDialog, ReasonDialog
from kamtui.ui.widgets.footer import KeyFooter
from kamtui.ui.widgets.row_list import RowList


class PlanLoaded(Message):
    def __init__(self, week: IsoWeek, owner: str | None, items: list[PlanItem]) -> None:
        super().__init__()
        self.week, self.owner, self.items = week, owner, items


class PlanChanged(Message):
    def __init__(self, note: str, error: bool = False, done_key: str | None = None) -> None:
        super().__init__()
        self.note, self.error, self.done_key = note, error, done_key


class PlanList(RowList):
    """The plan's items, one line each; only the lines on screen are rendered. A click on
    an item's box ticks it."""

    COMPONENT_CLASSES = {
        "plan-list--cursor",
        "plan-list--done",
        "plan-list--overdue",
        "plan-list--tier",
    }

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.items: list[PlanItem] = []
        self.done: set[str] = set()
        self.today = date.min  # set by show()

    def show(self, items: list[PlanItem], today: date) -> None:
        self.items, self.today = items, today
        self.virtual_size = Size(self.scrollable_content_region.width, len(items))
        self.keep_cursor()
        self.refresh()

    @property
    def rows(self) -> int:
        return len(self.items)

    @property
    def current(self) -> PlanItem | None:
        return self.items[self.cursor] if 0 <= self.cursor < len(self.items) else None

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = self.scroll_offset.y + y
        if index >= len(self.items):
            return Strip.blank(width, self.rich_style)
        item = self.items[index]
        done = item.key in self.done
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        line.append("☑ " if done else "☐ ")
        line.append(
            f"{(item.tier or '–'):<2} ", style=self.get_component_rich_style("plan-list--tier")
        )
        due_style = (
            self.get_component_rich_style("plan-list--overdue")
            if item.due < self.today
            else Style()
        )
        line.append(item.due.isoformat(), style=due_style)
        kind = S.plan_kind(item.kind)
        line.append(f"  {kind}{' ' * max(0, 16 - cell_len(kind))}{'★' if item.executive else ' '} ")
        line.append_text(text(item.account))
        line.append("  ")
        line.append_text(text(S.say(item.reason), "dim"))
        line.truncate(width, overflow="ellipsis", pad=True)
        if done:
            line.stylize(self.get_component_rich_style("plan-list--done"))
        if index == self.cursor:
            line.stylize(self.get_component_rich_style("plan-list--cursor"))
        return Strip(line.render(self.app.console), width)


class PlanScreen(ShowsFailure, HidesWrites, Screen[None]):
    WRITES = frozenset({"tick"})
    BINDINGS = [
        Binding("escape", "app.pop_screen", S.KEY_BACK, id="plan.back"),
        Binding("space", "tick", S.KEY_TICK, id="plan.tick"),
        Binding("enter", "open", S.KEY_OPEN, id="plan.open"),
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

    def work_failed(self, worker: Worker[object], message: str) -> None:
        if worker.group == "plan":
            self.query_one("#plan-status", Static).update(content(S.PLAN_FAILED))

    def on_plan_loaded(self, message: PlanLoaded) -> None:
        if (message.week, message.owner) != (self.week, self.owner):
            return
        items = message.items
        self.query_one(PlanList).show(items, self.today)
        title = S.PLAN_TITLE.format(
            week=str(self.week), start=self.week.monday.isoformat(), end=self.week.sunday.isoformat(),
            owner=self.owner or S.FILTER_ANY, n=f"{len(items):,}",
        )  # fmt: skip
        self.query_one("#title", Static).update(content(title))
        self.query_one("#plan-status", Static).update(content(S.PLAN_HINT))

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

    @on(RowList.Chosen)
    def _chosen(self, event: RowList.Chosen) -> None:
        """A click on the item under the cursor: on its box ticks it, elsewhere opens it."""
        if event.x < 2:
            self.action_tick()
        else:
            self.action_open()

    def action_open(self) -> None:
        item = self.query_one(PlanList).current
        if item is not None:
            self.app.open_account(item.account_id)  # type: ignore[attr-defined]

    def action_tick(self) -> None:
        plan = self.query_one(PlanList)
        item = plan.current
        if item is None or item.key in plan.done:
            return
        if item.kind in ("touch", "exec_touch", "task"):
            self.write_tick(item)
        else:
            self.action_open()

    @work(thread=True, group="plan-write", exit_on_error=False)
    def write_tick(self, item: PlanItem) -> None:
        try:
            if item.kind == "task" and item.ref is not None:
                self.book.complete_task(item.ref, self.today)
                note = S.PLAN_TASK_DONE.format(account=item.account)
            else:
                executive = item.kind == "exec_touch"
                self.book.log_interaction(
                    item.account_id, self.today, kind="call", on=self.today, executive=executive
                )
                note = S.PLAN_TOUCH_LOGGED.format(account=item.account)
        except KamError as e:
            self.post_message(PlanChanged(str(e), error=True))
            return
        self.post_message(PlanChanged(note, done_key=item.key))

    def on_plan_changed(self, message: PlanChanged) -> None:
        self.notify(
            plain(message.note), markup=False, severity="error" if message.error else "information"
        )
        plan = self.query_one(PlanList)
        if message.done_key:
            plan.done.add(message.done_key)
        plan.refresh()

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
        items = self.query_one(PlanList).items
        suffix = path.suffix.lower()
        try:
            if suffix == ".ics":
                body = export.plan_ics(items, self.week, self.owner, self.today, S.plan_words())
            elif suffix == ".csv":
                body = export.plan_csv(items)
            elif suffix == ".json":
                body = export.plan_json(items)
            else:
                body = export.plan_markdown(items, self.week, self.owner, S.plan_words())
            export.write_atomic(path, body)
        except KamError as e:
            self.post_message(PlanChanged(str(e), error=True))
            return
        self.post_message(PlanChanged(S.PLAN_EXPORTED.format(n=len(items), path=str(path))))
