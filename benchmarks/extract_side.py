"""Extraction side by side with an older checkout: CPU time and instructions, in one run.

    python benchmarks/extract_side.py --previous /path/to/older/checkout [--also /path/to/another]
                                      [--plans 1000] [--rounds 6] [--instructions 100]

Generates the benchmark corpus (benchmarks/bench.py's generator), then extracts it with this
tree and the older one in fresh processes, alternating them ``--rounds`` times; each process
warms up on 100 plans and prints the best CPU time of three extractions of the corpus.  CPU time
rather than wall time: on a shared machine the host takes time from the vCPUs at moments, which
wall time counts.  Printed: ms per plan and M characters/s for each tree (range and median) and
the ratio of each round's pair.  ``--also`` adds more checkouts to the rotation (this tree
the tree before a change, say).

With ``--instructions N`` (needs valgrind), each tree also extracts N plans under cachegrind,
once with and once without them, and the difference per plan is printed: machine instructions
are deterministic (the same count every run, whatever the host does), so a change of 1% shows,
where CPU time on this machine moves by ±5% from run to run.  They are not time: a pass of
``re`` over text costs many instructions that run fast, so the ratio of instructions is larger
than the ratio of CPU time.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import corpus  # noqa: E402

TIMED = """
import sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from calgen.rules import Rules
from calgen.extract.batch import extract_many
files = sorted(str(p) for p in Path(sys.argv[2]).glob("*.txt"))[:int(sys.argv[3])]
rules = Rules.load()
extract_many(files[:100], rules)
runs = []
for _ in range(3):
    t = time.process_time()
    extract_many(files, rules)
    runs.append(time.process_time() - t)
print(min(runs))
"""

COUNTED = """
import sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from calgen.rules import Rules
from calgen.extract.batch import extract_many
files = sorted(str(p) for p in Path(sys.argv[2]).glob("*.txt"))
rules = Rules.load()
extract_many(files[:20], rules)
n = int(sys.argv[3])
if n:
    extract_many(files[20:20 + n], rules)
"""


def timed(tree: Path, plans: Path, n: int) -> float:
    return float(subprocess.run([sys.executable, "-c", TIMED, str(tree), str(plans), str(n)], check=True,
                                capture_output=True, text=True, cwd=tempfile.gettempdir()).stdout)


def instructions(tree: Path, plans: Path, n: int) -> int:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    run = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                          sys.executable, "-c", COUNTED, str(tree), str(plans), str(n)],
                         check=True, capture_output=True, text=True, env=env, cwd=tempfile.gettempdir())
    line = next(x for x in run.stderr.splitlines() if "I   refs:" in x or "I refs:" in x)
    return int(line.split(":")[1].replace(",", "").split()[0])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--previous", type=Path, required=True, help="another checkout of calgen")
    ap.add_argument("--plans", type=int, default=1000)
    ap.add_argument("--also", type=Path, action="append", default=[], help="another checkout to time alongside")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--instructions", type=int, default=0, help="plans to count instructions on (valgrind)")
    args = ap.parse_args()
    trees = {"this tree": HERE.parent, "previous": args.previous.resolve(),
             **{str(p): p.resolve() for p in args.also}}
    with tempfile.TemporaryDirectory(prefix="calgen-side-") as tmp:
        plans = Path(tmp) / "plans"
        paths = corpus(plans, max(args.plans, 20 + args.instructions))
        chars = sum(len(p.read_text(encoding="utf-8")) for p in paths[:args.plans])
        secs: dict[str, list[float]] = {name: [] for name in trees}
        for _ in range(args.rounds):
            for name, tree in trees.items():
                secs[name].append(timed(tree, plans, args.plans))
        print(f"corpus: {args.plans} generated plans, {chars / 1e6:.1f} M characters; "
              f"{args.rounds} rounds, the trees alternating, best CPU time of 3 extractions per process")
        for name, runs in secs.items():
            rates = sorted(chars / s / 1e6 for s in runs)
            print(f"  {name:<10} {1000 * statistics.median(runs) / args.plans:6.2f} ms/plan (median)  "
                  f"{rates[0]:.2f}–{rates[-1]:.2f} M characters/s, median {statistics.median(rates):.2f}")
        for name in secs:
            if name not in ("this tree", "previous"):
                print(f"  {name} is {statistics.median(secs['previous']) / statistics.median(secs[name]):.2f}× "
                      "the previous (medians)")
        pairs = sorted(p / t for p, t in zip(secs["previous"], secs["this tree"]))
        print(f"  this tree is {statistics.median(secs['previous']) / statistics.median(secs['this tree']):.2f}× "
              f"the previous (medians); round by round {pairs[0]:.2f}–{pairs[-1]:.2f}×")
        if args.instructions:
            counts = {}
            for name, tree in list(trees.items())[:2]:
                counts[name] = (instructions(tree, plans, args.instructions) - instructions(tree, plans, 0)) / args.instructions
                print(f"  {name:<10} {counts[name] / 1e6:6.2f} M instructions/plan (cachegrind, {args.instructions} plans)")
            print(f"  instructions: this tree is {counts['previous'] / counts['this tree']:.2f}× the previous")


if __name__ == "__main__":
    main()
