"""`calgen resolve` and `calgen holidays`: one phrase or one year, explained."""
from __future__ import annotations

import datetime as dt

from .deadlines import Context, find
from .errors import DeadlineError
from .workdays import calendar, coverage, weekday


def explain(phrase: str, year: int, issued: dt.date | None, roll: str) -> str:
    found = find(phrase, Context(year, issued))
    if not found:
        raise DeadlineError("no deadline phrase recognised", phrase=phrase,
                            hint="try forms like 6月底前, 2023年9月底前, 年底前, 从4月起")
    cal = calendar()
    lines = []
    for m in found:
        if not m.dated:
            lines.append(f"{m.phrase}: {m.kind}" + (f", ends {m.nominal}" if m.nominal else "") +
                         " (not a dated milestone)")
            continue
        policy = "following" if m.kind == "start" and roll == "preceding" else roll
        due = cal.due(m.nominal, policy)
        why = due.reason or f"{m.nominal.isoformat()} is a working day"
        flags = f" [{', '.join(due.flags)}]" if due.flags else ""
        early = " [before the issue date]" if issued and m.nominal < issued else ""
        lines.append(f"{m.phrase}: {m.kind}, nominal {m.nominal.isoformat()} ({weekday(m.nominal)}), "
                     f"due {due.date.isoformat()} ({weekday(due.date)}){flags}{early}\n  {why}")
    return "\n".join(lines)


def holiday_listing(year: int | None) -> str:
    if year is None:
        rows = coverage()
        lo, hi = rows[0][0], rows[-1][0]
        out = [f"holiday data covers {lo}–{hi}"]
        out += [f"  {y}: {src}" for y, src in rows]
        return "\n".join(out)
    cal = calendar()
    y = cal.years.get(year)
    if y is None:
        from .errors import CalendarCoverageError

        raise CalendarCoverageError(year, cal.covered)
    out = [f"{year}: {y.source}", "rest days (holidays):"]
    out += [f"  {d.isoformat()} {weekday(d)} {n}" for d, n in sorted(y.rest.items()) if d.year == year]
    out.append("makeup working days (调休上班):")
    out += [f"  {d.isoformat()} {weekday(d)} {n}" for d, n in sorted(y.makeup.items()) if d.year == year]
    return "\n".join(out)
