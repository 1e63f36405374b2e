"""#27: State Council holiday notices as really printed import exactly — or are refused, never wrong.

Fixtures (tests/fixtures/notices/): the 2007, 2008, 2024, 2025 and 2026 notices typed from their
publication (public documents), and example-2027.txt, a notice written for these tests by the
2025 rules (not the State Council's).  Damaged copies are made here the way copies on the web are
damaged; each either imports to the same days or is refused naming its check.
"""
import datetime as dt
import re
from pathlib import Path

import opencc
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calgen.calendar.arrangement import Arrangement, save
from calgen.calendar.holidays import load_year_file
from calgen.calendar.notice import read_holiday_notice
from calgen.cli import cli
from calgen.errors import MappingError
from calgen.read.clean import clean_text

from .conftest import RULES, rules_for
from .test_notice import AMENDMENTS_READ, _original, notice

NOTICES = Path(__file__).parent / "fixtures" / "notices"
CAL = RULES.calendar
ONE = dt.timedelta(days=1)


def _text(year: int | str) -> str:
    return (NOTICES / f"{year}.txt").read_text(encoding="utf-8")


def _status(arr: Arrangement, year: int) -> dict[dt.date, bool]:
    """Working (True) or not, every day from 25 December before to 24 December: the days a
    notice decides."""
    rest, make = arr.rest_days(), {d for d, _ in arr.workdays}
    day, out = dt.date(year - 1, 12, 25), {}
    while day <= dt.date(year, 12, 24):
        out[day] = day in make or (day.weekday() < 5 and day not in rest)
        day += ONE
    return out


def _published(year: int) -> dict[dt.date, bool]:
    day, out = dt.date(year - 1, 12, 25), {}
    while day <= dt.date(year, 12, 24):
        out[day] = CAL.is_workday(day)
        day += ONE
    return out


def _read(text: str, name: str = "copy.txt") -> Arrangement:
    arr = read_holiday_notice(clean_text(text, RULES.simplifier)[0], name)
    assert isinstance(arr, Arrangement)
    return arr


@pytest.mark.parametrize("year", [2007, 2008, 2024, 2025, 2026])
def test_real_notices_import_to_the_published_working_days(year):
    arr = _read(_text(year), f"{year}.txt")
    assert arr.year == year
    assert _status(arr, year) == _published(year)


@pytest.mark.parametrize("year,issued", [(2007, dt.date(2006, 12, 14)), (2008, dt.date(2007, 12, 14)),
                                         (2026, dt.date(2025, 11, 4))])
def test_the_issue_date_is_read_in_either_numerals(year, issued):
    assert _read(_text(year)).issued == issued


def test_2024s_advice_to_rest_on_new_years_eve_adds_no_day():
    arr = _read(_text(2024))
    assert dt.date(2024, 2, 9) not in arr.rest_days()                 # 鼓励…安排职工在除夕（2月9日）休息
    assert _status(arr, 2024)[dt.date(2024, 2, 9)] is True


def test_lunar_annotations_are_read_and_checked():
    arr = _read(_text(2026))
    assert ("春节", dt.date(2026, 2, 15), dt.date(2026, 2, 23)) in arr.holidays
    wrong = _text(2026).replace("农历腊月二十八", "农历腊月二十七")
    with pytest.raises(MappingError, match="is not 农历腊月二十七"):
        _read(wrong)


def test_a_cross_year_block_keeps_its_days_in_the_year_before(tmp_path):
    arr = _read(_text(2008))
    assert ("元旦", dt.date(2007, 12, 30), dt.date(2008, 1, 1)) in arr.holidays
    assert (dt.date(2007, 12, 29), "元旦") in arr.workdays
    save(arr, tmp_path / "2008.toml")
    y = load_year_file(tmp_path / "2008.toml")
    assert dt.date(2007, 12, 29) in y.makeup and dt.date(2007, 12, 31) in y.rest


# --- damaged copies: the same days, or a refusal naming the check -----------------------------

JUNK = "\n下载附件\n2025-11-5 22:32 上传\n! T f\" ~& h. ]( E* n- G0 O3 K: m ~\n"


def _lines(t: str) -> list[str]:
    return t.split("\n")


DAMAGE = {
    # faithful copies, damaged in form only: must import to the same days
    "one paragraph": lambda t: t.replace("\n", ""),
    "no break before 一": lambda t: re.sub(r"通知如下[。：:]?\s*", "通知如下", t).replace("\n", ""),
    "traditional": lambda t: opencc.OpenCC("s2t").convert(t),
    "pinyin glosses": lambda t: t.replace("放假", "放(fàng)假").replace("上班", "上(shàng)班"),
    "ascii punctuation": lambda t: t.translate(str.maketrans("（）：，；", "():,;")),
    "junk lines between items": lambda t: re.sub(r"\n\n(?=[二四六]、)", JUNK, t),
    "related links before and after": lambda t: ("相关链接\n国务院办公厅关于2023年部分节假日安排的通知\n"
                                                 "国务院办公厅关于2022年部分节假日安排的通知\n" + t +
                                                 "\n相关阅读\n国务院办公厅关于2021年部分节假日安排的通知\n"),
    "forum anti-copy junk": lambda t: "\n".join(x + (" 9sd}Z,l\n};EB[n" if i % 2 else " |JP'j1 Ka<0W|\nZk>m!F>,p")
                                              for i, x in enumerate(t.split("\n"))),
    "full-width digits": lambda t: t.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    "ranges with －": lambda t: re.sub(r"日(（[^）]*）)?至", r"日\1－", t),
    "不上班 after a rest": lambda t: t.replace("放假，共3天。", "放假，共3天，不上班。", 1),
    "advice naming a date": lambda t: t.replace("\n\n二、", "鼓励各单位安排职工在12月31日休息。\n\n二、", 1),
}
REFUSED = {
    # copies that lost something: must be refused, with the check that saw it
    "cut after three items": (lambda t: "\n".join(_lines(t)[:[i for i, x in enumerate(_lines(t))
                                                              if re.match("[一二三四五六七]、", x)][3]]),
                              "but the notice has no item for"),
    "one item lost": (lambda t: "\n".join(x for x in _lines(t) if not re.match("[一二三四五六七]、清明节：", x)),
                      "has a gap"),
    "one item lost, renumbered": (lambda t: _renumber([x for x in _lines(t) if not re.match("[一二三四五六七]、清明节：", x)]),
                                  "the preamble lists 清明节 but the notice has no item"),
    "cut mid-sentence": (lambda t: t[:t.index("七、") + 24], ""),
    "makeup days lost": (lambda t: re.sub(r"(七、[^\n]*?共\d天。)[^\n]*", r"\1", t), "do not balance"),
    "a count changed": (lambda t: t.replace("共7天", "共6天"), "the notice says 共6天"),
    "a weekday changed": (lambda t: re.sub(r"（(周|星期)日）", r"（\1一）", t, count=1), "the notice says 周一"),
    "an item duplicated": (lambda t: re.sub(r"(七、国庆节：[^\n]*)", r"\1\n八、国庆节：10月1日至3日放假，共3天。", t),
                           "a second arrangement for 国庆节"),
    "a digit lost from a month": (lambda t: t.replace("10月1日", "0月1日", 1), "not a date"),
    "the title's year changed": (lambda t: t.replace("关于20", "关于21", 1), "the title is for"),
}


@pytest.mark.parametrize("year", [2007, 2008, 2024, 2025, 2026])
def test_a_lost_month_reads_exactly_or_is_refused(year):
    """210日 for 2月10日: read where one reading agrees with its weekday, lunar or festival
    annotation and lies nearest the dates around it; a copy it leaves ambiguous is refused."""
    text = re.sub(r"(\d{1,2})月(\d{1,2})日", r"\1\2日", _text(year))
    try:
        arr = _read(text)
    except MappingError:
        assert year in (2007, 2008)         # their 其中… sentences repeat days a lost 月 leaves ambiguous
        return
    assert _status(arr, year) == _published(year)


def _renumber(lines: list[str]) -> str:
    n = iter("一二三四五六七八九")
    return "\n".join(re.sub(r"^[一二三四五六七八九]、", lambda _: next(n) + "、", x) for x in lines)


@pytest.mark.parametrize("year", [2008, 2024, 2025, 2026])
@pytest.mark.parametrize("how", sorted(DAMAGE))
def test_damaged_faithful_copies_import_exactly(year, how):
    text = _text(year)
    if how == "ranges with －" and year == 2008:
        pytest.skip("2008 writes its ranges with — already")
    assert _status(_read(DAMAGE[how](text)), year) == _published(year)


@pytest.mark.parametrize("year", [2008, 2024, 2026])
@pytest.mark.parametrize("how", sorted(REFUSED))
def test_copies_that_lost_something_are_refused(year, how):
    damage, message = REFUSED[how]
    text = damage(_text(year))
    assert text != _text(year)
    with pytest.raises(MappingError) as e:
        _read(text)
    assert message in str(e.value)


@pytest.mark.parametrize("text,message", [
    ("国务院办公厅关于2026年部分节假日安排的通知\n经国务院批准，现将2026年元旦放假调休日期的具体安排通知如下。\n"
     "一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。", "which the holiday law provides"),
    ("会议通知\n一、时间：3月1日。", "not a State Council holiday notice"),
    (_text(2026).replace("1月4日（周日）上班", "1月5日（周一）上班"), "not a weekend"),
    (_text(2026).replace("9月20日（周日）", "8月30日（周日）"), "far from the 国庆节 holiday"),
    (_text(2026).replace("六、中秋节：9月25日（周五）至27日（周日）", "六、中秋节：9月11日（周五）至13日（周日）"),
     "does not hold 中秋节's statutory day"),
    (_text(2026).replace("10月1日（周四）至7日（周三）放假调休，共7天。", "10月1日（周四）至7日（周三）放假调休，共7天。9月30日。"),
     "dates with no 放假/上班/调至"),
])
def test_refusals_name_the_check(text, message):
    with pytest.raises(MappingError) as e:
        _read(text, "bad.txt")
    assert message in str(e.value) and "bad.txt" in str(e.value)


# --- a property: every year's published arrangement, printed in any style, reads back exactly ---

STYLES = ["old", "middle", "portal"]
FORMS = ["as printed", "one paragraph", "traditional", "ascii punctuation", "junk lines between items",
         "related links before and after", "full-width digits"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(year=st.integers(2007, 2026), style=st.sampled_from(STYLES), form=st.sampled_from(FORMS))
def test_any_years_arrangement_in_any_printed_style_reads_back(year, style, form):
    text = notice(year, style)
    if year == 2020:
        text = _original(2020, text)
    if form != "as printed":
        text = DAMAGE[form](text)
    arr = _read(text)
    if year == 2020:
        arr = AMENDMENTS_READ[2020].apply(arr)
    assert _status(arr, year) == _published(year)


# --- the CLI: where files go, --dry-run, check, encodings ---------------------------------------

def test_import_writes_beside_calgen_toml_and_the_build_uses_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["holidays", "import", str(NOTICES / "example-2027.txt")])
    assert r.exit_code == 0, r.output
    written = tmp_path / "mappings" / "holidays" / "2027.toml"
    assert written.exists() and "calgen had no 2027 data" in r.output
    from calgen.rules import Rules
    from calgen.settings import Settings

    cal = Rules.load(Settings()).calendar
    assert 2027 in cal.years and not cal.is_workday(dt.date(2027, 2, 5)) and cal.is_workday(dt.date(2027, 1, 31))


def test_import_goes_to_the_calendar_files_entry_named_for_the_year(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "calgen.toml").write_text('calendar_files = ["years/2027.toml"]\n', encoding="utf-8")
    (tmp_path / "years").mkdir()
    r = CliRunner().invoke(cli, ["holidays", "import", str(NOTICES / "example-2027.txt")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "years" / "2027.toml").exists() and not (tmp_path / "mappings").exists()


def test_dry_run_prints_the_table_and_the_difference_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["holidays", "import", str(NOTICES / "2026.txt"), "--dry-run"])
    assert r.exit_code == 0, r.output
    assert "2026-02-15 – 2026-02-23" in r.output and "2026-02-14（周六）、2026-02-28（周六）" in r.output
    assert "agrees with what calgen held for 2026 on every day" in r.output
    assert not (tmp_path / "mappings").exists()
    changed = tmp_path / "n.txt"
    changed.write_text(_text(2026).replace("5月9日（周六）上班", "4月26日（周日）上班"), encoding="utf-8")
    r = CliRunner().invoke(cli, ["holidays", "import", str(changed), "--dry-run"])
    assert "2 days change" in r.output and "2026-05-09 周六" in r.output and "2026-04-26 周日" in r.output


def test_check_reports_agreement_or_every_differing_day(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    CliRunner().invoke(cli, ["holidays", "import", str(NOTICES / "2026.txt")])
    CliRunner().invoke(cli, ["holidays", "import", str(NOTICES / "example-2027.txt")])
    r = CliRunner().invoke(cli, ["holidays", "check"])
    assert r.exit_code == 0, r.output
    assert "2026 agrees with chinese-calendar on every day" in r.output
    assert "2027 is not in chinese-calendar's data yet" in r.output
    year = tmp_path / "mappings" / "holidays" / "2026.toml"
    year.write_text(year.read_text(encoding="utf-8").replace("workdays = [2026-05-09]\n", ""), encoding="utf-8")
    r = CliRunner().invoke(cli, ["holidays", "check"])
    assert r.exit_code == 1 and "2026-05-09 周六: year file rest day, chinese-calendar working day" in r.output


@pytest.mark.parametrize("encoding,convert", [("gbk", None), ("gb18030", None), ("big5", "s2tw"), ("utf-16", None)])
def test_legacy_encodings_through_calgens_reader(tmp_path, encoding, convert):
    text = _text(2026).replace("—", "-")
    if convert:
        text = opencc.OpenCC(convert).convert(text)
    src = tmp_path / "notice.txt"
    src.write_bytes(text.encode(encoding, errors="strict"))
    out = tmp_path / "2026.toml"
    r = CliRunner().invoke(cli, ["holidays", "import", str(src), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert load_year_file(out).makeup.keys() >= {dt.date(2026, 2, 14), dt.date(2026, 2, 28)}


def test_an_html_page_with_links_before_the_article(tmp_path):
    links = "".join(f'<li><a href="/{y}.htm">国务院办公厅关于{y}年部分节假日安排的通知</a></li>' for y in (2023, 2024, 2025))
    body = "".join(f"<p>{x}</p>" for x in _text(2026).split("\n") if x)
    page = tmp_path / "notice.html"
    page.write_text(f"<html><head><meta charset='utf-8'><title>通知</title></head><body><ul>{links}</ul>"
                    f"<div class='article'>{body}</div></body></html>", encoding="utf-8")
    out = tmp_path / "2026.toml"
    r = CliRunner().invoke(cli, ["holidays", "import", str(page), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert load_year_file(out).rest[dt.date(2026, 2, 23)] == "春节"


def test_a_refusal_at_save_time_names_the_notice_not_the_scratch_file(tmp_path):
    arr = Arrangement(2027, "国务院办公厅关于2027年部分节假日安排的通知", "", None,
                      [("圣诞节", dt.date(2027, 12, 25), dt.date(2027, 12, 25))])
    with pytest.raises(MappingError) as e:
        save(arr, tmp_path / "2027.toml", source="downloads/notice.html")
    assert "downloads/notice.html" in str(e.value) and ".tmp" not in str(e.value)
    assert list(tmp_path.iterdir()) == []


# --- the December routine: a 2027 plan builds before the notice, and is confirmed after --------

PLAN = ("2027年示范市工作要点\n一、重点任务\n1.每季度报送工作进展情况。（示范市财政局牵头）\n"
        "2.于2027年2月5日前完成年度考核。（示范市人社局牵头）\n3.年底前完成验收。（示范市财政局牵头）\n")


def test_a_2027_plan_with_a_recurring_task_builds_then_is_confirmed_with_the_same_uids(tmp_path):
    from icalendar import Calendar

    from calgen.publish.build import build

    plan = tmp_path / "plan.txt"
    plan.write_text(PLAN, encoding="utf-8")
    out = tmp_path / "out"
    rep = build([str(plan)], rules_for(output=out, calendar_folder=tmp_path / "years"))
    assert not rep.failures
    assert any("plan.txt:3: 每季度 in 2027 published as 待定" in w for w in rep.warnings), rep.warnings
    before = Calendar.from_ical((out / "feeds" / "all.ics").read_bytes())
    events = {str(e["UID"]): e for e in before.walk("VEVENT")}
    assert len(events) == 6 and all("【待定】" in str(e["SUMMARY"]) for e in events.values())
    year = tmp_path / "years" / "2027.toml"
    save(_read(_text("example-2027")), year)
    rep = build([str(plan)], rules_for(output=out, calendar_folder=tmp_path / "years"))
    assert not any("待定" in w for w in rep.warnings)
    everything = {str(e["UID"]): e for e in Calendar.from_ical((out / "feeds" / "all.ics").read_bytes()).walk("VEVENT")}
    after = {uid: e for uid, e in everything.items() if not uid.startswith("remind")}
    assert after.keys() == events.keys()
    # 【提醒】 events come only once working days can be counted (none while 2027 was 待定)
    assert any(uid.startswith("remind") for uid in everything)
    assert not any("【待定】" in str(e["SUMMARY"]) for e in after.values())
    by_summary = {str(e["SUMMARY"]): e["DTSTART"].dt for e in after.values()}
    # 2月5日 is 除夕 in the example notice: due the working day before; 31 December 2027 is a Friday
    assert dt.date(2027, 2, 4) in by_summary.values() and dt.date(2027, 12, 31) in by_summary.values()
