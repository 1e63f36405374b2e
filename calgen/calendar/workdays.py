"""The Chinese working-day calendar: State Council holiday arrangements with 调休 makeup days.

A :class:`Calendar` is built once per process by :func:`calgen.calendar.holidays.load_calendar`
(chinese-calendar's data read into per-year dicts, corrected and extended from mappings/holidays)
and passed to whatever needs it.  Its memo tables are its own, never module state.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..errors import CalendarCoverageError
from ..settings import Roll

ONE = dt.timedelta(days=1)
WEEKDAYS = "一二三四五六日"


@dataclass
class Year:
    year: int
    rest: dict[dt.date, str] = field(default_factory=dict)       # holiday (Chinese name) on any day
    makeup: dict[dt.date, str] = field(default_factory=dict)     # weekend made a working day
    source: str = ""


@dataclass(frozen=True)
class Due:
    date: dt.date
    reason: str          # empty when due == nominal
    flags: tuple[str, ...] = ()


class Calendar:
    def __init__(self, years: dict[int, Year], assume_weekdays: bool = False) -> None:
        self.years = years          # read-only once built
        self.assume_weekdays = assume_weekdays
        self.covered = (min(years), max(years)) if years else (0, 0)
        self._cum: dict[int, list[int]] = {}
        self._due: dict[tuple[dt.date, str], Due] = {}
        self._starts: dict[tuple[str, int], dt.date | None] = {}

    def _year(self, year: int) -> Year | None:
        y = self.years.get(year)
        if y is None and not self.assume_weekdays:
            raise CalendarCoverageError(year, self.covered)
        return y

    def is_workday(self, day: dt.date) -> bool:
        y = self._year(day.year)
        if y is not None:
            if day in y.makeup:
                return True
            if day in y.rest:
                return False
        return day.weekday() < 5

    def holiday_name(self, day: dt.date) -> str | None:
        y = self.years.get(day.year)
        return y.rest.get(day) if y else None

    def due(self, nominal: dt.date, roll: Roll = Roll.PRECEDING) -> Due:
        """Move ``nominal`` onto a working day: preceding (default), following or none."""
        key = (nominal, roll)
        hit = self._due.get(key)
        if hit is None:
            hit = self._due[key] = self._compute_due(nominal, roll)
        return hit

    def _compute_due(self, nominal: dt.date, roll: Roll) -> Due:
        flags = self.flags(nominal)
        if roll == Roll.NONE:
            return Due(nominal, "", flags)
        step = -ONE if roll == Roll.PRECEDING else ONE
        day = nominal
        while not self.is_workday(day):
            day += step
        flags = tuple(sorted(set(flags) | set(self.flags(day))))
        if day == nominal:
            return Due(day, "", flags)
        why = self.why(nominal)
        word = "提前至此前最后一个工作日" if roll == Roll.PRECEDING else "顺延至下一个工作日"
        reason = f"{nominal.isoformat()} 为{why}，{word} {day.isoformat()}（{weekday(day)}）"
        return Due(day, reason, flags)

    def why(self, day: dt.date) -> str:
        """Why ``day`` is not worked, in Chinese (it is shown in feeds, CSV and tasks.json)."""
        name = self.holiday_name(day)
        if name:
            return f"{name}假期"
        return f"周末（周{WEEKDAYS[day.weekday()]}）" if day.weekday() >= 5 else "休息日"

    def flags(self, day: dt.date) -> tuple[str, ...]:
        if day.year not in self.years:
            return ("estimated",)
        last = self.covered[1]
        # The next year's notice can still move New Year arrangements into late December.
        if day.year == last and day >= dt.date(last, 12, 20):
            return ("provisional",)
        return ()

    def holiday_start(self, name: str, year: int) -> dt.date | None:
        """First day of a named holiday (春节, 国庆节…) in ``year``."""
        key = (name, year)
        if key not in self._starts:
            self._starts[key] = self._holiday_start(name, year)
        return self._starts[key]

    def _holiday_start(self, name: str, year: int) -> dt.date | None:
        y = self._year(year)
        if y is None:
            return None
        days = sorted(d for d, n in y.rest.items() if n == name and d.year == year)
        if not days:
            return None
        start = days[0]
        # A festival joined to another (中秋 + 国庆 in 2023) begins with the joint break.
        while self.holiday_name(start - ONE) and (start - ONE) not in y.makeup:
            start -= ONE
        return start

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days from start to end inclusive (0 when end < start)."""
        if end < start:
            return 0
        if start.year == end.year:
            cum = self._cumulative(start.year)
            return cum[end.timetuple().tm_yday] - cum[start.timetuple().tm_yday - 1]
        return (self.workdays_between(start, dt.date(start.year, 12, 31))
                + sum(self._cumulative(y)[-1] for y in range(start.year + 1, end.year))
                + self.workdays_between(dt.date(end.year, 1, 1), end))

    def workdays_before(self, day: dt.date, n: int) -> dt.date:
        """The working day ``n`` working days before ``day`` (a reminder's date)."""
        while n > 0:
            day -= ONE
            n -= self.is_workday(day)
        return day

    def _cumulative(self, year: int) -> list[int]:
        """cum[i]: working days from 1 January to day-of-year i (cum[0] = 0)."""
        cached = self._cum.get(year)
        if cached is None:
            cached, n, day = [0], 0, dt.date(year, 1, 1)
            while day.year == year:
                n += self.is_workday(day)
                cached.append(n)
                day += ONE
            self._cum[year] = cached
        return cached


def weekday(day: dt.date) -> str:
    return f"周{WEEKDAYS[day.weekday()]}"
