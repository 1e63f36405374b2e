"""Searching a grammar of many alternatives quickly, with exactly the matches of one big pattern.

The deadline grammar (forms.py) is one alternation of ~25 named forms behind a guard.
:class:`Grammar` gives the same matches as ``re.compile(guard + "(?:" + "|".join(parts) + ")")``
scanned with ``finditer`` (empty matches left out), found another way: a finder whose pattern
begins with a character class (so ``re`` skips, in C, every position that cannot start a
phrase) checks the guard there, and only there are the forms tried.

A form that matches the empty string hands the rest of the text to the whole pattern's own
``finditer``, whose rules for what may follow an empty match are then followed exactly.

(Until issue 28 the forms tried at a position were narrowed to those that can begin with its
character, worked out from ``re``'s private parser; measured on 1,000 generated plans the
narrowing no longer paid, and a private module of the standard library is not a dependency.)
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Sequence


class Grammar:
    """``parts`` (regular expressions, tried in order) behind ``guard`` (a regular expression
    that must match where a phrase starts); every phrase starts with a character of ``first``."""

    def __init__(self, parts: Sequence[str], guard: str, first: str) -> None:
        self.parts = tuple(parts)
        self._whole_source = f"(?=[{re.escape(first)}])(?={guard})(?:" + "|".join(self.parts) + ")"
        self._whole: re.Pattern[str] | None = None
        self._finder = re.compile(f"[{re.escape(first)}](?<=(?={guard}).)")
        self._forms = re.compile("|".join(self.parts) or "(?!)")

    @property
    def whole(self) -> re.Pattern[str]:
        """The one big pattern (compiled when first needed: the scan seldom needs it)."""
        if self._whole is None:
            self._whole = re.compile(self._whole_source)
        return self._whole

    def matches(self, text: str) -> list[re.Match[str]]:
        """Every non-empty match, in order: what ``[m for m in whole.finditer(text) if m.end() >
        m.start()]`` gives."""
        out: list[re.Match[str]] = []
        search, match = self._finder.search, self._forms.match
        pos = 0
        while (hit := search(text, pos)) is not None:
            at = hit.start()
            m = match(text, at)
            if m is None:
                pos = at + 1
            elif m.end() == at:                  # an empty match: the whole pattern's own rules
                out.extend(x for x in self.whole.finditer(text, at) if x.end() > x.start())
                return out
            else:
                out.append(m)
                pos = m.end()
        return out


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
