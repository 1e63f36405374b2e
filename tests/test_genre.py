"""Forms from GENRE.md that the seeds do not show, on fixtures written for calgen."""
import datetime as dt
from pathlib import Path

import pytest

from calgen.extract.document import extract_file

from .conftest import RULES

FIX = Path(__file__).parent / "fixtures"
D = dt.date


@pytest.fixture(scope="module")
def county():
    return extract_file(FIX / "county_three_year_plan.txt", RULES)


@pytest.fixture(scope="module")
def city():
    return extract_file(FIX / "city_work_points_pdf_table.txt", RULES)


def _task(doc, path):
    return next(t for t in doc.tasks if t.path == path)


def test_three_year_plan_metadata(county):
    assert (county.doc_number, county.issued, county.plan_year, county.jurisdiction) == \
        ("某政办发〔2024〕7号", D(2024, 2, 20), 2024, "某某县")
    assert county.title == "某某县优化营商环境三年行动方案(2024—2026年)"


def test_notice_dates_are_not_task_milestones(county):
    phrases = [m.phrase for t in county.tasks for m in t.milestones]
    assert "2024年3月15日前" not in phrases


def test_labelled_lines_with_blank_lines_and_time_limit_field(county):
    t = _task(county, ("二", "(一)", "2."))
    assert [a.written for a in t.lead] == ["县市场监管局"]
    assert [a.written for a in t.responsible] == ["县公安局", "县税务局"]
    assert [(m.kind, m.phrase) for m in t.milestones] == [("duration", "1个工作日内"), ("open", "持续推进")]


def test_several_parentheses_in_one_paragraph(county):
    t = _task(county, ("二", "(二)", "3."))
    assert [a.written for a in t.lead] == ["县司法局", "县市场监管局"]
    assert [a.written for a in t.support] == ["县生态环境局"]


def test_deadline_inside_the_agency_bracket(county):
    t = _task(county, ("二", "(二)", "4."))
    assert [a.written for a in t.responsible] == ["县财政局", "人行某某支行"]
    assert [(m.kind, m.nominal) for m in t.milestones] == [("deadline", D(2024, 9, 30))]


def test_target_year_in_a_goal(county):
    assert [(m.phrase, m.nominal) for m in _task(county, ("一",)).milestones] == [("2026年", D(2026, 12, 31))]


def test_first_listed_is_lead_when_the_notice_says_so(city):
    t = _task(city, ("一", "1."))
    assert [a.written for a in t.lead] == ["市政务服务数据管理局"]
    assert [a.written for a in t.responsible] == ["市司法局", "各区人民政府"]


def test_pdf_page_numbers_and_hard_breaks(city):
    t = _task(city, ("一", "1."))
    assert "— 1 —" not in t.text and "— 2 —" not in t.text
    assert t.milestones[0].clause == "5月底前向社会公布，并实行动态调整"
    assert [a.written for a in _task(city, ("一", "2.")).responsible] == ["市住房城乡建设局"]


def test_flattened_table_rows(city):
    t = _task(city, ("二", "5."))
    assert t.title == "推行电子证照互通互认"
    assert [a.written for a in t.lead] == ["市政务服务数据管理局"]
    assert [(m.nominal, m.due, m.clause) for m in t.milestones] == \
        [(D(2023, 12, 31), D(2023, 12, 29), "推行电子证照互通互认")]
    assert "序号" not in _task(city, ("二", "4.")).text


def test_one_numbering_continues_across_sections(city):
    assert [t.path[-1] for t in city.tasks] == ["1.", "2.", "3.", "4.", "5."]


@pytest.mark.parametrize("line,number", [
    ("粤办函[2021]55号", "粤办函〔2021〕55号"),
    ("粤办函（2021）55号", "粤办函〔2021〕55号"),
    ("粤办函〔2021 55号", "粤办函〔2021〕55号"),          # the closing bracket lost
    ("粤办函〔2021〕55 号", "粤办函〔2021〕55号"),
    ("索引号：11440000/2021-00123  文号：粤办函〔2021〕55号", "粤办函〔2021〕55号"),
    ("发文字号 粤府办〔2018〕51号", "粤府办〔2018〕51号"),
])
def test_doc_number_forms(line, number):
    from calgen.extract.metadata import read_meta
    from calgen.read.clean import clean_text

    lines = clean_text(f"某某\n{line}\n2021年4月16日\n", RULES.simplifier)[0].split("\n")
    meta = read_meta(lines, len(lines))
    assert (meta.doc_number, meta.issued) == (number, D(2021, 4, 16))


def test_two_issuers_and_plan_title_on_two_lines():
    from calgen.extract.metadata import read_meta
    from calgen.read.clean import clean_text

    text = ("中共某某市委办公室 某某市人民政府办公室\n关于印发《某某市2022年优化营商环境工作要点》的通知\n"
            "某委办发〔2022〕3号\n（此件公开发布）\n中共某某市委办公室\n某某市人民政府办公室\n2022年3月1日\n"
            "某某市2022年优化营商环境\n工作要点\n")
    lines = clean_text(text, RULES.simplifier)[0].split("\n")
    meta = read_meta(lines, len(lines))
    assert (meta.jurisdiction, meta.plan_year, meta.issued) == ("某某市", 2022, D(2022, 3, 1))
    assert meta.title == "某某市2022年优化营商环境工作要点" and lines[meta.body_start - 1] == "工作要点"


def _extract(text):
    from calgen.extract.document import extract_text
    from calgen.read.clean import clean_text

    return extract_text(clean_text(text, RULES.simplifier)[0], "plan.txt", RULES)


def test_markdown_pipe_table():
    text = ("某某市人民政府办公室\n2023年3月1日\n一、重点任务\n\n"
            "| 序号 | 工作任务 | 牵头单位 | 责任单位 | 完成时限 |\n|---|---|---|---|---|\n"
            "| 1 | 推行“一网通办” | 市政务服务数据管理局 | 市司法局、财政局 | 2023年6月底前 |\n"
            "| 2 | 建设信用监管系统 | 市发展改革委 | 市市场监管局 | 持续推进 |\n")
    doc = _extract(text)
    got = [(t.path, t.title, [a.written for a in t.lead], [a.written for a in t.responsible],
            [(m.kind, m.nominal) for m in t.milestones]) for t in doc.tasks]
    assert got == [
        (("一", "1."), "推行“一网通办”", ["市政务服务数据管理局"], ["市司法局", "市财政局"],
         [("deadline", D(2023, 6, 30))]),
        (("一", "2."), "建设信用监管系统", ["市发展改革委"], ["市市场监管局"], [("open", None)]),
    ]


def test_notice_with_its_own_numbered_requests():
    text = ("某某区人民政府办公室关于印发《某某区2023年营商环境攻坚行动方案》的通知\n某区府办〔2023〕9号\n"
            "各街道办事处，区直各单位：\n现将方案印发给你们，并提出以下要求：\n一、提高认识。各单位要高度重视。\n"
            "二、抓好落实。请于6月10日前报送工作进展。\n某某区人民政府办公室\n2023年5月6日\n"
            "某某区2023年营商环境攻坚行动方案\n一、重点任务\n(一)优化审批服务。9月底前完成流程再造。(区政务服务中心负责)\n")
    doc = _extract(text)
    assert (doc.issued, doc.title) == (D(2023, 5, 6), "某某区2023年营商环境攻坚行动方案")
    assert [t.path for t in doc.tasks] == [("一", "(一)")]
    assert [m.phrase for m in doc.tasks[0].milestones] == ["9月底前"]


# Plan year when title and 落款 name none: the 文号's year, else the year the text's own dated
# phrases, cited documents and "YYYY年是…" statements use most (earliest on a tie), else None.
@pytest.mark.parametrize("text,year", [
    ("某某区人民政府办公室\n某政办〔2016〕7号\n一、任务\n(一)推进。5月底前完成。\n", 2016),
    ("一、任务\n(一)推进。2019年5月底前完成，到2020年底全面建成，2019年5月10日前报送。\n", 2019),
    ("一、任务\n(一)根据昆政发〔2016〕13号精神推进。5月底前完成。\n", 2016),
    ("一、总体要求\n2023年是全面贯彻落实的开局之年。\n(一)推进。6月底前完成。\n", 2023),
    ("一、任务\n(一)推进各项工作。6月底前完成。\n", None),
    ("一、任务\n(一)落实《规划(2021—2025年)》。\n", None),
])
def test_plan_year_inferred_from_the_text(text, year):
    from calgen.extract.document import extract_text

    doc = extract_text(text, "p.txt", RULES)
    assert doc.plan_year == year
    if year is None:
        assert any("no plan year" in w for w in doc.warnings) or not any(
            m.dated for t in doc.tasks for m in t.milestones)


# A wrapper notice's own requests (一、二、三 telling units how to implement) are not tasks (#17).
NOTICE = ("示范市人民政府办公室关于印发示范市2024年政务公开工作要点的通知\n示府办〔2024〕3号\n各区人民政府，市政府各部门：\n"
          "经市政府同意，现将《示范市2024年政务公开工作要点》印发给你们，请认真贯彻落实。\n"
          "一、加强组织领导。各区、各部门要明确分管负责同志，6月10日前报送联络员名单。\n"
          "二、抓好督促落实。市政务公开办适时开展督查。\n")


@pytest.mark.parametrize("tail,paths", [
    ("", []),                                                         # the notice only
    ("1.推进决策公开，9月底前完成。(牵头单位：市司法局)\n2.推进结果公开。(市政务服务数据管理局负责)\n",
     [("1.",), ("2.",)]),                                             # the plan follows without its title
    ("示范市人民政府办公室\n2024年3月1日\n示范市2024年政务公开工作要点\n一、推进决策公开，9月底前完成。(市司法局牵头)\n",
     [("一",)]),                                                      # signed, then the plan with its title
])
def test_wrapper_notice_requests_are_not_tasks(tail, paths):
    from calgen.extract.document import NOTICE_ONLY, extract_text

    doc = extract_text(NOTICE + tail, "notice.txt", RULES)
    assert [t.path for t in doc.tasks] == paths
    assert (NOTICE_ONLY in doc.warnings) == (not paths)
    assert not any(m.phrase == "6月10日前" for t in doc.tasks for m in t.milestones)


def test_items_after_a_notice_that_only_says_通知如下_are_tasks():
    from calgen.extract.document import extract_text

    doc = extract_text("示范市人民政府办公室关于做好2024年政务公开工作的通知\n各区人民政府：\n现将有关事项通知如下：\n"
                       "一、推进决策公开，9月底前完成。(市司法局牵头)\n二、推进结果公开。(市政务服务数据管理局负责)\n",
                       "notice.txt", RULES)
    assert [t.path for t in doc.tasks] == [("一",), ("二",)]


@pytest.mark.parametrize("last,kept", [
    ("3.推进结果公开，适时启动目录编", False),                       # cut inside its first sentence
    ("二、重点工作", False),                                         # a heading cut before its body
    ("3.推进结果公开。(市司法局负责)", True),
    ("二、保障措施\n各单位要加强组织领导，确保按期完成各项任务", True),   # a heading with its body
])
def test_a_task_cut_by_the_end_of_the_page_is_left_out(last, kept):
    from calgen.extract.document import extract_text

    text = ("示范市人民政府办公室\n2024年3月1日\n一、政务公开\n1.推进决策公开，9月底前完成。(市司法局牵头)\n"
            "2.推进执行公开。(市政府办公室负责)\n" + last)
    doc = extract_text(text, "cut.txt", RULES)
    assert (len(doc.tasks) == 3) == kept
    assert any("the task is left out" in w for w in doc.warnings) != kept


# Metadata where real pages put it (#17): own fixtures.
@pytest.mark.parametrize("head,field,value", [
    ("中共示范市委办公室示范市人民政府办公室印发《关于推进政务公开的实施意见》的通知(示办发〔2017〕2号)\n",
     "doc_number", "示办发〔2017〕2号"),
    ("中共示范市委办公室示范市人民政府办公室印发《关于推进政务公开的实施意见》的通知(示办发〔2017〕2号)\n",
     "issuer", "中共示范市委办公室、示范市人民政府办公室"),
    ("示范市数字政府建设实施方案\n基本介绍\n•颁布时间：2021年11月18日\n•发布单位：示范市人民政府办公室\n",
     "issued", D(2021, 11, 18)),
    ("示范市数字政府建设实施方案\n基本介绍\n•颁布时间：2021年11月18日\n•发布单位：示范市人民政府办公室\n",
     "issuer", "示范市人民政府办公室"),
    ("【规范性文件】示范市人民政府办公厅关于印发示范市稳定经济运行实施方案的通知\n各区人民政府：\n", "issuer",
     "示范市人民政府办公厅"),
])
def test_metadata_where_pages_put_it(head, field, value):
    from calgen.extract.document import extract_text

    doc = extract_text(head + "一、总体要求\n（一）推进改革，6月底前完成。（示范市财政局牵头）\n", "meta.txt", RULES)
    assert getattr(doc, field) == value


def test_a_plan_that_says_提出如下意见_keeps_its_items():
    from calgen.extract.document import extract_text

    doc = extract_text("示范市人民政府关于推进政务公开的实施意见\n示政发〔2024〕2号\n各区人民政府：\n"
                       "为推进政务公开，现提出如下意见。\n一、推进决策公开，9月底前完成。(市司法局牵头)\n"
                       "二、推进结果公开。(市政务服务数据管理局负责)\n", "opinion.txt", RULES)
    assert [t.path for t in doc.tasks] == [("一",), ("二",)]


def test_a_plan_right_after_the_forwarding_sentence_keeps_its_sections():
    """The page lost the plan's title line: 一、 with (一)(二) under it is the plan, not the notice."""
    from calgen.extract.document import extract_text

    doc = extract_text(NOTICE.split("一、")[0] + "一、政务公开\n(一)推进决策公开，9月底前完成。(市司法局牵头)\n"
                       "(二)推进结果公开。(市政务服务数据管理局负责)\n二、保障措施\n(三)加强组织领导。(市政府办公室负责)\n",
                       "plan.txt", RULES)
    assert [t.path for t in doc.tasks] == [("一", "(一)"), ("一", "(二)"), ("二", "(三)")]
