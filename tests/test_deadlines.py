"""Deadline phrases → (kind, nominal, due) on the Chinese working-day calendar."""
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calgen.errors import CalendarCoverageError, DeadlineError
from calgen.extract.deadlines import Context, find
from calgen.extract.document import extract_text
from calgen.rules import Rules
from calgen.settings import Roll, Settings

D = dt.date
_RULES = Rules.load(Settings())      # for hypothesis tests, which cannot take fixtures

# (text, plan year, issue date) → [(kind, phrase, nominal)]
PHRASES = [
    ("6月底前完成", 2021, None, [("deadline", "6月底前", D(2021, 6, 30))]),
    ("六月底前完成", 2021, None, [("deadline", "六月底前", D(2021, 6, 30))]),
    ("2019年3月底前完成", 2018, None, [("deadline", "2019年3月底前", D(2019, 3, 31))]),
    ("年底前完成", 2021, None, [("deadline", "年底前", D(2021, 12, 31))]),
    ("2020年底前完成", 2018, None, [("deadline", "2020年底前", D(2020, 12, 31))]),
    ("2020年年底前完成", 2018, None, [("deadline", "2020年年底前", D(2020, 12, 31))]),
    ("11月30日前报送", 2021, None, [("deadline", "11月30日前", D(2021, 11, 30))]),
    ("2021年2月3日前", 2020, None, [("deadline", "2021年2月3日前", D(2021, 2, 3))]),
    ("4月前出台", 2021, None, [("deadline", "4月前", D(2021, 3, 31))]),
    ("9月中旬前完成", 2021, None, [("deadline", "9月中旬前", D(2021, 9, 20))]),
    ("6月底完成", 2021, None, [("deadline", "6月底完成", D(2021, 6, 30))]),
    ("年内实现", 2021, None, [("deadline", "年内", D(2021, 12, 31))]),
    ("年中完成", 2021, None, [("deadline", "年中", D(2021, 6, 30))]),
    ("上半年完成", 2021, None, [("deadline", "上半年", D(2021, 6, 30))]),
    ("下半年启动", 2021, None, [("deadline", "下半年", D(2021, 12, 31))]),
    ("一季度末前完成", 2021, None, [("deadline", "一季度末前", D(2021, 3, 31))]),
    ("第三季度完成", 2021, None, [("deadline", "第三季度", D(2021, 9, 30))]),
    ("三季度末", 2021, None, [("deadline", "三季度末", D(2021, 9, 30))]),
    ("到2025年，基本建成", 2021, None, [("deadline", "2025年", D(2025, 12, 31))]),
    ("2019年，完成系统建设", 2018, None, [("deadline", "2019年", D(2019, 12, 31))]),
    ("春节前发放到位", 2023, D(2022, 11, 1), [("deadline", "春节前", D(2023, 1, 20))]),
    ("国庆节前完成督查", 2023, None, [("deadline", "国庆节前", D(2023, 9, 28))]),
    ("从4月起开展", 2021, None, [("start", "从4月起", D(2021, 4, 1))]),
    ("自2023年第二季度起", 2023, None, [("start", "自2023年第二季度起", D(2023, 4, 1))]),
    ("实施期限延长至2022年4月30日", 2021, None, [("point", "2022年4月30日", D(2022, 4, 30))]),
    ("分别于6月底前、11月底前报送", 2021, None,
     [("deadline", "6月底前", D(2021, 6, 30)), ("deadline", "11月底前", D(2021, 11, 30))]),
    ("分别于6月15日、12月15日前报送", 2021, None,
     [("deadline", "6月15日前", D(2021, 6, 15)), ("deadline", "12月15日前", D(2021, 12, 15))]),
    ("615日前报送", 2021, None, [("deadline", "615日前", D(2021, 6, 15))]),
    ("每年开展一次", 2021, None, [("recurring", "每年", None)]),
    ("每季度报送", 2021, None, [("recurring", "每季度", None)]),
    ("实行月报制度", 2021, None, []),            # a noun: the system, not a date (#14)
    ("3个工作日内办结", 2021, None, [("duration", "3个工作日内", None)]),
    ("20个工作日以内", 2021, None, [("duration", "20个工作日以内", None)]),
    ("1个小时内办结", 2021, None, [("duration", "1个小时内", None)]),
    ("半个工作日内", 2021, None, [("duration", "半个工作日内", None)]),
    ("5年内基本实现", 2021, None, [("open", "5年内", D(2025, 12, 31))]),
    ("长期坚持", 2021, None, [("open", "长期坚持", None)]),
    ("用3至5年时间基本建成", 2021, None, [("open", "3至5年时间", None)]),
    ("2024年内完成", 2023, None, [("deadline", "2024年内", D(2024, 12, 31))]),
    ("截至2024年底，完成改造", 2023, None, [("deadline", "2024年底", D(2024, 12, 31))]),
    ("到2027年底前全面建成", 2024, None, [("deadline", "2027年底前", D(2027, 12, 31))]),
    ("2024年起实施", 2023, None, [("start", "2024年起", D(2024, 1, 1))]),
    ("二〇二三年六月底前完成", 2023, None, [("deadline", "二〇二三年六月底前", D(2023, 6, 30))]),
    ("明年3月底前", 2023, None, [("deadline", "明年3月底前", D(2024, 3, 31))]),
    ("每月28日前报送", 2023, None, [("recurring", "每月28日前", None)]),
    ("提供7×24小时服务", 2023, None, []),
    ("元旦春节期间做好保障", 2023, None, []),
    ("完成时限：持续推进", 2023, None, [("open", "持续推进", None)]),
    ("力争2020年设立15家工作站", 2020, None, [("deadline", "2020年", D(2020, 12, 31))]),
    ("平均不超2个工作日", 2020, None, [("duration", "2个工作日", None)]),
    ("企业开办半个工作日办结", 2020, None, [("duration", "半个工作日", None)]),
    ("审批时限从180个工作日缩短为90个工作日", 2020, None, [("duration", "90个工作日", None)]),
    ("落实《鼓励外商投资产业目录(2020年版)》", 2021, None, []),
    ("开展2021年促进跨境贸易便利化专项行动", 2021, None, []),
    ("2019年以来成效明显", 2021, None, []),
    ("6 月底前完成", 2021, None, []),      # spaces are removed by reading, not by the grammar
]


@pytest.mark.parametrize("text,year,issued,expected", PHRASES)
def test_phrases(text, year, issued, expected, rules):
    got = [(m.kind, m.phrase, m.nominal) for m in find(text, Context(year, issued), rules.phrases)]
    assert got == expected


# (nominal, due) by the last-working-day rule, including 调休 makeup days
DUES = [
    (D(2018, 12, 31), D(2018, 12, 29)),   # Sat 12-29 is a makeup working day
    (D(2022, 1, 31), D(2022, 1, 30)),     # Sun 01-30 is a makeup working day
    (D(2020, 1, 31), D(2020, 1, 23)),     # the 2020 Spring Festival extension
    (D(2023, 9, 30), D(2023, 9, 28)),     # 中秋 + 国庆
    (D(2021, 6, 30), D(2021, 6, 30)),
    (D(2021, 10, 31), D(2021, 10, 29)),
]


@pytest.mark.parametrize("nominal,due", DUES)
def test_due_is_last_working_day(nominal, due, rules):
    assert rules.calendar.due(nominal).date == due


def test_roll_policies(rules):
    cal = rules.calendar
    assert cal.due(D(2023, 9, 30), Roll.FOLLOWING).date == D(2023, 10, 7)
    assert cal.due(D(2023, 9, 30), Roll.NONE).date == D(2023, 9, 30)
    assert cal.due(D(2023, 9, 30)).reason == "2023-09-30 为国庆节假期，提前至此前最后一个工作日 2023-09-28（周四）"


def test_2005_12_31_is_a_working_day(rules):
    """chinese-calendar marks it rest; the 2006 notice made it a working day (corrections.toml)."""
    assert rules.calendar.is_workday(D(2005, 12, 31))


def test_every_month_end_2018_2026_agrees_with_chinese_calendar(rules):
    import calendar as pycal

    import chinese_calendar as cc

    cal = rules.calendar
    for year in range(2018, 2027):
        for month in range(1, 13):
            day = D(year, month, pycal.monthrange(year, month)[1])
            want = day
            while not cc.is_workday(want):
                want -= dt.timedelta(days=1)
            assert cal.due(day).date == want, day


def test_working_days_agree_with_python_holidays_2004_2026(rules):
    import holidays

    cal = rules.calendar
    cn = holidays.country_holidays("CN", years=range(2004, 2027), categories=("public",))
    day = D(2004, 1, 1)
    mismatches = []
    while day <= D(2026, 12, 31):
        # python-holidays knows rest days but not makeup working days: compare rest on weekdays
        if day.weekday() < 5 and (day in cn) == cal.is_workday(day) and day != D(2005, 12, 31):
            mismatches.append(day)
        day += dt.timedelta(days=1)
    assert mismatches == []


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=D(2004, 1, 5), max_value=D(2026, 12, 20)))
def test_due_properties(nominal):
    cal = _RULES.calendar
    due = cal.due(nominal).date
    assert cal.is_workday(due)
    assert due <= nominal
    day = due + dt.timedelta(days=1)
    while day <= nominal:
        assert not cal.is_workday(day)
        day += dt.timedelta(days=1)


def test_impossible_dates_are_errors(rules):
    for text in ("2月30日前完成", "13月底前完成"):
        with pytest.raises(DeadlineError):
            find(text, Context(2021), rules.phrases)


def test_impossible_date_in_a_document_is_a_warning_naming_the_line(rules):
    """One bad phrase never costs the plan: the task keeps its other milestones, the warning
    names the line and the phrase."""
    text = "示范市人民政府办公室\n2021年3月1日\n一、任务\n(一)推进。2月30日前完成，6月底前验收。\n(二)其他。年底前完成。\n"
    doc = extract_text(text, "plan.txt", rules)
    first, second = doc.tasks
    assert [m.phrase for m in first.milestones] == ["6月底前"]
    assert first.warnings == ("line 4: impossible date (2月30日前) — check the month and day in the plan",)
    assert [m.phrase for m in second.milestones] == ["年底前"]
    assert "line 4: impossible date (2月30日前) — check the month and day in the plan" in doc.warnings


YEAR_2027 = """year = 2027
complete = true
source = "测试用：假设的2027年节假日安排"
url = "https://example.invalid/2027"
workdays = [2027-02-14]

[[holiday]]
name = "元旦"
start = 2027-01-01
end = 2027-01-01

[[holiday]]
name = "春节"
start = 2027-02-06
end = 2027-02-12

[[holiday]]
name = "国庆节"
start = 2027-10-01
end = 2027-10-07
"""


def test_2027_is_refused_then_resolved_with_a_supplied_file(tmp_path, rules):
    with pytest.raises(CalendarCoverageError) as e:
        rules.calendar.due(D(2027, 9, 30))
    assert str(e.value) == (
        "no State Council holiday arrangement for 2027 (calendar data covers 2004–2026) — import the "
        "State Council notice with `calgen holidays import NOTICE` (writes mappings/holidays/2027.toml), "
        "pass --calendar-file, or build with --assume-weekdays to mark such dates as estimated")
    path = tmp_path / "2027.toml"
    path.write_text(YEAR_2027, encoding="utf-8")
    cal = Rules.load(Settings(calendar_files=(path,))).calendar
    assert cal.due(D(2027, 10, 2)).date == D(2027, 9, 30)
    assert cal.is_workday(D(2027, 2, 14))


def test_assume_weekdays_marks_estimates():
    due = Rules.load(Settings(assume_weekdays=True)).calendar.due(D(2028, 10, 1))
    assert due.date == D(2028, 9, 29) and "estimated" in due.flags


def test_last_covered_december_is_provisional(rules):
    assert "provisional" in rules.calendar.due(D(2026, 12, 31)).flags


@pytest.mark.parametrize("body,message", [
    ('year = 2027\nsource = "x"\n[[holiday]]\nname = "春节"\nstart = 2027-02-06\n', "2027 is not marked 'complete = true'"),
    ('year = 2027\ncomplete = true\nsource = "x"\nworkdays = [2027-02-08]\n[[holiday]]\nname = "春节"\nstart = 2027-02-06\n',
     "makeup working day 2027-02-08 is a 周一, not a weekend"),
    ('year = 2027\ncomplete = true\nsource = "x"\n[[holiday]]\nname = "植树节"\nstart = 2027-03-12\n',
     "holiday '植树节' is not a statutory holiday"),
])
def test_holiday_file_validation(tmp_path, body, message):
    from calgen.calendar.holidays import load_year_file
    from calgen.errors import MappingError

    path = tmp_path / "2027.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(MappingError) as e:
        load_year_file(path)
    assert message in str(e.value) and str(path) in str(e.value)


def test_before_issue_date_is_flagged_not_moved(rules):
    text = "示范市人民政府办公室\n2021年4月16日\n一、任务\n(一)推进。从4月起开展服务，3月底前完成。\n"
    ms = extract_text(text, "p.txt", rules).tasks[0].milestones
    start, deadline = ms
    assert start.nominal == D(2021, 4, 1) and "before_issue" in start.flags
    assert deadline.due == D(2021, 3, 31) and "早于文件印发日期" in deadline.note


# The genre's stated convention: a bare month takes the year of the preceding phrase in the same
# sentence (2021年6月底前…，12月底前… → 2021-12-31); across a 。 it is the plan's year again.
YEAR_CARRIED = [
    ("2021年6月底前完成系统部署，12月底前全面推广。", 2020, ["2021-06-30", "2021-12-31"]),
    ("2021年6月底前完成系统部署。12月底前全面推广。", 2020, ["2021-06-30", "2020-12-31"]),
    ("6月底前完成方案，2021年12月底前全面推广。", 2020, ["2020-06-30", "2021-12-31"]),
    ("2022年3月底前出台办法，9月底前开展试点，12月底前总结评估。", 2021, ["2022-03-31", "2022-09-30", "2022-12-31"]),
    ("2021年6月底前完成部署，十二月底前全面推广。", 2020, ["2021-06-30", "2021-12-31"]),
    ("2021年6月底前完成部署，年底前完成验收。", 2020, ["2021-06-30", "2020-12-31"]),   # 年底 is not a bare month
    ("2022年6月底前完成，6月底前开展自查。", 2022, ["2022-06-30", "2022-06-30"]),      # the plan's own year: no change
]


@pytest.mark.parametrize("text, year, expected", YEAR_CARRIED)
def test_a_bare_month_takes_the_year_of_the_preceding_phrase_in_its_sentence(text, year, expected, rules):
    got = find(text, Context(year), rules.phrases)
    assert [m.nominal.isoformat() for m in got] == expected


# Ranges: two exact dates are a start and an exact end (the genre's reading, ../shared/realworld
# README "date ranges"); months or years keep one deadline with its span; a validity is neither.
RANGES = [
    ("2019年1月1日至12月31日开展专项整治。", 2019, [("start", "2019-01-01"), ("point", "2019-12-31")]),
    ("5月1日至6月30日集中受理。", 2023, [("start", "2023-05-01"), ("point", "2023-06-30")]),
    ("2023年9月至12月开展建设。", 2023, [("deadline", "2023-12-31")]),
    ("4至6月开展自查。", 2023, [("deadline", "2023-06-30")]),
    ("执行期限为2019年1月1日至2023年12月31日。", 2019, []),
]


@pytest.mark.parametrize("text, year, expected", RANGES)
def test_ranges_by_their_precision(text, year, expected, rules):
    got = find(text, Context(year), rules.phrases)
    assert [(str(m.kind), m.nominal.isoformat()) for m in got] == expected
