"""Who does what: roles from the agency text of a task, names resolved against the registry.

Plans attach agencies as a trailing parenthesis ``(X牵头，Y按职责分工负责)``, labelled brackets
``〔牵头单位：…；责任单位：…〕``, labelled lines under the task, or inline (``X牵头统筹协调``,
``X要…``).  Lists share a prefix (省科技厅、财政厅 → 省财政厅) or a suffix (广州、深圳、珠海市).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from ..model import Agency
from ..read.tables import ROLE_COLUMNS, Column, Row
from .registry import Registry, level_of
from .scan import finditer_from, search_from

# (Possessive: the pieces cannot overlap, so nothing is lost by never backtracking into them,
# and runs of plain characters are taken in one step — 25–35% faster on task texts.)
_BRACKET = re.compile(r"[(〔\[]((?:[^()〔〕\[\]]++|\([^()]*+\)|〔[^〔〕]*+〕)*+)[)〕\]]")


_VERB = re.compile(
    r"(?:共同|联合|分别)?(?P<lead>牵头)(?:负责|落实|推进|实施)?$|"
    r"(?P<resp>按职责分工负责|按职责分工落实|按职责分工|按职责负责|按照职责分工负责|分工负责)$|"
    r"(?P<sole>(?:分别|具体)?负责(?:落实)?)$|"
    r"(?P<support>配合|协助|参与|协办)$")
_DEADLINE_TAIL = re.compile(r"(?:(?:19|20)\d\d年)?(?:\d{1,2}月|年?底|年内|上半年|下半年).*$|完成时[限间].*$")
_JURIS_CHARS = "省市县区镇"
_SUFFIX = re.compile(r"(?:厅|局|委|办|署|会|行|中心|政府|部门|单位|公司|院|所|部|队|处|室|站|台|社|海关|"
                     r"机构|集团|分局|支行|分行|组|团|馆|校|协会|商会)$")
_SPLIT = re.compile(r"[、，,；;/]")
# A line that is nothing but agencies and their role — a 责任单位 cell of a table flattened one
# cell per line (市发改委牵头落实 / 市金融办、人民银行潍坊市中心支行分别牵头落实), or a role line under a task.
# Checked in two linear steps (the role at the end, then each 、-separated name on its own): one
# pattern for the whole line backtracks exponentially on a run of 和/及 (found in review).
_LINE_ROLE = re.compile(r"(?:等(?:有关|相关)?(?:部门|单位))?(?:按职责分工|分别|共同)?"
                        r"(?:牵头落实|牵头负责|牵头|负责落实|负责|配合|参与|协助)$")
_LINE_NAME = re.compile(r"[^\s、，,。；;：:()（）]{1,40}?(?:厅|局|委|办|署|行|中心|政府|公司|院|部|海关|集团|分局|支行|"
                        r"分行|办公室|管委会|委员会)(?:\([^()]{1,20}\))?")


def _inside_bracket(text: str) -> bool:
    """Does ``text`` end inside a bracket (its fields belong to that bracket)?"""
    return sum(map(text.count, "(〔[【")) > sum(map(text.count, ")〕]】"))


def whole_name(name: str, reg: Registry) -> bool:
    """Does ``name`` end the way an agency's or a collective's name ends (not cut: 区商)?"""
    name = name.strip()
    return bool(_SUFFIX.search(name)) or reg.is_group(name) or name.endswith(("等", ")"))


def is_agency_line(line: str) -> bool:
    """Is ``line`` only agencies and their role (市发改委牵头落实, 市财政局、市税务局负责)?"""
    line = line.strip()
    role = _LINE_ROLE.search(line) if len(line) <= 120 else None
    if role is None or role.start() == 0:
        return False
    return all(_LINE_NAME.fullmatch(name) for name in line[:role.start()].split("、"))
_NESTING = re.compile(r"[(〔“《]")
_COMMA = re.compile(r"[，,]")
_CONJ = re.compile(r"(?<=[厅局委办署会行心府门位司院所部队处室站台社关构团])(?:和|及|与|以及)")
_ETC = re.compile(r"等(?=[^等]*(?:有关|相关|部门|单位)|$)")
_INLINE_LEAD = re.compile(
    r"(?:^|[。；，])((?:[省市县区][\u4e00-\u9fff]{1,18}?|[\u4e00-\u9fff]{2,6}(?:海关|供电局|税务局))"
    r"(?:厅|局|委|办|署|中心|政府|办公室)(?:\([^()]{2,20}\))?)(?:作为[^，。；]{2,30}，)?"
    r"(?:会同|牵头|要|负责)")


@dataclass(frozen=True)
class Roles:
    lead: tuple[str, ...] = ()
    responsible: tuple[str, ...] = ()
    support: tuple[str, ...] = ()
    # responsible names that answer for the task alone if they are the only one: after a bare
    # 责任单位： label, or (X负责) with no 牵头
    labelled: tuple[str, ...] = ()
    stated: bool = field(default=False, kw_only=True)   # its own agency bracket (even a cut one)
    # 以下任务均需X配合 / 以下均需X落实: (role, X) for the later tasks too
    standing: tuple[tuple[str, str], ...] = field(default=(), kw_only=True)

    def __bool__(self) -> bool:
        return bool(self.lead or self.responsible or self.support)


def assigns_roles(text: str, reg: Registry) -> bool:
    """Does the text name agencies in a bracket or a labelled line (not just in passing)?"""
    lab = reg.lab
    if any(lab.labelled.match(line.strip()) for line in text.split("\n")):
        return True
    return any(lab.role_words.search(m.group(1)) and "简称" not in m.group(1) for m in _agency_brackets(text))


def states_first_is_lead(text: str, reg: Registry) -> bool:
    """Does the plan state that the first unit listed leads (列第一位者为牵头单位，下同)?"""
    return "第一" in text and reg.lab.first_is_lead.search(text) is not None


_SOLE_VERB = re.compile(r"(?:分别|具体)?负责(?:落实)?$")


def marks_leads(text: str) -> bool:
    """Does the plan mark its leads with 牵头 — more of its agency brackets say 牵头 than say
    only (A、B)负责?  In such a plan a bracket (A、B负责) names the units that carry the task
    alone, its leads; in a plan written with 负责 throughout, several units 负责 are all
    responsible and none leads (the genre's two conventions)."""
    marked = plain = 0
    for m in _brackets(text):
        body = m.group(1)
        if "牵头" in body:
            marked += 1
        elif _SOLE_VERB.search(body) and "职责" not in body and "分工" not in body:
            plain += 1
    return marked > plain


@dataclass(frozen=True)
class RoleConventions:
    """How a plan assigns its tasks, read once from the whole text (:func:`conventions`)."""

    first_is_lead: bool = False      # 列第一位者为牵头单位 (stated)
    sole_leads: bool = False         # leads are marked with 牵头, so (A、B负责) names leads
    inline: bool = True              # the plan assigns tasks at all (brackets or labelled fields):
    #                                  only then is "X要…/X会同Y…" in a task an assignment
    first_from: int = 0              # the line 列第一位者为牵头单位 is stated on: it holds from there on


def conventions(text: str, reg: Registry) -> RoleConventions:
    return RoleConventions(states_first_is_lead(text, reg), marks_leads(text), assigns_roles(text, reg))


def parse_roles(text: str, reg: Registry, first_is_lead: bool = False, sole_leads: bool = False,
                inline: bool = True) -> Roles:
    """Lead, responsible and support names (as written, prefix-expanded) of one task text.
    ``first_is_lead``: the plan says the first unit listed leads; ``sole_leads``: the plan
    marks its leads with 牵头, so (A、B负责) names leads (:func:`marks_leads`); ``inline``: the
    plan assigns tasks in brackets or labelled fields somewhere, so a sentence "X要…" or
    "X会同Y…" in a task without its own bracket assigns it (a 指导意见 that assigns nothing
    only describes duties)."""
    parts: list[Roles] = []
    lines = text.split("\n") if "：" in text or ":" in text else ()    # every label ends so
    for line in lines:
        line = line.strip()
        m = reg.lab.labelled.match(line)
        if m is None:                          # 推进改革。责任单位：X — a field after the task's sentence
            m = next((f for f in reg.lab.labelled.finditer(line) if line[f.start() - 1:f.start()] in "。；;"
                      and not _inside_bracket(line[:f.start()])), None)
        if m:
            parts.append(_labelled_roles(m.group(1), line[m.end():], reg, first_is_lead))
    for m in _agency_brackets(text):
        body = m.group(1)
        if reg.lab.role_words.search(body) and "简称" not in body:
            parts.append(_bracket_roles(body, reg, first_is_lead, sole_leads))
    if "\n" in text:
        parts += [_bracket_roles(line.strip(), reg, first_is_lead, sole_leads)
                  for line in text.split("\n")[1:] if is_agency_line(line)]
    cut = _unclosed_tail(text, reg)
    if cut is not None:
        if cut and reg.lab.role_words.search(cut):
            parts.append(_bracket_roles(cut, reg, first_is_lead, sole_leads))
        elif not parts:
            return Roles(stated=True)       # a cut bracket names nobody for certain: no guess
    if not parts:
        acc: dict[str, list[str]] = {"lead": [], "responsible": [], "support": []}
        _by_lead(text, acc, reg)
        if inline and not acc["lead"]:
            _inline(text, acc, reg)
        return Roles(*(tuple(_dedupe(acc[r])) for r in ("lead", "responsible", "support")))
    return _sole_responsible_leads(_merge(parts))


_OPENERS = "(〔["                   # every match of _BRACKET and _OPEN_TAIL begins with one


def _brackets(text: str) -> list[re.Match[str]]:
    return finditer_from(_BRACKET, text, _OPENERS)


def _agency_brackets(text: str) -> list[re.Match[str]]:
    """Brackets that can be an agency field.  One that says who does what *within* something
    (…内由X负责) and that the sentence goes on after is a remark inside the sentence, not the
    task's assignment; a clause's own bracket before a comma (清单（X牵头，Y配合），每季度…) is one."""
    return [m for m in _brackets(text) if not (text.startswith(("，", ","), m.end()) and "由" in m.group(1))]


_OPEN_TAIL = re.compile(r"[(〔\[]((?:[^()〔〕\[\]]++|\([^()]*+\))*+)$")      # possessive: see _BRACKET


def _unclosed_tail(text: str, reg: Registry) -> str | None:
    """The complete part of an agency bracket the text ends inside (a page cut mid-bracket):
    labelled fields ended by ；/。 and ``X牵头，`` clauses ended by a comma; a field or clause
    the cut runs through is dropped, never completed.  None when the text ends outside a
    bracket."""
    text = text.rstrip()
    m = search_from(_OPEN_TAIL, text, _OPENERS) if not text.endswith(("〕", "]")) else None   # (its content holds neither)
    if m is None or not reg.lab.role_words.search(m.group(1)):
        return None
    parts = re.split(r"[；;。]", m.group(1))
    done, last = parts[:-1], parts[-1]
    if not reg.lab.labelled.search(last):
        clauses = re.split(r"[，,]", last)
        if len(clauses) > 1:
            done.append("，".join(clauses[:-1]))
    return "；".join(p for p in done if p.strip())


# Plans repeat the same agency brackets task after task; each distinct one is parsed once
# (memoised on the registry instance that the parse depends on).
def _bracket_roles(body: str, reg: Registry, first_is_lead: bool, sole_leads: bool = False) -> Roles:
    key = ("bracket", body, first_is_lead, sole_leads)
    hit = reg.memo.get(key)
    if hit is None:
        acc: dict[str, list[str]] = {"lead": [], "responsible": [], "support": [], "labelled": []}
        standing = _bracket(body, acc, reg, first_is_lead, sole_leads)
        hit = reg.memo[key] = Roles(*(tuple(_dedupe(acc[r])) for r in ("lead", "responsible", "support", "labelled")),
                                    standing=standing)
    return hit


def _labelled_roles(label: str, value: str, reg: Registry, first_is_lead: bool) -> Roles:
    key = ("labelled", label, value, first_is_lead)
    hit = reg.memo.get(key)
    if hit is None:
        acc: dict[str, list[str]] = {"lead": [], "responsible": [], "support": [], "labelled": []}
        _labelled(label, value, acc, reg, first_is_lead)
        hit = reg.memo[key] = Roles(*(tuple(_dedupe(acc[r])) for r in ("lead", "responsible", "support", "labelled")))
    return hit


_ROLE_LABEL = MappingProxyType({Column.LEAD: "牵头单位", Column.RESPONSIBLE: "责任单位", Column.SUPPORT: "配合单位"})


def roles_from_row(row: Row, reg: Registry, first_is_lead: bool = False) -> Roles:
    """A table row's agency columns, each read like the labelled field it is (牵头单位：X)."""
    parts = [_labelled_roles(_ROLE_LABEL[col], row.get(col), reg, first_is_lead)
             for col in ROLE_COLUMNS if row.get(col)]
    return _sole_responsible_leads(_merge(parts))


def _merge(parts: list[Roles]) -> Roles:
    if len(parts) == 1:            # the usual one bracket: its names are deduplicated when parsed
        return parts[0]
    return Roles(*(tuple(_dedupe([n for p in parts for n in getattr(p, r)]))
                   for r in ("lead", "responsible", "support", "labelled")),
                 standing=tuple(dict.fromkeys(n for p in parts for n in p.standing)))


def with_standing(roles: Roles, standing: tuple[tuple[str, str], ...]) -> Roles:
    """``roles`` plus agencies an earlier bracket said stand for the following tasks, in the
    role it gave them (以下任务均需X配合: support; 以下均需X落实: responsible)."""
    named = set(roles.support + roles.lead + roles.responsible)
    extra: dict[str, list[str]] = {"responsible": [], "support": []}
    for role, name in standing:
        if name not in named:
            extra[role].append(name)
            named.add(name)
    if not extra["responsible"] and not extra["support"]:
        return roles
    return replace(roles, responsible=roles.responsible + tuple(extra["responsible"]),
                   support=roles.support + tuple(extra["support"]))


def _sole_responsible_leads(roles: Roles) -> Roles:
    """A lone 责任单位 (or a lone X负责) with no 牵头 is the lead (one body answers for the task);
    several — in one bracket or pooled from several — are all responsible, none lead (the
    convention of the genre)."""
    if not roles.lead and len(roles.responsible) == 1 and roles.responsible == roles.labelled:
        return Roles(roles.responsible, (), roles.support, standing=roles.standing)
    return roles


def _dedupe(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))


# Notes plans put inside an agency bracket: they are not agencies, but what they say is applied.
_SENTENCE = re.compile(r"要|应|须|确保|请|按照.{0,20}要求|做好|加强")


@dataclass(frozen=True)
class Notes:
    """What the notes of one bracket say: the first listed is lead; agencies that stand for
    the following tasks too (以下任务均需X配合)."""

    first_is_lead: bool = False
    standing: tuple[tuple[str, str], ...] = ()         # (role, agency)


def split_notes(body: str, reg: Registry) -> tuple[str, Notes]:
    """The bracket without its notes (下同, 不再做分工, 第一责任单位为牵头单位, 以下任务均需X配合,
    sentences), and what they say.  A comma between labelled fields separates them."""
    lab = reg.lab
    body = lab.field_comma.sub("；", body)
    pieces = re.split(r"([，,；;。])", body)
    kept: list[str] = []
    first, standing = False, []
    for i in range(0, len(pieces), 2):
        clause, sep = pieces[i].strip(), pieces[i + 1] if i + 1 < len(pieces) else ""
        if not clause:
            continue
        if lab.first_is_lead.search(clause):
            first = True
            continue
        standing_m = lab.standing.search(clause)
        if standing_m:
            role = "support" if lab.role_of(standing_m.group("role")) == "support" else "responsible"
            standing += [(role, n) for n in split_names(standing_m.group("who"), reg)]
            continue
        if lab.same.fullmatch(clause) or lab.not_again.search(clause) or (
                _SENTENCE.search(clause) and not lab.labelled.search(clause) and not _SUFFIX.search(clause)
                and not _VERB.search(clause)):
            continue
        kept.append(clause + sep)
    return "".join(kept).rstrip("，,；;。"), Notes(first, tuple(standing))


def _bracket(body: str, acc: dict[str, list[str]], reg: Registry, first_is_lead: bool,
             sole_leads: bool = False) -> tuple[tuple[str, str], ...]:
    """``X牵头，Y按职责分工负责`` or ``牵头单位：X；责任单位：Y`` inside one bracket; returns
    the agencies it says stand for the following tasks too, with their role."""
    body, notes = split_notes(body, reg)
    first_is_lead = first_is_lead or notes.first_is_lead
    for role, name in notes.standing:
        acc[role].append(name)
    parts = re.split(r"[；;]", body)
    for part in parts:
        m = reg.lab.labelled.search(part)
        if m:
            _labelled(m.group(1), part[m.end():], acc, reg, first_is_lead)
        else:
            _clauses(part, acc, reg, default=None, first_is_lead=first_is_lead, sole_leads=sole_leads)
    return notes.standing


def _labelled(label: str, value: str, acc: dict[str, list[str]], reg: Registry, first_is_lead: bool) -> None:
    role = reg.lab.role_of(label)
    value = _DEADLINE_TAIL.sub("", value).strip("，,。； ")
    marked = [n.strip()[:-4] for n in _split_outside(value) if n.strip().endswith("(牵头)")]
    if marked:                                   # 责任单位：X（牵头）、Y — X leads, the others keep the label's role
        leads = split_names("、".join(marked), reg)
        acc["lead"].extend(leads)
        rest = [n for n in split_names(value.replace("(牵头)", ""), reg) if n not in leads]
        acc[role].extend(rest)
        return
    if _VERB.search(re.split(r"[，,]", value)[0]) or re.search(r"牵头|配合", value):
        _clauses(value, acc, reg, default=role, first_is_lead=first_is_lead)
        return
    names = split_names(value, reg)
    if role == "responsible" and first_is_lead and names:
        acc["lead"].append(names[0])
        names = names[1:]
    acc[role].extend(names)
    if role == "responsible":
        acc["labelled"].extend(names)


def _clauses(text: str, acc: dict[str, list[str]], reg: Registry, default: str | None,
             first_is_lead: bool = False, sole_leads: bool = False) -> None:
    """Comma-separated clauses, each ending in a role verb; verb-less ones take the next verb."""
    text = re.sub(r"(?<=牵头|负责|配合|参与|协助|协办)\s+(?=\S)", "，", text)     # (X牵头 Y配合)
    # (X牵头Y配合): the space between them lost (a reader joins Han text split by a space)
    text = re.sub(r"(?<=牵头)(?=[^，,、；;\s]{2,40}?(?:配合|参与|协助|协办)$)", "，", text)
    clauses = [c.strip() for c in _COMMA.split(_DEADLINE_TAIL.sub("", text)) if c.strip()]
    has_lead = any(re.search(r"牵头", c) for c in clauses)
    pending: list[str] = []
    for clause in clauses:
        m = _VERB.search(clause)
        if m is None and reg.lab.guidance.search(clause) and not reg.lab.role_words.search(clause):
            continue                     # (X指导): guidance, none of the three roles (X负责指导 is not this)
        if not m:
            pending.append(clause)
            continue
        names = split_names("、".join(pending + [clause[: m.start()]]), reg)
        pending = []
        if m.group("lead"):
            role = "lead"
        elif m.group("support"):
            role = "support"
        else:
            role = "responsible"
        if role == "responsible" and m.group("sole") and not has_lead:
            # (A、B负责) with no 牵头: the first is lead when the plan says so (列第一位者为牵头单位);
            # else a sole unit answers for the task (made lead once the task's brackets are
            # pooled) and several are all responsible (the genre's convention)
            if first_is_lead and names and not acc["lead"]:
                acc["lead"].append(names[0])
                names = names[1:]
            elif sole_leads and not all(reg.is_everyone(n) for n in names):
                role = "lead"           # (各地区、各部门负责): every locality and department, none leads
            else:
                acc["labelled"].extend(names)
        acc[role].extend(names)
    if pending:
        acc[default or "responsible"].extend(split_names("、".join(pending), reg))


# 由A、B等X牵头完成…，其他相关部门配合: the notice's own assignment sentence (not a duty statement:
# it says who leads this piece of work); every name must be an agency or a collective, so 由一家
# 牵头部门统一受理 (a way of working) assigns nobody.
_BY_LEAD = re.compile(r"由(?:所涉及的|所涉|有关的?|相关的?)?(?P<names>[^，。；：,;:]{2,300}?)(?:共同)?牵头(?P<rest>[^。；;]{0,100})")
_BY_SUPPORT = re.compile(r"[，,](?P<names>[^，。；,;]{2,60}?)(?:予以|积极|共同)?配合")


def _by_lead(text: str, acc: dict[str, list[str]], reg: Registry) -> None:
    for m in _BY_LEAD.finditer(text):
        names = split_names(m.group("names"), reg)
        if not names or not all(_SUFFIX.search(n) or reg.is_group(n) for n in names):
            continue
        acc["lead"].extend(names)
        support = _BY_SUPPORT.search(m.group("rest"))
        if support:
            found = split_names(support.group("names"), reg)
            if found and all(_SUFFIX.search(n) or reg.is_group(n) for n in found):
                acc["support"].extend(found)


def _inline(text: str, acc: dict[str, list[str]], reg: Registry) -> None:
    """No parenthesis: ``省政府办公厅(省政务服务数据管理局)牵头统筹…``, ``省政务服务数据管理局要…``,
    ``X会同Y、Z对照…`` (X leads, Y and Z are responsible)."""
    for m in _INLINE_LEAD.finditer(text):
        name = m.group(1)
        inner = re.search(r"\(([^()]+)\)$", name)
        acc["lead"].append(name[: inner.start()] if inner else name)
        if inner and _SUFFIX.search(inner.group(1)):
            acc["lead"].append(inner.group(1))
        partners = re.match(r"会同([^，。；]{2,60})", text[m.end(1):])
        if partners:
            acc["responsible"].extend(_leading_names(partners.group(1), reg))


def _leading_names(text: str, reg: Registry) -> list[str]:
    """The agency list at the start of ``text``: 各地级以上市政府、省有关部门对照… → both names."""
    names = []
    for part in text.split("、"):
        m = re.match(r"^(.{2,30}?(?:厅|局|委|办|政府|部门|单位|中心|机构|海关|分行|支行))", part)
        if not m:
            break
        names.append(m.group(1))
        if len(m.group(1)) < len(part):
            break
    return split_names("、".join(names), reg) if names else []


def split_names(text: str, reg: Registry) -> list[str]:
    """Split an agency list on 、，和及 (outside brackets and quotes), expand shared affixes."""
    text = _ETC.sub("、", text.strip("，,。；;、 "))
    raw = [p.strip("，,。；;、 ") for p in _split_outside(text)]
    items: list[str] = []
    for p in raw:
        items.extend(x for x in _CONJ.split(p) if x)
    items = [re.sub(r"^(?:由|请|和|及|与|以及)", "", x) for x in items]
    items = [x[:-1] if x.endswith("等") and len(x) > 2 else x for x in items]    # 省商务厅等，各市: a bare 等 adds none
    items = [x for x in items if x and not re.fullmatch(r"[等其他部门单位]+", x)]   # 各部门 is a group; 等部门 adds none
    return _expand_affixes(items, reg)


def _split_outside(text: str) -> list[str]:
    """Split on separators that are not inside (), 〔〕 or “”."""
    if not _NESTING.search(text):
        return [x for x in _SPLIT.split(text) if x.strip()]
    out: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in text:
        if ch in "(〔“《":
            depth += 1
        elif ch in ")〕”》":
            depth = max(0, depth - 1)
        if depth == 0 and _SPLIT.match(ch):
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return [x for x in out if x.strip()]


def _expand_affixes(items: list[str], reg: Registry) -> list[str]:
    """省科技厅、财政厅 → 省财政厅; 广州、深圳、珠海市 → 广州市…; 市、县级X → 市级X."""
    if len(items) < 2:
        return items
    last = items[-1]
    out: list[str] = []
    for x in items[:-1]:
        if x in ("省", "市", "县", "区", "镇") and len(last) > 2 and last[0] in _JURIS_CHARS and last[1] == "级":
            x = x + last[1:]
        elif not _SUFFIX.search(x) and not reg.is_group(x) and last.endswith(("市", "区", "县")) \
                and not reg.is_group(last) and 2 <= len(x) <= 4:     # 各地区 shares no 区
            x = x + last[-1]
        out.append(x)
    out.append(last)
    prefix = ""
    result = []
    for x in out:
        level = level_of(x)
        if level:
            prefix = level
        elif prefix and _SUFFIX.search(x) and not reg.is_group(x) and not reg.vertical.match(x) \
                and not reg.has_place(x):
            x = prefix + x
        result.append(x)
    return result


def resolve_roles(roles: Roles, jurisdiction: str | None, reg: Registry) -> Mapping[str, tuple[Agency, ...]]:
    """Each role's agencies, canonical where the registry knows them (a plan repeats the same
    brackets task after task: each distinct one is resolved once, memoised on the registry)."""
    key = ("roles", roles.lead, roles.responsible, roles.support, jurisdiction)
    hit = reg.memo.get(key)
    if hit is None:
        hit = reg.memo[key] = MappingProxyType(_resolve_roles(roles, jurisdiction, reg))
    return hit


def _resolve_roles(roles: Roles, jurisdiction: str | None, reg: Registry) -> dict[str, tuple[Agency, ...]]:
    out: dict[str, tuple[Agency, ...]] = {}
    seen: set[str] = set()
    # a list's shared 市 given to a name that starts with the plan's own place (市公安局、河池公积金
    # 管理中心 in a 河池市 plan → 市河池公积金管理中心): the name carries its place already
    own = jurisdiction[:-1] if jurisdiction and jurisdiction[-1] in "省市县区" and len(jurisdiction) >= 3 else ""
    own_level = jurisdiction[-1:] if own and jurisdiction else ""
    for role in ("lead", "responsible", "support"):
        agencies = []
        for written in getattr(roles, role):
            if own and written[:1] == own_level and written[1:].startswith(own):
                written = written[1:]
            a = reg.resolve(written, jurisdiction)
            if a.name not in seen:          # one role per agency per task: the strongest
                seen.add(a.name)
                agencies.append(a)
        out[role] = tuple(agencies)
    return out
