"""The deal form: a deal's name, amount, expected close and next step.

It saves, refuses and resolves a stale save as every form does (``form.SavingForm``). A
deal's stage is not on the form: it moves through the stage gate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input

from kamtui.domain.errors import FieldError, KamError
from kamtui.domain.parsing import amount_text, parse_amount, parse_date
from kamtui.ui import strings as S
from kamtui.ui.safe import plain, typed_or_stored
from kamtui.ui.screens.dialogs import field_row
from kamtui.ui.screens.form import FormData, FormValues, Reload, Save, SavingForm

FIELDS = ("name", "amount", "expected_close", "next_step")


class DealForm(SavingForm):
    """Add or edit a deal; dismisses True once saved (``saved_name``: the deal's name as
    saved)."""

    record_kind = "deal"

    def __init__(
        self,
        title: str,
        values: Mapping[str, Any],
        save: Save,
        *,
        version: int | None = None,
        reload: Reload | None = None,
    ) -> None:
        super().__init__(title, save, version=version, reload=reload)
        self.values = dict(values)
        self.saved_name = ""

    def fields(self) -> ComposeResult:
        shown = _shown(self.values)
        for key, label, hint in (
            ("name", S.DEAL_NAME, ""),
            ("amount", S.DEAL_AMOUNT, "1,200,000 / 120万"),
            ("expected_close", S.DEAL_CLOSE, "YYYY-MM-DD"),
            ("next_step", S.DEAL_NEXT_STEP, ""),
        ):
            yield from field_row(
                label, Input(shown[key], placeholder=hint, id=f"f-{key}", compact=True), key
            )

    def read(self) -> FormValues:
        raw = {f: self.query_one(f"#f-{f}", Input).value.strip() for f in FIELDS}
        for f in ("name", "next_step"):
            typed = self.query_one(f"#f-{f}", Input).value
            raw[f] = typed_or_stored(typed, self.values.get(f)).strip()
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
        return FormValues(fields, version=self.version)

    def submit(self, values: FormValues) -> None:
        self.saved_name = self.query_one("#f-name", Input).value.strip()
        super().submit(values)

    def fill(self, data: FormData) -> None:
        self.values = dict(data.values)
        for key, value in _shown(self.values).items():
            self.query_one(f"#f-{key}", Input).value = value


def _shown(values: Mapping[str, Any]) -> dict[str, str]:
    """The deal's values as the form shows them."""
    amount, close = values.get("amount"), values.get("expected_close")
    return {
        "name": plain(values.get("name")),
        "amount": "" if amount is None else amount_text(amount),
        "expected_close": close.isoformat() if close else "",
        "next_step": plain(values.get("next_step")),
    }
