"""`calgen holidays import`: the State Council holiday notice, read as it is printed.

国务院办公厅关于YYYY年部分节假日安排的通知 is short and regular: a preamble that lists the
festivals (现将YYYY年元旦、春节、…放假调休日期的具体安排通知如下), then one numbered item per
festival (一、元旦：…) whose sentences say which days are rested (…至…放假调休，共N天 / …放假，与周末连休 /
…补休) and which weekend days are worked (…（周六）上班 / 将…公休日调至…).  Copies are damaged in
known ways (Traditional script, pinyin glosses, ASCII punctuation, one paragraph, junk lines, a
lost 月, lunar annotations since 2025); reading goes through calgen's own cleaning first.

Every clause that holds a date is read whole or the notice is refused; nothing is half-read.
What was read is then checked (:mod:`calgen.calendar.arrangement`) before a file is written.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from types import MappingProxyType

from ..errors import MappingError
from ..numerals import cn_to_int
from .arrangement import Amendment, Arrangement, Item, check
from .law import Law, lunar_agrees
from .workdays import WEEKDAYS

# Festival names as notices write them → the statutory name.
NAMES = MappingProxyType({
    "元旦": "元旦", "春节": "春节", "清明节": "清明节", "清明": "清明节", "劳动节": "劳动节", "国际劳动节": "劳动节",
    "五一国际劳动节": "劳动节", "五一劳动节": "劳动节", "五一": "劳动节", "端午节": "端午节", "端午": "端午节",
    "中秋节": "中秋节", "中秋": "中秋节", "国庆节": "国庆节", "国庆": "国庆节", "十一": "国庆节",
    "抗战胜利纪念日": "抗战胜利纪念日"})
_Q = "[“”\"'‘’]?"
_NAME = "|".join(sorted(NAMES, key=len, reverse=True))
_ONE_NAME = rf"{_Q}(?:{_NAME}){_Q}(?:国际劳动节)?"
_NAMES_LIST = rf"{_ONE_NAME}(?:[、和及与]{_ONE_NAME})*"
_NUMERAL = "一二三四五六七八九十"
_HEAD = re.compile(rf"(?:(?P<num>[{_NUMERAL}]{{1,2}})[、,.．]|(?<![^。;:!?）)\]】\d]))(?P<names>{_NAMES_LIST}):")
_TITLE = re.compile(r"国务院办公厅关于(?P<y>\d{4}|[一二][〇零一二三四五六七八九]{3})年(?:部分)?节假日安排")
_PREAMBLE = re.compile(rf"(?:现将|经国务院批准,?)(?P<y>\d{{4}})年,?(?P<names>{_NAMES_LIST})(?:放假|节假日)")
_NUMBER = re.compile(r"国(?:办)?发(?:明电)?[〔\[(【]\d{4}[〕\])】]\d+号")
_CLOSING = re.compile(r"节假日期间|各地区、?各部门|国务院办公厅(?=\d{4}年|[〇零一二]{4}年)")
_DATE = re.compile(r"(?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2})月)?(?P<d>\d{1,4})日(?:\((?P<ann>[^()]{0,40})\))?")
_SEP = re.compile(r"(?:至|到|-+|—+|–|~)")
_COUNT = re.compile(r"(共|放假)(\d+|[一二三四五六七八九十]+)天")
_WEEKDAY = re.compile(r"(?:星期|周|礼拜)([一二三四五六日天])")
_ADVICE = re.compile(r"鼓励|倡导|提倡|建议|提醒")
_WORK = re.compile(r"(?<!不)(?<!起)(?<!起正常)上班")
_START_WORK = re.compile(r"起(?:正常)?上班")
_REST = re.compile(r"放假|补休|调休|休息|公休|法定节?假日|不上班|连休")
_ISSUED = re.compile(r"(\d{4}|[〇零一二三四五六七八九]{4})年(\d{1,2}|[一二三四五六七八九十]{1,3})月"
                     r"(\d{1,2}|[一二三四五六七八九十]{1,3})日")


def flatten(text: str) -> str:
    """One string: compatibility forms folded (full-width digits and punctuation → ASCII), stray
    markup and all whitespace removed.  Dates and words never span a line break in meaning."""
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"</?[A-Za-z][^<>]{0,300}>", "", t)     # stray markup, not a forum copy's junk (<0W|…)
    return re.sub(r"\s+", "", t)


class _Refuse:
    def __init__(self, source: str) -> None:
        self.source = source

    def __call__(self, msg: str, where: str = "") -> MappingError:
        return MappingError(msg + (f": {where[:90]}" if where else ""), file=self.source,
                            hint="compare the copy with the notice on www.gov.cn; a damaged copy is refused, never guessed")


@dataclass
class _Ref:
    """One date as written, resolved: the day, its text and where it stands in the sentence."""

    day: dt.date
    text: str
    start: int
    end: int


def read_notice(text: str, source: str = "notice", law: Law | None = None) -> Arrangement:
    """A year's notice (text already cleaned: Simplified, pinyin glosses removed) → its checked
    :class:`Arrangement`.  Refuses (MappingError naming the check and the words) when anything
    does not add up."""
    law = law or _default_law()
    refuse = _Refuse(source)
    flat = flatten(text)
    pre = _PREAMBLE.search(flat)
    titles = list(_TITLE.finditer(flat))
    if pre:
        year = int(pre.group("y"))
        before = [t for t in titles if t.start() < pre.start() and _year(t.group("y")) == year]
        title_m = before[-1] if before else None
        if not title_m and any(t.start() < pre.start() for t in titles):
            other = [t for t in titles if t.start() < pre.start()][-1]
            raise refuse(f"the title is for {_year(other.group('y'))}, the preamble for {year}", other.group(0))
        start = pre.end()
        listed = _names(pre.group("names"))
    elif titles:
        title_m = titles[-1] if len({_year(t.group("y")) for t in titles}) == 1 else None
        if title_m is None:
            raise refuse("several notices' titles and no preamble (现将YYYY年…通知如下) to choose one")
        year, start, listed = _year(title_m.group("y")), title_m.end(), []
    else:
        raise refuse("not a State Council holiday notice (no 国务院办公厅关于YYYY年部分节假日安排的通知 title, "
                     "no 现将YYYY年…放假调休日期的具体安排通知如下)")
    title = f"国务院办公厅关于{year}年部分节假日安排的通知"
    number = _NUMBER.search(flat, title_m.end() if title_m else 0, start + 200)
    later = [t.start() for t in titles if t.start() > start]
    stop = min(later) if later else len(flat)
    closing = _CLOSING.search(flat, start, stop)
    body_end = closing.start() if closing else stop
    heads = [h for h in _HEAD.finditer(flat, start, body_end)]
    if any(h.group("num") for h in heads):
        heads = [h for h in heads if h.group("num")]
    if not heads:
        raise refuse("no festival items (一、元旦：…) found after the preamble")
    arr = Arrangement(year, title, number.group(0) if number else "", _issued(flat, body_end),
                      listed=tuple(listed))
    for i, h in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else body_end
        names = _names(h.group("names"))
        num = cn_to_int(h.group("num")) if h.group("num") else None
        arr.items.append(read_item(names, flat[h.end():end], year, refuse, law, number=num))
    check(arr, law, refuse)
    return arr


def read_item(names: list[str], body: str, year: int, refuse: _Refuse, law: Law, number: int | None = None,
              ) -> Item:
    """One item's sentences → its rest days, makeup working days and stated counts.  Every clause
    with a date must say what the date is (放假/补休/…, 上班, 调至); advice (鼓励…) adds nothing."""
    main = "国庆节" if "国庆节" in names else names[0]
    anchor = next(iter(law.statutory(main, year)), None) or dt.date(year, 1, 1)
    item = Item(tuple(names), main, number, body)
    prev: dt.date | None = None
    prev_month: int | None = None
    for sentence in re.split(r"[。;!?]", body):
        if not sentence or _ADVICE.search(sentence):
            continue
        refs: list[_Ref] = []
        for tok in _DATE.finditer(sentence):
            day = _resolve(tok, prev, prev_month, anchor, refuse)
            _annotation(tok, day, refuse)
            refs.append(_Ref(day, tok.group(0), tok.start(), tok.end()))
            prev, prev_month = day, day.month
        _read_sentence(sentence, refs, item, refuse)
    if not item.rest:
        raise refuse(f"no rest days in the {main} item", body)
    return item


def _read_sentence(sentence: str, refs: list[_Ref], item: Item, refuse: _Refuse) -> None:
    """Clauses (split at commas) take the verb they hold; dates in a clause without one wait for
    the next clause's verb (4月4日（清明节），为法定节假日)."""
    pending: list[tuple[dt.date, dt.date]] = []
    last_rest: tuple[dt.date, dt.date] | None = None
    pos = 0
    for clause in sentence.split(","):
        lo, hi = pos, pos + len(clause)
        pos = hi + 1
        mine = [r for r in refs if lo <= r.start < hi]
        spans = _spans(sentence, mine, refuse)
        words = _words(clause, [(r.start - lo, r.end - lo) for r in mine])
        count = _COUNT.search(words)
        if "调至" in words:
            cut = lo + clause.index("调至")
            moved = pending + [(a, b) for a, b, at in spans if at < cut]
            item.moved += [d for a, b in moved for d in _days(a, b)]
            item.rest += [d for a, b, at in spans if at >= cut for d in _days(a, b)]
            pending = []
            continue
        if _START_WORK.search(words):
            pending = []                                    # …起正常上班: the first day back, nothing more
            continue
        work = bool(_WORK.search(words))
        rest = not work and bool(_REST.search(words))
        if work or rest:
            here = pending + [(a, b) for a, b, _ in spans]
            pending = []
            for a, b in here:
                (item.work if work else item.rest).extend(_days(a, b))
            if rest and here:
                last_rest = here[-1]
        elif spans:
            pending += [(a, b) for a, b, _ in spans]
        if count:
            n = int(count.group(2)) if count.group(2).isdigit() else (cn_to_int(count.group(2)) or 0)
            if last_rest is None:
                raise refuse(f"{count.group(0)} without the days it counts", sentence)
            item.counts.append((n, last_rest, count.group(1) == "共", sentence))
    if pending:
        raise refuse("dates with no 放假/上班/调至 to say what they are", sentence)


def _spans(sentence: str, refs: list[_Ref], refuse: _Refuse) -> list[tuple[dt.date, dt.date, int]]:
    """Dates of a clause as (first, last, where) spans: two dates joined by 至/－/—/~/到 are one range."""
    out: list[tuple[dt.date, dt.date, int]] = []
    i = 0
    while i < len(refs):
        r = refs[i]
        if i + 1 < len(refs) and _SEP.fullmatch(sentence[r.end:refs[i + 1].start]):
            b = refs[i + 1].day
            if b < r.day:
                raise refuse("a range that ends before it starts", f"{r.text}–{refs[i + 1].text}")
            out.append((r.day, b, r.start))
            i += 2
        else:
            out.append((r.day, r.day, r.start))
            i += 1
    return out


def _words(clause: str, cuts: list[tuple[int, int]]) -> str:
    out, pos = [], 0
    for a, b in cuts:
        out.append(clause[pos:a])
        pos = b
    out.append(clause[pos:])
    return "#".join(out)


def _days(a: dt.date, b: dt.date) -> list[dt.date]:
    return [a + dt.timedelta(days=k) for k in range((b - a).days + 1)]


def _resolve(tok: re.Match, prev: dt.date | None, prev_month: int | None, anchor: dt.date,
             refuse: _Refuse) -> dt.date:
    """A written date as a day: a missing year is the one nearest the previous date (or the
    festival's day), a missing month the previous date's; a lost 月 (210日 for 2月10日) is split
    where only one split is a real date agreeing with its weekday."""
    near = prev or anchor
    digits = tok.group("d")
    week = _weekday(tok.group("ann"))
    explicit_y = int(tok.group("y")) if tok.group("y") else None
    if tok.group("m"):
        tries = [[(int(tok.group("m")), int(digits))] if len(digits) <= 2 else []]
    elif len(digits) > 2 or (prev_month is None and len(digits) == 2):
        tries = [_splits(digits)]
    else:                                   # 17日 after 2月10日; 24日（星期日） may be a lost 月 (2月4日)
        tries = [[(prev_month, int(digits))] if prev_month else [], _splits(digits) if len(digits) == 2 else []]
    days: list[dt.date] = []
    cands: list[tuple[int, int]] = []
    for group in tries:
        cands += group
        for m, d in group:
            day = _nearest(m, d, explicit_y, near)
            if day and (week is None or WEEKDAYS[day.weekday()] == week) and _agrees(tok.group("ann"), day):
                days.append(day)
        if days:
            break
    if not days:
        first = next((x for x in (_nearest(m, d, explicit_y, near) for m, d in cands) if x), None)
        if first is None:
            raise refuse("not a date (a day without a month, or an impossible day)", tok.group(0))
        if week is not None and WEEKDAYS[first.weekday()] != week:
            raise refuse(f"{first.isoformat()} is 周{WEEKDAYS[first.weekday()]}, the notice says 周{week}", tok.group(0))
        part = next(p for p in re.split(r"[、,]", tok.group("ann")) if lunar_agrees(p, first) is False)
        raise refuse(f"{first.isoformat()} is not {part}", tok.group(0))
    days = sorted(set(days), key=lambda x: abs((x - near).days))
    if len(days) > 1 and abs((days[1] - near).days) <= 45:
        raise refuse("a day that can be read two ways (a lost 月?)", tok.group(0))
    return days[0]


def _agrees(ann: str | None, day: dt.date) -> bool:
    """No lunar or festival part of an annotation names another day."""
    if not ann or "至" in ann:
        return True
    return all(lunar_agrees(part, day) is not False for part in re.split(r"[、,]", ann))


def _splits(digits: str) -> list[tuple[int, int]]:
    out = []
    for k in range(1, len(digits)):
        m, d = digits[:k], digits[k:]
        if d.startswith("0") or m.startswith("0"):
            continue
        if 1 <= int(m) <= 12 and 1 <= int(d) <= 31:
            out.append((int(m), int(d)))
    return out


def _nearest(month: int, day: int, year: int | None, near: dt.date) -> dt.date | None:
    best = None
    for y in ([year] if year else [near.year - 1, near.year, near.year + 1]):
        try:
            cand = dt.date(y, month, day)
        except ValueError:
            continue
        if best is None or abs((cand - near).days) < abs((best - near).days):
            best = cand
    return best


def _weekday(ann: str | None) -> str | None:
    if not ann:
        return None
    m = _WEEKDAY.search(ann)
    return m.group(1).replace("天", "日") if m else None


def _annotation(tok: re.Match, day: dt.date, refuse: _Refuse) -> None:
    """A lunar annotation (农历腊月二十八、周日) or festival name (端午节) must name the same day."""
    ann = tok.group("ann")
    if not ann or "至" in ann:
        return
    for part in re.split(r"[、,]", ann):
        if lunar_agrees(part, day) is False:
            raise refuse(f"{day.isoformat()} is not {part}", tok.group(0))


def _names(text: str) -> list[str]:
    out = []
    for raw in re.split(r"[、和及与]", text):
        key = re.sub(r"[“”\"'‘’]", "", raw)
        if key.endswith("国际劳动节"):
            key = "劳动节"
        if key in NAMES and NAMES[key] not in out:
            out.append(NAMES[key])
    return out


def _year(raw: str) -> int:
    return int(raw) if raw.isdigit() else (cn_to_int(raw) or 0)


def _issued(flat: str, after: int) -> dt.date | None:
    sign = flat.find("国务院办公厅", after)
    for m in _ISSUED.finditer(flat, sign if sign >= 0 else after):
        y, mo, d = m.groups()
        year = int(y) if y.isdigit() else int("".join(str("〇一二三四五六七八九".index(c.replace("零", "〇"))) for c in y))
        try:
            return dt.date(year, *(int(x) if x.isdigit() else (cn_to_int(x) or 0) for x in (mo, d)))
        except ValueError:
            return None
    return None


def _default_law() -> Law:
    from ..mappings import find_folder
    from .law import law_path, load_law

    return load_law(law_path(find_folder()))


# --- amendments: 调整 (a festival replaced), 延长 (extended), a one-off 纪念日 added ------------

_AMEND = re.compile(rf"国务院办公厅关于(?P<how>调整|延长)(?P<y>\d{{4}})年(?P<name>{_NAME})(?:假期|放假)|"
                    r"国务院关于.{0,40}?(?:抗日战争|抗战).{0,40}?纪念日(?:调休)?放假")
_EXTEND = re.compile(rf"延长(?:\d{{4}}年)?(?:{_NAME})假期至(?:(?P<y>\d{{4}})年)?(?P<m>\d{{1,2}})月(?P<d>\d{{1,2}})日"
                     r"(?:\((?P<note>[^()]{0,30})\))?")


def read_holiday_notice(text: str, source: str = "notice", law: Law | None = None) -> Arrangement | Amendment:
    """A year's notice (→ :class:`Arrangement`) or an amendment to one (→ :class:`Amendment`),
    whichever title comes first."""
    flat = flatten(text)
    a, t = _AMEND.search(flat), _TITLE.search(flat)
    if a and (not t or a.start() < t.start()):
        return _read_amendment(flat, a, source, law or _default_law())
    return read_notice(text, source, law)


def _read_amendment(flat: str, a: re.Match, source: str, law: Law) -> Amendment:
    refuse = _Refuse(source)
    end = flat.find("通知", a.start())
    title = flat[a.start():end + 2] if end > 0 else a.group(0)
    number = _NUMBER.search(flat, a.end())
    src = title + ("（" + number.group(0) + "）" if number else "")
    start = flat.find("通知如下", a.end())
    body = flat[start + 4 if start >= 0 else (end + 2 if end > 0 else a.end()):]
    close = _CLOSING.search(body)
    body = body[:close.start()] if close else body
    if a.group("how") == "延长":
        year, name = int(a.group("y")), NAMES[a.group("name")]
        e = _EXTEND.search(body)
        if not e:
            raise refuse(f"an extension of {name} without 延长…假期至X月X日", body)
        try:
            until = dt.date(int(e.group("y") or year), int(e.group("m")), int(e.group("d")))
        except ValueError:
            raise refuse("impossible date", e.group(0)) from None
        w = _weekday(e.group("note"))
        if w and WEEKDAYS[until.weekday()] != w:
            raise refuse(f"{until.isoformat()} is 周{WEEKDAYS[until.weekday()]}, the notice says 周{w}", e.group(0))
        for part in re.split(r"[、,]", e.group("note") or ""):
            if lunar_agrees(part, until) is False:
                raise refuse(f"{until.isoformat()} is not {part}", e.group(0))
        return Amendment(year, src, name, "extend", until=until)
    if a.group("how") == "调整":
        year, name, how = int(a.group("y")), NAMES[a.group("name")], "replace"
    else:
        y = re.search(r"(\d{4})年\d{1,2}月\d{1,2}日", body) or re.search(r"(\d{4})年", flat)
        if not y:
            raise refuse("no year in the notice")
        year, name, how = int(y.group(1)), "抗战胜利纪念日", "add"
    body = re.sub(rf"^[{_NUMERAL}]{{1,2}}[、,.．]", "", body)
    item = read_item([name], body, year, refuse, law)
    tmp = Arrangement(year, title, "", None, items=[item])
    check(tmp, law, refuse, whole_year=False)
    return Amendment(year, src, name, how, tuple(tmp.holidays), tuple(tmp.workdays))
