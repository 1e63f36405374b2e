"""The one owner of due dates.

Every date calgen publishes comes from a :class:`Scheduler`: a deadline or point rolled onto a
working day, a start rolled forward, each period of a recurring milestone, and the explanation
``calgen resolve`` prints.  extract, build and resolve all call it, so the rules live once.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from types import MappingProxyType

from ..errors import CalendarCoverageError
from ..model import Kind, Milestone
from ..records import evolve
from ..settings import Roll
from .workdays import Calendar, Due, weekday

_MONTHS = MappingProxyType({"year": 12, "half": 6, "quarter": 3, "month": 1})


def unconfirmed_note(year: int) -> str:
    return (f"待定：{year}年节假日安排尚未发布，暂按文件所定日期列出；国务院办公厅通知发布后，"
            f"运行 calgen holidays import 通知文件 并重新生成即可确认")


def _in_period(year: int, first_month: int, months: int, anchor: tuple[int, int] | None) -> dt.date:
    """The day a recurring milestone falls on in the period starting ``first_month``: its
    anchor (month of the period, day; 0 = the last; a day past the month's end is its last
    day), else the period's last day."""
    k, day = anchor or (0, 0)
    month = first_month + (k - 1 if k else months - 1)
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day, last) if day else last)


@dataclass(frozen=True)
class Occurrence:
    """One period of a recurring milestone."""

    nominal: dt.date
    due: Due


class Scheduler:
    def __init__(self, calendar: Calendar, roll: Roll = Roll.PRECEDING) -> None:
        self.calendar = calendar
        self.roll = roll
        # (nominal, kind, issued) → the fields schedule() sets: plans repeat their dates
        self._fields: dict[tuple[dt.date, Kind, dt.date | None], dict[str, object]] = {}

    def policy(self, kind: Kind) -> Roll:
        """A start on a rest day begins on the next working day; a point is its own day (the
        plan names that day, nothing is due by it); deadlines follow the setting."""
        if kind == Kind.POINT:
            return Roll.NONE
        return Roll.FOLLOWING if kind == Kind.START and self.roll == Roll.PRECEDING else self.roll

    def due(self, nominal: dt.date, kind: Kind = Kind.DEADLINE) -> Due:
        return self.calendar.due(nominal, self.policy(kind))

    def schedule(self, m: Milestone, issued: dt.date | None) -> Milestone:
        """``m`` with its due date, flags and note; undated milestones unchanged.  A date in a
        year without holiday data keeps its nominal date, flagged ``unconfirmed`` (待定): the
        plan builds, and the next build after ``calgen holidays import`` confirms it."""
        if not m.dated or m.nominal is None:
            return m
        key = (m.nominal, m.kind, issued)
        fields = self._fields.get(key)
        if fields is None:
            fields = self._fields[key] = self._schedule(m.nominal, m.kind, issued)
        return evolve(m, **fields)

    def _schedule(self, nominal: dt.date, kind: Kind, issued: dt.date | None) -> dict[str, object]:
        try:
            due = self.due(nominal, kind)
        except CalendarCoverageError as e:
            return {"due": nominal, "flags": ("unconfirmed",), "note": unconfirmed_note(e.year)}
        flags = list(due.flags)
        notes = [due.reason] if due.reason else []
        if issued and nominal < issued:
            flags.append("before_issue")
            notes.append(f"{nominal.isoformat()} 早于文件印发日期 {issued.isoformat()}")
        if "estimated" in flags:
            notes.append("估算：该年节假日安排尚未公布，仅按周末推算")
        if "provisional" in flags:
            notes.append("暂定：次年节假日安排通知仍可能调整此日期")
        return {"due": due.date, "note": "；".join(notes), "flags": tuple(flags)}

    def occurrences(self, m: Milestone, start: dt.date, end: dt.date) -> list[Occurrence]:
        """每季度 → the last day of each quarter from ``start`` to ``end``, on working days;
        每月10日前 → the 10th of each month; 每年3月底前 → 31 March of each year.  A period in a
        year without holiday data keeps its nominal date, flagged ``unconfirmed`` (待定)."""
        months = _MONTHS.get(m.every)
        if not months or m.kind != Kind.RECURRING:
            return []
        from dateutil.rrule import MONTHLY, rrule

        out = []
        # Periods of the calendar year: every months-th month from January starts one.
        for first in rrule(MONTHLY, interval=months, dtstart=dt.datetime(start.year, 1, 1),
                           until=dt.datetime.combine(end, dt.time())):
            nominal = _in_period(first.year, first.month, months, m.anchor)
            if start <= nominal <= end:
                try:
                    due = self.due(nominal)
                except CalendarCoverageError as e:       # a year without data: 待定, like a deadline
                    due = Due(nominal, unconfirmed_note(e.year), ("unconfirmed",))
                out.append(Occurrence(nominal, due))
        return out

    def explain(self, m: Milestone, issued: dt.date | None) -> str:
        """One milestone as ``calgen resolve`` prints it: kind, span, nominal and due date, and
        the convention it was read by."""
        lines = []
        if m.kind == Kind.RECURRING:
            lines.append(f"{m.phrase}: recurring, every {m.every or '?'}"
                         + (f", on {_anchor_text(m.every, m.anchor)}" if m.anchor else ", at the end of each period")
                         + " (expanded within the plan's horizon)")
        elif not m.dated or m.nominal is None:
            lines.append(f"{m.phrase}: {m.kind}" + (f", ends {m.nominal}" if m.nominal else "")
                         + " (not a dated milestone)")
        else:
            head = f"{m.phrase}: {m.kind}, nominal {m.nominal.isoformat()} ({weekday(m.nominal)}), "
            try:
                due = self.due(m.nominal, m.kind)
                flags = f" [{', '.join(due.flags)}]" if due.flags else ""
                early = " [before the issue date]" if issued and m.nominal < issued else ""
                head += f"due {due.date.isoformat()} ({weekday(due.date)}){flags}{early}"
                why = due.reason or f"{m.nominal.isoformat()} 为工作日"
            except CalendarCoverageError as e:
                head += "due unconfirmed [unconfirmed]"
                why = f"{e.message} — {e.hint}"
            lines.append(head)
            if m.span:
                lines.append(f"  span {m.span[0].isoformat()} – {m.span[1].isoformat()}")
            lines.append(f"  {why}")
        if m.reading:
            lines.append(f"  reading: {m.reading}")
        return "\n".join(lines)


def _anchor_text(every: str, anchor: tuple[int, int]) -> str:
    month, day = anchor
    day_text = f"day {day}" if day else "the last day"
    if every == "month":
        return f"{day_text} of each month"
    which = "its last month" if month == 0 else f"month {month} of it"
    return f"{day_text} of {which}, each {every}"
