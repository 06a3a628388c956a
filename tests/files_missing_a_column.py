"""Files that miss a column their kind needs, for the importer's, the command line's and the
import screen's tests: one good row, every needed column but one, headed in English or in
Chinese (then saved as GB18030, as Chinese Excel saves CSV)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from kamtui.services.importer import FIELDS, KINDS

ACCOUNT = "云翔集团有限公司"  # an account of tests/data/accounts_gb18030.csv
GOOD = {  # a good value for each field a file must have a column for
    "name": "王建华", "account": ACCOUNT, "happened_on": "2026-11-01", "number": "N-1",
    "ordered_on": "2026-11-01", "amount": "1,000", "issued_on": "2026-11-01",
    "due_on": "2026-12-01", "opened_on": "2026-11-02", "month": "2026-10",
}  # fmt: skip


def required(kind: str) -> list[str]:
    """The fields a file of ``kind`` must have a column for (the account, but for accounts)."""
    keys = [f.key for f in FIELDS[kind] if f.required]
    return keys if kind == "accounts" else ["account", *keys]


MISSING = [(kind, key) for kind in KINDS for key in required(kind)]


def header(kind: str, key: str, chinese: bool) -> str:
    f = next(f for f in FIELDS[kind] if f.key == key)
    return next(n for n in f.names if not n.isascii()) if chinese else f.names[0]


def write_without(folder: Path, kind: str, missing: str | None, chinese: bool = False) -> Path:
    """A file of ``kind`` with every column it needs but ``missing``, a column nothing
    imports (备注), and one good row."""
    keys = [k for k in required(kind) if k != missing]
    rows = [[header(kind, k, chinese) for k in keys] + ["备注"], [GOOD[k] for k in keys] + ["x"]]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path = folder / f"{kind}_without_{missing}{'_zh' if chinese else ''}.csv"
    path.write_bytes(buf.getvalue().encode("gb18030" if chinese else "utf-8"))
    return path


def refusal_names(missing: str) -> str:
    """What the refusal of a file missing ``missing`` says."""
    return "no column naming the account" if missing == "account" else f"no column for {missing}"
