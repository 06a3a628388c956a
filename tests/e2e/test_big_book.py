"""A book big enough that the recompute runs in worker processes (services/recompute.py),
opened in a real terminal: a Settings save, and the first open on a new day. Both must
finish on the screen and leave the book's stored tiers and health current, as
``kamtui doctor`` and ``kamtui export`` read them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from e2e_support import SIZES, TODAY, Open, Run, log_errors

NEW_DAY = "2026-11-25"  # two days after the book was made
RECOMPUTE = 60  # seconds: ~2 s on the 2-core machine, so a slow, busy one has ample time
NEW_TIERS = (4.8, 4.0, 3.0)  # S threshold raised from 4.50


def current(cli: Run, book: Path, day: str) -> bool:
    """``kamtui doctor`` says the book's derived values are up to date for ``day``."""
    doctor = cli("doctor", "--db", book, "--today", day)
    print(doctor.stdout)  # shown if the test fails
    return re.search(rf"derived values\s+ok .*up to date for {day}", doctor.stdout) is not None


def tier_of(score: float, thresholds: tuple[float, float, float]) -> str:
    s, a, b = thresholds
    score = round(score, 2)
    return "S" if score >= s else "A" if score >= a else "B" if score >= b else "C"


@pytest.mark.parametrize("size", SIZES)
def test_a_settings_save_recomputes_every_tier(
    size: tuple[int, int], open_kamtui: Open, cli: Run, big: Path, home: Path
) -> None:
    term = open_kamtui("--db", big, "--today", TODAY, "--lang", "en", size=size)
    term.wait_for("20,000 of 20,000 accounts")
    term.keys(",")
    term.wait_for("Settings · scoring model", "^s Save")  # the form shown, its keys bound
    # Tab from the form to its four weights, then to the S threshold (the terminal's cursor
    # cannot tell which field has the focus: it is not moved when the form scrolls)
    term.keys(*["Tab"] * 5)
    term.keys("C-a", "C-k")
    term.wait_for_re(r"S from\s*\n.*\n\s*▊\s*▎?\s*\n")  # the S threshold emptied
    term.type("4.8")
    term.wait_for_re(r"S from\s*\n.*\n.*4\.8\b")
    term.keys("C-s")
    term.wait_for("Settings saved; tiers and health recomputed.", timeout=RECOMPUTE)
    accounts = json.loads(cli("export", "accounts", "--db", big, "--today", TODAY).stdout)
    s_tier = sum(a["tier"] == "S" for a in accounts)
    term.keys("Escape")  # the Book, counted again
    term.wait_for(f"S {s_tier:,} · A ")
    term.keys("q")
    assert term.wait_exit() == 0

    scored = [a for a in accounts if a["score"] is not None and not a["missing_criteria"]]
    wrong = [a["name"] for a in scored if a["computed_tier"] != tier_of(a["score"], NEW_TIERS)]
    assert wrong == []
    assert any(a["computed_tier"] == "A" and a["score"] >= 4.5 for a in scored)  # they moved
    assert current(cli, big, TODAY)
    assert log_errors(home) == []


@pytest.mark.parametrize("size", SIZES)
def test_a_new_day_brings_tiers_and_health_up_to_date(
    size: tuple[int, int], open_kamtui: Open, cli: Run, big: Path, home: Path
) -> None:
    stale = cli("doctor", "--db", big, "--today", NEW_DAY)
    assert f"change when recomputed for {NEW_DAY}" in stale.stdout  # there is work to do

    term = open_kamtui("--db", big, "--today", NEW_DAY, "--lang", "en", size=size)
    term.wait_for(f"Tiers and health are up to date for {NEW_DAY}", timeout=RECOMPUTE)
    term.keys("q")
    assert term.wait_exit() == 0

    assert current(cli, big, NEW_DAY)
    assert log_errors(home) == []
