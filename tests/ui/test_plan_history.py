"""How the history says what a rep marked on the weekly plan (ui/changes.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from kamtui.services.history import Change
from kamtui.ui.changes import history_line

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def line(field: str, old: str | None, new: str | None) -> str:
    return history_line(Change("plan", 7, 7, field, old, new, AT, "张伟")).plain


def test_ticks_and_snoozes_read_as_sentences() -> None:
    assert line("tick:touch", None, "2026-W48").endswith(
        "张伟  weekly plan 2026-W48: touch ticked done"
    )
    assert line("tick:exec_touch", "2026-W48", None).endswith(
        "weekly plan 2026-W48: executive touch tick taken back"
    )
    assert line("snooze:health", None, "2026-11-30 · CFO on leave").endswith(
        "weekly plan: health put off until 2026-11-30 · CFO on leave"
    )
    assert line("snooze:task", "2026-11-30", None).endswith(
        "weekly plan: task back in the plan (was put off until 2026-11-30)"
    )


def test_in_chinese(chinese: None) -> None:
    assert line("tick:touch", None, "2026-W48").endswith("周计划 2026-W48：触达已完成")
    assert line("snooze:stale_deal", None, "2026-12-07").endswith(
        "周计划：商机停滞推迟到 2026-12-07"
    )
