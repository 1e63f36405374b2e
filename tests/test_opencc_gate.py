"""Skipping OpenCC for text it would not change never changes what calgen reads."""
import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calgen.read.clean import Simplifier
from calgen.read.opencc_gate import changing_keys, data_file, gate, render

from .conftest import REALWORLD, need_shared

_OPENCC = opencc.OpenCC("t2s")
_GATE = gate(opencc.__version__)


def test_data_file_is_the_installed_opencc_s() -> None:
    """The list is OpenCC's own; another version of OpenCC is never gated by a stale list."""
    text = data_file().read_text(encoding="utf-8")
    if _GATE is None:                       # the installed OpenCC is not the one listed
        assert f'version = "{opencc.__version__}"' not in text
        return
    try:
        keys = changing_keys()
    except OSError as e:                    # no opencc_dict tool in this OpenCC package
        pytest.skip(str(e))
    assert render(opencc.__version__, keys) == text, "run: python scripts/opencc_gate.py"


# Common Simplified characters, the phrases' anchors and neighbours (反覆, 沈思, 藉口, 瞭解 …),
# and Traditional characters.
_ALPHABET = "反复覆沈沉思藉口借瞭了解然坏土甦醒衹得哩英海一二上意落申示任社重工作推进政务服務國廣東縣辦乾燥"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=30))
def test_gate_lets_through_everything_opencc_would_change(text: str) -> None:
    if _GATE is None:
        pytest.skip(f"no list for OpenCC {opencc.__version__}: every text is converted")
    if not _GATE.would_change(text):
        assert _OPENCC.convert(text) == text


@pytest.mark.parametrize(("text", "changes"), [
    ("推进政务服务", False), ("反覆推进", True), ("沈阳市", False), ("深沈", True), ("廣東省", True), ("", False),
    ("得到", False), ("衹得", True),
])
def test_cases(text: str, changes: bool) -> None:
    if _GATE is None:
        pytest.skip(f"no list for OpenCC {opencc.__version__}")
    assert _GATE.would_change(text) is changes
    assert (_OPENCC.convert(text) != text) is changes


def test_real_plans_read_as_opencc_reads_them() -> None:
    need_shared()
    simplifier = Simplifier({})
    for path in sorted((REALWORLD / "docs").glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        assert simplifier(text) == _OPENCC.convert(text), path.name
