"""Every sentence the domain writes (flag reasons, measures, coverage warnings, plan reasons,
next actions) has its Chinese: the demo book on several days, and each rare branch."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from kamtui.domain.decision_map import Contact, coverage_warnings
from kamtui.domain.plan import IsoWeek
from kamtui.domain.rfm import RFM, OrderStats, rfm_tier_mismatch
from kamtui.services.book import Book
from kamtui.ui import strings as S

TODAY = date(2026, 11, 23)
BOOK_WORDS = ("invoice", "ticket", "usage")  # timeline entries worded by the book


def sentences(book: Book, today: date) -> set[str]:
    """What the domain wrote for ``today``, less what users wrote (deal next steps)."""
    book.refresh(today)
    with book.store.reading() as conn:
        steps = {r[0] for r in conn.exec_driver_sql("SELECT next_step FROM deals")}
    out: set[str] = set()
    records = book.account_records(today)
    for r in records:
        out |= {f["reason"] for f in r["health"]["flags"]}
        out |= {w["message"] for w in r["coverage_warnings"]}
        if r["next_action"] and r["next_action"] not in steps:
            out.add(r["next_action"])
    for r in records[::10]:
        view = book.account_view(r["id"], today)
        out |= {m.value for m in view.derived.health.measures}
        out |= {e.text for e in view.timeline if e.kind in BOOK_WORDS}  # not a rep's summary
    out |= {i.reason for i in book.plan(IsoWeek.of(today), today).items}
    return out


def test_the_demo_books_sentences_are_all_known_in_chinese(demo_book: Book, chinese: None) -> None:
    written = set()
    for days in (0, 45, 120):
        written |= sentences(demo_book, TODAY + timedelta(days=days))
    assert len(written) > 100
    unknown = sorted(s for s in written if S.say(s) == s)
    assert unknown == []
    for s in written:  # nothing of the English pattern is left over
        assert "{" not in S.say(s)


def test_rare_sentences_are_known_in_chinese(chinese: None) -> None:
    stats = OrderStats(recency_days=None, frequency=0, monetary=Decimal(0))
    rare = [
        rfm_tier_mismatch("S", RFM(1, 1, 1), stats),
        rfm_tier_mismatch("A", RFM(1, 1, 1), stats._replace(recency_days=400)),
        rfm_tier_mismatch("C", RFM(3, 4, 5), stats._replace(recency_days=10)),
        *(w.message for w in coverage_warnings("S", [Contact(1, "王总", "user")], TODAY)),
        *(
            w.message
            for w in coverage_warnings(
                "B",
                [
                    Contact(1, "王总", "economic_buyer", "champion", left_on=TODAY),
                    Contact(2, "Zhao", "finance", "blocker"),
                ],
                TODAY,
            )
        ),
    ]
    assert all(rare)
    assert [s for s in rare if s is not None and S.say(s) == s] == []
    assert S.say("economic buyer 王总 left on 2026-11-23") == "最终决策者 王总 已于 2026-11-23 离职"
    assert S.say("logins down 25% vs October") == "登录次数较10月下降 25%"
    assert S.say("logins -3% vs October") == "登录次数较10月 -3%"
    assert S.say("health red: invoice INV-1 overdue 70 days") == "健康度红：发票 INV-1 已逾期 70 天"
    assert S.say("deal 数据中台: stage 2 missing demo deck, ROI analysis") == (
        "商机 数据中台：第 2 阶段缺少 产品演示PPT、ROI分析报告"
    )
    assert S.say("客户自己写的下一步") == "客户自己写的下一步"  # user text stays as written


def test_english_ui_shows_the_sentences_as_written() -> None:
    assert S.say("logins down 25% vs October") == "logins down 25% vs October"


def test_refusals_are_said_in_chinese(chinese: None, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kamtui.domain.errors import KamError

    book = Book.create(tmp_path / "b.db")
    aid = book.add_account(TODAY, name="云翔")
    ceo = book.add_contact(aid, TODAY, name="CEO", role="economic_buyer")
    cto = book.add_contact(aid, TODAY, name="CTO", role="evaluator", reports_to=ceo)
    refused = []
    for attempt in (
        lambda: book.add_account(TODAY, name=" "),
        lambda: book.add_contact(aid, TODAY, name=""),
        lambda: book.update_contact(ceo, TODAY, {"reports_to": cto}),
        lambda: book.update_contact(ceo, TODAY, {"reports_to": ceo}),
        lambda: book.update_contact(ceo, TODAY, {"left_on": TODAY + timedelta(days=1)}),
        lambda: book.add_task(aid, TODAY, title="", due=TODAY),
        lambda: book.update_contact(cto, TODAY, {"stance": "skeptic"}, seen_version=0),
    ):
        with pytest.raises(KamError) as e:
            attempt()
        refused.append(str(e.value))
    book.close()
    assert [r for r in refused if S.say(r) == r] == []
    assert S.say(refused[2]) == "CTO 已经直接或间接汇报给 CEO。"


def test_settings_refusals_are_said_in_chinese(chinese: None) -> None:
    from kamtui.config import BookConfig, config_from_dict, config_to_dict
    from kamtui.domain.errors import ModelError

    def refused(change) -> str:  # type: ignore[no-untyped-def]
        data = config_to_dict(BookConfig())
        change(data)
        with pytest.raises(ModelError) as e:
            config_from_dict(data)
        return str(e.value)

    def weight(w: object):  # type: ignore[no-untyped-def]
        return lambda d: d["model"]["criteria"][0].update(weight=w)

    def threshold(tier: str, value: str):  # type: ignore[no-untyped-def]
        return lambda d: d["model"]["thresholds"].update({tier: value})

    def cadence(tier: str, **values: object):  # type: ignore[no-untyped-def]
        return lambda d: d["cadences"][tier].update(values)

    def health(**values: object):  # type: ignore[no-untyped-def]
        return lambda d: d["health"]["weights"].update(values)

    sentences = [
        refused(change)
        for change in (
            weight("abc"), weight("40"), weight("0"), threshold("A", "high"),
            threshold("S", "6"), threshold("A", "4.80"),
            cadence("A", touch_days="often"), cadence("A", exec_days="x"),
            cadence("B", touch_days=0), cadence("S", exec_days=0),
            health(usage="x"), health(usage=-5), health(usage=30),
            lambda d: d["model"].update(criteria=[]),
        )
    ]  # fmt: skip
    assert [s for s in sentences if S.say(s) == s] == []
    assert S.say(sentences[6]) == "A 级：触达节奏必须是整数天，而不是 'often'。"
    assert S.say(sentences[10]) == "健康度权重“使用量”必须是整数，而不是 'x'。"
    assert S.say(sentences[0]).startswith("战略")  # the criterion's Chinese label


def test_a_stale_save_names_the_record_in_chinese(chinese: None, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kamtui.services.book import StaleEditError

    book = Book.create(tmp_path / "b.db")
    aid = book.add_account(TODAY, name="云翔")
    did = book.add_deal(aid, TODAY, name="数据中台", amount=1)
    book.update_deal(did, TODAY, {"amount": 2})
    with pytest.raises(StaleEditError) as e:
        book.update_deal(did, TODAY, {"amount": 3}, seen_version=1)
    book.close()
    assert S.say(str(e.value)).startswith("商机 数据中台 在你打开后已被修改：")


def test_the_timeline_speaks_chinese_but_keeps_what_people_wrote(chinese: None, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert S.say("normal  touch  open") == "一般  touch  处理中"  # a subject stays as written
    assert S.say("INV-7  100.00  due 2026-11-01  unpaid") == "INV-7  100.00  2026-11-01 到期  未付"
    assert S.say("INV-8  1,234,567.80  due 2026-11-01") == "INV-8  1,234,567.80  2026-11-01 到期"


async def test_the_account_timeline_in_chinese(demo_book: Book, chinese: None) -> None:
    from pilot_helpers import settle

    from kamtui.ui.app import KamApp
    from kamtui.ui.screens.account import AccountScreen

    aid = next(
        r["id"]
        for r in demo_book.account_records(TODAY)
        if {"usage", "invoice"} <= {e.kind for e in demo_book.account_view(r["id"], TODAY).timeline}
    )
    app = KamApp(demo_book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        app.open_account(aid, "timeline")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, AccountScreen)
        timeline = screen.section_text("timeline")
    assert "活跃用户" in timeline and "到期" in timeline
    assert "active users" not in timeline and " due " not in timeline


def test_refusals_of_numbers_are_known_in_chinese(chinese: None) -> None:
    from kamtui.domain import parsing as p
    from kamtui.domain.account import check_profile
    from kamtui.domain.errors import KamError
    from kamtui.domain.stages import check_deal

    refusals = []
    for refuse in (
        lambda: p.parse_amount("1" + "0" * 30),
        lambda: p.parse_amount("about a million"),
        lambda: p.parse_count("99999999999999999999999", "number of employees"),
        lambda: p.parse_count("1.5", "number of branches"),
        lambda: check_profile({"annual_revenue": 1e20}),
        lambda: check_profile({"employees": 10**20}),
        lambda: check_profile({"branches": 10**20}),
        lambda: check_deal({"amount": 1e20}),
    ):
        with pytest.raises(KamError) as e:
            refuse()
        refusals.append(e.value.message)
    assert [s for s in refusals if S.say(s) == s] == []
    assert (
        S.say(refusals[2])
        == "'99999999999999999999999' 超出员工数的上限（最多 999,999,999,999,999）。"
    )


def test_the_refusals_of_an_import_are_known_in_chinese(
    chinese: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the import screen shows of a refused file or row, each made for real."""
    from kamtui.domain.errors import KamError
    from kamtui.services import importer, reading

    data = Path(__file__).resolve().parents[1] / "data"
    book = Book.create(tmp_path / "book.db")
    said: list[str] = []

    def refusal(kind: str, text: str | Path, **kw: object) -> None:
        path = text if isinstance(text, Path) else tmp_path / "f.csv"
        if isinstance(text, str):
            path.write_bytes(text.encode("utf-8"))
        with pytest.raises(KamError) as e:
            importer.check(book, kind, path, TODAY, **kw)  # type: ignore[arg-type]
        said.append(e.value.message)

    refusal("accounts", tmp_path / "nowhere.csv")
    refusal("accounts", "")
    refusal("accounts", "name\r\n")
    refusal("accounts", "行业\r\nx\r\n")
    refusal("contacts", "姓名\r\nx\r\n")
    refusal("accounts", "name,Name\r\nx,y\r\n")
    refusal("accounts", "客户名称,公司名称\r\nx,y\r\n")
    refusal("accounts", data / "accounts_gb18030.csv", encoding="utf-8")
    refusal("deals", data / "book.xlsx", sheet="nope")
    monkeypatch.setattr(reading, "MAX_ROWS", 1)
    refusal("accounts", "name\r\na\r\nb\r\n")
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 3)
    refusal("accounts", "name\r\na\r\n")
    monkeypatch.undo()
    importer.import_file(book, "accounts", data / "accounts_gb18030.csv", TODAY)
    for kind, path in (
        ("accounts", data / "accounts_ragged.csv"),
        ("orders", data / "orders_formulas.xlsx"),
    ):
        said += [e.reason for e in importer.check(book, kind, path, TODAY).errors]
    (tmp_path / "q.csv").write_text('name,region\r\n"A" B,C\r\n', encoding="utf-8")
    said += [e.reason for e in importer.check(book, "accounts", tmp_path / "q.csv", TODAY).errors]
    (tmp_path / "d.csv").write_text("客户名称,商机名称,\r\n恒泰物流,x,y\r\n", encoding="utf-8")
    said += importer.check(book, "deals", tmp_path / "d.csv", TODAY).notes
    book.close()
    assert len(said) == 18
    assert [s for s in said if S.say(s) == s] == []
    for s in said:
        assert "{" not in S.say(s)
