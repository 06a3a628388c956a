"""Schema versions of a book and the steps between them.

Version 1 is the first schema. Each later version adds a function ``_to_N(conn)`` that
upgrades a book from N-1 to N; ``upgrade`` runs them in order inside one transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection

from kamtui.store.tables import SQLModel

SCHEMA_VERSION = 1


def _to_1(conn: Connection) -> None:
    SQLModel.metadata.create_all(conn)


STEPS: dict[int, Callable[[Connection], None]] = {1: _to_1}


def upgrade(conn: Connection, from_version: int) -> None:
    for version in range(from_version + 1, SCHEMA_VERSION + 1):
        STEPS[version](conn)
