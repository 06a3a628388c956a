"""The demo book: deterministic, realistic, and consistent with the rules (services/demo.py)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kamtui.domain.errors import InputError
from kamtui.domain.health import HealthConfig
from kamtui.domain.scoring import DEFAULT_MODEL, score_account
from kamtui.services.book import Book
from kamtui.services.demo import make_demo
from kamtui.store.db import BookError

TODAY = date(2026, 11, 23)
HAN = re.compile(r"[\u4e00-\u9fff]")


def records_of(path: Path, seed: int, today: date = TODAY) -> list[dict[str, Any]]:
    with make_demo(path, accounts=60, seed=seed, today=today) as book:
        return book.account_records(today)


@pytest.fixture
def db(demo60_path: Path) -> Iterator[sqlite3.Connection]:
    con = sqlite3.connect(f"file:{demo60_path.as_posix()}?mode=ro", uri=True)
    yield con
    con.close()


@pytest.fixture
def records(demo: Book) -> list[dict[str, Any]]:
    return demo.account_records(TODAY)


def test_same_seed_and_day_give_the_same_book(tmp_path: Path, demo: Book) -> None:
    again = records_of(tmp_path / "again.db", seed=1)
    assert again == demo.account_records(TODAY)


def test_another_seed_gives_another_book(tmp_path: Path, demo: Book) -> None:
    other = records_of(tmp_path / "other.db", seed=2)
    assert len(other) == len(demo.account_records(TODAY)) == 60
    assert other != demo.account_records(TODAY)
    assert [r["name"] for r in other] != [r["name"] for r in demo.account_records(TODAY)]


def test_demo_refuses_to_overwrite_and_keeps_the_file(demo60_path: Path) -> None:
    before = demo60_path.read_bytes()
    with pytest.raises(BookError, match="already exists"):
        make_demo(demo60_path, accounts=5, seed=3, today=TODAY)
    assert demo60_path.read_bytes() == before


def test_demo_needs_an_account(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        make_demo(tmp_path / "none.db", accounts=0, today=TODAY)
    assert not (tmp_path / "none.db").exists()


def test_demo_has_every_tier_track_and_colour(records: list[dict[str, Any]]) -> None:
    assert len(records) == 60
    assert {r["tier"] for r in records} >= {"S", "A", "B", "C"}
    assert {r["track"] for r in records} == {"value", "price", "lighthouse"}
    assert {r["health"]["color"] for r in records} == {"green", "yellow", "red"}
    assert {r["status"] for r in records} <= {"prospect", "customer", "former"}
    assert len({r["owner"] for r in records}) > 1


def test_demo_has_chinese_and_english_names(records: list[dict[str, Any]]) -> None:
    names = [r["name"] for r in records]
    assert any(HAN.search(n) for n in names)
    assert any(n.isascii() and re.search("[A-Za-z]", n) for n in names)
    assert len(set(names)) == len(names)


def test_demo_has_every_stage_and_stance(db: sqlite3.Connection) -> None:
    stages = {r[0] for r in db.execute("SELECT DISTINCT stage FROM deals WHERE status = 'open'")}
    stances = {r[0] for r in db.execute("SELECT DISTINCT stance FROM contacts")}
    roles = {r[0] for r in db.execute("SELECT DISTINCT role FROM contacts")}
    assert stages == {1, 2, 3, 4, 5}
    assert stances == {"champion", "supporter", "neutral", "skeptic", "blocker"}
    assert roles == {"user", "evaluator", "influencer", "finance", "economic_buyer"}


def test_every_score_and_tier_follows_from_the_ratings(
    records: list[dict[str, Any]], db: sqlite3.Connection
) -> None:
    ratings: dict[int, dict[str, int]] = {}
    for aid, crit, rating in db.execute("SELECT account_id, criterion, rating FROM ratings"):
        ratings.setdefault(aid, {})[crit] = rating
    pinned = dict(db.execute("SELECT id, pinned_tier FROM accounts"))

    for r in records:
        result = score_account(DEFAULT_MODEL, ratings.get(r["id"], {}))
        expected_score = None if result.score is None else float(result.score)
        assert r["score"] == expected_score, r["name"]
        assert r["computed_tier"] == result.computed_tier, r["name"]
        assert r["tier"] == (pinned[r["id"]] or result.computed_tier or "unscored"), r["name"]
        assert r["tier_pinned"] is (pinned[r["id"]] is not None)
        assert r["missing_criteria"] == list(result.missing)
        assert r["ratings"] == {k: ratings.get(r["id"], {}).get(k) for k in DEFAULT_MODEL.keys}


def test_stored_derived_columns_agree_with_their_inputs(db: sqlite3.Connection) -> None:
    colour = HealthConfig().color_for
    for aid, tier, rank, hs, hc, top, lt, let in db.execute(
        "SELECT id, tier, tier_rank, health_score, health_color, top_stage, last_touch, "
        "last_exec_touch FROM accounts"
    ):
        assert rank == {"S": 0, "A": 1, "B": 2, "C": 3, None: 4}[tier]
        assert hc == colour(hs)
        assert (
            top
            == db.execute(
                "SELECT max(stage) FROM deals WHERE account_id = ? AND status = 'open'", (aid,)
            ).fetchone()[0]
        )
        assert (
            lt
            == db.execute(
                "SELECT max(happened_on) FROM interactions WHERE account_id = ?", (aid,)
            ).fetchone()[0]
        )
        assert (
            let
            == db.execute(
                "SELECT max(happened_on) FROM interactions WHERE account_id = ? AND executive",
                (aid,),
            ).fetchone()[0]
        )


def test_demo_history_is_consistent(db: sqlite3.Connection) -> None:
    for did, stage, status, entered in db.execute(
        "SELECT id, stage, status, stage_entered_on FROM deals"
    ):
        history = db.execute(
            "SELECT from_stage, to_stage, changed_on, lost FROM deal_stage_changes "
            "WHERE deal_id = ? ORDER BY id",
            (did,),
        ).fetchall()
        assert history[0][0] is None and history[0][1] == 1
        moves = [h for h in history if not h[3]]
        assert moves[-1][1] == stage
        assert moves[-1][2] == entered
        assert any(h[3] for h in history) == (status == "lost")
    assert db.execute("SELECT max(happened_on) FROM interactions").fetchone()[0] <= str(TODAY)


def test_demo_is_marked_fresh_for_its_day(demo: Book) -> None:
    assert demo.derived_on() == TODAY
    assert demo.is_fresh(TODAY)
    assert demo.refresh(TODAY) == 0
