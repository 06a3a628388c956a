"""`kamtui import`, `kamtui export` and `kamtui plan --format csv|ics` from the command line."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from icalendar import Calendar

from kamtui.cli import main
from kamtui.cli_io import LARGE, ProgressLine
from kamtui.services.book import Book
from kamtui.services.demo import make_demo

TODAY = date(2026, 11, 23)
DAY = TODAY.isoformat()
DATA = Path(__file__).resolve().parent.parent / "data"


def kamtui(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    try:
        code = main([str(a) for a in args])
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "book.db"
    Book.create(path).close()
    return path


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("io-demo") / "demo.db"
    make_demo(path, accounts=40, seed=3, today=TODAY).close()
    return path


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    path.write_bytes(demo_template.read_bytes())
    return path


def names(path: Path) -> list[str]:
    with Book.open(path, read_only=True) as b:
        return sorted(r["name"] for r in b.account_records(TODAY))


# ---- import ---------------------------------------------------------------------------------


def test_import_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = kamtui(capsys, "import", "--help")
    assert code == 0 and "--dry-run" in out and "--skip-invalid" in out and "usage" in out


def test_import_a_gb18030_file_then_again(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    args = ("import", "accounts", DATA / "accounts_gb18030.csv", "--db", book, "--today", DAY)
    code, out, err = kamtui(capsys, *args)
    assert (code, err) == (0, "")
    assert "created 5 accounts, updated 0, 0 unchanged" in out
    code, out, _ = kamtui(capsys, *args)
    assert code == 0 and "created 0 accounts, updated 0, 5 unchanged" in out
    assert len(names(book)) == 5


def test_dry_run_writes_nothing(capsys: pytest.CaptureFixture[str], demo: Path) -> None:
    before = digest(demo)
    code, out, err = kamtui(
        capsys, "import", "accounts", DATA / "accounts_utf8_bom.csv", "--db", demo,
        "--dry-run", "--today", DAY,
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert "would create 4 accounts, update 0, 0 unchanged" in out and "Nothing was written" in out
    assert digest(demo) == before


def test_bad_rows_refuse_the_whole_file(
    capsys: pytest.CaptureFixture[str], demo: Path, tmp_path: Path
) -> None:
    before = digest(demo)
    report = tmp_path / "errors.csv"
    code, out, err = kamtui(
        capsys, "import", "accounts", DATA / "accounts_bad.csv", "--db", demo, "--today", DAY,
        "--report", report,
    )  # fmt: skip
    assert code == 1
    lines = err.splitlines()
    assert lines[0].startswith("accounts_bad.csv line 3, column annual_revenue: ")
    assert len(lines) == 6
    assert lines[-1] == (
        "kamtui: 5 of 8 rows have errors; nothing was imported. Fix them, or use "
        "--skip-invalid to import the valid rows."
    )
    assert "Check: likely the same company, both new" in out
    assert digest(demo) == before
    rows = list(csv.DictReader(io.StringIO(report.read_text(encoding="utf-8-sig"))))
    assert [r["line"] for r in rows] == ["3", "4", "5", "6", "9"]
    assert rows[0]["value"] == "about a million"


def test_dry_run_of_a_bad_file_exits_1_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], book: Path
) -> None:
    before = digest(book)
    code, out, err = kamtui(
        capsys, "import", "accounts", DATA / "accounts_bad.csv", "--db", book, "--dry-run",
        "--today", DAY,
    )  # fmt: skip
    assert code == 1 and "would be refused" in err.splitlines()[-1]
    assert "would create 3 accounts" in out
    assert digest(book) == before


def test_skip_invalid_imports_the_rest(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    code, out, err = kamtui(
        capsys, "import", "accounts", DATA / "accounts_bad.csv", "--db", book, "--skip-invalid",
        "--today", DAY,
    )  # fmt: skip
    assert code == 0
    assert "created 3 accounts" in out and "skipped 5 rows with errors" in out
    assert len(err.splitlines()) == 5
    assert names(book) == ["Good One Limited", "Good One Ltd", "Good Two Ltd"]


def test_map_sheet_and_encoding_options(
    capsys: pytest.CaptureFixture[str], book: Path, tmp_path: Path
) -> None:
    f = tmp_path / "x.csv"
    f.write_bytes("公司简称,备注\n云翔集团有限公司,老客户\n恒泰物流,x\n".encode("gb18030"))
    code, out, _ = kamtui(
        capsys, "import", "accounts", f, "--db", book, "--map", "公司简称=name", "--map", "备注=",
        "--encoding", "gb18030", "--today", DAY,
    )  # fmt: skip
    assert code == 0 and "created 2 accounts" in out and "not imported" not in out
    code, out, err = kamtui(
        capsys, "import", "deals", DATA / "book.xlsx", "--db", book, "--sheet", "商机",
        "--skip-invalid", "--today", DAY,
    )  # fmt: skip
    assert code == 0 and "created 2 deals" in out and "skipped 2 rows" in out
    code, out, err = kamtui(
        capsys, "import", "deals", DATA / "book.xlsx", "--db", book, "--sheet", "Nope",
        "--today", DAY,
    )  # fmt: skip
    assert code == 1 and err.count("\n") == 1 and "商机, 互动" in err


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["accounts", "missing.csv"], "No file at"),
        (["accounts", DATA / "accounts_gb18030.csv", "--encoding", "utf-8"], "--encoding gb18030"),
        (["contacts", DATA / "accounts_gb18030.csv"], "no column for name"),
        (["accounts", DATA / "accounts_gb18030.csv", "--sheet", "x"], "--sheet is for Excel"),
    ],
)
def test_file_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], book: Path, args: list[object], phrase: str
) -> None:
    before = digest(book)
    code, out, err = kamtui(capsys, "import", *args, "--db", book, "--today", DAY)
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("kamtui: ") and phrase in err
    assert digest(book) == before


def test_user_text_in_errors_is_shown_as_data(
    capsys: pytest.CaptureFixture[str], book: Path, tmp_path: Path
) -> None:
    f = tmp_path / "e.csv"
    f.write_text("name,status\n[bold]x[/],\x1b[31mred\n", encoding="utf-8")
    code, _, err = kamtui(capsys, "import", "accounts", f, "--db", book, "--today", DAY)
    assert code == 1 and "\x1b" not in err and "'\\x1b[31mred'" in err


def test_progress_lines_for_large_imports() -> None:
    out = io.StringIO()
    show = ProgressLine(out)
    show("reading", 10, 100)  # small and not a terminal: quiet
    assert out.getvalue() == ""
    for done in range(0, LARGE * 2 + 1, 5000):
        show("writing", done, LARGE * 2)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("writing: 0 of 40,000") and lines[-1].endswith("(100%)")
    assert len(lines) == 5


# ---- export ---------------------------------------------------------------------------------


@pytest.mark.parametrize("what", ["accounts", "contacts", "deals", "interactions"])
def test_export_every_table_as_csv_json_and_xlsx(
    capsys: pytest.CaptureFixture[str], demo: Path, tmp_path: Path, what: str
) -> None:
    before = digest(demo)
    code, out, _ = kamtui(capsys, "export", what, "--db", demo, "--format", "json", "--today", DAY)
    records = json.loads(out)
    assert code == 0 and records
    code, out, _ = kamtui(capsys, "export", what, "--db", demo, "--format", "csv", "--today", DAY)
    assert out.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(out[1:], newline="")))
    assert len(rows) == len(records)
    assert [r["id"] for r in rows] == [str(r["id"]) for r in records]
    f = tmp_path / f"{what}.xlsx"
    code, out, _ = kamtui(
        capsys, "export", what, "--db", demo, "--format", "xlsx", "-o", f, "--today", DAY
    )
    assert (code, out) == (0, "")
    ws = openpyxl.load_workbook(f)[what]
    assert ws.max_row == len(records) + 1
    assert digest(demo) == before


def test_xlsx_needs_an_output_file(capsys: pytest.CaptureFixture[str], demo: Path) -> None:
    code, out, err = kamtui(capsys, "export", "deals", "--db", demo, "--format", "xlsx")
    assert code == 2 and out == "" and "needs -o FILE" in err


def test_export_then_import_into_an_empty_book(
    capsys: pytest.CaptureFixture[str], demo: Path, book: Path, tmp_path: Path
) -> None:
    f = tmp_path / "accounts.csv"
    assert kamtui(capsys, "export", "accounts", "--db", demo, "--format", "csv", "-o", f,
                  "--today", DAY)[0] == 0  # fmt: skip
    code, out, err = kamtui(capsys, "import", "accounts", f, "--db", book, "--today", DAY)
    assert code == 0, err
    a = json.loads(kamtui(capsys, "export", "accounts", "--db", demo, "--today", DAY)[1])
    b = json.loads(kamtui(capsys, "export", "accounts", "--db", book, "--today", DAY)[1])
    keep = ("name", "owner", "status", "track", "ratings", "score", "tier", "tier_pinned")
    assert sorted(json.dumps([x[k] for k in keep]) for x in a) == sorted(
        json.dumps([x[k] for k in keep]) for x in b
    )


# ---- plan -----------------------------------------------------------------------------------


def test_plan_as_ics_and_csv(
    capsys: pytest.CaptureFixture[str], demo: Path, tmp_path: Path
) -> None:
    ics = tmp_path / "plan.ics"
    base = ("plan", "--db", demo, "--week", "2026-W48", "--today", DAY)
    assert kamtui(capsys, *base, "--format", "ics", "-o", ics)[0] == 0
    items = json.loads(kamtui(capsys, *base, "--format", "json")[1])
    todos = Calendar.from_ical(ics.read_bytes()).walk("VTODO")
    # a to-do per item, but one for each batch of tier-C accounts (a row each in data)
    batches = {i["batch"] for i in items if i["batch"]}
    assert batches and len(todos) == len([i for i in items if not i["batch"]]) + len(batches)
    first = ics.read_bytes()
    assert kamtui(capsys, *base, "--format", "ics", "-o", ics)[0] == 0
    assert ics.read_bytes() == first  # same week, same file: stable UIDs, nothing new
    code, out, _ = kamtui(capsys, *base, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"), newline="")))
    assert code == 0 and [r["key"] for r in rows] == [i["key"] for i in items]


def test_plan_in_chinese_for_people_and_in_english_for_machines(
    capsys: pytest.CaptureFixture[str], demo: Path, tmp_path: Path
) -> None:
    from kamtui.ui import strings

    md, ics = tmp_path / "plan.md", tmp_path / "plan.ics"
    base = ("plan", "--db", demo, "--week", "2026-W48", "--today", DAY, "--lang", "zh")
    try:
        assert kamtui(capsys, *base, "--format", "md", "-o", md)[0] == 0
        assert kamtui(capsys, *base, "--format", "ics", "-o", ics)[0] == 0
        code, out, _ = kamtui(capsys, *base, "--format", "json")
    finally:
        strings.set_language("en")
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# 周计划 2026-W48\n")
    assert "2026-11-23 至 2026-11-29 · 共" in text
    assert "## S 级" in text and "高层触达" in text and "触达已逾期" in text
    assert "overdue" not in text and "Tier" not in text
    todos = Calendar.from_ical(ics.read_bytes()).walk("VTODO")
    assert any("触达" in str(t["description"]) for t in todos)
    assert all("overdue" not in str(t["description"]) for t in todos)
    assert code == 0 and "overdue" in out  # JSON is data: the reasons as the book wrote them
