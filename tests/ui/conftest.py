"""Shared fixtures of the UI tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kamtui.ui import strings as S


@pytest.fixture
def chinese() -> Iterator[None]:
    """The Chinese UI for one test."""
    S.set_language("zh")
    try:
        yield
    finally:
        S.set_language("en")
