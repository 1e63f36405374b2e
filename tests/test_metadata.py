"""Metadata as the genre prints it (#29): the 落款 run into its paragraph or at the document's end,
the 文号 run in after the title.  Every text here is written for the table."""
import datetime as dt

import pytest

from calgen.extract.metadata import read_meta

D = dt.date


def _meta(text: str):
    lines = text.split("\n")
    from calgen.extract.outline import match_label

    first = next((i for i, line in enumerate(lines) if match_label(line)), len(lines))
    return read_meta(lines, first)


@pytest.mark.parametrize("text,title,issuer", [
    # a page that starts at the addressees: the notice cited in the plan's first paragraph
    # (根据《X关于印发…的通知》) is not this document's wrapper, and (此件公开发布) is no part of the title
    ("各县(区)人民政府：\n《某某市2024年工作要点》已经市人民政府同意，现印发给你们。\n某某市人民政府办公室\n2024年6月12日\n"
     "(此件公开发布)\n某某市2024年工作要点\n根据《某某省人民政府办公厅关于印发〈2024年某某省工作要点〉的通知》精神，制定本要点。\n"
     "一、推进改革。", "某某市2024年工作要点", "某某市人民政府办公室"),
    # a portal's listing line: the 文号, then the notice's own title in 《》 (not a citation)
    ("某政办发〔2016〕26号《某某市人民政府办公厅关于印发〈某某市2016年政务公开工作要点〉的通知》\n某政办发〔2016〕26号\n"
     "各区人民政府：\n《某某市2016年政务公开工作要点》已经市政府同意，现印发给你们。\n某某市人民政府办公厅\n2016年5月28日\n"
     "一、推进公开。", "某某市2016年政务公开工作要点", "某某市人民政府办公厅"),
    # four joint issuers side by side (their spaces gone, as the reader leaves them), no 《》
    ("某某市发展和改革委员会中共某某市委社会工作部某某市规划和自然资源局某某市住房和城乡建设局关于印发某某市社区服务设施"
     "建设实施方案的通知\n各区人民政府：\n现将《某某市社区服务设施建设实施方案》印发给你们。\n一、主要目标",
     "某某市社区服务设施建设实施方案",
     "某某市发展和改革委员会、中共某某市委社会工作部、某某市规划和自然资源局、某某市住房和城乡建设局"),
])
def test_a_cited_notice_is_not_the_wrapper(text, title, issuer):
    meta = _meta(text)
    assert (meta.title, meta.issuer) == (title, issuer)


@pytest.mark.parametrize("text,number,issued", [
    # the wrapper notice run together with its signature
    ("某某省人民政府办公厅关于印发某某行动计划的通知\n各市人民政府：《某某行动计划》已经省政府同意，现印发给你们，"
     "请认真贯彻落实。某某省人民政府办公厅2018年12月9日(此件公开发布)\n某某行动计划\n一、推进改革。",
     None, D(2018, 12, 9)),
    # a plan signed at its end
    ("某某市优化营商环境工作方案\n一、推进改革。\n二、完善监管。\n某某市人民政府办公室\n2021年1月25日\n(此件公开发布)",
     None, D(2021, 1, 25)),
    # a dataset's copy: the 文号 run in after the title
    ("国务院办公厅关于改善某某环境的指导意见国办发〔2014〕25号各省、自治区、直辖市人民政府：现提出以下意见：\n"
     "一、总体要求\n国务院办公厅2014年5月16日(此件公开发布)", "国办发〔2014〕25号", D(2014, 5, 16)),
    # a date in the text is not the signature
    ("某某市工作要点\n一、推进改革，2021年6月30日前完成。\n二、完善监管。", None, None),
    # a page that lost 〕, 号 and 年月日: the 文号 and the 落款 alone on their lines
    ("某某市人民政府关于印发某某方案的通知\n某政〔201760\n各县区人民政府：现将方案印发给你们。\n2017927\n某某方案\n一、推进改革。",
     "某政〔2017〕60号", D(2017, 9, 27)),
    ("某某区人民政府办公室关于印发某某方案的通知\n某府办函〔202058\n各镇人民政府：现印发给你们。\n某某区人民政府办公室\n"
     "202091\n某某方案\n一、推进改革。", "某府办函〔2020〕58号", D(2020, 9, 1)),
    # digits that could be two dates are none
    ("某某方案\n某政〔202015\n2020111\n一、推进改革。", "某政〔2020〕15号", None),
])
def test_signature_and_number_where_the_genre_prints_them(text, number, issued):
    meta = _meta(text)
    assert (meta.doc_number, meta.issued) == (number, issued)
