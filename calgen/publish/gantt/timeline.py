"""``gantt.html``: one self-contained page (no network) that reads right at any size.

* An overview with one row per plan (its span and its next milestone) and one view per plan, chosen in
  a selector or by clicking a plan; an agency filter.
* A time axis whose month and year ticks sit at their dates (each tick is placed by its own
  date, not spread evenly), a today line, milestones coloured overdue (red), due within 30
  days (orange) or later (blue).
* Every task is listed: dated ones as bars by section, undated ones in their own labelled list.
* Hover shows a task's text and agencies; a click pins them in a panel.
* A font stack naming the common Chinese system fonts, and a visible note when the browser has
  no Chinese font at all (every glyph would be a box).
* Built for 5,000 plans: the data is compact (agency names once, text excerpts), only the
  current view is drawn, and no date list is ever spread into one call (``Math.min(...all)``
  overflows the stack).
"""
from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ...model import Document
from ..store import compact
from .csv import span

TEXT_EXCERPT = 120


def page(docs: Iterable[Document], today: dt.date | None = None, states: Mapping[str, str] | None = None) -> str:
    """The page for ``docs``.  The today line comes from the viewer's clock unless ``today`` is
    given, so the page is the same bytes whenever it is built.  ``states`` (milestone key →
    follow-up state, calgen/follow/) colours the milestones of plans whose statuses are known;
    the others are coloured by their dates."""
    from ...follow.ledger import undated_key
    from ..feeds.events import milestone_keys

    states = states or {}
    agencies: dict[str, int] = {}

    def idx(names: list[str]) -> list[int]:
        return [agencies.setdefault(n, len(agencies)) for n in names]

    plans: list[dict[str, Any]] = []
    for doc in (d for d in docs if not d.duplicate_of):
        heads = dict(doc.sections)
        sections: list[str] = []
        tasks = []
        starts, finishes = [], []
        for t in doc.tasks:
            start, finish, notes = span(doc, t)
            label = t.path[0] if len(t.path) > 1 else ""
            head = heads.get(label, label)
            if not sections or sections[-1] != head:
                sections.append(head)
            if start and finish:
                starts.append(start)
                finishes.append(finish)
            lead = [a.name for a in (t.lead or t.responsible)]
            roles = "；".join(f"{cn}：{'、'.join(a.name for a in getattr(t, r))}"
                             for r, cn in (("lead", "牵头"), ("responsible", "负责"), ("support", "配合"))
                             if getattr(t, r))
            keys = milestone_keys(doc, t) if states else []
            marks = [states.get(k, "").partition("|")[0] for k in keys]
            tasks.append([" ".join(t.path), t.title or t.text[:30], start.isoformat() if start else "",
                          finish.isoformat() if finish else "", "、".join(lead),
                          idx(sorted({a.name for _, a in t.agencies() if not a.is_group})),
                          [[m.due.isoformat(), m.phrase, *([marks[i]] if marks and marks[i] else [])]
                           for i, m in enumerate(t.milestones) if m.dated and m.due],
                          (t.text[:TEXT_EXCERPT] + ("…" if len(t.text) > TEXT_EXCERPT else "")),
                          roles, len(sections) - 1, "；".join(notes),
                          _overall(marks, states.get(undated_key(t), "").partition("|")[0])
                          if states else ""])
        plans.append({"t": doc.name, "n": doc.doc_number or "", "i": doc.issued.isoformat() if doc.issued else "",
                      "s": min(starts).isoformat() if starts else "", "f": max(finishes).isoformat() if finishes else "",
                      "sec": sections, "k": tasks})
    data = {"agencies": list(agencies), "plans": plans}
    # every "<" escaped, so no text can close the data element or open a comment in it
    payload = compact.dumps(data).decode("utf-8").replace("<", "\\u003c")
    title = "、".join(str(p["t"]) for p in plans[:3]) + (f" 等 {len(plans)} 份文件" if len(plans) > 3 else "")
    values = {"__TITLE__": html.escape(title or "calgen"), "__TODAY__": today.isoformat() if today else "",
              "__DATA__": payload}
    # one pass, so a title that contains "__DATA__" stays text
    return re.sub("__TITLE__|__TODAY__|__DATA__", lambda m: values[m.group(0)], _PAGE)


def _overall(marks: list[str], undated: str) -> str:
    from ...follow.standing import State, overall

    found = overall([State(m) for m in marks if m] + ([State(undated)] if undated else []))
    return str(found) if found else ""


_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>calgen 甘特图</title>
<style>
body{font-family:"Microsoft YaHei","微软雅黑","PingFang SC","Hiragino Sans GB","Noto Sans CJK SC","Source Han Sans SC",
 "WenQuanYi Micro Hei","Droid Sans Fallback",SimSun,sans-serif;margin:16px;color:#222}
h1{font-size:18px;margin:0 0 8px} .bar-tools{display:flex;gap:16px;align-items:center;flex-wrap:wrap;font-size:13px}
#fontnote{display:none;background:#fff3bf;border:1px solid #f08c00;padding:6px 10px;margin:8px 0;font-size:13px}
#chart{position:relative;margin-top:4px}
.doc{margin:14px 0 2px;font-weight:bold;font-size:15px} .sec{margin:8px 0 2px;font-size:13px;color:#444;font-weight:bold}
.row{display:flex;align-items:center;height:22px;border-bottom:1px solid #eee;font-size:12px;cursor:pointer}
.row:hover{background:#f1f5ff}
.label{width:380px;flex:none;overflow:hidden;white-space:nowrap;text-overflow:ellipsis;padding-right:8px}
.track{position:relative;flex:1;height:18px}
.bar{position:absolute;top:4px;height:10px;background:#4a7bd0;border-radius:3px;min-width:3px}
.bar.plan{background:#7a5cc0}
.ms{position:absolute;top:3px;width:9px;height:9px;transform:rotate(45deg);margin-left:-5px;background:#1c7ed6}
.ms.overdue{background:#c92a2a} .ms.soon{background:#f76707}
.ms.s-done{background:#2b8a3e} .ms.s-late{background:#74b816} .ms.s-ext{background:#7048e8}
.ms.s-over{background:#c92a2a} .ms.s-soon{background:#f08c00} .ms.s-open{background:#1c7ed6}
.st{display:inline-block;font-size:10px;padding:0 3px;margin-right:4px;border-radius:2px;color:#fff}
.lead{position:absolute;left:100%;margin-left:6px;top:-3px;font-size:11px;color:#1c3d7a;white-space:nowrap}
.bar.wide{height:14px;top:2px;overflow:hidden} .lead.inside{left:4px;margin:0;top:0;font-size:10px;line-height:14px;color:#fff}
body{overflow-x:hidden}
#axis{position:relative;height:34px;margin-left:380px;border-bottom:1px solid #999;font-size:11px;color:#555}
.tick{position:absolute;top:0;bottom:0;border-left:1px solid #ccc;padding-left:2px;white-space:nowrap}
.tick.year{border-left:1px solid #555;color:#000;font-weight:bold}
#today{position:absolute;top:0;bottom:0;width:2px;background:#e03131;pointer-events:none}
#undated h3{font-size:14px;margin:16px 0 4px} #undated li{font-size:12px;margin:2px 0}
#detail{position:fixed;right:12px;bottom:12px;width:360px;max-height:45vh;overflow:auto;background:#fff;
 border:1px solid #888;box-shadow:0 2px 8px rgba(0,0,0,.2);padding:8px 10px;font-size:12px;display:none}
.legend span{display:inline-block;margin-right:10px} .legend i{display:inline-block;width:9px;height:9px;margin-right:3px;transform:rotate(45deg)}
</style></head><body>
<h1>__TITLE__</h1>
<div class="bar-tools">
<label>视图：<select id="view"><option value="-1">全部文件（总览）</option></select></label>
<label>按单位筛选：<select id="agency"><option value="">全部单位</option></select></label>
<span class="legend"><span><i style="background:#c92a2a"></i>已到期 / 逾期</span><span><i style="background:#f76707"></i>30天内到期 / 临期</span>
<span><i style="background:#1c7ed6"></i>以后到期</span><span><i style="background:#2b8a3e"></i>按期完成</span>
<span><i style="background:#74b816"></i>逾期完成</span><span><i style="background:#7048e8"></i>延期</span>
<span style="color:#e03131">│ 今天</span></span>
</div>
<div id="fontnote">未检测到中文字体，文字可能显示为方框。请安装“微软雅黑”“苹方”或 Noto Sans CJK SC（Debian/Ubuntu：fonts-noto-cjk）后刷新。</div>
<div id="axis"></div><div id="chart"></div><div id="undated"></div><div id="detail"></div>
<script type="application/json" id="data">__DATA__</script>
<script>
"use strict";
window.onerror=(m)=>{document.body.dataset.error=String(m)};
const src=document.getElementById("data"), DATA=JSON.parse(src.textContent);
src.remove();                                    // 20 MB at 5,000 plans: parsed once, then dropped
const TODAY="__TODAY__"||new Date().toISOString().slice(0,10);
const A=DATA.agencies, P=DATA.plans, DAY=864e5;
const ms=s=>Date.parse(s+"T00:00:00Z");
const view=document.getElementById("view"), agency=document.getElementById("agency");
const chart=document.getElementById("chart"), axis=document.getElementById("axis");
const undated=document.getElementById("undated"), detail=document.getElementById("detail");
function el(tag,cls,text){const e=document.createElement(tag);if(cls)e.className=cls;if(text!==undefined)e.textContent=text;return e}
P.forEach((p,i)=>{const o=el("option","",(p.n?p.n+" ":"")+p.t);o.value=i;view.appendChild(o)});
A.map((a,i)=>[a,i]).sort((x,y)=>x[0]<y[0]?-1:1).forEach(([a,i])=>{const o=el("option","",a);o.value=i;agency.appendChild(o)});
const STATE={"按期完成":"s-done","逾期完成":"s-late","延期":"s-ext","逾期":"s-over","临期":"s-soon","未到期":"s-open"};
const SCOL={"按期完成":"#2b8a3e","逾期完成":"#74b816","延期":"#7048e8","逾期":"#c92a2a","临期":"#f08c00","未到期":"#1c7ed6","无时限":"#868e96"};
function status(d,st){if(st&&STATE[st])return STATE[st];const t=ms(TODAY),x=ms(d);return x<t?"overdue":x<=t+30*DAY?"soon":""}
function badge(st){return st?"<span class='st' style='background:"+(SCOL[st]||"#888")+"'>"+esc(st)+"</span>":""}
function range(items){let lo=Infinity,hi=-Infinity;
 for(const [s,f] of items){if(s){const a=ms(s);if(a<lo)lo=a}if(f){const b=ms(f);if(b>hi)hi=b}}
 const t=ms(TODAY);if(!isFinite(lo)){lo=t;hi=t}
 if(t>=lo-366*DAY&&t<=hi+366*DAY){if(t<lo)lo=t;if(t>hi)hi=t}
 return [lo,hi+DAY]}
let LO=0,HI=1;
const pct=s=>((ms(s)-LO)/(HI-LO)*100).toFixed(3)+"%";
function drawAxis(){axis.innerHTML="";const a=new Date(LO),years=(HI-LO)/DAY/365;
 let y=a.getUTCFullYear(),m=a.getUTCMonth();
 for(let k=0;k<1200;k++){const t=Date.UTC(y,m,1);if(t>HI)break;
  if(t>=LO&&(t-LO)/(HI-LO)<0.97){const jan=m===0,show=years<=3||jan;
   if(show){const e=el("div","tick"+(jan?" year":""),jan?y+"年":(years<=1.5||m%3===0?(m+1)+"月":""));
    if(k===0&&!jan&&years<=3)e.textContent=y+"年"+(m+1)+"月";
    e.style.left=((t-LO)/(HI-LO)*100).toFixed(3)+"%";axis.appendChild(e)}}
  m++;if(m===12){m=0;y++}}
 const first=axis.firstChild;if(first&&first.className==="tick"&&!first.textContent)first.textContent=a.getUTCFullYear()+"年"}
function todayLine(){const t=ms(TODAY);if(t<LO||t>HI)return;const e=el("div");e.id="today";
 e.style.left="calc(380px + (100% - 380px) * "+((t-LO)/(HI-LO)).toFixed(5)+")";chart.appendChild(e)}
function show(html){detail.innerHTML=html;detail.style.display="block"}
function esc(s){return String(s).replace(/[&<>"]/g,c=>({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"}[c]))}
function taskInfo(p,k){return badge(k[11])+"<b>"+esc(k[0]+" "+k[1])+"</b><br>"+esc(k[7])+"<br>"+esc(k[8])+
 (k[6].length?"<br>节点："+k[6].map(m=>esc(m[1]+" → "+m[0]+(m[2]?"（"+m[2]+"）":""))).join("；"):"")+(k[10]?"<br>"+esc(k[10]):"")+
 "<br><span style='color:#666'>"+esc(p.t)+"</span>"}
function row(label,tip,onclick){const r=el("div","row"),l=el("div","label",label);l.title=tip;r.appendChild(l);
 const t=el("div","track");r.appendChild(t);r.onclick=onclick;return [r,t]}
function drawOverview(f){const ps=[];P.forEach((p,i)=>{if(f<0||p.k.some(k=>k[5].includes(f)))ps.push(i)});
 [LO,HI]=range(ps.map(i=>[P[i].s,P[i].f]));drawAxis();
 const frag=document.createDocumentFragment();let none=[];
 for(const i of ps){const p=P[i];if(!p.s){none.push(p);continue}
  let n=0,next=null,last=null,late=0;
  for(const k of p.k)for(const m of k[6]){n++;if(m[0]<TODAY){late++;if(!last||m[0]>last[0])last=m}else if(!next||m[0]<next[0])next=m}
  next=next||last;                               // the next milestone, or the last one when all are due
  const [r,t]=row((p.n?p.n+" ":"")+p.t,p.t+"：任务 "+p.k.length+" 项，节点 "+n+" 个（已到期 "+late+" 个）",()=>{view.value=i;draw()});
  const b=el("div","bar plan");b.style.left=pct(p.s);b.style.width="calc("+pct(p.f)+" - "+pct(p.s)+" + 2px)";t.appendChild(b);
  if(next){const d=el("div","ms "+status(next[0],next[2]));d.style.left=pct(next[0]);d.title="下一个节点："+next[1]+" "+next[0];t.appendChild(d)}
  frag.appendChild(r)}
 chart.appendChild(frag);todayLine();
 if(none.length){undated.appendChild(el("h3","","没有日期的文件（"+none.length+"）"));const ul=el("ul");
  none.forEach(p=>ul.appendChild(el("li","",(p.n?p.n+" ":"")+p.t)));undated.appendChild(ul)}}
function drawPlan(i,f){const p=P[i];const ks=p.k.filter(k=>f<0||k[5].includes(f));
 [LO,HI]=range(ks.map(k=>[k[2],k[3]]));drawAxis();
 chart.appendChild(el("div","doc",(p.n?p.n+" ":"")+p.t+(p.i?"（"+p.i+" 印发）":"")));
 let sec=-1;const frag=document.createDocumentFragment(),none=[];
 for(const k of ks){if(!k[2]){none.push(k);continue}
  if(k[9]!==sec){sec=k[9];if(p.sec[sec])frag.appendChild(el("div","sec",p.sec[sec]))}
  const [r,t]=row(k[0]+" "+k[1],k[7]+"\\n"+k[8],()=>show(taskInfo(p,k)));
  const b=el("div","bar");b.style.left=pct(k[2]);b.style.width="calc("+pct(k[3])+" - "+pct(k[2])+" + 2px)";
  if(k[4]){const inside=(ms(k[3])-LO)/(HI-LO)>0.7&&(ms(k[3])-ms(k[2]))/(HI-LO)>0.2;
   if(inside)b.classList.add("wide");b.appendChild(el("span",inside?"lead inside":"lead",k[4]))}t.appendChild(b);
  for(const m of k[6]){const d=el("div","ms "+status(m[0],m[2]));d.style.left=pct(m[0]);d.title=m[1]+" "+m[0]+(m[2]?" "+m[2]:"");
   if(m[2])d.dataset.state=m[2];t.appendChild(d)}
  frag.appendChild(r)}
 chart.appendChild(frag);todayLine();
 if(none.length){undated.appendChild(el("h3","","未定日期的任务（"+none.length+"）"));const ul=el("ul");
  for(const k of none){const li=el("li","",k[0]+" "+k[1]+(k[4]?"（"+k[4]+"）":""));li.title=k[7];li.onclick=()=>show(taskInfo(p,k));ul.appendChild(li)}
  undated.appendChild(ul)}}
function draw(){chart.innerHTML="";undated.innerHTML="";detail.style.display="none";
 const f=agency.value===""?-1:+agency.value,v=+view.value;
 if(v<0)drawOverview(f);else drawPlan(v,f);document.body.dataset.rows=chart.querySelectorAll(".row").length}
function hasChineseFont(){try{const c=document.createElement("canvas");c.width=c.height=40;const x=c.getContext("2d");
 const font=getComputedStyle(document.body).fontFamily;
 const img=ch=>{x.clearRect(0,0,40,40);x.font="28px "+font;x.fillText(ch,4,32);return x.getImageData(0,0,40,40).data.join(",")};
 return img("中")!==img("\\uFFFF")}catch(e){return true}}
if(!hasChineseFont())document.getElementById("fontnote").style.display="block";
view.onchange=draw;agency.onchange=draw;detail.onclick=()=>{detail.style.display="none"};
draw();document.body.dataset.ok="1";
</script></body></html>
"""
