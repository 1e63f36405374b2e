"""Numbered outline → items.

Plans number their parts 一、 → (一) → 1. → (1); some use 第一部分 / 第一条, and tables flattened to
text put a bare 序号 on its own line.  Labels are the only reliable task boundary, so this module
finds them, nests them by rank, and decides which unlabelled lines belong to which item.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ..numerals import cn_to_int, int_to_cn
from ..read.tables import Column, Row

_CN = "一二三四五六七八九十百零〇两"

# (kind, rank, pattern).  Rank orders nesting: a label closes every open item of equal or
# deeper rank.
_LABELS: tuple[tuple[str, int, re.Pattern], ...] = (
    ("part", 0, re.compile(rf"第([{_CN}]+)部分[、.：:\s]*")),
    ("chapter", 0, re.compile(rf"第([{_CN}]+)章\s*")),
    ("cn", 1, re.compile(rf"([{_CN}]+)(?:、|\.(?!\d))\s*")),           # 三、2月底前… is item 三
    ("paren_cn", 2, re.compile(rf"\(([{_CN}]+)\)[、.]?\s*")),
    ("article", 3, re.compile(rf"第([{_CN}]+)条\s*")),
    ("task_cn", 1, re.compile(rf"任务([{_CN}]+)[：:]\s*")),          # 任务一：… (progress reports, 台账)
    # "1.2亿" is a number, "1.6月底前…" is item 1 starting with a deadline
    # "1.2021年底前…" is item 1 starting with a year
    # items of any count (1001.), but never a year (2023. / 2023、)
    ("arabic", 3, re.compile(r"(\d{1,3}|(?!19\d\d|20\d\d|21\d\d)\d{4,5})"
                             r"(?:[.、](?!\d)|[.、](?=\d{1,2}月|(?:19|20)\d\d年)|\s+(?=\D)|$)\s*")),
    ("paren_ar", 4, re.compile(r"\((\d{1,3}|(?!19\d\d|20\d\d|21\d\d)\d{4,5})\)\s*")),
)
# A label the mojibake repair could not restore: "(跺)" where (二十五) stood.
_BROKEN_PAREN = re.compile(r"\(([^()\x00-\x7f、，。；：“”]{1,2})\)(?=[\u4e00-\u9fff])")

_SENTENCE_END = "。；！？;"
_LABEL_FORMS = MappingProxyType({"part": "第{}部分", "chapter": "第{}章", "cn": "{}", "paren_cn": "({})",
                                 "article": "第{}条", "arabic": "{}.", "paren_ar": "({})", "task_cn": "任务{}",
                                 "dash": "——{}"})
_CN_KINDS = frozenset({"part", "chapter", "cn", "paren_cn", "article", "task_cn"})
# The labels a line's first character can begin (the patterns above), in their order.
_BY_FIRST = MappingProxyType({
    "第": tuple(x for x in _LABELS if x[0] in ("part", "chapter", "article")),
    "(": tuple(x for x in _LABELS if x[0] in ("paren_cn", "paren_ar")),
    "任": tuple(x for x in _LABELS if x[0] == "task_cn"),
    **{c: tuple(x for x in _LABELS if x[0] == "cn") for c in _CN}})
_ARABIC = tuple(x for x in _LABELS if x[0] == "arabic")
_NEXT_NUMBER = re.compile(r"(\d{4,7})[.、](?!\d)\s*")
# A dash bullet (——推进…) under a numbered item: a point of it, one level deeper.  It is a task
# of its own only when it assigns agencies (task_items); principles and targets set as dashes
# stay the text of their item.
_DASH = re.compile(r"(?:——|－－|--)\s*(?=\S)")


# A plan run together on one line (how datasets and some portals store national texts): labels
# stand after a sentence end, a colon, an agency bracket's close or a run of spaces.  A line is re-cut only when it is long
# and holds several such labels, so a paragraph that mentions "1." once is never split.
RUN_ON = 300
_LABEL_AHEAD = (rf"(?=(?:第[{_CN}]+(?:部分|章|条)|[{_CN}]{{1,3}}、|\([{_CN}]{{1,3}}\)"
                rf"|\d{{1,3}}[.．、](?:(?!\d)|(?=(?:19|20)\d\d年))|\(\d{{1,3}}\))\S)")
# Both alternatives start with one character class (most positions fail on it at once): a
# sentence end, colon, bracket close or space before a label, or the "(" of (一) right after a
# heading without a full stop (一、…精准性(一)研究…; checked below: a Han character, never 第(一)项).
_RUN_ON_LABEL = re.compile(
    rf"[。；！？;:：)）〕\s][”\"]?\s*{_LABEL_AHEAD}"
    rf"|(?P<paren>\()(?=[{_CN}]{{1,3}}\)[\u4e00-\u9fff])")


def reline(lines: list[str]) -> list[str]:
    """Lines with a run-on plan cut before each of its labels (see :data:`RUN_ON`); and a long
    line whose first item starts mid-line — `…开局之年。 (一)赋能…` with `(二)` opening the next
    line, as pages that lost the line break before a section's first item print it — is cut
    before that item."""
    if all(len(line) <= RUN_ON for line in lines):
        return lines
    out: list[str] = []
    for no, line in enumerate(lines):
        if len(line) > RUN_ON:
            cuts = [m.end() if m.group("paren") is None else m.start() for m in _RUN_ON_LABEL.finditer(line)
                    if m.group("paren") is None or (m.start() > 0 and "\u4e00" <= line[m.start() - 1] <= "\u9fff"
                                                    and line[m.start() - 1] != "第")]
            if len(cuts) < 3:
                cuts = _first_before_second(line, cuts, lines[no + 1] if no + 1 < len(lines) else "")
            if cuts:
                bounds = [0, *cuts, len(line)]
                out.extend(line[a:b].strip() for a, b in zip(bounds, bounds[1:]) if line[a:b].strip())
                continue
        out.append(line)
    return out


def _first_before_second(line: str, cuts: list[int], following: str) -> list[int]:
    """The cut before a first item (一, (一), 1.) inside ``line`` when ``following`` opens with
    the second of the same kind; else none."""
    second = match_label(following)
    if second is None or second[2] != 2:
        return []
    for at in cuts:
        first = match_label(line[at:])
        if first is not None and first[0] == second[0] and first[2] == 1:
            return [at]
    return []


@dataclass
class Item:
    kind: str
    rank: int
    number: int
    line: int
    lines: list[str]
    parent: Item | None = None
    children: list[Item] = field(default_factory=list)
    closed: bool = False
    repaired: bool = False
    after_label: bool = False
    after_agency: bool = False
    row: Row | None = None            # a table row: its columns name title, agencies and deadline
    # brackets left open by lines[:_counted] (kept up to date as lines are appended while parsing,
    # so deciding on each next line costs that line, not the whole text)
    _counted: int = field(default=0, repr=False)
    _open: int = field(default=0, repr=False)
    _open_square: int = field(default=0, repr=False)

    @functools.cached_property
    def label(self) -> str:        # (kind and number are settled when the outline is parsed)
        return _LABEL_FORMS[self.kind].format(int_to_cn(self.number) if self.kind in _CN_KINDS else self.number)

    @property
    def path(self) -> tuple[str, ...]:
        out: list[str] = []
        node: Item | None = self
        while node is not None:
            out.append(node.label)
            node = node.parent
        return tuple(reversed(out))

    @property
    def text(self) -> str:
        return "".join(self.lines)

    def last_char(self) -> str:
        """The text's last character ('' for no text), without joining the text."""
        return next((piece[-1] for piece in reversed(self.lines) if piece), "")

    def unbalanced(self) -> bool:
        """A ( or 〔 the text leaves open (the counts carried over the lines already seen)."""
        for piece in self.lines[self._counted:]:
            self._open += piece.count("(") - piece.count(")")
            self._open_square += piece.count("〔") - piece.count("〕")
        self._counted = len(self.lines)
        return self._open > 0 or self._open_square > 0

    def bracket_tail(self) -> str:
        """The text from the line holding its last ( or 〔 on: where a trailing bracket starts."""
        for i in range(len(self.lines) - 1, -1, -1):
            if "(" in self.lines[i] or "〔" in self.lines[i]:
                return "".join(self.lines[i:])
        return self.text


def match_label(line: str) -> tuple[str, int, int, str] | None:
    """(kind, rank, number, rest of line) for a line that starts with a numbering label."""
    if not line:
        return None
    labels = _BY_FIRST.get(line[0]) or (_ARABIC if line[0].isdecimal() else ())    # \d: any digit
    for kind, rank, rx in labels:
        m = rx.match(line)
        if not m:
            continue
        raw = m.group(1)
        number = int(raw) if raw.isdigit() else cn_to_int(raw)
        if not number:
            continue
        rest = line[m.end():]
        if kind == "arabic" and not _plausible_arabic(m.group(0), rest):
            continue
        return kind, rank, number, rest
    return None


def _plausible_arabic(label: str, rest: str) -> bool:
    """'1.' starts an item; '2020 年' or '5 个工作日' (a number and a space) do not."""
    if not rest:
        return label.strip().isdigit()          # a bare 序号 cell on its own line
    if label.rstrip()[-1:] in ".、":
        return True
    return not re.match(r"[年月日号个%项家次元万亿台]", rest)


def parse(lines: list[str], start: int = 0, rows: Mapping[int, Row] | None = None,
          field_line: re.Pattern[str] | None = None, agency_line: Callable[[str], bool] | None = None) -> list[Item]:
    """All numbered items from line index ``start`` on, nested, with their own text.  ``rows``
    (line index → table row, from calgen.read.tables) become items of their own; a line
    ``field_line`` matches (牵头单位：…, 完成时限：…, mappings/labels.toml) belongs to the item above,
    and so does an ``agency_line`` (市发改委牵头落实: a 责任单位 cell of a table flattened one cell
    per line), after which the item's next rows of prose still belong to it."""
    roots: list[Item] = []
    stack: list[Item] = []
    order: list[Item] = []
    current: Item | None = None
    rows = rows or {}
    next_arabic = 0                 # the number a 1. 2. … list continues with
    # after the document's last label, a paragraph addressing every unit is its closing
    last_label = max((i for i in range(start, len(lines)) if match_label(lines[i])), default=len(lines))
    for no in range(start, len(lines)):
        row = rows.get(no)
        if row is not None:
            for item in _row_items(row, no, sum(1 for it in order if it.row is not None) + 1):
                _attach(item, stack, roots)
                order.append(item)
                current = item
            continue
        line = lines[no]
        hit = match_label(line)
        if hit is not None:
            kind, rank, number, rest = hit
            inner = _inner_label(rank, rest)
            if inner is not None:                # 一、总体要求(一)建设目标。 on one line: two items
                head = Item(kind, rank, number, no + 1, [inner[0]], closed=True)
                _attach(head, stack, roots)
                order.append(head)
                kind, rank, number, rest = inner[1]
            item = Item(kind, rank, number, no + 1, [rest] if rest else [])
        elif (m := _NEXT_NUMBER.match(line)) and int(m.group(1)) == next_arabic:
            # 1950. after 1949.: a label whatever number it reaches (a year-like or six-digit
            # one is read as a label only where it continues the numbering)
            item = Item("arabic", 3, next_arabic, no + 1, [line[m.end():]] if line[m.end():] else [])
        elif current is not None and (m := _BROKEN_PAREN.match(line)) and _ended(current):
            # A label the source garbled: numbered from its neighbours below.
            item = Item("paren_cn", 2, 0, no + 1, [line[m.end():]], repaired=True)
        elif stack and (m := _DASH.match(line)):
            top = stack[-1]
            rank = top.rank if top.kind == "dash" else top.rank + 1
            owner = top.parent if top.kind == "dash" else top
            number = 1 + sum(1 for c in (owner.children if owner else ()) if c.kind == "dash")
            item = Item("dash", rank, number, no + 1, [line[m.end():]])
        else:
            if current is not None:
                _continue(current, line, closing_allowed=no > last_label, field_line=field_line,
                          agency_line=agency_line)
            continue
        _attach(item, stack, roots)
        order.append(item)
        current = item
        if item.kind == "arabic":
            next_arabic = item.number + 1
    _renumber(order)
    return roots


_HEAD_THEN_LABEL = re.compile(r"([^，。；：,;:()（）、\s]{2,12})\s*(?=[(（][一二三四五六七八九十]{1,3}[)）])")


def _inner_label(rank: int, rest: str) -> tuple[str, tuple[str, int, int, str]] | None:
    """(heading, inner label) when a section label's short heading runs straight into the
    first sub-label on the same line, as PDF and web copies join them."""
    m = _HEAD_THEN_LABEL.match(rest)
    if m is None:
        return None
    inner = match_label(rest[m.end():])
    if inner is None or inner[1] <= rank or inner[2] != 1:
        return None
    return m.group(1), inner


def _row_items(row: Row, no: int, ordinal: int) -> list[Item]:
    """A table row → its task item, preceded by a section item when the task-name cell is a
    section label (工作任务 "一、做好财政信息公开。" beside 具体要求 "1.积极推进…")."""
    out: list[Item] = []
    task, measure, seq = row.get(Column.TASK), row.get(Column.MEASURE), row.get(Column.SEQ)
    head = match_label(task) if task else None
    body = match_label(measure) if measure else None
    if head and body and head[1] < body[1]:
        kind, rank, number, rest = head
        out.append(Item(kind, rank, number, no + 1, [rest], closed=True))
        task = ""
    if body is not None and not (seq and seq.isdigit()):
        kind, rank, number, rest = body
        text = (task + "\n" + rest) if task else rest
    else:
        number = int(seq) if seq and seq.isdigit() else ordinal
        kind, rank = "arabic", 3
        text = "\n".join(x for x in (task, measure) if x)
        if task and (label := match_label(task)) is not None and label[0] == "arabic":
            text = "\n".join(x for x in (label[3], measure) if x)
    out.append(Item(kind, rank, number, no + 1, [text], closed=True, row=row))
    return out


def _ended(item: Item) -> bool:
    last = item.last_char()
    return item.closed or not last or last in _SENTENCE_END + ")〕" or item.rank < 2


def _attach(item: Item, stack: list[Item], roots: list[Item]) -> None:
    while stack and stack[-1].rank >= item.rank:
        stack.pop()
    if stack:
        item.parent = stack[-1]
        stack[-1].children.append(item)
    else:
        roots.append(item)
    stack.append(item)


def _renumber(order: list[Item]) -> None:
    """(二十四) … (跺) … (二十六): the garbled one is (二十五).  The label after it decides when
    the two neighbours disagree (numbering restarts per section in some plans)."""
    same = [it for it in order if it.kind == "paren_cn"]
    for i, item in enumerate(same):
        if not item.repaired:
            continue
        prev = next((it.number for it in reversed(same[:i]) if it.number), 0)
        nxt = next((it.number for it in same[i + 1:] if it.number), 0)
        item.number = nxt - 1 if nxt > 1 and nxt - 1 != prev else prev + 1


def _continue(item: Item, line: str, closing_allowed: bool = False,
              field_line: re.Pattern[str] | None = None, agency_line: Callable[[str], bool] | None = None) -> None:
    """Decide whether an unlabelled line continues ``item``.

    Labelled agency lines always belong to the item above them.  Otherwise a line continues an
    item whose text is still open (mid-sentence, inside a parenthesis); after a finished
    sentence only prose continues it, and a trailing agency parenthesis or a line that is not
    prose (page chrome, a closing link) ends it for good.
    """
    if not line:
        return
    last = item.last_char()                    # (the text itself is never joined here: a long item
    if field_line is not None and field_line.match(line):   # would make each next line cost it all)
        item.lines.append("\n" + line if last else line)
        item.after_label = True
        return
    if item.closed:
        return
    if agency_line is not None and len(item.lines) > 0 and agency_line(line):
        item.lines.append("\n" + line)
        item.after_agency = True
        return
    if item.after_agency:                      # a merged-cell table: the task's next row, or its end
        if _is_prose(line) and not (closing_allowed and CLOSING.match(line)):
            item.lines.append("\n" + line)
        else:
            item.closed = True
        return
    if item.after_label:
        # after 牵头单位：… only a list the line break cut ("…、" / "…，") continues
        if last in ("、", "，", ","):
            item.lines.append(line)
        else:
            item.closed = True
        return
    if last and len(item.lines) == 1 and len(item.lines[0]) <= 30 and not re.search("[，。；：,]", item.lines[0]):
        item.lines.append("\n" + line)          # a heading-only label line, then its paragraph
    elif not last or last not in _SENTENCE_END + ")〕]" or item.unbalanced():
        item.lines.append(line)
    elif _is_prose(line) and (not _AGENCY_PAREN_END.search(item.bracket_tail()) or _OWN_BRACKET_END.search(line)) \
            and not (closing_allowed and CLOSING.match(line)):
        item.lines.append("\n" + line)
    else:
        item.closed = True


# After the document's last numbered item, a paragraph that addresses every unit (各地区、各部门要…
# 于2019年3月底前制定实施方案) or the document itself (本意见自…起施行) is its closing, not the last
# item's text: its dates are the document's, not a task's.
CLOSING = re.compile(r"^(?:各地区、?各部门|各地区|各部门|各省|各级|地方各级|各有关部门|各有关单位|各单位|各地各部门|"
                     r"国务院各部门|本意见|本方案|本通知|本办法|本规定|本计划|本细则|以上|上述)")
_AGENCY_PAREN_END = re.compile(r"[(〔][^()〔〕]*(?:牵头|负责|配合|单位)[^()〔〕]*[)〕][。；]?$")
# After an item's agency bracket, a paragraph with a bracket of its own is another measure of the
# same item (plans that set a task as unnumbered paragraphs, each ending in its bracket);
# prose without one is not the item's (a page's chrome, a closing).
_OWN_BRACKET_END = re.compile(r"[(〔][^()〔〕]*(?:牵头|负责|配合|参与|单位|指导|落实)[^()〔〕]*[)〕][。；]?$")


def _is_prose(line: str) -> bool:
    return len(line) >= 20 and any(ch in line for ch in "，。；")


def task_items(roots: list[Item], assigns: Callable[[str], bool]) -> list[Item]:
    """The items that are tasks: innermost numbered items, except that an item whose own text
    assigns agencies while none of its sub-items does is one task, sub-items included (its
    1. 2. are points of that task, the way (一) carries the agencies in Guangdong-style plans)."""
    out: list[Item] = []

    def walk(items: list[Item]) -> None:
        for it in items:
            points = [c for c in it.children if c.kind == "dash" and not assigns(c.text)]
            if points:                                    # dashes that assign nothing: the item's text
                it.lines += ["\n——" + d.text + "".join("\n" + x.label + x.text for x in _descendants(d))
                             for d in points]
                it.children = [c for c in it.children if c not in points]
            if not it.children:
                out.append(it)
            elif assigns(it.text) and not any(assigns(d.text) for d in _descendants(it)):
                it.lines += ["\n" + d.label + d.text for d in _descendants(it)]
                it.children = []
                out.append(it)
            else:
                walk(it.children)

    walk(roots)
    return out


def _descendants(item: Item) -> list[Item]:
    out = []
    for child in item.children:
        out.append(child)
        out.extend(_descendants(child))
    return out
