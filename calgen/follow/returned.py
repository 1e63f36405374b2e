"""Returned ledgers → statuses, every row checked before it is recorded.

``import_files`` reads any number of returned ledgers (xlsx, or csv in UTF-8 or GB18030), in
any order, with pandas (openpyxl for xlsx).  A row is recorded only when every check passes;
otherwise one line names the file, sheet and row, says what is wrong and how to fix it, and the
row is skipped — never guessed:

* no 标识, or one no build of this output ever published (unknown identity);
* a locked column (文件, 任务, 牵头单位, 节点, 到期日) unlike every version calgen published of that row;
* a 状态 not in the drop-down, or fill-ins with no 状态;
* a 完成日期 that is not a date, lies after the import date, or comes without 已完成/已销号 —
  and 已完成/已销号 without one; 申请延期 without a 新到期日 after the due date;
* two rows (in one file or two) giving one identity different statuses: both skipped.

A row whose identity the last build no longer publishes (its task was removed or rewritten) is
recorded all the same — nothing reported is lost — and reported.  A row that repeats the
status already recorded records nothing.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, shown
from .ledger import COLUMNS, FILL, ID, LOCKED, fingerprint
from .standing import DONE, EXTENSION, REPORTED, Record, parse_date
from .store import StatusStore

HEADER_SEARCH = 10          # rows searched for the header (a title row above it is tolerated)


@dataclass
class Imported:
    files: int = 0
    rows: int = 0                     # rows with something filled in
    recorded: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)     # rows skipped
    notes: list[str] = field(default_factory=list)        # recorded, but worth saying


@dataclass(frozen=True)
class _Line:
    file: str
    sheet: str
    row: int
    values: dict[str, Any]

    @property
    def where(self) -> str:
        return f"{shown(self.file)}: sheet {self.sheet}, row {self.row}" if self.sheet else \
            f"{shown(self.file)}: row {self.row}"


def import_files(paths: Iterable[str], store: StatusStore, as_of: dt.date) -> Imported:
    """Read ``paths`` and record what passes into ``store`` (one transaction); ``as_of`` is
    the import date (a 完成日期 after it is refused)."""
    out = Imported()
    lines: list[_Line] = []
    for path in paths:
        out.files += 1
        try:
            lines.extend(_read(path))
        except InputError as e:                  # one file that cannot be read: one line, the others go on
            out.problems.append(f"{e} — file skipped")
    published = store.published()
    if lines and not published:
        raise InputError("no build has published a ledger into this output folder yet", file=str(store.path),
                         hint="run calgen build first (it writes ledger.xlsx), then import the returned ledgers")
    versions = store.versions({str(line.values.get(ID) or "").strip() for line in lines})
    found: dict[str, list[tuple[_Line, Record]]] = {}
    for line in lines:
        rec = _check(line, published, versions, as_of, out)
        if rec is not None:
            found.setdefault(rec.id, []).append((line, rec))
    latest = store.latest()
    new: list[Record] = []
    for id, got in found.items():
        first = got[0][1]
        if any(not r.same_report(first) for _, r in got[1:]):
            detail = "; ".join(f"{line.where}: {r.status}" for line, r in got)
            out.problems.append(f"{detail}: different statuses for one row ({id}) — all skipped; "
                                "fix: keep one answer and import again")
            continue
        if id in latest and latest[id].same_report(first):
            out.unchanged += 1
            continue
        p = published[id]
        if not p.current:
            out.notes.append(f"{got[0][0].where}: {p.task}（{p.plan}）is no longer in the plans; its status is "
                             "recorded and kept")
        new.append(first)
    out.recorded = store.add(new) if new else 0
    return out


def _check(line: _Line, published: dict, versions: dict[str, set[str]], as_of: dt.date,
           out: Imported) -> Record | None:
    v = line.values
    fill = {k: _text(v.get(k)) for k in FILL}
    id = _text(v.get(ID))
    if not any(fill.values()):
        return None                                     # nothing reported in this row
    out.rows += 1

    def bad(problem: str, fix: str) -> None:
        out.problems.append(f"{line.where}: {problem} — row skipped; fix: {fix}")

    if not id:
        bad("no 标识", "copy the row from the ledger calgen wrote, 标识 included")
        return None
    p = published.get(id)
    if p is None:
        bad(f"unknown identity {id}", "use the ledger calgen wrote for this output folder (-o)")
        return None
    locked = [_locked(k, v.get(k)) for k in LOCKED]
    if fingerprint(locked) not in versions.get(id, set()):
        now = dict(zip(LOCKED, (p.plan, p.task, p.lead, p.node, p.due), strict=True))
        changed = [k for k, x in zip(LOCKED, locked, strict=True) if "".join(x.split()) != "".join(now[k].split())]
        bad(f"changed outside the fill-in columns ({'、'.join(changed) or '、'.join(LOCKED)})",
            "fill in only 状态, 完成日期, 新到期日, 进展情况, 佐证材料; report changes to the plan to the office")
        return None
    status = fill["状态"]
    if not status:
        bad("状态 is empty but other columns are filled", "choose one of " + "、".join(REPORTED))
        return None
    if status not in REPORTED:
        bad(f"状态 {status!r} is not one of " + "、".join(REPORTED), "choose from the drop-down")
        return None
    try:
        done = parse_date(v.get("完成日期"))
        new_due = parse_date(v.get("新到期日"))
    except ValueError as e:
        bad(f"not a date: {e}", "write dates as 2026-03-31")
        return None
    if status in DONE and done is None:
        bad(f"{status} without 完成日期", "fill in the date the work was completed")
        return None
    if done is not None and status not in DONE:
        bad(f"完成日期 {done} with 状态 {status}", "choose 已完成 (or 已销号), or clear 完成日期")
        return None
    if done is not None and done > as_of:
        bad(f"完成日期 {done} is after {as_of}", "a completion date cannot be in the future")
        return None
    if status == EXTENSION:
        due = dt.date.fromisoformat(p.due) if p.due else None
        if new_due is None:
            bad("申请延期 without 新到期日", "fill in the new due date asked for")
            return None
        if due is not None and new_due <= due:
            bad(f"新到期日 {new_due} is not after the due date {due}", "an extension ends after the due date")
            return None
    return Record(id, status, done, new_due, fill["进展情况"], fill["佐证材料"], line.file, line.sheet, line.row)


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, (dt.datetime, dt.date)) or hasattr(value, "to_pydatetime"):
        day = parse_date(value)
        return day.isoformat() if day else ""
    text = str(value).strip()
    return "" if text.lower() in ("nan", "nat", "none") else text


def _locked(column: str, value: Any) -> str:
    text = _text(value)
    if column == "到期日" and text:
        try:
            day = parse_date(text)
            return day.isoformat() if day else ""
        except ValueError:
            return text
    if text.startswith("'"):                  # a text cell neutralised against formulas (ledger.csv)
        return text[1:]
    return text


def _read(path: str) -> Iterator[_Line]:
    """Every row of a returned ledger, by column name (the header found in its first rows)."""
    import pandas as pd

    p = Path(path)
    suffix = p.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            sheets = pd.read_excel(p, sheet_name=None, header=None, dtype=object, engine="openpyxl")
        elif suffix == ".csv":
            sheets = {"": _read_csv(p)}
        else:
            raise InputError("not a ledger: calgen reads .xlsx and .csv", file=path,
                             hint="save the ledger as .xlsx (Excel/WPS) or .csv and import that")
    except InputError:
        raise
    except Exception as e:  # noqa: BLE001 - any damage is one clear line
        raise InputError(f"cannot be read as a ledger ({type(e).__name__}: {str(e)[:120]})", file=path,
                         hint="open it in Excel or WPS and save it again as .xlsx") from None
    found = False
    for sheet, df in sheets.items():
        head = _header(df)
        if head is None:
            continue
        found = True
        table = df.to_numpy(dtype=object).tolist()
        cols = {name: i for i, name in enumerate(_text(x) for x in table[head]) if name in COLUMNS}
        for i in range(head + 1, len(table)):
            raw = table[i]
            yield _Line(path, str(sheet), i + 1, {name: raw[c] for name, c in cols.items()})
    if not found:
        raise InputError(f"no ledger header ({ID} and 状态 columns) in its first {HEADER_SEARCH} rows", file=path,
                         hint="return the ledger calgen wrote (ledger.xlsx or ledgers/*.xlsx), header row kept")


def _header(df: Any) -> int | None:
    for i in range(min(HEADER_SEARCH, len(df))):
        names = {_text(x) for x in df.iloc[i].tolist()}
        if ID in names and "状态" in names:
            return i
    return None


def _read_csv(p: Path) -> Any:
    import pandas as pd

    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(p, header=None, dtype=str, keep_default_na=False, encoding=encoding)
        except UnicodeDecodeError:
            continue
    raise InputError("is neither UTF-8 nor GB18030 text", file=str(p), hint="save it as CSV UTF-8 from Excel or WPS")
