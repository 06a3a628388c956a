"""The deal form: a deal's name, amount, expected close and next step.

Like the other forms it saves through a callback run in a worker: a refused save (a bad
value, or a deal changed elsewhere since the form opened) shows its message and keeps
everything typed; a stale one can be re-applied over the newer values. A deal's stage is
not on the form: it moves through the stage gate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Label, Static

from kamtui.domain.errors import FieldError, KamError
from kamtui.domain.parsing import amount_text, parse_amount, parse_date
from kamtui.ui import strings as S
from kamtui.ui.safe import content
from kamtui.ui.screens.account_form import EditValues, ReapplyForm, SaveEdit


class DealForm(ReapplyForm):
    """Add or edit a deal; dismisses True once saved."""

    def __init__(
        self, title: str, values: Mapping[str, Any], save: SaveEdit, *, version: int | None = None
    ) -> None:
        super().__init__()
        self.title_text = title
        self.values = dict(values)
        self.save = save
        self.version = version
        self.saved: dict[str, Any] = {}  # the fields of the save that went through

    def save_callback(self, values: EditValues) -> None:
        self.save(values)
        self.saved = values.fields

    def compose(self) -> ComposeResult:
        amount = self.values.get("amount")
        close = self.values.get("expected_close")
        with VerticalScroll(classes="dialog form short"):
            yield Label(content(self.title_text), classes="dialog-title")
            for field, label, value, hint in (
                ("name", S.DEAL_NAME, self.values.get("name", ""), ""),
                ("amount", S.DEAL_AMOUNT, "" if amount is None else amount_text(amount),
                 "1,200,000 / 120万"),
                ("expected_close", S.DEAL_CLOSE, close.isoformat() if close else "",
                 "YYYY-MM-DD"),
                ("next_step", S.DEAL_NEXT_STEP, self.values.get("next_step", ""), ""),
            ):  # fmt: skip
                yield Label(label)
                yield Input(value, placeholder=hint, id=f"f-{field}")
                yield Static(id=f"e-{field}", classes="field-error")
            yield from self.form_end()

    def _read(self) -> EditValues:
        raw = {f: self.query_one(f"#f-{f}", Input).value.strip() for f in
               ("name", "amount", "expected_close", "next_step")}  # fmt: skip
        if not raw["name"]:
            raise FieldError("name", S.DEAL_NAME_REQUIRED)
        try:
            amount = parse_amount(raw["amount"])
        except KamError as e:
            raise FieldError("amount", e.message) from None
        try:
            close = parse_date(raw["expected_close"])
        except KamError:
            raise FieldError(
                "expected_close", S.BAD_DATE.format(value=raw["expected_close"])
            ) from None
        fields = {"name": raw["name"], "amount": float(amount or 0), "expected_close": close,
                  "next_step": raw["next_step"]}  # fmt: skip
        return EditValues(fields, self.version)
