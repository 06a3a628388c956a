"""Importing a rep's CSV and Excel files into a book (导入).

Two steps, so that a screen can show a preview before anything is written:

- ``check(book, kind, path, ...)`` reads the file in a stream (``services/reading.py``),
  maps its columns to fields (English or Chinese headers, or ``mapping``; a file without
  a column its kind needs is refused), parses every cell, matches rows to what the book
  holds, and returns an ``ImportCheck``: the column mapping, a preview of the first rows,
  every bad row with its line, column and reason, and what would be created and updated.
  It writes nothing.
- ``commit(book, check, today, skip_invalid=...)`` writes it in one ``BEGIN IMMEDIATE``
  transaction (bulk ``executemany``) and recomputes the derived values of the accounts it
  touched in the same transaction. Nothing is written unless every row is valid, unless
  ``skip_invalid`` is given.

Blank cells never erase what the book holds. Accounts match by id when the id agrees with
the name, else by name (exactly after NFKC, case and spaces; then without the legal form,
有限公司 …); other rows link to their account the same way and match their own records by a
natural key (a contact's name, a deal's name, an order or invoice number …), so importing
the same file twice creates nothing the second time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import islice, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import Connection

from kamtui.domain import parsing as p
from kamtui.domain import stages as sop
from kamtui.domain.errors import InputError, KamError
from kamtui.domain.rfm import RFM, OrderStats, rfm_scores
from kamtui.domain.scoring import ScoringModel
from kamtui.services import history as hist
from kamtui.services import recompute
from kamtui.services.book import Book
from kamtui.services.derive import DeriveCache, derive, rfm_text
from kamtui.services.export import FORMULA_START
from kamtui.services.import_choices import KINDS
from kamtui.services.reading import (
    FORMULA_REASON,
    Formula,
    ImportFileError,
    RowError,
    Table,
    column_letter,
    open_rows,
)
from kamtui.store import history as history_repo
from kamtui.store import repo

Progress = Callable[[str, int, int], None]  # phase, done, total
CHUNK = 5000
# rows parsed together as they are read: few enough that their cells, read just before,
# are still in the CPU's cache (500 rows parse ~15% faster than 5,000)
PARSE_CHUNK = 500
FULL_RECOMPUTE_AT = 2000  # accounts touched: beyond this, recompute the whole book with RFM
NO_ORDERS = OrderStats(None, 0, Decimal(0))  # RFM inputs of an account without orders
FIRST_VERSION = 1  # of a record just inserted (the tables' default)
FIRST_STAGE = 1  # of a deal created without a stage (the table's default)
WRITE_CACHE_KB = 64 * 1024  # SQLite page cache of an import's connection: indexes stay in it
# rows written into one table (and at least as many as it holds) from which its indexes
# are dropped before the writes and built again after them
REINDEX_AT = 10_000


class ImportRefused(KamError):
    """Rows with errors and no ``skip_invalid``: nothing was written."""

    def __init__(self, message: str, checked: ImportCheck) -> None:
        super().__init__(message)
        self.checked = checked


# ---- fields ---------------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if type(value) is str:  # the common case, fast
        text = value.strip()
        if not text:
            return None
        if value[0] == "'" and len(value) > 1 and value[1] in FORMULA_START:
            return value[1:].strip()  # undo the escaping of our own CSV exports
        return text
    if p.is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime | date):
        value = value.isoformat()
    text = str(value)
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_START:
        text = text[1:]  # undo the escaping of our own CSV exports
    return text.strip()


def _between(parse: Callable[[Any], Any], low: int, high: int, what: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        n = parse(value)
        if n is not None and not low <= n <= high:
            raise p.ParseError(f"{what} must be {low}–{high}, not {n}.")
        return n

    return check


def _not_negative(value: Any) -> Decimal | None:
    d = p.parse_amount(value)
    if d is not None and d < 0:
        raise p.ParseError(f"{value!r} is negative.")
    return d


def _count(value: Any) -> int | None:
    n = p.parse_count(value)
    if n is not None and n < 0:
        raise p.ParseError(f"{value!r} is negative.")
    return n


def _choice(options: dict[str, str], what: str) -> Callable[[Any], str | None]:
    return lambda v: p.parse_choice(v, options, what)


def _tier(value: Any) -> str | None:
    if not p.is_blank(value) and p.fold(str(value)) in ("unscored", "未评分", "未评级", "未分级"):
        return None
    return p.parse_choice(value, p.TIER_NAMES, "tier (S, A, B, C)")


def _stage(value: Any) -> int | None:
    key = p.parse_choice(value, p.STAGE_NAMES, "stage 1–5")
    return None if key is None else int(key)


@dataclass(frozen=True)
class Field:
    key: str
    names: tuple[str, ...]
    parse: Callable[[Any], Any] = _text
    required: bool = False
    amount: bool = False  # a header unit such as (万元) multiplies the values


ACCOUNT_LINK = (
    Field("account", ("account", "account name", "company", "customer", "客户", "客户名称",
                      "公司", "公司名称", "企业名称", "所属客户")),
    Field("account_id", ("account id", "客户id", "客户编号"), _count),
)  # fmt: skip

FIELDS: dict[str, tuple[Field, ...]] = {
    "accounts": (
        Field("id", ("id", "account id", "客户id", "客户编号", "编号"), _count),
        Field("name", ("name", "account", "account name", "company", "company name", "customer",
                       "客户", "客户名称", "公司", "公司名称", "企业名称", "名称"), required=True),
        Field("industry", ("industry", "行业", "所属行业")),
        Field("segment", ("segment", "sub segment", "subsegment", "细分行业", "细分", "子行业")),
        Field("region", ("region", "hq", "city", "地区", "区域", "城市", "总部", "省份")),
        Field("annual_revenue", ("annual revenue", "revenue", "年营业额", "营业额", "年收入",
                                 "营收", "年营收"), _not_negative, amount=True),
        Field("employees", ("employees", "staff", "员工数", "员工人数", "人数", "规模"), _count),
        Field("branches", ("branches", "分支机构", "分支机构数", "网点", "网点数"), _count),
        Field("tech_maturity", ("tech maturity", "technology maturity", "技术成熟度"),
              _between(p.parse_count, 1, 5, "Technology maturity")),
        Field("financial_health", ("financial health", "财务健康度", "财务状况"),
              _between(p.parse_count, 1, 5, "Financial health")),
        Field("owner", ("owner", "rep", "sales rep", "负责人", "销售", "客户经理", "销售代表",
                        "归属销售")),
        Field("status", ("status", "状态", "客户状态"), _choice(p.STATUS_NAMES, "status")),
        Field("track", ("track", "赛道", "客户类型", "客户赛道"), _choice(p.TRACK_NAMES, "track")),
        Field("pain_points", ("pain points", "pains", "痛点", "需求痛点", "客户痛点")),
        Field("renewal_intent", ("renewal intent", "renewal", "续约意向", "续约"), p.parse_bool),
        Field("reference_willing", ("reference willing", "reference", "愿意做案例", "标杆意愿",
                                    "案例意愿"), p.parse_bool),
        Field("tier", ("tier", "等级", "分级", "客户等级", "客户分级"),
              _tier),
        Field("tier_pinned", ("tier pinned", "pinned", "是否人工调级"), p.parse_bool),
        Field("pinned_tier", ("pinned tier", "人工调级", "手动等级"),
              _tier),
        Field("pin_reason", ("pin reason", "调级理由", "调级原因")),
    ),
    "contacts": (
        *ACCOUNT_LINK,
        Field("name", ("name", "contact", "contact name", "姓名", "联系人", "联系人姓名"),
              required=True),
        Field("title", ("title", "position", "job title", "职位", "职务", "头衔")),
        Field("role", ("role", "buying role", "角色", "决策角色"), _choice(p.ROLE_NAMES, "role")),
        Field("stance", ("stance", "attitude", "立场", "态度"), _choice(p.STANCE_NAMES, "stance")),
        Field("influence", ("influence", "影响力"), _choice(p.INFLUENCE_NAMES, "influence")),
        Field("reports_to", ("reports to", "manager", "boss", "汇报对象", "上级")),
        Field("left_on", ("left on", "left", "离职日期", "离职"), p.parse_date),
        Field("planned_action", ("planned action", "action", "计划行动", "应对策略", "行动计划")),
        Field("email", ("email", "e-mail", "邮箱", "电子邮件")),
        Field("phone", ("phone", "mobile", "tel", "电话", "手机", "手机号")),
    ),
    "deals": (
        *ACCOUNT_LINK,
        Field("name", ("name", "deal", "deal name", "opportunity", "商机", "商机名称", "项目",
                       "项目名称"), required=True),
        Field("amount", ("amount", "value", "金额", "商机金额", "预计金额", "合同金额"),
              _not_negative, amount=True),
        Field("expected_close", ("expected close", "close date", "expected close date",
                                 "预计成交日期", "预计签约日期", "成交日期"), p.parse_date),
        Field("next_step", ("next step", "下一步", "下一步行动", "下一步计划")),
        Field("stage", ("stage", "阶段", "销售阶段", "商机阶段"), _stage),
        Field("status", ("status", "状态", "商机状态"), _choice(p.DEAL_STATUS_NAMES, "deal status")),
        Field("lost_reason", ("lost reason", "输单原因", "丢单原因")),
        Field("won_on", ("won on", "won date", "赢单日期", "签约日期"), p.parse_date),
        Field("won_amount", ("won amount", "赢单金额", "签约金额"), _not_negative, amount=True),
    ),
    "interactions": (
        *ACCOUNT_LINK,
        Field("happened_on", ("date", "on", "happened on", "日期", "时间", "拜访日期", "沟通日期"),
              p.parse_date, required=True),
        Field("kind", ("kind", "type", "channel", "类型", "方式", "沟通方式", "互动类型"),
              _choice(p.KIND_NAMES, "kind of interaction")),
        Field("summary", ("summary", "notes", "note", "摘要", "内容", "备注", "纪要", "沟通内容")),
        Field("executive", ("executive", "exec", "高层", "是否高层", "高层拜访"), p.parse_bool),
        Field("contact", ("contact", "联系人")),
    ),
    "orders": (
        *ACCOUNT_LINK,
        Field("number", ("number", "order", "order number", "order no", "订单号", "订单编号"),
              required=True),
        Field("ordered_on", ("date", "order date", "ordered on", "日期", "下单日期", "订单日期"),
              p.parse_date, required=True),
        Field("amount", ("amount", "金额", "订单金额"), _not_negative, required=True, amount=True),
    ),
    "invoices": (
        *ACCOUNT_LINK,
        Field("number", ("number", "invoice", "invoice number", "invoice no", "发票号",
                         "发票编号", "发票号码"), required=True),
        Field("issued_on", ("issued on", "date", "invoice date", "日期", "开票日期"),
              p.parse_date, required=True),
        Field("due_on", ("due on", "due", "due date", "到期日", "到期日期", "付款期限"),
              p.parse_date, required=True),
        Field("amount", ("amount", "金额", "发票金额"), _not_negative, required=True, amount=True),
        Field("paid_on", ("paid on", "paid", "payment date", "付款日期", "回款日期", "到账日期"),
              p.parse_date),
        Field("order", ("order", "order number", "订单号", "订单编号")),
    ),
    "tickets": (
        *ACCOUNT_LINK,
        Field("subject", ("subject", "title", "ticket", "工单", "主题", "标题", "问题", "工单标题")),
        Field("severity", ("severity", "priority", "严重程度", "优先级", "级别"),
              _choice(p.SEVERITY_NAMES, "severity")),
        Field("opened_on", ("opened on", "opened", "date", "日期", "创建日期", "提交日期"),
              p.parse_date, required=True),
        Field("closed_on", ("closed on", "closed", "关闭日期", "解决日期"), p.parse_date),
        Field("satisfaction", ("satisfaction", "csat", "满意度"),
              _between(p.parse_count, 1, 5, "Satisfaction")),
    ),
    "usage": (
        *ACCOUNT_LINK,
        Field("month", ("month", "月份", "月"), p.parse_month, required=True),
        Field("active_users", ("active users", "users", "活跃用户", "活跃用户数"), _count),
        Field("logins", ("logins", "login count", "登录次数", "登录数"), _count),
        Field("adoption_pct", ("adoption", "feature adoption", "adoption pct", "功能采用率",
                               "采用率"), p.parse_percent),
    ),
}  # fmt: skip

# columns of our own account export that are computed, not imported
DERIVED_COLUMNS = frozenset(
    p.fold(c)
    for c in ("score", "computed_tier", "rfm_r", "rfm_f", "rfm_m", "health_score",
              "health_color", "health_flags", "coverage_warnings", "last_touch", "next_action",
              "open_deals", "deal_stages", "stage_name", "days_in_stage", "missing_deliverables")
)  # fmt: skip
_UNIT = re.compile(r"^(.*?)[(（\[【]([^)）\]】]*)[)）\]】]$")
_UNITS = {"亿": 10**8, "万": 10**4, "千": 10**3, "k": 10**3, "m": 10**6, "百万": 10**6}


def fields_for(kind: str, model: ScoringModel) -> tuple[Field, ...]:
    if kind not in FIELDS:
        raise InputError(f"{kind!r} is not something kamtui imports ({', '.join(KINDS)}).")
    fields = FIELDS[kind]
    if kind == "accounts":
        fields += tuple(
            Field(
                f"rating_{c.key}",
                (c.key, f"rating {c.key}", c.label, c.label_zh, f"{c.label_zh}评分"),
                p.parse_rating,
            )
            for c in model.criteria
        )
    return fields


def _header_key(header: str) -> tuple[str, int]:
    """A header folded for matching, and the multiplier of a unit in brackets: 金额（万元）."""
    text = re.sub(r"^[*＊]+|[:：*＊]+$", "", header.strip())
    m = _UNIT.match(text)
    factor = 1
    if m:
        text = m.group(1)
        unit = p.fold(m.group(2)).removesuffix("元").removesuffix("rmb").removesuffix("yuan")
        factor = _UNITS.get(unit, 1)
    return p.fold(text), factor


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    field: Field
    factor: int = 1


def map_columns(
    headers: Sequence[str],
    fields: Sequence[Field],
    mapping: dict[str, str | None] | None = None,
    name: str = "The file",
) -> tuple[list[Column], list[str]]:
    """Columns matched to fields (explicit ``mapping`` first), and the headers left unused;
    ``name``: the file, as messages name it."""
    by_name: dict[str, Field] = {}
    by_key = {f.key: f for f in fields}
    for f in fields:
        for n in (f.key, *f.names):
            by_name.setdefault(p.fold(n), f)
    explicit = {p.fold(k): v for k, v in (mapping or {}).items()}
    folded = [_header_key(h) for h in headers]
    for col in mapping or {}:
        if not any(
            p.fold(col) in (p.fold(h), key) for h, (key, _) in zip(headers, folded, strict=True)
        ):
            raise ImportFileError(
                f"--map names a column {col!r} that {name} does not have; its columns are: "
                f"{', '.join(h for h in headers if h.strip())}."
            )
    columns: list[Column] = []
    ignored: list[str] = []
    used: dict[str, tuple[str, int]] = {}  # field → the header holding it, and its index
    for i, (header, (key, factor)) in enumerate(zip(headers, folded, strict=True)):
        if not header.strip():
            continue
        target: Field | None
        if p.fold(header) in explicit or key in explicit:
            wanted = explicit.get(p.fold(header), explicit.get(key))
            if not wanted:
                continue  # left out on purpose
            target = by_key.get(wanted) or by_name.get(p.fold(wanted))
            if target is None:
                raise ImportFileError(
                    f"--map {header}={wanted}: there is no field {wanted!r}; "
                    f"the fields are: {', '.join(f.key for f in fields)}."
                )
        else:
            target = by_name.get(key)
        if target is None:
            ignored.append(header)
            continue
        if target.key in used:
            first, at = used[target.key]
            if p.fold(first) == p.fold(header):
                raise ImportFileError(
                    f"{name} has two columns headed {header!r} (columns {column_letter(at)} and "
                    f"{column_letter(i)}), both for {target.key}: rename or remove one of them."
                )
            raise ImportFileError(
                f"Columns {first!r} and {header!r} of {name} both hold {target.key}: keep one, "
                "or map the other to another field (--map COLUMN=FIELD; COLUMN= leaves it out)."
            )
        used[target.key] = (header, i)
        columns.append(Column(i, header, target, factor if target.amount else 1))
    return columns, ignored


# ---- the check ------------------------------------------------------------------------------


@dataclass(slots=True)
class Row:
    """A row as parsed (the file's own cells are not kept: a file is read in a stream)."""

    line: int
    values: dict[str, Any]  # field key → parsed value; blank cells are left out
    where: dict[str, tuple[int, str]]  # field key → (cell index, the file's header); shared

    def header(self, key: str) -> str:
        return self.where.get(key, (-1, ""))[1]


@dataclass
class Plan:
    """What a commit does: rows to insert and update per table, and counts."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    bad_lines: set[int] = field(default_factory=set)
    inserts: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = field(default_factory=dict)
    updates: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = field(default_factory=dict)
    statements: list[tuple[str, list[tuple[Any, ...]]]] = field(default_factory=list)
    accounts: set[int] = field(default_factory=set)  # touched: their derived values change
    created_ratings: dict[int, dict[str, int]] = field(default_factory=dict)  # new accounts'
    duplicates: list[str] = field(default_factory=list)
    # the change history: (entity, entity id, account id, field, old value, new value)
    changes: list[tuple[str, int, int, str, Any, Any]] = field(default_factory=list)

    def fail(self, row: Row, fkey: str, reason: str) -> None:
        value = _cell(row.values.get(fkey))
        self.errors.append(RowError(row.line, row.header(fkey), value, reason))
        self.bad_lines.add(row.line)

    def insert(self, table: str, columns: list[str], values: tuple[Any, ...]) -> None:
        cols, rows = self.inserts.setdefault(table, (columns, []))
        assert cols == columns
        rows.append(values)

    def update(self, table: str, columns: list[str], values: tuple[Any, ...]) -> None:
        cols, rows = self.updates.setdefault(table, (columns, []))
        assert cols == columns
        rows.append(values)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


@dataclass
class ImportCheck:
    """The result of reading and checking a file: shown before anything is written."""

    kind: str
    path: Path
    table: Table
    columns: list[Column]
    ignored: list[str]
    rows: list[Row]
    errors: list[RowError]  # cell errors and matching errors, by line
    total: int
    created: int
    updated: int
    unchanged: int
    duplicates: list[str]  # likely duplicates already in the book
    notes: list[str]  # columns left out, and why
    cell_errors: list[RowError]  # the errors found without the book (a subset of ``errors``)

    @property
    def bad_rows(self) -> int:
        return len({e.line for e in self.errors})

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def mapping(self) -> list[tuple[str, str | None]]:
        """(header, field key or None when ignored), in the file's order."""
        chosen = {c.header: c.field.key for c in self.columns}
        return [(h, chosen.get(h)) for h in self.table.headers if h.strip()]

    def preview(self, n: int = 10) -> list[dict[str, str]]:
        """The first ``n`` rows (at most ``PREVIEW_ROWS``) as the file has them, by header."""
        return [
            {h: _cell(cells[i]) if i < len(cells) else "" for i, h in enumerate(self.table.headers)}
            for _, cells in self.table.first[:n]
        ]


def check(
    book: Book,
    kind: str,
    path: str | Path,
    today: date,
    *,
    encoding: str = "auto",
    sheet: str | None = None,
    mapping: dict[str, str | None] | None = None,
    progress: Progress | None = None,
) -> ImportCheck:
    """Read, map, parse and match a file; write nothing."""
    with recompute.paused_gc():  # a large file makes millions of objects that all stay
        checked = _read(book, kind, path, encoding, sheet, mapping, progress)
        with book.store.reading() as conn:
            _check_in(conn, book, checked, today, progress)
    return checked


def import_file(
    book: Book,
    kind: str,
    path: str | Path,
    today: date,
    *,
    encoding: str = "auto",
    sheet: str | None = None,
    mapping: dict[str, str | None] | None = None,
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> tuple[ImportCheck, ImportResult]:
    """Check and commit in one go (the command line): the file is read and parsed first, then
    matched and written in one transaction, so rows are matched only once. With rows in
    error and no ``skip_invalid``, raises ``ImportRefused`` (carrying the check) and writes
    nothing."""
    with recompute.paused_gc():
        checked = _read(book, kind, path, encoding, sheet, mapping, progress)
        with book.store.writing() as conn:
            plan = _check_in(conn, book, checked, today, progress)
            result = _commit_in(conn, book, checked, plan, today, skip_invalid, progress)
    return checked, result


def _read(
    book: Book,
    kind: str,
    path: str | Path,
    encoding: str,
    sheet: str | None,
    mapping: dict[str, str | None] | None,
    progress: Progress | None,
) -> ImportCheck:
    fields = fields_for(kind, book.config.model)
    with open_rows(path, encoding, sheet) as source:
        columns, ignored = map_columns(source.headers, fields, mapping, source.name)
        _require(kind, fields, columns, source.headers, source.name)
        notes: list[str] = []
        have = {c.field.key for c in columns}
        if kind == "accounts" and "tier" in have and not have & {"tier_pinned", "pinned_tier"}:
            tier = next(c for c in columns if c.field.key == "tier")
            columns.remove(tier)
            ignored.append(tier.header)
            notes.append(
                f"column {tier.header!r} was not imported: tiers are computed from the ratings; "
                "to pin a tier by hand, add tier_pinned and pin_reason columns"
            )
        if kind == "deals" and "stage" not in have:
            notes.append(
                "the file has no stage column: new deals start in stage 1, deals already in "
                "the book keep theirs"
            )
        ignored = [h for h in ignored if _header_key(h)[0] not in DERIVED_COLUMNS]
        rows, errors = parse_rows(source, columns, progress, source.expected)
        table = source.table()
        if not table.total:
            where = (
                source.name if source.sheet is None else f"Sheet {source.sheet!r} of {source.name}"
            )
            raise ImportFileError(
                f"{where} has a header row but no rows below it: nothing to import."
            )
        notes += [
            f"column {column_letter(i)} has no header: its values were not imported "
            "(give it a header to import them)"
            for i in sorted(source.unheaded)
        ]
        errors = sorted([*errors, *source.problems], key=lambda e: e.line)
    return ImportCheck(
        kind, Path(path), table, columns, ignored, rows, list(errors), table.total,
        0, 0, 0, [], notes, errors,
    )  # fmt: skip


def _check_in(
    conn: Connection, book: Book, checked: ImportCheck, today: date, progress: Progress | None
) -> Plan:
    """Match the parsed rows against the book as it is in ``conn``; fill in the counts."""
    bad = {e.line for e in checked.cell_errors}
    plan = _plan(
        conn, book, checked.kind, [r for r in checked.rows if r.line not in bad],
        {c.field.key for c in checked.columns}, today, checked.path.name, progress,
    )  # fmt: skip
    checked.errors = sorted([*checked.cell_errors, *plan.errors], key=lambda e: e.line)
    checked.created, checked.updated, checked.unchanged = plan.created, plan.updated, plan.unchanged
    checked.duplicates = plan.duplicates
    return plan


def _require(
    kind: str, fields: Sequence[Field], columns: list[Column], headers: list[str], name: str
) -> None:
    """Refuse a file without a column a field needs, naming the field, the headers it
    could have and the file's own columns."""
    have = {c.field.key for c in columns}
    shown = [h for h in headers if h.strip()]
    found = ", ".join(shown[:12]) + (f" … ({len(shown) - 12} more)" if len(shown) > 12 else "")
    for f in fields:
        if f.required and f.key not in have:
            names = " or ".join(
                f"{n!r}" for n in f.names[:1] + tuple(n for n in f.names if not n.isascii())[:1]
            )
            raise ImportFileError(
                f"{name} has no column for {f.key} (headed {names}); its columns are: "
                f"{found or 'none'}. Add one, or map one of them to {f.key} "
                f"(--map COLUMN={f.key})."
            )
    if kind != "accounts" and not have & {"account", "account_id"}:
        raise ImportFileError(
            f"{name} has no column naming the account (headed 'account' or '客户名称'); its "
            f"columns are: {found or 'none'}. Add one, or map one of them to account "
            "(--map COLUMN=account)."
        )


def parse_rows(
    lines: Iterable[tuple[int, list[Any]]],
    columns: Sequence[Column],
    progress: Progress | None = None,
    expected: int = 0,
) -> tuple[list[Row], list[RowError]]:
    """Parse every cell of ``lines`` (each row's line and cells, read as they come), a
    column of a chunk of rows at a time: a text that repeats in a column (a status, a city,
    a rating) is parsed once, and a row whose cells are all filled and good becomes its
    values in one step. ``expected``: about how many rows there are, for progress."""
    rows: list[Row] = []
    errors: list[RowError] = []
    where = {c.field.key: (c.index, c.header) for c in columns}
    keys = [c.field.key for c in columns]
    memos: list[dict[Any, Any]] = [{} for _ in columns]  # per column: text → parsed value
    width = max((c.index for c in columns), default=-1) + 1
    pick = itemgetter(*(c.index for c in columns)) if len(columns) > 1 else None
    source = iter(lines)
    done = 0
    while chunk := list(islice(source, PARSE_CHUNK)):
        # the chunk's cells by column (a row shorter than the header has blank cells)
        lists = [c if len(c) >= width else [*c, *[None] * (width - len(c))] for _, c in chunk]
        if pick is not None:
            by_column: list[Sequence[Any]] = list(zip(*map(pick, lists), strict=True)) or [
                () for _ in columns
            ]
        else:
            by_column = [[c[i] for c in lists] for i in (c.index for c in columns)]
        parsed: list[list[Any]] = []  # per column, the values of the chunk's rows
        blank: set[int] = set()  # rows of the chunk with a blank cell
        bad: set[int] = set()  # rows of the chunk with an error
        for column, memo, cells in zip(columns, memos, by_column, strict=True):
            parsed.append(_parse_column(column, memo, cells, blank, bad))
        for n, ((line, cells), values) in enumerate(
            zip(chunk, zip(*parsed, strict=True) if parsed else repeat(()), strict=False)
        ):
            if n in bad:
                row = _bad_row(line, cells, columns, values, errors)
            elif n in blank:  # blank cells are left out
                row = {k: v for k, v in zip(keys, values, strict=True) if v is not None}
            else:
                row = dict(zip(keys, values, strict=True))
            rows.append(Row(line, row, where))
        done += len(chunk)
        if progress:
            progress("reading", done, max(expected, done + 1))
    if progress:
        progress("reading", done, done)
    return rows, errors


def _parse_column(
    column: Column, memo: dict[Any, Any], cells: Sequence[Any], blank: set[int], bad: set[int]
) -> list[Any]:
    """The parsed values (None for a blank cell, ``_Bad`` for a bad one) of a column's
    cells; the places of blank cells go to ``blank``, of errors (a bad cell, or a blank one
    where a value is required) to ``bad``. ``memo`` keeps what texts were parsed to; cells
    of other types are parsed each time (1, 1.0 and True are equal keys, not equal cells)."""
    required = column.field.required
    distinct = set(cells)
    if any(type(c) is not str and c is not None for c in distinct):
        values = [
            _parse_memo(column, memo, c) if type(c) is str else _parse_cell(column, c)
            for c in cells
        ]
        (bad if required else blank).update(n for n, v in enumerate(values) if v is None)
        bad.update(n for n, v in enumerate(values) if type(v) is _Bad)
        return values
    found = {c: memo[c] if c in memo else _parse_cell(column, c) for c in distinct}
    if len(memo) < MEMO_LIMIT:
        memo.update(found)
    blanks = {c for c, v in found.items() if v is None}
    errors = {c for c, v in found.items() if type(v) is _Bad} | (blanks if required else set())
    if blanks and not required:
        blank.update(n for n, c in enumerate(cells) if c in blanks)
    if errors:
        bad.update(n for n, c in enumerate(cells) if c in errors)
    return [found[c] for c in cells]


def _parse_memo(column: Column, memo: dict[Any, Any], cell: str) -> Any:
    value = memo.get(cell, memo)  # the memo itself: not seen yet
    if value is memo:
        value = _parse_cell(column, cell)
        if len(memo) < MEMO_LIMIT:
            memo[cell] = value
    return value


def _bad_row(
    line: int,
    cells: list[Any],
    columns: Sequence[Column],
    values: Sequence[Any],
    errors: list[RowError],
) -> dict[str, Any]:
    """The values of a row with an error (bad and blank cells are left out); its errors go
    to ``errors``."""
    out: dict[str, Any] = {}
    for column, value in zip(columns, values, strict=True):
        if value is None:
            if column.field.required:
                errors.append(RowError(line, column.header, "", f"{column.header} is required"))
        elif type(value) is _Bad:
            cell = cells[column.index] if column.index < len(cells) else None
            errors.append(RowError(line, column.header, _cell(cell), value.message))
        else:
            out[column.field.key] = value
    return out


MEMO_LIMIT = 50_000


class _Bad(NamedTuple):
    """A cell's parse error, as a value (a memo keeps it for the next equal cell)."""

    message: str


def _parse_cell(column: Column, cell: Any) -> Any:
    if cell is None or (type(cell) is str and not cell.strip()):
        return None  # blank
    if type(cell) is Formula:
        return _Bad(FORMULA_REASON.format(formula=cell))
    try:
        value = column.field.parse(cell)
        if column.factor != 1 and value is not None and not _has_unit(cell):
            value *= column.factor  # a unit in the header: 金额（万元）
            if abs(value) > p.MAX_NUMBER:
                raise p.ParseError(
                    f"'{cell}' × {column.factor:,} (the unit in the header) is too large for "
                    f"an amount (at most {p.MAX_NUMBER:,})."
                )
    except InputError as e:
        return _Bad(e.message)
    return value


def _has_unit(cell: Any) -> bool:
    return isinstance(cell, str) and bool(re.search(r"[万亿千kKmMwW]", cell))


# ---- matching accounts ----------------------------------------------------------------------


class AccountIndex:
    """The book's accounts by id, exact name and loose name (without the legal form; built
    on first need)."""

    def __init__(self, rows: Iterable[tuple[int, str]]) -> None:
        self.names: dict[int, str] = {}
        self.exact: dict[str, list[int]] = {}
        self._loose: dict[str, list[int]] | None = None
        self._found: dict[tuple[str | None, int | None], tuple[int | None, str | None]] = {}
        for aid, name in rows:
            self.add(aid, name)

    @property
    def loose(self) -> dict[str, list[int]]:
        if self._loose is None:
            self._loose = {}
            for aid, name in self.names.items():
                self._loose.setdefault(p.match_key(name), []).append(aid)
        return self._loose

    def add(self, aid: int, name: str) -> None:
        self.names[aid] = name
        self.exact.setdefault(p.name_key(name), []).append(aid)
        if self._loose is not None:
            self._loose.setdefault(p.match_key(name), []).append(aid)

    def find(self, name: str | None, aid: int | None) -> tuple[int | None, str | None]:
        """(account id, None) or (None, why not); (None, None) when nothing matches."""
        found = self._found.get((name, aid))
        if found is None:
            found = self._found[(name, aid)] = self.match(name, aid)
        return found

    def match(
        self, name: str | None, aid: int | None, key: str | None = None
    ) -> tuple[int | None, str | None]:
        """``find`` without remembering the answer (for names asked once); ``key``: the
        name's ``name_key`` when the caller has it."""
        if aid is not None and aid in self.names:
            if name is None or p.match_key(name) == p.match_key(self.names[aid]):
                return aid, None
            return None, (
                f"id {aid} is {self.names[aid]!r} in this book, not {name!r}; "
                "fix the id or the name, or leave the id out"
            )
        if name is None:
            return None, f"there is no account with id {aid}" if aid is not None else None
        hits = self.exact.get(p.name_key(name) if key is None else key)
        if not hits and self.names:
            hits = self.loose.get(p.match_key(name))
        if not hits:
            return None, None
        if len(hits) == 1:
            return hits[0], None
        shown = ", ".join(f"{self.names[h]!r} (id {h})" for h in hits[:5])
        return None, f"{name!r} matches {len(hits)} accounts: {shown}; add an account_id column"

    def duplicate_groups(self, ids: Iterable[int]) -> list[str]:
        """Accounts already in the book that look like one company, among those of ``ids``."""
        seen: set[str] = set()
        out: list[str] = []
        for aid in ids:
            name = self.names.get(aid)
            if name is None:
                continue
            key = p.match_key(name)
            group = self.loose.get(key, [])
            if len(group) > 1 and key not in seen:
                seen.add(key)
                out.append(
                    "likely the same company: "
                    + ", ".join(f"{self.names[g]} (id {g})" for g in sorted(group))
                )
        return out


def _accounts(conn: Connection) -> AccountIndex:
    return AccountIndex(
        repo._raw(conn).execute("SELECT id, name FROM accounts WHERE deleted_at IS NULL")
    )


def _link(plan: Plan, index: AccountIndex, row: Row) -> int | None:
    name, aid = row.values.get("account"), row.values.get("account_id")
    if name is None and aid is None:
        plan.fail(row, "account" if "account" in row.where else "account_id", "no account given")
        return None
    found, why = index.find(name, aid)
    if found is None:
        by_id = name is None or (why or "").startswith("id ")
        plan.fail(
            row,
            "account_id" if by_id else "account",
            why or f"no account named {name!r} in the book (import the accounts first)",
        )
    return found


# ---- plans per kind -------------------------------------------------------------------------


def _db(value: Any) -> Any:
    """A parsed value as SQLite stores it."""
    if type(value) in _AS_IS:
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


_AS_IS = {str, int, float, type(None)}  # stored as they are (bool is not int here)


def _next_id(conn: Connection, table: str) -> int:
    row = repo._raw(conn).execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()
    return int(row[0]) + 1


def _plan(
    conn: Connection,
    book: Book,
    kind: str,
    rows: list[Row],
    have: set[str],
    today: date,
    source: str,
    progress: Progress | None = None,
) -> Plan:
    """Match valid rows to the book and plan every insert and update (``have``: the fields
    the file has a column for)."""
    plan = Plan()
    if kind == "accounts":
        _plan_accounts(conn, book, plan, rows, have, today)
    else:
        index = _accounts(conn)
        RECORDS[kind](Ctx(conn, plan, index, rows, have, today, source))
        plan.duplicates = index.duplicate_groups(sorted(plan.accounts))
    _merge_statements(plan)
    if progress:
        progress("checking", len(rows), len(rows))
    return plan


ACCOUNT_COLUMNS = (
    "name", "industry", "segment", "region", "annual_revenue", "employees", "branches",
    "tech_maturity", "financial_health", "owner", "status", "track", "pain_points",
    "renewal_intent", "reference_willing",
)  # fmt: skip
ACCOUNT_DEFAULTS: dict[str, Any] = {
    "industry": "", "segment": "", "region": "", "owner": "", "status": "prospect",
    "track": "value", "pain_points": "",
}  # fmt: skip
RATING_SQL = (
    "INSERT INTO ratings (account_id, criterion, rating) VALUES (?, ?, ?) "
    "ON CONFLICT(account_id, criterion) DO UPDATE SET rating = excluded.rating"
)


def _plan_accounts(
    conn: Connection, book: Book, plan: Plan, rows: list[Row], have: set[str], today: date
) -> None:
    sql = repo._raw(conn).execute
    present = [c for c in ACCOUNT_COLUMNS if c in have]
    pins = bool(have & {"tier_pinned", "pinned_tier"})
    rating_keys = [k for k in book.config.model.keys if f"rating_{k}" in have]
    rating_fields = [(k, f"rating_{k}") for k in rating_keys]
    cols = list(
        dict.fromkeys([*present, "industry", "region", "owner", "pinned_tier", "pin_reason"])
    )
    existing: dict[int, dict[str, Any]] = {}
    index = AccountIndex(())
    for r in sql(f"SELECT id, {', '.join(cols)} FROM accounts WHERE deleted_at IS NULL"):
        existing[r[0]] = dict(zip(cols, r[1:], strict=True))
        index.add(r[0], r[1])
    ratings: dict[int, dict[str, int]] = {}
    if rating_keys:
        for aid, crit, rating in sql("SELECT account_id, criterion, rating FROM ratings"):
            ratings.setdefault(aid, {})[crit] = rating
    next_id = _next_id(conn, "accounts")
    seen: dict[str, int] = {}  # exact name of a new account → line
    alike: dict[str, list[tuple[str, int]]] = {}  # loose name of a new account → names, lines
    seen_ids: dict[int, int] = {}  # account → line
    insert_cols = ["id", *present, "created_on", "search", "pinned_tier", "pin_reason"]
    update_cols = [*present, "search", "pinned_tier", "pin_reason"]
    # a new account's columns: the row's values (blank cells are not among them) or defaults
    defaults = [ACCOUNT_DEFAULTS.get(c) for c in present]
    searched = [present.index(c) if c in present else None for c in ("industry", "region", "owner")]
    created: list[tuple[Any, ...]] = []
    matched: list[int] = []
    new_ratings: list[tuple[int, str, int]] = []
    created_on = today.isoformat()
    for row in rows:
        v = row.values
        name = v["name"]
        key = p.name_key(name)
        aid, why = index.match(name, v.get("id"), key)
        if why:
            plan.fail(row, "id" if why.startswith("id ") else "name", why)
            continue
        first = seen_ids.get(aid) if aid is not None else seen.get(key)
        if first is not None:
            plan.fail(row, "name", f"the same account as line {first}")
            continue
        ok, pin = _pin(plan, row, pins)
        if not ok:
            continue
        if aid is None:
            seen[key] = row.line
            alike.setdefault(p.match_key(name), []).append((name, row.line))
            aid = next_id
            next_id += 1
            values = [x if type(x) in _AS_IS else _db(x) for x in map(v.get, present, defaults)]
            pinned, reason = pin or (None, "")
            search = repo.search_text(
                name, *(values[i] or "" if i is not None else "" for i in searched)
            )
            created.append((aid, *values, created_on, search, pinned, reason))
            plan.changes.append(("account", aid, aid, "created", None, name))
            seen_ids[aid] = row.line
            rated = {}
            for k, fk in rating_fields:
                rating = v.get(fk)
                if rating is not None:
                    new_ratings.append((aid, k, rating))
                    rated[k] = rating
            plan.created_ratings[aid] = rated
            continue
        old = existing[aid]
        matched.append(aid)
        # matched by name: the book keeps its own spelling
        new = {c: _db(v[c]) for c in present if c in v and c != "name"}
        merged = {c: new.get(c, old[c]) for c in present}
        pinned, reason = pin or (old["pinned_tier"], old["pin_reason"])
        old_ratings = ratings.get(aid, {})
        changed = (
            any(merged[c] != old[c] for c in present)
            or (pinned, reason) != (old["pinned_tier"], old["pin_reason"])
            or any(v.get(fk, old_ratings.get(k)) != old_ratings.get(k) for k, fk in rating_fields)
        )
        if changed:
            full = {**old, **merged}
            search = repo.search_text(full["name"], full["industry"], full["region"], full["owner"])
            plan.update("accounts", update_cols, (*merged.values(), search, pinned, reason, aid))
            plan.updated += 1
            plan.accounts.add(aid)
            plan.changes += [
                ("account", aid, aid, c, was, now)
                for c, was, now in [
                    *((c, old[c], merged[c]) for c in present),
                    ("pinned_tier", old["pinned_tier"], pinned),
                    ("pin_reason", old["pin_reason"], reason),
                ]
                if was != now
            ]
        else:
            plan.unchanged += 1
        seen_ids[aid] = row.line
        for k, fk in rating_fields:
            rating = v.get(fk)
            if rating is not None and rating != old_ratings.get(k):
                new_ratings.append((aid, k, rating))
                plan.changes.append(("rating", aid, aid, k, old_ratings.get(k), rating))
    if created:
        plan.inserts["accounts"] = (insert_cols, created)
        plan.created = len(created)
        plan.accounts.update(row[0] for row in created)
    if new_ratings:
        plan.statements.append((RATING_SQL, new_ratings))
    plan.duplicates = index.duplicate_groups(matched) + [
        "likely the same company, both new: "
        + ", ".join(f"{name} (line {line})" for name, line in group)
        for group in alike.values()
        if len(group) > 1
    ]


def _pin(plan: Plan, row: Row, pins: bool) -> tuple[bool, tuple[str | None, str] | None]:
    """(row is good, the pinned tier and reason, or None to leave them as they are)."""
    if not pins:
        return True, None
    v = row.values
    flag = v.get("tier_pinned")
    if flag is False:
        return True, (None, "")
    tier = v.get("pinned_tier") or (v.get("tier") if flag else None)
    if tier is None:
        if flag:
            plan.fail(row, "tier", "tier_pinned says yes but the row has no tier")
            return False, None
        return True, None
    reason = v.get("pin_reason")
    if not reason:
        plan.fail(row, "pin_reason", "pinning a tier by hand needs a reason (pin_reason)")
        return False, None
    return True, (tier, reason)


def _merge_statements(plan: Plan) -> None:
    """Join statements with the same SQL into one executemany each."""
    merged: dict[str, list[tuple[Any, ...]]] = {}
    for sql, params in plan.statements:
        merged.setdefault(sql, []).extend(params)
    plan.statements = list(merged.items())


@dataclass(frozen=True)
class Record:
    """How rows of one kind land in their table."""

    table: str
    key: tuple[str, ...]  # fields that identify a record within its account
    columns: tuple[str, ...]  # columns written (fields of the same name, or looked up)
    defaults: dict[str, Any]  # of a created record, for blank or missing columns
    created: dict[str, Callable[[date], Any]] = field(default_factory=dict)  # set on insert
    keyed_by_id: bool = True  # False: the table's key is (account_id, key) itself
    versioned: bool = False


def _today(t: date) -> str:
    return t.isoformat()


HISTORY_ENTITIES = {"contacts": "contact", "deals": "deal"}
RECORD_SPECS: dict[str, Record] = {
    "contacts": Record(
        "contacts", ("name",),
        ("name", "title", "role", "stance", "influence", "left_on", "planned_action", "email",
         "phone"),
        {"title": "", "role": "user", "stance": "neutral", "influence": "medium",
         "planned_action": "", "email": "", "phone": ""},
        versioned=True,
    ),
    "deals": Record(
        "deals", ("name",),
        ("name", "amount", "expected_close", "next_step", "stage", "status", "lost_reason",
         "won_on", "won_amount"),
        {"amount": 0, "next_step": "", "stage": FIRST_STAGE, "status": "open", "lost_reason": ""},
        {"created_on": _today, "stage_entered_on": _today},
        versioned=True,
    ),
    "interactions": Record(
        "interactions", ("happened_on", "kind", "summary"),
        ("happened_on", "kind", "summary", "executive", "contact_id"),
        {"kind": "call", "summary": "", "executive": 0},
        versioned=True,
    ),
    "orders": Record("orders", ("number",), ("number", "ordered_on", "amount"), {}),
    "invoices": Record(
        "invoices", ("number",),
        ("number", "issued_on", "due_on", "amount", "paid_on", "order_id"), {},
    ),
    "tickets": Record(
        "tickets", ("opened_on", "subject"),
        ("subject", "severity", "opened_on", "closed_on", "satisfaction"),
        {"subject": "", "severity": "normal"},
    ),
    "usage": Record(
        "usage_snapshots", ("month",), ("month", "active_users", "logins", "adoption_pct"),
        {"active_users": 0, "logins": 0, "adoption_pct": 0}, keyed_by_id=False,
    ),
}  # fmt: skip
NOUNS = {
    "contacts": "contact", "deals": "deal", "interactions": "interaction", "orders": "order",
    "invoices": "invoice", "tickets": "ticket", "usage": "month of usage",
}  # fmt: skip


@dataclass
class Ctx:
    conn: Connection
    plan: Plan
    index: AccountIndex
    rows: list[Row]
    have: set[str]
    today: date
    source: str


Prepare = Callable[[Row, int, dict[str, Any], dict[str, Any] | None], bool]
OnCreate = Callable[[int, int, dict[str, Any]], None]
OnUpdate = Callable[[int, int, dict[str, Any], dict[str, Any]], None]


def _key_part(value: Any) -> Any:
    return p.fold(value) if isinstance(value, str) else value


def _plan_records(
    ctx: Ctx,
    kind: str,
    prepare: Prepare | None = None,
    on_create: OnCreate | None = None,
    on_update: OnUpdate | None = None,
) -> None:
    """Match rows to records of their account by the natural key; plan inserts and updates.
    ``prepare(row, account_id, values, old values or None)`` adds the columns that need a
    lookup and checks rules across fields (False: the row is bad)."""
    spec = RECORD_SPECS[kind]
    plan = ctx.plan
    entity = HISTORY_ENTITIES.get(kind)  # kinds whose changes the history keeps
    present = [
        c
        for c in spec.columns
        if c in ctx.have or c in spec.key or (c.endswith("_id") and c[:-3] in ctx.have)
    ]
    cols = list(spec.columns)
    existing: dict[tuple[Any, ...], tuple[int, dict[str, Any]]] = {}
    for r in repo._raw(ctx.conn).execute(
        f"SELECT {'id' if spec.keyed_by_id else 0}, account_id, {', '.join(cols)} FROM {spec.table}"
    ):
        values = dict(zip(cols, r[2:], strict=True))
        existing[(r[1], *(_key_part(values[k]) for k in spec.key))] = (r[0], values)
    next_id = _next_id(ctx.conn, spec.table) if spec.keyed_by_id else 0
    seen: dict[tuple[Any, ...], int] = {}
    extra = list(spec.created)
    insert_cols = ["id"] * spec.keyed_by_id + ["account_id", *present, *extra]
    for row in ctx.rows:
        aid = _link(plan, ctx.index, row)
        if aid is None:
            continue
        values = {c: _db(row.values[c]) for c in spec.columns if c in row.values}
        key = (aid, *(_key_part(values.get(k, spec.defaults.get(k))) for k in spec.key))
        if key in seen:
            plan.fail(row, spec.key[0], f"the same {NOUNS[kind]} as line {seen[key]}")
            continue
        seen[key] = row.line
        found = existing.get(key)
        if prepare is not None and not prepare(row, aid, values, found[1] if found else None):
            continue
        if found is None:
            rid = next_id
            next_id += spec.keyed_by_id
            merged = {c: values.get(c, spec.defaults.get(c)) for c in present}
            plan.insert(
                spec.table,
                insert_cols,
                (*[rid] * spec.keyed_by_id, aid, *merged.values(),
                 *(spec.created[c](ctx.today) for c in extra)),
            )  # fmt: skip
            plan.created += 1
            plan.accounts.add(aid)
            if entity is not None:
                plan.changes.append((entity, rid, aid, "created", None, merged["name"]))
            if on_create is not None:
                on_create(rid, aid, merged)
            continue
        rid, old = found
        merged = {c: values.get(c, old[c]) for c in present}
        if all(merged[c] == old[c] for c in present):
            plan.unchanged += 1
            continue
        where = (rid,) if spec.keyed_by_id else (aid, merged[spec.key[0]])
        plan.update(spec.table, present, (*merged.values(), *where))
        plan.updated += 1
        plan.accounts.add(aid)
        if entity is not None:
            plan.changes += [
                (entity, rid, aid, c, old[c], merged[c]) for c in present if merged[c] != old[c]
            ]
        if on_update is not None:
            on_update(rid, aid, old, merged)


def _people(ctx: Ctx) -> dict[tuple[int, str], int]:
    return {
        (aid, p.fold(name)): cid
        for cid, aid, name in repo._raw(ctx.conn).execute(
            "SELECT id, account_id, name FROM contacts"
        )
    }


def _plan_contacts(ctx: Ctx) -> None:
    plan, today = ctx.plan, ctx.today.isoformat()
    people = _people(ctx)
    planned: list[tuple[Row, int]] = []

    def prepare(row: Row, aid: int, values: dict[str, Any], old: dict[str, Any] | None) -> bool:
        left = values.get("left_on")
        if left is not None and left > today:
            plan.fail(row, "left_on", "a leaving date cannot lie in the future")
            return False
        planned.append((row, aid))
        return True

    def created(cid: int, aid: int, merged: dict[str, Any]) -> None:
        people[(aid, p.fold(merged["name"]))] = cid

    _plan_records(ctx, "contacts", prepare, created)
    if "reports_to" not in ctx.have:
        return
    links = []
    for row, aid in planned:
        boss = row.values.get("reports_to")
        if boss is None:
            continue
        cid = people[(aid, p.fold(row.values["name"]))]
        bid = people.get((aid, p.fold(boss)))
        if bid is None or bid == cid:
            plan.fail(row, "reports_to", f"{ctx.index.names[aid]} has no other contact {boss!r}")
            continue
        links.append((bid, cid))
    if plan.errors:
        # a row found bad here was already planned: plan again without it
        bad = plan.bad_lines
        fresh = Ctx(ctx.conn, Plan(), ctx.index, [r for r in ctx.rows if r.line not in bad],
                    ctx.have, ctx.today, ctx.source)  # fmt: skip
        _plan_contacts(fresh)
        fresh.plan.errors[:0] = plan.errors
        fresh.plan.bad_lines |= bad
        _adopt(plan, fresh.plan)
        return
    if links:
        plan.statements.append(("UPDATE contacts SET reports_to = ? WHERE id = ?", links))


def _adopt(plan: Plan, other: Plan) -> None:
    for name in ("created", "updated", "unchanged", "errors", "bad_lines", "inserts", "updates",
                 "statements", "accounts", "changes"):  # fmt: skip
        setattr(plan, name, getattr(other, name))


def _plan_deals(ctx: Ctx) -> None:
    """Deals, with their stage history; a deal past stage 3 is won (SPEC §5): on the day
    the file says (``won_on``), else on the day it was imported past stage 3 (forced when
    an import moved it there), for the amount the file says (``won_amount``) or its own; a
    deal an import moves back to stage 3 or before is no longer won."""
    plan, today = ctx.plan, ctx.today.isoformat()
    reason = f"imported from {ctx.source}"
    changes: list[tuple[Any, ...]] = []
    entered: list[tuple[Any, ...]] = []
    wins: list[tuple[Any, ...]] = []

    def prepare(row: Row, aid: int, values: dict[str, Any], old: dict[str, Any] | None) -> bool:
        if old is not None and old["status"] == "lost" and values.get("status") == "open":
            plan.fail(row, "status", "this deal was closed lost; an import does not reopen it")
            return False
        if values.get("status") == "lost" and not values.get("lost_reason"):
            values["lost_reason"] = old["lost_reason"] if old and old["lost_reason"] else reason
        stage = values.get("stage", old["stage"] if old else 1)
        for won in ("won_on", "won_amount"):
            if values.get(won) is not None and stage < sop.WINNING_STAGE:
                plan.fail(
                    row, won, f"a deal is won when it passes stage 3; this one is in stage {stage}"
                )
                return False
        if (values.get("won_on") or "") > today:
            plan.fail(row, "won_on", "a win cannot lie in the future")
            return False
        return True

    def won(did: int, aid: int, merged: dict[str, Any], old: dict[str, Any] | None) -> None:
        stage = merged.get("stage", old["stage"] if old else FIRST_STAGE)
        was = old["won_on"] if old else None
        if stage < sop.WINNING_STAGE:
            if was is not None:
                wins.append((None, None, 0, did))
                plan.changes.append(("deal", did, aid, "won_on", was, None))
        elif was is None and merged.get("won_on") is None:
            amount = merged.get("won_amount")
            if amount is None:
                amount = merged.get("amount", old["amount"] if old else 0)
            wins.append((today, amount, old is not None, did))
            plan.changes.append(("deal", did, aid, "won_on", None, today))
        elif merged.get("won_amount") is None and (old is None or old["won_amount"] is None):
            amount = merged.get("amount", old["amount"] if old else 0)
            plan.statements.append(
                ("UPDATE deals SET won_amount = ? WHERE id = ?", [(amount, did)])
            )

    def created(did: int, aid: int, merged: dict[str, Any]) -> None:
        stage = merged.get("stage", FIRST_STAGE)  # (a file without a stage column)
        changes.append((did, None, stage, today, 0, 0, reason))
        if merged.get("status") == "lost":
            lost = merged.get("lost_reason") or reason
            changes.append((did, stage, stage, today, 0, 1, lost))
        won(did, aid, merged, None)

    def updated(did: int, aid: int, old: dict[str, Any], merged: dict[str, Any]) -> None:
        stage = merged.get("stage", old["stage"])
        if stage != old["stage"]:
            changes.append((did, old["stage"], stage, today, 1, 0, reason))
            entered.append((today, did))
        if merged.get("status") == "lost" and old["status"] != "lost":
            lost = merged.get("lost_reason") or reason
            changes.append((did, stage, stage, today, 0, 1, lost))
        won(did, aid, merged, old)

    _plan_records(ctx, "deals", prepare, created, updated)
    if changes:
        plan.statements.append(
            (
                "INSERT INTO deal_stage_changes (deal_id, from_stage, to_stage, changed_on, "
                "forced, lost, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
                changes,
            )
        )
    if entered:
        plan.statements.append(("UPDATE deals SET stage_entered_on = ? WHERE id = ?", entered))
    if wins:
        plan.statements.append(
            ("UPDATE deals SET won_on = ?, won_amount = ?, won_forced = ? WHERE id = ?", wins)
        )


def _plan_interactions(ctx: Ctx) -> None:
    plan, today = ctx.plan, ctx.today.isoformat()
    people = _people(ctx)
    touches: dict[int, tuple[str, str | None]] = {}

    def prepare(row: Row, aid: int, values: dict[str, Any], old: dict[str, Any] | None) -> bool:
        if values["happened_on"] > today:
            plan.fail(row, "happened_on", "an interaction cannot lie in the future")
            return False
        who = row.values.get("contact")
        if who is not None:
            cid = people.get((aid, p.fold(who)))
            if cid is None:
                plan.fail(row, "contact", f"{ctx.index.names[aid]} has no contact {who!r}")
                return False
            values["contact_id"] = cid
        return True

    def touched(aid: int, merged: dict[str, Any]) -> None:
        on = merged["happened_on"]
        last, last_exec = touches.get(aid, ("", None))
        executive = merged.get("executive")
        touches[aid] = (max(last, on), max(last_exec or "", on) if executive else last_exec)

    _plan_records(
        ctx,
        "interactions",
        prepare,
        lambda _rid, aid, merged: touched(aid, merged),
        lambda _rid, aid, _old, merged: touched(aid, merged),
    )
    if touches:
        plan.statements.append(
            (
                "UPDATE accounts SET last_touch = max(coalesce(last_touch, ''), ?), "
                "last_exec_touch = CASE WHEN ? IS NULL THEN last_exec_touch "
                "ELSE max(coalesce(last_exec_touch, ''), ?) END WHERE id = ?",
                [(lt, le, le, aid) for aid, (lt, le) in touches.items()],
            )
        )


def _plan_invoices(ctx: Ctx) -> None:
    plan = ctx.plan
    orders = {
        (aid, p.fold(number)): oid
        for oid, aid, number in repo._raw(ctx.conn).execute(
            "SELECT id, account_id, number FROM orders"
        )
    }
    payments: list[tuple[Any, ...]] = []

    def prepare(row: Row, aid: int, values: dict[str, Any], old: dict[str, Any] | None) -> bool:
        issued = values.get("issued_on", old and old["issued_on"])
        due = values.get("due_on", old and old["due_on"])
        if due and issued and due < issued:
            plan.fail(row, "due_on", "an invoice cannot fall due before it is issued")
            return False
        order = row.values.get("order")
        if order is not None:
            oid = orders.get((aid, p.fold(order)))
            if oid is None:
                plan.fail(row, "order", f"{ctx.index.names[aid]} has no order {order!r}")
                return False
            values["order_id"] = oid
        return True

    def created(iid: int, aid: int, merged: dict[str, Any]) -> None:
        if merged.get("paid_on"):
            payments.append((iid, merged["paid_on"], merged["amount"]))

    def updated(iid: int, aid: int, old: dict[str, Any], merged: dict[str, Any]) -> None:
        if merged.get("paid_on") and not old["paid_on"]:
            payments.append((iid, merged["paid_on"], merged.get("amount", old["amount"])))

    _plan_records(ctx, "invoices", prepare, created, updated)
    if payments:
        plan.statements.append(
            ("INSERT INTO payments (invoice_id, paid_on, amount) VALUES (?, ?, ?)", payments)
        )


def _plan_tickets(ctx: Ctx) -> None:
    def prepare(row: Row, aid: int, values: dict[str, Any], old: dict[str, Any] | None) -> bool:
        closed = values.get("closed_on")
        if closed is not None and closed < values["opened_on"]:
            ctx.plan.fail(row, "closed_on", "a ticket cannot close before it opens")
            return False
        return True

    _plan_records(ctx, "tickets", prepare)


RECORDS: dict[str, Callable[[Ctx], None]] = {
    "contacts": _plan_contacts,
    "deals": _plan_deals,
    "interactions": _plan_interactions,
    "orders": lambda ctx: _plan_records(ctx, "orders"),
    "invoices": _plan_invoices,
    "tickets": _plan_tickets,
    "usage": lambda ctx: _plan_records(ctx, "usage"),
}


# ---- the commit -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    kind: str
    created: int
    updated: int
    unchanged: int
    skipped: int  # rows left out because they had errors (``skip_invalid``)
    errors: list[RowError]
    recomputed: int  # accounts whose derived values were recomputed


def commit(
    book: Book,
    checked: ImportCheck,
    today: date,
    *,
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Write a checked file in one transaction. Rows are matched again inside it, so a book
    that changed since the check is still matched as it is now."""
    if checked.errors and not skip_invalid:
        raise ImportRefused(_refusal(checked.bad_rows, checked.total), checked)
    with recompute.paused_gc(), book.store.writing(bulk=True) as conn:
        plan = _check_in(conn, book, checked, today, progress)
        return _commit_in(conn, book, checked, plan, today, skip_invalid, progress)


def _commit_in(
    conn: Connection,
    book: Book,
    checked: ImportCheck,
    plan: Plan,
    today: date,
    skip_invalid: bool,
    progress: Progress | None,
) -> ImportResult:
    if checked.errors and not skip_invalid:
        raise ImportRefused(_refusal(checked.bad_rows, checked.total), checked)
    created, rfms = _derive_created(conn, book, plan, today, progress)
    _write(conn, book, plan, progress)
    recomputed = len(created) + _recompute(
        conn, book, checked.kind, plan.accounts - created, created, rfms, today, progress
    )
    return ImportResult(
        checked.kind, plan.created, plan.updated, plan.unchanged, checked.bad_rows,
        checked.errors, recomputed,
    )  # fmt: skip


def _refusal(bad: int, total: int) -> str:
    return (
        f"{bad} of {total} {'row' if total == 1 else 'rows'} {'has' if bad == 1 else 'have'} "
        "errors; nothing was imported. Fix them, or use --skip-invalid to import the valid rows."
    )


VERSIONED = {s.table for s in RECORD_SPECS.values() if s.versioned} | {"accounts"}


def _record_history(conn: Connection, book: Book, plan: Plan) -> None:
    """The import's changes in the change history, in its transaction (after the writes, so
    that each change carries the version its record has now)."""
    if not plan.changes:
        return
    at, by = book.stamp(conn)
    # a record created here has the version every record starts at; a changed one is read
    created = [
        (entity, rid, aid, name, None, hist.as_text(new, name), at, by, FIRST_VERSION)
        for entity, rid, aid, name, _, new in plan.changes
        if name == "created"
    ]
    history_repo.insert_changes(conn, created)
    history_repo.insert_changes_at_version(
        conn,
        [
            (entity, rid, aid, name, before, after, at, by)
            for entity, rid, aid, name, old, new in plan.changes
            if name != "created"
            and (before := hist.as_text(old, name)) != (after := hist.as_text(new, name))
        ],
    )


def _write(conn: Connection, book: Book, plan: Plan, progress: Progress | None) -> None:
    """Every insert and update of the plan, then its change history. A table written with
    many rows, at least as many as it holds, has its secondary indexes dropped first and
    built again after the writes (in this transaction: a failure rolls the drop back too)."""
    raw = repo._raw(conn)
    # a connection is opened per transaction: a larger cache lasts for this import only
    raw.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KB}")
    batches: list[tuple[str, list[tuple[Any, ...]]]] = []
    for table, (cols, rows) in plan.inserts.items():
        marks = ", ".join("?" * len(cols))
        batches.append((f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", rows))
    for table, (cols, rows) in plan.updates.items():
        sets = ", ".join(f"{c} = ?" for c in cols)
        if table in VERSIONED:
            sets += ", version = version + 1"
        where = "account_id = ? AND month = ?" if table == "usage_snapshots" else "id = ?"
        batches.append((f"UPDATE {table} SET {sets} WHERE {where}", rows))
    batches += plan.statements
    written: dict[str, int] = {"changes": len(plan.changes)}
    for sql, rows in batches:
        into = _TABLE_OF.match(sql)
        assert into is not None, sql
        written[into[1]] = written.get(into[1], 0) + len(rows)
    # (statement, its cost in rows written, for progress: about a fifth of its table's)
    indexes = [
        (statement, n // 5)
        for t, n in written.items()
        if n >= max(REINDEX_AT, repo.table_size(conn, t))
        for statement in repo.drop_indexes(conn, [t])
    ]
    total = sum(len(rows) for _, rows in batches) + sum(cost for _, cost in indexes)
    done = 0
    step = CHUNK * 4
    for sql, rows in batches:
        for start in range(0, len(rows), step):
            raw.executemany(sql, rows[start : start + step])
            done += len(rows[start : start + step])
            if progress:
                progress("writing", done, total)
    _record_history(conn, book, plan)
    for statement, cost in indexes:
        repo.create_index(conn, statement)
        done += cost
        if progress:
            progress("writing", done, total)


_TABLE_OF = re.compile(r"(?:INSERT INTO|UPDATE) (\w+) ")


def _derive_created(
    conn: Connection, book: Book, plan: Plan, today: date, progress: Progress | None
) -> tuple[set[int], dict[int, RFM]]:
    """The derived values (score, tier, RFM, health, next action) of the accounts the import
    creates, computed in memory and added to their INSERT, so they are written once. A new
    account has no history: its row and its ratings are all its inputs. Its RFM is ranked
    against the whole book as it will be (its accounts and the new ones)."""
    if "accounts" not in plan.inserts:
        return set(), {}
    cols, rows = plan.inserts["accounts"]
    at = {c: i for i, c in enumerate(cols)}
    ratings = plan.created_ratings
    with recompute.paused_gc():
        stats = repo.order_stats(conn, today)  # the accounts already in the book
        stats.update((row[0], NO_ORDERS) for row in rows)
        rfms = rfm_scores(stats)
        status = at.get("status")
        renewal, reference = at.get("renewal_intent"), at.get("reference_willing")
        pinned = at["pinned_tier"]
        cache = DeriveCache()
        keys = book.config.model.keys
        # new accounts differ only in these inputs, which take few values across a file
        memo: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        total = len(rows)
        derived = []
        for n, row in enumerate(rows, 1):
            aid = row[0]
            rated = ratings.get(aid, {})
            rfm = rfms.get(aid)
            key = (
                "prospect" if status is None else row[status],
                row[pinned],
                None if renewal is None or row[renewal] is None else bool(row[renewal]),
                None if reference is None or row[reference] is None else bool(row[reference]),
                rfm,
                *map(rated.get, keys),
            )
            columns = memo.get(key)
            if columns is None:
                inputs = repo.DeriveInputs(
                    aid, key[0], key[1], key[2], key[3], None, None, "", rated, created_on=today
                )
                dv = derive(inputs, book.config, today, rfm, stats[aid], cache)
                columns = memo[key] = dv.columns()
            derived.append((*row, *columns))
            if progress and n % CHUNK == 0:
                progress("recomputing", n, total)
    plan.inserts["accounts"] = ([*cols, *repo.DERIVED_COLS], derived)
    return {row[0] for row in rows}, rfms


def _recompute(
    conn: Connection,
    book: Book,
    kind: str,
    accounts: set[int],
    created: set[int],
    rfms: dict[int, RFM],
    today: date,
    progress: Progress | None,
) -> int:
    """Derived values of the touched accounts (``accounts``; ``created``: those whose values
    were written with their INSERT), and of the accounts whose RFM rank the created ones
    moved, in the import's own transaction (RFM ranked against the whole book). A large
    import, or orders (which move every account's RFM rank), recomputes the whole book."""
    if not accounts and not created:
        return 0

    def report(done: int, total: int) -> None:
        if progress:
            progress("recomputing", done, total)

    if created and min(created) > 1 and kind != "orders":  # (1: the book had no accounts)
        # new accounts move the RFM quintiles of the book (``rfms``, as ranked for them):
        # the accounts whose rank moved are recomputed too
        accounts = accounts | {
            aid
            for aid, stored in repo.stored_rfm(conn).items()
            if aid not in created and rfm_text(rfms[aid]) != stored
        }

    if kind == "orders" or len(accounts) + len(created) > FULL_RECOMPUTE_AT:
        # the accounts created here are up to date already: the others, below their ids
        below = min(created, default=None)
        results = (
            {}
            if below == 1
            else book.compute(
                conn,
                today,
                progress=report,
                id_range=None if below is None else (1, below - 1),
            )
        )
        repo.write_derived(
            conn,
            [
                (*cols, aid)
                for aid, (a, dv) in results.items()
                if (cols := dv.columns()) != a.stored
            ],
        )
        book.store.put_setting(conn, "derived_on", today.isoformat())
        report(len(results), len(results))
        return len(results)
    ids = sorted(accounts)
    for start in range(0, len(ids), 500):
        results = book.compute(conn, today, ids=ids[start : start + 500])
        repo.write_derived(conn, [(*dv.columns(), aid) for aid, (_, dv) in results.items()])
    report(len(ids), len(ids))
    return len(ids)


def report_csv(errors: Sequence[RowError]) -> str:
    """Every bad row as CSV (UTF-8 with BOM, formula-safe): line, column, value, reason."""
    from kamtui.services.export import to_csv

    return to_csv(
        ["line", "column", "value", "reason"],
        ((e.line, e.column, e.value, e.reason) for e in errors),
    )
