"""Reading values the way reps type them in spreadsheets: amounts, dates, counts, choices,
and company names normalised for matching. Pure: no I/O, no clock.

Every parser takes what a CSV or Excel cell holds (text, a number, a date) and returns a
clean value, ``None`` for a blank cell, or raises ``ParseError`` with a reason a rep can read.
Every number read here lies within ±``MAX_NUMBER`` (see ``domain/limits.py``); a larger one
is refused by name.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from kamtui.domain.decision_map import INFLUENCES, ROLES, STANCES
from kamtui.domain.errors import InputError
from kamtui.domain.limits import MAX_NUMBER
from kamtui.domain.stages import STAGES
from kamtui.domain.tracks import TRACKS


class ParseError(InputError):
    """A cell whose value cannot be read as what its column holds."""


def _text(value: object) -> str:
    """Cell text in half-width form (NFKC: full-width digits, letters and punctuation)."""
    text = unicodedata.normalize("NFKC", str(value))
    return text.replace("\u2212", "-").replace("\u3000", " ").strip()


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _show(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:39] + "…")


# ---- how large a number may be --------------------------------------------------------------

_MAX_DIGITS = len(str(MAX_NUMBER))
_ABOVE, _BELOW = Decimal(MAX_NUMBER + 1), Decimal(-MAX_NUMBER - 1)  # the first numbers refused


def _too_large(value: object, what: str) -> ParseError:
    return ParseError(f"{_show(value)} is too large for {what} (at most {MAX_NUMBER:,}).")


# ---- amounts --------------------------------------------------------------------------------

_MULTIPLIERS: dict[str, int] = {
    "千万": 10**7,
    "百万": 10**6,
    "亿": 10**8,
    "万": 10**4,
    "千": 10**3,
    "k": 10**3,
    "m": 10**6,
    "w": 10**4,
}
_CURRENCY_BEFORE = re.compile(r"^(?:rmb|cny|usd|hkd|eur|us\$|hk\$|¥|\$|€|£)\s*", re.I)
_CURRENCY_AFTER = re.compile(r"\s*(?:元|圆|人民币|rmb|cny|usd|hkd|eur|美元|美金|港币)$", re.I)
_NUMBER = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$|^\.\d+$")
_PLAIN = re.compile(r"\d+(?:\.\d+)?", re.ASCII)
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", re.ASCII)


def parse_amount(value: object) -> Decimal | None:
    """``1,200,000``, ``120万``, ``1.2亿``, ``¥5,000``, ``$3,000.50``, ``(500)``; numbers as is.
    At most ``MAX_NUMBER`` either way."""
    if type(value) is str and len(value) <= _MAX_DIGITS:  # the common cases, fast: 1200000
        if _PLAIN.fullmatch(value):
            return Decimal(value)
        if _GROUPED.fullmatch(value):
            return Decimal(value.replace(",", ""))
    d = _amount(value)
    if d is not None and (d >= _ABOVE or d <= _BELOW):
        raise _too_large(value, "an amount")
    return d


def _amount(value: object) -> Decimal | None:
    """``parse_amount`` without the limit."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ParseError(f"{_show(value)} is not an amount.")
    if isinstance(value, int | Decimal):
        d = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ParseError(f"{_show(value)} is not an amount.")
        d = Decimal(repr(value))
    else:
        d = _amount_text(str(value))
    if not d.is_finite():
        raise ParseError(f"{_show(value)} is not an amount.")
    return d


def amount_text(value: float | Decimal) -> str:
    """An amount as a form shows it for editing, with thousands separators and every
    decimal it has (3,000,000.55; 1,200,000), so that ``parse_amount`` reads it back
    exactly: a form saved unchanged never rounds it."""
    d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d.normalize():,f}"


def _not_an_amount(raw: str) -> ParseError:
    return ParseError(f"{_show(raw)} is not an amount (write it like 1,200,000 or 120万).")


def _amount_text(raw: str) -> Decimal:
    text = _text(raw)
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    if text.startswith(("+", "-")):
        negative, text = text[0] == "-", text[1:].strip()
    text = _CURRENCY_BEFORE.sub("", text)
    if text.startswith(("+", "-")) and not negative:
        negative, text = text[0] == "-", text[1:].strip()
    text = _CURRENCY_AFTER.sub("", text)
    multiplier = 1
    lowered = text.lower()
    for unit, factor in _MULTIPLIERS.items():
        if lowered.endswith(unit):
            multiplier, text = factor, text[: -len(unit)].strip()
            break
    text = text.replace(" ", "").replace("_", "")
    if not _NUMBER.match(text):
        raise _not_an_amount(raw)
    try:
        d = Decimal(text.replace(",", "")) * multiplier
    except InvalidOperation:
        raise _not_an_amount(raw) from None
    return -d if negative else d


def parse_count(value: object, what: str = "number") -> int | None:
    """A whole number: ``1,200``, ``1.2万``, ``300人``; ``12.5`` is refused, and so is a
    number beyond ``MAX_NUMBER`` (``what`` names it: "a whole {what}")."""
    if type(value) is str and value.isascii() and len(value) <= _MAX_DIGITS:  # fast: 1,200
        if value.isdigit():
            return int(value)
        if _GROUPED.fullmatch(value) and "." not in value:
            return int(value.replace(",", ""))
    raw = value
    if isinstance(value, str):
        value = re.sub(r"\s*[人个家次位名]$", "", _text(value))
    try:
        d = _amount(value)
    except ParseError:
        raise ParseError(f"{_show(raw)} is not a whole {what}.") from None
    if d is None:
        return None
    if d >= _ABOVE or d <= _BELOW:
        raise _too_large(raw, f"a whole {what}")
    if d != d.to_integral_value():
        raise ParseError(f"{_show(raw)} is not a whole {what}.")
    return int(d)


def parse_percent(value: object) -> int | None:
    """``45%``, ``45``, or a fraction (0.45, as an Excel percent cell holds it) → 45; must lie
    in 0–100."""
    if is_blank(value):
        return None
    pct: Decimal | None
    if isinstance(value, str) and _text(value).endswith("%"):
        pct = parse_amount(_text(value)[:-1])
    else:
        pct = parse_amount(value)
        if pct is not None and 0 < pct < 1:
            pct *= 100  # a fraction, as an Excel cell formatted as a percentage holds it
    if pct is None or not 0 <= pct <= 100:  # (None: a "%" alone)
        raise ParseError(f"{_show(value)} is not a percentage from 0 to 100.")
    return int(pct.quantize(Decimal(1)))


def parse_rating(value: object) -> int | None:
    n = parse_count(value, "rating")
    if n is not None and not 1 <= n <= 5:
        raise ParseError(f"A rating is 1–5, not {n}.")
    return n


_TRUE = {"yes", "y", "true", "t", "1", "是", "有", "√", "✓", "✔", "对"}
_FALSE = {"no", "n", "false", "f", "0", "否", "无", "没有", "不是", "×", "✗", "-", "不"}


def parse_bool(value: object) -> bool | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ParseError(f"{_show(value)} is not yes or no (是/否).")


# ---- dates ----------------------------------------------------------------------------------

_EXCEL_EPOCH = date(1899, 12, 30)  # serial 61 is 1900-03-01 (Excel counts a 1900-02-29)
_SERIAL_MAX = 2_958_465  # 9999-12-31
_YMD = re.compile(
    r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_YMD_ZH = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$")
_YMD_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{1,7}(?:\.\d+)?$")
_DAY_FIRST = re.compile(r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$")
_YM = re.compile(r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*月?$")
_YM_COMPACT = re.compile(r"^(\d{4})(\d{2})$")


def from_excel_serial(serial: float) -> date:
    """An Excel (1900 date system) serial day number → date; a time part is dropped."""
    if not math.isfinite(serial) or not 1 <= serial <= _SERIAL_MAX:
        raise ParseError(f"{_show(serial)} is not an Excel date number.")
    days = int(serial)
    if days == 60:
        raise ParseError("Excel date 60 is 29 February 1900, a day that never was.")
    if days < 60:
        days += 1
    return _EXCEL_EPOCH + timedelta(days=days)


def to_excel_serial(day: date) -> int:
    days = (day - _EXCEL_EPOCH).days
    return days - 1 if days <= 60 else days


def _ymd(y: str, m: str, d: str, raw: object) -> date:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        raise ParseError(f"{_show(raw)} is not a real date.") from None


def parse_date(value: object) -> date | None:
    """``2026-11-03``, ``2026/11/3``, ``2026.11.03``, ``2026年11月3日``, ``20261103``, an Excel
    serial number (46329) or a date cell. Day-first or month-first dates are refused."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ParseError(f"{_show(value)} is not a date.")
    if isinstance(value, int | float | Decimal):
        return from_excel_serial(float(value))
    text = _text(value)
    for pattern in (_YMD, _YMD_ZH, _YMD_COMPACT):
        m = pattern.match(text)
        if m:
            g = m.groups()
            return (
                _ymd(g[0], g[2], g[3], value) if pattern is _YMD else _ymd(g[0], g[1], g[2], value)
            )
    if _SERIAL.match(text) and len(text.split(".")[0]) <= 7:
        return from_excel_serial(float(text))
    if _DAY_FIRST.match(text):
        raise ParseError(
            f"{_show(value)} is ambiguous (day or month first?); write it year first, like 2026-11-03."
        )
    raise ParseError(f"{_show(value)} is not a date (write it like 2026-11-03 or 2026年11月3日).")


def parse_month(value: object) -> date | None:
    """A month: ``2026-11``, ``2026/11``, ``2026年11月``, ``202611``, or any date in it → its 1st."""
    if is_blank(value):
        return None
    if isinstance(value, str):
        text = _text(value)
        m = _YM.match(text) or _YM_COMPACT.match(text)
        if m:
            return _ymd(m.group(1), m.group(2), "1", value)
    day = parse_date(value)
    assert day is not None
    return day.replace(day=1)


# ---- choices --------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Text folded for comparing: NFKC, case-folded, without spaces, ``_`` or ``-``."""
    return re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFKC", text).casefold())


def choices(pairs: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    """key → its names (the key itself included) as a lookup from folded name to key."""
    out: dict[str, str] = {}
    for key, names in pairs:
        for n in (key, *names):
            out[fold(n)] = key
    return out


def parse_choice(value: object, options: Mapping[str, str], what: str) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number cell in Excel: 3.0
    text = str(value).strip()
    key = options.get(fold(text))
    if key is None:
        keys = list(dict.fromkeys(options.values()))
        raise ParseError(f"{_show(text)} is not a {what} ({', '.join(keys)}).")
    return key


ROLE_NAMES = choices(
    (r.key, (r.label, r.label_zh, *extra))
    for r, extra in zip(
        ROLES.values(),
        (
            ("使用人", "用户", "终端用户"),
            ("技术评估", "评估者", "技术"),
            ("影响人",),
            ("财务", "财务把关", "采购"),
            ("决策者", "决策人", "最终决策人", "economic buyer", "eb", "拍板人"),
        ),
        strict=True,
    )
)
STANCE_NAMES = choices(
    zip(
        STANCES,
        (
            ("拥护者", "内线", "教练", "coach"),
            ("支持者", "支持", "support"),
            ("中立", "中立者"),
            ("怀疑者", "怀疑", "sceptic"),
            ("反对者", "阻碍者", "反对", "opponent"),
        ),
        strict=True,
    )
)
INFLUENCE_NAMES = choices(zip(INFLUENCES, (("高",), ("中", "一般"), ("低",)), strict=True))
TRACK_NAMES = choices(
    (t.key, (t.label, t.label_zh, t.label_zh.removesuffix("型"))) for t in TRACKS.values()
)
STAGE_NAMES = choices(
    (
        str(s.number),
        (
            s.label,
            s.label_zh,
            f"stage {s.number}",
            f"stage{s.number}",
            f"阶段{s.number}",
            f"第{s.number}阶段",
            *s.label_zh.split("与"),
        ),
    )
    for s in STAGES
)
STATUS_NAMES = choices(
    (
        ("prospect", ("潜在客户", "潜客", "意向客户", "lead")),
        ("customer", ("客户", "现有客户", "合作中", "成交客户", "active", "client")),
        ("former", ("前客户", "流失客户", "已流失", "流失", "former customer", "churned", "lost")),
    )
)
DEAL_STATUS_NAMES = choices(
    (("open", ("进行中", "跟进中", "active")), ("lost", ("输单", "丢单", "失败", "closed lost")))
)
KIND_NAMES = choices(
    (
        ("call", ("电话", "通话", "phone")),
        ("email", ("邮件", "电子邮件", "e-mail", "mail")),
        ("meeting", ("会议", "开会", "会面")),
        ("visit", ("拜访", "上门", "现场拜访", "走访")),
    )
)
SEVERITY_NAMES = choices(
    (
        ("low", ("低", "轻微")),
        ("normal", ("一般", "普通", "中", "medium")),
        ("high", ("高", "重要")),
        ("critical", ("紧急", "严重", "urgent")),
    )
)
TIER_NAMES = choices((t, (f"{t}级", f"{t}类")) for t in ("S", "A", "B", "C"))


# ---- company names --------------------------------------------------------------------------

# longest first: a name loses one legal suffix, then an optional 集团/group
_ZH_SUFFIXES = (
    "集团股份有限公司",
    "股份有限公司",
    "集团有限公司",
    "有限责任公司",
    "控股有限公司",
    "有限公司",
    "股份公司",
    "控股集团",
    "集团公司",
    "集团",
    "公司",
)
_EN_TAIL = re.compile(
    r"[\s,.]+(?:co\.?,?\s*ltd|limited|ltd|inc|incorporated|llc|gmbh|corporation|corp|plc|co"
    r"|holdings|group)\.?$"
)
_EN_ENDS = ("ltd", "limited", "inc", "incorporated", "llc", "gmbh", "corporation", "corp", "plc",
            "co", "holdings", "group")  # fmt: skip
_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[\s.,。()（）·'\"&]+")


@lru_cache(maxsize=4096)  # an import asks again for the name it just asked for
def name_key(name: str) -> str:
    """A name as compared for an exact match: NFKC (full-width → half-width), case-folded,
    without spaces."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", name).casefold())


@lru_cache(maxsize=4096)
def match_key(name: str) -> str:
    """A name without its legal form (有限公司, 股份有限公司, Inc, Ltd …) or punctuation, so
    that ``云翔集团有限公司`` and ``云翔集团`` and ``云翔`` meet."""
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    for _ in range(3):
        if not text.rstrip(". ").endswith(_EN_ENDS):
            break
        shorter = _EN_TAIL.sub("", text)
        if shorter == text or not shorter.strip():
            break
        text = shorter
    key = _PUNCT.sub("", text)
    for _ in range(3):
        if not key.endswith(_ZH_SUFFIXES):
            break
        suffix = next(x for x in _ZH_SUFFIXES if key.endswith(x))
        if len(key) <= len(suffix):
            break
        key = key[: -len(suffix)]
    return key
