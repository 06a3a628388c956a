"""Text from a book never reaches the terminal raw (issue 11, section 3).

A book whose every text field holds terminal escapes (ESC, CSI, OSC 52, BEL, NUL, C1 CSI,
CR, backspace, DEL), kept in a folder whose name holds them too, run through every command
and format of the real CLI: nothing written to stdout or stderr holds a control character
raw (only line feeds, tabs and the CR LF that ends a CSV or iCalendar line); JSON keeps the
text exactly, escaped in JSON's own way; CSV, Markdown, iCalendar and Excel show each control
character as a visible placeholder (␛, ␇, ␀, �…), in files written with -o as on stdout.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from kamtui.cli import main
from kamtui.services.book import Book

TODAY = date(2026, 11, 23)
DAY = TODAY.isoformat()
WEEK = "2026-W48"

# ESC c (reset), CSI clear screen, OSC 52 (set the clipboard), BEL, NUL, C1 CSI, CR, BS, DEL
EVIL = "\x1bc \x1b[2J \x1b]52;c;SGk=\x07 \x07\x00 \x9b2J \r\x08\x7f"
SHOWN = "␛c ␛[2J ␛]52;c;SGk=␇ ␇␀ �2J ␍␈␡"  # the same, as the app and the command show it
SHOWN_MD = SHOWN.replace("[", "\\[").replace("]", "\\]")  # Markdown's own escapes too
NAME = f"Reset{EVIL}Co"
OWNER = f"Ann{EVIL}"


def raw_controls(text: str, line_ends: str = "\n") -> list[str]:
    """Every control character in ``text`` but the line ends a format is made of (and tabs)."""
    found = []
    for n, c in enumerate(text):
        o = ord(c)
        if c in "\n\t":
            continue
        if c == "\r" and "\r\n" in line_ends and text[n + 1 : n + 2] == "\n":
            continue
        if o < 0x20 or 0x7F <= o <= 0x9F:
            found.append(f"{o:#04x} at {n}: {text[max(0, n - 20) : n + 20]!r}")
    return found


def assert_shown(text: str, line_ends: str = "\n") -> None:
    bad = raw_controls(text, line_ends)
    assert not bad, "raw control characters:\n" + "\n".join(bad[:10])


@dataclass
class Result:
    code: int
    out: str
    err: str


def kamtui(capsys: pytest.CaptureFixture[str], *args: object, line_ends: str = "\n") -> Result:
    """Run the CLI in-process; neither stream may hold a raw control character."""
    try:
        code = main([str(a) for a in args])
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    got = capsys.readouterr()
    assert_shown(got.out, line_ends)
    assert_shown(got.err)
    assert "Traceback" not in got.out + got.err
    return Result(code, got.out, got.err)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder whose name would set the terminal's title and clipboard if printed raw."""
    path = tmp_path / "books\x1b]0;owned\x07\x1b]52;c;SGk=\x07\x9b"
    path.mkdir()
    return path


@pytest.fixture
def hostile(folder: Path) -> Path:
    """A book whose every text field a command prints holds EVIL."""
    path = folder / "book.db"
    long_ago = TODAY - timedelta(days=90)
    with Book.create(path) as b:
        aid = b.add_account(
            long_ago,
            name=NAME,
            owner=OWNER,
            industry=f"Steel{EVIL}",
            region=f'=HYPERLINK("http://x"){EVIL}',
            segment=f"Seg{EVIL}",
            pain_points=f"Pain{EVIL}",
        )
        plain = b.add_account(long_ago, name="Plain Co", owner="Bob")
        b.add_task(plain, TODAY, title="Call back", due=TODAY)
        b.pin_tier(aid, "S", f"Pinned{EVIL}", long_ago)
        b.add_contact(
            aid,
            TODAY,
            name=f"Wang{EVIL}",
            title=f"CFO{EVIL}",
            role="economic_buyer",
            planned_action=f"Call{EVIL}",
            email=f"w{EVIL}@x.cn",
            phone=f"138{EVIL}",
            left_on=TODAY - timedelta(days=3),
        )
        deal = b.add_deal(aid, long_ago, name=f"Deal{EVIL}", amount=5000, next_step=f"Next{EVIL}")
        lost = b.add_deal(aid, long_ago, name=f"Lost{EVIL}", amount=10)
        b.move_deal(lost, long_ago, lost_reason=f"Price{EVIL}")
        b.log_interaction(aid, long_ago, kind="call", on=long_ago, summary=f"Said{EVIL}")
        b.add_task(aid, TODAY, title=f"Task{EVIL}", due=TODAY)
        assert deal
    return path


def stored_names(path: Path) -> dict[str, str]:
    with Book.open(path, read_only=True) as b:
        return {a["name"]: a["owner"] for a in b.account_records(TODAY)}


# ---- plan ---------------------------------------------------------------------------------

PLAN_FORMATS = [("md", "\n"), ("csv", "\r\n"), ("ics", "\r\n"), ("json", "\n")]


@pytest.mark.parametrize(("fmt", "line_ends"), PLAN_FORMATS)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_plan_in_every_format_shows_control_characters(
    capsys: pytest.CaptureFixture[str],
    hostile: Path,
    folder: Path,
    fmt: str,
    line_ends: str,
    lang: str,
) -> None:
    from kamtui.ui import strings

    base = ("plan", "--db", hostile, "--today", DAY, "--week", WEEK, "--format", fmt)
    target = folder / f"plan\x1b[2J.{fmt}"
    try:
        out = kamtui(capsys, *base, "--lang", lang, line_ends=line_ends)
        mine = kamtui(capsys, *base, "--lang", lang, "--owner", OWNER, line_ends=line_ends)
        to_file = kamtui(capsys, *base, "--lang", lang, "-o", target, line_ends=line_ends)
    finally:
        strings.set_language("en")
    assert out.code == mine.code == to_file.code == 0, out.err + mine.err + to_file.err
    assert (to_file.out, to_file.err) == ("", "")
    written = target.read_bytes().decode("utf-8")
    assert written == out.out  # -o and a redirected stdout hold the same bytes
    assert_shown(written, line_ends)
    assert "Plain Co" not in mine.out
    if fmt == "json":  # data: the text exactly as stored, escaped the JSON way
        items = json.loads(written)
        assert {i["account"] for i in items} == {NAME, "Plain Co"}
        assert {i["owner"] for i in items} == {OWNER, "Bob"}
        assert any(i["reason"] == f"task: Task{EVIL}" for i in items)
        assert "\\u001b" in written and "\\u009b" in written and "\\u007f" in written
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(written.removeprefix("\ufeff"), newline="")))
        assert {r["account"] for r in rows} == {f"Reset{SHOWN}Co", "Plain Co"}
        assert any(r["reason"] == f"task: Task{SHOWN}" for r in rows)
    elif fmt == "ics":
        todos = Calendar.from_ical(written.encode("utf-8")).walk("VTODO")
        assert any(str(t["summary"]).startswith(f"Reset{SHOWN}Co · ") for t in todos)
        assert any(f"Task{SHOWN}" in str(t["description"]) for t in todos)
    else:
        assert f"**Reset{SHOWN_MD}Co**" in written
        assert mine.out.startswith(f"# {'周计划' if lang == 'zh' else 'Weekly plan'} {WEEK} — Ann")
        assert f"Ann{SHOWN_MD}\n" in mine.out  # the owner in the title


# ---- export -------------------------------------------------------------------------------


@pytest.mark.parametrize("what", ["accounts", "contacts", "deals", "interactions"])
def test_export_shows_control_characters_and_json_keeps_them_exactly(
    capsys: pytest.CaptureFixture[str], hostile: Path, folder: Path, what: str
) -> None:
    base = ("export", what, "--db", hostile, "--today", DAY)
    as_json = kamtui(capsys, *base, "--format", "json")
    as_csv = kamtui(capsys, *base, "--format", "csv", line_ends="\r\n")
    assert as_json.code == as_csv.code == 0
    assert "\\u001b" in as_json.out

    records = json.loads(as_json.out)
    rows = list(csv.DictReader(io.StringIO(as_csv.out.removeprefix("\ufeff"), newline="")))
    assert len(rows) == len(records) > 0
    for record, row in zip(records, rows, strict=True):
        for key in row.keys() & record.keys():
            stored = record[key]
            if isinstance(stored, str) and EVIL in stored:
                assert row[key].lstrip("'") == stored.replace(EVIL, SHOWN), key
    evil = [k for r in records for k, v in r.items() if isinstance(v, str) and EVIL in v]
    assert evil  # every table has hostile text to show

    for fmt, line_ends in (("json", "\n"), ("csv", "\r\n")):
        target = folder / f"{what}\x07.{fmt}"
        r = kamtui(capsys, *base, "--format", fmt, "-o", target, line_ends=line_ends)
        assert (r.code, r.out, r.err) == (0, "", "")
        written = target.read_bytes().decode("utf-8")
        assert written == (as_json.out if fmt == "json" else as_csv.out)
        assert_shown(written, line_ends)
    assert json.loads((folder / f"{what}\x07.json").read_text(encoding="utf-8")) == records


def test_export_accounts_json_round_trips_the_stored_text(
    capsys: pytest.CaptureFixture[str], hostile: Path
) -> None:
    r = kamtui(capsys, "export", "accounts", "--db", hostile, "--today", DAY)
    records = {a["name"]: a for a in json.loads(r.out)}
    assert {n: a["owner"] for n, a in records.items()} == stored_names(hostile)
    acme = records[NAME]
    assert (acme["industry"], acme["region"], acme["pin_reason"]) == (
        f"Steel{EVIL}",
        f'=HYPERLINK("http://x"){EVIL}',
        f"Pinned{EVIL}",
    )
    assert any(f"Wang{EVIL}" in f["reason"] for f in acme["health"]["flags"])


def test_xlsx_shows_control_characters_as_text(
    capsys: pytest.CaptureFixture[str], hostile: Path, folder: Path
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    target = folder / "accounts\x1b.xlsx"
    r = kamtui(capsys, "export", "accounts", "--db", hostile, "--format", "xlsx", "-o", target)
    assert (r.code, r.out, r.err) == (0, "", "")
    ws = openpyxl.load_workbook(target).active
    header = [c.value for c in ws[1]]
    names = {row[header.index("name")] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert names == {f"Reset{SHOWN}Co", "Plain Co"}
    regions = [c.value for c in ws["G"][1:]] if header[6] == "region" else []
    assert f'=HYPERLINK("http://x"){SHOWN}' in regions  # text, never a formula


# ---- import, doctor, backup, init, demo -------------------------------------------------


def test_import_reports_and_dry_runs_show_control_characters(
    capsys: pytest.CaptureFixture[str], hostile: Path, folder: Path
) -> None:
    tickets = folder / "tickets\x1b[2J\x9b.csv"
    tickets.write_text(
        "account,subject,severity,opened_on,stage\n"
        f'"{NAME}","Down{EVIL}",high,2026-11-20,\n'
        f'"Nobody{EVIL}","x","{EVIL}","not a date{EVIL}",\n',
        encoding="utf-8",
        newline="",
    )
    report = folder / "errors\x07.csv"
    base = ("import", "tickets", tickets, "--db", hostile, "--today", DAY)
    dry = kamtui(capsys, *base, "--dry-run", "--report", report)
    assert dry.code == 1 and "tickets␛[2J�.csv line " in dry.err and "severity" in dry.err
    assert_shown(report.read_text(encoding="utf-8"), "\r\n")
    done = kamtui(capsys, *base, "--skip-invalid")
    assert done.code == 0 and "tickets␛[2J�.csv" in done.out
    assert "books␛]0;owned␇" in done.out  # the book's path, as data


def test_maintenance_commands_show_paths_as_data(
    capsys: pytest.CaptureFixture[str], hostile: Path, folder: Path
) -> None:
    r = kamtui(capsys, "doctor", "--db", hostile, "--today", DAY)
    assert "books␛]0;owned␇␛]52;c;SGk=␇�" in r.out
    r = kamtui(capsys, "backup", "--db", hostile, "-o", folder / "copy\x1bc.db")
    assert r.code == 0 and "copy␛c.db" in r.out
    r = kamtui(capsys, "init", "--db", folder / "new\x1b[2J.db")
    assert r.code == 0 and "new␛[2J.db" in r.out
    r = kamtui(capsys, "demo", "--db", folder / "demo\x07.db", "--accounts", 3, "--today", DAY)
    assert r.code == 0 and "demo␇.db" in r.out


# ---- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("plan", "--db", "{folder}/missing\x1bc.db"),
        ("plan", "--db", "{book}", "--week", "\x1b]52;c;SGk=\x07"),
        ("plan", "--db", "{book}", "--owner", "Nobody\x1b[2J"),
        ("plan", "--db", "{book}", "\x1b[2J"),  # argparse: unrecognized arguments
        ("export", "accounts\x1bc"),  # argparse: invalid choice
        ("plan", "--today", "\x9b2J"),
        ("export", "accounts", "--db", "{book}", "-o", "{folder}/no\x07/a.json"),
        ("import", "accounts", "{folder}/none\x1b.csv", "--db", "{book}"),
        ("team", "{folder}/missing\x1bc.db"),
        ("--db", "{folder}/notabook\x1bc.db"),
        ("doctor", "--db", "{folder}/notabook\x1bc.db"),
    ],
)
def test_error_messages_show_user_input_as_data(
    capsys: pytest.CaptureFixture[str], hostile: Path, folder: Path, args: tuple[str, ...]
) -> None:
    (folder / "notabook\x1bc.db").write_bytes(b"not a book " * 100)
    argv = [a.format(folder=folder, book=hostile) for a in args]
    r = kamtui(capsys, *argv)
    assert r.code in (1, 2) and r.err.strip()


# ---- a real process -----------------------------------------------------------------------


def run_process(*args: object, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    p = subprocess.run(
        [sys.executable, "-m", "kamtui", *map(str, args)],
        capture_output=True,
        cwd=cwd,
        env=dict(os.environ),
        timeout=120,
    )
    return p


@pytest.mark.parametrize(
    ("args", "line_ends"),
    [
        (("plan", "--format", "md"), "\n"),
        (("plan", "--format", "csv"), "\r\n"),
        (("plan", "--format", "ics"), "\r\n"),
        (("plan", "--format", "json"), "\n"),
        (("export", "contacts", "--format", "csv"), "\r\n"),
        (("export", "deals", "--format", "json"), "\n"),
        (("plan", "--owner", "Nobody\x1b]52;c;SGk=\x07"), "\n"),
        (("doctor",), "\n"),
    ],
)
def test_a_real_process_writes_no_raw_control_character(
    hostile: Path, tmp_path: Path, args: tuple[str, ...], line_ends: str
) -> None:
    p = run_process(*args, "--db", hostile, "--today", DAY, cwd=tmp_path)
    out, err = p.stdout.decode("utf-8"), p.stderr.decode("utf-8")
    assert "Traceback" not in out + err
    assert_shown(out, line_ends)
    assert_shown(err)
    assert out or err


# ---- the stream under the command -------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_keeps_its_own_carriage_return(monkeypatch: pytest.MonkeyPatch) -> None:
    from kamtui.cli_io import ProgressLine
    from kamtui.cli_text import shown_as_text

    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    with shown_as_text():
        ProgressLine()("writing", 100, 100)
        print("A\rB\x1b[2J", file=sys.stderr)
    assert sys.stderr is err
    assert err.getvalue().startswith("\rwriting      [####")
    assert err.getvalue().endswith("100%\nA␍B␛[2J\n")


def test_a_terminal_that_cannot_show_a_placeholder_gets_an_escape(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kamtui.cli_text import shown_as_text

    written = io.BytesIO()
    latin1 = io.TextIOWrapper(written, encoding="latin-1")
    monkeypatch.setattr(sys, "stdout", latin1)
    with shown_as_text():
        print("Reset\x1bc Café 张")
    latin1.flush()
    assert written.getvalue() == "Reset\\u241bc Café \\u5f20\n".encode("latin-1")
