"""gantt.csv for Excel / MS Project, and the HTML timeline."""
import datetime as dt
import io
import os
import shutil
import subprocess

import pytest

from calgen.extract.document import extract_text
from calgen.publish.build import build
from calgen.publish.gantt.csv import neutralise

from .conftest import RULES, rules_for


@pytest.fixture(scope="module")
def seed_out(tmp_path_factory, seed_files):
    out = tmp_path_factory.mktemp("gantt")
    build(seed_files, rules_for(output=out))
    return out


def test_csv_reads_back(seed_out, seed_docs):
    import pandas as pd

    raw = (seed_out / "gantt.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    docs = [d for d in seed_docs.values() if not d.duplicate_of]
    tasks = sum(len(d.tasks) for d in docs)
    dated = sum(1 for d in docs for t in d.tasks for m in t.milestones if m.dated)
    assert len(df) == tasks + dated
    assert (df["Outline Level"] == "1").sum() == tasks and (df["Milestone"] == "Yes").sum() == dated
    assert (df["Name"].str.len() > 0).all()
    both = df[(df["Start"] != "") & (df["Finish"] != "")]
    assert (both["Finish"] >= both["Start"]).all()
    cal = RULES.calendar
    import datetime as dt

    del cal
    for _, row in both[both["Milestone"] == "No"].iterrows():        # calendar days, not working days
        start, finish = dt.date.fromisoformat(row["Start"]), dt.date.fromisoformat(row["Finish"])
        assert row["Calendar Days"] == str((finish - start).days + 1)
    assert "Duration" not in df.columns
    assert (df[df["Milestone"] == "Yes"]["Calendar Days"] == "0").all()
    several = df[df["Resource Names"].str.contains(",")]
    assert len(several) and not df["Resource Names"].str.contains("、").any()     # MS Project's separator
    undated = df[(df["Milestone"] == "No") & (df["Start"] == "")]
    assert (undated["Notes"].str.contains("无具体日期")).all()


@pytest.mark.parametrize("value,cell", [
    ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
    ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("推进改革", "推进改革"),
])
def test_neutralise(value, cell):
    assert neutralise(value) == cell


def test_formula_title_is_neutralised_in_the_csv(tmp_path):
    plan = tmp_path / "p.txt"
    plan.write_text("示范市人民政府办公室\n2023年3月1日\n一、任务\n"
                    "(一)=HYPERLINK(\"http://evil\",\"点击\")。6月底前完成。(市财政局牵头)\n", encoding="utf-8")
    build([str(plan)], rules_for(output=tmp_path / "out"))
    import pandas as pd

    text = (tmp_path / "out" / "gantt.csv").read_text(encoding="utf-8-sig")
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert df.loc[0, "Name"].startswith("'=HYPERLINK")
    assert not any(cell.startswith(("=", "+", "@")) for cell in df.to_numpy().ravel())


def test_task_without_dates_is_listed_with_a_note():
    doc = extract_text("示范市人民政府办公室\n2023年3月1日\n一、任务\n(一)加强宣传。(市委宣传部负责)\n", "p.txt", RULES)
    from .helpers import rows

    (row,) = rows([doc], RULES.calendar)
    assert row["Start"] == "" and row["Notes"] == "无具体日期"


def _chromium():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing in CI (.ci/run installs Debian's chromium)")
        pytest.skip("chromium not installed (apt-get install chromium); CI installs it")
    return path


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _dom(chromium, page, profile, budget=20000):
    return subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--virtual-time-budget={budget}",
                           "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=240).stdout


def test_gantt_page_draws_every_task_in_headless_chromium(seed_out, seed_docs, tmp_path):
    """Overview, then one plan's view (the page's own selector), undated tasks listed, labels
    at their dates; a screenshot at seed size."""
    chromium = _chromium()
    page = (seed_out / "gantt.html").resolve()
    dom = _dom(chromium, page, tmp_path / "p1")
    assert 'data-ok="1"' in dom and "data-error" not in dom
    assert dom.count('class="row"') == 4 and dom.count('class="bar plan"') == 4      # one row per plan
    assert 'class="tick year"' in dom and "2019年" in dom
    # each year tick sits at its own date: left = (1 January − first day) / (last day + 1 − first day)
    import re

    plans = [d for d in seed_docs.values() if not d.duplicate_of]
    from calgen.publish.gantt.csv import span

    spans = [span(d, t) for d in plans for t in d.tasks]
    lo = min(s for s, f, _ in spans if s and f)
    hi = max(f for s, f, _ in spans if s and f) + dt.timedelta(days=1)
    ticks = dict((int(y), float(x)) for x, y in
                 re.findall(r'class="tick year" style="left: ([\d.]+)%;?">(\d{4})年', dom))
    for year, left in ticks.items():
        assert abs(left - (dt.date(year, 1, 1) - lo).days / (hi - lo).days * 100) < 0.01, (year, left)
    assert len(ticks) >= 3
    # one plan's view: the page with its selector set, as a user would
    html = page.read_text(encoding="utf-8").replace("draw();document.body.dataset.ok", "view.value=3;draw();document.body.dataset.ok")
    one = tmp_path / "one.html"
    one.write_text(html, encoding="utf-8")
    dom = _dom(chromium, one, tmp_path / "p2")
    doc = next(d for d in seed_docs.values() if d.doc_number == "粤府办〔2018〕51号" and not d.duplicate_of)
    dated = sum(1 for t in doc.tasks if any(m.dated for m in t.milestones))
    assert dom.count('class="row"') == dated
    assert f"未定日期的任务（{len(doc.tasks) - dated}）" in dom
    shot = tmp_path / "gantt.png"
    subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'p3'}", f"--screenshot={shot}",
                    "--window-size=1400,900", "--virtual-time-budget=5000", one.as_uri()], capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 20_000


def test_axis_ticks_sit_at_their_dates():
    """The 2021 tick of a 2020-04-01 … 2021-12-31 axis sits at 2021-01-01's share of the span."""
    import re

    from calgen.publish.gantt.timeline import page

    doc = extract_text("示范市人民政府办公室\n2020年4月1日\n一、任务\n(一)推进。2021年底前完成。(市财政局牵头)\n",
                       "p.txt", RULES)
    html = page([doc], today=dt.date(2021, 6, 1))
    assert "Date.UTC(y,m,1)" in html and "Math.min(..." not in html and "Math.max(..." not in html
    assert re.search(r'"s":"2020-04-01","f":"2021-12-31"', html)


def _synthetic(n_plans: int, tasks_per_plan: int = 20):
    """Documents as the extractor makes them, generated directly (5,000 real plans would take
    minutes to read): each with sections, dated and undated tasks and several agencies."""
    from calgen.model import Agency, Document, Kind, Milestone, Task

    docs = []
    for p in range(n_plans):
        year = 2018 + p % 8
        issued = dt.date(year, 1 + p % 12, 1 + p % 27)
        tasks = []
        for k in range(tasks_per_plan):
            due = issued + dt.timedelta(days=30 + (k * 37 + p) % 600)
            ms = (Milestone(f"{due.month}月底前", Kind.DEADLINE, due, "完成", due),) if k % 4 else ()
            lead = (Agency(f"示范市第{(p + k) % 300}局", f"第{(p + k) % 300}局"),)
            tasks.append(Task(f"t{k}", (["一", "二", "三"][k % 3], f"({k + 1})"), f"第{p}号计划任务{k}：推进某项改革",
                              "推进某项改革，完善相关制度，按期报送进展情况。" * 3, k + 5, lead, (), lead, ms))
        docs.append(Document(f"plan{p}.txt", f"示府办〔{year}〕{p}号", f"示范市{year}年第{p}号工作方案", "示范市人民政府办公室",
                             issued, year, "示范市", tuple(tasks),
                             sections=(("一", "一、政务服务"), ("二", "二、监管"), ("三", "三、保障"))))
    return docs


def test_gantt_page_at_5000_plans_renders_without_a_script_error(tmp_path):
    chromium = _chromium()
    from calgen.publish.gantt.timeline import page

    path = tmp_path / "big.html"
    path.write_text(page(_synthetic(5000)), encoding="utf-8")
    dom = _dom(chromium, path, tmp_path / "p", budget=60000)
    assert 'data-ok="1"' in dom and "data-error" not in dom
    assert 'data-rows="5000"' in dom


def _plans(out):
    import json

    data = json.loads((out / "tasks.json").read_text(encoding="utf-8"))
    return [d for d in data["documents"] if not d.get("duplicate_of")]


def test_workbook_reads_back_with_the_tasks_and_dates_of_tasks_json(seed_out, seed_docs):
    import openpyxl

    from calgen.publish.gantt.csv import span

    wb = openpyxl.load_workbook(seed_out / "gantt.xlsx")
    plans = _plans(seed_out)
    assert wb.sheetnames[:2] == ["总览", "按单位"] and len(wb.sheetnames) == 2 + len(plans)
    overview = list(wb["总览"].iter_rows(min_row=4, values_only=True))
    assert [r[2] for r in overview] == [p["doc_number"] for p in plans]
    for plan, name in zip(plans, wb.sheetnames[2:], strict=True):
        ws = wb[name]
        assert ws.freeze_panes == "C4" and ws.auto_filter.ref.startswith("A3:I")
        rows = list(ws.iter_rows(min_row=4, max_col=9, values_only=True))
        assert [r[1] for r in rows] == [t["title"] or t["text"][:40] for t in plan["tasks"]]
        doc = next(d for d in seed_docs.values() if d.source == plan["source"])
        for r, t in zip(rows, doc.tasks, strict=True):
            start, finish, _ = span(doc, t)
            assert (r[5] and r[5].date(), r[6] and r[6].date()) == (start, finish)
            if not finish:
                assert r[8] == "无具体日期"
        assert ws.conditional_formatting                        # bars, today, overdue
    agency = list(wb["按单位"].iter_rows(min_row=4, values_only=True))
    dates = [r[0] for r in agency]
    assert dates == sorted(dates) and all(isinstance(d, dt.datetime) for d in dates)


def test_workbook_writes_text_as_text(tmp_path):
    plan = tmp_path / "p.txt"
    plan.write_text("示范市人民政府办公室\n2023年3月1日\n一、任务\n"
                    "(一)=HYPERLINK(\"http://evil\",\"点击\")。6月底前完成。(市财政局牵头)\n", encoding="utf-8")
    build([str(plan)], rules_for(output=tmp_path / "out"))
    import openpyxl

    ws = openpyxl.load_workbook(tmp_path / "out" / "gantt.xlsx").worksheets[2]
    cell = ws.cell(4, 2)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def _mpxj():
    """MPXJ's reader classes in a started JVM (MPXJ 14+ calls its package org.mpxj)."""
    if not shutil.which("java"):
        if os.environ.get("CI") == "true":
            pytest.fail("java is missing in CI (.ci/run installs default-jre-headless)")
        pytest.skip("no Java runtime (apt-get install default-jre-headless); CI installs it")
    jpype = pytest.importorskip("jpype")
    pytest.importorskip("mpxj")
    if not jpype.isJVMStarted():
        jpype.startJVM()
    from java.time import LocalDate
    from org.mpxj.reader import UniversalProjectReader
    return UniversalProjectReader, LocalDate


def test_ms_project_xml_reads_back_in_mpxj(seed_out, seed_docs):
    reader, local_date = _mpxj()
    project = reader().read(str(seed_out / "gantt.xml"))
    plans = _plans(seed_out)
    tasks = [t for t in project.getTasks() if t.getUniqueID() != 0]
    top = [t for t in tasks if t.getOutlineLevel() == 1]
    assert [str(t.getName()) for t in top] == [p["title"] + f"（{p['doc_number']}）" for p in plans]
    milestones = [t for t in tasks if t.getMilestone()]
    docs = [d for d in seed_docs.values() if not d.duplicate_of]
    sections = sum(len({t.path[0] for t in d.tasks if len(t.path) > 1}) for d in docs)
    dated = sum(1 for d in docs for t in d.tasks for m in t.milestones if m.dated and m.due)
    assert len(tasks) == len(docs) + sections + sum(len(d.tasks) for d in docs) + dated   # every one
    dues = sorted(m["due"] for p in plans for t in p["tasks"] for m in t["milestones"] if m.get("due") and m["kind"] != "recurring")
    assert sorted(str(t.getFinish().toLocalDate()) for t in milestones) == dues
    assert all(t.getParentTask() is not None and t.getParentTask().getOutlineLevel() == t.getOutlineLevel() - 1
               for t in tasks if t.getOutlineLevel() > 1)
    names = {str(r.getName()) for r in project.getResources()}
    agencies = {a["name"] for p in plans for t in p["tasks"] for a in t["agencies"]}
    assert agencies <= names
    roles = {str(a.getNotes()) for a in project.getResourceAssignments()}
    assert roles <= {"牵头", "负责", "配合"} and "牵头" in roles
    cal = project.getCalendarByName("中国工作日")
    assert project.getDefaultCalendar().getName() == "中国工作日"
    assert cal.isWorkingDate(local_date.of(2018, 12, 29))          # 调休: a Saturday worked
    assert not cal.isWorkingDate(local_date.of(2018, 10, 2))        # 国庆节
    assert not cal.isWorkingDate(local_date.of(2018, 12, 30))       # a Sunday
    worked = {str(e.getFromDate()) for e in cal.getCalendarExceptions() if e.getWorking()}
    years = {int(d[:4]) for d in worked}
    assert years >= {2018, 2019, 2020, 2021}
    assert worked == {d.isoformat() for y in years for d in RULES.calendar.years[y].makeup if d.year == y}


def test_page_text_cannot_break_out_of_its_data():
    from calgen.publish.gantt.timeline import page

    doc = extract_text("示范市人民政府办公室\n2023年3月1日\n一、任务\n"
                       "(一)</script><script>alert(1)</script><!--推进。6月底前完成。(市财政局牵头)\n", "p.txt", RULES)
    html = page([doc])
    data = html.split('<script type="application/json" id="data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data and "\\u003c/script>" in data


def test_csv_is_split_before_excels_row_limit(seed_docs):
    """Parts never pass the limit, each has the header, and a task stays with its milestones."""
    import pandas as pd

    from .helpers import csv_parts

    docs = [d for d in seed_docs.values() if not d.duplicate_of]
    parts = csv_parts(docs, RULES.calendar, max_rows=60)
    assert [name for name, _ in parts][:2] == ["gantt.csv", "gantt-2.csv"]
    frames = [pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False) for _, data in parts]
    assert all(len(f) <= 60 for f in frames) and all(f["Outline Level"].iloc[0] == "1" for f in frames)
    whole = pd.read_csv(io.BytesIO(csv_parts(docs, RULES.calendar)[0][1]), encoding="utf-8-sig", dtype=str,
                        keep_default_na=False)
    assert sum(len(f) for f in frames) == len(whole)


def test_a_streamed_region_workbook_holds_the_same_cells(seed_docs, tmp_path):
    """#28: a region's workbook goes through xlsxwriter's constant_memory mode (other bytes:
    strings inline) with plans loaded one at a time; openpyxl reads the same cells as from the
    in-memory workbook."""
    import openpyxl

    from calgen.publish.gantt import workbook

    docs = list(seed_docs.values())
    plain = tmp_path / "plain.xlsx"
    plain.write_bytes(workbook.workbook_bytes(docs, RULES.calendar, [], 0, 0))
    streamed = tmp_path / "streamed.xlsx"
    reads = []

    class Lazy:                                      # counts the passes, hands out one plan at a time
        def __iter__(self):
            reads.append(1)
            yield from docs

    with open(streamed, "wb") as fh:
        workbook.write_workbook(fh, Lazy(), RULES.calendar, [], 0, 0, stream=True)
    a, b = openpyxl.load_workbook(plain, read_only=True), openpyxl.load_workbook(streamed, read_only=True)
    assert a.sheetnames == b.sheetnames == ["总览", "按单位", "全部任务"]
    for name in a.sheetnames:
        assert list(a[name].iter_rows(values_only=True)) == list(b[name].iter_rows(values_only=True))
    assert len(reads) >= 3 and plain.read_bytes() != streamed.read_bytes()



def test_ms_project_keeps_every_due_date_when_the_schedule_is_recalculated(seed_out, seed_docs, tmp_path):
    """ProjectLibre has no manual mode: it recalculates.  gantt.xml with every task switched to
    automatic scheduling, recalculated by MPXJ's scheduler (as MS Project does), keeps every
    milestone on its due date — each carries a must-finish-on constraint and a deadline — and
    no task is put on a date that is not in its plan."""
    reader, _ = _mpxj()
    from java.time import LocalDateTime
    from org.mpxj.cpm import MicrosoftScheduler

    auto = tmp_path / "auto.xml"
    auto.write_text((seed_out / "gantt.xml").read_text(encoding="utf-8").replace("<Manual>1</Manual>", "<Manual>0</Manual>"),
                    encoding="utf-8")
    project = reader().read(str(auto))
    before = {int(t.getUniqueID()): str(t.getFinish()) for t in project.getTasks() if t.getMilestone()}
    assert before and all(str(t.getConstraintType()) == "MUST_FINISH_ON" and t.getDeadline() is not None
                          for t in project.getTasks() if t.getMilestone())
    MicrosoftScheduler().schedule(project, LocalDateTime.of(2015, 1, 1, 8, 0))
    after = {int(t.getUniqueID()): str(t.getFinish()) for t in project.getTasks() if t.getMilestone()}
    assert after == before
    # every date in the file is a date of its plan: a due date, a start, an issue date
    docs = [d for d in seed_docs.values() if not d.duplicate_of]
    known = {d.issued for d in docs if d.issued} | {m.due for d in docs for t in d.tasks for m in t.milestones if m.due}
    known |= {m.span[0] for d in docs for t in d.tasks for m in t.milestones if m.span}
    text = (seed_out / "gantt.xml").read_text(encoding="utf-8")
    import re

    starts = {dt.date.fromisoformat(x) for x in re.findall(r"<(?:Start|Finish)>(\d{4}-\d\d-\d\d)T", text)}
    assert starts <= known | {max(m.span[0], d.issued) for d in docs if d.issued for t in d.tasks for m in t.milestones
                              if m.span}


def test_ms_project_lists_a_plan_without_dates_as_estimated_never_on_an_invented_day(tmp_path):
    from calgen.extract.document import extract_text
    from calgen.publish.gantt.mspdi import project_xml

    dated = extract_text("示范市人民政府办公室\n2023年3月1日\n一、任务\n(一)加强宣传。6月底前完成。(市委宣传部负责)\n", "a.txt", RULES)
    bare = extract_text("一、任务\n(一)加强宣传。(市委宣传部负责)\n(二)做好解读。(市政府办公室负责)\n", "b.txt", RULES)
    text = project_xml([dated, bare], RULES.calendar, []).decode("utf-8")
    import re

    days = set(re.findall(r"<(?:Start|Finish)>(\d{4}-\d\d-\d\d)T", text))
    assert days <= {"2023-03-01", "2023-06-30"}                   # the issue date and the due date, nothing else
    assert "2000-01-01" not in text and "-01-01T" not in text
    assert text.count("<Estimated>1</Estimated>") >= 3            # b's summary and both its tasks
    assert "该文件没有任何日期" in text


def test_workbooks_print_landscape_one_page_wide_with_their_headings(seed_out):
    import openpyxl

    wb = openpyxl.load_workbook(seed_out / "gantt.xlsx")
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth in (None, 1)   # 1 is the default
        assert ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows and "页" in (ws.oddFooter.center.text or "")
    plan = wb.worksheets[2]
    assert plan.print_area and "$I$" in str(plan.print_area)        # the table, without the day grid
    ledger = openpyxl.load_workbook(seed_out / "ledger.xlsx").worksheets[0]
    assert ledger.page_setup.orientation == "landscape" and ledger.print_title_rows == "$1:$1"
