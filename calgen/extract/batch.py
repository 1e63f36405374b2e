"""Many inputs at once: folders expanded, each file extracted alone, duplicates marked.

With ``jobs`` > 1 the files are extracted in worker processes.  A worker receives the
(picklable) Settings with its share of the files and loads its own Rules, so the result is the
same under every multiprocessing start method (fork, spawn, forkserver).
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from ..collector import gc_tuned, tune_gc
from ..errors import CalgenError, ReadingError
from ..model import Document
from ..rules import Rules
from ..settings import Settings
from .document import NOTICE_ONLY, extract_file, mark_duplicates

SUPPORTED = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf", ""})


def expand(inputs: list[str], errors: list[CalgenError] | None = None) -> tuple[list[str], list[str]]:
    """Files to read (folders walked recursively in a stable order) and notes on skipped ones;
    a folder that cannot be read is added to ``errors``."""
    files: list[str] = []
    notes: list[str] = []
    for raw in inputs:
        p = Path(raw)
        try:
            folder = p.is_dir()
        except OSError:                          # a name too long, a loop: read_file reports it
            folder = False
        if folder:
            if not os.access(p, os.R_OK | os.X_OK):
                if errors is not None:
                    errors.append(ReadingError("permission denied (folder)", file=raw,
                                               hint="make the folder readable, or pass the plans in it"))
                continue
            for child in sorted(p.rglob("*")):
                if child.is_symlink() and not child.exists():
                    notes.append(f"{child}: skipped (a broken or looping link)")
                elif child.is_dir():
                    continue
                elif not child.is_file():
                    notes.append(f"{child}: skipped (not a regular file)")
                elif child.suffix.lower() in SUPPORTED and not child.name.startswith("."):
                    files.append(str(child))
                else:
                    notes.append(f"{child}: skipped (unsupported file type {child.suffix or 'none'})")
        else:
            files.append(raw)
    return files, notes


def extract_many(inputs: list[str], rules: Rules, jobs: int = 1, strict: bool = False,
                 notes: list[str] | None = None, start_method: str | None = None,
                 ) -> tuple[list[Document], list[CalgenError]]:
    """Every document that can be read, and an error for each one that cannot; files skipped in
    folders are added to ``notes``.  Results come back in input order whatever ``jobs`` is.

        rules = Rules.load(Settings())
        docs, failures = extract_many(["plans/"], rules, jobs=2)
        for doc in docs:
            print(doc.name, [(t.path, [a.name for a in t.lead]) for t in doc.tasks])
    """
    failures: list[CalgenError] = []
    files, skipped = expand(inputs, failures)
    if notes is not None:
        notes.extend(skipped)
    docs: list[Document] = []
    with gc_tuned():                     # the documents live to the end: see collector.py
        for doc, err in _results(files, rules, jobs, start_method):
            if err is not None:
                failures.append(err)
                if strict:
                    break
            elif doc is not None:
                docs.append(doc)
        return mark_duplicates(docs), failures


def extract_one(f: str, rules: Rules) -> tuple[Document | None, CalgenError | None]:
    try:
        doc = extract_file(f, rules)
        if not doc.tasks and NOTICE_ONLY not in doc.warnings:
            raise ReadingError("no numbered tasks found (一、 (一) 1. …)", file=f, hint="is this a work plan?")
        return doc, None
    except CalgenError as e:
        return None, e.located(f)
    except (Exception, RecursionError) as e:   # noqa: BLE001 - one input never stops a build
        # A reader library's own failure (a malformed Word part, a PDF it cannot parse, memory
        # for one monstrous file): this file is reported, the rest goes on.
        kind = "not enough memory to read it" if isinstance(e, MemoryError) else f"{type(e).__name__}: {e}"
        return None, ReadingError(f"could not be read ({kind[:200]})", file=f,
                                  hint="check the file opens in its own program; if it does, report it to calgen's "
                                       "maintainers with the file")


def _chunk(args: tuple[Settings, list[str]]) -> list[tuple[Document | None, CalgenError | None]]:
    """Worker: load this process's own Rules from the Settings, extract a share of the files."""
    settings, files = args
    rules = Rules.load(settings)
    return [extract_one(f, rules) for f in files]


def _results(files: list[str], rules: Rules, jobs: int,
             start_method: str | None) -> Iterator[tuple[Document | None, CalgenError | None]]:
    if jobs <= 1 or len(files) < 2:
        for f in files:
            yield extract_one(f, rules)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Two chunks per worker: each chunk loads Rules once (~10 ms) and starts with cold memo
    # tables, so fewer, larger chunks; two keep the pool balanced when documents differ in size.
    size = max(1, -(-len(files) // (jobs * 2)))
    chunks = [(rules.settings, files[i:i + size]) for i in range(0, len(files), size)]
    context = multiprocessing.get_context(start_method) if start_method else None
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=tune_gc) as pool:
        for part in pool.map(_chunk, chunks):
            yield from part
