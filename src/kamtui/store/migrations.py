"""Schema versions of a book and the steps between them.

Version 1 is the first schema. Each later version adds a function ``_to_N(conn)`` that
upgrades a book from N-1 to N; ``upgrade`` runs them in order inside one transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection

SCHEMA_VERSION = 1

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


def _to_1(conn: Connection) -> None:
    # While 1 is the newest version, the current schema is version 1. When version 2 comes,
    # freeze this step with version 1's own DDL and put the change in ``_to_2``.
    create_schema(conn)


STEPS: dict[int, Callable[[Connection], None]] = {1: _to_1}


def upgrade(conn: Connection, from_version: int) -> None:
    for version in range(from_version + 1, SCHEMA_VERSION + 1):
        STEPS[version](conn)
