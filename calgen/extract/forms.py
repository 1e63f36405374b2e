"""The deadline grammar as a table of forms.

Each :class:`Form` is one way plans write a deadline (6月底前, 三季度末, 从4月起, 每月10日前 …): its
name, the regular expression that finds it (built from the words of ``mappings/phrases.toml``),
the handler that turns a match into milestones, and an example.  :data:`FORMS` lists them in the
order they are tried; :func:`compile_grammar` joins them into one searchable
:class:`~calgen.extract.scan.Grammar`.  To add a form: a Form here (pattern, handler, example),
and rows in ``tests/test_phrase_table.py`` (``test_every_form_reads_its_example`` checks that each
form's example is read by that form).  How found phrases become milestones — whole expressions
only, the clause, where a phrase stands — is :mod:`calgen.extract.deadlines`.

(Over 500 lines because the table and its handlers belong together: a form is its pattern and
its handler; splitting them apart by kind would scatter the one place a reader looks.)
"""
from __future__ import annotations

import calendar as _cal
import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

from ..errors import CalendarCoverageError, DeadlineError
from ..model import Kind
from ..numerals import cn_to_int
from ..settings import MonthBefore, YearBefore
from .scan import Grammar

if TYPE_CHECKING:
    from .phrasebook import PhraseBook, Vocabulary

_HAN = "一二三四五六七八九十"
_N = rf"(?:\d{{1,2}}|[{_HAN}]{{1,3}})"
# Every alternative begins with a literal or a class (a lookbehind comes after the character it
# guards): ``re`` then skips an alternative on its first character without entering it, which
# made the grammar 15% faster (the alternatives are tried at every phrase and most fail).
_Y4 = r"(?:19\d\d|20\d\d|[一二][〇零一二三四五六七八九]{3})"
# A year: four digits or Han digits, two digits before a month/period (19年底, 07年第三季度), or a
# year word (今年, 明年, 去年, 前年 …).  前/后/上/下 only where they cannot end another word
# (提前年底 is not 前年底).
_YEAR = (rf"(?:{_Y4}|\d(?<!\d\d)\d(?=年(?:[底末初中第上下首]|\d|[{_HAN}]{{1,2}}[月季]))"
         r"|今|当|本|次|明|去|前(?<![提之以年月日节目此]前)|上(?<![以线向]上)|下(?<![以线]下)|后(?<![之此以然]后))")
_BY = r"(?:前|以前|之前)"
# a time of day after a date (于6月20日18:00前报送, 6月30日下午5点前): the day is what is due
_CLOCK = r"(?:上午|下午|晚上|中午)?\s?\d{1,2}(?:[:：]\d{2}|时|点)(?:\d{1,2}分|半)?"
_PART = r"(?:上旬|中旬|下旬|初|中|底|末)"
_SEP = r"(?:至|到|——?|–|－|~|～|-)"
_REL_YEAR = MappingProxyType({"今": 0, "当": 0, "本": 0, "次": 1, "明": 1, "下": 1, "去": -1, "上": -1,
                              "前": -2, "后": 2})


class Where(StrEnum):
    """Where a phrase stands, which decides what a bare date means."""

    TEXT = "text"       # running task text
    FIELD = "field"     # the value of a 完成时限 field or column
    ALONE = "alone"     # a phrase on its own (calgen resolve)


@dataclass(frozen=True)
class Context:
    plan_year: int | None
    issued: dt.date | None = None
    where: Where = Where.TEXT


@dataclass(frozen=True)
class _Hit:
    phrase: str
    kind: Kind
    nominal: dt.date | None = None
    span: tuple[dt.date, dt.date] | None = None
    every: str = ""
    anchor: tuple[int, int] | None = None
    reading: str = ""


_Found = Iterator[_Hit]


@dataclass(frozen=True)
class Words:
    """The vocabulary a form's pattern is built from (alternations of mappings/phrases.toml words)."""

    fest: str
    recurring: str
    periods: str
    tails: str
    fyp: str
    units: str
    open_words: str
    time_field: str          # right after a time-limit label (完成时限：)
    open_field: str
    bare_anywhere: bool      # a bare date is a phrase anywhere (read on its own), not only as a field value


Handler = Callable[[re.Match[str], "Context", "PhraseBook"], "_Found"]


@dataclass(frozen=True)
class Form:
    """One form of deadline phrase: its name (the pattern's group), handler, example, pattern."""

    name: str
    handler: Handler
    example: str
    pattern: Callable[[Words], str]


def compile_grammar(vocab: Vocabulary, bare_anywhere: bool = False) -> Grammar:
    """The combined grammar.  A bare date (8月, 2023年8月12日) is a phrase only as a field value
    or on its own (``bare_anywhere``); in running text only right after 完成时限：."""
    def alt(words: object) -> str:
        return "|".join(map(re.escape, sorted(words, key=len, reverse=True)))   # type: ignore[call-overload]

    w = Words(
        fest=alt(vocab.festival), recurring=alt(vocab.recurring),
        periods="|".join(_word(k) for k in sorted(vocab.period, key=len, reverse=True)),
        tails="|".join(_word(k[1:]) for k in sorted(vocab.period, key=len, reverse=True) if k.startswith("年")),
        fyp=alt(vocab.five_year), units=alt(vocab.words["duration_unit"]), open_words=alt(vocab.words["open"]),
        time_field=_behind(vocab.words["time_fields"]), open_field=alt(vocab.words["open_field"]),
        bare_anywhere=bare_anywhere)
    parts = [form.pattern(w) for form in FORMS]
    # Every phrase starts with one of these; testing them first lets the engine skip most
    # positions without trying each alternative (several times faster on real plans).
    words = [*vocab.festival, *vocab.period, *vocab.recurring, *vocab.words["open"]]
    starts = sorted({w[:2] for w in words}, key=len, reverse=True)
    # A number starts a phrase only when a date unit, a range sign or a duration unit follows its
    # digits (第1项, 80% do not), and a Han numeral only when one of these or a five-year word
    # follows (统一, 进一步 do not).
    after = "".join(sorted(set("年月日号季个至到—–－~～-") | {u[0] for u in vocab.words["duration_unit"]}
                           | {w.lstrip("0123456789.")[:1] for w in words if w[0].isdigit()}))
    guard = "|".join([
        # (bounded: a run of 80,000 digits must not be rescanned from each of its digits)
        rf"\d(?=[\d.]{{0,12}}[{re.escape(after)}])",
        rf"[{_HAN}两〇零半](?=[{_HAN}两〇零半]{{0,8}}[{re.escape(after)}天周小分”\"时期末规])",
        r"年[底末内中度初]", r"[今当本次明去前后上下]年", "今明", rf"前[{_HAN}两\d]", "首[季月半]",
        "[本上下][季月]", r"第[一二三四\d]", rf"[从自][\d{_HAN}〇今当本次明去前后上下第]",
        "分别", "持续", "常态", *map(re.escape, starts)])
    # One character class first: most positions fail on it alone, without entering the branches.
    first = "".join(sorted({c for c in f"0123456789{_HAN}两〇零年今当本次明去前后上下首半第从自分持常"}
                           | {w[0] for w in starts}))
    return Grammar(parts, f"(?:{guard})", first)


# 初/中 that begin another word (2023年初步实现, 今年中央…) do not make 年初/年中.
_WORD_STARTS = MappingProxyType({"初": "步次级心衷始创见稿审", "中": "央国心小共期等部华外医层"})


def _word(key: str) -> str:
    tail = _WORD_STARTS.get(key[-1:])
    return re.escape(key) + (f"(?![{tail}])" if tail else "")


def _range_sides() -> str:
    """The forms of a range: 2020至2025年, 2021年5月至2022年4月, 5月1日至6月30日, 4至6月,
    6月至年底 (the handler reads the two sides)."""
    month = rf"{_N}月份?(?:{_N}[日号]|{_PART})?"
    end = rf"(?:{month}|年?底|年?末)"
    return "|".join([
        rf"(?:{_YEAR}年)?{month}{_SEP}(?:{_YEAR}年)?(?:{end}|{_N}[日号])",   # left has a month
        rf"{_Y4}年?{_SEP}{_Y4}年{end}?(?!{_N}月)",                          # 2020至2025年(底)
        rf"{_YEAR}年(?:底|末)?{_SEP}(?:{_YEAR}年)?{end}",                    # 2021年至2022年6月
        rf"{_YEAR}年(?:底|末){_SEP}{_YEAR}年",                                # 2019年底至2020年
        rf"{_N}{_SEP}{_N}月份?",                                            # 4至6月
    ])


def _behind(words: tuple[str, ...]) -> str:
    """Any of ``words`` just before (one fixed-width lookbehind each, as re requires)."""
    return "(?:" + "|".join(f"(?<={re.escape(w)})" for w in words) + ")"


# ── numbers and dates ──────────────────────────────────────────────────────────────────────────

def _year(raw: str | None, ctx: Context) -> int:
    if raw is None or raw in _REL_YEAR:
        if ctx.plan_year is None:
            raise DeadlineError("no plan year to resolve a phrase without a year",
                                hint="the plan's title or 落款 date must name a year")
        return ctx.plan_year + (_REL_YEAR[raw] if raw else 0)
    if raw.isdigit():
        n = int(raw)
        return n if len(raw) == 4 else (2000 + n if n < 70 else 1900 + n)   # 19年 → 2019, 99年 → 1999
    han = cn_to_int(raw)
    if han is None:
        raise DeadlineError("unreadable year", phrase=raw)
    return han


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
    if not 1 <= mth <= 12 or not 1 <= y <= 9999:
        raise DeadlineError("impossible month", phrase=phrase, hint="months run 1–12")
    return dt.date(y, mth, _cal.monthrange(y, mth)[1])


def _day(y: int, mth: int, day: int, phrase: str) -> dt.date:
    """Day ``day`` of a month, 0 = its last day."""
    return month_end(y, mth, phrase) if day == 0 else make_date(y, mth, day, phrase)


def _month_span(y: int, mth: int, part: str | None, book: PhraseBook, phrase: str) -> tuple[dt.date, dt.date]:
    """The days a month or a part of it (上旬, 初, 中, 底) covers."""
    if part in ("底", "末"):
        last = month_end(y, mth, phrase)
        return last, last
    if part:
        d0, d1 = book.vocab.month_part[part]
        return _day(y, mth, d0, phrase), _day(y, mth, d1, phrase)
    return make_date(y, mth, 1, phrase), month_end(y, mth, phrase)


def _quarter_span(y: int, q: int, phrase: str) -> tuple[dt.date, dt.date]:
    if not 1 <= q <= 4:
        raise DeadlineError("impossible quarter", phrase=phrase, hint="quarters run 1–4")
    return dt.date(y, 3 * q - 2, 1), month_end(y, 3 * q, phrase)


def _year_span(y: int) -> tuple[dt.date, dt.date]:
    return dt.date(y, 1, 1), dt.date(y, 12, 31)


def _bare_kind(ctx: Context, m: re.Match[str], book: PhraseBook, point: bool = False) -> Kind | None:
    """What a bare date or period is where it stands: a deadline as a field value, a point or
    period on its own, nothing in running text (a date in passing)."""
    if ctx.where == Where.FIELD or m.string[max(0, m.start() - 3):m.start()].endswith(book.time_fields):
        return Kind.DEADLINE
    if ctx.where == Where.ALONE:
        return Kind.POINT if point else Kind.PERIOD
    return None


# ── one handler per form ───────────────────────────────────────────────────────────────────────

def _h_duration(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    text, start, end = m.string, m.start(), m.end()
    if start and text[start - 1] == "月" and "日" in m.group(0):
        raise DeadlineError("a date whose month or year was not read", phrase=text[max(0, start - 4):end])
    limit = text[max(0, start - 4):start].endswith(book.limit_words)
    done = text.startswith(_DONE, end) and ("工作日" in m.group(0) or "小时" in m.group(0))
    if m.group("din") or limit or done or ctx.where == Where.ALONE:
        yield _Hit(m.group(0), Kind.DURATION)


_DONE = ("办结", "办妥", "出证", "完成")
_PIECE_END = re.compile(r"[，。；,;、：:）)]")
_TARGET_NEXT = re.compile(r"[，,]|实现|完成|建成|基本|全面|初步|力争|争取|达到")
_NOT_TARGET = re.compile(r"以来|版|度|起|内|\d")


def _h_open_n(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    phrase = m.group(0)
    nominal = None
    if not re.search(r"[至到—\-]|左右", phrase) and ctx.plan_year:
        nominal = dt.date(ctx.plan_year + _num(m.group("on")) - 1, 12, 31)
    yield _Hit(phrase, Kind.OPEN, nominal)


def _h_recurring(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    """每月10日前报送, 每季度末, 每年3月底前 — but not 月报制度 (a noun) or 每年不低于20% (a rate)."""
    text, end = m.string, m.end()
    after = _PIECE_END.split(text[end:end + 30], maxsplit=1)[0]
    word = m.group("rw")
    for rate in book.vocab.recurring_rates:
        if rate in after:
            return
    near = after[:8]
    for noun in book.vocab.recurring_nouns:
        if noun in near:
            return
    unit = book.vocab.recurring[word]
    anchor: tuple[int, int] | None = None
    if m.group("rm"):
        if unit != "year":
            raise DeadlineError("a month inside a recurring period other than a year", phrase=m.group(0))
        anchor = (_num(m.group("rm")), _num(m.group("rd")) if m.group("rd") else 0)
    elif m.group("rdd"):
        if unit != "month" and not word.endswith("首月"):
            raise DeadlineError("a day of which month of the period?", phrase=m.group(0),
                                hint="write 每季度首月10日前 or 每季度末")
        anchor = (1 if word.endswith("首月") else 0, _num(m.group("rdd")))
    elif word.endswith("首月"):
        anchor = (1, 0)
    if anchor is not None and (anchor[0] > 12 or anchor[1] > 31):
        raise DeadlineError("impossible date", phrase=m.group(0))
    yield _Hit(m.group(0), Kind.RECURRING, every=unit, anchor=anchor)


# 2019年1月1日起全面施行的《…》: a law's effective date, cited
_IN_FORCE = re.compile(r"(?:全面|正式)?(?:施行|实施|生效)的")


def _h_start(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    phrase = m.group(0)
    if ctx.where == Where.TEXT and _IN_FORCE.match(m.string, m.end()):
        return
    y = _year(m.group("sy") or m.group("sy2") or m.group("sy3"), ctx)
    if m.group("sq"):
        q = _num(m.group("sq"))
        yield _Hit(phrase, Kind.START, _quarter_span(y, q, phrase)[0])
    elif m.group("sm"):
        day = _num(m.group("sd")) if m.group("sd") else 1
        yield _Hit(phrase, Kind.START, make_date(y, _num(m.group("sm")), day, phrase))
    elif m.group("sy") or m.group("sy2") or m.group("sy3"):
        yield _Hit(phrase, Kind.START, dt.date(y, 1, 1))


_SIDE = re.compile(rf"(?:(?P<y>{_YEAR}|\d\d)年?)?(?:(?P<m>{_N})月份?)?(?:(?P<d>{_N})[日号]|(?P<p>{_PART}))?"
                   r"(?P<ye>年?(?:底|末))?")
_SPLIT = re.compile(_SEP)
_VALIDITY = re.compile(r"(?:执行|实施|有效|试行)?(?:期限|期)(?:为|是|自)?$")
_PLAN_NAME = re.compile(r"[）)]|规划|行动计划|计划|方案|工作要点|纲要|度|版")


def _h_range(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    """2021年5月1日至2022年4月30日: a deadline on the last day, spanning from the first."""
    phrase = m.group(0)
    core = re.sub(rf"(?:{_BY}|为止)$", "", phrase)
    left, right = _SPLIT.split(core, maxsplit=1)
    text = m.string
    if ctx.where == Where.TEXT and not re.search("[月日底末]", core) and (
            _PLAN_NAME.match(text, m.end()) or text[max(0, m.start() - 1):m.start()] in ("(", "（")):
        return                                  # （2021—2023年）, 2020—2022年行动计划: a plan's name
    if ctx.where == Where.TEXT and _VALIDITY.search(text, max(0, m.start() - 8), m.start()):
        return                                  # 执行期限为…至…: how long a policy holds, not work due
    if re.fullmatch(_N, left):                  # 4至6月: the left side borrows the unit
        left += "月" if "月" in right else "年"
    a, b = _SIDE.fullmatch(left), _SIDE.fullmatch(right)
    if a is None or b is None or not any(a.groups()) or not any(b.groups()):
        raise DeadlineError("a range calgen cannot read", phrase=phrase)
    yl = _year(a.group("y"), ctx) if a.group("y") else _year(None, ctx)
    start = _side_start(a, yl, book, phrase)
    if b.group("y"):
        end = _side_end(b, _year(b.group("y"), ctx), a, book, phrase)
    else:
        end = _side_end(b, yl, a, book, phrase)
        if end < start:                          # 11月至2月: into the next year
            end = _side_end(b, yl + 1, a, book, phrase)
    if end < start:
        raise DeadlineError("a range that ends before it starts", phrase=phrase)
    if a.group("d") and b.group("d"):
        # 2019年1月1日至12月31日: two dates the plan names — work starts on the first and runs to
        # the second (the genre's reading: a start and an exact date, not a "by" deadline)
        yield _Hit(phrase, Kind.START, start)
        yield _Hit(phrase, Kind.POINT, end, (start, end))
        return
    yield _Hit(phrase, Kind.DEADLINE, end, (start, end))


def _side_start(a: re.Match[str], y: int, book: PhraseBook, phrase: str) -> dt.date:
    if a.group("m"):
        first, _ = _month_span(y, _num(a.group("m")), a.group("p"), book, phrase)
        return make_date(y, _num(a.group("m")), _num(a.group("d")), phrase) if a.group("d") else first
    if a.group("ye") or a.group("p") in ("底", "末"):
        return dt.date(y, 12, 1)                   # 2019年底至…: from December
    return dt.date(y, 1, 1)


def _side_end(b: re.Match[str], y: int, a: re.Match[str], book: PhraseBook, phrase: str) -> dt.date:
    if b.group("m"):
        mth = _num(b.group("m"))
        if b.group("d"):
            return make_date(y, mth, _num(b.group("d")), phrase)
        return _month_span(y, mth, b.group("p") or ("底" if b.group("ye") else None), book, phrase)[1]
    if b.group("d"):                               # 5月1日至31日: the left side's month
        if not a.group("m"):
            raise DeadlineError("a range calgen cannot read", phrase=phrase)
        return make_date(y, _num(a.group("m")), _num(b.group("d")), phrase)
    return dt.date(y, 12, 31)                      # 2025年, 年底


_ENUM_ITEM = re.compile(rf"(?:(?P<y>{_YEAR})年)?(?P<m>{_N})月(?:(?P<d>{_N})日|(?P<end>底|末))?")


def _h_enum(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    """分别于6月底前、11月底前 / 分别于6月15日、12月15日前: one deadline each."""
    for item in _ENUM_ITEM.finditer(m.group("elist")):
        y = _year(item.group("y"), ctx)
        mth = _num(item.group("m"))
        nominal = make_date(y, mth, _num(item.group("d")), item.group(0)) if item.group("d") \
            else month_end(y, mth, item.group(0))
        yield _Hit(item.group(0) + "前", Kind.DEADLINE, nominal)


def _h_fest(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    name = book.vocab.festival[m.group("fn")]
    y = _year(m.group("fy"), ctx)
    cal = book.calendar
    try:
        start = cal.holiday_start(name, y)
        if start is not None and ctx.issued and start < ctx.issued and not m.group("fy"):
            start = cal.holiday_start(name, y + 1) or start     # winter work: the coming festival
    except CalendarCoverageError:
        start = None
    if start is None:
        # Kept, undated, with a warning: the next build after the notice is imported dates it.
        yield _Hit(m.group(0), Kind.DEADLINE, None,
                   reading=f"unresolved: no {y} holiday data for {name} (calgen holidays import NOTICE)")
        return
    yield _Hit(m.group(0), Kind.DEADLINE, start - dt.timedelta(days=1))


def _h_firstn(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    """前三季度, 前两个季度, 前十一个月, 首季度, 首月: from 1 January to the end of the last one."""
    text = m.string
    if ctx.where == Where.TEXT and not (m.group("nb") or m.group("ne")
                                         or text[max(0, m.start() - 2):m.start()].endswith(_TARGET_PRE)):
        return                                  # 前三季度，全省…增长 reports figures, it sets no date
    phrase = m.group(0)
    y = _year(m.group("ny"), ctx)
    if m.group("nq"):
        q = 2 if m.group("nq") == "两" else _num(m.group("nq"))
        end = _quarter_span(y, q, phrase)[1]
    elif m.group("nm"):
        end = month_end(y, _num(m.group("nm")), phrase)
    else:
        first = m.group("nf")
        end = month_end(y, {"首月": 1, "首半年": 6}.get(first, 3), phrase)
    yield _Hit(phrase, Kind.DEADLINE, end, (dt.date(y, 1, 1), end))


_TARGET_PRE = ("到", "在", "于", "力争", "争取", "确保", "截至")


def _h_fyp(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    """“十四五”末 → 2025-12-31; “十四五”时期 on its own → 2021–2025."""
    name = m.group("fyn") or m.group("fyn2")
    word = m.group("fyw") or m.group("fyw2") or ""
    first, last = book.vocab.five_year[name]
    span = (dt.date(first, 1, 1), dt.date(last, 12, 31))
    if word in ("末", "期末", "末期"):
        yield _Hit(m.group(0), Kind.DEADLINE, span[1], span)
    elif ctx.where != Where.TEXT:
        yield _Hit(m.group(0), Kind.DEADLINE if ctx.where == Where.FIELD else Kind.PERIOD, span[1], span)


def _h_biyear(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    y = _year(None, ctx)
    yield _Hit(m.group(0), Kind.DEADLINE, dt.date(y + 1, 12, 31), (dt.date(y, 1, 1), dt.date(y + 1, 12, 31)))


def _h_rel(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    """本月底前, 本季度内, 上季度末, 下月: counted from the plan's issue date."""
    part, by = m.group("rp"), m.group("rb")
    if ctx.where == Where.TEXT and not (by or part in ("底", "末")):
        return                                  # 报送上月情况: relative to each report, not a date
    if ctx.issued is None:
        raise DeadlineError("a date relative to the issue date, which the plan does not print",
                            phrase=m.group(0), hint="the plan's 落款 date is needed (calgen resolve: --issued)")
    shift = {"本": 0, "上": -1, "下": 1}[m.group("rw2")]
    unit, phrase, issued = m.group("ru"), m.group(0), ctx.issued
    if unit == "年度":
        span = _year_span(issued.year + shift)
    elif unit == "季度":
        q = (issued.month - 1) // 3 + shift
        y, q = issued.year + q // 4, q % 4 + 1
        span = _quarter_span(y, q, phrase)
    else:
        k = issued.month - 1 + shift
        y, mth = issued.year + k // 12, k % 12 + 1
        span = _month_span(y, mth, part if unit == "月" else None, book, phrase)
    kind = Kind.PERIOD if ctx.where == Where.ALONE and not (by or part in ("底", "末")) else Kind.DEADLINE
    yield _Hit(phrase, kind, span[1], span if span[0] != span[1] else None)


def _h_point(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    phrase = m.group(0)
    y = _year(m.group("py"), ctx)
    date = make_date(y, _num(m.group("pm")), _num(m.group("pd")), phrase)
    before = m.string[max(0, m.start() - 3):m.start()]
    if before.endswith(_BY_DAY):
        yield _Hit(phrase, Kind.DEADLINE, date)  # 截至2023年6月30日, 到6月30日(为止): by that day
        return
    text = m.string
    if text[max(0, m.start() - 1):m.start()] == "至":
        yield _Hit(phrase, Kind.POINT, date)    # 实施期限延长至2022年4月30日
        return
    if text.startswith(_DONE_WORDS, m.end()):
        yield _Hit(phrase, Kind.DEADLINE, date)  # 于2022年6月30日完成
        return
    kind = _bare_kind(ctx, m, book, point=True)
    if kind:
        yield _Hit(phrase, kind, date)          # in running text, a date in passing is no milestone


_BY_DAY = ("截至", "截止", "截止到", "到")
_DONE_WORDS = ("完成", "全面完成", "建成", "实现", "办结", "到位", "上线")


def _h_date(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    y = _year(m.group("dy"), ctx)
    yield _Hit(m.group(0), Kind.DEADLINE, make_date(y, _num(m.group("dm")), _num(m.group("dd")), m.group(0)))


def _h_garbled(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    """'615日前' where 6月15日前 was meant (a lost 月)."""
    y = _year(None, ctx)
    try:
        yield _Hit(m.group(0), Kind.DEADLINE, dt.date(y, int(m.group("gm")), int(m.group("gd"))))
    except ValueError:
        return


def _h_month(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    phrase = m.group(0)
    y = _year(m.group("my"), ctx)
    mth = _num(m.group("mm"))
    part = m.group("mpart")
    if part or phrase.endswith(("完成", "内", "为止")):
        span = _month_span(y, mth, part, book, phrase)
        yield _Hit(phrase, Kind.DEADLINE, span[1], span if span[0] != span[1] else None)
    elif book.conventions.month_before == MonthBefore.MONTH_END:
        yield _Hit(phrase, Kind.DEADLINE, month_end(y, mth, phrase),
                   reading=f"{phrase} = by the end of month {mth} (month_before = month_end; "
                           "the other reading: month_start)")
    else:
        yield _Hit(phrase, Kind.DEADLINE, make_date(y, mth, 1, phrase) - dt.timedelta(days=1),
                   reading=f"{phrase} = before month {mth} begins (month_before = month_start; "
                           "the other reading: month_end)")


def _h_quarter(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    phrase = m.group(0)
    y = _year(m.group("qy"), ctx)
    q = _num(m.group("qn"))
    span = _quarter_span(y, q, phrase)
    if m.group("qb") and m.group("qb") != "内" and not m.group("qe"):
        if book.conventions.month_before == MonthBefore.MONTH_START:
            yield _Hit(phrase, Kind.DEADLINE, span[0] - dt.timedelta(days=1),
                       reading=f"{phrase} = before quarter {q} begins (month_before = month_start; "
                               "the other reading: month_end)")
            return
        yield _Hit(phrase, Kind.DEADLINE, span[1], span,
                   reading=f"{phrase} = by the end of quarter {q} (month_before = month_end; "
                           "the other reading: month_start)")
        return
    yield _Hit(phrase, Kind.DEADLINE, span[1], span)


# 年底 before a year-end review (年底效能目标考核, 年底考评) names the review, not a deadline
_YEAR_END_EVENT = re.compile(r"(?:效能|目标|工作|绩效|综合)*(?:考核|考评|评估|总结|述职|结算|决算|盘点|检查|评比|评议)")


def _h_yearend(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    if ctx.where == Where.TEXT and not m.group(0).endswith("前") and _YEAR_END_EVENT.match(m.string, m.end()):
        return
    yield _Hit(m.group(0), Kind.DEADLINE, dt.date(_year(m.group("ey"), ctx), 12, 31))


def _h_period(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    name = "年" + m.group("rt") if m.group("rt") else m.group("rn")
    kind: Kind | None = Kind.DEADLINE
    if name in book.field_only:
        kind = _bare_kind(ctx, m, book)         # 完成全年目标: a goal, not a deadline
    if kind is None:
        return
    y = _year(m.group("ry") or m.group("ry2"), ctx)
    (m0, d0), (m1, d1) = book.vocab.period[name]
    span = (_day(y, m0, d0, name), _day(y, m1, d1, name))
    if ctx.where == Where.TEXT and m.string.startswith("开始", m.end()):     # 2019年初开始执行
        yield _Hit(m.group(0), Kind.START, span[0])
        return
    yield _Hit(m.group(0), kind, span[1], span)


def _h_yearin(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    y = _year(m.group("iy"), ctx)
    if m.group("iw") == "中":
        yield _Hit(m.group(0), Kind.DEADLINE, dt.date(y, 6, 30), (dt.date(y, 6, 1), dt.date(y, 6, 30)))
    else:
        yield _Hit(m.group(0), Kind.DEADLINE, dt.date(y, 12, 31), _year_span(y))


def _h_target(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    text, start, end = m.string, m.start(), m.end()
    phrase = m.group(0)
    y = _year(m.group("ty"), ctx)
    tb = m.group("tb")
    if tb == "为止":
        yield _Hit(phrase, Kind.DEADLINE, dt.date(y, 12, 31))
        return
    if tb:
        if book.conventions.year_before == YearBefore.YEAR_START:
            yield _Hit(phrase, Kind.DEADLINE, dt.date(y - 1, 12, 31),
                       reading=f"{phrase} = before {y} begins (year_before = year_start; "
                               "the other reading: year_end)")
        else:
            yield _Hit(phrase, Kind.DEADLINE, dt.date(y, 12, 31),
                       reading=f"{phrase} = by the end of {y} (year_before = year_end; "
                               "the other reading: year_start)")
        return
    after_target_word = text[max(0, start - 2):start].endswith(book.target_words)
    if _TARGET_NEXT.match(text, end) or (after_target_word and not _NOT_TARGET.match(text, end)):
        yield _Hit(phrase, Kind.DEADLINE, dt.date(y, 12, 31))
        return
    kind = _bare_kind(ctx, m, book)
    if kind:
        yield _Hit(phrase, kind, dt.date(y, 12, 31), _year_span(y))


def _h_open(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    yield _Hit(m.group(0), Kind.OPEN)


def _h_bare(m: re.Match[str], ctx: Context, book: PhraseBook) -> _Found:
    """2023年8月12日, 今年六月, 8月份, 24年, 6月上旬 — as a field value or on their own."""
    phrase = m.group(0)
    if not (m.group("by") or m.group("bm")):
        return
    kind = _bare_kind(ctx, m, book, point=bool(m.group("bd")))
    if kind is None:
        return
    y = _year(m.group("by"), ctx)
    if not m.group("bm"):
        yield _Hit(phrase, kind, dt.date(y, 12, 31), _year_span(y))
        return
    mth = _num(m.group("bm"))
    if m.group("bd"):
        yield _Hit(phrase, kind, make_date(y, mth, _num(m.group("bd")), phrase))
        return
    span = _month_span(y, mth, m.group("bp"), book, phrase)
    yield _Hit(phrase, kind, span[1], span if span[0] != span[1] else None)


FORMS: tuple[Form, ...] = (
    Form("open_n", _h_open_n, "5年内",
         lambda w: (
        r"(?P<open_n>(?<![\d年])(?P<on>\d{1,2}|[一二三四五六七八九十两]+)"
        r"(?:[至到—\-](?:\d{1,2}|[一二三四五六七八九十]+))?年(?:内|左右|以内|时间))")),
    Form("recurring", _h_recurring, "每月10日前",
         lambda w: (
        rf"(?P<recurring>(?P<rw>{w.recurring})(?:(?P<rm>{_N})月(?:(?P<rd>{_N})日|(?P<re>底|末))?"
        rf"|(?P<rdd>{_N})日|年?(?:底|末))?(?:{_BY}|内)?)")),
    Form("start", _h_start, "从4月起",
         lambda w: (
        rf"(?P<start>(?:从|自)?(?:(?:(?P<sy>{_YEAR})年)?(?:第?(?P<sq>[一二三四1-4])季度"
        rf"|(?P<sm>{_N})月份?(?:(?P<sd>{_N})[日号])?)|(?P<sy2>{_YEAR})年)起"
        rf"|(?:从|自)(?P<sy3>{_YEAR})年开始)")),
    Form("range", _h_range, "2021年5月1日至2022年4月30日",
         lambda w: (
        rf"(?P<range>(?:{_range_sides()})(?:{_BY}|为止)?)")),
    Form("enum", _h_enum, "分别于6月底、11月底前",
         lambda w: (
        rf"(?P<enum>分别于(?P<elist>(?:(?:{_YEAR}年)?{_N}月(?:{_N}日|底|末)?[、和及]){{1,5}}"
        rf"(?:{_YEAR}年)?{_N}月(?:{_N}日|底|末)?){_BY})")),
    Form("fest", _h_fest, "国庆节前",
         lambda w: (
        rf"(?P<fest>(?:(?P<fy>{_YEAR})年)?(?P<fn>{w.fest}){_BY})")),
    Form("firstn", _h_firstn, "前三季度",
         lambda w: (
        rf"(?P<firstn>(?:(?P<ny>{_YEAR})年)?(?:(?<![提之以])前(?P<nq>[一二三四两1-4])个?季度|(?<![提之以])前"
        rf"(?P<nm>{_N})个?月|(?P<nf>首季度|首季|首月|首半年))(?P<ne>末|底)?(?P<nb>{_BY}|内|完成)?)")),
    Form("fyp", _h_fyp, "“十四五”末",
         lambda w: (
        rf"(?P<fyp>(?:(?<=[“\"])(?P<fyn>{w.fyp})[”\"](?P<fyw>时期|期间|规划期|期末|末期|末)?"
        rf"|(?P<fyn2>{w.fyp})(?P<fyw2>时期|期间|规划期|期末|末期|末))(?:{_BY})?)")),
    Form("biyear", _h_biyear, "今明两年",
         lambda w: (
        r"(?P<biyear>今明两年(?P<bw>内|底前|年底前|底)?)")),
    Form("rel", _h_rel, "本季度末",
         lambda w: (
        rf"(?P<rel>(?P<rw2>本|上|下)(?P<ru>季度|月|年度)(?P<rp>{_PART})?(?P<rb>{_BY}|内)?)")),
    Form("point", _h_point, "2023年8月12日",
         lambda w: (
        rf"(?P<point>(?:(?P<py>{_YEAR})年)?(?P<pm>{_N})月(?P<pd>{_N})[日号](?!前|以前|之前|起|之内|以内|内|为止|{_CLOCK}{_BY}))")),
    Form("date", _h_date, "10月13日之内",
         lambda w: (
        rf"(?P<date>(?:(?P<dy>{_YEAR})年)?(?P<dm>{_N})月(?P<dd>{_N})[日号](?:{_CLOCK}{_BY}|{_BY}|之内|以内|内|为止))")),
    Form("garbled", _h_garbled, "1030日前",
         lambda w: (
        rf"(?P<garbled>(?<![\d年月])(?P<gm>[1-9]|1[0-2])(?P<gd>[0-3]\d)日{_BY})")),
    # N个工作日 is a service time limit when 内 follows, a limit word precedes (压缩至, 不超过)
    # or 办结 follows; the handler decides, so no lookbehind is tried at every digit
    Form("duration", _h_duration, "3个工作日内",
         lambda w: (
        rf"(?P<duration>(?:\d+(?:\.\d+)?|[一二三四五六七八九十两半]+)个?(?:{w.units})(?P<din>以内|之内|内)?)")),
    Form("month", _h_month, "6月底前",
         lambda w: (
        rf"(?P<month>(?:(?P<my>{_YEAR})年)?(?P<mm>{_N})月份?(?P<mpart>{_PART})?"
        rf"(?:{_BY}|完成|内|为止|(?<=底|末)))")),
    Form("quarter", _h_quarter, "三季度末",
         lambda w: (
        rf"(?P<quarter>(?<!每)(?:(?P<qy>{_YEAR})年)?第?(?P<qn>[一二三四1-4])季度(?P<qe>末|底)?(?P<qb>{_BY}|内)?)")),
    Form("yearend", _h_yearend, "年底前",
         lambda w: (
        rf"(?P<yearend>(?:(?P<ey>{_YEAR})年年?|(?<![\d{_HAN}两])年)(?:底|末)(?:{_BY})?)")),
    # 2024年内: the 年 is shared
    Form("yearin", _h_yearin, "2024年内",
         lambda w: (
        rf"(?P<yearin>(?P<iy>{_Y4})年(?P<iw>内|度内|{_word('中')}))")),
    Form("period", _h_period, "上半年",
         lambda w: (
        rf"(?P<period>(?P<ry>{_YEAR})年(?P<rt>{w.tails})|(?:(?P<ry2>{_YEAR})年)?(?P<rn>{w.periods}))")),
    # 2020年 as a target year: decided by the handler from the words around it
    Form("target", _h_target, "2035年",
         lambda w: (
        rf"(?P<target>(?P<ty>{_Y4})年(?P<tb>前|以前|之前|为止)?(?!{_N}月|\d|[底末内度第上下首季]|{_word('初')}|{_word('中')}))")),
    Form("open", _h_open, "长期坚持",
         lambda w: (
        rf"(?P<open>{w.open_words})")),
    # 完成时限：持续推进 — only as the value of a time-limit field, where it is a timeline
    Form("open_field", _h_open, "完成时限：持续推进",
         lambda w: (
        rf"(?P<open_field>{w.time_field}(?:{w.open_field}))")),
    # a bare year, month or day: a deadline as a field value, a point or period on its own
    Form("bare", _h_bare, "2023年8月",
         lambda w: (
        rf"(?P<bare>{'' if w.bare_anywhere else w.time_field}"
        rf"(?=(?:{_YEAR}|\d\d)年|{_N}月)(?:(?P<by>{_YEAR}|\d\d)年)?"
        rf"(?:(?P<bm>{_N})月份?(?:(?P<bd>{_N})[日号]|(?P<bp>{_PART}))?)?)")),
)

HANDLERS: Mapping[str, Handler] = MappingProxyType({f.name: f.handler for f in FORMS})
