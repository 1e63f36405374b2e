"""Many inputs at once: folders expanded, each file extracted alone, duplicates marked."""
from __future__ import annotations

from pathlib import Path

from .errors import CalgenError, ReadingError
from .extract import extract_file, mark_duplicates
from .model import Document

SUPPORTED = {".txt", ".md", ".markdown", ".html", ".htm", ""}


def expand(inputs: list[str]) -> tuple[list[str], list[str]]:
    """Files to read (folders walked recursively in a stable order) and notes on skipped ones."""
    files: list[str] = []
    notes: list[str] = []
    for raw in inputs:
        p = Path(raw)
        if p.is_dir():
            for child in sorted(q for q in p.rglob("*") if q.is_file()):
                if child.suffix.lower() in SUPPORTED and not child.name.startswith("."):
                    files.append(str(child))
                else:
                    notes.append(f"{child}: skipped (unsupported file type {child.suffix or 'none'})")
        else:
            files.append(raw)
    return files, notes


def extract_many(inputs: list[str], roll: str = "preceding",
                 strict: bool = False) -> tuple[list[Document], list[CalgenError]]:
    """Every document that can be read, and an error for each one that cannot."""
    files, _ = expand(inputs)
    docs: list[Document] = []
    failures: list[CalgenError] = []
    for f in files:
        try:
            doc = extract_file(f, roll=roll)
            if not doc.tasks:
                raise ReadingError("no numbered tasks found (一、 (一) 1. …)", file=f,
                                   hint="is this a work plan?")
            docs.append(doc)
        except CalgenError as e:
            failures.append(e.located(f))
            if strict:
                break
    return mark_duplicates(docs), failures
