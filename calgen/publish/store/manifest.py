"""The previous build's manifest, read and checked before anything relies on it.

A manifest that is not what calgen writes (damaged, hand-edited, from another tool) is set aside
with one warning and the build goes on as a first build for identities and SEQUENCE; it is
never a traceback.  The check is a small schema: the shape of every part the next build reads.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
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
    for key in ("owners", "plan_owners", "region_owners"):
        table = data.get(key, {})
        if not isinstance(table, dict):
            return f"'{key}' is not an object"
        for name, slug in table.items():
            if not isinstance(slug, str) or not _SAFE_NAME.fullmatch(slug):
                return f"{key}[{name!r}] is not a feed file name ({slug!r})"     # never a path: ../../x
    for key in ("aliases", "region_aliases"):
        table = data.get(key, {})
        if not isinstance(table, dict):
            return f"'{key}' is not an object"
        for slug, name in table.items():
            if not _SAFE_NAME.fullmatch(slug) or not isinstance(name, str):
                return f"{key}[{slug!r}] is not a feed file name"
    told = data.get("told", {})
    if not isinstance(told, dict) or not all(
            isinstance(events, dict) and all(isinstance(v, list) and len(v) == 2 and isinstance(v[0], int)
                                             and not isinstance(v[0], bool) and v[0] >= 0 and isinstance(v[1], str)
                                             for v in events.values()) for events in told.values()):
        return "'told' is not a table of feeds, events and [SEQUENCE added, suffix]"
    for slug, info in data.get("feeds", {}).items():
        if not _SAFE_NAME.fullmatch(slug):
            return f"feeds[{slug!r}] is not a feed file name"
        if not isinstance(info, dict) or not isinstance(info.get("name"), str):
            return f"feeds[{slug!r}] lacks a name"
    for uid, value in data.get("retired", {}).items():
        seq = value[0] if isinstance(value, list) and value else value
        if not isinstance(seq, int) or isinstance(seq, bool):
            return f"retired[{uid!r}] is not a SEQUENCE"
    if data.get("format", 0) >= 3:
        for source, entry in data.get("documents", {}).items():
            if not isinstance(entry, dict) or not isinstance(entry.get("part", ""), str) \
                    or not isinstance(entry.get("agencies", []), list):
                return f"documents[{source!r}] is not an index entry"
            if entry.get("part") and not _SAFE_NAME.fullmatch(entry["part"]):
                return f"documents[{source!r}].part is not a part file name ({entry['part']!r})"
        return ""
    for source, doc in data.get("documents", {}).items():
        try:
            doc_from_data(doc)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
            return f"documents[{source!r}] cannot be read ({type(e).__name__}: {e})"
    return ""


PARTS = "manifest"            # the folder of per-plan parts beside manifest.json
# a file name taken from a manifest: letters, digits, - _ . — no separator, no leading dot, so
# no name read back can reach outside the output folder (validated like any user input)
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,150}")


class Previous:
    """The last build as the next one reads it: the manifest's shared part (owners, feeds,
    retired SEQUENCEs, the holiday overlay, one index entry per published plan), and each
    plan's own part — its document and its events — read only when that plan needs it.

    Format 3 keeps each plan's part in ``manifest/<hash>.json``; a format-2 manifest (one file,
    every document and event inside) is read the same way, its parts made in memory.
    """

    def __init__(self, data: dict[str, Any], folder: Path | None = None) -> None:
        self.data = data
        self.folder = folder
        self._inline: dict[str, dict[str, Any]] = {}
        if data and data.get("format", 0) < 3:
            self._from_format_2(data)

    def __bool__(self) -> bool:
        return bool(self.data)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    @property
    def documents(self) -> dict[str, dict[str, Any]]:
        """source → {hash, dockey, part, agencies, tasks}"""
        docs: dict[str, dict[str, Any]] = self.data.get("documents", {})
        return docs

    def ref(self, source: str) -> str | dict[str, Any] | None:
        """What a worker reads this plan's part from: a file path, or the part itself."""
        if source in self._inline:
            return self._inline[source]
        entry = self.documents.get(source)
        if not entry or not entry.get("part") or self.folder is None:
            return None
        return str(self.folder / PARTS / entry["part"])

    def part(self, source: str) -> dict[str, Any] | None:
        """This plan's part ({document, events}), or None when it cannot be read."""
        ref = self.ref(source)
        if ref is None or isinstance(ref, dict):
            return ref
        try:
            data = json.loads(Path(ref).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and isinstance(data.get("events"), dict) else None

    def _from_format_2(self, data: dict[str, Any]) -> None:
        events: dict[str, dict[str, Any]] = defaultdict(dict)
        for uid, r in data.get("events", {}).items():
            events[r.get("doc", "")][uid] = r
        index = {}
        for source, doc in data.get("documents", {}).items():
            evs = events.get(source, {})
            self._inline[source] = {"document": doc, "events": evs}
            index[source] = {"hash": data.get("inputs", {}).get(source, doc.get("content_hash", "")),
                             "dockey": doc.get("doc_number") or doc.get("content_hash", "")[:16], "part": "",
                             "agencies": sorted({n for r in evs.values() for n in r.get("agencies", ())}),
                             "tasks": len(doc.get("tasks", ()))}
        retired = dict(data.get("retired", {}))
        for uid, r in data.get("events", {}).items():       # shown cancelled once: retired now
            if r.get("cancelled"):
                seq = retired.get(uid, [0])
                seq = seq[0] if isinstance(seq, list) else seq
                retired[uid] = [max(seq, r["sequence"]), r.get("key", "")]
        self.data = {**data, "documents": index, "retired": retired}
