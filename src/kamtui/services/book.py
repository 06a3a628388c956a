"""An open book: what the CLI and the UI read and change, in a rep's terms."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from kamtui import __version__
from kamtui.config import BookConfig, config_from_dict, config_to_dict
from kamtui.domain import stages as sop
from kamtui.domain.account import check_profile
from kamtui.domain.counts import count
from kamtui.domain.decision_map import check_contact, check_reports_to
from kamtui.domain.errors import FieldError, InputError, KamError
from kamtui.domain.health import Flag
from kamtui.domain.plan import (
    BATCH,
    DoneItem,
    IsoWeek,
    PlanAccount,
    PlanDeal,
    PlanItem,
    PlanTask,
    Snooze,
    WeekPlan,
    basis,
    build_plan,
    check_snooze,
    due_by,
    holds,
    plan_start,
    task_reason,
)
from kamtui.domain.rfm import RFM, Concentration, OrderStats, concentration, rfm_scores
from kamtui.domain.scoring import check_pin, check_rating
from kamtui.services import history as hist
from kamtui.services import recompute
from kamtui.services.derive import RULES_VERSION, DeriveCache, Derived, derive, parse_rfm
from kamtui.services.history import Change, TrashedAccount
from kamtui.store import exports, migrations, plan_marks, repo
from kamtui.store import history as history_repo
from kamtui.store.db import BookBusy, BookDamaged, Store, new_store, newest_backup, open_store
from kamtui.store.repo import AccountRow, BookQuery

if TYPE_CHECKING:  # the Book's first screen reads without SQLAlchemy (see store.db)
    import sqlite3

    from sqlalchemy import Connection

__all__ = ["AccountRow", "Book", "BookBusy", "BookDamaged", "BookQuery", "StaleEditError"]

Progress = Callable[[int, int], None]
CHUNK = 5000
FEW_ACCOUNTS = 200  # recomputed after an edit: read their orders one account at a time
REFRESHED = "refreshed"  # setting: the day of the last refresh and the rules it used


class StaleEditError(KamError):
    """A save made from a view older than the record: refused, never a silent overwrite.

    ``changes`` are the changes made since the version the user saw, oldest first (the
    newer values, and who made them when); ``version`` is the record's version now: a save
    that passes it as its seen version re-applies the user's values over the newer ones."""

    def __init__(
        self, message: str, changes: Sequence[Change] = (), version: int | None = None
    ) -> None:
        super().__init__(message)
        self.changes = tuple(changes)
        self.version = version

    @property
    def theirs(self) -> list[Change]:
        """The newest change of each field changed since the user's view."""
        return list(hist.latest_by_field(self.changes).values())


@dataclass(frozen=True)
class Summary:
    """The Book's summary strip."""

    accounts: int
    by_tier: dict[str, int]
    by_color: dict[str, int]
    pipeline: dict[int, tuple[int, float]]  # stage → (open deals, amount)
    concentration: Concentration | None = None
    names: dict[int, str] | None = None  # names of the accounts in concentration.dependencies


class FlaggedAccount(NamedTuple):
    id: int
    name: str
    owner: str
    tier: str | None
    score: int | None
    color: str | None
    flags: tuple[Flag, ...]


class DealCard(NamedTuple):
    """A deal on the pipeline board."""

    id: int
    account_id: int
    account: str
    tier: str | None
    owner: str
    name: str
    amount: float
    stage: int
    days_in_stage: int
    missing: tuple[str, ...]
    version: int
    won_on: date | None = None  # a deal in stage 4 or 5 is won (SPEC §5)
    won_forced: bool = False


class PipelineColumn(NamedTuple):
    stage: int
    deals: int  # how many open deals are in the stage (cards holds the largest of them)
    total: float
    weighted: float
    cards: list[DealCard]


# ---- the 360° view ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    on: date
    kind: str  # interaction kind, order, invoice, payment, ticket, usage
    text: str
    executive: bool = False


@dataclass(frozen=True)
class DealView:
    id: int
    name: str
    amount: float
    stage: int
    status: str
    days_in_stage: int
    next_step: str
    expected_close: date | None
    checked: frozenset[str]
    missing: tuple[str, ...]  # deliverable keys of the current stage still missing
    history: tuple[sop.StageChange, ...]
    version: int
    won_on: date | None = None  # won: it left stage 3 for 4 (SPEC §5)
    won_amount: float | None = None
    won_forced: bool = False


class TaskView(NamedTuple):
    """A task on the account's Tasks tab: open, or done lately (``done_on``), and put off
    until a day in the weekly plan (``snoozed_until``, with its reason)."""

    id: int
    title: str
    due: date
    done_on: date | None = None
    snoozed_until: date | None = None
    snooze_reason: str = ""


class SnoozeView(NamedTuple):
    """A weekly-plan item of the account put off until a day: its kind, task or deal
    (``ref``, 0 for none) and what it is about (a task's title, a deal's name, or "")."""

    kind: str
    ref: int
    until: date
    reason: str
    about: str


class DealOutcome(NamedTuple):
    """What reports need of a deal's outcome (SPEC §5): won, lost or open, and for a won
    deal its day, amount and cycle (days from its first stage to the win)."""

    id: int
    account_id: int
    owner: str
    outcome: str
    started_on: date
    won_on: date | None
    won_amount: float | None
    won_forced: bool
    lost_on: date | None
    cycle_days: int | None


class DealHit(NamedTuple):
    """A deal found by name (the command palette)."""

    id: int
    name: str
    account_id: int
    account: str
    stage: int
    amount: float


class ContactInfo(NamedTuple):
    """What the decision map shows of a contact beyond the coverage rules' needs."""

    email: str
    phone: str
    version: int
    last_contact: date | None


@dataclass(frozen=True)
class AccountView:
    id: int
    version: int
    profile: dict[str, Any]
    derived: Derived
    pinned_tier: str | None
    pin_reason: str
    contacts: tuple[Any, ...]  # domain Contact
    deals: tuple[DealView, ...]
    timeline: tuple[TimelineEntry, ...]
    tasks: tuple[TaskView, ...]  # open ones (soonest due first), then done lately
    history: tuple[Change, ...] = ()  # newest first
    contact_info: Mapping[int, ContactInfo] = field(default_factory=dict)
    snoozes: tuple[SnoozeView, ...] = ()  # of the weekly plan, holding today

    def snoozed(self, kind: str, ref: int = 0) -> SnoozeView | None:
        return next((z for z in self.snoozes if (z.kind, z.ref) == (kind, ref)), None)


PROFILE_FIELDS = (
    "name", "industry", "segment", "region", "annual_revenue", "employees", "branches",
    "tech_maturity", "financial_health", "owner", "status", "track", "pain_points",
    "renewal_intent", "reference_willing", "created_on", "last_touch", "last_exec_touch",
)  # fmt: skip
TIMELINE_LIMIT = 200
HISTORY_LIMIT = 200
DONE_TASKS_DAYS = 30  # the Tasks tab lists the tasks done this long ago, to take a tick back


class Book:
    """One open book file and its configuration."""

    damage = ""  # what SQLite found wrong with the book, once it was (see stop_writing)

    def __init__(self, store: Store) -> None:
        self.store = store
        self.clock: Callable[[], datetime] = hist.utc_now  # when changes happen (tests set it)
        with store.reading_sqlite() as conn:
            self.config = config_from_dict(store.get_setting(conn, "config", {}))
            self.has_history = history_repo.has_history(conn)
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        # An older book is opened only read-only: it has no plan ticks or snoozes, and its
        # wins are read from its stage history (see repo.won_columns).
        self.current_schema = version >= migrations.SCHEMA_VERSION

    # ---- opening -------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, *, read_only: bool = False) -> Book:
        return cls(open_store(path, read_only=read_only))

    @classmethod
    def create(cls, path: str | Path, config: BookConfig | None = None) -> Book:
        """A new, empty book at ``path``, open."""
        with cls.making(path, config):
            pass
        return cls.open(path)

    @classmethod
    @contextmanager
    def making(cls, path: str | Path, config: BookConfig | None = None) -> Iterator[Book]:
        """A new book being made: what the block writes into the Book it is given is in the
        book when it appears at ``path``, whole, as the block ends; if the block fails or
        the process is killed, no book appears (see ``store.db.new_store``)."""
        with new_store(path) as store:
            with store.writing() as conn:
                store.put_setting(conn, "config", config_to_dict(config or BookConfig()))
            yield cls(store)

    @property
    def path(self) -> Path:
        return self.store.path

    @property
    def read_only(self) -> bool:
        return self.store.read_only

    def close(self) -> None:
        self.store.close()

    def warm_up(self) -> None:
        """Set up what the Book's first screen does without (SQLAlchemy and the engine, which
        every other read and every write use), so that the first action after it does not
        wait for them. For a background thread, once the first screen is shown."""
        _ = self.store.engine

    def __enter__(self) -> Book:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self, *, bulk: bool = False, derived: bool = False) -> Iterator[Connection]:
        with self.store.writing(bulk=bulk, derived=derived) as conn:
            yield conn

    def save_config(
        self, config: BookConfig, today: date, progress: Progress | None = None
    ) -> None:
        """Store a new configuration and recompute every tier and health with it, in one
        transaction: whenever the process stops, the stored values are those of the
        stored configuration. The values are computed first and the configuration written
        last, so that worker processes, which see only committed rows, still help."""
        self._refresh(today, config, progress, saving=True)
        self.config = config

    # ---- derived values ------------------------------------------------------------------
    def derived_on(self) -> date | None:
        with self.store.reading_sqlite() as conn:
            value = self.store.get_setting(conn, "derived_on")
        return date.fromisoformat(value) if value else None

    def is_fresh(self, today: date) -> bool:
        """Whether the stored values are for ``today`` and were computed by this kamtui
        with the book's configuration (else opening the book for writing refreshes it)."""
        with self.store.reading_sqlite() as conn:
            return self._fresh(conn, today)

    def _fresh(self, conn: Connection | sqlite3.Connection, today: date) -> bool:
        last = self.store.get_setting(conn, REFRESHED)
        return (
            isinstance(last, dict)
            and last.get("rules") == self._rules()
            and self.store.get_setting(conn, "derived_on") == today.isoformat()
        )

    def compute(
        self,
        conn: Connection,
        today: date,
        ids: Sequence[int] | None = None,
        with_rfm: bool = True,
        progress: Progress | None = None,
        id_range: tuple[int, int] | None = None,
    ) -> dict[int, tuple[repo.DeriveInputs, Derived]]:
        """Derived values for ``today`` of some accounts (``ids``, or the ids in ``id_range``,
        inclusive) or the whole book, in memory."""
        with recompute.paused_gc():
            if with_rfm:
                stats = repo.order_stats(conn, today)
            else:  # the stored RFM ranks serve; the tier/RFM mismatch flag needs the orders
                stats = self._order_stats(conn, today, ids) if ids is not None else {}
            rfms: Mapping[int, RFM | None] = rfm_scores(stats) if with_rfm else {}
            inputs = repo.load_derive_inputs(conn, today, ids, id_range=id_range)
            out: dict[int, tuple[repo.DeriveInputs, Derived]] = {}
            cache = DeriveCache()
            total = len(inputs)
            for n, (aid, a) in enumerate(inputs.items(), 1):
                rfm = rfms.get(aid) if with_rfm else parse_rfm(a.stored_rfm)
                out[aid] = (a, derive(a, self.config, today, rfm, stats.get(aid), cache))
                if progress and n % CHUNK == 0:
                    progress(n, total)
        if progress:
            progress(total, total)
        return out

    @staticmethod
    def _order_stats(conn: Connection, today: date, ids: Sequence[int]) -> dict[int, OrderStats]:
        """The order statistics of a few accounts (one query each), or of many (one query)."""
        if len(ids) > FEW_ACCOUNTS:
            every = repo.order_stats(conn, today)
            return {aid: every[aid] for aid in ids if aid in every}
        stats: dict[int, OrderStats] = {}
        for aid in ids:
            stats.update(repo.order_stats(conn, today, id_range=(aid, aid)))
        return stats

    def refresh(self, today: date, progress: Progress | None = None) -> int:
        """Recompute every account's derived values for ``today``; returns how many changed.

        A large book is recomputed on every core (see ``services.recompute``). After a
        refresh for an earlier day with the same configuration, only the accounts whose
        values may have changed since are derived again."""
        return self._refresh(today, self.config, progress, saving=False)

    def _refresh(
        self, today: date, config: BookConfig, progress: Progress | None, *, saving: bool
    ) -> int:
        """Recompute with ``config``, and store it if ``saving`` (a transaction that changes
        what the user set waits for the disk: not ``derived``)."""
        changed = 0
        vu = len(repo.DERIVED_COLS)  # the index of valid_until among REFRESH_COLS
        with self._write(bulk=True, derived=not saving) as conn:

            def write(changes: recompute.Changes) -> None:
                nonlocal changed
                for columns, rows in changes.items():
                    repo.write_derived(
                        conn, rows, [repo.REFRESH_COLS[i] for i in columns], refresh=True
                    )
                    if columns != (vu,):  # not only the day they stay valid until
                        changed += len(rows)

            rules = self._rules(config)
            since = self._refreshed_on(conn, rules)
            repo.cache_for_bulk_writes(conn)
            recompute.recompute_book(conn, self.path, config, today, write, progress, since=since)
            if saving:  # after the recompute: see recompute_book
                self.store.put_setting(conn, "config", config_to_dict(config))
            self.store.put_setting(conn, "derived_on", today.isoformat())
            self.store.put_setting(conn, REFRESHED, {"on": today.isoformat(), "rules": rules})
        return changed

    def _rules(self, config: BookConfig | None = None) -> str:
        """What the derived values are computed by: this kamtui and the book's configuration
        (or ``config``), but the plan's capacity, which derives nothing."""
        data = config_to_dict(config or self.config)
        del data["plan_capacity"]
        text = json.dumps([__version__, RULES_VERSION, data], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def _refreshed_on(self, conn: Connection, rules: str) -> date | None:
        """The day of the last refresh, when every stored value and valid_until is still that
        refresh's (or reset since) and was computed by the same rules; else None."""
        last = self.store.get_setting(conn, REFRESHED)
        if not isinstance(last, dict) or last.get("rules") != rules:
            return None
        on = last.get("on")
        if not isinstance(on, str) or on != self.store.get_setting(conn, "derived_on"):
            return None  # someone else stored values for another day since
        return date.fromisoformat(on)

    def _recompute(self, conn: Connection, account_ids: Sequence[int], today: date) -> None:
        """Recompute the given accounts inside the caller's write transaction."""
        results = self.compute(conn, today, ids=list(account_ids), with_rfm=False)
        repo.write_derived(conn, [(*dv.columns(), aid) for aid, (_, dv) in results.items()])

    def _overlay(self, conn: Connection, today: date) -> dict[int, Derived] | None:
        """Derived values for ``today`` computed in memory, nothing written, when the stored
        ones are not ``today``'s (``is_fresh``); None when they are. Only the accounts whose
        values differ from the stored ones: an account missing from it has ``today``'s
        values stored (see ``recompute.stale_values``). After a refresh for an earlier day
        with the same rules, only the accounts that a refresh would derive again are
        derived; otherwise (values of a later day, other rules, another program's) every
        account is."""
        if self._fresh(conn, today):
            return None
        since = self._refreshed_on(conn, self._rules()) if self.current_schema else None
        every = since is None or since > today
        return recompute.stale_values(conn, self.config, today, every=every)

    # ---- the Book ------------------------------------------------------------------------
    # The Book's own reads (count, page, owners, summary) go through sqlite3 alone: the first
    # screen is painted before SQLAlchemy is imported (see store.db).
    def count(self, query: BookQuery) -> int:
        with self.store.reading_sqlite() as conn:
            return repo.count_accounts(conn, query)

    def page(
        self, query: BookQuery, offset: int, limit: int, matching: int | None = None
    ) -> list[AccountRow]:
        """Rows ``offset`` … ``offset + limit`` of the Book; ``matching`` (the query's count,
        when known) lets a narrow typed filter take the faster plan."""
        with self.store.reading_sqlite() as conn:
            return repo.account_page(conn, query, offset, limit, matching)

    def owners(self) -> list[str]:
        with self.store.reading_sqlite() as conn:
            return repo.owners(conn)

    def summary(self, today: date | None = None) -> Summary:
        """Accounts per tier and health colour, the pipeline by stage and, given ``today``,
        revenue concentration over the trailing 12 months."""
        with self.store.reading_sqlite() as conn:
            by_tier, by_color, pipeline = repo.book_counts(conn)
            conc = names = None
            if today is not None:
                stats = repo.order_stats(conn, today, last_order=False)
                conc = concentration({aid: s.monetary for aid, s in stats.items()})
                names = repo.account_names(conn, [int(k) for k, _ in conc.dependencies])  # type: ignore[call-overload]
        return Summary(sum(by_tier.values()), by_tier, by_color, pipeline, conc, names)

    def concentration(self, today: date) -> Concentration:
        with self.store.reading_sqlite() as conn:
            stats = repo.order_stats(conn, today, last_order=False)
        return concentration({aid: s.monetary for aid, s in stats.items()})

    # ---- export --------------------------------------------------------------------------
    def account_records(self, today: date) -> list[dict[str, Any]]:
        """One record per account: the agreed export fields (see README, CLI)."""
        return list(self.each_account_record(today))

    def each_account_record(self, today: date) -> Iterator[dict[str, Any]]:
        """``account_records`` in a stream: the book is read a page of accounts at a time
        (``store.exports``), in one read transaction that lasts as long as the stream."""
        with self.store.reading() as conn:
            overlay = self._overlay(conn, today)
            keys = self.config.model.keys
            for a in exports.accounts(conn):
                yield _account_record(a, overlay, keys, today)

    # ---- the weekly plan -----------------------------------------------------------------
    def plan(self, week: IsoWeek, today: date, owner: str | None = None) -> WeekPlan:
        """The week's plan (of one owner's accounts): what is due, what was ticked done this
        week, what is put off, tier-C touches batched, what exceeds the rep's capacity
        folded (see ``domain.plan``)."""
        # A whole book's plan makes hundreds of thousands of tuples: no cyclic garbage
        # collection meanwhile, and its inputs are dropped before collection resumes, so
        # that the first collection after it walks the items alone.
        with recompute.paused_gc():
            with self.store.reading() as conn:
                overlay = self._overlay(conn, today)
                accounts, tasks, deals = self._plan_inputs(conn, week, today, owner, overlay)
                done, snoozes = self._plan_marks(conn, week, today, owner, overlay)
            made = build_plan(
                week,
                today,
                accounts,
                tasks,
                deals,
                self.config.cadences,
                self.config.stale_days,
                owner,
                done=done,
                snoozes=snoozes,
                capacity=self.config.plan_capacity,
            )
            del accounts, tasks, deals
        return made

    def _plan_marks(
        self,
        conn: Connection,
        week: IsoWeek,
        today: date,
        owner: str | None,
        overlay: Mapping[int, Derived] | None,
    ) -> tuple[list[DoneItem], list[Snooze]]:
        """The items ticked done in the week (touches ticked on the plan, tasks done) and
        the snoozes lasting beyond the plan's first day."""
        if not self.current_schema:
            return [], []
        done = [
            DoneItem(
                PlanItem(
                    t.account_id,
                    t.account,
                    t.owner,
                    t.tier,
                    t.kind,
                    t.due,
                    t.reason,
                    t.executive,
                    t.ref or None,
                ),
                t.done_on,
            )  # fmt: skip
            for t in plan_marks.week_ticks(conn, str(week), owner)
        ]
        for tid, aid, name, own, tier, title, due, on in plan_marks.tasks_done(
            conn, week.monday, week.sunday, owner
        ):
            item = PlanItem(aid, name, own, tier, "task", repo.d(due), task_reason(title), ref=tid)  # type: ignore[arg-type]
            done.append(DoneItem(item, date.fromisoformat(on)))
        if overlay:
            done = [
                DoneItem(i._replace(tier=overlay[i.account_id].tier), on)
                if i.account_id in overlay
                else DoneItem(i, on)
                for i, on in done
            ]
        snoozes = [
            Snooze(s.account_id, s.kind, s.ref, s.until, s.reason, s.basis)
            for s in plan_marks.snoozes_after(conn, plan_start(week, today), owner)
        ]
        return done, snoozes

    def _plan_inputs(
        self,
        conn: Connection,
        week: IsoWeek,
        today: date,
        owner: str | None,
        overlay: Mapping[int, Derived] | None,
    ) -> tuple[list[PlanAccount], list[PlanTask], list[PlanDeal]]:
        """What ``build_plan`` needs: the accounts that may have a health or touch item
        (and, when the stored values are not ``today``'s, every account whose tier and
        health the ``overlay`` derived afresh: see ``_overlay``), the open tasks due and the
        open deals."""
        day = _day_parser()
        new = tuple.__new__
        if overlay is None:  # (the usual case: one pass without a branch per account)
            rows = repo.plan_accounts(conn, owner, due_by(week, self.config.cadences))
            reason = repo.plan_reasons(conn, owner).get
            accounts = [
                new(
                    PlanAccount,
                    (aid, name, own, tier, status, day(lt), day(let), color, reason(aid, "")),
                )
                for aid, name, own, tier, status, lt, let, color in rows
            ]
        else:
            # those that may have an item by their stored values (today's, but for the
            # overlay's accounts), and the overlay's, whatever their stored values say
            rows = repo.plan_accounts(conn, owner, due_by(week, self.config.cadences), overlay)
            reason = repo.plan_reasons(conn, owner).get
            values = overlay.get
            accounts = []
            for aid, name, own, tier, status, lt, let, color in rows:
                dv = values(aid)
                if dv is None:
                    why = reason(aid, "")
                else:
                    tier, color = dv.tier, dv.health.color
                    why = dv.health.flags[0].reason if dv.health.flags else ""
                accounts.append(
                    new(PlanAccount, (aid, name, own, tier, status, day(lt), day(let), color, why))
                )
        tasks = [
            new(PlanTask, (tid, aid, name, own, tier, title, day(due)))
            for tid, aid, name, own, tier, title, due in repo.plan_tasks(conn, week.sunday, owner)
        ]
        missing = _missing_labels()
        in_stage: dict[str, int] = {}  # days in stage, by the day a deal entered it

        def days(entered: str) -> int:
            n = in_stage.get(entered)
            if n is None:
                n = in_stage[entered] = max(0, (today - day(entered)).days)
            return n

        deals = [
            new(
                PlanDeal,
                (did, aid, name, own, tier, deal, stage, missing(stage, checked), days(at)),
            )
            for did, aid, name, own, tier, deal, stage, at, checked in repo.plan_deals(conn, owner)
        ]
        if overlay:  # tasks and deals go under their account's tier as derived
            tasks = [
                t._replace(tier=overlay[t.account_id].tier) if t.account_id in overlay else t
                for t in tasks
            ]
            deals = [
                d._replace(tier=overlay[d.account_id].tier) if d.account_id in overlay else d
                for d in deals
            ]
        return accounts, tasks, deals

    # ---- changes -------------------------------------------------------------------------
    def add_account(self, today: date, *, name: str, **fields: Any) -> int:
        fields = check_profile({"name": name, **fields}, creating=True)
        name = fields.pop("name")
        with self._write() as conn:
            aid = repo.insert_account(conn, today, name, fields)
            self._record(conn, [("account", aid, aid, "created", None, name, 1)])
            self._recompute(conn, [aid], today)
        return int(aid)

    @staticmethod
    def _exists(conn: Connection, account_id: int) -> None:
        if repo.live_account_version(conn, account_id) is None:
            raise InputError(f"There is no account {account_id}.")

    @staticmethod
    def _fields(conn: Connection, account_id: int, *fields: str) -> tuple[Any, ...]:
        """Columns of an account known to exist (in the book or the trash)."""
        row = repo.account_fields(conn, account_id, fields)
        assert row is not None, f"account {account_id} is gone"
        return row

    def _bump(self, conn: Connection, account_id: int, seen_version: int | None) -> int:
        """Raise the account's version, refusing if it moved on since ``seen_version``
        (the refusal carries the changes made since); returns the new version."""
        version = repo.live_account_version(conn, account_id)
        if version is None:
            raise InputError(f"There is no account {account_id}.")
        if seen_version is not None and version != seen_version:
            changes = self._changes_since(
                conn, account_id, ("account", "rating"), account_id, seen_version
            )
            raise StaleEditError(
                _stale_message(f"Account {account_id}", version, seen_version, changes),
                changes,
                version,
            )
        repo.bump_account(conn, account_id)
        return version + 1

    def set_ratings(
        self,
        account_id: int,
        ratings: Mapping[str, int | None],
        today: date,
        seen_version: int | None = None,
    ) -> None:
        self.update_account(
            account_id, today, fields={}, ratings=ratings, seen_version=seen_version
        )

    def pin_tier(
        self,
        account_id: int,
        tier: str | None,
        reason: str,
        today: date,
        seen_version: int | None = None,
    ) -> None:
        """Pin a tier by hand with a reason (人工调级); ``tier=None`` unpins."""
        if tier is not None:
            tier, reason = check_pin(tier, reason)
        with self._write() as conn:
            version = self._bump(conn, account_id, seen_version)
            old_tier, old_reason = self._fields(conn, account_id, "pinned_tier", "pin_reason")
            new_reason = reason if tier else ""
            repo.update_profile(conn, account_id, {"pinned_tier": tier, "pin_reason": new_reason})
            pins = (("pinned_tier", old_tier, tier), ("pin_reason", old_reason, new_reason))
            self._record(conn, [("account", account_id, account_id, *pin, version) for pin in pins])
            self._recompute(conn, [account_id], today)

    def log_interaction(
        self,
        account_id: int,
        today: date,
        *,
        kind: str,
        on: date,
        summary: str = "",
        executive: bool = False,
        contact_id: int | None = None,
    ) -> int:
        with self._write() as conn:
            iid = self._log_touch(conn, account_id, today, kind, on, summary, executive, contact_id)
            self._recompute(conn, [account_id], today)
        return iid

    def _log_touch(
        self,
        conn: Connection,
        account_id: int,
        today: date,
        kind: str,
        on: date,
        summary: str = "",
        executive: bool = False,
        contact_id: int | None = None,
    ) -> int:
        """Log an interaction and keep the account's last touches current, with their
        history, in the caller's transaction (which recomputes the account)."""
        if kind not in ("call", "email", "meeting", "visit"):
            raise InputError(f"An interaction is a call, email, meeting or visit, not {kind!r}.")
        if on > today:
            raise InputError("An interaction cannot be logged in the future.")
        self._exists(conn, account_id)
        if contact_id is not None and not repo.is_contact_of(conn, contact_id, account_id):
            raise InputError(f"Contact {contact_id} is not a contact of account {account_id}.")
        iid = repo.insert_interaction(conn, account_id, contact_id, kind, on, executive, summary)
        before = repo.touches(conn, account_id)
        repo.record_touch(conn, account_id, on, executive)
        self._record_touches(conn, account_id, before)
        return iid

    def _record_touches(self, conn: Connection, account_id: int, before: tuple[Any, Any]) -> None:
        after = repo.touches(conn, account_id)
        # no version: a touch leaves an open profile form valid, and out of its conflicts
        self._record(
            conn,
            [
                ("account", account_id, account_id, f, before[n], after[n], None)
                for n, f in enumerate(("last_touch", "last_exec_touch"))
            ],
        )

    def deal_state(self, deal_id: int) -> tuple[int, int, str, set[str], int]:
        """(account id, stage, status, deliverables checked, version) of a deal."""
        with self.store.reading() as conn:
            return self._deal_state(conn, deal_id)

    @staticmethod
    def _deal_state(conn: Connection, deal_id: int) -> tuple[int, int, str, set[str], int]:
        state = repo.deal_state(conn, deal_id)
        if state is None:
            raise InputError(f"There is no deal {deal_id}.")
        account_id, stage, status, version = state
        checked = repo.deliverables_checked(conn, [deal_id]).get(deal_id, set())
        return account_id, stage, status, checked, version

    def check_deliverable(self, deal_id: int, key: str, done: bool, today: date) -> None:
        sop.stage_of_deliverable(key)
        with self._write() as conn:
            account_id, _, _, _, version = self._deal_state(conn, deal_id)
            if repo.set_deliverable(conn, deal_id, key, done, today):
                field = f"{hist.DELIVERABLE}{key}"
                self._record(
                    conn, [("deal", deal_id, account_id, field, not done, done, version + 1)]
                )
            self._recompute(conn, [account_id], today)

    def move_deal(
        self,
        deal_id: int,
        today: date,
        *,
        direction: int = 1,
        force_reason: str | None = None,
        lost_reason: str | None = None,
        seen_version: int | None = None,
    ) -> sop.StageChange:
        """Advance (+1), move back (-1) or close lost a deal, by the SOP's rules. Leaving
        stage 3 for 4 wins it (today, for its amount, forced or not); moving back from 4 to
        3 takes the win back; both with their history."""
        with self._write() as conn:
            account_id, stage, status, checked, version = self._deal_state(conn, deal_id)
            if status != "open":
                raise InputError(f"Deal {deal_id} is closed ({status}); it cannot move.")
            if seen_version is not None and version != seen_version:
                changes = self._changes_since(conn, account_id, ("deal",), deal_id, seen_version)
                raise StaleEditError(
                    _stale_message(f"Deal {deal_id}", version, seen_version, changes, "moving it"),
                    changes,
                    version,
                )
            if lost_reason is not None:
                change = sop.close_lost(stage, today, lost_reason)
            elif direction > 0:
                change = sop.advance(stage, checked, today, force_reason)
            else:
                change = sop.move_back(stage, today)
            repo.move_deal(conn, deal_id, change, today)
            moved: list[tuple[str, Any, Any]] = [("stage", change.from_stage, change.to_stage)]
            if change.lost:
                moved = [("status", "open", "lost"), ("lost_reason", "", change.reason)]
            elif change.forced:
                moved.append(("force_reason", None, change.reason))
            if sop.wins(change) or sop.unwins(change):
                won = today if sop.wins(change) else None
                was_on, was_amount, amount = repo.set_won(conn, deal_id, won, change.forced)
                moved += [("won_on", was_on, won), ("won_amount", was_amount, amount)]
            self._record(
                conn,
                [("deal", deal_id, account_id, f, old, new, version + 1) for f, old, new in moved],
            )
            for rule in sop.follow_ups_for(change, self.config.follow_ups):
                due = today + timedelta(days=rule.due_in_days)
                repo.insert_task(conn, account_id, rule.title, due, deal_id, source="rule")
            self._recompute(conn, [account_id], today)
        return change

    # ---- the 360° view ------------------------------------------------------------
    def account_view(self, account_id: int, today: date) -> AccountView:
        """Everything about one account in one place (the 360° view)."""
        with self.store.reading() as conn:
            row = repo.account_profile(conn, account_id, PROFILE_FIELDS)
            if row is None:
                raise InputError(f"There is no account {account_id}.")
            profile = dict(zip(PROFILE_FIELDS, row[: len(PROFILE_FIELDS)], strict=True))
            for key in ("created_on", "last_touch", "last_exec_touch"):
                profile[key] = repo.d(profile[key])
            computed = self.compute(conn, today, ids=[account_id], with_rfm=False)
            inputs, derived = computed[account_id]
            deal_rows = repo.account_deals(conn, account_id, self.current_schema)
            ids = [r[0] for r in deal_rows]
            checked = repo.deliverables_checked(conn, ids) if ids else {}
            history = repo.stage_history(conn, ids)
            deals = tuple(
                DealView(
                    did,
                    name,
                    amount,
                    stage,
                    status,
                    max(0, (today - date.fromisoformat(entered)).days),
                    step,
                    repo.d(close),
                    frozenset(checked.get(did, ())),
                    tuple(x.key for x in sop.missing_deliverables(stage, checked.get(did, ()))),
                    tuple(history.get(did, ())),
                    version,
                    repo.d(won_on),
                    won_amount,
                    bool(won_forced),
                )  # fmt: skip
                for did, name, amount, stage, status, entered, step, close, version, won_on, won_amount, won_forced in deal_rows
            )
            timeline = [
                TimelineEntry(on, kind, timeline_text(kind, fields), executive)
                for on, kind, executive, fields in repo.timeline(
                    conn, account_id, TIMELINE_LIMIT, self.current_schema
                )
            ]
            open_tasks = repo.open_tasks(conn, account_id)
            done_tasks: list[tuple[Any, ...]] = []
            snoozes: list[SnoozeView] = []
            if self.current_schema:
                since = today - timedelta(days=DONE_TASKS_DAYS)
                done_tasks = plan_marks.done_tasks(conn, account_id, since)
                stages = {d.id: d.stage for d in deals if d.status == "open"}
                now: dict[tuple[str, int], tuple[Any, str]] = {
                    ("touch", 0): (profile["last_touch"], ""),
                    ("exec_touch", 0): (profile["last_exec_touch"], ""),
                    ("health", 0): (derived.health.color, ""),
                    **{("task", tid): (due, title) for tid, title, due in open_tasks},
                    **{(k, d.id): (d.stage, d.name) for d in deals if d.id in stages
                       for k in ("deliverables", "stale_deal")},
                }  # fmt: skip
                for z in plan_marks.account_snoozes(conn, account_id, today):
                    snooze = Snooze(z.account_id, z.kind, z.ref, z.until, z.reason, z.basis)
                    found = now.get((z.kind, z.ref))
                    if found is not None and holds(snooze, today, found[0]):
                        snoozes.append(SnoozeView(z.kind, z.ref, z.until, z.reason, found[1]))
            snoozed = {z.ref: z for z in snoozes if z.kind == "task"}
            tasks = tuple(
                TaskView(tid, title, due, None, z.until if z else None, z.reason if z else "")
                for tid, title, due in open_tasks
                for z in (snoozed.get(tid),)
            ) + tuple(TaskView(tid, title, due, done) for tid, title, due, done in done_tasks)
            changes = self._history(conn, account_id, HISTORY_LIMIT)
            touched = repo.last_contacted(conn, account_id)
            info = {
                cid: ContactInfo(email, phone, version, touched.get(cid))
                for cid, (email, phone, version) in repo.contact_extras(conn, account_id).items()
            }
        return AccountView(
            account_id, row[-1], profile, derived, row[-3], row[-2], tuple(inputs.contacts), deals,
            tuple(timeline), tasks, changes, info, tuple(snoozes),
        )  # fmt: skip

    def deal_outcomes(self) -> list[DealOutcome]:
        """Every deal's outcome, for win rate and cycle length (``domain.stages``)."""
        with self.store.reading() as conn:
            rows = repo.deal_outcomes(conn, self.current_schema)
        out = []
        for did, aid, owner, status, created, first, won_on, amount, forced, lost in rows:
            won, started = repo.d(won_on), repo.d(first) or date.fromisoformat(created)
            out.append(
                DealOutcome(
                    did,
                    aid,
                    owner,
                    sop.outcome(status, won),
                    started,
                    won,
                    amount,
                    bool(forced),
                    repo.d(lost),
                    None if won is None else sop.cycle_days(started, won),
                )  # fmt: skip
            )
        return out

    # ---- deals -------------------------------------------------------------------------------
    def add_deal(
        self,
        account_id: int,
        today: date,
        *,
        name: str,
        amount: float = 0.0,
        expected_close: date | None = None,
        next_step: str = "",
    ) -> int:
        """A new deal, in stage 1 from today, with its creation in the stage history."""
        clean = sop.check_deal(
            {"name": name, "amount": amount, "expected_close": expected_close,
             "next_step": next_step}, creating=True,
        )  # fmt: skip
        name, amount, next_step = clean["name"], clean["amount"], clean["next_step"]
        with self._write() as conn:
            self._exists(conn, account_id)
            deal_id = repo.insert_deal(
                conn, account_id, today, name, amount, expected_close, next_step
            )
            self._record(conn, [("deal", deal_id, account_id, "created", None, name, 1)])
            self._recompute(conn, [account_id], today)
        return deal_id

    def find_deals(self, text: str, limit: int = 20) -> list[DealHit]:
        """Open deals whose name contains ``text``, largest first."""
        text = text.strip()
        if not text:
            return []
        with self.store.reading() as conn:
            return [DealHit(*r) for r in repo.find_deals(conn, text, limit)]

    # ---- the decision map --------------------------------------------------------------------
    def add_contact(self, account_id: int, today: date, **fields: Any) -> int:
        """A new person in the account's decision map (role, stance, influence, reports-to…)."""
        clean = check_contact(fields, today, creating=True)
        with self._write() as conn:
            self._exists(conn, account_id)
            check_reports_to(repo.account_contacts(conn, account_id), None, clean.get("reports_to"))
            contact_id = repo.insert_contact(conn, account_id, clean)
            self._record(
                conn, [("contact", contact_id, account_id, "created", None, clean["name"], 1)]
            )
            self._recompute(conn, [account_id], today)
        return contact_id

    def update_contact(
        self,
        contact_id: int,
        today: date,
        fields: Mapping[str, Any],
        seen_version: int | None = None,
    ) -> int:
        """Change a contact: edit, move to another role, mark as left (``left_on``) or back,
        set who they report to. Refused if the contact changed since ``seen_version``;
        returns the new version."""
        clean = check_contact(fields, today)
        with self._write() as conn:
            record = repo.contact_record(conn, contact_id)
            if record is None:
                raise InputError(f"There is no contact {contact_id}.")
            if "reports_to" in clean:
                check_reports_to(
                    repo.account_contacts(conn, record.account_id), contact_id, clean["reports_to"]
                )
            return self._save_edit(
                conn, today, ("contact", contact_id, f"Contact {record.fields['name']}"),
                record, clean, seen_version, repo.update_contact,
            )  # fmt: skip

    def update_deal(
        self,
        deal_id: int,
        today: date,
        fields: Mapping[str, Any],
        seen_version: int | None = None,
    ) -> int:
        """Change a deal's name, amount, expected close or next step (its stage moves with
        ``move_deal``). Refused if the deal changed since ``seen_version``; returns the new
        version."""
        clean = sop.check_deal(fields)
        with self._write() as conn:
            record = repo.deal_record(conn, deal_id)
            if record is None:
                raise InputError(f"There is no deal {deal_id}.")
            return self._save_edit(
                conn, today, ("deal", deal_id, f"Deal {record.fields['name']}"),
                record, clean, seen_version, repo.update_deal,
            )  # fmt: skip

    def _save_edit(
        self,
        conn: Connection,
        today: date,
        item: tuple[str, int, str],
        record: repo.ContactRecord | repo.DealRecord,
        clean: Mapping[str, Any],
        seen_version: int | None,
        write: Callable[[Connection, int, Mapping[str, Any]], None],
    ) -> int:
        """Save an edit of a contact or a deal (``item``: kind, id, what to call it): refuse
        it if stale, write only what changed with its history, recompute the account."""
        kind, item_id, label = item
        if seen_version is not None and record.version != seen_version:
            changes = self._changes_since(conn, record.account_id, (kind,), item_id, seen_version)
            raise StaleEditError(
                _stale_message(label, record.version, seen_version, changes),
                changes,
                record.version,
            )
        changed = {k: v for k, v in clean.items() if record.fields[k] != v}
        if not changed:
            return record.version
        write(conn, item_id, changed)
        version = record.version + 1
        self._record(
            conn,
            [
                (kind, item_id, record.account_id, k, record.fields[k], v, version)
                for k, v in changed.items()
            ],
        )
        self._recompute(conn, [record.account_id], today)
        return version

    # ---- tasks -------------------------------------------------------------------------------
    def add_task(self, account_id: int, today: date, *, title: str, due: date) -> int:
        """An open task on the account, due on ``due`` (it shows in that week's plan)."""
        title = title.strip()
        if not title:
            raise FieldError("title", "A task needs a title.")
        if len(title) > 500:
            raise FieldError("title", "A task's title is at most 500 characters.")
        if due < today - timedelta(days=365):
            raise FieldError("due", "A task cannot be due more than a year ago.")
        with self._write() as conn:
            self._exists(conn, account_id)
            task_id = repo.insert_task(conn, account_id, title, due)
            self._record(
                conn, [("task", task_id, account_id, "created", None, f"{title} · {due}", 1)]
            )
            self._recompute(conn, [account_id], today)
        return task_id

    def complete_task(self, task_id: int, today: date) -> None:
        """Tick a task done (today)."""
        with self._write() as conn:
            account_id = self._complete_task(conn, task_id, today)
            self._recompute(conn, [account_id], today)

    def _complete_task(self, conn: Connection, task_id: int, today: date) -> int:
        account_id = repo.complete_task(conn, task_id, today)
        if account_id is None:
            raise InputError(f"There is no open task {task_id}.")
        self._exists(conn, account_id)  # a task of an account in the trash stays as it is
        version = repo.task_version(conn, task_id)
        self._record(conn, [("task", task_id, account_id, "done_on", None, today, version)])
        return account_id

    def reopen_task(self, task_id: int, today: date) -> None:
        """Take back a task's tick: it is open again, as it was before."""
        with self._write() as conn:
            account_id = self._reopen_task(conn, task_id)
            self._recompute(conn, [account_id], today)

    def _reopen_task(self, conn: Connection, task_id: int) -> int:
        done = plan_marks.reopen_task(conn, task_id)
        if done is None:
            raise InputError(f"Task {task_id} is not done; there is no tick to take back.")
        account_id, done_on = done
        self._exists(conn, account_id)
        version = repo.task_version(conn, task_id)
        self._record(conn, [("task", task_id, account_id, "done_on", done_on, None, version)])
        return account_id

    # ---- the weekly plan: ticks and snoozes ----------------------------------------------
    # What a rep marks on the plan is kept in the book (plan_ticks, snoozes), with its
    # history: entity "plan", the task's or deal's id (else the account's), field
    # "tick:<kind>" (old and new: the week) or "snooze:<kind>" (the day, and the reason).
    def tick(
        self, week: IsoWeek, items: Sequence[PlanItem], today: date, *, kind: str = "call"
    ) -> list[str]:
        """Tick plan items done, all in one transaction: a task is completed; the touches
        of one account are one interaction logged today (a call, or ``kind``; executive if
        an executive touch is among them), kept as the items' tick in the week's plan so
        that it shows ticked and can be taken back. Returns the keys of the items ticked."""
        if any(i.kind == BATCH for i in items):
            raise InputError("Tick the accounts of a batch, not the batch itself.")
        touches: dict[int, list[PlanItem]] = {}
        with self._write() as conn:
            for item in items:
                if item.kind == "task" and item.ref is not None:
                    self._complete_task(conn, item.ref, today)
                elif item.kind in ("touch", "exec_touch"):
                    touches.setdefault(item.account_id, []).append(item)
                else:
                    raise InputError(
                        f"A {item.kind.replace('_', ' ')} item is done on its account, not ticked."
                    )
            for account_id, theirs in touches.items():
                ticked = plan_marks.ticks_of(
                    conn, str(week), [(i.kind, account_id, 0) for i in theirs]
                )
                if ticked:
                    raise InputError(
                        f"{theirs[0].account}: this {ticked[0].kind.replace('_', ' ')} is "
                        "ticked already."
                    )
                executive = any(i.kind == "exec_touch" for i in theirs)
                before = repo.touches(conn, account_id)
                iid = self._log_touch(conn, account_id, today, kind, today, executive=executive)
                for i in theirs:
                    fields = (i.kind, account_id, 0, i.due, i.reason, i.executive)
                    plan_marks.insert_tick(conn, str(week), fields, today, iid, before)
                self._record(
                    conn,
                    [("plan", account_id, account_id, f"tick:{i.kind}", None, str(week), None)
                     for i in theirs],
                )  # fmt: skip
            self._recompute(conn, sorted({i.account_id for i in items}), today)
        return [i.key for i in items]

    def untick(self, week: IsoWeek, items: Sequence[PlanItem], today: date) -> list[str]:
        """Take back the ticks of plan items, all in one transaction: a task is open again;
        a touch's interaction logged by the tick is deleted (and with it the tick of every
        item it ticked: a touch and an executive touch ticked by one call), and the account's
        last touches are what they would be without it. Returns the keys of the items whose
        tick was taken back."""
        taken: list[str] = []
        accounts: set[int] = set()
        with self._write() as conn:
            keys = []
            for item in items:
                if item.kind == "task" and item.ref is not None:
                    accounts.add(self._reopen_task(conn, item.ref))
                    taken.append(item.key)
                elif item.kind != BATCH:
                    keys.append((item.kind, item.account_id, item.ref or 0))
            ticks = plan_marks.ticks_of(conn, str(week), keys) if keys else []
            found = {(t.kind, t.account_id, t.ref) for t in ticks}
            missing = [i for i in items if (i.kind, i.account_id, i.ref or 0) in set(keys) - found]
            if missing:
                raise InputError(
                    f"{missing[0].account}: this {missing[0].kind.replace('_', ' ')} is not "
                    "ticked in this week's plan; there is no tick to take back."
                )
            logged: dict[int | None, list[plan_marks.TickRow]] = {}
            for t in ticks:
                logged.setdefault(t.interaction_id, []).append(t)
            for iid, theirs in logged.items():
                account_id = theirs[0].account_id
                self._exists(conn, account_id)
                if iid is not None:
                    before = repo.touches(conn, account_id)
                    plan_marks.delete_interaction(conn, iid)
                    first = theirs[0]
                    plan_marks.set_touches(
                        conn, account_id, (_iso(first.touch_before), _iso(first.exec_touch_before))
                    )
                    self._record_touches(conn, account_id, before)
                plan_marks.delete_ticks(conn, [t.id for t in theirs])
                self._record(
                    conn,
                    [("plan", account_id, account_id, f"tick:{t.kind}", str(week), None, None)
                     for t in theirs],
                )  # fmt: skip
                accounts.add(account_id)
                taken += [f"{t.kind}:{t.account_id}:{t.ref}" for t in theirs]
            self._recompute(conn, sorted(accounts), today)
        return taken

    def snooze(self, items: Sequence[PlanItem], until: date, reason: str, today: date) -> int:
        """Put plan items off until ``until`` (a later day, within a year), with an optional
        reason, in one transaction; an item put off already is put off anew. Each snooze
        keeps what its item rests on now (``domain.plan.BASIS``), so that it lapses when
        that changes. Returns how many items were put off."""
        until, reason = check_snooze(until, reason, today)
        if any(i.kind == BATCH for i in items):
            raise InputError("Put off the accounts of a batch, not the batch itself.")
        with self._write() as conn:
            for item in items:
                ref = item.ref or 0
                found, now = plan_marks.basis_values(conn, item.kind, item.account_id, ref)
                if not found:
                    raise InputError(
                        f"{item.account}: this {item.kind.replace('_', ' ')} is no longer in "
                        "the book; nothing was put off."
                    )
                old = plan_marks.snooze_of(conn, item.kind, item.account_id, ref)
                plan_marks.put_snooze(
                    conn, (item.kind, item.account_id, ref), until, reason, basis(now), today
                )
                said = until.isoformat() + (f" · {reason}" if reason else "")
                was = _snoozed_text(old) if old is not None else None
                self._record(
                    conn,
                    [("plan", ref or item.account_id, item.account_id, f"snooze:{item.kind}",
                      was, said, None)],
                )  # fmt: skip
        return len(items)

    def unsnooze(self, items: Sequence[PlanItem], today: date) -> int:
        """Bring put-off plan items back now; returns how many were put off."""
        brought = 0
        with self._write() as conn:
            for item in items:
                ref = item.ref or 0
                old = plan_marks.snooze_of(conn, item.kind, item.account_id, ref)
                if old is None:
                    continue
                plan_marks.delete_snooze(conn, old.id)
                self._record(
                    conn,
                    [("plan", ref or item.account_id, item.account_id, f"snooze:{item.kind}",
                      _snoozed_text(old), None, None)],
                )  # fmt: skip
                brought += 1
        return brought

    # ---- the profile -------------------------------------------------------------------------
    def update_account(
        self,
        account_id: int,
        today: date,
        *,
        fields: Mapping[str, Any],
        ratings: Mapping[str, int | None] | None = None,
        seen_version: int | None = None,
    ) -> int:
        """Save profile fields and ratings together; refused if the account changed since
        ``seen_version`` (the version the form was opened with). Returns the new version."""
        clean = check_profile(fields)
        keys = set(self.config.model.keys)
        for k, v in (ratings or {}).items():
            if k not in keys:
                raise InputError(f"The scoring model has no criterion {k!r}.")
            check_rating(k, v)
        with self._write() as conn:
            version = self._bump(conn, account_id, seen_version)
            changes: list[hist.ChangeSpec] = []
            if clean:
                old = self._fields(conn, account_id, *clean)
                changes += [
                    ("account", account_id, account_id, k, before, clean[k], version)
                    for k, before in zip(clean, old, strict=True)
                ]
                repo.update_profile(conn, account_id, clean)
            if ratings:
                had = repo.account_ratings(conn, account_id)
                changes += [
                    ("rating", account_id, account_id, k, had.get(k), v, version)
                    for k, v in ratings.items()
                ]
            for k, v in (ratings or {}).items():
                repo.set_rating(conn, account_id, k, v)
            self._record(conn, changes)
            self._recompute(conn, [account_id], today)
            return repo.account_version(conn, account_id)

    def account_version(self, account_id: int) -> int:
        with self.store.reading() as conn:
            return repo.account_version(conn, account_id)

    # ---- safety (kamtui doctor, opening notices) ----------------------------------------------
    def check(self) -> str:
        """SQLite's quick check of the whole book (see ``Store.check``): "" if it finds
        nothing wrong, else what it found, in SQLite's words."""
        return "; ".join(self.store.check())

    def stop_writing(self, damage: str) -> None:
        """The book was found damaged (``damage``: what SQLite found): refuse every change
        from now on; a write says the book is open read-only."""
        self.damage = damage
        self.store.read_only = True

    def newest_backup(self) -> Path | None:
        """The newest copy of the book beside it (`kamtui backup`, an upgrade, an import)."""
        return newest_backup(self.path)

    @property
    def read_only_reason(self) -> str:
        """Why a book asked for writing was opened read-only ("" if it was not, or if
        read-only was asked for): worth showing the user."""
        return self.store.notice

    def stale_accounts(self, today: date) -> int:
        """How many accounts' stored derived values differ from a recomputation for
        ``today`` (what ``refresh`` would rewrite); nothing is written."""
        with self.store.reading() as conn:
            results = self.compute(conn, today)
        return sum(1 for a, dv in results.values() if dv.columns() != a.stored)

    # ---- health -------------------------------------------------------------------------------
    def flagged(self, owner: str | None = None) -> list[FlaggedAccount]:
        """Every account with a health flag, red first, then by score (the Health screen)."""
        with self.store.reading() as conn:
            rows = repo.flagged_accounts(conn, owner)
        return [
            FlaggedAccount(
                aid,
                name,
                own,
                tier,
                score,
                color,
                tuple(
                    Flag(
                        f["code"],
                        f["reason"],
                        date.fromisoformat(f["date"]),
                        f.get("severity", "yellow"),
                    )
                    for f in json.loads(flags)
                ),
            )  # fmt: skip
            for aid, name, own, tier, score, color, flags in rows
        ]

    # ---- the pipeline board ------------------------------------------------------------------
    def pipeline(
        self, today: date, owner: str | None = None, tier: str | None = None, per_stage: int = 200
    ) -> list[PipelineColumn]:
        """Five columns of open deals, largest first (at most ``per_stage`` cards each), with
        every column's count, total and weighted value over all its deals."""
        with self.store.reading() as conn:
            totals = repo.pipeline_totals(conn, owner, tier)
            columns = []
            for st in sop.STAGES:
                cards = []
                for (
                    did, aid, account, tr, own, name, amount, entered, checked, version, won_on,
                    _, won_forced,
                ) in repo.pipeline_cards(
                    conn, st.number, owner, tier, per_stage, self.current_schema
                ):  # fmt: skip
                    missing = tuple(
                        x.label
                        for x in sop.missing_deliverables(
                            st.number, checked.split(",") if checked else ()
                        )
                    )
                    days = max(0, (today - date.fromisoformat(entered)).days)
                    cards.append(
                        DealCard(
                            did,
                            aid,
                            account,
                            tr,
                            own,
                            name,
                            amount,
                            st.number,
                            days,
                            missing,
                            version,
                            repo.d(won_on),
                            bool(won_forced),
                        )  # fmt: skip
                    )
                n, total = totals.get(st.number, (0, 0.0))
                columns.append(
                    PipelineColumn(st.number, n, total, sop.weighted_value(st.number, total), cards)
                )
        return columns

    # ---- history ------------------------------------------------------------------------------
    def user_name(self) -> str:
        """Who changes are recorded as: the name set for this book, else the OS user."""
        with self.store.reading() as conn:
            return self._who(conn)

    def set_user_name(self, name: str) -> None:
        """Record changes under ``name`` from now on ("" goes back to the OS user)."""
        name = name.strip()
        if len(name) > 100:
            raise InputError("A user name is at most 100 characters.")
        with self._write() as conn:
            if name:
                self.store.put_setting(conn, hist.USER_SETTING, name)
            else:
                repo.delete_setting(conn, hist.USER_SETTING)

    def _who(self, conn: Connection) -> str:
        name = self.store.get_setting(conn, hist.USER_SETTING)
        return name if isinstance(name, str) and name.strip() else hist.os_user()

    def stamp(self, conn: Connection) -> tuple[str, str]:
        """(when, who) for changes written now in ``conn``'s transaction."""
        return hist.stamp(self.clock()), self._who(conn)

    def _record(
        self, conn: Connection, changes: Sequence[hist.ChangeSpec], at: str | None = None
    ) -> None:
        """Write the changes that changed something, in the caller's transaction."""
        rows = []
        for entity, entity_id, account_id, name, old, new, version in changes:
            before, after = hist.as_text(old, name), hist.as_text(new, name)
            if before != after:
                rows.append((entity, entity_id, account_id, name, before, after, version))
        if rows:
            now, by = self.stamp(conn)
            history_repo.insert_changes(conn, [(*r[:6], at or now, by, r[6]) for r in rows])

    def _changes_since(
        self,
        conn: Connection,
        account_id: int,
        entities: Sequence[str],
        entity_id: int,
        version: int,
    ) -> list[Change]:
        if not self.has_history:
            return []
        rows = history_repo.changes_since(conn, account_id, entities, entity_id, version)
        return [Change.from_row(r) for r in rows]

    def _history(self, conn: Connection, account_id: int, limit: int) -> tuple[Change, ...]:
        if not self.has_history:
            return ()
        rows = history_repo.account_history(conn, account_id, limit)
        return tuple(Change.from_row(r) for r in rows)

    def history(self, account_id: int, limit: int = HISTORY_LIMIT) -> list[Change]:
        """The newest changes to an account and its contacts, deals, ratings and tasks,
        newest first (an account in the trash too)."""
        with self.store.reading() as conn:
            return list(self._history(conn, account_id, limit))

    # ---- the trash ----------------------------------------------------------------------------
    def delete_account(self, account_id: int, seen_version: int | None = None) -> None:
        """Move an account to the trash: it leaves every list, plan and total, and keeps
        everything it holds until it is restored or purged."""
        with self._write() as conn:
            version = self._bump(conn, account_id, seen_version)
            at = hist.stamp(self.clock())
            repo.update_profile(conn, account_id, {"deleted_at": at})
            self._record(
                conn, [("account", account_id, account_id, "deleted_at", None, at, version)], at
            )

    def restore_account(self, account_id: int, today: date) -> None:
        """Bring an account back from the trash, as it was, with its history."""
        with self._write() as conn:
            deleted_at, version = self._trashed(conn, account_id)
            repo.update_profile(conn, account_id, {"deleted_at": None})
            repo.bump_account(conn, account_id)
            self._record(
                conn,
                [("account", account_id, account_id, "deleted_at", deleted_at, None, version + 1)],
            )
            self._recompute(conn, [account_id], today)

    def purge_account(self, account_id: int) -> str:
        """Delete an account in the trash for good, with everything it holds and its
        history; returns its name. An account not in the trash is refused."""
        with self._write() as conn:
            self._trashed(conn, account_id)
            (name,) = self._fields(conn, account_id, "name")
            repo.purge_account(conn, account_id)
        return str(name)

    @staticmethod
    def _trashed(conn: Connection, account_id: int) -> tuple[str, int]:
        """(deleted at, version) of an account in the trash, or refuse."""
        row = repo.account_fields(conn, account_id, ("deleted_at", "version", "name"))
        if row is None:
            raise InputError(f"There is no account {account_id}, in the book or in the trash.")
        if row[0] is None:
            raise InputError(
                f"{row[2]} (account {account_id}) is not in the trash; delete it first."
            )
        return str(row[0]), int(row[1])

    def trash(self) -> list[TrashedAccount]:
        """Accounts in the trash, most recently deleted first."""
        with self.store.reading() as conn:
            rows = history_repo.trashed_accounts(conn, self.has_history)
        return [
            TrashedAccount(aid, name, owner, tier, hist.parse_stamp(str(at)), by or "")
            for aid, name, owner, tier, at, by in rows
        ]


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _snoozed_text(s: plan_marks.SnoozeRow) -> str:
    """A snooze as its history says it: the day, and the reason when there is one."""
    return s.until.isoformat() + (f" · {s.reason}" if s.reason else "")


def timeline_text(kind: str, fields: Sequence[Any]) -> str:
    """What an account's timeline says of one record (in English; the UI says it in the
    rep's language): an interaction's summary as written; an order, invoice or payment with
    its amount (``1,234,567.80``); a ticket with its state; a month's usage."""
    if kind in ("order", "payment"):
        number, amount = fields
        return f"{number}  {amount:,.2f}"
    if kind == "invoice":
        number, amount, due, paid = fields
        return f"{number}  {amount:,.2f}  due {due}" + ("" if paid else "  unpaid")
    if kind == "ticket":
        severity, subject, closed, satisfaction = fields
        state = "open" if closed is None else f"closed {closed}"
        rated = "" if satisfaction is None else f"  satisfaction {satisfaction}"
        return f"{severity}  {subject}  {state}{rated}"
    if kind == "usage":
        users, logins, adoption = fields
        return (
            f"{count(users, 'active user', 'active users')}, {count(logins, 'login', 'logins')},"
            f" {adoption}% adoption"
        )
    if kind == "won":
        name, amount, forced = fields
        return f"deal {name} won: {amount or 0:,.2f}" + (" (forced)" if forced else "")
    (summary,) = fields  # an interaction
    return str(summary or "")


def _day_parser() -> Callable[[str | None], Any]:
    """ISO dates to dates, memoized: a book's many rows share few distinct days."""
    seen: dict[str | None, date | None] = {None: None, "": None}

    def day(text: str | None) -> Any:
        try:
            return seen[text]
        except KeyError:
            value = seen[text] = date.fromisoformat(text)  # type: ignore[arg-type]
            return value

    return day


def _missing_labels() -> Callable[[int, str | None], tuple[str, ...]]:
    """The labels of a deal's missing deliverables, from its stage and the checked ones
    (comma-joined), memoized: deals share few combinations."""
    seen: dict[tuple[int, str | None], tuple[str, ...]] = {}
    by_set: dict[tuple[int, frozenset[str]], tuple[str, ...]] = {}

    def missing(stage: int, checked: str | None) -> tuple[str, ...]:
        key = (stage, checked)
        labels = seen.get(key)
        if labels is None:  # the same set may come comma-joined in any order
            done = frozenset(checked.split(",")) if checked else frozenset()
            labels = by_set.get((stage, done))
            if labels is None:
                labels = tuple(x.label for x in sop.missing_deliverables(stage, done))
                by_set[(stage, done)] = labels
            seen[key] = labels
        return labels

    return missing


def _stale_message(
    what: str, version: int, seen: int, changes: Sequence[Change], doing: str = "saving"
) -> str:
    """Why a save from a stale view is refused: the newer values, who and when."""
    if not changes:
        return (
            f"{what} was changed elsewhere (version {version}, you saw {seen}); "
            f"reload it before {doing}."
        )
    return (
        f"{what} was changed elsewhere since you opened it: {hist.describe(changes)}. "
        "Reload to see the new values, or re-apply yours over them."
    )


def _account_record(
    a: exports.AccountRecord,
    overlay: Mapping[int, Derived] | None,
    keys: Sequence[str],
    today: date,
) -> dict[str, Any]:
    """An account as its export says it: its derived values for ``today`` (the overlay's
    when it has them, else the stored ones)."""
    if overlay is not None and a.id in overlay:
        cols = overlay[a.id].columns()
        score, computed, tier, missing, rfm, hs, hc, hf, cov, nxt = (
            cols[0],
            cols[1],
            cols[2],
            cols[4],
            cols[5],
            cols[6],
            cols[7],
            cols[8],
            cols[9],
            cols[11],
        )
    else:
        score, computed, tier, missing, rfm, hs, hc, hf, cov, nxt = (
            a.score,
            a.computed_tier,
            a.tier,
            a.missing_criteria,
            a.rfm,
            a.health_score,
            a.health_color,
            a.health_flags,
            a.coverage,
            a.next_action,
        )
    rf = parse_rfm(rfm)
    return {
        "id": a.id,
        "name": a.name,
        "owner": a.owner,
        "track": a.track,
        "status": a.status,
        "industry": a.industry,
        "segment": a.segment,
        "region": a.region,
        "annual_revenue": a.annual_revenue,
        "employees": a.employees,
        "ratings": {k: a.ratings.get(k) for k in keys},
        "score": None if score is None else round(score, 2),
        "computed_tier": computed,
        "tier": tier or "unscored",
        "tier_pinned": a.pinned_tier is not None,
        "pin_reason": a.pin_reason or None,
        "missing_criteria": [m for m in missing.split(",") if m],
        "rfm": {"r": rf.r, "f": rf.f, "m": rf.m} if rf else None,
        "health": {"score": hs, "color": hc, "flags": json.loads(hf)},
        "coverage_warnings": json.loads(cov),
        "last_touch": a.last_touch,
        "last_exec_touch": a.last_exec_touch,
        "next_action": nxt,
        "open_deals": [
            {
                "id": x.id,
                "name": x.name,
                "amount": x.amount,
                "stage": x.stage,
                "stage_name": sop.stage(x.stage).label,
                "expected_close": x.expected_close,
                "next_step": x.next_step,
                "days_in_stage": (today - x.stage_entered_on).days,
                "missing_deliverables": [
                    d.key for d in sop.missing_deliverables(x.stage, x.checked)
                ],
            }
            for x in a.open_deals
        ],
    }
