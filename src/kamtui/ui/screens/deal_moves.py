"""Moving deals through the SOP from any screen: the same gate, the same dialogs.

A screen mixes in ``DealMoves``, says how to find a deal's name, stage and version
(``deal_brief``), and handles ``DealMoved`` (reload what it shows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual import work
from textual.message import Message

from kamtui.domain import stages as sop
from kamtui.domain.errors import KamError, StageGateError
from kamtui.services.book import Book
from kamtui.ui import strings as S
from kamtui.ui.messages import GateRefused, ShowsFailure
from kamtui.ui.screens.dialogs import GateChoice, GateDialog, ReasonDialog


@dataclass(frozen=True)
class DealBrief:
    id: int
    name: str
    stage: int
    version: int
    account: str  # the account's name: many deals share a name ("二期扩容")


@dataclass
class DealMoved(Message):
    """A move finished (or failed, with ``error``): reload."""

    note: str
    error: bool = False


class DealMoves(ShowsFailure):
    """Advance (``]``), move back (``[``) and close lost (``x``), through the stage gate."""

    book: Book
    today: date

    def deal_brief(self, deal_id: int) -> DealBrief | None:
        raise NotImplementedError

    def move_deal(self, deal: DealBrief, direction: int) -> None:
        self.write_move(deal.id, deal.version, direction, None, None)

    def close_deal_lost(self, deal: DealBrief) -> None:
        def done(reason: str | None) -> None:
            if reason:
                self.write_move(deal.id, deal.version, 0, None, reason)

        title = S.LOST_TITLE_AT.format(account=deal.account, deal=deal.name)
        self.app.push_screen(ReasonDialog(title), done)  # type: ignore[attr-defined]

    @work(thread=True, group="deal-move", exit_on_error=False)
    def write_move(
        self, deal_id: int, version: int, direction: int, force: str | None, lost: str | None,
        tick: tuple[str, ...] = (),
    ) -> None:  # fmt: skip
        post = self.post_message  # type: ignore[attr-defined]
        try:
            for key in tick:
                self.book.check_deliverable(deal_id, key, True, self.today)
            change = self.book.move_deal(
                deal_id, self.today, direction=direction or 1, force_reason=force, lost_reason=lost,
                seen_version=None if tick else version,
            )  # fmt: skip
        except StageGateError as e:
            post(GateRefused(deal_id, e.missing))
            return
        except KamError as e:
            post(DealMoved(str(e), error=True))
            return
        brief = self.deal_brief(deal_id)
        name = brief.name if brief else ""
        moved = S.DEAL_WON_NOTE if sop.wins(change) else S.DEAL_MOVED
        note = (
            S.DEAL_LOST.format(deal=name) if change.lost
            else moved.format(deal=name, stage=change.to_stage, label=S.stage_name(change.to_stage))
        )  # fmt: skip
        post(DealMoved(note))

    def on_gate_refused(self, message: GateRefused) -> None:
        deal = self.deal_brief(message.deal_id)
        if deal is None:
            return
        missing = [x for x in sop.stage(deal.stage).deliverables if x.key in message.missing]

        def done(choice: GateChoice | None) -> None:
            if choice is None:
                return
            if choice.force_reason:
                self.write_move(deal.id, deal.version, 1, choice.force_reason, None)
            else:
                self.write_move(deal.id, deal.version, 1, None, None, tick=choice.tick)

        dialog = GateDialog(deal.account, deal.name, deal.stage, missing)
        self.app.push_screen(dialog, done)  # type: ignore[attr-defined]
