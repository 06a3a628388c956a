"""The log file: made on the first record only, readable by its owner only."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from kamtui import logs


@pytest.fixture
def log(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "state" / "kamtui" / "log" / "kamtui.log"
    logs.start(path)
    yield path
    logs.stop()


def test_nothing_is_made_until_something_is_logged(log: Path) -> None:
    assert not log.parent.exists()
    assert logs.log_path() == log


def test_a_record_goes_to_a_file_only_its_owner_reads(log: Path) -> None:
    logging.getLogger("kamtui.somewhere").warning("worker processes could not start")
    assert "worker processes could not start" in log.read_text(encoding="utf-8")
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700


def test_a_log_left_readable_by_an_older_kamtui_is_made_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "kamtui.log"
    path.write_text("old\n", encoding="utf-8")
    os.chmod(path, 0o644)
    logs.start(path)
    try:
        logs.LOGGER.error("new")
    finally:
        logs.stop()
    assert path.read_text(encoding="utf-8").startswith("old\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_traceback_is_kept(log: Path) -> None:
    try:
        raise KeyError("stage")
    except KeyError:
        logs.LOGGER.exception("import check failed")
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "KeyError: 'stage'" in text


def test_records_below_info_are_not_kept(log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    logs.LOGGER.debug("noise")
    assert not log.exists()
    logs.LOGGER.info("kept")
    assert "kept" in log.read_text(encoding="utf-8")
    assert capsys.readouterr().err == ""  # nothing on the terminal
