"""Counts read as a person writes them: "1 deal", "3 deals", "1 项输出物" — never "1 deals"
or "deliverable(s)", in the catalog, the domain's sentences and their Chinese."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from string import Formatter

import pytest

from kamtui.domain.counts import count, counted
from kamtui.domain.decision_map import Contact, coverage_warnings
from kamtui.services.book import Book
from kamtui.ui import strings as S

TODAY = date(2026, 11, 23)
SRC = Path(__file__).parents[2] / "src" / "kamtui"
# a count then an English plural noun: what a template must write as "{n:one|many}"
COUNTS = "n|days|total|accounts|deals|every|cadence|roles|logins|errors|bad|good|skipped|shown"
BARE_PLURAL = re.compile(rf"\{{({COUNTS})\}} ((?!with )(?:[a-z-]+ )?[a-z]+s)\b")
ONE_PLURAL = re.compile(
    r"(?<![\d.,-])1 (?!with )(?:[a-z-]+ )?(days|tickets|invoices|contacts|ratings|roles|users|logins|"
    r"items|deals|accounts|rows|files|changes|errors|deliverables|problems|duplicates)\b"
)


def counts_of(template: str) -> dict[str, str]:
    """The placeholders of ``template`` that say a count with its noun: name → spec."""
    return {
        name: spec
        for _, name, spec, _ in Formatter().parse(template)
        if name is not None and spec and "|" in spec
    }


def test_no_string_says_s_in_brackets() -> None:
    catalog = [*S.EN.values(), *S.ZH.values(), *S.SENTENCES_ZH, *S.SENTENCES_ZH.values()]
    assert [s for s in catalog if "(s)" in s] == []
    sources = [p for p in SRC.rglob("*.py") if p.name not in ("counts.py", "strings.py")]
    assert [str(p) for p in sources if "(s)" in p.read_text(encoding="utf-8")] == []


def test_every_english_count_has_its_nouns_two_forms() -> None:
    bare = {k: v for k, v in S.EN.items() if BARE_PLURAL.search(v)}
    bare |= {k: k for k in S.SENTENCES_ZH if BARE_PLURAL.search(k)}
    assert bare == {}


@pytest.mark.parametrize("key", sorted(k for k, v in S.EN.items() if counts_of(v)))
def test_a_count_of_one_reads_singular(key: str) -> None:
    template = getattr(S, key)
    names = {n for _, n, _, _ in Formatter().parse(template) if n is not None}
    one = template.format(**dict.fromkeys(names, "1"))
    many = template.format(**dict.fromkeys(names, "3"))
    for spec in counts_of(S.EN[key]).values():
        singular, plural = spec.split("|")
        assert f"1 {singular}" in one and f"3 {plural}" in many
    assert not ONE_PLURAL.search(one), one
    assert "|" not in one + many


def test_chinese_has_one_form(chinese: None) -> None:
    assert S.DEAL_LINE.format(amount="5", stage=2, label="方案", days=1).endswith("已停留 1 天")
    assert S.CARD_DAYS.format(days=1) == "1 天"
    assert S.COLUMN_TOTALS.format(n="1", total="5", weighted="2") == "1 个商机 · 5\n加权 2"


def test_formatted_numbers_and_other_specs() -> None:
    assert counted("{n:deal|deals}", n="1,234") == "1,234 deals"
    assert counted("{n:deal|deals} worth {v:,.0f}", n=1, v=1200.0) == "1 deal worth 1,200"
    assert count(1, "account is", "accounts are") == "1 account is"
    assert S.SUMMARY.format(shown="1", total="1") == "1 of 1 account"
    assert S.TEAM_SHARED.format(n="2").startswith("⇄ 2 accounts are ")


def test_the_domain_says_one_in_the_singular_and_chinese_reads_it(chinese: None) -> None:
    warning = coverage_warnings("S", [Contact(1, "王总", "economic_buyer")], TODAY)
    said = [w.message for w in warning]
    assert "single-threaded: 1 active contact, 1 role covered on a tier S account" in said
    assert S.say(said[-1]) == "单线联系：S 级客户只有 1 位在职联系人，覆盖 1 个角色"
    for english, chinese_ in (
        ("invoice INV-1 overdue 1 day", "发票 INV-1 已逾期 1 天"),
        ("1 invoice overdue, worst 1 day", "1 张发票逾期，最长 1 天"),
        (
            "touch overdue 1 day: last 2026-11-01, every 1 day",
            "触达已逾期 1 天：上次 2026-11-01，每 1 天",
        ),
        ("task: call back (overdue 1 day)", "待办：call back（已逾期 1 天）"),
        ("1 ticket in 30 days, 90-day average 0.3", "30 天 1 张工单，90 天月均 0.3"),
        ("1 active user, 1 login, 5% adoption", "活跃用户 1，登录 1 次，功能采用率 5%"),
    ):
        assert S.say(english) == chinese_


def test_a_books_sentences_on_days_with_counts_of_one(tmp_path: Path) -> None:
    """An invoice one day late, a task one day overdue, one ticket: said in the singular."""
    book = Book.create(tmp_path / "b.db")
    aid = book.add_account(TODAY, name="云翔", owner="张伟")
    book.add_task(aid, TODAY - timedelta(days=1), title="call back", due=TODAY - timedelta(days=1))
    book.close()
    book = Book.open(tmp_path / "b.db")
    from kamtui.domain.plan import IsoWeek

    reasons = [i.reason for i in book.plan(IsoWeek.of(TODAY), TODAY).items]
    view = book.account_view(aid, TODAY)
    book.close()
    said = reasons + [m.value for m in view.derived.health.measures]
    assert "task: call back (overdue 1 day)" in said
    assert [s for s in said if ONE_PLURAL.search(s)] == []
