"""What OpenCC's Traditional → Simplified conversion could change, so that text it would return
unchanged skips the conversion.

OpenCC (t2s) normalises compatibility ideographs, then, position by position, replaces the
longest dictionary key found there (TSPhrases, then TSCharactersExt, TSCharacters) by its first
value.  Only a key whose value differs from itself changes anything (慰藉 is a key so that its
藉 does not become 借), and it can only change text that contains it.  So text that contains
none of the changing keys comes back unchanged.  Most plans are Simplified already, and
converting them cost a tenth of reading them.

``calgen/data/opencc_t2s.toml`` lists the changing keys of one OpenCC version: the one-character
keys (~5,100 Traditional and variant characters) and the phrases that do not begin with one of
them (~200: 反覆 → 反复, 瞭解 → 了解 — 覆 and 瞭 alone stay as they are).  It is made from OpenCC's own dictionaries by
``python scripts/opencc_gate.py``; with any other OpenCC version every text is converted.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path

CONFIG = "t2s.json"


def data_file() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "opencc_t2s.toml"


class Gate:
    """Does a text contain anything OpenCC would change?  One search (in C) for the changing
    characters and for one anchor character of each phrase, then, at an anchor, whether a
    phrase stands around it.

    The data file lists only phrases that hold no changing character (反覆 → 反复, 沈思 → 沉思,
    瞭解 → 了解 …); each is anchored on its first character that the conversion changes
    (覆, 沈, 瞭 …): rare in Simplified text, unlike 反 or 了."""

    def __init__(self, singles: str, phrases: Mapping[str, str]) -> None:
        self.singles = frozenset(singles)
        self._around: dict[str, list[tuple[str, int]]] = {}     # anchor → (phrase, its offset)
        for phrase, value in phrases.items():
            k = next((i for i, (a, b) in enumerate(zip(phrase, value)) if a != b), 0)
            self._around.setdefault(phrase[k], []).append((phrase, k))
        # Characters past U+FFFF stand for themselves as one range: ``re`` tests a class of
        # BMP characters with a bitmap, but a class holding astral ones character by character
        # (200× slower here); an astral character found is then looked up in ``singles``.
        bmp = "".join(sorted(c for c in self.singles | set(self._around) if ord(c) <= 0xFFFF))
        self._first = re.compile("[" + re.escape(bmp) + "\U00010000-\U0010FFFF]")

    def would_change(self, text: str) -> bool:
        search, pos = self._first.search, 0
        while (m := search(text, pos)) is not None:
            at = m.start()
            char = text[at]
            if char in self.singles:
                return True
            for phrase, k in self._around.get(char, ()):
                if at >= k and text.startswith(phrase, at - k):
                    return True
            pos = at + 1
        return False


def gate(version: str, source: str | None = None) -> Gate | None:
    """The Gate of OpenCC ``version`` (from the data file, or ``source``, its text); None when
    the file is for another version: convert everything."""
    data = tomllib.loads(source if source is not None else data_file().read_text(encoding="utf-8"))
    if data.get("version") != version:
        return None
    return Gate("".join(data["characters"].split()), data["phrases"])


def changing_keys() -> dict[str, str]:
    """Every key of the installed OpenCC's t2s dictionaries whose (first) value is not the key
    itself, with that value, read with the ``opencc_dict`` tool its Python package ships (Linux
    wheels).  Raises OSError when the tool is not there."""
    import opencc

    clib = Path(opencc.__file__).resolve().parent / "clib"
    share, tool = clib / "share" / "opencc", clib / "bin" / "opencc_dict"
    if not tool.exists():
        raise OSError(f"no opencc_dict tool in {clib}")
    config = json.loads((share / CONFIG).read_text(encoding="utf-8"))
    files = [d["dict"]["file"] for d in config.get("normalization", [])]
    for step in config["conversion_chain"]:
        group = step["dict"]
        files += [d["file"] for d in group.get("dicts", [group])]
    env = {**os.environ, "LD_LIBRARY_PATH": str(clib / "lib64")}
    keys: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in files:
            out = Path(tmp) / (name + ".txt")
            subprocess.run([str(tool), "-i", str(share / name), "-o", str(out), "-f", "ocd2", "-t", "text"],
                           check=True, capture_output=True, env=env)
            for line in out.read_text(encoding="utf-8").splitlines():
                key, _, values = line.partition("\t")
                value = values.split(" ")[0]                  # the first value is the one used
                if key and value != key:
                    keys.setdefault(key, value)
    return keys


def render(version: str, keys: Mapping[str, str]) -> str:
    """The data file's text: the one-character keys, and the phrases (with what they become)
    that hold none of them."""
    singles = sorted(k for k in keys if len(k) == 1)
    body = "".join(singles)
    lines = "\n".join(body[i:i + 64] for i in range(0, len(body), 64))
    kept = sorted(k for k in keys if len(k) > 1 and not set(singles).intersection(k))
    listed = "\n".join(f'"{k}" = "{keys[k]}"' for k in kept)
    return ("# The keys of OpenCC's t2s dictionaries (normalisation and conversion) that change text:\n"
            "# text containing none of them comes back from OpenCC unchanged, so calgen skips it.\n"
            "# Made by `python scripts/opencc_gate.py` from the installed OpenCC; used only with the\n"
            "# OpenCC version named here (any other version converts every text).\n"
            f'version = "{version}"\n'
            f'characters = """\n{lines}\n"""\n'
            "\n# phrases holding none of the characters above, and what they become\n"
            f"[phrases]\n{listed}\n")
