"""Dependencies point one way: ui/cli → services → store, domain; the domain is pure."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "kamtui"

FORBIDDEN: dict[str, tuple[str, ...]] = {
    "domain": ("kamtui.store", "kamtui.services", "kamtui.ui", "kamtui.cli", "kamtui.config",
               "sqlalchemy", "sqlmodel", "sqlite3", "textual", "rich"),
    "store": ("kamtui.services", "kamtui.ui", "kamtui.cli", "textual"),
    "services": ("kamtui.ui", "kamtui.cli", "textual"),
    "ui": ("kamtui.store", "sqlalchemy", "sqlmodel", "sqlite3", "kamtui.cli"),
}  # fmt: skip


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules(layer: str) -> list[Path]:
    return sorted((SRC / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_what_it_may(layer: str) -> None:
    assert modules(layer), f"no modules found in {layer}"
    bad = []
    for path in modules(layer):
        for name in imports(path):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[layer]):
                bad.append(f"{path.relative_to(SRC)} imports {name}")
    assert not bad, "\n".join(bad)


def test_no_rule_reads_the_clock() -> None:
    offenders = [
        str(p.relative_to(SRC))
        for p in [*modules("domain"), SRC / "config.py", *modules("services"), *modules("store")]
        if "date.today(" in p.read_text(encoding="utf-8")
        or "datetime.now(" in p.read_text(encoding="utf-8")
    ]
    # the backup file name's timestamp and the time a change is recorded at (the history's
    # "when", which a test sets through ``Book.clock``) are the only clock reads below the CLI
    assert sorted(offenders) == ["services/history.py", "store/db.py"]
    assert "date.today(" not in (SRC / "services" / "history.py").read_text(encoding="utf-8")
    assert "date.today(" not in (SRC / "store" / "db.py").read_text(encoding="utf-8")
