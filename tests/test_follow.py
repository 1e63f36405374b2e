"""Follow-up (督办, issue 32): the loop an office runs, end to end.

build → the agencies fill their ledgers (openpyxl, bad rows included) → status import →
rebuild: feeds, 【提醒】 events, the Gantt page (Chromium), workbook, MS Project XML (MPXJ),
report and digest (mailed to an SMTP server started here) all show the statuses; a yearly
regeneration that changes other tasks keeps every status.  Plus tables of the states on the
working-day calendar and of every way a returned row is refused.
"""
from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from calgen.cli import cli
from calgen.follow.ledger import COLUMNS, FILL
from calgen.follow.returned import import_files
from calgen.follow.standing import Record, State, overall, parse_date, standing
from calgen.follow.store import StatusStore
from calgen.publish.build import build

from .conftest import RULES, rules_for

D = dt.date
CAL = RULES.calendar
EPOCH = 1767225600          # 2026-01-01, so DTSTAMPs do not depend on the clock

# A plan written for these tests in the genre's form (工作要点: numbered tasks, 牵头/配合 in
# brackets, deadlines 3月底前 …, one task without a date).
PLAN = """某某市人民政府办公室关于印发《2026年某某市数字政府建设工作要点》的通知
某府办发〔2026〕5号

各县（区）人民政府，市政府各部门：
《2026年某某市数字政府建设工作要点》已经市政府同意，现印发给你们，请认真贯彻落实。

某某市人民政府办公室
2026年2月20日

2026年某某市数字政府建设工作要点

一、夯实数字基础
（一）建设一体化政务云平台。3月底前完成政务云资源整合方案，6月底前完成系统迁移。（市大数据局牵头，市财政局配合）
（二）推进数据共享。9月底前建成数据共享交换平台二期。（市大数据局负责）
二、优化政务服务
（三）推行“一网通办”。4月底前上线新版网上办事大厅。（市政务服务中心牵头，市财政局、各县（区）人民政府配合）
（四）加强宣传解读。做好政策解读和宣传工作。（市委宣传部负责）
"""
# The same plan a year on (regeneration): a task inserted at the top, (二)'s date moved,
# (四) removed — the statuses of (一) and (三) must carry over.
PLAN_NEXT = PLAN.replace("一、夯实数字基础\n", "一、夯实数字基础\n（一）完善工作机制。5月底前出台数字政府建设管理办法。（市大数据局牵头）\n") \
    .replace("（一）建设一体化", "（二）建设一体化").replace("（二）推进数据共享。9月底前", "（三）推进数据共享。10月底前") \
    .replace("（三）推行", "（四）推行").replace("（四）加强宣传解读。做好政策解读和宣传工作。（市委宣传部负责）\n", "")


# --- states on the working-day calendar ------------------------------------------------------------

def rec(status: str, done: D | None = None, new_due: D | None = None) -> Record:
    return Record("x", status, done, new_due)


@pytest.mark.parametrize("due, record, as_of, soon, expected, left", [
    # not reported: by the date
    (D(2026, 6, 30), None, D(2026, 6, 1), 5, State.OPEN, 20),             # 21 weekdays, 端午 (19 June) off
    (D(2026, 6, 30), None, D(2026, 6, 23), 5, State.DUE_SOON, 5),          # 24, 25, 26, 29, 30 June
    (D(2026, 6, 30), None, D(2026, 6, 30), 5, State.DUE_SOON, 0),          # due today
    (D(2026, 6, 30), None, D(2026, 7, 1), 5, State.OVERDUE, None),
    # 调休: Sunday 2023-04-23 was worked, 29 April–3 May rested — 7 working days, not 5
    (D(2023, 4, 28), None, D(2023, 4, 20), 5, State.OPEN, 7),
    (D(2023, 4, 28), None, D(2023, 4, 20), 7, State.DUE_SOON, 7),
    # over 春节 2026 (15–23 February rested, Saturday 14 February worked): 13, 14, 24–27 February
    (D(2026, 2, 27), None, D(2026, 2, 12), 5, State.OPEN, 6),
    (D(2026, 2, 27), None, D(2026, 2, 12), 6, State.DUE_SOON, 6),
    # reported
    (D(2026, 6, 30), rec("推进中"), D(2026, 7, 1), 5, State.OVERDUE, None),
    (D(2026, 6, 30), rec("已完成", D(2026, 6, 29)), D(2026, 9, 1), 5, State.ON_TIME, None),
    (D(2026, 6, 30), rec("已完成", D(2026, 6, 30)), D(2026, 9, 1), 5, State.ON_TIME, None),
    (D(2026, 6, 30), rec("已销号", D(2026, 7, 2)), D(2026, 9, 1), 5, State.LATE_DONE, None),
    (D(2026, 6, 30), rec("申请延期", None, D(2026, 8, 31)), D(2026, 7, 15), 5, State.EXTENDED, 33),
    (D(2026, 6, 30), rec("申请延期", None, D(2026, 8, 31)), D(2026, 9, 1), 5, State.OVERDUE, None),
    (D(2026, 6, 30), rec("已完成", D(2026, 8, 20), D(2026, 8, 31)), D(2026, 9, 1), 5, State.ON_TIME, None),
    (None, None, D(2026, 6, 1), 5, State.UNDATED, None),
    (None, rec("已完成", D(2026, 5, 1)), D(2026, 6, 1), 5, State.ON_TIME, None),
])
def test_state_as_of_a_date(due, record, as_of, soon, expected, left):
    got = standing(due, record, as_of, CAL, soon)
    assert got.state is expected and got.workdays_left == left


def test_a_year_without_holiday_data_is_never_counted_as_if_it_had_none():
    # 2027 is not covered: near dates are 临期 (a reminder too many, never one too few), far ones 未到期
    assert standing(D(2027, 1, 8), None, D(2026, 12, 28), CAL).state is State.DUE_SOON
    assert standing(D(2027, 6, 30), None, D(2026, 12, 28), CAL).state is State.OPEN


@given(st.dates(D(2024, 1, 1), D(2026, 12, 31)), st.dates(D(2024, 1, 1), D(2026, 12, 31)),
       st.integers(0, 20))
@settings(max_examples=200, deadline=None)
def test_an_open_row_only_gets_more_urgent_as_days_pass(due, as_of, soon):
    order = [State.OPEN, State.DUE_SOON, State.OVERDUE]
    now = standing(due, None, as_of, CAL, soon).state
    later = standing(due, None, as_of + dt.timedelta(days=1), CAL, soon).state
    assert order.index(later) >= order.index(now)
    done = standing(due, rec("已完成", due), as_of, CAL, soon).state
    assert done is State.ON_TIME                        # done on the day: on time whatever the date


@pytest.mark.parametrize("states, expected", [
    ([State.ON_TIME, State.ON_TIME], State.ON_TIME),
    ([State.ON_TIME, State.LATE_DONE], State.LATE_DONE),
    ([State.ON_TIME, State.OPEN], State.OPEN),
    ([State.EXTENDED, State.DUE_SOON], State.DUE_SOON),
    ([State.OPEN, State.OVERDUE, State.ON_TIME], State.OVERDUE),
    ([], None),
])
def test_a_tasks_state_is_its_most_urgent_rows(states, expected):
    assert overall(states) is expected


@pytest.mark.parametrize("value, expected", [
    ("2026-03-31", D(2026, 3, 31)), ("2026/3/31", D(2026, 3, 31)), ("2026.3.31", D(2026, 3, 31)),
    ("2026年3月31日", D(2026, 3, 31)), ("20260331", D(2026, 3, 31)), ("2026-03-31 00:00:00", D(2026, 3, 31)),
    (dt.datetime(2026, 3, 31, 0, 0), D(2026, 3, 31)), (None, None), ("", None), (float("nan"), None),
    (46112, D(2026, 3, 31)), (46112.0, D(2026, 3, 31)),          # a date cell whose format was lost
])
def test_dates_as_returned_ledgers_hold_them(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["3月底", "2026-02-30", "下周", "31/03/2026"])
def test_anything_else_is_not_a_date(value):
    with pytest.raises(ValueError):
        parse_date(value)


# --- the round trip ---------------------------------------------------------------------------------

def _build(out, plan, as_of, **more):
    rep = build([str(plan)], rules_for(output=out, as_of=as_of, source_date_epoch=EPOCH, **more))
    assert not rep.failures, rep.failures
    return rep


def _sheet(path):
    wb = openpyxl.load_workbook(path)
    ws = wb["台账"]
    head = [c.value for c in ws[1]]
    return wb, ws, {h: i + 1 for i, h in enumerate(head)}


def _row_of(ws, col, text):
    for r in range(2, ws.max_row + 1):
        if text in str(ws.cell(r, col["节点"]).value or "") + str(ws.cell(r, col["任务"]).value or ""):
            return r
    raise AssertionError(f"no row for {text}")


def _fill(ws, col, r, **values):
    for k, v in values.items():
        ws.cell(r, col[k]).value = v


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """A plan built on 20 March 2026, its ledgers returned filled (some rows badly) and
    imported, then rebuilt on 25 March."""
    root = tmp_path_factory.mktemp("office")
    plan = root / "plan.txt"
    plan.write_text(PLAN, encoding="utf-8")
    out = root / "out"
    first = _build(out, plan, D(2026, 3, 20))
    before = (out / "feeds" / "all.ics").read_text(encoding="utf-8")
    ledgers = sorted(p.name for p in (out / "ledgers").iterdir())
    # 市大数据局 returns its ledger: one row done, one asking for an extension
    own = next(p for p in (out / "ledgers").iterdir() if "dashuju" in p.name or "大数据" in p.name)
    wb, ws, col = _sheet(own)
    _fill(ws, col, _row_of(ws, col, "3月底前"), 状态="已完成", 完成日期=dt.datetime(2026, 3, 18),
          进展情况="整合方案已印发", 佐证材料="某数据〔2026〕3号")
    _fill(ws, col, _row_of(ws, col, "6月底前"), 状态="申请延期", 新到期日=dt.datetime(2026, 8, 31), 进展情况="设备到货推迟")
    wb.save(root / "dashuju.xlsx")
    # the whole ledger, filled by the office for 市委宣传部 (undated task) — and with bad rows
    wb, ws, col = _sheet(out / "ledger.xlsx")
    _fill(ws, col, _row_of(ws, col, "加强宣传解读"), 状态="推进中", 进展情况="已发布解读文章3篇")
    bad = {}
    r = _row_of(ws, col, "9月底前")
    _fill(ws, col, r, 状态="已完成", 完成日期=dt.datetime(2026, 4, 30))                       # a future date
    bad["future"] = r
    r = _row_of(ws, col, "4月底前")
    _fill(ws, col, r, 状态="已完成", 完成日期=dt.datetime(2026, 3, 19))                       # conflicts below
    bad["conflict"] = r
    extra = ws.max_row + 1
    _fill(ws, col, extra, 状态="推进中", 标识="0000000000@calgen")                              # unknown identity
    wb.save(root / "office.xlsx")
    # 市政务服务中心 answers for 4月底前 differently, in a CSV saved from WPS (GB18030)
    lines = (out / "ledger.csv").read_text(encoding="utf-8-sig").splitlines()
    head = lines[0].split(",")
    row = next(line for line in lines if "4月底前" in line).split(",")
    row[head.index("状态")] = "推进中"
    row[head.index("进展情况")] = "正在测试"
    (root / "center.csv").write_bytes(("\n".join([",".join(head), ",".join(row)]) + "\n").encode("gb18030"))
    with StatusStore.of(out) as store:
        result = import_files([str(root / "dashuju.xlsx"), str(root / "office.xlsx"), str(root / "center.csv")],
                              store, D(2026, 3, 20))
    second = _build(out, plan, D(2026, 3, 25))
    return {"root": root, "out": out, "plan": plan, "first": first, "second": second, "before": before,
            "ledgers": ledgers, "result": result, "bad": bad, "extra": extra}


def test_the_build_writes_a_ledger_the_agencies_can_fill(office):
    out = office["out"]
    assert office["first"].ledger_rows == 5                 # four dated milestones and one undated task
    wb, ws, col = _sheet(out / "ledger.xlsx")
    assert tuple(c.value for c in ws[1]) == COLUMNS
    assert ws.protection.sheet                              # locked outside the fill-in columns
    for name in FILL:
        assert ws.cell(2, col[name]).protection.locked is False
    assert ws.cell(2, col["任务"]).protection.locked is not False
    (listed,) = [v for v in ws.data_validations.dataValidation if v.type == "list"]
    assert listed.formula1 == '"未开始,推进中,已完成,申请延期,已销号"'
    assert str(listed.sqref) == f"J2:J{ws.max_row}"
    dates = [v for v in ws.data_validations.dataValidation if v.type == "date"]
    assert len(dates) == 2
    assert ws.cell(_row_of(ws, col, "3月底前"), col["到期日"]).value == dt.datetime(2026, 3, 31)
    # one workbook per lead agency holding only its rows
    assert len(office["ledgers"]) == 3
    wb, ws, col = _sheet(next((out / "ledgers").glob("*.xlsx")))
    leads = {ws.cell(r, col["牵头单位"]).value for r in range(2, ws.max_row + 1)}
    assert len(leads) == 1 and ws.protection.sheet


def test_status_import_records_good_rows_and_names_every_bad_one(office):
    res = office["result"]
    assert res.recorded == 3 and res.files == 3
    problems = "\n".join(res.problems)
    assert f"office.xlsx: sheet 台账, row {office['bad']['future']}: 完成日期 2026-04-30 is after 2026-03-20" in problems
    assert f"office.xlsx: sheet 台账, row {office['extra']}: unknown identity 0000000000@calgen" in problems
    assert "different statuses for one row" in problems and "center.csv: row 2: 推进中" in problems \
        and f"office.xlsx: sheet 台账, row {office['bad']['conflict']}: 已完成" in problems
    assert len(res.problems) == 3
    with StatusStore.of(office["out"]) as store:
        latest = store.latest()
        assert {r.status for r in latest.values()} == {"已完成", "申请延期", "推进中"}
        assert all(r.source.endswith((".xlsx", ".csv")) and r.row >= 2 and r.recorded for r in latest.values())


def test_reimporting_the_same_file_records_nothing(office, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(office["out"], out, symlinks=True)
    with StatusStore.of(out) as store:
        n = store.count()
        again = import_files([str(office["root"] / "dashuju.xlsx")], store, D(2026, 3, 20))
        assert again.recorded == 0 and again.unchanged == 2 and store.count() == n


@pytest.mark.parametrize("fill, problem", [
    ({"状态": "完成了"}, "状态 '完成了' is not one of"),
    ({"状态": "已完成"}, "已完成 without 完成日期"),
    ({"状态": "推进中", "完成日期": "2026-03-01"}, "完成日期 2026-03-01 with 状态 推进中"),
    ({"状态": "申请延期"}, "申请延期 without 新到期日"),
    ({"状态": "申请延期", "新到期日": "2026-03-01"}, "is not after the due date"),
    ({"状态": "已完成", "完成日期": "三月"}, "not a date"),
    ({"进展情况": "在办"}, "状态 is empty"),
    ({"状态": "推进中", "任务": "改写过的任务"}, "changed outside the fill-in columns (任务)"),
    ({"状态": "推进中", "到期日": "2026-12-31"}, "changed outside the fill-in columns (到期日)"),
    ({"状态": "推进中", "标识": ""}, "no 标识"),
])
def test_a_bad_row_is_skipped_with_one_line(office, tmp_path, fill, problem):
    out = tmp_path / "out"
    shutil.copytree(office["out"], out, symlinks=True)
    lines = (out / "ledger.csv").read_text(encoding="utf-8-sig").splitlines()
    head = lines[0].split(",")
    row = next(line for line in lines if "9月底前" in line).split(",")
    for k, v in fill.items():
        row[head.index(k)] = v
    back = tmp_path / "back.csv"
    back.write_text("\n".join([",".join(head), ",".join(row)]) + "\n", encoding="utf-8-sig")
    with StatusStore.of(out) as store:
        n = store.count()
        res = import_files([str(back)], store, D(2026, 3, 20))
        assert res.recorded == 0 and store.count() == n
    (line,) = res.problems
    assert line.startswith(f"{back}: row 2: ") and problem in line and "fix:" in line


def test_the_rebuild_shows_statuses_in_the_feeds(office):
    from icalendar import Calendar

    out = office["out"]
    cal = Calendar.from_ical((out / "feeds" / "all.ics").read_bytes())
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    summaries = {str(e["SUMMARY"]) for e in events.values()}
    assert any(s.startswith("【已完成】3月底前") for s in summaries)
    assert any(s.startswith("【延期】6月底前") for s in summaries)
    before = {str(e["UID"]): e for e in Calendar.from_ical(office["before"].encode()).walk("VEVENT")}
    done = next(u for u, e in events.items() if str(e["SUMMARY"]).startswith("【已完成】"))
    assert int(events[done]["SEQUENCE"]) == int(before[done]["SEQUENCE"]) + 1        # clients take the change
    assert any("status changed" in c.detail for c in office["second"].changes)
    # 【提醒】: ordinary all-day events 5 and 1 working days before each open due date, none for work done
    reminders = [e for u, e in events.items() if u.startswith("remind")]
    assert reminders and not any(e.walk("VALARM") for e in reminders)
    assert not any(u.startswith("remind") and u.endswith(done) for u in events)
    ext = [e for e in reminders if "6月底前" in str(e["SUMMARY"])]
    assert {e["DTSTART"].dt for e in ext} == {CAL.workdays_before(D(2026, 8, 31), n) for n in (5, 1)}
    assert all("2026-08-31" in str(e["DESCRIPTION"]) for e in ext)       # the extended date, not June's
    text = (out / "feeds" / "all.ics").read_text(encoding="utf-8")
    assert "X-PUBLISHED-TTL:PT12H" in text and "REFRESH-INTERVAL;VALUE=DURATION:PT12H" in text
    # the agency's own feed carries both too
    feeds = [p for p in (out / "feeds").glob("*.ics") if "大数据局" in p.read_text(encoding="utf-8")[:400]]
    assert feeds and "【已完成】" in feeds[0].read_text(encoding="utf-8")


def test_the_rebuild_prefills_the_ledger_and_colours_the_gantt_workbook(office):
    out = office["out"]
    wb, ws, col = _sheet(out / "ledger.xlsx")
    r = _row_of(ws, col, "3月底前")
    assert ws.cell(r, col["状态"]).value == "已完成" and ws.cell(r, col["督办状态"]).value == "按期完成"
    assert ws.cell(r, col["完成日期"]).value == dt.datetime(2026, 3, 18)
    assert ws.cell(_row_of(ws, col, "6月底前"), col["督办状态"]).value == "延期"
    gantt = openpyxl.load_workbook(out / "gantt.xlsx")
    notes = [c.value for row in gantt.worksheets[2].iter_rows(min_row=4) for c in row[8:9]]
    assert any(str(n).startswith("【延期】") for n in notes)                 # task (一): done + extended


def test_the_gantt_page_colours_milestones_by_state_in_chromium(office, tmp_path):
    from .test_gantt import _chromium, _dom

    chromium = _chromium()
    page = office["out"] / "gantt.html"
    html = page.read_text(encoding="utf-8")
    assert '"按期完成"' in html and '"延期"' in html
    one = tmp_path / "one.html"
    one.write_text(html.replace('id="view"><option value="-1">', 'id="view"><option value="0" selected>x</option>'
                                '<option value="-1">'), encoding="utf-8")
    dom = _dom(chromium, one, tmp_path / "p")
    assert 'data-ok="1"' in dom and "data-error" not in dom
    assert 'class="ms s-done"' in dom and 'data-state="按期完成"' in dom and 'class="ms s-ext"' in dom


def test_ms_project_xml_carries_percent_complete_and_actual_finish(office):
    from .test_gantt import _mpxj

    reader, _ = _mpxj()
    project = reader().read(str(office["out"] / "gantt.xml"))
    by_name = {str(t.getName()): t for t in project.getTasks() if t.getName() is not None}
    done = next(t for n, t in by_name.items() if n.startswith("3月底前"))
    assert float(done.getPercentageComplete().doubleValue()) == 100.0
    assert str(done.getActualFinish().toLocalDate()) == "2026-03-18"
    later = next(t for n, t in by_name.items() if n.startswith("9月底前"))
    assert float(later.getPercentageComplete().doubleValue()) == 0.0 and later.getActualFinish() is None
    parent = done.getParentTask()
    assert float(parent.getPercentageComplete().doubleValue()) == 50.0          # one of its two milestones


def test_report_counts_per_lead_agency_as_of_a_date(office, tmp_path):
    r = CliRunner().invoke(cli, ["report", "-o", str(office["out"]), "--as-of", "2026-07-06", "--to", str(tmp_path)])
    assert r.exit_code == 0, r.output
    csv = (tmp_path / "report.csv").read_text(encoding="utf-8-sig").splitlines()
    head = csv[0].split(",")
    rows = {line.split(",")[0]: dict(zip(head, line.split(","), strict=True)) for line in csv[1:]}
    big = next(v for k, v in rows.items() if "大数据局" in k)
    # 3月底前 done on time; 6月底前 extended to 31 August; 9月底前 not yet due
    assert (big["应完成"], big["按期完成"], big["延期"], big["未到期"], big["完成率"]) == ("1", "1", "1", "1", "100.0%")
    center = next(v for k, v in rows.items() if "政务服务中心" in k)
    assert (center["逾期"], center["完成率"]) == ("1", "0.0%")                  # 4月底前: nothing reported
    bulletin = (tmp_path / "通报.txt").read_text(encoding="utf-8")
    assert "共有1项任务节点逾期未完成" in bulletin and "政务服务中心" in bulletin and "4月底前" in bulletin
    assert (tmp_path / "report.xlsx").exists() and "配合" in (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "财政局" in (tmp_path / "report.html").read_text(encoding="utf-8")      # supporting roles listed apart


def test_digest_is_written_and_mailed_to_a_real_smtp_server(office, tmp_path, monkeypatch):
    aiosmtpd = pytest.importorskip("aiosmtpd.controller")
    import socket

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            received.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = aiosmtpd.Controller(Handler(), hostname="127.0.0.1", port=port)
    server.start()
    try:
        monkeypatch.chdir(tmp_path)
        names = _agency_names(office["out"])
        center = next(n for n in names if "政务服务中心" in n)
        (tmp_path / "calgen.toml").write_text(f'[contacts]\n"{center}" = "center@example.gov.cn"\n', encoding="utf-8")
        r = CliRunner().invoke(cli, ["digest", "-o", str(office["out"]), "--as-of", "2026-04-24", "--to", "d",
                                     "--smtp", "127.0.0.1", "--port", str(port), "--sender", "duban@example.gov.cn"])
    finally:
        server.stop()
    assert r.exit_code == 0, r.output
    assert f"sent: {center} <center@example.gov.cn>" in r.output
    assert "has no address under [contacts]" in r.output               # the others, named, not guessed
    (rcpt, content), = received
    assert rcpt == ["center@example.gov.cn"]
    import email
    from email import policy

    msg = email.message_from_string(content, policy=policy.default)
    assert "临近到期" in msg["Subject"]
    body = msg.get_body(("plain",)).get_content()
    assert "4月底前" in body and "2026-04-30" in body and "个工作日" in body
    assert (tmp_path / "d" / "index.html").exists() and list((tmp_path / "d").glob("*.txt"))
    # the supporting agency gets its digest; a collective (各县（区）人民政府) has no mailbox and none
    texts = [p.read_text(encoding="utf-8") for p in (tmp_path / "d").glob("*.txt")]
    assert any(t.startswith("某某市财政局：") for t in texts) and not any("人民政府：" in t[:20] for t in texts)


def _agency_names(out):
    with StatusStore.of(out) as store:
        return {n for p in store.published().values() for n in p.lead.split("、") if n}


def test_regeneration_keeps_every_status(office, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(office["out"], out, symlinks=True)
    plan = tmp_path / "plan.txt"
    plan.write_text(PLAN_NEXT, encoding="utf-8")
    with StatusStore.of(out) as store:
        before = store.latest()
    rep = build([str(plan)], rules_for(output=out, as_of=D(2026, 3, 26), source_date_epoch=EPOCH,
                                       withdrawn=(str(office["plan"]),)))
    assert not rep.failures
    with StatusStore.of(out) as store:
        assert store.latest() == before                              # nothing recorded is lost
        published = store.published()
    wb, ws, col = _sheet(out / "ledger.xlsx")
    statuses = {ws.cell(r, col["节点"]).value.split("：")[0] if ws.cell(r, col["节点"]).value else
                ws.cell(r, col["任务"]).value: ws.cell(r, col["状态"]).value for r in range(2, ws.max_row + 1)}
    assert statuses["3月底前"] == "已完成" and statuses["6月底前"] == "申请延期"   # (一) is (二) now: kept
    assert statuses["5月底前"] is None                                       # the new task
    gone = [p for p in published.values() if not p.current]
    assert any("宣传解读" in p.task for p in gone)                            # removed, its status kept
    # a late answer for the removed task is recorded and reported, never dropped
    wb, ws, col = _sheet(office["root"] / "office.xlsx")
    for r in range(2, ws.max_row + 1):
        if "宣传解读" not in str(ws.cell(r, col["任务"]).value):
            for name in FILL:
                ws.cell(r, col[name]).value = None
        else:
            ws.cell(r, col["状态"]).value = "已完成"
            ws.cell(r, col["完成日期"]).value = dt.datetime(2026, 3, 24)
    wb.save(tmp_path / "late.xlsx")
    with StatusStore.of(out) as store:
        res = import_files([str(tmp_path / "late.xlsx")], store, D(2026, 3, 26))
        assert res.recorded == 1 and "is no longer in the plans" in res.notes[0]
        assert len(store.history(next(p.id for p in gone if "宣传解读" in p.task))) == 2


def test_status_cli_round_trip(office, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(office["out"], out, symlinks=True)
    r = CliRunner().invoke(cli, ["status", "import", str(office["root"] / "dashuju.xlsx"), "-o", str(out),
                                 "--as-of", "2026-03-20"])
    assert r.exit_code == 0 and "2 unchanged" in r.output
    with StatusStore.of(out) as store:
        uid = next(id for id, rec in store.latest().items() if rec.status == "已完成")
    r = CliRunner().invoke(cli, ["status", "history", uid, "-o", str(out)])
    assert r.exit_code == 0 and "已完成" in r.output and "dashuju.xlsx" in r.output
    r = CliRunner().invoke(cli, ["status", "import", str(office["root"] / "office.xlsx"), "-o", str(tmp_path / "none")])
    assert r.exit_code != 0 and "run calgen build first" in r.output


def test_the_fast_ledger_writer_makes_the_cells_xlsxwriter_makes():
    """Template (the build's writer) against LedgerBook (XlsxWriter, the ledger's definition):
    the same values, formats, locks and colours, the same ranges, on awkward text."""
    import io

    from calgen.follow.ledger import LedgerBook, Row, Template

    rows = [Row(f"id{i}@calgen", "k", "计划 & <附件>", f"任务{i}", ("甲局", "乙局") if i % 2 else ("甲局",), "丙局" if i % 3 else "",
                "", f"{i}月底前：" + "完成" * i, "" if i % 4 == 0 else f"2026-0{1 + i % 9}-2{i % 9}", list(State)[i % 7].value,
                "已完成" if i % 2 else "", "2026-03-01" if i % 2 else "", "2026-08-31" if i % 5 == 0 else "",
                " 前后有空格 " if i == 3 else "进展\n第二行", "=1+1" if i == 2 else "")
            for i in range(12)]
    fast, slow = io.BytesIO(), io.BytesIO()
    Template(D(2026, 3, 1), dt.datetime(2026, 1, 1)).write(fast, "某局督办台账", iter(rows), len(rows))
    book = LedgerBook(slow, "某局督办台账", D(2026, 3, 1), dt.datetime(2026, 1, 1))
    for row in rows:
        book.add(row)
    book.close()

    def cells(data):
        wb = openpyxl.load_workbook(io.BytesIO(data))
        out = []
        for ws in wb.worksheets:
            out.append((ws.title, ws.dimensions, str(ws.auto_filter.ref), ws.protection.sheet,
                        [(v.type, str(v.sqref), v.formula1) for v in ws.data_validations.dataValidation]))
            out += [(c.coordinate, c.value, c.number_format, c.protection.locked, c.font.b,
                     c.font.color.rgb if c.font.color else None, c.fill.fgColor.rgb) for row in ws.iter_rows() for c in row]
        return out, wb.properties.title

    assert cells(fast.getvalue()) == cells(slow.getvalue())
    empty = io.BytesIO()
    Template(D(2026, 3, 1), dt.datetime(2026, 1, 1)).write(empty, "空", iter(()), 0)
    assert openpyxl.load_workbook(io.BytesIO(empty.getvalue())).worksheets[0].max_row == 1


@pytest.mark.parametrize("text, problem", [
    ("soon_days = -1", "not a number of working days"),
    ("soon_days = 61", "not a number of working days"),
    ('soon_days = "5"', "soon_days must be a int"),
    ("reminders = [5, true]", "not a number of working days"),
    ('reminders = ["5d"]', "not a number of working days"),
    ('[contacts]\n"市财政局" = "not an address"', "is not an e-mail address"),
    ('[contacts]\n"市财政局" = 5', "is not an e-mail address"),
])
def test_follow_up_settings_are_checked_once(tmp_path, text, problem):
    from calgen.errors import MappingError
    from calgen.settings import load_config

    path = tmp_path / "calgen.toml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(MappingError, match=problem.replace("(", r"\(").replace("[", r"\[")):
        load_config(path)


def test_follow_up_settings_in_calgen_toml_reach_the_build(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plan.txt").write_text(PLAN, encoding="utf-8")
    (tmp_path / "calgen.toml").write_text('inputs = ["plan.txt"]\nreminders = [3]\nsoon_days = 10\n'
                                          '[contacts]\n"某某市大数据局" = "dsj@example.gov.cn"\n', encoding="utf-8")
    r = CliRunner().invoke(cli, ["build", "--as-of", "2026-03-02"])
    assert r.exit_code == 0, r.output
    text = (tmp_path / "output" / "feeds" / "all.ics").read_text(encoding="utf-8")
    assert "remind3-" in text and "remind5-" not in text and "as of 2026-03-02" in r.output


def test_a_damaged_status_store_never_stops_a_build(tmp_path):
    """The office's store is not an input: a damaged one leaves the outputs built (without
    statuses), the store untouched, and one line saying so."""
    plan = tmp_path / "plan.txt"
    plan.write_text(PLAN, encoding="utf-8")
    out = tmp_path / "out"
    (out / ".status").mkdir(parents=True)
    damaged = out / ".status" / "status.sqlite"
    damaged.write_bytes(b"this is not a database" * 100)
    rep = _build(out, plan, D(2026, 3, 20))
    assert (out / "feeds" / "all.ics").exists() and (out / "ledger.xlsx").exists()
    assert any("status.sqlite" in w and "no statuses" in w for w in rep.warnings)
    assert damaged.read_bytes() == b"this is not a database" * 100


def test_a_file_that_is_not_a_ledger_is_one_line_and_the_others_are_imported(office, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(office["out"], out, symlinks=True)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    other = tmp_path / "notes.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    with StatusStore.of(out) as store:
        res = import_files([str(broken), str(other), str(office["root"] / "dashuju.xlsx")], store, D(2026, 3, 20))
    assert res.files == 3 and res.unchanged == 2
    assert any(p.startswith(f"{broken}: cannot be read as a ledger") for p in res.problems)
    assert any(str(other) in p and "no ledger header" in p for p in res.problems)


@pytest.mark.parametrize(("sentence", "day", "word", "ledger_due", "state"), [
    # a policy's end (SCHEMA.md: a point; GENRE.md: not a deadline) — on its own day, a Saturday
    # in the Labour Day holiday, nothing due by it
    ("将阶段性降低失业保险费率政策实施期限延长至2022年4月30日。", "2022-04-30", "日期节点", "", "无时限"),
    # a start: when work begins, on the next working day
    ("从2022年5月1日起实行新的办理流程。", "2022-05-05", "开始", "", "无时限"),
    # a deadline: due the last working day before, and overdue once past
    ("2022年4月30日前完成系统上线。", "2022-04-29", "应完成", "2022-04-29", "逾期"),
])
def test_what_falls_due_is_a_deadline_not_a_date_the_plan_names(tmp_path, sentence, day, word, ledger_due, state):
    """#29/#30: 实施期限延长至… is published as the day it is, never as 应完成 nor 逾期."""
    import csv

    from icalendar import Calendar

    from calgen.publish.build import build

    plan = tmp_path / "plan.txt"
    plan.write_text(f"示范省2022年工作要点\n一、稳定就业。{sentence}（示范省人力资源社会保障厅负责）\n", encoding="utf-8")
    out = tmp_path / "out"
    build([str(plan)], rules_for(output=out, as_of=dt.date(2022, 12, 1), follow_all=True))
    cal = Calendar.from_ical((out / "feeds" / "all.ics").read_bytes())
    (event,) = [e for e in cal.walk("VEVENT") if not str(e["UID"]).startswith("remind")]
    assert event["DTSTART"].dt.isoformat() == day
    assert str(event["DESCRIPTION"]).startswith(word + "：")
    assert str(event["SUMMARY"]).startswith("【逾期】") == (state == "逾期")
    with open(out / "ledger.csv", encoding="utf-8-sig") as fh:
        (row,) = list(csv.DictReader(fh))
    assert (row["到期日"], row["督办状态"]) == (ledger_due, state)
