"""Files and rows an import refuses, each with a sentence naming what is wrong and where:
missing and doubled columns, files too large or with nothing in them, CSV rows that do
not fit their header, formulas never computed, numbers the book cannot hold; and, for any
file at all, a refusal (KamError) or an import, never another exception (hypothesis)."""

from __future__ import annotations

import csv
import io
import os
import shutil
import tracemalloc
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from files_missing_a_column import ACCOUNT, MISSING, required, write_without
from kamtui.domain.errors import KamError
from kamtui.services import importer, reading
from kamtui.services.book import Book
from kamtui.services.importer import FIELDS, ImportFileError, ImportRefused

TODAY = date(2026, 11, 23)
DATA = Path(__file__).resolve().parent.parent / "data"


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


@pytest.fixture
def book(empty: Book) -> Book:
    """A book with the account the files name."""
    importer.commit(
        empty, importer.check(empty, "accounts", DATA / "accounts_gb18030.csv", TODAY), TODAY
    )
    return empty


# ---- columns --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", importer.KINDS)
def test_a_file_with_every_column_it_needs_imports(book: Book, tmp_path: Path, kind: str) -> None:
    for chinese in (False, True):
        checked = importer.check(book, kind, write_without(tmp_path, kind, None, chinese), TODAY)
        assert checked.ok, checked.errors


@pytest.mark.parametrize(("kind", "missing"), MISSING)
def test_a_file_missing_a_column_it_needs_is_refused_naming_it(
    book: Book, tmp_path: Path, kind: str, missing: str
) -> None:
    for chinese in (False, True):
        path = write_without(tmp_path, kind, missing, chinese)
        with pytest.raises(ImportFileError) as refused:
            importer.check(book, kind, path, TODAY)
        message = refused.value.message
        assert message.startswith(path.name)
        named = (
            "no column naming the account" if missing == "account" else f"no column for {missing}"
        )
        assert named in message
        assert f"--map COLUMN={missing}" in message
        with pytest.raises(ImportFileError):
            importer.import_file(book, kind, path, TODAY)


def test_two_columns_with_one_header_or_for_one_field(empty: Book, tmp_path: Path) -> None:
    twice = write_csv(tmp_path / "twice.csv", [["name", "industry", "Name"], ["A", "B", "C"]])
    with pytest.raises(ImportFileError, match=r"two columns headed 'Name' \(columns A and C\)"):
        importer.check(empty, "accounts", twice, TODAY)
    both = write_csv(tmp_path / "both.csv", [["客户名称", "公司名称"], ["A", "B"]])
    with pytest.raises(
        ImportFileError, match="'客户名称' and '公司名称' of both.csv both hold name"
    ):
        importer.check(empty, "accounts", both, TODAY)
    # two columns nobody imports may share a header
    notes = write_csv(tmp_path / "notes.csv", [["name", "备注", "备注"], ["A", "x", "y"]])
    assert importer.check(empty, "accounts", notes, TODAY).ok


def test_a_column_without_a_header_is_named_in_a_note(empty: Book, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "gap.csv", [["name", "", "region"], ["A", "Retail", "Shanghai"]])
    checked = importer.check(empty, "accounts", f, TODAY)
    assert checked.ok
    assert checked.notes == [
        "column B has no header: its values were not imported (give it a header to import them)"
    ]
    empty_gap = write_csv(tmp_path / "gap2.csv", [["name", "", "region"], ["A", "", "Shanghai"]])
    assert importer.check(empty, "accounts", empty_gap, TODAY).notes == []


# ---- files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "empty.csv is empty: it has no header row"),
        (b"\r\n,,\r\n  \r\n", "empty.csv is empty: it has no header row"),
        (b"name,industry\r\n", "has a header row but no rows below it: nothing to import"),
        (b"name,industry\r\n,\r\n\r\n", "has a header row but no rows below it"),
    ],
)
def test_files_with_nothing_to_import(empty: Book, tmp_path: Path, data: bytes, why: str) -> None:
    (tmp_path / "empty.csv").write_bytes(data)
    with pytest.raises(ImportFileError, match=why):
        importer.check(empty, "accounts", tmp_path / "empty.csv", TODAY)


def test_a_sheet_with_a_header_only_or_that_is_not_there(empty: Book, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "客户"
    ws.append(["客户名称", "行业"])
    wb.create_sheet("空")
    wb.save(tmp_path / "book.xlsx")
    with pytest.raises(
        ImportFileError, match="Sheet '客户' of book.xlsx has a header row but no rows"
    ):
        importer.check(empty, "accounts", tmp_path / "book.xlsx", TODAY)
    with pytest.raises(ImportFileError, match="Sheet '空' of .*book.xlsx is empty"):
        importer.check(empty, "accounts", tmp_path / "book.xlsx", TODAY, sheet="空")
    with pytest.raises(ImportFileError, match="has no sheet '客戶'; its sheets are 客户, 空"):
        importer.check(empty, "accounts", tmp_path / "book.xlsx", TODAY, sheet="客戶")


def test_a_file_too_large_is_refused_before_it_is_read(empty: Book, tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    with open(big, "wb") as f:  # sparse: nothing is written, the size is what counts
        f.write(b"name\r\n")
        f.truncate(reading.MAX_FILE_BYTES + 1)
    with pytest.raises(ImportFileError) as refused:
        importer.check(empty, "accounts", big, TODAY)
    assert refused.value.message == (
        f"{big} is 50 MB; kamtui imports files of up to 50 MB: split it into smaller files "
        "and import them one after another."
    )
    with open(big, "r+b") as f:
        f.truncate(3 * 1024**3)
    with pytest.raises(ImportFileError, match=r"is 3\.0 GB; kamtui imports files of up to 50 MB"):
        importer.import_file(empty, "accounts", big, TODAY)


def test_a_file_with_too_many_rows_is_refused(
    empty: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "MAX_ROWS", 5)
    f = write_csv(tmp_path / "many.csv", [["name"], *([f"A{n}"] for n in range(6))])
    with pytest.raises(ImportFileError, match="many.csv has more than 5 rows"):
        importer.check(empty, "accounts", f, TODAY)
    write_csv(f, [["name"], *([f"A{n}"] for n in range(5))])
    assert importer.check(empty, "accounts", f, TODAY).total == 5


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_refused_not_read(empty: Book, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(ImportFileError, match="is not a regular file"):
        importer.check(empty, "accounts", fifo, TODAY)


def test_a_workbook_broken_further_in_is_refused(empty: Book, tmp_path: Path) -> None:
    """A workbook whose sheet is cut short: a sentence, not openpyxl's exception."""
    import zipfile

    good = DATA / "book.xlsx"
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            dst.writestr(item, data)
    with pytest.raises(
        ImportFileError, match="broken.xlsx is damaged: it cannot be read to the end"
    ):
        importer.check(empty, "deals", broken, TODAY)


def test_reading_a_file_keeps_only_what_it_shows(tmp_path: Path) -> None:
    """The file is read in a stream: reading a 4 MB file for its preview and row count
    holds well under the file's size (the whole text, decoded, would be several times it)."""
    path = tmp_path / "wide.csv"
    row = "云翔集团有限公司{n},制造业,上海,1.2亿,3200,张伟,客户,价值导向型,数据孤岛\r\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write("客户名称,行业,地区,年营业额,员工数,负责人,状态,赛道,痛点\r\n")
        n = 0
        while f.tell() < 4 * 1024 * 1024:
            f.write(row.format(n=n))
            n += 1
    tracemalloc.start()
    try:
        table = reading.read_table(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert table.total == n and len(table.first) == reading.PREVIEW_ROWS
    assert peak < 1024 * 1024, f"peak {peak:,} bytes"


# ---- rows that do not fit their header ------------------------------------------------------


def test_rows_that_do_not_fit_the_header_are_errors_on_their_lines(empty: Book) -> None:
    """More cells (an unquoted comma), fewer cells, and a quote that never closes are
    errors on the line each starts on (after a quoted cell with a line break: lines of
    the file, not rows), never imported shifted."""
    checked = importer.check(empty, "accounts", DATA / "accounts_ragged.csv", TODAY)
    assert [(e.line, e.column) for e in checked.errors] == [(5, ""), (6, ""), (8, "")]
    more, fewer, quote = checked.errors
    assert more.value == "Acme, Inc,Manufacturing,Shanghai"
    assert more.reason.startswith("4 cells where the header has 3")
    assert 'must be in quotes: "Acme, Inc"' in more.reason
    assert fewer.reason.startswith("2 cells where the header has 3: a cell is missing")
    assert "never closes: lines 8–10, the rest of the file, were read as one cell" in quote.reason
    assert (checked.total, checked.bad_rows, checked.created) == (6, 3, 3)
    assert [line for line, _ in checked.table.first] == [2, 3, 7]  # the rows that fit
    with pytest.raises(ImportRefused, match="3 of 6 rows have errors; nothing was imported"):
        importer.commit(empty, checked, TODAY)
    assert empty.account_records(TODAY) == []

    result = importer.commit(empty, checked, TODAY, skip_invalid=True)
    assert (result.created, result.skipped) == (3, 3)
    names = sorted(r["name"] for r in empty.account_records(TODAY))
    assert names == ["云翔集团有限公司", "华信医疗股份有限公司", "恒泰物流"]
    regions = {r["name"]: r["region"] for r in empty.account_records(TODAY)}
    assert regions["华信医疗股份有限公司"] == "北京\r\n朝阳区"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('name,region\r\n"Acme" Inc,Shanghai\r\nB,C\r\n', 2, "goes on after its closing quote"),
        ("name;region\r\nAcme;Shanghai;x\r\nB;C\r\n", 2, "a value with a semicolon in it"),
        ("name\tregion\r\nAcme\r\nB\tC\r\n", 2, "a cell is missing"),
        ('\r\n\r\nname,region\r\nA,B\r\n\r\n"C,D\r\nE,F\r\n', 6, "lines 6–7"),
    ],
)
def test_bad_lines_are_found_wherever_they_are(
    empty: Book, tmp_path: Path, text: str, line: int, words: str
) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(text, encoding="utf-8", newline="")
    checked = importer.check(empty, "accounts", f, TODAY)
    assert [e.line for e in checked.errors] == [line]
    assert words in checked.errors[0].reason


def test_a_quote_that_never_closes_in_a_large_file_stops_the_reading(
    empty: Book, tmp_path: Path
) -> None:
    """Past the csv module's cell limit, the rest of the file is one error, not rows."""
    f = tmp_path / "long.csv"
    with open(f, "w", encoding="utf-8", newline="") as out:
        out.write('name,region\r\nA,B\r\n"C,D\r\n')
        for n in range(20_000):
            out.write(f"Row {n},Shanghai\r\n")
    checked = importer.check(empty, "accounts", f, TODAY)
    assert [e.line for e in checked.errors] == [3]
    assert "runs past 131,072 characters" in checked.errors[0].reason
    assert (checked.total, checked.created) == (2, 1)


# ---- formulas and numbers ------------------------------------------------------------------


def test_a_formula_with_no_computed_value_is_an_error_in_its_cell(
    empty: Book, tmp_path: Path
) -> None:
    importer.commit(
        empty, importer.check(empty, "accounts", DATA / "accounts_gb18030.csv", TODAY), TODAY
    )
    checked = importer.check(empty, "orders", DATA / "orders_formulas.xlsx", TODAY)
    assert [(e.line, e.column, e.value) for e in checked.errors] == [(7, "金额", "=D7*E7")]
    assert checked.errors[0].reason == (
        "a formula with no computed value (=D7*E7): open the file in Excel or LibreOffice, "
        "save it, and import it again"
    )
    assert checked.preview(6)[5]["金额"] == "=D7*E7"
    result = importer.commit(empty, checked, TODAY, skip_invalid=True)
    assert (result.created, result.skipped) == (5, 1)


@pytest.mark.parametrize(
    ("kind", "head", "cell", "words"),
    [
        ("accounts", "name,employees", "A,99999999999999999999999", "too large for a whole number"),
        ("accounts", "name,branches", "A," + "9" * 5000, "too large for a whole number"),
        ("accounts", "name,annual revenue", "A,1" + "0" * 400, "too large for an amount"),
        ("accounts", "客户名称,年营业额（亿元）", "A,99999999", "× 100,000,000 (the unit in"),
        ("orders", "客户名称,订单号,日期,金额", f"{ACCOUNT},N,2026-01-01,1e999", "not an amount"),
        ("usage", "客户名称,月份,登录次数", f"{ACCOUNT},2026-10,1000000000000000", "too large"),
        ("usage", "客户名称,月份,采用率", f"{ACCOUNT},2026-10,%", "not a percentage"),
    ],
)
def test_numbers_the_book_cannot_hold_are_errors_in_their_cells(
    book: Book, tmp_path: Path, kind: str, head: str, cell: str, words: str
) -> None:
    f = tmp_path / "n.csv"
    f.write_text(f"{head}\r\n{cell}\r\n", encoding="utf-8")
    checked = importer.check(book, kind, f, TODAY)
    assert [(e.line, e.column) for e in checked.errors] == [(2, head.split(",")[-1])]
    assert words in checked.errors[0].reason


# ---- any file -------------------------------------------------------------------------------

HOSTILE = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "6",
            "1.5",
            "1e400",
            "inf",
            "nan",
            "9" * 30,
            "9" * 5000,
            "(500)",
            "99999999999亿",
            "%",
            "200%",
            "yes",
            "lost",
            "open",
            "stage 5",
            "unscored",
            "9999-12-31",
            "0001-01-01",
            "2958465",
            "=1+1",
            "'=x",
            "华信医疗",
            "王建华",
            "N-1",
            "Acme, Inc",
        ]
    ),  # fmt: skip
    st.text(max_size=12),
)
LIKELY = {  # values a good row has, by field; any other field: a word
    "account": [ACCOUNT, "华信医疗股份有限公司"], "name": ["王建华", "陈静", "数据中台", "Acme"],
    "amount": ["1,000", "5万", "0"], "annual_revenue": ["1.2亿"], "employees": ["300"],
    "branches": ["2"], "stage": ["1", "3", "阶段5"], "status": ["open", "lost", "customer"],
    "happened_on": ["2026-11-01"], "ordered_on": ["2026-01-01"], "issued_on": ["2026-01-01"],
    "due_on": ["2026-02-01"], "paid_on": ["2026-02-01"], "opened_on": ["2026-10-01"],
    "closed_on": ["2026-10-05"], "month": ["2026-10"], "number": ["SO-1", "SO-2"],
    "expected_close": ["2026-12-01"], "left_on": ["2026-01-01"], "satisfaction": ["3"],
    "tier": ["S", "A"], "tier_pinned": ["yes", "no"], "pinned_tier": ["S"],
    "pin_reason": ["strategic"], "active_users": ["5"], "logins": ["50"],
    "adoption_pct": ["40%"], "id": ["1", "2"], "account_id": ["1", "2"], "kind": ["call"],
    "reports_to": ["王建华"], "contact": ["王建华"], "executive": ["是"], "role": ["finance"],
    "tech_maturity": ["4"], "financial_health": ["2"], "severity": ["high"],
}  # fmt: skip


def cell(key: str) -> st.SearchStrategy[str]:
    likely = LIKELY.get(key) or (["4"] if key.startswith("rating_") else ["x"])
    return st.one_of(st.sampled_from(likely), st.sampled_from(likely), HOSTILE)


@st.composite
def files(draw: st.DrawFn) -> tuple[str, str]:
    """A CSV file of some kind: the columns it needs (mostly), others, blank or unknown
    headers; cells mostly as a rep fills them, some hostile; sometimes a bad line."""
    kind = draw(st.sampled_from(importer.KINDS))
    others = [f.key for f in FIELDS[kind] if f.key not in required(kind)]
    heads = [k for k in required(kind) if draw(st.integers(0, 9))]  # sometimes one is missing
    heads += draw(st.lists(st.sampled_from([*others, "", "unknown"]), max_size=6))
    heads = draw(st.permutations(heads)) if heads else ["unknown"]
    rows = draw(st.lists(st.tuples(*(cell(h) for h in heads)), max_size=5))
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([heads, *rows])
    text = buf.getvalue()
    if not draw(st.integers(0, 4)):  # and sometimes a line that does not fit
        text += draw(st.sampled_from(['"open,quote\r\nmore\r\n', "a,b,c,d,e,f,g,h,i\r\n", "x\r\n"]))
    return kind, text


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("fuzz") / "book.db"
    with Book.create(path) as book:
        importer.import_file(book, "accounts", DATA / "accounts_gb18030.csv", TODAY)
        importer.import_file(book, "contacts", DATA / "contacts_tab.csv", TODAY)
    yield path


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(files(), st.booleans())
def test_any_file_is_imported_or_refused_with_a_sentence(
    template: Path, tmp_path: Path, file: tuple[str, str], skip: bool
) -> None:
    """Whatever a CSV file holds, checking and importing it either works or is a KamError
    (a sentence for the rep): never KeyError, OverflowError, AssertionError …"""
    kind, text = file
    db = tmp_path / "fuzz.db"
    shutil.copyfile(template, db)
    path = tmp_path / "f.csv"
    path.write_text(text, encoding="utf-8", newline="")
    with Book.open(db) as book:
        try:
            checked = importer.check(book, kind, path, TODAY)
            importer.commit(book, checked, TODAY, skip_invalid=skip)
        except KamError as e:
            assert e.message
        book.refresh(TODAY)
    db.unlink()
    for extra in ("-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)
