"""What fits on a real terminal: every key of the Book in its footer and every tab of an
account, at 80×24 and 160×50 in both languages, and the app following a resize."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from e2e_support import TODAY, Defect, Open, defect

BOOK_KEYS = ["⏎", "/", "o", "O", "1-5", "0", "t", "h", "w", "p", "^r", "H", "b", ",", "n", "e",
             "Del", "T", "i", "!", "q", "?", "^p"]  # fmt: skip
SHOWN = {"en": "200 of 200 accounts", "zh": "显示 200 / 共 200 个客户"}
TAB_TIMELINE = {"en": "4 Timeline", "zh": "4 时间线"}
FOOTER_80 = "issue 11: at 80×24 the Book's footer loses its last keys"
TABS_80 = "issue 11: at 80×24 the account's tabs lose '7 History'"


def shown_keys(screen: str) -> set[str]:
    """The keys on the screen, each as the footer shows one: the key, a space, its label."""
    return {k for k in BOOK_KEYS if re.search(rf"(?<!\S){re.escape(k)} \S", screen)}


def tab_line(screen: str) -> str:
    """The account screen's second line, where its tabs are."""
    lines = screen.splitlines()
    return lines[1] if len(lines) > 1 else ""


def at(size: tuple[int, int], lang: str, xfail: str | None) -> pytest.ParameterSet:
    marks = [pytest.mark.xfail(strict=True, raises=Defect, reason=xfail)] if xfail else []
    return pytest.param(size, lang, marks=marks, id=f"{size[0]}x{size[1]}-{lang}")


@pytest.mark.parametrize(
    ("size", "lang"),
    [at((80, 24), "en", FOOTER_80), at((80, 24), "zh", FOOTER_80),
     at((160, 50), "en", None), at((160, 50), "zh", None)],
)  # fmt: skip
def test_the_book_shows_every_key(
    size: tuple[int, int], lang: str, open_kamtui: Open, demo: Path
) -> None:
    term = open_kamtui("--db", demo, "--today", TODAY, "--lang", lang, size=size)
    term.wait_for(SHOWN[lang])
    with defect():
        term.wait_until(
            lambda screen: shown_keys(screen) == set(BOOK_KEYS),
            f"every key of the Book in the footer: {BOOK_KEYS}",
            timeout=5,
        )


@pytest.mark.parametrize(
    ("size", "lang"),
    [at((80, 24), "en", TABS_80), at((80, 24), "zh", None),
     at((160, 50), "en", None), at((160, 50), "zh", None)],
)  # fmt: skip
def test_an_account_shows_every_tab(
    size: tuple[int, int], lang: str, open_kamtui: Open, demo: Path
) -> None:
    term = open_kamtui("--db", demo, "--today", TODAY, "--lang", lang, size=size)
    term.wait_for(SHOWN[lang])
    term.keys("Enter")
    term.wait_for(TAB_TIMELINE[lang])  # the account is shown
    with defect():
        term.wait_until(
            lambda screen: all(re.search(rf"(?<!\S){n} \S", tab_line(screen)) for n in range(1, 8)),
            "the tabs 1 to 7 on the account's second line",
            timeout=5,
        )


def test_the_app_follows_a_resize(open_kamtui: Open, demo: Path) -> None:
    term = open_kamtui("--db", demo, "--today", TODAY, "--lang", "en", size=(160, 50))
    term.wait_for("200 of 200 accounts", "Next action", "^p palette")
    term.resize(80, 24)
    term.wait_gone("Next action")  # a column that gives way at 80 columns
    term.wait_for("200 of 200 accounts", "⏎ Open")
    term.resize(160, 50)
    term.wait_for("Next action", "^p palette")
    term.keys("q")
    assert term.wait_exit() == 0
