"""Importing reps' files (services/importer.py) and the exports they round-trip with
(services/export.py): real files from tests/data/, made by tests/data/make_files.py."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import sys
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from icalendar import Calendar

from kamtui.domain.plan import IsoWeek
from kamtui.services import export, importer
from kamtui.services.book import Book
from kamtui.services.importer import ImportFileError, ImportRefused

TODAY = date(2026, 11, 23)
DEMO = 60  # accounts in the demo book (conftest)
DATA = Path(__file__).resolve().parent.parent / "data"


def run(book: Book, kind: str, file: Path | str, **kw: Any) -> importer.ImportResult:
    """check, then commit: what the import screen does."""
    skip = kw.pop("skip_invalid", False)
    checked = importer.check(
        book, kind, DATA / file if isinstance(file, str) else file, TODAY, **kw
    )
    return importer.commit(book, checked, TODAY, skip_invalid=skip)


def accounts(book: Book) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in book.account_records(TODAY)}


def counts(book: Book) -> dict[str, int]:
    with book.store.reading() as conn:
        return {
            t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one()
            for t in ("accounts", "ratings", "contacts", "deals", "deal_stage_changes",
                      "interactions", "orders", "invoices", "payments", "tickets",
                      "usage_snapshots")
        }  # fmt: skip


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def filled(empty: Book) -> Book:
    """The accounts of the GB18030 file, and their contacts."""
    run(empty, "accounts", "accounts_gb18030.csv")
    run(empty, "contacts", "contacts_tab.csv")
    return empty


# ---- reading files --------------------------------------------------------------------------


def test_gb18030_csv_with_chinese_headers(empty: Book) -> None:
    checked = importer.check(empty, "accounts", DATA / "accounts_gb18030.csv", TODAY)
    assert checked.table.encoding == "gb18030" and checked.table.delimiter == ","
    assert checked.ok and checked.ignored == [] and (checked.created, checked.updated) == (5, 0)
    assert dict(checked.mapping)["年营业额"] == "annual_revenue"
    assert dict(checked.mapping)["战略匹配度"] == "rating_strategic_fit"
    assert checked.preview(1)[0]["客户名称"] == "云翔集团有限公司"
    result = importer.commit(empty, checked, TODAY)
    assert (result.created, result.updated, result.skipped) == (5, 0, 0)

    got = accounts(empty)
    yx = got["云翔集团有限公司"]
    assert yx["annual_revenue"] == 120_000_000 and yx["employees"] == 3200
    assert (yx["industry"], yx["segment"], yx["region"], yx["owner"]) == (
        "制造业", "汽车零部件", "上海", "张伟",
    )  # fmt: skip
    assert (yx["status"], yx["track"]) == ("customer", "value")
    assert yx["ratings"] == {
        "strategic_fit": 5, "profit_potential": 5, "stability": 4, "market_influence": 5,
    }  # fmt: skip
    assert (yx["score"], yx["tier"]) == (4.8, "S")
    assert got["华信医疗股份有限公司"]["annual_revenue"] == 1_200_000
    assert got["华信医疗股份有限公司"]["track"] == "lighthouse"
    assert got["东方零售集团"]["status"] == "former"
    with empty.store.reading() as conn:
        pains = conn.exec_driver_sql(
            "SELECT pain_points FROM accounts WHERE name = '云翔集团有限公司'"
        ).scalar_one()
    assert pains == "数据孤岛，报表靠手工\n交付周期长"  # a quoted cell with a line break


def test_utf8_bom_csv_with_semicolons_and_english_headers(empty: Book) -> None:
    checked = importer.check(empty, "accounts", DATA / "accounts_utf8_bom.csv", TODAY)
    assert (checked.table.encoding, checked.table.delimiter) == ("utf-8-sig", ";")
    assert checked.ok, checked.errors
    importer.commit(empty, checked, TODAY)
    got = accounts(empty)
    assert got["Northwind Logistics Inc"]["annual_revenue"] == 3_000_000.5
    assert got["Apex Foods Ltd"]["annual_revenue"] == 2_500_000
    assert got["ＳＵＭＭＩＴ　Ｈｅａｌｔｈ"]["annual_revenue"] is None  # data is kept as written
    assert got["ＳＵＭＭＩＴ　Ｈｅａｌｔｈ"]["tier"] == "S"  # 5, 4, 4, 5
    assert '=HYPERLINK("http://evil.example","x")' in got  # text is data


def test_explicit_encodings_and_a_file_in_neither(empty: Book, tmp_path: Path) -> None:
    gb = DATA / "accounts_gb18030.csv"
    assert importer.check(empty, "accounts", gb, TODAY, encoding="gb18030").ok
    with pytest.raises(ImportFileError, match="--encoding gb18030"):
        importer.check(empty, "accounts", gb, TODAY, encoding="utf-8")
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"name\n\x80\xff\xfe\x81\n")
    with pytest.raises(ImportFileError, match="line 2"):
        importer.check(empty, "accounts", junk, TODAY)


def test_utf16_from_excel_unicode_text_and_tabs(empty: Book, tmp_path: Path) -> None:
    f = write(tmp_path / "u16.txt", "\ufeff客户名称\t行业\n云翔集团\t制造业\n", "utf-16-le")
    checked = importer.check(empty, "accounts", f, TODAY)
    assert checked.table.delimiter == "\t" and checked.created == 1


def test_xlsx_sheets_with_date_cells_serials_and_chinese_stages(filled: Book) -> None:
    result = run(filled, "deals", "book.xlsx")
    assert (result.created, result.skipped) == (4, 0)
    deals = {d["name"]: d for d in export.records(filled, "deals", TODAY)}
    assert deals["数据中台项目"]["stage"] == 2 and deals["数据中台项目"]["amount"] == 1_200_000
    assert deals["数据中台项目"]["expected_close"] == "2026-12-15"  # a date cell
    assert deals["年度续约"]["expected_close"] == "2026-11-30"  # an Excel serial
    assert deals["年度续约"]["stage"] == 3 and deals["年度续约"]["amount"] == 1_200_000
    assert deals["Pilot"]["expected_close"] == "2027-01-20" and deals["Pilot"]["amount"] == 30_000
    assert deals["二期扩容"]["stage"] == 4 and deals["二期扩容"]["expected_close"] == "2026-12-03"

    result = run(filled, "interactions", "book.xlsx", sheet="互动")
    assert result.created == 3
    yx = accounts(filled)["云翔集团有限公司"]
    assert yx["last_touch"] == "2026-11-18" and yx["last_exec_touch"] == "2026-11-10"
    with pytest.raises(ImportFileError, match="商机, 互动"):
        importer.check(filled, "deals", DATA / "book.xlsx", TODAY, sheet="Sheet9")


def test_xlsx_without_openpyxl_says_how_to_install_it(
    empty: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(ImportFileError, match=r"pip install 'kamtui\[excel\]'"):
        importer.check(empty, "deals", DATA / "book.xlsx", TODAY)


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Excel"),
        ("broken.xlsx", b"PK\x03\x04 not really", "not a readable .xlsx"),
        ("empty.csv", b"", "no header row"),
        ("blank.csv", b"\n\n , \n", "no header row"),
    ],
)
def test_files_that_cannot_be_imported(
    empty: Book, tmp_path: Path, name: str, data: bytes, why: str
) -> None:
    (tmp_path / name).write_bytes(data)
    with pytest.raises(ImportFileError, match=why):
        importer.check(empty, "accounts", tmp_path / name, TODAY)


def test_missing_columns_and_bad_mappings(empty: Book, tmp_path: Path) -> None:
    f = write(tmp_path / "a.csv", "公司简称,行业\n云翔,制造业\n")
    with pytest.raises(ImportFileError, match="--map COLUMN=name"):
        importer.check(empty, "accounts", f, TODAY)
    checked = importer.check(empty, "accounts", f, TODAY, mapping={"公司简称": "name"})
    assert checked.created == 1
    with pytest.raises(ImportFileError, match="no field 'nom'"):
        importer.check(empty, "accounts", f, TODAY, mapping={"公司简称": "nom"})
    with pytest.raises(ImportFileError, match="does not have"):
        importer.check(empty, "accounts", f, TODAY, mapping={"简称": "name"})
    both = write(tmp_path / "b.csv", "客户名称,公司名称\n云翔,云翔\n")
    with pytest.raises(ImportFileError, match="both hold name"):
        importer.check(empty, "accounts", both, TODAY)
    ok = importer.check(empty, "accounts", both, TODAY, mapping={"公司名称": None})
    assert ok.ignored == [] and ok.mapping == [("客户名称", "name"), ("公司名称", None)]
    assert ok.created == 1
    with pytest.raises(ImportFileError, match="account"):
        importer.check(empty, "contacts", write(tmp_path / "c.csv", "姓名\n王\n"), TODAY)


def test_headers_are_case_space_and_unit_insensitive(empty: Book, tmp_path: Path) -> None:
    f = write(
        tmp_path / "a.csv",
        "  ACCOUNT NAME ,Annual_Revenue（万元）,*负责人：,Remarks\nApex,120,张伟,x\nBeta,5亿,李娜,y\n",
    )
    checked = importer.check(empty, "accounts", f, TODAY)
    assert [k for _, k in checked.mapping] == ["name", "annual_revenue", "owner", None]
    assert checked.ignored == ["Remarks"]
    importer.commit(empty, checked, TODAY)
    got = accounts(empty)
    assert got["Apex"]["annual_revenue"] == 1_200_000  # 120 in a (万元) column
    assert got["Beta"]["annual_revenue"] == 500_000_000  # a cell with its own unit


# ---- validation: all or nothing -------------------------------------------------------------


def test_bad_rows_are_all_reported_with_line_column_and_reason(empty: Book) -> None:
    checked = importer.check(empty, "accounts", DATA / "accounts_bad.csv", TODAY)
    got = {(e.line, e.column): e.reason for e in checked.errors}
    assert set(got) == {
        (3, "annual_revenue"), (4, "strategic_fit"), (5, "name"), (6, "status"), (9, "name"),
    }  # fmt: skip
    assert "not an amount" in got[(3, "annual_revenue")]
    assert "1–5" in got[(4, "strategic_fit")]
    assert "required" in got[(5, "name")]
    assert "prospect, customer, former" in got[(6, "status")]
    assert got[(9, "name")] == "the same account as line 2"  # GOOD ONE  LTD
    assert checked.bad_rows == 5 and not checked.ok
    assert checked.duplicates == [
        "likely the same company, both new: Good One Ltd (line 2), Good One Limited (line 7)"
    ]
    assert [e.value for e in checked.errors if e.line == 3] == ["about a million"]


def test_cells_are_parsed_a_column_at_a_time_as_one_by_one(
    empty: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks of rows parsed by column give what parsing each cell gives: short rows have
    blank cells, repeated texts parse alike, numbers and texts that are equal as keys (1,
    1.0, True, "1") are each parsed as what they are, errors come by line then column."""
    monkeypatch.setattr(importer, "PARSE_CHUNK", 2)
    fields = importer.fields_for("accounts", empty.config.model)
    headers = ["客户名称", "员工数", "续约意向", "战略匹配度"]
    cells: list[list[Any]] = [
        ["云翔", "1,200", "是", "5"],
        ["华信", 1.0, True, 1],
        ["恒泰"],  # short: blank cells
        ["", "x", "也许", "9"],  # three errors and a missing name
        ["东方", "1,200", 1, "5"],
        ["  ", None, None, None],
    ]
    columns, _ = importer.map_columns(headers, fields)
    rows, errors = importer.parse_rows(((n + 2, c) for n, c in enumerate(cells)), columns)
    assert [r.values for r in rows] == [
        {"name": "云翔", "employees": 1200, "renewal_intent": True, "rating_strategic_fit": 5},
        {"name": "华信", "employees": 1, "renewal_intent": True, "rating_strategic_fit": 1},
        {"name": "恒泰"},
        {},
        {"name": "东方", "employees": 1200, "renewal_intent": True, "rating_strategic_fit": 5},
        {},
    ]
    assert [(e.line, e.column, e.value) for e in errors] == [
        (5, "客户名称", ""), (5, "员工数", "x"), (5, "续约意向", "也许"), (5, "战略匹配度", "9"),
        (7, "客户名称", ""),
    ]  # fmt: skip


def test_nothing_is_written_unless_every_row_is_valid(demo: Book) -> None:
    before = counts(demo)
    digest = json.dumps(demo.account_records(TODAY), sort_keys=True)
    checked = importer.check(demo, "accounts", DATA / "accounts_bad.csv", TODAY)
    with pytest.raises(ImportRefused, match="5 of 8 rows have errors; nothing was imported"):
        importer.commit(demo, checked, TODAY)
    with pytest.raises(ImportRefused) as refused:
        importer.import_file(demo, "accounts", DATA / "accounts_bad.csv", TODAY)
    assert refused.value.checked.bad_rows == 5
    assert counts(demo) == before
    assert json.dumps(demo.account_records(TODAY), sort_keys=True) == digest


def test_skip_invalid_imports_the_valid_rows_and_reports_the_rest(empty: Book) -> None:
    result = run(empty, "accounts", "accounts_bad.csv", skip_invalid=True)
    assert (result.created, result.skipped) == (3, 5)
    assert sorted(accounts(empty)) == ["Good One Limited", "Good One Ltd", "Good Two Ltd"]
    assert {e.line for e in result.errors} == {3, 4, 5, 6, 9}
    report = list(csv.reader(io.StringIO(importer.report_csv(result.errors).lstrip("\ufeff"))))
    assert report[0] == ["line", "column", "value", "reason"]
    assert ["3", "annual_revenue", "about a million"] == report[1][:3]


def test_a_write_that_fails_midway_leaves_nothing(
    demo: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = counts(demo)
    checked = importer.check(demo, "accounts", DATA / "accounts_gb18030.csv", TODAY)

    def boom(*args: Any) -> int:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(importer, "_recompute", boom)
    with pytest.raises(RuntimeError):
        importer.commit(demo, checked, TODAY)
    assert counts(demo) == before


# ---- re-importing and duplicates ------------------------------------------------------------


def test_importing_the_same_file_twice_creates_nothing_the_second_time(filled: Book) -> None:
    before = counts(filled)
    again = run(filled, "accounts", "accounts_gb18030.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    contacts = run(filled, "contacts", "contacts_tab.csv")
    assert (contacts.created, contacts.updated, contacts.unchanged) == (0, 0, 5)
    run(filled, "deals", "book.xlsx")
    run(filled, "interactions", "book.xlsx", sheet="互动")
    for kind in ("orders", "invoices", "tickets", "usage"):
        run(filled, kind, f"{kind}.csv")
    full = counts(filled)
    for kind in ("deals", "orders", "invoices", "tickets", "usage"):
        r = run(filled, kind, f"{kind}.csv" if kind != "deals" else "book.xlsx")
        assert (r.created, r.updated) == (0, 0), kind
    r = run(filled, "interactions", "book.xlsx", sheet="互动")
    assert (r.created, r.updated, r.unchanged) == (0, 0, 3)
    assert counts(filled) == full
    assert full["accounts"] == before["accounts"]


def test_accounts_match_by_normalised_name_and_are_updated(empty: Book, tmp_path: Path) -> None:
    a = empty.add_account(TODAY, name="云翔集团有限公司", industry="制造业", owner="张伟")
    b = empty.add_account(TODAY, name="ABC科技股份有限公司")
    f = write(
        tmp_path / "a.csv",
        "客户名称,负责人,地区\n云翔集团,李娜,上海\nＡＢＣ 科技,王芳,\n新客户有限公司,王芳,北京\n",
    )
    checked = importer.check(empty, "accounts", f, TODAY)
    assert (checked.created, checked.updated, checked.unchanged) == (1, 2, 0)
    importer.commit(empty, checked, TODAY)
    view = empty.account_view(a, TODAY)
    assert view.profile["name"] == "云翔集团有限公司"  # the name in the book is kept
    assert (view.profile["owner"], view.profile["region"]) == ("李娜", "上海")
    assert view.profile["industry"] == "制造业"  # a column the file lacks is left alone
    assert empty.account_view(b, TODAY).profile["owner"] == "王芳"
    assert len(accounts(empty)) == 3
    hits = empty.page(importer.repo.BookQuery(text="李娜"), 0, 10)
    assert [h.id for h in hits] == [a]  # the search text follows the new owner


def test_blank_cells_never_erase(empty: Book, tmp_path: Path) -> None:
    aid = empty.add_account(TODAY, name="Apex", industry="Retail", region="London")
    run(empty, "accounts", write(tmp_path / "a.csv", "name,industry,region\nApex,,Paris\n"))
    profile = empty.account_view(aid, TODAY).profile
    assert (profile["industry"], profile["region"]) == ("Retail", "Paris")


def test_likely_duplicates_in_the_book_are_listed_and_ambiguous_rows_refused(
    empty: Book, tmp_path: Path
) -> None:
    one = empty.add_account(TODAY, name="云翔集团有限公司")
    two = empty.add_account(TODAY, name="云翔集团")
    f = write(tmp_path / "a.csv", "客户名称,行业\n云翔集团有限公司,制造业\n云翔,制造业\n")
    checked = importer.check(empty, "accounts", f, TODAY)
    assert checked.duplicates == [
        f"likely the same company: 云翔集团有限公司 (id {one}), 云翔集团 (id {two})"
    ]
    (error,) = checked.errors
    assert error.line == 3 and "matches 2 accounts" in error.reason and "account_id" in error.reason


def test_an_id_column_must_agree_with_the_name(empty: Book, tmp_path: Path) -> None:
    aid = empty.add_account(TODAY, name="Apex Ltd")
    f = write(
        tmp_path / "a.csv", f"id,name,owner\n{aid},APEX,Kim\n{aid},Beta Inc,Lee\n999,Gamma,Lee\n"
    )
    checked = importer.check(empty, "accounts", f, TODAY)
    (error,) = checked.errors
    assert (error.line, error.column) == (3, "id") and "Apex Ltd" in error.reason
    assert (checked.created, checked.updated) == (1, 1)


def test_the_commit_matches_the_book_as_it_is_then(empty: Book) -> None:
    checked = importer.check(empty, "accounts", DATA / "accounts_gb18030.csv", TODAY)
    assert checked.created == 5
    empty.add_account(TODAY, name="恒泰物流有限公司", owner="someone")  # added meanwhile
    result = importer.commit(empty, checked, TODAY)
    assert (result.created, result.updated) == (4, 1)
    assert len(accounts(empty)) == 5


# ---- other kinds ----------------------------------------------------------------------------


def test_contacts_link_by_account_name_with_roles_stances_and_bosses(filled: Book) -> None:
    people = {c["name"]: c for c in export.records(filled, "contacts", TODAY)}
    assert (
        people["王建华"]["role"] == "economic_buyer" and people["王建华"]["stance"] == "supporter"
    )
    assert people["陈静"]["role"] == "evaluator" and people["陈静"]["stance"] == "champion"
    assert people["陈静"]["reports_to"] == "王建华" and people["刘洋"]["reports_to"] == "王建华"
    assert (
        people["孙磊"]["account"] == "华信医疗股份有限公司"
        and people["孙磊"]["stance"] == "blocker"
    )
    assert people["孙磊"]["reports_to"] == "赵敏"
    yx = accounts(filled)["云翔集团有限公司"]
    assert not any(w["code"] == "no_economic_buyer" for w in yx["coverage_warnings"])
    hx = accounts(filled)["华信医疗股份有限公司"]
    assert any(w["code"] == "blocker_without_action" for w in hx["coverage_warnings"])


def test_rows_for_unknown_accounts_or_contacts_are_errors(filled: Book, tmp_path: Path) -> None:
    f = write(
        tmp_path / "i.csv",
        "客户名称,日期,类型,联系人\n不存在公司,2026-11-01,电话,\n云翔集团,2026-11-02,电话,无名氏\n"
        "云翔集团,2027-01-01,电话,\n云翔集团,2026-11-03,飞鸽传书,\n",
    )
    checked = importer.check(filled, "interactions", f, TODAY)
    reasons = {e.line: e.reason for e in checked.errors}
    assert "no account named '不存在公司'" in reasons[2]
    assert "no contact '无名氏'" in reasons[3]
    assert "future" in reasons[4]
    assert "call, email, meeting, visit" in reasons[5]


def test_history_imports_feed_health_and_rfm(filled: Book) -> None:
    for kind in ("orders", "invoices", "tickets", "usage"):
        result = run(filled, kind, f"{kind}.csv")
        assert result.skipped == 0, (kind, result.errors)
    c = counts(filled)
    assert (c["orders"], c["invoices"], c["payments"], c["tickets"], c["usage_snapshots"]) == (
        4, 3, 1, 3, 3,
    )  # fmt: skip
    yx = accounts(filled)["云翔集团有限公司"]
    assert yx["rfm"] is not None
    reasons = " ".join(f["reason"] for f in yx["health"]["flags"])
    assert "30%" in reasons or "down" in reasons  # usage 1,000 → 700 active users
    assert "INV-0002" in reasons  # unpaid and overdue
    with filled.store.reading() as conn:
        order_of: dict[str, int] = dict(
            conn.exec_driver_sql("SELECT number, order_id FROM invoices").all()
        )
        adoption = (
            conn.exec_driver_sql(
                "SELECT adoption_pct FROM usage_snapshots ORDER BY account_id, month"
            )
            .scalars()
            .all()
        )
    assert all(order_of.values())
    assert adoption == [72, 55, 60]


def test_a_deal_stage_change_by_import_is_recorded(filled: Book, tmp_path: Path) -> None:
    run(filled, "deals", "book.xlsx")
    f = write(
        tmp_path / "d.csv",
        "客户名称,商机名称,阶段,状态\n恒泰物流,Pilot,3,\n中科智能科技,二期扩容,,输单\n",
    )
    result = run(filled, "deals", f)
    assert result.updated == 2
    deals = {d["name"]: d for d in export.records(filled, "deals", TODAY)}
    assert deals["Pilot"]["stage"] == 3 and deals["Pilot"]["days_in_stage"] == 0
    assert deals["二期扩容"]["status"] == "lost"
    with filled.store.reading() as conn:
        forced = conn.exec_driver_sql(
            "SELECT from_stage, to_stage, forced, reason FROM deal_stage_changes WHERE forced = 1"
        ).all()
    assert forced == [(1, 3, 1, "imported from d.csv")]
    reopen = write(tmp_path / "r.csv", "客户名称,商机名称,状态\n中科智能科技,二期扩容,open\n")
    assert "does not reopen" in importer.check(filled, "deals", reopen, TODAY).errors[0].reason


def test_deals_without_a_stage_column_start_in_stage_1_and_say_so(
    filled: Book, tmp_path: Path
) -> None:
    """A blank stage is stage 1 for a new deal; so is a file with no stage column at all
    (it used to fail with KeyError: 'stage'), and the check says so."""
    run(filled, "deals", "book.xlsx")
    f = write(
        tmp_path / "d.csv",
        "客户名称,商机名称,金额,状态\n恒泰物流,Pilot,5万,\n恒泰物流,新仓库,10万,\n"
        "华信医疗,旧项目,1万,输单\n",
    )
    checked = importer.check(filled, "deals", f, TODAY)
    assert checked.ok and (checked.created, checked.updated) == (2, 1)
    assert any("no stage column: new deals start in stage 1" in n for n in checked.notes)
    importer.commit(filled, checked, TODAY)
    deals = {d["name"]: d for d in export.records(filled, "deals", TODAY)}
    assert (deals["新仓库"]["stage"], deals["新仓库"]["amount"]) == (1, 100_000)
    assert (deals["旧项目"]["stage"], deals["旧项目"]["status"]) == (1, "lost")
    assert deals["Pilot"]["stage"] == 1 and deals["Pilot"]["amount"] == 50_000  # kept its stage
    with filled.store.reading() as conn:
        assert (
            conn.exec_driver_sql(
                "SELECT count(*) FROM deal_stage_changes c JOIN deals d ON d.id = c.deal_id "
                "WHERE d.name IN ('新仓库', '旧项目') AND c.to_stage = 1"
            ).scalar_one()
            == 3
        )  # created in stage 1 (both), lost in stage 1


def test_derived_values_agree_with_their_inputs_after_an_import(demo: Book) -> None:
    run(demo, "accounts", "accounts_gb18030.csv")
    run(demo, "contacts", "contacts_tab.csv")
    stored = accounts(demo)
    demo.refresh(TODAY)  # recompute everything from the inputs
    fresh = accounts(demo)
    for name in ("云翔集团有限公司", "华信医疗股份有限公司", "恒泰物流", "东方零售集团"):
        assert stored[name] == fresh[name]
    # new accounts move other accounts' RFM quintiles: the import recomputed those too
    assert stored == fresh
    assert _stale(demo) == []


def _many_accounts(path: Path, n: int) -> Path:
    """``n`` new accounts with every input of their derived values: statuses, ratings (some
    missing), pinned tiers, renewal and reference flags."""
    lines = ["客户名称,状态,赛道,续约意向,愿意做案例,是否人工调级,人工调级,调级理由,"
             "战略匹配度,盈利潜力,合作稳定性,市场影响力"]  # fmt: skip
    for i in range(n):
        pin = ("是", "A", "战略客户") if i % 97 == 0 else ("", "", "")
        ratings = [str(1 + (i * k) % 5) for k in (1, 3, 7, 11)]
        if i % 13 == 0:
            ratings[2] = ""  # unscored
        lines.append(
            ",".join([f"新客户{i:05d}有限公司", ("客户", "潜在客户", "前客户")[i % 3],
                      ("value", "price", "lighthouse")[i % 3], ("是", "否", "")[i % 3],
                      ("", "是", "否")[i % 3], *pin, *ratings])
        )  # fmt: skip
    return write(path, "\n".join(lines) + "\n")


def _stale(book: Book) -> list[int]:
    """Accounts whose stored derived values differ from a recomputation for TODAY."""
    with book.store.reading() as conn:
        return [
            aid for aid, (a, dv) in book.compute(conn, TODAY).items() if dv.columns() != a.stored
        ]


@pytest.mark.parametrize("rows", [50, importer.FULL_RECOMPUTE_AT + 500])
def test_new_accounts_are_written_with_their_derived_values(
    empty: Book, demo: Book, tmp_path: Path, rows: int
) -> None:
    """The derived values of created accounts go into their INSERT (no second pass): they
    are what a recomputation gives, RFM ranked against the whole book; a large import into
    a filled book recomputes the accounts that were there too."""
    path = _many_accounts(tmp_path / "many.csv", rows)
    result = importer.import_file(empty, "accounts", path, TODAY)[1]
    assert result.created == rows and result.recomputed == rows
    assert _stale(empty) == []
    assert {r["tier_pinned"] for r in accounts(empty).values()} == {True, False}
    if rows > importer.FULL_RECOMPUTE_AT:
        result = importer.import_file(demo, "accounts", path, TODAY)[1]
        assert result.created == rows and result.recomputed == rows + DEMO
        assert _stale(demo) == []


def _schema(book: Book) -> list[tuple[str, str, str]]:
    """The book's indexes and triggers as SQLite holds them: (type, name, SQL)."""
    with book.store.reading() as conn:
        return conn.exec_driver_sql(
            "SELECT type, name, coalesce(sql, '') FROM sqlite_master "
            "WHERE type IN ('index', 'trigger') ORDER BY name"
        ).all()  # type: ignore[return-value]


def _sound(book: Book) -> None:
    with book.store.reading() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []


@pytest.fixture
def set_aside(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """A small threshold for dropping and building again the indexes of the tables an
    import writes into; the statements each drop returned."""
    monkeypatch.setattr(importer, "REINDEX_AT", 20)
    dropped: list[list[str]] = []
    drop = importer.repo.drop_indexes

    def spy(conn: Any, tables: Any) -> list[str]:
        dropped.append(drop(conn, tables))
        return dropped[-1]

    monkeypatch.setattr(importer.repo, "drop_indexes", spy)
    return dropped


def _tables(dropped: list[list[str]]) -> set[str]:
    return {sql.split(" ON ")[1].split()[0] for group in dropped for sql in group}


def test_a_big_import_builds_the_indexes_again_as_a_fresh_book_has_them(
    empty: Book, demo: Book, tmp_path: Path, set_aside: list[list[str]]
) -> None:
    fresh = _schema(empty)
    assert fresh == _schema(demo)
    path = _many_accounts(tmp_path / "many.csv", 100)
    seen: list[tuple[str, int, int]] = []
    result = importer.import_file(
        empty, "accounts", path, TODAY, progress=lambda *a: seen.append(a)
    )[1]
    assert result.created == 100
    # the accounts' and the history's indexes were dropped and built again
    assert _tables(set_aside) == {"accounts", "changes"}
    assert _schema(empty) == fresh
    _sound(empty)
    assert _stale(empty) == []  # derived values as a full recompute gives them
    writing = [s for s in seen if s[0] == "writing"]
    assert writing[-1][1] == writing[-1][2] and [s[1] for s in writing] == sorted(
        s[1] for s in writing
    )
    # a book that holds fewer accounts than the file brings: its indexes are built again too
    set_aside.clear()
    result = importer.import_file(demo, "accounts", path, TODAY)[1]
    assert result.created == 100 and _tables(set_aside) == {"accounts", "changes"}
    assert _schema(demo) == fresh
    _sound(demo)
    assert _stale(demo) == []
    # importing it again writes nothing new: nothing is dropped, nothing changes
    set_aside.clear()
    again = importer.import_file(demo, "accounts", path, TODAY)[1]
    assert (again.created, again.updated, again.unchanged) == (0, 0, 100)
    assert set_aside == [] and _schema(demo) == fresh


def test_a_small_import_into_a_larger_book_keeps_its_indexes(
    demo: Book, tmp_path: Path, set_aside: list[list[str]]
) -> None:
    """Building an index again costs a pass over the whole table: below as many rows as
    the table holds, updating it row by row is cheaper."""
    result = importer.import_file(demo, "accounts", _many_accounts(tmp_path / "m.csv", 30), TODAY)[
        1
    ]
    assert result.created == 30 and "accounts" not in _tables(set_aside)


def test_a_failure_after_the_indexes_were_dropped_leaves_the_book_as_it_was(
    demo: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, set_aside: list[list[str]]
) -> None:
    before, schema = counts(demo), _schema(demo)

    def boom(*args: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(importer, "_record_history", boom)  # after the inserts, before the indexes
    with pytest.raises(RuntimeError):
        importer.import_file(demo, "accounts", _many_accounts(tmp_path / "m.csv", 100), TODAY)
    assert _tables(set_aside) == {"accounts", "changes"}
    assert counts(demo) == before and _schema(demo) == schema
    _sound(demo)


def test_progress_is_reported(empty: Book) -> None:
    seen: list[tuple[str, int, int]] = []
    importer.import_file(
        empty, "accounts", DATA / "accounts_gb18030.csv", TODAY,
        progress=lambda *a: seen.append(a),
    )  # fmt: skip
    phases = [s[0] for s in seen if s[1] == s[2]]
    assert phases[:2] == ["reading", "checking"] and "writing" in phases
    assert "recomputing" in phases


# ---- round trip -----------------------------------------------------------------------------


def test_exported_accounts_import_into_an_empty_book_as_the_same_accounts(
    demo: Book, tmp_path: Path
) -> None:
    first, second = demo.account_records(TODAY)[:2]
    demo.pin_tier(first["id"], "C", "客户正在重组，暂降级观察", TODAY)
    demo.set_ratings(second["id"], {"stability": None}, TODAY)
    records = demo.account_records(TODAY)
    assert any(r["tier_pinned"] for r in records) and any(r["tier"] == "unscored" for r in records)
    f = tmp_path / "accounts.csv"
    export.write_atomic(f, export.accounts_csv(records, demo.config.model.keys))
    with Book.create(tmp_path / "copy.db") as copy:
        _, result = importer.import_file(copy, "accounts", f, TODAY)
        assert (result.created, result.skipped) == (len(records), 0)
        again = copy.account_records(TODAY)

    def essence(r: dict[str, Any]) -> tuple[Any, ...]:
        return (r["name"], r["owner"], r["status"], r["track"], r["industry"], r["region"],
                r["ratings"], r["score"], r["computed_tier"], r["tier"], r["tier_pinned"],
                r["pin_reason"])  # fmt: skip

    assert sorted(map(essence, again)) == sorted(map(essence, records))


def test_a_formula_looking_name_survives_the_round_trip(empty: Book, tmp_path: Path) -> None:
    name = '=HYPERLINK("http://evil.example","x")'
    empty.add_account(TODAY, name=name, owner="-x", region="@home")
    text = export.accounts_csv(empty.account_records(TODAY), empty.config.model.keys)
    assert "'=HYPERLINK" in text and ",'-x," in text
    f = tmp_path / "a.csv"
    export.write_atomic(f, text)
    with Book.create(tmp_path / "b.db") as copy:
        importer.import_file(copy, "accounts", f, TODAY)
        (rec,) = copy.account_records(TODAY)
    assert (rec["name"], rec["owner"], rec["region"]) == (name, "-x", "@home")


# ---- exports --------------------------------------------------------------------------------


def test_xlsx_export_writes_text_never_formulas(empty: Book, tmp_path: Path) -> None:
    empty.add_account(TODAY, name="=1+1", owner="+sum", region="@here", industry="\x1b[2J")
    records = empty.account_records(TODAY)
    f = tmp_path / "a.xlsx"
    export.write_xlsx(f, *export.accounts_table(records, empty.config.model.keys), "accounts")
    ws = openpyxl.load_workbook(f).active
    assert ws is not None
    header = [c.value for c in ws[1]]
    row = {h: c for h, c in zip(header, ws[2], strict=True)}
    assert (row["name"].value, row["name"].data_type) == ("=1+1", "s")
    assert row["owner"].value == "+sum" and row["region"].value == "@here"
    assert row["industry"].value == "␛[2J"  # a control character, made visible
    assert not list(tmp_path.glob(".*.tmp"))


def test_exports_of_contacts_deals_and_interactions(filled: Book, tmp_path: Path) -> None:
    run(filled, "deals", "book.xlsx")
    run(filled, "interactions", "book.xlsx", sheet="互动")
    for what, n in (("contacts", 5), ("deals", 4), ("interactions", 3)):
        records = export.records(filled, what, TODAY)
        assert len(records) == n
        header, rows = export.flat_table(what, records)
        assert header == list(export.FIELDS[what]) == list(records[0])
        parsed = list(csv.reader(io.StringIO(export.to_csv(header, rows).lstrip("\ufeff"))))
        assert parsed[0] == header and len(parsed) == n + 1
        f = tmp_path / f"{what}.xlsx"
        export.write_xlsx(f, header, rows, what)
        assert openpyxl.load_workbook(f)[what].max_row == n + 1
    # an export imports back without creating anything
    f = tmp_path / "contacts.csv"
    export.write_atomic(
        f, export.to_csv(*export.flat_table("contacts", export.records(filled, "contacts", TODAY)))
    )
    assert run(filled, "contacts", f).unchanged == 5


def test_an_interrupted_write_keeps_the_old_file(tmp_path: Path) -> None:
    f = tmp_path / "plan.ics"
    f.write_text("old", encoding="utf-8")

    def broken(out: Any) -> None:
        out.write(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        export.write_atomic_with(f, broken)
    assert f.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.ics"]


def test_the_plan_as_icalendar_parses_back_with_stable_uids(demo: Book) -> None:
    week = IsoWeek(2026, 48)
    plan = demo.plan(week, TODAY)
    items = plan.items
    text = export.plan_ics(plan, None, TODAY)
    cal = Calendar.from_ical(text)
    todos = cal.walk("VTODO")
    assert len(todos) == len(items) > 0
    uids = [str(t["UID"]) for t in todos]
    assert len(set(uids)) == len(uids)
    assert uids == [
        str(t["UID"]) for t in Calendar.from_ical(export.plan_ics(plan, None, TODAY)).walk("VTODO")
    ]
    first = todos[0]
    assert str(first["SUMMARY"]).startswith(items[0].account)
    assert str(first["DESCRIPTION"]) == items[0].reason
    assert first.decoded("DUE") == items[0].due
    assert all("DTSTAMP" in t for t in todos)
    chinese = [
        t
        for t, i in zip(todos, items, strict=True)
        if i.kind != "batch" and not i.account.isascii()
    ]
    assert chinese and all(not str(t["SUMMARY"]).isascii() for t in chinese)
    assert "\r\n" in text and text.startswith("BEGIN:VCALENDAR")


def test_the_plan_as_csv(demo: Book) -> None:
    plan = demo.plan(IsoWeek(2026, 48), TODAY)
    items = plan.every_item()
    rows = list(csv.DictReader(io.StringIO(export.plan_csv(plan).lstrip("\ufeff"))))
    assert len(rows) == len(items)
    assert rows[0]["key"] == items[0].key and rows[0]["tier"] == "S"
    batched = [r for r in rows if r["batch"]]
    assert batched and all(r["kind"] == "touch" and r["tier"] == "C" for r in batched)


def test_check_never_writes(demo60_path: Path) -> None:
    before = hashlib.sha256(demo60_path.read_bytes()).hexdigest()
    with Book.open(demo60_path, read_only=True) as book:
        checked = importer.check(book, "accounts", DATA / "accounts_gb18030.csv", TODAY)
        assert checked.created == 5
    assert hashlib.sha256(demo60_path.read_bytes()).hexdigest() == before
    shutil.rmtree(demo60_path.parent / "nothing", ignore_errors=True)
