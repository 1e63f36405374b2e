"""Feeds written event by event while plans stream through a build.

A national build has tens of thousands of feeds (an agency's, a region's, all.ics) growing at
once; :class:`FeedFiles` keeps at most ``handles`` files open (the least recently written is
closed and reopened for appending when its next event comes) and writes each feed's head
before its first event and its tail when the build closes it.

Two events of one feed never look alike: a summary already used on the same day in the same
feed gets the plan's 文号 (or title), then the UID added — within one plan the worker has
already told tasks and clauses apart (ics.distinct_summaries).
"""
from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import BinaryIO

from ..docwork import Item
from ..store.generations import Stage
from . import ics


class FeedFiles:
    def __init__(self, stage: Stage, alarms: tuple[dt.timedelta, ...] = (), handles: int = 512) -> None:
        self.stage, self.alarms, self.handles = stage, alarms, handles
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
        parts = []
        for uid, seq, title, due, tell, body, whole in items:
            key = hash((title, due))
            if key in seen:
                title += tell
                key = hash((title, due))
                if key in seen:
                    title += f"#{uid[:6]}"
                    key = hash((title, due))
                whole = ics.assemble(uid, seq, title, body, self.alarms)
            seen.add(key)
            parts.append(whole)
        self.raw(rel, b"".join(parts))

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

