"""The whole job: plans → tasks.json, one feed per agency + all.ics + holidays.ics,
gantt.csv/html, manifest — published as one consistent set (see :mod:`.store`).

What a rebuild guarantees subscribers (README, "What a rebuild guarantees"):

* **Nothing is deleted because an input failed.**  A plan that cannot be read, or that was in
  the last build and is missing now, is published again from the manifest (which keeps every
  published document), and the report says so; only ``--allow-removals`` or a ``withdrawn``
  entry in calgen.toml removes a missing plan.  ``--strict`` writes nothing when any input fails.
* **An event keeps its UID while its task is the same task** (:mod:`.identity`), and its
  SEQUENCE never goes down — not even when an event disappears and comes back.
* **A feed's file name belongs to its agency** (:mod:`.feednames`); a feed whose agency has no
  events any more is published once more with its events cancelled, then removed.
"""
from __future__ import annotations

import contextlib
import hashlib
import html
import itertools
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .. import __version__
from ..calendar.workdays import Calendar
from ..errors import CalgenError
from ..extract.batch import expand, extract_many
from ..extract.document import mark_duplicates
from ..model import Agency, Document
from ..rules import Rules
from . import feednames, identity
from .events import CalEvent, doc_key, events
from .state import doc_from_data, doc_to_data
from .store import OutputStore

MANIFEST = "manifest.json"
FORMAT = 2


@dataclass
class Change:
    kind: str            # new | removed | moved | changed | split | merged
    agency: str
    uid: str
    summary: str
    detail: str = ""


@dataclass
class Report:
    documents: int = 0
    duplicates: int = 0
    tasks: int = 0
    milestones: Counter = field(default_factory=Counter)
    agencies: int = 0
    feeds: int = 0
    events: int = 0
    written: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failures: list[CalgenError] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)           # plans published again from the last build
    refused: str = ""                                       # why nothing was written (--strict)
    had_previous: bool = False


@dataclass
class _Plan:
    """What this build publishes, worked out before anything is rendered."""

    docs: list[Document]
    evs: list[CalEvent]
    sequences: dict[str, int]
    cancelled: list[tuple[str, str, str, list[str]]]       # (uid, due, summary, agencies) shown once
    feeds: dict[str, Agency]                               # slug → agency with events
    retiring: dict[str, str]                               # slug → agency whose feed is cancelled once
    owners: dict[str, str]                                 # name → slug, every agency ever published
    retired: dict[str, list[Any]]                          # uid → [last SEQUENCE, key] of events gone
    retiring_events: dict[str, list[tuple[str, str, str]]] # agency → (uid, due, summary) to cancel
    bumped: dict[str, int]                                 # uid → last SEQUENCE + 1 (cancelled copies)
    plan_feeds: dict[str, str] = field(default_factory=dict)   # plan key → feeds/plans/<name>.ics
    plan_owners: dict[str, str] = field(default_factory=dict)  # every plan key ever given a feed


def build(inputs: list[str], rules: Rules, progress: Callable[[list[Any]], Iterable[Any]] | None = None) -> Report:
    """Run the pipeline with ``rules`` (and the output options of ``rules.settings``); raises
    OutputError when outputs cannot be written (nothing replaced)."""
    opts = rules.settings
    store = OutputStore(opts.output)
    guard = contextlib.nullcontext() if opts.dry_run else store.lock()
    with guard:
        early: list[str] = []
        previous = _load_manifest(store, early, keep=not opts.dry_run)
        failures: list[CalgenError] = []
        files, skipped = expand(inputs, failures)            # folders walked once
        fresh, failed = extract_many(files, rules, jobs=opts.jobs)
        failures += failed
        rep = Report(failures=failures, had_previous=bool(previous))
        rep.warnings.extend(early + skipped)
        if opts.strict and failures:
            rep.refused = (f"--strict: {len(failures)} input(s) failed; nothing was written, "
                           "the previous outputs are unchanged")
            return rep
        docs = _carry(previous, fresh, failures, set(files), rules, rep)
        _count(docs, rep)
        plan = _plan(previous, docs, rules, rep)
        overlay = _overlay(previous, plan.docs, plan.evs, rules)
        outputs = itertools.chain(_render(plan, rules, rep, progress, overlay),
                                  _lazy(lambda: (MANIFEST, _manifest(plan, rules, overlay).encode("utf-8"))))
        if opts.dry_run:
            for _ in outputs:                       # rendered (the report needs it), not written
                pass
            return rep
        rep.warnings += [f"{opts.output}: removed what an interrupted build left: {x}" for x in store.recover()]
        rep.written = sorted(store.publish(outputs))
        rep.warnings += store.notes
    return rep


def _lazy(make: Callable[[], tuple[str, bytes]]) -> Iterator[tuple[str, bytes]]:
    """One output made only when the writer gets to it (the manifest is as large as
    tasks.json: it should not sit in memory while everything else is rendered)."""
    yield make()


def _carry(previous: dict[str, Any], fresh: list[Document], failures: list[CalgenError], files: set[str],
           rules: Rules, rep: Report) -> list[Document]:
    """This build's documents: those read now, plus the last build's for inputs that failed or
    are missing (unless removals are allowed); the same plan twice keeps one copy."""
    opts = rules.settings
    read = {d.source for d in fresh}
    failed = {f.file for f in failures if f.file}
    carried: dict[str, tuple[Document, str]] = {}          # source → (document, why it is kept)
    for source, data in previous.get("documents", {}).items():
        if source in read:
            continue
        doc = doc_from_data(data)
        n = len(doc.tasks)
        if source in failed:
            why = f"could not be read; its {n} tasks stay published as last built"
        elif source in files:
            why = f"not read this time; its {n} tasks stay published as last built"
        elif opts.allow_removals or source in opts.withdrawn:
            rep.reasons.append(f"input removed: {source}")
            continue
        else:
            why = (f"missing; its {n} tasks stay published "
                   "(--allow-removals, or list it under withdrawn in calgen.toml, to remove them)")
        carried[source] = (doc, why)
    if not carried:
        return fresh
    old = [doc for doc, _ in carried.values()]
    marked = {d.source: d for d in mark_duplicates([d for d in fresh if not d.duplicate_of] + old,
                                                   frozenset(carried))}
    kept = [s for s in carried if not marked[s].duplicate_of]     # not superseded by a fresh copy
    rep.kept += [f"{s}: {carried[s][1]}" for s in kept]
    return [marked.get(d.source, d) for d in fresh] + [marked[s] for s in kept]


def _count(docs: list[Document], rep: Report) -> None:
    rep.documents = sum(1 for d in docs if not d.duplicate_of)
    rep.duplicates = sum(1 for d in docs if d.duplicate_of)
    for d in docs:
        rep.tasks += len(d.tasks)
        for t in d.tasks:
            rep.milestones.update(m.kind for m in t.milestones)
            for m in t.milestones:
                if "before_issue" in m.flags:
                    rep.warnings.append(f"{d.source}:{t.line}: {m.phrase} falls before the issue date")
                if "estimated" in m.flags:
                    rep.warnings.append(f"{d.source}:{t.line}: {m.phrase} due date estimated (no holiday data)")
                if "unconfirmed" in m.flags and m.nominal:
                    rep.warnings.append(f"{d.source}:{t.line}: {m.phrase} published as 待定 on "
                                        f"{m.nominal.isoformat()}: no {m.nominal.year} holiday data yet "
                                        "(calgen holidays import NOTICE, then rebuild)")
        rep.warnings.extend(f"{d.source}: {w}" for w in d.warnings)
        if d.duplicate_of:
            rep.warnings.append(f"{d.source}: same plan as {d.duplicate_of}; its tasks are taken from there")


@dataclass(frozen=True)
class Overlay:
    """``feeds/holidays.ics``: its marks, their SEQUENCEs and the marks withdrawn since."""

    marks: list[Any]
    sequences: dict[str, int]
    cancelled: list[tuple[str, str, str]]
    record: dict[str, Any]


def _overlay(previous: dict[str, Any], docs: list[Document], evs: list[CalEvent], rules: Rules) -> Overlay:
    """Rest days and 调休 working days of every year the build touches (issue and plan years,
    nominal and due dates), with SEQUENCE kept across builds like any event's."""
    from .ics import day_marks

    years = {d.plan_year for d in docs if d.plan_year} | {d.issued.year for d in docs if d.issued}
    years |= {e.due.year for e in evs} | {e.nominal.year for e in evs}
    marks = day_marks(rules.calendar, years)
    old = previous.get("overlay", {})
    seqs, record = {}, {}
    for m in marks:
        prev = old.get(m.uid)
        seq = 0 if prev is None else prev["sequence"] + (prev["fingerprint"] != m.fingerprint)
        seqs[m.uid] = seq
        record[m.uid] = {"fingerprint": m.fingerprint, "sequence": seq, "start": m.start.isoformat(),
                         "summary": m.summary}
    cancelled = []
    for uid, prev in old.items():
        if uid not in record and not prev.get("cancelled"):
            seqs[uid] = prev["sequence"] + 1
            cancelled.append((uid, prev["start"], prev["summary"]))
            record[uid] = {**prev, "sequence": seqs[uid], "cancelled": True}
    return Overlay(marks, seqs, cancelled, record)


def _plan(previous: dict[str, Any], docs: list[Document], rules: Rules, rep: Report) -> _Plan:
    """Events with their identities and SEQUENCEs, feeds with their owners, and what changed."""
    opts = rules.settings
    evs = events(docs, rules.scheduler)
    old_all: dict[str, dict[str, Any]] = previous.get("events", {})
    old = {uid: r for uid, r in old_all.items() if not r.get("cancelled")}
    retired: dict[str, list[Any]] = {uid: v if isinstance(v, list) else [v, ""]
                                     for uid, v in previous.get("retired", {}).items()}
    for uid, r in old_all.items():
        if r.get("cancelled"):
            retired[uid] = [max(retired.get(uid, [0])[0], r["sequence"]), r.get("key", "")]
    revive = {key: uid for uid, (_, key) in retired.items() if key}
    evs, related = identity.assign(evs, old, _old_signatures(previous, old), revive)
    sequences: dict[str, int] = {}
    for e in evs:
        prev = old.get(e.uid)
        if prev is None:
            sequences[e.uid] = retired.pop(e.uid)[0] + 1 if e.uid in retired else 0
            if previous:
                rep.changes.append(Change("new", _lead(e), e.uid, _sum(e), e.due.isoformat()))
        elif prev["fingerprint"] != e.fingerprint:
            sequences[e.uid] = prev["sequence"] + 1
            kind = "moved" if prev["due"] != e.due.isoformat() else "changed"
            detail = f"{prev['due']} → {e.due.isoformat()}" if kind == "moved" else "text or agencies changed"
            rep.changes.append(Change(kind, _lead(e), e.uid, _sum(e), detail))
        else:
            sequences[e.uid] = prev["sequence"]
    now = {e.uid for e in evs}
    cancelled = []
    for uid, prev in old.items():
        if uid in now:
            continue
        rep.changes.append(Change("removed", prev.get("lead", ""), uid, prev["summary"], prev["due"]))
        retired[uid] = [prev["sequence"] + (1 if opts.keep_removed else 0), prev.get("key", "")]
        if opts.keep_removed:
            sequences[uid] = retired[uid][0]
            cancelled.append((uid, prev["due"], prev["summary"], prev.get("agencies", [])))
    by_uid = {e.uid: e for e in evs}
    for rel in related:
        if rel.kind == "split":
            e = by_uid[rel.uid]
            rep.changes.append(Change("split", _lead(e), e.uid, _sum(e), f"split from 「{rel.other}」"))
        else:
            prev = old[rel.uid]
            rep.changes.append(Change("merged", prev.get("lead", ""), rel.uid, prev["summary"],
                                      f"merged into 「{rel.other}」"))
    if previous:
        rep.reasons += _reasons(previous, docs, rules)
    feeds, retiring, owners = _feeds(previous, evs, rep)
    gone: dict[str, list[tuple[str, str, str]]] = {}
    for name in retiring.values():                # the agency's events shown cancelled, once
        gone[name] = [(uid, r["due"], r["summary"]) for uid, r in old.items() if name in r.get("agencies", ())]
    _no_feed(evs, rep)
    with_events = {doc_key(e.doc) for e in evs}
    keys = {doc_key(d): feednames.plan_slug(d.doc_number, doc_key(d))
            for d in docs if not d.duplicate_of and doc_key(d) in with_events}
    plan_owners: dict[str, str] = dict(previous.get("plan_owners", {}))
    plan_feeds = feednames.assign_plans(keys, plan_owners)
    plan_owners.update(plan_feeds)
    return _Plan(docs, evs, sequences, cancelled, feeds, retiring, owners, retired, gone,
                 {uid: r["sequence"] + 1 for uid, r in old.items()}, plan_feeds, plan_owners)


def _old_signatures(previous: dict[str, Any], old: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Each old event's task text, from the documents the manifest keeps."""
    tasks: dict[tuple[str, str], str] = {}
    for source, data in previous.get("documents", {}).items():
        for t in data.get("tasks", ()):
            tasks[(source, t["id"])] = identity.signature(t["title"], t["text"])
    return {uid: tasks.get((r.get("doc", ""), r.get("task", "")), r.get("summary", "")) for uid, r in old.items()}


def _feeds(previous: dict[str, Any], evs: list[CalEvent], rep: Report) -> tuple[dict[str, Agency], dict[str, str], dict[str, str]]:
    """Slug → agency for this build (names owned for good), feeds to cancel once, and owners."""
    from .events import agencies_of

    owners: dict[str, str] = dict(previous.get("owners", {}))
    found = agencies_of(evs)
    feeds = feednames.assign(found.values(), owners)
    new = [a.name for a in feeds.values() if a.name not in owners]
    named = {a.name for e in evs for _, a in e.task.agencies()}
    for name, known in feednames.likely_typos(new, [*owners, *(named - set(new))]):
        rep.warnings.append(f"agency {name} differs from {known} by one character: likely a typo "
                            f"(fix the plan, or add {name} as an alias in mappings/agencies.toml); "
                            f"it gets its own feed, {known} keeps its feed")
    owners.update({a.name: slug for slug, a in feeds.items()})
    retiring = {}
    for slug, info in previous.get("feeds", {}).items():
        if info.get("state") == "live" and slug not in feeds:
            retiring[slug] = info["name"]
            rep.warnings.append(f"feeds/{slug}.ics: {info['name']} has no events any more; its feed shows them "
                                "cancelled in this build and is removed by the next")
        elif info.get("state") == "retiring" and slug not in feeds:
            rep.reasons.append(f"feed removed: feeds/{slug}.ics ({info['name']})")
    return feeds, retiring, owners


def _no_feed(evs: list[CalEvent], rep: Report) -> None:
    """Tasks whose events reach no agency's feed (owned only by groups, or by nobody)."""
    seen = set()
    for e in evs:
        key = (e.doc.source, e.task.id)
        if key in seen or any(not a.is_group for _, a in e.task.agencies()):
            continue
        seen.add(key)
        groups = "、".join(a.name for _, a in e.task.agencies())
        why = f"only groups ({groups}) are named" if groups else "no agency is named"
        rep.warnings.append(f"{e.doc.source}:{e.task.line}: task {' '.join(e.task.path)} reaches no agency feed: "
                            f"{why}; it is in all.ics only")


def _render(plan: _Plan, rules: Rules, rep: Report, progress: Callable[[list[Any]], Iterable[Any]] | None,
            overlay: Overlay) -> Iterator[tuple[str, bytes]]:
    """Each output as (relative path, bytes), one at a time so a province-sized build never
    holds them all in memory; with --jobs > 1 the Gantt outputs are made in a worker process
    meanwhile."""
    opts = rules.settings
    docs = plan.docs
    pool, later = None, None
    if opts.jobs > 1:            # the project-manager outputs in a worker while the feeds render here
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(max_workers=1)
        later = pool.submit(gantt_outputs, docs, rules.calendar, overlay.marks, opts.source_date_epoch)
    try:
        yield from _render_here(plan, rules, rep, progress, overlay)
        if later is not None:
            yield from later.result()
        else:
            yield from _gantt_one_by_one(docs, rules.calendar, overlay.marks, opts.source_date_epoch)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def gantt_outputs(docs: list[Document], calendar: Calendar, marks: list[Any], epoch: int | None) -> list[tuple[str, bytes]]:
    """gantt.xml, gantt.xlsx and gantt.html: everything they need is passed in, so they can be
    made in another process (under any start method) with the same bytes."""
    return list(_gantt_one_by_one(docs, calendar, marks, epoch))


def _gantt_one_by_one(docs: list[Document], calendar: Calendar, marks: list[Any],
                      epoch: int | None) -> Iterator[tuple[str, bytes]]:
    from . import mspdi, timeline, workbook

    yield "gantt.xml", mspdi.project_xml(docs, calendar, marks)
    yield "gantt.xlsx", workbook.workbook_bytes(docs, calendar, marks, epoch)
    yield "gantt.html", timeline.page(docs).encode()


def _render_here(plan: _Plan, rules: Rules, rep: Report, progress: Callable[[list[Any]], Iterable[Any]] | None,
                 overlay: Overlay) -> Iterator[tuple[str, bytes]]:
    from . import gantt, ics
    from .schema import dumps

    opts = rules.settings
    docs, evs, sequences = plan.docs, plan.evs, plan.sequences
    yield "tasks.json", dumps(docs).encode()
    rep.agencies = len(plan.feeds)
    rep.events = len(evs)
    items = list(plan.feeds.items())
    by_agency: dict[str, list[CalEvent]] = {}
    for e in evs:
        for name in {a.name for _, a in e.task.agencies()}:
            by_agency.setdefault(name, []).append(e)
    cache: dict = {}
    for slug, agency in (progress(items) if progress else items):
        gone = tuple(c[:3] for c in plan.cancelled if agency.name in c[3])
        o = ics.FeedOptions(opts.alarms, sequences, gone, opts.source_date_epoch)
        yield f"feeds/{slug}.ics", ics.feed(agency.name, f"{agency.name}：工作任务节点（calgen）",
                                            by_agency.get(agency.name, []), agency, o, cache)
    for slug, name in plan.retiring.items():
        o = ics.FeedOptions(opts.alarms, plan.bumped, tuple(plan.retiring_events.get(name, ())), opts.source_date_epoch)
        yield f"feeds/{slug}.ics", ics.feed(name, f"{name}：工作任务节点（calgen，已无任务，本订阅将停止更新）",
                                            [], None, o, cache)
    for key in [k for k in cache if isinstance(k, tuple)]:
        del cache[key]              # agency-titled events are not reused by all.ics; descriptions are
    o = ics.FeedOptions(opts.alarms, sequences, tuple(c[:3] for c in plan.cancelled), opts.source_date_epoch)
    yield "feeds/all.ics", ics.feed("全部任务节点", "calgen：所有工作任务节点", evs, None, o, cache)
    by_plan: dict[str, list[CalEvent]] = {}
    for e in evs:
        by_plan.setdefault(doc_key(e.doc), []).append(e)
    o = ics.FeedOptions(opts.alarms, sequences, (), opts.source_date_epoch)
    plan_docs = {doc_key(d): d for d in docs if not d.duplicate_of}
    for pkey, slug in sorted(plan.plan_feeds.items(), key=lambda kv: kv[1]):
        doc = plan_docs.get(pkey)
        if doc is None:
            continue
        name = doc.title + (f"（{doc.doc_number}）" if doc.doc_number else "")
        yield f"feeds/plans/{slug}.ics", ics.feed(name, f"{name}：全部任务节点（calgen）", by_plan.get(pkey, []),
                                                  None, o, cache)
    yield "feeds/holidays.ics", ics.holiday_feed(overlay.marks, overlay.sequences, overlay.cancelled,
                                                 opts.source_date_epoch)
    rep.feeds = len(plan.feeds) + len(plan.retiring) + 2
    cache.clear()
    plans = [(slug, plan_docs[pkey]) for pkey, slug in sorted(plan.plan_feeds.items(), key=lambda kv: kv[1])
             if pkey in plan_docs]
    yield "feeds/index.html", _index(plan.feeds, opts.base_url, plans).encode()
    parts = gantt.csv_parts(docs, rules.calendar)
    if len(parts) > 1:
        rep.warnings.append(f"gantt.csv has more rows than Excel opens ({gantt.EXCEL_ROWS:,}); "
                            f"it is split into {', '.join(name for name, _ in parts)}")
    yield from parts


def _index(agencies: dict[str, Any], base_url: str, plans: list[tuple[str, Document]] | None = None) -> str:
    base = base_url.rstrip("/")
    rows = []
    entries: list[tuple[str, str]] = [("all", "全部任务节点 (all)"), ("holidays", "法定节假日与调休上班日（叠加日历）")]
    entries += [(slug, a.name) for slug, a in agencies.items()]
    entries += [(f"plans/{slug}", "文件：" + d.title + (f"（{d.doc_number}）" if d.doc_number else ""))
                for slug, d in plans or []]
    for slug, name in entries:
        url = f"{base}/feeds/{slug}.ics" if base else f"{slug}.ics"
        webcal = ("webcal://" + url.split("://", 1)[1]) if "://" in url else url
        link = f' · <a href="{html.escape(webcal)}">webcal</a>' if "://" in url else ""
        rows.append(f'<li>{html.escape(name)}：<a href="{html.escape(url)}">{html.escape(url)}</a>{link}</li>')
    return ("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>calgen 订阅</title>"
            "</head><body><h1>工作任务日历订阅</h1><p>Outlook：日历 → 添加日历 → 从 Internet 订阅，"
            "粘贴下列链接（设置 --base-url 后为完整地址，`calgen serve` 的首页总是完整地址）。</p><ul>"
            + "".join(rows) + "</ul></body></html>")


# --- manifest and change report --------------------------------------------------------------

def _load_manifest(store: OutputStore, rep_warnings: list[str], keep: bool = True) -> dict[str, Any]:
    """The last build's manifest, or {} (a first build) when there is none or it is unsound —
    then it is kept beside the outputs as .manifest-rejected.json and the report says so."""
    from . import manifest

    raw = store.read(MANIFEST)
    data, problem = manifest.load(raw)
    if problem and raw is not None:
        kept = store.root / ".manifest-rejected.json"
        if keep:
            with contextlib.suppress(OSError):
                kept.write_bytes(raw)
        rep_warnings.append(f"{store.root / MANIFEST}: set aside ({problem}); kept as {kept.name}. "
                            "This build starts the change history afresh: UIDs of unchanged events are kept, "
                            "SEQUENCE restarts and plans missing now are not kept")
    return data


def _reasons(previous: dict[str, Any], docs: list[Document], rules: Rules) -> list[str]:
    opts = rules.settings
    out = []
    old_inputs = previous.get("inputs", {})
    for d in docs:
        h = old_inputs.get(d.source)
        if h is None:
            out.append(f"new input {d.source}")
        elif h != d.content_hash:
            out.append(f"input changed: {d.source}")
    if previous.get("holidays") != _holiday_fingerprint(rules.calendar):
        out.append("holiday data changed")
    if previous.get("roll") != opts.roll:
        out.append(f"roll policy changed: {previous.get('roll')} → {opts.roll}")
    return out


def _lead(e: CalEvent) -> str:
    return "、".join(a.name for a in e.task.lead) or "、".join(a.name for a in e.task.responsible)


def _sum(e: CalEvent) -> str:
    return f"{e.phrase}：{e.task.title}"


def _holiday_fingerprint(cal: Calendar) -> dict[str, str]:
    out = {}
    for year, y in sorted(cal.years.items()):
        raw = json.dumps([sorted(map(str, y.rest)), sorted(map(str, y.makeup))])
        out[str(year)] = hashlib.sha1(raw.encode()).hexdigest()[:12]
    return out


def _manifest(plan: _Plan, rules: Rules, overlay: Overlay) -> str:
    """Everything the next build needs: every published document (to publish it again when its
    input fails), every event's key, content and SEQUENCE, feed owners, retired SEQUENCEs."""
    opts = rules.settings
    events: dict[str, Any] = {}
    for e in sorted(plan.evs, key=lambda e: e.uid):
        events[e.uid] = {"key": e.key, "doc": e.doc.source, "dockey": doc_key(e.doc), "task": e.task.id,
                         "path": "/".join(e.task.path), "kind": str(e.kind), "phrase": e.phrase,
                         "nominal": e.nominal.isoformat(), "due": e.due.isoformat(),
                         "sequence": plan.sequences.get(e.uid, 0), "fingerprint": e.fingerprint,
                         "summary": _sum(e), "lead": _lead(e),
                         "agencies": sorted({a.name for _, a in e.task.agencies()})}
    for uid, due, text, names in plan.cancelled:     # shown as cancelled once, then retired
        events[uid] = {"due": due, "sequence": plan.sequences[uid], "fingerprint": "", "summary": text,
                       "lead": "", "agencies": names, "cancelled": True}
    feeds = {slug: {"name": a.name, "state": "live"} for slug, a in plan.feeds.items()}
    feeds.update({slug: {"name": name, "state": "retiring"} for slug, name in plan.retiring.items()})
    data: dict[str, Any] = {
        "calgen": __version__,
        "format": FORMAT,
        "roll": opts.roll,
        "inputs": {d.source: d.content_hash for d in plan.docs if not d.duplicate_of},
        "holiday_coverage": list(rules.calendar.covered),
        "holidays": _holiday_fingerprint(rules.calendar),
        "overlay": overlay.record,
        "owners": dict(sorted(plan.owners.items())),
        "plan_owners": dict(sorted(plan.plan_owners.items())),
        "feeds": dict(sorted(feeds.items())),
        "retired": dict(sorted(plan.retired.items())),
        "events": events,
        "documents": {d.source: doc_to_data(d) for d in plan.docs if not d.duplicate_of},
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
