"""Feeds written event by event while plans stream through a build.

A national build has tens of thousands of feeds (an agency's, a region's, all.ics) growing at
once; :class:`FeedFiles` keeps at most ``handles`` files open (the least recently written is
closed and reopened for appending when its next event comes) and writes each feed's head
before its first event and its tail when the build closes it.

Two events of one feed never look alike: a summary already used on the same day in the same
feed gets the plan's 文号 (or title), then the UID added — within one plan the worker has
already told tasks and clauses apart (ics.distinct_summaries).  Whether an event needs that
suffix depends on the other plans of the build and the order they are read in, so the suffix
is kept where it was (``told``: per feed, uid → [extra SEQUENCE, suffix], in the manifest): an
event that had one keeps it, whatever the order or the other plans; when an event gets one
for the first time, its SEQUENCE in that feed rises by one more, so a client that compares
SEQUENCE takes the new SUMMARY.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, BinaryIO

from ..docwork import Item
from ..store.generations import Stage
from . import ics

_UID = re.compile(rb"\r\nUID:([^\r\n]+)")
_SEQUENCE = re.compile(rb"\r\nSEQUENCE:(\d+)")


class FeedFiles:
    def __init__(self, stage: Stage, alarms: tuple[dt.timedelta, ...] = (), handles: int = 512,
                 told: Mapping[str, Mapping[str, list[Any]]] | None = None) -> None:
        self.stage, self.alarms, self.handles = stage, alarms, handles
        self._told = told or {}
        self.told: dict[str, dict[str, list[Any]]] = {}          # this build's, for the manifest
        self.sizes: dict[str, int] = {}
        self._open: OrderedDict[str, BinaryIO] = OrderedDict()
        self._seen: dict[str, set[int]] = {}

    def __contains__(self, rel: str) -> bool:
        return rel in self.sizes

    def start(self, rel: str, name: str, description: str) -> None:
        """Begin a feed (its head) if it has not begun."""
        if rel in self.sizes:
            return
        head = ics.head(name, description)
        self._file(rel, new=True).write(head)
        self.sizes[rel] = len(head)
        self._seen[rel] = set()

    def events(self, rel: str, items: list[Item]) -> None:
        """Append events to a begun feed."""
        seen = self._seen[rel]
        before = self._told.get(rel, {})
        parts = []
        for uid, seq, title, due, tell, body, whole in items:
            key, added = hash((title, due)), ""
            was = before.get(uid)
            if was and was[1] and hash((title + was[1], due)) not in seen:
                added = str(was[1])                                   # a suffix stays where it was
                key = hash((title + added, due))
            elif key in seen:
                added = tell
                key = hash((title + added, due))
                if key in seen:
                    added += f"#{uid[:6]}"
                    key = hash((title + added, due))
            if added or was:
                extra = (int(was[0]) if was else 0) + ((str(was[1]) if was else "") != added)
                self.told.setdefault(rel, {})[uid] = [extra, added]
                if added or extra:
                    whole = ics.assemble(uid, seq + extra, title + added, body, self.alarms)
            seen.add(key)
            parts.append(whole)
        self.raw(rel, b"".join(parts))

    def cancel(self, rel: str, blob: bytes) -> None:
        """A cancelled event (ics.cancelled_event), its SEQUENCE raised by what a 文号 suffix added
        in this feed, so the cancellation is never older than what subscribers hold."""
        told = self._told.get(rel)
        if told:
            m = _UID.search(blob)
            record = told.get(m.group(1).decode()) if m else None
            if record and record[0]:
                blob = _SEQUENCE.sub(lambda s: b"\r\nSEQUENCE:%d" % (int(s.group(1)) + int(record[0])), blob, count=1)
        self.raw(rel, blob)

    def raw(self, rel: str, data: bytes) -> None:
        self._file(rel).write(data)
        self.sizes[rel] += len(data)

    def finish(self, rel: str, tail: bytes = b"") -> None:
        self.raw(rel, tail + ics.END)
        fh = self._open.pop(rel, None)
        if fh is not None:
            fh.close()
        self._seen.pop(rel, None)

    def drop(self, rel: str) -> None:
        fh = self._open.pop(rel, None)
        if fh is not None:
            fh.close()
        self.stage.drop(rel)
        self.sizes.pop(rel, None)
        self._seen.pop(rel, None)

    def open_feeds(self) -> list[str]:
        return list(self._seen)

    def close(self) -> None:
        for fh in self._open.values():
            fh.close()
        self._open.clear()
        for rel, events in self._told.items():     # events not in this build keep their record
            now = self.told.setdefault(rel, {})
            for uid, record in events.items():
                now.setdefault(uid, list(record))

    def _file(self, rel: str, new: bool = False) -> BinaryIO:
        fh = self._open.get(rel)
        if fh is not None:
            self._open.move_to_end(rel)
            return fh
        if len(self._open) >= self.handles:
            _, oldest = self._open.popitem(last=False)
            oldest.close()
        fh = self.stage.open(rel, "wb" if new else "ab")
        self._open[rel] = fh
        return fh

