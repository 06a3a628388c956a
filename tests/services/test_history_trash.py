"""Change history, the trash and stale saves (services/book.py, services/history.py).

Every write of the Book records what it changed, in its own transaction; deleting moves an
account to the trash, out of every list, total and export; a save from a stale view is
refused with the newer values and who made them when, and can be re-applied on purpose.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kamtui.domain.errors import InputError, RatingError
from kamtui.domain.plan import IsoWeek
from kamtui.domain.scoring import DEFAULT_MODEL
from kamtui.domain.stages import STAGES
from kamtui.services import export, importer
from kamtui.services import history as hist
from kamtui.services.book import Book, BookQuery, StaleEditError
from kamtui.services.history import Change
from kamtui.store import history as history_repo
from kamtui.store.tables import TABLES

TODAY = date(2026, 11, 23)
WEEK = IsoWeek(2026, 48)
NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ALL_FIVE = {k: 5 for k in DEFAULT_MODEL.keys}


def q(book: Book, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with book.store.reading() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(sql, params)]


def rows(book: Book, account_id: int) -> list[tuple[Any, ...]]:
    """(entity, entity id, field, old, new, by, version) of an account's history, oldest first."""
    return q(
        book,
        "SELECT entity, entity_id, field, old_value, new_value, changed_by, version "
        "FROM changes WHERE account_id = ? ORDER BY id",
        account_id,
    )


@pytest.fixture
def book(empty: Book) -> Book:
    empty.clock = lambda: NOON
    empty.set_user_name("张伟")
    return empty


@pytest.fixture
def account(book: Book) -> int:
    return book.add_account(TODAY, name="云翔集团", industry="制造", owner="张伟")


# ---- who and when ---------------------------------------------------------------------------


def test_changes_are_recorded_as_the_configured_name_or_the_os_user(
    empty: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "rep7")
    assert empty.user_name() == "rep7"
    aid = empty.add_account(TODAY, name="A")
    empty.set_user_name("  李娜 ")
    assert empty.user_name() == "李娜"
    empty.update_account(aid, TODAY, fields={"industry": "能源"})
    empty.set_user_name("")  # back to the OS user
    empty.update_account(aid, TODAY, fields={"industry": "化工"})

    def no_user() -> str:
        raise OSError("no user")

    monkeypatch.setattr(getpass, "getuser", no_user)
    empty.update_account(aid, TODAY, fields={"industry": "物流"})
    assert [(r[2], r[5]) for r in rows(empty, aid)] == [
        ("created", "rep7"),
        ("industry", "李娜"),
        ("industry", "rep7"),
        ("industry", "unknown"),
    ]
    with pytest.raises(InputError):
        empty.set_user_name("x" * 101)


def test_when_is_the_clock_in_utc_and_history_is_newest_first(book: Book, account: int) -> None:
    book.clock = lambda: datetime(2026, 11, 23, 18, 5, 9, tzinfo=UTC)
    book.update_account(account, TODAY, fields={"region": "上海"})
    book.clock = lambda: datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # later, another day
    book.update_account(account, TODAY, fields={"region": "深圳"})
    history = book.history(account)
    assert [(c.field, c.old, c.new) for c in history] == [
        ("region", "上海", "深圳"),
        ("region", "", "上海"),
        ("created", None, "云翔集团"),
    ]
    assert history[0].at == datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    assert history[1].at == datetime(2026, 11, 23, 18, 5, 9, tzinfo=UTC)
    assert q(book, "SELECT changed_at FROM changes WHERE new_value = '深圳'") == [
        ("2026-11-24 02:00:00",)
    ]
    assert book.account_view(account, TODAY).history == tuple(history)
    assert len(book.history(account, limit=1)) == 1


# ---- one history row per changed field, for every write -------------------------------------


def test_add_and_update_account_record_only_what_changed(book: Book, account: int) -> None:
    v = book.account_view(account, TODAY).version
    book.update_account(
        account,
        TODAY,
        fields={"name": "云翔集团", "industry": "能源", "annual_revenue": 1_200_000.0,
                "renewal_intent": True, "pain_points": "[@click=app.quit]交付慢[/]"},
        ratings={"strategic_fit": 4, "stability": None},
        seen_version=v,
    )  # fmt: skip
    assert rows(book, account) == [
        ("account", account, "created", None, "云翔集团", "张伟", 1),
        ("account", account, "industry", "制造", "能源", "张伟", v + 1),
        ("account", account, "annual_revenue", None, "1200000", "张伟", v + 1),
        ("account", account, "renewal_intent", None, "yes", "张伟", v + 1),
        ("account", account, "pain_points", "", "[@click=app.quit]交付慢[/]", "张伟", v + 1),
        ("rating", account, "strategic_fit", None, "4", "张伟", v + 1),
    ]  # the unchanged name and the still-unrated stability leave no row
    book.set_ratings(account, {"strategic_fit": 5, "stability": 3}, TODAY)
    book.update_account(account, TODAY, fields={"renewal_intent": False, "annual_revenue": 1.5e6})
    assert rows(book, account)[-4:] == [
        ("rating", account, "strategic_fit", "4", "5", "张伟", v + 2),
        ("rating", account, "stability", None, "3", "张伟", v + 2),
        ("account", account, "renewal_intent", "yes", "no", "张伟", v + 3),
        ("account", account, "annual_revenue", "1200000", "1500000", "张伟", v + 3),
    ]


def test_pin_tier_records_tier_and_reason(book: Book, account: int) -> None:
    book.pin_tier(account, "S", "集团战略客户", TODAY)
    book.pin_tier(account, None, "", TODAY)
    assert [r[2:5] for r in rows(book, account)[1:]] == [
        ("pinned_tier", None, "S"),
        ("pin_reason", "", "集团战略客户"),
        ("pinned_tier", "S", None),
        ("pin_reason", "集团战略客户", ""),
    ]


def test_logging_a_touch_records_the_touch_dates_without_bumping_the_version(
    book: Book, account: int
) -> None:
    v = book.account_view(account, TODAY).version
    book.log_interaction(account, TODAY, kind="call", on=TODAY - timedelta(days=3))
    book.log_interaction(account, TODAY, kind="visit", on=TODAY, executive=True)
    book.log_interaction(account, TODAY, kind="email", on=TODAY - timedelta(days=9))  # older
    assert [r[2:5] + (r[6],) for r in rows(book, account)[1:]] == [
        ("last_touch", None, "2026-11-20", None),
        ("last_touch", "2026-11-20", "2026-11-23", None),
        ("last_exec_touch", None, "2026-11-23", None),
    ]
    assert book.account_view(account, TODAY).version == v
    book.update_account(account, TODAY, fields={"industry": "能源"}, seen_version=v)  # still valid


def test_deal_writes_are_deal_changes(book: Book, account: int) -> None:
    did = book.add_deal(account, TODAY, name="数据中台项目", amount=500_000)
    first = STAGES[0].deliverables
    book.check_deliverable(did, first[0].key, True, TODAY)
    book.check_deliverable(did, first[0].key, True, TODAY)  # already ticked: no change
    book.check_deliverable(did, first[0].key, False, TODAY)
    book.move_deal(did, TODAY, force_reason="客户催促")
    book.move_deal(did, TODAY, direction=-1)
    book.move_deal(did, TODAY, lost_reason="预算取消")
    key = f"deliverable:{first[0].key}"
    deal_rows = [r for r in rows(book, account) if r[0] == "deal"]
    assert {r[1] for r in deal_rows} == {did}
    assert [(r[2], r[3], r[4], r[6]) for r in deal_rows] == [
        ("created", None, "数据中台项目", 1),
        (key, "no", "yes", 2),
        (key, "yes", "no", 4),
        ("stage", "1", "2", 5),
        ("force_reason", None, "客户催促", 5),
        ("stage", "2", "1", 6),
        ("status", "open", "lost", 7),
        ("lost_reason", "", "预算取消", 7),
    ]
    changes = book.history(account)
    assert changes[0].subject == "数据中台项目"
    assert changes[0].what == "deal 数据中台项目: lost reason"
    assert next(c for c in changes if c.field == key).what == (
        f"deal 数据中台项目: deliverable {first[0].label}"
    )


def test_completing_a_task_is_a_task_change(demo: Book) -> None:
    demo.clock = lambda: NOON
    tid, aid = q(
        demo,
        "SELECT t.id, t.account_id FROM tasks t JOIN accounts a ON a.id = t.account_id "
        "WHERE t.done_on IS NULL AND a.deleted_at IS NULL ORDER BY t.id LIMIT 1",
    )[0]
    (title,) = q(demo, "SELECT title FROM tasks WHERE id = ?", tid)[0]
    demo.complete_task(tid, TODAY)
    (change,) = demo.history(aid)
    assert (change.entity, change.entity_id, change.field, change.old, change.new) == (
        "task", tid, "done_on", None, TODAY.isoformat()
    )  # fmt: skip
    assert change.subject == title


def test_a_refused_write_records_nothing(book: Book, account: int) -> None:
    before = rows(book, account)
    with pytest.raises(RatingError):
        book.set_ratings(account, {"strategic_fit": 6}, TODAY)
    with pytest.raises(InputError):
        book.log_interaction(account, TODAY, kind="call", on=TODAY + timedelta(days=1))
    assert rows(book, account) == before


def test_history_is_written_in_the_same_transaction_as_the_change(
    book: Book, account: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any) -> None:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(history_repo, "insert_changes", broken)
    v = book.account_view(account, TODAY).version
    with pytest.raises(RuntimeError):
        book.update_account(account, TODAY, fields={"industry": "能源"})
    view = book.account_view(account, TODAY)
    assert (view.profile["industry"], view.version) == ("制造", v)  # the change rolled back too


# ---- stale saves: two app instances on one file ----------------------------------------------


@pytest.fixture
def two(tmp_path: Path) -> Iterator[tuple[Book, Book, int]]:
    """Two Books on the same file, as two app instances: 张伟 (mine) and 李娜 (theirs)."""
    path = tmp_path / "shared.db"
    mine = Book.create(path)
    aid = mine.add_account(TODAY, name="云翔集团", industry="制造", region="上海")
    theirs = Book.open(path)
    mine.clock = lambda: NOON
    theirs.clock = lambda: NOON + timedelta(minutes=7)
    mine.set_user_name("张伟")
    yield mine, theirs, aid
    mine.close()
    theirs.close()


def test_a_stale_save_carries_the_newer_values_and_who_and_when(
    two: tuple[Book, Book, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    mine, theirs, aid = two
    monkeypatch.setattr(getpass, "getuser", lambda: "lina")  # the other instance's OS user
    seen = mine.account_view(aid, TODAY).version
    theirs.update_account(aid, TODAY, fields={"industry": "能源"}, ratings={"stability": 2})
    theirs.update_account(aid, TODAY, fields={"industry": "化工"})

    with pytest.raises(StaleEditError) as caught:
        mine.update_account(
            aid, TODAY, fields={"industry": "物流", "region": "深圳"}, seen_version=seen
        )
    err = caught.value
    assert err.version == seen + 2
    assert [(c.field, c.old, c.new, c.by) for c in err.changes] == [
        ("industry", "制造", "能源", "张伟"),  # the book's configured name, as set by 张伟
        ("stability", None, "2", "张伟"),
        ("industry", "能源", "化工", "张伟"),
    ]
    assert [(c.field, c.new) for c in err.theirs] == [("stability", "2"), ("industry", "化工")]
    assert {c.at for c in err.changes} == {NOON + timedelta(minutes=7)}
    message = str(err)
    assert "changed elsewhere" in message
    assert "industry → 化工 (张伟, " in message and "rating stability → 2" in message
    assert hist.local_time(NOON + timedelta(minutes=7)) in message
    view = mine.account_view(aid, TODAY)
    assert (view.profile["industry"], view.profile["region"]) == ("化工", "上海")  # refused

    # re-apply, explicitly: my values over theirs
    mine.update_account(
        aid, TODAY, fields={"industry": "物流", "region": "深圳"}, seen_version=err.version
    )
    view = theirs.account_view(aid, TODAY)
    assert (view.profile["industry"], view.profile["region"]) == ("物流", "深圳")
    assert [(c.field, c.old, c.new) for c in view.history[:2]] == [
        ("region", "上海", "深圳"),
        ("industry", "化工", "物流"),
    ]


def test_re_applying_only_my_changes_keeps_their_other_newer_values(
    two: tuple[Book, Book, int],
) -> None:
    """What "Re-apply mine" sends after a refusal: only the fields I changed since I
    opened the form, at the version the refusal carries. Their other changes stay."""
    mine, theirs, aid = two
    boss = mine.add_contact(aid, TODAY, name="刘总", role="economic_buyer")
    cid = mine.add_contact(aid, TODAY, name="王芳", role="evaluator", title="IT 经理")
    did = mine.add_deal(aid, TODAY, name="二期扩容", amount=500_000, next_step="演示")
    account_seen = mine.account_view(aid, TODAY).version
    contact_seen = mine.account_view(aid, TODAY).contact_info[cid].version
    deal_seen = mine.deal_state(did)[4]
    theirs.update_account(
        aid, TODAY, fields={"industry": "能源", "owner": "李娜"}, ratings={"stability": 2}
    )
    theirs.update_contact(cid, TODAY, {"title": "CIO", "reports_to": boss})
    theirs.update_deal(did, TODAY, {"amount": 900_000})

    saves = [
        lambda seen: mine.update_account(
            aid, TODAY, fields={"region": "深圳"}, ratings={"strategic_fit": 5},
            seen_version=seen,
        ),
        lambda seen: mine.update_contact(cid, TODAY, {"stance": "champion"}, seen_version=seen),
        lambda seen: mine.update_deal(did, TODAY, {"next_step": "签合同"}, seen_version=seen),
    ]  # fmt: skip
    for save, seen in zip(saves, (account_seen, contact_seen, deal_seen), strict=True):
        with pytest.raises(StaleEditError) as refused:
            save(seen)
        save(refused.value.version)  # re-apply: only what I changed

    view = theirs.account_view(aid, TODAY)
    profile = view.profile
    assert (profile["industry"], profile["owner"], profile["region"]) == ("能源", "李娜", "深圳")
    ratings = {line.key: line.rating for line in view.derived.score.breakdown}
    assert (ratings["stability"], ratings["strategic_fit"]) == (2, 5)
    contact = next(c for c in view.contacts if c.id == cid)
    assert (contact.title, contact.reports_to, contact.stance) == ("CIO", boss, "champion")
    deal = view.deals[0]
    assert (deal.amount, deal.next_step) == (900_000, "签合同")
    mine_wrote = {(c.entity, c.field) for c in view.history if c.at == NOON}  # 张伟's clock
    assert mine_wrote - {("account", "created"), ("contact", "created"), ("deal", "created")} == {
        ("account", "region"), ("rating", "strategic_fit"), ("contact", "stance"),
        ("deal", "next_step"),
    }  # fmt: skip


def test_the_os_user_of_each_instance_is_who(two: tuple[Book, Book, int]) -> None:
    mine, theirs, aid = two
    mine.set_user_name("")
    theirs.update_account(aid, TODAY, fields={"industry": "能源"})
    assert theirs.history(aid)[0].by == hist.os_user()


def test_a_re_apply_from_an_old_refusal_is_refused_again(two: tuple[Book, Book, int]) -> None:
    mine, theirs, aid = two
    seen = mine.account_view(aid, TODAY).version
    theirs.update_account(aid, TODAY, fields={"industry": "能源"})
    with pytest.raises(StaleEditError) as first:
        mine.update_account(aid, TODAY, fields={"industry": "物流"}, seen_version=seen)
    theirs.pin_tier(aid, "A", "区域标杆", TODAY)  # and again, before I re-apply
    with pytest.raises(StaleEditError) as second:
        mine.update_account(
            aid, TODAY, fields={"industry": "物流"}, seen_version=first.value.version
        )
    assert [c.field for c in second.value.changes] == ["pinned_tier", "pin_reason"]
    assert mine.account_view(aid, TODAY).profile["industry"] == "能源"


def test_a_stale_deal_move_names_the_change(two: tuple[Book, Book, int]) -> None:
    mine, theirs, aid = two
    did = mine.add_deal(aid, TODAY, name="数据中台项目")
    seen = mine.deal_state(did)[4]
    theirs.check_deliverable(did, STAGES[0].deliverables[0].key, True, TODAY)
    with pytest.raises(StaleEditError) as caught:
        mine.move_deal(did, TODAY, force_reason="赶进度", seen_version=seen)
    (change,) = caught.value.changes
    assert change.what.startswith("deal 数据中台项目: deliverable ")
    assert "数据中台项目" in str(caught.value)
    assert mine.deal_state(did)[1] == 1


def test_a_stale_save_without_history_still_says_so(two: tuple[Book, Book, int]) -> None:
    mine, theirs, aid = two
    seen = mine.account_view(aid, TODAY).version
    with theirs.store.writing() as conn:  # a writer that keeps no history
        conn.exec_driver_sql("UPDATE accounts SET version = version + 1 WHERE id = ?", (aid,))
    with pytest.raises(StaleEditError, match="reload it before saving") as caught:
        mine.update_account(aid, TODAY, fields={"industry": "物流"}, seen_version=seen)
    assert caught.value.changes == () and caught.value.version == seen + 1


# ---- the trash ------------------------------------------------------------------------------


def rich_account(book: Book) -> int:
    """An account present everywhere: flagged, on the board, in the plan, with contacts,
    orders, paid invoices, tickets, usage, open tasks, interactions and ratings."""
    flagged = {f.id for f in book.flagged()}
    board = {c.account_id for col in book.pipeline(TODAY) for c in col.cards}
    planned = {i.account_id for i in book.plan(WEEK, TODAY).every_item()}
    has = [
        {r[0] for r in q(book, f"SELECT DISTINCT account_id FROM {t}")}
        for t in ("contacts", "orders", "invoices", "tickets", "usage_snapshots", "tasks",
                  "interactions", "ratings")
    ]  # fmt: skip
    for aid in sorted(flagged & board & planned):
        if all(aid in s for s in has):
            return aid
    raise AssertionError("the demo book has no account in every list")


def everywhere(book: Book, aid: int) -> dict[str, bool]:
    """Where the account shows: every list, total and export of the Book."""
    (name,) = q(book, "SELECT name FROM accounts WHERE id = ?", aid)[0]
    export_has = {
        what: any(r["account_id"] == aid for r in export.records(book, what, TODAY))
        for what in ("contacts", "deals", "interactions")
    }
    return {
        "book": any(r.id == aid for r in book.page(BookQuery(), 0, 10_000)),
        "search": any(r.id == aid for r in book.page(BookQuery(text=name[:4]), 0, 10_000)),
        "flagged": any(f.id == aid for f in book.flagged()),
        "pipeline": any(c.account_id == aid for col in book.pipeline(TODAY) for c in col.cards),
        "plan": any(i.account_id == aid for i in book.plan(WEEK, TODAY).every_item()),
        "records": any(r["id"] == aid for r in book.account_records(TODAY)),
        **{f"export {k}": v for k, v in export_has.items()},
    }


def test_delete_moves_an_account_to_the_trash_and_out_of_every_list(demo: Book) -> None:
    demo.clock = lambda: NOON
    demo.set_user_name("张伟")
    aid = rich_account(demo)
    (name,) = q(demo, "SELECT name FROM accounts WHERE id = ?", aid)[0]
    assert all(everywhere(demo, aid).values())
    summary, conc = demo.summary(TODAY), demo.concentration(TODAY)
    deals = q(demo, "SELECT count(*), sum(amount) FROM deals WHERE account_id = ? AND status = 'open'", aid)[0]  # fmt: skip
    (tier,) = q(demo, "SELECT tier FROM accounts WHERE id = ?", aid)[0]

    demo.delete_account(aid)

    assert not any(everywhere(demo, aid).values()), everywhere(demo, aid)
    after = demo.summary(TODAY)
    assert after.accounts == summary.accounts - 1 == demo.count(BookQuery())
    assert after.by_tier[tier or "unscored"] == summary.by_tier[tier or "unscored"] - 1
    open_deals = sum(n for n, _ in after.pipeline.values())
    assert open_deals == sum(n for n, _ in summary.pipeline.values()) - deals[0]
    assert demo.concentration(TODAY).total < conc.total  # its orders leave the revenue
    with pytest.raises(InputError, match="no account"):
        demo.account_view(aid, TODAY)
    (trashed,) = demo.trash()
    assert (trashed.id, trashed.name, trashed.deleted_by) == (aid, name, "张伟")
    assert trashed.deleted_at == NOON
    # nothing in it can be changed while it is in the trash
    did = q(demo, "SELECT id FROM deals WHERE account_id = ? AND status = 'open'", aid)[0][0]
    tid = q(demo, "SELECT id FROM tasks WHERE account_id = ? AND done_on IS NULL", aid)[0][0]
    for write in (
        lambda: demo.update_account(aid, TODAY, fields={"industry": "x"}),
        lambda: demo.log_interaction(aid, TODAY, kind="call", on=TODAY),
        lambda: demo.add_deal(aid, TODAY, name="x"),
        lambda: demo.move_deal(did, TODAY, force_reason="x"),
        lambda: demo.check_deliverable(did, STAGES[0].deliverables[0].key, True, TODAY),
        lambda: demo.complete_task(tid, TODAY),
        lambda: demo.delete_account(aid),
    ):
        with pytest.raises(InputError):
            write()


def test_restore_brings_it_back_everywhere_with_its_history(demo: Book) -> None:
    demo.clock = lambda: NOON
    aid = rich_account(demo)
    demo.update_account(aid, TODAY, fields={"pain_points": "决策链长，预算审批慢"})
    view = demo.account_view(aid, TODAY)
    records = [r for r in demo.account_records(TODAY) if r["id"] == aid]

    demo.delete_account(aid, seen_version=view.version)
    demo.restore_account(aid, TODAY)

    assert all(everywhere(demo, aid).values())
    assert [r for r in demo.account_records(TODAY) if r["id"] == aid] == records
    assert demo.trash() == []
    back = demo.account_view(aid, TODAY)
    assert back.profile == view.profile and back.deals == view.deals
    assert back.version == view.version + 2
    assert [(c.field, c.old is None, c.new is None) for c in back.history[:3]] == [
        ("deleted_at", False, True),
        ("deleted_at", True, False),
        ("pain_points", False, False),
    ]
    with pytest.raises(InputError, match="not in the trash"):
        demo.restore_account(aid, TODAY)


def test_a_stale_delete_is_refused(two: tuple[Book, Book, int]) -> None:
    mine, theirs, aid = two
    seen = mine.account_view(aid, TODAY).version
    theirs.update_account(aid, TODAY, fields={"industry": "能源"})
    with pytest.raises(StaleEditError):
        mine.delete_account(aid, seen_version=seen)
    assert mine.trash() == []


def test_purge_removes_the_account_and_every_row_it_holds(demo: Book) -> None:
    aid = rich_account(demo)
    other = next(r.id for r in demo.page(BookQuery(), 0, 10) if r.id != aid)
    demo.update_account(aid, TODAY, fields={"industry": "能源"})
    demo.update_account(other, TODAY, fields={"industry": "能源"})
    with pytest.raises(InputError, match="not in the trash"):
        demo.purge_account(aid)
    demo.delete_account(aid)
    (name,) = q(demo, "SELECT name FROM accounts WHERE id = ?", aid)[0]
    deals = [d for (d,) in q(demo, "SELECT id FROM deals WHERE account_id = ?", aid)]
    invoices = [i for (i,) in q(demo, "SELECT id FROM invoices WHERE account_id = ?", aid)]
    before_other = rows(demo, other)

    assert demo.purge_account(aid) == name

    for t in TABLES:
        cols = {c.name for c in t.__table__.columns}  # type: ignore[attr-defined]
        if "account_id" in cols:
            assert q(demo, f"SELECT count(*) FROM {t.__tablename__} WHERE account_id = ?", aid) == [
                (0,)
            ]
    assert q(demo, "SELECT count(*) FROM accounts WHERE id = ?", aid) == [(0,)]
    marks = ", ".join("?" * len(deals))
    for table in ("deal_stage_changes", "deal_deliverables"):
        assert q(demo, f"SELECT count(*) FROM {table} WHERE deal_id IN ({marks})", *deals) == [(0,)]
    marks = ", ".join("?" * len(invoices))
    assert q(demo, f"SELECT count(*) FROM payments WHERE invoice_id IN ({marks})", *invoices) == [(0,)]  # fmt: skip
    assert rows(demo, other) == before_other  # others keep theirs
    assert q(demo, "PRAGMA foreign_key_check") == []
    assert demo.trash() == []
    with pytest.raises(InputError, match="no account"):
        demo.purge_account(aid)
    with pytest.raises(InputError, match="no account"):
        demo.restore_account(aid, TODAY)


def test_change_text_of_values() -> None:
    assert hist.as_text(None) is None
    assert hist.as_text(True) == "yes" and hist.as_text(0, "renewal_intent") == "no"
    assert hist.as_text(1_200_000.0) == "1200000" and hist.as_text(0.1) == "0.1"
    assert hist.as_text(date(2026, 11, 3)) == "2026-11-03"
    assert hist.as_text(datetime(2026, 11, 3, 1, 2, 3, tzinfo=UTC)) == "2026-11-03 01:02:03"
    c = Change("rating", 1, 1, "stability", None, "3", NOON, "张伟")
    assert c.what == "rating stability"


# ---- imports keep the history too -------------------------------------------------------------


def import_csv(book: Book, kind: str, path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    importer.commit(book, importer.check(book, kind, path, TODAY), TODAY)


def test_an_import_records_what_it_changed_and_a_stale_form_sees_it(
    two: tuple[Book, Book, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine, theirs, aid = two
    monkeypatch.setattr(getpass, "getuser", lambda: "import-bot")
    seen = mine.account_view(aid, TODAY).version
    import_csv(
        theirs,
        "accounts",
        tmp_path / "a.csv",
        "客户名称,行业,地区,战略匹配度\n云翔集团,能源,上海,4\n新客户,零售,北京,5\n",
    )
    new = next(r.id for r in theirs.page(BookQuery(text="新客户"), 0, 5))
    assert [(c.field, c.old, c.new, c.by, c.version) for c in theirs.history(aid)[:2]] == [
        ("strategic_fit", None, "4", "张伟", seen + 1),  # the book's name, set by 张伟
        ("industry", "制造", "能源", "张伟", seen + 1),
    ]  # the unchanged region leaves no row
    assert [(c.field, c.new) for c in theirs.history(new)] == [("created", "新客户")]

    with pytest.raises(StaleEditError) as caught:
        mine.update_account(aid, TODAY, fields={"region": "深圳"}, seen_version=seen)
    assert [(c.field, c.new) for c in caught.value.changes] == [
        ("industry", "能源"),
        ("strategic_fit", "4"),
    ]

    import_csv(
        theirs,
        "contacts",
        tmp_path / "c.csv",
        "客户名称,联系人,角色,职务\n云翔集团,王总,economic_buyer,CEO\n",
    )
    import_csv(
        theirs,
        "contacts",
        tmp_path / "c2.csv",
        "客户名称,联系人,角色,职务\n云翔集团,王总,economic_buyer,董事长\n",
    )
    import_csv(
        theirs,
        "deals",
        tmp_path / "d.csv",
        "客户名称,商机名称,金额,阶段\n云翔集团,数据中台项目,500000,1\n",
    )
    import_csv(
        theirs,
        "deals",
        tmp_path / "d2.csv",
        "客户名称,商机名称,金额,阶段\n云翔集团,数据中台项目,650000,1\n",
    )
    assert [(c.entity, c.subject, c.field, c.old, c.new) for c in theirs.history(aid)[:4]] == [
        ("deal", "数据中台项目", "amount", "500000", "650000"),
        ("deal", "数据中台项目", "created", None, "数据中台项目"),
        ("contact", "王总", "title", "CEO", "董事长"),
        ("contact", "王总", "created", None, "王总"),
    ]
    assert theirs.history(aid)[0].version == 2 and theirs.history(aid)[2].version == 2
