"""Reads of one book that the team view needs on top of ``repo``: the Book's rows in either
direction of a sort (with the sort's hidden column), totals per owner, every account's name.

Every function takes an open ``Connection`` from ``Store.reading()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Connection

from kamtui.store.repo import _ROW_COLS, SCAN_COST_ROWS, BookQuery, _raw

# what a team row holds: the Book's row columns, then the sort column the row does not show
TEAM_ROW_COLS = f"{_ROW_COLS}, tier_rank"


def reverse_order(order: str) -> str:
    """The exact reverse of an ORDER BY clause made by ``BookQuery.order_by``: every term's
    direction flipped (a term without one, such as ``score IS NULL``, is ascending)."""
    terms = []
    for term in order.split(","):
        term = term.strip()
        if term.endswith(" DESC"):
            terms.append(term[: -len(" DESC")] + " ASC")
        elif term.endswith(" ASC"):
            terms.append(term[: -len(" ASC")] + " DESC")
        else:
            terms.append(term + " DESC")
    return ", ".join(terms)


def account_rows(
    conn: Connection,
    q: BookQuery,
    offset: int,
    limit: int,
    *,
    backward: bool = False,
    matching: int | None = None,
) -> list[tuple[Any, ...]]:
    """Rows ``offset`` … ``offset + limit`` of the Book in the query's order, or counted
    from the end in the reverse order (``backward``); columns as ``TEAM_ROW_COLS``.
    ``matching`` (this book's count for the query) lets a narrow typed filter scan and sort
    the matches instead of walking the sort index (as ``repo.account_page`` does)."""
    if limit <= 0:
        return []
    where, params = q.where()
    order = q.order_by()
    if backward:
        order = reverse_order(order)
    if q.text.strip() and matching is not None:
        size = _raw(conn).execute("SELECT max(id) FROM accounts").fetchone()[0] or 0
        if (offset + limit) * size > SCAN_COST_ROWS * max(matching, 1):
            order = "+" + order
    return list(
        _raw(conn).execute(
            f"SELECT {TEAM_ROW_COLS} FROM accounts WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
    )


def owner_counts(conn: Connection) -> list[tuple[str, int, int, int]]:
    """(owner, accounts, red, yellow) for every owner, as stored."""
    return list(
        _raw(conn).execute(
            "SELECT owner, count(*), sum(health_color = 'red'), sum(health_color = 'yellow') "
            "FROM accounts WHERE deleted_at IS NULL GROUP BY owner"
        )
    )


def owner_deals(conn: Connection) -> dict[str, tuple[int, float]]:
    """owner → (open deals, their amount)."""
    return {
        owner: (n, total or 0.0)
        for owner, n, total in _raw(conn).execute(
            "SELECT a.owner, count(*), sum(d.amount) FROM deals d JOIN accounts a ON a.id = d.account_id "
            "WHERE d.status = 'open' AND a.deleted_at IS NULL GROUP BY a.owner"
        )
    }


def account_names(conn: Connection) -> list[tuple[int, str, str]]:
    """(id, name, owner) of every account."""
    return list(_raw(conn).execute("SELECT id, name, owner FROM accounts WHERE deleted_at IS NULL"))
