"""The holiday law as data: which festivals a year's notice must arrange, and their statutory days.

``mappings/holidays/law.toml`` states 《全国年节及纪念日放假办法》 period by period (each citing its
decree).  Lunar festivals (春节, 端午, 中秋) and the solar term 清明 are computed with lunar-python,
a maintained lunar/solar-term library (no hand-written astronomy here); a lunar annotation in a
notice (``农历腊月二十八``) is checked the same way.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from ..errors import MappingError
from ..mappings import load_toml

ONE = dt.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    first: int
    last: int
    source: str
    festivals: MappingProxyType[str, tuple[str, ...]]


@dataclass(frozen=True)
class Law:
    periods: tuple[Period, ...]
    oneoff: MappingProxyType[str, tuple[int, tuple[str, ...], str]]

    def period(self, year: int) -> Period:
        for p in self.periods:
            if p.first <= year <= p.last:
                return p
        raise MappingError(f"the holiday law table has no period for {year}",
                           hint="add a [[period]] to mappings/holidays/law.toml")

    def festivals(self, year: int) -> tuple[str, ...]:
        """The festivals every notice for ``year`` must arrange, in the law's order."""
        return tuple(self.period(year).festivals)

    def statutory(self, name: str, year: int) -> list[dt.date]:
        """The statutory days of festival ``name`` in ``year`` (one-off holidays included)."""
        if name in self.oneoff:
            y, days, _ = self.oneoff[name]
            return [_day(s, year) for s in days] if y == year else []
        spec = self.period(year).festivals.get(name)
        return [_day(s, year) for s in spec] if spec else []


def load_law(path: Path) -> Law:
    data = load_toml(path)

    def bad(msg: str) -> MappingError:
        return MappingError(msg, file=str(path), hint="see the comments at the top of the file")

    periods = []
    for p in data.get("period", []):
        fest = p.get("festivals")
        if not isinstance(p.get("first"), int) or not isinstance(p.get("last"), int) or not isinstance(fest, dict):
            raise bad("each [[period]] needs first, last and [period.festivals]")
        if not p.get("source"):
            raise bad(f"period {p['first']}–{p['last']} cites no source")
        for days in fest.values():
            for s in days:
                _day(s, 2000, path)                     # validated once
        periods.append(Period(p["first"], p["last"], p["source"],
                              MappingProxyType({k: tuple(v) for k, v in fest.items()})))
    oneoff: dict[str, tuple[int, tuple[str, ...], str]] = {}
    for name, o in data.get("oneoff", {}).items():
        if not isinstance(o, dict) or not isinstance(o.get("year"), int) or not o.get("source"):
            raise bad(f"one-off holiday {name}: needs year, days and source")
        oneoff[name] = (o["year"], tuple(o.get("days", [])), o["source"])
    if not periods:
        raise bad("no [[period]]")
    return Law(tuple(periods), MappingProxyType(oneoff))


_SPEC = re.compile(r"(L:)?(\d{1,2})-(\d{1,2})|除夕|清明")


def _day(spec: str, year: int, path: Path | None = None) -> dt.date:
    m = _SPEC.fullmatch(spec)
    if not m:
        raise MappingError(f"day {spec!r} is not M-D, L:M-D, 除夕 or 清明", file=str(path) if path else None)
    if spec == "除夕":
        return lunar_to_solar(year, 1, 1) - ONE
    if spec == "清明":
        return solar_term(year, "清明")
    month, day = int(m.group(2)), int(m.group(3))
    return lunar_to_solar(year, month, day) if m.group(1) else dt.date(year, month, day)


def lunar_to_solar(lunar_year: int, month: int, day: int) -> dt.date:
    from lunar_python import Lunar

    s = Lunar.fromYmd(lunar_year, month, day).getSolar()
    return dt.date(s.getYear(), s.getMonth(), s.getDay())


def solar_term(year: int, name: str) -> dt.date:
    """The Gregorian day of solar term ``name`` (清明…) in Gregorian ``year``."""
    from lunar_python import Lunar

    s = Lunar.fromYmd(year, 6, 1).getJieQiTable()[name]
    return dt.date(s.getYear(), s.getMonth(), s.getDay())


_LUNAR_MONTHS = MappingProxyType({"正": 1, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
                                  "九": 9, "十": 10, "冬": 11, "十一": 11, "腊": 12, "十二": 12})
_DIGITS = "一二三四五六七八九"


def lunar_day_number(text: str) -> int | None:
    """初一 → 1, 十五 → 15, 廿八 / 二十八 → 28, 三十 → 30; None if not a lunar day."""
    text = text.replace("廿", "二十").replace("卅", "三十")
    if text.startswith("初") and len(text) == 2 and text[1] in _DIGITS + "十":
        return 10 if text[1] == "十" else _DIGITS.index(text[1]) + 1
    m = re.fullmatch(r"([一二三])?十([一二三四五六七八九])?", text)
    if not m:
        return None
    tens = _DIGITS.index(m.group(1)) + 1 if m.group(1) else 1
    return tens * 10 + (_DIGITS.index(m.group(2)) + 1 if m.group(2) else 0)


_LUNAR = re.compile(r"(?:即?农历)?(?:(?P<eve>(?:大年)?除夕)|(?:(?P<month>正|冬|腊|十[一二]?|[一二三四五六七八九])月)?"
                    r"(?:大年)?(?P<day>初[一二三四五六七八九十]|[二三]?十[一二三四五六七八九]?|廿[一二三四五六七八九]))")


_FESTIVAL_DAYS = MappingProxyType({"春节": (1, 1), "端午节": (5, 5), "端午": (5, 5), "中秋节": (8, 15), "中秋": (8, 15)})


def lunar_agrees(text: str, day: dt.date) -> bool | None:
    """Whether a lunar annotation (农历腊月二十八, 除夕, 正月初七, 初三) or a festival's name written
    as one (春节, 清明节, 中秋节) names ``day``; None when ``text`` is neither.  A month left out is
    not checked (初七 alone)."""
    if text in ("清明", "清明节"):
        return solar_term(day.year, "清明") == day
    if text in _FESTIVAL_DAYS:
        from lunar_python import Solar

        lunar = Solar.fromYmd(day.year, day.month, day.day).getLunar()
        return (lunar.getMonth(), lunar.getDay()) == _FESTIVAL_DAYS[text]
    m = _LUNAR.fullmatch(text)
    if not m:
        return None
    from lunar_python import Solar

    if m.group("eve"):
        nxt = Solar.fromYmd((day + ONE).year, (day + ONE).month, (day + ONE).day).getLunar()
        return nxt.getMonth() == 1 and nxt.getDay() == 1
    lunar = Solar.fromYmd(day.year, day.month, day.day).getLunar()
    if lunar_day_number(m.group("day")) != lunar.getDay():
        return False
    return not m.group("month") or _LUNAR_MONTHS[m.group("month")] == lunar.getMonth()   # 闰月 < 0: False


def law_path(folder: Path) -> Path:
    """Where the law table lives in a mappings folder."""
    return folder / "holidays" / "law.toml"
