"""Documents → calendar events: one per dated milestone, recurring ones expanded.

Events are plain data (no icalendar here) so that the feed writer, the manifest and the change
report all see the same thing.  A UID depends on what a milestone *is* (document, task path,
phrase and its occurrence), never on its date, so a moved deadline keeps its UID.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType

from ...calendar.scheduler import Scheduler
from ...model import ROLES, Agency, Document, Milestone, Role, Task

ROLE_CN = MappingProxyType({Role.LEAD: "牵头", Role.RESPONSIBLE: "负责", Role.SUPPORT: "配合"})


@dataclass(frozen=True)
class CalEvent:
    uid: str
    due: dt.date
    nominal: dt.date
    kind: str
    phrase: str
    clause: str
    note: str
    flags: tuple[str, ...]
    task: Task
    doc: Document
    key: str = ""         # what the event is (document, task path, phrase, occurrence): see identity.py

    @property
    def fingerprint(self) -> str:
        """What subscribers see; a change bumps SEQUENCE."""
        raw = "|".join([self.due.isoformat(), self.phrase, self.clause, self.task.title, self.note,
                        ",".join(a.name for _, a in self.task.agencies())])
        return hashlib.sha1(raw.encode()).hexdigest()[:16]

    @property
    def look(self) -> str:
        """What the event's SUMMARY and DESCRIPTION show (the fingerprint and the task's words,
        roles, flags and plan): a change in any bumps SEQUENCE — all but the task's number, which
        shifts when a task is inserted above it; that is not a change to this task."""
        t, d = self.task, self.doc
        raw = "|".join([self.fingerprint, self.nominal.isoformat(), ",".join(self.flags),
                        t.text[:600], ";".join(f"{r}:{a.name}" for r, a in t.agencies()), d.label,
                        d.doc_number or ""])
        return hashlib.sha1(raw.encode()).hexdigest()[:16]

    def roles_of(self, agency: Agency) -> list[Role]:
        name, task = agency.name, self.task
        return [role for role in ROLES for a in getattr(task, role) if a.name == name]


def doc_key(doc: Document) -> str:
    return doc.doc_number or doc.content_hash[:16]


def events(docs: list[Document], scheduler: Scheduler) -> list[CalEvent]:
    out: list[CalEvent] = []
    for doc in docs:
        if doc.duplicate_of:
            continue
        for task in doc.tasks:
            recurs: set[tuple[str, tuple[int, int] | None]] = set()
            horizon = _horizon(doc, task)
            for m, base in zip(task.milestones, milestone_keys(doc, task), strict=True):
                if m.dated and m.due and m.nominal:
                    out.append(_event(base, m, m.due, m.nominal, m.note, m.flags, task, doc))
                elif m.kind == "recurring" and horizon and (m.every, m.anchor) not in recurs:
                    recurs.add((m.every, m.anchor))     # 每月调度、每月通报: one series, not two
                    out.extend(_expand(base, m, task, doc, horizon, scheduler))
    return out


def milestone_keys(doc: Document, task: Task) -> list[str]:
    """What each of a task's milestones is (document, task path, kind, phrase and its
    occurrence): the key of its event, and how the Gantt outputs find a milestone's status."""
    seen: dict[str, int] = {}
    out = []
    for m in task.milestones:
        n = seen.get(m.phrase, 0)
        seen[m.phrase] = n + 1
        out.append(f"{doc_key(doc)}|{'/'.join(task.path)}|{m.kind}|{m.phrase}|{n}")
    return out


def _event(base: str, m: Milestone, due: dt.date, nominal: dt.date, note: str, flags: Iterable[str],
           task: Task, doc: Document) -> CalEvent:
    uid = hashlib.sha1(base.encode()).hexdigest()[:20] + "@calgen"
    return CalEvent(uid, due, nominal, m.kind, m.phrase, m.clause, note, tuple(flags), task, doc, base)


def _horizon(doc: Document, task: Task) -> tuple[dt.date, dt.date] | None:
    """Where a task's recurring milestones are expanded: from the issue date (or 1 January of
    the plan year) to the end of the plan year, or to the task's own last deadline when it
    states a later one.  A plan's 每季度 is four reports a year, never more because another
    task of the plan runs to 2025."""
    if not doc.plan_year:
        return None
    start = doc.issued or dt.date(doc.plan_year, 1, 1)
    end = dt.date(doc.plan_year, 12, 31)
    last = max((m.nominal for m in task.milestones if m.dated and m.nominal), default=None)
    if last and last > end:
        end = last
    return (start, end) if start <= end else None


def _expand(base: str, m: Milestone, task: Task, doc: Document,
            horizon: tuple[dt.date, dt.date], scheduler: Scheduler) -> list[CalEvent]:
    """每季度 → one event per period in the horizon (the scheduler decides the dates)."""
    out = []
    for occ in scheduler.occurrences(m, *horizon):
        note = f"{m.phrase}：本期截至 {occ.nominal.isoformat()}" + (f"；{occ.due.reason}" if occ.due.reason else "")
        out.append(_event(f"{base}|{occ.nominal.isoformat()}", m, occ.due.date, occ.nominal, note,
                          occ.due.flags, task, doc))
    return out
