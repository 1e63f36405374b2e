"""One plan's share of a build, done where it can run in parallel: in a worker process or inline.

A build passes over its plans twice (see build.py):

1. :func:`survey` — read and extract the plan, keep the Document in a scratch file (a pickle),
   and return a small :class:`Survey`: what the build needs to decide across plans (duplicates,
   feed names, years of the holiday overlay, row numbers) without holding any plan in memory.
2. :func:`publish` — with those decisions in a :class:`Job`, load the Document again, give its
   events their identities (UID and SEQUENCE, against this plan's part of the last manifest),
   render every event once, and return a :class:`Rendered`: the bytes each feed receives, the
   plan's line of tasks.json and rows of gantt.csv, and its change report.  The plan's part of
   the new manifest is written here too.

Everything a worker needs is in its arguments (Settings included, from which it loads its own
Rules once), so the bytes are the same under every start method and every ``--jobs``.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import pickle
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import CalendarCoverageError, CalgenError, ReadingError
from ..follow.ledger import Row, rows_for
from ..follow.standing import PREFIX, Record, Standing, State
from ..model import NOT_DUE, Agency, Document
from ..rules import Rules
from ..settings import Settings
from .feeds import identity
from .feeds.events import CalEvent, doc_key, events
from .feeds.feednames import feed_key, plan_slug, region_slug
from .feeds.ics import cancelled_event
from .gantt.csv import row_count
from .store import compact
from .store.state import doc_from_data, doc_to_data


@functools.lru_cache(maxsize=2)
def rules_for(settings: Settings) -> Rules:
    """A worker process's Rules, loaded once per process (not once per plan)."""
    return Rules.load(settings)


# --- pass 1 ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Survey:
    """What the build needs to know about one plan before anything is published."""

    index: int
    source: str
    spill: str                          # where the Document is kept aside (Spills)
    doc_number: str | None
    title: str
    jurisdiction: str | None
    issued_year: int | None
    plan_year: int | None
    content_hash: str
    dockey: str
    lost: int                           # lost characters (duplicates keep the cleaner copy)
    n_warnings: int
    tasks: int
    milestones: Mapping[str, int]
    report: tuple[str, ...]             # its milestones' warning lines for the build report
    notes: tuple[str, ...]              # the document's own warnings, as report lines
    agencies: tuple[Agency, ...]        # concrete agencies of tasks with events
    named: tuple[str, ...]              # every agency name of tasks with events (typo check)
    years: tuple[int, ...]              # years of its events' due and nominal dates
    rows: int                           # gantt.csv rows
    events: int
    plan_slug: str                      # the name its own feed would like (feednames.plan_slug)
    region_slug: str                    # the name its region's feed would like
    carried: bool = False               # published again from the last build


def survey(index: int, path: str, rules: Rules, spills: Spills) -> Survey | CalgenError:
    """Pass 1 for one input file: read, extract, keep the Document aside."""
    from ..extract.batch import extract_one

    doc, err = extract_one(path, rules)
    if err is not None:
        return err
    assert doc is not None
    try:
        return survey_doc(index, doc, rules, spills)
    except CalgenError as e:
        return e.located(path)
    except Exception as e:  # noqa: BLE001 - one input never stops a build
        return ReadingError(f"could not be scheduled ({type(e).__name__}: {str(e)[:200]})", file=path,
                            hint="report this file to calgen's maintainers")


def survey_batch(items: list[tuple[int, str]], rules: Rules, scratch: str) -> list[Survey | CalgenError]:
    """Pass 1 for some input files (index, path), their Documents kept in one scratch file."""
    with Spills(str(Path(scratch) / f"b{items[0][0]:07d}.pkl")) as spills:
        return [survey(i, path, rules, spills) for i, path in items]


def survey_many(args: tuple[Settings, str, list[tuple[int, str]]]) -> list[Survey | CalgenError]:
    settings, scratch, items = args
    return survey_batch(items, rules_for(settings), scratch)


def survey_doc(index: int, doc: Document, rules: Rules, spills: Spills | str, carried: bool = False) -> Survey:
    """The survey of one Document, kept aside in ``spills`` (or, given a scratch folder, in a
    file of its own there)."""
    from ..extract.document import _lost

    evs = events([doc], rules.scheduler)
    if isinstance(spills, str):
        with Spills(str(Path(spills) / f"p{index:07d}.pkl")) as own:
            spill = own.put(doc, evs)
    else:
        spill = spills.put(doc, evs)
    agencies: dict[str, Agency] = {}
    named: set[str] = set()
    years: set[int] = set()
    for e in evs:
        years.update((e.due.year, e.nominal.year))
    with_events = {id(e.task) for e in evs}
    for t in doc.tasks:
        if id(t) not in with_events:
            continue
        for _, a in t.agencies():
            key = feed_key(doc.name, doc.jurisdiction, a.name)
            named.add(key)
            if not a.is_group:
                agencies.setdefault(key, a if key == a.name else replace(a, name=key))
    milestones: Counter[str] = Counter()
    for t in doc.tasks:
        milestones.update(str(m.kind) for m in t.milestones)
    rows = row_count(doc)
    return Survey(index, doc.source, spill, doc.doc_number, doc.title, doc.jurisdiction,
                  doc.issued.year if doc.issued else None, doc.plan_year, doc.content_hash, doc_key(doc),
                  _lost(doc), len(doc.warnings), len(doc.tasks), dict(milestones),
                  tuple(_report(doc, evs) + _unplaced(doc)),
                  tuple(f"{doc.source}: {w}" for w in doc.warnings),
                  tuple(agencies[n] for n in sorted(agencies)), tuple(sorted(named)), tuple(sorted(years)),
                  rows, len(evs), plan_slug(doc.doc_number, doc_key(doc)),
                  region_slug(doc.jurisdiction or NO_REGION), carried)


NO_REGION = "未注明地区"
def _unplaced(doc: Document) -> list[str]:
    """A plan that never names its government, whose agencies are written bare (市财政局): they
    cannot be told from another city's, so they share its feed — say so, and how to fix it."""
    if doc.jurisdiction:
        return []
    names = {a.name for t in doc.tasks for _, a in t.agencies() if not a.is_group}
    bare = sorted(n for n in names if feed_key(doc.name, None, n) != n)
    if not bare:
        return []
    shown = "、".join(bare[:3]) + (f" and {len(bare) - 3} more" if len(bare) > 3 else "")
    return [f"{doc.source}: names no government, so {shown} cannot be told from another plan's agencies of the "
            "same name: each keeps a feed of this plan's own (市财政局（<plan>）) until you name its government in "
            "calgen.toml — [[plan]] path = \"…\", jurisdiction = \"…市\""]


def _report(d: Document, evs: Sequence[CalEvent] = ()) -> list[str]:
    out = []
    for t in d.tasks:
        for m in t.milestones:
            if "before_issue" in m.flags:
                out.append(f"{d.source}:{t.line}: {m.phrase} falls before the issue date")
            if "estimated" in m.flags:
                out.append(f"{d.source}:{t.line}: {m.phrase} due date estimated (no holiday data)")
            if "unconfirmed" in m.flags and m.nominal:
                out.append(f"{d.source}:{t.line}: {m.phrase} published as 待定 on {m.nominal.isoformat()}: "
                           f"no {m.nominal.year} holiday data yet (calgen holidays import NOTICE, then rebuild)")
    seen: set[tuple[int, str, int]] = set()
    for e in evs:                  # recurring periods in a year without data: one line per task and year
        key = (e.task.line, e.phrase, e.nominal.year)
        if e.kind == "recurring" and "unconfirmed" in e.flags and key not in seen:
            seen.add(key)
            out.append(f"{d.source}:{e.task.line}: {e.phrase} in {e.nominal.year} published as 待定: "
                       f"no {e.nominal.year} holiday data yet (calgen holidays import NOTICE, then rebuild)")
    return out


class Spills:
    """Documents and their events kept aside between the passes, one after another in a scratch
    file; each is found again by its spill, ``path#offset``.  Several plans share a file because
    creating a file and removing it cost ~0.2 ms each on this kind of disk (measured: one file
    per plan cost a 20,000-plan build ~8 s of system time).

    A plan is two pickles by one Pickler, so the events' tasks and document are references into
    the first (nothing is stored twice) and a reader that needs only the Document (the Gantt
    outputs) stops after it."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fh: BinaryIO | None = None

    def put(self, doc: Document, evs: list[CalEvent]) -> str:
        if self._fh is None:
            self._fh = open(self.path, "wb")  # noqa: SIM115 - closed by close()
        offset = self._fh.tell()
        pickler = pickle.Pickler(self._fh, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dump(doc)
        pickler.dump(evs)
        return f"{self.path}#{offset}"

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> Spills:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _reader(spill: str) -> tuple[BinaryIO, pickle.Unpickler]:
    path, _, offset = spill.rpartition("#")
    fh: BinaryIO = open(path, "rb")  # noqa: SIM115 - the caller closes it
    fh.seek(int(offset))
    return fh, pickle.Unpickler(fh)


def load(spill: str) -> Document:
    fh, reader = _reader(spill)
    with fh:
        doc = reader.load()
    assert isinstance(doc, Document)
    return doc


class Spilled:
    """Plans kept aside, loaded one at a time each time they are iterated (a Gantt writer reads
    them twice or more, never all at once).  ``items`` are (spill, the document a duplicate
    repeats — its tasks then left out — or None)."""

    def __init__(self, items: list[tuple[str, str | None]]) -> None:
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Document]:
        for spill, dup in self.items:
            doc = load(spill)
            yield replace(doc, duplicate_of=dup, tasks=()) if dup else doc


def load_with_events(spill: str) -> tuple[Document, list[CalEvent]]:
    fh, reader = _reader(spill)
    with fh:
        doc, evs = reader.load(), reader.load()
    assert isinstance(doc, Document)
    return doc, evs


# --- pass 2 ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Job:
    """Pass 2 for one plan: what the build decided about it."""

    index: int
    spill: str
    duplicate_of: str | None
    ordinal: int                         # among published plans (gantt.csv WBS), 0 for a duplicate
    first_row: int                       # its first gantt.csv row ID
    part: str                            # where its manifest part goes (absolute path); '' for none
    old: tuple[Any, ...] = ()            # its parts of the last manifest: paths, or the data itself
    revive: Mapping[str, str] = field(default_factory=dict)      # key → UID of its retired events
    retired: Mapping[str, int] = field(default_factory=dict)     # UID → last SEQUENCE of those
    had_previous: bool = False
    plan_feed: str = ""                  # where its own feed goes (absolute path); '' for none
    plan_name: str = ""
    fed: frozenset[str] = frozenset()    # its agencies that have a feed in this build (events routed to them)
    records: Mapping[str, Record] = field(default_factory=dict)  # its rows' latest statuses (follow-up)
    tracked: bool = False                # statuses shown in its feeds and Gantt files


@dataclass(frozen=True)
class Shared:
    """What every pass-2 job of one build shares (sent with every chunk of jobs: keep it small —
    which agencies have a feed is told per plan, Job.fed, not as the build's whole set)."""

    settings: Settings
    as_of: dt.date = dt.date(2000, 1, 1)  # the day statuses are computed for (the build decides it)


# One event as a feed receives it: (uid, sequence, summary, due YYYYMMDD, plan tell, body, the
# whole VEVENT).  The feed writes the whole VEVENT, or — when another plan's event in the same
# feed has the same summary on the same day — assembles it again with the plan's tell added.
Item = tuple[str, int, str, str, str, bytes, bytes]


@dataclass
class Rendered:
    """One plan's share of every output, as bytes, plus its report."""

    index: int
    source: str
    tasks_json: bytes
    csv: list[tuple[int, bytes]] = field(default_factory=list)
    all_items: list[Item] = field(default_factory=list)
    agency_items: dict[str, list[Item]] = field(default_factory=dict)
    cancelled: list[tuple[tuple[str, ...], bytes]] = field(default_factory=list)
    changes: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    retired: dict[str, list[Any]] = field(default_factory=dict)   # UIDs removed now → [SEQUENCE, key]
    revived: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    entry: dict[str, Any] = field(default_factory=dict)           # the manifest's index entry
    events: int = 0
    wrote: list[str] = field(default_factory=list)                # files written here (their paths)
    ledger: list[Row] = field(default_factory=list)               # its ledger rows (follow-up)
    states: dict[str, str] = field(default_factory=dict)          # milestone key → state (Gantt), when tracked
    reminders: int = 0


def publish_many(args: tuple[Shared, list[Job]]) -> list[Rendered]:
    shared, jobs = args
    rules = rules_for(shared.settings)
    return [publish(job, shared, rules) for job in jobs]


def publish(job: Job, shared: Shared, rules: Rules) -> Rendered:
    from .store.schema import document_json

    settings = shared.settings
    doc, evs = load_with_events(job.spill)
    if job.duplicate_of:
        doc = replace(doc, duplicate_of=job.duplicate_of, tasks=())
        line = json.dumps(document_json(doc), ensure_ascii=False).encode()
        return Rendered(job.index, doc.source, line)
    out = Rendered(job.index, doc.source, json.dumps(document_json(doc), ensure_ascii=False).encode())
    old, old_text = _old(job, out)
    evs, related = identity.assign(evs, old, old_text, dict(job.revive))
    out.ledger, standings = rows_for(doc, doc_key(doc), evs, job.records, shared.as_of, rules.calendar,
                                     settings.soon_days)
    marks = {uid: PREFIX.get(st.state, "") for uid, st in standings.items()} if job.tracked else {}
    if job.tracked:
        out.states = {e.key: _mark(standings[e.uid]) for e in evs if e.kind != "recurring" and e.kind not in NOT_DUE}
        out.states.update({k: _mark(st) for k, st in standings.items() if k.startswith("task:")})
    sequences = _sequences(evs, related, old, job, settings, out, marks)
    out.events = len(evs)
    _render(evs, sequences, job.fed, shared, out, marks, _reminders(evs, standings, shared, rules))
    _no_feed(evs, out)
    if job.plan_feed and out.all_items:
        _plan_feed(job, out.all_items)
        out.wrote.append(job.plan_feed)
    out.csv = _csv(doc, job, rules)
    if job.part:
        part = {"document": doc_to_data(doc), "events": _records(evs, sequences, old, out, marks)}
        Path(job.part).write_bytes(compact.dumps(part, sort_keys=True))
        out.wrote.append(job.part)
    names = sorted({feed_key(doc.name, doc.jurisdiction, a.name) for e in evs for _, a in e.task.agencies()})
    out.entry = {"hash": doc.content_hash, "dockey": doc_key(doc), "part": Path(job.part).name if job.part else "",
                 "agencies": names, "tasks": len(doc.tasks)}
    return out


def _old(job: Job, out: Rendered) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """This plan's live events of the last build and their tasks' signatures."""
    old: dict[str, dict[str, Any]] = {}
    text: dict[str, str] = {}
    for ref in job.old:
        try:
            part = json.loads(Path(ref).read_text(encoding="utf-8")) if isinstance(ref, str) else ref
            tasks = {t["id"]: identity.signature(t["title"], t["text"]) for t in part["document"].get("tasks", ())}
            for uid, r in part["events"].items():
                if r.get("cancelled") or not isinstance(r.get("sequence"), int):
                    continue
                old[uid] = r
                text[uid] = tasks.get(r.get("task", ""), r.get("summary", ""))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
            where = ref if isinstance(ref, str) else "manifest"
            out.warnings.append(f"{where}: the last build's record of {out.source} cannot be read ({e}); "
                                "its events are matched as new")
    return old, text


def _mark(st: Standing) -> str:
    """A row's state for the Gantt outputs: "state", or "state|完成日期" when done."""
    done = st.record.done if st.state.done and st.record is not None else None
    return str(st.state) + (f"|{done.isoformat()}" if done else "")


def fingerprint(e: CalEvent, marks: Mapping[str, str]) -> str:
    """What subscribers see of an event, its follow-up mark (【逾期】…) included: a change bumps
    SEQUENCE."""
    return _marked(e.fingerprint, marks.get(e.uid, ""))


def look(e: CalEvent, marks: Mapping[str, str]) -> str:
    """What subscribers see of an event — SUMMARY and DESCRIPTION — with its follow-up mark;
    recorded in the manifest (manifests before it compare the fingerprint only)."""
    return _marked(e.look, marks.get(e.uid, ""))


def _marked(value: str, mark: str) -> str:
    return value if not mark else hashlib.sha1((value + mark).encode()).hexdigest()[:16]


def _sequences(evs: list[CalEvent], related: list[identity.Related], old: dict[str, dict[str, Any]], job: Job,
               settings: Settings, out: Rendered, marks: Mapping[str, str]) -> dict[str, int]:
    """SEQUENCEs that never go down, for the events with their kept UIDs (identity.py)."""
    sequences: dict[str, int] = {}
    for e in evs:
        prev = old.get(e.uid)
        if prev is None:
            if e.uid in job.retired:
                sequences[e.uid] = job.retired[e.uid] + 1
                out.revived.append(e.uid)
            else:
                sequences[e.uid] = 0
            if job.had_previous:
                out.changes.append(("new", _lead(e), e.uid, _sum(e), e.due.isoformat()))
        elif (prev["look"] != look(e, marks)) if "look" in prev else (prev["fingerprint"] != fingerprint(e, marks)):
            sequences[e.uid] = prev["sequence"] + 1
            kind = "moved" if prev["due"] != e.due.isoformat() else "changed"
            if kind == "moved":
                detail = f"{prev['due']} → {e.due.isoformat()}"
            elif prev.get("base", prev["fingerprint"]) != e.fingerprint:
                detail = "text or agencies changed"
            elif prev["fingerprint"] != fingerprint(e, marks):
                detail = "status changed"
            else:
                detail = "description changed (the task's words, roles or plan)"
            out.changes.append((kind, _lead(e), e.uid, _sum(e), detail))
        else:
            sequences[e.uid] = prev["sequence"]
    now = {e.uid for e in evs}
    for uid, prev in old.items():
        if uid in now:
            continue
        out.changes.append(("removed", prev.get("lead", ""), uid, prev["summary"], prev["due"]))
        out.retired[uid] = [prev["sequence"] + (1 if settings.keep_removed else 0), prev.get("key", "")]
        if settings.keep_removed:
            sequences[uid] = out.retired[uid][0]
            out.cancelled.append((tuple(prev.get("agencies", ())),
                                  cancelled_event(uid, prev["due"], prev["summary"], sequences[uid],
                                                  settings.source_date_epoch)))
    by_uid = {e.uid: e for e in evs}
    for rel in related:
        if rel.kind == "split":
            e = by_uid[rel.uid]
            out.changes.append(("split", _lead(e), e.uid, _sum(e), f"split from 「{rel.other}」"))
        else:
            prev = old[rel.uid]
            out.changes.append(("merged", prev.get("lead", ""), rel.uid, prev["summary"], f"merged into 「{rel.other}」"))
    return sequences


def _reminders(evs: list[CalEvent], standings: Mapping[str, Standing], shared: Shared,
               rules: Rules) -> dict[str, list[tuple[int, dt.date, dt.date]]]:
    """uid → the 【提醒】 events it gets: (working days left, the day), for events not done whose
    reminder day is not past (as of the build)."""
    out: dict[str, list[tuple[int, dt.date, dt.date]]] = {}
    days = sorted(set(shared.settings.reminders), reverse=True)
    if not days:
        return out
    for e in evs:
        st = standings[e.uid]
        if e.kind in NOT_DUE or st.state.done or st.state is State.OVERDUE or st.in_force is None or st.in_force < shared.as_of:
            continue
        for n in days:
            try:
                day = rules.calendar.workdays_before(st.in_force, n)
            except CalendarCoverageError:       # no holiday data for that year: no reminder (never a guess)
                break
            if n and day >= shared.as_of:
                out.setdefault(e.uid, []).append((n, day, st.in_force))
    return out


def _render(evs: list[CalEvent], sequences: dict[str, int], fed: frozenset[str], shared: Shared,
            out: Rendered, marks: Mapping[str, str] | None = None,
            reminders: Mapping[str, list[tuple[int, dt.date, dt.date]]] | None = None) -> None:
    """Every event's body once; its summary for all.ics and for each agency's feed (distinct
    within this plan — the build keeps them distinct across plans), with its follow-up mark
    (``marks``: 【已完成】【逾期】…) and its 【提醒】 events (``reminders``)."""
    from .feeds.ics import assemble, distinct_summaries, event_body, reminder_body

    marks, reminders = marks or {}, reminders or {}
    epoch, alarms = shared.settings.source_date_epoch, shared.settings.alarms
    ordered = sorted(evs, key=lambda e: (e.due, e.uid))
    bodies = {e.uid: event_body(e, epoch) for e in ordered}
    doc = ordered[0].doc if ordered else None
    tell = f"〔{doc.doc_number or doc.name[:20]}〕" if doc else ""
    days = {e.uid: e.due.isoformat().replace("-", "") for e in ordered}          # YYYYMMDD

    def items(these: list[CalEvent], agency: Agency | None) -> list[Item]:
        out_: list[Item] = []
        for e, title in zip(these, distinct_summaries(these, agency), strict=True):
            seq = sequences.get(e.uid, 0)
            shown = marks.get(e.uid, "") + title
            out_.append((e.uid, seq, shown, days[e.uid], tell, bodies[e.uid],
                         assemble(e.uid, seq, shown, bodies[e.uid], alarms)))
            for n, day, due in reminders.get(e.uid, ()):
                uid, text = f"remind{n}-{e.uid}", f"【提醒】还有{n}个工作日到期：{title}"
                body = reminder_body(e, day, n, due, epoch)
                out_.append((uid, seq, text, day.isoformat().replace("-", ""), tell, body,
                             assemble(uid, seq, text, body)))
        return sorted(out_, key=lambda item: (item[3], item[0])) if reminders else out_

    out.all_items = items(ordered, None)
    out.reminders = sum(len(v) for v in reminders.values())
    by_agency: dict[str, tuple[Agency, list[CalEvent]]] = {}
    feeding: dict[int, list[tuple[str, Agency]]] = {}      # a task's agencies that have a feed, each once
    for e in ordered:
        named = feeding.get(id(e.task))
        if named is None:
            keyed = {feed_key(e.doc.name, e.doc.jurisdiction, a.name): a for _, a in e.task.agencies()}
            named = feeding[id(e.task)] = [(name, a) for name, a in keyed.items() if name in fed]
        for name, a in named:
            by_agency.setdefault(name, (a, []))[1].append(e)
    out.agency_items = {name: items(these, a) for name, (a, these) in sorted(by_agency.items())}


def _plan_feed(job: Job, items: list[Item]) -> None:
    """The plan's own feed, whole (its summaries are distinct within the plan already)."""
    from .feeds.ics import END, head

    path = Path(job.plan_feed)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join([head(job.plan_name, f"{job.plan_name}：全部任务节点（calgen）"),
                               *(item[6] for item in items), END]))


def _no_feed(evs: list[CalEvent], out: Rendered) -> None:
    """Tasks whose events reach no agency's feed (owned only by groups, or by nobody)."""
    seen = set()
    for e in evs:
        if e.task.id in seen or any(not a.is_group for _, a in e.task.agencies()):
            continue
        seen.add(e.task.id)
        groups = "、".join(a.name for _, a in e.task.agencies())
        why = f"only groups ({groups}) are named" if groups else "no agency is named"
        out.warnings.append(f"{e.doc.source}:{e.task.line}: task {' '.join(e.task.path)} reaches no agency feed: "
                            f"{why}; it is in all.ics only")


def _csv(doc: Document, job: Job, rules: Rules) -> list[tuple[int, bytes]]:
    from .gantt.csv import doc_rows, group_bytes

    return group_bytes(doc_rows(doc, job.ordinal, job.first_row, rules.calendar))


def _records(evs: list[CalEvent], sequences: dict[str, int], old: dict[str, dict[str, Any]],
             out: Rendered, marks: Mapping[str, str]) -> dict[str, Any]:
    """The manifest's record of each event (and of each shown cancelled, once)."""
    records: dict[str, Any] = {}
    for e in sorted(evs, key=lambda e: e.uid):
        records[e.uid] = {"key": e.key, "doc": e.doc.source, "dockey": doc_key(e.doc), "task": e.task.id,
                          "path": "/".join(e.task.path), "kind": str(e.kind), "phrase": e.phrase,
                          "nominal": e.nominal.isoformat(), "due": e.due.isoformat(),
                          "sequence": sequences.get(e.uid, 0), "fingerprint": fingerprint(e, marks),
                          "base": e.fingerprint, "look": look(e, marks),
                          "summary": _sum(e), "lead": _lead(e),
                          "agencies": sorted({feed_key(e.doc.name, e.doc.jurisdiction, a.name)
                                              for _, a in e.task.agencies()})}
    for uid in out.retired:
        if uid in sequences:                 # kept one build as cancelled (keep_removed)
            prev = old[uid]
            records[uid] = {"due": prev["due"], "sequence": sequences[uid], "fingerprint": "",
                            "summary": prev["summary"], "lead": "", "agencies": prev.get("agencies", []),
                            "key": prev.get("key", ""), "cancelled": True}
    return records


def _lead(e: CalEvent) -> str:
    return "、".join(a.name for a in e.task.lead) or "、".join(a.name for a in e.task.responsible)


def _sum(e: CalEvent) -> str:
    return f"{e.phrase}：{e.task.title}"


def part_name(source: str) -> str:
    """A plan's manifest part: a stable name from its source."""
    return hashlib.sha1(source.encode("utf-8")).hexdigest()[:20] + ".json"


def doc_from_part(data: dict[str, Any]) -> Document:
    return doc_from_data(data["document"])
