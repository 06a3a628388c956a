"""Text in form fields never reaches the terminal raw and never turns into a scrambled value.

A paste (a bracketed paste, Textual's Paste event) keeps its words and drops what was never
text: terminal escape sequences (colours copied from a terminal, a clipboard-setting OSC 52)
and other control characters; pasted into a one-line field, its lines are joined with
spaces instead of all but the first being lost. Stored text that holds control characters
(from an import) is shown in a form as the rest of the app shows it (␛, ␊…), and saved
back exactly as stored unless the rep changes it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pilot_helpers import settle, shown_after
from textual import events
from textual.widgets import Input, TextArea

from kamtui.services import export
from kamtui.services.book import Book, BookQuery
from kamtui.ui.app import KamApp
from kamtui.ui.safe import pasted
from kamtui.ui.screens.account import AccountScreen
from kamtui.ui.screens.account_form import AccountForm
from kamtui.ui.screens.contact_form import ContactForm
from kamtui.ui.screens.deal_form import DealForm
from kamtui.ui.screens.dialogs import InteractionDialog, ReasonDialog

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "one_line", "kept"),
    [
        ("Acme\x1b[31m Co\x1b[0m", True, "Acme Co"),  # colours copied from a terminal
        ("Acme\x1b[1;38;5;208m Co", True, "Acme Co"),
        ("A\x1b]52;c;SGk=\x07B", True, "AB"),  # OSC 52 ended by BEL
        ("A\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\B", True, "AlinkB"),  # a hyperlink, ST
        ("A\x9b2JB\x9b31m", True, "AB"),  # 8-bit CSI
        ("Reset\x1bc Co", True, "Reset Co"),  # ESC c
        ("A\x07\x00\x08\x7f\x85B", True, "AB"),  # BEL NUL BS DEL NEL
        ("A\tB", True, "A B"),
        ("\t集团\x07\r\n上海 ", True, " 集团 上海 "),  # spaces at its ends kept
        ("Acme  \n\n  Co", True, "Acme Co"),
        ("Line one\r\nline two\n\nthree\r", True, "Line one line two three"),
        ("Line one\r\nline\x1b[2K two\r", False, "Line one\nline two\n"),
        ("A\x1b]0;unterminated", True, "A0;unterminated"),
        ("云翔集团 [bold]x[/] $HOME", True, "云翔集团 [bold]x[/] $HOME"),
    ],
)
def test_pasted_keeps_the_words(text: str, one_line: bool, kept: str) -> None:
    assert pasted(text, one_line=one_line) == kept


async def paste(app: KamApp, pilot: object, text: str) -> None:
    """A bracketed paste, as the terminal driver delivers it to the app."""
    app.post_message(events.Paste(text))
    await settle(app, pilot)  # type: ignore[arg-type]


async def test_a_pasted_name_keeps_its_words_in_the_new_account_form(tmp_path: Path) -> None:
    book = Book.create(tmp_path / "b.db")
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await shown_after(app, pilot, "n", screen=AccountForm)
        name = form.query_one("#f-name", Input)
        assert name.has_focus
        await paste(app, pilot, "Acme\x1b[31m Co\x1b[0m\x07")
        assert name.value == "Acme Co"
        await pilot.press("space", "!")  # typing goes on where the paste ended
        assert name.value == "Acme Co !"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, AccountForm)
        assert [r.name for r in book.page(BookQuery(), 0, 5)] == ["Acme Co !"]
    book.close()


async def test_a_pasted_summary_keeps_its_words_in_the_log_dialog(tmp_path: Path) -> None:
    book = Book.create(tmp_path / "b.db")
    aid = book.add_account(TODAY, name="Acme")
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.open_account(aid)
        await settle(app, pilot)
        assert isinstance(app.screen, AccountScreen)
        dialog = await shown_after(app, pilot, "l", screen=InteractionDialog)
        summary = dialog.query_one("#log-summary", TextArea)
        assert summary.has_focus
        await paste(app, pilot, "Called\x1b]52;c;SGk=\x07 about\r\nthe \x1b[1mrenewal\x1b[0m\x9b2J")
        assert summary.text == "Called about\nthe renewal"  # a summary keeps its lines
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, InteractionDialog)
        (logged,) = export.records(book, "interactions", TODAY)
        assert logged["summary"] == "Called about\nthe renewal"
    book.close()


async def test_a_paste_into_a_text_area_keeps_its_lines(tmp_path: Path) -> None:
    book = Book.create(tmp_path / "b.db")
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.ask_team_files()
        await settle(app, pilot)
        area = app.screen.query_one(TextArea)
        area.focus()
        area.text = ""
        await paste(app, pilot, "/data/ann\x1b[31m.db\r\n/data/bob\x07.db")
        assert area.text == "/data/ann.db\n/data/bob.db"
    book.close()


async def test_stored_control_characters_are_shown_in_forms_and_kept_unless_changed(
    tmp_path: Path,
) -> None:
    book = Book.create(tmp_path / "b.db")
    aid = book.add_account(TODAY, name="Reset\x1bc Co", pain_points="one\ntwo\x07", region="x")
    book.add_contact(aid, TODAY, name="Wang\x1b[2J", role="economic_buyer")
    book.add_deal(aid, TODAY, name="Deal\x9b2J", next_step="Next\x07")
    app = KamApp(book, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        account = await shown_after(app, pilot, "enter", screen=AccountScreen)
        form = await shown_after(app, pilot, "e", screen=AccountForm)
        name = form.query_one("#f-name", Input)
        assert name.value == "Reset␛c Co"  # as the Book shows it; the terminal is not reset
        assert form.query_one("#f-pain_points", Input).value == "one␊two␇"
        drawn = "".join(seg.text for y in range(name.size.height) for seg in name.render_line(y))
        assert "Reset␛c Co" in drawn and "\x1b" not in drawn
        form.query_one("#f-region", Input).value = "上海"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert account.is_current
        profile = book.account_view(aid, TODAY).profile
        assert (profile["name"], profile["pain_points"], profile["region"]) == (
            "Reset\x1bc Co", "one\ntwo\x07", "上海"
        )  # fmt: skip
        form = await shown_after(app, pilot, "e", screen=AccountForm)
        form.query_one("#f-name", Input).value = "Reset Co"  # the rep cleans the name
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert book.account_view(aid, TODAY).profile["name"] == "Reset Co"

        await pilot.press("2")
        await settle(app, pilot)
        form = await shown_after(app, pilot, "enter", screen=ContactForm)
        assert form.query_one("#f-name", Input).value == "Wang␛[2J"
        form.query_one("#f-title", Input).value = "CFO"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        (contact,) = book.account_view(aid, TODAY).contacts
        assert (contact.name, contact.title) == ("Wang\x1b[2J", "CFO")

        await pilot.press("3")
        await settle(app, pilot)
        form = await shown_after(app, pilot, "enter", screen=DealForm)
        assert form.query_one("#f-name", Input).value == "Deal�2J"
        assert form.query_one("#f-next_step", Input).value == "Next␇"
        form.query_one("#f-amount", Input).value = "5000"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        (deal,) = book.account_view(aid, TODAY).deals
        assert (deal.name, deal.next_step, deal.amount) == ("Deal\x9b2J", "Next\x07", 5000)
    book.close()


async def test_a_reason_dialog_shows_the_stored_reason_and_gives_it_back_unless_changed(
    tmp_path: Path,
) -> None:
    book = Book.create(tmp_path / "b.db")
    app = KamApp(book, today=TODAY)
    given: list[str | None] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for typed in (None, "Renewal"):
            dialog = ReasonDialog("Why S?", value="Board\x07 asked\x1b[2J")
            await app.push_screen(dialog, given.append)
            await settle(app, pilot)
            field = dialog.query_one("#reason", Input)
            assert field.value == "Board␇ asked␛[2J"
            if typed:
                field.value = typed
            await pilot.press("enter")
            await settle(app, pilot)
    assert given == ["Board\x07 asked\x1b[2J", "Renewal"]
    book.close()
