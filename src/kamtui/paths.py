"""Where kamtui keeps things. Nothing is created at import time."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_path, user_log_path

APP = "kamtui"


def data_dir() -> Path:
    return user_data_path(APP, appauthor=False)


def default_book() -> Path:
    """The rep's own book, used when no --db is given."""
    return data_dir() / "book.db"


def demo_book() -> Path:
    """The demo book of `kamtui --demo`, kept apart from the real one."""
    return data_dir() / "demo.db"


def log_file() -> Path:
    return user_log_path(APP, appauthor=False) / "kamtui.log"
