"""What the Pilot tests share: waiting until the app has done what a key started."""

from __future__ import annotations

from typing import TypeVar

from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen

S = TypeVar("S", bound=Screen[None])


async def settle(app: App[None], pilot: Pilot[None]) -> None:
    """Wait until the workers a key started are done and their results are on screen
    (a result may start another worker: a page load, a reload after a save)."""
    for _ in range(4):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def shown_after(app: App[None], pilot: Pilot[None], *keys: str, screen: type[S]) -> S:
    """Press ``keys`` once the app has settled; the screen of type ``screen`` they show."""
    await settle(app, pilot)
    await pilot.press(*keys)
    await settle(app, pilot)
    assert isinstance(app.screen, screen), f"{keys} showed {type(app.screen).__name__}"
    return app.screen
