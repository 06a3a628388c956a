"""Writing exports: JSON, CSV and Excel files that Excel opens safely, Markdown and
iCalendar plans; always atomically (a temporary file renamed into place).

The book's records come in a stream (``each_record``: the store reads them a page at a
time) and the file is written as they come (``json_chunks``, ``csv_chunks``; Excel rows
one by one), so an export's memory stays flat however big the book; the text is the very
text the whole-text functions (``to_json``, ``to_csv``) write.

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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from kamtui.domain import stages as sop
from kamtui.domain.counts import counted
from kamtui.domain.errors import InputError
from kamtui.domain.plan import BATCH, IsoWeek, PlanItem, WeekPlan
from kamtui.services.indented_json import indented
from kamtui.store import exports
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
    control characters shown: ``csv_chunks`` in one text."""
    return "".join(csv_chunks(header, rows))


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """``to_csv`` in pieces of ``CHUNK`` rows, for writing as the rows come. Control
    characters are shown over a piece at once (cell by cell costs half again); a piece
    ends a row, so a CR LF is never split between two."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    yield "\ufeff"
    n = 0
    for row in rows:
        w.writerow(["" if v is None else safe_cell(v) for v in row])
        n += 1
        if n == CHUNK:
            yield visible(buf.getvalue())
            buf.seek(0)
            buf.truncate()
            n = 0
    yield visible(buf.getvalue())


CHUNK = 1000  # rows (or records) turned into text at a time


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


def json_chunks(records: Iterable[Any]) -> Iterator[str]:
    """``to_json`` of the list of ``records``, in pieces of ``CHUNK`` records, for writing
    as they come: each record indented as it would be inside the list."""
    pieces: list[str] = []
    first = True
    for r in records:
        pieces.append(("[\n  " if first else ",\n  ") + indented(r, "  "))
        first = False
        if len(pieces) == CHUNK:
            yield _escape_c1("".join(pieces))
            pieces.clear()
    if first:
        yield "[]\n"
        return
    pieces.append("\n]\n")
    yield _escape_c1("".join(pieces))


def _escape_c1(text: str) -> str:
    """``text`` with DEL and the C1 characters escaped, as ``to_json`` does. They are rare:
    looking for their UTF-8 bytes first (DEL, and the lead byte C2 of U+0080–U+00BF) is
    several times faster than the regular expression over the text."""
    raw = text.encode("utf-8", "surrogatepass")
    if b"\x7f" not in raw and b"\xc2" not in raw:
        return text
    return _JSON_UNESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def accounts_csv(records: Iterable[dict[str, Any]], criteria: Sequence[str]) -> str:
    return to_csv(*accounts_table(records, criteria))


def accounts_table(
    records: Iterable[dict[str, Any]], criteria: Sequence[str]
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


# ---- the weekly plan ----------------------------------------------------------------------
# A plan for people (Markdown, iCalendar) lists what fits the week, ticked items ticked and
# a batch as one item with its accounts, then says what was folded beyond the capacity and
# what was put off. A plan as data (CSV, JSON) has one row per item: a batch's accounts each
# on their own row (``batch``: the batch's key), with whether it is done, folded or put off.

PLAN_FIELDS = (
    "account", "account_id", "owner", "tier", "kind", "due", "reason", "executive", "key",
    "status", "done_on", "folded", "batch", "snoozed_until", "snooze_reason",
)  # fmt: skip


def plan_dicts(plan: WeekPlan) -> list[dict[str, Any]]:
    """Every item of the plan: those that fit, those folded, those put off (``status``
    open, done or snoozed)."""

    def row(i: PlanItem, folded: bool, batch: str | None) -> dict[str, Any]:
        on = plan.done.get(i.key)
        return {
            "account": i.account,
            "account_id": i.account_id,
            "owner": i.owner,
            "tier": i.tier or "unscored",
            "kind": i.kind,
            "due": i.due.isoformat(),
            "reason": i.reason,
            "executive": i.executive,
            "key": i.key,
            "status": "open" if on is None else "done",
            "done_on": None if on is None else on.isoformat(),
            "folded": folded,
            "batch": batch,
            "snoozed_until": None,
            "snooze_reason": None,
        }

    out = []
    for folded, items in ((False, plan.items), (True, plan.folded)):
        for i in items:
            if i.kind == BATCH:
                out += [row(m, folded, i.key) for m in plan.members(i)]
            else:
                out.append(row(i, folded, None))
    for z in plan.snoozed:
        put_off = row(z.item, False, None)
        put_off.update(status="snoozed", snoozed_until=z.until.isoformat(), snooze_reason=z.reason)
        out.append(put_off)
    return out


def plan_json(plan: WeekPlan) -> str:
    return to_json(plan_dicts(plan))


def plan_csv(plan: WeekPlan) -> str:
    return to_csv(PLAN_FIELDS, ([d[f] for f in PLAN_FIELDS] for d in plan_dicts(plan)))


KIND_LABELS = {
    "health": "Health follow-up",
    "exec_touch": "Executive touch",
    "touch": "Touch",
    "task": "Task",
    "deliverables": "Deliverables",
    "stale_deal": "Stale deal",
    BATCH: "Standard e-mail",
}


class PlanWords(NamedTuple):
    """How a plan for people (Markdown, iCalendar) is worded; English unless the caller
    (the UI, or ``kamtui plan --lang``) passes its own. CSV and JSON are data: English."""

    title: str = "Weekly plan {week}"
    span: str = "{monday} to {sunday} · {n:item|items}, {done} done"
    tier: str = "Tier {tier}"
    unscored: str = "unscored"
    kinds: Mapping[str, str] = KIND_LABELS
    say: Callable[[str], str] = str  # a reason in these words
    accounts: str = "{n:account|accounts}"  # whom a batch is for
    done_on: str = "done {date}"
    folded: str = "Beyond the week's capacity ({n:item|items} a rep): {more} more"
    snoozed: str = "Put off until a later day: {n}"
    until: str = "until {date}"


ENGLISH = PlanWords()


def plan_markdown(plan: WeekPlan, owner: str | None, words: PlanWords = ENGLISH) -> str:
    week = plan.week
    who = f" — {_md(owner)}" if owner else ""
    done = sum(1 for i in plan.items if i.key in plan.done)
    span = counted(
        words.span, monday=week.monday.isoformat(), sunday=week.sunday.isoformat(),
        n=len(plan.items), done=done,
    )  # fmt: skip
    lines = [f"# {words.title.format(week=week)}{who}", "", span]

    def listed(items: Sequence[PlanItem], by_tier: bool) -> None:
        tier = object()
        for i in items:
            if by_tier and i.tier != tier:
                tier = i.tier
                lines.extend(["", f"## {words.tier.format(tier=i.tier or words.unscored)}", ""])
            lines.append(_md_item(i, plan, words, owner is None))
            for m in plan.members(i):
                lines.append("  " + _md_item(m, plan, words))

    listed(plan.items, True)
    if plan.folded:
        heading = counted(words.folded, n=plan.capacity, more=len(plan.folded))
        lines.extend(["", f"## {heading}", ""])
        listed(plan.folded, False)
    if plan.snoozed:
        lines.extend(["", f"## {words.snoozed.format(n=len(plan.snoozed))}", ""])
        for z in plan.snoozed:
            until = words.until.format(date=z.until.isoformat())
            why = f": {_md(z.reason)}" if z.reason else ""
            lines.append(f"- {_md_item(z.item, plan, words)[6:]} · {until}{why}")
    return "\n".join(lines) + "\n"


def _md_item(i: PlanItem, plan: WeekPlan, words: PlanWords, everyone: bool = False) -> str:
    """One item as a Markdown task: ``- [x] due · **account** · kind — reason`` (a batch:
    how many accounts, and whose when the plan is everyone's)."""
    on = plan.done.get(i.key)
    box = "- [ ]" if on is None else "- [x]"
    who = i.account
    if i.kind == BATCH:
        who = counted(words.accounts, n=len(plan.members(i))) + (
            f" · {i.owner}" if everyone else ""
        )
    exec_mark = " ★" if i.executive else ""
    done = "" if on is None else f" ({words.done_on.format(date=on.isoformat())})"
    return (
        f"{box} {i.due.isoformat()} · **{_md(who)}** · {words.kinds[i.kind]}{exec_mark} — "
        f"{_md(words.say(i.reason))}{done}"
    )


def _md(text: str) -> str:
    """Keep user text literal in Markdown, on one line, its control characters shown."""
    one_line = visible(text.replace("\r\n", " ").replace("\n", " "))
    return "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in one_line)


PRIORITY = {"S": 1, "A": 3, "B": 5, "C": 7}


def plan_uid(item: PlanItem, week: IsoWeek) -> str:
    """Stable across exports of the same week: a calendar that imports the file again
    updates its to-dos instead of adding copies."""
    return visible(f"{week}-{item.key.replace(':', '-')}@kamtui")


def plan_ics(plan: WeekPlan, owner: str | None, today: date, words: PlanWords = ENGLISH) -> str:
    """The plan as iCalendar: one VTODO per item that fits the week, due on the item's day
    (completed when ticked; a batch lists its accounts), and one more for the items folded
    beyond the capacity, listing them. Items put off are not the week's: the calendar's
    description counts them."""
    from icalendar import Calendar, Todo

    week = plan.week
    cal = Calendar()
    cal.add("prodid", "-//kamtui//weekly plan//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"kamtui {week}" + (f" {visible(owner)}" if owner else ""))
    if plan.folded or plan.snoozed:
        said = []
        if plan.folded:
            said.append(counted(words.folded, n=plan.capacity, more=len(plan.folded)))
        if plan.snoozed:
            said.append(words.snoozed.format(n=len(plan.snoozed)))
        cal.add("x-wr-caldesc", visible(" · ".join(said)))
    stamp = datetime(today.year, today.month, today.day, tzinfo=UTC)

    def line(i: PlanItem) -> str:
        return f"{i.due.isoformat()} {i.account} · {words.kinds[i.kind]} — {words.say(i.reason)}"

    for i in plan.items:
        label = words.kinds[i.kind]
        who = i.account
        if i.kind == BATCH:
            who = counted(words.accounts, n=len(plan.members(i))) + (
                f" · {i.owner}" if not owner else ""
            )
        todo = Todo()
        todo.add("uid", plan_uid(i, week))
        todo.add("dtstamp", stamp)
        todo.add("summary", visible(f"{who} · {label}" + (" ★" if i.executive else "")))
        about = [words.say(i.reason), *(line(m) for m in plan.members(i))]
        todo.add("description", visible("\n".join(about)))
        todo.add("due", i.due)
        todo.add("priority", PRIORITY.get(i.tier or "", 9))
        todo.add("categories", [words.tier.format(tier=i.tier or words.unscored), label])
        on = plan.done.get(i.key)
        todo.add("status", "NEEDS-ACTION" if on is None else "COMPLETED")
        if on is not None:
            todo.add("completed", datetime(on.year, on.month, on.day, tzinfo=UTC))
        cal.add_component(todo)
    if plan.folded:
        todo = Todo()
        todo.add("uid", visible(f"{week}-folded-{owner or 'all'}@kamtui"))
        todo.add("dtstamp", stamp)
        todo.add("summary", visible(counted(words.folded, n=plan.capacity, more=len(plan.folded))))
        todo.add("description", visible("\n".join(line(i) for i in plan.folded)))
        todo.add("due", week.sunday)
        todo.add("priority", 9)
        todo.add("status", "NEEDS-ACTION")
        cal.add_component(todo)
    return cal.to_ical().decode("utf-8")


# ---- contacts, deals, interactions --------------------------------------------------------

TABLES = ("accounts", "contacts", "deals", "interactions")


def records(book: Book, what: str, today: date) -> list[dict[str, Any]]:
    """One record per account, contact, deal or interaction (``each_record`` in a list)."""
    return list(each_record(book, what, today))


def each_record(book: Book, what: str, today: date) -> Iterator[dict[str, Any]]:
    """One record per account, contact, deal or interaction, in a stream (the book is read
    as the records are used: ``store.exports``)."""
    if what not in TABLES:
        raise InputError(f"{what!r} is not something kamtui exports ({', '.join(TABLES)}).")
    return _each_record(book, what, today)


def _each_record(book: Book, what: str, today: date) -> Iterator[dict[str, Any]]:
    if what == "accounts":
        yield from book.each_account_record(today)
        return
    with book.store.reading() as conn:
        if what == "contacts":
            for c in exports.contacts(conn):
                yield c._asdict()
        elif what == "deals":
            for d in exports.deals(conn, book.current_schema):
                yield {
                    "id": d.id,
                    "account_id": d.account_id,
                    "account": d.account,
                    "name": d.name,
                    "amount": d.amount,
                    "stage": d.stage,
                    "stage_name": sop.stage(d.stage).label,
                    "status": d.status,
                    "expected_close": d.expected_close,
                    "next_step": d.next_step,
                    "days_in_stage": max(0, (today - d.stage_entered_on).days),
                    "missing_deliverables": [
                        x.key for x in sop.missing_deliverables(d.stage, d.checked)
                    ]
                    if d.status == "open"
                    else [],
                    "lost_reason": d.lost_reason,
                    "outcome": sop.outcome(d.status, d.won_on),
                    "started_on": d.started_on.isoformat(),
                    "won_on": None if d.won_on is None else d.won_on.isoformat(),
                    "won_amount": d.won_amount,
                    "won_forced": d.won_forced,
                    "cycle_days": None
                    if d.won_on is None
                    else sop.cycle_days(d.started_on, d.won_on),
                }  # fmt: skip
        else:
            for i in exports.interactions(conn):
                yield {
                    "id": i.id,
                    "account_id": i.account_id,
                    "account": i.account,
                    "date": i.happened_on,
                    "kind": i.kind,
                    "executive": i.executive,
                    "contact": i.contact,
                    "summary": i.summary,
                }


FIELDS: dict[str, tuple[str, ...]] = {
    "contacts": ("id", "account_id", "account", "name", "title", "role", "stance", "influence",
                 "reports_to", "left_on", "planned_action", "email", "phone"),
    "deals": ("id", "account_id", "account", "name", "amount", "stage", "stage_name", "status",
              "expected_close", "next_step", "days_in_stage", "missing_deliverables",
              "lost_reason", "outcome", "started_on", "won_on", "won_amount", "won_forced",
              "cycle_days"),
    "interactions": ("id", "account_id", "account", "date", "kind", "executive", "contact",
                     "summary"),
}  # fmt: skip


def flat_table(what: str, records: Iterable[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """Records as a header and rows: lists joined with spaces, booleans as yes/no."""
    header, rows = flat_rows(what, records)
    return header, list(rows)


def flat_rows(
    what: str, records: Iterable[dict[str, Any]]
) -> tuple[list[str], Iterator[list[Any]]]:
    """``flat_table`` in a stream: the rows are made as the records come."""
    header = list(FIELDS[what])

    def cell(v: Any) -> Any:
        if isinstance(v, bool):
            return "yes" if v else "no"
        if isinstance(v, list):
            return " ".join(str(x) for x in v)
        return v

    return header, ([cell(r[h]) for h in header] for r in records)


def records_json(records: Iterable[dict[str, Any]]) -> str:
    return "".join(json_chunks(records))


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
