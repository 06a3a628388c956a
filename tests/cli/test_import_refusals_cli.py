"""`kamtui import` refusing files and rows as a rep meets them: one line naming the file,
the row or the column and what is wrong, exit 1, the book unchanged; never "unexpected
error"."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from files_missing_a_column import MISSING, refusal_names, write_without
from kamtui.cli import main
from kamtui.services import reading
from kamtui.services.book import Book
from kamtui.services.importer import import_file

TODAY = date(2026, 11, 23)
DAY = TODAY.isoformat()
DATA = Path(__file__).resolve().parent.parent / "data"


def kamtui(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "unexpected error" not in out + err
    return code, out, err


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A book holding the accounts of tests/data/accounts_gb18030.csv."""
    path = tmp_path_factory.mktemp("refusals") / "book.db"
    with Book.create(path) as book:
        import_file(book, "accounts", DATA / "accounts_gb18030.csv", TODAY)
    return path


@pytest.fixture
def book(template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "book.db"
    path.write_bytes(template.read_bytes())
    return path


@pytest.mark.parametrize(("kind", "missing"), MISSING)
def test_a_file_missing_a_column_it_needs_is_one_line(
    capsys: pytest.CaptureFixture[str], book: Path, tmp_path: Path, kind: str, missing: str
) -> None:
    before = digest(book)
    for chinese in (False, True):
        path = write_without(tmp_path, kind, missing, chinese)
        for dry in ((), ("--dry-run",)):
            code, out, err = kamtui(
                capsys, "import", kind, path, "--db", book, "--today", DAY, *dry
            )
            assert (code, out) == (1, "")
            assert err.count("\n") == 1 and err.startswith(f"kamtui: {path.name} has ")
            assert refusal_names(missing) in err and f"--map COLUMN={missing}" in err
    assert digest(book) == before
    complete = write_without(tmp_path, kind, None, chinese=True)
    code, out, err = kamtui(capsys, "import", kind, complete, "--db", book, "--today", DAY)
    assert (code, err) == (0, "") and "created 1" in out


def test_deals_without_a_stage_column_import_in_stage_1(
    capsys: pytest.CaptureFixture[str], book: Path, tmp_path: Path
) -> None:
    f = tmp_path / "deals.csv"
    f.write_text("客户名称,商机名称,金额\n云翔集团有限公司,数据中台,120万\n", encoding="utf-8")
    code, out, err = kamtui(capsys, "import", "deals", f, "--db", book, "--today", DAY)
    assert (code, err) == (0, "")
    assert "Note: the file has no stage column: new deals start in stage 1" in out
    assert "created 1 deal," in out


def test_rows_that_do_not_fit_the_header_are_reported_by_line(
    capsys: pytest.CaptureFixture[str], book: Path
) -> None:
    before = digest(book)
    ragged = DATA / "accounts_ragged.csv"
    for args in (("--dry-run",), ()):
        code, out, err = kamtui(
            capsys, "import", "accounts", ragged, "--db", book, "--today", DAY, *args
        )
        assert code == 1
        lines = err.splitlines()
        assert [line.split(":")[0] for line in lines[:3]] == [
            "accounts_ragged.csv line 5", "accounts_ragged.csv line 6", "accounts_ragged.csv line 8",
        ]  # fmt: skip
        assert "4 cells where the header has 3" in lines[0]
        assert "lines 8–10, the rest of the file, were read as one cell" in lines[2]
        assert lines[3].startswith("kamtui: 3 of 6 rows have errors")
    assert digest(book) == before
    code, out, err = kamtui(
        capsys, "import", "accounts", ragged, "--db", book, "--today", DAY, "--skip-invalid"
    )
    assert code == 0 and len(err.splitlines()) == 3
    assert "created 0 accounts, updated 1, 2 unchanged; skipped 3 rows with errors" in out


def test_a_formula_with_no_value_is_reported_by_row_and_column(
    capsys: pytest.CaptureFixture[str], book: Path
) -> None:
    f = DATA / "orders_formulas.xlsx"
    code, out, err = kamtui(
        capsys, "import", "orders", f, "--db", book, "--today", DAY, "--dry-run"
    )
    assert code == 1
    assert err.splitlines()[0] == (
        "orders_formulas.xlsx row 7, column 金额: a formula with no computed value (=D7*E7): "
        "open the file in Excel or LibreOffice, save it, and import it again"
    )


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("name,employees\r\nAcme,99999999999999999999999\r\n", "employees"),
        ("name,annual revenue\r\nAcme,1" + "0" * 400 + "\r\n", "annual revenue"),
        ("name,branches\r\nAcme," + "9" * 5000 + "\r\n", "branches"),
    ],
)
def test_a_number_too_large_is_a_row_error_not_a_crash(
    capsys: pytest.CaptureFixture[str], book: Path, tmp_path: Path, text: str, column: str
) -> None:
    f = tmp_path / "big.csv"
    f.write_text(text, encoding="utf-8")
    code, _, err = kamtui(capsys, "import", "accounts", f, "--db", book, "--today", DAY)
    assert code == 1
    assert err.splitlines()[0].startswith(f"big.csv line 2, column {column}: ")
    assert "is too large for" in err and "(at most 999,999,999,999,999)" in err


def test_files_too_large_or_empty_are_one_line(
    capsys: pytest.CaptureFixture[str], book: Path, tmp_path: Path
) -> None:
    big = tmp_path / "big.csv"
    with open(big, "wb") as f:
        f.write(b"name\r\n")
        f.truncate(1024**3)
    header = tmp_path / "header.csv"
    header.write_text("客户名称,行业\r\n", encoding="utf-8")
    for path, words in (
        (big, "is 1.0 GB; kamtui imports files of up to 50 MB"),
        (header, "header.csv has a header row but no rows below it"),
    ):
        code, out, err = kamtui(capsys, "import", "accounts", path, "--db", book, "--today", DAY)
        assert (code, out) == (1, "")
        assert err.count("\n") == 1 and words in err
    assert reading.MAX_FILE_MB == 50  # as the README says
