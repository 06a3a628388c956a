"""Writing exports: JSON, CSV that Excel opens safely, Markdown plans; always atomically."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from kamtui.domain.errors import InputError
from kamtui.domain.plan import IsoWeek, PlanItem

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A text cell Excel could run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for row in rows:
        w.writerow(["" if v is None else safe_cell(v) for v in row])
    return "\ufeff" + buf.getvalue()  # UTF-8 with BOM: Excel then reads Chinese correctly


def write_atomic(path: str | Path, text: str) -> None:
    """Write to a temporary file beside ``path`` and rename it into place."""
    target = Path(path).expanduser()
    if not target.parent.exists():
        raise InputError(f"Cannot write {target}: the folder {target.parent} does not exist.")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"Cannot write {target}: {e.strerror}.") from None


def accounts_json(records: list[dict[str, Any]]) -> str:
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def accounts_csv(records: list[dict[str, Any]], criteria: Sequence[str]) -> str:
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

    return to_csv(header, (row(a) for a in records))


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
    return json.dumps(plan_dicts(items), ensure_ascii=False, indent=2) + "\n"


KIND_LABELS = {
    "health": "Health follow-up",
    "exec_touch": "Executive touch",
    "touch": "Touch",
    "task": "Task",
    "deliverables": "Deliverables",
    "stale_deal": "Stale deal",
}


def plan_markdown(items: Sequence[PlanItem], week: IsoWeek, owner: str | None) -> str:
    who = f" — {owner}" if owner else ""
    lines = [
        f"# Weekly plan {week}{who}",
        "",
        f"{week.monday.isoformat()} to {week.sunday.isoformat()} · {len(items)} items",
    ]
    tier = object()
    for i in items:
        if i.tier != tier:
            tier = i.tier
            lines += ["", f"## Tier {i.tier or 'unscored'}", ""]
        exec_mark = " ★" if i.executive else ""
        lines.append(
            f"- [ ] {i.due.isoformat()} · **{_md(i.account)}** · {KIND_LABELS[i.kind]}{exec_mark} — {_md(i.reason)}"
        )
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """Keep user text literal in Markdown."""
    return "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in text.replace("\n", " "))
