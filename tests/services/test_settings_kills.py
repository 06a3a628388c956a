"""A Settings save is the configuration and every value derived from it, in one
transaction: a process killed at any moment of ``Book.save_config`` leaves the stored
tiers and health those of the stored configuration, and the next open knows whether the
values were made by the book's rules (``Book.is_fresh``)."""

from __future__ import annotations

import random
import signal
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from kamtui.services.book import Book
from kamtui.services.demo import make_demo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "store"))
from book_worker import settings  # noqa: E402
from test_durability import ready, worker  # noqa: E402

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

TODAY = date(2026, 11, 23)
ACCOUNTS = 4000
KILLS = 8


@pytest.fixture(scope="module")
def big_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("settings") / "book.db"
    make_demo(path, accounts=ACCOUNTS, seed=2, today=TODAY).close()
    return path


@pytest.fixture
def big_book(big_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "book.db"
    path.write_bytes(big_template.read_bytes())
    return path


def agree(path: Path) -> tuple[str, int]:
    """The stored configuration's thresholds and how many accounts' stored values differ
    from what that configuration gives (read only: as the killed process left it)."""
    with Book.open(path, read_only=True) as book:
        on = book.derived_on()
        assert on == TODAY
        return book.config.model.thresholds.s.to_eng_string(), book.stale_accounts(on)


def test_the_configurations_moved_tiers(big_book: Path) -> None:
    """(what the kill test relies on: the two configurations give other values)"""
    with Book.open(big_book) as book:
        book.save_config(settings(1), TODAY)
        assert book.stale_accounts(TODAY) == 0
        book.config = settings(2)
        assert book.stale_accounts(TODAY) > ACCOUNTS // 10


def test_a_settings_save_killed_at_random_moments(big_book: Path) -> None:
    rng = random.Random(7)
    seen: set[str] = set()
    for _ in range(KILLS):
        proc = worker("settings-loop", str(big_book))
        ready(proc)
        time.sleep(rng.uniform(0.05, 2.5))
        if proc.poll() is not None:
            pytest.fail(f"the saver stopped by itself: {proc.communicate()[1]}")
        proc.send_signal(signal.SIGKILL)
        proc.communicate()

        threshold, stale = agree(big_book)
        assert stale == 0, f"{stale} accounts hold values of another configuration"
        seen.add(threshold)
        with Book.open(big_book) as book:  # the next open: nothing to recompute
            assert book.is_fresh(TODAY)
    assert len(seen) == 2  # the kills left one configuration or the other


def test_values_made_by_other_rules_are_not_fresh(big_book: Path) -> None:
    """A book whose configuration was changed without its values (another program, an
    older kamtui) is recomputed when it is opened, whatever day its values are for."""
    with Book.open(big_book) as book:
        assert book.is_fresh(TODAY)
        with book.store.writing() as conn:  # the configuration alone, as before this fix
            from kamtui.config import config_to_dict

            book.store.put_setting(conn, "config", config_to_dict(settings(1)))
    with Book.open(big_book) as book:
        assert book.stale_accounts(TODAY) > 0
        assert not book.is_fresh(TODAY)
        book.refresh(TODAY)
        assert book.is_fresh(TODAY) and book.stale_accounts(TODAY) == 0
