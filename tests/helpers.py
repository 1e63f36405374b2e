"""Helpers only the tests use: whole-corpus views built from the functions the build itself
calls (so a test of them tests the build's own path), and reference implementations the fast
paths are compared with."""
from __future__ import annotations

import datetime as dt
import io
from typing import BinaryIO

from calgen.calendar.workdays import Calendar
from calgen.extract import outline
from calgen.model import Agency, Document
from calgen.publish.feeds.events import CalEvent
from calgen.publish.feeds.ics import END, PRODID, TTL, calname
from calgen.publish.gantt.csv import EXCEL_ROWS, CsvParts, doc_rows, group_bytes, row_count


def first_rows(docs: list[Document]) -> list[int]:
    """Each published plan's first gantt.csv row ID, numbered as the build numbers them."""
    out, n = [], 1
    for doc in docs:
        out.append(n)
        n += row_count(doc)
    return out


def rows(docs: list[Document], calendar: Calendar) -> list[dict]:
    """gantt.csv's rows of ``docs`` as dicts."""
    plans = [d for d in docs if not d.duplicate_of]
    return [row for i, (doc, first) in enumerate(zip(plans, first_rows(plans)), 1)
            for group in doc_rows(doc, i, first, calendar) for row in group]


def csv_parts(docs: list[Document], calendar: Calendar, max_rows: int = EXCEL_ROWS - 1) -> list[tuple[str, bytes]]:
    """The CSV parts of ``docs`` in memory, through the build's CsvParts."""
    files: dict[str, io.BytesIO] = {}

    class _Kept(io.BytesIO):
        def close(self) -> None:            # keep the bytes readable after the part is done
            pass

    def opener(name: str) -> BinaryIO:
        files[name] = _Kept()
        return files[name]

    parts = CsvParts(opener, max_rows)
    plans = [d for d in docs if not d.duplicate_of]
    for i, (doc, first) in enumerate(zip(plans, first_rows(plans)), 1):
        for rows_, data in group_bytes(doc_rows(doc, i, first, calendar)):
            parts.add(rows_, data)
    return [(name, files[name].getvalue()) for name in parts.close()]


def leaves(roots: list[outline.Item]) -> list[outline.Item]:
    """The innermost numbered items."""
    return outline.task_items(roots, lambda _text: False)


def agencies_of(evs: list[CalEvent]) -> dict[str, Agency]:
    """Every concrete agency (not a group) named by a task with events, by name."""
    found: dict[str, Agency] = {}
    for ev in evs:
        for _, a in ev.task.agencies():
            if not a.is_group:
                found.setdefault(a.name, a)
    return found


def head_icalendar(name: str, description: str) -> bytes:
    """What icalendar writes for a feed's head (the reference ics.head is checked against)."""
    from icalendar import Calendar as ICalendar

    cal = ICalendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", calname(name))
    cal.add("x-wr-caldesc", description)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    cal.add("refresh-interval", dt.timedelta(hours=12), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", TTL)
    out = cal.to_ical()
    assert out.endswith(END)
    return out[: -len(END)]
