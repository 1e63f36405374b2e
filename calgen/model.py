"""Domain objects: what a plan is made of once calgen has read it."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class Role(StrEnum):
    """What a task asks of an agency (牵头 / 负责 / 配合)."""

    LEAD = "lead"
    RESPONSIBLE = "responsible"
    SUPPORT = "support"


ROLES: tuple[Role, ...] = (Role.LEAD, Role.RESPONSIBLE, Role.SUPPORT)


class Kind(StrEnum):
    """What a deadline phrase says (../shared/gold/SCHEMA.md's milestone kinds)."""

    DEADLINE = "deadline"      # 6月底前, 年底前, 到2025年
    START = "start"            # 从4月起
    POINT = "point"            # 于2019年3月1日 (a day, neither before nor from)
    RECURRING = "recurring"    # 每季度, 每月10日前
    DURATION = "duration"      # 5个工作日内 (a service time limit, never a date)
    OPEN = "open"              # 长期坚持, 三年内
    PERIOD = "period"          # 2023年8月, 本季度, “十四五”时期 read on their own (calgen resolve)


DATED_KINDS = frozenset({Kind.DEADLINE, Kind.START, Kind.POINT, Kind.PERIOD})
# Dated, but nothing falls due: a start (从5月起) is when work begins, a point a day the plan names
# (实施期限延长至2022年4月30日: a policy's end — SCHEMA.md's point, GENRE.md's distractor for a
# deadline).  Published on their day, never 逾期, no 【提醒】, no due date in the ledger.
NOT_DUE = frozenset({Kind.START, Kind.POINT})
# What an event's clause is, by kind, where it is not 应完成 (feeds' DESCRIPTION, ledger rows).
CLAUSE_WORD: Mapping[str, str] = MappingProxyType({Kind.START: "开始", Kind.POINT: "日期节点"})


class AgencyKind(StrEnum):
    DEPARTMENT = "department"
    GOVERNMENT = "government"
    VERTICAL = "vertical"
    ENTERPRISE = "enterprise"
    GROUP = "group"            # 省有关部门, 各地级以上市: collectives with no feed of their own
    UNKNOWN = "unknown"        # not in the registry


@dataclass(frozen=True)
class Agency:
    """An agency as a task names it, resolved against the registry where possible."""

    name: str                      # canonical name (registry) or the document's own, prefix-expanded
    written: str                   # as the document wrote it (Simplified)
    kind: str = AgencyKind.DEPARTMENT
    slug: str = ""
    known: bool = True             # False when the registry has no entry for it

    @property
    def is_group(self) -> bool:
        return self.kind == AgencyKind.GROUP


@dataclass(frozen=True)
class Milestone:
    phrase: str
    kind: Kind
    nominal: dt.date | None
    clause: str
    due: dt.date | None = None
    note: str = ""                 # why due differs from nominal, or what the flags mean
    flags: tuple[str, ...] = ()    # before_issue | estimated | provisional
    every: str = ""                # recurring unit: year | half | quarter | month | week
    # recurring: (month of the period, day); 0 = the last.  每月10日前 → (0, 10), 每年3月底前 → (3, 0);
    # None = the end of each period.
    anchor: tuple[int, int] | None = None
    span: tuple[dt.date, dt.date] | None = None   # the period a phrase names: 前三季度, 4月至6月
    reading: str = ""              # which convention a phrase was read by (6月前, 2025年前)

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
    warnings: tuple[str, ...] = ()     # problems in this task alone ("line 12: … (phrase)")

    def agencies(self) -> list[tuple[Role, Agency]]:
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

    @property
    def name(self) -> str:
        """What the plan is called in every output: its title, else its 文号, else its file name."""
        return plan_name(self.title, self.doc_number, self.source)

    @property
    def label(self) -> str:
        """The name with its 文号: 标题（文号）, else the 文号, else the file name."""
        return plan_label(self.title, self.doc_number, self.source)


def plan_name(title: str, doc_number: str | None, source: str) -> str:
    return title or doc_number or _file_name(source)


def plan_label(title: str, doc_number: str | None, source: str) -> str:
    if title:
        return title + (f"（{doc_number}）" if doc_number else "")
    return doc_number or _file_name(source)


def _file_name(source: str) -> str:
    """plans/2024/d01.txt → d01 (a page that lost its title and 文号 is still named)."""
    base = source.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[0] if "." in base[1:] else base
