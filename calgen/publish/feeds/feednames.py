"""Feed file names belong to their agencies for good, and a one-character variant of a known
agency is reported as a likely typo instead of quietly getting a feed of its own.

The manifest records every agency that ever had a feed with its file name (``owners``).  A
known agency keeps its name; a new agency gets its pinyin slug unless any agency ever owned
it, then ``-2``, ``-3`` … — so 广东省才政厅 (a typo) can never take over ``gds-caizhengting.ics``
that 广东省财政厅's subscribers hold.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

from ...limits import FEED_NAME
from ...model import Agency


def assign(agencies: Iterable[Agency], owners: Mapping[str, str], reserved: Iterable[str] = ()) -> dict[str, Agency]:
    """Slug → agency for this build; ``owners`` (name → slug) from every earlier build;
    ``reserved``: names no new agency may take (the corrected names of :func:`aliases`)."""
    found = sorted(agencies, key=lambda a: a.name)
    taken = set(owners.values()) | set(reserved)
    out: dict[str, Agency] = {}
    for a in found:
        if a.name in owners:
            out[owners[a.name]] = a
    taken.update(out)                       # one set, grown as names are given (a national build has 10⁵)
    for a in found:
        if a.name in owners:
            continue
        slug = _free(safe(a.slug, a.name), taken)
        out[slug] = a
        taken.add(slug)
    return out


def aliases(current: Mapping[str, str], preferred: Mapping[str, str], earlier: Mapping[str, str],
            taken: Iterable[str]) -> dict[str, str]:
    """Corrected file names, alias → name: a feed keeps the file name it was first published
    under (``current``: name → file name), and when the name calgen would give it today
    (``preferred``: a better place-name reading, 长沙 changsha for an old zhangsha) differs and
    is free, the feed is published under that name too — new subscribers get the right name,
    the old file stays for those who hold it.  ``earlier`` aliases are kept for good; a name in
    ``taken`` (any feed's, ever) is never an alias."""
    out = dict(earlier)
    used = set(taken) | set(out)
    for name in sorted(current):
        want = preferred.get(name)
        if want and want != current[name] and want not in used:
            out[want] = name
            used.add(want)
    return out


def _free(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3`` … the first not taken."""
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


# Names Windows refuses for a file (any extension), and the feeds calgen writes itself.
RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                      *(f"lpt{i}" for i in range(1, 10)), "all", "holidays", "index"})


def safe(slug: str, name: str) -> str:
    """A file name that works everywhere: ASCII letters, digits and -, at most FEED_NAME
    characters (a long one is cut and given a stable hash of the agency's name), never a
    Windows-reserved name or one of calgen's own feeds."""
    base = re.sub(r"[^a-z0-9-]+", "-", slug.lower()).strip("-") or "agency"
    if len(base) > FEED_NAME:
        digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
        base = base[:FEED_NAME - 9].rstrip("-") + "-" + digest
    if base.split(".")[0] in RESERVED:
        base += "-agency"
    return base


def likely_typos(new: Iterable[str], known: Iterable[str]) -> list[tuple[str, str]]:
    """(new name, known name) pairs that differ by one character (changed, added or dropped) —
    not where only the place differs (广州市财政局, 杭州市财政局: two cities' agencies).

    Candidates come from an index of one-character wildcards and deletions of the known names
    (a symmetric-delete index), so a national build with 10⁵ agencies compares each new name
    with a handful of candidates, not with every name of its length."""
    order: dict[str, int] = {}
    for name in known:
        order.setdefault(name, len(order))
    index: dict[str, list[str]] = defaultdict(list)
    for name in order:
        index["=" + name].append(name)
        for i in range(len(name)):
            index["~" + name[:i] + "\0" + name[i + 1:]].append(name)
            index["-" + name[:i] + name[i + 1:]].append(name)
    out = []
    for name in new:
        same = [c for i in range(len(name)) for c in index.get("~" + name[:i] + "\0" + name[i + 1:], ())]
        shorter = [c for i in range(len(name)) for c in index.get("=" + name[:i] + name[i + 1:], ())]
        longer = index.get("-" + name, [])
        for group in (same, shorter, longer):       # as before: same length first, then ±1
            hits = sorted({c for c in group if c != name and _one_edit(name, c) and not _other_place(name, c)},
                          key=order.__getitem__)
            if hits:
                out.append((name, hits[0]))
                break
    return out


_PLACE = re.compile(r"^(.{1,7}?(?:自治区|自治州|自治县|省|市|州|盟|县|区|旗))(.+)$")


def _other_place(a: str, b: str) -> bool:
    """The same agency of two places (the difference is all in the place name)."""
    ma, mb = _PLACE.match(a), _PLACE.match(b)
    return bool(ma and mb and ma.group(2) == mb.group(2) and ma.group(1) != mb.group(1))


def _one_edit(a: str, b: str) -> bool:
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    if len(a) < len(b):
        a, b = b, a
    if len(a) - len(b) != 1 or len(b) < 4:
        return False
    i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(b))
    return a[:i] + a[i + 1:] == b


def plan_slug(doc_number: str | None, key: str) -> str:
    """A plan feed's file name: 粤办函〔2021〕55号 → ybh-2021-55; without a 文号, plan- and a hash
    of the plan's key."""
    if doc_number:
        m = re.match(r"^(.*?)〔(\d{4})〕(\d+)号$", doc_number)
        if m:
            from ...extract.registry import readings

            initials = "".join(p[0] for p in readings(m.group(1)) if p and p[0].isascii() and p[0].isalnum())
            slug = f"{initials.lower()}-{m.group(2)}-{m.group(3)}".strip("-")
            if initials:
                return safe(slug, doc_number)
    return "plan-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def region_slug(region: str) -> str:
    """A region's feed file name: 广东省 → guangdongsheng, 长沙市 → changshashi (pinyin, cut and
    hashed like any feed name)."""
    from ...extract.registry import readings

    letters = "".join(p for p in readings(region) if p.isascii())
    return safe(letters or "region-" + hashlib.sha1(region.encode("utf-8")).hexdigest()[:8], region)


def assign_plans(keys: dict[str, str], owners: Mapping[str, str], reserved: Iterable[str] = ()) -> dict[str, str]:
    """Plan key → feed file name for this build (``keys``: plan key → preferred name), names
    owned for good like agencies' (``owners`` from earlier builds; ``reserved`` never given)."""
    taken = set(owners.values()) | set(reserved)
    out: dict[str, str] = {}
    for key in sorted(keys):
        if key in owners:
            out[key] = owners[key]
    taken.update(out.values())
    for key in sorted(keys):
        if key in out:
            continue
        out[key] = slug = _free(keys[key], taken)
        taken.add(slug)
    return out


_BARE = ("省", "市", "区", "县", "州", "盟", "旗")


def feed_key(doc_name: str, jurisdiction: str | None, agency: str) -> str:
    """Whose feed an agency's events go to.  An agency written bare (市财政局) in a plan that names
    no government cannot be told from another city's: it keeps a feed of its own plan, named
    市财政局（<plan>）, until the plan's jurisdiction is given ([[plan]] in calgen.toml)."""
    if jurisdiction or not agency.startswith(_BARE) or agency.startswith(("省委", "省政府", "市委", "市政府")):
        return agency
    return f"{agency}（{doc_name[:40]}）"
