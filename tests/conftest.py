"""Shared fixtures: small demo books in files under tmp_path, a fixed today."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from kamtui import logs
from kamtui.services.book import Book
from kamtui.services.demo import make_demo

TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def no_log_file_after_the_test() -> Iterator[None]:
    """A test that runs the CLI's main() starts the log; the next test starts without it."""
    yield
    logs.stop()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One 200-account demo book per test session; tests copy it before changing it."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    make_demo(path, accounts=200, seed=1, today=TODAY).close()
    return path


@pytest.fixture
def demo_path(demo_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "book.db"
    target.write_bytes(demo_template.read_bytes())
    return target


@pytest.fixture
def demo_book(demo_path: Path) -> Iterator[Book]:
    book = Book.open(demo_path)
    yield book
    book.close()
