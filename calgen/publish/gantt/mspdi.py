"""``gantt.xml``: the build as one MS Project XML (MSPDI) project, which MS Project, ProjectLibre
and GanttProject open directly.

* One project per build: plan → section → task → milestone (OutlineLevel 1–4, WBS 1.2.3.1).
  Plans, sections and tasks with milestones are summary tasks; milestones are zero-duration
  tasks on their due dates; a task without any date sits at its plan's issue date, marked
  Estimated, with 无具体日期 in its notes.
* Every task is manually scheduled with the start and finish calgen worked out, so MS Project
  shows calgen's dates instead of re-planning them.
* The project calendar 中国工作日 (Monday–Friday, 08:00–12:00 and 13:00–17:00) has the State
  Council rest days as non-working exceptions and the 调休 makeup days as working exceptions for
  every year the build touches, so a duration means the same working days in MS Project as in
  calgen (2018年底前 is due Saturday 2018-12-29, a working day there too).
* One resource per agency (groups such as 各区人民政府 included, marked in their Group field);
  each task is assigned to its agencies, the role (牵头/负责/配合) in the assignment's notes and
  the agencies by role in the task fields Text1–Text3 (named 牵头单位, 负责单位, 配合单位).

Written with the standard library; MPXJ reads it back in the tests.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from ...calendar.workdays import Calendar
from ...errors import CalendarCoverageError
from ...follow.ledger import undated_key
from ...model import Document, Task
from ..feeds.events import ROLE_CN, milestone_keys
from ..feeds.ics import DayMark
from .csv import span

NS = "http://schemas.microsoft.com/project"
MUST_FINISH_ON = 3          # MSPDI ConstraintType (0 as soon as possible … 3 must finish on … 7 finish no later than)
CALENDAR_NAME = "中国工作日"
TEXT_FIELDS = (("188743731", "Text1", "牵头单位"), ("188743734", "Text2", "负责单位"), ("188743737", "Text3", "配合单位"))
_HOURS = "<WorkingTimes><WorkingTime><FromTime>08:00:00</FromTime><ToTime>12:00:00</ToTime></WorkingTime>" \
         "<WorkingTime><FromTime>13:00:00</FromTime><ToTime>17:00:00</ToTime></WorkingTime></WorkingTimes>"


_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text: str) -> str:
    """XML text: escaped, without the control characters XML 1.0 forbids (most text has
    nothing to change, which one search tells)."""
    if _CHANGED.search(text) is None:
        return text
    return escape(_FORBIDDEN.sub("", text))


_CHANGED = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _start(day: dt.date) -> str:
    return f"{day.isoformat()}T08:00:00"


def _finish(day: dt.date) -> str:
    return f"{day.isoformat()}T17:00:00"


def _hours(calendar: Calendar, start: dt.date, finish: dt.date) -> str:
    try:
        days = calendar.workdays_between(start, finish)
    except CalendarCoverageError:                         # a year without data: weekdays, as MS Project counts
        days = sum(1 for k in range((finish - start).days + 1) if (start + dt.timedelta(k)).weekday() < 5)
    return f"PT{days * 8}H0M0S"


class _Writer:
    """Writes tasks straight to the output as they come; resources (one per agency) are kept,
    assignments spooled to a temporary file, both written after the tasks (MSPDI's order)."""

    def __init__(self, calendar: Calendar, out: BinaryIO, spool: BinaryIO) -> None:
        self.calendar = calendar
        self.out = out
        self.spool = spool
        self.count = 0
        self.assigned = 0
        self.resources: dict[str, tuple[int, bool]] = {}

    def resource(self, name: str, group: bool) -> int:
        if name not in self.resources:
            self.resources[name] = (len(self.resources) + 1, group)
        return self.resources[name][0]

    def task(self, name: str, level: int, wbs: str, start: dt.date, finish: dt.date, *, summary: bool = False,
             milestone: bool = False, estimated: bool = False, notes: str = "", texts: Iterable[str] = (),
             percent: int | None = None, done: dt.date | None = None) -> int:
        """One task; a milestone is pinned to its due date (must finish on it, and a deadline
        there), so a program that recalculates the schedule keeps it where the plan put it."""
        self.count += 1
        uid = self.count
        duration = "PT0H0M0S" if milestone else _hours(self.calendar, start, finish)
        begin = _finish(start) if milestone else _start(start)
        end = _finish(finish)
        parts = [f"<Task><UID>{uid}</UID><ID>{uid}</ID><Name>{_x(name)}</Name><Type>1</Type><IsNull>0</IsNull>"
                 f"<WBS>{wbs}</WBS><OutlineNumber>{wbs}</OutlineNumber><OutlineLevel>{level}</OutlineLevel>"
                 f"<Start>{begin}</Start><Finish>{end}</Finish><Duration>{duration}</Duration>"
                 "<DurationFormat>7</DurationFormat><Manual>1</Manual>"
                 f"<ManualStart>{begin}</ManualStart><ManualFinish>{end}</ManualFinish>"
                 f"<ManualDuration>{duration}</ManualDuration>"
                 f"<Estimated>{int(estimated)}</Estimated><Milestone>{int(milestone)}</Milestone>"
                 f"<Summary>{int(summary)}</Summary>"]
        # progress: reported (calgen/follow/), else none yet — stated, so a scheduler can recalculate
        finished = percent == 100
        parts.append(f"<PercentComplete>{percent or 0}</PercentComplete>"
                     f"<ActualDuration>{duration if finished else 'PT0H0M0S'}</ActualDuration>"
                     f"<RemainingDuration>{'PT0H0M0S' if finished else duration}</RemainingDuration>")
        if done is not None:
            parts.append(f"<ActualStart>{_finish(done) if milestone else begin}</ActualStart>"
                         f"<ActualFinish>{_finish(done)}</ActualFinish>")
        parts.append("<CalendarUID>-1</CalendarUID>")
        if milestone:
            parts.append(f"<ConstraintType>{MUST_FINISH_ON}</ConstraintType><ConstraintDate>{end}</ConstraintDate>"
                         f"<Deadline>{end}</Deadline>")
        if notes:
            parts.append(f"<Notes>{_x(notes)}</Notes>")
        for (field, _, _), value in zip(TEXT_FIELDS, texts, strict=False):
            if value:
                parts.append(f"<ExtendedAttribute><FieldID>{field}</FieldID><Value>{_x(value)}</Value></ExtendedAttribute>")
        parts.append("</Task>")
        self.out.write("".join(parts).encode("utf-8"))
        return uid

    def assign(self, task_uid: int, task: Task) -> None:
        for role, agency in task.agencies():
            rid = self.resource(agency.name, agency.is_group)
            self.assigned += 1
            self.spool.write(f"<Assignment><UID>{self.assigned}</UID><TaskUID>{task_uid}</TaskUID>"
                             f"<ResourceUID>{rid}</ResourceUID><Units>1</Units>"
                             f"<Notes>{ROLE_CN[role]}</Notes></Assignment>".encode())


def project_xml(docs: Iterable[Document], calendar: Calendar, marks: list[DayMark],
                states: Mapping[str, str] | None = None) -> bytes:
    """The MSPDI document for ``docs`` as bytes (see :func:`write_project_xml`)."""
    out = io.BytesIO()
    write_project_xml(out, docs, calendar, marks, states)
    return out.getvalue()


def write_project_xml(out: BinaryIO, docs: Iterable[Document], calendar: Calendar, marks: list[DayMark],
                      states: Mapping[str, str] | None = None) -> None:
    """The MSPDI document for ``docs``, written to ``out`` plan by plan; ``marks`` (rest blocks
    and makeup days of the years the build touches, as in feeds/holidays.ics) are the
    calendar's exceptions.  ``docs`` is iterated twice (the project's dates come first in the
    file), so memory holds one plan at a time: pass a re-iterable that loads plans lazily."""
    lo: dt.date | None = None
    hi: dt.date | None = None
    names, count = "", 0
    years: list[int] = []
    for doc in docs:                                  # pass 1: the project's span and title
        if doc.duplicate_of:
            continue
        found = _bounds(doc, {t.id: span(doc, t) for t in doc.tasks})
        if found:
            a, b = found
            lo, hi = (a, b) if lo is None or hi is None else (min(lo, a), max(hi, b))
        elif doc.plan_year:
            years.append(doc.plan_year)
        if len(names) <= 200:
            names = names + "、" + doc.name if count else doc.name
        count += 1
    names = names[:200]
    if lo is None:        # not one date in any plan: the first working day of a plan year (every task estimated)
        lo = _first_workday(calendar, min(years)) if years else dt.date(2000, 1, 3)
    hi = hi or lo
    head = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Project xmlns="{NS}">',
            "<SaveVersion>14</SaveVersion><Name>gantt.xml</Name>",
            f"<Title>{_x(names or 'calgen')}</Title><Author>calgen</Author>",
            "<ScheduleFromStart>1</ScheduleFromStart>",
            f"<StartDate>{_start(lo)}</StartDate><FinishDate>{_finish(hi)}</FinishDate>",
            "<CalendarUID>1</CalendarUID><DefaultStartTime>08:00:00</DefaultStartTime>",
            "<DefaultFinishTime>17:00:00</DefaultFinishTime><MinutesPerDay>480</MinutesPerDay>",
            "<MinutesPerWeek>2400</MinutesPerWeek><DaysPerMonth>20</DaysPerMonth>",
            "<DurationFormat>7</DurationFormat><NewTasksAreManual>1</NewTasksAreManual>",
            "<ExtendedAttributes>"]
    head += [f"<ExtendedAttribute><FieldID>{f}</FieldID><FieldName>{n}</FieldName><Alias>{a}</Alias></ExtendedAttribute>"
             for f, n, a in TEXT_FIELDS]
    head.append("</ExtendedAttributes>")
    head.append(_calendar(marks))
    head += ["<Tasks>", "<Task><UID>0</UID><ID>0</ID><Name>" + _x(names or "calgen") + "</Name><Type>1</Type>"
             f"<IsNull>0</IsNull><OutlineNumber>0</OutlineNumber><OutlineLevel>0</OutlineLevel>"
             f"<Start>{_start(lo)}</Start><Finish>{_finish(hi)}</Finish><Summary>1</Summary></Task>"]
    out.write("".join(head).encode("utf-8"))
    with tempfile.TemporaryFile() as spool:
        w = _Writer(calendar, out, spool)
        for pi, doc in enumerate((d for d in docs if not d.duplicate_of), 1):     # pass 2: the tasks
            _plan(w, doc, str(pi), states or {}, lo)
        tail = ["</Tasks><Resources>"]
        for name, (rid, group) in w.resources.items():
            tail.append(f"<Resource><UID>{rid}</UID><ID>{rid}</ID><Name>{_x(name)}</Name><Type>1</Type>"
                        f"<IsNull>0</IsNull>{'<Group>单位组</Group>' if group else ''}</Resource>")
        tail.append("</Resources><Assignments>")
        out.write("".join(tail).encode("utf-8"))
        spool.seek(0)
        shutil.copyfileobj(spool, out)
    out.write(b"</Assignments></Project>\n")


def _bounds(doc: Document, spans: dict[str, tuple]) -> tuple[dt.date, dt.date] | None:
    """A plan's summary task: from its issue date (else its first start) to its last finish;
    None for a plan without one date."""
    dated = [(s, f) for s, f, _ in spans.values() if s and f]
    base = doc.issued or min((s for s, _ in dated), default=None)
    if base is None:
        return None
    return min([base, *(s for s, _ in dated)]), max([base, *(f for _, f in dated)])


def _first_workday(calendar: Calendar, year: int) -> dt.date:
    day = dt.date(year, 1, 1)
    try:
        while not calendar.is_workday(day):
            day += dt.timedelta(days=1)
    except CalendarCoverageError:
        pass
    return day


def _plan(w: _Writer, doc: Document, wbs: str, states: Mapping[str, str], project_start: dt.date) -> None:
    """One plan.  No date is invented: a task without a date is listed at the plan's issue date
    (else its first date, else the project's start) marked Estimated, with a note saying so."""
    spans = {t.id: span(doc, t) for t in doc.tasks}
    found = _bounds(doc, spans)
    lo, hi = found or (project_start, project_start)
    base = doc.issued or lo
    title = doc.label
    w.task(title, 1, wbs, lo, hi, summary=True, estimated=found is None,
           notes="" if found else "该文件没有任何日期：任务按项目开始日期列出（估计）")
    sections: dict[str, list[Task]] = {}
    for t in doc.tasks:
        sections.setdefault(t.path[0] if len(t.path) > 1 else "", []).append(t)
    heads = dict(doc.sections)
    for si, (label, tasks) in enumerate(sections.items(), 1):
        swbs = f"{wbs}.{si}"
        level = 2
        if label:
            inner = [spans[t.id] for t in tasks if spans[t.id][0] and spans[t.id][1]]
            s_lo = min((s for s, _, _ in inner if s), default=base)
            s_hi = max((f for _, f, _ in inner if f), default=base)
            w.task(heads.get(label, label), 2, swbs, s_lo, s_hi, summary=True)
            level = 3
        for ti, t in enumerate(tasks, 1):
            _task(w, doc, t, spans[t.id], f"{swbs}.{ti}" if label else f"{wbs}.{si}.{ti}", level, base, states)


def _task(w: _Writer, doc: Document, t: Task, sp: tuple, wbs: str, level: int, base: dt.date,
          states: Mapping[str, str]) -> None:
    start, finish, notes = sp
    keyed = [(m, k) for m, k in zip(t.milestones, milestone_keys(doc, t), strict=True) if m.dated and m.due]
    texts = ["、".join(a.name for a in getattr(t, role)) for role in ("lead", "responsible", "support")]
    text = "\n".join([t.text, *notes]).strip()
    if not (start and finish):
        state, done = _state(states.get(undated_key(t), "")) if states else ("", None)
        where = "按印发日期列出" if doc.issued == base else "按最早日期列出"
        uid = w.task(t.title or " ".join(t.path), level, wbs, base, base, estimated=True,
                     notes=f"（无具体日期：{where}，估计）\n{text}", texts=texts, **_progress(state, done, bool(states)))
        w.assign(uid, t)
        return
    marks = [_state(states.get(k, "")) for _, k in keyed] if states else []
    finished = [done for state, done in marks if state in _DONE]
    percent = round(100 * len(finished) / len(marks)) if marks else None
    last = max((d for d in finished if d), default=None) if marks and len(finished) == len(marks) else None
    uid = w.task(t.title or " ".join(t.path), level, wbs, start, finish, summary=bool(keyed), notes=text,
                 texts=texts, percent=percent if states else None, done=last)
    w.assign(uid, t)
    for mi, (m, _) in enumerate(keyed, 1):
        assert m.due
        name = f"{m.phrase}：{m.clause}" if m.clause else m.phrase
        state, done = marks[mi - 1] if marks else ("", None)
        w.task(name, level + 1, f"{wbs}.{mi}", m.due, m.due, milestone=True, notes=m.note, texts=texts,
               **_progress(state, done, bool(states)))


_DONE = ("按期完成", "逾期完成")


def _state(value: str) -> tuple[str, dt.date | None]:
    """A follow-up mark: "state" or "state|done date"."""
    state, _, done = value.partition("|")
    return state, dt.date.fromisoformat(done) if done else None


def _progress(state: str, done: dt.date | None, shown: bool) -> dict[str, Any]:
    if not shown:
        return {}
    return {"percent": 100 if state in _DONE else 0, "done": done if state in _DONE else None}


def _calendar(marks: list[DayMark]) -> str:
    days = ["<WeekDays>"]
    for day_type in range(1, 8):                     # 1 = Sunday … 7 = Saturday
        working = 2 <= day_type <= 6
        days.append(f"<WeekDay><DayType>{day_type}</DayType><DayWorking>{int(working)}</DayWorking>"
                    f"{_HOURS if working else ''}</WeekDay>")
    days.append("</WeekDays><Exceptions>")
    for m in marks:
        work = m.uid.startswith("cn-work-")
        name = m.summary[3:]                          # 【休】国庆节放假（共7天） → 国庆节放假（共7天）
        days.append(f"<Exception><EnteredByOccurrences>0</EnteredByOccurrences><TimePeriod>"
                    f"<FromDate>{m.start.isoformat()}T00:00:00</FromDate><ToDate>{m.end.isoformat()}T23:59:00</ToDate>"
                    f"</TimePeriod><Occurrences>1</Occurrences><Name>{_x(name)}</Name><Type>1</Type>"
                    f"<DayWorking>{int(work)}</DayWorking>{_HOURS if work else ''}</Exception>")
    days.append("</Exceptions>")
    return ("<Calendars><Calendar><UID>1</UID><Name>" + CALENDAR_NAME + "</Name><IsBaseCalendar>1</IsBaseCalendar>"
            "<BaseCalendarUID>-1</BaseCalendarUID>" + "".join(days) + "</Calendar></Calendars>")
