"""Everything a user chooses, in one frozen value: :class:`Settings`.

The CLI builds it from ``calgen.toml`` (in the working folder) and the command-line options
(options win) and validates it here, once.  The library never reads a global: it receives a
Settings, or the :class:`calgen.rules.Rules` loaded from one.  Settings is picklable, so worker
processes get it whatever the multiprocessing start method is, and load their own Rules.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from .errors import MappingError
from .limits import ALL_ICS_BYTES, GANTT_WHOLE_PLANS

E = TypeVar("E", bound=StrEnum)


class Roll(StrEnum):
    """Where a deadline that falls on a rest day goes."""

    PRECEDING = "preceding"    # the last working day before it (the default: a deadline is a limit)
    FOLLOWING = "following"
    NONE = "none"


class MonthBefore(StrEnum):
    """What ``6月前`` means.  Plans disagree; see mappings/phrases.toml [conventions]."""

    MONTH_START = "month_start"    # before June begins → 5月31日 (the words' literal reading)
    MONTH_END = "month_end"        # by the end of June → 6月30日


class YearBefore(StrEnum):
    """What ``2025年前`` means (mappings/phrases.toml [conventions])."""

    YEAR_START = "year_start"      # before 2025 begins → 2024-12-31
    YEAR_END = "year_end"          # by the end of 2025 → 2025-12-31


@dataclass(frozen=True)
class Conventions:
    """The user's choice; None = the default decided in mappings/phrases.toml [conventions]."""

    month_before: MonthBefore | None = None
    year_before: YearBefore | None = None


@dataclass(frozen=True)
class PlanFacts:
    """``[[plan]]`` in calgen.toml: what a plan's page lost, said by the user — title, 文号,
    issuer, issue date, plan year, jurisdiction — for the files ``path`` names (a path or a glob,
    relative to calgen.toml).  Applied before the plan is read further, so agencies are resolved
    in the given jurisdiction and bare dates read in the given year."""

    path: str                                        # absolute glob (made absolute when loaded)
    title: str | None = None
    doc_number: str | None = None
    issuer: str | None = None
    issued: dt.date | None = None
    plan_year: int | None = None
    jurisdiction: str | None = None

    FIELDS = ("title", "doc_number", "issuer", "issued", "plan_year", "jurisdiction")

    def matches(self, source: str) -> bool:
        import fnmatch
        import os

        return fnmatch.fnmatchcase(os.path.abspath(source), self.path)

    def given(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.FIELDS if getattr(self, k) is not None}


@dataclass(frozen=True)
class Settings:
    """What the user chose.  Paths are kept as given; nothing is loaded here."""

    mappings_dir: Path | None = None                 # None: $CALGEN_MAPPINGS, the checkout's, the installed copy
    agency_files: tuple[Path, ...] = ()              # extra registries (--mappings)
    calendar_files: tuple[Path, ...] = ()            # extra years (--calendar-file, calgen.toml)
    # the project's own imported years: `calgen holidays import` writes here (beside calgen.toml)
    calendar_folder: Path | None = Path("mappings/holidays")
    roll: Roll = Roll.PRECEDING
    assume_weekdays: bool = False
    conventions: Conventions = field(default_factory=Conventions)
    # build and publishing
    output: Path = Path("output")
    alarms: tuple[dt.timedelta, ...] = ()
    base_url: str = ""
    keep_removed: bool = False
    allow_removals: bool = False                     # a plan missing since the last build may be removed
    withdrawn: tuple[str, ...] = ()                  # plans removed on purpose (calgen.toml)
    strict: bool = False
    force: bool = False                              # build into a folder holding files calgen did not write
    allow_empty: bool = False                        # inputs with no plan publish an empty set
    dry_run: bool = False
    jobs: int = 1
    source_date_epoch: int | None = None             # DTSTAMP for reproducible builds (see epoch_from)
    all_ics_limit: int = ALL_ICS_BYTES               # bytes; a larger all.ics is not published (limits.py)
    gantt_whole_plans: int = GANTT_WHOLE_PLANS       # more plans: Gantt outputs per region (limits.py)
    # follow-up (督办, calgen/follow/)
    as_of: dt.date | None = None                     # the day statuses are computed for (None: today)
    soon_days: int = 5                               # 临期: due within this many working days
    reminders: tuple[int, ...] = (5, 1)              # 【提醒】 events this many working days before a due date
    follow_all: bool = False                         # statuses in feeds/Gantt for every plan, not only reported ones
    plans: tuple[PlanFacts, ...] = ()                # [[plan]] corrections (calgen.toml)

    def facts_for(self, source: str) -> dict[str, Any]:
        """What calgen.toml says about plan ``source`` ([[plan]] entries in order, later ones win)."""
        out: dict[str, Any] = {}
        for p in self.plans:
            if p.matches(source):
                out.update(p.given())
        return out


# calgen.toml: key → (type, what is allowed)
KEYS: Mapping[str, tuple[type, str]] = MappingProxyType({
    "inputs": (list, "a list of files or folders"),
    "output": (str, "a folder"),
    "roll": (str, "one of " + ", ".join(r.value for r in Roll)),
    "alarms": (str, 'e.g. "7d,1d"'),
    "base_url": (str, "an http(s) address"),
    "mappings": (list, "a list of agency files"),
    "calendar_files": (list, "a list of holiday files"),
    "keep_removed": (bool, "true or false"),
    "allow_removals": (bool, "true or false"),
    "withdrawn": (list, "a list of plan files removed on purpose"),
    "strict": (bool, "true or false"),
    "month_before": (str, "one of " + ", ".join(c.value for c in MonthBefore)),
    "year_before": (str, "one of " + ", ".join(c.value for c in YearBefore)),
    "soon_days": (int, "working days, 0 to 60"),
    "reminders": (list, "a list of working days, e.g. [5, 1]"),
    "follow_all": (bool, "true or false"),
    "contacts": (dict, 'a table: agency name = "e-mail address"'),
    "plan": (list, "[[plan]] tables: path plus any of title, doc_number, issuer, issued, plan_year, jurisdiction"),
})
MAX_WORKDAYS = 60                                    # soon_days and reminders (three months of working days)

def default(name: str) -> Any:
    """The default of Settings field ``name``: the one place defaults are written (the
    ``calgen init`` template and the CLI take them from here)."""
    for f in fields(Settings):
        if f.name == name:
            if f.default is not MISSING:
                return f.default
            if f.default_factory is not MISSING:
                return f.default_factory()
    raise KeyError(name)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, StrEnum):
        value = value.value
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def example() -> str:
    """calgen.toml as `calgen init` writes it: every key, with its default and what it does."""
    alarms = ",".join(f"{a.days}d" for a in default("alarms"))
    return f"""# calgen.toml — defaults for `calgen build`; every key is also a command-line option.

# Plans to read: files or folders (folders are read recursively).
inputs = ["plans/"]

# Where feeds, gantt.csv, gantt.html, tasks.json and manifest.json go.
output = {_toml(default("output"))}

# A deadline on a rest day moves to the preceding working day (preceding | following | none).
roll = {_toml(default("roll"))}

# Reminders before each deadline, e.g. "7d,1d".  Outlook and Google Calendar usually ignore
# alarms in subscribed calendars; they work when a feed is imported.
alarms = {_toml(alarms)}

# Public address the feeds are served from, for the links on output/feeds/index.html.
base_url = {_toml(default("base_url"))}

# Extra agency registries (same format as mappings/agencies.toml).
mappings = {_toml(default("agency_files"))}

# Holiday arrangements for years chinese-calendar does not cover yet (mappings/holidays/ format).
# `calgen holidays import NOTICE` writes mappings/holidays/YEAR.toml beside this file, which is
# read without being listed here; a file listed here named YEAR.toml is where it writes instead.
calendar_files = {_toml(default("calendar_files"))}

# Keep removed events one more cycle as STATUS:CANCELLED so subscribers see the cancellation.
keep_removed = {_toml(default("keep_removed"))}

# A plan that was in the last build and is missing now stays published until removals are
# allowed (--allow-removals) or it is listed here, as the build reported its path.
allow_removals = {_toml(default("allow_removals"))}
withdrawn = {_toml(default("withdrawn"))}

# Write nothing at all when any input fails (default: report it, keep its last published events).
strict = {_toml(default("strict"))}

# Follow-up (督办): a row is 临期 when due within this many working days; 【提醒】 events are
# published this many working days before each due date (ordinary all-day events: alarms do not
# survive subscription).
soon_days = {_toml(default("soon_days"))}
reminders = {_toml(default("reminders"))}

# Statuses (【已完成】【逾期】…) in the feeds and Gantt files of every plan, not only of plans
# with a status imported (`calgen status import`).
follow_all = {_toml(default("follow_all"))}

# What "6月前" means: "month_start" (before June begins, 5月31日) or "month_end" (6月30日).
# Unset: the reading decided in mappings/phrases.toml [conventions] (month_start).
# month_before = "month_start"

# What "2025年前" means: "year_start" (2024-12-31) or "year_end" (2025-12-31).
# Unset: the reading decided in mappings/phrases.toml [conventions] (year_start).
# year_before = "year_start"

# Where `calgen digest --smtp HOST` sends each agency's digest (a table: keep tables last).
# [contacts]
# "市发展改革委" = "fgw@example.gov.cn"

# What a plan's page lost — title, 文号, issuer, issue date, plan year, jurisdiction — for the
# files `path` names (a path or a glob, relative to this file), one [[plan]] per plan.
# [[plan]]
# path = "plans/yueyang-2024.txt"
# title = "岳阳市2024年优化营商环境工作要点"
# doc_number = "岳政办函〔2024〕3号"
# issued = 2024-03-01
# jurisdiction = "岳阳市"
"""


def load_config(path: Path = Path("calgen.toml")) -> dict[str, Any]:
    """calgen.toml as a validated dict ({} when there is none)."""
    if not path.exists():
        return {}
    from .mappings import load_toml

    data = load_toml(path)
    for key, value in data.items():
        spec = KEYS.get(key)
        if spec is None:
            raise MappingError(f"unknown key {key!r}", file=str(path), hint=f"known keys: {', '.join(KEYS)}")
        kind, allowed = spec
        if not isinstance(value, kind):
            raise MappingError(f"{key} must be a {kind.__name__} ({allowed})", file=str(path))
        if key == "reminders" or key == "soon_days":
            workdays(value, f"{path}: {key}")
        elif key == "contacts":
            contacts(value, str(path))
        elif key == "plan":
            plan_facts(value, path)
        elif isinstance(value, list) and not all(isinstance(x, str) and x for x in value):
            raise MappingError(f"{key} must be {allowed} (non-empty strings)", file=str(path))
    for key, enum in (("roll", Roll), ("month_before", MonthBefore), ("year_before", YearBefore)):
        if key in data:
            choice(enum, data[key], f"{path}: {key}")
    if data.get("base_url"):
        check_url(data["base_url"], str(path))
    return data


def workdays(value: Any, where: str) -> tuple[int, ...]:
    """soon_days or reminders: whole numbers of working days, 0 to MAX_WORKDAYS."""
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(x, int) and not isinstance(x, bool) and 0 <= x <= MAX_WORKDAYS for x in items):
        raise MappingError(f"{where}: {value!r} is not a number of working days (0 to {MAX_WORKDAYS})",
                           hint="write e.g. soon_days = 5, reminders = [5, 1]")
    return tuple(items)


def plan_facts(value: Any, config: Path) -> tuple[PlanFacts, ...]:
    """[[plan]] entries, checked: a path or glob (relative to calgen.toml), known keys, text
    values, a date for issued (2024-03-01), a year for plan_year."""
    import os

    if not isinstance(value, list) or not all(isinstance(x, dict) for x in value):
        raise MappingError("plan must be [[plan]] tables", file=str(config),
                           hint='write [[plan]] then path = "plans/a.txt" and the facts to set')
    out = []
    for i, raw in enumerate(value, 1):
        where = f"{config}: [[plan]] #{i}"
        unknown = sorted(set(raw) - {"path", *PlanFacts.FIELDS})
        if unknown:
            raise MappingError(f"{where}: unknown key {unknown[0]!r}",
                               hint="known keys: path, " + ", ".join(PlanFacts.FIELDS))
        path = raw.get("path")
        if not isinstance(path, str) or not path.strip():
            raise MappingError(f"{where}: path is missing", hint='path = "plans/a.txt" (a glob such as "plans/*.docx" too)')
        facts: dict[str, Any] = {}
        for key in ("title", "doc_number", "issuer", "jurisdiction"):
            if key in raw:
                if not isinstance(raw[key], str) or not raw[key].strip() or "\n" in raw[key]:
                    raise MappingError(f"{where}: {key} must be one line of text")
                facts[key] = raw[key].strip()
        if "issued" in raw:
            day = raw["issued"]
            if isinstance(day, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", day):
                day = dt.date.fromisoformat(day)
            if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
                raise MappingError(f"{where}: issued must be a date", hint="write issued = 2024-03-01")
            facts["issued"] = day
        if "plan_year" in raw:
            year = raw["plan_year"]
            if not isinstance(year, int) or isinstance(year, bool) or not 1949 <= year <= 2100:
                raise MappingError(f"{where}: plan_year must be a year", hint="write plan_year = 2024")
            facts["plan_year"] = year
        if not facts:
            raise MappingError(f"{where}: says nothing about {path}", hint="add title, doc_number, issuer, issued, "
                                                                           "plan_year or jurisdiction")
        base = os.path.dirname(os.path.abspath(config))
        out.append(PlanFacts(os.path.normpath(os.path.join(base, path)), **facts))
    return tuple(out)


def contacts(value: Any, where: str) -> dict[str, str]:
    """[contacts]: agency name → e-mail address (where `calgen digest --smtp` sends)."""
    if not isinstance(value, dict):
        raise MappingError("contacts must be a table of agency = \"address\"", file=where)
    for name, address in value.items():
        if not isinstance(address, str) or not re.fullmatch(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+", address):
            raise MappingError(f"contacts: {name} = {address!r} is not an e-mail address", file=where,
                               hint='write e.g. "市发展改革委" = "fgw@example.gov.cn"')
    return dict(value)


def check_url(url: str, where: str = "base_url") -> str:
    """``url`` if it is an http(s) address (it goes into the links of the feeds index)."""
    if not re.fullmatch(r"https?://[^\s<>\"']+", url):
        raise MappingError(f"base_url {url!r} is not an http(s) address", file=where,
                           hint="write e.g. https://calendar.example.gov.cn/output")
    return url


def choice(enum: type[E], value: str, where: str) -> E:
    """``value`` as a member of ``enum``, or a MappingError naming what is allowed."""
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise MappingError(f"{where}: {value!r} is not allowed", hint=f"use one of {allowed}") from None


def epoch_from(value: str | None) -> int | None:
    """SOURCE_DATE_EPOCH (reproducible-builds.org) as seconds, or None when unset; anything
    else is one clear error, never silently ignored."""
    if value is None or value.strip() == "":
        return None
    text = value.strip()
    if not text.isdigit():
        raise MappingError(f"SOURCE_DATE_EPOCH={value!r} is not a Unix timestamp",
                           hint="seconds since 1970-01-01 UTC, e.g. 1700000000, or unset it")
    seconds = int(text)
    if seconds > 253_402_300_799:
        raise MappingError(f"SOURCE_DATE_EPOCH={value!r} is after the year 9999",
                           hint="seconds since 1970-01-01 UTC, e.g. 1700000000")
    return seconds
