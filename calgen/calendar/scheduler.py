"""The one owner of due dates.

Every date calgen publishes comes from a :class:`Scheduler`: a deadline or point rolled onto a
working day, a start rolled forward, each period of a recurring milestone, and the explanation
``calgen resolve`` prints.  extract, build and resolve all call it, so the rules live once.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from types import MappingProxyType

from ..model import Kind, Milestone
from ..settings import Roll
from .workdays import Calendar, Due, weekday

_MONTHS = MappingProxyType({"year": 12, "half": 6, "quarter": 3, "month": 1})


@dataclass(frozen=True)
class Occurrence:
    """One period of a recurring milestone."""

    nominal: dt.date
    due: Due


class Scheduler:
    def __init__(self, calendar: Calendar, roll: Roll = Roll.PRECEDING) -> None:
        self.calendar = calendar
        self.roll = roll

    def policy(self, kind: Kind) -> Roll:
        """A start on a rest day begins on the next working day; deadlines follow the setting."""
        return Roll.FOLLOWING if kind == Kind.START and self.roll == Roll.PRECEDING else self.roll

    def due(self, nominal: dt.date, kind: Kind = Kind.DEADLINE) -> Due:
        return self.calendar.due(nominal, self.policy(kind))

    def schedule(self, m: Milestone, issued: dt.date | None) -> Milestone:
        """``m`` with its due date, flags and note; undated milestones unchanged."""
        if not m.dated or m.nominal is None:
            return m
        due = self.due(m.nominal, m.kind)
        flags = list(due.flags)
        notes = [due.reason] if due.reason else []
        if issued and m.nominal < issued:
            flags.append("before_issue")
            notes.append(f"{m.nominal.isoformat()} is before the plan's issue date {issued.isoformat()}")
        if "estimated" in flags:
            notes.append("估算/estimated: no holiday data for this year, weekends only")
        if "provisional" in flags:
            notes.append("provisional: next year's holiday notice may still move this date")
        return replace(m, due=due.date, note="; ".join(notes), flags=tuple(flags))

    def occurrences(self, m: Milestone, start: dt.date, end: dt.date) -> list[Occurrence]:
        """每季度 → the last day of each quarter from ``start`` to ``end``, on working days."""
        from dateutil.relativedelta import relativedelta
        from dateutil.rrule import MONTHLY, rrule

        months = _MONTHS.get(m.every)
        if not months or m.kind != Kind.RECURRING:
            return []
        out = []
        # Period ends: the last day of every months-th month of the calendar year (3月, 6月, 9月, 12月).
        firsts = rrule(MONTHLY, interval=months, dtstart=dt.datetime(start.year, months, 1),
                       until=dt.datetime.combine(end, dt.time()))
        for first in firsts:
            nominal = (first + relativedelta(months=1, days=-1)).date()
            if start <= nominal <= end:
                out.append(Occurrence(nominal, self.due(nominal)))
        return out

    def explain(self, m: Milestone, issued: dt.date | None) -> str:
        """One milestone as ``calgen resolve`` prints it."""
        if not m.dated or m.nominal is None:
            return (f"{m.phrase}: {m.kind}" + (f", ends {m.nominal}" if m.nominal else "")
                    + " (not a dated milestone)")
        due = self.due(m.nominal, m.kind)
        why = due.reason or f"{m.nominal.isoformat()} is a working day"
        flags = f" [{', '.join(due.flags)}]" if due.flags else ""
        early = " [before the issue date]" if issued and m.nominal < issued else ""
        return (f"{m.phrase}: {m.kind}, nominal {m.nominal.isoformat()} ({weekday(m.nominal)}), "
                f"due {due.date.isoformat()} ({weekday(due.date)}){flags}{early}\n  {why}")
