"""A rep's day in a real terminal: open the book, find an account, log a call, tick a
deliverable, advance the deal, open the weekly plan and export it, quit — then the book,
read by the command line, holds what was done. In English and in Chinese, at 80×24 and
160×50."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from e2e_support import SIZES, TODAY, Open, Run, log_errors
from terminal import Terminal


@dataclass(frozen=True)
class Day:
    """What a rep types and expects to read, in one language of the UI."""

    lang: str
    find: str  # typed into the Book's filter
    account: str  # the one account it finds
    summary: str  # of the call logged
    deliverable: str  # the first deliverable of the deal's stage, the one missing
    stage: int  # where the deal is; ] moves it to stage + 1
    # what the screens say
    shown: str  # the Book, with every account
    found: str  # the Book, filtered to the one account
    timeline_tab: str
    log_title: str
    logged: str
    call: str
    moved: str  # the deal's line once it is in the next stage
    plan: str
    export_title: str
    exported: str  # a regular expression


ENGLISH = Day(
    lang="en",
    find="Evergreen Energy",
    account="Evergreen Energy Inc",
    summary="Called about the renewal [budget]",
    deliverable="kickoff minutes",
    stage=4,
    shown="200 of 200 accounts",
    found="1 of 200 accounts",
    timeline_tab="4 Timeline",
    log_title="Log an interaction with",
    logged="Logged call on 2026-11-23",
    call="call",
    moved="stage 5 Account management",
    plan="Weekly plan 2026-W48",
    export_title="Export the plan to",
    exported=r"\d+ items written to",
)
CHINESE = Day(
    lang="zh",
    find="郑州海川实业",
    account="郑州海川实业有限公司",
    summary="电话沟通续约预算",
    deliverable="客户初步评估报告",
    stage=1,
    shown="显示 200 / 共 200 个客户",
    found="显示 1 / 共 200 个客户",
    timeline_tab="4 时间线",
    log_title="的一次互动",
    logged="已记录 2026-11-23 的电话",
    call="电话",
    moved="第 2 阶段 方案定制",
    plan="周计划 2026-W48",
    export_title="导出计划到",
    exported=r"已写入 \d+ 项到",
)
DAYS = [pytest.param(ENGLISH, id="en"), pytest.param(CHINESE, id="zh")]


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("size", SIZES)
def test_the_daily_loop(
    day: Day, size: tuple[int, int], open_kamtui: Open, cli: Run, demo: Path, home: Path,
    tmp_path: Path,
) -> None:  # fmt: skip
    term = open_kamtui("--db", demo, "--today", TODAY, "--lang", day.lang, size=size)
    term.wait_for(day.shown)

    term.keys("/")
    term.type(day.find)
    term.wait_for(day.found)
    term.keys("Enter")  # from the filter to the list
    term.keys("Enter")  # open the account
    term.wait_for(day.account, day.timeline_tab)

    term.keys("l")
    term.wait_for(day.log_title)
    term.type(day.summary)
    term.wait_for(day.summary)  # what is typed is seen
    term.keys("C-s")  # Enter would start a new line of the summary
    term.wait_for(day.logged)
    term.wait_gone(day.log_title)
    term.keys("4")
    term.wait_for_re(rf"{TODAY}\s+{day.call}\s+{re.escape(day.summary)}")

    term.keys("3")
    term.wait_for(f"› [ ] {day.deliverable}")
    term.keys("Space")  # ticks the deliverable the › points at
    term.wait_for(f"› [x] {day.deliverable}")
    term.keys("]")
    term.wait_for(day.moved)

    term.keys("Escape")
    term.wait_for(day.found)
    term.keys("p")
    term.wait_for(day.plan)
    term.keys("e")
    term.wait_for(day.export_title)
    term.keys("Enter")
    term.wait_for_re(day.exported)
    term.keys("Escape")
    term.wait_for(day.found)
    term.keys("q")
    assert term.wait_exit() == 0

    # what the command line reads from the book
    calls = json.loads(cli("export", "interactions", "--db", demo).stdout)
    assert {
        "account": day.account, "date": TODAY, "kind": "call", "summary": day.summary
    } in [{k: c[k] for k in ("account", "date", "kind", "summary")} for c in calls]  # fmt: skip
    deals = json.loads(cli("export", "deals", "--db", demo).stdout)
    (deal,) = [d for d in deals if d["account"] == day.account and d["status"] == "open"]
    assert deal["stage"] == day.stage + 1
    accounts = json.loads(cli("export", "accounts", "--db", demo, "--today", TODAY).stdout)
    (account,) = [a for a in accounts if a["name"] == day.account]
    assert account["last_touch"] == TODAY
    plan = cli("plan", "--db", demo, "--today", TODAY, "--lang", day.lang)
    assert plan.returncode == 0, plan.stderr
    assert (tmp_path / "plan-2026-W48.md").read_text(encoding="utf-8") == plan.stdout
    doctor = cli("doctor", "--db", demo, "--today", TODAY)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert log_errors(home) == []


def _open_account(open_kamtui: Open, demo: Path, size: tuple[int, int], day: Day) -> Terminal:
    term = open_kamtui("--db", demo, "--today", TODAY, "--lang", day.lang, size=size)
    term.wait_for(day.shown)
    term.keys("/")
    term.type(day.find)
    term.wait_for(day.found)
    term.keys("Enter", "Enter")
    term.wait_for(day.account, day.timeline_tab)
    return term


@pytest.mark.parametrize("size", SIZES)
def test_a_call_summary_shows_what_is_typed(
    size: tuple[int, int], open_kamtui: Open, demo: Path
) -> None:
    term = _open_account(open_kamtui, demo, size, ENGLISH)
    term.keys("l")
    term.wait_for(ENGLISH.log_title)
    term.type(ENGLISH.summary)
    term.wait_for(ENGLISH.summary, timeout=3)


@pytest.mark.parametrize("size", SIZES)
def test_ctrl_s_logs_a_call(size: tuple[int, int], open_kamtui: Open, demo: Path) -> None:
    term = _open_account(open_kamtui, demo, size, ENGLISH)
    term.keys("l")
    term.wait_for(ENGLISH.log_title)
    term.type(ENGLISH.summary)
    term.keys("C-s")
    term.wait_for(ENGLISH.logged, timeout=3)


@pytest.mark.parametrize("size", SIZES)
def test_space_on_the_deals_tab_ticks_a_deliverable(
    size: tuple[int, int], open_kamtui: Open, demo: Path
) -> None:
    term = _open_account(open_kamtui, demo, size, ENGLISH)
    term.keys("3")
    term.wait_for(f"› [ ] {ENGLISH.deliverable}")
    term.keys("Space")
    term.wait_for(f"› [x] {ENGLISH.deliverable}", timeout=3)
