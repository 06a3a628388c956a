"""Exports: `kamtui export` of a big book beside the sqlite3 shell writing the same rows.

Each command runs in a fresh process, started by a small wrapper process that times it and
reads its peak memory (``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` of the wrapper,
whose only child it is: the harness's own peak, which a child of the harness inherits,
stays out). For each export, in the same run: the sqlite3 shell (``.mode json`` or
``.mode csv``) writing the same rows from the book, then kamtui; targets: at most 3× the
shell's median time and at most 150 MB. See bench/README.md.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

TIMES = 3.0  # at most this many times the sqlite3 shell
PEAK_MB = 150.0

# What the shell writes: the columns kamtui reads for the same rows, and what it adds from
# other tables (an account's ratings and open deals with their ticked deliverables; a deal's
# account, deliverables, first stage change and, on an old book, nothing more) as JSON.
_CHECKED = (
    "(SELECT json_group_array(x.deliverable) FROM deal_deliverables x WHERE x.deal_id = d.id)"
)
ACCOUNTS = (
    "SELECT a.id, a.name, a.owner, a.track, a.status, a.industry, a.segment, a.region, "
    "a.annual_revenue, a.employees, a.pinned_tier, a.pin_reason, a.last_touch, "
    "a.last_exec_touch, a.score, a.computed_tier, a.tier, a.missing_criteria, a.rfm, "
    "a.health_score, a.health_color, a.health_flags, a.coverage, a.next_action, "
    "(SELECT json_group_object(r.criterion, r.rating) FROM ratings r "
    "WHERE r.account_id = a.id) AS ratings, "
    "(SELECT json_group_array(json_object('id', d.id, 'name', d.name, 'amount', d.amount, "
    "'stage', d.stage, 'expected_close', d.expected_close, 'next_step', d.next_step, "
    f"'stage_entered_on', d.stage_entered_on, 'checked', {_CHECKED})) FROM deals d "
    "WHERE d.account_id = a.id AND d.status = 'open') AS open_deals "
    "FROM accounts a WHERE a.deleted_at IS NULL ORDER BY a.id;"
)
DEALS = (
    "SELECT d.id, a.id AS account_id, a.name AS account, d.name, d.amount, d.stage, d.status, "
    "d.expected_close, d.next_step, d.stage_entered_on, d.lost_reason, "
    f"{_CHECKED} AS checked, d.created_on, "
    "(SELECT min(c.changed_on) FROM deal_stage_changes c WHERE c.deal_id = d.id) AS started, "
    "d.won_on, d.won_amount, d.won_forced FROM deals d JOIN accounts a ON a.id = d.account_id "
    "WHERE a.deleted_at IS NULL ORDER BY a.id, d.id;"
)
EXPORTS = (("accounts", "json"), ("accounts", "csv"), ("deals", "json"), ("deals", "csv"))

# Runs ``argv`` (stdin from the file named last, when it begins with "<") and prints its wall
# time and peak RSS: the wrapper is small, so its child's peak is the command's own.
WRAPPER = """
import json, resource, subprocess, sys, time
argv = sys.argv[1:]
stdin = open(argv.pop()[1:], "rb") if argv[-1].startswith("<") else None
t = time.perf_counter()
code = subprocess.run(argv, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1000  # kB (Linux) to MB
print(json.dumps({"seconds": seconds, "rss_mb": peak, "code": code}))
"""


def _run(argv: list[str]) -> dict[str, Any]:
    p = subprocess.run(
        [sys.executable, "-c", WRAPPER, *argv], capture_output=True, text=True, timeout=1800
    )
    if p.returncode != 0:
        return {"error": p.stderr.strip().splitlines()[-1:]}
    result: dict[str, Any] = json.loads(p.stdout)
    if result["code"] != 0:
        result["error"] = f"{argv[0]} exited {result['code']}"
    return result


def _shell_script(what: str, fmt: str, out: Path) -> str:
    mode = ".mode json" if fmt == "json" else ".headers on\n.mode csv"
    return f"{mode}\n.output {out}\n{ACCOUNTS if what == 'accounts' else DEALS}\n"


def measure_exports(db: Path, runs: int, today: str) -> tuple[list[dict[str, Any]], Any]:
    """Figures (as ``Figure`` fields) and every sample, for run.py."""
    sqlite3 = shutil.which("sqlite3")
    kamtui = [sys.executable, "-m", "kamtui", "export"]
    samples: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="kamtui-bench-exports-") as tmp:
        out = Path(tmp)
        for what, fmt in EXPORTS:
            script = out / f"{what}-{fmt}.sql"
            script.write_text(_shell_script(what, fmt, out / f"shell.{fmt}"), encoding="utf-8")
            for i in range(runs + 1):  # the first of each is a warm-up, not counted
                if sqlite3:
                    shell = _run([sqlite3, "-readonly", str(db), f"<{script}"])
                    samples.setdefault(f"shell {what} {fmt}", []).append(shell | {"warmup": i == 0})
                ours = _run(
                    [*kamtui, what, "--db", str(db), "--today", today, "--format", fmt,
                     "-o", str(out / f"kamtui.{fmt}")]
                )  # fmt: skip
                samples.setdefault(f"kamtui {what} {fmt}", []).append(ours | {"warmup": i == 0})
    figures: list[dict[str, Any]] = []
    for what, fmt in EXPORTS:
        counted = [r for r in samples[f"kamtui {what} {fmt}"] if not r["warmup"]]
        shell = [r for r in samples.get(f"shell {what} {fmt}", []) if not r["warmup"]]
        errors = "; ".join(sorted({str(r["error"]) for r in counted + shell if "error" in r}))
        if not sqlite3:
            errors = errors or "no sqlite3 shell (apt-get install sqlite3)"
        base = statistics.median(r["seconds"] for r in shell) if shell else None
        seconds = [r["seconds"] for r in counted]
        ratio = statistics.median(seconds) / base if base and seconds else None
        shell_rss = statistics.median(r["rss_mb"] for r in shell) if shell else 0
        figures += [
            {
                "name": f"export {what} --format {fmt}: sqlite3 shell (baseline)",
                "unit": "s",
                "samples": [r["seconds"] for r in shell],
                "note": f"the same rows, .mode {fmt}; peak {shell_rss:,.0f} MB",
                "error": "" if sqlite3 else errors,
            },
            {
                "name": f"export {what} --format {fmt}: kamtui / shell",
                "unit": "x",
                "value": ratio,
                "target": TIMES,
                "target_text": f"≤ {TIMES:g}× the shell",
                "note": f"kamtui {statistics.median(seconds):,.2f} s" if seconds else "",
                "error": errors,
            },
            {
                "name": f"export {what} --format {fmt}: peak memory",
                "unit": "MB",
                "samples": [r["rss_mb"] for r in counted],
                "target": PEAK_MB,
                "note": "peak RSS of the kamtui process",
                "error": errors,
            },
        ]
    return figures, samples
