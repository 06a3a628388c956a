"""Tracks (赛道): how to sell to an account."""

from __future__ import annotations

from dataclasses import dataclass

from kamtui.domain.errors import InputError


@dataclass(frozen=True)
class Track:
    key: str
    label: str
    label_zh: str
    trait: str
    play: str


TRACKS: dict[str, Track] = {
    t.key: t
    for t in (
        Track(
            "value",
            "value-oriented",
            "价值导向型",
            "cares about ROI and long-term value, custom needs, long decision chain",
            "consultative selling: industry solution, executive visits, white papers",
        ),
        Track(
            "price",
            "price-sensitive",
            "价格敏感型",
            'limited budget, decides fast, asks "is it enough"',
            "product selling: standard quote, core features and price, close fast",
        ),
        Track(
            "lighthouse",
            "strategic lighthouse",
            "战略灯塔型",
            "industry leader or regional benchmark, influence beyond deal size",
            "benchmark selling: invest beyond the deal, executives engage, win the reference",
        ),
    )
}


def track(key: str) -> Track:
    try:
        return TRACKS[key]
    except KeyError:
        raise InputError(f"Track {key!r} is not one of {', '.join(TRACKS)}.") from None
