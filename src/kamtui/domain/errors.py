"""Errors a user can cause. Each carries a message meant for a person."""

from __future__ import annotations


class KamError(Exception):
    """Base of every error that a user, not a bug, can cause."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ModelError(KamError):
    """A scoring model, cadence table or health configuration that cannot be used."""


class RatingError(KamError):
    """A rating outside 1–5 or for a criterion the model does not have."""


class InputError(KamError):
    """A value typed or passed by the user that cannot be understood."""


class FieldError(InputError):
    """A value refused for one field; ``field`` says which, so a form can show it there."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def check_text(record: str, key: str, value: object, limit: int) -> str:
    """A text field of a contact, a deal…: text, stripped, at most ``limit`` characters; a
    ``name`` may not be empty. Refused with a FieldError naming the field."""
    label = key.replace("_", " ")
    if not isinstance(value, str):
        raise FieldError(key, f"A {record}'s {label} must be text.")
    value = value.strip()
    if key == "name" and not value:
        raise FieldError("name", f"A {record} needs a name.")
    if len(value) > limit:
        raise FieldError(key, f"A {record}'s {label} is at most {limit} characters.")
    return value


class StageGateError(KamError):
    """A deal move refused because deliverables of the current stage are missing."""

    def __init__(self, message: str, missing: list[str]) -> None:
        super().__init__(message)
        self.missing = missing
