"""The fast grammar scan finds exactly what the plain alternation of the same forms finds."""
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calgen.extract.scan import Grammar, finditer_from, search_from
from calgen.rules import Rules
from calgen.settings import Settings

_RULES = Rules.load(Settings())      # for hypothesis tests, which cannot take fixtures
_GRAMMARS = (_RULES.phrases.grammar, _RULES.phrases.grammar_alone)

# Characters the deadline forms are made of, a few that end or break them, and filler.
_ALPHABET = ("0123456789一二三四五六七八九十两〇零年月日号季度底末初中旬上下前后以之内起至到为止—–－-~～."
             "个工作自然天周小时分钟半首第从自每今明本去当次春节国庆元旦清长期坚持“”《》，。、项改革推进完成")


def _plain(grammar: Grammar, text: str) -> list[tuple[tuple[int, int], str | None, dict[str, str]]]:
    loose = re.compile("(?:" + "|".join(grammar.parts) + ")")      # no guard, no dispatch
    return [_seen(m) for m in loose.finditer(text) if m.end() > m.start()]


def _fast(grammar: Grammar, text: str) -> list[tuple[tuple[int, int], str | None, dict[str, str]]]:
    return [_seen(m) for m in grammar.matches(text)]


def _seen(m: re.Match[str]) -> tuple[tuple[int, int], str | None, dict[str, str]]:
    """What a match tells: its span, its form and every group that took part."""
    return m.span(), m.lastgroup, {k: v for k, v in m.groupdict().items() if v is not None}


@pytest.mark.parametrize("text", [
    "2019年3月底前完成，第1项改革、80%的事项在5个工作日内办结",
    "从4月起每季度末报送，分别于6月15日、12月15日前完成，国庆节前",
    "“十四五”时期，2021—2023年，上半年，今明两年内，前三季度，三至五年内",
    "完成时限：2023年8月", "统一进一步一体化，1项", "",
    "八–十月底前，二－5月，半天内办结，五工作日内",        # forms the guard once skipped after Han numerals
])
@pytest.mark.parametrize("grammar", _GRAMMARS, ids=["text", "alone"])
def test_cases(grammar: Grammar, text: str) -> None:
    assert _fast(grammar, text) == _plain(grammar, text)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=40))
def test_same_matches_as_the_plain_alternation(text: str) -> None:
    for grammar in _GRAMMARS:
        assert _fast(grammar, text) == _plain(grammar, text)


# finditer_from / search_from: led by str.find to where a match can begin, the same matches as re.
_LED = [re.compile(r"[(〔](?:[^()〔〕]++|\([^()]*+\))*+[)〕]"), re.compile(r"(?<=x)[(〔]a*"),
        re.compile(r"[(〔][^()〔〕]*+$"), re.compile(r"\((?=b)")]


@pytest.mark.parametrize(("text", "firsts"), [
    ("", "(〔"), ("no brackets", "(〔"), ("a(b)c(d", "(〔"), ("〔2023〕1号(x)", "(〔"),
    ("((b)", "(〔"), ("x(aa(", "(〔"), ("(b(b", "("),
])
@pytest.mark.parametrize("pattern", _LED, ids=range(len(_LED)))
def test_led_by_find_cases(pattern: re.Pattern[str], text: str, firsts: str) -> None:
    assert [m.span() for m in finditer_from(pattern, text, firsts)] == [m.span() for m in pattern.finditer(text)]
    a, b = search_from(pattern, text, firsts), pattern.search(text)
    assert (a and a.span()) == (b and b.span())


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="()〔〕abx\n", max_size=24))
def test_led_by_find_is_finditer_and_search(text: str) -> None:
    for pattern in _LED:
        assert [m.span() for m in finditer_from(pattern, text, "(〔")] == [m.span() for m in pattern.finditer(text)]
        a, b = search_from(pattern, text, "(〔"), pattern.search(text)
        assert (a and a.span()) == (b and b.span())
