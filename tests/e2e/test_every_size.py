"""What fits on a real terminal: every key of the Book in its footer and every tab of an
account, at 80×24 and 160×50 in both languages, and the app following a resize."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from e2e_support import TODAY, Open

BOOK_KEYS = ["⏎", "/", "o", "O", "1-5", "0", "t", "h", "w", "p", "^r", "H", "b", ",", "n", "e",
             "Del", "T", "i", "!", "q", "?", "^p"]  # fmt: skip
SHOWN = {"en": "200 of 200 accounts", "zh": "显示 200 / 共 200 个客户"}
TAB_TIMELINE = {"en": "4 Timeline", "zh": "4 时间线"}


def shown_keys(screen: str) -> set[str]:
    """The keys on the screen, each as the footer shows one: the key, a space, its label."""
    return {k for k in BOOK_KEYS if re.search(rf"(?<!\S){re.escape(k)} \S", screen)}


def tab_line(screen: str) -> str:
    """The account screen's second and third lines, where its tabs are (they wrap)."""
    return " ".join(screen.splitlines()[1:3])


EVERY = [pytest.param(size, lang, id=f"{size[0]}x{size[1]}-{lang}")
         for size in ((80, 24), (160, 50)) for lang in ("en", "zh")]  # fmt: skip


@pytest.mark.parametrize(("size", "lang"), EVERY)
def test_the_book_shows_every_key(
    size: tuple[int, int], lang: str, open_kamtui: Open, demo: Path
) -> None:
    term = open_kamtui("--db", demo, "--today", TODAY, "--lang", lang, size=size)
    term.wait_for(SHOWN[lang])
    term.wait_until(
        lambda screen: shown_keys(screen) == set(BOOK_KEYS),
        f"every key of the Book in the footer: {BOOK_KEYS}",
        timeout=5,
    )


@pytest.mark.parametrize(("size", "lang"), EVERY)
def test_an_account_shows_every_tab(
    size: tuple[int, int], lang: str, open_kamtui: Open, demo: Path
) -> None:
    term = open_kamtui("--db", demo, "--today", TODAY, "--lang", lang, size=size)
    term.wait_for(SHOWN[lang])
    term.keys("Enter")
    term.wait_for(TAB_TIMELINE[lang])  # the account is shown
    term.wait_until(
        lambda screen: all(re.search(rf"(?<!\S){n} \S", tab_line(screen)) for n in range(1, 8)),
        "the tabs 1 to 7 under the account's title",
        timeout=5,
    )


def test_the_app_follows_a_resize(open_kamtui: Open, demo: Path) -> None:
    term = open_kamtui("--db", demo, "--today", TODAY, "--lang", "en", size=(160, 50))
    term.wait_for("200 of 200 accounts", "Score", "^p Commands")
    term.resize(80, 24)
    term.wait_gone("Score")  # a column that gives way at 80 columns
    term.wait_for("200 of 200 accounts", "⏎ Open")
    term.resize(160, 50)
    term.wait_for("Score", "^p Commands")
    term.keys("q")
    assert term.wait_exit() == 0
