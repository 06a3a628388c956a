"""The `kamtui` command line: in-process through `main()`, plus a few real subprocess runs."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from cli_run import Result, kamtui

from kamtui import __version__
from kamtui.services.book import Book
from kamtui.services.demo import make_demo

TODAY = date(2026, 11, 23)
DAY = TODAY.isoformat()
COMMANDS = ["demo", "init", "export", "plan"]


def one_line_error(r: Result, *phrases: str) -> None:
    assert r.code == 1
    assert r.out == ""
    lines = r.err.splitlines()
    assert len(lines) == 1, r.err
    assert lines[0].startswith("kamtui: ")
    for p in phrases:
        assert p in lines[0]


def listing(folder: Path, side_files: bool = True) -> dict[str, str]:
    """Names and digests under ``folder``; ``side_files=False`` leaves out SQLite's -wal and
    -shm files, which a read-only open of a WAL book leaves beside it (the book is unchanged)."""
    return {
        p.relative_to(folder).as_posix(): (
            "<dir>" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
        )
        for p in sorted(folder.rglob("*"))
        if side_files or not p.name.endswith(("-wal", "-shm"))
    }


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-demo") / "demo.db"
    make_demo(path, accounts=60, seed=1, today=TODAY).close()
    return path


@pytest.fixture
def book(template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "book.db"
    path.write_bytes(template.read_bytes())
    return path


# ---- help and version ---------------------------------------------------------------------


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    r = kamtui(capsys, "--version")
    assert r.code == 0
    assert r.out.strip() == f"kamtui {__version__}"


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_on_every_command(capsys: pytest.CaptureFixture[str], command: str | None) -> None:
    r = kamtui(capsys, *([command] if command else []), "--help")
    assert r.code == 0
    assert r.out.startswith("usage: kamtui")
    assert r.err == ""
    if command is None:
        for c in COMMANDS:
            assert c in r.out


# ---- demo and init ------------------------------------------------------------------------


def test_demo_creates_a_book_and_refuses_to_overwrite_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "demo.db"
    args = ("demo", "--db", path, "--seed", 1, "--today", DAY, "--accounts", 60)

    r = kamtui(capsys, *args)
    assert r.code == 0
    assert "60 accounts" in r.out and str(path) in r.out
    with Book.open(path, read_only=True) as b:
        assert b.summary().accounts == 60
        assert b.derived_on() == TODAY

    before = listing(tmp_path)
    one_line_error(kamtui(capsys, *args), "already exists")
    assert listing(tmp_path) == before


def test_demo_books_are_deterministic(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, template: Path
) -> None:
    path = tmp_path / "demo.db"
    assert kamtui(capsys, "demo", "--db", path, "--accounts", 60, "--today", DAY).code == 0
    a = kamtui(capsys, "export", "accounts", "--db", path, "--today", DAY)
    b = kamtui(capsys, "export", "accounts", "--db", template, "--today", DAY)
    assert a.out == b.out


def test_demo_needs_at_least_one_account(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    one_line_error(
        kamtui(capsys, "demo", "--db", tmp_path / "d.db", "--accounts", 0, "--today", DAY),
        "--accounts",
    )
    assert list(tmp_path.iterdir()) == []


def test_init_creates_an_empty_book_and_refuses_an_existing_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "mine.db"
    r = kamtui(capsys, "init", "--db", path)
    assert r.code == 0 and str(path) in r.out
    assert kamtui(capsys, "export", "accounts", "--db", path, "--today", DAY).out == "[]\n"

    notes = tmp_path / "notes.txt"
    notes.write_text("keep me", encoding="utf-8")
    for target in (path, notes):
        before = listing(tmp_path)
        one_line_error(kamtui(capsys, "init", "--db", target), "already exists")
        assert listing(tmp_path) == before


# ---- export -------------------------------------------------------------------------------


def test_export_accounts_json_to_stdout(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    r = kamtui(capsys, "export", "accounts", "--db", book, "--today", DAY)
    assert r.code == 0 and r.err == ""
    data = json.loads(r.out)
    assert len(data) == 60
    with Book.open(book, read_only=True) as b:
        assert data == b.account_records(TODAY)
    assert {"S", "A", "B", "C"} <= {a["tier"] for a in data}


def test_export_accounts_csv_and_json_to_files(
    capsys: pytest.CaptureFixture[str], book: Path, tmp_path: Path
) -> None:
    out_csv, out_json = tmp_path / "accounts.csv", tmp_path / "accounts.json"
    r = kamtui(
        capsys, "export", "accounts", "--db", book, "--format", "csv", "-o", out_csv, "--today", DAY
    )
    assert (r.code, r.out) == (0, "")
    r = kamtui(
        capsys, "export", "accounts", "--db", book, "--format", "json", "--output", out_json,
        "--today", DAY,
    )  # fmt: skip
    assert (r.code, r.out) == (0, "")

    raw = out_csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    records = json.loads(out_json.read_text(encoding="utf-8"))
    assert len(rows) == len(records) == 60
    assert [r["name"] for r in rows] == [a["name"] for a in records]
    assert [r["tier"] for r in rows] == [a["tier"] for a in records]
    assert sorted(listing(tmp_path, side_files=False)) == [
        "accounts.csv",
        "accounts.json",
        "book.db",
    ]


def test_export_for_a_later_day_never_changes_the_book(
    capsys: pytest.CaptureFixture[str], book: Path
) -> None:
    digest = hashlib.sha256(book.read_bytes()).hexdigest()
    now = json.loads(kamtui(capsys, "export", "accounts", "--db", book, "--today", DAY).out)
    later = json.loads(
        kamtui(capsys, "export", "accounts", "--db", book, "--today", "2027-02-01").out
    )
    assert later != now
    assert hashlib.sha256(book.read_bytes()).hexdigest() == digest


def test_user_text_is_data(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "book.db"
    name = "[bold]x[/] \x1b[2J"
    owner = "$HOME `rm -rf` 张伟"
    with Book.create(path) as b:
        b.add_account(TODAY, name=name, owner=owner, region="[red]上海[/red]")

    r = kamtui(capsys, "export", "accounts", "--db", path, "--today", DAY)
    (rec,) = json.loads(r.out)
    assert (rec["name"], rec["owner"], rec["region"]) == (name, owner, "[red]上海[/red]")

    r = kamtui(capsys, "export", "accounts", "--db", path, "--format", "csv", "--today", DAY)
    (row,) = list(csv.DictReader(io.StringIO(r.out.removeprefix("\ufeff"), newline="")))
    assert (row["name"], row["owner"]) == ("[bold]x[/] ␛[2J", owner)  # ESC shown, not run


def test_export_into_a_missing_folder(
    capsys: pytest.CaptureFixture[str], book: Path, tmp_path: Path
) -> None:
    before = listing(tmp_path, side_files=False)
    r = kamtui(
        capsys, "export", "accounts", "--db", book, "-o", tmp_path / "no" / "a.json", "--today", DAY
    )
    one_line_error(r, "does not exist")
    assert listing(tmp_path, side_files=False) == before


# ---- plan ---------------------------------------------------------------------------------


def test_plan_markdown_to_a_file(
    capsys: pytest.CaptureFixture[str], book: Path, tmp_path: Path
) -> None:
    out = tmp_path / "plan.md"
    r = kamtui(
        capsys, "plan", "--db", book, "--week", "2026-W48", "--today", DAY, "--format", "md",
        "-o", out,
    )  # fmt: skip
    assert (r.code, r.out, r.err) == (0, "", "")
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Weekly plan 2026-W48\n")
    assert "2026-11-23 to 2026-11-29" in text
    headings = [x for x in text.splitlines() if x.startswith("## Tier")]
    assert headings[0] == "## Tier S"
    assert "★" in text


def test_plan_json_to_a_file(
    capsys: pytest.CaptureFixture[str], book: Path, tmp_path: Path
) -> None:
    out = tmp_path / "plan.json"
    r = kamtui(
        capsys, "plan", "--db", book, "--week", "2026-W48", "--today", DAY, "--format", "json",
        "-o", out,
    )  # fmt: skip
    assert r.code == 0
    items = json.loads(out.read_text(encoding="utf-8"))
    assert items
    for i in items:
        assert {"account", "tier", "kind", "due", "reason"} <= set(i)
        assert date.fromisoformat(i["due"]) <= date(2026, 11, 29)
    order = {"S": 0, "A": 1, "B": 2, "C": 3, "unscored": 4}
    ranks = [order[i["tier"]] for i in items]
    assert items[0]["tier"] == "S"
    assert ranks == sorted(ranks)
    assert any(i["executive"] for i in items if i["kind"] == "exec_touch")


def test_plan_defaults_to_the_week_of_today_and_filters_by_owner(
    capsys: pytest.CaptureFixture[str], book: Path
) -> None:
    md = kamtui(capsys, "plan", "--db", book, "--today", DAY)
    assert md.code == 0 and md.out.startswith("# Weekly plan 2026-W48\n")
    r = kamtui(capsys, "plan", "--db", book, "--today", DAY, "--owner", "张伟", "--format", "json")
    items = json.loads(r.out)
    assert items and {i["owner"] for i in items} == {"张伟"}


@pytest.mark.parametrize("owner", ["Nobody", "张", "张伟 ", ""])
def test_plan_for_an_owner_no_account_has_names_the_owners_there_are(
    capsys: pytest.CaptureFixture[str], book: Path, tmp_path: Path, owner: str
) -> None:
    with Book.open(book, read_only=True) as b:
        owners = b.owners()
    target = tmp_path / "plan.md"
    r = kamtui(capsys, "plan", "--db", book, "--today", DAY, "--owner", owner, "-o", target)
    one_line_error(r, f"No account has the owner {owner!r}", ", ".join(owners[:-1]))
    assert r.err.rstrip().endswith(f" and {owners[-1]}.")
    assert not target.exists()


def test_plan_for_an_owner_in_a_book_without_owners(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "book.db"
    with Book.create(path) as b:
        b.add_account(TODAY, name="Acme")
    r = kamtui(capsys, "plan", "--db", path, "--today", DAY, "--owner", "Ann")
    one_line_error(r, "No account has the owner 'Ann'", f"no account in {path} has an owner.")
    with Book.open(path) as b:
        b.add_account(TODAY, name="Bolt", owner="Bob")
    r = kamtui(capsys, "plan", "--db", path, "--today", DAY, "--owner", "Ann")
    one_line_error(r, "No account has the owner 'Ann'", f"the only owner in {path} is Bob.")


# ---- bad usage ----------------------------------------------------------------------------


def test_unknown_command(capsys: pytest.CaptureFixture[str]) -> None:
    r = kamtui(capsys, "frobnicate")
    assert r.code == 2
    assert "invalid choice" in r.err and r.out == ""


@pytest.mark.parametrize("week", ["2026-W99", "2026-W00", "next week", "2026-13"])
def test_a_bad_week_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], book: Path, week: str
) -> None:
    one_line_error(kamtui(capsys, "plan", "--db", book, "--week", week, "--today", DAY), week[:4])


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "--today", "2026-13-45"],
        ["export", "accounts", "--today", "23/11/2026"],
        ["--today", "tomorrow"],
        ["export", "accounts", "--format", "xml"],
        ["export", "invoices"],
        ["export", "accounts", "--format", "xlsx"],
        ["plan", "--format", "pdf"],
        ["import", "accounts"],
        ["import", "accounts", "a.csv", "--map", "name"],
        ["import", "leads", "a.csv"],
        ["demo"],
        ["init"],
        ["demo", "--db", "x.db", "--accounts", "many"],
    ],
)
def test_bad_usage_exits_2(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    r = kamtui(capsys, *args)
    assert r.code == 2
    assert "usage: kamtui" in r.err and "error:" in r.err
    assert list(tmp_path.iterdir()) == []


def test_a_bad_today_names_the_format(capsys: pytest.CaptureFixture[str]) -> None:
    r = kamtui(capsys, "plan", "--today", "2026-13-45")
    assert "is not a date like 2026-11-23" in r.err


# ---- files that are not books -------------------------------------------------------------


@pytest.mark.parametrize("command", [["export", "accounts"], ["plan"]])
def test_a_file_that_is_not_a_book(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]
) -> None:
    text = tmp_path / "accounts.csv"
    text.write_text("name,tier\n云翔集团,S\n", encoding="utf-8")
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY)")
    con.commit()
    con.close()
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    before = listing(tmp_path)

    for path in (text, other, empty, tmp_path):
        r = kamtui(capsys, *command, "--db", path, "--today", DAY)
        one_line_error(r, str(path))
        assert "kamtui book" in r.err or "folder" in r.err
    assert listing(tmp_path) == before


@pytest.mark.parametrize(
    "command",
    [
        ["export", "accounts", "--today", DAY],
        ["plan", "--today", DAY],
        ["demo", "--today", DAY, "--accounts", 5],
        ["init"],
    ],
)
def test_a_path_in_a_missing_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[object]
) -> None:
    missing = tmp_path / "gone" / "book.db"
    one_line_error(kamtui(capsys, *command, "--db", missing), "does not exist")
    assert list(tmp_path.iterdir()) == []


def test_a_book_from_a_newer_kamtui_is_read_but_never_changed(
    capsys: pytest.CaptureFixture[str], book: Path
) -> None:
    con = sqlite3.connect(book)
    con.execute("PRAGMA user_version = 99")
    con.commit()
    con.close()
    digest = hashlib.sha256(book.read_bytes()).hexdigest()

    r = kamtui(capsys, "export", "accounts", "--db", book, "--today", DAY)
    assert r.code == 0 and len(json.loads(r.out)) == 60
    assert kamtui(capsys, "plan", "--db", book, "--today", DAY).code == 0
    assert hashlib.sha256(book.read_bytes()).hexdigest() == digest
    assert not list(book.parent.glob("*.bak"))


def test_no_default_book_yet(capsys: pytest.CaptureFixture[str], isolated_home: Path) -> None:
    before = listing(isolated_home)
    one_line_error(kamtui(capsys, "export", "accounts", "--today", DAY), "no book yet", "--db")
    assert listing(isolated_home) == before


def test_global_db_and_today_before_the_command_are_honoured(
    capsys: pytest.CaptureFixture[str], book: Path
) -> None:
    after = kamtui(capsys, "export", "accounts", "--db", book, "--today", "2027-01-10")
    before = kamtui(capsys, "--db", book, "--today", "2027-01-10", "export", "accounts")
    assert before.code == 0, before.err
    assert before.out == after.out
    plan = kamtui(capsys, "--db", book, "--today", DAY, "plan", "--format", "json")
    assert plan.code == 0, plan.err
    assert json.loads(plan.out)


def test_a_bug_shows_a_short_message_and_logs_the_traceback(
    capsys: pytest.CaptureFixture[str],
    book: Path,
    isolated_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(self: Book, today: date) -> list[object]:
        raise RuntimeError("deliberate")

    monkeypatch.setattr(Book, "each_account_record", broken)  # what the export streams
    r = kamtui(capsys, "export", "accounts", "--db", book, "--today", DAY)
    one_line_error(r, "unexpected error", "RuntimeError", "deliberate")
    logs = list(isolated_home.rglob("kamtui.log"))
    assert len(logs) == 1 and str(logs[0]) in r.err
    assert "Traceback" in logs[0].read_text(encoding="utf-8")


# ---- real processes -----------------------------------------------------------------------


def run_process(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    p = subprocess.run(
        [sys.executable, "-m", "kamtui", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=dict(os.environ),
        timeout=60,
    )
    assert "Traceback" not in p.stdout + p.stderr
    return p


def test_process_version_and_help(tmp_path: Path) -> None:
    p = run_process("--version", cwd=tmp_path)
    assert (p.returncode, p.stdout.strip()) == (0, f"kamtui {__version__}")
    p = run_process("plan", "--help", cwd=tmp_path)
    assert p.returncode == 0 and "--week" in p.stdout


def test_process_demo_then_refusal_then_export(tmp_path: Path) -> None:
    args = ("demo", "--db", "demo.db", "--seed", 1, "--today", DAY, "--accounts", 20)
    p = run_process(*args, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    digest = hashlib.sha256((tmp_path / "demo.db").read_bytes()).hexdigest()

    p = run_process(*args, cwd=tmp_path)
    assert p.returncode == 1
    assert p.stdout == ""
    assert len(p.stderr.splitlines()) == 1 and "already exists" in p.stderr
    assert hashlib.sha256((tmp_path / "demo.db").read_bytes()).hexdigest() == digest

    p = run_process("export", "accounts", "--db", "demo.db", "--today", DAY, cwd=tmp_path)
    assert p.returncode == 0
    assert len(json.loads(p.stdout)) == 20


def test_process_refuses_a_file_that_is_not_a_book(tmp_path: Path) -> None:
    (tmp_path / "notes.db").write_bytes(os.urandom(4096))
    p = run_process("plan", "--db", "notes.db", "--today", DAY, cwd=tmp_path)
    assert p.returncode == 1
    assert p.stdout == ""
    assert len(p.stderr.splitlines()) == 1 and "not a kamtui book" in p.stderr
