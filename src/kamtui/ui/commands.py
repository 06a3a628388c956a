"""The command palette (ctrl+p): find an account by any part of its name, Chinese too,
and open it; the app's own commands (keys, theme, quit) are Textual's, worded by the app
(``KamApp.get_system_commands``)."""

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


class KamProvider(Provider):
    @property
    def kam(self) -> KamApp:
        return self.app  # type: ignore[return-value]


class AccountCommands(KamProvider):
    """Accounts whose name, industry, region or owner contains what was typed."""

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


class DealCommands(KamProvider):
    """Open deals whose name contains what was typed: opens the account on its Deals tab."""

    async def search(self, query: str) -> Hits:
        query = query.strip()
        if not query:
            return
        deals = await asyncio.to_thread(self.kam.book.find_deals, query, MAX_HITS)
        for n, deal in enumerate(deals):
            label = Text(plain(deal.name))
            label.highlight_words([plain(query)], style="bold underline", case_sensitive=False)
            label.append(
                f"  {S.PALETTE_DEAL.format(stage=deal.stage, amount=f'{deal.amount:,.0f}')} · ",
                style="dim",
            )
            label.append(plain(deal.account), style="dim")
            yield Hit(
                0.9 - n / (MAX_HITS * 2),
                label,
                partial(self.kam.open_account, deal.account_id, "deals"),
                text=deal.name,
                help=S.PALETTE_OPEN_DEAL,
            )


SCREENS = (  # what the palette opens by name: (catalog key of the name, of the help, action)
    ("KEY_PLAN", "", "open_plan"),
    ("KEY_PIPELINE", "", "open_pipeline"),
    ("KEY_HEALTH_SCREEN", "", "open_health"),
    ("KEY_NEW", "", "new_account"),
    ("PALETTE_IMPORT", "PALETTE_IMPORT_HELP", "open_import"),
    ("KEY_SETTINGS", "", "open_settings"),
    ("KEY_TRASH", "", "open_trash"),
)


class ScreenCommands(KamProvider):
    """The screens and actions of the Book by name, in English or Chinese: those the Book
    offers (a read-only book offers no new account, no settings)."""

    def _offered(self) -> list[tuple[str, str, str]]:
        return [entry for entry in SCREENS if self.kam.book_offers(entry[2])]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for key, help_key, action in self._offered():
            shown = getattr(S, key)
            score = max(matcher.match(name) for name in (shown, S.EN[key], S.ZH.get(key, "")))
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(shown),
                    partial(self.kam.book_action, action),
                    text=shown,
                    help=getattr(S, help_key) if help_key else None,
                )

    async def discover(self) -> Hits:
        for key, help_key, action in self._offered():
            yield DiscoveryHit(
                getattr(S, key),
                partial(self.kam.book_action, action),
                help=getattr(S, help_key) if help_key else None,
            )


class TeamCommands(KamProvider):
    """Open team files: several reps' books as one read-only team view."""

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
