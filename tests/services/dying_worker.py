"""Worker processes that die, for the recompute tests (not a test module): the pool pickles
these functions by name, and the workers import this module from the test's sys.path."""

from __future__ import annotations

import os
from typing import Any

from kamtui.services import recompute


def die_at_start(*args: Any) -> None:
    """An initializer that ends the worker before it takes any chunk."""
    os._exit(3)


def take_and_die(i: int, offset: int, chunk: Any) -> Any:
    """Take chunk ``i`` as a worker, then die holding it."""
    worker = recompute._worker
    assert worker is not None
    recompute._take(worker.shared, i, recompute.WORKER)
    os._exit(3)
