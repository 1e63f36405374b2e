"""Write calgen/data/opencc_t2s.toml from the installed OpenCC's dictionaries.

    python scripts/opencc_gate.py

Run it after upgrading OpenCC (tests/test_reading.py fails when the file and OpenCC disagree).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import opencc  # noqa: E402

from calgen.read.opencc_gate import changing_keys, data_file, render  # noqa: E402

if __name__ == "__main__":
    keys = changing_keys()
    data_file().write_text(render(opencc.__version__, keys), encoding="utf-8")
    print(f"{data_file()}: {len(keys)} changing keys of OpenCC {opencc.__version__}")
