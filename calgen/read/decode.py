"""Bytes → text: Word and PDF by their bytes, encodings detected (never assumed), then cleaned.

Only a document with nothing readable is refused; everything else goes on to calgen.read.clean.
"""
from __future__ import annotations

import re
import stat
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from ..errors import ReadingError
from ..limits import MAX_FILE_BYTES as MAX_BYTES
from .clean import LOST, Simplifier, clean_text

_MAGIC = MappingProxyType({
    b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive", b"Rar!": "a RAR archive", b"7z\xbc\xaf": "a 7z archive",
})
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.I)


@dataclass(frozen=True)
class Text:
    """Clean text of one document, with what could not be repaired."""

    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


def read_file(path: str | Path, simplifier: Simplifier) -> Text:
    """Read and clean one document; raise ReadingError with the file named."""
    p = Path(path)
    try:
        info = p.stat()
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError
        if not stat.S_ISREG(info.st_mode):
            raise ReadingError("not a regular file (a pipe, socket or device); only files are read",
                               file=str(path), hint="save the plan to a file first")
        size = info.st_size
        if size > MAX_BYTES:
            raise ReadingError(f"file is {size / 1e6:.0f} MB, larger than a plan can be "
                               f"({MAX_BYTES // 1_000_000} MB)", file=str(path),
                               hint="split it or check that it is the right file")
        data = p.read_bytes()
    except FileNotFoundError:
        raise ReadingError("no such file", file=str(path)) from None
    except IsADirectoryError:
        raise ReadingError("is a folder, not a file", file=str(path)) from None
    except PermissionError:
        raise ReadingError("permission denied", file=str(path)) from None
    except OSError as e:                         # a looping link, a name too long, an I/O error
        raise ReadingError(f"cannot read: {e.strerror or e}", file=_short(str(path)),
                           hint="check the path") from None
    try:
        return clean_bytes(data, simplifier)
    except ReadingError as e:
        raise e.located(str(path)) from None


def _short(path: str, limit: int = 200) -> str:
    """A path as an error line shows it: a very long one cut in the middle."""
    return path if len(path) <= limit else path[:80] + "…" + path[-100:]


def clean_bytes(data: bytes, simplifier: Simplifier) -> Text:
    """Any supported input (text, HTML, .docx, .pdf) → clean text."""
    repairs: list[str] = []
    raw, encoding = _container(data) or decode(data, repairs)
    text, warnings = clean_text(raw, simplifier)
    return Text(text, encoding, tuple(repairs + warnings))


def _container(data: bytes) -> tuple[str, str] | None:
    """Word and PDF files by their bytes (not their names); None for text."""
    from . import containers as formats

    if data.startswith(b"PK\x03\x04"):
        if b"word/document.xml" not in data:
            raise ReadingError("binary file (a ZIP archive, not a Word .docx), not a text plan",
                               hint="unpack it and pass the plan inside")
        return formats.docx_text(data), "docx"
    if data.startswith(b"%PDF"):
        return formats.pdf_text(data), "pdf"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        if formats.is_encrypted_office(data):
            raise ReadingError("password-protected Word document", hint="save an unprotected .docx copy")
        raise ReadingError("binary file (a Word 97-2003 .doc or WPS file), not a text plan",
                           hint="save it as .docx")
    return None


def decode(data: bytes, repairs: list[str] | None = None) -> tuple[str, str]:
    """Detect the encoding (never assume it) and decode; a few stray bytes in otherwise valid
    UTF-8 become lost characters (U+FFFD), each reported in ``repairs`` with its byte offset
    and line, instead of costing the plan."""
    repairs = [] if repairs is None else repairs
    if not data.strip():
        raise ReadingError("empty file", hint="nothing to read")
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise ReadingError(f"binary file ({what}), not a text plan",
                               hint="save the plan as text, HTML or Markdown")
    if data.startswith(b"\xef\xbb\xbf"):
        return _lenient(data[3:], repairs, skipped=3), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        utf16 = _utf16_without_bom(data)
        if utf16:
            return utf16
        raise ReadingError("binary file (contains NUL bytes), not a text plan")
    declared = _CHARSET.search(data[:4096])
    if declared:                                 # a web page says what it is (gov pages: GB2312/GBK)
        name = declared.group(1).decode().lower()
        name = "gb18030" if name in ("gb2312", "gbk", "gb18030", "x-gbk") else name
        try:
            return data.decode(name), name
        except (LookupError, UnicodeDecodeError):
            pass                                 # a wrong declaration: detect instead
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        if e.reason == "unexpected end of data" and e.start >= len(data) - 3:
            raise ReadingError(f"file ends inside a UTF-8 character (byte {e.start})",
                               hint="the file looks truncated; download it again") from None
    allowed = max(3, len(data) // 2000)
    # counted in one pass at the codec's speed (a GBK file fails UTF-8 every few bytes: finding
    # each failure by decoding again from it was quadratic, ~10 s a MB)
    if len(_UNDECODED.findall(data.decode("utf-8", "surrogateescape"))) <= allowed:
        bad = _utf8_errors(data, limit=allowed + 1)
        damaged = sum(b - a for a, b in bad)
        if len(bad) <= allowed and damaged <= max(6, len(data) // 1000):
            return _lenient(data, repairs), "utf-8"         # UTF-8 with a few damaged bytes, not GBK/Big5
    return _detect(data)


_UNDECODED = re.compile("[\udc80-\udcff]+")       # bytes UTF-8 could not decode, as surrogateescape keeps them


def _utf8_errors(data: bytes, limit: int = 10_000) -> list[tuple[int, int]]:
    """(start, end) byte runs where UTF-8 decoding fails, adjacent failures merged (up to ``limit``)."""
    found: list[tuple[int, int]] = []
    start = 0
    while start < len(data) and len(found) < limit:
        try:
            data[start:].decode("utf-8")
            break
        except UnicodeDecodeError as e:
            a, b = start + e.start, start + e.end
            if found and found[-1][1] == a:
                found[-1] = (found[-1][0], b)
            else:
                found.append((a, b))
            start = b
    return found


def _lenient(data: bytes, repairs: list[str], skipped: int = 0) -> str:
    """UTF-8 where each run of undecodable bytes becomes one lost character, reported."""
    bad = _utf8_errors(data)
    if not bad:
        return data.decode("utf-8")
    parts, pos = [], 0
    for a, b in bad:
        parts += [data[pos:a].decode("utf-8"), LOST]
        pos = b
    parts.append(data[pos:].decode("utf-8", errors="replace"))
    for a, b in bad[:5]:
        line = data.count(b"\n", 0, a) + 1
        what = " ".join(f"0x{x:02x}" for x in data[a:min(b, a + 4)])
        repairs.append(f"line {line}: byte {a + skipped} ({what}) is not UTF-8; read as one lost character")
    if len(bad) > 5:
        repairs.append(f"… and {len(bad) - 5} more damaged places, each read as one lost character")
    return "".join(parts)


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 saved without its byte-order mark (Windows tools do): the byte order whose text
    is Chinese, ASCII and punctuation, or None."""
    if len(data) % 2:
        return None
    for name in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        sample = text[:4000]
        plausible = sum(1 for ch in sample if ch.isprintable() or ch in "\r\n\t")
        han = sum(1 for ch in sample if "\u3400" <= ch <= "\u9fff")
        if plausible >= 0.97 * len(sample) and han >= max(2, len(sample) // 20):
            return text, name
    return None


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        raise ReadingError(f"invalid {encoding} at byte {e.start}",
                           hint="the file is damaged or mislabelled") from None


def _detect(data: bytes) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    # Chinese plans come in these; restricting the candidates stops Latin-1 style guesses.
    best = from_bytes(data, cp_isolation=["gb18030", "big5", "utf_16"]).best()
    if best is None:
        raise ReadingError("undecodable bytes: not UTF-8, GB18030 or Big5",
                           hint="convert the file to UTF-8")
    text = str(best)
    han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    if han < max(2, len(text) // 20):
        raise ReadingError(f"no Chinese text found (bytes decode as {best.encoding} to gibberish)",
                           hint="convert the file to UTF-8")
    return text, best.encoding
