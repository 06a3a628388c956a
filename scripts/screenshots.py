"""Make the pictures of the app from the real app on the demo book: README's pictures in
screenshots/, and the snapshots the tests compare the app with in tests/ui/snapshots/.

    .venv/bin/python scripts/screenshots.py              # README's pictures (160×50)
    .venv/bin/python scripts/screenshots.py --snapshots  # the tests' snapshots

README's pictures are a readable set of screens. The snapshots are every dialog (and the
screens behind README's pictures' steps that have none of their own) at 80×24 and 160×50,
and README's screens at 80×24 (README has them at 160×50). Deterministic: a fixed seed,
date and terminal size, every picture made on a fresh copy of the same demo book, with
no blinking caret, so running it again changes nothing unless the UI changed. The
Chinese pictures (``*-zh``) are made by this script run again in a process of its own
with ``--lang zh``: the UI's language is chosen once, before the UI is imported.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from kamtui.services.book import Book
from kamtui.services.demo import make_demo

TODAY = date(2026, 11, 23)
SIZE = (160, 50)  # of README's pictures
SNAPSHOT_SIZES = ((80, 24), (160, 50))
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots"
SNAPSHOTS = ROOT / "tests" / "ui" / "snapshots"

Steps = Callable[[Pilot[None]], Awaitable[None]]
Size = tuple[int, int]


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


IMPORT_CSV = (
    "客户名称,行业,地区,年营业额,员工数,负责人,状态,赛道,战略匹配度,盈利潜力,合作稳定性,市场影响力,备注\r\n"
    '云翔精密制造有限公司,制造业,苏州,2.3亿,"1,800",张伟,客户,价值导向型,5,4,4,5,展会认识\r\n'
    "海川物流股份有限公司,物流,宁波,8000万,950,李娜,潜在客户,价格敏感型,3,3,4,2,\r\n"
    'Northwind Trading Ltd,Retail,Singapore,"$3,000,000",300,Alex Chen,customer,value,4,4,3,4,\r\n'
    "华东能源集团,能源,上海,大约一个亿,5000,王芳,客户,战略灯塔型,5,5,4,7,老客户\r\n"
    "海川物流有限公司,物流,宁波,6000万,900,李娜,潜在客户,价格敏感型,3,3,3,2,\r\n"
)


async def _import(pilot: Pilot[None]) -> None:
    """The import screen on a Chinese Excel CSV (GB18030): a bad amount and rating, a
    column kamtui does not know, and two names of one company."""
    Path("客户清单.csv").write_bytes(IMPORT_CSV.encode("gb18030"))
    await _settle(pilot)
    await pilot.press("i")
    await _settle(pilot)
    pilot.app.screen.query_one("#import-path", Input).cursor_blink = False  # same every time
    await pilot.press(*"客户清单.csv", "enter")
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
    "import": _import,
}


SHOTS_ZH: dict[str, Steps] = {  # the Chinese UI (--lang zh)
    "book-zh": _book,
    "decision-map-zh": _decision_map,
    "weekly-plan-zh": _plan,
}


# ---- the dialogs, and what README shows none of ------------------------------------------------
async def _trash_question(pilot: Pilot[None]) -> None:
    await _settle(pilot)
    await pilot.press("down", "down", "delete")  # move the account to the trash? yes/no
    await _settle(pilot)


async def _purge_question(pilot: Pilot[None]) -> None:
    await _trash_question(pilot)
    await pilot.press("y", "T")  # the trash (no picture: it shows when, by the clock, and who)
    await _settle(pilot)
    await pilot.press("P")  # delete it for good? (danger: the focus on Cancel)
    await _settle(pilot)


async def _discard_question(pilot: Pilot[None]) -> None:
    await _account(pilot)
    await pilot.press("l", *"Called", "escape")  # leaving what was typed asks first
    await _settle(pilot)


async def _interaction(pilot: Pilot[None]) -> None:
    await _account(pilot)
    await pilot.press("l", *"Called about the renewal")
    await _settle(pilot)


async def _task(pilot: Pilot[None]) -> None:
    await _account(pilot)
    await pilot.press("6", "a", *"Send the pilot report")
    await _settle(pilot)


async def _pin_tier(pilot: Pilot[None]) -> None:
    await _account(pilot)
    await pilot.press("t")
    await _settle(pilot)


async def _history(pilot: Pilot[None]) -> None:
    await _account(pilot)
    await pilot.press("h")
    await _settle(pilot)


async def _edit_account(pilot: Pilot[None]) -> None:
    await _account(pilot)
    await pilot.press("e")
    await _settle(pilot)


async def _contact_form(pilot: Pilot[None]) -> None:
    await _decision_map(pilot)
    await pilot.press("a")
    await _settle(pilot)


async def _move_role(pilot: Pilot[None]) -> None:
    await _decision_map(pilot)
    await pilot.press("m")
    await _settle(pilot)


async def _reports_to(pilot: Pilot[None]) -> None:
    await _decision_map(pilot)
    await pilot.press("r")
    await _settle(pilot)


async def _deal_form(pilot: Pilot[None]) -> None:
    await _deals(pilot)
    await pilot.press("a")
    await _settle(pilot)


async def _lost_reason(pilot: Pilot[None]) -> None:
    await _deals(pilot)
    await pilot.press("x")
    await _settle(pilot)


async def _force_reason(pilot: Pilot[None]) -> None:
    await _gate(pilot)
    await pilot.press("f")  # force the advance: why?
    await _settle(pilot)


async def _export_plan(pilot: Pilot[None]) -> None:
    await _plan(pilot)
    await pilot.press("e")
    await _settle(pilot)
    await pilot.press("home", "ctrl+k", *"plan-2026-W48.md")  # not this machine's folder
    await _settle(pilot)


async def _snooze(pilot: Pilot[None]) -> None:
    await _plan(pilot)
    await pilot.press("z")  # put the first item off
    await _settle(pilot)


async def _batch(pilot: Pilot[None]) -> None:
    from kamtui.ui.screens.plan import PlanList

    await _plan(pilot)
    plan = pilot.app.screen.query_one(PlanList)
    plan.cursor = next(n for n, i in enumerate(plan.items) if i.kind == "batch")
    await pilot.press("space")  # the tier-C batch: whom the standard e-mail goes to
    await _settle(pilot)


async def _team_files(pilot: Pilot[None]) -> None:
    await _settle(pilot)
    pilot.app.ask_team_files()  # type: ignore[attr-defined]  # ctrl+p → Open team files
    await _settle(pilot)


async def _help(pilot: Pilot[None]) -> None:
    await _settle(pilot)
    await pilot.press("question_mark")
    await _settle(pilot)


async def _palette(pilot: Pilot[None]) -> None:
    """The palette finding accounts (its list of commands before one types comes in the
    order of a set of providers, which changes from one run to the next)."""
    await _settle(pilot)
    await pilot.press("ctrl+p", *"Harbor")
    for _ in range(100):  # the hits are gathered in a worker started after a keystroke
        await _settle(pilot)
        if pilot.app.screen.has_class("-ready"):
            break


async def _import_start(pilot: Pilot[None]) -> None:
    await _settle(pilot)
    await pilot.press("i")
    await _settle(pilot)


DIALOGS: dict[str, Steps] = {  # each at every snapshot size
    "trash-question": _trash_question,
    "purge-question": _purge_question,
    "discard-question": _discard_question,
    "interaction": _interaction,
    "task": _task,
    "pin-tier": _pin_tier,
    "history": _history,
    "edit-account": _edit_account,
    "contact-form": _contact_form,
    "move-role": _move_role,
    "reports-to": _reports_to,
    "deal-form": _deal_form,
    "lost-reason": _lost_reason,
    "force-reason": _force_reason,
    "export-plan": _export_plan,
    "snooze": _snooze,
    "batch": _batch,
    "team-files": _team_files,
    "help": _help,
    "palette": _palette,
    "import-start": _import_start,
}


def snapshot_jobs() -> dict[str, tuple[Steps, Size]]:
    """Every snapshot the tests compare, by file name: README's screens at 80×24 (README
    has them at 160×50; the light theme once is enough), every dialog at every size."""
    small = SNAPSHOT_SIZES[0]
    jobs = {f"{name}-{small[0]}x{small[1]}": (steps, small) for name, steps in SHOTS.items()
            if name != "decision-map-light"}  # fmt: skip
    for name, steps in DIALOGS.items():
        for w, h in SNAPSHOT_SIZES:
            jobs[f"{name}-{w}x{h}"] = (steps, (w, h))
    return jobs


async def render(db: Path, name: str, steps: Steps, size: Size = SIZE) -> str:
    """The SVG of one screen after its steps, on the book at ``db`` (which steps may change)."""
    from kamtui.ui.app import KamApp  # after the language is set

    book = Book.open(db)
    app = KamApp(book, today=TODAY)
    try:
        async with app.run_test(size=size) as pilot:
            await steps(pilot)
            for field in app.screen.query(Input).results():
                field.cursor_blink = False  # the caret shown, the same every time
            for area in app.screen.query(TextArea).results():
                area.cursor_blink = False
            await pilot.pause()
            app.title = f"kamtui — {name}"
            svg = app.export_screenshot()
    finally:
        book.close()
    return svg


def render_all(folder: Path) -> dict[str, str]:
    """Every one of README's pictures, made in ``folder`` on a fresh demo book (its path
    shows in the title): the English ones here, the Chinese ones by this script in a
    process of its own."""
    zh = folder / "zh"
    zh.mkdir(exist_ok=True)
    subprocess.run(
        [sys.executable, __file__, "--lang", "zh", "--out", str(zh)], check=True, cwd=folder
    )
    shots = render_shots(folder, SHOTS)
    shots.update({p.stem: p.read_text(encoding="utf-8") for p in sorted(zh.glob("*.svg"))})
    return shots


def render_shots(folder: Path, shots: dict[str, Steps]) -> dict[str, str]:
    """README's pictures of ``shots``, at README's size."""
    return render_jobs(folder, {name: (steps, SIZE) for name, steps in shots.items()})


def render_jobs(folder: Path, jobs: dict[str, tuple[Steps, Size]]) -> dict[str, str]:
    """Each picture of ``jobs`` at its size, on its own copy of one demo book in ``folder``."""
    here = Path.cwd()
    os.chdir(folder)
    try:
        made = Path("demo-made.db")
        make_demo(made, accounts=200, seed=1, today=TODAY).close()
        svgs = {}
        for name, (steps, size) in jobs.items():
            db = Path(shutil.copyfile(made, "demo.db"))
            svgs[name] = asyncio.run(render(db, name, steps, size))
            db.unlink()
        return svgs
    finally:
        os.chdir(here)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Make README's pictures, or the tests' snapshots.")
    p.add_argument("--snapshots", action="store_true", help=f"the tests' snapshots, in {SNAPSHOTS}")
    p.add_argument("--lang", choices=("en", "zh"), help="only the pictures of this language")
    p.add_argument("--out", type=Path, help="folder to write them to")
    args = p.parse_args(argv)
    args.out = args.out or (SNAPSHOTS if args.snapshots else OUT)
    args.out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        if args.snapshots:
            shots = render_jobs(Path(tmp), snapshot_jobs())
            for old in args.out.glob("*.svg"):
                if old.stem not in shots:
                    old.unlink()  # a snapshot no longer made
        elif args.lang == "zh":
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
