"""`calgen holidays import` (#18): State Council notices written in each year's wording, built
here from the published arrangement (chinese-calendar's data), import to exactly its working
days; damaged copies still read; notices that do not add up are refused with the sentence."""
import datetime as dt
import re

import pytest
from click.testing import CliRunner

from calgen.calendar.holidays import load_year_file
from calgen.calendar.law import law_path, load_law
from calgen.calendar.notice import read_holiday_notice, read_notice
from calgen.calendar.workdays import WEEKDAYS
from calgen.cli import cli
from calgen.errors import MappingError
from calgen.read.clean import clean_text

from .conftest import RULES

ONE = dt.timedelta(days=1)
CAL = RULES.calendar
LAW = load_law(law_path(RULES.folder))


CN_NUM = "一二三四五六七八九十"


def _blocks(year: int):
    """The rest blocks of notice ``year`` as chinese-calendar holds them (its 元旦 may start in
    December before): runs of rest days joined across weekends nobody works, each with its
    festivals (in the order of their days) and its makeup working days."""
    lo, hi = dt.date(year - 1, 12, 25), dt.date(year, 12, 24)
    days = {d: n for y in (year - 1, year) for d, n in CAL.years[y].rest.items() if lo <= d <= hi}
    makeup = {d: n for y in (year - 1, year) for d, n in CAL.years[y].makeup.items() if lo <= d <= hi}
    runs: list[list[dt.date]] = []
    for d in sorted(days):
        if runs and all(x.weekday() >= 5 and x not in makeup
                        for x in (runs[-1][-1] + ONE * k for k in range(1, (d - runs[-1][-1]).days))):
            runs[-1].append(d)
        else:
            runs.append([d])
    out = []
    for b in runs:
        names = list(dict.fromkeys(days[d] for d in b))
        work = sorted(d for d, n in makeup.items() if n in names)
        out.append((names, b[0], b[-1], work))
    for name in LAW.festivals(year):         # 2020: 中秋 on 1 October, named 国庆 in the data
        if not any(name in names for names, *_ in out):
            day = LAW.statutory(name, year)[0]
            next(names for names, a, z, _ in out if a <= day <= z).append(name)
    return out


def _d(day: dt.date, year: int, prev: dt.date | None, style: str, lunar: str = "") -> str:
    """A date as the style prints it: year only when it differs, month only when it changes."""
    wk = WEEKDAYS[day.weekday()]
    y = f"{day.year}年" if day.year != year or (prev and prev.year != day.year) else ""
    m = f"{day.month}月" if (prev is None or prev.month != day.month or y) else ""
    if style == "portal":            # 2025–: every date annotated, lunar ones for 春节
        ann = f"（{lunar + '、' if lunar else ''}周{wk}）"
    elif style == "old":             # –2010: 星期 only on weekend days
        ann = f"（星期{wk}）" if day.weekday() >= 5 else ""
    else:                            # 2011–2024: 星期 on makeup days only (added by the caller)
        ann = ""
    return f"{y}{m}{day.day}日{ann}"


def _lunar(day: dt.date) -> str:
    from lunar_python import Solar

    lu = Solar.fromYmd(day.year, day.month, day.day).getLunar()
    nxt = Solar.fromYmd((day + ONE).year, (day + ONE).month, (day + ONE).day).getLunar()
    if nxt.getMonth() == 1 and nxt.getDay() == 1:
        return "农历除夕"
    return f"农历{lu.getMonthInChinese()}月{lu.getDayInChinese()}"


def notice(year: int, style: str = "middle", without: str = "") -> str:
    """chinese-calendar's arrangement for ``year`` written as a State Council notice in one of
    the printed styles: "old" (—, 星期), "middle" (至, 星期 on makeup days), "portal" (至, every date
    annotated, lunar on 春节)."""
    blocks = [b for b in _blocks(year) if without not in b[0]]
    festivals = [n for names, *_ in blocks for n in names]
    listed = "、".join(festivals[:-1]) + "和" + festivals[-1]
    lines = [f"国务院办公厅关于{year}年部分节假日安排的通知", f"国办发明电〔{year - 1}〕1号",
             "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：",
             f"经国务院批准，现将{year}年{listed}放假调休日期的具体安排通知如下。"]
    dash = "—" if style == "old" else "至"
    for i, (names, a, z, work) in enumerate(blocks):
        head = f"{CN_NUM[i]}、{'、'.join(names)}："
        la = _lunar(a) if style == "portal" and "春节" in names else ""
        lz = _lunar(z) if style == "portal" and "春节" in names else ""
        if a == z:
            text = f"{_d(a, year, None, style, la)}放假，与周末连休。"
        else:
            text = (f"{_d(a, year, None, style, la)}{dash}{_d(z, year, a, style, lz)}放假调休，"
                    f"共{(z - a).days + 1}天。")
        if work:
            parts, prev = [], None
            for w in work:
                s = _d(w, year, prev, style)
                parts.append(s if "（" in s else s + f"（星期{WEEKDAYS[w.weekday()]}）")
                prev = w
            text += "、".join(parts) + "上班。"
        lines.append(head + text)
    lines += ["节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作。", "国务院办公厅", f"{year - 1}年12月1日"]
    return "\n".join(lines)


def _workdays(arr, year):
    rest = arr.rest_days()
    make = {d for d, _ in arr.workdays}
    day, out = dt.date(year, 1, 1), {}
    while day <= dt.date(year, 12, 24):
        out[day] = day in make or (day.weekday() < 5 and day not in rest)
        day += ONE
    return out


@pytest.mark.parametrize("style", ["old", "middle", "portal"])
@pytest.mark.parametrize("year", range(2007, 2027))
def test_every_year_imports_to_the_published_working_days(year, style):
    text = notice(year, style)
    if year == 2020:                              # the notice as published, then its extension
        arr = AMENDMENTS_READ[2020].apply(read_notice(_original(2020, text), "2020.txt"))
    else:
        arr = read_notice(text, f"{year}.txt")
    assert arr.year == year
    got = _workdays(arr, year)
    assert got == {d: CAL.is_workday(d) for d in got}


def _damaged(text: str, how: str) -> str:
    if how == "traditional":
        import opencc
        return opencc.OpenCC("s2t").convert(text)
    if how == "ascii":
        return text.translate(str.maketrans("（）：，；", "():,;"))
    if how == "one line":
        return text.replace("\n", "")
    if how == "pinyin":
        return text.replace("放假", "放(fàng)假").replace("上班", "上(shàng)班")
    if how == "chrome":
        return "首页 > 政务公开 > 通知公告\n字号：大 中 小 打印\n" + text + "\n打印本页 关闭窗口 分享到：微信"
    if how == "lost 月":
        return text.replace("10月12日", "1012日")
    raise AssertionError(how)


@pytest.mark.parametrize("how", ["traditional", "ascii", "one line", "pinyin", "chrome", "lost 月"])
def test_damaged_copies_still_read(how):
    text = clean_text(_damaged(notice(2019), how), RULES.simplifier)[0]
    arr = read_notice(text, "copy.html")
    assert _workdays(arr, 2019) == _workdays(read_notice(notice(2019)), 2019)


@pytest.mark.parametrize("change,message", [
    (lambda t: t.replace("2月2日（周六）", "2月5日（周二）").replace("2月2日（星期六）", "2月5日（星期二）"),
     "is a 周二, not a weekend"),
    (lambda t: t.replace("共7天", "共8天", 1), "the notice says 共8天"),
    (lambda t: t.replace("2019年部分", "2020年部分").replace("2018年12月", "2019年12月"),
     "the title is for 2020, the preamble for 2019"),
    (lambda t: re.sub(r"[一二三四五六七八九]、元旦：", "一、国庆节：", t), "a second arrangement for 国庆节"),
    (lambda t: "会议通知\n一、时间：3月1日。", "not a State Council holiday notice"),
])
def test_notices_that_do_not_add_up_are_refused(change, message):
    with pytest.raises(MappingError) as e:
        read_notice(change(notice(2019)), "bad.txt")
    assert message in str(e.value)


def test_import_writes_a_year_file_that_loads(tmp_path):
    src = tmp_path / "notice.txt"
    src.write_text(notice(2019), encoding="utf-8")
    out = tmp_path / "2019.toml"
    r = CliRunner().invoke(cli, ["holidays", "import", str(src), "-o", str(out)])
    assert r.exit_code == 0, r.output
    y = load_year_file(out)
    assert dt.date(2018, 12, 29) in y.makeup and y.rest[dt.date(2019, 2, 4)] == "春节"
    r = CliRunner().invoke(cli, ["holidays", "import", str(src), "-o", str(out)])
    assert r.exit_code == 1 and "exists" in r.output


def test_holidays_year_as_json():
    import json

    r = CliRunner().invoke(cli, ["holidays", "2018", "--format", "json"])
    data = json.loads(r.output)
    assert data["year"] == 2018 and "2018-12-29" in data["makeup_workdays"]
    assert data["festivals"]["国庆节"] == ["2018-10-01", "2018-10-07"]


PLAN_2027 = "2027年示范市工作要点\n一、重点任务\n1.推进系统建设，9月底前完成。（示范市财政局牵头）\n2.年底前完成验收。（示范市财政局牵头）\n"


def test_a_2027_plan_builds_unconfirmed_then_is_confirmed_with_the_same_uids(tmp_path):
    from calgen.publish.build import build

    from .conftest import rules_for

    plan = tmp_path / "plan.txt"
    plan.write_text(PLAN_2027, encoding="utf-8")
    out = tmp_path / "out"
    rep = build([str(plan)], rules_for(output=out))
    assert not rep.failures and any("待定" in w for w in rep.warnings)
    before = (out / "feeds" / "all.ics").read_text(encoding="utf-8")
    assert before.count("【待定】") == 2
    # the notice arrives (here: 2026's arrangement relabelled as a 2027 file is not what we want;
    # a hand-written 2027 arrangement with a 国庆 break from 10月1日)
    year = tmp_path / "2027.toml"
    year.write_text('year = 2027\ncomplete = true\nsource = "test notice"\nworkdays = [2027-09-26]\n\n'
                    '[[holiday]]\nname = "国庆节"\nstart = 2027-10-01\nend = 2027-10-07\n\n'
                    '[[holiday]]\nname = "元旦"\nstart = 2027-01-01\nend = 2027-01-01\n', encoding="utf-8")
    rep = build([str(plan)], rules_for(output=out, calendar_files=(year,)))
    after = (out / "feeds" / "all.ics").read_text(encoding="utf-8")
    assert "【待定】" not in after
    uids = lambda s: sorted(re.findall(r"UID:(?!remind)(\S+)", s))  # noqa: E731  (【提醒】 events aside)
    assert uids(before) == uids(after)
    assert "SEQUENCE:1" in after


# --- amendment notices (#18): the year's first notice as it was, then the amendment on top ----

def _original(year: int, text: str = "") -> str:
    """The notice as first published (before the amendment chinese-calendar already holds)."""
    text = text or notice(year)
    if year == 2015:
        return notice(2015, without="抗战胜利纪念日")
    if year == 2019:
        return re.sub(r"([一二三四五六七八九]、劳动节：)[^\n]*", r"\g<1>5月1日放假，共1天。", text)
    return re.sub(r"([一二三四五六七八九]、春节：)[^\n]*", r"\g<1>1月24日至30日放假调休，共7天。1月19日（周日）、2月1日（周六）上班。", text)


AMENDMENTS = {
    2015: "国务院关于中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日调休放假的通知\n国发明电〔2015〕1号\n"
          "各省、自治区、直辖市人民政府：\n2015年9月3日全国放假1天。为方便安排，特作如下调休：9月3日至5日调休放假，共3天。"
          "其中9月3日（星期四）放假，9月4日（星期五）调休，9月6日（星期日）上班。\n"
          "调休放假期间，各地区、各部门要安排好值班。\n国务院\n2015年5月13日",
    2019: "国务院办公厅关于调整2019年劳动节假期安排的通知\n国办发明电〔2019〕3号\n经国务院批准，现将调整2019年劳动节"
          "放假安排通知如下。\n一、2019年5月1日至4日放假调休，共4天。4月28日（星期日）、5月5日（星期日）上班。\n"
          "二、各地区、各部门要做好落实工作。\n国务院办公厅\n2019年3月22日",
    2020: "国务院办公厅关于延长2020年春节假期的通知\n国办发明电〔2020〕1号\n现将延长2020年春节假期的具体安排通知如下。\n"
          "一、延长2020年春节假期至2月2日（农历正月初九，星期日），2月3日（星期一）起正常上班。\n"
          "二、各地大专院校推迟开学。\n国务院办公厅\n2020年1月26日",
}


AMENDMENTS_READ = {y: read_holiday_notice(t, f"{y}-amendment.txt") for y, t in AMENDMENTS.items()}


def _import(tmp_path, text: str, out, name: str = "n.txt"):
    src = tmp_path / name
    src.write_text(text, encoding="utf-8")
    return CliRunner().invoke(cli, ["holidays", "import", str(src), "-o", str(out)])


@pytest.mark.parametrize("year", sorted(AMENDMENTS))
@pytest.mark.parametrize("damage", ["", "traditional", "ascii"])
def test_amendments_apply_on_top_of_the_years_notice(tmp_path, year, damage):
    out = tmp_path / f"{year}.toml"
    first = _import(tmp_path, _original(year), out)
    assert first.exit_code == 0, first.output
    before = load_year_file(out)
    assert {d: d in before.makeup or (d.weekday() < 5 and d not in before.rest) for d in _days(year)} \
        != {d: CAL.is_workday(d) for d in _days(year)}            # the first notice alone differs
    text = _damaged(AMENDMENTS[year], damage) if damage else AMENDMENTS[year]
    r = _import(tmp_path, text, out, "amend.html")
    assert r.exit_code == 0 and "amended by" in r.output, r.output
    y = load_year_file(out)
    assert {d: d in y.makeup or (d.weekday() < 5 and d not in y.rest) for d in _days(year)} \
        == {d: CAL.is_workday(d) for d in _days(year)}
    assert "国务院办公厅关于" in y.source and "调整" in y.source      # both sources recorded
    again = _import(tmp_path, text, out, "amend.html")
    assert again.exit_code == 1 and "already applied" in again.output


def _days(year: int):
    day = dt.date(year, 1, 1)
    while day <= dt.date(year, 12, 24):
        yield day
        day += ONE


def test_an_amendment_applies_to_the_year_calgen_holds(tmp_path):
    """No year file: the amendment is read against calgen's own data for the year (here
    chinese-calendar's 2019, which already holds it: nothing changes, nothing is written)."""
    r = _import(tmp_path, AMENDMENTS[2019], tmp_path / "2019.toml")
    assert r.exit_code == 0, r.output
    assert "already holds" in r.output and not (tmp_path / "2019.toml").exists()


def test_an_amendment_for_a_year_without_data_is_refused(tmp_path):
    text = ("国务院办公厅关于调整2027年劳动节假期安排的通知\n经国务院批准，现将调整2027年劳动节放假安排通知如下。\n"
            "一、2027年5月1日至5日放假调休，共5天。4月25日（星期日）上班。\n国务院办公厅\n2027年3月1日")
    r = _import(tmp_path, text, tmp_path / "2027.toml")
    assert r.exit_code == 1
    assert "no 2027 arrangement" in r.output and "import the 2027 notice first" in r.output


def test_an_amendment_that_does_not_add_up_is_refused(tmp_path):
    out = tmp_path / "2019.toml"
    _import(tmp_path, _original(2019), out)
    bad = AMENDMENTS[2019].replace("5月5日（星期日）", "5月6日（星期日）")
    r = _import(tmp_path, bad, out, "bad.txt")
    assert r.exit_code == 1 and "the notice says 周日" in r.output
    assert "amended_by" not in out.read_text(encoding="utf-8")     # the year file is untouched


def test_overlay_cancels_a_makeup_day_an_amendment_removed(tmp_path):
    """#18 overlay: the 2月1日 makeup Saturday 2020's extension cancelled, on a 2027 stand-in."""
    from icalendar import Calendar

    from calgen.publish.build import build

    from .conftest import rules_for

    plan = tmp_path / "plan.txt"
    plan.write_text(PLAN_2027, encoding="utf-8")
    out, year = tmp_path / "out", tmp_path / "2027.toml"
    body = ('year = 2027\ncomplete = true\nsource = "test notice"\n\n[[holiday]]\nname = "元旦"\n'
            'start = 2027-01-01\nend = 2027-01-01\n\n[[holiday]]\nname = "国庆节"\nstart = 2027-10-01\n')
    year.write_text(body + "end = 2027-10-07\nworkdays = [2027-09-26]\n", encoding="utf-8")
    build([str(plan)], rules_for(output=out, calendar_files=(year,)))
    year.write_text(body + "end = 2027-10-10\n", encoding="utf-8")
    build([str(plan)], rules_for(output=out, calendar_files=(year,)))
    cal = Calendar.from_ical((out / "feeds" / "holidays.ics").read_bytes())
    by_uid = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    gone = by_uid["cn-work-20270926@calgen"]
    assert str(gone["STATUS"]) == "CANCELLED" and gone["SEQUENCE"] == 1
    longer = by_uid["cn-rest-20271001@calgen"]
    assert longer["DTEND"].dt == dt.date(2027, 10, 11) and longer["SEQUENCE"] == 1
