"""mappings/phrases.toml, checked once and held with its compiled grammar (see forms.py)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..calendar.workdays import Calendar
from ..errors import MappingError
from ..mappings import load_toml
from ..settings import Conventions, MonthBefore, YearBefore, choice

_WORD_LISTS = ("open", "duration_unit", "target_words", "limit_words", "open_field",
               "field_only")
_UNITS = ("year", "half", "quarter", "month", "week")


@dataclass(frozen=True)
class Vocabulary:
    """The words of phrases.toml, validated: every table the grammar needs, in the right shape."""

    words: MappingProxyType[str, tuple[str, ...]]
    period: MappingProxyType[str, tuple[tuple[int, int], tuple[int, int]]]
    month_part: MappingProxyType[str, tuple[int, int]]
    five_year: MappingProxyType[str, tuple[int, int]]
    festival: MappingProxyType[str, str]
    recurring: MappingProxyType[str, str]
    recurring_nouns: tuple[str, ...]
    recurring_rates: tuple[str, ...]
    conventions: Conventions


def load_vocabulary(path: Path, time_endings: tuple[str, ...] = ("时限", "时间")) -> Vocabulary:
    """phrases.toml; ``time_endings`` (mappings/labels.toml [time]) make the time-field words
    (完成时限：) — the label vocabulary has one owner."""
    data = load_toml(path)
    where = str(path)

    def table(name: str) -> dict[str, Any]:
        value = data.get(name)
        if not isinstance(value, dict):
            raise MappingError(f"[{name}] is missing or not a table", file=where,
                               hint="compare with the phrases.toml shipped with calgen")
        return value

    def strings(value: Any, key: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(w, str) and w for w in value):
            raise MappingError(f"{key} must be a list of non-empty strings", file=where)
        return tuple(value)

    def pair(value: Any, key: str, lo: int, hi: int) -> tuple[int, int]:
        if (not isinstance(value, list) or len(value) != 2
                or not all(isinstance(n, int) and lo <= n <= hi for n in value)):
            raise MappingError(f"{key} must be two whole numbers from {lo} to {hi}", file=where)
        return value[0], value[1]

    words = table("words")
    period = {}
    for k, v in table("period").items():
        if not isinstance(v, list) or len(v) != 2:
            raise MappingError(f"period {k!r} must be [[month, day], [month, day]]", file=where)
        period[k] = (pair(v[0], f"period {k!r}", 0, 31), pair(v[1], f"period {k!r}", 0, 31))
    recurring = table("recurring")
    for k, unit in recurring.items():
        if unit not in _UNITS:
            raise MappingError(f"recurring {k!r}: unknown unit {unit!r}", file=where,
                               hint=f"use one of {', '.join(_UNITS)}")
    festival = table("festival")
    if not all(isinstance(v, str) for v in festival.values()):
        raise MappingError("[festival] values must be holiday names", file=where)
    conv = table("conventions")
    not_ = table("recurring_not")
    return Vocabulary(
        words=MappingProxyType({**{k: strings(words.get(k), f"words.{k}") for k in _WORD_LISTS},
                                "time_fields": tuple(f"{e}{c}" for e in time_endings for c in "：:")}),
        period=MappingProxyType(period),
        month_part=MappingProxyType({k: pair(v, f"month_part {k!r}", 0, 31)
                                     for k, v in table("month_part").items()}),
        five_year=MappingProxyType({k: pair(v, f"five_year {k!r}", 1949, 2200)
                                    for k, v in table("five_year").items()}),
        festival=MappingProxyType(festival),
        recurring=MappingProxyType(recurring),
        recurring_nouns=strings(not_.get("nouns"), "recurring_not.nouns"),
        recurring_rates=strings(not_.get("rates"), "recurring_not.rates"),
        conventions=Conventions(
            month_before=choice(MonthBefore, conv.get("month_before", ""), f"{where}: month_before"),
            year_before=choice(YearBefore, conv.get("year_before", ""), f"{where}: year_before")),
    )


class PhraseBook:
    """The deadline vocabulary, its compiled grammar, the conventions in force (the user's
    choice, else phrases.toml's) and the calendar festival deadlines need.  Built once (Rules)."""

    def __init__(self, vocab: Vocabulary, calendar: Calendar, chosen: Conventions | None = None) -> None:
        from .forms import compile_grammar

        self.vocab = vocab
        self.calendar = calendar
        chosen = chosen or Conventions()
        self.conventions = Conventions(
            month_before=chosen.month_before or vocab.conventions.month_before,
            year_before=chosen.year_before or vocab.conventions.year_before)
        self.grammar = compile_grammar(vocab)
        self.grammar_alone = compile_grammar(vocab, bare_anywhere=True)
        self.limit_words = vocab.words["limit_words"]
        self.target_words = vocab.words["target_words"]
        self.time_fields = vocab.words["time_fields"]
        self.open_field = frozenset(vocab.words["open_field"])
        self.field_only = frozenset(vocab.words["field_only"])
