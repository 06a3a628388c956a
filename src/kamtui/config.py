"""Per-book configuration: scoring model, cadences, health weights, stage rules.

Stored inside each book as JSON (see ``store``); this module only converts and validates,
so every rule stays testable without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from kamtui.domain.cadence import DEFAULT_CADENCES, Cadence, validate_cadences
from kamtui.domain.errors import InputError, ModelError
from kamtui.domain.health import HealthConfig
from kamtui.domain.scoring import BUILTIN_MODELS, DEFAULT_MODEL, Criterion, ScoringModel, Thresholds
from kamtui.domain.stages import DEFAULT_FOLLOW_UPS, FollowUpRule, stage

MAX_CAPACITY = 100_000  # items a week: beyond any rep, below what a typo makes


@dataclass(frozen=True)
class BookConfig:
    model: ScoringModel = DEFAULT_MODEL
    cadences: dict[str, Cadence] = field(default_factory=lambda: dict(DEFAULT_CADENCES))
    health: HealthConfig = field(default_factory=HealthConfig)
    follow_ups: tuple[FollowUpRule, ...] = DEFAULT_FOLLOW_UPS
    stale_days: int = 30
    # the items a rep can do in a week: the weekly plan folds the rest (None: no limit)
    plan_capacity: int | None = None

    def __post_init__(self) -> None:
        validate_cadences(self.cadences)
        if self.stale_days < 1:
            raise ModelError("A deal is stale after at least 1 day in a stage.")
        if self.plan_capacity is not None and not 1 <= self.plan_capacity <= MAX_CAPACITY:
            raise ModelError(
                f"A week's capacity is 1 to {MAX_CAPACITY:,} items, or none for no limit "
                f"(it is {self.plan_capacity})."
            )
        for r in self.follow_ups:
            try:
                stage(r.stage)
            except InputError as e:
                raise ModelError(f"Follow-up {r.title!r}: {e.message}") from None

    def with_model(self, model: ScoringModel) -> BookConfig:
        return replace(self, model=model)


def _int(value: Any, what: str) -> int:
    """A whole number typed or stored as text: ``"14"`` but not ``"two weeks"`` or ``"1.5"``."""
    try:
        return int(str(value).strip())
    except ValueError:
        shown = value if len(str(value)) <= 40 else f"{str(value)[:39]}…"
        raise ModelError(f"{what} must be a whole number, not {shown!r}.") from None


def _dec(value: Any, what: str) -> Decimal:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ModelError(f"{what} must be a number, not {value!r}.") from None
    if not d.is_finite():
        raise ModelError(f"{what} must be a number, not {value!r}.")
    return d


def config_to_dict(cfg: BookConfig) -> dict[str, Any]:
    m = cfg.model
    h = cfg.health
    return {
        "model": {
            "key": m.key,
            "name": m.name,
            "criteria": [
                {"key": c.key, "label": c.label, "label_zh": c.label_zh, "weight": str(c.weight)}
                for c in m.criteria
            ],
            "thresholds": {
                "S": str(m.thresholds.s),
                "A": str(m.thresholds.a),
                "B": str(m.thresholds.b),
            },
        },
        "cadences": {
            t: {"touch_days": c.touch_days, "exec_days": c.exec_days, "team": c.team}
            for t, c in cfg.cadences.items()
        },
        "health": {
            "weights": dict(h.weights),
            "usage_drop_pct": h.usage_drop_pct,
            "low_adoption_pct": h.low_adoption_pct,
            "ticket_surge_ratio": str(h.ticket_surge_ratio),
            "ticket_surge_min": h.ticket_surge_min,
            "negative_satisfaction": h.negative_satisfaction,
            "feedback_days": h.feedback_days,
            "key_contact_days": h.key_contact_days,
            "green": h.green,
            "yellow": h.yellow,
        },
        "follow_ups": [
            {"stage": r.stage, "title": r.title, "due_in_days": r.due_in_days}
            for r in cfg.follow_ups
        ],
        "stale_days": cfg.stale_days,
        "plan_capacity": cfg.plan_capacity,
    }


def config_from_dict(data: dict[str, Any]) -> BookConfig:
    """Build and validate a configuration; unknown or bad values raise ModelError."""
    try:
        md = data.get("model") or {}
        if isinstance(md, str):
            if md not in BUILTIN_MODELS:
                raise ModelError(
                    f"No built-in scoring model {md!r}; there are {', '.join(BUILTIN_MODELS)}."
                )
            model = BUILTIN_MODELS[md]
        elif md:
            th = md.get("thresholds") or {}
            model = ScoringModel(
                key=str(md.get("key") or "custom"),
                name=str(md.get("name") or "Custom model"),
                criteria=tuple(
                    Criterion(
                        str(c["key"]),
                        str(c.get("label") or c["key"]),
                        str(c.get("label_zh") or c.get("label") or c["key"]),
                        _dec(c["weight"], f"The weight of {c['key']}"),
                    )
                    for c in md.get("criteria") or []
                ),
                thresholds=Thresholds(
                    _dec(th.get("S", "4.50"), "The S threshold"),
                    _dec(th.get("A", "4.00"), "The A threshold"),
                    _dec(th.get("B", "3.00"), "The B threshold"),
                ),
            )
        else:
            model = DEFAULT_MODEL
        cadences = dict(DEFAULT_CADENCES)
        for t, c in (data.get("cadences") or {}).items():
            exec_days = c.get("exec_days", cadences[t].exec_days if t in cadences else None)
            cadences[t] = Cadence(
                t,
                _int(
                    c.get("touch_days", cadences.get(t, DEFAULT_CADENCES["C"]).touch_days),
                    f"Tier {t}: the touch cadence",
                ),
                None if exec_days is None else _int(exec_days, f"Tier {t}: the executive cadence"),
                str(c.get("team", cadences[t].team if t in cadences else "")),
            )
        hd = data.get("health") or {}
        base = HealthConfig()
        health = HealthConfig(
            weights={
                k: _int(v, f"The health weight of {k}")
                for k, v in (hd.get("weights") or base.weights).items()
            },
            usage_drop_pct=int(hd.get("usage_drop_pct", base.usage_drop_pct)),
            low_adoption_pct=int(hd.get("low_adoption_pct", base.low_adoption_pct)),
            ticket_surge_ratio=_dec(
                hd.get("ticket_surge_ratio", base.ticket_surge_ratio), "The ticket-surge ratio"
            ),
            ticket_surge_min=int(hd.get("ticket_surge_min", base.ticket_surge_min)),
            negative_satisfaction=int(hd.get("negative_satisfaction", base.negative_satisfaction)),
            feedback_days=int(hd.get("feedback_days", base.feedback_days)),
            key_contact_days=int(hd.get("key_contact_days", base.key_contact_days)),
            green=int(hd.get("green", base.green)),
            yellow=int(hd.get("yellow", base.yellow)),
        )
        follow_ups = (
            tuple(
                FollowUpRule(int(r["stage"]), str(r["title"]), int(r.get("due_in_days", 7)))
                for r in data["follow_ups"]
            )
            if "follow_ups" in data
            else DEFAULT_FOLLOW_UPS
        )
        capacity = data.get("plan_capacity")
        if isinstance(capacity, str) and not capacity.strip():
            capacity = None
        return BookConfig(
            model, cadences, health, follow_ups, int(data.get("stale_days", 30)),
            None if capacity is None else _int(capacity, "A week's capacity"),
        )  # fmt: skip
    except ModelError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise ModelError(f"The book's configuration cannot be read: {e}.") from None
