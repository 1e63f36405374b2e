"""Bytes → clean Simplified plan text.

Plans arrive as people have them: UTF-8, GBK or Big5; Traditional after automatic conversion;
scraped pages with pinyin annotations, byte-shifted GBK mojibake, lost full-width spaces,
Markdown emphasis and page chrome.  This module undoes those artefacts and nothing else: it
does not know what a task is.
"""
from __future__ import annotations

import html
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .opencc_gate import Gate

LOST = "\ufffd"     # a character the source lost; reported, never guessed


_HAN = r"\u3400-\u9fff\uf900-\ufaff"
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
# A pinyin syllable with a tone mark, as annotators add after a character: 關(guān)
_PINYIN = rf"[a-zü]*[{_TONED}][a-zü]*"
_TONE = re.compile(f"[{_TONED}]")
_PINYIN_AFTER_HAN = re.compile(rf"(?<=[{_HAN}{LOST}])\(({_PINYIN})\)")
# The annotated character itself was lost and took the "(" with it: 日?qǐng)
_PINYIN_LOST = re.compile(rf"\?({_PINYIN})\)")
# "?" (a lost lead byte, possibly with the pinyin its character carried) + characters that are
# GBK bytes read one byte off + the ASCII byte where the stream falls back in step.  Scrapers
# folded some full-width punctuation in such runs to ASCII ("?!耙" for "?！耙").
_MOJIBAKE = re.compile(
    rf"\?(?:{_PINYIN}\))?((?:[^\x00-\x7f\s{LOST}]|[!,;:])*[^\x00-\x7f\s{LOST}](?:[^\x00-\x7f\s{LOST}]|[!,;:])*)"
    rf"(\?(?:{_PINYIN}\))?|[\x40-\x7e])")
# A stray trail byte left after a lost character: 表?yè)P(yáng) → 表�
_STRAY_TRAIL = re.compile(rf"(?<={LOST})[\x40-\x7e](?:\({_PINYIN}\))?(?=[{_HAN}(])")
_LONE_QMARK = re.compile(rf"(?<=[{_HAN}{LOST}])\?(?=[{_HAN}{LOST}、，。,])|(?<=[{_HAN}{LOST}、，,])\?(?=[{_HAN}{LOST}])")
_QMARK_SPACES = re.compile(r"(?:^|(?<=\s))\?+(?=\s|$)|\?{2,}", re.M)
_MD_EMPHASIS = re.compile(r"\*\*|__(?=[^\s_])")
_MD_ESCAPE = re.compile(r"\\([\\_*\[\]()#+\-.!`])")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.M)
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\((?:https?://|www\.)[^)\s]*\)")
_CJK_CLASS = rf"{_HAN}\u3000-\u303f\uff00-\uffef“”‘’《》、"
# PDF page numbers standing in the text flow: "— 3 —", "- 3 -", "第3页", "3/12"
_PAGE_NUMBER = re.compile(r"^\s*(?:[—\-－–]+\s*\d{1,3}\s*[—\-－–]+|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|"
                          r"\d{1,3}\s*/\s*\d{1,3})\s*$")
_CJK_CHAR = re.compile(rf"[{_CJK_CLASS}]")
# Spaces and ASCII sentence punctuation; whether they change depends on their neighbours, which
# a callback looks at (one cheap pass instead of lookbehind-heavy patterns).
# (Written to begin with one character class, so that ``re`` skips the text between them in C.)
_SPACE_OR_PUNCT = re.compile(r"[ \t\u3000\xa0,;:!?](?:(?<=[ \t\u3000\xa0])[ \t\u3000\xa0]*)?")

# Full-width letters, digits and brackets fold to ASCII; Chinese sentence punctuation stays
# full-width; parentheses become ASCII (the schema's labels use them).
_WIDTH = MappingProxyType({chr(0xFF01 + i): chr(0x21 + i) for i in range(94)} | {"，": "，", "；": "；", "：": "：", "！": "！", "？": "？", "\u3000": " ", "\xa0": " ",
               "〖": "〔", "〗": "〕", "﹝": "〔", "﹞": "〕",
               # small form variants some Word files print (1﹒ for 1．): the ordinary marks
               "﹒": ".", "﹐": "，", "﹑": "、", "﹔": "；", "﹕": "：", "﹙": "(", "﹚": ")", "﹖": "？", "﹗": "！"})
_TO_FULL = MappingProxyType({",": "，", ";": "；", ":": "：", "!": "！", "?": "？"})
_CHANGES = re.compile("[" + re.escape("".join(k for k, v in _WIDTH.items() if k != v)) + "]")


# Line-like controls (vertical tab, form feed, NEL, line/paragraph separators, file/group/record
# separators) become line breaks; every other control character (NUL included) is dropped, so
# nothing invisible reaches a feed, the CSV or the workbook.
_LINE_LIKE_CHARS = "\x0b\x0c\x1c-\x1e\x85\u2028\u2029"
_CONTROL_CHARS = "\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f"
_LINE_LIKE = re.compile(f"[{_LINE_LIKE_CHARS}]")
_CONTROL = re.compile(f"[{_CONTROL_CHARS}]")
_ANY_CONTROL = re.compile(f"[{_LINE_LIKE_CHARS}{_CONTROL_CHARS}]")      # either: most texts hold none


def _controls(text: str, warnings: list[str]) -> str:
    if not _ANY_CONTROL.search(text):
        return text
    text = _LINE_LIKE.sub("\n", text)
    text, n = _CONTROL.subn("", text)
    if n:
        warnings.append(f"{n} control character(s) removed")
    return text


def clean_text(raw: str, simplifier: Simplifier) -> tuple[str, list[str]]:
    """Undo scraping artefacts; return Simplified text and warnings about unrepairable spots."""
    warnings: list[str] = []
    text = raw.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    text = _controls(text, warnings)
    if _looks_like_html(text):
        from .html import html_to_text
        text = html_to_text(text)
    text = html.unescape(text) if "&" in text else text
    text = _markdown(text)
    text = _repair_lines(text, warnings)
    text = simplifier(text)
    text = _fold_width(text)
    text = _SPACE_OR_PUNCT.sub(_space_or_punct, text)
    text = "\n".join(line.strip() for line in text.split("\n") if not _PAGE_NUMBER.match(line))
    return join_broken_parentheses(text), warnings


def _fold_width(text: str) -> str:
    """Full-width letters, digits and brackets → ASCII (one replace per distinct character:
    a plan holds a handful, each many times)."""
    m = _CHANGES.search(text)
    while m is not None:
        char = m.group()
        text = text.replace(char, _WIDTH[char])
        m = _CHANGES.search(text, m.start())
    return text


def _space_or_punct(m: re.Match) -> str:
    """Drop spaces next to Chinese ("6 月底前" → "6月底前"); make ,;:!? next to Chinese full-width."""
    text, i, j = m.string, m.start(), m.end()
    near_cjk = (i > 0 and _CJK_CHAR.match(text, i - 1)) or (j < len(text) and _CJK_CHAR.match(text, j))
    token = m.group()
    if token in _TO_FULL:
        return _TO_FULL[token] if near_cjk else token
    return "" if near_cjk else token


def _looks_like_html(text: str) -> bool:
    if "<" not in text[:4096]:
        return False
    head = text[:4096].lower()
    return "<html" in head or "<body" in head or ("<p" in head and "</p>" in text.lower())


def _markdown(text: str) -> str:
    # each pattern needs a character most plans lack: looking for it first is cheaper
    if "](" in text:
        text = _MD_LINK.sub(r"\1", text)
    if "\\" in text:
        text = _MD_ESCAPE.sub(r"\1", text)
    if "#" in text:
        text = _MD_HEADING.sub("", text)
    if "**" in text or "__" in text:
        text = _MD_EMPHASIS.sub("", text)
    return text


def _repair_lines(text: str, warnings: list[str]) -> str:
    if "?" in text:
        lines = text.split("\n")
        for no, line in enumerate(lines, 1):
            if "?" in line:
                lines[no - 1] = _repair_line(line, no, warnings)
        text = "\n".join(lines)
    if "(" in text and _TONE.search(text):     # pinyin after its character, on any line
        text = _PINYIN_AFTER_HAN.sub("", text)
    return text


def _repair_line(line: str, no: int, warnings: list[str]) -> str:
    line = _MOJIBAKE.sub(lambda m: _unshift(m, line), line)
    line = _PINYIN_LOST.sub(LOST, line)
    line = _LONE_QMARK.sub(LOST, line)
    line = _STRAY_TRAIL.sub("", line)
    line = _QMARK_SPACES.sub(" ", line)
    lost = line.count(LOST)
    if lost:
        warnings.append(f"line {no}: {lost} character(s) lost in the source could not be repaired")
    return line


def _unshift(m: re.Match, line: str) -> str:
    """Re-read a run of GBK mojibake one byte over.

    The page decoder started one byte late, so every character it shows is the second byte
    of one real character plus the first byte of the next.  The "?" is the first real
    character's lead byte, which is gone.  The run ends at an ASCII byte: either the trail
    byte of the last real character (then the stream is in step again) or a "?" where that
    trail byte was dropped.
    """
    body, tail = m.group(1).translate(_FULL_PUNCT), m.group(2) or ""
    try:
        data = body.encode("gb18030")
    except UnicodeEncodeError:
        return m.group(0)           # not GBK mojibake at all: leave it alone
    dropped = tail.startswith("?")
    data = data[1:] + (b"" if dropped else tail.encode())
    fixed = data.decode("gb18030", errors="replace")
    if dropped and not fixed.endswith("\ufffd"):
        fixed += LOST
    if fixed.count("\ufffd") > 1 + len(fixed) // 4:
        return m.group(0)
    at_line_start = not line[: m.start()].strip()
    # A line-initial run lost an indentation space (A1A1), the usual case; anything else lost
    # a real character.
    lead = "" if at_line_start and body.encode("gb18030")[:1] == b"\xa1" else LOST
    return lead + fixed.replace("\ufffd", LOST)


_FULL_PUNCT = MappingProxyType(str.maketrans({"!": "！", ",": "，", ";": "；", ":": "："}))


class Simplifier:
    """Traditional → Simplified (OpenCC t2s) plus the Taiwan vocabulary of mappings/vocabulary.toml.

    OpenCC's dictionaries load on first use, so commands that never meet Traditional text (and
    worker processes before their first document) do not pay for them.  Text that contains
    nothing OpenCC would change (most plans: see opencc_gate.py) is not handed to it."""

    def __init__(self, replacements: Mapping[str, str]) -> None:
        self.replacements = dict(replacements)
        # one scan for all the words (most texts hold none) instead of one per word
        self._any_word = re.compile("|".join(map(re.escape, sorted(self.replacements, key=len, reverse=True)))
                                    or "(?!)")
        self._opencc: Any = None
        self._gate: Gate | None = None

    def __call__(self, text: str) -> str:
        if self._opencc is None:
            import opencc

            from .opencc_gate import gate

            self._opencc = opencc.OpenCC("t2s")
            self._gate = gate(getattr(opencc, "__version__", ""))
        if self._gate is None or self._gate.would_change(text):
            text = self._opencc.convert(text)
        if self._any_word.search(text):
            for old, new in self.replacements.items():
                if old in text:
                    text = text.replace(old, new)
        return text


def squeeze(text: str) -> str:
    r"""``text`` without any whitespace: ``re.sub(r"\s+", "", text)``, several times faster
    (str.split and ``re``'s \s both use Unicode's whitespace)."""
    return "".join(text.split())


def join_broken_parentheses(text: str) -> str:
    """Join lines that break inside a parenthesis (re-hosted Markdown and PDFs do this)."""
    if not _any_line_open(text):
        return text                 # what the loop below gives when no line is left open
    lines = text.split("\n")
    out: list[str] = []
    depth = 0
    for line in lines:
        if depth > 0 and out:
            if not line:
                continue
            out[-1] += line
        else:
            out.append(line)
        depth = max(0, _depth(out[-1]))
        if depth and len(out[-1]) > 2000:     # a stray "(" must not swallow the document
            depth = 0
    return "\n".join(out)


def _any_line_open(text: str) -> bool:
    """Does any line of ``text`` have ``_depth`` > 0?  Only a line holding an opening bracket
    can, and most lines hold none: looking for one is cheaper than counting six kinds."""
    opens = [c for c in "(〔[" if c in text]
    if len(opens) == 1:
        char = opens[0]
        return any(char in line and _depth(line) > 0 for line in text.split("\n"))
    return bool(opens) and any(_depth(line) > 0 for line in text.split("\n"))


# The bracket of a 文号 whose closing half was lost: 粤办函〔2021 55号
_UNCLOSED_YEAR = re.compile(r"[〔\[(]\s*(?:19|20)\d\d(?!\s*[〕\])])")


def _depth(line: str) -> int:
    """Open brackets left at the end of a line (counts, not a character loop: it is hot)."""
    depth = (line.count("(") + line.count("〔") + line.count("[")
             - line.count(")") - line.count("〕") - line.count("]"))
    if depth > 0 and _UNCLOSED_YEAR.search(line):
        depth -= len(_UNCLOSED_YEAR.findall(line))
    return depth
