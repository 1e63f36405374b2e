"""The status store: every status ever recorded, and the rows every build published.

It is one SQLite file, ``<output>/.status/status.sqlite`` — beside the build's generations, not
in them, so a rebuild (or a yearly regeneration that changes other tasks) never touches it; a
dot-folder, so ``calgen serve`` never serves it (configure a public web server to refuse
dot-files too).  SQLite (standard library) because the store must survive a kill in the middle
of an import: each import is one transaction, so it is recorded whole or not at all.

Nothing is deleted or updated in place:

* ``records`` — one line per status reported: the row's identity, the fill-in values, the file,
  sheet and row it came from and when it was imported.  The latest line of an identity is its
  status; the earlier ones are its history (``calgen status history ID``).
* ``rows`` — every row a build ever published: its plan, task and due date, whether the last
  build still published it (``current``), and when it was first and last published.
* ``versions`` — each published version of a row's locked columns (a hash), so a returned ledger
  from an earlier build is accepted while an edit outside the fill-in columns is not.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import OutputError
from .standing import Record

FOLDER = ".status"
NAME = "status.sqlite"
SCHEMA = 1

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, status TEXT NOT NULL, done TEXT, new_due TEXT,
    progress TEXT NOT NULL DEFAULT '', evidence TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT '',
    sheet TEXT NOT NULL DEFAULT '', row INTEGER NOT NULL DEFAULT 0, recorded TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS records_id ON records (id, seq);
CREATE TABLE IF NOT EXISTS rows (
    id TEXT PRIMARY KEY, dockey TEXT NOT NULL, plan TEXT NOT NULL, task TEXT NOT NULL, lead TEXT NOT NULL,
    responsible TEXT NOT NULL, support TEXT NOT NULL, groups TEXT NOT NULL, node TEXT NOT NULL,
    due TEXT NOT NULL, current INTEGER NOT NULL, first_build TEXT NOT NULL, last_build TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS versions (id TEXT NOT NULL, fingerprint TEXT NOT NULL, PRIMARY KEY (id, fingerprint))
    WITHOUT ROWID;
"""


@dataclass(frozen=True, slots=True)
class Published:
    """A row as a build published it (what the status store keeps of it)."""

    id: str
    dockey: str
    plan: str
    task: str
    lead: str                        # lead agencies (else responsible), 、-separated
    responsible: str                 # responsible agencies where there is a lead
    support: str
    groups: str                      # the names above that are collectives (各区人民政府), 、-separated
    node: str
    due: str                         # ISO date, '' for an undated task
    current: bool


def path_for(output: Path) -> Path:
    return output / FOLDER / NAME


class StatusStore:
    """The status store of one output folder.  Open it with ``with StatusStore(path) as s``;
    reading a store that does not exist gives empty answers and creates nothing."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None

    @classmethod
    def of(cls, output: Path) -> StatusStore:
        return cls(path_for(output))

    def exists(self) -> bool:
        return self.path.is_file()

    def __enter__(self) -> StatusStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._db is not None:
            self._db.rollback()                  # what was not committed is not recorded
            self._db.close()
            self._db = None

    def _conn(self, create: bool = False) -> sqlite3.Connection | None:
        if self._db is not None:
            return self._db
        if not self.exists() and not create:
            return None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30)
            db.executescript(_TABLES)
            found = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if found is None:
                db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA),))
                db.commit()
            elif int(found[0]) > SCHEMA:
                db.close()
                raise OutputError(f"written by a newer calgen (store schema {found[0]})", file=str(self.path),
                                  hint="upgrade calgen; the store is left as it is")
        except sqlite3.DatabaseError as e:
            raise OutputError(f"the status store cannot be read ({e})", file=str(self.path),
                              hint="restore it from a backup; calgen never rewrites it, so a copy of the folder "
                                   "is a complete backup") from None
        self._db = db
        return db

    # --- statuses --------------------------------------------------------------------------------

    def latest(self) -> dict[str, Record]:
        """Each identity's latest status."""
        db = self._conn()
        if db is None:
            return {}
        q = ("SELECT r.id, status, done, new_due, progress, evidence, source, sheet, row, recorded FROM records r "
             "JOIN (SELECT id, MAX(seq) AS seq FROM records GROUP BY id) m ON r.seq = m.seq")
        return {row[0]: _record(row) for row in db.execute(q)}

    def latest_by_plan(self) -> dict[str, dict[str, Record]]:
        """The latest statuses grouped by the plan (dockey) whose row they are — what a build
        needs of them: the fill-in values, not where they came from (a national build holds
        100,000 of them; the same words and dates are shared, not repeated)."""
        db = self._conn()
        if db is None:
            return {}
        out: dict[str, dict[str, Record]] = {}
        same: dict[str, str] = {}
        days: dict[str, dt.date | None] = {}
        q = ("SELECT r.id, status, done, new_due, progress, evidence, w.dockey "
             "FROM records r JOIN (SELECT id, MAX(seq) AS seq FROM records GROUP BY id) m ON r.seq = m.seq "
             "JOIN rows w ON w.id = r.id")
        for id, status, done, new_due, progress, evidence, dockey in db.execute(q):
            status, progress, evidence = (same.setdefault(x, x) for x in (status, progress, evidence))
            done, new_due = (days.setdefault(x, _date(x)) if x else None for x in (done, new_due))
            out.setdefault(same.setdefault(dockey, dockey), {})[id] = Record(id, status, done, new_due, progress,
                                                                              evidence)
        return out

    def history(self, id: str) -> list[Record]:
        db = self._conn()
        if db is None:
            return []
        q = ("SELECT id, status, done, new_due, progress, evidence, source, sheet, row, recorded FROM records "
             "WHERE id = ? ORDER BY seq")
        return [_record(row) for row in db.execute(q, (id,))]

    def count(self) -> int:
        db = self._conn()
        return 0 if db is None else int(db.execute("SELECT COUNT(*) FROM records").fetchone()[0])

    def add(self, records: Iterable[Record]) -> int:
        """Append ``records`` in one transaction; returns how many."""
        db = self._conn(create=True)
        assert db is not None
        rows = [(r.id, r.status, _iso(r.done), _iso(r.new_due), r.progress, r.evidence, r.source, r.sheet, r.row,
                 r.recorded or _now()) for r in records]
        with db:
            db.executemany("INSERT INTO records (id, status, done, new_due, progress, evidence, source, sheet, row, "
                           "recorded) VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
        return len(rows)

    # --- what builds published --------------------------------------------------------------------

    def publish(self, rows: Iterable[tuple[Published, str]], build: str) -> None:
        """Record the rows a build published (with their locked columns' fingerprint); rows
        published before and not now stay, marked not current.  The transaction is left open:
        :meth:`commit` once the build's outputs are switched in (closing without it records
        nothing)."""
        db = self._conn(create=True)
        assert db is not None
        db.execute("UPDATE rows SET current = 0 WHERE current = 1")
        for chunk in _chunks(rows, 5000):
            db.executemany(
                "INSERT INTO rows VALUES (?,?,?,?,?,?,?,?,?,?,1,?,?) ON CONFLICT(id) DO UPDATE SET "
                "dockey=excluded.dockey, plan=excluded.plan, task=excluded.task, lead=excluded.lead, "
                "responsible=excluded.responsible, support=excluded.support, groups=excluded.groups, "
                "node=excluded.node, due=excluded.due, current=1, last_build=excluded.last_build",
                [(p.id, p.dockey, p.plan, p.task, p.lead, p.responsible, p.support, p.groups, p.node, p.due, build,
                  build) for p, _ in chunk])
            db.executemany("INSERT OR IGNORE INTO versions VALUES (?, ?)", [(p.id, fp) for p, fp in chunk])

    def commit(self) -> None:
        if self._db is not None:
            self._db.commit()

    def published(self) -> dict[str, Published]:
        db = self._conn()
        if db is None:
            return {}
        q = ("SELECT id, dockey, plan, task, lead, responsible, support, groups, node, due, current FROM rows "
             "ORDER BY rowid")
        return {r[0]: Published(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], bool(r[10]))
                for r in db.execute(q)}

    def versions(self, ids: Iterable[str]) -> dict[str, set[str]]:
        db = self._conn()
        out: dict[str, set[str]] = {}
        if db is None:
            return out
        for chunk in _chunks(((i,) for i in ids), 500):
            marks = ",".join("?" * len(chunk))
            for id, fp in db.execute(f"SELECT id, fingerprint FROM versions WHERE id IN ({marks})",
                                     [c[0] for c in chunk]):
                out.setdefault(id, set()).add(fp)
        return out


def _record(row: tuple) -> Record:
    return Record(row[0], row[1], _date(row[2]), _date(row[3]), row[4], row[5], row[6], row[7], row[8], row[9])


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
