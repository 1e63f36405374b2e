"""Plain-text tables for the terminal: tasks, agencies, per-month due counts, build summaries."""
from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict

from ..errors import shown
from ..model import Document


def _pad(text: str, width: int) -> str:
    """Left-align for a terminal, where a Chinese character takes two columns."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - shown)


def task_table(docs: list[Document]) -> str:
    lines = []
    for d in docs:
        head = f"{d.source}  {d.doc_number or '-'}  {d.title}  issued {d.issued or '-'}  plan year {d.plan_year or '-'}"
        lines.append(head)
        if d.duplicate_of:
            lines.append(f"  same plan as {d.duplicate_of}")
        for t in d.tasks:
            lead = "、".join(a.written for a in t.lead) or "、".join(a.written for a in t.responsible) or "-"
            lines.append(f"  {' '.join(t.path):<14} {_pad(t.title[:30], 60)}  {lead}")
            for m in t.milestones:
                due = f" → {m.due}" if m.due and m.due != m.nominal else ""
                lines.append(f"  {'':14}   · {m.kind:<9} {m.phrase} {m.nominal or ''}{due}")
    return "\n".join(lines)


def agency_table(docs: list[Document], unknown_only: bool = False) -> str:
    counts: dict[str, Counter] = defaultdict(Counter)
    info = {}
    for d in docs:
        for t in d.tasks:
            for role, a in t.agencies():
                if unknown_only and (a.known or a.is_group):
                    continue
                counts[a.name][role] += 1
                info[a.name] = a
    lines = [f"{'agency':<40} {'kind':<10} {'lead':>4} {'resp':>4} {'supp':>4}  slug / as written"]
    for name in sorted(counts):
        c, a = counts[name], info[name]
        lines.append(f"{_pad(name, 40)} {a.kind:<10} {c['lead']:>4} {c['responsible']:>4} {c['support']:>4}  "
                     f"{a.slug} / {a.written}")
    return "\n".join(lines)


def monthly(docs: list[Document]) -> str:
    """Due milestones per agency per month."""
    table: dict[str, Counter] = defaultdict(Counter)
    months: set[str] = set()
    for d in docs:
        if d.duplicate_of:
            continue
        for t in d.tasks:
            names = [a.name for a in (t.lead or t.responsible) if not a.is_group] or ["(未指定单位)"]
            for m in t.milestones:
                if m.dated and m.due:
                    month = m.due.strftime("%Y-%m")
                    months.add(month)
                    for n in names:
                        table[n][month] += 1
    cols = sorted(months)
    lines = [f"{'agency':<40}" + "".join(f"{c:>8}" for c in cols) + f"{'total':>7}"]
    for name in sorted(table, key=lambda n: -sum(table[n].values())):
        row = table[name]
        lines.append(_pad(name, 40) + "".join(f"{row[c] or '':>8}" for c in cols) + f"{sum(row.values()):>7}")
    return "\n".join(lines)


def build_summary(rep, opts) -> str:
    """The end-of-build report: counts, the change report and warnings."""
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(rep.milestones.items())) or "none"
    verb = "would write" if opts.dry_run else "wrote"
    lines = [
        f"documents {rep.documents} (+{rep.duplicates} duplicate)  tasks {rep.tasks}  milestones: {kinds}",
        f"agencies {rep.agencies}  events {rep.events}  feeds {rep.feeds}  {verb} {opts.output}/",
        f"ledger {rep.ledger_rows} rows (ledger.xlsx, ledgers/)  reminders {rep.reminders} 【提醒】 events"
        + (f"  as of {opts.as_of}" if opts.as_of else ""),
    ]
    if rep.refused:
        return "\n".join([lines[0], rep.refused])
    if rep.reasons:
        lines.append("since the last build: " + "; ".join(rep.reasons))
    if rep.kept:
        lines.append(f"kept from the last build ({len(rep.kept)}):")
        lines += [f"  {shown(k)}" for k in rep.kept]
    if rep.changes:
        lines.append(f"changes ({len(rep.changes)}):")
        for c in sorted(rep.changes, key=lambda c: (c.agency, c.kind, c.summary)):
            lines.append(f"  {c.kind:<8} {c.agency or '-'}: {c.summary} {c.detail}".rstrip())
    elif rep.had_previous:
        lines.append("no changes since the last build")
    if rep.warnings:
        lines.append(f"warnings ({len(rep.warnings)}):")
        lines += [f"  {shown(w)}" for w in rep.warnings[:50]]     # one line each, whatever a file name holds
        if len(rep.warnings) > 50:
            lines.append(f"  … {len(rep.warnings) - 50} more")
    return "\n".join(lines)


def follow_summary(done, as_of) -> str:
    """What ``calgen report`` prints: the lead agencies' table and where the files are."""
    from ..follow.stats import HEAD, _row

    lines = [f"as of {as_of.isoformat()}: {done.overdue} overdue; per lead agency:",
             "  ".join(HEAD)]
    for t in done.leads[:40]:
        cells = _row(t)
        lines.append(_pad(str(cells[0]), 30) + "  " + "  ".join(f"{c!s:>4}" for c in cells[1:]))
    if len(done.leads) > 40:
        lines.append(f"… {len(done.leads) - 40} more agencies (report.xlsx)")
    lines.append(f"wrote {', '.join(p.name for p in done.paths)} to {done.folder}")
    return "\n".join(lines)
