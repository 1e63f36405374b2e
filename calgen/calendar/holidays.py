"""Holiday data → a :class:`~calgen.calendar.workdays.Calendar`.

chinese-calendar is the source of truth for the years it covers (2004–2026 in 1.11.0).  Its data
is read into per-year dicts (a dict lookup instead of ~44 µs per ``is_workday`` call), corrected
by ``mappings/holidays/corrections.toml`` and extended by ``mappings/holidays/<year>.toml`` files
(and ``--calendar-file``) that mirror a State Council notice for years it does not cover yet.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from types import MappingProxyType

from ..errors import MappingError
from ..mappings import load_toml
from .workdays import ONE, Calendar, Year, weekday

STATUTORY = MappingProxyType({
    "元旦": "New Year's Day", "春节": "Spring Festival", "清明节": "Tomb-sweeping Day",
    "劳动节": "Labour Day", "端午节": "Dragon Boat Festival", "中秋节": "Mid-autumn Festival",
    "国庆节": "National Day", "抗战胜利纪念日": "Anti-Fascist 70th Day"})
_CN_NAME = MappingProxyType({v: k for k, v in STATUTORY.items()})


def year_files(holiday_folder: Path, project_folder: Path | None = None,
               extra_files: Iterable[Path] = ()) -> list[Path]:
    """The year files calgen loads, in order (a later file for the same year wins): the
    package's, then the project's own (``mappings/holidays/`` beside calgen.toml, where
    `calgen holidays import` writes), then ``calendar_files``."""
    files = sorted(holiday_folder.glob("[12][0-9][0-9][0-9].toml"))
    if project_folder is not None and project_folder.is_dir() and \
            project_folder.resolve() != holiday_folder.resolve():
        files += sorted(project_folder.glob("[12][0-9][0-9][0-9].toml"))
    seen = {f.resolve() for f in files}
    return files + [f for f in extra_files if f.resolve() not in seen]


def load_calendar(holiday_folder: Path, extra_files: Iterable[Path] = (),
                  assume_weekdays: bool = False, project_folder: Path | None = None) -> Calendar:
    """chinese-calendar + corrections + the year files (:func:`year_files`)."""
    years = package_years()
    _apply_corrections(years, holiday_folder / "corrections.toml")
    files = year_files(holiday_folder, project_folder, extra_files)
    loaded = [load_year_file(path) for path in files]
    for y in loaded:
        old = years.get(y.year)
        if old is not None:        # its last days belong to the next year's notice (元旦 from 12月30日)
            tail = dt.date(y.year, 12, 25)
            for d, n in old.rest.items():
                if d >= tail and d not in y.rest and d not in y.makeup:
                    y.rest[d] = n
            for d, n in old.makeup.items():
                if d >= tail and d not in y.rest and d not in y.makeup:
                    y.makeup[d] = n
        years[y.year] = y
    for y in loaded:                      # a notice's days in a neighbouring year (元旦 from 12月30日)
        for day, name in y.rest.items():
            if day.year != y.year and day.year in years:
                years[day.year].makeup.pop(day, None)
                years[day.year].rest[day] = name
        for day, name in y.makeup.items():
            if day.year != y.year and day.year in years:
                years[day.year].rest.pop(day, None)
                years[day.year].makeup[day] = name
    return Calendar(years, assume_weekdays)


def compare_with_package(y: Year, package: dict[int, Year]) -> list[str] | None:
    """Every day of ``y.year`` whose working status differs from chinese-calendar's; None when
    chinese-calendar does not cover the year."""
    theirs = package.get(y.year)
    if theirs is None:
        return None
    out = []
    day = dt.date(y.year, 1, 1)
    while day.year == y.year:
        mine = day in y.makeup or (day.weekday() < 5 and day not in y.rest)
        other = day in theirs.makeup or (day.weekday() < 5 and day not in theirs.rest)
        if mine != other:
            word = {True: "working day", False: "rest day"}
            out.append(f"{day.isoformat()} {weekday(day)}: year file {word[mine]}, chinese-calendar {word[other]}")
        day += ONE
    return out


def package_years() -> dict[int, Year]:
    """chinese-calendar's own data, uncorrected (what a new release of it says)."""
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


def _near(day: dt.date, year: int) -> bool:
    """In ``year``, or in the weeks around it a notice may reach (元旦 from 12月30日, a makeup
    Sunday in early January of the next year's 元旦 block)."""
    return dt.date(year - 1, 12, 1) <= day <= dt.date(year + 1, 1, 31)


def load_year_file(path: Path) -> Year:
    """One year's arrangement as a State Council notice states it; validated."""
    data = load_toml(path)

    def bad(msg: str) -> MappingError:
        return MappingError(msg, file=str(path), hint="compare with the State Council notice")

    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 1949 < year < 2200:
        raise bad("missing 'year = YYYY'")
    if data.get("complete") is not True:
        raise bad(f"{year} is not marked 'complete = true'")
    if not isinstance(data.get("source"), str) or not data.get("source"):
        raise bad("missing 'source' (the notice's title and number)")
    amended = data.get("amended_by", [])
    if not isinstance(amended, list) or not all(isinstance(a, str) for a in amended):
        raise bad("'amended_by' must be a list of notice titles")
    src = f"{data['source']} {data.get('url', '')}".strip()
    y = Year(year, source=src + "".join(f"；{a}调整" for a in amended))
    holidays = data.get("holiday", [])
    if not isinstance(holidays, list) or not all(isinstance(h, dict) for h in holidays):
        raise bad("'holiday' must be a list of [[holiday]] tables")
    block_workdays: list[tuple[dt.date, str]] = []
    for h in holidays:
        name, start, end = h.get("name"), h.get("start"), h.get("end", h.get("start"))
        own = h.get("workdays", [])
        if not isinstance(own, list):
            raise bad(f"holiday {name}: 'workdays' must be a list of dates")
        block_workdays += [(d, name) for d in own]
        if name not in STATUTORY:
            raise bad(f"holiday {name!r} is not a statutory holiday ({'、'.join(STATUTORY)})")
        if not isinstance(start, dt.date) or not isinstance(end, dt.date) or end < start:
            raise bad(f"holiday {name} needs start ≤ end dates")
        if not (_near(start, year) and _near(end, year)) or (start.year != year and end.year != year):
            raise bad(f"holiday {name} {start.isoformat()}–{end.isoformat()} is not in {year} "
                      "(a file holds one year's notice)")
        day = start
        while day <= end:
            if day in y.rest:
                raise bad(f"{day.isoformat()} is in both {y.rest[day]} and {name}")
            y.rest[day] = name
            day += ONE
    workdays = data.get("workdays", [])
    if not isinstance(workdays, list):
        raise bad("'workdays' must be a list of dates")
    for day, name in [(d, "调休") for d in workdays] + block_workdays:
        if not isinstance(day, dt.date):
            raise bad(f"workday {day!r} is not a date")
        if not _near(day, year):
            raise bad(f"makeup working day {day.isoformat()} is not in {year} (a file holds one year's notice)")
        if day.weekday() < 5:
            raise bad(f"makeup working day {day.isoformat()} is a {weekday(day)}, not a weekend")
        if day in y.rest:
            raise bad(f"makeup working day {day.isoformat()} is inside the {y.rest[day]} holiday")
        y.makeup[day] = name
    if not y.rest:
        raise bad(f"{year} lists no holidays")
    return y
