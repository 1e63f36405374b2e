"""Speed of calgen at province scale.  Prints numbers; asserts nothing.

    python benchmarks/bench.py [--docs 2000] [--jobs 2]

Generates a corpus from the bundled sample plan (years 2018–2026, four numbering styles, agency
names drawn from the registry, extra filler tasks), then measures:
  - extract only: documents/s and characters/s (one process), peak RSS so far, stage split
  - full build (extract + feeds + Gantt + manifest): wall time and peak memory
  - --jobs N extract: wall time, and that its output equals --jobs 1
  - `calgen build` on ../shared/seeds as a user runs it (fresh process, start-up included)
"""
from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from calgen import numerals  # noqa: E402
from calgen.extract import agencies, deadlines, metadata, outline  # noqa: E402
from calgen.extract import document as extract  # noqa: E402
from calgen.extract.batch import extract_many  # noqa: E402
from calgen.publish.build import build  # noqa: E402
from calgen.publish.store.schema import documents_json  # noqa: E402
from calgen.read import decode as reading  # noqa: E402
from calgen.rules import Rules  # noqa: E402
from calgen.sample import sample_path  # noqa: E402
from calgen.settings import Settings  # noqa: E402

FILLER = ["完善工作机制", "加强统筹协调和指导督促", "推进政务数据共享和业务协同", "优化办事流程、压减申请材料",
          "强化事中事后监管", "提升服务质量和群众满意度", "建立健全考核评价体系", "推动线上线下融合发展",
          "做好政策宣传解读", "落实“放管服”改革各项部署"]
PHRASES = ["4月底前", "6月底前", "9月底前", "年底前", "三季度末前", "11月30日前", "上半年", "从5月起",
           "每季度", "5个工作日内", "分别于6月15日、12月15日前", "2个工作日内", "国庆节前"]


def make_plan(i: int, rng: random.Random, names: list[str], region: str = "") -> str:
    year = 2018 + i % 9
    base = sample_path().read_text(encoding="utf-8").replace("2023", str(year))
    base = base.replace(f"示府办函〔{year}〕18号", f"示府办函〔{year}〕{i + 1}号")
    if region:                                   # another city: its own issuer, 文号 and agencies
        base = base.replace("示范市", region + "市").replace("示府办函", region[0] + "府办函")
    style = i % 4
    head, _, body = base.partition("一、提升政务服务效能")
    lines = ["一、提升政务服务效能" + body]
    n = 8
    for k in range(rng.randint(10, 30)):
        n += 1
        lead, resp = rng.sample(names, 2)
        label = {0: f"({_cn(n)})", 1: f"{n}.", 2: f"（{_cn(n)}）", 3: f"{n}、"}[style]
        # Real plans run 300–700 characters a task (the seeds average ~350); so does this filler.
        filler = "，".join(rng.choice(FILLER) for _ in range(rng.randint(12, 40)))
        lines.append(f"{label}推进第{k + 1}项改革。{filler}，{rng.choice(PHRASES)}完成相关工作。"
                     f"（{lead}牵头，{resp}按职责分工负责）")
    return head + "\n".join(lines) + "\n"


def _cn(n: int) -> str:
    return numerals.int_to_cn(n)


FIRST = "安宁平和永昌兴华新东西南北中清远长丰泰盛嘉德"
SECOND = "阳山江河川原林州城海湖岭台源泉宁康安乐"


def region_name(k: int) -> str:
    """The k-th generated city name (400 distinct two-character names, then numbered)."""
    name = FIRST[k % len(FIRST)] + SECOND[(k // len(FIRST)) % len(SECOND)]
    return name + (numerals.int_to_cn(k // (len(FIRST) * len(SECOND))) if k >= len(FIRST) * len(SECOND) else "")


def corpus(folder: Path, count: int, per_region: int = 0) -> list[Path]:
    """``count`` plans; with ``per_region``, that many plans per generated city, each city's
    plans in a folder of its own (its issuer, 文号 and agencies its own) — a national corpus."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20231)
    names = sorted({a for e in Rules.load().registry.entries if e.jurisdiction == "东莞市"
                    for a in e.aliases if a.startswith("市")}) or ["市财政局", "市商务局"]
    paths = []
    for i in range(count):
        region = region_name(i // per_region) if per_region else ""
        where = folder / f"r{i // per_region:05d}" if per_region else folder
        where.mkdir(exist_ok=True)
        p = where / f"plan_{i:05d}.txt"
        p.write_text(make_plan(i, rng, names, region), encoding="utf-8")
        paths.append(p)
    return paths


def stage_split(paths: list[Path], rules: Rules) -> dict[str, float]:
    """Seconds per stage, by timing the stage functions on the whole corpus."""
    t = {}
    start = time.perf_counter()
    raws = [p.read_bytes() for p in paths]
    t["read files"] = time.perf_counter() - start
    start = time.perf_counter()
    texts = [reading.clean_bytes(r, rules.simplifier).text for r in raws]
    t["decode + clean"] = time.perf_counter() - start
    start = time.perf_counter()
    split = [x.split("\n") for x in texts]
    metas = [metadata.read_meta(lines, next((i for i, line in enumerate(lines) if outline.match_label(line)), 0))
             for lines in split]
    t["metadata"] = time.perf_counter() - start
    start = time.perf_counter()
    items = [outline.task_items(outline.parse(lines, m.body_start, None, rules.registry.lab.field_line),
                                lambda t: agencies.assigns_roles(t, rules.registry))
             for lines, m in zip(split, metas)]
    t["outline"] = time.perf_counter() - start
    start = time.perf_counter()
    for doc_items, m in zip(items, metas):
        for it in doc_items:
            agencies.resolve_roles(agencies.parse_roles(it.text, rules.registry), m.jurisdiction, rules.registry)
    t["agencies"] = time.perf_counter() - start
    start = time.perf_counter()
    for doc_items, m in zip(items, metas):
        ctx = deadlines.Context(m.plan_year, m.issued)
        for it in doc_items:
            deadlines.find(it.text, ctx, rules.phrases, [])
    t["deadlines (grammar)"] = time.perf_counter() - start
    start = time.perf_counter()
    for r, p in zip(texts, paths):
        extract.extract_text(r, str(p), rules)
    t["whole extract_text (incl. due dates)"] = time.perf_counter() - start
    return t


def _peak_rss() -> float:
    """Peak resident memory of this process in bytes (tracemalloc would slow the run 5×)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3, help="extract runs (best and median are printed)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="calgen-bench-"))
    rules = Rules.load()
    try:
        paths = corpus(tmp / "plans", args.docs)
        files = [str(p) for p in paths]
        chars = sum(len(reading.read_file(p, rules.simplifier).text) for p in paths[:200]) * len(paths) / min(200, len(paths))
        extract_many(files[:5], rules)                                   # warm caches (OpenCC, registry)

        runs = []
        for _ in range(args.repeat):                     # the machine is shared: best and median
            start = time.perf_counter()
            docs, failures = extract_many(files, rules)
            runs.append(time.perf_counter() - start)
        secs, median = min(runs), sorted(runs)[len(runs) // 2]
        peak = _peak_rss()
        tasks = sum(len(d.tasks) for d in docs)
        print(f"corpus: {len(paths)} plans, {tasks} tasks, ~{chars / 1e6:.1f} M characters ({tmp})")
        print(f"extract (1 process, best of {len(runs)}): {secs:.2f} s  {len(paths) / secs:.0f} documents/s  "
              f"{chars / secs / 1e6:.2f} M characters/s (median {chars / median / 1e6:.2f})  "
              f"peak RSS so far {peak / 1e6:.0f} MB  failures {len(failures)}")

        start = time.perf_counter()
        docs_j, _ = extract_many(files, rules, jobs=args.jobs)
        secs_j = time.perf_counter() - start
        same = documents_json(docs_j) == documents_json(docs)
        print(f"extract --jobs {args.jobs}: {secs_j:.2f} s  {chars / secs_j / 1e6:.2f} M characters/s  "
              f"output identical to --jobs 1: {same}")

        start = time.perf_counter()
        rep = build(files, Rules.load(Settings(output=tmp / "out")))
        secs_b = time.perf_counter() - start
        peak_b = _peak_rss()
        print(f"full build (1 process): {secs_b:.2f} s  {rep.feeds} feeds  {rep.events} events  "
              f"peak RSS so far {peak_b / 1e6:.0f} MB")

        print("stage split (seconds over the corpus):")
        for name, s in stage_split(paths, rules).items():
            print(f"  {name:<38} {s:7.2f}")

        seeds = ROOT.parent / "shared" / "seeds"
        if seeds.is_dir():
            exe = shutil.which("calgen") or str(Path(sys.executable).parent / "calgen")
            runs = []
            for _ in range(3):
                start = time.perf_counter()
                subprocess.run([exe, "build", *sorted(map(str, seeds.glob("*.txt"))), "-o", str(tmp / "seeds")],
                               check=True, capture_output=True)
                runs.append(time.perf_counter() - start)
            print(f"`calgen build` on the five seeds, fresh process: best {min(runs):.2f} s of 3")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
