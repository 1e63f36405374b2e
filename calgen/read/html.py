"""HTML page → plain text, keeping block structure and dropping page chrome.

Government pages wrap the plan in navigation, breadcrumbs, share buttons, related links and
footers.  Those elements are dropped by tag (nav, header, footer, aside, form, script, style) and
by class/id (readability's cues: nav, menu, breadcrumb, share, footer…); what is left keeps one
line per block element and one line per table row, its cells side by side (a metadata table's
"文号  粤办函〔2021〕55号" stays on one line).  A bold run that is a numbered heading
(``<b>一、各地自查</b>`` followed by its paragraph in the same block) is a line of its own: pages
set headings in bold as often as in a heading element.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIP = frozenset({"script", "style", "nav", "header", "footer", "form", "noscript", "select", "button",
         "iframe", "svg", "head", "aside"})
_BLOCK = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
          "article", "dd", "dt", "ul", "ol", "center", "blockquote", "pre"})
_CELL = frozenset({"td", "th"})
_VOID = frozenset({"br", "img", "meta", "link", "input", "hr", "col", "area", "base", "wbr", "source"})
_BOLD = frozenset({"b", "strong"})
_HEADING_PIECES = 16
# A numbered heading set in bold: 一、 （一） 第一章 1． — short, as headings are (a bold sentence
# inside a paragraph stays where it is).
_HEADING = re.compile(r"(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十百]+[)）]|第[一二三四五六七八九十百]+[章节部分]"
                      r"|\d{1,3}[、．.](?!\d))\S.{0,40}")
# Page furniture by its class or id, the way readability-style extractors recognise it.
_CHROME = re.compile(r"nav|menu|breadcrumb|crumb|footer|header|share|related|sidebar|toolbar|print|"
                     r"copyright|banner|search|login|fontsize|position|location", re.I)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.stack: list[tuple[str, bool]] = []
        self.bold: list[int] = []                # where each open bold run began in parts

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _VOID:
            if tag == "br":
                self.parts.append("\n")
            return
        marker = " ".join(v or "" for k, v in attrs if k in ("class", "id"))
        chrome = tag in _SKIP or bool(marker and _CHROME.search(marker))
        self.stack.append((tag, chrome))
        if chrome:
            self.skip += 1
        elif tag in _BLOCK:
            self.parts.append("\n")
        elif tag in _CELL:
            self.parts.append("  ")
        elif tag in _BOLD:
            self.bold.append(len(self.parts))

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        while self.stack:                      # tolerate unclosed tags, as browsers do
            open_tag, chrome = self.stack.pop()
            if chrome:
                self.skip = max(0, self.skip - 1)
            if open_tag == tag:
                break
        if tag in _BLOCK:
            self.parts.append("\n")
        elif tag in _BOLD and self.bold:
            start = self.bold.pop()
            # a heading is a few pieces of text: a longer run is no heading (and is never joined,
            # so nested bold runs cost nothing more)
            if len(self.parts) - start <= _HEADING_PIECES and _HEADING.fullmatch("".join(self.parts[start:]).strip()):
                self.parts.insert(start, "\n")
                self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data.replace("\n", " "))


def html_to_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)
