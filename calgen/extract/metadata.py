"""Document-level facts: 文号, the plan's own title, issuer, 落款 date, plan year, jurisdiction.

A plan usually arrives inside a wrapper notice (关于印发《…》的通知 + 文号 + addressees + signature +
date), sometimes inside a web page with its own dates (发布日期, 来源时间) that are not the 落款.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..read.clean import squeeze

_DOC_NO = re.compile(
    r"([\u4e00-\u9fff]{1,10}?)\s*[〔\[【(]\s*((?:19|20)\d\d)\s*[〕\]】)]?\s*(\d{1,4})\s*号")
# A 文号 alone on its line whose 〕 and 号 a page lost (六政〔201760 for 六政〔2017〕60号; GENRE.md:
# "sometimes the closing 〕 or 号 is lost").
_DOC_NO_LOST = re.compile(r"^\s*([\u4e00-\u9fff]{1,10}?)\s*〔\s*((?:19|20)\d\d)\s*(\d{1,4})\s*$")
# A 落款 date alone on its line whose 年月日 a page lost (2017927 for 2017年9月27日).
_DIGITS_DATE = re.compile(r"^\s*((?:19|20)\d\d)(\d{2,4})\s*$")
_DOC_NO_LABEL = re.compile(r"(?:发文字号|文号)[：:\s]\s*(\S+号)")
_DATE = re.compile(r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATE_LINE = re.compile(r"^\s*((?:19|20)\d\d)年(\d{1,2})月(\d{1,2})日\s*$")
_WRITTEN_LABEL = re.compile(r"(?:成文日期|颁布时间|颁布日期|印发日期|发文日期|公布日期)[】\]]?[：:\s]\s*"
                            r"((?:19|20)\d\d)[-年/.](\d{1,2})[-月/.](\d{1,2})")
_ISSUER_LABEL = re.compile(r"(?:发布单位|发文机关|发文单位|制定机关|颁布单位)[】\]]?[：:\s]\s*([\u4e00-\u9fff、]{4,40})")
_TITLE_NUMBER = re.compile(r"的(?:通知|意见|决定|函)\s*[(（]\s*([^()（）]{2,20}?〔\s*\d{4}\s*〕\s*\d+\s*号)\s*[)）]")
_TAG = re.compile(r"^(?:【[^】]{1,10}】|\[[^\]]{1,10}\])\s*")
# Joint issuers printed side by side (their separating spaces gone once the text is read): a new
# one starts after an office's ending with 中共 or a place and its body (…委员会中共成都市委…,
# …工作部成都市规划和自然资源局).
_TWO_ISSUERS = re.compile(r"(?:(?<=办公室)|(?<=办公厅)|(?<=委员会)|(?<=工作部)|(?<=[局厅]))"
                          r"(?=中共|[\u4e00-\u9fff]{2,8}(?:省|市|县|区)(?:人民政府|政府|委|[\u4e00-\u9fff]{1,12}?(?:局|厅|委员会)))")
_WRAPPER = re.compile(r"^(.{2,90}?)(?:关于印发|印发(?=《))(.+?)的通知")   # up to four joint issuers
# A wrapper notice (the one owner of recognising it): it prints a plan (关于印发《…》的通知), hands
# it on (现将《X方案》印发给你们，请认真贯彻实施) and may add its own numbered requests (并提出以下要求) —
# which are not the plan's tasks.
_PRINTS = re.compile(r"关于印发|印发(?=《)")
_FORWARD = re.compile(r"(?:现将|现把|将).{0,160}?(?:(?:印发|转发|下达)给你们|分解下达)")
_REQUESTS = re.compile(r"提出(?:以下|如下)要求")     # only in a 关于印发 notice: 实施意见 say 提出如下意见


def prints_a_plan(line: str) -> bool:
    """Does ``line`` (or a run of joined lines) print a plan, as a wrapper notice's title does?"""
    return _PRINTS.search(line) is not None


def forwarding_lines(lines: list[str], end: int) -> list[int]:
    """Indexes (before ``end``) of the lines where a wrapper notice hands its plan on, or opens
    its own requests."""
    printed = any(prints_a_plan(lines[i]) for i in range(end))
    return [i for i in range(end) if _FORWARD.search(lines[i]) or (printed and _REQUESTS.search(lines[i]))]
_PLAN_WORDS = re.compile(r"(?:安排|方案|要点|计划|清单|措施|意见|规划|细则|任务|办法)$")
_TITLE_YEAR = re.compile(r"((?:19|20)\d\d)\s*(?:[—–\-－~至]\s*(?:19|20)\d\d\s*)?年")
_JURIS = re.compile(r"([\u4e00-\u9fff]{2,9}?(?:省|自治区|市|州|盟|县|区|旗))(?=人民政府|政府|委|办公|党委)")


@dataclass(frozen=True)
class Meta:
    doc_number: str | None
    title: str
    issuer: str | None
    issued: dt.date | None
    plan_year: int | None
    jurisdiction: str | None
    body_start: int            # index of the first line after the plan's own title


def read_meta(lines: list[str], first_label: int) -> Meta:
    """Facts from the head: the lines before the plan's own title when a wrapper notice names
    it (the notice may number its own requests 一、二、), else before the first numbered item."""
    head = lines[:first_label] if first_label > 0 else lines[:40]
    wrapper_title, issuer = _wrapper(lines[: max(first_label, 60)])
    title, title_end = _plan_title(lines[:300] if wrapper_title else head, wrapper_title)
    if title_end > len(head):
        head = lines[:title_end]
    issued = _issued(head) or _signed_at_end(lines)
    doc_number = _doc_number(head)
    year = _plan_year(title, issued) or _number_year(doc_number) or _body_year(lines)
    issuer = issuer or _signature(head) or _labelled_issuer(head)
    if issuer:
        issuer = _TWO_ISSUERS.sub("、", _TAG.sub("", issuer)).strip() or None
    doc_number = doc_number or _title_number(lines[: max(first_label, 60)])
    return Meta(
        doc_number=doc_number,
        title=title,
        issuer=issuer,
        issued=issued,
        plan_year=year,
        jurisdiction=_jurisdiction(issuer),
        body_start=title_end,
    )


def _doc_number(head: list[str]) -> str | None:
    """The 文号 standing alone on a line (not one cited in the text), run in right after the
    title (…的通知国办发〔2020〕43号, a dataset's copy), else a labelled one."""
    for line in head:
        m = _DOC_NO.search(line) if "号" in line else None      # (the pattern ends in 号)
        if m and len(line) - (m.end() - m.start()) <= 12 and "关于" not in line:
            prefix = re.sub(r"^.*?(?:文号|字号)[：:]?", "", m.group(1))
            return f"{prefix}〔{m.group(2)}〕{int(m.group(3))}号"
    for line in head:
        m = _DOC_NO_LOST.match(line)
        if m:
            return f"{m.group(1)}〔{m.group(2)}〕{int(m.group(3))}号"
    for line in head[:3]:
        m = _AFTER_TITLE.search(line)
        if m:
            n = _DOC_NO.match(m.group(1))
            if n:
                return f"{n.group(1)}〔{n.group(2)}〕{int(n.group(3))}号"
    return _number_in(head, _DOC_NO_LABEL)


_AFTER_TITLE = re.compile(r"关于.{2,80}?的(?:指导|实施)?(?:通知|意见|决定|方案|规定|办法)\s*(\S{1,12}?〔\s*\d{4}\s*〕\s*\d+\s*号)")


def _number_in(head: list[str], where: re.Pattern[str]) -> str | None:
    """The 文号 inside the first match of ``where`` (a label's value, a title's parentheses)."""
    for line in head:
        m = where.search(line)
        if m:
            n = _DOC_NO.search(m.group(1))
            if n:
                return f"{n.group(1)}〔{n.group(2)}〕{int(n.group(3))}号"
    return None


def _wrapper(head: list[str]) -> tuple[str | None, str | None]:
    """(plan title named by the wrapper notice, issuer of the notice)."""
    joined = ""
    for i, line in enumerate(head):
        if line.startswith("关于印发"):       # issuer on the line above: 广东省人民政府办公厅⏎关于印发…
            prev = next((p for p in reversed(head[:i]) if p.strip()), "")
            line = (prev.strip() if len(prev.strip()) <= 30 else "") + line
        joined = (joined + line) if joined else line
        if not prints_a_plan(joined):
            joined = ""
            continue
        m = _WRAPPER.search(joined)
        if m and "《" in m.group(1) and _CITING.search(m.group(1).split("《")[0]):
            joined = ""                        # 根据《X关于印发…的通知》: a cited document, not this one
            continue
        if m:
            issuer = re.sub(r"^.*?[：:>《]\s*", "", m.group(1)).strip()
            return _strip_title(m.group(2)), issuer or None
        if len(joined) > 200:
            joined = ""
    return None, None


# Words that cite another document before its title in 《》 (根据《…的通知》精神).
_CITING = re.compile(r"根据|按照|依据|贯彻|落实|参照|遵照|结合")


def _strip_title(s: str) -> str:
    return s.strip().strip("《》〈〉").replace("》《", "、").strip()


def _plan_title(head: list[str], wrapper_title: str | None) -> tuple[str, int]:
    """The plan's own title block (often split over lines) and the line after it."""
    squeezed: dict[int, str] = {}      # lines without spaces, made as the search reaches them

    def flat(i: int) -> str:
        if i not in squeezed:
            squeezed[i] = squeeze(head[i])
        return squeezed[i]

    if wrapper_title:
        target = squeeze(wrapper_title)
        for i in range(len(head)):
            block = ""
            for j in range(i, min(i + 4, len(head))):
                if not flat(j) and block:
                    continue
                block += flat(j)
                if block == target:
                    return wrapper_title, j + 1
                if not target.startswith(block):
                    break
        return wrapper_title, 0
    for i in range(len(head)):
        line = flat(i)
        if 6 <= len(line) <= 60 and _PLAN_WORDS.search(line) and "通知" not in line:
            title, end = line, i + 1
            before = flat(i - 1) if i > 0 else ""
            if before and len(before) <= 30 and not _DATE.search(before) and not before.endswith(("：", "号")) \
                    and not _PUBLISHED.fullmatch(before):
                title = before + line
            return title, end
    return "", 0


# A 落款 run into its paragraph: the signing office, then the date, then (此件公开发布) or the end
# (…认真贯彻落实。国务院办公厅2020年11月1日(此件公开发布)).
_SIGNED_INLINE = re.compile(r"(?:办公厅|办公室|人民政府|国务院|委员会|[厅局委])\s*((?:19|20)\d\d)年(\d{1,2})月(\d{1,2})日\s*"
                            r"(?:[(（]此件(?:公开发布|不公开|主动公开)[)）]|$)")


# The notice's last line (此件公开发布): never part of the plan's title below it.
_PUBLISHED = re.compile(r"[(（]此件(?:公开发布|不公开|主动公开|依申请公开)[)）]")


def _issued(head: list[str]) -> dt.date | None:
    """The 落款 date: a date alone on its line; a date run in after the signing office; else
    the metadata table's 成文日期."""
    for line in head:
        m = _DATE_LINE.match(line)
        if m:
            return _date(m)
    for line in head:
        m = _SIGNED_INLINE.search(line)
        if m:
            return _date(m)
    for line in head:
        m = _WRITTEN_LABEL.search(line)
        if m:
            return _date(m)
    for line in head:
        day = _digits_date(line)
        if day:
            return day
    return None


def _digits_date(line: str) -> dt.date | None:
    """2017927 → 2017-09-27: a date whose 年月日 were lost, read only when one split of the
    month and day is a real date (2020111 could be 1月11日 or 11月1日: no date)."""
    m = _DIGITS_DATE.match(line)
    if m is None:
        return None
    year, rest = int(m.group(1)), m.group(2)
    found = set()
    for cut in (1, 2):
        month, day = rest[:cut], rest[cut:]
        if not day or len(day) > 2:
            continue
        try:
            found.add(dt.date(year, int(month), int(day)))
        except ValueError:
            continue
    return found.pop() if len(found) == 1 else None


def _signed_at_end(lines: list[str]) -> dt.date | None:
    """A plan signed at its end (no wrapper notice): the last date standing alone on its line
    or run in after the signing office, among the document's last lines."""
    for line in reversed(lines[-12:]):
        m = _DATE_LINE.match(line) or _SIGNED_INLINE.search(line)
        if m:
            return _date(m)
    return None


def _date(m: re.Match) -> dt.date | None:
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _number_year(doc_number: str | None) -> int | None:
    m = re.search(r"〔((?:19|20)\d\d)〕", doc_number or "")
    return int(m.group(1)) if m else None


# A year in the text that dates something: a deadline (2019年5月底前, 到2020年底) or a cited
# document's 文号 (昆政发〔2016〕13号) — not a plan named after a span (2021—2025年) or an edition.
# A year that opens a statement about the plan's own year also counts (2023年是…, 2024年度…,
# 2019年全市政务公开重点工作…).
_BODY_YEAR = re.compile(r"((?:19|20)\d\d)\s*年\s*(?:\d{1,2}\s*月|底|末|内|前|起|度|是|"
                        r"[\u4e00-\u9fff]{2,30}?(?:要点|方案|计划|安排|清单|任务))|〔\s*((?:19|20)\d\d)\s*〕")


def _body_year(lines: list[str]) -> int | None:
    """When neither title, 文号 nor 落款 names the plan year: the year the text's own dated
    phrases and cited documents use most (the earliest on a tie), else None."""
    counts: dict[int, int] = {}
    for line in lines[:400]:
        for m in _BODY_YEAR.finditer(line):
            year = int(m.group(1) or m.group(2))
            counts[year] = counts.get(year, 0) + 1
    if not counts:
        return None
    return min(counts, key=lambda y: (-counts[y], y))


def _plan_year(title: str, issued: dt.date | None) -> int | None:
    m = _TITLE_YEAR.search(title or "")
    if m:
        return int(m.group(1))
    return issued.year if issued else None


def _labelled_issuer(head: list[str]) -> str | None:
    """发布单位：X in a portal's or a wiki's metadata block."""
    for line in head:
        m = _ISSUER_LABEL.search(line)
        if m:
            return m.group(1)
    return None


def _title_number(head: list[str]) -> str | None:
    """The 文号 in the parentheses after the title: …的通知(岳办发〔2017〕2号)."""
    return _number_in(head, _TITLE_NUMBER)


def _signature(head: list[str]) -> str | None:
    """The line above the 落款 date names the issuer when there is no wrapper title."""
    for i, line in enumerate(head):
        if _DATE_LINE.match(line):
            for prev in reversed(head[:i]):
                if prev.strip():
                    return prev.strip() if len(prev.strip()) <= 30 else None
    return None


def _jurisdiction(issuer: str | None) -> str | None:
    """广东省人民政府办公厅 → 广东省; 中共某某市委办公室 → 某某市; 深圳市南山区人民政府 → 深圳市南山区."""
    if not issuer:
        return None
    m = _JURIS.search(re.sub(r"(^|、)中共", r"\1", issuer))
    return m.group(1) if m else None
