"""A separate process working on a book, for the durability tests (not a test module).

    python book_worker.py write-loop BOOK ACCOUNT   save forever, until killed
    python book_worker.py edit BOOK                 commands on stdin, answers on stdout
    python book_worker.py settings-loop BOOK        save Settings forever, until killed

write-loop alternates two kinds of transaction, each designed so that a half-done one
would show:

- ratings: the account's version goes up by one and all four ratings are set to
  ``pattern(new version)``, and its score is recomputed, in one ``set_ratings``;
- bulk: the previous batch of BULK interactions is deleted and a new batch inserted with
  ``executemany``, with a marker setting naming the batch, in one bulk write transaction
  (its checkpoint runs in a background thread, so a kill may land in one).
"""

from __future__ import annotations

import json
import sys
from datetime import date

from kamtui.config import BookConfig, config_from_dict, config_to_dict
from kamtui.services.book import Book, StaleEditError

TODAY = date(2026, 11, 23)
BULK = 200
KEYS = ("strategic_fit", "profit_potential", "stability", "market_influence")


def pattern(version: int) -> dict[str, int]:
    return {k: 1 + (version // 5**j) % 5 for j, k in enumerate(KEYS)}


def write_loop(path: str, account: int) -> None:
    book = Book.open(path)
    assert not book.read_only, book.read_only_reason
    book.warm_up()  # SQLAlchemy imported before "ready": killed while writing, not importing
    print("ready", flush=True)
    while True:
        with book.store.reading() as conn:
            version = conn.exec_driver_sql(
                "SELECT version FROM accounts WHERE id = ?", (account,)
            ).scalar_one()
        book.set_ratings(account, pattern(version + 1), TODAY, seen_version=version)

        with book.store.writing(bulk=True) as conn:
            batch = int(book.store.get_setting(conn, "bulk_batch", 0)) + 1
            conn.exec_driver_sql(
                "DELETE FROM interactions WHERE account_id = ? AND summary LIKE 'bulk %'",
                (account,),
            )
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.executemany(
                "INSERT INTO interactions (account_id, kind, happened_on, executive, summary, "
                "version) VALUES (?, 'email', ?, 0, ?, 1)",
                [
                    (account, TODAY.isoformat(), f"bulk {batch} {i} " + "x" * 300)
                    for i in range(BULK)
                ],
            )
            book.store.put_setting(conn, "bulk_batch", batch)


def settings(n: int) -> BookConfig:
    """The n-th configuration settings-loop saves: thresholds and health weights that move
    many accounts' tiers and health colours back and forth."""
    data = config_to_dict(BookConfig())
    high = n % 2 == 1
    data["model"]["thresholds"] = (
        {"S": "4.20", "A": "3.60", "B": "2.60"} if high else {"S": "3.80", "A": "3.00", "B": "2.00"}
    )
    weights = data["health"]["weights"]
    first, second = sorted(weights)[:2]
    moved = min(weights[first], 10) if high else 0
    weights[first] -= moved
    weights[second] += moved
    return config_from_dict(data)


def settings_loop(path: str) -> None:
    book = Book.open(path)
    assert not book.read_only, book.read_only_reason
    book.warm_up()
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        book.save_config(settings(n), TODAY)


def edit(path: str) -> None:
    """view ID -> {"version", "ratings"}; rate ID SEEN KEY=N -> ok VERSION | stale MESSAGE."""
    book = Book.open(path)
    print("ready", flush=True)
    for line in sys.stdin:
        cmd, *args = line.split()
        if cmd == "view":
            with book.store.reading() as conn:
                version = conn.exec_driver_sql(
                    "SELECT version FROM accounts WHERE id = ?", (int(args[0]),)
                ).scalar_one()
                ratings: dict[str, int] = dict(
                    conn.exec_driver_sql(
                        "SELECT criterion, rating FROM ratings WHERE account_id = ?",
                        (int(args[0]),),
                    ).all()
                )
            print(json.dumps({"version": version, "ratings": ratings}), flush=True)
        elif cmd == "rate":
            account, seen = int(args[0]), int(args[1])
            key, value = args[2].split("=")
            try:
                book.set_ratings(account, {key: int(value)}, TODAY, seen_version=seen)
            except StaleEditError as e:
                print(f"stale {e}", flush=True)
            else:
                with book.store.reading() as conn:
                    v = conn.exec_driver_sql(
                        "SELECT version FROM accounts WHERE id = ?", (account,)
                    ).scalar_one()
                print(f"ok {v}", flush=True)
        elif cmd == "quit":
            break
    book.close()


if __name__ == "__main__":
    if sys.argv[1] == "write-loop":
        write_loop(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "settings-loop":
        settings_loop(sys.argv[2])
    else:
        edit(sys.argv[2])
