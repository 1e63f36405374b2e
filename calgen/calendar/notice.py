"""`calgen holidays import`: the State Council holiday notice → a year's arrangement file.

国务院办公厅关于YYYY年部分节假日安排的通知 is short and regular: one numbered block per festival
(一、元旦：…), each with its rest days (X月X日至X日放假调休，共N天 / X月X日放假，与周末连休 /
X月X日补休) and its 调休 working days (X月X日（周六）上班 / 将…公休日调至…).  Copies on the web
are damaged (Traditional script, pinyin, ASCII punctuation, one line, a lost 月); reading goes
through calgen's own cleaning first.  What was read is validated — every （星期X）/（周X） matches its
date, makeup days fall on weekends, 共N天 agrees with the range, each block holds its festival's
day — and a notice that does not add up is refused with the sentence, never half-read.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from ..errors import MappingError
from ..numerals import cn_to_int
from .workdays import ONE, WEEKDAYS

_NAMES = MappingProxyType({"元旦": "元旦", "春节": "春节", "清明节": "清明节", "清明": "清明节", "劳动节": "劳动节",
          "五一": "劳动节", "端午节": "端午节", "端午": "端午节", "中秋节": "中秋节", "中秋": "中秋节",
          "国庆节": "国庆节", "国庆": "国庆节", "十一": "国庆节", "抗战胜利纪念日": "抗战胜利纪念日"})
_NAME = "|".join(sorted(_NAMES, key=len, reverse=True))
_BLOCK = re.compile(rf"(?:^|[。.;；\s])[一二三四五六七八九][、,，.．]\s*[“\"]?((?:{_NAME})[”\"]?(?:[、和及][“\"]?(?:{_NAME})[”\"]?)*)[:：]")
_TITLE = re.compile(r"国务院办公厅关于(?:调整|延长)?(\d{4}|[一二][〇零一二三四五六七八九]{3})年(?:部分)?节假日安排|"
                    r"国务院办公厅关于(\d{4})年")
_NUMBER = re.compile(r"国(?:办)?发(?:明电)?[〔\[(（【]\d{4}[〕\])）】]\s*\d+\s*号")
_DATE = re.compile(r"(?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2})月)?(?P<d>\d{1,2})日"
                   r"(?:[(（](?:星期|周)(?P<w>[一二三四五六日天])[)）])?|(?P<md>\d{3,4})日")
_ISSUED = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_COUNT = re.compile(r"共(\d+|[一二三四五六七八九十]+)天")
# Where a festival's day falls (solar festivals exactly; lunar ones within their possible window).
_HOLDS = MappingProxyType({"元旦": ((1, 1), (1, 1)), "劳动节": ((5, 1), (5, 1)), "国庆节": ((10, 1), (10, 3)),
          "清明节": ((4, 3), (4, 6)), "春节": ((1, 21), (2, 20)), "端午节": ((5, 28), (6, 25)),
          "中秋节": ((9, 7), (10, 8)), "抗战胜利纪念日": ((9, 3), (9, 3))})


@dataclass
class Arrangement:
    """One notice as read: blocks of rest days per festival and the makeup working days
    (each with the festival it belongs to), plus the amendment notices applied on top."""

    year: int
    title: str
    number: str
    issued: dt.date | None
    holidays: list[tuple[str, dt.date, dt.date]] = field(default_factory=list)
    workdays: list[tuple[dt.date, str]] = field(default_factory=list)
    amended_by: list[str] = field(default_factory=list)
    url: str = ""

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
        lines = [f"# {self.year}: read from the State Council notice by `calgen holidays import`.",
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
        best = min(blocks, key=lambda i: min(abs((day - arr.holidays[i][1]).days),
                                             abs((day - arr.holidays[i][2]).days)))
        own[best].append(day)
    return own


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
        name = min(arr.holidays, key=lambda h: min(abs((day - h[1]).days), abs((day - h[2]).days)))[0]
        arr.workdays.append((day, name))
    return arr


def read_notice(text: str, source: str = "notice") -> Arrangement:
    """Read a notice's text (already cleaned: Simplified, pinyin removed).  Refuses with the
    sentence when something does not add up."""
    flat = re.sub(r"\s+", "", text)

    def refuse(msg: str, where: str = "") -> MappingError:
        return MappingError(msg + (f": {where[:80]}" if where else ""), file=source,
                            hint="check the notice against the State Council's published text")

    t = _TITLE.search(flat)
    if not t:
        raise refuse("not a State Council holiday notice (no 国务院办公厅关于YYYY年部分节假日安排的通知 title)")
    raw_year = t.group(1) or t.group(2)
    year = int(raw_year) if raw_year.isdigit() else (cn_to_int(raw_year) or 0)
    title_end = flat.find("通知", t.start())
    title = flat[t.start():title_end + 2] if title_end > 0 else flat[t.start():t.end()]
    number = _NUMBER.search(flat)
    heads = list(_BLOCK.finditer(flat))
    if not heads:
        raise refuse("no festival blocks (一、元旦：…) found")
    arr = Arrangement(year, title, re.sub(r"\s+", "", number.group(0)) if number else "", _issued(flat, heads[-1].end()))
    for i, h in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(flat)
        body = flat[h.end():end]
        body = re.split(r"节假日期间|各地区、各部门要|各地区各部门要", body, maxsplit=1)[0]
        names = [_NAMES[n.strip("“”\"")] for n in re.split(r"[、和及]", h.group(1))]
        _read_block(names, body, year, arr, refuse)
    _check(arr, refuse)
    return arr


_AMEND = re.compile(rf"国务院办公厅关于(?P<how>调整|延长)(?P<y>\d{{4}})年(?P<name>{_NAME})(?:假期|放假)|"
                    r"国务院关于.{0,40}?(?:抗日战争|抗战).{0,40}?纪念日(?:调休)?放假")
_EXTEND = re.compile(rf"延长(?:\d{{4}}年)?(?:{_NAME})假期至(?:(?P<y>\d{{4}})年)?(?P<m>\d{{1,2}})月(?P<d>\d{{1,2}})日"
                     r"(?:[(（](?P<note>[^)）]{0,30})[)）])?")


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
        def refuse(msg: str) -> MappingError:
            return MappingError(msg, file=where, hint="import the year's own notice first, then its amendments")

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
        out = Arrangement(base.year, base.title, base.number, base.issued, hol, work,
                          [*base.amended_by, self.source], base.url)

        def fail(msg: str, where_: str = "") -> MappingError:
            return refuse(msg + (f": {where_}" if where_ else ""))

        _check(out, fail)
        return out


def read_holiday_notice(text: str, source: str = "notice") -> Arrangement | Amendment:
    """A year's notice (→ :class:`Arrangement`) or an amendment to one (→ :class:`Amendment`),
    whichever title comes first."""
    flat = re.sub(r"\s+", "", text)
    a, t = _AMEND.search(flat), _TITLE.search(flat)
    if a and (not t or a.start() < t.start()):
        return _read_amendment(flat, a, source)
    return read_notice(text, source)


def _read_amendment(flat: str, a: re.Match, source: str) -> Amendment:
    def refuse(msg: str, where: str = "") -> MappingError:
        return MappingError(msg + (f": {where[:80]}" if where else ""), file=source,
                            hint="check the notice against the State Council's published text")

    end = flat.find("通知", a.start())
    title = flat[a.start():end + 2] if end > 0 else a.group(0)
    number = _NUMBER.search(flat, a.end())
    src = title + ("（" + re.sub(r"\s+", "", number.group(0)) + "）" if number else "")
    start = flat.find("通知如下", a.end())
    body = flat[start + 4 if start >= 0 else (end + 2 if end > 0 else a.end()):]
    if a.group("how") == "延长":
        year, name = int(a.group("y")), _NAMES[a.group("name")]
        e = _EXTEND.search(body)
        if not e:
            raise refuse(f"an extension of {name} without 延长…假期至X月X日", body[:80])
        try:
            until = dt.date(int(e.group("y") or year), int(e.group("m")), int(e.group("d")))
        except ValueError:
            raise refuse("impossible date", e.group(0)) from None
        w = re.search(r"(?:星期|周)([一二三四五六日天])", e.group("note") or "")
        if w and WEEKDAYS[until.weekday()] != w.group(1).replace("天", "日"):
            raise refuse(f"{until.isoformat()} is 周{WEEKDAYS[until.weekday()]}, the notice says 周{w.group(1)}",
                         e.group(0))
        return Amendment(year, src, name, "extend", until=until)
    if a.group("how") == "调整":
        year, name, how = int(a.group("y")), _NAMES[a.group("name")], "replace"
    else:
        y = re.search(r"(\d{4})年\d{1,2}月\d{1,2}日", body) or re.search(r"(\d{4})年", flat)
        if not y:
            raise refuse("no year in the notice")
        year, name, how = int(y.group(1)), "抗战胜利纪念日", "add"
    tmp = Arrangement(year, title, "", None)
    _read_block([name], body, year, tmp, refuse)
    _check(tmp, refuse)
    return Amendment(year, src, name, how, tuple(tmp.holidays), tuple(tmp.workdays))


def _issued(flat: str, after: int) -> dt.date | None:
    dates = list(_ISSUED.finditer(flat, after))
    if not dates:
        return None
    y, m, d = map(int, dates[-1].groups())
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _read_block(names: list[str], body: str, year: int, arr: Arrangement, refuse) -> None:
    """Tokens (dates, with 至 between the two ends of a range) are assigned to what the words
    after them say: 放假/补休 → rest, 上班 → makeup working day, 公休日调至 → the ones before are
    working days and the ones after rest."""
    main = names[-1] if len(names) > 1 and "国庆节" in names else names[0]
    cur_y: int | None = None
    cur_m: int | None = None
    pending: list[tuple[dt.date, bool]] = []          # (day, starts a range with the next one)
    rests: list[tuple[dt.date, dt.date]] = []
    makeup: list[dt.date] = []
    swap_to_rest = False
    tokens = list(_DATE.finditer(body))
    if not tokens:
        raise refuse(f"no dates in the {main} block", body)
    for k, tok in enumerate(tokens):
        y: int | None = int(tok.group("y")) if tok.group("y") else cur_y
        m: int | None = int(tok.group("m")) if tok.group("m") else cur_m
        if tok.group("md"):                             # 130日: a lost 月
            md = tok.group("md")
            m, d = int(md[:-2]), int(md[-2:])
        else:
            d = int(tok.group("d"))
        if y is None:
            y = year
        if m is None:
            raise refuse(f"a day without a month in the {main} block", tok.group(0))
        try:
            day = dt.date(y, m, d)
            if pending and pending[-1][1] and day < pending[-1][0] and not tok.group("y"):
                day = day.replace(year=day.year + 1)        # 12月30日至1月1日: into the new year
        except ValueError:
            raise refuse("impossible date", tok.group(0)) from None
        cur_y, cur_m = day.year, m
        w = tok.group("w")
        if w and WEEKDAYS[day.weekday()] != w.replace("天", "日"):
            raise refuse(f"{day.isoformat()} is 周{WEEKDAYS[day.weekday()]}, the notice says 周{w}",
                         tok.group(0))
        after = body[tok.end():tokens[k + 1].start() if k + 1 < len(tokens) else len(body)]
        pending.append((day, after.startswith(("至", "到", "-", "—"))))
        words = after.lstrip("至到-—、和及,，")
        if not words and after:
            continue
        kind = None
        if "公休日调至" in after or "调至" in after:
            makeup += [d0 for d0, _ in pending]
            pending, swap_to_rest = [], True
            continue
        if any(w_ in after for w_ in ("放假", "补休", "休息", "调休")) and "上班" not in after:
            kind = "rest"
        elif "上班" in after:
            kind = "work"
        elif swap_to_rest and after[:1] in "，,。;；":
            kind, swap_to_rest = "rest", False
        if kind is None:
            if after[:1] in "。;；" or after.startswith("共"):
                pending = []
            continue
        if kind == "work":
            makeup += [d0 for d0, _ in pending]
        else:
            i = 0
            while i < len(pending):
                a, is_range = pending[i]
                if is_range and i + 1 < len(pending):
                    b = pending[i + 1][0]
                    if b < a:
                        raise refuse("a range that ends before it starts", body)
                    rests.append((a, b))
                    i += 2
                else:
                    rests.append((a, a))
                    i += 1
            count = _COUNT.search(after)
            if count:
                n = int(count.group(1)) if count.group(1).isdigit() else (cn_to_int(count.group(1)) or 0)
                a, b = rests[-1]
                if (b - a).days + 1 != n and len(pending) > 1:
                    raise refuse(f"{a.isoformat()}–{b.isoformat()} is {(b - a).days + 1} days, the notice says 共{n}天",
                                 body)
        pending = []
    if not rests:
        raise refuse(f"no rest days in the {main} block", body)
    merged: list[tuple[dt.date, dt.date]] = []
    for a, b in sorted(rests):               # 9月3日至5日…其中9月3日放假，9月4日调休: one block
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    for a, b in merged:
        if not any(a0 <= a and b <= b0 for _, a0, b0 in arr.holidays):   # 调至 days inside the range
            arr.holidays.append((main, a, b))
    for day in makeup:
        arr.workdays.append((day, main))
    for name in names:
        _holds(name, rests, year, refuse, body)


def _holds(name: str, rests: list[tuple[dt.date, dt.date]], year: int, refuse, body: str) -> None:
    (m0, d0), (m1, d1) = _HOLDS[name]
    for a, b in rests:
        y = b.year
        lo, hi = dt.date(y, m0, d0), dt.date(y, m1, d1)
        if a <= hi and b >= lo:
            return
    raise refuse(f"the {name} block does not hold {name}'s day", body)


def _check(arr: Arrangement, refuse) -> None:
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


def save(arr: Arrangement, target: Path, replace: bool = False) -> None:
    """Write ``arr`` as ``target`` only if the written file loads as a year file; never leaves
    a half-written or temporary file behind."""
    from .holidays import load_year_file

    if target.exists() and not replace:
        raise MappingError("exists", file=str(target), hint="use --force to replace it")
    tmp = target.with_name(target.name + ".tmp")
    try:
        tmp.write_text(arr.to_toml(), encoding="utf-8")
        load_year_file(tmp)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
