"""Messages the UI's workers and widgets post; only their handlers touch widgets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable

from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import Worker

from kamtui.services.book import AccountRow, AccountView, Summary
from kamtui.services.team import TeamBook


@runtime_checkable
class ShowsFailure(Protocol):
    """A screen or widget whose workers' failures it shows itself, besides the app's
    notification: it ends its "Working…" state there and stays usable."""

    def work_failed(self, worker: Worker[object], message: str) -> None: ...


class ReportsFailures:
    """Mixed into every screen that runs workers. Textual tells only the node that ran a
    worker that its state changed (the message does not bubble), so this hands it to the
    app's one handler (``KamApp.worker_state_changed``)."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        assert isinstance(self, MessagePump)
        handler = getattr(self.app, "worker_state_changed", None)
        if handler is not None:
            handler(event)


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
