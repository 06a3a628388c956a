"""What the `kamtui` command writes to stdout and stderr is text, never terminal escapes.

Whatever a command prints — a plan or an export, a report, a path, an error message,
argparse's complaint about an argument, a library's warning — passes through ``visible``
(``kamtui.visible``): control characters from a book, a file name or an argument are shown
as placeholders, on a terminal and in a pipe alike (``less -R`` and ``tee`` to a terminal
run escapes too). The formats a command writes hold none already (``services.export``), so
a redirected stdout is byte for byte the file ``-o`` writes; this is the net under the rest.

The only control characters kamtui writes on purpose are its own: the progress bar's
carriage return (``raw``); the app draws on the terminal through Textual, which writes to
``sys.__stdout__`` and ``sys.__stderr__`` and never through these streams.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from kamtui.visible import visible


class ShownAsText(io.TextIOBase):
    """A text stream that writes ``visible(text)`` to the stream it wraps."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        shown = visible(text)
        try:
            self.stream.write(shown)
        except UnicodeEncodeError:  # a terminal without ␛ or Chinese: escapes instead
            encoding = self.stream.encoding or "ascii"
            self.stream.write(
                shown.encode(encoding, "backslashreplace").decode(encoding, "replace")
            )
        return len(text)

    def writable(self) -> bool:
        return True

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.stream.encoding


@contextmanager
def shown_as_text() -> Iterator[None]:
    """stdout and stderr show control characters as placeholders until the block ends."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = ShownAsText(out), ShownAsText(err)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


def raw(stream: TextIO) -> TextIO:
    """The stream under ``stream``: for kamtui's own control characters, never user text."""
    return stream.stream if isinstance(stream, ShownAsText) else stream
