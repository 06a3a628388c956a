"""Exports in a stream (services/export.py, store/exports.py, services/indented_json.py):
the files are the very bytes the whole-text functions write, whatever the pieces."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from types import GeneratorType
from typing import Any

import pytest

from kamtui.cli import run
from kamtui.services import export
from kamtui.services.book import Book
from kamtui.services.indented_json import indented
from kamtui.store import exports
from kamtui.visible import visible

TODAY = date(2026, 11, 23)
NASTY = '=SUM(A1)\u009b\x7f \x1b[2J 张伟 "q" a\rb\r'  # a formula, C1, DEL, ESC, lone CRs


def whole_csv(header: list[str], rows: list[list[Any]]) -> str:
    """The CSV text as export.to_csv wrote it before it streamed: the whole text at once."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for row in rows:
        w.writerow(["" if v is None else export.safe_cell(v) for v in row])
    return "\ufeff" + visible(buf.getvalue())


@pytest.fixture
def nasty(demo: Book) -> Book:
    """The demo book with user text that every format has to treat as data."""
    aid = demo.add_account(TODAY, name=NASTY, owner="李娜\u0085", region=NASTY)
    demo.add_contact(aid, TODAY, name=NASTY, title=NASTY)
    demo.log_interaction(aid, TODAY, kind="call", on=TODAY, summary=NASTY)
    demo.add_deal(aid, TODAY, name=NASTY, next_step=NASTY)
    return demo


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export, "CHUNK", 7)
    monkeypatch.setattr(exports, "PAGE", 5)


@pytest.mark.parametrize("what", export.TABLES)
@pytest.mark.parametrize("day", [TODAY, TODAY + timedelta(days=40)])  # stored and overlaid
def test_streamed_text_is_the_whole_text(
    nasty: Book, small_pieces: None, what: str, day: date
) -> None:
    records = export.records(nasty, what, day)
    assert len(records) > 3 * 7
    assert "".join(export.json_chunks(export.each_record(nasty, what, day))) == export.to_json(
        records
    )
    if what == "accounts":
        header, rows = export.accounts_table(records, nasty.config.model.keys)
        streamed = export.accounts_table(
            export.each_record(nasty, what, day), nasty.config.model.keys
        )
    else:
        header, rows = export.flat_table(what, records)
        streamed = export.flat_rows(what, export.each_record(nasty, what, day))
    text = "".join(export.csv_chunks(*streamed))
    assert text == whole_csv(header, list(rows))
    assert "␛" in text and "\x1b" not in text  # control characters shown, whatever the piece


def test_an_empty_export(empty: Book) -> None:
    assert "".join(export.json_chunks(export.each_record(empty, "accounts", TODAY))) == "[]\n"
    header, rows = export.flat_rows("deals", export.each_record(empty, "deals", TODAY))
    assert "".join(export.csv_chunks(header, rows)) == whole_csv(header, [])


def test_records_come_in_a_stream_read_a_page_at_a_time(demo: Book) -> None:
    stream = demo.each_account_record(TODAY)
    assert isinstance(stream, GeneratorType)
    assert list(stream) == demo.account_records(TODAY)
    with demo.store.reading() as conn:
        paged = list(exports.accounts(conn, size=7))
        assert paged == list(exports.accounts(conn, size=10_000))
        assert all(isinstance(a, exports.AccountRecord) for a in paged)
        assert isinstance(next(exports.deals(conn, True)), exports.DealRecord)
        assert isinstance(next(exports.contacts(conn)), exports.ContactRecord)
        assert isinstance(next(exports.interactions(conn)), exports.InteractionRecord)


@pytest.mark.parametrize("what", export.TABLES)
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_the_command_writes_the_whole_text(
    nasty: Book,
    small_pieces: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    what: str,
    fmt: str,
) -> None:
    path = nasty.path
    records = export.records(nasty, what, TODAY)
    if what == "accounts":
        header, rows = export.accounts_table(records, nasty.config.model.keys)
    else:
        header, rows = export.flat_table(what, records)
    expected = export.to_json(records) if fmt == "json" else whole_csv(header, list(rows))
    nasty.close()
    out = tmp_path / f"out.{fmt}"
    argv = ["export", what, "--db", str(path), "--today", TODAY.isoformat(), "--format", fmt]
    assert run([*argv, "-o", str(out)]) == 0
    assert out.read_bytes() == expected.encode("utf-8")
    assert run(argv) == 0
    assert capsys.readouterr().out == expected


def values() -> Iterator[Any]:
    yield from [None, True, False, 0, -1, 10**30, 1.5, -0.0, 1e100, float("nan"), float("inf")]
    yield from ["", NASTY, "\u2028\ud800", [], {}, (), [[]], {"a": {}}, (1, "x")]
    yield {"a": [1, {"b": [None, {"c": NASTY}]}], "": 2, "张": {"x": []}}
    yield {1: "int key", None: 2, 1.5: 3, False: 4}  # json.dumps turns them into strings


@pytest.mark.parametrize("value", list(values()), ids=repr)
def test_indented_is_json_dumps(value: Any) -> None:
    expected = json.dumps(value, ensure_ascii=False, indent=2)
    assert indented(value) == expected
    assert indented(value, "    ") == expected.replace("\n", "\n    ")


def test_indented_refuses_what_json_refuses() -> None:
    for value in ({"a": object()}, [{1, 2}], {(1, 2): 3}):
        with pytest.raises(TypeError):
            indented(value)
