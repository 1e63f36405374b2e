"""Scale: `calgen build` on generated corpora of growing size, and serving the result.

    python benchmarks/scale.py [--sizes 1000,5000,20000] [--jobs 2] [--serve-requests 2000]

For each size: generates the plans (benchmarks/bench.py's generator), runs `calgen build` in a
fresh process and prints wall time, peak RSS (the build process and its workers), throughput
and the largest outputs.  Then serves the largest build's all.ics with `calgen serve` and with
`python -m http.server` side by side (benchmarks/serve_load.py), 200s and 304s.
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
files = sorted(str(p) for p in Path(sys.argv[1]).iterdir())
t = time.perf_counter()
rep = build(files, Rules.load(Settings(output=Path(sys.argv[2]), jobs=int(sys.argv[3]))))
wall = time.perf_counter() - t
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"{wall:.1f} {own:.0f} {kids:.0f} {rep.events} {rep.feeds} {len(rep.failures)}")
"""


def _mb(out: Path, rel: str) -> float:
    return (out / rel).stat().st_size / 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,5000")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--serve-requests", type=int, default=2000)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="calgen-scale-"))
    print(f"{'plans':>7} {'build s':>8} {'plans/s':>8} {'peak RSS MB':>12} {'events':>9} {'all.ics MB':>10} "
          f"{'tasks.json MB':>13} {'gantt.xlsx MB':>13}")
    last = None
    for size in (int(x) for x in args.sizes.split(",")):
        plans = work / f"plans-{size}"
        plans.mkdir()
        corpus(plans, size)
        out = work / f"out-{size}"
        res = subprocess.run([sys.executable, "-c", CHILD, str(plans), str(out), str(args.jobs)],
                             capture_output=True, text=True, cwd=HERE.parent)
        if res.returncode:
            print(f"{size:>7} failed: {res.stderr.strip().splitlines()[-1:]}")
            continue
        wall, own, kids, events, _feeds, _failures = res.stdout.split()
        print(f"{size:>7} {float(wall):>8.1f} {size / float(wall):>8.1f} {max(float(own), float(kids)):>12.0f} "
              f"{int(events):>9} {_mb(out, 'feeds/all.ics'):>10.1f} {_mb(out, 'tasks.json'):>13.1f} "
              f"{_mb(out, 'gantt.xlsx'):>13.1f}")
        last = out
    if last is None:
        return
    feeds = sorted((last / "feeds").glob("*.ics"), key=lambda p: p.stat().st_size)
    typical = feeds[len(feeds) // 2]
    print(f"\nserving {last.name}: 200s of a median agency feed ({typical.stat().st_size / 1e6:.1f} MB), 304s of "
          f"all.ics ({(last / 'feeds/all.ics').stat().st_size / 1e6:.1f} MB); 50 connections, 200 idle")
    for name, cmd in {"calgen serve": [sys.executable, "-m", "calgen", "serve", str(last), "--port", "{port}"],
                      "python -m http.server": [sys.executable, "-m", "http.server", "{port}", "--bind", "127.0.0.1",
                                                "--directory", str(last.resolve())]}.items():
        port = _free_port()
        proc = subprocess.Popen([c.format(port=port) for c in cmd], cwd=HERE.parent, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            _wait(port)
            for conditional in (False, True):
                path = "/feeds/all.ics" if conditional else f"/feeds/{typical.name}"
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
