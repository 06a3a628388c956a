"""Snapshot tests: the app on the demo book must look exactly like its committed pictures.

README's pictures (screenshots/, 160×50) and the tests' snapshots (tests/ui/snapshots/:
every dialog at 80×24 and 160×50, README's screens at 80×24) are both made by
scripts/screenshots.py. After an intended UI change, run it (``--snapshots`` for the
tests' set), look at the new pictures and commit them; an unintended change fails here.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "screenshots.py"
SNAPSHOTS = ROOT / "tests" / "ui" / "snapshots"


def _screenshots_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("kamtui_screenshots", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SHOTS = _screenshots_module()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return SHOTS.render_all(tmp_path_factory.mktemp("shots"))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def snapshots(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    jobs = SHOTS.snapshot_jobs()
    return SHOTS.render_jobs(tmp_path_factory.mktemp("snapshots"), jobs)  # type: ignore[no-any-return]


def _compare(made: str, committed: Path, tmp_path: Path, command: str) -> None:
    if made != committed.read_text(encoding="utf-8"):
        new = tmp_path / committed.name
        new.write_text(made, encoding="utf-8")
        pytest.fail(
            f"{committed.relative_to(ROOT)} no longer matches the app (new picture: {new}). "
            f"If the change is intended, run {command} and commit the pictures."
        )


def test_every_screen_has_a_committed_picture(rendered: dict[str, str]) -> None:
    assert sorted(rendered) == sorted(p.stem for p in (ROOT / "screenshots").glob("*.svg"))


@pytest.mark.parametrize("name", sorted({**SHOTS.SHOTS, **SHOTS.SHOTS_ZH}))
def test_screen_matches_its_picture(name: str, rendered: dict[str, str], tmp_path: Path) -> None:
    committed = ROOT / "screenshots" / f"{name}.svg"
    _compare(rendered[name], committed, tmp_path, "scripts/screenshots.py")


def test_every_snapshot_is_committed(snapshots: dict[str, str]) -> None:
    assert sorted(snapshots) == sorted(p.stem for p in SNAPSHOTS.glob("*.svg"))


@pytest.mark.parametrize("name", sorted(SHOTS.snapshot_jobs()))
def test_snapshot_matches(name: str, snapshots: dict[str, str], tmp_path: Path) -> None:
    committed = SNAPSHOTS / f"{name}.svg"
    _compare(snapshots[name], committed, tmp_path, "scripts/screenshots.py --snapshots")
