"""The baseline of the terminal start-up figure: a minimal Textual app.

One ``Static`` saying ``TEXT``; nothing else is imported. ``startup_pty.py`` spawns it in a
pseudo-terminal with the same interpreter, terminal and environment as the installed
``kamtui`` command, and times it until ``TEXT`` has appeared in its output.
"""

from textual.app import App, ComposeResult
from textual.widgets import Static

TEXT = "A minimal Textual app has painted."


class Minimal(App[None]):
    def compose(self) -> ComposeResult:
        yield Static(TEXT)


if __name__ == "__main__":
    Minimal().run()
