"""The sample plan bundled with calgen (written for it in the genre; not a real document)."""
from __future__ import annotations

from pathlib import Path


def sample_path() -> Path:
    return Path(__file__).resolve().parent / "data" / "sample_plan.txt"
