"""The end-to-end suite: the installed ``kamtui`` command in a real terminal (tmux).

Every test runs the console script installed beside the Python that runs the tests, in a
tmux pane of a given size, with HOME and the XDG folders in a folder of its own (the real
user folders are never touched). Without tmux the suite is skipped, and says why in the
summary; under CI (``KAMTUI_E2E=required``, set by .ci/run) it fails instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_support import BIG, TODAY, Open, Run, user_env
from terminal import Terminal


@pytest.fixture(scope="session")
def kamtui() -> Path:
    """The installed command (the console script of the venv running the tests)."""
    command = Path(sys.executable).parent / "kamtui"
    if not command.exists():
        pytest.fail(
            f"the installed kamtui command is missing: no {command}. The end-to-end tests run "
            "it as a user does; install kamtui into this venv first (pip install -e '.[dev]')."
        )
    return command


@pytest.fixture(scope="session", autouse=True)
def tmux() -> None:
    if shutil.which("tmux"):
        return
    if os.environ.get("KAMTUI_E2E") == "required":
        pytest.fail("tmux is not installed, and KAMTUI_E2E=required: the end-to-end tests must run")
    pytest.skip("end-to-end tests need tmux, which is not installed (apt-get install tmux)")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def env(home: Path) -> dict[str, str]:
    return user_env(home)


@pytest.fixture
def cli(kamtui: Path, env: dict[str, str], tmp_path: Path) -> Run:
    """Run the installed command with arguments; its completed process (exit, out, err)."""

    def run(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(kamtui), *map(str, args)],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=timeout,
        )

    return run


def _demo(kamtui: Path, path: Path, accounts: int) -> Path:
    subprocess.run(
        [str(kamtui), "demo", "--db", str(path), "--today", TODAY, "--accounts", str(accounts)],
        check=True,
        capture_output=True,
        timeout=600,
        env=user_env(path.parent),
    )
    return path


@pytest.fixture(scope="session")
def demo_made(kamtui: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 200-account demo book, made once by ``kamtui demo``; tests use copies."""
    return _demo(kamtui, tmp_path_factory.mktemp("e2e-demo") / "demo.db", 200)


@pytest.fixture(scope="session")
def big_made(kamtui: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo book big enough for worker processes, made once (~10 s); tests use copies."""
    return _demo(kamtui, tmp_path_factory.mktemp("e2e-big") / "big.db", BIG)


@pytest.fixture
def demo(demo_made: Path, tmp_path: Path) -> Path:
    return Path(shutil.copyfile(demo_made, tmp_path / "book.db"))


@pytest.fixture
def big(big_made: Path, tmp_path: Path) -> Path:
    return Path(shutil.copyfile(big_made, tmp_path / "big.db"))


@pytest.fixture
def open_kamtui(kamtui: Path, env: dict[str, str], home: Path, tmp_path: Path) -> Iterator[Open]:
    """Start the installed command with arguments on a screen of ``size``; every terminal
    started is closed (its tmux server killed) when the test ends, passed or not."""
    started: list[Terminal] = []

    def start(*args: str | Path, size: tuple[int, int]) -> Terminal:
        term = Terminal([str(kamtui), *map(str, args)], size=size, cwd=tmp_path, env=env, logs=home)
        started.append(term)
        return term.start()

    yield start
    for term in started:
        term.close()
