"""Messages the UI's workers and widgets post; only their handlers touch widgets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import Worker, WorkerState

from kamtui.services.book import AccountRow, AccountView, Summary

if TYPE_CHECKING:
    from kamtui.services.team import TeamBook


class ShowsFailure(MessagePump):
    """Base of every screen (and widget) that runs workers: when one fails, the app says so
    in one sentence and logs it (``KamApp.work_failed``), then ``work_failed`` here ends
    whatever "Working…" state waited for it, so that the screen stays usable.

    Textual posts a worker's state changes to the node that ran it and does not bubble them,
    so the app alone would never hear of a screen's failed worker: this handler tells it.
    """

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.app.work_failed(event.worker)  # type: ignore[attr-defined]

    def work_failed(self, worker: Worker[object], message: str) -> None:
        """``worker`` failed and the user was told ``message``: leave any waiting state."""


@dataclass
class RowsLoaded(Message):
    """A page of the Book arrived (``generation`` tells stale answers apart)."""

    generation: int
    total: int | None
    offset: int
    rows: list[AccountRow]


@dataclass
class SummaryLoaded(Message):
    summary: Summary
    owners: list[str]


@dataclass
class AccountLoaded(Message):
    view: AccountView


@dataclass
class RefreshProgress(Message):
    done: int
    total: int


@dataclass
class RefreshDone(Message):
    changed: int


@dataclass
class RefreshBusy(Message):
    """The refresh found the book locked by another program: the stored values, of ``day``,
    stay for now."""

    day: date | None


@dataclass
class BookChecked(Message):
    """SQLite's quick check of the book: ``problem`` is what it found wrong ("": nothing)."""

    problem: str


@dataclass
class OpenAccount(Message):
    account_id: int


@dataclass
class AccountChanged(Message):
    """A write to the open account finished (or failed, with ``error``): reload it."""

    note: str
    error: bool = False


@dataclass
class GateRefused(Message):
    """An advance was refused: these deliverables of the current stage are missing."""

    deal_id: int
    missing: list[str]


@dataclass
class TeamOpened(Message):
    """Several reps' files were opened as one read-only team view."""

    team: TeamBook
