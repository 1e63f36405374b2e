"""The whole job: plans → tasks.json, one feed per agency + all.ics, gantt.csv/html, manifest.

Every output is first written to a temporary file beside its target; only when all of them are
written are they renamed into place, so a failure mid-build leaves the previous outputs as they
were and a server never sees a half-written feed.  The manifest remembers every event's UID,
due date and SEQUENCE so the next build can bump SEQUENCE for changed events and report what
moved, appeared or disappeared.
"""
from __future__ import annotations

import hashlib
import html
import itertools
import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..calendar.workdays import Calendar
from ..errors import CalgenError, OutputError
from ..extract.batch import extract_many
from ..model import Document
from ..rules import Rules
from .events import CalEvent, agencies_of, events

MANIFEST = "manifest.json"


@dataclass
class Change:
    kind: str            # new | removed | moved | changed
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
    had_previous: bool = False


def build(inputs: list[str], rules: Rules, progress: Callable[[list[Any]], Iterable[Any]] | None = None) -> Report:
    """Run the pipeline with ``rules`` (and the output options of ``rules.settings``); raises
    OutputError when outputs cannot be written (nothing replaced)."""
    opts = rules.settings
    skipped: list[str] = []
    docs, failures = extract_many(inputs, rules, jobs=opts.jobs, strict=opts.strict, notes=skipped)
    rep = Report(failures=failures)
    rep.warnings.extend(skipped)
    _count(docs, rep)
    evs = events(docs, rules.scheduler)
    previous = _load_manifest(opts.output)
    rep.had_previous = bool(previous)
    sequences, cancelled = _compare(previous, evs, docs, rules, rep)
    overlay = _overlay(previous, docs, evs, rules)
    files = _render(docs, evs, rules, sequences, cancelled, rep, progress, overlay)
    manifest = ((MANIFEST, _manifest(docs, evs, sequences, cancelled, rules, overlay).encode("utf-8")),)
    outputs = itertools.chain(files, manifest)
    if opts.dry_run:
        names = [rel for rel, _ in outputs]          # rendered (the report needs it), not written
    else:
        names = write_all(opts.output, outputs)
        rep.written = sorted(names)
    return rep


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


def _render(docs: list[Document], evs: list[CalEvent], rules: Rules, sequences: dict[str, int],
            cancelled: list[tuple[str, str, str, list[str]]], rep: Report,
            progress: Callable[[list[Any]], Iterable[Any]] | None, overlay: Overlay) -> Iterator[tuple[str, bytes]]:
    """Each output as (relative path, bytes), one at a time so a province-sized build never
    holds them all in memory."""
    from . import gantt, ics
    from .schema import dumps

    opts = rules.settings

    yield "tasks.json", dumps(docs).encode()
    agencies = agencies_of(evs)
    rep.agencies = len(agencies)
    rep.events = len(evs)
    items = list(agencies.items())
    by_agency: dict[str, list[CalEvent]] = {}
    for e in evs:
        for name in {a.name for _, a in e.task.agencies()}:
            by_agency.setdefault(name, []).append(e)
    cache: dict = {}
    for slug, agency in (progress(items) if progress else items):
        gone = tuple(c for c in cancelled if agency.name in c[3])
        o = ics.FeedOptions(opts.alarms, sequences, tuple(c[:3] for c in gone))
        yield f"feeds/{slug}.ics", ics.feed(agency.name, f"{agency.name}：工作任务节点（calgen）",
                                            by_agency.get(agency.name, []), agency, o, cache)
    o = ics.FeedOptions(opts.alarms, sequences, tuple(c[:3] for c in cancelled))
    yield "feeds/all.ics", ics.feed("全部任务节点", "calgen：所有工作任务节点", evs, None, o, cache)
    yield "feeds/holidays.ics", ics.holiday_feed(overlay.marks, overlay.sequences, overlay.cancelled)
    rep.feeds = len(agencies) + 2
    cache.clear()
    yield "feeds/index.html", _index(agencies, opts.base_url).encode()
    yield "gantt.csv", gantt.csv_bytes(docs, rules.calendar)
    yield "gantt.html", gantt.html_page(docs).encode()


def _index(agencies: dict[str, Any], base_url: str) -> str:
    base = base_url.rstrip("/")
    rows = []
    for slug, a in [("all", None), ("holidays", None), *agencies.items()]:
        name = a.name if a else {"all": "全部任务节点 (all)", "holidays": "法定节假日与调休上班日（叠加日历）"}[slug]
        url = f"{base}/feeds/{slug}.ics" if base else f"{slug}.ics"
        webcal = ("webcal://" + url.split("://", 1)[1]) if "://" in url else url
        link = f' · <a href="{html.escape(webcal)}">webcal</a>' if "://" in url else ""
        rows.append(f'<li>{html.escape(name)}：<a href="{html.escape(url)}">{html.escape(url)}</a>{link}</li>')
    return ("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>calgen 订阅</title>"
            "</head><body><h1>工作任务日历订阅</h1><p>Outlook：日历 → 添加日历 → 从 Internet 订阅，"
            "粘贴下列链接（设置 --base-url 后为完整地址，`calgen serve` 的首页总是完整地址）。</p><ul>"
            + "".join(rows) + "</ul></body></html>")


# --- manifest and change report --------------------------------------------------------------

def _load_manifest(output: Path) -> dict[str, Any]:
    path = output / MANIFEST
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise OutputError(f"previous manifest unreadable: {e}", file=str(path),
                          hint="delete it to start the change history afresh") from None


def _compare(previous: dict[str, Any], evs: list[CalEvent], docs: list[Document], rules: Rules,
             rep: Report) -> tuple[dict[str, int], list[tuple[str, str, str, list[str]]]]:
    """SEQUENCE per UID (bumped when an event changed) and the events to show as cancelled."""
    opts = rules.settings
    old = previous.get("events", {})
    sequences: dict[str, int] = {}
    now = {e.uid: e for e in evs}
    for uid, e in now.items():
        prev = old.get(uid)
        if prev is None:
            sequences[uid] = 0
            if previous:
                rep.changes.append(Change("new", _lead(e), uid, _sum(e), e.due.isoformat()))
        elif prev["fingerprint"] != e.fingerprint:
            sequences[uid] = prev["sequence"] + 1
            kind = "moved" if prev["due"] != e.due.isoformat() else "changed"
            detail = f"{prev['due']} → {e.due.isoformat()}" if kind == "moved" else "text or agencies changed"
            rep.changes.append(Change(kind, _lead(e), uid, _sum(e), detail))
        else:
            sequences[uid] = prev["sequence"]
    cancelled = []
    for uid, prev in old.items():
        if uid in now or prev.get("cancelled"):
            continue
        rep.changes.append(Change("removed", prev.get("lead", ""), uid, prev["summary"], prev["due"]))
        if opts.keep_removed:
            sequences[uid] = prev["sequence"] + 1
            cancelled.append((uid, prev["due"], prev["summary"], prev.get("agencies", [])))
    if previous:
        rep.reasons = _reasons(previous, docs, rules)
    return sequences, cancelled


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


def _manifest(docs: list[Document], evs: list[CalEvent], sequences: dict[str, int],
              cancelled: list[tuple[str, str, str, list[str]]], rules: Rules, overlay: Overlay) -> str:
    opts = rules.settings
    data: dict[str, Any] = {
        "calgen": __version__,
        "roll": opts.roll,
        "inputs": {d.source: d.content_hash for d in docs},
        "holiday_coverage": list(rules.calendar.covered),
        "holidays": _holiday_fingerprint(rules.calendar),
        "overlay": overlay.record,
        "events": {
            e.uid: {"due": e.due.isoformat(), "sequence": sequences.get(e.uid, 0),
                    "fingerprint": e.fingerprint, "summary": _sum(e), "lead": _lead(e),
                    "agencies": sorted({a.name for _, a in e.task.agencies()})}
            for e in sorted(evs, key=lambda e: e.uid)
        },
    }
    for uid, due, text, names in cancelled:     # shown as cancelled once, then forgotten
        data["events"][uid] = {"due": due, "sequence": sequences[uid], "fingerprint": "", "summary": text,
                               "lead": "", "agencies": names, "cancelled": True}
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


# --- atomic writing ----------------------------------------------------------------------------

def write_all(output: Path, files: Iterable[tuple[str, bytes]]) -> list[str]:
    """Stage every file as a temp file beside its target, then rename them all into place.
    Whatever goes wrong before the renames (a full disk, a failing writer) removes the staged
    files and leaves the previous outputs untouched."""
    staged: list[tuple[str, Path]] = []
    try:
        for rel, data in files:
            target = output / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            staged.append((tmp, target))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, 0o644)
    except BaseException as e:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
        if isinstance(e, OSError):
            raise OutputError(f"cannot write output: {e.strerror or e}", file=str(output),
                              hint="check the folder exists and is writable; previous outputs are unchanged") from None
        raise
    for tmp, target in staged:
        os.replace(tmp, target)
    return [str(target.relative_to(output)) for _, target in staged]
