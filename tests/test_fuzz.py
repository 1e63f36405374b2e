"""Arbitrary bytes and text never raise anything but calgen's own errors."""
import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calgen.errors import CalgenError
from calgen.extract.document import extract_text
from calgen.read.clean import clean_text
from calgen.read.decode import clean_bytes

from .conftest import RULES

PLANISH = st.lists(st.sampled_from([
    "一、", "(一)", "（二十五）", "1.", "2、", "(3)", "?", "?。ㄒ唬", "關(guān)", "**", "\n", " ", "年底前",
    "6月底前", "2月30日前", "13月底前", "从4月起", "分别于6月15日、12月15日前", "每季度", "5个工作日内",
    "(省财政厅牵头，省有关部门按职责分工负责)", "责任单位：", "牵头单位：", "、", "，", "。", "(", ")",
    "〔", "〕", "2099年底前", "春节前", "国庆节前", "到2030年", "3年内", "第二季度", "615日前", "\ufffd",
]), max_size=40).map("".join)


def _safe(fn, *args):
    with contextlib.suppress(CalgenError):
        fn(*args)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_bytes(data):
    _safe(clean_bytes, data, RULES.simplifier)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_text(text):
    _safe(lambda t: extract_text(clean_text(t, RULES.simplifier)[0], "fuzz.txt", RULES), text)


@settings(max_examples=300, deadline=None)
@given(PLANISH)
def test_plan_like_text(text):
    _safe(lambda t: extract_text(clean_text(t, RULES.simplifier)[0], "fuzz.txt", RULES), "示范市人民政府\n2023年1月1日\n" + text)
