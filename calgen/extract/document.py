"""One plan: file or text → Document with tasks, agencies and scheduled milestones."""
from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import CalgenError, DeadlineError
from ..limits import MAX_MILESTONES_PER_DOCUMENT, MAX_MILESTONES_PER_TASK
from ..model import Document, Milestone, Role, Task
from ..read.clean import LOST, squeeze
from ..read.decode import read_file
from ..read.tables import QUARTER_COLUMNS, Column, Row, find_tables
from ..records import evolve
from ..rules import Rules
from . import agencies, deadlines, metadata, outline
from .registry import Registry

_HEADING_END = re.compile(r"[。！？]")
_TRAILING_BRACKET = re.compile(r"\s*[(〔](?:[^()〔〕]|\([^()]*\))*[)〕]\s*$")


def extract_file(path: str | Path, rules: Rules) -> Document:
    """Read and extract one plan (with what calgen.toml's [[plan]] says about it); errors name
    the file."""
    text = read_file(path, rules.simplifier)
    try:
        return extract_text(text.text, str(path), rules, warnings=text.warnings,
                            given=rules.settings.facts_for(str(path)))
    except CalgenError as e:
        raise e.located(str(path)) from None


def extract_text(text: str, source: str, rules: Rules, warnings: tuple[str, ...] = (),
                 given: dict[str, Any] | None = None) -> Document:
    """One plan from its text; ``given`` (title, doc_number, issuer, issued, plan_year,
    jurisdiction) replaces what the text says or lost, before tasks are read."""
    tables = find_tables(outline.reline(text.split("\n")), rules.columns)
    lines = tables.lines
    first = next((i for i, line in enumerate(lines) if outline.match_label(line)), len(lines))
    meta = metadata.read_meta(lines, first)
    if given:
        if "issued" in given and "plan_year" not in given and not meta.plan_year:
            given = {**given, "plan_year": given["issued"].year}
        meta = replace(meta, **given)
        warnings = (*warnings, "facts set by calgen.toml [[plan]]: " + ", ".join(f"{k} = {v}" for k, v in given.items()))
    start = meta.body_start            # 0 when the plan has no title block of its own
    reg = rules.registry
    roots = outline.parse(lines, start, tables.rows, reg.lab.field_line, agencies.is_agency_line)
    notice_only = False
    if start == 0:
        kept = _without_notice_items(lines, roots)
        notice_only = bool(roots) and not kept
        roots = kept
    if not roots and metadata.forwarding_lines(lines, len(lines)):
        notice_only = True          # a notice that hands on a plan (an attachment) it does not hold
    items = outline.task_items(roots, lambda t: agencies.assigns_roles(t, reg))
    sections = tuple((r.label, r.label + ("、" if r.kind == "cn" else " ") + heading(r.text)) for r in roots)
    flat = squeeze(text)
    # facts given in calgen.toml are part of what the plan is (two cities' copies of one text are two plans)
    content_hash = hashlib.sha256((flat + (repr(sorted(given.items())) if given else "")).encode()).hexdigest()
    key = meta.doc_number or content_hash[:16]
    ctx = deadlines.Context(meta.plan_year, meta.issued)
    conventions = agencies.conventions(text, reg)
    if conventions.first_is_lead:        # a stated rule holds from where it is stated (下同: from here on)
        at = next((i + 1 for i, line in enumerate(lines) if reg.lab.first_is_lead.search(line)), 0)
        conventions = replace(conventions, first_from=at)
    notes = list(warnings)
    built: list[Task] = []
    # 以下均需X落实 in an earlier bracket: X for the following tasks of that section (以下: below, in
    # the list being written; 下同 of a stated first-is-lead rule holds for the rest of the document)
    standing: tuple[tuple[str, str], ...] = ()
    section = ""
    if items and items[-1].row is None:
        _without_cut_name(items[-1], flat, reg)
    for it in items:
        if it.path[0] != section:
            section, standing = it.path[0], ()
        task, standing = _task(it, key, ctx, meta.jurisdiction, conventions, rules, standing)
        built.append(task)
    tasks = _capped(tuple(built), notes)
    if items and items[-1].row is None:        # a table row is whole by construction
        tasks = _without_cut_task(tasks, flat, notes, reg.lab.field_line)
    for t in tasks:
        notes.extend(t.warnings)
    if notice_only:
        notes.append(NOTICE_ONLY)
    elif not tasks:
        notes.append("no numbered tasks found")
    return Document(source=source, doc_number=meta.doc_number, title=meta.title,
                    issuer=meta.issuer, issued=meta.issued, plan_year=meta.plan_year,
                    jurisdiction=meta.jurisdiction, tasks=_unique_ids(tasks),
                    content_hash=content_hash, warnings=tuple(notes), sections=sections)


def _task(item: outline.Item, key: str, ctx: deadlines.Context, juris: str | None,
          conventions: agencies.RoleConventions, rules: Rules,
          standing: tuple[tuple[str, str], ...] = ()) -> tuple[Task, tuple[tuple[str, str], ...]]:
    """One task, its roles read by the plan's conventions."""
    text = item.text.strip()
    reg = rules.registry
    row = item.row
    c = conventions
    if c.first_is_lead and item.line < c.first_from:
        c = replace(c, first_is_lead=False)          # a task above the sentence that states the rule
    roles = (agencies.roles_from_row(row, reg, c.first_is_lead) if row
             else agencies.parse_roles(text, reg, c.first_is_lead, c.sole_leads, c.inline))
    node = item.parent
    while not roles and not roles.stated and node is not None:   # a sub-item inherits its parent's agencies
        roles = agencies.parse_roles(node.text, reg, c.first_is_lead, c.sole_leads, c.inline)
        node = node.parent
    standing = standing + tuple(n for n in roles.standing if n not in standing)
    roles = agencies.with_standing(roles, standing)
    resolved = agencies.resolve_roles(roles, juris, reg)
    problems: list[DeadlineError] = []
    found = deadlines.find(text, ctx, rules.phrases, problems, limit=MAX_MILESTONES_PER_TASK + 1)
    if row is not None and row.get(Column.DEADLINE):
        found += deadlines.find_in_field(row.get(Column.DEADLINE), ctx, rules.phrases, problems)
    if row is not None:
        found += _quarters(row, ctx, rules, problems)
    title = heading(text)
    if len(found) > MAX_MILESTONES_PER_TASK:
        problems.append(DeadlineError(f"more than {MAX_MILESTONES_PER_TASK} deadline phrases in one task; the "
                                      f"first {MAX_MILESTONES_PER_TASK} are kept", phrase=found[0].phrase))
        found = found[:MAX_MILESTONES_PER_TASK]
    milestones = tuple(rules.scheduler.schedule(m if m.clause != m.phrase else evolve(m, clause=title),
                                                ctx.issued)
                       for m in found)       # a bare 完成时限 cell: what is due is the task itself
    warnings = tuple(f"line {item.line}: {e.message} ({e.phrase})" + (f" — {e.hint}" if e.hint else "")
                     for e in problems)
    path = item.path
    return Task(id=_task_id(key, path), path=path, title=title, text=text.replace("\n", ""),
                line=item.line, lead=resolved[Role.LEAD], responsible=resolved[Role.RESPONSIBLE],
                support=resolved[Role.SUPPORT], milestones=milestones, warnings=warnings), standing


_EMPTY_CELL = re.compile(r"[—\-－/／\s无]*")


def _quarters(row: Row, ctx: deadlines.Context, rules: Rules, problems: list[DeadlineError]) -> list[Milestone]:
    """A progress table's quarter cells (第一季度 … 第四季度 columns): each is due by its own date
    when it names one (3月底前完成招标), else by the end of its quarter; its words are the clause."""
    out: list[Milestone] = []
    for quarter, column in zip("一二三四", QUARTER_COLUMNS, strict=True):
        cell = row.get(column).strip()
        if _EMPTY_CELL.fullmatch(cell):
            continue
        own = deadlines.find(cell, ctx, rules.phrases, problems)
        if own:
            out += own
        else:
            out += [evolve(m, phrase=f"第{quarter}季度", clause=cell)
                    for m in deadlines.find_in_field(f"第{quarter}季度末", ctx, rules.phrases, problems)]
    return out


NOTICE_ONLY = ("a wrapper notice only: its numbered requests are not tasks, and the plan it forwards "
               "is not in the text (pass the plan itself)")


def _without_notice_items(lines: list[str], roots: list[outline.Item]) -> list[outline.Item]:
    """Roots without the numbered requests of a wrapper notice whose plan title is not in the
    text (the page shows the notice only, or the plan starts without its title line).  Items
    of another numbering style inside the last request (the plan's 1. 2. after the notice's
    三、) become roots."""
    if not roots:
        return roots
    first = roots[0].line - 1                  # Item.line counts from 1
    forward = metadata.forwarding_lines(lines, min(first, len(lines)))
    if not forward or any(lines[i].strip() for i in range(forward[-1] + 1, min(first, len(lines)))):
        return roots               # the notice is signed, or the plan's title stands before 一、
    kind = roots[0].kind
    run = 0
    while run < len(roots) and roots[run].kind == kind and roots[run].number == run + 1:
        run += 1
    if any(r.children for r in roots[:run - 1]):
        return roots               # sections with sub-items: the plan itself, its title line lost
    promoted = [c for c in roots[run - 1].children if c.kind != kind]
    for c in promoted:
        c.parent = None
    return promoted + roots[run:]


_COMPLETE_END = tuple("。！？；;)）〕」”")


def _without_cut_name(item: outline.Item, flat: str, reg: Registry) -> None:
    """A page cut off inside the last task's role field (牵头单位：区商 — 区商务委 cut): a last
    name that is no whole agency name is left out (a cut name names nobody for certain)."""
    last = item.lines[-1] if item.lines else ""
    line = last.strip()
    m = reg.lab.labelled.match(line)
    if m is None or line.endswith(_COMPLETE_END) or not flat.endswith(squeeze(line)[-12:]):
        return
    value = line[m.end():]
    if agencies.whole_name(value.rsplit("、", 1)[-1], reg):
        return
    kept = value.rsplit("、", 1)[0] if "、" in value else ""
    item.lines[-1] = last[:len(last) - len(value)] + kept if kept else last[:len(last) - len(line)]


def _without_cut_task(tasks: tuple[Task, ...], flat: str, notes: list[str],
                      field_line: re.Pattern[str]) -> tuple[Task, ...]:
    """A page cut off inside its last task's first line (no 。 yet, no body under a heading,
    the text ending there) leaves a task whose title, agencies and deadline are unknown: it is
    left out, with a warning, rather than published half-read.  ``flat``: the document's text
    without whitespace."""
    if not tasks:
        return tasks
    last = tasks[-1]
    body = squeeze(last.text)
    end = flat
    title = squeeze(last.title)
    heading_with_body = (len(body) > len(title) + 8          # 一、总体目标 then its paragraph
                         or bool(field_line.match(body[len(title):])))   # or its fields
    if not body or "。" in body or heading_with_body or body.endswith(_COMPLETE_END) \
            or not end.endswith(body[-12:]):
        return tasks
    notes.append(f"line {last.line}: the text ends inside task {' '.join(last.path)} before its first "
                 "sentence does (a cut page?); the task is left out")
    return tasks[:-1]


def _capped(tasks: tuple[Task, ...], notes: list[str]) -> tuple[Task, ...]:
    """At most MAX_MILESTONES_PER_DOCUMENT milestones per document (tasks in order)."""
    total = sum(len(t.milestones) for t in tasks)
    if total <= MAX_MILESTONES_PER_DOCUMENT:
        return tasks
    notes.append(f"{total} milestones in one document; the first {MAX_MILESTONES_PER_DOCUMENT} are kept")
    left, out = MAX_MILESTONES_PER_DOCUMENT, []
    for t in tasks:
        out.append(t if len(t.milestones) <= left else replace(t, milestones=t.milestones[:left]))
        left = max(0, left - len(t.milestones))
    return tuple(out)


def heading(text: str) -> str:
    """The task's heading sentence, without its label or a trailing agency bracket."""
    first = text.split("\n", 1)[0]
    m = _HEADING_END.search(first)
    title = first[: m.start()] if m else first
    if title.rstrip()[-1:] not in (")", "〕"):        # the bracket pattern ends in one of these
        return title.strip()
    return _TRAILING_BRACKET.sub("", title).strip()


def _task_id(key: str, path: tuple[str, ...]) -> str:
    return hashlib.sha1(f"{key}|{'/'.join(path)}".encode()).hexdigest()[:12]


def _unique_ids(tasks: tuple[Task, ...]) -> tuple[Task, ...]:
    """Broken numbering can repeat a path; keep ids unique and stable by order."""
    seen: dict[str, int] = {}
    out = []
    for t in tasks:
        n = seen.get(t.id, 0)
        seen[t.id] = n + 1
        out.append(t if n == 0 else replace(t, id=f"{t.id}-{n + 1}"))
    return tuple(out)


def mark_duplicates(docs: list[Document], carried: frozenset[str] = frozenset()) -> list[Document]:
    """Inputs that are the same plan (same 文号, or same text) keep one copy: a freshly read one
    over one ``carried`` from the last build, then the cleaner (fewest lost characters, fewest
    repairs), then the first given.  The others get duplicate_of; characters the kept copy
    lost are restored from the others where their texts align."""
    groups = same_plan_groups([(d.doc_number, d.content_hash) for d in docs])
    out = list(docs)
    for members in groups:
        if len(members) < 2:
            continue
        best = min(members, key=lambda i: (docs[i].source in carried, _lost(docs[i]), len(docs[i].warnings), i))
        kept = docs[best]
        for i in members:
            if i != best:
                kept = _restore(kept, docs[i])
        out[best] = kept
        for i in members:
            if i != best:
                out[i] = replace(docs[i], duplicate_of=kept.source, tasks=())
    return out


def same_plan_groups(keys: list[tuple[str | None, str]]) -> list[list[int]]:
    """Indices of the same plan grouped (same 文号 however bracketed, or the same text), from
    each document's (文号, content hash), in the order first seen."""
    group_of: dict[str, int] = {}
    groups: list[list[int]] = []
    for i, (number, content) in enumerate(keys):
        found = [k for k in (_norm_number(number), content) if k]
        g = next((group_of[k] for k in found if k in group_of), None)
        if g is None:
            g = len(groups)
            groups.append([])
        groups[g].append(i)
        for k in found:
            group_of.setdefault(k, g)
    return groups


def _lost(doc: Document) -> int:
    return sum(t.text.count(LOST) + t.title.count(LOST) for t in doc.tasks) + doc.title.count(LOST)


def _restore(doc: Document, other: Document) -> Document:
    """``doc`` with lost characters (U+FFFD) filled from ``other`` where the two texts align."""
    if not _lost(doc) or doc.source == other.source:
        return doc
    theirs = {t.path: t for t in other.tasks}
    tasks, restored = [], 0
    for t in doc.tasks:
        o = theirs.get(t.path)
        if o is None or LOST not in t.text + t.title:
            tasks.append(t)
            continue
        text, n1 = _fill(t.text, o.text)
        title, n2 = _fill(t.title, o.title)
        restored += n1 + n2
        tasks.append(replace(t, text=text, title=title))
    if not restored:
        return doc
    note = f"{restored} lost character(s) restored from {other.source}, the same plan"
    return replace(doc, tasks=tuple(tasks), warnings=(*doc.warnings, note))


def _fill(damaged: str, clean: str) -> tuple[str, int]:
    import difflib

    if LOST not in damaged:
        return damaged, 0
    out, n = [], 0
    ops = difflib.SequenceMatcher(None, damaged, clean, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in ops:
        seg = damaged[i1:i2]
        if tag == "replace" and i2 - i1 == j2 - j1 and all(a in (LOST, b) for a, b in zip(seg, clean[j1:j2], strict=True)):
            n += seg.count(LOST)
            seg = clean[j1:j2]
        out.append(seg)
    return "".join(out), n


def _norm_number(number: str | None) -> str | None:
    return re.sub(r"[\s〔〕\[\]()（）【】]", "", number) if number else None
