"""Searching a grammar of many alternatives quickly, with exactly the matches of one big pattern.

The deadline grammar (deadlines.py) is one alternation of ~25 named forms behind a guard.
Python's ``re`` tries every form at every position the guard lets through, and a form that
begins with a named group is entered before it can fail (the engine skips a branch cheaply only
when it begins with a literal or a character class).  Most of the grammar's time went there.

:class:`Grammar` gives the same matches as ``re.compile(guard + "(?:" + "|".join(parts) + ")")``
scanned with ``finditer`` (empty matches left out), found another way:

* a finder whose pattern begins with a character class (so ``re`` skips, in C, every position
  that cannot start a phrase) and checks the guard there;
* at each such position, only the forms that can begin with that character, in their order,
  are tried (``first_characters`` works that out from the parsed forms and errs towards
  "can": a form it cannot analyse is always tried).  Characters given as ``alike`` (the digits,
  the Han numerals) share one pattern, so that a process compiles a few patterns, not one per
  character.  A match of such a pattern has the groups of its own forms only.

A form that matches the empty string hands the rest of the text to the whole pattern's own
``finditer``, whose rules for what may follow an empty match are then followed exactly.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from types import MappingProxyType
from typing import Any

try:                                   # the parser of the standard library (re._parser since 3.11)
    from re import _constants as _C  # type: ignore[attr-defined]
    from re import _parser as _P  # type: ignore[attr-defined]
except ImportError:                    # pragma: no cover - another Python: every form is always tried
    _P = _C = None


class Grammar:
    """``parts`` (regular expressions, tried in order) behind ``guard`` (a regular expression
    that must match where a phrase starts); every phrase starts with a character of ``first``."""

    def __init__(self, parts: Sequence[str], guard: str, first: str, alike: Sequence[str] = ()) -> None:
        self.parts = tuple(parts)
        self._whole_source = f"(?=[{re.escape(first)}])(?={guard})(?:" + "|".join(self.parts) + ")"
        self._whole: re.Pattern[str] | None = None
        self._finder = re.compile(f"[{re.escape(first)}](?<=(?={guard}).)")
        starts = [first_characters(p, first) for p in self.parts]
        # the forms each first character may begin, as a key shared by the characters alike
        key = {c: {i for i, s in enumerate(starts) if c in s} for c in first}
        for chars in alike:
            shared = set().union(*(key[c] for c in chars if c in key))
            key.update((c, shared) for c in chars if c in key)
        self._key = {c: tuple(sorted(forms)) for c, forms in key.items()}
        self._compiled: dict[tuple[int, ...], re.Pattern[str]] = {}
        self._table: dict[str, re.Pattern[str]] = {}       # character → its pattern, as met

    @property
    def whole(self) -> re.Pattern[str]:
        """The one big pattern (compiled when first needed: the scan seldom needs it)."""
        if self._whole is None:
            self._whole = re.compile(self._whole_source)
        return self._whole

    def _for(self, char: str) -> re.Pattern[str]:
        key = self._key.get(char)
        if key is None:
            return self.whole
        pattern = self._compiled.get(key)
        if pattern is None:                      # compiled on first use: most keys never occur
            pattern = re.compile("|".join(self.parts[i] for i in key) or "(?!)")
            self._compiled[key] = pattern
        return pattern

    def matches(self, text: str) -> list[re.Match[str]]:
        """Every non-empty match, in order: what ``[m for m in whole.finditer(text) if m.end() >
        m.start()]`` gives."""
        out: list[re.Match[str]] = []
        search, table = self._finder.search, self._table
        pos = 0
        while (hit := search(text, pos)) is not None:
            at = hit.start()
            char = text[at]
            pattern = table.get(char)
            if pattern is None:
                pattern = table[char] = self._for(char)
            m = pattern.match(text, at)
            if m is None:
                pos = at + 1
            elif m.end() == at:                  # an empty match: the whole pattern's own rules
                out.extend(x for x in self.whole.finditer(text, at) if x.end() > x.start())
                return out
            else:
                out.append(m)
                pos = m.end()
        return out


def first_characters(pattern: str, alphabet: str) -> frozenset[str]:
    """The characters of ``alphabet`` a match of ``pattern`` may begin with — all of them when the
    pattern can match the empty string or cannot be analysed.  Lookarounds are treated as
    absent, which can only add characters."""
    every = frozenset(alphabet)
    if _P is None:
        return every
    try:
        chars, empty = _starts(_P.parse(pattern), every)
    except Exception:  # noqa: BLE001 - an unforeseen construct: always try this form
        return every
    return every if empty else frozenset(chars)


def _starts(items: Iterable[tuple[Any, Any]], every: frozenset[str]) -> tuple[set[str], bool]:
    """Characters a sequence may begin with, and whether it may match nothing."""
    out: set[str] = set()
    for op, av in items:
        chars, empty = _start(op, av, every)
        out |= chars
        if not empty:
            return out, False
    return out, True


def _start(op: Any, av: Any, every: frozenset[str]) -> tuple[set[str], bool]:
    if op is _C.LITERAL:
        return {chr(av)} & every, False
    if op is _C.NOT_LITERAL:
        return set(every - {chr(av)}), False
    if op is _C.ANY:
        return set(every), False
    if op is _C.IN:
        return {c for c in every if _in(av, c)}, False
    if op is _C.SUBPATTERN:
        return _starts(av[-1], every)
    if op is _C.BRANCH:
        out: set[str] = set()
        empty = False
        for alt in av[1]:
            chars, e = _starts(alt, every)
            out |= chars
            empty = empty or e
        return out, empty
    if op in (_C.MAX_REPEAT, _C.MIN_REPEAT, getattr(_C, "POSSESSIVE_REPEAT", None)):
        low, _high, body = av
        chars, empty = _starts(body, every)
        return chars, empty or low == 0
    if op is getattr(_C, "ATOMIC_GROUP", None):
        return _starts(av, every)
    if op in (_C.ASSERT, _C.ASSERT_NOT, _C.AT):
        return set(), True
    return set(every), True                     # a back-reference or anything unforeseen


def _in(items: Iterable[tuple[Any, Any]], char: str) -> bool:
    """Is ``char`` in a parsed character class?  A category is tested with ``re`` itself."""
    negate, hit = False, False
    for op, av in items:
        if op is _C.NEGATE:
            negate = True
        elif op is _C.LITERAL:
            hit = hit or chr(av) == char
        elif op is _C.RANGE:
            hit = hit or av[0] <= ord(char) <= av[1]
        elif op is _C.CATEGORY:
            hit = hit or _in_category(av, char)
        else:
            return True                         # unforeseen: say yes
    return hit != negate


_CATEGORIES = MappingProxyType({"CATEGORY_DIGIT": r"\d", "CATEGORY_NOT_DIGIT": r"\D", "CATEGORY_SPACE": r"\s",
                                "CATEGORY_NOT_SPACE": r"\S", "CATEGORY_WORD": r"\w", "CATEGORY_NOT_WORD": r"\W"})


def _in_category(category: Any, char: str) -> bool:
    pattern = _CATEGORIES.get(str(category))
    return True if pattern is None else re.fullmatch(pattern, char) is not None


def finditer_from(pattern: re.Pattern[str], text: str, firsts: str) -> list[re.Match[str]]:
    """``list(pattern.finditer(text))`` for a pattern whose every match is non-empty and begins
    with one of the characters ``firsts`` (an opening bracket, say).

    ``re`` looks for where such a pattern can begin by testing every character of the text
    against the pattern's first character class, ≈50 machine instructions a character; when
    only one of ``firsts`` occurs in the text, ``str.find`` goes from one occurrence to the next
    at a fraction of that, and the pattern is matched there, as ``finditer`` would."""
    return list(_led(pattern, text, firsts))


def search_from(pattern: re.Pattern[str], text: str, firsts: str) -> re.Match[str] | None:
    """``pattern.search(text)`` for a pattern as :func:`finditer_from` asks."""
    return next(_led(pattern, text, firsts), None)


def _led(pattern: re.Pattern[str], text: str, firsts: str) -> Iterator[re.Match[str]]:
    present = [c for c in firsts if c in text]
    if len(present) != 1:
        if present:
            yield from pattern.finditer(text)
        return
    char, find, match = present[0], text.find, pattern.match
    pos = find(char)
    while pos >= 0:
        m = match(text, pos)
        if m is None:
            pos = find(char, pos + 1)
        else:
            yield m
            pos = find(char, m.end())
