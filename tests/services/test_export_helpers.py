"""Export helpers: safe CSV, atomic writes, Markdown and JSON plans (services/export.py)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from kamtui.domain.errors import InputError
from kamtui.domain.plan import IsoWeek, PlanItem, SnoozedItem, WeekPlan
from kamtui.domain.scoring import DEFAULT_MODEL
from kamtui.services import export
from kamtui.services.book import Book

TODAY = date(2026, 11, 23)
BOM = "\ufeff"


def parse_csv(text: str) -> list[list[str]]:
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:], newline="")))


# ---- CSV ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+x", "'+x"),
        ("-x", "'-x"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\r\nx", "'\r\nx"),
        ("\rx", "'␍x"),  # a lone carriage return is shown
        ("\x1b]52;c;SGk=\x07 \x9b2J\x00", "␛]52;c;SGk=␇ �2J␀"),  # shown, never run
        ('=HYPERLINK("http://evil","云翔")', '\'=HYPERLINK("http://evil","云翔")'),
        ("x=1", "x=1"),
        ("云翔集团", "云翔集团"),
        ('a, "b"\nc', 'a, "b"\nc'),
        ("", ""),
        (None, ""),
        (-5, "-5"),
        (4.25, "4.25"),
    ],
)
def test_csv_cells_cannot_run_as_formulas(value: object, cell: str) -> None:
    text = export.to_csv(["h"], [[value]])
    assert parse_csv(text) == [["h"], [cell]]


def test_csv_has_a_bom_and_crlf_rows() -> None:
    text = export.to_csv(["名称", "tier"], [["云翔集团", "S"], ["Apex", "A"]])
    assert text.startswith(BOM + "名称,tier\r\n")
    assert text.count("\r\n") == 3
    assert parse_csv(text) == [["名称", "tier"], ["云翔集团", "S"], ["Apex", "A"]]


def test_accounts_csv_matches_the_records(demo: Book) -> None:
    records = demo.account_records(TODAY)
    rows = parse_csv(export.accounts_csv(records, DEFAULT_MODEL.keys))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["id", "name", "owner"]
    assert [f"rating_{k}" for k in DEFAULT_MODEL.keys] == [
        h for h in header if h.startswith("rating_")
    ]
    assert len(body) == len(records)
    col = header.index
    for r, line in zip(records, body, strict=True):
        assert line[col("id")] == str(r["id"])
        assert line[col("name")] == r["name"]
        assert line[col("tier")] == r["tier"]
        assert line[col("score")] == ("" if r["score"] is None else f"{r['score']:.2f}")
        assert line[col("health_color")] == r["health"]["color"]
        assert line[col("open_deals")] == str(len(r["open_deals"]))
        assert line[col("tier_pinned")] == ("yes" if r["tier_pinned"] else "no")


def test_accounts_csv_escapes_a_formula_name(empty: Book) -> None:
    empty.add_account(TODAY, name="=cmd|' /C calc'!A0", owner="-张伟")
    rows = parse_csv(export.accounts_csv(empty.account_records(TODAY), DEFAULT_MODEL.keys))
    assert rows[1][1:3] == ["'=cmd|' /C calc'!A0", "'-张伟"]


def test_accounts_json_keeps_text_as_is() -> None:
    records = [{"id": 1, "name": "云翔集团 [bold]x[/] \x1b[2J", "owner": "$HOME"}]
    text = export.records_json(records)
    assert "云翔集团" in text  # not \\u escapes
    assert json.loads(text) == records
    assert "\x1b" not in text and "\\u001b[2J" in text


def test_json_escapes_del_and_c1_too() -> None:
    records = [{"note": "a\x7fb\x9b2J\x85c\u2028d", "\x9bkey": 1}]
    text = export.records_json(records)
    assert json.loads(text) == records
    assert "a\\u007fb\\u009b2J\\u0085c\u2028d" in text and "\\u009bkey" in text


# ---- atomic writes ------------------------------------------------------------------------


def test_write_atomic_writes_exact_text_and_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "accounts.csv"
    text = export.to_csv(["名称"], [["云翔集团"]])

    export.write_atomic(target, text)

    assert target.read_bytes() == text.encode("utf-8")
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    assert [p.name for p in tmp_path.iterdir()] == ["accounts.csv"]


def test_write_atomic_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "plan.md"
    target.write_text("old and much longer content " * 50, encoding="utf-8")
    export.write_atomic(str(target), "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.md"]


def test_write_atomic_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        export.write_atomic(tmp_path / "no" / "plan.md", "x")
    assert list(tmp_path.iterdir()) == []


def test_write_atomic_onto_a_folder_fails_cleanly(tmp_path: Path) -> None:
    (tmp_path / "plan.md").mkdir()
    with pytest.raises(InputError, match="Cannot write"):
        export.write_atomic(tmp_path / "plan.md", "x")
    assert [p.name for p in tmp_path.iterdir()] == ["plan.md"]
    assert (tmp_path / "plan.md").is_dir()


# ---- plans --------------------------------------------------------------------------------

WEEK = IsoWeek(2026, 48)


def item(account: str, reason: str, tier: str | None = "S", **kw: object) -> PlanItem:
    defaults: dict[str, object] = {"kind": "touch", "due": TODAY, "executive": False, "ref": None}
    defaults.update(kw)
    return PlanItem(1, account, "张伟", tier, reason=reason, **defaults)  # type: ignore[arg-type]


def test_plan_markdown_escapes_user_text() -> None:
    evil = "**bold** [link](http://x) <b>hi</b> # h | `c` _u_ \\"
    text = export.plan_markdown(WeekPlan(WEEK, [item(evil, "line one\nline two *now*")]), None)

    (line,) = [x for x in text.splitlines() if x.startswith("- [ ]")]
    assert (
        "**\\*\\*bold\\*\\* \\[link\\](http://x) \\<b\\>hi\\</b\\> \\# h \\| \\`c\\` \\_u\\_ \\\\**"
        in line
    )
    assert line.endswith("— line one line two \\*now\\*")
    assert evil not in text


def test_plan_markdown_groups_by_tier_and_marks_executive_touches() -> None:
    items = [
        item("云翔集团", "executive touch overdue", "S", kind="exec_touch", executive=True),
        item("Apex", "touch due", "A"),
        item("无名", "touch due", None),
    ]
    text = export.plan_markdown(WeekPlan(WEEK, items), "张伟")
    lines = text.splitlines()
    assert lines[0] == "# Weekly plan 2026-W48 — 张伟"
    assert "2026-11-23 to 2026-11-29 · 3 items, 0 done" in lines
    headings = [x for x in lines if x.startswith("## ")]
    assert headings == ["## Tier S", "## Tier A", "## Tier unscored"]
    assert "Executive touch ★" in text
    assert text.count("★") == 1


def test_plan_json_items_carry_the_agreed_fields() -> None:
    items = [item("云翔集团", "touch due", "S", ref=7), item("无名", "task: x", None, kind="task")]
    data = json.loads(export.plan_json(WeekPlan(WEEK, items)))
    assert data[0] == {
        "account": "云翔集团",
        "account_id": 1,
        "owner": "张伟",
        "tier": "S",
        "kind": "touch",
        "due": "2026-11-23",
        "reason": "touch due",
        "executive": False,
        "key": "touch:1:7",
        "status": "open",
        "done_on": None,
        "folded": False,
        "batch": None,
        "snoozed_until": None,
        "snooze_reason": None,
    }
    assert data[1]["tier"] == "unscored"


def worked_plan() -> WeekPlan:
    """A plan with an item ticked, a batch of three (one ticked), an item folded beyond a
    capacity of 3 and an item put off."""
    touch = item("云翔集团", "touch overdue 4 days", "S")
    task = item("Apex", "task: Send quote", "A", kind="task", ref=9)
    small = [
        PlanItem(10 + n, f"Small {n}", "张伟", "C", "touch", TODAY, f"touch due {n}")
        for n in range(3)
    ]
    batch = PlanItem(0, "", "张伟", "C", "batch", TODAY, "send the standard e-mail to 3 accounts")
    late = item("Late Ltd", "touch due", "C", kind="health")
    put_off = item("Away Co", "health red: logins down", "B", kind="health")
    return WeekPlan(
        WEEK,
        [touch, task, batch],
        folded=[late],
        snoozed=[SnoozedItem(put_off, date(2026, 11, 30), "at a trade fair")],
        batches={batch.key: small},
        done={touch.key: TODAY, small[1].key: TODAY},
        capacity=3,
    )


def test_a_worked_plan_as_markdown_says_what_is_done_batched_folded_and_put_off() -> None:
    lines = export.plan_markdown(worked_plan(), "张伟").splitlines()
    assert "2026-11-23 to 2026-11-29 · 3 items, 1 done" in lines
    assert (
        "- [x] 2026-11-23 · **云翔集团** · Touch — touch overdue 4 days (done 2026-11-23)" in lines
    )
    assert (
        "- [ ] 2026-11-23 · **3 accounts** · Standard e-mail — send the standard e-mail to 3 accounts"
        in lines
    )
    assert "  - [x] 2026-11-23 · **Small 1** · Touch — touch due 1 (done 2026-11-23)" in lines
    assert "## Beyond the week's capacity (3 items a rep): 1 more" in lines
    assert "- [ ] 2026-11-23 · **Late Ltd** · Health follow-up — touch due" in lines
    assert "## Put off until a later day: 1" in lines
    assert lines[-1] == (
        "- 2026-11-23 · **Away Co** · Health follow-up — health red: logins down · "
        "until 2026-11-30: at a trade fair"
    )


def test_a_worked_plan_as_data_has_a_row_per_item_with_its_state() -> None:
    rows = json.loads(export.plan_json(worked_plan()))
    assert [(r["account"], r["status"], r["folded"], r["batch"]) for r in rows] == [
        ("云翔集团", "done", False, None),
        ("Apex", "open", False, None),
        ("Small 0", "open", False, "batch:张伟"),
        ("Small 1", "done", False, "batch:张伟"),
        ("Small 2", "open", False, "batch:张伟"),
        ("Late Ltd", "open", True, None),
        ("Away Co", "snoozed", False, None),
    ]
    assert rows[0]["done_on"] == "2026-11-23"
    assert (rows[-1]["snoozed_until"], rows[-1]["snooze_reason"]) == (
        "2026-11-30",
        "at a trade fair",
    )
    table = list(csv.DictReader(io.StringIO(export.plan_csv(worked_plan()).lstrip(BOM))))
    assert [r["status"] for r in table] == [r["status"] for r in rows]
    assert table[5]["folded"] == "True" and table[2]["batch"] == "batch:张伟"


def test_a_worked_plan_as_a_calendar() -> None:
    from icalendar import Calendar

    cal = Calendar.from_ical(export.plan_ics(worked_plan(), "张伟", TODAY))
    todos = cal.walk("VTODO")
    assert [str(t["SUMMARY"]) for t in todos] == [
        "云翔集团 · Touch", "Apex · Task", "3 accounts · Standard e-mail",
        "Beyond the week's capacity (3 items a rep): 1 more",
    ]  # fmt: skip
    assert [str(t["STATUS"]) for t in todos] == [
        "COMPLETED",
        "NEEDS-ACTION",
        "NEEDS-ACTION",
        "NEEDS-ACTION",
    ]
    assert "Small 2" in str(todos[2]["DESCRIPTION"]) and "Late Ltd" in str(todos[3]["DESCRIPTION"])
    assert "Put off until a later day: 1" in str(cal["X-WR-CALDESC"])
