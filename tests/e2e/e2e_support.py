"""What the end-to-end tests share besides the terminal: the day and sizes they run at,
the environment of a user, and what the fixtures give."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from terminal import Terminal

TODAY = "2026-11-23"  # the day the demo books are made for
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 50), id="160x50")]
BIG = 20_000  # accounts: services/recompute.py derives a book this big in worker processes

Run = Callable[..., subprocess.CompletedProcess[str]]  # the command line: args -> completed
Open = Callable[..., Terminal]  # the app in a terminal: args, size= -> a started Terminal


def user_env(home: Path) -> dict[str, str]:
    """A user's whole environment: a home and XDG folders under ``home``, a UTF-8 locale."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "LANG": "C.UTF-8",
        "SHELL": "/bin/sh",
    }


def log_errors(home: Path) -> list[str]:
    """The ERROR records of kamtui's log under ``home`` (a failure someone was not told
    of would be one)."""
    return [
        line
        for log in home.rglob("kamtui.log")
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
        if " ERROR " in line
    ]
