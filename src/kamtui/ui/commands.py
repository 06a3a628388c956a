"""The command palette (ctrl+p): find an account by any part of its name, Chinese too,
and open it; the app's own commands (help, theme, quit) come from Textual."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from kamtui.services.book import BookQuery
from kamtui.ui import strings as S
from kamtui.ui.safe import plain

if TYPE_CHECKING:
    from kamtui.ui.app import KamApp

MAX_HITS = 20


class AccountCommands(Provider):
    """Accounts whose name, industry, region or owner contains what was typed."""

    @property
    def kam(self) -> KamApp:
        return self.app  # type: ignore[return-value]

    async def search(self, query: str) -> Hits:
        query = query.strip()
        if not query:
            return
        rows = await asyncio.to_thread(self.kam.book.page, BookQuery(text=query), 0, MAX_HITS)
        for n, row in enumerate(rows):
            label = Text(plain(row.name))
            label.highlight_words([plain(query)], style="bold underline", case_sensitive=False)
            label.append(f"  {row.tier or '–'} · {row.owner}", style="dim")
            yield Hit(
                1.0 - n / (MAX_HITS * 2),
                label,
                partial(self.kam.open_account, row.id),
                text=row.name,
                help=S.PALETTE_OPEN_ACCOUNT,
            )

    async def discover(self) -> Hits:
        yield DiscoveryHit(
            S.PALETTE_HELP, self.kam.action_show_help_panel, help=S.PALETTE_HELP_HELP
        )


class TeamCommands(Provider):
    """Open team files: several reps' books as one read-only team view."""

    @property
    def kam(self) -> KamApp:
        return self.app  # type: ignore[return-value]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        # the command's name in the UI's language, and in English and Chinese
        for n, name in enumerate(dict.fromkeys((S.PALETTE_TEAM, "Open team files", "团队文件"))):
            score = matcher.match(name)
            if score > 0:
                label = matcher.highlight(name) if n == 0 else Text(S.PALETTE_TEAM)
                yield Hit(score, label, self.kam.ask_team_files, help=S.PALETTE_TEAM_HELP)
                return

    async def discover(self) -> Hits:
        yield DiscoveryHit(S.PALETTE_TEAM, self.kam.ask_team_files, help=S.PALETTE_TEAM_HELP)


class ImportCommands(Provider):
    """Open the import screen (a CSV or Excel file into the book)."""

    @property
    def kam(self) -> KamApp:
        return self.app  # type: ignore[return-value]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        # the command's name in the UI's language, and in English and Chinese
        for n, name in enumerate(dict.fromkeys((S.PALETTE_IMPORT, "Import a file", "导入文件"))):
            score = matcher.match(name)
            if score > 0:
                label = matcher.highlight(name) if n == 0 else Text(S.PALETTE_IMPORT)
                yield Hit(score, label, self.kam.open_import, help=S.PALETTE_IMPORT_HELP)
                return

    async def discover(self) -> Hits:
        yield DiscoveryHit(S.PALETTE_IMPORT, self.kam.open_import, help=S.PALETTE_IMPORT_HELP)
