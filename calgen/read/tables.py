"""Tables as tables: rows with named columns, found in clean text.

Every table calgen meets ends up here as grid lines — Word tables and Markdown tables are written
as pipe rows (``a | b | c``), scraped pages keep theirs, PDFs and pages flatten a table one cell
per line under a header.  :func:`find_tables` recognises both forms by their header (the column
vocabulary of ``mappings/columns.toml``, loaded into a :class:`ColumnBook`) and hands back
:class:`Row` objects keyed by line, so the outline and agency layers read columns, not text.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from .clean import squeeze


class Column(StrEnum):
    SEQ = "seq"
    TASK = "task"
    MEASURE = "measure"
    LEAD = "lead"
    RESPONSIBLE = "responsible"
    SUPPORT = "support"
    DEADLINE = "deadline"
    LEADER = "leader"
    NOTE = "note"
    Q1 = "q1"                       # progress tables: what is due by the end of each quarter
    Q2 = "q2"
    Q3 = "q3"
    Q4 = "q4"


ROLE_COLUMNS = (Column.LEAD, Column.RESPONSIBLE, Column.SUPPORT)
QUARTER_COLUMNS = (Column.Q1, Column.Q2, Column.Q3, Column.Q4)


@dataclass(frozen=True)
class Row:
    """One table row: its cells by column (the first column of each kind wins), and its line."""

    cells: Mapping[Column, str]
    line: int                       # 1-based line of the row in the clean text

    def get(self, column: Column) -> str:
        return self.cells.get(column, "")


@dataclass(frozen=True)
class ColumnBook:
    """Header word → column kind (mappings/columns.toml)."""

    words: Mapping[str, Column] = field(default_factory=lambda: MappingProxyType({}))

    def kind(self, header: str) -> Column | None:
        return self.words.get(squeeze(header))

    def is_header(self, cells: list[str]) -> bool:
        kinds = [self.kind(c) for c in cells]
        return (sum(k is not None for k in kinds) >= 2
                and any(k in (Column.TASK, Column.MEASURE) for k in kinds))


@dataclass(frozen=True)
class Tables:
    """What find_tables found: the lines (header lines blanked, each row one readable line) and
    the rows by 0-based line index."""

    lines: list[str]
    rows: Mapping[int, Row]


_SEP = "|"
_RULE = re.compile(r"^\s*\|?\s*:?-{2,}")
_BARE_NUMBER = re.compile(r"^\d{1,3}$")


def find_tables(lines: list[str], book: ColumnBook) -> Tables:
    out = list(lines)
    rows: dict[int, Row] = {}
    if not book.words:
        return Tables(out, rows)
    i = 0
    while i < len(out):
        line = out[i]
        if _SEP in line:
            i = _pipe_block(out, i, book, rows)
        elif line in book.words:                 # clean lines are stripped: an exact lookup
            i = _flattened(out, i, book, rows)
        else:
            i += 1
    return Tables(out, MappingProxyType(rows))


def _split(line: str) -> list[str]:
    cells = [c.strip() for c in line.strip().split(_SEP)]
    if cells and not cells[0] and line.lstrip().startswith(_SEP):
        cells = cells[1:]
    if cells and not cells[-1]:
        cells = cells[:-1]
    return cells


def _pipe_block(lines: list[str], start: int, book: ColumnBook, rows: dict[int, Row]) -> int:
    """A run of pipe lines whose first line is a header; returns the index after the block."""
    end = start
    while end < len(lines) and (_SEP in lines[end] or _RULE.match(lines[end])):
        end += 1
    header = _split(lines[start])
    if not book.is_header(header):
        return start + 1
    columns = [book.kind(h) for h in header]
    lines[start] = ""
    seen_kinds: dict[int, str] = {}          # column index → label kind seen there (一、 / 1.)
    for i in range(start + 1, end):
        if _RULE.match(lines[i]):
            lines[i] = ""
            continue
        cells = _split(lines[i])
        if not any(cells):
            lines[i] = ""
            continue
        cells = _realign(cells, seen_kinds)
        for k, cell in enumerate(cells):
            kind = _label_kind(cell)
            if kind:
                seen_kinds.setdefault(k, kind)
        rows[i] = Row(_named(columns, cells), i + 1)
        lines[i] = " | ".join(c for c in cells if c)
    return end


def _realign(cells: list[str], seen_kinds: dict[int, str]) -> list[str]:
    """A row whose first cell was merged with the row above (rowspan) comes one cell short:
    its first cell is labelled the way a later column is (1. under 具体要求 while 一、 stands
    under 工作任务), so it is moved to that column."""
    kind = _label_kind(cells[0]) if cells else None
    if kind and seen_kinds.get(0) != kind:
        for k, seen in sorted(seen_kinds.items()):
            if k > 0 and seen == kind:
                return [""] * k + cells
    return cells


def _label_kind(cell: str) -> str | None:
    if re.match(r"^[一二三四五六七八九十]+、", cell):
        return "cn"
    if re.match(r"^\d{1,3}[.、．]", cell):
        return "arabic"
    return None


def _named(columns: list[Column | None], cells: list[str]) -> Mapping[Column, str]:
    named: dict[Column, str] = {}
    for kind, cell in zip(columns, cells):
        if kind is not None and kind not in named and cell:
            named[kind] = cell
    return MappingProxyType(named)


def _flattened(lines: list[str], start: int, book: ColumnBook, rows: dict[int, Row]) -> int:
    """序号 / 任务内容 / 责任单位 / 完成时限 one per line (header cells may be split over two
    lines: 责任 / 领导), then each row as a bare number followed by its cells."""
    header: list[str] = []
    i = start
    while i < len(lines) and len(header) < 16:
        line = lines[i].strip()
        if not line:
            i += 1
            continue
        if _BARE_NUMBER.match(line):
            break
        if len(line) > 12:
            return start + 1                       # prose, not a header cell
        if header and book.kind(header[-1]) is None and book.kind(header[-1] + line) is not None:
            header[-1] += line                      # 责任 / 领导 → 责任领导
        elif book.kind(line) is None and i + 1 < len(lines) and book.kind(line + lines[i + 1].strip()):
            header.append(line + lines[i + 1].strip())
            i += 1
        else:
            header.append(line)
        i += 1
    if i >= len(lines) or not book.is_header(header) or not _BARE_NUMBER.match(lines[i].strip()):
        return start + 1
    for k in range(start, i):
        lines[k] = ""
    columns = [book.kind(h) for h in header]
    seq_first = columns[0] == Column.SEQ
    expected = int(lines[i].strip())
    while i < len(lines) and lines[i].strip() == str(expected):
        row_line = i
        cells = [lines[i].strip()] if seq_first else []
        i += 1
        while i < len(lines) and len(cells) < len(columns):
            cell = lines[i].strip()
            if cell == str(expected + 1) and len(cells) > 2:
                break
            if cell:
                cells.append(cell)
            lines[i] = ""
            i += 1
        if not seq_first:
            cells.insert(0, str(expected))
            columns = [Column.SEQ, *columns]
            seq_first = True
        rows[row_line] = Row(_named(columns, cells), row_line + 1)
        lines[row_line] = " | ".join(cells)
        expected += 1
        while i < len(lines) and not lines[i].strip():
            i += 1
    return i


def grid_lines(rows: list[list[str]]) -> list[str]:
    """Table rows (any source) as pipe lines for :func:`find_tables`; '|' inside a cell is
    replaced so it cannot split the cell."""
    return [" | ".join(re.sub(r"\s*\n\s*", "", c).replace("|", "｜").strip() for c in row) + " |"
            for row in rows]
