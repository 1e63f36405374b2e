"""Domain objects: what a plan is made of once calgen has read it."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

ROLES = ("lead", "responsible", "support")
DATED_KINDS = frozenset({"deadline", "start", "point"})


@dataclass(frozen=True)
class Agency:
    """An agency as a task names it, resolved against the registry where possible."""

    name: str                      # canonical name (registry) or the document's own, prefix-expanded
    written: str                   # as the document wrote it (Simplified)
    kind: str = "department"       # department | vertical | group | unknown
    slug: str = ""
    known: bool = True             # False when the registry has no entry for it

    @property
    def is_group(self) -> bool:
        return self.kind == "group"


@dataclass(frozen=True)
class Milestone:
    phrase: str
    kind: str                      # deadline | start | point | recurring | duration | open | implied
    nominal: dt.date | None
    clause: str
    due: dt.date | None = None
    note: str = ""                 # why due differs from nominal, or flags (estimated, provisional)
    flags: tuple[str, ...] = ()    # before_issue | estimated | provisional
    every: str = ""                # recurring unit: year | half | quarter | month | week

    @property
    def dated(self) -> bool:
        return self.kind in DATED_KINDS and self.nominal is not None


@dataclass(frozen=True)
class Task:
    id: str
    path: tuple[str, ...]
    title: str
    text: str
    line: int
    lead: tuple[Agency, ...] = ()
    responsible: tuple[Agency, ...] = ()
    support: tuple[Agency, ...] = ()
    milestones: tuple[Milestone, ...] = ()

    def agencies(self) -> list[tuple[str, Agency]]:
        return [(role, a) for role in ROLES for a in getattr(self, role)]


@dataclass(frozen=True)
class Document:
    source: str
    doc_number: str | None
    title: str
    issuer: str | None
    issued: dt.date | None
    plan_year: int | None
    jurisdiction: str | None
    tasks: tuple[Task, ...] = ()
    duplicate_of: str | None = None
    content_hash: str = ""
    warnings: tuple[str, ...] = field(default=())
    sections: tuple[tuple[str, str], ...] = ()     # top-level label → its heading
