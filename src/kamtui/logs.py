"""The log: where a failure's traceback goes while the user reads one sentence about it.

Everything of kamtui logs to the ``kamtui`` logger (``logging.getLogger(__name__)`` in a
module under ``kamtui``). ``start`` gives that logger its one handler, which appends to
``paths.log_file()``; the file is made only when the first record is written, readable by
its owner only (0600, like every book and backup), in a folder of the owner's (0700).
Without ``start`` (a library caller, a test) records go where Python's logging sends them.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import TextIO

from kamtui import paths

LOGGER = logging.getLogger("kamtui")
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s]: %(message)s"


class OwnerOnlyFile(logging.StreamHandler[TextIO]):
    """Appends to a file made 0600 on the first record (none is made if nothing is logged)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.stream = None  # type: ignore[assignment]  # opened by the first record
        self.path = path
        self._opened = threading.Lock()
        self.setFormatter(logging.Formatter(FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        with self._opened:
            if self.stream is None or self.stream.closed:
                try:
                    self.stream = _open_owner_only(self.path)
                except OSError:
                    self.handleError(record)
                    return
        super().emit(record)

    def close(self) -> None:
        with self._opened:
            if self.stream is not None and not self.stream.closed:
                self.stream.close()
        super().close()


def _open_owner_only(path: Path) -> TextIO:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)  # a log made by an older kamtui was 0644
    except OSError:
        pass
    return os.fdopen(fd, "a", encoding="utf-8")


_handler: OwnerOnlyFile | None = None


def start(path: Path | None = None) -> Path:
    """Send kamtui's records (INFO and up) to the log file; returns its path."""
    global _handler
    path = path or paths.log_file()
    if _handler is not None and _handler.path == path:
        return path
    stop()
    _handler = OwnerOnlyFile(path)
    LOGGER.addHandler(_handler)
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False
    return path


def stop() -> None:
    global _handler
    if _handler is not None:
        LOGGER.removeHandler(_handler)
        _handler.close()
        _handler = None
    LOGGER.propagate = True


def log_path() -> Path | None:
    """The file the log is written to, once ``start`` was called."""
    return _handler.path if _handler is not None else None
