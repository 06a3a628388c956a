"""Indented JSON, the very text ``json.dumps(value, ensure_ascii=False, indent=2)`` writes,
several times faster.

With an indent the standard library encodes in Python, one generator per container and
one ``isinstance`` chain per value: most of the time of a JSON export of a big book. Here a
value's type picks its encoder in one dictionary look-up (strings by the C
``encode_basestring``), and a container is joined at once. Anything else (a subclass, a
key that is not a string, a value JSON cannot hold) is handed to ``json.dumps`` itself at
its depth, so the text never differs; ``tests/services/test_indented_json.py`` compares
the two.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any

_INFINITY = float("inf")


def _float(x: float) -> str:
    if x != x:
        return "NaN"
    if x == _INFINITY:
        return "Infinity"
    if x == -_INFINITY:
        return "-Infinity"
    return float.__repr__(x)


_SCALARS: dict[type, Callable[[Any], str]] = {
    str: encode_basestring,
    int: int.__repr__,
    float: _float,
    bool: lambda b: "true" if b else "false",
    type(None): lambda _: "null",
}


def indented(value: Any, indent: str = "") -> str:
    """``value`` as ``json.dumps(value, ensure_ascii=False, indent=2)`` writes it, its lines
    after the first indented by ``indent`` (the depth it stands at inside a container)."""
    get = _SCALARS.get
    scalar = get(type(value))
    if scalar is not None:
        return scalar(value)
    kind = type(value)
    inner = indent + "  "
    if kind is dict:
        if not value:
            return "{}"
        keys = _KEYS
        try:
            parts = [
                (keys.get(k) or _key(k))
                + (e(v) if (e := get(type(v))) is not None else indented(v, inner))
                for k, v in value.items()
            ]
        except TypeError:  # a key that is not a string: json.dumps says what it does with it
            pass
        else:
            return "{\n" + inner + (",\n" + inner).join(parts) + "\n" + indent + "}"
    elif kind is list or kind is tuple:
        if not value:
            return "[]"
        items = [e(v) if (e := get(type(v))) is not None else indented(v, inner) for v in value]
        return "[\n" + inner + (",\n" + inner).join(items) + "\n" + indent + "]"
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + indent)


_KEYS: dict[str, str] = {}  # a key as it is written, with its colon: records repeat theirs


def _key(key: str) -> str:
    text = encode_basestring(key) + ": "
    if len(_KEYS) < 1000:
        _KEYS[key] = text
    return text
