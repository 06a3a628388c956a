"""Tracks: how to sell to an account (SPEC §1)."""

from __future__ import annotations

import pytest

from kamtui.domain.errors import InputError
from kamtui.domain.tracks import TRACKS, track


def test_three_tracks():
    assert list(TRACKS) == ["value", "price", "lighthouse"]
    assert [t.label_zh for t in TRACKS.values()] == ["价值导向型", "价格敏感型", "战略灯塔型"]
    assert track("price").play.startswith("product selling")
    assert track("lighthouse").label == "strategic lighthouse"
    assert "consultative selling" in track("value").play


def test_unknown_track_refused_with_the_choices():
    with pytest.raises(InputError) as e:
        track("cheap")
    assert str(e.value) == "Track 'cheap' is not one of value, price, lighthouse."
