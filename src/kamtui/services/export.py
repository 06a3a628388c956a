"""Writing exports: JSON, CSV and Excel files that Excel opens safely, Markdown and
iCalendar plans; always atomically (a temporary file renamed into place).

Text from the book is data in every format, whether it goes to a file or to a terminal
(the same bytes either way): JSON keeps it exactly, its control characters escaped the JSON
way (``\u001b``); CSV, Markdown, iCalendar and Excel have no escape for a control character,
so they show each one as a visible placeholder (``kamtui.visible``: ␛, ␇, �…), and a CSV or
Excel cell that a spreadsheet would run as a formula stays text.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from kamtui.domain import stages as sop
from kamtui.domain.counts import counted
from kamtui.domain.errors import InputError
from kamtui.domain.plan import IsoWeek, PlanItem
from kamtui.visible import visible

if TYPE_CHECKING:
    from kamtui.services.book import Book

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A text cell Excel could run as a formula gets a leading apostrophe (which the
    importer takes off again)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """UTF-8 with a BOM (Excel then reads Chinese correctly), CR LF rows, formula-safe cells,
    control characters shown (over the whole text at once: cell by cell costs half again)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for row in rows:
        w.writerow(["" if v is None else safe_cell(v) for v in row])
    return "\ufeff" + visible(buf.getvalue())


def write_atomic(path: str | Path, text: str) -> None:
    """Write to a temporary file beside ``path`` and rename it into place."""
    write_atomic_with(path, lambda f: f.write(text.encode("utf-8")))


def write_atomic_with(path: str | Path, write: Callable[[IO[bytes]], object]) -> None:
    """``write`` fills a temporary file beside ``path``, which is then renamed into place: an
    interrupted export never leaves half a file over an old one."""
    target = Path(path).expanduser()
    if not target.parent.exists():
        raise InputError(f"Cannot write {target}: the folder {target.parent} does not exist.")
    if target.is_dir():
        raise InputError(f"Cannot write {target}: it is a folder.")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as e:
        raise InputError(f"Cannot write {target}: {e.strerror}.") from None
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"Cannot write {target}: {e.strerror}.") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_JSON_UNESCAPED = re.compile(r"[\x7f-\x9f]")


def to_json(data: Any) -> str:
    """Indented JSON with Chinese as written; every control character escaped (json.dumps
    leaves DEL and C1 raw when ensure_ascii is off, and they can only stand in strings)."""
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return _JSON_UNESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def accounts_csv(records: list[dict[str, Any]], criteria: Sequence[str]) -> str:
    return to_csv(*accounts_table(records, criteria))


def accounts_table(
    records: list[dict[str, Any]], criteria: Sequence[str]
) -> tuple[list[str], Iterable[list[Any]]]:
    """The flat account table of CSV and Excel exports: header and rows."""
    header = [
        "id", "name", "owner", "status", "track", "industry", "region",
        *[f"rating_{k}" for k in criteria],
        "score", "tier", "computed_tier", "tier_pinned", "pin_reason", "rfm_r", "rfm_f", "rfm_m",
        "health_score", "health_color", "health_flags", "coverage_warnings", "last_touch",
        "next_action", "open_deals", "deal_stages",
    ]  # fmt: skip

    def row(a: dict[str, Any]) -> list[Any]:
        rfm = a["rfm"] or {}
        return [
            a["id"], a["name"], a["owner"], a["status"], a["track"], a["industry"], a["region"],
            *[a["ratings"].get(k) for k in criteria],
            "" if a["score"] is None else f"{a['score']:.2f}", a["tier"], a["computed_tier"],
            "yes" if a["tier_pinned"] else "no", a["pin_reason"], rfm.get("r"), rfm.get("f"), rfm.get("m"),
            a["health"]["score"], a["health"]["color"],
            "; ".join(f["reason"] for f in a["health"]["flags"]),
            "; ".join(w["message"] for w in a["coverage_warnings"]),
            a["last_touch"], a["next_action"], len(a["open_deals"]),
            " ".join(str(d["stage"]) for d in a["open_deals"]),
        ]  # fmt: skip

    return header, (row(a) for a in records)


PLAN_FIELDS = ("account", "account_id", "owner", "tier", "kind", "due", "reason", "executive")


def plan_dicts(items: Iterable[PlanItem]) -> list[dict[str, Any]]:
    return [
        {
            "account": i.account,
            "account_id": i.account_id,
            "owner": i.owner,
            "tier": i.tier or "unscored",
            "kind": i.kind,
            "due": i.due.isoformat(),
            "reason": i.reason,
            "executive": i.executive,
            "key": i.key,
        }
        for i in items
    ]


def plan_json(items: Sequence[PlanItem]) -> str:
    return to_json(plan_dicts(items))


KIND_LABELS = {
    "health": "Health follow-up",
    "exec_touch": "Executive touch",
    "touch": "Touch",
    "task": "Task",
    "deliverables": "Deliverables",
    "stale_deal": "Stale deal",
}


class PlanWords(NamedTuple):
    """How a plan for people (Markdown, iCalendar) is worded; English unless the caller
    (the UI, or ``kamtui plan --lang``) passes its own. CSV and JSON are data: English."""

    title: str = "Weekly plan {week}"
    span: str = "{monday} to {sunday} · {n:item|items}"
    tier: str = "Tier {tier}"
    unscored: str = "unscored"
    kinds: Mapping[str, str] = KIND_LABELS
    say: Callable[[str], str] = str  # a reason in these words


ENGLISH = PlanWords()


def plan_markdown(
    items: Sequence[PlanItem], week: IsoWeek, owner: str | None, words: PlanWords = ENGLISH
) -> str:
    who = f" — {_md(owner)}" if owner else ""
    span = counted(
        words.span, monday=week.monday.isoformat(), sunday=week.sunday.isoformat(), n=len(items)
    )
    lines = [f"# {words.title.format(week=week)}{who}", "", span]
    tier = object()
    for i in items:
        if i.tier != tier:
            tier = i.tier
            lines += ["", f"## {words.tier.format(tier=i.tier or words.unscored)}", ""]
        exec_mark = " ★" if i.executive else ""
        kind = words.kinds[i.kind]
        reason = _md(words.say(i.reason))
        lines.append(
            f"- [ ] {i.due.isoformat()} · **{_md(i.account)}** · {kind}{exec_mark} — {reason}"
        )
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """Keep user text literal in Markdown, on one line, its control characters shown."""
    one_line = visible(text.replace("\r\n", " ").replace("\n", " "))
    return "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in one_line)


def plan_csv(items: Sequence[PlanItem]) -> str:
    fields = [*PLAN_FIELDS, "key"]
    return to_csv(fields, ([d[f] for f in fields] for d in plan_dicts(items)))


PRIORITY = {"S": 1, "A": 3, "B": 5, "C": 7}


def plan_uid(item: PlanItem, week: IsoWeek) -> str:
    """Stable across exports of the same week: a calendar that imports the file again
    updates its to-dos instead of adding copies."""
    return f"{week}-{item.key.replace(':', '-')}@kamtui"


def plan_ics(
    items: Sequence[PlanItem],
    week: IsoWeek,
    owner: str | None,
    today: date,
    words: PlanWords = ENGLISH,
) -> str:
    """The plan as iCalendar: one VTODO per item, due on the item's day."""
    from icalendar import Calendar, Todo

    cal = Calendar()
    cal.add("prodid", "-//kamtui//weekly plan//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"kamtui {week}" + (f" {visible(owner)}" if owner else ""))
    stamp = datetime(today.year, today.month, today.day, tzinfo=UTC)
    for i in items:
        label = words.kinds[i.kind]
        todo = Todo()
        todo.add("uid", plan_uid(i, week))
        todo.add("dtstamp", stamp)
        todo.add("summary", visible(f"{i.account} · {label}" + (" ★" if i.executive else "")))
        todo.add("description", visible(words.say(i.reason)))
        todo.add("due", i.due)
        todo.add("priority", PRIORITY.get(i.tier or "", 9))
        todo.add("categories", [words.tier.format(tier=i.tier or words.unscored), label])
        todo.add("status", "NEEDS-ACTION")
        cal.add_component(todo)
    return cal.to_ical().decode("utf-8")


# ---- contacts, deals, interactions --------------------------------------------------------

TABLES = ("accounts", "contacts", "deals", "interactions")


def records(book: Book, what: str, today: date) -> list[dict[str, Any]]:
    """One record per contact, deal or interaction (accounts: ``Book.account_records``)."""
    if what == "accounts":
        return book.account_records(today)
    with book.store.reading() as conn:
        sql = conn.exec_driver_sql
        if what == "contacts":
            names = {cid: name for cid, name in sql("SELECT id, name FROM contacts")}
            return [
                {
                    "id": r[0],
                    "account_id": r[1],
                    "account": r[2],
                    "name": r[3],
                    "title": r[4],
                    "role": r[5],
                    "stance": r[6],
                    "influence": r[7],
                    "reports_to": names.get(r[8]) if r[8] is not None else None,
                    "left_on": r[9],
                    "planned_action": r[10],
                    "email": r[11],
                    "phone": r[12],
                }  # fmt: skip
                for r in sql(
                    "SELECT c.id, a.id, a.name, c.name, c.title, c.role, c.stance, c.influence, "
                    "c.reports_to, c.left_on, c.planned_action, c.email, c.phone FROM contacts c "
                    "JOIN accounts a ON a.id = c.account_id WHERE a.deleted_at IS NULL "
                    "ORDER BY a.id, c.id"
                )
            ]
        if what == "deals":
            from kamtui.store.repo import deliverables_checked

            checked = deliverables_checked(conn)
            return [
                {
                    "id": r[0],
                    "account_id": r[1],
                    "account": r[2],
                    "name": r[3],
                    "amount": r[4],
                    "stage": r[5],
                    "stage_name": sop.stage(r[5]).label,
                    "status": r[6],
                    "expected_close": r[7],
                    "next_step": r[8],
                    "days_in_stage": max(0, (today - date.fromisoformat(r[9])).days),
                    "missing_deliverables": [
                        d.key for d in sop.missing_deliverables(r[5], checked.get(r[0], ()))
                    ]
                    if r[6] == "open"
                    else [],
                    "lost_reason": r[10],
                }  # fmt: skip
                for r in sql(
                    "SELECT d.id, a.id, a.name, d.name, d.amount, d.stage, d.status, "
                    "d.expected_close, d.next_step, d.stage_entered_on, d.lost_reason FROM deals d "
                    "JOIN accounts a ON a.id = d.account_id WHERE a.deleted_at IS NULL "
                    "ORDER BY a.id, d.id"
                )
            ]
        if what == "interactions":
            return [
                {
                    "id": r[0],
                    "account_id": r[1],
                    "account": r[2],
                    "date": r[3],
                    "kind": r[4],
                    "executive": bool(r[5]),
                    "contact": r[6],
                    "summary": r[7],
                }  # fmt: skip
                for r in sql(
                    "SELECT i.id, a.id, a.name, i.happened_on, i.kind, i.executive, c.name, "
                    "i.summary FROM interactions i JOIN accounts a ON a.id = i.account_id "
                    "LEFT JOIN contacts c ON c.id = i.contact_id WHERE a.deleted_at IS NULL "
                    "ORDER BY a.id, i.happened_on, i.id"
                )
            ]
    raise InputError(f"{what!r} is not something kamtui exports ({', '.join(TABLES)}).")


FIELDS: dict[str, tuple[str, ...]] = {
    "contacts": ("id", "account_id", "account", "name", "title", "role", "stance", "influence",
                 "reports_to", "left_on", "planned_action", "email", "phone"),
    "deals": ("id", "account_id", "account", "name", "amount", "stage", "stage_name", "status",
              "expected_close", "next_step", "days_in_stage", "missing_deliverables",
              "lost_reason"),
    "interactions": ("id", "account_id", "account", "date", "kind", "executive", "contact",
                     "summary"),
}  # fmt: skip


def flat_table(what: str, records: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """Records as a header and rows: lists joined with spaces, booleans as yes/no."""
    header = list(FIELDS[what])

    def cell(v: Any) -> Any:
        if isinstance(v, bool):
            return "yes" if v else "no"
        if isinstance(v, list):
            return " ".join(str(x) for x in v)
        return v

    return header, [[cell(r[h]) for h in header] for r in records]


def records_json(records: list[dict[str, Any]]) -> str:
    return to_json(records)


def write_xlsx(
    path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]], title: str
) -> None:
    """An Excel workbook with one sheet, written atomically. Text is always text: a cell
    that begins with = is written as a string, never as a formula."""
    try:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
    except ImportError:
        raise InputError(
            "Writing Excel files needs the openpyxl package: pip install 'kamtui[excel]' "
            "(or pip install openpyxl), or export as CSV."
        ) from None
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)

    def cell(v: Any) -> Any:
        if not isinstance(v, str):
            return v
        v = visible(v)
        if v.startswith(FORMULA_START):
            c = WriteOnlyCell(ws, value=v)
            c.data_type = "s"  # a string, even when it begins with =
            return c
        return v

    ws.append([cell(h) for h in header])
    for row in rows:
        ws.append([cell(v) for v in row])
    write_atomic_with(path, wb.save)
