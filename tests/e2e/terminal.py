"""A real terminal for the end-to-end tests: the installed ``kamtui`` command in a tmux pane.

Each ``Terminal`` runs one command in a tmux server of its own (``tmux -L <unique name>``,
so nothing touches another person's tmux), presses keys with ``send-keys`` and reads the
screen with ``capture-pane``, as a person at that terminal would see it. Waiting is
polling: ``wait_for`` reads the screen until a text is there or a time limit passes, then
fails with the last screen (and the end of any kamtui.log under ``logs``) in its message. The server is
killed by ``close`` whatever happened, and a ``Terminal`` is a context manager.

The pane outlives the command (``remain-on-exit``), so its exit status can be read, and
tmux's status line is off: the command has the whole W×H screen.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType

POLL = 0.05  # seconds between two reads of the screen
ESCAPE_GAP = 0.15  # after Escape: an ESC followed at once by a key would read as alt+key
KEY_GAP = 0.02  # between keys sent one by one: each arrives as a key press of its own

CONFIG = """\
set -g remain-on-exit on
set -g status off
set -g default-terminal "screen-256color"
set -g history-limit 0
"""


class TerminalError(AssertionError):
    """What the terminal showed when something awaited did not happen."""


class Terminal:
    """One command on a W×H screen of its own. ``env`` is the whole environment of the
    command (nothing of the caller's is added); the kamtui.log files under ``logs`` are
    shown when a wait fails."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        size: tuple[int, int],
        cwd: Path,
        env: dict[str, str],
        logs: Path | None = None,
    ) -> None:
        self.argv = list(argv)
        self.size = size
        self.cwd = cwd
        self.env = env
        self.logs = logs
        self.socket = f"kamtui-e2e-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.config = cwd / f".{self.socket}.conf"
        self.started = False
        self.socket_path: Path | None = None  # known once started

    # ---- the tmux server -----------------------------------------------------------------------
    def _tmux(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            ["tmux", "-u", "-L", self.socket, "-f", str(self.config), *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=30,
        )
        if check and done.returncode != 0:
            raise TerminalError(f"tmux {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def start(self) -> Terminal:
        self.config.write_text(CONFIG, encoding="utf-8")
        w, h = self.size
        command = shlex.join(self.argv)
        self._tmux(
            "new-session", "-d", "-s", "e2e", "-x", str(w), "-y", str(h), "-c", str(self.cwd),
            command,
        )  # fmt: skip
        self.started = True
        self.socket_path = Path(self._tmux("display-message", "-p", "#{socket_path}").strip())
        return self

    def close(self) -> None:
        """Kill the server (and with it the command, if it still runs); remove its socket,
        which tmux leaves behind."""
        if self.started:
            self._tmux("kill-server", check=False)
            self.started = False
        if self.socket_path is not None:
            self.socket_path.unlink(missing_ok=True)
        self.config.unlink(missing_ok=True)

    def __enter__(self) -> Terminal:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    # ---- keys ----------------------------------------------------------------------------------
    def keys(self, *keys: str) -> None:
        """Press keys, one at a time, by tmux's names: ``Enter``, ``Escape``, ``Tab``,
        ``BTab``, ``Space``, ``C-s``, ``Up``…, or one character each (``q``, ``]``, ``;``)."""
        for key in keys:
            named = [key] if len(key) > 1 else ["-l", key]  # ";" alone would end a tmux command
            self._tmux("send-keys", "-t", "e2e", *named)
            time.sleep(ESCAPE_GAP if key in ("Escape", "Esc") else KEY_GAP)

    def type(self, text: str) -> None:
        """Type ``text`` literally (any Unicode: 上海, spaces, brackets…)."""
        self._tmux("send-keys", "-t", "e2e", "-l", text)
        time.sleep(KEY_GAP)

    def resize(self, width: int, height: int) -> None:
        self._tmux("resize-window", "-t", "e2e", "-x", str(width), "-y", str(height))
        self.size = (width, height)

    # ---- the screen ----------------------------------------------------------------------------
    def screen(self) -> str:
        """What the screen shows now, one line per row (trailing blanks dropped)."""
        return self._tmux("capture-pane", "-p", "-t", "e2e")

    def wait_until(self, ok: Callable[[str], bool], what: str, timeout: float = 10.0) -> str:
        """Read the screen until ``ok(screen)``; the screen then. Fails after ``timeout``
        seconds, or when the command has ended, saying ``what`` was awaited."""
        end = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if ok(shown):
                return shown
            status = self.exit_status()
            if status is not None or time.monotonic() > end:
                why = f"{timeout:g} s passed"
                if status is not None:
                    why = f"kamtui ended (exit status {status})"
                raise TerminalError(f"waited for {what}, but {why}.\n{self.report(shown)}")
            time.sleep(POLL)

    def wait_for(self, *texts: str, timeout: float = 10.0) -> str:
        """Wait until every one of ``texts`` is on the screen; the screen then."""
        return self.wait_until(
            lambda shown: all(t in shown for t in texts),
            " and ".join(repr(t) for t in texts),
            timeout,
        )

    def wait_for_re(self, pattern: str, timeout: float = 10.0) -> re.Match[str]:
        """Wait until ``pattern`` (a regular expression) matches the screen; the match."""
        found: list[re.Match[str]] = []

        def ok(shown: str) -> bool:
            match = re.search(pattern, shown, re.MULTILINE)
            if match:
                found.append(match)
            return match is not None

        self.wait_until(ok, f"/{pattern}/", timeout)
        return found[-1]

    def wait_gone(self, *texts: str, timeout: float = 10.0) -> str:
        """Wait until none of ``texts`` is on the screen any longer."""
        return self.wait_until(
            lambda shown: not any(t in shown for t in texts),
            " and ".join(repr(t) for t in texts) + " to go",
            timeout,
        )

    def report(self, shown: str | None = None) -> str:
        """The screen (and the end of kamtui's log, if it wrote one) for a failure."""
        shown = self.screen() if shown is None else shown
        w, h = self.size
        rule = "─" * w
        out = f"the screen ({w}×{h}):\n{rule}\n{shown.rstrip()}\n{rule}"
        for log in sorted(self.logs.rglob("kamtui.log")) if self.logs else []:
            tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
            out += f"\nkamtui's log ({log}), its end:\n{tail}"
        return out

    # ---- the end -------------------------------------------------------------------------------
    def exit_status(self) -> int | None:
        """The command's exit status once it has ended; None while it runs."""
        if not self.started:
            return None
        dead, status = (
            self._tmux("display-message", "-p", "-t", "e2e", "#{pane_dead} #{pane_dead_status}")
            .strip()
            .partition(" ")[::2]
        )
        return int(status or 0) if dead == "1" else None

    def wait_exit(self, timeout: float = 15.0) -> int:
        """Wait for the command to end; its exit status."""
        end = time.monotonic() + timeout
        while (status := self.exit_status()) is None:
            if time.monotonic() > end:
                raise TerminalError(
                    f"kamtui was still running {timeout:g} s later.\n{self.report()}"
                )
            time.sleep(POLL)
        return status
