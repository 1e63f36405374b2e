"""Arbitrary bytes and text never raise anything but calgen's own errors."""
import contextlib

import pytest
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


# --- data files mutated (#16): each loads or is refused with calgen's own error -------------------

def _mutations(base: str):
    """Byte-level mutations of a valid file: deletions, insertions of TOML-ish tokens, swaps."""
    tokens = ['"', "'", "[", "]", "[[", "]]", "=", ",", "\n", "1", "-1", "true", "2027-02-30", "2027-13-01",
              '""', "[]", "{}", "x", "春节", "\x00", "\xff", "1e999", "#"]
    return st.lists(st.tuples(st.integers(0, len(base)), st.integers(0, 3), st.sampled_from(tokens)),
                    max_size=4).map(lambda edits: _apply(base, edits))


def _apply(base: str, edits) -> bytes:
    text = base
    for at, cut, token in edits:
        at = min(at, len(text))
        text = text[:at] + token + text[at + cut:]
    return text.encode("utf-8", "surrogatepass")


CONFIG_TEXT = ('inputs = ["plans/"]\noutput = "out"\nroll = "preceding"\nalarms = "7d,1d"\n'
               'keep_removed = false\nwithdrawn = ["plans/old.txt"]\nmonth_before = "month_start"\n')
AGENCY_TEXT = ('[[agency]]\nname = "示范市某局"\njurisdiction = "示范市"\nkind = "department"\n'
               'aliases = ["某局", "市某局"]\nslug = "sfs-mouju"\nsource = "test"\n\n[patterns]\ngroup = ["各区"]\n')
YEAR_TEXT = ('year = 2027\ncomplete = true\nsource = "通知"\nworkdays = [2027-02-06]\n\n[[holiday]]\n'
             'name = "春节"\nstart = 2027-02-07\nend = 2027-02-13\n\n[[holiday]]\nname = "元旦"\nstart = 2027-01-01\n')


def _load_config(path):
    from calgen.settings import load_config

    return load_config(path)


def _load_agencies(path):
    from calgen.rules import Rules
    from calgen.settings import Settings

    return Rules.load(Settings(agency_files=(path,)))


def _load_year(path):
    from calgen.calendar.holidays import load_year_file

    return load_year_file(path)


DATA_FILES = {"calgen.toml": (CONFIG_TEXT, _load_config), "extra.toml": (AGENCY_TEXT, _load_agencies),
              "2027.toml": (YEAR_TEXT, _load_year)}


@pytest.mark.parametrize("name", sorted(DATA_FILES))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_data_files_mutated(tmp_path_factory, name, data):
    base, load = DATA_FILES[name]
    path = tmp_path_factory.mktemp("f") / name
    path.write_bytes(data.draw(_mutations(base)))
    _safe(load, path)


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                        st.sampled_from(["events", "documents", "owners", "feeds", "retired", "overlay", "tasks",
                                         "due", "sequence", "summary", "fingerprint", "x", "start"]), inner, max_size=4),
                    max_leaves=12))
def test_manifest_shapes_are_checked_never_crash(data):
    import json

    from calgen.publish.store import manifest

    loaded, problem = manifest.load(json.dumps(data).encode())
    assert (loaded == {}) or not problem


# A document with at least one numbered item and no unreadable bytes is never refused (#17).
LABELS = st.sampled_from(["一、", "(一)", "（二）", "1.", "2、", "(3)", "第一条", "三、"])
PROSE = st.text(alphabet=st.sampled_from(list("推进改革完善制度加强监管市财政局牵头配合负责，。、6月底前年内 \n")), max_size=60)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(LABELS, PROSE), min_size=1, max_size=8), PROSE)
def test_a_numbered_plan_is_never_refused(items, head):
    from calgen.extract.batch import extract_one

    text = head + "\n" + "\n".join(label + "推进" + body + "。" for label, body in items) + "\n"
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.txt"
        path.write_text("示范市人民政府办公室\n2023年3月1日\n" + text, encoding="utf-8")
        doc, err = extract_one(str(path), RULES)
    assert err is None and doc is not None and doc.tasks, text
