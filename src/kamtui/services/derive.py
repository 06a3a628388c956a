"""Derived values of an account: score, tier, RFM, coverage, health, next action.

They are stored on the account row (so the Book can sort and filter in SQL) and
recomputed from their inputs whenever one changes, and for a new date on open.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from json.encoder import encode_basestring as _quote
from typing import Any, NamedTuple

from kamtui.config import BookConfig
from kamtui.domain.cadence import CadenceStatus, cadence_status
from kamtui.domain.decision_map import (
    CoverageWarning,
    coverage_from_counts,
    key_contacts_left,
    next_coverage_change,
)
from kamtui.domain.health import (
    DepartedContact,
    Flag,
    Health,
    HealthInputs,
    compute_health,
    next_health_change,
)
from kamtui.domain.rfm import RFM, OrderStats, rfm_mismatch_since, rfm_tier_mismatch
from kamtui.domain.scoring import ScoreResult, effective_tier, score_account, tier_rank
from kamtui.store.repo import DeriveInputs, inputs_change_after

# Raise when a rule behind the derived values changes (here or in the domain): a refresh
# then derives every account again instead of trusting values the old rules stored (see
# Book.refresh; a new kamtui version does the same).
RULES_VERSION = 2  # 2: flags dated from when they began (ticket surge, tier/RFM, no exec touch)


class Derived(NamedTuple):
    """An account's derived values (a tuple: made for every account, every day)."""

    score: ScoreResult
    tier: str | None
    rfm: RFM | None
    health: Health
    coverage: list[dict[str, str]]
    top_stage: int | None
    next_action: str
    flags_json: str = "[]"
    coverage_json: str = "[]"
    # the first day after ``today`` on which these values may change while their inputs do
    # not (RFM, ranked across the book, aside); computed when ``derive`` is asked for it
    valid_until: date | None = None

    def columns(self) -> tuple[Any, ...]:
        """Values in the order of ``store.repo.DERIVED_COLS``."""
        s = self.score
        return (
            float(s.score) if s.score is not None else None,
            s.computed_tier,
            self.tier,
            tier_rank(self.tier),
            ",".join(s.missing),
            rfm_text(self.rfm) if self.rfm else "",
            self.health.score,
            self.health.color,
            self.flags_json,
            self.coverage_json,
            self.top_stage,
            self.next_action,
        )


@lru_cache(maxsize=256)
def rfm_text(rfm: RFM) -> str:
    """RFM as the ``rfm`` column keeps it: "r,f,m"."""
    return f"{rfm.r},{rfm.f},{rfm.m}"


def parse_rfm(text: str) -> RFM | None:
    if not text:
        return None
    r, f, m = (int(x) for x in text.split(","))
    return RFM(r, f, m)


def records_json(records: Iterable[Mapping[str, str]]) -> str:
    """``json.dumps(list(records), ensure_ascii=False)`` for records whose values are
    strings, with the same escaping (``encode_basestring`` is what it uses), faster."""
    return "[" + ", ".join(map(_record_json, records)) + "]"


def _record_json(record: Mapping[str, str]) -> str:
    return "{" + ", ".join(f"{_quote(k)}: {_quote(v)}" for k, v in record.items()) + "}"


@dataclass
class DeriveCache:
    """Memo for one recompute run with one configuration: a book has few distinct rating
    sets, flags and coverage lists. What it hands out is shared: read it, never change it."""

    scores: dict[tuple[int | None, ...], ScoreResult] = field(default_factory=dict)
    stored_scores: dict[tuple[Any, ...], ScoreResult] = field(default_factory=dict)
    json: dict[Any, str] = field(default_factory=dict)  # of one flag or coverage warning
    coverage: dict[Any, tuple[list[dict[str, str]], str]] = field(default_factory=dict)
    # health of accounts without usage, tickets or invoices (prospects, mostly), by the
    # rest of their health inputs
    health: dict[tuple[Any, ...], tuple[Health, date | None]] = field(default_factory=dict)
    cadence: dict[tuple[Any, ...], CadenceStatus] = field(default_factory=dict)
    keys: tuple[str, ...] | None = None  # the scoring model's criteria

    def list_json(self, items: Iterable[Any], record: Callable[[Any], dict[str, str]]) -> str:
        """The JSON list of the records of ``items`` (as ``records_json``)."""
        parts = []
        for item in items:
            text = self.json.get(item)
            if text is None:
                text = self.json[item] = _record_json(record(item))
            parts.append(text)
        return "[" + ", ".join(parts) + "]"


def derive(
    a: DeriveInputs,
    cfg: BookConfig,
    today: date,
    rfm: RFM | None,
    stats: OrderStats | None,
    cache: DeriveCache | None = None,
    until: bool = False,
) -> Derived:
    """The derived values of one account for ``today``; with ``until``, also the first day
    on which they may change while their inputs do not (``Derived.valid_until``)."""
    cache = cache or DeriveCache()
    keys = cache.keys
    if keys is None:
        keys = cache.keys = cfg.model.keys
    if a.score_stored:
        score = _stored_score(a.stored, cache)
    else:
        rating_key = tuple(map(a.ratings.get, keys))
        scored = cache.scores.get(rating_key)
        if scored is None:
            scored = cache.scores[rating_key] = score_account(
                cfg.model, dict(zip(keys, rating_key, strict=True))
            )
        score = scored
    tier = effective_tier(score.computed_tier, a.pinned_tier)
    cad = cfg.cadences.get(tier) if tier else None
    contacts = a.decision_map
    coverage_key = (tier, contacts, today)
    memo = cache.coverage.get(coverage_key)
    if memo is None:
        warnings = coverage_from_counts(tier, contacts, today)
        coverage = [_warning_record(w) for w in warnings]
        memo = cache.coverage[coverage_key] = (coverage, cache.list_json(warnings, _warning_record))
    coverage, coverage_json = memo
    left = (
        [
            DepartedContact(
                c.name, "economic buyer" if c.role == "economic_buyer" else "champion", c.left_on
            )
            for c in key_contacts_left(contacts.named, today)
            if c.left_on is not None
        ]
        if contacts.named
        else []
    )
    mismatch = rfm_mismatch(a.status, tier, rfm, stats, today, a.created_on)
    health, health_until = _health(
        a, cad.exec_days if cad else None, left, mismatch, today, cfg, cache, until
    )
    top = max(a.deals, key=_deal_rank) if a.deals else None
    cadence_key = (tier, a.last_touch, a.last_exec_touch, today)  # the tier gives the cadence
    status = cache.cadence.get(cadence_key)
    if status is None:
        status = cache.cadence[cadence_key] = cadence_status(
            cad, a.last_touch, a.last_exec_touch, today
        )
    if a.status != "former" and cad and a.last_touch is None:
        next_action = "first touch"
    elif a.status != "former" and status.touch_due and status.touch_due < today:
        next_action = f"touch overdue since {status.touch_due.isoformat()}"
    elif top and top[3]:
        next_action = top[3]
    elif a.next_task:
        next_action = f"{a.next_task[0]} (by {a.next_task[1].isoformat()})"
    elif status.touch_due and a.status != "former":
        next_action = f"touch by {status.touch_due.isoformat()}"
    else:
        next_action = ""
    flags = health.flags
    flags_json = cache.list_json(flags, Flag.as_dict) if flags else "[]"
    valid_until = None
    if until:
        assert health_until is not None
        valid_until = min(
            health_until,
            next_coverage_change(contacts, today) if contacts.named else date.max,
            inputs_change_after(a, today) if a.usage or a.tickets else date.max,
            # an account touched on cadence falls overdue the day after its touch is due
            status.touch_due + _ONE_DAY
            if a.status != "former"
            and a.last_touch is not None
            and status.touch_due is not None
            and status.touch_due >= today
            else date.max,
        )
    return Derived(
        score,
        tier,
        rfm,
        health,
        coverage,
        top[2] if top else None,
        next_action,
        flags_json,
        coverage_json,
        valid_until,
    )


def rfm_mismatch(
    status: str,
    tier: str | None,
    rfm: RFM | None,
    stats: OrderStats | None,
    today: date,
    entered: date | None,
) -> tuple[str, date] | None:
    """The reason and date of the account's tier/RFM mismatch flag, if it has one."""
    if status == "prospect":
        return None
    reason = rfm_tier_mismatch(tier, rfm, stats)
    if reason is None:
        return None
    assert stats is not None  # (no reason without)
    return reason, rfm_mismatch_since(tier, stats, today, entered)


def _stored_score(stored: tuple[Any, ...], cache: DeriveCache) -> ScoreResult:
    """The score as stored (score, computed tier, missing criteria; no breakdown): what
    ``score_account`` gave for ratings that have not changed since."""
    key = (stored[0], stored[1], stored[4])
    score = cache.stored_scores.get(key)
    if score is None:
        value, computed, missing = key
        score = cache.stored_scores[key] = ScoreResult(
            None if value is None else Decimal(repr(value)),
            computed,
            tuple(missing.split(",")) if missing else (),
            (),
        )
    return score


def _health(
    a: DeriveInputs,
    exec_days: int | None,
    left: list[DepartedContact],
    mismatch: tuple[str, date] | None,
    today: date,
    cfg: BookConfig,
    cache: DeriveCache,
    until: bool,
) -> tuple[Health, date | None]:
    """``compute_health`` (and, with ``until``, ``next_health_change``), memoized for
    accounts without usage, tickets or invoices: the rest of their inputs take few distinct
    values across a book."""
    memo_key = None
    # the day it was entered dates "no executive touch recorded" only
    entered = a.created_on if exec_days is not None and a.last_exec_touch is None else None
    if not (a.usage or a.tickets or a.invoices):
        memo_key = (
            a.last_exec_touch,
            exec_days,
            tuple(left),
            a.renewal_intent,
            a.reference_willing,
            mismatch,
            entered,
            today,
            until,
        )
        memo = cache.health.get(memo_key)
        if memo is not None:
            return memo
    inputs = HealthInputs(
        usage=a.usage,
        tickets=a.tickets,
        invoices=a.invoices,
        last_exec_touch=a.last_exec_touch,
        exec_cadence_days=exec_days,
        key_contacts_left=left,
        renewal_intent=a.renewal_intent,
        reference_willing=a.reference_willing,
        rfm_mismatch=mismatch[0] if mismatch else None,
        rfm_mismatch_since=mismatch[1] if mismatch else None,
        entered=entered,
    )
    health = compute_health(inputs, today, cfg.health)
    out = (health, next_health_change(inputs, today, health, cfg.health) if until else None)
    if memo_key is not None:
        cache.health[memo_key] = out
    return out


_ONE_DAY = timedelta(days=1)


def _warning_record(w: CoverageWarning) -> dict[str, str]:
    return {"code": w.code, "message": w.message}


def _deal_rank(deal: tuple[int, str, int, str, float]) -> tuple[int, float]:
    return deal[2], deal[4]
