"""``gantt.xlsx`` for Excel, WPS and LibreOffice: an overview, one sheet per plan with a day-by-day
Gantt grid, and the due items of every agency.

* 总览: one row per plan (文号, issue date, task counts, first and last due date), each linked to
  its sheet.
* One sheet per plan (up to :data:`MAX_PLAN_SHEETS`; a bigger build gets one sheet 全部任务
  instead): task number, task, 牵头/负责/配合, start and due as real date cells, the phrases and
  notes; then a grid of day columns under month headings, drawn by conditional formatting — a bar
  from start to due, ◆ on each milestone's due date, today's column marked, rest days grey and 调休
  working days shaded orange.  Undated tasks are listed too (说明: 无具体日期).
* 按单位: every dated milestone for every agency it names, sorted by date, with filters.

Header rows are frozen, filters are on, widths suit Chinese text, and text is always written as
text (a task that starts with = is never a formula).  xlsxwriter writes it (fast, no Excel
needed); the tests read it back with openpyxl.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, BinaryIO

from ...calendar.workdays import Calendar
from ...follow.ledger import undated_key
from ...follow.standing import COLOUR, PREFIX, State, overall
from ...model import Document, Task
from ..feeds.events import milestone_keys
from ..feeds.ics import DayMark
from .csv import span

MAX_PLAN_SHEETS = 200
MAX_GRID_DAYS = 731                # two years of day columns
LEFT = ("编号", "任务", "牵头单位", "负责单位", "配合单位", "开始", "截止", "节点", "说明")
WIDTHS = (8, 44, 22, 22, 22, 11, 11, 16, 30)


def sheet_name(index: int, doc: Document, taken: set[str]) -> str:
    """≤ 31 characters, none of []:*?/\\, unique (Excel compares names case-insensitively)."""
    base = re.sub(r"[\[\]:*?/\\']", "", doc.doc_number or doc.name)
    name = f"{index}.{base}"[:31]
    n = 1
    while name.lower() in taken:
        n += 1
        name = f"{index}-{n}.{base}"[:31]
    taken.add(name.lower())
    return name


def workbook_bytes(docs: Iterable[Document], calendar: Calendar, marks: list[DayMark], epoch: int | None = None,
                   plan_sheets: int = MAX_PLAN_SHEETS) -> bytes:
    """The workbook as bytes (see :func:`write_workbook`); the same bytes for the same input."""
    buf = io.BytesIO()
    write_workbook(buf, docs, calendar, marks, epoch, plan_sheets)
    return buf.getvalue()


def write_workbook(target: str | BinaryIO, docs: Iterable[Document], calendar: Calendar, marks: list[DayMark],
                   epoch: int | None = None, plan_sheets: int = MAX_PLAN_SHEETS, stream: bool = False,
                   states: Mapping[str, str] | None = None) -> None:
    """The workbook, written to ``target`` (a path or a binary file).  Its creation time is
    SOURCE_DATE_EPOCH or the latest issue date, never the clock.  Up to ``plan_sheets`` plans
    get a sheet each; more, one sheet 全部任务 (a region's workbook in a national build always
    has the one sheet: a sheet per plan costs twice the time, its day grid repeated in each).

    ``docs`` is iterated several times, one plan at a time, so a re-iterable that loads plans
    lazily keeps memory to one plan.  With ``stream`` the cells go through xlsxwriter's
    ``constant_memory`` mode (rows flushed as written, strings stored inline: the same cells,
    other bytes) — a region of thousands of plans; otherwise the sheets are kept in memory
    (constant_memory was measured slower for a sheet per plan: a temporary file each).

    ``states`` (milestone key → follow-up state, calgen/follow/) colours the milestones (◆) and
    due dates of plans whose statuses are known and puts the task's state first in its note
    (【逾期】…); their due dates are then not coloured by TODAY()."""
    import xlsxwriter

    mode = {"constant_memory": True} if stream else {"in_memory": True}
    wb = xlsxwriter.Workbook(target, {**mode, "strings_to_formulas": False, "strings_to_urls": False,
                                      "strings_to_numbers": False})
    count, latest = 0, None
    for d in docs:
        if not d.duplicate_of:
            count += 1
            if d.issued and (latest is None or d.issued > latest):
                latest = d.issued
    if epoch is not None:
        created = dt.datetime.fromtimestamp(epoch, dt.UTC).replace(tzinfo=None)
    else:
        day = latest or dt.date(2000, 1, 1)
        created = dt.datetime(day.year, day.month, day.day)
    wb.set_properties({"title": "calgen 甘特图", "author": "calgen", "comments": "由 calgen 生成", "created": created})
    f = _formats(wb)
    overview = wb.add_worksheet("总览")
    agencies = wb.add_worksheet("按单位")
    taken = {"总览", "按单位", "全部任务"}
    plans = _Published(docs)
    names = [sheet_name(i, d, taken) for i, d in enumerate(plans, 1)] if count <= plan_sheets else []
    rest = {d for m in marks if m.uid.startswith("cn-rest-") for d in _days(m.start, m.end)}
    makeup = {m.start for m in marks if m.uid.startswith("cn-work-")}
    if names:
        for doc, name in zip(plans, names, strict=True):
            _plan_sheet(wb.add_worksheet(name), [doc], f, rest, makeup, with_plan=False, states=states or {})
    elif count:
        _plan_sheet(wb.add_worksheet("全部任务"), plans, f, rest, makeup, with_plan=True, states=states or {})
    _overview(overview, plans, count, names, f)
    _agency_sheet(agencies, plans, f)
    wb.close()


class _Published:
    """The plans of ``docs`` that are not duplicates, as often as they are iterated."""

    def __init__(self, docs: Iterable[Document]) -> None:
        self.docs = docs

    def __iter__(self) -> Iterator[Document]:
        return (d for d in self.docs if not d.duplicate_of)


def _put_strings(ws: Any, row: int, col: int, values: Sequence[str], fmt: Any) -> None:
    """Text cells along a row, always as text (a value starting with = is never a formula)."""
    for k, v in enumerate(values):
        ws.write_string(row, col + k, v, fmt)


def _put_date(ws: Any, row: int, col: int, day: dt.date, fmt: Any) -> None:
    ws.write_datetime(row, col, dt.datetime(day.year, day.month, day.day), fmt)




def _formats(wb: Any) -> dict[str, Any]:
    base = {"font_name": "Microsoft YaHei", "font_size": 10, "valign": "vcenter"}
    return {
        "title": wb.add_format({**base, "bold": True, "font_size": 13}),
        "head": wb.add_format({**base, "bold": True, "bg_color": "#DDE4F0", "border": 1, "text_wrap": True}),
        "text": wb.add_format({**base}),
        "wrap": wb.add_format({**base, "text_wrap": True}),
        "date": wb.add_format({**base, "num_format": "yyyy-mm-dd"}),
        "month": wb.add_format({**base, "bold": True, "align": "left", "bg_color": "#DDE4F0", "border": 1}),
        "day": wb.add_format({**base, "num_format": "d", "align": "center", "font_size": 8, "border": 1}),
        "rest": wb.add_format({"bg_color": "#E6E6E6"}),
        "makeup": wb.add_format({"bg_color": "#FFE3C2"}),
        "bar": wb.add_format({"bg_color": "#4A7BD0", "bottom": 1, "bottom_color": "#FFFFFF"}),
        "today": wb.add_format({"bg_color": "#E03131"}),
        "ms": wb.add_format({**base, "font_color": "#B02000", "align": "center", "bold": True}),
        "overdue": wb.add_format({"font_color": "#C92A2A", "bold": True}),
        "soon": wb.add_format({"font_color": "#E8590C", "bold": True}),
        "link": wb.add_format({**base, "font_color": "#1C5BD6", "underline": 1}),
        **{f"ms:{s}": wb.add_format({**base, "font_color": c, "align": "center", "bold": True})
           for s, c in COLOUR.items()},
        **{f"due:{s}": wb.add_format({**base, "num_format": "yyyy-mm-dd", "font_color": c, "bold": True})
           for s, c in COLOUR.items()},
    }


def _days(a: dt.date, b: dt.date) -> list[dt.date]:
    return [a + dt.timedelta(days=k) for k in range((b - a).days + 1)]


def _names(agencies) -> str:
    return "、".join(a.name for a in agencies)


def _rows(docs: Iterable[Document]) -> Iterator[tuple[Document, Task, dt.date | None, dt.date | None, str]]:
    for doc in docs:
        for t in doc.tasks:
            start, finish, notes = span(doc, t)
            yield doc, t, start, finish, "；".join(notes)


def _plan_sheet(ws: Any, docs: Iterable[Document], f: dict[str, Any], rest: set[dt.date], makeup: set[dt.date],
                with_plan: bool, states: Mapping[str, str]) -> None:
    """One sheet of tasks with the day grid; ``docs`` is read twice (the grid's dates, then the
    rows), one plan at a time."""
    left = (("文件", *LEFT) if with_plan else LEFT)
    widths = ((24, *WIDTHS) if with_plan else WIDTHS)
    lo: dt.date | None = None
    last_due: dt.date | None = None
    count = 0
    doc: Document | None = None
    for d in docs:
        count += 1
        doc = doc or d
        for _, _, s, e, _ in _rows([d]):
            if s and e:
                lo = s if lo is None else min(lo, s)
                last_due = e if last_due is None else max(last_due, e)
    assert doc is not None
    # Rows are written top to bottom (the workbook streams each row when the next begins).
    ws.write_string(0, 0, doc.label if not with_plan
                    else f"全部任务（{count} 份文件）", f["title"])
    g0 = len(left)                                   # first grid column
    first = dt.date(lo.year, lo.month, 1) if lo else None
    grid: list[dt.date] = []
    if first and last_due:
        end = min(last_due, first + dt.timedelta(days=MAX_GRID_DAYS - 1))
        grid = _days(first, end)
        if end < last_due:
            ws.write_string(1, g0, f"日期格只画到 {end.isoformat()}（共 {MAX_GRID_DAYS} 天）；更晚的截止日期见“截止”列", f["text"])
    col_of = {day: g0 + k for k, day in enumerate(grid)}
    month_start = g0
    for k, day in enumerate(grid):                   # row 1: month headings
        c = g0 + k
        if k == len(grid) - 1 or (day + dt.timedelta(days=1)).month != day.month:
            label = f"{day.year}年{day.month}月"
            if c > month_start:
                ws.merge_range(1, month_start, 1, c, label, f["month"])
            else:
                ws.write_string(1, c, label, f["month"])
            month_start = c + 1
    for c, (name, width) in enumerate(zip(left, widths, strict=True)):   # row 2: headings, days
        ws.write_string(2, c, name, f["head"])
        ws.set_column(c, c, width)
    kinds = [f["makeup"] if day in makeup else f["rest"] if (day in rest or (day.weekday() >= 5 and day not in makeup))
             else None for day in grid]
    run = g0
    for k, day in enumerate(grid):
        c = g0 + k
        # a date cell as its Excel serial number (what write_datetime stores, without its conversion)
        ws.write_number(2, c, (day - EXCEL_EPOCH).days, f["day"])
        if k == len(grid) - 1 or kinds[k + 1] is not kinds[k]:
            ws.set_column(run, c, 2.6, kinds[k])          # one call per run of like days
            run = c + 1
    r = 3
    c0 = 1 if with_plan else 0
    text, date, diamond = f["text"], f["date"], f["ms"]
    for d, t, start, finish, note in _rows(docs):
        phrases = "、".join(dict.fromkeys(m.phrase for m in t.milestones if m.dated))
        values = (" ".join(t.path), t.title or t.text[:40], _names(t.lead), _names(t.responsible), _names(t.support))
        _put_strings(ws, r, 0, (d.doc_number or d.name, *values) if with_plan else values, text)
        marks = [states.get(k, "").partition("|")[0] for k in milestone_keys(d, t)] if states else []
        undated = states.get(undated_key(t), "").partition("|")[0] if states else ""
        task_state = overall([State(x) for x in [*marks, undated] if x])
        if start:
            _put_date(ws, r, c0 + 5, start, date)
        if finish:
            _put_date(ws, r, c0 + 6, finish, f[f"due:{task_state}"] if task_state else date)
        shown = (PREFIX.get(task_state, f"【{task_state}】") if task_state else "") + (note or ("" if start else "无具体日期"))
        _put_strings(ws, r, c0 + 7, (phrases, shown), text)
        for i, m in enumerate(t.milestones):
            if m.dated and m.due and m.due in col_of:
                ws.write_string(r, col_of[m.due], "◆", f[f"ms:{marks[i]}"] if marks and marks[i] else diamond)
        r += 1
    last = max(r - 1, 3)
    _print(ws, 2, (0, 0, last, len(left) - 1))        # the table, not the day grid (it is for the screen)
    ws.freeze_panes(3, c0 + 2)
    ws.autofilter(2, 0, last, len(left) - 1)
    due_col = _col(len(left) - 3)
    # by date, where no follow-up state is known (a state puts 【…】 first in the note column)
    unmarked = f',LEFT(${_col(len(left) - 1)}4,1)<>"【"' if states else ""
    ws.conditional_format(3, len(left) - 3, last, len(left) - 3,
                          {"type": "formula", "criteria": f"=AND(${due_col}4<>\"\",${due_col}4<TODAY(){unmarked})",
                           "format": f["overdue"]})
    ws.conditional_format(3, len(left) - 3, last, len(left) - 3,
                          {"type": "formula", "criteria": f"=AND(${due_col}4<>\"\",${due_col}4>=TODAY(),"
                                                          f"${due_col}4<=TODAY()+30{unmarked})",
                           "format": f["soon"]})
    if grid:
        g1 = g0 + len(grid) - 1
        gc, sc = _col(g0), _col(len(left) - 4)
        ws.conditional_format(3, g0, last, g1, {"type": "formula", "criteria": f"={gc}$3=TODAY()", "format": f["today"]})
        ws.conditional_format(3, g0, last, g1, {"type": "formula",
                                                "criteria": f"=AND({gc}$3>=${sc}4,{gc}$3<=${due_col}4)", "format": f["bar"]})


EXCEL_EPOCH = dt.date(1899, 12, 30)


def _print(ws: Any, header_row: int, area: tuple[int, int, int, int] | None = None) -> None:
    """Printing: A4 landscape, as wide as one page, the heading rows on every page, page
    numbers in the footer (the seeds' workbook printed on 133 portrait pages before)."""
    ws.set_landscape()
    ws.set_paper(9)                                   # A4
    ws.fit_to_pages(1, 0)                             # one page wide, as many pages down as it takes
    ws.repeat_rows(0, header_row)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.set_footer("&C第 &P 页，共 &N 页")
    if area is not None:
        ws.print_area(*area)


def _col(index: int) -> str:
    """0 → A, 26 → AA."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _overview(ws: Any, plans: Iterable[Document], count: int, names: list[str], f: dict[str, Any]) -> None:
    heads = ("序号", "文件", "文号", "印发日期", "任务数", "有日期的任务", "未定日期的任务", "最早截止", "最晚截止", "工作表")
    widths = (6, 50, 20, 12, 8, 12, 14, 12, 12, 24)
    ws.write_string(0, 0, f"calgen 工作计划总览（{count} 份文件）", f["title"])
    for c, (h, w) in enumerate(zip(heads, widths, strict=True)):
        ws.write_string(2, c, h, f["head"])
        ws.set_column(c, c, w)
    for i, doc in enumerate(plans):
        r = 3 + i
        dues = [m.due for t in doc.tasks for m in t.milestones if m.dated and m.due]
        with_dates = sum(1 for t in doc.tasks if any(m.dated for m in t.milestones))
        ws.write_number(r, 0, i + 1, f["text"])
        ws.write_string(r, 1, doc.name, f["text"])
        ws.write_string(r, 2, doc.doc_number or "", f["text"])
        if doc.issued:
            ws.write_datetime(r, 3, dt.datetime(doc.issued.year, doc.issued.month, doc.issued.day), f["date"])
        ws.write_number(r, 4, len(doc.tasks), f["text"])
        ws.write_number(r, 5, with_dates, f["text"])
        ws.write_number(r, 6, len(doc.tasks) - with_dates, f["text"])
        for c, day in ((7, min(dues, default=None)), (8, max(dues, default=None))):
            if day:
                ws.write_datetime(r, c, dt.datetime(day.year, day.month, day.day), f["date"])
        target = names[i] if names else "全部任务"
        ws.write_url(r, 9, f"internal:'{target}'!A1", f["link"], string=target)
    _print(ws, 2)
    ws.freeze_panes(3, 2)
    ws.autofilter(2, 0, max(2 + count, 3), len(heads) - 1)


def _agency_sheet(ws: Any, plans: Iterable[Document], f: dict[str, Any]) -> None:
    from ..feeds.events import ROLE_CN

    heads = ("截止日期", "单位", "角色", "节点", "应完成", "任务", "文件", "文号")
    widths = (12, 28, 6, 14, 40, 36, 40, 20)
    ws.write_string(0, 0, "各单位到期事项（按日期排序；用筛选选择单位）", f["title"])
    for c, (h, w) in enumerate(zip(heads, widths, strict=True)):
        ws.write_string(2, c, h, f["head"])
        ws.set_column(c, c, w)
    items = []
    for doc in plans:
        for t in doc.tasks:
            for m in t.milestones:
                if m.dated and m.due:
                    for role, a in t.agencies():
                        items.append((m.due, a.name, ROLE_CN[role], m.phrase, m.clause, t.title, doc.title,
                                      doc.doc_number or ""))
    items.sort(key=lambda x: (x[0], x[1]))
    for r, (due, *text) in enumerate(items, 3):
        _put_date(ws, r, 0, due, f["date"])
        _put_strings(ws, r, 1, text, f["text"])
    _print(ws, 2)
    ws.freeze_panes(3, 2)
    ws.autofilter(2, 0, max(2 + len(items), 3), len(heads) - 1)
