"""compact.dumps writes what json.dumps writes (compact, non-ASCII as UTF-8) for the data
calgen keeps in its machine-read files."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calgen.publish.store import compact

# strings with what the files hold: Chinese, controls, quotes, backslashes, U+2028, astral
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12) | st.sampled_from(
    ["", "“放管服”", "a\"b\\c", "\x00\x1f\x7f", "\u2028\u2029", "𠀀", "</script>", "\t\n\r\b\f"])
SCALARS = st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | TEXT
DATA = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                    | st.dictionaries(TEXT, inner, max_size=4), max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(DATA, st.booleans())
def test_the_same_bytes_as_json(data, sort_keys):
    expected = json.dumps(data, ensure_ascii=False, sort_keys=sort_keys, separators=(",", ":")).encode("utf-8")
    assert compact.dumps(data, sort_keys=sort_keys) == expected


@pytest.mark.parametrize(("data", "expected"), [
    ({"b": 1, "a": [None, True, "牵头"]}, b'{"a":[null,true,"\xe7\x89\xb5\xe5\xa4\xb4"],"b":1}'),
    ({"uid": "x@calgen", "due": "2018-12-29"}, b'{"due":"2018-12-29","uid":"x@calgen"}'),
    ("\x01", b'"\\u0001"'),
])
def test_cases(data, expected):
    assert compact.dumps(data, sort_keys=True) == expected
