"""Reading amounts, dates, counts, choices and company names as reps type them
(domain/parsing.py): examples, refusals, and properties (hypothesis)."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamtui.domain import parsing as p
from kamtui.domain.parsing import ParseError

# ---- amounts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,200,000", 1_200_000),
        ("120万", 1_200_000),
        ("120 万元", 1_200_000),
        ("1.2亿", 120_000_000),
        ("¥5,000", 5_000),
        ("￥5,000", 5_000),
        ("RMB 5000", 5_000),
        ("5,000元", 5_000),
        ("$3,000.50", Decimal("3000.50")),
        ("US$ 12", 12),
        ("１２０万", 1_200_000),
        ("3k", 3_000),
        ("2.5M", 2_500_000),
        ("(500)", -500),
        ("-1,000", -1_000),
        ("−7", -7),
        (" 42 ", 42),
        (".5", Decimal("0.5")),
        (1200, 1200),
        (1200.5, Decimal("1200.5")),
        (Decimal("9.99"), Decimal("9.99")),
    ],
)
def test_amounts(text: object, value: object) -> None:
    assert p.parse_amount(text) == Decimal(str(value))


@pytest.mark.parametrize("text", ["", "  ", None])
def test_a_blank_amount_is_none(text: object) -> None:
    assert p.parse_amount(text) is None


@pytest.mark.parametrize(
    "text", ["about a million", "1,2", "1,20,000", "12x", "1.2.3", "万", "¥", "--5", True,
             float("nan"), float("inf"), "1e5"],
)  # fmt: skip
def test_bad_amounts_say_why(text: object) -> None:
    with pytest.raises(ParseError) as e:
        p.parse_amount(text)
    assert "amount" in str(e.value)


def test_counts_ratings_percentages_and_yes_no() -> None:
    assert p.parse_count("1,200人") == 1200
    assert p.parse_count("1.2万") == 12_000
    assert p.parse_count(30.0) == 30
    with pytest.raises(ParseError, match="whole"):
        p.parse_count("12.5")
    assert p.parse_rating("4") == 4
    with pytest.raises(ParseError, match="1–5"):
        p.parse_rating("6")
    assert [p.parse_percent(x) for x in ("45%", "45", 0.45, "４５％", 100, 0)] == [
        45, 45, 45, 45, 100, 0,
    ]  # fmt: skip
    with pytest.raises(ParseError):
        p.parse_percent("120%")
    assert [p.parse_bool(x) for x in ("是", "否", "yes", "N", 1, 0, True, "√", "")] == [
        True, False, True, False, True, False, True, True, None,
    ]  # fmt: skip
    with pytest.raises(ParseError, match="yes or no"):
        p.parse_bool("maybe")


# ---- how large a number may be --------------------------------------------------------------

TOO_LARGE = ["99999999999999999999999", "1" + "0" * 400, "9" * 5000, "1,000,000,000,000,000",
             "100000000亿", 1e300, 10**30, Decimal("1e15"), "-1" + "0" * 20]  # fmt: skip


@pytest.mark.parametrize("value", TOO_LARGE)
def test_numbers_beyond_what_the_book_holds_are_refused_by_name(value: object) -> None:
    with pytest.raises(ParseError, match="too large for an amount") as e:
        p.parse_amount(value)
    assert "999,999,999,999,999" in e.value.message
    with pytest.raises(ParseError, match="too large for a whole number of employees"):
        p.parse_count(value, "number of employees")


def test_the_largest_numbers_the_book_holds_are_read() -> None:
    assert p.parse_amount("999,999,999,999,999") == p.MAX_NUMBER
    assert p.parse_amount("-999,999,999,999,999.99") == Decimal("-999999999999999.99")
    assert p.parse_count("999999999999999") == p.MAX_NUMBER
    assert p.parse_count("99999999999.9999万") == 999_999_999_999_999
    with pytest.raises(ParseError, match="too large"):
        p.parse_count("1000000000000000")


@given(st.one_of(st.floats(-1e15, 1e15), st.decimals(-(10**15) + 1, 10**15 - 1, places=4)))
def test_an_amount_shown_for_editing_reads_back_exactly(value: float | Decimal) -> None:
    if isinstance(value, float) and abs(value) >= 1e15:
        return  # (the strategy's bounds are inclusive)
    text = p.amount_text(value)
    assert p.parse_amount(text) == Decimal(repr(value) if isinstance(value, float) else value)
    assert p.amount_text(1_200_000.0) == "1,200,000" and p.amount_text(3e6 + 0.55) == "3,000,000.55"


@given(st.integers())
def test_any_whole_number_is_read_exactly_or_refused_as_too_large(n: int) -> None:
    for form in (str(n), f"{n:,}", n):
        if abs(n) <= p.MAX_NUMBER:
            assert p.parse_count(form) == n
            assert p.parse_amount(form) == n
            assert float(n) == n  # SQLite keeps amounts as doubles: exactly
        else:
            with pytest.raises(ParseError, match="too large"):
                p.parse_count(form)
            with pytest.raises(ParseError, match="too large"):
                p.parse_amount(form)


@given(st.one_of(st.text(max_size=40), st.floats(), st.decimals(), st.integers()))
def test_every_number_read_fits_the_book(value: object) -> None:
    """Whatever a cell holds, a number read from it fits a SQLite integer and a finite
    double; anything else is a ParseError with a reason."""
    for parse in (p.parse_amount, p.parse_count, p.parse_percent, p.parse_rating):
        try:
            n = parse(value)
        except ParseError as e:
            assert e.message
            continue
        if n is not None:
            assert isinstance(n, int | float | Decimal)
            assert -p.MAX_NUMBER <= n <= p.MAX_NUMBER < 2**63
            assert math.isfinite(float(n))


# ---- dates ----------------------------------------------------------------------------------

NOV3 = date(2026, 11, 3)


@pytest.mark.parametrize(
    "value",
    ["2026-11-03", "2026/11/3", "2026/11/03", "2026.11.03", "2026年11月3日", "2026年11月3号",
     "2026 年 11 月 3 日", "20261103", "2026-11-03 00:00:00", "2026/11/3 9:30", "2026-11-03T08:00",
     "２０２６－１１－０３", 46329, 46329.75, "46329", datetime(2026, 11, 3, 14, 5), NOV3],
)  # fmt: skip
def test_dates(value: object) -> None:
    assert p.parse_date(value) == NOV3


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("2026-02-30", "not a real date"),
        ("03/11/2026", "year first"),
        ("11/3/26", "year first"),
        ("next tuesday", "not a date"),
        ("2026-11/03", "not a date"),
        (0, "Excel date"),
        (60, "never was"),
        (-5, "Excel date"),
        (True, "not a date"),
    ],
)
def test_bad_dates_say_why(value: object, why: str) -> None:
    with pytest.raises(ParseError, match=why):
        p.parse_date(value)


def test_excel_serials_around_the_1900_leap_bug() -> None:
    assert p.from_excel_serial(1) == date(1900, 1, 1)
    assert p.from_excel_serial(59) == date(1900, 2, 28)
    assert p.from_excel_serial(61) == date(1900, 3, 1)
    assert p.from_excel_serial(45658) == date(2025, 1, 1)


def test_months() -> None:
    for value in ("2026-11", "2026/11", "2026.11", "2026年11月", "202611", "2026-11-23", 46349):
        assert p.parse_month(value) == date(2026, 11, 1), value
    with pytest.raises(ParseError):
        p.parse_month("2026-13")


# ---- choices --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "text", "key"),
    [
        (p.ROLE_NAMES, "economic_buyer", "economic_buyer"),
        (p.ROLE_NAMES, "Economic Buyer", "economic_buyer"),
        (p.ROLE_NAMES, "最终决策者", "economic_buyer"),
        (p.ROLE_NAMES, "技术评估者", "evaluator"),
        (p.ROLE_NAMES, "财务把关者", "finance"),
        (p.ROLE_NAMES, "使用者", "user"),
        (p.ROLE_NAMES, "影响者", "influencer"),
        (p.STANCE_NAMES, "拥护者", "champion"),
        (p.STANCE_NAMES, "BLOCKER", "blocker"),
        (p.STAGE_NAMES, "方案定制与价值呈现", "2"),
        (p.STAGE_NAMES, "Negotiation & contracting", "3"),
        (p.STAGE_NAMES, "stage 4", "4"),
        (p.STAGE_NAMES, 5.0, "5"),
        (p.TRACK_NAMES, "战略灯塔型", "lighthouse"),
        (p.TRACK_NAMES, "price-sensitive", "price"),
        (p.STATUS_NAMES, "潜在客户", "prospect"),
        (p.KIND_NAMES, "拜访", "visit"),
        (p.SEVERITY_NAMES, "紧急", "critical"),
    ],
)
def test_choices_take_keys_and_chinese_names(
    options: dict[str, str], text: object, key: str
) -> None:
    assert p.parse_choice(text, options, "thing") == key


def test_an_unknown_choice_lists_the_keys() -> None:
    with pytest.raises(ParseError) as e:
        p.parse_choice("老板", p.ROLE_NAMES, "role")
    assert "economic_buyer" in str(e.value) and "老板" in str(e.value)


# ---- company names --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("云翔集团有限公司", "云翔集团"),
        ("云翔集团", "云翔"),
        ("华信医疗股份有限公司", "华信医疗"),
        ("ＡＢＣ科技有限公司", "abc 科技"),
        ("Apex Foods Co., Ltd.", "apex foods"),
        ("Northwind Logistics Inc", "NORTHWIND  LOGISTICS"),
    ],
)
def test_names_meet_without_their_legal_form(a: str, b: str) -> None:
    assert p.match_key(a) == p.match_key(b)


def test_exact_keys_keep_the_legal_form_and_short_names_keep_their_letters() -> None:
    assert p.name_key("云翔 集团") == p.name_key("云翔集团") != p.name_key("云翔")
    assert p.name_key("ＡＰＥＸ") == "apex"
    assert p.match_key("Costco") == "costco"  # "co" is a legal form only as a word
    assert p.match_key("集团") == "集团"  # never down to nothing


# ---- properties -----------------------------------------------------------------------------

cents = st.decimals(min_value=0, max_value=Decimal("1e12"), places=2, allow_nan=False)


def grouped(d: Decimal) -> str:
    return f"{d:,.2f}"


@given(cents)
def test_amounts_written_any_usual_way_read_back_exactly(d: Decimal) -> None:
    for text in (f"{d}", grouped(d), f"¥{grouped(d)}", f"${grouped(d)}", f"{grouped(d)}元",
                 f"-{d}", f"({grouped(d)})"):  # fmt: skip
        expect = -d if text.startswith(("-", "(")) else d
        assert p.parse_amount(text) == expect, text


@given(st.integers(min_value=0, max_value=10**6))  # 10⁶亿 = 10¹⁴: within MAX_NUMBER
def test_wan_and_yi_multiply(n: int) -> None:
    assert p.parse_amount(f"{n}万") == n * 10_000
    assert p.parse_amount(f"{n}亿") == n * 100_000_000
    assert p.parse_amount(f"{n / 100}万") == Decimal(str(n / 100)) * 10_000


@given(st.text(max_size=30))
def test_any_text_is_an_amount_or_a_clear_refusal(text: str) -> None:
    try:
        value = p.parse_amount(text)
    except ParseError as e:
        assert e.message
    else:
        assert value is None or value.is_finite()


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)))
def test_dates_written_any_usual_way_read_back(d: date) -> None:
    forms = [
        d.isoformat(),
        f"{d.year}/{d.month}/{d.day}",
        f"{d.year}.{d.month:02d}.{d.day:02d}",
        f"{d.year}年{d.month}月{d.day}日",
        d.strftime("%Y%m%d") if d.year >= 1000 else d.isoformat(),
        p.to_excel_serial(d),
        float(p.to_excel_serial(d)) + 0.5,
        datetime(d.year, d.month, d.day, 12, 30),
    ]
    for value in forms:
        assert p.parse_date(value) == d, value
    assert p.parse_month(f"{d.year}-{d.month:02d}") == d.replace(day=1)


@given(st.integers(min_value=1, max_value=2_958_465).filter(lambda n: n != 60))
def test_excel_serials_round_trip(n: int) -> None:
    d = p.from_excel_serial(n)
    assert p.to_excel_serial(d) == n
    before = max(1, n - 1)
    if before == 60:  # 29 February 1900 never was: compare with the day before it
        before = 59
    assert p.from_excel_serial(n) - p.from_excel_serial(before) <= timedelta(days=2)


@given(st.text(max_size=30))
def test_any_text_is_a_date_or_a_clear_refusal(text: str) -> None:
    try:
        value = p.parse_date(text)
    except ParseError as e:
        assert e.message
    else:
        assert value is None or isinstance(value, date)


@given(st.text(min_size=1, max_size=20))
def test_match_keys_are_stable(name: str) -> None:
    key = p.match_key(name)
    assert p.match_key(name) == key
    assert p.match_key(name + "有限公司") == key or not key
