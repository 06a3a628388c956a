"""Errors a user can cause carry a message for a person."""

from __future__ import annotations

import pytest

from kamtui.domain.errors import InputError, KamError, ModelError, RatingError, StageGateError


@pytest.mark.parametrize("cls", [ModelError, RatingError, InputError])
def test_errors_are_kam_errors_with_a_message(cls):
    err = cls("something a person can read")
    assert isinstance(err, KamError)
    assert err.message == "something a person can read"
    assert str(err) == "something a person can read"


def test_stage_gate_error_keeps_the_missing_keys():
    err = StageGateError("Stage 1 is missing 1 deliverable(s): x.", ["x"])
    assert isinstance(err, KamError)
    assert err.missing == ["x"]
    assert str(err) == "Stage 1 is missing 1 deliverable(s): x."
