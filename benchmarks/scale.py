"""Scale: `calgen build` on generated corpora of growing size, and serving the result.

    python benchmarks/scale.py [--sizes 1000,5000,20000] [--jobs 2] [--per-region 20]
                               [--previous /path/to/older/checkout] [--serve-requests 2000]

For each size: generates the plans (benchmarks/bench.py's generator; with --per-region N, N plans
per generated city, each city its own issuer, 文号 and agencies — the shape of a national
corpus), runs `calgen build` in a fresh process and prints wall time, peak RSS of the whole
process tree (the build and its workers, sampled every 0.1 s from /proc), throughput, the CPU
time of the build process and of its workers (a serial part that grows with the build shows in
the first), and the largest outputs.  With --previous, the same corpus is built by that
checkout too, side by side.  Then serves the largest build's feeds with `calgen serve` and with `python -m http.server` side
by side (benchmarks/serve_load.py), 200s and 304s.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import corpus  # noqa: E402
from serve_load import _free_port, _later, _load, _wait  # noqa: E402

CHILD = """
import resource, sys, time
from pathlib import Path
from calgen.rules import Rules
from calgen.settings import Settings
from calgen.publish.build import build
files = sorted(str(p) for p in Path(sys.argv[1]).rglob("*.txt"))
t = time.perf_counter()
rep = build(files, Rules.load(Settings(output=Path(sys.argv[2]), jobs=int(sys.argv[3]))))
wall = time.perf_counter() - t
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{wall:.1f} {me.ru_utime + me.ru_stime:.1f} {kids.ru_utime + kids.ru_stime:.1f} {rep.events} {rep.feeds} "
      f"{len(rep.failures)}")
"""


def _mb(out: Path, rel: str) -> float:
    path = out / rel
    return path.stat().st_size / 1e6 if path.exists() else 0.0


def _tree_rss(root: int) -> int:
    """Resident memory (bytes) of ``root`` and all its descendants, from /proc."""
    parent: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            parent[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    tree, todo = set(), [root]
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo += [c for c, pp in parent.items() if pp == pid and c not in tree]
    return sum(rss.get(pid, 0) for pid in tree)


def sampled(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str, str, float, float]:
    """Run ``args`` in a fresh process: (return code, stdout, stderr, wall seconds, peak RSS MB
    of its process tree, sampled every 0.1 s from /proc)."""
    import threading

    t = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.1)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    stdout, stderr = proc.communicate()
    watcher.join()
    return proc.returncode, stdout, stderr, time.perf_counter() - t, peak[0] / 1e6


def _run(plans: Path, out: Path, jobs: int, tree: Path) -> tuple[list[str], float, str]:
    """Build in a fresh process of ``tree``'s calgen; (its printed figures, peak tree RSS MB, stderr)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    rc, stdout, stderr, _, peak = sampled([sys.executable, "-c", CHILD, str(plans), str(out), str(jobs)], tree, env)
    return (stdout.split() if rc == 0 else []), peak, stderr


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,5000")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--per-region", type=int, default=20, help="plans per generated city (0: one city)")
    ap.add_argument("--previous", type=Path, help="another checkout of calgen to build the same corpus")
    ap.add_argument("--serve-requests", type=int, default=2000)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="calgen-scale-"))
    trees = [("this tree", HERE.parent)] + ([("previous", args.previous.resolve())] if args.previous else [])
    print(f"{'tree':<10} {'plans':>7} {'jobs':>4} {'build s':>8} {'plans/s':>8} {'peak RSS MB':>12} "
          f"{'CPU s: build':>13} {'workers':>8} {'events':>9} {'feeds':>7} {'all.ics MB':>10} {'tasks.json MB':>13}")
    last = None
    for size in (int(x) for x in args.sizes.split(",")):
        plans = work / f"plans-{size}"
        plans.mkdir()
        corpus(plans, size, args.per_region)
        for label, tree in trees:
            out = work / f"out-{size}-{label.replace(' ', '')}"
            figures, peak, stderr = _run(plans, out, args.jobs, tree)
            if not figures:
                print(f"{label:<10} {size:>7} failed: {stderr.strip().splitlines()[-1:]}")
                continue
            wall, cpu_build, cpu_workers, events, _feeds, _failures = figures
            feeds = sum(1 for _ in (out / "feeds").rglob("*.ics"))
            print(f"{label:<10} {size:>7} {args.jobs:>4} {float(wall):>8.1f} {size / float(wall):>8.1f} {peak:>12.0f} "
                  f"{float(cpu_build):>13.1f} {float(cpu_workers):>8.1f} {int(events):>9} {feeds:>7} "
                  f"{_mb(out, 'feeds/all.ics'):>10.1f} {_mb(out, 'tasks.json'):>13.1f}", flush=True)
            if label == "this tree":
                last = out
            elif os.environ.get("KEEP") != "1":
                import shutil

                shutil.rmtree(out, ignore_errors=True)
    if last is None:
        return
    feeds = sorted((last / "feeds").glob("*.ics"), key=lambda p: p.stat().st_size)
    typical = feeds[len(feeds) // 2]
    big = max((last / "feeds").rglob("*.ics"), key=lambda p: p.stat().st_size)
    big_rel = "/" + str(big.relative_to(last))
    print(f"\nserving {last.name}: 200s of a median agency feed ({typical.stat().st_size / 1e6:.2f} MB), 304s of "
          f"the largest feed, {big_rel} ({big.stat().st_size / 1e6:.1f} MB); 50 connections, 200 idle")
    for name, cmd in {"calgen serve": [sys.executable, "-m", "calgen", "serve", str(last), "--port", "{port}"],
                      "python -m http.server": [sys.executable, "-m", "http.server", "{port}", "--bind", "127.0.0.1",
                                                "--directory", str(last.resolve())]}.items():
        port = _free_port()
        proc = subprocess.Popen([c.format(port=port) for c in cmd], cwd=HERE.parent, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            _wait(port)
            for conditional in (False, True):
                path = big_rel if conditional else f"/feeds/{typical.name}"
                total = args.serve_requests if conditional else max(100, args.serve_requests // 4)
                t = time.perf_counter()
                python = name.startswith("python")
                r = asyncio.run(_load(port, path, total, 50, 200, conditional and not python,
                                      _later() if conditional and python else None))
                kind = ("304ims" if python else "304") if conditional else "200"
                print(f"  {name:<24}{kind:<6}{r['rps']:>9.0f} req/s  p50 {r['p50']:.1f} ms  p99 {r['p99']:.1f} ms "
                      f"({time.perf_counter() - t:.1f} s)")
        finally:
            proc.terminate()
            proc.wait()
    if os.environ.get("KEEP") != "1":
        import shutil

        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
