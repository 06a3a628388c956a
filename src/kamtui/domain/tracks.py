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
    trait_zh: str = ""
    play_zh: str = ""


TRACKS: dict[str, Track] = {
    t.key: t
    for t in (
        Track(
            "value",
            "value-oriented",
            "价值导向型",
            "cares about ROI and long-term value, custom needs, long decision chain",
            "consultative selling: industry solution, executive visits, white papers",
            "关注ROI和长期价值，需要定制化解决方案，决策链长",
            "顾问式销售：提供行业解决方案，组织高层互访，输出专业白皮书",
        ),
        Track(
            "price",
            "price-sensitive",
            "价格敏感型",
            'limited budget, decides fast, asks "is it enough"',
            "product selling: standard quote, core features and price, close fast",
            "预算有限，追求性价比，决策快，更关心“够不够用”",
            "产品式销售：标准化报价，强调核心功能和价格优势，追求快速成交",
        ),
        Track(
            "lighthouse",
            "strategic lighthouse",
            "战略灯塔型",
            "industry leader or regional benchmark, influence beyond deal size",
            "benchmark selling: invest beyond the deal, executives engage, win the reference",
            "行业龙头或区域标杆，哪怕现在单子小，但影响力巨大",
            "标杆式销售：不计成本投入，必要时高层出面，只为拿下案例背书",
        ),
    )
}


def track(key: str) -> Track:
    try:
        return TRACKS[key]
    except KeyError:
        raise InputError(f"Track {key!r} is not one of {', '.join(TRACKS)}.") from None
