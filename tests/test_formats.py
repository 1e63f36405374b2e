"""The same plan as .txt, .html (GBK, with page chrome), .docx (Word numbering, a task table) and
.pdf (hard line breaks, running heads, page numbers) gives the same tasks."""
import pytest

from calgen.errors import ReadingError
from calgen.extract.document import extract_file
from calgen.read.decode import clean_bytes

from .conftest import RULES

NOTICE = ["某某市人民政府办公室关于印发《某某市2023年政务服务提升工作方案》的通知",
          "某府办函〔2023〕21号", "各区人民政府，市政府各部门：",
          "《某某市2023年政务服务提升工作方案》已经市人民政府同意，现印发给你们，请认真贯彻执行。",
          "某某市人民政府办公室", "2023年5月8日", "某某市2023年政务服务提升工作方案"]
# (level, text) — level 0 is 一、, level 1 is (一)
BODY = [
    (0, "优化办事服务"),
    (1, "推行“一网通办”。6月底前实现高频事项全程网办，年底前覆盖全部依申请事项。"
        "（市政务服务数据管理局牵头，市有关部门按职责分工负责）"),
    (1, "压缩审批时限。一般事项办理时限压缩至5个工作日内，9月底前完成清单调整。"
        "（市发展改革委、市司法局负责）"),
    (0, "强化监管支撑"),
    (1, "推进信用监管。11月30日前建成信用分级分类监管系统，从7月起按季度通报。"
        "（市发展改革委牵头，市市场监管局配合）"),
    (1, "加强督查考核。国庆节前开展一次专项督查。（市政府办公室负责）"),
]


def _label(level, counters):
    from calgen.extract.outline import int_to_cn

    counters[level] += 1
    for deeper in range(level + 1, len(counters)):
        counters[deeper] = 0
    n = int_to_cn(counters[level])
    return f"{n}、" if level == 0 else f"（{n}）"


def plain_lines():
    counters = [0, 0]
    return NOTICE + [_label(level, counters) + text for level, text in BODY]


def make_txt(tmp_path):
    p = tmp_path / "plan.txt"
    p.write_text("\n".join(plain_lines()) + "\n", encoding="utf-8")
    return p


def make_html(tmp_path):
    paras = "".join(f"<p>{line}</p>" for line in plain_lines())
    page = (
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "<title>某某市人民政府门户网站</title><script>var nav='一、首页';</script></head><body>"
        '<div class="top-nav"><a>首页</a><a>政务公开</a><a>一、办事服务</a></div>'
        '<div class="breadcrumb">当前位置：首页 &gt; 政务公开 &gt; 文件</div>'
        "<table class='meta'><tr><td>索引号：</td><td>1234/2023-0001</td><td>文号：</td>"
        "<td>某府办函〔2023〕21号</td></tr><tr><td>成文日期：</td><td>2023-05-08</td>"
        "<td>发布日期：</td><td>2023-05-12</td></tr></table>"
        f"<div class='article'>{paras}</div>"
        "<div class='share'>分享到：微信 微博</div><div class='related'>1.相关文件一</div>"
        "<footer>主办单位：某某市人民政府办公室 网站标识码 0000000000 ICP备00000000号</footer>"
        "</body></html>")
    p = tmp_path / "plan.html"
    p.write_bytes(page.encode("gbk"))
    return p


NUMBERING = """<w:abstractNum xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:abstractNumId="90">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
</w:abstractNum>"""


def make_docx(tmp_path):
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    d = docx.Document()
    numbering = d.part.numbering_part.element
    numbering.insert(0, parse_xml(NUMBERING))
    numbering.append(parse_xml('<w:num xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
                               'w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    for line in NOTICE:
        d.add_paragraph(line)
    for level, text in BODY:
        p = d.add_paragraph(text)
        ppr = p._p.get_or_add_pPr()
        numpr = parse_xml('<w:numPr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                          f'<w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>')
        ppr.append(numpr)
        assert ppr.find(qn("w:numPr")) is not None
    p = tmp_path / "plan.docx"
    d.save(p)
    return p


def make_pdf(tmp_path, encrypt=None, scanned=False):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    p = tmp_path / ("scan.pdf" if scanned else "plan.pdf")
    c = canvas.Canvas(str(p), encrypt=encrypt)
    page, y = 1, 0

    def new_page():
        nonlocal y
        c.setFont("STSong-Light", 10)
        c.drawString(72, 800, "某某市人民政府办公室文件")
        y = 770

    def end_page():
        nonlocal page
        c.setFont("STSong-Light", 10)
        c.drawString(280, 40, f"— {page} —")
        c.showPage()
        page += 1

    if scanned:
        c.rect(72, 72, 400, 600, fill=1)
        c.showPage()
        c.save()
        return p
    new_page()
    for line in plain_lines():
        for start in range(0, len(line), 30):        # hard line breaks, as PDF extraction gives
            if y < 120:
                end_page()
                new_page()
            c.setFont("STSong-Light", 11)
            c.drawString(72, y, line[start:start + 30])
            y -= 18
    end_page()
    c.save()
    return p


def _summary(doc):
    return (doc.doc_number, doc.issued, doc.plan_year, doc.title,
            [(t.path, t.title, [a.name for a in t.lead], [a.name for a in t.responsible],
              [a.name for a in t.support], [(m.kind, m.phrase, m.nominal, m.due) for m in t.milestones])
             for t in doc.tasks])


@pytest.mark.parametrize("maker", [make_html, make_docx, make_pdf])
def test_every_format_gives_the_same_plan(tmp_path, maker):
    want = _summary(extract_file(make_txt(tmp_path), RULES))
    assert len(want[4]) == 4 and want[0] == "某府办函〔2023〕21号"
    assert _summary(extract_file(maker(tmp_path), RULES)) == want


def test_html_chrome_is_gone(tmp_path):
    text = clean_bytes(make_html(tmp_path).read_bytes(), RULES.simplifier).text
    for junk in ("首页", "分享到", "相关文件", "ICP备", "var nav"):
        assert junk not in text


TABLE = [["序号", "工作任务", "牵头单位", "责任单位", "完成时限"],
         ["1", "推行“一网通办”", "市政务服务数据管理局", "市司法局、市财政局", "2023年6月底前"],
         ["2", "建设信用监管系统", "市发展改革委", "市市场监管局", "持续推进"]]


def test_docx_task_table(tmp_path):
    import docx

    d = docx.Document()
    for line in NOTICE:
        d.add_paragraph(line)
    d.add_paragraph("一、重点任务")
    table = d.add_table(rows=len(TABLE), cols=len(TABLE[0]))
    for r, row in enumerate(TABLE):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    p = tmp_path / "table.docx"
    d.save(p)
    doc = extract_file(p, RULES)
    got = [(t.path, t.title, [a.written for a in t.lead], [a.written for a in t.responsible],
            [(m.kind, m.nominal) for m in t.milestones]) for t in doc.tasks]
    import datetime as dt

    assert got == [
        (("一", "1."), "推行“一网通办”", ["市政务服务数据管理局"], ["市司法局", "市财政局"],
         [("deadline", dt.date(2023, 6, 30))]),
        (("一", "2."), "建设信用监管系统", ["市发展改革委"], ["市市场监管局"], [("open", None)]),
    ]


@pytest.mark.parametrize("make,message", [
    (lambda tmp: make_pdf(tmp, scanned=True), "PDF has no text layer (a scan) — OCR it first"),
    (lambda tmp: make_pdf(tmp, encrypt="secret"), "password-protected PDF"),
])
def test_unreadable_pdfs(tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(ReadingError) as e:
        extract_file(path, RULES)
    assert str(e.value).startswith(f"{path}: {message}")


def test_password_protected_docx(tmp_path):
    # An encrypted .docx is an OLE compound file with an EncryptionInfo stream (MS-OFFCRYPTO);
    # this is its signature, enough for the detection under test.
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptionInfo".encode("utf-16-le") + bytes(64)
    path = tmp_path / "locked.docx"
    path.write_bytes(data)
    with pytest.raises(ReadingError) as e:
        extract_file(path, RULES)
    assert str(e.value) == f"{path}: password-protected Word document — save an unprotected .docx copy"


def test_zip_that_is_not_word(tmp_path):
    import zipfile

    path = tmp_path / "x.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("a.txt", "x")
    with pytest.raises(ReadingError, match="not a Word .docx"):
        extract_file(path, RULES)


def test_folder_reads_every_format(tmp_path):
    from calgen.extract.batch import extract_many

    folder = tmp_path / "plans"
    folder.mkdir()
    for maker in (make_txt, make_html, make_docx, make_pdf):
        maker(folder)
    (folder / "notes.xlsx").write_bytes(b"PK")
    docs, failures = extract_many([str(folder)], RULES)
    assert not failures
    assert [d.source.rsplit("/", 1)[-1] for d in docs] == ["plan.docx", "plan.html", "plan.pdf", "plan.txt"]
    assert sum(1 for d in docs if d.duplicate_of) == 3          # one plan, four files
