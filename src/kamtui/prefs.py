"""The rep's own preferences of the app (not of a book): the theme they chose.

Kept as JSON in the user config directory, written to a temporary file and renamed into
place. A file that cannot be read is ignored (the defaults apply); one that cannot be
written is skipped: a preference is never worth an error.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from platformdirs import user_config_path


def prefs_file() -> Path:
    return user_config_path("kamtui", appauthor=False) / "prefs.json"


def load_prefs(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_pref(path: Path, key: str, value: Any) -> bool:
    """Remember one preference; False when the file cannot be written."""
    data = load_prefs(path)
    if data.get(key) == value:
        return True
    data[key] = value
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".prefs-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=2)
        os.replace(tmp, path)
    except OSError:
        return False
    return True
