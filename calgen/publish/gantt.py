"""The consolidated Gantt CSV (Excel / MS Project) and a self-contained HTML timeline.

pandas is imported here only.  The CSV is UTF-8 with a BOM so Windows Excel shows Chinese, and
text cells that a spreadsheet would run as a formula are neutralised (OWASP CSV injection).
"""
from __future__ import annotations

import datetime as dt
import html
import json
from types import MappingProxyType

from ..calendar.workdays import Calendar
from ..model import Document, Task

COLUMNS = ("ID", "WBS", "Outline Level", "Name", "Start", "Finish", "Duration", "Milestone",
           "Resource Names", "Responsible", "Support", "Document", "Phrase", "Nominal", "Due",
           "Notes", "Task ID")
# What a milestone's flags mean, as the CSV and the page show them.
FLAG_CN = MappingProxyType({"estimated": "估算", "provisional": "暂定", "unconfirmed": "待定",
                            "before_issue": "早于印发日期"})
_TEXT = ("Name", "Resource Names", "Responsible", "Support", "Document", "Phrase", "Notes")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """A leading = + - @ tab or CR makes Excel evaluate the cell; a leading ' stops it."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def rows(docs: list[Document], calendar: Calendar) -> list[dict]:
    out: list[dict] = []
    for di, doc in enumerate(d for d in docs if not d.duplicate_of):
        for ti, task in enumerate(doc.tasks, 1):
            wbs = f"{di + 1}.{ti}"
            out.append(_task_row(doc, task, wbs, len(out) + 1, calendar))
            for mi, m in enumerate((m for m in task.milestones if m.dated and m.due and m.nominal), 1):
                assert m.due and m.nominal
                out.append({
                    "ID": len(out) + 1, "WBS": f"{wbs}.{mi}", "Outline Level": 2,
                    "Name": f"{m.phrase}：{m.clause}" if m.clause else m.phrase,
                    "Start": m.due.isoformat(), "Finish": m.due.isoformat(), "Duration": "0d",
                    "Milestone": "Yes", "Resource Names": _names(task.lead),
                    "Responsible": _names(task.responsible), "Support": _names(task.support),
                    "Document": doc.doc_number or doc.title, "Phrase": m.phrase,
                    "Nominal": m.nominal.isoformat(), "Due": m.due.isoformat(), "Notes": m.note,
                    "Task ID": task.id,
                })
    return out


def span(doc: Document, task: Task) -> tuple[dt.date | None, dt.date | None, list[str]]:
    """(start, finish, notes) of a task: from its start milestone, the start of a span it names
    (前三季度, 4月至6月) or the issue date, to its last due date; no dates when it has no dated
    milestone."""
    dated = [m for m in task.milestones if m.dated and m.due]
    starts = [m.due for m in dated if m.kind == "start" and m.due]
    starts += [max(m.span[0], doc.issued) if doc.issued else m.span[0] for m in dated if m.span]
    ends = [m.due for m in dated if m.kind != "start" and m.due] or starts
    start = min(starts) if starts else doc.issued
    finish = max(ends) if ends else None
    notes = []
    if start and finish and finish < start:
        notes.append(f"截止日期 {finish.isoformat()} 早于计划开始日期 {start.isoformat()}")
        start = finish
    if not finish:
        notes.append("无具体日期")
        start = None
    flags = sorted({f for m in dated for f in m.flags})
    if flags:
        notes.append("标记：" + "、".join(FLAG_CN.get(f, f) for f in flags))
    return start, finish, notes


def _task_row(doc: Document, task: Task, wbs: str, row_id: int, calendar: Calendar) -> dict:
    start, finish, notes = span(doc, task)
    return {
        "ID": row_id, "WBS": wbs, "Outline Level": 1, "Name": task.title or " ".join(task.path),
        "Start": start.isoformat() if start else "", "Finish": finish.isoformat() if finish else "",
        "Duration": f"{calendar.workdays_between(start, finish)}d" if start and finish else "",
        "Milestone": "No", "Resource Names": _names(task.lead),
        "Responsible": _names(task.responsible), "Support": _names(task.support),
        "Document": doc.doc_number or doc.title, "Phrase": "", "Nominal": "", "Due": "",
        "Notes": "; ".join(notes), "Task ID": task.id,
    }


def _names(agencies) -> str:
    return "、".join(a.name for a in agencies)


def _section(doc: Document, task: Task) -> str:
    """The heading of the task's top-level section: 一、深入推进简政放权…"""
    head = task.path[0] if task.path else ""
    return dict(doc.sections).get(head, head)


def csv_bytes(docs: list[Document], calendar: Calendar) -> bytes:
    import pandas as pd

    frame = pd.DataFrame(rows(docs, calendar), columns=COLUMNS)
    for col in _TEXT:
        frame[col] = frame[col].fillna("").astype(str).map(neutralise)
    return frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def html_page(docs: list[Document], today: dt.date | None = None) -> str:
    """One page, no network: bars per task grouped by document and section, a filter by agency.

    The today line comes from the viewer's clock unless ``today`` is given, so the page is the
    same bytes whenever it is built."""
    data = []
    for doc in (d for d in docs if not d.duplicate_of):
        for task in doc.tasks:
            dated = [m for m in task.milestones if m.dated]
            if not dated:
                continue
            start, finish, _notes = span(doc, task)
            data.append({
                "doc": doc.title, "section": _section(doc, task),
                "name": f"{' '.join(task.path)} {task.title}", "start": start.isoformat() if start else "",
                "finish": finish.isoformat() if finish else "",
                "lead": _names(task.lead) or _names(task.responsible),
                "agencies": sorted({a.name for _, a in task.agencies() if not a.is_group}),
                "ms": [{"d": m.due.isoformat(), "p": m.phrase} for m in dated if m.due],
            })
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return _PAGE.replace("__DATA__", payload).replace("__TODAY__", today.isoformat() if today else "") \
        .replace("__TITLE__", html.escape("、".join(d.title for d in docs if not d.duplicate_of)[:200]))


_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>calgen 甘特图</title>
<style>
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:16px;color:#222}
h1{font-size:18px} .doc{margin:18px 0 4px;font-weight:bold;font-size:15px}
.sec{margin:6px 0 2px;font-size:13px;color:#444;font-weight:bold}
.row{display:flex;align-items:center;height:22px;border-bottom:1px solid #eee;font-size:12px}
.label{width:380px;overflow:hidden;white-space:nowrap;text-overflow:ellipsis;padding-right:8px}
.track{position:relative;flex:1;height:18px;background:#fafafa}
.bar{position:absolute;top:3px;height:12px;background:#4a7bd0;border-radius:3px;min-width:3px}
.ms{position:absolute;top:1px;width:10px;height:10px;background:#d9480f;transform:rotate(45deg);margin-left:-5px}
.lead{position:absolute;left:100%;margin-left:8px;top:-2px;font-size:11px;color:#1c3d7a;white-space:nowrap;pointer-events:none}
.today{position:absolute;top:0;bottom:0;width:2px;background:#e03131}
#axis{display:flex;margin-left:380px;font-size:11px;color:#666}
</style></head><body>
<h1>__TITLE__</h1>
<label>按单位筛选 / Agency: <select id="agency"><option value="">全部</option></select></label>
<div id="axis"></div><div id="chart"></div>
<script>
const DATA=__DATA__, TODAY="__TODAY__"||new Date().toISOString().slice(0,10);
const day=s=>new Date(s+"T00:00:00Z").getTime();
const all=DATA.flatMap(r=>[r.start,r.finish]).filter(Boolean);
const lo=Math.min(...all.map(day),day(TODAY)), hi=Math.max(...all.map(day),day(TODAY))+864e5;
const pct=s=>((day(s)-lo)/(hi-lo)*100).toFixed(2)+"%";
const sel=document.getElementById("agency");
[...new Set(DATA.flatMap(r=>r.agencies))].sort().forEach(a=>{const o=document.createElement("option");o.value=o.textContent=a;sel.appendChild(o)});
function draw(){const f=sel.value,c=document.getElementById("chart");c.innerHTML="";let doc=null,sec=null;
 DATA.filter(r=>!f||r.agencies.includes(f)).forEach(r=>{
  if(r.doc!==doc){doc=r.doc;sec=null;const h=document.createElement("div");h.className="doc";h.textContent=doc;c.appendChild(h)}
  if(r.section!==sec){sec=r.section;const h=document.createElement("div");h.className="sec";h.textContent=sec;c.appendChild(h)}
  const row=document.createElement("div");row.className="row";
  const l=document.createElement("div");l.className="label";l.textContent=r.name;l.title=r.name;row.appendChild(l);
  const t=document.createElement("div");t.className="track";
  const b=document.createElement("div");b.className="bar";b.style.left=pct(r.start);
  b.style.width="calc("+pct(r.finish)+" - "+pct(r.start)+")";t.appendChild(b);
  const n=document.createElement("span");n.className="lead";n.textContent=r.lead;b.appendChild(n);
  r.ms.forEach(m=>{const d=document.createElement("div");d.className="ms";d.style.left=pct(m.d);d.title=m.p+" "+m.d;t.appendChild(d)});
  const td=document.createElement("div");td.className="today";td.style.left=pct(TODAY);t.appendChild(td);
  row.appendChild(t);c.appendChild(row)})}
const ax=document.getElementById("axis");
for(let y=new Date(lo).getUTCFullYear();y<=new Date(hi).getUTCFullYear();y++){const s=document.createElement("span");s.style.flex="1";s.textContent=y;ax.appendChild(s)}
sel.onchange=draw;draw();
</script></body></html>
"""
