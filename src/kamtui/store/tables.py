"""SQLModel tables of a kamtui book.

Editable records carry ``version``, raised on every save, so a save made from a stale
view can be refused. Columns under "derived" are computed by the services from the
other tables and rewritten whenever one of their inputs changes.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import DefaultClause, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel


class Account(SQLModel, table=True):
    __tablename__ = "accounts"
    __table_args__ = (
        # one index per order of the Book (repo.BOOK_SORTS); empty values last both ways
        Index("ix_accounts_tier_name", "tier_rank", "name", "id"),
        Index("ix_accounts_name", "name", "id"),
        Index("ix_accounts_score", "score", "id"),
        Index("ix_accounts_score_up", text("score IS NULL"), "score", "id"),
        Index("ix_accounts_health", "health_score", "id"),
        Index("ix_accounts_health_up", text("health_score IS NULL"), "health_score", "id"),
        Index("ix_accounts_stage", "top_stage", "id"),
        Index("ix_accounts_stage_up", text("top_stage IS NULL"), "top_stage", "id"),
        Index("ix_accounts_touch", "last_touch", "id"),
        Index("ix_accounts_touch_up", text("last_touch IS NULL"), "last_touch", "id"),
        Index("ix_accounts_track", "track", "name", "id"),
        Index("ix_accounts_owner", "owner", "name", "id"),
        Index("ix_accounts_next_action", "next_action", "id"),
        # the trash: only deleted accounts are in this index
        Index("ix_accounts_deleted", "deleted_at", sqlite_where=text("deleted_at IS NOT NULL")),
        # the Book's filters: counting what a filter matches reads this index, not the table
        # (repo.FILTER_INDEX)
        Index(
            "ix_accounts_filter",
            "search",
            "tier",
            "track",
            "health_color",
            "owner",
            sqlite_where=text("deleted_at IS NULL"),
        ),
        # the weekly plan of the whole book reads this index, not the table, in name order
        # (repo.PLAN_INDEX)
        Index(
            "ix_accounts_plan",
            "name",
            "id",
            "owner",
            "tier",
            "status",
            "last_touch",
            "last_exec_touch",
            "health_color",
            sqlite_where=text("deleted_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str
    industry: str = ""
    segment: str = ""
    region: str = ""
    annual_revenue: float | None = None
    employees: int | None = None
    branches: int | None = None
    tech_maturity: int | None = None
    financial_health: int | None = None
    owner: str = ""
    status: str = "prospect"  # prospect, customer, former
    track: str = "value"
    pain_points: str = ""
    pinned_tier: str | None = None
    pin_reason: str = ""
    renewal_intent: bool | None = None
    reference_willing: bool | None = None
    created_on: date
    version: int = 1
    deleted_at: datetime | None = None
    # derived
    score: float | None = None
    computed_tier: str | None = None
    tier: str | None = None
    tier_rank: int = 4
    missing_criteria: str = ""
    rfm: str = ""  # "r,f,m"
    health_score: int | None = None
    health_color: str | None = None
    health_flags: str = "[]"  # JSON list of {code, reason, date, severity}
    coverage: str = "[]"  # JSON list of {code, message}
    last_touch: date | None = None
    last_exec_touch: date | None = None
    top_stage: int | None = None
    next_action: str = ""
    search: str = ""  # lower-cased name, industry, region and owner, for typed filters
    # until when the derived values hold if no input changes (NULL: unknown); see repo
    valid_until: date | None = None


class Rating(SQLModel, table=True):
    __tablename__ = "ratings"
    account_id: int = Field(foreign_key="accounts.id", primary_key=True, ondelete="CASCADE")
    criterion: str = Field(primary_key=True)
    rating: int


class Contact(SQLModel, table=True):
    __tablename__ = "contacts"
    __table_args__ = (Index("ix_contacts_account", "account_id"),)
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", ondelete="CASCADE")
    name: str
    title: str = ""
    role: str = "user"
    stance: str = "neutral"
    influence: str = "medium"
    reports_to: int | None = Field(default=None, foreign_key="contacts.id", ondelete="SET NULL")
    left_on: date | None = None
    planned_action: str = ""
    email: str = ""
    phone: str = ""
    version: int = 1


class Deal(SQLModel, table=True):
    """A deal (opportunity). It is won when it passes the stage-3 gate (its contract
    signed, SPEC §5) and goes on through stages 4 and 5; ``won_on``, ``won_amount`` and
    ``won_forced`` record that move (schema 7), and a move back to stage 3 clears them."""

    __tablename__ = "deals"
    __table_args__ = (Index("ix_deals_account", "account_id"), Index("ix_deals_stage", "stage"))
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", ondelete="CASCADE")
    name: str
    amount: float = 0
    expected_close: date | None = None
    next_step: str = ""
    stage: int = 1
    status: str = "open"  # open, lost
    lost_reason: str = ""
    created_on: date
    stage_entered_on: date
    version: int = 1
    # the win (schema 7): the day it left stage 3 for 4, the amount then, forced or not
    won_on: date | None = None
    won_amount: float | None = None
    won_forced: bool = False


class StageChangeRow(SQLModel, table=True):
    __tablename__ = "deal_stage_changes"
    __table_args__ = (Index("ix_stage_changes_deal", "deal_id", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deals.id", ondelete="CASCADE")
    from_stage: int | None = None
    to_stage: int
    changed_on: date
    forced: bool = False
    lost: bool = False
    reason: str = ""


class DeliverableCheck(SQLModel, table=True):
    __tablename__ = "deal_deliverables"
    deal_id: int = Field(foreign_key="deals.id", primary_key=True, ondelete="CASCADE")
    deliverable: str = Field(primary_key=True)
    checked_on: date


class Interaction(SQLModel, table=True):
    __tablename__ = "interactions"
    __table_args__ = (Index("ix_interactions_account", "account_id", "happened_on"),)
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", ondelete="CASCADE")
    contact_id: int | None = Field(default=None, foreign_key="contacts.id", ondelete="SET NULL")
    kind: str = "call"  # call, email, meeting, visit
    happened_on: date
    executive: bool = False
    summary: str = ""
    version: int = 1


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        # an account's orders by day; RFM's twelve months of the whole book or of a range
        # of accounts, in account order, without reading the table
        Index("ix_orders_account_amount", "account_id", "ordered_on", "amount"),
    )
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", ondelete="CASCADE")
    number: str
    ordered_on: date
    amount: float


class InvoiceRow(SQLModel, table=True):
    __tablename__ = "invoices"
    __table_args__ = (
        Index("ix_invoices_account", "account_id"),
        Index("ix_invoices_unpaid", "paid_on"),
    )
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", ondelete="CASCADE")
    order_id: int | None = Field(default=None, foreign_key="orders.id", ondelete="SET NULL")
    number: str
    issued_on: date
    due_on: date
    amount: float
    paid_on: date | None = None


class Payment(SQLModel, table=True):
    __tablename__ = "payments"
    __table_args__ = (Index("ix_payments_invoice", "invoice_id"),)
    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoices.id", ondelete="CASCADE")
    paid_on: date
    amount: float


class TicketRow(SQLModel, table=True):
    __tablename__ = "tickets"
    __table_args__ = (Index("ix_tickets_account", "account_id", "opened_on"),)
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", ondelete="CASCADE")
    subject: str = ""
    severity: str = "normal"  # low, normal, high, critical
    opened_on: date
    closed_on: date | None = None
    satisfaction: int | None = None


class UsageRow(SQLModel, table=True):
    __tablename__ = "usage_snapshots"
    account_id: int = Field(foreign_key="accounts.id", primary_key=True, ondelete="CASCADE")
    month: date = Field(primary_key=True)
    active_users: int = 0
    logins: int = 0
    adoption_pct: int = 0


class Task(SQLModel, table=True):
    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_account", "account_id"),
        Index("ix_tasks_open_due", "done_on", "due_on"),
    )
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", ondelete="CASCADE")
    deal_id: int | None = Field(default=None, foreign_key="deals.id", ondelete="SET NULL")
    title: str
    due_on: date
    done_on: date | None = None
    source: str = "manual"  # manual, cadence, rule
    version: int = 1


class ChangeRow(SQLModel, table=True):
    """One change to one field of an account, contact, deal, rating or task: the change
    history. Values are kept as text (None when there was none); ``version`` is the
    changed record's version after the change (the account's for account and rating
    changes; None for a change that leaves it as it was, such as a touch date), so that a
    save refused as stale can list what changed since the version the user saw."""

    __tablename__ = "changes"
    __table_args__ = (Index("ix_changes_account", "account_id", "changed_at", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    entity: str  # account, contact, deal, rating, task
    entity_id: int  # the account's id for a rating (whose field is the criterion)
    account_id: int = Field(foreign_key="accounts.id", ondelete="CASCADE")
    field: str
    old_value: str | None = None
    new_value: str | None = None
    changed_at: datetime  # UTC
    changed_by: str = ""
    version: int | None = None


class PlanTick(SQLModel, table=True):
    """A weekly-plan item ticked done (schema 7): a touch logged from the plan, with the
    item as it read then (it leaves the derived plan once done) and what ticking it
    changed, so that the tick can be taken back. ``ref`` is the task or deal id (0: none)."""

    __tablename__ = "plan_ticks"
    __table_args__ = (
        UniqueConstraint("week", "account_id", "kind", "ref"),
        Index("ix_plan_ticks_account", "account_id"),
        Index("ix_plan_ticks_interaction", "interaction_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", ondelete="CASCADE")
    week: str  # ISO week, 2026-W48
    kind: str
    ref: int = 0
    due: date
    reason: str = ""
    executive: bool = False
    done_on: date
    interaction_id: int | None = Field(
        default=None, foreign_key="interactions.id", ondelete="SET NULL"
    )
    touch_before: date | None = None  # the account's last touches before the tick
    exec_touch_before: date | None = None


class Snooze(SQLModel, table=True):
    """A weekly-plan item put off until a day (schema 7). It holds while ``snoozed_until``
    is after the plan's first day and the item still rests on ``basis`` (see
    ``domain.plan.basis``); ``ref`` is the task or deal id (0: none)."""

    __tablename__ = "snoozes"
    __table_args__ = (
        UniqueConstraint("account_id", "kind", "ref"),
        Index("ix_snoozes_until", "snoozed_until"),
    )
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", ondelete="CASCADE")
    kind: str
    ref: int = 0
    snoozed_until: date
    reason: str = ""
    basis: str = ""
    snoozed_on: date


class Setting(SQLModel, table=True):
    __tablename__ = "settings"
    __table_args__ = (UniqueConstraint("key"),)
    key: str = Field(primary_key=True)
    value: str  # JSON


# keep an explicit, ordered list: migrations and tests iterate it
TABLES: list[type[SQLModel]] = [
    Account,
    Rating,
    Contact,
    Deal,
    StageChangeRow,
    DeliverableCheck,
    Interaction,
    Order,
    InvoiceRow,
    Payment,
    TicketRow,
    UsageRow,
    Task,
    Setting,
    ChangeRow,
    PlanTick,
    Snooze,
]


def _server_defaults() -> None:
    """Give every column with a plain Python default the same default in SQL, so rows
    written by bulk inserts, imports and migrations get it too."""
    for model in TABLES:
        for column in model.__table__.columns:  # type: ignore[attr-defined]
            default = column.default
            if column.server_default is not None or default is None or not default.is_scalar:
                continue
            value = default.arg
            if isinstance(value, bool):
                column.server_default = DefaultClause(text("1" if value else "0"))
            elif isinstance(value, int | float):
                column.server_default = DefaultClause(text(repr(value)))
            elif isinstance(value, str):
                column.server_default = DefaultClause(value)


_server_defaults()
