"""The consolidated Gantt CSV, and each task's span (shared by gantt.xml, .xlsx and .html).

The CSV is UTF-8 with a BOM so Windows Excel shows Chinese, and
text cells that a spreadsheet would run as a formula are neutralised (OWASP CSV injection).
Columns keep MS Project's import names where one exists: ``Resource Names`` lists the lead
agencies separated by commas, as MS Project reads several resources.  There is no Duration
column — MS Project would read it in its own calendar's working days; ``Calendar Days`` (start
to finish, both counted) is there for scripts, and gantt.xml carries the Chinese calendar.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import MappingProxyType
from typing import BinaryIO

from ...calendar.workdays import Calendar
from ...model import Document, Task

COLUMNS = ("ID", "WBS", "Outline Level", "Name", "Start", "Finish", "Calendar Days", "Milestone",
           "Resource Names", "Responsible", "Support", "Document", "Phrase", "Nominal", "Due",
           "Notes", "Task ID")
# What a milestone's flags mean, as the CSV and the page show them.
FLAG_CN = MappingProxyType({"estimated": "估算", "provisional": "暂定", "unconfirmed": "待定",
                            "before_issue": "早于印发日期"})
_TEXT = ("Name", "Resource Names", "Responsible", "Support", "Document", "Phrase", "Notes")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """A leading = + - @ tab or CR makes Excel evaluate the cell; a leading ' stops it."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def row_count(doc: Document) -> int:
    """How many gantt.csv rows a plan takes: one per task and one per dated milestone (what
    :func:`doc_rows` writes; the build numbers plans' first rows with it)."""
    return sum(1 + sum(1 for m in t.milestones if m.dated and m.due and m.nominal) for t in doc.tasks)


def doc_rows(doc: Document, ordinal: int, first_id: int, calendar: Calendar) -> list[list[dict]]:
    """One plan's rows, a task with its milestones per group (a group is never split between
    two CSV parts); ``ordinal`` is the plan's WBS number, ``first_id`` its first row's ID."""
    out: list[list[dict]] = []
    n = first_id
    for ti, task in enumerate(doc.tasks, 1):
        wbs = f"{ordinal}.{ti}"
        group = [_task_row(doc, task, wbs, n, calendar)]
        for mi, m in enumerate((m for m in task.milestones if m.dated and m.due and m.nominal), 1):
            assert m.due and m.nominal
            group.append({
                "ID": n + mi, "WBS": f"{wbs}.{mi}", "Outline Level": 2,
                "Name": f"{m.phrase}：{m.clause}" if m.clause else m.phrase,
                "Start": m.due.isoformat(), "Finish": m.due.isoformat(), "Calendar Days": 0,
                "Milestone": "Yes", "Resource Names": _resources(task.lead),
                "Responsible": _names(task.responsible), "Support": _names(task.support),
                "Document": doc.doc_number or doc.name, "Phrase": m.phrase,
                "Nominal": m.nominal.isoformat(), "Due": m.due.isoformat(), "Notes": m.note,
                "Task ID": task.id,
            })
        n += len(group)
        out.append(group)
    return out


def span(doc: Document, task: Task) -> tuple[dt.date | None, dt.date | None, list[str]]:
    """(start, finish, notes) of a task: from its start milestone, the start of a span it names
    (前三季度, 4月至6月) or the issue date, to its last due date; no dates when it has no dated
    milestone."""
    dated = [m for m in task.milestones if m.dated and m.due]
    starts = [m.due for m in dated if m.kind == "start" and m.due]
    starts += [max(m.span[0], doc.issued) if doc.issued else m.span[0] for m in dated if m.span]
    ends = [m.due for m in dated if m.kind != "start" and m.due] or starts
    start = min(starts) if starts else doc.issued
    finish = max(ends) if ends else None
    notes = []
    if start and finish and finish < start:
        notes.append(f"截止日期 {finish.isoformat()} 早于计划开始日期 {start.isoformat()}")
        start = finish
    if not finish:
        notes.append("无具体日期")
        start = None
    flags = sorted({f for m in dated for f in m.flags})
    if flags:
        notes.append("标记：" + "、".join(FLAG_CN.get(f, f) for f in flags))
    return start, finish, notes


def _task_row(doc: Document, task: Task, wbs: str, row_id: int, calendar: Calendar) -> dict:
    start, finish, notes = span(doc, task)
    return {
        "ID": row_id, "WBS": wbs, "Outline Level": 1, "Name": task.title or " ".join(task.path),
        "Start": start.isoformat() if start else "", "Finish": finish.isoformat() if finish else "",
        "Calendar Days": (finish - start).days + 1 if start and finish else "",
        "Milestone": "No", "Resource Names": _resources(task.lead),
        "Responsible": _names(task.responsible), "Support": _names(task.support),
        "Document": doc.doc_number or doc.name, "Phrase": "", "Nominal": "", "Due": "",
        "Notes": "; ".join(notes), "Task ID": task.id,
    }


def _names(agencies) -> str:
    return "、".join(a.name for a in agencies)


def _resources(agencies) -> str:
    """MS Project's Resource Names: several resources separated by the list separator (a comma)."""
    return ",".join(a.name.replace(",", "，") for a in agencies)


EXCEL_ROWS = 1_048_576           # a worksheet's rows, the header included
HEADER = "\ufeff" + ",".join(COLUMNS) + "\r\n"


def group_bytes(groups: list[list[dict]]) -> list[tuple[int, bytes]]:
    """Each group of rows as CSV lines (the csv module: a DataFrame per plan costs ~1 ms more
    than the rows themselves, at 20,000 plans half a minute); one writer for all the groups,
    its lines collected per group."""
    import csv

    lines: list[str] = []
    sink = _Sink(lines)
    writer = csv.writer(sink, lineterminator="\r\n")
    text = [c in _TEXT for c in COLUMNS]
    out = []
    for group in groups:
        writer.writerows([neutralise(str(row[c] or "")) if t else row[c] for c, t in zip(COLUMNS, text, strict=True)]
                         for row in group)
        out.append((len(group), "".join(lines).encode("utf-8")))
        lines.clear()
    return out


class _Sink:
    """A file-like ``write`` that collects what the csv writer writes."""

    def __init__(self, lines: list[str]) -> None:
        self.write = lines.append


class CsvParts:
    """``gantt.csv`` written group by group, and ``gantt-2.csv`` … begun before a part would
    pass what Excel opens (each part with the header; a task stays with its milestones)."""

    def __init__(self, open_part: Callable[[str], BinaryIO], max_rows: int = EXCEL_ROWS - 1) -> None:
        self.open_part, self.max_rows = open_part, max_rows
        self.names: list[str] = []
        self._fh: BinaryIO | None = None
        self._rows = 0

    def add(self, rows: int, data: bytes) -> None:
        if self._fh is None or (self._rows and self._rows + rows > self.max_rows):
            self._next()
        assert self._fh is not None
        self._fh.write(data)
        self._rows += rows

    def _next(self) -> None:
        if self._fh is not None:
            self._fh.close()
        name = "gantt.csv" if not self.names else f"gantt-{len(self.names) + 1}.csv"
        self.names.append(name)
        self._fh = self.open_part(name)
        self._fh.write(HEADER.encode("utf-8"))
        self._rows = 0

    def close(self) -> list[str]:
        if self._fh is None:
            self._next()
        assert self._fh is not None
        self._fh.close()
        return self.names
