"""Shared books for the service tests: a small demo book made once, copied per test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from kamtui.services.book import Book
from kamtui.services.demo import make_demo

TODAY = date(2026, 11, 23)
DEMO_ACCOUNTS = 60


@pytest.fixture(scope="session")
def pristine_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 60-account demo book for seed 1 and TODAY; never opened by tests, only copied."""
    path = tmp_path_factory.mktemp("pristine") / "demo.db"
    make_demo(path, accounts=DEMO_ACCOUNTS, seed=1, today=TODAY).close()
    assert not Path(f"{path}-wal").exists()
    return path


@pytest.fixture
def demo60_path(pristine_demo: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    shutil.copyfile(pristine_demo, path)
    return path


@pytest.fixture
def demo(demo60_path: Path) -> Iterator[Book]:
    book = Book.open(demo60_path)
    yield book
    book.close()


@pytest.fixture
def empty(tmp_path: Path) -> Iterator[Book]:
    book = Book.create(tmp_path / "book.db")
    yield book
    book.close()
