"""Many inputs at once: folders expanded, each file extracted alone, duplicates marked."""
from __future__ import annotations

from pathlib import Path

from .errors import CalgenError, ReadingError
from .extract import extract_file, mark_duplicates
from .model import Document

SUPPORTED = {".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf", ""}


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


def extract_many(inputs: list[str], roll: str = "preceding", strict: bool = False,
                 jobs: int = 1, notes: list[str] | None = None) -> tuple[list[Document], list[CalgenError]]:
    """Every document that can be read, and an error for each one that cannot; files skipped in
    folders are added to ``notes``.

    With ``jobs`` > 1 the files are extracted in that many processes; results come back in
    input order, so the output is the same as with one."""
    files, skipped = expand(inputs)
    if notes is not None:
        notes.extend(skipped)
    docs: list[Document] = []
    failures: list[CalgenError] = []
    for _f, doc, err in _results(files, roll, jobs):
        if err is not None:
            failures.append(err)
            if strict:
                break
        else:
            docs.append(doc)
    return mark_duplicates(docs), failures


def _one(f: str, roll: str) -> tuple[Document | None, CalgenError | None]:
    try:
        doc = extract_file(f, roll=roll)
        if not doc.tasks:
            raise ReadingError("no numbered tasks found (一、 (一) 1. …)", file=f, hint="is this a work plan?")
        return doc, None
    except CalgenError as e:
        return None, e.located(f)


def _one_portable(args: tuple[str, str, bool]) -> tuple[Document | None, str | None]:
    """Worker-process form: errors travel as their one-line text."""
    from . import workdays

    f, roll, assume = args
    workdays.set_assume_weekdays(assume)
    doc, err = _one(f, roll)
    return doc, (str(err) if err else None)


def _results(files: list[str], roll: str, jobs: int):
    if jobs <= 1 or len(files) < 2:
        for f in files:
            doc, err = _one(f, roll)
            yield f, doc, err
        return
    from concurrent.futures import ProcessPoolExecutor

    from .workdays import _ASSUME

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        args = [(f, roll, _ASSUME[0]) for f in files]
        for f, (doc, err) in zip(files, pool.map(_one_portable, args, chunksize=max(1, len(files) // (jobs * 8)))):
            yield f, doc, (CalgenError(err) if err else None)
