"""A year's holiday arrangement: what a notice said, the checks it must pass, and its year file.

:func:`check` is where a notice earns its file.  Any failed check refuses the whole notice,
naming the check and the words it read:

- the preamble's festivals each have exactly one item; the items are numbered 一、二、… without
  a gap; every festival the holiday law provides for that year is there (mappings/holidays/law.toml);
- every 共N天 equals its block; every weekday and lunar annotation names its date (read time);
- makeup working days fall on a Saturday or Sunday near their block, never inside a block;
  no two blocks overlap; every date lies in the notice's year or the weeks around it;
- each block holds its festival's statutory days (lunar festivals and 清明 computed);
- the notice's weekdays off balance its statutory days plus its makeup working days (调休 moves
  a rest day, it does not create one): a lost line shows here.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import MappingError
from .law import Law
from .workdays import ONE, WEEKDAYS, Year

Refuse = Callable[..., MappingError]
NEAR_DAYS = 16            # a makeup working day lies within this many days of its block (2026: 9月20日 for 国庆)


@dataclass
class Item:
    """One numbered item as read: its festivals, rest days, worked weekend days, weekend days
    moved by 调至, and the counts it states (共N天) with the span each counts."""

    names: tuple[str, ...]
    main: str
    number: int | None
    text: str
    rest: list[dt.date] = field(default_factory=list)
    work: list[dt.date] = field(default_factory=list)
    moved: list[dt.date] = field(default_factory=list)
    # (N, the span it counts, 共N天 = the whole block rather than 放假N天 = the days written, words)
    counts: list[tuple[int, tuple[dt.date, dt.date], bool, str]] = field(default_factory=list)


@dataclass
class Arrangement:
    """One year's arrangement: blocks of rest days per festival and the makeup working days
    (each with the festival it belongs to), plus the amendment notices applied on top."""

    year: int
    title: str
    number: str
    issued: dt.date | None
    holidays: list[tuple[str, dt.date, dt.date]] = field(default_factory=list)
    workdays: list[tuple[dt.date, str]] = field(default_factory=list)
    amended_by: list[str] = field(default_factory=list)
    url: str = ""
    items: list[Item] = field(default_factory=list)
    listed: tuple[str, ...] = ()

    def rest_days(self) -> dict[dt.date, str]:
        out = {}
        for name, a, b in self.holidays:
            day = a
            while day <= b:
                out[day] = name
                day += ONE
        return out

    def to_toml(self) -> str:
        src = self.title + (f"（{self.number}）" if self.number else "")
        lines = [f"# {self.year}: read from the State Council notice by `calgen holidays import`; every check passed.",
                 f"year = {self.year}", "complete = true", f"source = {_quote(src)}"]
        if self.url:
            lines.append(f"url = {_quote(self.url)}")
        if self.issued:
            lines.append(f"issued = {self.issued.isoformat()}")
        if self.amended_by:
            lines.append("amended_by = [" + ", ".join(map(_quote, self.amended_by)) + "]")
        own = _by_block(self)
        for i, (name, a, b) in enumerate(self.holidays):
            lines += ["", "[[holiday]]", f"name = {_quote(name)}", f"start = {a.isoformat()}", f"end = {b.isoformat()}"]
            if own[i]:
                lines.append("workdays = [" + ", ".join(d.isoformat() for d in sorted(own[i])) + "]")
        return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _by_block(arr: Arrangement) -> list[list[dt.date]]:
    """Each makeup working day under the nearest block of its festival (of any, if none)."""
    own: list[list[dt.date]] = [[] for _ in arr.holidays]
    for day, name in arr.workdays:
        blocks = [i for i, h in enumerate(arr.holidays) if h[0] == name] or list(range(len(arr.holidays)))
        best = min(blocks, key=lambda i: _gap(day, arr.holidays[i][1], arr.holidays[i][2]))
        own[best].append(day)
    return own


def _gap(day: dt.date, a: dt.date, b: dt.date) -> int:
    return 0 if a <= day <= b else min(abs((day - a).days), abs((day - b).days))


def _runs(days: set[dt.date], worked: set[dt.date], extend: bool) -> list[tuple[dt.date, dt.date]]:
    """Contiguous runs of ``days``; with ``extend``, joined across and widened by the weekend
    days around them that are not worked (与周末连休)."""
    def off(d: dt.date) -> bool:
        return d in days or (extend and d.weekday() >= 5 and d not in worked)

    out: list[tuple[dt.date, dt.date]] = []
    for d in sorted(days):
        if out and out[-1][0] <= d <= out[-1][1]:
            continue
        a = b = d
        while off(a - ONE) and (extend or a - ONE in days):
            a -= ONE
        while off(b + ONE) and (extend or b + ONE in days):
            b += ONE
        out.append((a, b))
    return out


def check(arr: Arrangement, law: Law, refuse: Refuse, whole_year: bool = True) -> None:
    """Check the items read from a notice and fill ``arr.holidays`` / ``arr.workdays``.  A
    ``whole_year`` notice must also be complete and balanced; an amendment's items need not."""
    year = arr.year
    items = arr.items
    seen: dict[str, int] = {}
    for k, it in enumerate(items):
        for name in it.names:
            if name in seen:
                raise refuse(f"a second arrangement for {name} (items {seen[name] + 1} and {k + 1}): "
                             "a conflict, not a merge", it.text)
            seen[name] = k
    numbers = [it.number for it in items]
    if any(n is not None for n in numbers) and numbers != list(range(1, len(items) + 1)):
        raise refuse("the items' numbering " + "、".join(_cn(n) for n in numbers) + " has a gap or repeats: "
                     "a line was lost or duplicated")
    if arr.listed:
        missing = [n for n in arr.listed if n not in seen]
        if missing:
            raise refuse(f"the preamble lists {'、'.join(missing)} but the notice has no item for "
                         f"{'it' if len(missing) == 1 else 'them'}")
        extra = [n for n in seen if n not in arr.listed]
        if extra:
            raise refuse(f"an item for {'、'.join(extra)}, which the preamble does not list")
    if whole_year:
        absent = [n for n in law.festivals(year) if n not in seen]
        if absent:
            raise refuse(f"no arrangement for {'、'.join(absent)}, which the holiday law provides for {year} "
                         f"({law.period(year).source}): the copy is incomplete")
    all_rest: dict[dt.date, str] = {}
    for it in items:
        for d in set(it.rest):
            if d in all_rest and all_rest[d] != it.main:
                raise refuse(f"{d.isoformat()} is in both {all_rest[d]} and {it.main}")
            all_rest[d] = it.main
    work: dict[dt.date, str] = {}
    for it in items:
        for d in it.work:
            work[d] = it.main
        for d in it.moved:                    # 将X（周六）公休日调至Y: X worked unless it is inside the block
            if d.weekday() < 5:
                raise refuse(f"{d.isoformat()} is moved as a 公休日 but is a 周{WEEKDAYS[d.weekday()]}", it.text)
            if d not in all_rest:
                work[d] = it.main
    lo, hi = dt.date(year - 1, 12, 1), dt.date(year + 1, 1, 31)
    for d in list(all_rest) + list(work):
        if not lo <= d <= hi:
            raise refuse(f"{d.isoformat()} is not in {year} or the weeks around it: the title's year and "
                         "the dates disagree")
    for d, name in work.items():
        if d.weekday() < 5:
            raise refuse(f"makeup working day {d.isoformat()} ({name}) is a 周{WEEKDAYS[d.weekday()]}, not a weekend")
        if d in all_rest:
            raise refuse(f"makeup working day {d.isoformat()} is inside the {all_rest[d]} holiday")
    worked = set(work)
    holidays: list[tuple[str, dt.date, dt.date]] = []
    for it in items:
        mine = set(it.rest)
        blocks = _runs(mine, worked, extend=True)
        for n, (a, b), whole, words in it.counts:
            if a == b and whole:                      # 1月1日放假，与周末连休，共3天
                a, b = next((x, y) for x, y in blocks if x <= a <= y)
            span = (b - a).days + 1
            if span != n:
                raise refuse(f"{a.isoformat()}–{b.isoformat()} is {span} days, the notice says "
                             f"{'共' if whole else '放假'}{n}天", words)
        for name in it.names:
            for day in law.statutory(name, year):
                if not any(x <= day <= y for x, y in blocks):
                    raise refuse(f"the {it.main} item does not hold {name}'s statutory day "
                                 f"{day.isoformat()} ({law.period(year).source if name in law.festivals(year) else name})",
                                 it.text)
        for d in it.work:
            if min(_gap(d, x, y) for x, y in blocks) > NEAR_DAYS:
                raise refuse(f"makeup working day {d.isoformat()} is far from the {it.main} holiday", it.text)
        holidays += [(it.main, a, b) for a, b in _runs(mine, worked, extend=False)]
    if whole_year:
        off = sum(1 for d in all_rest if d.weekday() < 5)
        statutory = sum(len(law.statutory(n, year)) for it in items for n in it.names)
        if off != statutory + len(work):
            raise refuse(f"{off} weekdays off do not balance {statutory} statutory days and {len(work)} makeup "
                         "working days (调休 moves rest days, it does not add any): a date or a line is missing "
                         "or misread")
    arr.holidays = sorted(holidays, key=lambda h: h[1])
    arr.workdays = sorted(work.items())
    check_days(arr, refuse)


def check_days(arr: Arrangement, refuse: Refuse) -> None:
    """The checks any arrangement passes, also after an amendment: no overlap, makeup days on
    weekends and outside every block."""
    rest: dict[dt.date, str] = {}
    for name, a, b in arr.holidays:
        day = a
        while day <= b:
            if day in rest and rest[day] != name:
                raise refuse(f"{day.isoformat()} is in both {rest[day]} and {name}")
            rest[day] = name
            day += ONE
    for day, name in arr.workdays:
        if day.weekday() < 5:
            raise refuse(f"makeup working day {day.isoformat()} ({name}) is a 周{WEEKDAYS[day.weekday()]}, "
                         "not a weekend")
        if day in rest:
            raise refuse(f"makeup working day {day.isoformat()} is inside the {rest[day]} holiday")


def _cn(n: int | None) -> str:
    return "?" if n is None else ("十" + "一二三四五六七八九"[n - 11] if 10 < n < 20 else
                                  "一二三四五六七八九十"[n - 1] if 0 < n <= 10 else str(n))


@dataclass(frozen=True)
class Amendment:
    """A notice that changes a year already announced: 调整 (a festival's days replaced),
    延长 (a festival extended; makeup days inside the extension cancelled) or a one-off
    holiday added (2015's 抗战胜利纪念日)."""

    year: int
    source: str
    festival: str
    how: str                                              # replace | extend | add
    holidays: tuple[tuple[str, dt.date, dt.date], ...] = ()
    workdays: tuple[tuple[dt.date, str], ...] = ()
    until: dt.date | None = None

    def apply(self, base: Arrangement, where: str = "notice") -> Arrangement:
        def refuse(msg: str, words: str = "") -> MappingError:
            return MappingError(msg + (f": {words}" if words else ""), file=where,
                                hint="import the year's own notice first, then its amendments")

        if base.year != self.year:
            raise refuse(f"amends {self.year}, but the arrangement is for {base.year}")
        if self.source in base.amended_by:
            raise refuse(f"already applied: {self.source}")
        hol, work = list(base.holidays), list(base.workdays)
        if self.how == "replace":
            hol = [h for h in hol if h[0] != self.festival] + list(self.holidays)
            work = [w for w in work if w[1] != self.festival] + list(self.workdays)
        elif self.how == "add":
            if any(h[0] == self.festival for h in hol):
                raise refuse(f"{self.festival} is already in the {self.year} arrangement")
            hol += self.holidays
            work += self.workdays
        else:
            until = self.until
            assert until is not None
            mine = [i for i, h in enumerate(hol) if h[0] == self.festival and h[1] <= until]
            if not mine:
                raise refuse(f"no {self.festival} block to extend in the {self.year} arrangement")
            i = max(mine, key=lambda k: hol[k][1])
            name, start, end = hol[i]
            if until < end:
                raise refuse(f"extends {self.festival} to {until.isoformat()}, before its end {end.isoformat()}")
            hol[i] = (name, start, until)
            work = [w for w in work if not start <= w[0] <= until]       # 2020-02-01 no longer worked
        out = Arrangement(base.year, base.title, base.number, base.issued, sorted(hol, key=lambda h: h[1]),
                          sorted(work), [*base.amended_by, self.source], base.url)
        check_days(out, refuse)
        return out


def from_year(years: dict[int, Year], year: int) -> Arrangement:
    """The year calgen already holds (chinese-calendar's data, or a year file) as its notice
    stated it — the days from 25 December before to 24 December, where a notice reaches — so
    an amendment can be applied to it."""
    rest: dict[dt.date, str] = {}
    makeup: dict[dt.date, str] = {}
    for y in (years.get(year - 1), years.get(year)):
        if y is not None:
            rest.update({d: n for d, n in y.rest.items() if _mine(d, year)})
            makeup.update({d: n for d, n in y.makeup.items() if _mine(d, year)})
    hol: list[tuple[str, dt.date, dt.date]] = []
    for d in sorted(rest):
        name = rest[d] or "元旦"
        if hol and hol[-1][0] == name and hol[-1][2] + ONE == d:
            hol[-1] = (name, hol[-1][1], d)
        else:
            hol.append((name, d, d))
    src = years[year].source.split("；")[0] if year in years else ""
    return Arrangement(year, src or f"{year} holiday data", "", None, hol, sorted(makeup.items()))


def load_arrangement(path: Path) -> Arrangement:
    """A year file (as `holidays import` writes it, or by hand) back as an Arrangement."""
    from ..mappings import load_toml
    from .holidays import load_year_file

    load_year_file(path)                                   # validated first
    data = load_toml(path)
    arr = Arrangement(data["year"], data["source"], "", data.get("issued"), url=data.get("url", ""),
                      amended_by=list(data.get("amended_by", [])))
    loose = list(data.get("workdays", []))
    for h in data.get("holiday", []):
        arr.holidays.append((h["name"], h["start"], h.get("end", h["start"])))
        arr.workdays += [(d, h["name"]) for d in h.get("workdays", [])]
    for day in loose:                                      # hand-written: the nearest block's
        name = min(arr.holidays, key=lambda h: _gap(day, h[1], h[2]))[0]
        arr.workdays.append((day, name))
    return arr


def save(arr: Arrangement, target: Path, replace: bool = False, source: str = "notice") -> None:
    """Write ``arr`` as ``target`` only if the written file loads as a year file; never leaves
    a half-written or temporary file behind.  A refusal names the notice, not the scratch file."""
    from .holidays import load_year_file

    if target.exists() and not replace:
        raise MappingError(f"{target} exists", file=source, hint="use --force to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    try:
        tmp.write_text(arr.to_toml(), encoding="utf-8")
        try:
            load_year_file(tmp)
        except MappingError as e:
            raise MappingError(f"the arrangement read does not make a valid year file ({e.message})",
                               file=source, hint="report this notice to calgen's maintainers") from None
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)


def _status(day: dt.date, rest: dict[dt.date, str], makeup: set[dt.date]) -> str:
    if day in makeup:
        return "working day (调休上班)"
    if day in rest:
        return f"rest ({rest[day]})" if rest[day] else "rest"
    return "working day" if day.weekday() < 5 else "weekend"


def difference(arr: Arrangement, held: Year | None, neighbours: dict[int, Year] | None = None) -> list[str]:
    """Every day whose status differs between what calgen holds for the year and ``arr``."""
    new_rest = arr.rest_days()
    new_make = {d for d, _ in arr.workdays}
    old_rest: dict[dt.date, str] = {}
    old_make: set[dt.date] = set()
    for y in [held, *(neighbours or {}).values()]:
        if y is not None:
            old_rest.update(y.rest)
            old_make |= set(y.makeup)
    days = sorted(set(new_rest) | new_make | {d for d in old_rest if _mine(d, arr.year)}
                  | {d for d in old_make if _mine(d, arr.year)})
    out = []
    for d in days:
        a, b = _status(d, old_rest, old_make), _status(d, new_rest, new_make)
        if _worked(a) != _worked(b):
            out.append(f"{d.isoformat()} 周{WEEKDAYS[d.weekday()]}: {a} → {b}")
    return out


def _worked(status: str) -> bool:
    return status.startswith("working")


def _mine(day: dt.date, year: int) -> bool:
    return dt.date(year - 1, 12, 25) <= day <= dt.date(year, 12, 24)


def table(arr: Arrangement) -> str:
    """The arrangement as `holidays import --dry-run` prints it."""
    rows = [f"{arr.year}  {arr.title}" + (f"（{arr.number}）" if arr.number else ""),
            _pad("block", 10) + _pad("dates", 27) + _pad("weekdays", 12) + "days  makeup working days"]
    own = _by_block(arr)
    for i, (name, a, b) in enumerate(arr.holidays):
        dates = a.isoformat() if a == b else f"{a.isoformat()} – {b.isoformat()}"
        wk = f"周{WEEKDAYS[a.weekday()]}" if a == b else f"周{WEEKDAYS[a.weekday()]}–周{WEEKDAYS[b.weekday()]}"
        make = "、".join(f"{d.isoformat()}（周{WEEKDAYS[d.weekday()]}）" for d in sorted(own[i])) or "—"
        rows.append(_pad(name, 10) + _pad(dates, 27) + _pad(wk, 12) + f"{(b - a).days + 1:>4}  {make}")
    rows.append(f"rest days {len(arr.rest_days())}, makeup working days {len(arr.workdays)}")
    return "\n".join(rows)


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (a CJK character takes two)."""
    import unicodedata

    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - used)
