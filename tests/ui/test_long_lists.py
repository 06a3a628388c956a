"""A list whose items wrap keeps every line of every item when a scrollbar appears.

Textual measures an option's height when it is added, at the width the list has then; a
scrollbar that appears afterwards narrows the list, the item wraps once more, and its last
line was lost (a card's days in the pipeline, the end of a deliverable's name). kamtui's
lists keep the scrollbar's place (``scrollbar-gutter: stable``), so the width never changes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import OptionList

import kamtui.ui
from kamtui.ui.widgets.checklist import Checklist, Item
from kamtui.ui.widgets.pick_list import PickList

CSS = Path(kamtui.ui.__file__).parent / "app.tcss"


class Lists(App[None]):
    CSS_PATH = CSS
    DEFAULT_CSS = "OptionList { width: 30; height: 10; }"

    def __init__(self, kind: type[OptionList]) -> None:
        super().__init__()
        self.kind = kind

    def compose(self) -> ComposeResult:
        yield self.kind()

    def on_mount(self) -> None:
        self.set_timer(0.1, self.fill)  # as a worker's result arrives: after the first layout

    def fill(self) -> None:
        shown = self.query_one(self.kind)
        if isinstance(shown, Checklist):  # 25 cells with its "› [ ] "
            labels = [f"item {n} wordy wo END" for n in range(12)]
            shown.show([Item(label, label, False) for label in labels])
        else:  # 25 cells: one line without a scrollbar, two with
            shown.add_options([f"item {n} word word word END" for n in range(12)])


@pytest.mark.parametrize("kind", [OptionList, PickList, Checklist])
async def test_items_added_after_the_list_is_shown_keep_their_last_line(
    kind: type[OptionList],
) -> None:
    app = Lists(kind)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause(0.3)
        await pilot.pause()
        shown = app.query_one(kind)
        assert shown.max_scroll_y > 0  # the scrollbar is there
        rows = [
            shown.render_line(y).text.strip() for y in range(shown.scrollable_content_region.height)
        ]
        assert sum("END" in row for row in rows) == len(rows) // 2, rows
