"""Deadline phrases → milestones (kind, nominal date, span, clause).

One pass of a combined regular expression over a task's text finds every phrase; each match is
turned into milestones by a small function for its form.  The words (named periods, parts of a
month, five-year plans, festivals, recurring words) come from ``mappings/phrases.toml`` through a
:class:`~calgen.extract.phrasebook.PhraseBook`.

Two rules keep dates honest:

* **Whole expressions or nothing.**  A match whose neighbours continue the expression (a number
  or year word just before it, ``前`` followed by ``三季度``/``两个月``, a range the grammar did not
  read) is a fragment: it is reported as not understood, never dated (``_fragment``).
* **Where a phrase stands decides what it is.**  In running text (``Where.TEXT``) a bare date or
  month is a date in passing, not a milestone; as the value of a 完成时限 field (``Where.FIELD``)
  it is a deadline; read on its own by ``calgen resolve`` (``Where.ALONE``) it is a point or a
  period with its span.

The forms themselves (patterns, handlers, examples) are the table in :mod:`calgen.extract.forms`.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from ..errors import DeadlineError
from ..model import Kind, Milestone
from .forms import _HAN, _SEP, HANDLERS, Context, Where

if TYPE_CHECKING:
    from .phrasebook import PhraseBook

__all__ = ["Context", "Where", "find", "find_in_field"]
# ── finding ────────────────────────────────────────────────────────────────────────────────────

def find(text: str, ctx: Context, book: PhraseBook, problems: list[DeadlineError] | None = None,
         limit: int | None = None) -> list[Milestone]:
    """Every milestone phrase in ``text``, in order of appearance.

    A phrase that cannot be dated (no plan year, an impossible date, a fragment of a longer
    expression) raises DeadlineError, or, when ``problems`` is given, is left out and its error
    appended there: one bad phrase never costs the others."""
    grammar = book.grammar if ctx.where == Where.TEXT else book.grammar_alone
    matches = grammar.matches(text)
    if not matches:
        if ctx.where == Where.ALONE:
            _whole(text, matches, problems)
        elif problems is not None:
            _unread_deadlines(text, matches, problems)
        return []
    kinds = [_kind(m) for m in matches]
    dated_starts = [m.start() for m, kind in zip(matches, kinds) if kind not in _UNDATED]
    out: list[Milestone] = []
    titled = "《" in text
    ends: list[int] | None = None                # sentence ends, found when a phrase writes its year
    stated: tuple[int, int] | None = None        # (sentence, year) of the last phrase that wrote its year
    for m, kind in zip(matches, kinds):
        if limit is not None and len(out) >= limit:
            break                    # a task with thousands of phrases: the caller keeps the first ones
        handler = HANDLERS.get(kind)
        if handler is None or (titled and _in_title(text, m.start())):
            continue
        if kind not in _UNDATED and text.startswith("已", m.end()):
            continue        # 2018年12月31日之前已完成转制的企业: who qualifies, not what is due
        here = ctx
        sentence = bisect.bisect_left(ends, m.start()) if ends is not None else 0
        if stated and stated[0] == sentence and stated[1] != ctx.plan_year and _BARE_MONTH.match(m.group(0)):
            # a bare month takes the year of the preceding phrase in the same sentence
            # (2021年6月底前…，12月底前… → 2021-12-31: the genre's own convention)
            here = replace(ctx, plan_year=stated[1])
        try:
            hits = list(handler(m, here, book))
            if hits and kind not in _UNDATED_QUIET and _fragment(text, m):
                raise DeadlineError("only part of this expression could be read, so it is not dated",
                                    phrase=text[max(0, m.start() - 3):m.end() + 4],
                                    hint="write the deadline in a form calgen reads (docs/genre.md, Deadline phrases)")
        except DeadlineError as e:
            if problems is None:
                raise
            e.phrase = e.phrase or m.group(0)
            problems.append(e)
            continue
        if not hits:
            continue
        if _WRITES_YEAR.search(m.group(0)) and hits[0].nominal is not None:
            if ends is None:
                ends = [e.start() for e in _SENTENCE_END.finditer(text)]
                sentence = bisect.bisect_left(ends, m.start())
            stated = (sentence, hits[0].nominal.year)
        clause = _clause(text, m.start(), m.end(), dated_starts)
        for h in hits:
            if h.kind == Kind.DEADLINE and h.nominal is None and problems is not None:
                problems.append(DeadlineError(h.reading, phrase=h.phrase))
            out.append(Milestone(phrase=h.phrase, kind=h.kind, nominal=h.nominal, clause=clause,
                                 every=h.every, anchor=h.anchor, span=h.span, reading=h.reading))
    if ctx.where == Where.ALONE:
        _whole(text, matches, problems)
    elif problems is not None:
        _unread_deadlines(text, matches, problems)
    return out


_SENTENCE_END = re.compile(r"[。！？!?]")
_WRITES_YEAR = re.compile(r"(?:\d{4}|[〇○零一二三四五六七八九]{4})年")
_BARE_MONTH = re.compile(r"(?:\d{1,2}|十[一二]?|[一二三四五六七八九])月")


# What reads like a deadline in running text: a number with a date unit and a deadline word.
# One that no form of the grammar took (2100年底前, 第5季度末) is reported, never silently dropped.
_LOOKS_DUE = re.compile(r"(?=[第0-9])(?:(?:\d{1,4}年)?(?:第?\d{1,2}(?:季度|月)|\d{1,2}月\d{1,2}日|\d{2,4}年)"
                        r"(?:底|末)?(?:前|以前|之前)|第?\d{1,2}季度[末底]|\d{2,4}年[底末])")   # (?=…): skip fast


def _unread_deadlines(text: str, matches: list[re.Match[str]], problems: list[DeadlineError]) -> None:
    if "前" not in text and "底" not in text and "末" not in text:
        return
    spans = [(m.start(), m.end()) for m in matches]
    for u in _LOOKS_DUE.finditer(text):
        if not any(a < u.end() and u.start() < b for a, b in spans):
            problems.append(DeadlineError("looks like a deadline but no form of calgen's reads it, so it is not dated",
                                          phrase=u.group(0),
                                          hint="check the date (docs/genre.md, Deadline phrases)"))


def find_in_field(value: str, ctx: Context, book: PhraseBook,
                  problems: list[DeadlineError] | None = None) -> list[Milestone]:
    """The value of a 完成时限 field or column: a continuing-work word (持续推进, 长期) is an open
    milestone, a bare date or month a deadline; anything else is read like task text."""
    bare = value.strip("。；;，, ")
    if bare in book.open_field:
        return [Milestone(phrase=bare, kind=Kind.OPEN, nominal=None, clause=bare)]
    return find(value, Context(ctx.plan_year, ctx.issued, Where.FIELD), book, problems)


_UNDATED = frozenset({"duration", "recurring", "open", "open_field", "bare"})
_UNDATED_QUIET = frozenset({"open", "open_field", "recurring"})
_SENT = re.compile(r"[。；;！？\n]")


def _kind(m: re.Match[str]) -> str:
    return m.lastgroup if m.lastgroup and m.lastgroup in HANDLERS else _outer(m)


def _outer(m: re.Match[str]) -> str:
    groups = m.groupdict()             # a match has the groups of the forms tried where it starts
    for name in HANDLERS:
        if groups.get(name) is not None:
            return name
    return ""


def _in_title(text: str, i: int) -> bool:
    """Inside 《…》: a date that names a document (《…（2021—2023年）》), not a milestone."""
    return text.rfind("《", 0, i) > text.rfind("》", 0, i)


_NUMERALS = f"0123456789〇零{_HAN}两"
_YEAR_WORDS = "今当本次明去前后上下"
_NUMERAL_OR_FIRST = frozenset(_NUMERALS + "首")
_NUMERAL_OR_YEAR_WORD = frozenset(_NUMERALS + _YEAR_WORDS)
_CONTINUES = re.compile(rf"[{_HAN}两半0-9]*个?(?:季度|季|月|年|周|天|日|旬)")
_RANGE_NEXT = re.compile(rf"{_SEP}(?:[0-9{_HAN}〇零]|[今明次]年|年?底|年?末)")


def _fragment(text: str, m: re.Match[str]) -> bool:
    """Does the text around ``m`` continue the expression?  (2021年前|三季度, 07|年第三季度,
    去年|四季度, 6月|至10月 when the range was not read.)"""
    s, e = m.start(), m.end()
    prev = text[s - 1] if s else ""
    if prev in _NUMERAL_OR_FIRST:
        return True
    if prev == "前" and text[s - 2:s - 1] not in ("提", "之", "以", "目", "此"):
        return True                                 # 前|三季度 (提前|年底 is fine)
    if prev == "年" and s >= 2 and text[s - 2] in _NUMERAL_OR_YEAR_WORD:
        return True
    if m.group(0).endswith("前") and _CONTINUES.match(text, e):
        return True
    return _kind(m) != "duration" and bool(_RANGE_NEXT.match(text, e))


_UNREAD = re.compile(rf"[〇零年月日季旬]|[0-9{_HAN}两](?=[年月日季个号旬])")


def _whole(text: str, matches: list[re.Match[str]], problems: list[DeadlineError] | None) -> None:
    """On its own, a phrase must be read whole: a date word left over means a misreading."""
    rest = list(text)
    for m in matches:
        rest[m.start():m.end()] = [" "] * (m.end() - m.start())
    left = "".join(rest).strip()
    if _UNREAD.search(left):
        err = DeadlineError("not understood as a whole: calgen read only part of it",
                            phrase=text, hint=f"unread: {' '.join(left.split())}")
        if problems is None:
            raise err
        problems.append(err)




CLAUSE_MAX = 1000           # characters of a clause kept (events quote 200 of them)


def _clause(text: str, start: int, end: int, dated_starts: list[int]) -> str:
    """What is due: from the comma-piece holding the phrase to the end of its sentence, or to
    the piece before the next dated phrase in that sentence.  (Each bound is one str.rfind per
    punctuation mark: cheaper than listing every sentence and comma of the task.)"""
    s0 = max(text.rfind("。", 0, start), text.rfind("；", 0, start), text.rfind(";", 0, start),
             text.rfind("！", 0, start), text.rfind("？", 0, start), text.rfind("\n", 0, start)) + 1
    after = _SENT.search(text, start)
    s1 = after.start() if after else len(text)
    p0 = max(s0, _last_piece(text, s0, start) + 1)
    stop = s1
    j = bisect.bisect_right(dated_starts, end - 1)
    if j < len(dated_starts) and dated_starts[j] < s1:
        cut = _last_piece(text, end, dated_starts[j])
        if cut > end:
            stop = cut
    clause = text[p0:min(stop, p0 + CLAUSE_MAX)].strip()
    if clause[:1] in _CLAUSE_LEAD_CHARS:
        clause = _CLAUSE_LEAD.sub("", clause)
    return clause.strip("，, ")


def _last_piece(text: str, lo: int, hi: int) -> int:
    """Where the last comma or colon in text[lo:hi] stands, or -1."""
    return max(text.rfind("，", lo, hi), text.rfind(",", lo, hi), text.rfind("：", lo, hi), text.rfind(":", lo, hi))


_CLAUSE_LEAD = re.compile(r"^(?:并且?|同时|和|及)")
_CLAUSE_LEAD_CHARS = frozenset("并同和及")
