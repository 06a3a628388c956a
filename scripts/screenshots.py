"""Make the pictures in screenshots/ from the real app on the demo book.

    .venv/bin/python scripts/screenshots.py

Deterministic: a fixed seed, date and terminal size, so running it again changes
nothing unless the UI changed. The Chinese pictures (``*-zh``) are made by this script
run again in a process of its own with ``--lang zh``: the UI's language is chosen once,
before the UI is imported.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

from textual.pilot import Pilot

from kamtui.services.book import Book
from kamtui.services.demo import make_demo

TODAY = date(2026, 11, 23)
SIZE = (160, 50)
OUT = Path(__file__).resolve().parent.parent / "screenshots"

Steps = Callable[[Pilot[None]], Awaitable[None]]


async def _settle(pilot: Pilot[None]) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def _book(pilot: Pilot[None]) -> None:
    await _settle(pilot)


async def _filtered(pilot: Pilot[None]) -> None:
    await _settle(pilot)
    await pilot.press("1", "2", "slash", *"上海")
    await _settle(pilot)
    await pilot.press("enter")
    await _settle(pilot)


async def _account(pilot: Pilot[None]) -> None:
    await _settle(pilot)
    await pilot.press("down", "down", "enter")
    await _settle(pilot)


async def _gate(pilot: Pilot[None]) -> None:
    await _account(pilot)
    await pilot.press("3")  # the Deals tab
    await pilot.press("right_square_bracket")  # stage 1 is complete: the deal moves to stage 2
    await _settle(pilot)
    await pilot.press("right_square_bracket")  # stage 2 has nothing ticked yet: refused
    await _settle(pilot)


async def _light(pilot: Pilot[None]) -> None:
    pilot.app.theme = "textual-light"  # readable in a light theme too (ctrl+p → theme)
    await _decision_map(pilot)


async def _decision_map(pilot: Pilot[None]) -> None:
    await _account(pilot)
    await pilot.press("2")  # the Decision map tab, grouped by buying role
    await _settle(pilot)


async def _deals(pilot: Pilot[None]) -> None:
    await _account(pilot)
    await pilot.press("3")  # the Deals tab: stepper, deliverables, stage history
    await _settle(pilot)


async def _org_chart(pilot: Pilot[None]) -> None:
    await _decision_map(pilot)
    await pilot.press("o")  # the same people as a tree by reports-to
    await _settle(pilot)


async def _plan(pilot: Pilot[None]) -> None:
    await _settle(pilot)
    await pilot.press("p")
    await _settle(pilot)


async def _pipeline(pilot: Pilot[None]) -> None:
    await _settle(pilot)
    await pilot.press("b")
    await _settle(pilot)


async def _health(pilot: Pilot[None]) -> None:
    await _settle(pilot)
    await pilot.press("H")
    await _settle(pilot)


async def _new_account(pilot: Pilot[None]) -> None:
    await _settle(pilot)
    await pilot.press("n", *"云翔集团", "ctrl+s")  # no criterion rated yet: saved unscored
    await _settle(pilot)
    await pilot.press("n", "ctrl+s")  # an empty name: refused at the field
    await _settle(pilot)


async def _settings(pilot: Pilot[None]) -> None:
    await _settle(pilot)
    await pilot.press("comma")
    await _settle(pilot)


SHOTS: dict[str, Steps] = {
    "book": _book,
    "book-filtered": _filtered,
    "account": _account,
    "decision-map": _decision_map,
    "org-chart": _org_chart,
    "deals": _deals,
    "decision-map-light": _light,
    "stage-gate": _gate,
    "weekly-plan": _plan,
    "pipeline": _pipeline,
    "health": _health,
    "account-form": _new_account,
    "settings": _settings,
}


SHOTS_ZH: dict[str, Steps] = {  # the Chinese UI (--lang zh)
    "book-zh": _book,
    "decision-map-zh": _decision_map,
    "weekly-plan-zh": _plan,
}


async def render(db: Path, name: str, steps: Steps) -> str:
    """The SVG of one screen after its steps, on the book at ``db`` (which steps may change)."""
    from kamtui.ui.app import KamApp  # after the language is set

    book = Book.open(db)
    app = KamApp(book, today=TODAY)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await steps(pilot)
            app.title = f"kamtui — {name}"
            svg = app.export_screenshot()
    finally:
        book.close()
    return svg


def render_all(folder: Path) -> dict[str, str]:
    """Every screenshot, made in ``folder`` on a fresh demo book (its path shows in the title):
    the English ones here, the Chinese ones by this script in a process of its own."""
    zh = folder / "zh"
    zh.mkdir(exist_ok=True)
    subprocess.run(
        [sys.executable, __file__, "--lang", "zh", "--out", str(zh)], check=True, cwd=folder
    )
    shots = render_shots(folder, SHOTS)
    shots.update({p.stem: p.read_text(encoding="utf-8") for p in sorted(zh.glob("*.svg"))})
    return shots


def render_shots(folder: Path, shots: dict[str, Steps]) -> dict[str, str]:
    here = Path.cwd()
    os.chdir(folder)
    try:
        db = Path("demo.db")
        make_demo(db, accounts=200, seed=1, today=TODAY).close()
        return {name: asyncio.run(render(db, name, steps)) for name, steps in shots.items()}
    finally:
        os.chdir(here)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Make the pictures in screenshots/.")
    p.add_argument("--lang", choices=("en", "zh"), help="only the pictures of this language")
    p.add_argument("--out", type=Path, default=OUT, help="folder to write them to")
    args = p.parse_args(argv)
    args.out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        if args.lang == "zh":
            from kamtui.ui import strings

            strings.set_language("zh")
            shots = render_shots(Path(tmp), SHOTS_ZH)
        elif args.lang == "en":
            shots = render_shots(Path(tmp), SHOTS)
        else:
            shots = render_all(Path(tmp))
        for name, svg in shots.items():
            (args.out / f"{name}.svg").write_text(svg, encoding="utf-8")
            print(f"wrote {args.out / name}.svg")
    return 0


if __name__ == "__main__":
    sys.exit(main())
