"""Score extraction on any corpus that has gold answers, one row per document.

    python benchmarks/score_corpus.py DOCS_DIR GOLD_DIR [DOCS_DIR GOLD_DIR …] [--score PATH]

Each DOCS_DIR holds documents (dNN.txt …) and its GOLD_DIR the gold JSON files of the same
names (``../shared/gold/SCHEMA.md``).  The documents are extracted with this tree's calgen
(as `calgen extract --format json`), the gold folders are put together, and the corpus's own
scorer (default ``../shared/tools/score.py``) prints a row per document and the totals; the
documents calgen refused are counted and named.  Example, the development corpus:

    python benchmarks/score_corpus.py ../shared/realworld/docs ../shared/realworld/gold \\
        ../shared/realworld/full/docs ../shared/realworld/full/gold

Every figure on ../shared is a development figure: calgen's rules were written looking at it.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pairs", nargs="+", type=Path, help="DOCS_DIR GOLD_DIR, repeated")
    ap.add_argument("--score", type=Path, default=HERE.parent.parent / "shared" / "tools" / "score.py")
    args = ap.parse_args()
    if len(args.pairs) % 2:
        ap.error("give DOCS_DIR GOLD_DIR pairs")
    from calgen.extract.batch import extract_many
    from calgen.publish.store.schema import dumps
    from calgen.rules import Rules

    docs_dirs, gold_dirs = args.pairs[0::2], args.pairs[1::2]
    files = [str(p) for d in docs_dirs for p in sorted(d.iterdir()) if p.is_file()]
    docs, failures = extract_many(files, Rules.load())
    with tempfile.TemporaryDirectory() as tmp:
        gold = Path(tmp) / "gold"
        gold.mkdir()
        for g in gold_dirs:
            for f in g.glob("*.json"):
                shutil.copy(f, gold / f.name)
        pred = Path(tmp) / "pred.json"
        pred.write_text(dumps(docs), encoding="utf-8")
        print(f"{len(files)} documents, {len(failures)} refused" +
              "".join(f"\n  refused: {e}" for e in failures))
        return subprocess.call([sys.executable, str(args.score), str(gold), str(pred)])


if __name__ == "__main__":
    sys.exit(main())
