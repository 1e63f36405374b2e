"""The Chinese working-day calendar: State Council holiday arrangements with 调休 makeup days.

chinese-calendar is the source of truth for the years it covers.  Its data is read once into
per-year sets (a set lookup instead of ~44 µs per ``is_workday`` call), corrected by
``mappings/holidays/corrections.toml``, and extended by ``mappings/holidays/<year>.toml`` files
that mirror a State Council notice for years it does not cover yet.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import CalendarCoverageError, MappingError

ONE = dt.timedelta(days=1)
WEEKDAYS = "一二三四五六日"
STATUTORY = {"元旦": "New Year's Day", "春节": "Spring Festival", "清明节": "Tomb-sweeping Day",
             "劳动节": "Labour Day", "端午节": "Dragon Boat Festival", "中秋节": "Mid-autumn Festival",
             "国庆节": "National Day", "抗战胜利纪念日": "Anti-Fascist 70th Day"}
_CN_NAME = {v: k for k, v in STATUTORY.items()}
_EXTRA_FILES: list[Path] = []


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
        self.years = years
        self.assume_weekdays = assume_weekdays
        self.covered = (min(years), max(years)) if years else (0, 0)
        self._cum: dict[int, list[int]] = {}
        self._due: dict[tuple[dt.date, str], Due] = {}

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

    def due(self, nominal: dt.date, roll: str = "preceding") -> Due:
        """Move ``nominal`` onto a working day: preceding (default), following or none."""
        key = (nominal, roll)
        hit = self._due.get(key)
        if hit is None:
            hit = self._due[key] = self._compute_due(nominal, roll)
        return hit

    def _compute_due(self, nominal: dt.date, roll: str) -> Due:
        flags = self.flags(nominal)
        if roll == "none":
            return Due(nominal, "", flags)
        step = -ONE if roll == "preceding" else ONE
        day = nominal
        while not self.is_workday(day):
            day += step
        flags = tuple(sorted(set(flags) | set(self.flags(day))))
        if day == nominal:
            return Due(day, "", flags)
        why = self.why(nominal)
        word = "last working day" if roll == "preceding" else "next working day"
        reason = f"{nominal.isoformat()} is {why} → {word} {day.isoformat()} ({weekday(day)})"
        return Due(day, reason, flags)

    def why(self, day: dt.date) -> str:
        name = self.holiday_name(day)
        if name:
            return f"{name} holiday"
        return "a weekend" if day.weekday() >= 5 else "a rest day"

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


def add_calendar_file(path: str | Path) -> None:
    _EXTRA_FILES.append(Path(path))
    clear_cache()


def clear_cache() -> None:
    _calendar.cache_clear()


_ASSUME = [False]


def set_assume_weekdays(on: bool) -> None:
    """Build years without holiday data on weekends alone, marking dates estimated."""
    _ASSUME[0] = on


def calendar(assume_weekdays: bool | None = None) -> Calendar:
    return _calendar(_ASSUME[0] if assume_weekdays is None else assume_weekdays)


@lru_cache(maxsize=2)
def _calendar(assume_weekdays: bool) -> Calendar:
    years = _from_chinese_calendar()
    folder = _holiday_folder()
    _apply_corrections(years, folder / "corrections.toml")
    files = sorted(folder.glob("[12][0-9][0-9][0-9].toml")) + _EXTRA_FILES
    for path in files:
        y = load_year_file(path)
        years[y.year] = y
    return Calendar(years, assume_weekdays)


def _holiday_folder() -> Path:
    from .mappings import folder

    return folder() / "holidays"


def _from_chinese_calendar() -> dict[int, Year]:
    from chinese_calendar import constants

    years: dict[int, Year] = {}
    src = "chinese-calendar (State Council notices 2004–)"
    for day, name in constants.holidays.items():
        y = years.setdefault(day.year, Year(day.year, source=src))
        y.rest[day] = _CN_NAME.get(name, name)
    for day, name in constants.workdays.items():
        y = years.setdefault(day.year, Year(day.year, source=src))
        y.makeup[day] = _CN_NAME.get(name, name)
    return years


def _apply_corrections(years: dict[int, Year], path: Path) -> None:
    if not path.exists():
        return
    from .mappings import load_toml

    for i, fix in enumerate(load_toml(path).get("correction", [])):
        day = fix.get("date")
        if not isinstance(day, dt.date) or not fix.get("source"):
            raise MappingError(f"correction #{i + 1} needs a date and a source", file=str(path))
        y = years.setdefault(day.year, Year(day.year))
        if fix.get("workday"):
            y.rest.pop(day, None)
            if day.weekday() >= 5:
                y.makeup[day] = fix.get("holiday", "")
        else:
            y.makeup.pop(day, None)
            y.rest[day] = fix.get("holiday", "")
        y.source += f"; corrected {day.isoformat()} ({fix['source']})"


def load_year_file(path: Path) -> Year:
    """One year's arrangement as a State Council notice states it; validated."""
    from .mappings import load_toml

    data = load_toml(path)

    def bad(msg: str) -> MappingError:
        return MappingError(msg, file=str(path), hint="compare with the State Council notice")

    year = data.get("year")
    if not isinstance(year, int):
        raise bad("missing 'year = YYYY'")
    if data.get("complete") is not True:
        raise bad(f"{year} is not marked 'complete = true'")
    if not data.get("source"):
        raise bad("missing 'source' (the notice's title and number)")
    y = Year(year, source=f"{data['source']} {data.get('url', '')}".strip())
    for h in data.get("holiday", []):
        name, start, end = h.get("name"), h.get("start"), h.get("end", h.get("start"))
        if name not in STATUTORY:
            raise bad(f"holiday {name!r} is not a statutory holiday ({'、'.join(STATUTORY)})")
        if not isinstance(start, dt.date) or not isinstance(end, dt.date) or end < start:
            raise bad(f"holiday {name} needs start ≤ end dates")
        day = start
        while day <= end:
            y.rest[day] = name
            day += ONE
    for day in data.get("workdays", []):
        if not isinstance(day, dt.date):
            raise bad(f"workday {day!r} is not a date")
        if day.weekday() < 5:
            raise bad(f"makeup working day {day.isoformat()} is a {weekday(day)}, not a weekend")
        y.makeup[day] = "调休"
    if not y.rest:
        raise bad(f"{year} lists no holidays")
    return y


def coverage() -> list[tuple[int, str]]:
    cal = calendar()
    return [(year, cal.years[year].source) for year in sorted(cal.years)]
