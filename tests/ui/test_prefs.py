"""The theme a rep picks is the one the app opens with next time; a broken preferences
file changes nothing and is not an error."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from pilot_helpers import settle

from kamtui.prefs import load_prefs, save_pref
from kamtui.services.book import Book
from kamtui.ui.app import KamApp

TODAY = date(2026, 11, 23)


def test_a_preference_is_kept_and_others_stay(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "prefs.json"
    assert load_prefs(path) == {}
    assert save_pref(path, "theme", "nord")
    assert save_pref(path, "other", [1, "二"])
    assert save_pref(path, "theme", "textual-light")
    assert load_prefs(path) == {"theme": "textual-light", "other": [1, "二"]}
    assert [p.name for p in path.parent.iterdir()] == ["prefs.json"]  # no temporary left


def test_an_unreadable_file_gives_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "prefs.json"
    for junk in ("{not json", "[1, 2]", ""):
        path.write_text(junk, encoding="utf-8")
        assert load_prefs(path) == {}
    assert save_pref(path, "theme", "nord")  # and is replaced by a good one
    assert json.loads(path.read_text(encoding="utf-8")) == {"theme": "nord"}


def test_a_file_that_cannot_be_written_is_skipped(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    assert not save_pref(blocker / "prefs.json", "theme", "nord")


async def test_the_theme_chosen_is_the_theme_next_time(tmp_path: Path) -> None:
    prefs = tmp_path / "prefs.json"
    book = Book.create(tmp_path / "b.db")
    app = KamApp(book, today=TODAY, prefs=prefs)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        assert not prefs.exists()  # nothing chosen, nothing written
        app.theme = "textual-light"
        await settle(app, pilot)
    assert load_prefs(prefs) == {"theme": "textual-light"}
    again = KamApp(book, today=TODAY, prefs=prefs)
    async with again.run_test() as pilot:
        await settle(again, pilot)
        assert again.theme == "textual-light"
    prefs.write_text('{"theme": "no-such-theme"}', encoding="utf-8")
    third = KamApp(book, today=TODAY, prefs=prefs)
    async with third.run_test() as pilot:
        await settle(third, pilot)
        assert third.theme == "textual-dark"
    book.close()
