"""The pipeline board: five stage columns of deal cards, moved with the same stage gate.

Each column's head says its stage and its number, total and weighted value of deals. A
stage name wraps in a narrow column; every head is then as tall as the tallest, so that no
head loses its last line and the cards of all columns start on the same line.

A card moves with ``]``/``[`` or with the mouse: press on a card, release over the next
(or previous) column. A click on a card opens its account.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.errors import NoWidget
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from kamtui.domain import stages as sop
from kamtui.services.book import Book, DealCard, PipelineColumn
from kamtui.ui import strings as S
from kamtui.ui.read_only import HidesWrites
from kamtui.ui.safe import content, plain, text
from kamtui.ui.screens.deal_moves import DealBrief, DealMoved, DealMoves
from kamtui.ui.widgets.footer import KeyFooter
from kamtui.ui.widgets.pick_list import PickList

TIER_CHOICES: list[str | None] = [None, "S", "A", "B", "C", "unscored"]


class PipelineLoaded(Message):
    def __init__(self, key: tuple[str | None, str | None], columns: list[PipelineColumn]) -> None:
        super().__init__()
        self.key, self.columns = key, columns


def card_prompt(card: DealCard) -> Text:
    """A card's three lines (the board's CSS keeps each on one row, cut with an ellipsis)."""
    prompt = Text()
    prompt.append(f"{card.tier or '–'} ", style="bold")
    prompt.append_text(text(card.account, "bold"))
    prompt.append("\n")
    prompt.append(f"{card.amount:,.0f}  ", style="dim")  # first: a narrow column keeps it
    prompt.append_text(text(card.name))
    prompt.append("\n")
    prompt.append(S.CARD_DAYS.format(days=card.days_in_stage), style="dim")
    if card.won_on is not None:
        prompt.append("  " + S.CARD_WON, style="bold")  # (its day: on the Deals tab)
    if card.missing:
        prompt.append("  " + S.CARD_MISSING.format(n=len(card.missing)), style="bold")
    return prompt


def brief(card: DealCard) -> DealBrief:
    return DealBrief(card.id, card.name, card.stage, card.version, card.account)


class PipelineScreen(HidesWrites, DealMoves, Screen[None]):
    WRITES = frozenset({"move", "close_lost"})
    BINDINGS = [
        Binding("escape", "app.pop_screen", S.KEY_BACK, id="pipeline.back"),
        Binding("left", "column(-1)", S.KEY_LEFT, show=False),
        Binding("right", "column(1)", S.KEY_RIGHT, show=False),
        Binding(
            "right_square_bracket", "move(1)", S.KEY_ADVANCE, key_display="]", id="pipeline.advance"
        ),
        Binding(
            "left_square_bracket",
            "move(-1)",
            S.KEY_MOVE_BACK,
            key_display="[",
            id="pipeline.back_stage",
        ),
        Binding("x", "close_lost", S.KEY_LOST, id="pipeline.lost"),
        Binding("w", "cycle_owner", S.KEY_OWNER, id="pipeline.owner"),
        Binding("t", "cycle_tier", S.KEY_TIER, id="pipeline.tier"),
    ]

    def __init__(self, book: Book, today: date, owners: list[str]) -> None:
        super().__init__()
        self.book, self.today, self.owners = book, today, owners
        self.owner: str | None = None
        self.tier: str | None = None
        self.columns: list[PipelineColumn] = []
        self.dragging: DealCard | None = None  # pressed with the mouse, not yet released

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        with Horizontal(id="board"):
            for st in sop.STAGES:
                with Vertical(id=f"column-{st.number}", classes="stage-column"):
                    yield Static(id=f"head-{st.number}", classes="stage-head")
                    yield PickList(id=f"stage-{st.number}", classes="stage-cards")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#stage-1", OptionList).focus()
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    def load(self) -> None:
        self.fetch((self.owner, self.tier))

    @work(thread=True, exclusive=True, group="pipeline", exit_on_error=False)
    def fetch(self, key: tuple[str | None, str | None]) -> None:
        self.post_message(PipelineLoaded(key, self.book.pipeline(self.today, key[0], key[1])))

    def work_failed(self, worker: Worker[object], message: str) -> None:
        """A pipeline that could not be read says why in its title; a move that failed
        shows the board as it is."""
        if worker.group == "pipeline":
            self.query_one("#title", Static).update(content(message))
        elif worker.group == "deal-move":
            self.load()

    def on_pipeline_loaded(self, message: PipelineLoaded) -> None:
        if message.key != (self.owner, self.tier):
            return
        self.columns = message.columns
        for col in message.columns:
            head = Text()
            name = S.STAGE_HEAD.format(stage=col.stage, name=S.stage_name(col.stage))
            head.append(name + "\n", style="bold")
            head.append(S.COLUMN_TOTALS.format(n=f"{col.deals:,}", total=f"{col.total:,.0f}",
                                                weighted=f"{col.weighted:,.0f}"))  # fmt: skip
            self.query_one(f"#head-{col.stage}", Static).update(head)
            cards = self.query_one(f"#stage-{col.stage}", OptionList)
            keep = cards.highlighted
            cards.clear_options()
            cards.add_options(Option(card_prompt(c), id=f"deal-{c.id}") for c in col.cards)
            if col.cards:
                cards.highlighted = min(keep or 0, len(col.cards) - 1)
        self._fit_heads()
        self.query_one("#title", Static).update(
            content(
                S.PIPELINE_TITLE.format(
                    owner=self.owner or S.FILTER_ANY, tier=self.tier or S.FILTER_ANY
                )
            )
        )

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_heads)

    def _fit_heads(self) -> None:
        """Every head as tall as the tallest wrapped head, at the width the columns have."""
        heads = list(self.query(".stage-head").results(Static))
        if not self.is_attached or not heads:
            return
        lines = 1
        for head in heads:
            width = head.content_region.width or head.size.width
            shown = head.content
            if width > 0 and isinstance(shown, Text):
                lines = max(lines, len(shown.wrap(self.app.console, width)))
        for head in heads:
            head.styles.height = lines

    # ---- which card ----------------------------------------------------------------------------
    def _focused_stage(self) -> int:
        focused = self.focused
        if isinstance(focused, OptionList) and focused.id and focused.id.startswith("stage-"):
            return int(focused.id.split("-")[1])
        return 1

    @property
    def current_card(self) -> DealCard | None:
        stage = self._focused_stage()
        column = next((c for c in self.columns if c.stage == stage), None)
        index = self.query_one(f"#stage-{stage}", OptionList).highlighted
        if column is None or index is None or index >= len(column.cards):
            return None
        return column.cards[index]

    def deal_brief(self, deal_id: int) -> DealBrief | None:
        for column in self.columns:
            for c in column.cards:
                if c.id == deal_id:
                    return brief(c)
        return None

    # ---- actions ------------------------------------------------------------------------------
    def action_column(self, step: int) -> None:
        stage = max(1, min(5, self._focused_stage() + step))
        self.query_one(f"#stage-{stage}", OptionList).focus()

    def action_move(self, direction: int) -> None:
        card = self.current_card
        if card is not None:
            self.move_deal(brief(card), direction)

    def action_close_lost(self) -> None:
        card = self.current_card
        if card is not None:
            self.close_deal_lost(brief(card))

    def on_deal_moved(self, message: DealMoved) -> None:
        self.notify(
            plain(message.note), markup=False, severity="error" if message.error else "information"
        )
        self.load()

    @on(OptionList.OptionSelected, ".stage-cards")
    def _open(self, event: OptionList.OptionSelected) -> None:
        card = self.current_card
        if card is not None:
            self.app.open_account(card.account_id)  # type: ignore[attr-defined]

    # ---- the mouse: press on a card, release over another column -----------------------------
    def _column_at(self, x: int, y: int) -> int | None:
        try:
            widget, _ = self.get_widget_at(x, y)
        except NoWidget:  # outside the screen
            return None
        for node in widget.ancestors_with_self:
            if node.id and node.id.startswith("column-"):
                return int(node.id.split("-")[1])
        return None

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self.dragging = None
        stage = self._column_at(event.screen_x, event.screen_y)
        index = event.style.meta.get("option")
        column = next((c for c in self.columns if c.stage == stage), None)
        if column is not None and isinstance(index, int) and index < len(column.cards):
            self.dragging = column.cards[index]

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self.dragging is not None:  # mark the column a release would drop on
            held = event.button != 0
            self._drop_marks(self._column_at(event.screen_x, event.screen_y) if held else None)

    def _drop_marks(self, stage: int | None) -> None:
        for number in range(1, 6):
            self.query_one(f"#column-{number}").set_class(
                stage is not None and number == stage and self.dragging is not None
                and number != self.dragging.stage, "-drop"
            )  # fmt: skip

    def on_mouse_up(self, event: events.MouseUp) -> None:
        card, self.dragging = self.dragging, None
        self._drop_marks(None)
        target = self._column_at(event.screen_x, event.screen_y)
        if card is None or target is None or target == card.stage:
            return
        if abs(target - card.stage) != 1:
            self.notify(S.DROP_ONE_STAGE, markup=False, severity="warning")
            return
        self.move_deal(brief(card), target - card.stage)

    def action_cycle_owner(self) -> None:
        choices: list[str | None] = [None, *self.owners]
        self.owner = (
            choices[(choices.index(self.owner) + 1) % len(choices)]
            if self.owner in choices
            else None
        )
        self.load()

    def action_cycle_tier(self) -> None:
        self.tier = TIER_CHOICES[(TIER_CHOICES.index(self.tier) + 1) % len(TIER_CHOICES)]
        self.load()
