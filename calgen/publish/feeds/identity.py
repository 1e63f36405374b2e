"""Which event of the last build is which event now: stable UIDs across edits of a plan.

An event's key names what it is (document, task path, phrase, occurrence).  The manifest keeps
each published event's key and UID, so an unchanged key keeps its UID.  When a plan is edited —
a deadline reworded (6月底前 → 7月底前), a task inserted above others (every later path shifts),
owners changed — keys change; the events left over on both sides are then matched by content:

    score = 0.6 · text similarity of the task (title and the start of its text)
          + 0.2 · overlap of its agencies
          + 0.1 · same kind of milestone
          + 0.1 · same phrase or same nominal date

within the same plan (same 文号 or content key, or the same input file), best pairs first; a
pair needs text similarity ≥ 0.5 and a score ≥ 0.6.  A matched event keeps the old UID (its
SEQUENCE goes up when what subscribers see changed).  What is left unmatched is new or removed;
a new event whose task closely resembles an old task matched elsewhere is reported as split from
it, an old one resembling a new task matched elsewhere as merged into it.
"""
from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from .events import CalEvent, doc_key

TEXT_MIN, SCORE_MIN, RELATED = 0.5, 0.6, 0.6


@dataclass(frozen=True)
class Related:
    """A split (one old task → several new) or merge (several old → one new), for the report."""

    kind: str          # split | merged
    uid: str           # the new event (split) or the old one (merged)
    other: str         # the old summary it came from / the new summary it went into


def signature(title: str, text: str) -> str:
    return (title + "｜" + text[:160]).strip()


def event_signature(e: CalEvent) -> str:
    return signature(e.task.title, e.task.text)


def assign(evs: list[CalEvent], old: Mapping[str, dict[str, Any]], old_text: Mapping[str, str],
           revive: Mapping[str, str] | None = None) -> tuple[list[CalEvent], list[Related]]:
    """``evs`` with the UIDs of the events they are (``old``: the last manifest's live events by
    UID; ``old_text``: their task signatures; ``revive``: key → UID of events removed earlier,
    so one that comes back is the same event), and the splits and merges seen."""
    by_key = {**(revive or {}), **{r["key"]: uid for uid, r in old.items() if r.get("key")}}
    taken: set[str] = set()
    out = list(evs)
    left: list[int] = []
    matched: dict[int, str] = {}                 # new event index → the old UID it carries on
    for i, e in enumerate(evs):
        uid = by_key.get(e.key) or (e.uid if e.uid in old else None)
        if uid is not None and uid not in taken:
            taken.add(uid)
            out[i] = replace(e, uid=uid) if uid != e.uid else e
            if uid in old:
                matched[i] = uid
        else:
            left.append(i)
    rest = [uid for uid in old if uid not in taken]
    if left and rest:
        pairs = _candidates([out[i] for i in left], left, rest, old, old_text)
        for _score, i, uid in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
            if i in matched or uid in taken:
                continue
            matched[i] = uid
            taken.add(uid)
            out[i] = replace(out[i], uid=uid)
    if not left and not rest:
        return out, []
    return out, _related(out, left, matched, rest, taken, old, old_text)


def _same_plan(e: CalEvent, r: dict[str, Any]) -> bool:
    return r.get("doc") == e.doc.source or r.get("dockey") == doc_key(e.doc)


def _candidates(new: list[CalEvent], index: list[int], rest: list[str], old: Mapping[str, dict[str, Any]],
                old_text: Mapping[str, str]) -> list[tuple[float, int, str]]:
    by_plan: dict[str, list[str]] = defaultdict(list)
    for uid in rest:
        r = old[uid]
        by_plan[r.get("doc", "")].append(uid)
        if r.get("dockey"):
            by_plan["key:" + r["dockey"]].append(uid)
    pairs = []
    for e, i in zip(new, index, strict=True):
        mine = dict.fromkeys(by_plan.get(e.doc.source, []) + by_plan.get("key:" + doc_key(e.doc), []))
        if not mine:
            continue
        sig = event_signature(e)
        names = {a.name for _, a in e.task.agencies()}
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(sig)                      # difflib caches the second sequence
        for uid in mine:
            r = old[uid]
            matcher.set_seq1(old_text.get(uid, ""))
            if matcher.real_quick_ratio() < TEXT_MIN or matcher.quick_ratio() < TEXT_MIN:
                continue
            text = matcher.ratio()
            if text < TEXT_MIN:
                continue
            theirs = set(r.get("agencies", ()))
            overlap = len(names & theirs) / len(names | theirs) if names | theirs else 1.0
            same = (r.get("phrase") == e.phrase) or (r.get("nominal") == e.nominal.isoformat())
            score = 0.6 * text + 0.2 * overlap + 0.1 * (r.get("kind") == e.kind) + 0.1 * same
            if score >= SCORE_MIN:
                pairs.append((score, i, uid))
    return pairs


def _related(out: list[CalEvent], left: list[int], matched: dict[int, str], rest: list[str], taken: set[str],
             old: Mapping[str, dict[str, Any]], old_text: Mapping[str, str]) -> list[Related]:
    """Splits: unmatched new events resembling an old task whose event went to another new
    task.  Merges: unmatched old events resembling a new task that took another old event."""
    found: list[Related] = []
    new_unmatched = [i for i in left if i not in matched]
    old_unmatched = [uid for uid in rest if uid not in taken]
    matched_old = {uid: i for i, uid in matched.items()}
    if new_unmatched and matched_old:
        for i in new_unmatched:
            e = out[i]
            best = _best(event_signature(e), [(u, old_text.get(u, "")) for u, j in matched_old.items()
                                              if _same_plan(e, old[u]) and out[j].task.path != e.task.path])
            if best:
                found.append(Related("split", e.uid, old[best].get("summary", "")))
    if old_unmatched and matched:
        for uid in old_unmatched:
            cands = [(str(i), event_signature(out[i])) for i, u in matched.items()
                     if _same_plan(out[i], old[uid]) and old[u].get("path") != old[uid].get("path")]
            best = _best(old_text.get(uid, ""), cands)
            if best:
                e = out[int(best)]
                found.append(Related("merged", uid, f"{e.phrase}：{e.task.title}"))
    return found


def _best(sig: str, cands: list[tuple[str, str]]) -> str | None:
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(sig)
    best, score = None, RELATED
    for key, text in cands:
        matcher.set_seq1(text)
        if matcher.quick_ratio() < score:
            continue
        r = matcher.ratio()
        if r >= score:
            best, score = key, r
    return best
