"""The previous build's manifest, read and checked before anything relies on it.

A manifest that is not what calgen writes (damaged, hand-edited, from another tool) is set aside
with one warning and the build goes on as a first build for identities and SEQUENCE; it is
never a traceback.  The check is a small schema: the shape of every part the next build reads.
"""
from __future__ import annotations

import json
from types import MappingProxyType
from typing import Any

from .state import doc_from_data

# key → (type, shape of each value) for the parts a build reads
_EVENT = MappingProxyType({"due": str, "sequence": int, "summary": str, "fingerprint": str})
_OVERLAY = MappingProxyType({"sequence": int, "fingerprint": str, "start": str, "summary": str})


def load(raw: bytes | None) -> tuple[dict[str, Any], str]:
    """(manifest, problem): the manifest when it is sound, else ({}, what is wrong)."""
    if raw is None:
        return {}, ""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        return {}, f"not JSON ({e})"
    problem = check(data)
    return ({}, problem) if problem else (data, "")


def check(data: Any) -> str:
    """What is wrong with ``data`` as a manifest ('' when nothing)."""
    if not isinstance(data, dict):
        return f"a {type(data).__name__}, not an object"
    for key in ("events", "overlay", "owners", "feeds", "retired", "documents", "inputs"):
        if key in data and not isinstance(data[key], dict):
            return f"'{key}' is not an object"
    for part, shape in (("events", _EVENT), ("overlay", _OVERLAY)):
        for key, value in data.get(part, {}).items():
            if not isinstance(value, dict):
                return f"{part}[{key!r}] is not an object"
            for field, kind in shape.items():
                if not isinstance(value.get(field), kind) or isinstance(value.get(field), bool):
                    return f"{part}[{key!r}].{field} is missing or not a {kind.__name__}"
            if value["sequence"] < 0:
                return f"{part}[{key!r}].sequence is negative"
    for name, slug in data.get("owners", {}).items():
        if not isinstance(slug, str) or not slug:
            return f"owners[{name!r}] is not a file name"
    for slug, info in data.get("feeds", {}).items():
        if not isinstance(info, dict) or not isinstance(info.get("name"), str):
            return f"feeds[{slug!r}] lacks a name"
    for uid, value in data.get("retired", {}).items():
        seq = value[0] if isinstance(value, list) and value else value
        if not isinstance(seq, int) or isinstance(seq, bool):
            return f"retired[{uid!r}] is not a SEQUENCE"
    for source, doc in data.get("documents", {}).items():
        try:
            doc_from_data(doc)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
            return f"documents[{source!r}] cannot be read ({type(e).__name__}: {e})"
    return ""
