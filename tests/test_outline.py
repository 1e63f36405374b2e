"""Numbering labels → nested items; leaves are tasks."""
import pytest

from calgen.extract.document import extract_text, heading
from calgen.extract.outline import cn_to_int, int_to_cn, match_label, parse

from .conftest import RULES
from .helpers import leaves


@pytest.mark.parametrize("line,expected", [
    ("一、工作目标", ("cn", 1, "工作目标")),
    ("十二、保障措施", ("cn", 12, "保障措施")),
    ("(二十五)抓好落实。", ("paren_cn", 25, "抓好落实。")),
    ("1.大力推行", ("arabic", 1, "大力推行")),
    ("12、建立机制", ("arabic", 12, "建立机制")),
    ("3. 推进改革", ("arabic", 3, "推进改革")),
    ("(3)细化清单", ("paren_ar", 3, "细化清单")),
    ("第一部分 总体要求", ("part", 1, "总体要求")),
    ("第十二条 各单位", ("article", 12, "各单位")),
    ("7", ("arabic", 7, "")),                      # a 序号 cell on its own line
    ("1.2亿元", None),
    ("1.6月底前完成", ("arabic", 1, "6月底前完成")),
    ("2020 年底前完成", None),
    ("5个工作日内办结", None),
    ("各地要加强", None),
])
def test_labels(line, expected):
    hit = match_label(line)
    assert (hit and (hit[0], hit[2], hit[3])) == expected or (hit is None and expected is None)


@pytest.mark.parametrize("n", list(range(1, 130)))
def test_chinese_numerals_round_trip(n):
    assert cn_to_int(int_to_cn(n)) == n


def test_nesting_and_leaves():
    lines = ["一、工作目标", "到年底完成改革。", "二、工作任务", "(一)推行审批服务。",
             "1.大力推行马上办。", "2.优先推行网上办。", "(二)深化标准化。", "3.开展梳理。",
             "三、工作要求", "(一)加强组织领导。各地要重视。"]
    paths = [it.path for it in leaves(parse(lines))]
    assert paths == [("一",), ("二", "(一)", "1."), ("二", "(一)", "2."), ("二", "(二)", "3."),
                     ("三", "(一)")]


def test_garbled_label_is_numbered_from_its_neighbours():
    lines = ["一、甲", "(二十四)实施制度。(省财政厅牵头)", "二、乙", "(跺)抓好落实。(省财政厅牵头)",
             "(二十六)优化程序。(省财政厅牵头)"]
    assert [it.path for it in leaves(parse(lines))] == [("一", "(二十四)"), ("二", "(二十五)"),
                                                        ("二", "(二十六)")]


def test_page_chrome_and_closing_paragraph_are_not_task_text():
    lines = ["一、任务", "(一)推进改革。完成清单梳理。(市政府办公室牵头)",
             "各地、各部门要进一步提高认识，切实增强责任感和紧迫感，确保各项任务落实到位。",
             "(二)加强宣传。做好解读工作，扩大政策知晓度。", "", "网站地图", "联系我们", "主办单位：某某市人民政府"]
    items = leaves(parse(lines))
    assert items[0].text.endswith("(市政府办公室牵头)")
    assert "网站地图" not in items[1].text and "联系我们" not in items[1].text


def test_labelled_agency_lines_belong_to_the_task_above():
    lines = ["1.推进清单管理。", "", "牵头单位：市政务服务数据管理局", "", "配合单位：市司法局", "2.下一项。"]
    first = leaves(parse(lines, field_line=RULES.registry.lab.field_line))[0]
    assert "牵头单位：市政务服务数据管理局" in first.text and "配合单位：市司法局" in first.text


@pytest.mark.parametrize("text,title", [
    ("推进企业开办“一网通办”。4月底前上线平台。", "推进企业开办“一网通办”"),
    ("持续推动改革。(省政府办公厅牵头)", "持续推动改革"),
    ("加强宣传引导(市委宣传部负责)", "加强宣传引导"),
])
def test_heading(text, title):
    assert heading(text) == title


def test_ids_are_stable_and_unique():
    text = "某市人民政府办公室\n2023年3月1日\n一、任务\n(一)甲。6月底前完成。\n(二)乙。\n"
    a = extract_text(text, "a.txt", RULES)
    b = extract_text(text, "elsewhere/b.txt", RULES)
    assert [t.id for t in a.tasks] == [t.id for t in b.tasks]
    assert len({t.id for t in a.tasks}) == 2


def test_an_item_that_assigns_agencies_keeps_its_points():
    from calgen.extract.agencies import assigns_roles
    from calgen.extract.outline import task_items

    lines = ["一、任务", "(一)推进数据共享。重点做好以下工作：(市政务服务数据管理局牵头，市有关部门按职责分工负责)",
             "1.6月底前编制共享目录。", "2.年底前完成系统对接。",
             "(二)加强宣传。", "3.开展解读。(市委宣传部负责)", "4.推广案例。(市政府办公室负责)"]
    items = task_items(parse(lines, field_line=RULES.registry.lab.field_line),
                       lambda t: assigns_roles(t, RULES.registry))
    assert [it.path for it in items] == [("一", "(一)"), ("一", "(二)", "3."), ("一", "(二)", "4.")]
    assert "1.6月底前编制共享目录" in items[0].text and "2.年底前完成系统对接" in items[0].text


# A plan run together on one line (datasets, some portals): labels after a sentence end, a colon,
# an agency bracket's close, a run of spaces, or (一) straight after a heading.  Written for the genre,
# in the form cleaning leaves (ASCII parentheses).
RUN_ON_CASES = [
    ("关于推进改革的意见。　　一、总体要求　　(一)指导思想。坚持改革。　　(二)基本原则。依法推进。"
     "　　二、重点任务　　1.推进审批改革。(甲部牵头)2.完善监管。(乙部负责)3.优化服务。",
     ["关于推进改革的意见。", "一、总体要求", "(一)指导思想。坚持改革。", "(二)基本原则。依法推进。", "二、重点任务",
      "1.推进审批改革。(甲部牵头)", "2.完善监管。(乙部负责)", "3.优化服务。"]),
    ("一、提高政策实施的精准性(一)研究制度化，落实政策。(甲部牵头)具体措施：1.总结经验做法。(乙部负责)"
     "2.简化适用程序。(丙部负责)",
     ["一、提高政策实施的精准性", "(一)研究制度化，落实政策。(甲部牵头)具体措施：", "1.总结经验做法。(乙部负责)",
      "2.简化适用程序。(丙部负责)"]),
]


@pytest.mark.parametrize("line,expected", RUN_ON_CASES)
def test_a_run_on_plan_is_cut_before_its_labels(line, expected):
    from calgen.extract.outline import RUN_ON, reline

    padded = line + "　" * (RUN_ON + 1 - len(line)) if len(line) <= RUN_ON else line
    assert [x.strip() for x in reline([padded])] == expected


@pytest.mark.parametrize("line", [
    "按照本意见第(一)项的要求，落实1.5倍的补贴标准，提高到2.0以上。" * 8,        # mentions, not labels
    "短的一行：1.推进。2.完善。3.优化。",                                       # not run on
])
def test_a_paragraph_that_mentions_labels_is_left_whole(line):
    from calgen.extract.outline import reline

    assert reline([line]) == [line]


def test_the_closing_paragraph_is_not_the_last_tasks_text(rules):
    """After the last numbered item, a paragraph addressing every unit is the document's closing:
    its deadline is not the last task's (a form of the genre: 各地区、各部门要于…前制定实施方案)."""
    from calgen.extract.document import extract_text

    text = ("关于推进改革的指导意见\n一、推进审批改革。优化流程，2021年6月底前完成。\n"
            "二、加强队伍建设。提升执法人员业务能力和执法素养。\n"
            "各地区、各部门要于2021年3月底前制定实施方案，并报司法部备案。\n国务院办公厅\n2020年12月5日")
    doc = extract_text(text, "p.txt", rules)
    assert [m.phrase for m in doc.tasks[-1].milestones] == []
    assert [m.phrase for m in doc.tasks[0].milestones] == ["2021年6月底前"]


def test_a_tasks_own_second_paragraph_stays(rules):
    from calgen.extract.document import extract_text

    text = ("关于推进改革的指导意见\n一、推进审批改革。优化流程。\n各地区要于2021年6月底前完成清理，并将清理结果报省政府办公厅。\n"
            "二、加强队伍建设。提升执法人员业务能力。")
    doc = extract_text(text, "p.txt", rules)
    assert [m.phrase for m in doc.tasks[0].milestones] == ["2021年6月底前"]


@pytest.mark.parametrize("line,label", [
    ("1.2021年底前完成清理。", ("arabic", 1)),          # an item that starts with a year
    ("3.2020年底前开展专项治理。", ("arabic", 3)),
    ("2.6月底前完成。", ("arabic", 2)),                # … or with a month
    ("1.2亿元用于补贴。", None),                       # a number
    ("3.2020", None),
    ("三、2月底前完成。", ("cn", 3)),                   # 、 before a digit: still item 三
    ("(1000)推进事项。", ("paren_ar", 1000)),          # items of any count
    ("1001.完善事项。", ("arabic", 1001)),
    ("2023.6月底前完成。", None),                       # a year, never an item
    ("(2023)年度计划", None),
])
def test_a_label_before_a_year_or_month(line, label):
    hit = match_label(line)
    assert (hit[0], hit[2]) == label if label else hit is None


def test_task_labels_of_progress_reports(rules):
    """任务一：… (a 台账 or progress report) numbers tasks like 一、."""
    from calgen.extract.document import extract_text

    text = ("2021年二季度重点任务进展情况\n任务一：深化服务共享，扩大一网通办覆盖面\n完成状态：持续推进\n"
            "任务二：建设大数据中心实体场馆，建立健全运营管理体制\n完成状态：已完成")
    doc = extract_text(text, "p.txt", rules)
    assert [t.path for t in doc.tasks] == [("任务一",), ("任务二",)]


def test_a_notice_that_hands_on_an_attached_plan_is_kept_without_tasks(rules):
    from calgen.extract.document import NOTICE_ONLY, extract_text

    text = ("某某县人民政府关于下达2016年重点工作任务的通知\n各乡镇人民政府：\n"
            "现将《政府工作报告》中涉及2016年的各项目标任务分解下达，请认真抓好落实。\n附件：2016年重点工作任务分解表")
    doc = extract_text(text, "p.txt", rules)
    assert not doc.tasks and NOTICE_ONLY in doc.warnings


_DASH_HEAD = "示范市2023年优化营商环境工作要点\n"


@pytest.mark.parametrize(("body", "tasks"), [
    # dash bullets that each assign agencies are tasks, numbered under their item
    ("一、提升政务服务效能\n——推进一网通办。2023年6月底前实现全覆盖。（市数据局牵头，市政务服务中心配合）\n"
     "——深化审批制度改革。（市住房城乡建设局负责，2023年9月底前）\n二、加强监管\n——推行双随机监管。（市市场监管局牵头）\n",
     [(("一", "——1"), ["市数据局"], ["2023-06-30"]), (("一", "——2"), ["市住房城乡建设局"], ["2023-09-30"]),
      (("二", "——1"), ["市市场监管局"], [])]),
    # principles set as dashes assign nothing: they stay the text of their item
    ("一、基本原则\n——权责一致。有权必有责。\n——减少层级。压缩办事层级。\n二、重点任务\n(一)推进改革。（市财政局负责，6月底前）\n",
     [(("一",), [], []), (("二", "(一)"), ["市财政局"], ["2023-06-30"])]),
    # a task's own points set as dashes under its bracket: one task, its points its text
    ("一、重点任务\n(一)推进改革。（市财政局牵头，市税务局配合）\n——完善制度。\n——2023年9月底前上线系统。\n",
     [(("一", "(一)"), ["市财政局"], ["2023-09-30"])]),
    # dashes before the first label (a wrapper notice's requests) are no items
    ("——请各单位认真落实。\n一、推进改革。（市财政局负责）\n", [(("一",), ["市财政局"], [])]),
])
def test_dash_bullets_are_tasks_when_they_assign_agencies(rules, body, tasks):
    """#29: ——bullets are points of the item above; one that assigns agencies is a task."""
    from calgen.extract.document import extract_text
    from calgen.read.clean import clean_text

    doc = extract_text(clean_text(_DASH_HEAD + body, rules.simplifier)[0], "p.txt", rules)
    got = [(t.path, [a.name for a in t.lead or t.responsible],
            [m.nominal.isoformat() for m in t.milestones if m.nominal]) for t in doc.tasks]
    assert got == tasks


_LONG = "做好本年度工作，要坚持以人民为中心的发展思想，持续深化改革，优化营商环境，提升政务服务水平。" * 8


@pytest.mark.parametrize(("lines", "expected"), [
    # a section's first item run into the paragraph before it, the second opening the next line
    ([_LONG + " (一)推进甲项改革。完善制度。", "(二)推进乙项改革。"],
     [_LONG, "(一)推进甲项改革。完善制度。", "(二)推进乙项改革。"]),
    ([_LONG + "1.推进甲项改革。", "2.推进乙项改革。"], [_LONG, "1.推进甲项改革。", "2.推进乙项改革。"]),
    # the next line is not the second item: a mention of (一) stays in its paragraph
    ([_LONG + " (一)推进甲项改革。", "(三)推进丙项改革。"], [_LONG + " (一)推进甲项改革。", "(三)推进丙项改革。"]),
    ([_LONG + " (一)推进甲项改革。", "其他工作。"], [_LONG + " (一)推进甲项改革。", "其他工作。"]),
])
def test_a_first_item_run_into_the_paragraph_before_it_is_cut_out(lines, expected):
    """#29: pages that lost the line break before a section's first item."""
    from calgen.extract.outline import reline

    assert reline(lines) == expected


def test_a_list_keeps_counting_past_year_like_numbers(rules):
    """#31: labels of any size are items — 1900. to 2199. (year-like) and 100000. are labels
    where they continue the list; a year opening a line elsewhere is no label."""
    from calgen.extract.document import extract_text

    items = "".join(f"{i}.推进第{i}项工作。\n" for i in range(1, 2202))
    doc = extract_text("示范市工作要点\n一、重点任务\n" + items + "二、其他\n2023.全年目标如期完成。\n", "p.txt", rules)
    assert len(doc.tasks) == 2202
    assert [t.path[-1] for t in doc.tasks[1898:1901]] == ["1899.", "1900.", "1901."]
    assert doc.tasks[-1].path == ("二",) and "2023.全年目标" in doc.tasks[-1].text
