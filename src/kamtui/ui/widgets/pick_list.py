"""An option list where a click picks an option and a second click on it chooses it.

Textual's OptionList chooses on the first click. Where choosing opens something (a deal's
form, a card's account), a click that only meant to look at an option would open it; so
here, as in the Book's table, the first click highlights and the second chooses. Enter
chooses at once.
"""

from __future__ import annotations

from textual import events
from textual.widgets import OptionList


class PickList(OptionList):
    async def _on_click(self, event: events.Click) -> None:
        event.prevent_default()  # not OptionList's own: it chooses on the first click
        clicked = event.style.meta.get("option")
        if not isinstance(clicked, int) or self._options[clicked].disabled:
            return
        if clicked == self.highlighted:
            self.action_select()
        else:
            self.highlighted = clicked
