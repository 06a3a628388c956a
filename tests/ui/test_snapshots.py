"""Snapshot tests: every screen on the demo book must look exactly like its committed
picture in screenshots/. After an intended UI change, run scripts/screenshots.py and
commit the new pictures; an unintended change fails here."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "screenshots.py"


def _screenshots_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("kamtui_screenshots", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return _screenshots_module().render_all(tmp_path_factory.mktemp("shots"))  # type: ignore[no-any-return]


def test_every_screen_has_a_committed_picture(rendered: dict[str, str]) -> None:
    assert sorted(rendered) == sorted(p.stem for p in (ROOT / "screenshots").glob("*.svg"))


@pytest.mark.parametrize(
    "name", sorted({**_screenshots_module().SHOTS, **_screenshots_module().SHOTS_ZH})
)
def test_screen_matches_its_picture(name: str, rendered: dict[str, str], tmp_path: Path) -> None:
    committed = (ROOT / "screenshots" / f"{name}.svg").read_text(encoding="utf-8")
    if rendered[name] != committed:
        (tmp_path / f"{name}.svg").write_text(rendered[name], encoding="utf-8")
        pytest.fail(
            f"screenshots/{name}.svg no longer matches the app (new picture: {tmp_path / (name + '.svg')}). "
            "If the change is intended, run scripts/screenshots.py and commit the pictures."
        )
