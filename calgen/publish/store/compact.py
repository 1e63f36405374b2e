"""Compact JSON as UTF-8 bytes, for the build's machine-read files (manifest parts,
manifest.json, the Gantt page's data).

orjson writes exactly what ``json.dumps(data, ensure_ascii=False, separators=(",", ":"),
sort_keys=…).encode()`` writes for the data these files hold — strings, integers, booleans,
None, lists, tuples and dicts with string keys; tests/test_compact.py checks it by property —
at about five times the speed (measured: a plan's manifest part 0.29 ms → 0.06 ms).  Floats
would differ in spelling (orjson writes 1e16 where json writes 1e+16); these files hold none.
"""
from __future__ import annotations

from typing import Any


def dumps(data: Any, sort_keys: bool = False) -> bytes:
    import orjson

    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS if sort_keys else 0)
