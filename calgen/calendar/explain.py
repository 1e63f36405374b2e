"""`calgen resolve` and `calgen holidays`: one phrase or one year, explained."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..errors import CalendarCoverageError, DeadlineError
from .workdays import Calendar, weekday

if TYPE_CHECKING:
    from ..rules import Rules


def explain(phrase: str, year: int, issued: dt.date | None, rules: Rules) -> str:
    from ..extract.deadlines import Context, Where, find

    found = find(phrase, Context(year, issued, Where.ALONE), rules.phrases)
    if not found:
        raise DeadlineError("no deadline phrase recognised", phrase=phrase,
                            hint="try forms like 6月底前, 2023年9月底前, 年底前, 从4月起 (docs/genre.md, Deadline phrases)")
    return "\n".join(rules.scheduler.explain(m, issued) for m in found)


def coverage(cal: Calendar) -> list[tuple[int, str]]:
    return [(year, cal.years[year].source) for year in sorted(cal.years)]


def holiday_listing(year: int | None, cal: Calendar) -> str:
    if year is None:
        rows = coverage(cal)
        lo, hi = rows[0][0], rows[-1][0]
        out = [f"holiday data covers {lo}–{hi}"]
        out += [f"  {y}: {src}" for y, src in rows]
        return "\n".join(out)
    y = cal.years.get(year)
    if y is None:
        raise CalendarCoverageError(year, cal.covered)
    out = [f"{year}: {y.source}", "rest days (holidays):"]
    out += [f"  {d.isoformat()} {weekday(d)} {n}" for d, n in sorted(y.rest.items()) if d.year == year]
    out.append("makeup working days (调休上班):")
    out += [f"  {d.isoformat()} {weekday(d)} {n}" for d, n in sorted(y.makeup.items()) if d.year == year]
    return "\n".join(out)


def holiday_json(year: int, cal: Calendar) -> str:
    """One year as data: {"year", "source", "rest_days", "makeup_workdays", "festivals"}."""
    import json

    y = cal.years.get(year)
    if y is None:
        raise CalendarCoverageError(year, cal.covered)
    rest = sorted(d for d in y.rest if d.year == year)
    festivals: dict[str, list[str]] = {}
    for d in rest:
        name = y.rest[d]
        if name:
            span = festivals.setdefault(name, [d.isoformat(), d.isoformat()])
            span[1] = d.isoformat()
    return json.dumps({"year": year, "source": y.source, "rest_days": [d.isoformat() for d in rest],
                       "makeup_workdays": sorted(d.isoformat() for d in y.makeup if d.year == year),
                       "festivals": festivals}, ensure_ascii=False, indent=1)
