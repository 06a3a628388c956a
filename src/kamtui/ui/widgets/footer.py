"""The footer of every screen: Textual's, recomposed once per frame.

Opening a screen changes its keys several times in one go (the screen stack, the focus,
the tab shown); Textual's footer rebuilds its keys for each change. This one rebuilds
them once: the keys it shows are read when it recomposes, so the later changes are in.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    _recompose_pending = False

    def bindings_changed(self, screen: Screen) -> None:  # type: ignore[type-arg]
        if self._recompose_pending:
            return
        self._recompose_pending = True
        super().bindings_changed(screen)

    async def recompose(self) -> None:
        self._recompose_pending = False
        await super().recompose()
