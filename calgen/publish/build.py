"""The whole job: plans → tasks.json, feeds (per agency, per region, per plan, all.ics,
holidays.ics), gantt.csv/.xml/.xlsx/.html, manifest — published as one consistent set (see
:mod:`.store.generations`), streamed so that memory does not grow with the corpus.

How a build runs (docs/benchmarks.md, "National scale"):

1. **Survey** every input (in parallel with ``--jobs``; :func:`.docwork.survey`): each plan is
   extracted and kept aside in a scratch file; the build keeps only a small summary of it.
2. **Decide** across plans from the summaries: duplicates, plans kept from the last build, feed
   names, row numbers, which part of the last manifest each plan's events are matched against.
3. **Publish** plan by plan (in parallel; :func:`.docwork.publish`): each plan's events get their
   identities and are rendered once; this process appends the bytes to every feed they belong
   to (:class:`.feedfiles.FeedFiles`), to tasks.json and gantt.csv, in input order — so the
   outputs are the same bytes whatever ``--jobs`` is.
4. **Gantt** outputs for project managers, whole or one per region (in parallel), the holiday
   overlay, the feed index and the manifest; then the generation is switched in.

What a rebuild guarantees subscribers (README, "What a rebuild guarantees"):

* **Nothing is deleted because an input failed.**  A plan that cannot be read, or that was in
  the last build and is missing now, is published again from the manifest (which keeps every
  published document), and the report says so; only ``--allow-removals`` or a ``withdrawn``
  entry in calgen.toml removes a missing plan.  ``--strict`` writes nothing when any input fails.
* **An event keeps its UID while its task is the same task** (:mod:`.identity`), and its
  SEQUENCE never goes down — not even when an event disappears and comes back.
* **A feed's file name belongs to its agency** (:mod:`.feednames`); a feed whose agency has no
  events any more is published once more with its events cancelled, then removed.

(Over 500 lines: the four passes above share the plan of the build (:class:`_Plan`) and its
report, and read best top to bottom in one place; each pass's per-plan work is in
:mod:`.docwork`, the formats in :mod:`.feeds` and :mod:`.gantt`, the output store in
:mod:`.store`.)
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import html
import io
import itertools
import json
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .. import __version__
from ..calendar.workdays import Calendar
from ..collector import gc_tuned
from ..errors import CalgenError, InputError, OutputError
from ..extract.batch import expand
from ..model import Agency, plan_label
from ..rules import Rules
from . import docwork
from .docwork import Job, Rendered, Shared, Survey
from .feeds import feednames
from .feeds.ics import cancelled_event
from .store import compact
from .store.generations import OutputStore, Stage
from .store.manifest import PARTS, Previous
from .workers import Workers, chunked

MANIFEST = "manifest.json"
FORMAT = 3
NO_REGION = docwork.NO_REGION

Progress = Callable[[Iterable[Any], int], Iterable[Any]]


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
    reminders: int = 0                                      # 【提醒】 events
    ledger_rows: int = 0
    refused: str = ""                                       # why nothing was written (--strict)
    had_previous: bool = False


def build(inputs: list[str], rules: Rules, progress: Progress | None = None) -> Report:
    """Run the pipeline with ``rules`` (and the output options of ``rules.settings``); raises
    OutputError when outputs cannot be written (nothing replaced) and InputError when the inputs
    hold no plan.  The returned :class:`Report` is what ``calgen build`` prints, as data.

        report = build(["plans/"], Rules.load(Settings(output=Path("output"), jobs=2)))
        print(report.documents, report.events, report.warnings, report.failures)
    """
    opts = rules.settings
    store = OutputStore(opts.output)
    foreign = store.foreign()
    if foreign and not opts.force:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise OutputError(f"not a calgen output folder: it holds {shown}, which calgen did not write",
                          file=str(opts.output), hint="build into a new or empty folder with -o, or pass --force "
                          "to build here (calgen then replaces feeds/, manifest/, gantt* and tasks.json in it)")
    guard = contextlib.nullcontext() if opts.dry_run else store.lock()
    with guard:
        early: list[str] = store.repair() if not opts.dry_run else []
        previous = _load_manifest(store, early, keep=not opts.dry_run)
        follow = _Follow.load(opts)
        failures: list[CalgenError] = []
        files, skipped = expand(inputs, failures)            # folders walked once
        if not files and not failures and not opts.allow_empty:
            raise InputError(f"no plans found in {', '.join(inputs) or 'the inputs'}", file=str(opts.output),
                             hint="check the path (folders are read recursively for .txt, .md, .html, .docx, "
                                  ".pdf), or pass --allow-empty to publish an empty set")
        rep = Report(failures=failures, had_previous=bool(previous))
        rep.warnings.extend(early + skipped + ([follow.problem] if follow.problem else []))
        if not opts.dry_run:
            rep.warnings += [f"{opts.output}: removed what an interrupted build left: {x}" for x in store.recover()]
        with _stage(store, opts.dry_run) as stage, Workers(opts.jobs) as workers, gc_tuned():
            stage.scratch.mkdir(parents=True, exist_ok=True)
            scratch = str(stage.scratch)
            surveys = _survey(files, rules, workers, scratch, failures)
            if opts.strict and failures:
                rep.refused = (f"--strict: {len(failures)} input(s) failed; nothing was written, "
                               "the previous outputs are unchanged")
                return rep
            carried = _carry(previous, surveys, failures, set(files), rules, scratch, rep)
            plan = _plan(previous, surveys, carried, rules, rep, stage, follow)
            ledger = _publish(plan, previous, rules, rep, stage, workers, progress, follow)
            if opts.dry_run:
                return rep
            stage.write(CHANGES_JSON, _change_log(store.read(CHANGES_JSON), rep, opts.source_date_epoch))
            stage.write("changes/index.html", _change_page(stage.path / CHANGES_JSON).encode())
            with follow.recording(ledger, stage.gen, rep.warnings) as commit:
                rep.written = sorted(stage.commit())
                commit()
            rep.warnings += store.notes
    return rep


@dataclass(frozen=True)
class _Follow:
    """The follow-up side of a build: the day statuses are computed for, and the latest status of
    each row, by plan (from the status store; calgen/follow/)."""

    as_of: dt.date
    records: dict[str, dict[str, Any]]          # dockey → identity → Record
    store: Path
    problem: str = ""                           # the store could not be read: built without statuses

    @classmethod
    def load(cls, opts: Any) -> _Follow:
        """The statuses recorded so far.  A store that cannot be read never stops a build: the
        outputs are built without statuses, the store is left as it is, and the report says so."""
        from ..follow.store import StatusStore

        day = opts.as_of or dt.date.today()
        with StatusStore.of(opts.output) as status:
            try:
                return cls(day, status.latest_by_plan(), status.path)
            except CalgenError as e:
                return cls(day, {}, status.path, f"{e}; this build shows no statuses and records no rows")

    def tracked(self, dockey: str, follow_all: bool) -> bool:
        return follow_all or bool(self.records.get(dockey))

    @contextlib.contextmanager
    def recording(self, ledger: Any, build: str, warnings: list[str]) -> Iterator[Callable[[], None]]:
        """The rows this build publishes, into the status store (what a returned ledger is
        checked against), in a transaction; yields the commit, which the caller calls once the
        outputs are switched in — a build that fails to switch records nothing.  A store that
        cannot be written is a warning, never a failed build."""
        import sqlite3

        from ..follow.ledger import fingerprint
        from ..follow.store import Published, StatusStore

        status = StatusStore(self.store)
        commit: Callable[[], None] = status.commit
        if self.problem:                          # unreadable at the start (said then): left as it is
            commit = _nothing
        else:
            try:
                status.publish(((Published(r.id, r.dockey, r.plan, r.task, r.lead_text, r.responsible, r.support,
                                           "、".join(r.groups), r.node, r.due, True), fingerprint(r.locked()))
                                for r in ledger.all()), build)
            except (CalgenError, OSError, sqlite3.Error) as e:
                warnings.append(f"{self.store}: the rows of this build could not be recorded ({e}); returned "
                                "ledgers are checked against the last build that could")
                commit = _nothing
        try:
            yield commit
        finally:
            status.close()


def _nothing() -> None:
    pass


@contextlib.contextmanager
def _stage(store: OutputStore, dry_run: bool) -> Iterator[Stage]:
    """The generation this build writes; a dry run writes into a temporary folder instead."""
    if not dry_run:
        with store.stage() as stage:
            yield stage
        return
    with tempfile.TemporaryDirectory(prefix="calgen-dry-") as tmp:
        yield Stage(store, "dry-run", Path(tmp) / "set")


# --- 1. survey -----------------------------------------------------------------------------------

def _survey(files: list[str], rules: Rules, workers: Workers, scratch: str,
            failures: list[CalgenError]) -> list[Survey]:
    items = list(enumerate(files))
    if workers.parallel and len(items) > 1:
        size = max(1, min(32, len(items) // (workers.jobs * 4)))
        results: Iterable[Survey | CalgenError] = itertools.chain.from_iterable(
            workers.ordered(docwork.survey_many, ((rules.settings, scratch, c) for c in chunked(items, size))))
    else:
        results = itertools.chain.from_iterable(docwork.survey_batch(c, rules, scratch) for c in chunked(items, 32))
    out = []
    for r in results:
        if isinstance(r, CalgenError):
            failures.append(r)
        else:
            out.append(r)
    return out


def _carry(previous: Previous, surveys: list[Survey], failures: list[CalgenError], files: set[str],
           rules: Rules, scratch: str, rep: Report) -> dict[str, tuple[Survey, str]]:
    """Plans of the last build not read now (failed or missing) → their surveys and why they are
    kept, unless removals are allowed."""
    opts = rules.settings
    read = {s.source for s in surveys}
    failed = {f.file for f in failures if f.file}
    out: dict[str, tuple[Survey, str]] = {}
    index = len(files)
    for source, entry in previous.documents.items():
        if source in read:
            continue
        n = entry.get("tasks", 0)
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
        part = previous.part(source)
        if part is None:
            rep.warnings.append(f"{source}: {why.split(';')[0]}, and the last build's record of it cannot be read: "
                                "its events are removed")
            continue
        doc = docwork.doc_from_part(part)
        out[source] = (docwork.survey_doc(index, doc, rules, scratch, carried=True), why)
        index += 1
    return out


# --- 2. decide -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Overlay:
    """``feeds/holidays.ics``: its marks, their SEQUENCEs and the marks withdrawn since."""

    marks: list[Any]
    sequences: dict[str, int]
    cancelled: list[tuple[str, str, str]]
    record: dict[str, Any]


@dataclass
class _Plan:
    """What this build publishes, decided from the surveys before anything is rendered."""

    jobs: list[Job]
    surveys: dict[int, Survey]                             # index → survey (published and duplicates)
    published: list[Survey]
    feeds: dict[str, Agency]                               # slug → agency with events
    retiring: dict[str, str]                               # slug → agency whose feed is cancelled once
    owners: dict[str, str]                                 # name → slug, every agency ever published
    plan_feeds: dict[str, str]                             # plan key → feeds/plans/<name>.ics
    plan_owners: dict[str, str]
    regions: dict[str, str]                                # region → feeds/regions/<name>.ics
    region_owners: dict[str, str]
    aliases: dict[str, str]                                # corrected file name → agency (feednames.aliases)
    region_aliases: dict[str, str]                         # corrected file name → region
    retired: dict[str, list[Any]]                          # uid → [last SEQUENCE, key] of events gone
    orphans: list[str]                                     # plans of the last build published no more
    overlay: Overlay


def _plan(previous: Previous, fresh: list[Survey], carried: dict[str, tuple[Survey, str]], rules: Rules,
          rep: Report, stage: Stage, follow: _Follow) -> _Plan:
    everything = fresh + [s for s, _ in carried.values()]
    published, dups = _duplicates(everything, rules)
    joined = _joined_regions({s.jurisdiction for s in published if s.jurisdiction}, rep)
    if joined:                                   # 普陀区 and 上海市普陀区: one region (feeds, Gantt files)
        published = [replace(s, jurisdiction=joined.get(s.jurisdiction or "", s.jurisdiction)) for s in published]
    rep.kept += [f"{s.source}: {carried[s.source][1]}" for s in published if s.carried]
    _count(published, [s for s in everything if s.index in dups and not s.carried], dups, rep)
    if previous:
        rep.reasons += _reasons(previous, [s for s in published if not s.carried], rules)   # not duplicates
    feeds, retiring, owners, aliases = _feeds(previous, published, rep)
    plan_owners: dict[str, str] = dict(previous.get("plan_owners", {}))
    plan_feeds = feednames.assign_plans({s.dockey: s.plan_slug for s in published if s.events}, plan_owners)
    plan_owners.update(plan_feeds)
    region_owners: dict[str, str] = dict(previous.get("region_owners", {}))
    preferred = {_region(s): feednames.region_slug(_region(s)) for s in published}
    earlier: dict[str, str] = dict(previous.get("region_aliases", {}))
    regions = feednames.assign_plans(preferred, region_owners, earlier)
    region_owners.update(regions)
    region_aliases = feednames.aliases(regions, preferred, earlier, region_owners.values())
    rep.reasons += [f"feed added: feeds/regions/{alias}.ics, {region}'s corrected file name (feeds/regions/"
                    f"{regions[region]}.ics stays for its subscribers)"
                    for alias, region in region_aliases.items() if alias not in earlier]
    # Which plan of this build carries on the events of each plan of the last one.
    by_source = {s.source: s for s in published}
    by_key: dict[str, Survey] = {}
    for s in published:
        by_key.setdefault(s.dockey, s)
    refs: dict[int, list[Any]] = defaultdict(list)
    orphans = []
    for source, entry in previous.documents.items():
        heir = by_source.get(source) or by_key.get(entry.get("dockey", ""))
        ref = previous.ref(source)
        if heir is None:
            orphans.append(source)
        elif ref is not None:
            refs[heir.index].append(ref)
    retired = _retired(previous)
    revive: dict[str, dict[str, str]] = defaultdict(dict)
    for uid, (_, key) in retired.items():
        if key:
            revive[key.split("|", 1)[0]][key] = uid
    surveys = {s.index: s for s in published}
    surveys.update({s.index: s for s in everything if s.index in dups and not s.carried})
    jobs, ordinal, row = [], 0, 1
    parts = stage.path / PARTS
    fed = {a.name for a in feeds.values()}
    for s in sorted(surveys.values(), key=lambda s: s.index):
        if s.index in dups:
            jobs.append(Job(s.index, s.spill, dups[s.index], 0, 0, ""))
            continue
        ordinal += 1
        mine = revive.get(s.dockey, {})
        feed = f"feeds/plans/{plan_feeds[s.dockey]}.ics" if s.dockey in plan_feeds else ""
        jobs.append(Job(s.index, s.spill, None, ordinal, row, str(parts / docwork.part_name(s.source)),
                        tuple(refs.get(s.index, ())), mine, {uid: retired[uid][0] for uid in mine.values()},
                        bool(previous), str(stage.path / feed) if feed else "",
                        plan_label(s.title, s.doc_number, s.source),
                        frozenset(name for name in s.named if name in fed),
                        follow.records.get(s.dockey, {}), follow.tracked(s.dockey, rules.settings.follow_all)))
        row += s.rows
    parts.mkdir(parents=True, exist_ok=True)
    overlay = _overlay(previous, published, rules)
    return _Plan(jobs, surveys, published, feeds, retiring, owners, plan_feeds, plan_owners, regions,
                 region_owners, aliases, region_aliases, retired, orphans, overlay)


_LOCAL = ("区", "县", "市", "旗")


def _joined_regions(regions: set[str], rep: Report) -> dict[str, str]:
    """A region written short and long in one build (普陀区 and 上海市普陀区) is one region: the
    short name → the long one, when exactly one longer name ends with it.  普陀区 beside both
    上海市普陀区 and 舟山市普陀区 stays apart, and the report says why."""
    out = {}
    for short in regions:
        if not short.endswith(_LOCAL) or len(short) < 2:
            continue
        longer = sorted(r for r in regions if r != short and r.endswith(short) and r[:-len(short)].endswith(("省", "市", "州", "区", "盟")))
        if len(longer) == 1:
            out[short] = longer[0]
        elif len(longer) > 1:
            rep.warnings.append(f"region {short} may be {' or '.join(longer)}: kept as its own region (name the plan's "
                                "jurisdiction with [[plan]] in calgen.toml)")
    return out


def _region(s: Survey) -> str:
    return s.jurisdiction or NO_REGION


def _duplicates(surveys: list[Survey], rules: Rules) -> tuple[list[Survey], dict[int, str]]:
    """Plans that are the same plan (same 文号, or same text) keep one copy — a freshly read one
    over one kept from the last build, then the cleaner, then the first (extract/document.py's
    mark_duplicates, which also restores characters the kept copy lost from the others).
    Returns the surveys kept (the kept copy's survey renewed when characters were restored)
    and index → source of the copy kept, for every other copy."""
    from ..extract.document import mark_duplicates, same_plan_groups

    groups = [[surveys[i] for i in g] for g in same_plan_groups([(s.doc_number, s.content_hash) for s in surveys])]
    kept: list[Survey] = []
    dups: dict[int, str] = {}
    for members in groups:
        if len(members) == 1:
            kept.append(members[0])
            continue
        docs = [docwork.load(s.spill) for s in members]
        marked = mark_duplicates(docs, frozenset(s.source for s in members if s.carried))
        for s, before, after in zip(members, docs, marked, strict=True):
            if after.duplicate_of:
                dups[s.index] = after.duplicate_of
            elif after is before:
                kept.append(s)
            else:                              # characters restored: keep the restored copy
                kept.append(docwork.survey_doc(s.index, after, rules, str(Path(s.spill).parent), s.carried))
    kept.sort(key=lambda s: s.index)
    return kept, dups


def _count(published: list[Survey], duplicates: list[Survey], dups: dict[int, str], rep: Report) -> None:
    rep.documents = len(published)
    rep.duplicates = len(duplicates)
    for s in sorted(published + duplicates, key=lambda s: s.index):
        if s.index in dups:
            rep.warnings.extend(s.notes)
            rep.warnings.append(f"{s.source}: same plan as {dups[s.index]}; its tasks are taken from there")
            continue
        rep.tasks += s.tasks
        rep.milestones.update(s.milestones)
        rep.warnings.extend(s.report + s.notes)


def _feeds(previous: Previous, published: list[Survey],
           rep: Report) -> tuple[dict[str, Agency], dict[str, str], dict[str, str], dict[str, str]]:
    """Slug → agency for this build (names owned for good), feeds to cancel once, owners and
    corrected names (alias → agency)."""
    owners: dict[str, str] = dict(previous.get("owners", {}))
    earlier: dict[str, str] = dict(previous.get("aliases", {}))
    found: dict[str, Agency] = {}
    named: set[str] = set()
    for s in published:
        for a in s.agencies:
            found.setdefault(a.name, a)
        named.update(s.named)
    feeds = feednames.assign(found.values(), owners, earlier)
    new = [a.name for a in feeds.values() if a.name not in owners]
    for name, known in feednames.likely_typos(new, [*owners, *(named - set(new))]):
        rep.warnings.append(f"agency {name} differs from {known} by one character: likely a typo "
                            f"(fix the plan, or add {name} as an alias in mappings/agencies.toml); "
                            f"it gets its own feed, {known} keeps its feed")
    owners.update({a.name: slug for slug, a in feeds.items()})
    aliases = feednames.aliases({a.name: slug for slug, a in feeds.items()},
                                {a.name: feednames.safe(a.slug, a.name) for a in feeds.values()},
                                earlier, owners.values())
    rep.reasons += [f"feed added: feeds/{alias}.ics, {name}'s corrected file name (feeds/{owners[name]}.ics "
                    "stays for its subscribers)" for alias, name in aliases.items() if alias not in earlier]
    retiring = {}
    for slug, info in previous.get("feeds", {}).items():
        if info.get("state") == "live" and slug not in feeds:
            retiring[slug] = info["name"]
            rep.warnings.append(f"feeds/{slug}.ics: {info['name']} has no events any more; its feed shows them "
                                "cancelled in this build and is removed by the next")
        elif info.get("state") == "retiring" and slug not in feeds:
            rep.reasons.append(f"feed removed: feeds/{slug}.ics ({info['name']})")
    return feeds, retiring, owners, aliases


def _retired(previous: Previous) -> dict[str, list[Any]]:
    return {uid: v if isinstance(v, list) else [v, ""] for uid, v in previous.get("retired", {}).items()}


def _overlay(previous: Previous, published: list[Survey], rules: Rules) -> Overlay:
    """Rest days and 调休 working days of every year the build touches (issue and plan years,
    nominal and due dates), with SEQUENCE kept across builds like any event's."""
    from .feeds.ics import day_marks

    years: set[int] = set()
    for s in published:
        years.update(y for y in (s.plan_year, s.issued_year) if y)
        years.update(s.years)
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


# --- 3. publish -------------------------------------------------------------------------------------

ALL = "feeds/all.ics"


def _publish(plan: _Plan, previous: Previous, rules: Rules, rep: Report, stage: Stage, workers: Workers,
             progress: Progress | None, follow: _Follow) -> Any:
    """Pass 3 and the Gantt outputs; returns the ledger written (its rows go to the status store
    once the generation is switched in)."""
    from ..follow.ledger import LedgerFiles, write_books
    from .feeds import ics
    from .feeds.feedfiles import FeedFiles
    from .gantt.csv import EXCEL_ROWS, CsvParts
    from .store.schema import SCHEMA_VERSION

    opts = rules.settings
    shared = Shared(opts, follow.as_of)
    slug_of = {a.name: slug for slug, a in plan.feeds.items()}
    feeds = FeedFiles(stage, opts.alarms, told=previous.get("told", {}))
    csv = CsvParts(stage.open)
    tracked = any(j.tracked for j in plan.jobs)
    gantt = _Gantt(plan, rules, workers, stage, early=not tracked)
    ledger = LedgerFiles(stage.open, stage.scratch, slug_of, follow.as_of, _created(opts.source_date_epoch, plan),
                         "、".join(sorted({plan_label(s.title, s.doc_number, s.source) for s in plan.published})[:3]),
                         opts.soon_days)
    states: dict[int, dict[str, str]] = {}
    over = False
    entries: dict[str, Any] = {}
    retired = dict(plan.retired)
    with stage.open("tasks.json") as tasks:
        tasks.write(f'{{"calgen_schema": {SCHEMA_VERSION}, "documents": [\n'.encode())
        feeds.start(ALL, "全部任务节点", "calgen：所有工作任务节点")
        results = _rendered(plan.jobs, shared, rules, workers)
        for n, r in enumerate(progress(results, len(plan.jobs)) if progress else results):
            tasks.write((b",\n" if n else b"") + r.tasks_json)
            for rows, data in r.csv:
                csv.add(rows, data)
            if not r.entry:
                continue                                           # a duplicate: tasks.json only
            s = plan.surveys[r.index]
            entries[r.source] = r.entry
            ledger.add(r.ledger)
            if r.states:
                states[r.index] = r.states
            rep.events += r.events
            rep.reminders += r.reminders
            rep.changes += [Change(*c) for c in r.changes]
            rep.warnings += r.warnings
            retired.update(r.retired)
            for uid in r.revived:
                retired.pop(uid, None)
            if not over:
                feeds.events(ALL, r.all_items)
                over = feeds.sizes[ALL] > opts.all_ics_limit
                if over:
                    feeds.drop(ALL)                                # not published: forget it now
            region = _region(s)
            rel = f"feeds/regions/{plan.regions[region]}.ics"
            feeds.start(rel, region, f"{region}：全部任务节点（calgen）")
            feeds.events(rel, r.all_items)
            for path in r.wrote:                                   # the worker wrote them
                stage.written(path)
            for agency, items in r.agency_items.items():
                rel = f"feeds/{slug_of[agency]}.ics"
                feeds.start(rel, agency, f"{agency}：工作任务节点（calgen）")
                feeds.events(rel, items)
            for names, blob in r.cancelled:
                _cancel(feeds, blob, names, slug_of, over)
        tasks.write(b"\n]}\n")
    _orphans(plan, previous, rules, rep, feeds, slug_of, retired, over)
    for rel in feeds.open_feeds():
        feeds.finish(rel)
    _retiring(plan, previous, feeds, opts.source_date_epoch)
    feeds.close()
    for folder, table, owned in (("feeds", plan.aliases, plan.owners), ("feeds/regions", plan.region_aliases,
                                                                      plan.region_owners)):
        for alias, name in table.items():                  # the same feed under its corrected name
            rep.feeds += stage.copy(f"{folder}/{owned[name]}.ics", f"{folder}/{alias}.ics")
    if over:
        rep.warnings.append(f"feeds/all.ics is not published: it would pass {opts.all_ics_limit / 2**20:.0f} MB "
                            "(a calendar app would not load it); subscribe to feeds/regions/*.ics instead "
                            "(README, Limits)")
    rep.agencies = len(plan.feeds)
    rep.feeds += len(plan.feeds) + len(plan.retiring) + 2
    parts = csv.close()
    if len(parts) > 1:
        rep.warnings.append(f"gantt.csv has more rows than Excel opens ({EXCEL_ROWS:,}); "
                            f"it is split into {', '.join(parts)}")
    stage.write("feeds/holidays.ics", ics.holiday_feed(plan.overlay.marks, plan.overlay.sequences,
                                                       plan.overlay.cancelled, opts.source_date_epoch))
    stage.write("feeds/index.html", _index(plan, opts.base_url, not over, _qr_codes(plan, opts.base_url, stage)).encode())
    books = ledger.books(str(stage.path))
    early = [workers.submit(write_books, spec) for spec in books]          # beside the Gantt files
    for path in gantt.files(states):
        stage.written(path)
    for spec, future in zip(books, early, strict=True):
        for path in (future.result() if future is not None else write_books(spec)):
            stage.written(path)
    rep.ledger_rows = ledger.n
    stage.write(MANIFEST, _manifest(plan, rules, entries, retired, feeds.told))
    return ledger


def _created(epoch: int | None, plan: _Plan) -> dt.datetime:
    """A workbook's creation time: SOURCE_DATE_EPOCH, else the latest issue year's 1 January."""
    if epoch is not None:
        return dt.datetime.fromtimestamp(epoch, dt.UTC).replace(tzinfo=None)
    year = max((s.issued_year or 2000 for s in plan.published), default=2000)
    return dt.datetime(year, 1, 1)


def _rendered(jobs: list[Job], shared: Shared, rules: Rules, workers: Workers) -> Iterator[Rendered]:
    if not workers.parallel:
        for job in jobs:
            yield docwork.publish(job, shared, rules)
        return
    chunks = ((shared, c) for c in chunked(jobs, 8))
    for part in workers.ordered(docwork.publish_many, chunks):
        yield from part


def _cancel(feeds: Any, blob: bytes, names: Iterable[str], slug_of: dict[str, str], over: bool) -> None:
    """An event removed from a plan, shown cancelled once in all.ics and its agencies' feeds."""
    if not over:
        feeds.cancel(ALL, blob)
    for name in names:
        rel = f"feeds/{slug_of[name]}.ics" if name in slug_of else ""
        if rel in feeds:
            feeds.cancel(rel, blob)


def _orphans(plan: _Plan, previous: Previous, rules: Rules, rep: Report, feeds: Any, slug_of: dict[str, str],
             retired: dict[str, list[Any]], over: bool) -> None:
    """Events of plans of the last build that are published no more (removals allowed)."""
    opts = rules.settings
    for source in plan.orphans:
        part = previous.part(source) or {"events": {}}
        for uid, prev in sorted(part["events"].items()):
            if prev.get("cancelled"):
                continue
            rep.changes.append(Change("removed", prev.get("lead", ""), uid, prev["summary"], prev["due"]))
            retired[uid] = [prev["sequence"] + (1 if opts.keep_removed else 0), prev.get("key", "")]
            if opts.keep_removed:
                blob = cancelled_event(uid, prev["due"], prev["summary"], retired[uid][0], opts.source_date_epoch)
                _cancel(feeds, blob, prev.get("agencies", ()), slug_of, over)


def _retiring(plan: _Plan, previous: Previous, feeds: Any, epoch: int | None) -> None:
    """A feed whose agency has no events any more: published once with its events cancelled."""

    if not plan.retiring:
        return
    sources: dict[str, list[str]] = defaultdict(list)      # agency → plans of the last build naming it
    for source, entry in previous.documents.items():
        for name in entry.get("agencies", ()):
            sources[name].append(source)
    for slug, name in plan.retiring.items():
        rel = f"feeds/{slug}.ics"
        feeds.start(rel, name, f"{name}：工作任务节点（calgen，已无任务，本订阅将停止更新）")
        for source in sources.get(name, ()):
            part = previous.part(source) or {"events": {}}
            for uid, r in sorted(part["events"].items()):
                if name in r.get("agencies", ()) and not r.get("cancelled"):
                    feeds.cancel(rel, cancelled_event(uid, r["due"], r["summary"], r["sequence"] + 1, epoch))
        feeds.finish(rel)


# --- 4. Gantt outputs ------------------------------------------------------------------------------

class _Gantt:
    """gantt.xml/.xlsx/.html for the whole build, or — past settings.gantt_whole_plans plans —
    one set per region under gantt/ with an index page.  The whole set is one job: it is
    started in a worker before the feeds are rendered (it runs beside them); the per-region
    jobs are many and run after the feeds, spread over the workers.  The workers write the
    files into the stage themselves (the bytes do not travel back through this process)."""

    def __init__(self, plan: _Plan, rules: Rules, workers: Workers, stage: Stage, early: bool = True) -> None:
        opts = rules.settings
        self.workers, self.stage = workers, stage
        marks = plan.overlay.marks
        self.whole = len(plan.published) <= opts.gantt_whole_plans
        self.index = "" if self.whole else _gantt_index(plan)
        root = str(stage.path)
        self.members: list[list[int]] = []
        if self.whole:
            items = [(j.spill, j.duplicate_of) for j in plan.jobs]
            self.members = [[j.index for j in plan.jobs]]
            self.specs: list[GanttSpec] = [(items, rules.calendar, marks, opts.source_date_epoch, root, "gantt", {},
                                            ALL_PARTS)]
        else:
            by_region: dict[str, list[tuple[int, str]]] = defaultdict(list)
            for j in plan.jobs:
                if not j.duplicate_of:
                    by_region[plan.regions[_region(plan.surveys[j.index])]].append((j.index, j.spill))
            self.members = [[i for i, _ in these] for _, these in sorted(by_region.items())]
            self.specs = [([(spill, None) for _, spill in these], rules.calendar, marks, opts.source_date_epoch,
                           root, f"gantt/{slug}", {}, ALL_PARTS) for slug, these in sorted(by_region.items())]
        # Without statuses to show, the whole set starts now, beside the feeds.
        self.early = workers.submit(gantt_files, self.specs[0]) if self.whole and early else None

    def files(self, states: dict[int, dict[str, str]]) -> Iterator[str]:
        """The paths of the files written (made now when not made already), milestones coloured
        by ``states`` (plan index → milestone key → state, for plans whose statuses are shown)."""
        if self.index:
            self.stage.write("gantt/index.html", self.index.encode())
        if self.early is not None:
            yield from self.early.result()
            return
        specs: list[GanttSpec] = [(*spec[:6], {k: v for i in members for k, v in states.get(i, {}).items()}, spec[7])
                                  for spec, members in zip(self.specs, self.members, strict=True)]
        if self.whole:           # made after the feeds (statuses to show): the workbook beside the other two
            specs = [(*specs[0][:7], (".xlsx",)), (*specs[0][:7], (".xml", ".html"))]
        for files in self.workers.ordered(gantt_files, specs, ahead=self.workers.jobs + 1):
            yield from files


GanttSpec = tuple[list[tuple[str, str | None]], Calendar, list[Any], int | None, str, str, dict[str, str],
                  tuple[str, ...]]
ALL_PARTS = (".xml", ".xlsx", ".html")


def gantt_files(spec: GanttSpec) -> list[str]:
    """gantt.xml, .xlsx and .html of some plans (kept aside by the survey), written under the
    stage folder ``root``: everything they need is passed in, so they are made in a worker
    process (any start method) with the same bytes.  The plans are loaded one at a time each
    time a writer reads them, so memory is bounded by the largest plan, not the region; a
    region's workbook streams its cells too.  Returns the paths written."""
    import os

    from .gantt import mspdi, timeline, workbook

    items, calendar, marks, epoch, root, stem, states, parts = spec
    plans = docwork.Spilled(items)
    whole = stem == "gantt"
    sheets = workbook.MAX_PLAN_SHEETS if whole else 0       # a region's workbook: one sheet
    paths = [os.path.join(root, f"{stem}{ext}") for ext in parts]
    os.makedirs(os.path.dirname(paths[0]), exist_ok=True)
    for ext, path in zip(parts, paths, strict=True):
        with open(path, "wb") as fh:
            if ext == ".xml":
                mspdi.write_project_xml(fh, plans, calendar, marks, states)
            elif ext == ".xlsx":
                workbook.write_workbook(fh, plans, calendar, marks, epoch, sheets, stream=not whole, states=states)
            else:
                fh.write(timeline.page(plans, states=states).encode())
    return paths


def _gantt_index(plan: _Plan) -> str:
    count = Counter(_region(s) for s in plan.published)
    rows = "".join(f'<li>{html.escape(region)}（{count[region]} 个文件）：<a href="{slug}.html">甘特图</a> · '
                   f'<a href="{slug}.xlsx">Excel</a> · <a href="{slug}.xml">MS Project</a></li>'
                   for region, slug in sorted(plan.regions.items(), key=lambda kv: kv[1]))
    return ("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>calgen 甘特图</title>"
            f"</head><body><h1>各地区工作任务甘特图</h1><p>共 {len(plan.published)} 个文件，按发文地区分列。</p>"
            f"<ul>{rows}</ul></body></html>")


# --- feed index, manifest and change report ------------------------------------------------------

def _index(plan: _Plan, base_url: str, with_all: bool = True, qr: dict[str, str] | None = None) -> str:
    """feeds/index.html: the feeds grouped — whole set and holiday overlay, agencies, regions,
    plans — each with its address (https, and webcal when base_url is set) and, where made, a QR
    code for phones (feeds/qr/<name>.svg); a link to the change log."""
    base = base_url.rstrip("/")
    qr = qr or {}

    def row(slug: str, name: str) -> str:
        url = f"{base}/feeds/{slug}.ics" if base else f"{slug}.ics"
        webcal = ("webcal://" + url.split("://", 1)[1]) if "://" in url else url
        link = f' · <a href="{html.escape(webcal)}">webcal</a>' if "://" in url else ""
        code = (f' · <details><summary>二维码</summary><img src="{html.escape(qr[slug])}" alt="{html.escape(name)}" '
                f'width="180" loading="lazy"></details>') if slug in qr else ""
        return f'<li>{html.escape(name)}：<a href="{html.escape(url)}">{html.escape(url)}</a>{link}{code}</li>'

    whole = ([("all", "全部任务节点 (all)")] if with_all else []) + [("holidays", "法定节假日与调休上班日（叠加日历）")]
    agencies, regions = _shown(plan)
    titles = {s.dockey: plan_label(s.title, s.doc_number, s.source) for s in plan.published}
    plans = [(f"plans/{slug}", titles[key]) for key, slug in sorted(plan.plan_feeds.items(), key=lambda kv: kv[1])
             if key in titles]
    groups = [("全部", whole), (f"单位（{len(agencies)}）", agencies), (f"地区（{len(regions)}）", regions),
              (f"文件（{len(plans)}）", plans)]
    body = "".join(f"<h2>{html.escape(title)}</h2><ul>" + "".join(row(*x) for x in items) + "</ul>"
                   for title, items in groups if items)
    note = "" if qr or not agencies else ("<p>二维码：设置 base_url 后生成（" + (
        f"单位订阅不超过 {QR_FEEDS} 个时" if base else "需要完整地址") + "）。</p>")
    return ("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>calgen 订阅</title>"
            "<style>body{font-family:\"Microsoft YaHei\",\"PingFang SC\",sans-serif;margin:16px}li{margin:3px 0}"
            "details{display:inline}</style></head><body><h1>工作任务日历订阅</h1>"
            "<p>Outlook：日历 → 添加日历 → 从 Internet 订阅，粘贴下列链接（设置 --base-url 后为完整地址，"
            "calgen serve 的首页总是完整地址）；手机：扫描二维码或点 webcal 链接。"
            '<a href="../changes/index.html">变更记录</a></p>' + body + note + "</body></html>")


def _shown(plan: _Plan) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The agency and region feeds the index lists, (file name, name): a feed with a corrected
    name is listed under it (new subscribers get the right name; the old file is still written)."""
    better = {name: alias for alias, name in plan.aliases.items()}          # the newest correction last
    region_better = {region: alias for alias, region in plan.region_aliases.items()}
    agencies = sorted(((better.get(a.name, slug), a.name) for slug, a in plan.feeds.items()), key=lambda x: x[1])
    regions = sorted(((f"regions/{region_better.get(region, slug)}", region) for region, slug in plan.regions.items()),
                     key=lambda x: x[0])
    return agencies, regions


QR_FEEDS = 500           # QR codes for up to this many agency feeds (segno: ~10 ms each)


def _qr_codes(plan: _Plan, base_url: str, stage: Stage) -> dict[str, str]:
    """feeds/qr/<name>.svg for each agency, region and plan feed, when the feeds have a public
    address and there are not too many (a national build links its feeds without codes)."""
    if not base_url or len(plan.feeds) > QR_FEEDS:
        return {}
    import segno

    base = base_url.rstrip("/")
    agencies, regions = _shown(plan)
    slugs = ["all", "holidays", *(slug for slug, _ in agencies + regions), *(f"plans/{s}" for s in plan.plan_feeds.values())]
    out = {}
    for slug in slugs:
        rel = f"feeds/qr/{slug.replace('/', '--')}.svg"
        buf = io.BytesIO()
        segno.make(f"{base}/feeds/{slug}.ics", error="m").save(buf, kind="svg", scale=4, border=2)
        stage.write(rel, buf.getvalue())
        out[slug] = rel[len("feeds/"):]
    return out


CHANGES_JSON = "changes/changes.json"
CHANGE_LOG_BUILDS = 100           # builds kept in the change log
CHANGE_LOG_ITEMS = 2000           # changes kept per build (the count is kept whole)


def _change_log(previous: bytes | None, rep: Report, epoch: int | None) -> bytes:
    """changes/changes.json: what each build changed for subscribers, newest first (the last
    CHANGE_LOG_BUILDS builds).  Its time is SOURCE_DATE_EPOCH when set, else the clock — the
    one output that says when it was made."""
    import datetime as _dt

    try:
        builds = list(json.loads(previous or b"[]"))
    except ValueError:
        builds = []
    when = (_dt.datetime.fromtimestamp(epoch, _dt.UTC) if epoch is not None else _dt.datetime.now(_dt.UTC))
    changes = sorted(rep.changes, key=lambda c: (c.agency, c.kind, c.summary))
    entry = {"built": when.replace(microsecond=0).isoformat(), "documents": rep.documents, "events": rep.events,
             "reasons": rep.reasons, "kept": rep.kept, "count": len(changes),
             "changes": [{"kind": c.kind, "agency": c.agency, "uid": c.uid, "summary": c.summary, "detail": c.detail}
                         for c in changes[:CHANGE_LOG_ITEMS]]}
    return json.dumps([entry, *builds][:CHANGE_LOG_BUILDS], ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


_KIND_CN = MappingProxyType({"new": "新增", "removed": "删除", "moved": "改期", "changed": "修改", "split": "拆分",
                             "merged": "合并"})


def _change_page(path: Path) -> str:
    builds = json.loads(path.read_text(encoding="utf-8"))
    parts = []
    for b in builds:
        rows = "".join(f"<tr><td>{_KIND_CN.get(c['kind'], html.escape(c['kind']))}</td><td>{html.escape(c['agency'])}</td>"
                       f"<td>{html.escape(c['summary'])}</td><td>{html.escape(c['detail'])}</td></tr>"
                       for c in b["changes"])
        more = f"<p>…另有 {b['count'] - len(b['changes'])} 项未列出</p>" \
            if b["count"] > len(b["changes"]) else ""
        why = "；".join(html.escape(r) for r in b["reasons"]) or "—"
        parts.append(f"<h2>{html.escape(b['built'])}：{b['count']} 项变更</h2><p>原因：{why}</p>"
                     + (f"<table><tr><th>类型</th><th>单位</th><th>事项</th><th>说明</th></tr>{rows}</table>" if rows else "")
                     + more)
    return ("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>calgen 变更记录</title>"
            "<style>body{font-family:\"Microsoft YaHei\",\"PingFang SC\",sans-serif;margin:16px}table{border-collapse:"
            "collapse}td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px}</style></head><body>"
            "<h1>订阅日历变更记录（最新在前）</h1><p><a href=\"../feeds/index.html\">返回订阅</a></p>"
            + "".join(parts) + "</body></html>")


def _load_manifest(store: OutputStore, rep_warnings: list[str], keep: bool = True) -> Previous:
    """The last build's manifest, or an empty one (a first build) when there is none or it is
    unsound — then it is kept beside the outputs as .manifest-rejected.json and the report says so."""
    import os

    from .store import manifest

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
    folder = Path(os.path.realpath(store.root / MANIFEST)).parent if data else None
    return Previous(data, folder)


def _reasons(previous: Previous, surveys: list[Survey], rules: Rules) -> list[str]:
    opts = rules.settings
    out = []
    for s in surveys:
        entry = previous.documents.get(s.source)
        if entry is None:
            out.append(f"new input {s.source}")
        elif entry.get("hash") != s.content_hash:
            out.append(f"input changed: {s.source}")
    if previous.get("holidays") != _holiday_fingerprint(rules.calendar):
        out.append("holiday data changed")
    if previous.get("roll") != opts.roll:
        out.append(f"roll policy changed: {previous.get('roll')} → {opts.roll}")
    return out


def _holiday_fingerprint(cal: Calendar) -> dict[str, str]:
    out = {}
    for year, y in sorted(cal.years.items()):
        raw = json.dumps([sorted(map(str, y.rest)), sorted(map(str, y.makeup))])
        out[str(year)] = hashlib.sha1(raw.encode()).hexdigest()[:12]
    return out


def _manifest(plan: _Plan, rules: Rules, entries: dict[str, Any], retired: dict[str, list[Any]],
              told: dict[str, dict[str, list[Any]]]) -> bytes:
    """What the next build needs besides each plan's part (manifest/<hash>.json: its document
    and its events' keys, content and SEQUENCE): feed owners, retired SEQUENCEs, the overlay,
    and one index entry per published plan."""
    opts = rules.settings
    feeds = {slug: {"name": a.name, "state": "live"} for slug, a in plan.feeds.items()}
    feeds.update({slug: {"name": name, "state": "retiring"} for slug, name in plan.retiring.items()})
    data: dict[str, Any] = {
        "calgen": __version__,
        "format": FORMAT,
        "roll": opts.roll,
        "holiday_coverage": list(rules.calendar.covered),
        "holidays": _holiday_fingerprint(rules.calendar),
        "overlay": plan.overlay.record,
        "owners": dict(sorted(plan.owners.items())),
        "plan_owners": dict(sorted(plan.plan_owners.items())),
        "region_owners": dict(sorted(plan.region_owners.items())),
        "aliases": plan.aliases,
        "region_aliases": plan.region_aliases,
        "feeds": dict(sorted(feeds.items())),
        "told": told,                                       # feedfiles.FeedFiles: suffixes and their SEQUENCE
        "retired": dict(sorted(retired.items())),
        "documents": dict(sorted(entries.items())),
    }
    return compact.dumps(data, sort_keys=True) + b"\n"
