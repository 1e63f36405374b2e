"""Plans as they are published: Word (.docx) and PDF files → plain text lines.

python-docx and pdfplumber are imported only when such a file is read.  The text that comes out
goes through the same cleaning as a .txt file (calgen/reading.py).
"""
from __future__ import annotations

import io
import re
from collections import Counter

from .. import limits
from ..errors import ReadingError
from ..numerals import int_to_cn
from .tables import grid_lines

_CN_FORMATS = frozenset({"chineseCounting", "chineseCountingThousand", "ideographTraditional",
               "japaneseCounting", "chineseLegalSimplified", "ideographLegalTraditional"})


# --- Word ------------------)-------------------------------------------------------------------

def docx_text(data: bytes) -> str:
    """Paragraphs in order with Word's automatic numbering written out, tables as task lines."""
    try:
        import docx
    except ImportError:                                  # pragma: no cover - declared dependency
        raise ReadingError("reading .docx needs python-docx", hint="pip install python-docx") from None
    _check_package(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:                               # python-docx raises many kinds on bad input
        raise ReadingError(f"not a readable Word document ({type(e).__name__})",
                           hint="open and save it again in Word or WPS as .docx") from None
    numbering = _Numbering(document)
    lines: list[str] = []
    size = 0
    body = document.element.body
    for child in body.iterchildren():
        if not isinstance(child.tag, str):              # a comment or processing instruction
            continue
        before = len(lines)
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(t.text or "" for t in _elements(child) if t.tag.endswith("}t"))
            label = numbering.label(child, document)
            lines.append(label + text)
        elif tag == "tbl":
            lines.extend(_table_lines(child))
        size += sum(map(len, lines[before:]))
        if size > limits.MAX_TEXT_CHARS:
            raise ReadingError(f"holds more than {limits.MAX_TEXT_CHARS:,} characters of text (no plan is that long)",
                               hint="split it, or pass the plan itself")
    return "\n".join(lines)


def _check_package(data: bytes) -> None:
    """A .docx is a zip: refuse one that would unpack past the limits (calgen/limits.py) before
    python-docx parses it — a zip bomb, or a file that is not a plan."""
    import zipfile

    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return                                            # python-docx says what is wrong with it
    if len(infos) > limits.MAX_DOCX_PARTS:
        raise ReadingError(f"a Word file of {len(infos):,} parts (limit {limits.MAX_DOCX_PARTS:,})",
                           hint="open and save it again in Word or WPS; a plan has a few dozen parts")
    total = sum(i.file_size for i in infos)
    if total > limits.MAX_DOCX_UNPACKED:
        raise ReadingError(f"unpacks to {total / 2**20:,.0f} MB (limit {limits.MAX_DOCX_UNPACKED / 2**20:.0f} MB)",
                           hint="a plan is a few MB unpacked; this file is not one (or is a zip bomb)")
    for i in infos:
        if i.file_size > 10 * 2**20 and i.file_size > limits.MAX_PACK_RATIO * max(i.compress_size, 1):
            raise ReadingError(f"part {i.filename} unpacks {i.file_size // max(i.compress_size, 1):,} times its size",
                               hint="a zip bomb, not a plan")


class _Numbering:
    """Counters for Word list numbering (numPr), formatted like the document's lvlText."""

    def __init__(self, document) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.counters: dict[str, list[int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        ns = root.nsmap.get("w") or "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
        w = "{" + ns + "}"
        abstract = {}
        for a in root.iter(f"{w}abstractNum"):
            levels = {}
            for lvl in a.iter(f"{w}lvl"):
                # a malformed level (ilvl="x", no ilvl, start="abc", level 20) is left out: its
                # paragraphs keep their text without a written-out number, never a guessed one
                ilvl = _int(lvl.get(f"{w}ilvl"), -1, 0, 8)
                start_el = lvl.find(f"{w}start")
                start = _int(start_el.get(f"{w}val") if start_el is not None else None, 1, 0, 32767)
                if ilvl is None or ilvl < 0 or start is None:
                    continue
                fmt = lvl.find(f"{w}numFmt")
                text = lvl.find(f"{w}lvlText")
                levels[ilvl] = (fmt.get(f"{w}val") if fmt is not None else "decimal",
                                text.get(f"{w}val") if text is not None else "%1.",
                                start)
            abstract[a.get(f"{w}abstractNumId")] = levels
        for num in root.iter(f"{w}num"):
            ref = num.find(f"{w}abstractNumId")
            if ref is not None:
                self.levels[num.get(f"{w}numId")] = abstract.get(ref.get(f"{w}val"), {})
        self.w = w

    def label(self, p, document) -> str:
        if not self.levels:
            return ""
        w = self.w
        num_pr = p.find(f"{w}pPr/{w}numPr")
        if num_pr is None:
            num_pr = self._style_numpr(p, document)
        if num_pr is None:
            return ""
        num_id = num_pr.find(f"{w}numId")
        ilvl = num_pr.find(f"{w}ilvl")
        if num_id is None:
            return ""
        key = num_id.get(f"{w}val")
        level = _int(ilvl.get(f"{w}val") if ilvl is not None else None, 0, 0, 8)
        levels = self.levels.get(key)
        if not levels or level is None or level not in levels:
            return ""
        counts = self.counters.setdefault(key, [0] * 9)
        fmt, text, start = levels[level]
        counts[level] = counts[level] + 1 if counts[level] else start
        for deeper in range(level + 1, 9):
            counts[deeper] = 0
        out = text
        for i in range(level + 1):
            n = counts[i] or levels.get(i, ("decimal", "", 1))[2]
            value = int_to_cn(n) if levels.get(i, ("decimal",))[0] in _CN_FORMATS else str(n)
            out = out.replace(f"%{i + 1}", value)
        return out

    def _style_numpr(self, p, document):
        w = self.w
        style = p.find(f"{w}pPr/{w}pStyle")
        if style is None:
            return None
        try:
            st = document.styles.get_by_id(style.get(f"{w}val"), 1)  # WD_STYLE_TYPE.PARAGRAPH
        except Exception:
            return None
        return None if st is None else st.element.find(f"{w}pPr/{w}numPr")


def _elements(node):
    """Descendant elements only: comments, processing instructions and entity references inside
    a paragraph are skipped (their ``tag`` is not a name)."""
    return (e for e in node.iter() if isinstance(e.tag, str))


def _int(value: str | None, default: int, low: int = 0, high: int = 9) -> int | None:
    """A numbering attribute as a number in [low, high]; None when it is not one."""
    if value is None:
        return default
    try:
        n = int(value)
    except ValueError:
        return None
    return n if low <= n <= high else None


def _table_lines(tbl) -> list[str]:
    """A Word table → pipe lines (calgen.read.tables finds the task tables among them)."""
    rows = []
    for tr in _elements(tbl):
        if tr.tag.endswith("}tr"):
            cells = []
            for tc in tr:
                if isinstance(tc.tag, str) and tc.tag.endswith("}tc"):
                    cells.append("".join(t.text or "" for t in _elements(tc) if t.tag.endswith("}t")).strip())
            rows.append(cells)
    return grid_lines(rows)


# --- PDF --------------------------------------------------------------------------------------

def pdf_text(data: bytes) -> str:
    """Text in reading order, page headers and footers that repeat on every page removed."""
    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFPasswordIncorrect
    except ImportError:                                  # pragma: no cover - declared dependency
        raise ReadingError("reading .pdf needs pdfplumber", hint="pip install pdfplumber") from None
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > limits.MAX_PDF_PAGES:
                raise ReadingError(f"a PDF of {len(pdf.pages):,} pages (limit {limits.MAX_PDF_PAGES:,})",
                                   hint="a plan has tens of pages: pass the plan itself")
            pages, size = [], 0
            for page in pdf.pages:
                pages.append((page.extract_text() or "").split("\n"))
                size += sum(map(len, pages[-1]))
                if size > limits.MAX_TEXT_CHARS:
                    raise ReadingError(f"holds more than {limits.MAX_TEXT_CHARS:,} characters of text "
                                       "(no plan is that long)", hint="pass the plan itself")
    except ReadingError:
        raise
    except PDFPasswordIncorrect:
        raise ReadingError("password-protected PDF", hint="save an unprotected copy") from None
    except Exception as e:                               # pdfminer raises many kinds on bad input
        causes = f"{e!r} {e.args!r} {e.__cause__!r}".lower()   # pdfplumber wraps pdfminer's errors
        if "password" in causes or "encrypt" in causes:
            raise ReadingError("password-protected PDF", hint="save an unprotected copy") from None
        raise ReadingError(f"not a readable PDF ({type(e).__name__})") from None
    if not any(line.strip() for page in pages for line in page):
        raise ReadingError("PDF has no text layer (a scan)", hint="OCR it first")
    return "\n".join(_strip_running_lines(pages))


def _strip_running_lines(pages: list[list[str]]) -> list[str]:
    """Drop first/last lines that recur on most pages (running heads, footers)."""
    if len(pages) < 3:
        return [line for page in pages for line in page]
    edges: Counter[str] = Counter()
    for page in pages:
        for line in {*page[:2], *page[-2:]}:
            edges[re.sub(r"\d+", "#", line.strip())] += 1
    running = {k for k, n in edges.items() if k and n >= max(2, len(pages) * 0.6)}
    out = []
    for page in pages:
        for i, line in enumerate(page):
            edge = i < 2 or i >= len(page) - 2
            if edge and re.sub(r"\d+", "#", line.strip()) in running:
                continue
            out.append(line)
    return out


def is_encrypted_office(data: bytes) -> bool:
    """Password-protected .docx/.xlsx are OLE files holding an EncryptionInfo stream."""
    return "EncryptionInfo".encode("utf-16-le") in data[:200_000]
