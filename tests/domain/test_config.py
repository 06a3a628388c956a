"""Per-book configuration: conversion to and from plain data, and validation."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from kamtui.config import BookConfig, config_from_dict, config_to_dict
from kamtui.domain.cadence import DEFAULT_CADENCES, Cadence
from kamtui.domain.errors import ModelError
from kamtui.domain.health import DEFAULT_WEIGHTS, HealthConfig
from kamtui.domain.scoring import (
    BUDGET_POSITION_RELATIONSHIP,
    DEFAULT_MODEL,
    Criterion,
    ScoringModel,
    Thresholds,
)
from kamtui.domain.stages import DEFAULT_FOLLOW_UPS, FollowUpRule


def custom_config() -> BookConfig:
    model = ScoringModel(
        "mine",
        "My model",
        (
            Criterion("fit", "fit", "匹配度", Decimal("62.5")),
            Criterion("size", "size", "规模", Decimal("37.5")),
        ),
        Thresholds(Decimal("4.20"), Decimal("3.60"), Decimal("2.50")),
    )
    cadences = {**DEFAULT_CADENCES, "B": Cadence("B", 45, 365, "rep + partner")}
    health = HealthConfig(
        weights={**DEFAULT_WEIGHTS, "usage": 30, "advocacy": 0, "tickets": 5},
        usage_drop_pct=25,
        low_adoption_pct=40,
        ticket_surge_ratio=Decimal("1.5"),
        ticket_surge_min=5,
        negative_satisfaction=1,
        feedback_days=60,
        key_contact_days=120,
        green=75,
        yellow=45,
    )
    follow_ups = (FollowUpRule(2, "Book the demo room", 3), FollowUpRule(5, "QBR", 30))
    return BookConfig(model, cadences, health, follow_ups, stale_days=21)


def test_defaults():
    cfg = BookConfig()
    assert cfg.model == DEFAULT_MODEL
    assert cfg.cadences == DEFAULT_CADENCES
    assert cfg.health == HealthConfig()
    assert cfg.follow_ups == DEFAULT_FOLLOW_UPS
    assert cfg.stale_days == 30


def test_round_trip_of_the_defaults():
    assert config_from_dict(config_to_dict(BookConfig())) == BookConfig()


def test_round_trip_of_a_custom_config_through_json():
    cfg = custom_config()
    data = json.loads(json.dumps(config_to_dict(cfg), ensure_ascii=False))
    back = config_from_dict(data)
    assert back == cfg
    assert back.model.criteria[0].weight == Decimal("62.5")
    assert back.model.thresholds.s == Decimal("4.20")
    assert back.cadences["B"] == Cadence("B", 45, 365, "rep + partner")
    assert back.cadences["C"].exec_days is None
    assert back.health.ticket_surge_ratio == Decimal("1.5")
    assert back.stale_days == 21


def test_to_dict_shape():
    data = config_to_dict(BookConfig())
    assert data["model"]["key"] == "potential"
    assert data["model"]["criteria"][0] == {
        "key": "strategic_fit",
        "label": "strategic fit",
        "label_zh": "战略匹配度",
        "weight": "30",
    }
    assert data["model"]["thresholds"] == {"S": "4.50", "A": "4.00", "B": "3.00"}
    assert data["cadences"]["S"] == {
        "touch_days": 14,
        "exec_days": 90,
        "team": "iron triangle: rep + solution lead + delivery lead",
    }
    assert data["cadences"]["B"]["exec_days"] is None
    assert data["health"]["weights"] == DEFAULT_WEIGHTS
    assert data["health"]["green"] == 70
    assert data["follow_ups"][0] == {
        "stage": 3,
        "title": "Contract draft (legal)",
        "due_in_days": 7,
    }
    assert data["stale_days"] == 30


def test_empty_dict_is_the_default_config():
    assert config_from_dict({}) == BookConfig()


def test_built_in_model_by_name():
    cfg = config_from_dict({"model": "budget_position_relationship"})
    assert cfg.model is BUDGET_POSITION_RELATIONSHIP
    assert config_from_dict({"model": "potential"}).model is DEFAULT_MODEL


def test_unknown_built_in_model_refused_with_the_choices():
    with pytest.raises(ModelError) as e:
        config_from_dict({"model": "gut_feeling"})
    assert "No built-in scoring model 'gut_feeling'" in str(e.value)
    assert "potential, budget_position_relationship" in str(e.value)


def test_bad_weights_refused_with_model_error():
    data = config_to_dict(BookConfig())
    data["model"]["criteria"][0]["weight"] = "20"
    with pytest.raises(ModelError) as e:
        config_from_dict(data)
    assert "Weights must sum to 100%; these sum to 90%" in str(e.value)


@pytest.mark.parametrize("weight", ["abc", "", None, "NaN", "Infinity", float("nan")])
def test_non_numeric_weight_refused_with_model_error(weight):
    data = config_to_dict(BookConfig())
    data["model"]["criteria"][0]["weight"] = weight
    with pytest.raises(ModelError) as e:
        config_from_dict(data)
    assert "The weight of strategic_fit must be a number" in str(e.value)


def test_non_numeric_threshold_refused():
    data = config_to_dict(BookConfig())
    data["model"]["thresholds"]["A"] = "high"
    with pytest.raises(ModelError) as e:
        config_from_dict(data)
    assert "The A threshold must be a number, not 'high'" in str(e.value)


def test_model_with_missing_thresholds_uses_the_defaults():
    data = {
        "model": {
            "criteria": [{"key": "only", "weight": 100}],
        }
    }
    model = config_from_dict(data).model
    assert model.key == "custom"
    assert model.name == "Custom model"
    assert model.thresholds == Thresholds()
    assert model.criteria == (Criterion("only", "only", "only", Decimal(100)),)


def test_model_without_criteria_refused():
    with pytest.raises(ModelError) as e:
        config_from_dict({"model": {"key": "empty", "criteria": []}})
    assert "at least one criterion" in str(e.value)


def test_criterion_without_key_refused():
    with pytest.raises(ModelError) as e:
        config_from_dict({"model": {"criteria": [{"weight": 100}]}})
    assert "cannot be read" in str(e.value)


def test_partial_cadence_override_keeps_the_rest():
    cfg = config_from_dict({"cadences": {"B": {"touch_days": 45}}})
    assert cfg.cadences["B"] == Cadence("B", 45, None, "rep")
    assert cfg.cadences["S"] == DEFAULT_CADENCES["S"]


def test_partial_cadence_override_keeps_the_executive_cadence():
    cfg = config_from_dict({"cadences": {"S": {"touch_days": 7}}})
    assert cfg.cadences["S"].touch_days == 7
    assert cfg.cadences["S"].exec_days == 90


def test_explicit_null_removes_the_executive_cadence():
    cfg = config_from_dict({"cadences": {"A": {"exec_days": None}}})
    assert cfg.cadences["A"] == Cadence("A", 30, None, "rep + solution lead")


@pytest.mark.parametrize(
    ("cadence", "message"),
    [
        ({"touch_days": 0}, "Tier C: a touch cadence must be at least 1 day"),
        ({"exec_days": 0}, "Tier C: an executive cadence must be at least 1 day"),
        ({"touch_days": "99999999999"}, "Tier C: a touch cadence is at most 3650 days"),
        ({"exec_days": 10**30}, "Tier C: an executive cadence is at most 3650 days"),
        ({"touch_days": "9" * 5000}, "Tier C: the touch cadence must be a whole number"),
        (
            {"touch_days": "often"},
            "Tier C: the touch cadence must be a whole number, not 'often'.",
        ),
        (
            {"exec_days": "1.5"},
            "Tier C: the executive cadence must be a whole number, not '1.5'.",
        ),
    ],
)
def test_bad_cadence_refused(cadence, message):
    with pytest.raises(ModelError) as e:
        config_from_dict({"cadences": {"C": cadence}})
    assert message in str(e.value)


def test_partial_health_override():
    cfg = config_from_dict({"health": {"green": 80}})
    assert cfg.health.green == 80
    assert cfg.health.yellow == 40
    assert dict(cfg.health.weights) == DEFAULT_WEIGHTS


@pytest.mark.parametrize(
    ("health", "message"),
    [
        ({"weights": {**DEFAULT_WEIGHTS, "usage": 5}}, "these sum to 85%"),
        ({"weights": {"usage": 50, "mood": 50}}, "Unknown health measure: mood"),
        ({"green": 40, "yellow": 70}, "0 < yellow < green ≤ 100"),
        ({"ticket_surge_ratio": "1"}, "ticket-surge ratio must be above 1"),
        ({"ticket_surge_ratio": "NaN"}, "The ticket-surge ratio must be a number"),
        ({"green": "lots"}, "cannot be read"),
    ],
)
def test_bad_health_config_refused(health, message):
    with pytest.raises(ModelError) as e:
        config_from_dict({"health": health})
    assert message in str(e.value)


def test_follow_ups_override_and_explicit_empty():
    cfg = config_from_dict({"follow_ups": [{"stage": 2, "title": "Demo prep"}]})
    assert cfg.follow_ups == (FollowUpRule(2, "Demo prep", 7),)
    assert config_from_dict({"follow_ups": []}).follow_ups == ()


def test_follow_up_for_an_unknown_stage_refused_with_model_error():
    with pytest.raises(ModelError) as e:
        config_from_dict({"follow_ups": [{"stage": 9, "title": "Party"}]})
    assert "Stage 9 does not exist" in str(e.value)
    assert "'Party'" in str(e.value)


def test_follow_up_without_title_refused():
    with pytest.raises(ModelError):
        config_from_dict({"follow_ups": [{"stage": 3}]})


@pytest.mark.parametrize("stale", [0, -1])
def test_stale_days_below_one_refused(stale):
    with pytest.raises(ModelError) as e:
        config_from_dict({"stale_days": stale})
    assert "at least 1 day" in str(e.value)
    with pytest.raises(ModelError):
        BookConfig(stale_days=stale)


def test_book_config_refuses_missing_cadences():
    with pytest.raises(ModelError) as e:
        BookConfig(cadences={"S": DEFAULT_CADENCES["S"]})
    assert "missing for tier A, B, C" in str(e.value)


@pytest.mark.parametrize("data", [[], "config", 42])
def test_unreadable_data_refused_with_model_error(data):
    with pytest.raises(ModelError):
        config_from_dict(data)


def test_with_model():
    cfg = custom_config()
    swapped = cfg.with_model(BUDGET_POSITION_RELATIONSHIP)
    assert swapped.model is BUDGET_POSITION_RELATIONSHIP
    assert swapped.cadences == cfg.cadences
    assert swapped.stale_days == 21
    assert cfg.model.key == "mine"  # unchanged


@pytest.mark.parametrize("weight", ["x", "12.5", ""])
def test_health_weight_that_is_not_a_whole_number_is_refused(weight):
    weights = dict(DEFAULT_WEIGHTS, usage=weight)
    with pytest.raises(ModelError) as e:
        config_from_dict({"health": {"weights": weights}})
    assert str(e.value) == f"The health weight of usage must be a whole number, not {weight!r}."
