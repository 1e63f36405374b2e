"""The agency registry (mappings/agencies.toml and extra files): names as plans write them →
canonical agencies with a jurisdiction, a kind and a feed slug.

A :class:`Registry` is loaded once per process (calgen.rules) and passed in.  Lookups are
memoised on the instance, so a new load is a new, empty memo — never module state.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import MappingError
from ..model import Agency, AgencyKind
from .labels import Labels

KINDS = tuple(k.value for k in AgencyKind if k != AgencyKind.UNKNOWN)

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


def level_of(name: str) -> str:
    """The bare level a name starts with, including 省政府/市委-style names (for shared prefixes)."""
    return split_level(name)[0] or (name[0] if name.startswith(_NOT_LEVEL[4:]) and name[0] in "省市县区" else "")


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
    by_key: dict[tuple[str, str], Entry]
    places: dict[str, str]               # place name (广东, 东莞市…) → province it belongs to
    place_prefixes: tuple[str, ...] = ()  # 东莞市 and 东莞: names starting with them keep their own place
    group: re.Pattern[str] = re.compile(r"(?!)")      # collectives (省有关部门)
    vertical: re.Pattern[str] = re.compile(r"(?!)")   # central bodies that keep their own names
    jurisdictions: tuple[str, ...] = ()              # of the entries, longest first
    labels: Labels | None = None                     # how plans introduce agencies (mappings/labels.toml)
    everyone: re.Pattern[str] = re.compile(r"(?!)")   # addressees naming no one in particular (各地区)
    memo: dict[Any, Any] = field(default_factory=dict, repr=False)

    @property
    def lab(self) -> Labels:
        if self.labels is None:
            raise MappingError("the registry was loaded without mappings/labels.toml")
        return self.labels

    def province_of(self, jurisdiction: str | None) -> str | None:
        if not jurisdiction:
            return None
        if jurisdiction.endswith(("省", "自治区")):
            return jurisdiction
        return self.places.get(jurisdiction)

    def is_everyone(self, name: str) -> bool:
        """各地区, 各部门: every locality or department — a collective that never leads."""
        return bool(self.everyone.fullmatch(name))

    def is_group(self, name: str) -> bool:
        """省有关部门, 各地级以上市, 市直各单位…: collectives that get no feed of their own."""
        return bool(self.group.search(name))

    def has_place(self, name: str) -> bool:
        """Names that carry their own place (深圳市税务局, 广东银保监局, 东莞海关) keep it."""
        return name.startswith(self.place_prefixes) or bool(
            re.match(r"^[\u4e00-\u9fff]{2,3}(?:市|县|区)[\u4e00-\u9fff]", name) and name[0] not in "省市")

    def resolve(self, written: str, jurisdiction: str | None) -> Agency:
        """One name as written → Agency (canonical when the registry knows it)."""
        key = ("resolve", written, jurisdiction)
        hit = self.memo.get(key)
        if hit is None:
            hit = self.memo[key] = self._resolve(written, jurisdiction)
        return hit

    def _resolve(self, written: str, jurisdiction: str | None) -> Agency:
        name = written.strip()
        full = self._qualify(name, jurisdiction)
        place = next((p for p in (jurisdiction, self.province_of(jurisdiction)) if p and full.startswith(p)), "")
        if self.group.search(name) and not self.by_key.get(("", name)):
            return Agency(name=full, written=name, kind=AgencyKind.GROUP, slug="", known=True)
        entry = self.lookup(name, jurisdiction)
        if entry:
            return Agency(entry.name, name, entry.kind, entry.slug, True)
        return Agency(full, name, AgencyKind.UNKNOWN, self.slug(full, place), False)

    def lookup(self, name: str, jurisdiction: str | None) -> Entry | None:
        hit = self.by_key.get(("", name))
        if hit:
            return hit
        if name[:1] in "省市县区":
            for scope in self._scopes(name[0], jurisdiction):
                hit = self.by_key.get((scope, name))
                if hit:
                    return hit
        for place in self.jurisdictions:
            if name.startswith(place) and len(name) > len(place):
                level = "省" if place.endswith("省") else "市"
                hit = self.by_key.get((place, level + name[len(place):]))
                if hit:
                    return hit
        return None

    def _scopes(self, level: str, jurisdiction: str | None) -> list[str]:
        """Which jurisdiction a bare 省xx / 市xx means in a plan of ``jurisdiction``."""
        if not jurisdiction:
            return []
        province = self.province_of(jurisdiction)
        if level == "省":
            return [province] if province else []
        if level == "市" and not jurisdiction.endswith(("省", "自治区")):
            return [jurisdiction]
        return []

    def _qualify(self, name: str, jurisdiction: str | None) -> str:
        """省有关部门 in a 广东省 plan → 广东省有关部门 (only where the scope is certain)."""
        level, rest = split_level(name)
        if not level and re.match(r"[省市县区](?:政府|委|人大|政协)", name):
            level, rest = name[0], name[1:]            # 市政府办公室 → 示范市政府办公室
        if level:
            scopes = self._scopes(level, jurisdiction)
            if scopes:
                return scopes[0] + rest
        return name

    def slug(self, name: str, jurisdiction: str = "") -> str:
        key = ("slug", name, jurisdiction)
        hit = self.memo.get(key)
        if hit is None:
            hit = self.memo[key] = make_slug(name, jurisdiction)
        return hit


def load_registry(tables: Iterable[tuple[Path, dict[str, Any]]], labels: Labels | None = None) -> Registry:
    """agencies.toml plus extra files (each with its path for error messages), validated."""
    tables = list(tables)
    entries: list[Entry] = []
    by_key: dict[tuple[str, str], Entry] = {}
    places: dict[str, str] = {}
    slugs: dict[str, str] = {}
    for path, data in tables:
        raw_places = data.get("places", {})
        if not isinstance(raw_places, dict):
            raise MappingError("[places] must be a table", file=str(path))
        for place, info in raw_places.items():
            if not isinstance(info, dict) or not isinstance(info.get("province", ""), str):
                raise MappingError(f"[places] {place} needs province = \"…\"", file=str(path))
            places[place] = info.get("province", "")
        raw_entries = data.get("agency", [])
        if not isinstance(raw_entries, list):
            raise MappingError("'agency' must be a list of [[agency]] tables", file=str(path),
                               hint="write each agency as an [[agency]] table")
        for i, raw in enumerate(raw_entries):
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
    group, vertical, everyone = _patterns(tables)
    juris = tuple(sorted({e.jurisdiction for e in entries}, key=len, reverse=True))
    return Registry(tuple(entries), by_key, places, prefixes, group, vertical, juris, labels, everyone)


# A group holding a + or * that is itself repeated ((示+)+, (a|a*)*): catastrophic backtracking.
_NESTED_REPEAT = re.compile(r"\((?:[^()\\]|\\.)*[+*](?:[^()\\]|\\.)*\)[+*{]")


def _patterns(tables: list[tuple[Path, dict[str, Any]]]) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """[patterns] group / vertical / everyone from agencies.toml (and extra files), compiled and checked."""
    found: dict[str, list[str]] = {"group": [], "vertical": [], "everyone": []}
    for path, data in tables:
        patterns = data.get("patterns", {})
        if not isinstance(patterns, dict):
            raise MappingError("[patterns] must be a table", file=str(path))
        for key, items in patterns.items():
            if key not in found or not isinstance(items, list) or not all(isinstance(x, str) and x for x in items):
                raise MappingError(f"[patterns] {key} must be one of group, vertical, everyone and a list of "
                                   "non-empty strings", file=str(path))
            for item in items:
                try:
                    re.compile(item)
                except re.error as e:
                    raise MappingError(f"[patterns] {key}: bad regular expression {item!r} ({e})",
                                       file=str(path)) from None
                if _NESTED_REPEAT.search(item):
                    raise MappingError(f"[patterns] {key}: {item!r} repeats a group that itself repeats, which "
                                       "can take minutes on a short name", file=str(path),
                                       hint="write the repetition once, e.g. (示)+ or 示+")
            found[key].extend(items)
    group = re.compile("|".join(found["group"]) or r"(?!)")
    vertical = re.compile("^(?:" + ("|".join(found["vertical"]) or r"(?!)") + ")")
    everyone = re.compile("|".join(found["everyone"]) or r"(?!)")
    return group, vertical, everyone


def _entry(raw: Any, path: Path, i: int) -> Entry:
    if not isinstance(raw, dict):
        raise MappingError(f"agency #{i + 1} is not a table", file=str(path),
                           hint="write each agency as an [[agency]] table")
    for key in ("name", "jurisdiction", "kind"):
        if not isinstance(raw.get(key), str) or not raw.get(key):
            raise MappingError(f"agency #{i + 1} has no {key}", file=str(path),
                               hint="every [[agency]] needs name, jurisdiction and kind")
    if raw["kind"] not in KINDS:
        raise MappingError(f"agency {raw['name']} has unknown kind {raw['kind']!r}", file=str(path),
                           hint=f"use one of {', '.join(KINDS)}")
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise MappingError(f"agency {raw['name']}: aliases must be a list of non-empty strings",
                           file=str(path), hint='write aliases = ["某局", "某某局"]')
    name = raw["name"]
    slug = raw.get("slug") or make_slug(name, raw["jurisdiction"])
    if not isinstance(slug, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        raise MappingError(f"slug {slug!r} of {name} is not lower-case ASCII", file=str(path))
    return Entry(name, raw["jurisdiction"], raw["kind"], slug, tuple(aliases), str(raw.get("source", "")))


def _keys(entry: Entry) -> list[tuple[str, str]]:
    """Lookup keys: (jurisdiction, alias) for prefixed aliases, ("", alias) for others."""
    keys = [("", entry.name)]
    for alias in entry.aliases:
        if alias[:1] in "省市县区" and not alias.startswith(("市场", "市政公用")):
            keys.append((entry.jurisdiction, alias))
        else:
            keys.append(("", alias))
    return keys


def readings(text: str) -> list[str]:
    """The pinyin of ``text``, word by word, for file names (the one place calgen reads pinyin):
    pypinyin with its phrase dictionary, so place names read as they are said — 长沙 changsha,
    重庆 chongqing, 厦门 xiamen, 蚌埠 bengbu, 六安 luan (a character table reads 长沙 zhangsha).
    The dictionary costs ~0.25 s when the first name is read, once per process."""
    from pypinyin import lazy_pinyin

    return list(lazy_pinyin(text))


def make_slug(name: str, jurisdiction: str = "") -> str:
    """ASCII file-name-safe slug: 广东省财政厅 → gds-caizhengting, 长沙市财政局 → css-caizhengju."""
    rest = name[len(jurisdiction):] if jurisdiction and name.startswith(jurisdiction) else name
    head = "".join(p[0] for p in readings(jurisdiction) if p) if rest != name else ""
    body = "".join(readings(rest))
    slug = re.sub(r"[^a-z0-9]+", "-", f"{head}-{body}".lower()).strip("-")
    return slug or "agency"
