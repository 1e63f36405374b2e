"""Follow-up at scale: build N generated plans, import R returned ledger rows, rebuild with statuses.

    python benchmarks/follow_scale.py [--plans 5000] [--rows 100000] [--jobs 2] [--xlsx 10]

1. builds the corpus (benchmarks/bench.py's generator, 20 plans per generated city) in a fresh
   process — the ledger, per-agency ledgers and the status store's rows included;
2. fills R rows of its ledger.csv as agencies would (已完成 with a date, 推进中, 申请延期 with a new
   date, in proportions 5:3:2), returned as ``--xlsx`` workbooks of 5,000 rows and the rest as
   CSV files of 5,000 rows, and imports them all with one ``calgen status import``;
3. rebuilds the same corpus, now with statuses (marks, 【提醒】 events, coloured Gantt files).

Each step prints wall time and the peak RSS of its process tree (sampled every 0.1 s).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import corpus  # noqa: E402
from scale import sampled  # noqa: E402

BUILD = """
import datetime as dt, sys
from pathlib import Path
from calgen.rules import Rules
from calgen.settings import Settings
from calgen.publish.build import build
files = sorted(str(p) for p in Path(sys.argv[1]).rglob("*.txt"))
rep = build(files, Rules.load(Settings(output=Path(sys.argv[2]), jobs=int(sys.argv[3]),
                                       as_of=dt.date.fromisoformat(sys.argv[4]))))
print(rep.events, rep.ledger_rows, rep.reminders, len(rep.failures))
"""

IMPORT = """
import datetime as dt, sys
from pathlib import Path
from calgen.follow.returned import import_files
from calgen.follow.store import StatusStore
with StatusStore.of(Path(sys.argv[1])) as store:
    res = import_files(sys.argv[3:], store, dt.date.fromisoformat(sys.argv[2]))
print(res.rows, res.recorded, len(res.problems))
"""


def _timed(args: list[str]) -> tuple[str, float, float]:
    """Run ``python -c`` args in a fresh process: (its stdout, wall seconds, peak tree RSS MB)."""
    rc, out, err, wall, peak = sampled([sys.executable, "-c", *args], HERE.parent)
    if rc:
        raise SystemExit(err)
    return out.strip(), wall, peak


def _returned(out: Path, folder: Path, rows: int, xlsx: int, as_of: dt.date) -> list[str]:
    """Ledger rows filled as agencies fill them, in files of 5,000 rows."""
    import xlsxwriter

    rng = random.Random(7)
    with open(out / "ledger.csv", encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        head = next(reader)
        taken = [r for r in reader if r[head.index("到期日")]][:rows]
    col = head.index
    for r in taken:
        due = dt.date.fromisoformat(r[col("到期日")])
        pick = rng.random()
        if pick < 0.5:
            r[col("状态")], r[col("完成日期")] = "已完成", min(as_of, due + dt.timedelta(days=rng.randint(-20, 10))).isoformat()
        elif pick < 0.8:
            r[col("状态")], r[col("进展情况")] = "推进中", "按计划推进"
        else:
            r[col("状态")], r[col("新到期日")] = "申请延期", (due + dt.timedelta(days=60)).isoformat()
    files = []
    for n, start in enumerate(range(0, len(taken), 5000)):
        chunk = taken[start:start + 5000]
        if n < xlsx:
            path = folder / f"returned-{n:03d}.xlsx"
            wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
            ws = wb.add_worksheet("台账")
            day = wb.add_format({"num_format": "yyyy-mm-dd"})
            ws.write_row(0, 0, head)
            for i, r in enumerate(chunk, 1):
                for c, v in enumerate(r):
                    if head[c] in ("到期日", "完成日期", "新到期日") and v:
                        d = dt.date.fromisoformat(v)
                        ws.write_datetime(i, c, dt.datetime(d.year, d.month, d.day), day)
                    else:
                        ws.write_string(i, c, v)
            wb.close()
        else:
            path = folder / f"returned-{n:03d}.csv"
            with open(path, "w", encoding="utf-8-sig", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(head)
                w.writerows(chunk)
        files.append(str(path))
    return files


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plans", type=int, default=5000)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--xlsx", type=int, default=10, help="returned files that are workbooks (the rest CSV)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="calgen-follow-"))
    plans, out, back = work / "plans", work / "out", work / "returned"
    plans.mkdir()
    back.mkdir()
    corpus(plans, args.plans, 20)
    first_day, second_day = dt.date(2026, 3, 2), dt.date(2026, 4, 1)
    got, wall, peak = _timed([BUILD, str(plans), str(out), str(args.jobs), first_day.isoformat()])
    events, rows, reminders, failures = got.split()
    print(f"build      {args.plans} plans: {wall:7.1f} s  peak {peak:6.0f} MB  "
          f"({events} events, {rows} ledger rows, {reminders} reminders, {failures} failures)")
    ledgers = sum(1 for _ in (out / "ledgers").glob("*.xlsx"))
    mb = (out / "ledger.xlsx").stat().st_size / 1e6
    print(f"           ledger.xlsx {mb:.1f} MB, {ledgers} agency ledgers")
    t = time.perf_counter()
    files = _returned(out, back, args.rows, args.xlsx, first_day)
    print(f"returned   {len(files)} files written in {time.perf_counter() - t:.1f} s (not part of calgen)")
    got, wall, peak = _timed([IMPORT, str(out), first_day.isoformat(), *files])
    filled, recorded, problems = got.split()
    print(f"import     {filled} rows: {wall:7.1f} s  peak {peak:6.0f} MB  ({recorded} recorded, {problems} skipped)")
    got, wall, peak = _timed([BUILD, str(plans), str(out), str(args.jobs), second_day.isoformat()])
    events, rows, reminders, failures = got.split()
    print(f"rebuild    with statuses: {wall:7.1f} s  peak {peak:6.0f} MB  ({events} events, {reminders} reminders)")


if __name__ == "__main__":
    main()
