"""Who does what: roles from the agency text of a task, names resolved against the registry.

Plans attach agencies as a trailing parenthesis ``(X牵头，Y按职责分工负责)``, labelled brackets
``〔牵头单位：…；责任单位：…〕``, labelled lines under the task, or inline (``X牵头统筹协调``,
``X要…``).  Lists share a prefix (省科技厅、财政厅 → 省财政厅) or a suffix (广州、深圳、珠海市).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache

from .errors import MappingError
from .model import Agency

_ROLE_WORDS = re.compile(r"牵头|负责|配合|协助|参与|协办|单位[：:]|部门[：:]")
_BRACKET = re.compile(r"[(〔\[]((?:[^()〔〕\[\]]|\([^()]*\)|〔[^〔〕]*〕)*)[)〕\]]")
_LABELLED = re.compile(
    r"(牵头单位|牵头部门|主办单位|责任单位|责任部门|配合单位|配合部门|参与单位|协办单位)[：:]\s*")
_LABEL_ROLE = {"牵头单位": "lead", "牵头部门": "lead", "主办单位": "lead", "责任单位": "responsible",
               "责任部门": "responsible", "配合单位": "support", "配合部门": "support",
               "参与单位": "support", "协办单位": "support"}
_VERB = re.compile(
    r"(?:共同|联合)?(?P<lead>牵头)(?:负责|落实|推进|实施)?$|"
    r"(?P<resp>按职责分工负责|按职责分工落实|按职责分工|按职责负责|按照职责分工负责|分工负责)$|"
    r"(?P<sole>分别负责|负责落实|具体负责|负责)$|"
    r"(?P<support>配合|协助|参与|协办)$")
_DEADLINE_TAIL = re.compile(r"(?:(?:19|20)\d\d年)?(?:\d{1,2}月|年?底|年内|上半年|下半年).*$|完成时[限间].*$")
_JURIS_CHARS = "省市县区镇"
_SUFFIX = re.compile(r"(?:厅|局|委|办|署|会|行|中心|政府|部门|单位|公司|院|所|部|队|处|室|站|台|社|海关|"
                     r"机构|集团|分局|支行|分行|组|团|馆|校|协会|商会)$")
_SPLIT = re.compile(r"[、，,；;/]")
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

    def __bool__(self) -> bool:
        return bool(self.lead or self.responsible or self.support)


def assigns_roles(text: str) -> bool:
    """Does the text name agencies in a bracket or a labelled line (not just in passing)?"""
    if any(_LABELLED.match(line.strip()) for line in text.split("\n")):
        return True
    return any(_ROLE_WORDS.search(m.group(1)) and "简称" not in m.group(1) for m in _BRACKET.finditer(text))


def parse_roles(text: str, first_is_lead: bool = False) -> Roles:
    """Lead, responsible and support names (as written, prefix-expanded) of one task text."""
    parts: list[Roles] = []
    for line in text.split("\n"):
        m = _LABELLED.match(line.strip())
        if m:
            parts.append(_labelled_roles(m.group(1), line.strip()[m.end():], first_is_lead))
    for m in _BRACKET.finditer(text):
        body = m.group(1)
        if _ROLE_WORDS.search(body) and "简称" not in body:
            parts.append(_bracket_roles(body, first_is_lead))
    if not parts:
        acc: dict[str, list[str]] = {"lead": [], "responsible": [], "support": []}
        _inline(text, acc)
        parts.append(Roles(*(tuple(acc[r]) for r in ("lead", "responsible", "support"))))
    return Roles(*(tuple(_dedupe([n for p in parts for n in getattr(p, r)]))
                   for r in ("lead", "responsible", "support")))


# Plans repeat the same agency brackets task after task; each distinct one is parsed once.
@lru_cache(maxsize=4096)
def _bracket_roles(body: str, first_is_lead: bool) -> Roles:
    acc: dict[str, list[str]] = {"lead": [], "responsible": [], "support": []}
    _bracket(body, acc, first_is_lead)
    return Roles(*(tuple(acc[r]) for r in ("lead", "responsible", "support")))


@lru_cache(maxsize=4096)
def _labelled_roles(label: str, value: str, first_is_lead: bool) -> Roles:
    acc: dict[str, list[str]] = {"lead": [], "responsible": [], "support": []}
    _labelled(label, value, acc, first_is_lead)
    return Roles(*(tuple(acc[r]) for r in ("lead", "responsible", "support")))


def _dedupe(names: list[str]) -> list[str]:
    seen: set[str] = set()
    return [n for n in names if not (n in seen or seen.add(n))]


def _bracket(body: str, acc: dict[str, list[str]], first_is_lead: bool) -> None:
    """``X牵头，Y按职责分工负责`` or ``牵头单位：X；责任单位：Y`` inside one bracket."""
    parts = re.split(r"[；;]", body)
    for part in parts:
        m = _LABELLED.search(part)
        if m:
            _labelled(m.group(1), part[m.end():], acc, first_is_lead)
        else:
            _clauses(part, acc, default=None)


def _labelled(label: str, value: str, acc: dict[str, list[str]], first_is_lead: bool) -> None:
    role = _LABEL_ROLE[label]
    value = _DEADLINE_TAIL.sub("", value).strip("，,。； ")
    if _VERB.search(re.split(r"[，,]", value)[0]) or re.search(r"牵头|配合", value):
        _clauses(value, acc, default=role)
        return
    names = split_names(value)
    if role == "responsible" and first_is_lead and names:
        acc["lead"].append(names[0])
        names = names[1:]
    acc[role].extend(names)


def _clauses(text: str, acc: dict[str, list[str]], default: str | None) -> None:
    """Comma-separated clauses, each ending in a role verb; verb-less ones take the next verb."""
    clauses = [c.strip() for c in _COMMA.split(_DEADLINE_TAIL.sub("", text)) if c.strip()]
    has_lead = any(re.search(r"牵头", c) for c in clauses)
    pending: list[str] = []
    for clause in clauses:
        m = _VERB.search(clause)
        if not m:
            pending.append(clause)
            continue
        names = split_names("、".join(pending + [clause[: m.start()]]))
        pending = []
        if m.group("lead"):
            role = "lead"
        elif m.group("support"):
            role = "support"
        elif m.group("sole") and not has_lead:
            role = "lead"
        else:
            role = "responsible"
        acc[role].extend(names)
    if pending:
        acc[default or "responsible"].extend(split_names("、".join(pending)))


def _inline(text: str, acc: dict[str, list[str]]) -> None:
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
            acc["responsible"].extend(_leading_names(partners.group(1)))


def _leading_names(text: str) -> list[str]:
    """The agency list at the start of ``text``: 各地级以上市政府、省有关部门对照… → both names."""
    names = []
    for part in text.split("、"):
        m = re.match(r"^(.{2,30}?(?:厅|局|委|办|政府|部门|单位|中心|机构|海关|分行|支行))", part)
        if not m:
            break
        names.append(m.group(1))
        if len(m.group(1)) < len(part):
            break
    return split_names("、".join(names)) if names else []


def split_names(text: str) -> list[str]:
    """Split an agency list on 、，和及 (outside brackets and quotes), expand shared affixes."""
    text = _ETC.sub("、", text.strip("，,。；;、 "))
    raw = [p.strip("，,。；;、 ") for p in _split_outside(text)]
    items: list[str] = []
    for p in raw:
        items.extend(x for x in _CONJ.split(p) if x)
    items = [re.sub(r"^(?:由|请|和|及|与|以及)", "", x) for x in items]
    items = [x for x in items if x and not re.fullmatch(r"[等各其他部门单位]+", x)]
    return _expand_affixes(items)


def _split_outside(text: str) -> list[str]:
    """Split on separators that are not inside (), 〔〕 or “”."""
    if not _NESTING.search(text):
        return [x for x in _SPLIT.split(text) if x.strip()]
    out, depth, cur = [], 0, []
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


def _expand_affixes(items: list[str]) -> list[str]:
    """省科技厅、财政厅 → 省财政厅; 广州、深圳、珠海市 → 广州市…; 市、县级X → 市级X."""
    if len(items) < 2:
        return items
    last = items[-1]
    out: list[str] = []
    for x in items[:-1]:
        if x in ("省", "市", "县", "区", "镇") and len(last) > 2 and last[0] in _JURIS_CHARS and last[1] == "级":
            x = x + last[1:]
        elif not _SUFFIX.search(x) and not is_group(x) and last.endswith(("市", "区", "县")) \
                and 2 <= len(x) <= 4:
            x = x + last[-1]
        out.append(x)
    out.append(last)
    prefix = ""
    result = []
    for x in out:
        level = split_level(x)[0] or (x[0] if x.startswith(_NOT_LEVEL[4:]) and x[0] in "省市县区" else "")
        if level:
            prefix = level
        elif prefix and _SUFFIX.search(x) and not is_group(x) and not registry().vertical.match(x) \
                and not _has_place(x):
            x = prefix + x
        result.append(x)
    return result


_NOT_LEVEL = ("市场", "市政公用", "市政设施", "市政工程", "市政府", "省级", "市级", "县级", "区级", "省委", "市委",
              "县委", "区委", "省政府", "县政府", "区政府")


def split_level(name: str) -> tuple[str, str]:
    """省财政厅 → ("省", "财政厅"); 市市场监管局 → ("市", "市场监管局"); 市场监管局 → ("", …).

    Bodies named after the level itself (省政府办公厅, 市委宣传部) keep it: their 省/市 is part of
    the short name as plans write it.
    """
    if name[:1] in "省市县区" and len(name) > 2 and (not name.startswith(_NOT_LEVEL) or
                                                  name.startswith(("市市场", "市市政"))):
        return name[0], name[1:]
    return "", name


def is_group(name: str) -> bool:
    """省有关部门, 各地级以上市, 市直各单位…: collectives that get no feed of their own."""
    return bool(registry().group.search(name))


def _has_place(name: str) -> bool:
    """Names that carry their own place (深圳市税务局, 广东银保监局, 东莞海关) keep it."""
    return name.startswith(registry().place_prefixes) or bool(
        re.match(r"^[\u4e00-\u9fff]{2,3}(?:市|县|区)[\u4e00-\u9fff]", name) and name[0] not in "省市")


KINDS = ("department", "government", "vertical", "enterprise", "group")


# --- registry -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    name: str
    jurisdiction: str
    kind: str
    slug: str
    aliases: tuple[str, ...]
    source: str


@dataclass(frozen=True, eq=False)       # hashed by identity: a new load is a new registry
class Registry:
    entries: tuple[Entry, ...]
    by_key: dict
    places: dict            # place name (广东, 东莞市…) → province it belongs to
    place_prefixes: tuple = ()  # 东莞市 and 东莞: names starting with them keep their own place
    group: re.Pattern = re.compile(r"(?!)")      # collectives (省有关部门)
    vertical: re.Pattern = re.compile(r"(?!)")   # central bodies that keep their own names

    def province_of(self, jurisdiction: str | None) -> str | None:
        if not jurisdiction:
            return None
        if jurisdiction.endswith(("省", "自治区")):
            return jurisdiction
        return self.places.get(jurisdiction)


@lru_cache(maxsize=1)
def registry() -> Registry:
    from .mappings import agency_tables

    entries: list[Entry] = []
    by_key: dict[tuple[str, str], Entry] = {}
    places: dict[str, str] = {}
    slugs: dict[str, str] = {}
    for path, data in agency_tables():
        for place, info in data.get("places", {}).items():
            places[place] = info.get("province", "")
        for i, raw in enumerate(data.get("agency", [])):
            entry = _entry(raw, path, i)
            if entry.slug in slugs:
                raise MappingError(f"slug {entry.slug!r} used by both {slugs[entry.slug]} and "
                                   f"{entry.name}", file=str(path), hint="give one a distinct slug")
            slugs[entry.slug] = entry.name
            for key in _keys(entry):
                other = by_key.get(key)
                if other is not None and other.name != entry.name:
                    raise MappingError(f"alias {key[1]!r} claimed by both {other.name} and {entry.name}",
                                       file=str(path), hint="remove the duplicate alias")
                by_key[key] = entry
            entries.append(entry)
    prefixes = tuple(sorted({p for place in places for p in (place, place[:-1]) if len(p) >= 2}))
    group, vertical = _patterns(agency_tables())
    return Registry(tuple(entries), by_key, places, prefixes, group, vertical)


def _patterns(tables) -> tuple[re.Pattern, re.Pattern]:
    """[patterns] group / vertical from agencies.toml (and extra files), compiled and checked."""
    found: dict[str, list[str]] = {"group": [], "vertical": []}
    for path, data in tables:
        for key, items in data.get("patterns", {}).items():
            if key not in found or not all(isinstance(x, str) for x in items):
                raise MappingError(f"[patterns] {key} must be one of group, vertical and a list of strings",
                                   file=str(path))
            for item in items:
                try:
                    re.compile(item)
                except re.error as e:
                    raise MappingError(f"[patterns] {key}: bad regular expression {item!r} ({e})",
                                       file=str(path)) from None
            found[key].extend(items)
    group = re.compile("|".join(found["group"]) or r"(?!)")
    vertical = re.compile("^(?:" + ("|".join(found["vertical"]) or r"(?!)") + ")")
    return group, vertical


def _entry(raw: dict, path, i: int) -> Entry:
    for key in ("name", "jurisdiction", "kind"):
        if not isinstance(raw.get(key), str) or not raw.get(key):
            raise MappingError(f"agency #{i + 1} has no {key}", file=str(path),
                               hint="every [[agency]] needs name, jurisdiction and kind")
    if raw["kind"] not in KINDS:
        raise MappingError(f"agency {raw['name']} has unknown kind {raw['kind']!r}", file=str(path),
                           hint=f"use one of {', '.join(KINDS)}")
    name = raw["name"]
    slug = raw.get("slug") or make_slug(name, raw["jurisdiction"])
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        raise MappingError(f"slug {slug!r} of {name} is not lower-case ASCII", file=str(path))
    return Entry(name, raw["jurisdiction"], raw["kind"], slug, tuple(raw.get("aliases", ())),
                 raw.get("source", ""))


def _keys(entry: Entry) -> list[tuple[str, str]]:
    """Lookup keys: (jurisdiction, alias) for prefixed aliases, ("", alias) for others."""
    keys = [("", entry.name)]
    for alias in entry.aliases:
        if alias[:1] in "省市县区" and not alias.startswith(("市场", "市政公用")):
            keys.append((entry.jurisdiction, alias))
        else:
            keys.append(("", alias))
    return keys


@lru_cache(maxsize=4096)
def make_slug(name: str, jurisdiction: str = "") -> str:
    """ASCII file-name-safe slug: 广东省财政厅 → gds-caizhengting."""
    # Character readings only: pypinyin's phrase dictionary costs 0.25 s of start-up, and a
    # slug needs to be stable and ASCII, not a perfect reading of every polyphone.
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
    from pypinyin import lazy_pinyin

    rest = name[len(jurisdiction):] if jurisdiction and name.startswith(jurisdiction) else name
    head = "".join(p[0] for p in lazy_pinyin(jurisdiction) if p) if rest != name else ""
    body = "".join(lazy_pinyin(rest))
    slug = re.sub(r"[^a-z0-9]+", "-", f"{head}-{body}".lower()).strip("-")
    return slug or "agency"


def resolve(written: str, jurisdiction: str | None) -> Agency:
    """One name as written → Agency (canonical when the registry knows it)."""
    return _resolve(written, jurisdiction, registry())


@lru_cache(maxsize=8192)
def _resolve(written: str, jurisdiction: str | None, reg: Registry) -> Agency:
    name = written.strip()
    full = _qualify(name, jurisdiction, reg)
    place = next((p for p in (jurisdiction, reg.province_of(jurisdiction)) if p and full.startswith(p)), "")
    if reg.group.search(name) and not reg.by_key.get(("", name)):
        return Agency(name=full, written=name, kind="group", slug="", known=True)   # no feed of its own
    entry = _lookup(name, jurisdiction, reg)
    if entry:
        return Agency(entry.name, name, entry.kind, entry.slug, True)
    return Agency(full, name, "unknown", make_slug(full, place), False)


def _lookup(name: str, jurisdiction: str | None, reg: Registry) -> Entry | None:
    hit = reg.by_key.get(("", name))
    if hit:
        return hit
    if name[:1] in "省市县区":
        for scope in _scopes(name[0], jurisdiction, reg):
            hit = reg.by_key.get((scope, name))
            if hit:
                return hit
    for place in sorted({e.jurisdiction for e in reg.entries}, key=len, reverse=True):
        if name.startswith(place) and len(name) > len(place):
            level = "省" if place.endswith("省") else "市"
            hit = reg.by_key.get((place, level + name[len(place):]))
            if hit:
                return hit
    return None


def _scopes(level: str, jurisdiction: str | None, reg: Registry) -> list[str]:
    """Which jurisdiction a bare 省xx / 市xx means in a plan of ``jurisdiction``."""
    if not jurisdiction:
        return []
    province = reg.province_of(jurisdiction)
    if level == "省":
        return [province] if province else []
    if level == "市" and not jurisdiction.endswith(("省", "自治区")):
        return [jurisdiction]
    return []


def _qualify(name: str, jurisdiction: str | None, reg: Registry) -> str:
    """省有关部门 in a 广东省 plan → 广东省有关部门 (only where the scope is certain)."""
    level, rest = split_level(name)
    if not level and re.match(r"[省市县区](?:政府|委|人大|政协)", name):
        level, rest = name[0], name[1:]            # 市政府办公室 → 示范市政府办公室
    if level:
        scopes = _scopes(level, jurisdiction, reg)
        if scopes:
            return scopes[0] + rest
    return name


def resolve_roles(roles: Roles, jurisdiction: str | None) -> dict[str, tuple[Agency, ...]]:
    out: dict[str, tuple[Agency, ...]] = {}
    seen: set[str] = set()
    for role in ("lead", "responsible", "support"):
        agencies = []
        for written in getattr(roles, role):
            a = resolve(written, jurisdiction)
            if a.name not in seen:          # one role per agency per task: the strongest
                seen.add(a.name)
                agencies.append(a)
        out[role] = tuple(agencies)
    return out
