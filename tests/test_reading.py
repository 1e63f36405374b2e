"""Bytes → clean text: each artefact of real scraped plans, as (raw, cleaned) cases."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calgen.errors import ReadingError
from calgen.read.clean import LOST, _any_line_open, _depth, clean_text, join_broken_parentheses
from calgen.read.decode import clean_bytes

from .conftest import RULES

CASES = [
    # pinyin annotations after characters go; real parentheses stay
    ("關(guān)於印發(fā)", "关于印发"),
    ("(省政府辦公廳牽頭,省有關(guān)部門配合)", "(省政府办公厅牵头，省有关部门配合)"),
    ("建設(BIM)技術", "建设(BIM)技术"),
    # byte-shifted GBK numbering at a line start, resynced by the trail byte 'm'
    ("?。ㄒ唬┏掷m(xù)推動改革", "(一)持续推动改革"),
    # a run that ends on a dropped byte: the lost character is marked, never guessed
    ("借鑒上?!耙粯I(yè)一證”", f"借鉴上{LOST}“一业一证”"),
    # a lost character that took the "(" of its pinyin with it
    ("東莞日?qǐng)?bào)社", f"东莞日{LOST}{LOST}社"),
    # runs of ? where full-width spaces were lost
    ("?????? 東莞市人民政府", "东莞市人民政府"),
    # Markdown emphasis, escapes and links
    ("**（三）推进改革。**按照部署", "(三)推进改革。按照部署"),
    (r"post\_3282205", "post_3282205"),
    ("[全文](http://example.gov.cn/a.html)", "全文"),
    # spaced numbers and full-width forms
    ("4 月底前完成", "4月底前完成"),
    ("延长至 2022 年 4 月 30 日", "延长至2022年4月30日"),
    ("１２月底前，", "12月底前，"),
    ("(省財政廳牽頭, 省有關部門按職責分工負責)", "(省财政厅牵头，省有关部门按职责分工负责)"),
    # HTML entities
    ("&ldquo;放管服&rdquo;&nbsp;改革", "“放管服”改革"),
    # Taiwan vocabulary
    ("流程最佳化", "流程优化"),
    # a synonym-spun re-host's role phrases (the names stay as printed)
    ("(省生长改造委牵头卖力)", "(省生长改造委牵头负责)"),
    ("(省有关部门按职责分工卖力)", "(省有关部门按职责分工负责)"),
    ("工作人员卖力工作", "工作人员卖力工作"),
]


@pytest.mark.parametrize("raw,cleaned", CASES)
def test_artefacts(raw, cleaned):
    assert clean_text(raw, RULES.simplifier)[0] == cleaned


def test_parenthesis_broken_over_lines_is_joined():
    text = "推动改革。(省财政厅、政务服务数据管理局牵\n\n头，省有关部门按职责分工负责)\n下一行"
    assert clean_text(text, RULES.simplifier)[0] == "推动改革。(省财政厅、政务服务数据管理局牵头，省有关部门按职责分工负责)\n下一行"


def test_lost_characters_are_reported():
    _, warnings = clean_text("第一行\n借鑒上?!耙粯I(yè)一證”", RULES.simplifier)
    assert warnings == ["line 2: 1 character(s) lost in the source could not be repaired"]


PLAN = "广东省人民政府办公厅关于印发工作方案的通知\n一、工作任务\n（一）推进改革。6月底前完成。（省财政厅牵头）\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "big5", "utf-16"])
def test_encodings_are_detected(encoding):
    text = PLAN if encoding != "big5" else \
        "廣東省人民政府辦公廳關於印發工作方案的通知\n一、工作任務\n（一）推進改革。6月底前完成。（省財政廳牽頭）\n"
    data = text.encode(encoding) * 3
    out = clean_bytes(data, RULES.simplifier)
    assert "6月底前完成" in out.text
    assert "(一)推进改革" in out.text


@pytest.mark.parametrize("data,message", [
    (b"", "empty file"),
    (b"   \n\n", "empty file"),
    (b"\x89PNG\r\n\x1a\n" + bytes(100), "binary file (a PNG image), not a text plan"),
    (b"PK\x03\x04" + bytes(100), "binary file (a ZIP archive, not a Word .docx), not a text plan"),
    ("一、工作任务（一）推进".encode() + "改".encode()[:2], "file ends inside a UTF-8 character"),
    (bytes(range(128, 256)) * 20, "undecodable bytes: not UTF-8, GB18030 or Big5"),
    ("Ceci n'est pas un plan, répété. ".encode("latin-1") * 40, "undecodable bytes"),
])
def test_bad_bytes_give_one_line_errors(data, message):
    with pytest.raises(ReadingError) as e:
        clean_bytes(data, RULES.simplifier)
    assert str(e.value).startswith(message)
    assert "\n" not in str(e.value)


def test_html_page_loses_its_chrome():
    page = ("<html><head><title>t</title><script>var x='一、';</script></head><body>"
            "<nav>首页 &gt; 政策</nav><div><p>一、工作任务</p><p>（一）推进改革。6月底前完成。</p></div>"
            "<footer>主办单位：某某</footer></body></html>")
    text = clean_text(page, RULES.simplifier)[0]
    assert text.splitlines() == ["一、工作任务", "(一)推进改革。6月底前完成。"]


@pytest.mark.parametrize(("body", "lines"), [
    # a numbered heading in bold, its paragraph after it in the same block: two lines
    ("<div><b>一、各地自查</b>\n各市要逐项自查。</div>", ["一、各地自查", "各市要逐项自查。"]),
    ("<p><strong>（二）部门自查。</strong>省级部门要深入自查。</p>", ["(二)部门自查。", "省级部门要深入自查。"]),
    ("<p><b>3．</b><b>加强督查</b>按月通报。</p>", ["3.加强督查按月通报。"]),       # a bare label alone: no heading
    # bold inside a sentence, or a bold sentence that is no heading, stays where it is
    ("<p>各地要<b>于6月20日前</b>报送。</p>", ["各地要于6月20日前报送。"]),
    ("<p><b>一是加强领导。</b>成立专班。</p>", ["一是加强领导。成立专班。"]),
    ("<p><b>一、" + "很长的一段加粗文字" * 6 + "</b>正文</p>", ["一、" + "很长的一段加粗文字" * 6 + "正文"]),
])
def test_a_numbered_heading_in_bold_is_a_line_of_its_own(body, lines):
    """#29: pages set headings in bold as often as in heading elements (<b>一、…</b>)."""
    text = clean_text(f"<html><body>{body}</body></html>", RULES.simplifier)[0]
    assert text.splitlines() == lines


@pytest.mark.parametrize(("text", "expected"), [
    ("一、任务\n(一)推进(市财政局牵头，\n市税务局配合)\n(二)完成", "一、任务\n(一)推进(市财政局牵头，市税务局配合)\n(二)完成"),
    ("〔甲\n乙〕号", "〔甲乙〕号"), ("a[\n\nb]c", "a[b]c"), ("(a)\n(b)", "(a)\n(b)"), ("a)\n(b", "a)\n(b"),
    ("粤办函〔2021 55号\n下一行", "粤办函〔2021 55号\n下一行"),        # a 文号 bracket lost its half: no join
])
def test_lines_broken_inside_brackets_are_joined(text, expected):
    assert join_broken_parentheses(text) == expected


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="()〔〕[]a2021\n", max_size=30))
def test_a_text_with_no_line_left_open_is_returned_as_is(text):
    """The quick look (only lines holding an opening bracket are counted) agrees with counting
    every line, and the text it passes is what the joining loop gives."""
    assert _any_line_open(text) == any(_depth(line) > 0 for line in text.split("\n"))
    if not _any_line_open(text):
        assert join_broken_parentheses(text) == text
