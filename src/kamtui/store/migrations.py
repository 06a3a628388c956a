"""Schema versions of a book and the steps between them.

Version 1 is the first schema. Each later version adds a function ``_to_N(conn)`` that
upgrades a book from N-1 to N; ``upgrade`` runs them in order inside one transaction.
Every step is frozen: it runs its own version's DDL, never the ORM's current tables, so a
book upgraded step by step ends with the same schema as a new one (a test checks it).

- 1: the first schema.
- 2: ``changes``, the change history of accounts, contacts, deals, ratings and tasks; an
  index of the trash (deleted accounts).
- 3: ``accounts.valid_until``, the day until which an account's derived values hold
  (so that a refresh for a new day derives only the accounts that may have changed), with
  triggers that reset it whenever one of those values' inputs changes; an index of orders
  by date (RFM reads the last twelve months of the whole book); an index for every order
  of the Book (track and owner then name; next action; empty values last).
- 4: an index holding every column the Book filters on, for the accounts not in the trash,
  so that counting what a typed filter matches reads the index and not the whole table.
- 5: an index holding every column of an account the weekly plan reads (but the reason of
  its first health flag), for the accounts not in the trash, in name order: the whole
  book's plan reads it, a twelfth of the table, in the order it lists accounts.
- 6: orders indexed by account, day and amount, instead of by account and day and by day:
  RFM's twelve months, of the whole book or of a range of accounts, are read from it in
  account order, with no sort.
- 7: the won outcome and a weekly plan a rep can work through. ``deals.won_on``,
  ``won_amount`` and ``won_forced``: a deal is won when it leaves stage 3 for 4 (its
  contract signed, SPEC §5); the upgrade marks every deal already past stage 3 won on the
  day it last entered stage 4 or beyond from below (its stage history), for its amount,
  forced if that move was. ``plan_ticks``: plan items ticked done, so that a week's plan
  shows them ticked and a tick can be taken back; ``snoozes``: plan items put off until a
  day.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Connection

SCHEMA_VERSION = 7

# Tables every book of schema 1 or later has; opening a book checks them, so that a file
# marked as a book but holding other tables is refused with a clear message. Kept as names
# (not the ORM tables) so that opening a book does not load the ORM.
REQUIRED_TABLES = frozenset(
    {
        "accounts", "ratings", "contacts", "deals", "deal_stage_changes", "deal_deliverables",
        "interactions", "orders", "invoices", "payments", "tickets", "usage_snapshots",
        "tasks", "settings",
    }
)  # fmt: skip


def create_schema(conn: Connection) -> None:
    """The current schema, for a new book (the ORM layer loads only when one is made)."""
    from kamtui.store.tables import SQLModel

    SQLModel.metadata.create_all(conn)
    _run(conn, TRIGGERS)


# Tables added after version 1, by the version that added them: a book of that version or
# later must have them.
ADDED_TABLES: dict[int, frozenset[str]] = {
    2: frozenset({"changes"}),
    7: frozenset({"plan_ticks", "snoozes"}),
}


def required_tables(version: int) -> frozenset[str]:
    """The tables a book of schema ``version`` (1 or later) must have."""
    return REQUIRED_TABLES.union(*(t for v, t in ADDED_TABLES.items() if v <= version))


# Version 1's DDL, as SQLModel created it (IF NOT EXISTS, so that a book marked as
# version 0 but already holding the tables upgrades too).
_V1_DDL = (
    """CREATE TABLE IF NOT EXISTS accounts (
    id INTEGER NOT NULL, name VARCHAR NOT NULL, industry VARCHAR DEFAULT '' NOT NULL,
    segment VARCHAR DEFAULT '' NOT NULL, region VARCHAR DEFAULT '' NOT NULL,
    annual_revenue FLOAT, employees INTEGER, branches INTEGER, tech_maturity INTEGER,
    financial_health INTEGER, owner VARCHAR DEFAULT '' NOT NULL,
    status VARCHAR DEFAULT 'prospect' NOT NULL, track VARCHAR DEFAULT 'value' NOT NULL,
    pain_points VARCHAR DEFAULT '' NOT NULL, pinned_tier VARCHAR,
    pin_reason VARCHAR DEFAULT '' NOT NULL, renewal_intent BOOLEAN, reference_willing BOOLEAN,
    created_on DATE NOT NULL, version INTEGER DEFAULT 1 NOT NULL, deleted_at DATETIME,
    score FLOAT, computed_tier VARCHAR, tier VARCHAR, tier_rank INTEGER DEFAULT 4 NOT NULL,
    missing_criteria VARCHAR DEFAULT '' NOT NULL, rfm VARCHAR DEFAULT '' NOT NULL,
    health_score INTEGER, health_color VARCHAR, health_flags VARCHAR DEFAULT '[]' NOT NULL,
    coverage VARCHAR DEFAULT '[]' NOT NULL, last_touch DATE, last_exec_touch DATE,
    top_stage INTEGER, next_action VARCHAR DEFAULT '' NOT NULL,
    search VARCHAR DEFAULT '' NOT NULL,
    PRIMARY KEY (id))""",
    "CREATE INDEX IF NOT EXISTS ix_accounts_touch ON accounts (last_touch, id)",
    "CREATE INDEX IF NOT EXISTS ix_accounts_name ON accounts (name, id)",
    "CREATE INDEX IF NOT EXISTS ix_accounts_owner ON accounts (owner, id)",
    "CREATE INDEX IF NOT EXISTS ix_accounts_health ON accounts (health_score, id)",
    "CREATE INDEX IF NOT EXISTS ix_accounts_score ON accounts (score, id)",
    "CREATE INDEX IF NOT EXISTS ix_accounts_track ON accounts (track, id)",
    "CREATE INDEX IF NOT EXISTS ix_accounts_tier_name ON accounts (tier_rank, name, id)",
    "CREATE INDEX IF NOT EXISTS ix_accounts_stage ON accounts (top_stage, id)",
    """CREATE TABLE IF NOT EXISTS settings (
    "key" VARCHAR NOT NULL, value VARCHAR NOT NULL, PRIMARY KEY ("key"), UNIQUE ("key"))""",
    """CREATE TABLE IF NOT EXISTS ratings (
    account_id INTEGER NOT NULL, criterion VARCHAR NOT NULL, rating INTEGER NOT NULL,
    PRIMARY KEY (account_id, criterion),
    FOREIGN KEY(account_id) REFERENCES accounts (id) ON DELETE CASCADE)""",
    """CREATE TABLE IF NOT EXISTS contacts (
    id INTEGER NOT NULL, account_id INTEGER NOT NULL, name VARCHAR NOT NULL,
    title VARCHAR DEFAULT '' NOT NULL, role VARCHAR DEFAULT 'user' NOT NULL,
    stance VARCHAR DEFAULT 'neutral' NOT NULL, influence VARCHAR DEFAULT 'medium' NOT NULL,
    reports_to INTEGER, left_on DATE, planned_action VARCHAR DEFAULT '' NOT NULL,
    email VARCHAR DEFAULT '' NOT NULL, phone VARCHAR DEFAULT '' NOT NULL,
    version INTEGER DEFAULT 1 NOT NULL, PRIMARY KEY (id),
    FOREIGN KEY(account_id) REFERENCES accounts (id) ON DELETE CASCADE,
    FOREIGN KEY(reports_to) REFERENCES contacts (id) ON DELETE SET NULL)""",
    "CREATE INDEX IF NOT EXISTS ix_contacts_account ON contacts (account_id)",
    """CREATE TABLE IF NOT EXISTS deals (
    id INTEGER NOT NULL, account_id INTEGER NOT NULL, name VARCHAR NOT NULL,
    amount FLOAT DEFAULT 0 NOT NULL, expected_close DATE, next_step VARCHAR DEFAULT '' NOT NULL,
    stage INTEGER DEFAULT 1 NOT NULL, status VARCHAR DEFAULT 'open' NOT NULL,
    lost_reason VARCHAR DEFAULT '' NOT NULL, created_on DATE NOT NULL,
    stage_entered_on DATE NOT NULL, version INTEGER DEFAULT 1 NOT NULL, PRIMARY KEY (id),
    FOREIGN KEY(account_id) REFERENCES accounts (id) ON DELETE CASCADE)""",
    "CREATE INDEX IF NOT EXISTS ix_deals_stage ON deals (stage)",
    "CREATE INDEX IF NOT EXISTS ix_deals_account ON deals (account_id)",
    """CREATE TABLE IF NOT EXISTS orders (
    id INTEGER NOT NULL, account_id INTEGER NOT NULL, number VARCHAR NOT NULL,
    ordered_on DATE NOT NULL, amount FLOAT NOT NULL, PRIMARY KEY (id),
    FOREIGN KEY(account_id) REFERENCES accounts (id) ON DELETE CASCADE)""",
    "CREATE INDEX IF NOT EXISTS ix_orders_account ON orders (account_id, ordered_on)",
    """CREATE TABLE IF NOT EXISTS tickets (
    id INTEGER NOT NULL, account_id INTEGER NOT NULL, subject VARCHAR DEFAULT '' NOT NULL,
    severity VARCHAR DEFAULT 'normal' NOT NULL, opened_on DATE NOT NULL, closed_on DATE,
    satisfaction INTEGER, PRIMARY KEY (id),
    FOREIGN KEY(account_id) REFERENCES accounts (id) ON DELETE CASCADE)""",
    "CREATE INDEX IF NOT EXISTS ix_tickets_account ON tickets (account_id, opened_on)",
    """CREATE TABLE IF NOT EXISTS usage_snapshots (
    account_id INTEGER NOT NULL, month DATE NOT NULL, active_users INTEGER DEFAULT 0 NOT NULL,
    logins INTEGER DEFAULT 0 NOT NULL, adoption_pct INTEGER DEFAULT 0 NOT NULL,
    PRIMARY KEY (account_id, month),
    FOREIGN KEY(account_id) REFERENCES accounts (id) ON DELETE CASCADE)""",
    """CREATE TABLE IF NOT EXISTS deal_stage_changes (
    id INTEGER NOT NULL, deal_id INTEGER NOT NULL, from_stage INTEGER,
    to_stage INTEGER NOT NULL, changed_on DATE NOT NULL, forced BOOLEAN DEFAULT 0 NOT NULL,
    lost BOOLEAN DEFAULT 0 NOT NULL, reason VARCHAR DEFAULT '' NOT NULL, PRIMARY KEY (id),
    FOREIGN KEY(deal_id) REFERENCES deals (id) ON DELETE CASCADE)""",
    "CREATE INDEX IF NOT EXISTS ix_stage_changes_deal ON deal_stage_changes (deal_id, id)",
    """CREATE TABLE IF NOT EXISTS deal_deliverables (
    deal_id INTEGER NOT NULL, deliverable VARCHAR NOT NULL, checked_on DATE NOT NULL,
    PRIMARY KEY (deal_id, deliverable),
    FOREIGN KEY(deal_id) REFERENCES deals (id) ON DELETE CASCADE)""",
    """CREATE TABLE IF NOT EXISTS interactions (
    id INTEGER NOT NULL, account_id INTEGER NOT NULL, contact_id INTEGER,
    kind VARCHAR DEFAULT 'call' NOT NULL, happened_on DATE NOT NULL,
    executive BOOLEAN DEFAULT 0 NOT NULL, summary VARCHAR DEFAULT '' NOT NULL,
    version INTEGER DEFAULT 1 NOT NULL, PRIMARY KEY (id),
    FOREIGN KEY(account_id) REFERENCES accounts (id) ON DELETE CASCADE,
    FOREIGN KEY(contact_id) REFERENCES contacts (id) ON DELETE SET NULL)""",
    "CREATE INDEX IF NOT EXISTS ix_interactions_account ON interactions (account_id, happened_on)",
    """CREATE TABLE IF NOT EXISTS invoices (
    id INTEGER NOT NULL, account_id INTEGER NOT NULL, order_id INTEGER,
    number VARCHAR NOT NULL, issued_on DATE NOT NULL, due_on DATE NOT NULL,
    amount FLOAT NOT NULL, paid_on DATE, PRIMARY KEY (id),
    FOREIGN KEY(account_id) REFERENCES accounts (id) ON DELETE CASCADE,
    FOREIGN KEY(order_id) REFERENCES orders (id) ON DELETE SET NULL)""",
    "CREATE INDEX IF NOT EXISTS ix_invoices_account ON invoices (account_id)",
    "CREATE INDEX IF NOT EXISTS ix_invoices_unpaid ON invoices (paid_on)",
    """CREATE TABLE IF NOT EXISTS tasks (
    id INTEGER NOT NULL, account_id INTEGER NOT NULL, deal_id INTEGER,
    title VARCHAR NOT NULL, due_on DATE NOT NULL, done_on DATE,
    source VARCHAR DEFAULT 'manual' NOT NULL, version INTEGER DEFAULT 1 NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY(account_id) REFERENCES accounts (id) ON DELETE CASCADE,
    FOREIGN KEY(deal_id) REFERENCES deals (id) ON DELETE SET NULL)""",
    "CREATE INDEX IF NOT EXISTS ix_tasks_open_due ON tasks (done_on, due_on)",
    "CREATE INDEX IF NOT EXISTS ix_tasks_account ON tasks (account_id)",
    """CREATE TABLE IF NOT EXISTS payments (
    id INTEGER NOT NULL, invoice_id INTEGER NOT NULL, paid_on DATE NOT NULL,
    amount FLOAT NOT NULL, PRIMARY KEY (id),
    FOREIGN KEY(invoice_id) REFERENCES invoices (id) ON DELETE CASCADE)""",
    "CREATE INDEX IF NOT EXISTS ix_payments_invoice ON payments (invoice_id)",
)

_V2_DDL = (
    """CREATE TABLE IF NOT EXISTS changes (
    id INTEGER NOT NULL, entity VARCHAR NOT NULL, entity_id INTEGER NOT NULL,
    account_id INTEGER NOT NULL, field VARCHAR NOT NULL, old_value VARCHAR, new_value VARCHAR,
    changed_at DATETIME NOT NULL, changed_by VARCHAR DEFAULT '' NOT NULL, version INTEGER,
    PRIMARY KEY (id),
    FOREIGN KEY(account_id) REFERENCES accounts (id) ON DELETE CASCADE)""",
    "CREATE INDEX IF NOT EXISTS ix_changes_account ON changes (account_id, changed_at, id)",
    "CREATE INDEX IF NOT EXISTS ix_accounts_deleted ON accounts (deleted_at) "
    "WHERE deleted_at IS NOT NULL",
)


# The inputs of an account's derived values (see store.repo.load_derive_inputs): a change
# to any of them resets the account's valid_until, whoever makes it. Orders are not among
# them: RFM is ranked across the whole book, so a refresh compares every account's anyway.
INPUT_TABLES = (
    "ratings", "contacts", "usage_snapshots", "tickets", "invoices", "deals", "tasks",
)  # fmt: skip
INPUT_ACCOUNT_COLUMNS = (
    "status", "pinned_tier", "renewal_intent", "reference_willing", "last_touch",
    "last_exec_touch", "deleted_at",
)  # fmt: skip
_RESET = "UPDATE accounts SET valid_until = NULL WHERE valid_until IS NOT NULL AND id"


def _triggers() -> tuple[str, ...]:
    out = [
        f"CREATE TRIGGER IF NOT EXISTS tr_accounts_inputs AFTER UPDATE OF "
        f"{', '.join(INPUT_ACCOUNT_COLUMNS)} ON accounts BEGIN {_RESET} = NEW.id; END"
    ]
    for t in INPUT_TABLES:
        out += [
            f"CREATE TRIGGER IF NOT EXISTS tr_{t}_insert AFTER INSERT ON {t} "
            f"BEGIN {_RESET} = NEW.account_id; END",
            f"CREATE TRIGGER IF NOT EXISTS tr_{t}_update AFTER UPDATE ON {t} "
            f"BEGIN {_RESET} IN (NEW.account_id, OLD.account_id); END",
            f"CREATE TRIGGER IF NOT EXISTS tr_{t}_delete AFTER DELETE ON {t} "
            f"BEGIN {_RESET} = OLD.account_id; END",
        ]
    return tuple(out)


TRIGGERS = _triggers()  # of version 3 on; a later version that changes them adds its own

_V3_DDL = (
    "CREATE INDEX IF NOT EXISTS ix_orders_date ON orders (ordered_on, account_id, amount)",
    *TRIGGERS,
    # every order of the Book read from an index, empty values last both ways
    "DROP INDEX IF EXISTS ix_accounts_track",
    "CREATE INDEX ix_accounts_track ON accounts (track, name, id)",
    "DROP INDEX IF EXISTS ix_accounts_owner",
    "CREATE INDEX ix_accounts_owner ON accounts (owner, name, id)",
    "CREATE INDEX IF NOT EXISTS ix_accounts_next_action ON accounts (next_action, id)",
    "CREATE INDEX IF NOT EXISTS ix_accounts_score_up ON accounts (score IS NULL, score, id)",
    "CREATE INDEX IF NOT EXISTS ix_accounts_health_up "
    "ON accounts (health_score IS NULL, health_score, id)",
    "CREATE INDEX IF NOT EXISTS ix_accounts_stage_up ON accounts (top_stage IS NULL, top_stage, id)",
    "CREATE INDEX IF NOT EXISTS ix_accounts_touch_up "
    "ON accounts (last_touch IS NULL, last_touch, id)",
)

_V4_DDL = (
    "CREATE INDEX IF NOT EXISTS ix_accounts_filter "
    "ON accounts (search, tier, track, health_color, owner) WHERE deleted_at IS NULL",
)

_V5_DDL = (
    "CREATE INDEX IF NOT EXISTS ix_accounts_plan ON accounts (name, id, owner, tier, status, "
    "last_touch, last_exec_touch, health_color) WHERE deleted_at IS NULL",
)

_V6_DDL = (
    "CREATE INDEX IF NOT EXISTS ix_orders_account_amount "
    "ON orders (account_id, ordered_on, amount)",
    "DROP INDEX IF EXISTS ix_orders_account",
    "DROP INDEX IF EXISTS ix_orders_date",
)


_V7_COLUMNS = {
    "won_on": "ALTER TABLE deals ADD COLUMN won_on DATE",
    "won_amount": "ALTER TABLE deals ADD COLUMN won_amount FLOAT",
    "won_forced": "ALTER TABLE deals ADD COLUMN won_forced BOOLEAN DEFAULT 0 NOT NULL",
}
_V7_DDL = (
    """CREATE TABLE IF NOT EXISTS plan_ticks (
    id INTEGER NOT NULL, account_id INTEGER NOT NULL, week VARCHAR NOT NULL,
    kind VARCHAR NOT NULL, ref INTEGER DEFAULT 0 NOT NULL, due DATE NOT NULL,
    reason VARCHAR DEFAULT '' NOT NULL, executive BOOLEAN DEFAULT 0 NOT NULL,
    done_on DATE NOT NULL, interaction_id INTEGER, touch_before DATE, exec_touch_before DATE,
    PRIMARY KEY (id), UNIQUE (week, account_id, kind, ref),
    FOREIGN KEY(account_id) REFERENCES accounts (id) ON DELETE CASCADE,
    FOREIGN KEY(interaction_id) REFERENCES interactions (id) ON DELETE SET NULL)""",
    "CREATE INDEX IF NOT EXISTS ix_plan_ticks_account ON plan_ticks (account_id)",
    "CREATE INDEX IF NOT EXISTS ix_plan_ticks_interaction ON plan_ticks (interaction_id)",
    """CREATE TABLE IF NOT EXISTS snoozes (
    id INTEGER NOT NULL, account_id INTEGER NOT NULL, kind VARCHAR NOT NULL,
    ref INTEGER DEFAULT 0 NOT NULL, snoozed_until DATE NOT NULL,
    reason VARCHAR DEFAULT '' NOT NULL, basis VARCHAR DEFAULT '' NOT NULL,
    snoozed_on DATE NOT NULL, PRIMARY KEY (id), UNIQUE (account_id, kind, ref),
    FOREIGN KEY(account_id) REFERENCES accounts (id) ON DELETE CASCADE)""",
    "CREATE INDEX IF NOT EXISTS ix_snoozes_until ON snoozes (snoozed_until)",
)
# The move that won a deal already past stage 3: its last change from below stage 4 (or
# from nothing: a deal imported or made past stage 3) to stage 4 or beyond.
_V7_WINNING_MOVE = (
    "SELECT c.{column} FROM deal_stage_changes c WHERE c.deal_id = deals.id AND NOT c.lost "
    "AND c.to_stage >= 4 AND coalesce(c.from_stage, 0) < 4 ORDER BY c.id DESC LIMIT 1"
)
_V7_WINS = (
    f"UPDATE deals SET won_on = coalesce(({_V7_WINNING_MOVE.format(column='changed_on')}), "
    "stage_entered_on), won_amount = amount, "
    f"won_forced = coalesce(({_V7_WINNING_MOVE.format(column='forced')}), 0) WHERE stage >= 4"
)


def _run(conn: Connection, ddl: tuple[str, ...]) -> None:
    for statement in ddl:
        conn.exec_driver_sql(statement)


def _to_1(conn: Connection) -> None:
    _run(conn, _V1_DDL)


def _to_2(conn: Connection) -> None:
    """The change history (who changed which field, from what to what, when)."""
    _run(conn, _V2_DDL)


def _to_3(conn: Connection) -> None:
    """Derived values that know until when they hold, kept honest by triggers."""
    columns = {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(accounts)")}
    if "valid_until" not in columns:  # (a book marked older may have it already)
        conn.exec_driver_sql("ALTER TABLE accounts ADD COLUMN valid_until DATE")
    _run(conn, _V3_DDL)


def _to_4(conn: Connection) -> None:
    """The Book's filters counted from an index."""
    _run(conn, _V4_DDL)


def _to_5(conn: Connection) -> None:
    """The whole book's weekly plan read from an index."""
    _run(conn, _V5_DDL)


def _to_6(conn: Connection) -> None:
    """RFM's orders read by account from one covering index."""
    _run(conn, _V6_DDL)


def _to_7(conn: Connection) -> None:
    """Won deals; plan items ticked done and put off. Deals already past stage 3 are won."""
    columns = {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(deals)")}
    if "won_on" not in columns:  # (a book marked older may have them already)
        _run(conn, tuple(_V7_COLUMNS.values()))
        conn.exec_driver_sql(_V7_WINS)
    _run(conn, _V7_DDL)


STEPS: dict[int, Callable[[Connection], None]] = {
    1: _to_1, 2: _to_2, 3: _to_3, 4: _to_4, 5: _to_5, 6: _to_6, 7: _to_7,
}  # fmt: skip


def upgrade(conn: Connection, from_version: int) -> None:
    for version in range(from_version + 1, SCHEMA_VERSION + 1):
        STEPS[version](conn)
