"""Per-agency statistics and the 通报 list, as of a date (``calgen report``).

Counts follow 督办 practice: a row counts for its **lead** agencies (else its responsible ones,
the same owners as the ledgers); agencies in supporting roles are listed apart.

* 应完成 — rows due on or before the date, plus rows already reported done;
* 完成率 — (按期完成 + 逾期完成) / 应完成; 按期完成率 — 按期完成 / 应完成 (empty when 应完成 is 0);
* 逾期, 临期, 延期, 未到期, 无时限 — rows in that state (:mod:`.standing`).

The rows are those the last build published (the status store's ``rows``), their states
computed from the latest recorded statuses on the working-day calendar.
"""
from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..calendar.workdays import Calendar, weekday
from ..errors import CalendarCoverageError, InputError
from .standing import COLOUR, Standing, State, standing
from .store import Published, StatusStore

COUNTED = (State.ON_TIME, State.LATE_DONE, State.OVERDUE, State.DUE_SOON, State.EXTENDED, State.OPEN, State.UNDATED)


@dataclass(frozen=True)
class Line:
    """One published row with its standing."""

    row: Published
    standing: Standing

    @property
    def owners(self) -> list[str]:
        return [n for n in self.row.lead.split("、") if n]

    @property
    def supporters(self) -> list[str]:
        return [n for n in (self.row.responsible + "、" + self.row.support).split("、") if n]


def lines(output: Path, calendar: Calendar, as_of: dt.date, soon_days: int) -> list[Line]:
    """Every row the last build of ``output`` published, with its state as of ``as_of``."""
    with StatusStore.of(output) as store:
        if not store.exists():
            raise InputError("no ledger has been published here yet", file=str(output),
                             hint="run calgen build (it writes the ledger and records its rows) first")
        rows = [p for p in store.published().values() if p.current]
        latest = store.latest()
    return [Line(p, standing(dt.date.fromisoformat(p.due) if p.due else None, latest.get(p.id), as_of, calendar,
                             soon_days)) for p in rows]


@dataclass
class Tally:
    agency: str
    rows: int = 0
    states: dict[State, int] = field(default_factory=lambda: dict.fromkeys(COUNTED, 0))

    @property
    def due(self) -> int:
        """应完成: due by the date, or done already."""
        return self.states[State.ON_TIME] + self.states[State.LATE_DONE] + self.states[State.OVERDUE]

    @property
    def done(self) -> int:
        return self.states[State.ON_TIME] + self.states[State.LATE_DONE]

    def rate(self, on_time: bool = False) -> float | None:
        if not self.due:
            return None
        return (self.states[State.ON_TIME] if on_time else self.done) / self.due


def tally(found: Iterable[Line], supporting: bool = False) -> list[Tally]:
    """Per agency (leads, or with ``supporting`` the agencies in other roles), most overdue first."""
    out: dict[str, Tally] = {}
    for line in found:
        for name in dict.fromkeys(line.supporters if supporting else line.owners or ["（未明确牵头单位）"]):
            t = out.setdefault(name, Tally(name))
            t.rows += 1
            t.states[line.standing.state] += 1
    return sorted(out.values(), key=lambda t: (-t.states[State.OVERDUE], -t.rows, t.agency))


HEAD = ("单位", "任务节点", "应完成", "按期完成", "逾期完成", "逾期", "临期", "延期", "未到期", "无时限", "完成率", "按期完成率")


def _row(t: Tally) -> list[object]:
    s = t.states
    return [t.agency, t.rows, t.due, s[State.ON_TIME], s[State.LATE_DONE], s[State.OVERDUE], s[State.DUE_SOON],
            s[State.EXTENDED], s[State.OPEN], s[State.UNDATED], _pct(t.rate()), _pct(t.rate(True))]


def _pct(x: float | None) -> str:
    return "" if x is None else f"{x * 100:.1f}%"


def overdue(found: Iterable[Line]) -> list[Line]:
    return sorted((x for x in found if x.standing.state is State.OVERDUE),
                  key=lambda x: (x.row.lead, x.standing.in_force or dt.date.max, x.row.plan, x.row.task))


def bulletin(found: list[Line], as_of: dt.date, calendar: Calendar) -> str:
    """The 通报-style list of overdue items, grouped by lead agency."""
    late = overdue(found)
    day = f"{as_of.year}年{as_of.month}月{as_of.day}日"
    if not late:
        return f"截至{day}，没有逾期未完成的任务。\n"
    groups: dict[str, list[Line]] = {}
    for x in late:
        groups.setdefault(x.row.lead or "（未明确牵头单位）", []).append(x)
    out = [f"截至{day}，共有{len(late)}项任务节点逾期未完成，涉及{len(groups)}个牵头单位，现通报如下：", ""]
    for gi, (lead, items) in enumerate(groups.items(), 1):
        out.append(f"{_cn(gi)}、{lead}（{len(items)}项）")
        for i, x in enumerate(items, 1):
            due = x.standing.in_force
            assert due is not None
            try:
                late_days, unit = calendar.workdays_between(due + dt.timedelta(days=1), as_of), "个工作日"
            except CalendarCoverageError:                 # a year without holiday data: calendar days
                late_days, unit = (as_of - due).days, "天"
            node = f"（{x.row.node}）" if x.row.node else ""
            ext = f"，原到期日{x.standing.due.isoformat()}，已申请延期" if x.standing.due and x.standing.due != due else ""
            out.append(f"  {i}. {x.row.task}{node}，到期日{due.isoformat()}（{weekday(due)}）{ext}，"
                       f"已逾期{late_days}{unit}。文件：{x.row.plan}")
        out.append("")
    out.append("请上述单位抓紧办理，并在台账中报送进展情况。")
    return "\n".join(out) + "\n"


def _cn(n: int) -> str:
    from ..numerals import int_to_cn

    return int_to_cn(n)


@dataclass
class ReportFiles:
    folder: Path
    leads: list[Tally]
    supporting: list[Tally]
    overdue: int
    paths: list[Path]


def write_report(output: Path, calendar: Calendar, as_of: dt.date, soon_days: int,
                 folder: Path | None = None) -> ReportFiles:
    """报告 for ``as_of``: ``report.xlsx`` (统计, 配合单位, 逾期清单), ``report.html``, ``report.csv``
    and ``通报.txt`` in ``folder`` (default ``<output>/reports/<as_of>/``)."""
    import csv
    import io

    found = lines(output, calendar, as_of, soon_days)
    leads, supp = tally(found), tally(found, supporting=True)
    folder = folder or output / "reports" / as_of.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(HEAD)
    w.writerows(_row(t) for t in leads)
    paths.append(_write(folder / "report.csv", ("\ufeff" + buf.getvalue()).encode("utf-8")))
    paths.append(_write(folder / "report.html", _html(leads, supp, found, as_of).encode("utf-8")))
    paths.append(_write(folder / "通报.txt", bulletin(found, as_of, calendar).encode("utf-8")))
    paths.append(_xlsx(folder / "report.xlsx", leads, supp, found, as_of))
    return ReportFiles(folder, leads, supp, len(overdue(found)), paths)


def _write(path: Path, data: bytes) -> Path:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path


def _html(leads: list[Tally], supp: list[Tally], found: list[Line], as_of: dt.date) -> str:
    def table(rows: list[Tally]) -> str:
        head = "".join(f"<th>{h}</th>" for h in HEAD)
        body = []
        for t in rows:
            cells = _row(t)
            tds = "".join(f"<td>{html.escape(str(c))}</td>" if i == 0 else f"<td class=n>{c}</td>"
                          for i, c in enumerate(cells))
            red = " class=red" if t.states[State.OVERDUE] else ""
            body.append(f"<tr{red}>{tds}</tr>")
        return f"<table><tr>{head}</tr>{''.join(body)}</table>"

    late = overdue(found)
    items = "".join(f"<tr><td>{html.escape(x.row.lead)}</td><td>{html.escape(x.row.task)}</td>"
                    f"<td>{html.escape(x.row.node)}</td><td>{x.standing.in_force}</td>"
                    f"<td>{html.escape(x.row.plan)}</td></tr>" for x in late)
    colour = COLOUR[State.OVERDUE]
    return ("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>督办统计（截至 {as_of}）</title><style>body{{font-family:\"Microsoft YaHei\",\"PingFang SC\","
            "\"Noto Sans CJK SC\",sans-serif;margin:16px}table{border-collapse:collapse;margin:8px 0 20px}"
            "td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}th{background:#dde6f3}td.n{text-align:right}"
            f"tr.red td:first-child{{color:{colour};font-weight:bold}}</style></head><body>"
            f"<h1>督办统计（截至 {as_of.isoformat()}）</h1>"
            "<p>按牵头单位统计（无牵头单位时按责任单位）；应完成＝到期及已报完成的节点；完成率＝已完成÷应完成；"
            "状态按工作日计算。</p>"
            f"<h2>牵头单位</h2>{table(leads)}<h2>配合、责任单位（另列，不计入考核）</h2>{table(supp)}"
            f"<h2>逾期清单（{len(late)}项）</h2><table><tr><th>牵头单位</th><th>任务</th><th>节点</th>"
            f"<th>到期日</th><th>文件</th></tr>{items}</table></body></html>")


def _xlsx(path: Path, leads: list[Tally], supp: list[Tally], found: list[Line], as_of: dt.date) -> Path:
    import xlsxwriter

    tmp = path.with_name(path.name + ".tmp")
    wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
    head = wb.add_format({"bold": True, "bg_color": "#DDE6F3", "border": 1})
    red = wb.add_format({"font_color": COLOUR[State.OVERDUE], "bold": True})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in (("牵头单位统计", leads), ("配合单位", supp)):
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, HEAD, head)
        ws.set_column(0, 0, 30)
        ws.set_column(1, len(HEAD) - 1, 10)
        for r, t in enumerate(rows, 1):
            cells = _row(t)
            ws.write_string(r, 0, t.agency, red if t.states[State.OVERDUE] else None)
            for c, v in enumerate(cells[1:], 1):
                if isinstance(v, int):
                    ws.write_number(r, c, v)
                else:
                    ws.write_string(r, c, str(v))
        ws.freeze_panes(1, 1)
    ws = wb.add_worksheet("逾期清单")
    ws.write_row(0, 0, ("牵头单位", "任务", "节点", "到期日", "原到期日", "文件", "标识"), head)
    for c, width in enumerate((24, 46, 24, 11, 11, 40, 30)):
        ws.set_column(c, c, width)
    for r, x in enumerate(overdue(found), 1):
        ws.write_string(r, 0, x.row.lead)
        ws.write_string(r, 1, x.row.task)
        ws.write_string(r, 2, x.row.node)
        for c, day in ((3, x.standing.in_force), (4, x.standing.due)):
            if day:
                ws.write_datetime(r, c, dt.datetime(day.year, day.month, day.day), date)
        ws.write_string(r, 5, x.row.plan)
        ws.write_string(r, 6, x.row.id)
    wb.set_properties({"title": f"督办统计（截至 {as_of.isoformat()}）", "author": "calgen"})
    wb.close()
    tmp.replace(path)
    return path
