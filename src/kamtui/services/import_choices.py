"""What an import can be asked for: the kinds of file and the encodings of a CSV file.

Kept apart from ``importer`` and ``reading`` (which load SQLAlchemy, the domain's parsers,
``csv`` and ``zipfile``) so that the command line can offer them as choices, and answer
``kamtui --version`` or ``--help``, without loading any of those. Both modules take their
constants from here; ``importer.KINDS`` and ``reading.ENCODINGS`` stay their names.
"""

from __future__ import annotations

KINDS: tuple[str, ...] = (
    "accounts", "contacts", "deals", "interactions", "orders", "invoices", "tickets", "usage",
)  # fmt: skip
ENCODINGS: tuple[str, ...] = ("auto", "utf-8", "gb18030")
