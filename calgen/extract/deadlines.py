"""Deadline phrases → milestones (kind, nominal date, clause).

One pass of a combined regular expression over a task's text finds every phrase; each match is
turned into a Milestone by a small function for its kind.  Named periods, festivals, recurring
and open words come from ``mappings/phrases.toml``, loaded into a :class:`PhraseBook` (with the
compiled grammar and the working-day calendar festivals need) that is passed in.
"""
from __future__ import annotations

import bisect
import calendar as _cal
import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ..calendar.workdays import Calendar
from ..errors import DeadlineError
from ..model import Kind, Milestone
from ..settings import Conventions, MonthBefore, YearBefore
from .outline import cn_to_int

_N = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
_Y = r"(?:(?:19|20)\d\d|二[〇零][〇零一二三四五六七八九]{2}|次|明|今|当|本)"
_BY = r"(?:前|以前|之前)"
_STARTERS = "0-9一二三四五六七八九十两半〇年每按从自分第"


_Found = Iterator[tuple[str, str, dt.date | None, str]]     # phrase, kind, nominal, every


@dataclass(frozen=True)
class Context:
    plan_year: int | None
    issued: dt.date | None = None


class PhraseBook:
    """The deadline vocabulary of mappings/phrases.toml, its compiled grammar, the user's
    conventions and the calendar that festival deadlines need.  Built once (calgen.rules)."""

    def __init__(self, vocab: dict[str, Any], calendar: Calendar,
                 conventions: Conventions | None = None) -> None:
        self.vocab = vocab
        self.calendar = calendar
        self.conventions = conventions or Conventions()
        self.grammar = compile_grammar(vocab)
        self.limit_words = tuple(vocab["limit_words"])
        self.target_words = tuple(vocab["target_words"])


def compile_grammar(vocab: dict[str, Any]) -> re.Pattern[str]:
    fest = "|".join(sorted(vocab["festival"], key=len, reverse=True))
    periods = "|".join(sorted(vocab["period"], key=len, reverse=True))
    recurring = "|".join(sorted(vocab["recurring"], key=len, reverse=True))
    open_words = "|".join(sorted(vocab["open"], key=len, reverse=True))
    units = "|".join(sorted(vocab["duration_unit"], key=len, reverse=True))
    parts = [
        r"(?P<open_n>(?<![\d年])(?P<on>\d{1,2}|[一二三四五六七八九十两]+)"
        r"(?:[至到—\-](?:\d{1,2}|[一二三四五六七八九十]+))?年(?:内|左右|以内|时间))",
        rf"(?P<recurring>(?:{recurring})(?:{_N}日{_BY})?)",
        rf"(?P<start>(?:(?:从|自)(?:(?P<sy>{_Y})年)?|(?P<sy2>(?:19|20)\d\d)年)"
        rf"(?:第?(?P<sq>[一二三四1-4])季度|(?P<sm>{_N})月份?(?:(?P<sd>{_N})日)?)?起)",
        rf"(?P<enum>分别于(?P<elist>(?:(?:{_Y}年)?{_N}月(?:{_N}日|底|末)?[、和及]){{1,5}}(?:{_Y}年)?{_N}月(?:{_N}日|底|末)?){_BY})",
        rf"(?P<fest>(?:(?P<fy>{_Y})年)?(?P<fn>{fest}){_BY})",
        rf"(?P<point>(?:(?P<py>{_Y})年)(?P<pm>{_N})月(?P<pd>{_N})日(?!前|以前|之前|起))",
        rf"(?P<date>(?:(?P<dy>{_Y})年)?(?P<dm>{_N})月(?P<dd>{_N})日{_BY})",
        rf"(?P<garbled>(?<![\d年月])(?P<gm>[1-9]|1[0-2])(?P<gd>[0-3]\d)日{_BY})",
        # N个工作日 is a service time limit when 内 follows, a limit word precedes (压缩至, 不超过)
        # or 办结 follows; the handler decides, so no lookbehind is tried at every digit
        rf"(?P<duration>(?:\d+(?:\.\d+)?|[一二三四五六七八九十两半]+)个?(?:{units})(?P<din>以内|之内|内)?)",
        rf"(?P<month>(?:(?P<my>{_Y})年)?(?P<mm>{_N})月份?(?P<mpart>底|末|中旬|上旬|下旬)?(?:{_BY}|完成|(?<=底|末)))",
        rf"(?P<quarter>(?<!每)(?:(?P<qy>{_Y})年)?第?(?P<qn>[一二三四1-4])季度(?:末|底)?{_BY}?)",
        rf"(?P<yearend>(?:(?P<ey>{_Y})年年?|(?<![\d一二三四五六七八九十两])年)(?:底|末)(?:{_BY})?)",
        r"(?P<yearin>(?P<iy>(?:19|20)\d\d)年(?P<iw>内|度内|中))",           # 2024年内: the 年 is shared
        rf"(?P<period>(?:(?P<ry>{_Y})年)?(?P<rn>{periods}))",
        # 2020年 as a target year: decided by the handler from the words around it
        r"(?P<target>(?P<ty>(?:19|20)\d\d)年(?P<tb>前|以前|之前)?)",
        rf"(?P<open>{open_words})",
        # 完成时限：持续推进 — only as the value of a time-limit field, where it is a timeline
        rf"(?P<open_field>{_behind(vocab['time_fields'])}(?:{'|'.join(vocab['open_field'])}))",
    ]
    # Every phrase starts with one of these; testing them first lets the engine skip most
    # positions without trying each alternative (several times faster on real plans).
    words = [*vocab["festival"], *vocab["period"], *vocab["recurring"], *vocab["open"]]
    starts = sorted({w[:2] for w in words if w[0] not in _STARTERS}, key=len, reverse=True)
    guard = f"[{_STARTERS}]|[次明今当本]年|持续|常态|" + "|".join(map(re.escape, starts))
    return re.compile(f"(?={guard})(?:" + "|".join(parts) + ")")


def _behind(words: list[str]) -> str:
    """Any of ``words`` just before (one fixed-width lookbehind each, as re requires)."""
    return "(?:" + "|".join(f"(?<={re.escape(w)})" for w in words) + ")"


def find(text: str, ctx: Context, book: PhraseBook, problems: list[DeadlineError] | None = None) -> list[Milestone]:
    """Every milestone phrase in one task's text, in order of appearance.

    A phrase that cannot be dated (no plan year, an impossible date) raises DeadlineError, or,
    when ``problems`` is given, is left out and its error appended there: one bad phrase never
    costs the others."""
    matches = list(book.grammar.finditer(text))
    if not matches:
        return []
    ends = [m.end() for m in _SENT.finditer(text)]
    dated_starts = [m.start() for m in matches if _kind(m) not in _UNDATED]
    out: list[Milestone] = []
    for m in matches:
        handler = _HANDLERS.get(_kind(m))
        if handler is None:
            continue
        clause = _clause(text, m.start(), m.end(), ends, dated_starts)
        try:
            found = list(handler(m, ctx, book))
        except DeadlineError as e:
            if problems is None:
                raise
            e.phrase = e.phrase or m.group(0)
            problems.append(e)
            continue
        for phrase, mkind, nominal, every in found:
            out.append(Milestone(phrase=phrase, kind=Kind(mkind), nominal=nominal, clause=clause, every=every))
    return out


def find_in_field(value: str, ctx: Context, book: PhraseBook,
                  problems: list[DeadlineError] | None = None) -> list[Milestone]:
    """The value of a 完成时限 field or column: a continuing-work word (持续推进, 长期) is an open
    milestone; anything else is read like task text."""
    bare = value.strip("。；;，, ")
    if bare in book.vocab["open_field"]:
        return [Milestone(phrase=bare, kind=Kind.OPEN, nominal=None, clause=bare)]
    return find(value, ctx, book, problems)


_UNDATED = frozenset({"duration", "recurring", "open", "open_field"})


def _kind(m: re.Match[str]) -> str:
    return m.lastgroup if m.lastgroup and m.lastgroup in _HANDLERS else _outer(m)


def _outer(m: re.Match) -> str:
    for name in _HANDLERS:
        if m.group(name):
            return name
    return ""


def _year(raw: str | None, ctx: Context) -> int:
    if raw is None or raw in ("今", "当", "本"):
        if ctx.plan_year is None:
            raise DeadlineError("no plan year to resolve a phrase without a year",
                                hint="the plan's title or 落款 date must name a year")
        return ctx.plan_year
    if raw in ("次", "明"):
        return _year(None, ctx) + 1
    if raw.isdigit():
        return int(raw)
    return cn_to_int(raw) or 0


def _num(raw: str) -> int:
    n = int(raw) if raw.isdigit() else cn_to_int(raw)
    if n is None:
        raise DeadlineError("unreadable number", phrase=raw)
    return n


def make_date(y: int, mth: int, day: int, phrase: str) -> dt.date:
    try:
        return dt.date(y, mth, day)
    except ValueError:
        raise DeadlineError("impossible date", phrase=phrase,
                            hint="check the month and day in the plan") from None


def month_end(y: int, mth: int, phrase: str) -> dt.date:
    if not 1 <= mth <= 12:
        raise DeadlineError("impossible month", phrase=phrase, hint="months run 1–12")
    return dt.date(y, mth, _cal.monthrange(y, mth)[1])


def _h_duration(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    text, start, end = m.string, m.start(), m.end()
    limit = text[max(0, start - 4):start].endswith(book.limit_words)
    done = text.startswith(_DONE, end) and re.search("工作日|小时", m.group(0))
    if m.group("din") or limit or done:
        yield m.group(0), "duration", None, ""


_DONE = ("办结", "办妥", "出证", "完成")
_TARGET_NEXT = re.compile(r"[，,]|实现|完成|建成|基本|全面|力争|争取|达到")
_NOT_TARGET = re.compile(r"以来|版|度|起|内|\d")


def _h_open_n(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    phrase = m.group(0)
    nominal = None
    if not re.search(r"[至到—\-]|左右", phrase) and ctx.plan_year:
        nominal = dt.date(ctx.plan_year + _num(m.group("on")) - 1, 12, 31)
    yield phrase, "open", nominal, ""


def _h_recurring(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    phrase = m.group(0)
    every = next((unit for word, unit in book.vocab["recurring"].items() if phrase.startswith(word)), "")
    yield phrase, "recurring", None, every


def _h_start(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    phrase = m.group(0)
    y = _year(m.group("sy") or m.group("sy2"), ctx)
    if m.group("sq"):
        q = _num(m.group("sq"))
        yield phrase, "start", dt.date(y, 3 * q - 2, 1), ""
    elif m.group("sm"):
        day = _num(m.group("sd")) if m.group("sd") else 1
        yield phrase, "start", make_date(y, _num(m.group("sm")), day, phrase), ""
    elif m.group("sy") or m.group("sy2"):
        yield phrase, "start", dt.date(y, 1, 1), ""


_ENUM_ITEM = re.compile(rf"(?:(?P<y>{_Y})年)?(?P<m>{_N})月(?:(?P<d>{_N})日|(?P<end>底|末))?")


def _h_enum(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    """分别于6月底前、11月底前 / 分别于6月15日、12月15日前: one deadline each."""
    for item in _ENUM_ITEM.finditer(m.group("elist")):
        y = _year(item.group("y"), ctx)
        mth = _num(item.group("m"))
        nominal = make_date(y, mth, _num(item.group("d")), item.group(0)) if item.group("d") \
            else month_end(y, mth, item.group(0))
        yield item.group(0) + "前", "deadline", nominal, ""


def _h_fest(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    name = book.vocab["festival"][m.group("fn")]
    y = _year(m.group("fy"), ctx)
    cal = book.calendar
    start = cal.holiday_start(name, y)
    if start is not None and ctx.issued and start < ctx.issued and not m.group("fy"):
        start = cal.holiday_start(name, y + 1) or start     # winter work: the coming festival
    if start is None:
        return
    yield m.group(0), "deadline", start - dt.timedelta(days=1), ""


def _h_point(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    before = m.string[max(0, m.start() - 2):m.start()]
    if not before.endswith(("至", "于", "截止")):
        return                                  # a date in passing is not a milestone
    y = _year(m.group("py"), ctx)
    phrase = m.group(0)
    yield phrase, "point", make_date(y, _num(m.group("pm")), _num(m.group("pd")), m.group(0)), ""


def _h_date(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    y = _year(m.group("dy"), ctx)
    yield m.group(0), "deadline", make_date(y, _num(m.group("dm")), _num(m.group("dd")), m.group(0)), ""


def _h_garbled(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    """'615日前' where 6月15日前 was meant (a lost 月)."""
    y = _year(None, ctx)
    try:
        yield m.group(0), "deadline", dt.date(y, int(m.group("gm")), int(m.group("gd"))), ""
    except ValueError:
        return


def _h_month(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    phrase = m.group(0)
    y = _year(m.group("my"), ctx)
    mth = _num(m.group("mm"))
    part = m.group("mpart")
    if part == "上旬":
        nominal = make_date(y, mth, 10, phrase)
    elif part == "中旬":
        nominal = make_date(y, mth, 20, phrase)
    elif part in ("底", "末", "下旬") or phrase.endswith("完成"):
        nominal = month_end(y, mth, phrase)
    elif book.conventions.month_before == MonthBefore.MONTH_END:
        nominal = month_end(y, mth, phrase)     # X月前 read as "by the end of month X"
    else:
        # X月前: before month X begins
        nominal = make_date(y, mth, 1, phrase) - dt.timedelta(days=1)
    yield phrase, "deadline", nominal, ""


def _h_quarter(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    y = _year(m.group("qy"), ctx)
    q = _num(m.group("qn"))
    yield m.group(0), "deadline", month_end(y, 3 * q, m.group(0)), ""


def _h_yearend(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    yield m.group(0), "deadline", dt.date(_year(m.group("ey"), ctx), 12, 31), ""


def _h_period(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    month, day = book.vocab["period"][m.group("rn")]
    yield m.group(0), "deadline", dt.date(_year(m.group("ry"), ctx), month, day), ""


def _h_yearin(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    month, day = (6, 30) if m.group("iw") == "中" else (12, 31)
    yield m.group(0), "deadline", dt.date(int(m.group("iy")), month, day), ""


def _h_target(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    text, start, end = m.string, m.start(), m.end()
    after_target_word = text[max(0, start - 2):start].endswith(book.target_words)
    if not (m.group("tb") or _TARGET_NEXT.match(text, end)
            or (after_target_word and not _NOT_TARGET.match(text, end))):
        return
    y = int(m.group("ty"))
    if m.group("tb") and book.conventions.year_before == YearBefore.YEAR_START:
        y -= 1                                  # 2025年前: before 2025 begins
    phrase = m.group(0)
    yield phrase, "deadline", dt.date(y, 12, 31), ""


def _h_open(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    yield m.group(0), "open", None, ""


_HANDLERS: Mapping[str, Callable[[re.Match[str], Context, PhraseBook], _Found]] = MappingProxyType({
    "duration": _h_duration, "open_n": _h_open_n, "recurring": _h_recurring, "start": _h_start,
    "enum": _h_enum, "fest": _h_fest, "point": _h_point, "date": _h_date, "garbled": _h_garbled,
    "month": _h_month, "quarter": _h_quarter, "yearend": _h_yearend, "period": _h_period,
    "target": _h_target, "open": _h_open, "open_field": _h_open, "yearin": _h_yearin,
})

_SENT = re.compile(r"[。；;！？\n]")
_PIECE_CHARS = "，,：:"


def _clause(text: str, start: int, end: int, sentence_ends: list[int], dated_starts: list[int]) -> str:
    """What is due: from the comma-piece holding the phrase to the end of its sentence, or to
    the piece before the next dated phrase in that sentence."""
    i = bisect.bisect_right(sentence_ends, start)
    s0 = sentence_ends[i - 1] if i > 0 else 0
    s1 = sentence_ends[i] - 1 if i < len(sentence_ends) else len(text)
    p0 = max(s0, *(text.rfind(c, s0, start) + 1 for c in _PIECE_CHARS))
    stop = s1
    j = bisect.bisect_right(dated_starts, end - 1)
    if j < len(dated_starts) and dated_starts[j] < s1:
        cut = max(text.rfind(c, end, dated_starts[j]) for c in _PIECE_CHARS)
        if cut > end:
            stop = cut
    return _CLAUSE_LEAD.sub("", text[p0:stop].strip()).strip("，, ")


_CLAUSE_LEAD = re.compile(r"^(?:并且?|同时|和|及)")
