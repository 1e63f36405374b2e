"""Documents → calendar events: one per dated milestone, recurring ones expanded.

Events are plain data (no icalendar here) so that the feed writer, the manifest and the change
report all see the same thing.  A UID depends on what a milestone *is* (document, task path,
phrase and its occurrence), never on its date, so a moved deadline keeps its UID.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from .model import Agency, Document, Milestone, Task
from .workdays import calendar

ROLE_CN = {"lead": "牵头", "responsible": "负责", "support": "配合"}


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

    @property
    def fingerprint(self) -> str:
        """What subscribers see; a change bumps SEQUENCE."""
        raw = "|".join([self.due.isoformat(), self.phrase, self.clause, self.task.title, self.note,
                        ",".join(a.name for _, a in self.task.agencies())])
        return hashlib.sha1(raw.encode()).hexdigest()[:16]

    def roles_of(self, agency: Agency) -> list[str]:
        return [role for role, a in self.task.agencies() if a.name == agency.name]


def doc_key(doc: Document) -> str:
    return doc.doc_number or doc.content_hash[:16]


def events(docs: list[Document], roll: str = "preceding") -> list[CalEvent]:
    out: list[CalEvent] = []
    for doc in docs:
        if doc.duplicate_of:
            continue
        horizon = _horizon(doc)
        for task in doc.tasks:
            seen: dict[str, int] = {}
            for m in task.milestones:
                n = seen.get(m.phrase, 0)
                seen[m.phrase] = n + 1
                base = f"{doc_key(doc)}|{'/'.join(task.path)}|{m.kind}|{m.phrase}|{n}"
                if m.dated and m.due:
                    out.append(_event(base, m, m.due, m.nominal, m.note, m.flags, task, doc))
                elif m.kind == "recurring" and horizon:
                    out.extend(_expand(base, m, task, doc, horizon, roll))
    return out


def _event(base: str, m: Milestone, due, nominal, note, flags, task, doc) -> CalEvent:
    uid = hashlib.sha1(base.encode()).hexdigest()[:20] + "@calgen"
    return CalEvent(uid, due, nominal, m.kind, m.phrase, m.clause, note, tuple(flags), task, doc)


def _horizon(doc: Document) -> tuple[dt.date, dt.date] | None:
    """From the issue date (or 1 January) to the end of the plan year or its last milestone."""
    if not doc.plan_year:
        return None
    start = doc.issued or dt.date(doc.plan_year, 1, 1)
    last = max((m.nominal for t in doc.tasks for m in t.milestones if m.dated), default=None)
    end = dt.date(doc.plan_year, 12, 31)
    if last and last > end:
        end = dt.date(last.year, 12, 31)
    return start, end


def _expand(base: str, m: Milestone, task: Task, doc: Document,
            horizon: tuple[dt.date, dt.date], roll: str) -> list[CalEvent]:
    """每季度 → the last day of each quarter in the horizon, rolled onto a working day."""
    from dateutil.relativedelta import relativedelta
    from dateutil.rrule import MONTHLY, rrule

    months = {"year": 12, "half": 6, "quarter": 3, "month": 1}.get(m.every)
    if not months:
        return []
    start, end = horizon
    cal = calendar()
    out = []
    # Period ends: the last day of every months-th month of the calendar year (3月, 6月, 9月, 12月).
    firsts = rrule(MONTHLY, interval=months, dtstart=dt.datetime(start.year, months, 1),
                   until=dt.datetime.combine(end, dt.time()))
    for first in firsts:
        nominal = (first + relativedelta(months=1, days=-1)).date()
        if start <= nominal <= end:
            due = cal.due(nominal, roll)
            note = f"{m.phrase}：本期截至 {nominal.isoformat()}" + (f"; {due.reason}" if due.reason else "")
            out.append(_event(f"{base}|{nominal.isoformat()}", m, due.date, nominal, note, due.flags,
                              task, doc))
    return out


def agencies_of(evs: list[CalEvent]) -> dict[str, Agency]:
    """Every concrete agency (not a group) named by a task with events, keyed by slug."""
    found: dict[str, Agency] = {}
    for ev in evs:
        for _, a in ev.task.agencies():
            if not a.is_group:
                found.setdefault(a.name, a)
    return unique_slugs(found.values())


def unique_slugs(agencies) -> dict[str, Agency]:
    """Slug → agency; homophones (same pinyin) get -2, -3 in name order."""
    out: dict[str, Agency] = {}
    for a in sorted(agencies, key=lambda a: a.name):
        slug, n = a.slug, 1
        while slug in out:
            n += 1
            slug = f"{a.slug}-{n}"
        out[slug] = a
    return out
