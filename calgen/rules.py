"""Rules: everything calgen loads from data, loaded once from a Settings and passed explicitly.

    rules = Rules.load(Settings(calendar_files=(Path("2027.toml"),)))
    doc = extract_file("plan.txt", rules)

A Rules holds the agency registry, the deadline phrase book (vocabulary, compiled grammar,
conventions), the Traditional→Simplified converter, the working-day calendar and the scheduler
that owns every due date.  There is no module-level cache anywhere: a second ``Rules.load``
is a second, independent set of rules.  Worker processes receive the (picklable) Settings and
load their own Rules.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from .calendar.holidays import load_calendar
from .calendar.scheduler import Scheduler
from .calendar.workdays import Calendar
from .errors import MappingError
from .extract.labels import load_labels
from .extract.phrasebook import PhraseBook, load_vocabulary
from .extract.registry import Registry, load_registry
from .mappings import find_folder, load_toml
from .read.clean import Simplifier
from .read.tables import Column, ColumnBook
from .settings import Settings


@dataclass(frozen=True, eq=False)
class Rules:
    settings: Settings
    folder: Path
    registry: Registry
    phrases: PhraseBook
    simplifier: Simplifier
    columns: ColumnBook
    calendar: Calendar
    scheduler: Scheduler

    @classmethod
    def load(cls, settings: Settings | None = None) -> Rules:
        settings = settings or Settings()
        folder = find_folder(settings.mappings_dir)
        calendar = load_calendar(folder / "holidays", settings.calendar_files, settings.assume_weekdays,
                                 settings.calendar_folder)
        tables = [(p, load_toml(p)) for p in (folder / "agencies.toml", *settings.agency_files)]
        labels = load_labels(folder / "labels.toml")
        vocab = load_vocabulary(folder / "phrases.toml", labels.time_endings)
        replace = load_toml(folder / "vocabulary.toml").get("replace", {})
        if not isinstance(replace, dict):
            raise MappingError("[replace] must be a table of old = new", file=str(folder / "vocabulary.toml"))
        return cls(
            settings=settings,
            folder=folder,
            registry=load_registry(tables, labels),
            phrases=PhraseBook(vocab, calendar, settings.conventions),
            simplifier=Simplifier({k: v for k, v in replace.items() if isinstance(v, str)}),
            columns=_columns(folder / "columns.toml"),
            calendar=calendar,
            scheduler=Scheduler(calendar, settings.roll),
        )


def _columns(path: Path) -> ColumnBook:
    table = load_toml(path).get("columns", {})
    if not isinstance(table, dict):
        raise MappingError("[columns] must be a table of header = kind", file=str(path))
    words: dict[str, Column] = {}
    for header, kind in table.items():
        try:
            words[header] = Column(kind)
        except ValueError:
            allowed = ", ".join(c.value for c in Column)
            raise MappingError(f"column {header!r}: unknown kind {kind!r}", file=str(path),
                               hint=f"use one of {allowed}") from None
    return ColumnBook(MappingProxyType(words))
