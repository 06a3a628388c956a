"""Use-cases of an open book: refresh, edits, deals, exports, plan, 360° view (services/book.py)."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kamtui.config import BookConfig, config_from_dict, config_to_dict
from kamtui.domain.errors import (
    FieldError,
    InputError,
    KamError,
    ModelError,
    RatingError,
    StageGateError,
)
from kamtui.domain.plan import IsoWeek, PlanAccount, build_plan
from kamtui.domain.scoring import DEFAULT_MODEL, Criterion, ScoringModel, Thresholds, score_account
from kamtui.domain.stages import DEFAULT_FOLLOW_UPS, STAGES
from kamtui.services.book import PROFILE_FIELDS, Book, BookQuery, StaleEditError, timeline_text
from kamtui.store import repo
from kamtui.store.tables import TABLES

TODAY = date(2026, 11, 23)
ALL_FIVE = {k: 5 for k in DEFAULT_MODEL.keys}
WEEK = IsoWeek(2026, 48)


# ---- helpers ------------------------------------------------------------------------------


def dump(book: Book) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, for 'nothing changed' checks."""
    with book.store.reading() as conn:
        return {
            str(t.__tablename__): sorted(
                (tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM {t.__tablename__}")),
                key=repr,
            )
            for t in TABLES
        }


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def add_deal(book: Book, account_id: int, stage: int = 1, entered: date = TODAY) -> int:
    """There is no service to create a deal yet: insert one with its first history row."""
    with book.store.writing() as conn:
        did = conn.exec_driver_sql(
            "INSERT INTO deals (account_id, name, amount, next_step, stage, status, lost_reason, "
            "created_on, stage_entered_on, version) VALUES (?, '数据中台项目', 500000, '', ?, "
            "'open', '', ?, ?, 1)",
            (account_id, stage, entered.isoformat(), entered.isoformat()),
        ).lastrowid
        conn.exec_driver_sql(
            "INSERT INTO deal_stage_changes (deal_id, from_stage, to_stage, changed_on, forced, "
            "lost, reason) VALUES (?, NULL, ?, ?, 0, 0, '')",
            (did, stage, entered.isoformat()),
        )
    assert did is not None
    return int(did)


def row(book: Book, aid: int) -> Any:
    rows = [r for r in book.page(BookQuery(), 0, 10_000) if r.id == aid]
    assert len(rows) == 1
    return rows[0]


def record(book: Book, aid: int, today: date = TODAY) -> dict[str, Any]:
    return next(r for r in book.account_records(today) if r["id"] == aid)


def q(book: Book, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with book.store.reading() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(sql, params)]


# ---- refresh ------------------------------------------------------------------------------


def test_refresh_recomputes_for_a_new_day_and_is_idempotent(demo: Book) -> None:
    later = TODAY + timedelta(days=45)
    in_memory = demo.account_records(later)

    changed = demo.refresh(later)

    assert changed > 0
    assert demo.derived_on() == later
    assert demo.refresh(later) == 0
    # what was computed in memory for the later day is what refresh stored
    assert demo.account_records(later) == in_memory
    assert in_memory != demo.account_records(TODAY)  # and a stale day is recomputed again


def test_refresh_of_the_same_day_changes_nothing(demo: Book) -> None:
    before = dump(demo)
    assert demo.refresh(TODAY) == 0
    assert dump(demo) == before


# ---- accounts -----------------------------------------------------------------------------


def test_add_account_shows_in_the_book_at_once(empty: Book) -> None:
    aid = empty.add_account(TODAY, name="  云翔集团  ", owner="张伟", track="lighthouse")

    r = row(empty, aid)
    assert (r.name, r.owner, r.track, r.tier, r.pinned) == (
        "云翔集团",
        "张伟",
        "lighthouse",
        None,
        False,
    )
    assert empty.count(BookQuery()) == 1
    for text in ("云", "云翔集", "张伟"):
        assert [x.id for x in empty.page(BookQuery(text=text), 0, 10)] == [aid]
    assert empty.count(BookQuery(tiers=frozenset({"unscored"}))) == 1
    assert empty.count(BookQuery(tiers=frozenset({"S"}))) == 0
    rec = record(empty, aid)
    assert rec["tier"] == "unscored"
    assert rec["missing_criteria"] == list(DEFAULT_MODEL.keys)


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"name": "   "}, "needs a name"),
        ({"name": "x", "track": "cheap"}, "Track"),
        ({"name": "x", "colour": "red"}, "Unknown account field"),
    ],
)
def test_add_account_refuses_bad_input(empty: Book, fields: dict[str, Any], error: str) -> None:
    before = dump(empty)
    with pytest.raises(InputError, match=error):
        empty.add_account(TODAY, **fields)
    assert dump(empty) == before


def test_set_ratings_changes_the_tier_at_once(empty: Book) -> None:
    aid = empty.add_account(TODAY, name="Apex Foods Inc")

    empty.set_ratings(aid, ALL_FIVE, TODAY)
    r = row(empty, aid)
    assert (r.tier, r.score) == ("S", 5.0)
    assert empty.count(BookQuery(tiers=frozenset({"S"}))) == 1

    empty.set_ratings(aid, {"strategic_fit": 1, "profit_potential": 2}, TODAY)
    expected = score_account(
        DEFAULT_MODEL,
        {"strategic_fit": 1, "profit_potential": 2, "stability": 5, "market_influence": 5},
    )
    r = row(empty, aid)
    assert r.score == float(expected.score or 0) == 2.9
    assert r.tier == expected.computed_tier == "C"

    empty.set_ratings(aid, {"stability": None}, TODAY)
    assert row(empty, aid).tier is None
    rec = record(empty, aid)
    assert rec["tier"] == "unscored"
    assert rec["missing_criteria"] == ["stability"]
    assert rec["ratings"]["stability"] is None


@pytest.mark.parametrize(
    "ratings", [{"strategic_fit": 6}, {"strategic_fit": 0}, {"stability": "5"}, {"nope": 3}]
)
def test_set_ratings_refuses_bad_ratings(empty: Book, ratings: dict[str, Any]) -> None:
    aid = empty.add_account(TODAY, name="x")
    empty.set_ratings(aid, ALL_FIVE, TODAY)
    before = dump(empty)
    with pytest.raises(KamError):
        empty.set_ratings(aid, ratings, TODAY)
    assert dump(empty) == before


def test_set_ratings_for_a_missing_account(empty: Book) -> None:
    with pytest.raises(InputError, match="no account 42"):
        empty.set_ratings(42, ALL_FIVE, TODAY)


def test_pin_tier_needs_a_reason_and_shows_as_pinned(empty: Book) -> None:
    aid = empty.add_account(TODAY, name="云翔集团")
    empty.set_ratings(aid, ALL_FIVE, TODAY)
    before = dump(empty)

    with pytest.raises(RatingError, match="reason"):
        empty.pin_tier(aid, "C", "   ", TODAY)
    with pytest.raises(RatingError):
        empty.pin_tier(aid, "X", "because", TODAY)
    assert dump(empty) == before

    empty.pin_tier(aid, "C", "  客户正在重组，暂降级观察 ", TODAY)
    r = row(empty, aid)
    assert (r.tier, r.pinned) == ("C", True)
    rec = record(empty, aid)
    assert rec["tier"] == "C" and rec["computed_tier"] == "S"
    assert rec["tier_pinned"] is True
    assert rec["pin_reason"] == "客户正在重组，暂降级观察"
    view = empty.account_view(aid, TODAY)
    assert (view.pinned_tier, view.pin_reason) == ("C", "客户正在重组，暂降级观察")

    empty.pin_tier(aid, None, "", TODAY)
    r = row(empty, aid)
    assert (r.tier, r.pinned) == ("S", False)
    rec = record(empty, aid)
    assert (rec["tier_pinned"], rec["pin_reason"]) == (False, None)


def test_log_interaction_updates_last_touches(empty: Book) -> None:
    aid = empty.add_account(TODAY, name="Bluewater Health Ltd")
    empty.set_ratings(aid, ALL_FIVE, TODAY)

    empty.log_interaction(aid, TODAY, kind="call", on=TODAY - timedelta(days=10))
    rec = record(empty, aid)
    assert rec["last_touch"] == str(TODAY - timedelta(days=10))
    assert rec["last_exec_touch"] is None

    empty.log_interaction(
        aid, TODAY, kind="visit", on=TODAY - timedelta(days=3), executive=True, summary="高层拜访"
    )
    empty.log_interaction(aid, TODAY, kind="email", on=TODAY - timedelta(days=30))  # older
    rec = record(empty, aid)
    assert rec["last_touch"] == rec["last_exec_touch"] == str(TODAY - timedelta(days=3))
    assert row(empty, aid).last_touch == TODAY - timedelta(days=3)

    view = empty.account_view(aid, TODAY)
    assert view.profile["last_touch"] == TODAY - timedelta(days=3)
    touches = [e for e in view.timeline if e.kind in ("call", "email", "visit")]
    assert [e.on for e in touches] == [TODAY - timedelta(days=d) for d in (3, 10, 30)]
    assert [e.executive for e in touches] == [True, False, False]


@pytest.mark.parametrize(
    ("kind", "on", "error"),
    [
        ("call", TODAY + timedelta(days=1), "future"),
        ("fax", TODAY, "call, email, meeting or visit"),
        ("", TODAY, "call, email, meeting or visit"),
    ],
)
def test_log_interaction_refuses_future_dates_and_bad_kinds(
    empty: Book, kind: str, on: date, error: str
) -> None:
    aid = empty.add_account(TODAY, name="x")
    before = dump(empty)
    with pytest.raises(InputError, match=error):
        empty.log_interaction(aid, TODAY, kind=kind, on=on)
    assert dump(empty) == before


# ---- stale edits --------------------------------------------------------------------------


def test_a_save_from_a_stale_view_is_refused_and_changes_nothing(empty: Book) -> None:
    aid = empty.add_account(TODAY, name="云翔集团")
    seen_by_a = empty.account_view(aid, TODAY).version
    seen_by_b = seen_by_a

    empty.set_ratings(aid, ALL_FIVE, TODAY, seen_version=seen_by_a)  # A saves first
    before = dump(empty)

    with pytest.raises(StaleEditError, match="changed elsewhere") as caught:
        empty.set_ratings(aid, {k: 1 for k in DEFAULT_MODEL.keys}, TODAY, seen_version=seen_by_b)
    assert "\n" not in str(caught.value)
    with pytest.raises(StaleEditError):
        empty.pin_tier(aid, "C", "late", TODAY, seen_version=seen_by_b)
    assert dump(empty) == before
    assert row(empty, aid).tier == "S"

    fresh = empty.account_view(aid, TODAY).version
    assert fresh == seen_by_a + 1
    empty.set_ratings(aid, {"stability": 4}, TODAY, seen_version=fresh)
    assert empty.account_view(aid, TODAY).version == fresh + 1


def test_logging_a_touch_leaves_an_open_profile_form_valid(empty: Book) -> None:
    """A touch is history, not a profile edit: a form opened before it can still save."""
    aid = empty.add_account(TODAY, name="x")
    seen = empty.account_view(aid, TODAY).version
    empty.log_interaction(aid, TODAY, kind="call", on=TODAY)
    empty.set_ratings(aid, ALL_FIVE, TODAY, seen_version=seen)
    assert empty.account_view(aid, TODAY).version == seen + 1


def test_logging_a_touch_with_another_accounts_contact_is_refused(empty: Book) -> None:
    a = empty.add_account(TODAY, name="a")
    b = empty.add_account(TODAY, name="b")
    with empty.store.writing() as conn:
        cid = conn.exec_driver_sql(
            "INSERT INTO contacts (account_id, name) VALUES (?, 'x')", (b,)
        ).lastrowid
    with pytest.raises(InputError, match="not a contact of"):
        empty.log_interaction(a, TODAY, kind="call", on=TODAY, contact_id=cid)
    assert empty.account_view(a, TODAY).profile["last_touch"] is None


# ---- deals --------------------------------------------------------------------------------


@pytest.fixture
def deal(empty: Book) -> tuple[Book, int, int]:
    aid = empty.add_account(TODAY, name="云翔集团", owner="张伟")
    empty.set_ratings(aid, ALL_FIVE, TODAY)
    return empty, aid, add_deal(empty, aid, 1, TODAY - timedelta(days=20))


def test_advance_is_refused_while_deliverables_are_missing(deal: tuple[Book, int, int]) -> None:
    book, _aid, did = deal
    before = dump(book)

    with pytest.raises(StageGateError) as caught:
        book.move_deal(did, TODAY)
    assert caught.value.missing == ["initial_assessment", "discovery_notes"]
    assert "initial account assessment" in str(caught.value)
    assert "discovery interview notes" in str(caught.value)
    assert dump(book) == before

    book.check_deliverable(did, "initial_assessment", True, TODAY)
    before = dump(book)
    with pytest.raises(StageGateError) as caught:
        book.move_deal(did, TODAY)
    assert caught.value.missing == ["discovery_notes"]
    assert "initial account assessment" not in str(caught.value)
    assert dump(book) == before


def test_advance_is_allowed_once_every_deliverable_is_ticked(deal: tuple[Book, int, int]) -> None:
    book, aid, did = deal
    for d in STAGES[0].deliverables:
        book.check_deliverable(did, d.key, True, TODAY)
    book.check_deliverable(did, "initial_assessment", True, TODAY)  # ticking twice is harmless

    change = book.move_deal(did, TODAY)

    assert (change.from_stage, change.to_stage, change.forced) == (1, 2, False)
    _, stage, status, checked, _ = book.deal_state(did)
    assert (stage, status) == (2, "open")
    assert checked == {"initial_assessment", "discovery_notes"}
    history = q(
        book,
        "SELECT from_stage, to_stage, changed_on, forced, lost FROM deal_stage_changes "
        "WHERE deal_id = ? ORDER BY id",
        did,
    )
    assert history[-1] == (1, 2, str(TODAY), 0, 0)
    rec = record(book, aid)
    assert [(d["stage"], d["missing_deliverables"]) for d in rec["open_deals"]] == [
        (2, ["solution_proposal", "demo_deck", "roi_analysis"])
    ]
    assert rec["open_deals"][0]["days_in_stage"] == 0
    assert row(book, aid).top_stage == 2


def test_unticking_a_deliverable_closes_the_gate_again(deal: tuple[Book, int, int]) -> None:
    book, _aid, did = deal
    for d in STAGES[0].deliverables:
        book.check_deliverable(did, d.key, True, TODAY)
    book.check_deliverable(did, "discovery_notes", False, TODAY)
    with pytest.raises(StageGateError):
        book.move_deal(did, TODAY)


def test_check_deliverable_refuses_unknown_keys_and_deals(deal: tuple[Book, int, int]) -> None:
    book, _aid, did = deal
    before = dump(book)
    with pytest.raises(InputError):
        book.check_deliverable(did, "coffee", True, TODAY)
    with pytest.raises(InputError, match="no deal"):
        book.check_deliverable(did + 100, "initial_assessment", True, TODAY)
    assert dump(book) == before


def test_a_forced_move_records_its_reason_and_entering_stage_3_creates_tasks(
    deal: tuple[Book, int, int],
) -> None:
    book, aid, did = deal
    before = dump(book)
    with pytest.raises(InputError, match="reason"):
        book.move_deal(did, TODAY, force_reason="   ")
    assert dump(book) == before

    book.move_deal(did, TODAY, force_reason="客户要求加快进度")
    assert q(book, "SELECT count(*) FROM tasks") == [(0,)]  # no rule for stage 2
    book.move_deal(did, TODAY, force_reason="Board meets Friday")

    history = q(
        book,
        "SELECT from_stage, to_stage, forced, reason FROM deal_stage_changes "
        "WHERE deal_id = ? ORDER BY id",
        did,
    )
    assert history[-2:] == [(1, 2, 1, "客户要求加快进度"), (2, 3, 1, "Board meets Friday")]
    tasks = q(
        book,
        "SELECT account_id, deal_id, title, due_on, source, done_on FROM tasks ORDER BY title",
    )
    expected = sorted(
        (aid, did, r.title, str(TODAY + timedelta(days=r.due_in_days)), "rule", None)
        for r in DEFAULT_FOLLOW_UPS
        if r.stage == 3
    )
    assert len(expected) == 2
    assert tasks == expected
    view = book.account_view(aid, TODAY)
    assert sorted(t[1] for t in view.tasks) == sorted(t[2] for t in expected)
    (dv,) = view.deals
    assert [(h.from_stage, h.to_stage, h.forced) for h in dv.history] == [
        (None, 1, False),
        (1, 2, True),
        (2, 3, True),
    ]


def test_close_lost_needs_a_reason_and_ends_the_deal(deal: tuple[Book, int, int]) -> None:
    book, aid, did = deal
    before = dump(book)
    with pytest.raises(InputError, match="lost needs a reason"):
        book.move_deal(did, TODAY, lost_reason=" ")
    assert dump(book) == before

    change = book.move_deal(did, TODAY, lost_reason="预算冻结")
    assert change.lost
    _, stage, status, _, _ = book.deal_state(did)
    assert (stage, status) == (1, "lost")
    assert q(book, "SELECT lost_reason FROM deals WHERE id = ?", did) == [("预算冻结",)]
    assert q(
        book,
        "SELECT lost, reason FROM deal_stage_changes WHERE deal_id = ? ORDER BY id DESC LIMIT 1",
        did,
    ) == [(1, "预算冻结")]
    assert record(book, aid)["open_deals"] == []
    assert row(book, aid).top_stage is None

    with pytest.raises(InputError, match="closed"):
        book.move_deal(did, TODAY, force_reason="try anyway")


def test_move_deal_with_a_stale_version_is_refused(deal: tuple[Book, int, int]) -> None:
    book, _aid, did = deal
    *_, version = book.deal_state(did)
    book.check_deliverable(did, "initial_assessment", True, TODAY)  # someone else edits
    before = dump(book)
    with pytest.raises(StaleEditError):
        book.move_deal(did, TODAY, force_reason="mine", seen_version=version)
    assert dump(book) == before


def test_deal_ends_and_begins(empty: Book) -> None:
    aid = empty.add_account(TODAY, name="x")
    last = add_deal(empty, aid, 5)
    first = add_deal(empty, aid, 1)
    with pytest.raises(InputError, match="last stage"):
        empty.move_deal(last, TODAY, force_reason="beyond")
    with pytest.raises(InputError, match="first stage"):
        empty.move_deal(first, TODAY, direction=-1)
    change = empty.move_deal(last, TODAY, direction=-1)
    assert (change.from_stage, change.to_stage) == (5, 4)


# ---- configuration ------------------------------------------------------------------------


def test_a_model_whose_weights_do_not_sum_to_100_is_refused(demo: Book, demo60_path: Path) -> None:
    stored = config_to_dict(demo.config)
    bad = json.loads(json.dumps(stored))
    bad["model"]["criteria"][0]["weight"] = "25"

    with pytest.raises(ModelError, match="sum to 100"):
        demo.save_config(config_from_dict(bad), TODAY)
    with pytest.raises(ModelError, match="sum to 95"):
        demo.save_config(
            BookConfig(
                model=ScoringModel(
                    "mine",
                    "mine",
                    tuple(
                        Criterion(c.key, c.label, c.label_zh, Decimal(w))
                        for c, w in zip(DEFAULT_MODEL.criteria, (30, 30, 20, 15), strict=True)
                    ),
                )
            ),
            TODAY,
        )

    demo.close()
    with Book.open(demo60_path) as again:
        assert config_to_dict(again.config) == stored


def test_a_valid_new_model_recomputes_every_tier(demo: Book, demo60_path: Path) -> None:
    before = {r["id"]: r["tier"] for r in demo.account_records(TODAY)}
    generous = DEFAULT_MODEL.__class__(
        DEFAULT_MODEL.key,
        DEFAULT_MODEL.name,
        DEFAULT_MODEL.criteria,
        Thresholds(Decimal("3.50"), Decimal("3.00"), Decimal("2.00")),
    )
    demo.save_config(demo.config.with_model(generous), TODAY)

    records = demo.account_records(TODAY)
    ratings: dict[int, dict[str, int]] = {}
    for aid, crit, rating in q(demo, "SELECT account_id, criterion, rating FROM ratings"):
        ratings.setdefault(aid, {})[crit] = rating
    for r in records:
        expected = score_account(generous, ratings.get(r["id"], {})).computed_tier
        assert r["computed_tier"] == expected
        if not r["tier_pinned"]:
            assert r["tier"] == (expected or "unscored")
    assert {r["id"]: r["tier"] for r in records} != before
    # stored in the book (the Book page reads the stored columns), and kept on reopen
    stored = {x.id: x.tier or "unscored" for x in demo.page(BookQuery(), 0, 1000)}
    assert stored == {r["id"]: r["tier"] for r in records}
    demo.close()
    with Book.open(demo60_path) as again:
        assert again.config.model.thresholds.s == Decimal("3.50")


# ---- exports ------------------------------------------------------------------------------

AGREED_FIELDS = {
    "id",
    "name",
    "owner",
    "track",
    "ratings",
    "score",
    "tier",
    "tier_pinned",
    "pin_reason",
    "rfm",
    "health",
    "coverage_warnings",
    "open_deals",
}


def test_account_records_carry_the_agreed_fields(demo: Book) -> None:
    records = demo.account_records(TODAY)
    json.dumps(records)  # plain data only
    stage_keys = {s.number: [d.key for d in s.deliverables] for s in STAGES}
    assert [r["id"] for r in records] == sorted(r["id"] for r in records)
    for r in records:
        assert AGREED_FIELDS <= set(r)
        assert set(r["ratings"]) == set(DEFAULT_MODEL.keys)
        assert r["tier"] in ("S", "A", "B", "C", "unscored")
        assert isinstance(r["tier_pinned"], bool)
        assert r["score"] is None or 1 <= r["score"] <= 5
        assert r["rfm"] is None or (
            set(r["rfm"]) == {"r", "f", "m"} and all(1 <= v <= 5 for v in r["rfm"].values())
        )
        assert set(r["health"]) == {"score", "color", "flags"}
        assert 0 <= r["health"]["score"] <= 100
        for f in r["health"]["flags"]:
            assert {"code", "reason", "date"} <= set(f)
            assert f["reason"] and date.fromisoformat(f["date"]) <= TODAY
        for w in r["coverage_warnings"]:
            assert set(w) == {"code", "message"}
        for d in r["open_deals"]:
            assert 1 <= d["stage"] <= 5
            assert set(d["missing_deliverables"]) <= set(stage_keys[d["stage"]])
    assert any(r["health"]["flags"] for r in records)
    assert any(r["coverage_warnings"] for r in records)
    assert any(d["missing_deliverables"] for r in records for d in r["open_deals"])


def test_records_for_a_stale_book_are_computed_without_writing(
    demo: Book, demo60_path: Path
) -> None:
    digest = sha(demo60_path)
    later = TODAY + timedelta(days=60)

    stale = demo.account_records(later)

    assert sha(demo60_path) == digest
    assert demo.derived_on() == TODAY
    assert stale != demo.account_records(TODAY)
    # the stale-day values really are the later day's, not the stored ones
    overdue = [r for r in stale if r["next_action"].startswith("touch overdue")]
    stored = {r["id"]: r for r in demo.account_records(TODAY)}
    assert any(r["next_action"] != stored[r["id"]]["next_action"] for r in overdue)


def test_records_of_a_read_only_book_for_another_day(demo60_path: Path) -> None:
    digest = sha(demo60_path)
    with Book.open(demo60_path, read_only=True) as book:
        records = book.account_records(TODAY + timedelta(days=10))
        book.plan(IsoWeek.of(TODAY + timedelta(days=10)), TODAY + timedelta(days=10))
    assert len(records) == 60
    assert sha(demo60_path) == digest


# ---- plan ---------------------------------------------------------------------------------


def test_plan_is_s_tier_first_and_marks_executive_touches(demo: Book) -> None:
    items = demo.plan(WEEK, TODAY).items

    ranks = [{"S": 0, "A": 1, "B": 2, "C": 3}.get(i.tier or "", 4) for i in items]
    assert items and items[0].tier == "S"
    assert ranks == sorted(ranks)
    execs = [i for i in items if i.kind == "exec_touch"]
    assert execs and all(i.executive for i in execs)
    assert all(i.tier in ("S", "A") for i in execs)
    assert not any(i.executive for i in items if i.kind != "exec_touch")
    assert all(i.due <= WEEK.sunday for i in items)
    assert {i.kind for i in items} >= {
        "touch", "exec_touch", "health", "task", "deliverables", "batch"
    }  # fmt: skip
    for tier in {i.tier for i in items}:
        dues = [i.due for i in items if i.tier == tier]
        assert dues == sorted(dues)


def test_plan_for_one_owner(demo: Book) -> None:
    items = demo.plan(WEEK, TODAY, owner="张伟").items
    assert items and {i.owner for i in items} == {"张伟"}
    assert len(items) < len(demo.plan(WEEK, TODAY).items)


def test_plan_for_each_owner_is_the_whole_plan_filtered(demo: Book) -> None:
    """One owner's plan reads only that owner's accounts, tasks and deals."""
    whole = demo.plan(WEEK, TODAY)
    owners = {i.owner for i in whole.items}
    assert len(owners) > 1
    for owner in owners:
        mine = demo.plan(WEEK, TODAY, owner=owner)
        assert mine.items == [i for i in whole.items if i.owner == owner]
        assert mine.batches == {k: b for k, b in whole.batches.items() if b[0].owner == owner}


@pytest.mark.parametrize("weeks_ahead", [0, 2, -3])
@pytest.mark.parametrize("owner", [None, "张伟"])
def test_plan_reads_the_accounts_that_may_have_an_item_and_misses_none(
    demo: Book, weeks_ahead: int, owner: str | None
) -> None:
    """The plan reads only the accounts whose health or last touches may put them in it;
    planning from every account gives the same plan."""
    week = IsoWeek.of(TODAY + timedelta(weeks=weeks_ahead))
    with demo.store.reading() as conn:
        accounts, tasks, deals = demo._plan_inputs(conn, week, TODAY, owner, None)
        reasons = repo.plan_reasons(conn, owner)
        every = [
            PlanAccount(row[0], row[1], row[2], row[3], row[4],
                        date.fromisoformat(row[5]) if row[5] else None,
                        date.fromisoformat(row[6]) if row[6] else None,
                        row[7], reasons.get(row[0], ""))
            for row in repo.plan_accounts(conn, owner)
        ]  # fmt: skip
    assert 0 < len(accounts) < len(every)
    cadences = demo.config.cadences
    assert demo.plan(week, TODAY, owner) == build_plan(
        week, TODAY, every, tasks, deals, cadences, demo.config.stale_days, owner
    )


def test_the_plan_of_a_book_not_refreshed_for_the_day_is_the_refreshed_books(demo: Book) -> None:
    """Stored values older than the day are derived afresh for the plan (tiers, health),
    for the accounts' own items and their tasks' and deals' alike."""
    with demo.store.writing() as conn:  # every tier stored wrong, as by other rules
        conn.exec_driver_sql("UPDATE accounts SET tier = 'C', tier_rank = 3")
        conn.exec_driver_sql("DELETE FROM settings WHERE key = 'refreshed'")  # rules unknown
    later = TODAY + timedelta(days=30)
    week = IsoWeek.of(later)
    stale = demo.plan(week, later)
    demo.refresh(later)
    assert stale == demo.plan(week, later)
    work = [i for i in stale.items if i.kind in ("task", "deliverables", "stale_deal")]
    assert {i.tier for i in work} >= {"S", "C"}


def test_plan_health_items_quote_the_first_flag(demo: Book) -> None:
    records = {r["id"]: r for r in demo.account_records(TODAY)}
    health = [i for i in demo.plan(WEEK, TODAY).items if i.kind == "health"]
    assert health
    for i in health:
        h = records[i.account_id]["health"]
        assert i.reason == f"health {h['color']}: {h['flags'][0]['reason']}"


def test_plan_deal_items_belong_to_the_deal_account(demo: Book) -> None:
    owner_of = dict(q(demo, "SELECT id, account_id FROM deals"))
    names = dict(q(demo, "SELECT id, name FROM accounts"))
    deal_items = [
        i for i in demo.plan(WEEK, TODAY).items if i.kind in ("deliverables", "stale_deal")
    ]
    assert len({i.account_id for i in deal_items}) > 1
    for i in deal_items:
        assert i.account_id == owner_of[i.ref]
        assert i.account == names[i.account_id]


def test_plan_of_a_new_book_lists_first_touches(empty: Book) -> None:
    s = empty.add_account(TODAY, name="云翔集团", status="customer")
    c = empty.add_account(TODAY, name="Apex Foods Inc", status="customer")
    empty.set_ratings(s, ALL_FIVE, TODAY)
    empty.set_ratings(c, {k: 1 for k in DEFAULT_MODEL.keys}, TODAY)
    items = empty.plan(WEEK, TODAY).items
    assert [(i.account, i.kind) for i in items] == [
        ("云翔集团", "exec_touch"),
        ("云翔集团", "touch"),
        ("Apex Foods Inc", "touch"),
    ]
    assert items[0].executive


# ---- the 360° view ------------------------------------------------------------------------


def test_account_view_brings_everything_together(demo: Book) -> None:
    (aid,) = q(
        demo,
        "SELECT a.id FROM accounts a WHERE status = 'customer' "
        "AND EXISTS (SELECT 1 FROM deals d WHERE d.account_id = a.id) "
        "AND EXISTS (SELECT 1 FROM tickets t WHERE t.account_id = a.id) "
        "ORDER BY (SELECT count(*) FROM contacts c WHERE c.account_id = a.id) DESC, a.id LIMIT 1",
    )[0]
    view = demo.account_view(aid, TODAY)
    rec = record(demo, aid)

    assert set(view.profile) == set(PROFILE_FIELDS)
    assert view.profile["name"] == rec["name"]
    assert view.derived.tier == (None if rec["tier"] == "unscored" else rec["tier"])
    assert view.derived.health.color == rec["health"]["color"]
    assert (
        len(view.contacts)
        == q(demo, "SELECT count(*) FROM contacts WHERE account_id = ?", aid)[0][0]
    )
    assert len(view.deals) == q(demo, "SELECT count(*) FROM deals WHERE account_id = ?", aid)[0][0]
    for d in view.deals:
        assert d.history and d.history[0].from_stage is None
        moves = [h for h in d.history if not h.lost]
        assert moves[-1].to_stage == d.stage
        assert d.missing == tuple(
            x.key for x in STAGES[d.stage - 1].deliverables if x.key not in d.checked
        )
    dates = [e.on for e in view.timeline]
    assert dates == sorted(dates, reverse=True)
    assert {"order", "invoice", "ticket", "usage"} <= {e.kind for e in view.timeline}
    assert isinstance(view.version, int)


def test_account_view_of_a_missing_account(demo: Book) -> None:
    with pytest.raises(InputError, match="no account"):
        demo.account_view(10_000, TODAY)


def test_update_deal_keeps_history_and_refuses_a_stale_save(empty: Book) -> None:
    aid = empty.add_account(TODAY, name="云翔集团")
    did = empty.add_deal(aid, TODAY, name="数据中台", amount=500_000)
    version = empty.update_deal(
        did, TODAY, {"amount": 650_000, "expected_close": date(2027, 3, 31), "next_step": "报价"},
        seen_version=1,
    )  # fmt: skip
    assert version == 2
    assert empty.update_deal(did, TODAY, {"amount": 650_000}, seen_version=2) == 2  # no change
    deal = empty.account_view(aid, TODAY).deals[0]
    assert (deal.amount, deal.expected_close, deal.next_step, deal.stage) == (
        650_000, date(2027, 3, 31), "报价", 1
    )  # fmt: skip
    changed = {(c.field, c.old, c.new) for c in empty.history(aid) if c.entity == "deal"}
    assert {("amount", "500000", "650000"), ("expected_close", None, "2027-03-31")} <= changed
    with pytest.raises(StaleEditError, match="Deal 数据中台 was changed elsewhere") as caught:
        empty.update_deal(did, TODAY, {"name": "新名字"}, seen_version=1)
    assert {c.field for c in caught.value.changes} >= {"amount", "next_step"}
    with pytest.raises(FieldError):
        empty.update_deal(did, TODAY, {"amount": -5})
    with pytest.raises(InputError, match="There is no deal 99"):
        empty.update_deal(99, TODAY, {"name": "x"})
    assert empty.account_view(aid, TODAY).deals[0].name == "数据中台"


def test_the_timeline_writes_amounts_with_thousands_separators(empty: Book) -> None:
    aid = empty.add_account(TODAY, name="云翔集团")
    with empty.store.writing() as conn:
        conn.exec_driver_sql(
            "INSERT INTO orders (account_id, number, ordered_on, amount) "
            "VALUES (?, 'SO-1', '2026-10-01', 1234567.8)",
            (aid,),
        )
        conn.exec_driver_sql(
            "INSERT INTO invoices (account_id, number, issued_on, due_on, amount) "
            "VALUES (?, 'INV-1', '2026-10-02', '2026-11-01', 999.999)",
            (aid,),
        )
    lines = {e.kind: e.text for e in empty.account_view(aid, TODAY).timeline}
    assert lines["order"] == "SO-1  1,234,567.80"
    assert lines["invoice"] == "INV-1  1,000.00  due 2026-11-01  unpaid"


@pytest.mark.parametrize(
    ("kind", "fields", "said"),
    [
        ("call", ("[bold]谈了续约[/]",), "[bold]谈了续约[/]"),
        ("call", (None,), ""),
        ("order", ("SO-1", 1234567.8), "SO-1  1,234,567.80"),
        ("payment", ("INV-1", 0.5), "INV-1  0.50"),
        ("invoice", ("INV-1", 100.0, "2026-11-01", False), "INV-1  100.00  due 2026-11-01  unpaid"),
        ("invoice", ("INV-2", 100.0, "2026-11-01", True), "INV-2  100.00  due 2026-11-01"),
        ("ticket", ("high", "登录失败  closed", None, None), "high  登录失败  closed  open"),
        ("ticket", ("low", "x", "2026-11-02", 2), "low  x  closed 2026-11-02  satisfaction 2"),
        ("usage", (40, 310, 55), "40 active users, 310 logins, 55% adoption"),
    ],
)
def test_what_the_timeline_says_of_each_record(
    kind: str, fields: tuple[Any, ...], said: str
) -> None:
    assert timeline_text(kind, fields) == said
