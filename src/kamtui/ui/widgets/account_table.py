"""The Book's account table: a Line-API view that holds only the pages on screen.

On a narrow terminal the less telling columns give way (``GIVE_WAY``: the score, which
the tier already says, then the owner and deal stage shrink, then the track and the deal
stage go) so that the account's name and next action keep a width that can be read; at
160 columns every column is shown.

It never receives the whole book. It knows the row count and asks, through
``RequestPage``, for the 100-row pages it needs to paint; the screen fetches them in a
worker and hands them back with ``add_page``. A page from an older query (another
``generation``) is dropped. Rendered lines are cached, so moving the cursor repaints
two lines, not the table.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from kamtui.services.book import AccountRow
from kamtui.ui import strings as S
from kamtui.ui.first_rows import PAGE
from kamtui.ui.safe import text

MAX_PAGES = 60
MAX_CACHED_LINES = 400


@dataclass(frozen=True)
class Column:
    key: str  # also the sort key
    title_key: str  # in the catalog
    width: int  # 0: shares what the fixed columns leave
    justify: str = "left"

    @property
    def title(self) -> str:
        """The column's title in the UI's language."""
        return str(getattr(S, self.title_key))


COLUMNS: tuple[Column, ...] = (
    Column("tier", "COL_TIER", 6),
    Column("name", "COL_NAME", 0),
    Column("track", "COL_TRACK", 11),
    Column("score", "COL_SCORE", 8, "right"),
    Column("health", "COL_HEALTH", 8),
    Column("stage", "COL_STAGE", 15),
    Column("last_touch", "COL_LAST_TOUCH", 10),
    Column("next_action", "COL_NEXT_ACTION", 0),
    Column("owner", "COL_OWNER", 12),
)
NAME, NEXT_ACTION = 1, 7  # the two columns that share what the others leave
NAME_MIN, NEXT_ACTION_MIN, NAME_MAX = 24, 14, 40
# what gives way, in this order, until the name and next action get their least width:
# (column, its new width; 0 hides it)
GIVE_WAY: tuple[tuple[str, int], ...] = (
    ("score", 0),
    ("owner", 10),
    ("stage", 12),
    ("track", 0),
    ("stage", 0),
    ("owner", 8),
)


def column_widths(width: int) -> tuple[int, ...]:
    """Each column's width in a table ``width`` cells wide; 0 for a column left out."""
    widths = [c.width for c in COLUMNS]
    index = {c.key: n for n, c in enumerate(COLUMNS)}

    def room() -> int:  # what the name and the next action would share
        shown = [w for n, w in enumerate(widths) if w or n in (NAME, NEXT_ACTION)]
        return width - sum(widths) - (len(shown) - 1)

    for key, narrower in GIVE_WAY:
        if room() >= NAME_MIN + NEXT_ACTION_MIN:
            break
        widths[index[key]] = narrower
    flex = max(NAME_MIN + NEXT_ACTION_MIN, room())
    widths[NAME] = min(NAME_MAX, max(NAME_MIN, flex * 60 // 100))
    widths[NEXT_ACTION] = flex - widths[NAME]
    return tuple(widths)


class AccountTable(ScrollView, can_focus=True):
    """Tier, name, track, score, health, top deal stage, last touch, next action, owner."""

    BINDINGS = [
        Binding("up", "cursor(-1)", S.KEY_UP, show=False),
        Binding("down", "cursor(1)", S.KEY_DOWN, show=False),
        Binding("pageup", "page(-1)", S.KEY_PAGE_UP, show=False),
        Binding("pagedown", "page(1)", S.KEY_PAGE_DOWN, show=False),
        Binding("home", "jump(0)", S.KEY_FIRST, show=False),
        Binding("end", "jump(-1)", S.KEY_LAST, show=False),
        Binding("enter", "open", S.KEY_OPEN, id="book.open"),
    ]
    COMPONENT_CLASSES = {
        "account-table--header",
        "account-table--header-sorted",
        "account-table--cursor",
        "account-table--loading",
        "tier--S",
        "tier--A",
        "tier--B",
        "tier--C",
        "tier--unscored",
        "health--green",
        "health--yellow",
        "health--red",
        "account-table--muted",
    }

    cursor_row: reactive[int] = reactive(0, always_update=False, init=False)

    class RequestPage(Message):
        def __init__(self, generation: int, page: int) -> None:
            super().__init__()
            self.generation = generation
            self.page = page

    class Selected(Message):
        """Enter (or a click on the highlighted row) opens the account."""

        def __init__(self, account_id: int) -> None:
            super().__init__()
            self.account_id = account_id

    class SortClicked(Message):
        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.generation = 0
        self.total = 0
        self.sort_key = "tier"
        self.descending = False
        self._pages: OrderedDict[int, list[AccountRow]] = OrderedDict()
        self._requested: set[int] = set()
        self._lines: OrderedDict[tuple[int, int, bool], Strip] = OrderedDict()
        self._widths: tuple[int, ...] = ()
        self._width_for = -1

    # ---- data in -------------------------------------------------------------------------
    def reset(
        self,
        generation: int,
        total: int,
        first_rows: list[AccountRow],
        sort_key: str,
        descending: bool,
    ) -> None:
        """A new query: forget every page, keep the cursor in range, show the first rows."""
        self.generation = generation
        self.total = total
        self.sort_key, self.descending = sort_key, descending
        self._pages.clear()
        self._requested.clear()
        self._lines.clear()
        if first_rows:
            self._pages[0] = first_rows
        self.virtual_size = Size(self.scrollable_content_region.width, total + 1)
        self.set_reactive(AccountTable.cursor_row, min(self.cursor_row, max(0, total - 1)))
        self.scroll_to(y=0, animate=False, immediate=True)
        self.cursor_row = 0
        self.refresh()

    def add_page(self, generation: int, offset: int, rows: list[AccountRow]) -> None:
        if generation != self.generation:
            return
        page = offset // PAGE
        self._pages[page] = rows
        self._requested.discard(page)
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        self._lines.clear()
        self.refresh()

    def row_at(self, index: int) -> AccountRow | None:
        page = self._pages.get(index // PAGE)
        if page is None:
            if 0 <= index < self.total and index // PAGE not in self._requested:
                self._requested.add(index // PAGE)
                self.post_message(self.RequestPage(self.generation, index // PAGE))
            return None
        self._pages.move_to_end(index // PAGE)
        i = index % PAGE
        return page[i] if i < len(page) else None

    @property
    def current(self) -> AccountRow | None:
        return self.row_at(self.cursor_row) if self.total else None

    # ---- geometry ------------------------------------------------------------------------
    @property
    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _column_widths(self, width: int) -> tuple[int, ...]:
        if width != self._width_for:
            self._widths = column_widths(width)
            self._width_for = width
        return self._widths

    def on_resize(self) -> None:
        self._lines.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, self.total + 1)

    # ---- painting ------------------------------------------------------------------------
    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name, partial=True)

    def _cells(self, row: AccountRow) -> list[Text]:
        tier = row.tier or "unscored"
        tier_label = (row.tier or "–") + ("*" if row.pinned else "")
        stage = f"{row.top_stage} {S.stage_name(row.top_stage)}" if row.top_stage else "–"
        health = (
            text(f"● {row.health_score}", self._style(f"health--{row.health_color}"))
            if row.health_color
            else text("–", self._style("account-table--muted"))
        )
        return [
            text(tier_label, self._style(f"tier--{tier}")),
            text(row.name),
            text(S.track_short(row.track)),
            text("–" if row.score is None else f"{row.score:.2f}"),
            health,
            text(stage),
            text(row.last_touch.isoformat() if row.last_touch else "–"),
            text(S.say(row.next_action)),
            text(row.owner),
        ]

    def _assemble(self, cells: list[Text], widths: tuple[int, ...], base: Style) -> Strip:
        line = Text(no_wrap=True, end="")
        first = True
        for cell, col, w in zip(cells, COLUMNS, widths, strict=True):
            if not w:  # a column that gave way
                continue
            if not first:
                line.append(" ")
            first = False
            cell.truncate(w, overflow="ellipsis", pad=False)
            pad = w - cell.cell_len
            if col.justify == "right":
                line.append(" " * pad)
                line.append_text(cell)
            else:
                line.append_text(cell)
                line.append(" " * pad)
        width = self.scrollable_content_region.width
        line.truncate(width, overflow="crop", pad=True)
        line.stylize_before(base)
        return Strip(line.render(self.app.console), width)

    def _header(self, width: int) -> Strip:
        widths = self._column_widths(width)
        cells = []
        for c, w in zip(COLUMNS, widths, strict=True):
            arrow = (" ▼" if self.descending else " ▲") if c.key == self.sort_key else ""
            style = self._style(
                "account-table--header-sorted" if arrow else "account-table--header"
            )
            title = text(c.title)
            title.truncate(max(1, w - len(arrow)), overflow="ellipsis")  # the arrow stays
            title.append(arrow)
            title.stylize(style)
            cells.append(title)
        return self._assemble(cells, widths, self._style("account-table--header"))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._header(width)
        index = self.scroll_offset.y + y - 1
        if index >= self.total:
            return Strip.blank(width, self.rich_style)
        is_cursor = index == self.cursor_row and self.total > 0
        key = (index, width, is_cursor)
        cached = self._lines.get(key)
        if cached is not None:
            return cached
        row = self.row_at(index)
        base = self._style("account-table--cursor") if is_cursor else self.rich_style
        if row is None:
            strip = self._assemble(
                [text("…", self._style("account-table--loading"))]
                + [text("") for _ in COLUMNS[1:]],
                self._column_widths(width),
                base,
            )
            return strip
        strip = self._assemble(self._cells(row), self._column_widths(width), base)
        self._lines[key] = strip
        if len(self._lines) > MAX_CACHED_LINES:
            self._lines.popitem(last=False)
        return strip

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()

    # ---- moving --------------------------------------------------------------------------
    def watch_cursor_row(self, old: int, new: int) -> None:
        top = round(self.scroll_offset.y)
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif new >= top + self._visible_rows:
            self.scroll_to(y=new - self._visible_rows + 1, animate=False, immediate=True)
        self.refresh_line(old + 1)
        self.refresh_line(new + 1)

    def action_cursor(self, step: int) -> None:
        if self.total:
            self.cursor_row = max(0, min(self.total - 1, self.cursor_row + step))

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * self._visible_rows)

    def action_jump(self, where: int) -> None:
        if self.total:
            self.cursor_row = 0 if where == 0 else self.total - 1

    def action_open(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Selected(row.id))

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            x = 0
            for col, w in zip(
                COLUMNS, self._column_widths(self.scrollable_content_region.width), strict=True
            ):
                if not w:
                    continue
                if x <= offset.x < x + w + 1:
                    self.post_message(self.SortClicked(col.key))
                    return
                x += w + 1
            return
        index = round(self.scroll_offset.y) + offset.y - 1
        if 0 <= index < self.total:
            if index == self.cursor_row:
                self.action_open()
            else:
                self.cursor_row = index
