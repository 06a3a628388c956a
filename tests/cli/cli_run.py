"""Running the CLI in-process, as the CLI tests do (not a test module)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from kamtui.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str


def kamtui(capsys: pytest.CaptureFixture[str], *args: object) -> Result:
    """Run the CLI in-process; whatever happens, no traceback reaches the user."""
    try:
        code = main([str(a) for a in args])
    except SystemExit as e:  # argparse: --help, --version, usage errors
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out
    assert "Traceback" not in captured.err
    return Result(code, captured.out, captured.err)
