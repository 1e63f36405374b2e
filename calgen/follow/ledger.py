"""The ledger (台账): one row per dated milestone and per undated task, the columns an agency fills.

A row is keyed by an identity that survives rebuilds: a dated milestone's row by its event's
UID (kept while its task is the same task, :mod:`calgen.publish.feeds.identity`); an undated
task's row by its plan and the task's own words (:func:`task_id`).

Columns (``COLUMNS``): what calgen knows — 序号, 文件, 任务, 牵头单位, 责任单位, 配合单位, 节点, 到期日
(the working-day due date), 督办状态 (the state as of the build, :mod:`.standing`) — then what the
agency fills — 状态 (a drop-down of :data:`~.standing.REPORTED`), 完成日期, 新到期日 (with 申请延期),
进展情况, 佐证材料 — and 标识, the row's identity.  Only the fill-in columns are unlocked; the
sheet is protected without a password (it stops slips, not people), and a returned row whose
locked columns differ from every version calgen published is refused on import.  The fill-in
columns come back pre-filled with the latest recorded status, so an agency updates its rows
instead of typing them again.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import pickle
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, BinaryIO, NamedTuple

from ..calendar.workdays import Calendar
from ..model import CLAUSE_WORD, NOT_DUE, Document, Task
from ..publish.feeds.feednames import feed_key
from .standing import COLOUR, REPORTED, Record, Standing, State, standing

KNOWN = ("序号", "文件", "任务", "牵头单位", "责任单位", "配合单位", "节点", "到期日", "督办状态")
FILL = ("状态", "完成日期", "新到期日", "进展情况", "佐证材料")
ID = "标识"
COLUMNS = (*KNOWN, *FILL, ID)
LOCKED = ("文件", "任务", "牵头单位", "节点", "到期日")       # checked on import (序号 and the state change)
WIDTHS = (6, 28, 46, 18, 18, 18, 24, 11, 9, 10, 11, 11, 40, 24, 30)


class Row(NamedTuple):
    """One ledger row, as the build writes it (plain values: rows travel between processes)."""

    id: str
    dockey: str
    plan: str
    task: str
    lead: tuple[str, ...]
    responsible: str
    support: str
    node: str
    due: str                      # ISO date, '' for an undated task
    state: str                    # a State value
    status: str = ""
    done: str = ""
    new_due: str = ""
    progress: str = ""
    evidence: str = ""
    owners: tuple[tuple[str, str], ...] = ()      # (name, slug) of the lead agencies that are not groups
    groups: tuple[str, ...] = ()                  # names in any role that are collectives (各区人民政府, 有关部门)

    @property
    def lead_text(self) -> str:
        return "、".join(self.lead)

    def locked(self) -> tuple[str, ...]:
        return (self.plan, self.task, self.lead_text, self.node, self.due)


def fingerprint(locked: Sequence[str]) -> str:
    """A hash of a row's locked columns (:data:`LOCKED`, in order), whitespace ignored."""
    raw = "\x1f".join("".join(str(v).split()) for v in locked)
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]


def task_id(dockey: str, task: Task) -> str:
    """An undated task's row: its plan and its own words (its number changes when a task is
    inserted above it; its words do not)."""
    words = (task.title + "｜" + task.text[:160]).strip()
    return hashlib.sha1(f"{dockey}|{words}".encode()).hexdigest()[:20] + "@calgen-task"


def undated_key(task: Task) -> str:
    """How the Gantt outputs find an undated task's state (the task's own id, unique in a build)."""
    return "task:" + task.id


def task_label(task: Task) -> str:
    return f"{' '.join(task.path)} {task.title or task.text[:40]}".strip()


def lead_names(task: Task) -> tuple[str, ...]:
    """Who answers for a row: the lead agencies, else the responsible ones (督办 counts leads)."""
    return tuple(a.name for a in (task.lead or task.responsible))


def rows_for(doc: Document, dockey: str, evs: Iterable[Any], records: Mapping[str, Record], as_of: dt.date,
             calendar: Calendar, soon_days: int) -> tuple[list[Row], dict[str, Standing]]:
    """A plan's ledger rows — its events (``evs``, with their UIDs) and its tasks that have
    none — in task order, each with its standing as of ``as_of``; and the standing of every row
    by identity (an undated task's also under :func:`undated_key`)."""
    by_task: dict[str, list[Any]] = {}
    for e in evs:
        by_task.setdefault(e.task.id, []).append(e)
    rows: list[Row] = []
    standings: dict[str, Standing] = {}
    plan = doc.label
    seen: set[str] = set()
    for t in doc.tasks:
        names = lead_names(t)
        owners = tuple((feed_key(doc.name, doc.jurisdiction, a.name), a.slug) for a in (t.lead or t.responsible)
                       if not a.is_group)
        groups = tuple(dict.fromkeys(a.name for _, a in t.agencies() if a.is_group))
        resp = "、".join(a.name for a in t.responsible) if t.lead else ""
        supp = "、".join(a.name for a in t.support)
        label = task_label(t)
        mine = sorted(by_task.get(t.id, ()), key=lambda e: (e.due, e.uid))
        # a start (从5月起) or a point (延长至…) is not a deadline: its row has no due date
        items = [(e.uid, (f"{e.phrase}：{e.clause[:60]}" if e.clause else e.phrase) + (f"（{CLAUSE_WORD[e.kind]}）" if e.kind in CLAUSE_WORD else ""),
                  None if e.kind in NOT_DUE else e.due) for e in mine]
        if not items:
            tid = task_id(dockey, t)
            n = 2
            while tid in seen:                         # two tasks with the same words
                tid = task_id(dockey + f"#{n}", t)
                n += 1
            items = [(tid, "", None)]
            undated = undated_key(t)
        else:
            undated = ""
        for uid, node, due in items:
            seen.add(uid)
            rec = records.get(uid)
            st = standing(due, rec, as_of, calendar, soon_days)
            standings[uid] = st
            if undated:
                standings[undated] = st
            rows.append(Row(uid, dockey, plan, label, names, resp, supp, node, due.isoformat() if due else "",
                            str(st.state), *(_filled(rec) if rec else ("", "", "", "", "")), owners, groups))
    return rows, standings


def _filled(rec: Record) -> tuple[str, str, str, str, str]:
    return (rec.status, rec.done.isoformat() if rec.done else "", rec.new_due.isoformat() if rec.new_due else "",
            rec.progress, rec.evidence)


# --- writing ------------------------------------------------------------------------------------

class LedgerBook:
    """One ledger workbook written with XlsxWriter, row by row (constant_memory mode: rows are
    flushed as they are written).  It defines the ledger's look — formats, drop-downs,
    protection, the instructions sheet; the build fills :class:`Template`, made from it, which
    writes the same cells faster."""

    def __init__(self, target: str | BinaryIO, title: str, as_of: dt.date, created: dt.datetime,
                 soon_days: int = 5) -> None:
        import xlsxwriter

        self.wb = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False,
                                               "strings_to_urls": False, "strings_to_numbers": False})
        self.wb.set_properties({"title": title, "author": "calgen", "created": created,
                                "comments": f"督办台账，截至 {as_of.isoformat()}；由 calgen 生成"})
        self.title, self.as_of, self.soon_days = title, as_of, soon_days
        wb = self.wb
        self.ws = wb.add_worksheet("台账")
        base = {"font_name": "Microsoft YaHei", "font_size": 10, "valign": "top"}
        self.f = {
            "head": wb.add_format({**base, "bold": True, "bg_color": "#DDE6F3", "border": 1, "text_wrap": True}),
            "fill_head": wb.add_format({**base, "bold": True, "bg_color": "#FFF3BF", "border": 1, "text_wrap": True}),
            "text": wb.add_format({**base, "text_wrap": True}),
            "date": wb.add_format({**base, "num_format": "yyyy-mm-dd"}),
            "open": wb.add_format({**base, "locked": False, "bg_color": "#FFFBEA", "text_wrap": True}),
            "open_date": wb.add_format({**base, "locked": False, "bg_color": "#FFFBEA", "num_format": "yyyy-mm-dd"}),
            "id": wb.add_format({**base, "font_color": "#868E96", "font_size": 8}),
        }
        self.state_f = {s.value: wb.add_format({**base, "bold": True, "font_color": COLOUR[s]}) for s in State}
        ws = self.ws
        for col, width in enumerate(WIDTHS):
            kind = COLUMNS[col]
            fmt = self.f["open_date"] if kind in ("完成日期", "新到期日") else self.f["open"] if kind in FILL else None
            ws.set_column(col, col, width, fmt)
        for col, name in enumerate(COLUMNS):
            ws.write_string(0, col, name, self.f["fill_head" if name in FILL else "head"])
        ws.freeze_panes(1, 3)
        ws.set_landscape()
        ws.set_paper(9)                      # A4, one page wide, the heading on every page
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)
        ws.set_footer("&C第 &P 页，共 &N 页")
        self.n = 0

    def add(self, row: Row) -> None:
        self.n += 1
        r, ws, f = self.n, self.ws, self.f
        ws.write_number(r, 0, self.n, f["text"])
        for col, value in ((1, row.plan), (2, row.task), (3, row.lead_text), (4, row.responsible),
                           (5, row.support), (6, row.node)):
            _fill(ws, r, col, value, f["text"])
        _date(ws, r, 7, row.due, f["date"])
        _fill(ws, r, 8, row.state, self.state_f.get(row.state, f["text"]))
        _fill(ws, r, 9, row.status, f["open"])
        _date(ws, r, 10, row.done, f["open_date"])
        _date(ws, r, 11, row.new_due, f["open_date"])
        _fill(ws, r, 12, row.progress, f["open"])
        _fill(ws, r, 13, row.evidence, f["open"])
        _fill(ws, r, 14, row.id, f["id"])

    def close(self) -> None:
        ws, last = self.ws, max(self.n, 1)
        col = COLUMNS.index
        ws.data_validation(1, col("状态"), last, col("状态"), {
            "validate": "list", "source": list(REPORTED), "input_title": "状态",
            "input_message": "请选择：" + "、".join(REPORTED), "error_title": "状态",
            "error_message": "只能选择：" + "、".join(REPORTED)})
        for name in ("完成日期", "新到期日"):
            ws.data_validation(1, col(name), last, col(name), {
                "validate": "date", "criteria": "between", "minimum": dt.date(2000, 1, 1),
                "maximum": dt.date(2100, 12, 31), "input_title": name,
                "input_message": "日期，如 2026-03-31" + ("（申请延期时填写）" if name == "新到期日" else ""),
                "error_title": name, "error_message": "请填写日期，如 2026-03-31"})
        ws.autofilter(0, 0, max(self.n, 1), len(COLUMNS) - 1)
        ws.protect("", {"autofilter": True, "sort": False, "format_columns": True, "format_rows": True,
                        "select_locked_cells": True, "select_unlocked_cells": True})
        help_ = self.wb.add_worksheet("填报说明")
        lines = [self.title, f"截至 {self.as_of.isoformat()}（督办状态按工作日计算）", "",
                 "只填写黄色列：状态、完成日期、新到期日、进展情况、佐证材料；其他列和“标识”列请勿改动，也不要增删行。",
                 "状态：" + "、".join(REPORTED) + "。",
                 "已完成 / 已销号：须填完成日期（不晚于填报当日）。",
                 "申请延期：须填新到期日（晚于原到期日）。",
                 "填好后保存为 .xlsx（或另存为 CSV，保留表头）交回；办公厅用 calgen status import 读入。",
                 "", f"督办状态：按期完成、逾期完成、延期、逾期（已过到期日未完成）、临期（{self.soon_days}个工作日内到期）、未到期、无时限。"]
        help_.set_column(0, 0, 110)
        for i, line in enumerate(lines):
            help_.write_string(i, 0, line, self.f["head"] if i == 0 else self.f["text"])
        help_.protect("")
        self.wb.close()


def _fill(ws: Any, row: int, col: int, text: str, fmt: Any) -> None:
    """A text cell, or an empty cell with the column's format (unlocked in the fill-in columns)."""
    if text:
        ws.write_string(row, col, text, fmt)
    else:
        ws.write_blank(row, col, None, fmt)


def _date(ws: Any, row: int, col: int, iso: str, fmt: Any) -> None:
    if iso:
        day = dt.date.fromisoformat(iso)
        ws.write_datetime(row, col, dt.datetime(day.year, day.month, day.day), fmt)
    else:
        ws.write_blank(row, col, None, fmt)


CSV_HEADER = "\ufeff" + ",".join(COLUMNS) + "\r\n"


def csv_bytes(rows: Iterable[Row], first: int) -> bytes:
    """Rows as ledger.csv lines (numbered from ``first``), text cells never formulas."""
    import csv
    import io

    from ..publish.gantt.csv import neutralise

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    for n, r in enumerate(rows, first):
        w.writerow([n, *(neutralise(v) for v in (r.plan, r.task, r.lead_text, r.responsible, r.support, r.node)),
                    r.due, r.state, r.status, r.done, r.new_due, neutralise(r.progress), neutralise(r.evidence), r.id])
    return buf.getvalue().encode("utf-8")


class Spool:
    """Ledger rows kept aside in a scratch file while the build streams, with the offsets of
    each lead agency's rows: the workbooks are written afterwards from it (in worker processes,
    beside the Gantt files), each agency's one after another — never thousands open at once."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.fh: BinaryIO = open(path, "wb")  # noqa: SIM115 - closed by close()
        self.offsets: dict[str, list[int]] = {}

    def add(self, row: Row, owners: Iterable[str]) -> None:
        at = self.fh.tell()
        pickle.dump(row, self.fh, protocol=pickle.HIGHEST_PROTOCOL)
        for o in owners:
            self.offsets.setdefault(o, []).append(at)

    def close(self) -> None:
        self.fh.close()


def spooled(path: str, offsets: Iterable[int] | None = None) -> Iterator[Row]:
    """The rows of a spool file: all of them in order, or those at ``offsets``."""
    with open(path, "rb") as fh:
        if offsets is None:
            while True:
                try:
                    yield pickle.load(fh)
                except EOFError:
                    return
        for at in offsets:
            fh.seek(at)
            yield pickle.load(fh)


# (spool file, stage folder, [(relative path, title, offsets or None for every row, rows)], as_of, created)
BookSpec = tuple[str, str, list[tuple[str, str, list[int] | None, int]], dt.date, dt.datetime, int]


def write_books(spec: BookSpec) -> list[str]:
    """Ledger workbooks from a spool (runs in a worker process: everything is in ``spec``);
    returns the paths written.  One :class:`Template` serves every workbook of the job."""
    import os

    spool, root, books, as_of, created, soon_days = spec
    template = Template(as_of, created, soon_days)
    out = []
    for rel, title, offsets, count in books:
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            template.write(fh, title, spooled(spool, offsets), count)
        out.append(path)
    return out


class Template:
    """The ledger workbook as XlsxWriter makes it (:class:`LedgerBook`: formats, drop-downs,
    protection, the instructions sheet), made once with placeholder rows, then filled for each
    ledger with its rows.

    Why: a build writes one ledger per lead agency — 10,000 at national scale — and XlsxWriter
    spends ~6 ms on each workbook's package and ~14 µs on each cell; rows written here into the
    template's sheet cost ~1 µs a cell and a workbook ~0.5 ms.  The cells are what XlsxWriter's
    constant_memory mode writes (inline strings, the template's style numbers); tests compare the
    two workbooks cell by cell and read them back with openpyxl."""

    TITLE = "@@CALGEN-TITLE@@"

    def __init__(self, as_of: dt.date, created: dt.datetime, soon_days: int = 5) -> None:
        import io
        import re
        import zipfile

        buf = io.BytesIO()
        book = LedgerBook(buf, self.TITLE, as_of, created, soon_days)
        states = list(State)
        for state in states:                     # one placeholder row per state (its style), all cells filled
            book.add(Row("i", "k", "p", "t", ("l",), "r", "s", "n", "2026-01-01", state.value, "已完成",
                         "2026-01-01", "2026-01-02", "x", "y"))
        book.close()
        self.last = len(states) + 1                # the placeholder rows' last row number
        with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
            self.entries = [(info, z.read(info.filename)) for info in z.infolist()]
        sheet = dict((i.filename, b) for i, b in self.entries)["xl/worksheets/sheet1.xml"].decode("utf-8")
        head, rest = sheet.split("<sheetData>", 1)
        data, tail = rest.split("</sheetData>", 1)
        rows = re.findall(r"<row [^>]*>.*?</row>", data)
        self.header = rows[0]
        cells = re.findall(r'<c r="([A-Z]+)\d+" s="(\d+)"', rows[1])
        self.styles = [int(style) for _, style in cells]
        self.state_style = {state.value: int(re.findall(r'<c r="I\d+" s="(\d+)"', row)[0])
                            for state, row in zip(states, rows[1:], strict=True)}
        self.head, self.tail = head, tail

    def write(self, target: BinaryIO, title: str, rows: Iterable[Row], count: int) -> None:
        import zipfile

        last = count + 1 if count else 2
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
            for info, data in self.entries:
                name = info.filename
                if name == "xl/worksheets/sheet1.xml":
                    with z.open(_info(info), "w") as fh:
                        fh.write(_refs(self.head, self.last, last).encode("utf-8"))
                        fh.write(b"<sheetData>" + self.header.encode("utf-8"))
                        self._rows(fh, rows)
                        fh.write(b"</sheetData>" + _refs(self.tail, self.last, last).encode("utf-8"))
                    continue
                if name in ("docProps/core.xml", "xl/worksheets/sheet2.xml"):
                    data = data.replace(self.TITLE.encode(), _xml(title).encode("utf-8"))
                elif name == "xl/workbook.xml":
                    data = data.replace(f"$O${self.last}<".encode(), f"$O${last}<".encode())
                z.writestr(_info(info), data)

    def _rows(self, fh: IO[bytes], rows: Iterable[Row]) -> None:
        st = self.styles
        chunk: list[str] = []
        for n, row in enumerate(rows, 1):
            r = n + 1
            cells = [f'<row r="{r}" spans="1:15"><c r="A{r}" s="{st[0]}"><v>{n}</v></c>']
            for col, value in zip("BCDEFG", (row.plan, row.task, row.lead_text, row.responsible, row.support,
                                             row.node), strict=True):
                cells.append(_str(col, r, st[1], value))
            cells.append(_day(f"H{r}", st[7], row.due))
            cells.append(_str("I", r, self.state_style.get(row.state, st[8]), row.state))
            cells.append(_str("J", r, st[9], row.status))
            cells.append(_day(f"K{r}", st[10], row.done))
            cells.append(_day(f"L{r}", st[11], row.new_due))
            cells.append(_str("M", r, st[12], row.progress))
            cells.append(_str("N", r, st[13], row.evidence))
            cells.append(_str("O", r, st[14], row.id) + "</row>")
            chunk.append("".join(cells))
            if len(chunk) == 500:
                fh.write("".join(chunk).encode("utf-8"))
                chunk.clear()
        fh.write("".join(chunk).encode("utf-8"))


def _info(info: Any) -> Any:
    """A copy of a template entry's ZipInfo (name, date, compression) for a new archive."""
    import zipfile

    new = zipfile.ZipInfo(info.filename, info.date_time)
    new.compress_type = zipfile.ZIP_DEFLATED
    new.external_attr = info.external_attr
    return new


def _refs(xml: str, old: int, new: int) -> str:
    """The template's ranges (dimension, autofilter, drop-downs) made to end at row ``new``."""
    import re

    return re.sub(rf'(ref|sqref)="([A-Z]+\d+):([A-Z]+){old}"', lambda m: f'{m[1]}="{m[2]}:{m[3]}{new}"', xml)


_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")        # characters XML 1.0 cannot hold


def _xml(text: str) -> str:
    return _BAD_XML.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _str(col: str, r: int, style: int, text: str) -> str:
    if not text:
        return f'<c r="{col}{r}" s="{style}"/>'
    space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
    return f'<c r="{col}{r}" s="{style}" t="inlineStr"><is><t{space}>{_xml(text)}</t></is></c>'


def _day(ref: str, style: int, iso: str) -> str:
    if not iso:
        return f'<c r="{ref}" s="{style}"/>'
    return f'<c r="{ref}" s="{style}"><v>{(dt.date.fromisoformat(iso) - EXCEL_EPOCH).days}</v></c>'


EXCEL_EPOCH = dt.date(1899, 12, 30)


class LedgerFiles:
    """``ledger.csv`` written as the build streams its plans; ``ledger.xlsx`` (every row, in
    plan and task order) and ``ledgers/<feed name>.xlsx`` (one per lead agency: its rows only)
    written afterwards from the spool, as :func:`write_books` jobs."""

    def __init__(self, open_file: Callable[[str], BinaryIO], scratch: Any, slug_of: Mapping[str, str],
                 as_of: dt.date, created: dt.datetime, title: str, soon_days: int = 5) -> None:
        self.slug_of, self.as_of, self.created, self.soon_days = slug_of, as_of, created, soon_days
        self.names = {slug: name for name, slug in slug_of.items()}
        self.taken: dict[str, str] = {}
        self.title = title
        self.csv = open_file("ledger.csv")
        self.csv.write(CSV_HEADER.encode("utf-8"))
        self.spool = Spool(str(Path(scratch) / "ledger.spool"))
        self.n = 0

    def add(self, rows: Sequence[Row]) -> None:
        if not rows:
            return
        self.csv.write(csv_bytes(rows, self.n + 1))
        for row in rows:
            self.spool.add(row, [self._owner(name, slug) for name, slug in row.owners])
        self.n += len(rows)

    def _owner(self, name: str, slug: str) -> str:
        """The agency's ledger name: its feed's name, else its own slug (made unique)."""
        known = self.slug_of.get(name) or self.taken.get(name)
        if known:
            return known
        mine, n = slug or "agency", 2
        while mine in self.names:
            mine, n = f"{slug}-{n}", n + 1
        self.taken[name] = mine
        self.names[mine] = name
        return mine

    def books(self, root: str, per_job: int = 200) -> list[BookSpec]:
        """Close the streamed files; the workbook jobs: the whole ledger, then the agencies'
        ledgers ``per_job`` at a time."""
        self.csv.close()
        self.spool.close()
        whole: BookSpec = (self.spool.path, root, [("ledger.xlsx", f"督办台账：{self.title}" if self.title else "督办台账",
                                                    None, self.n)], self.as_of, self.created, self.soon_days)
        agencies: list[tuple[str, str, list[int] | None, int]] = [
            (f"ledgers/{slug}.xlsx", f"{self.names[slug]}督办台账", offsets, len(offsets))
            for slug, offsets in sorted(self.spool.offsets.items())]
        return [whole] + [(self.spool.path, root, agencies[i:i + per_job], self.as_of, self.created, self.soon_days)
                          for i in range(0, len(agencies), per_job)]

    def all(self) -> Iterator[Row]:
        return spooled(self.spool.path)
