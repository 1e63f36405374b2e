"""Documents → the JSON shape of ../shared/gold/SCHEMA.md (``calgen_schema: 1``)."""
from __future__ import annotations

import json
from typing import Any

from ...errors import shown
from ...model import Document, Milestone, Task

SCHEMA_VERSION = 1


def dumps(docs: list[Document]) -> str:
    """The schema JSON with one document per line.  (json.dumps with indent= falls back to the
    pure-Python encoder, 10× slower on province-sized builds.)"""
    body = ",\n".join(json.dumps(document_json(d), ensure_ascii=False) for d in docs)
    return f'{{"calgen_schema": {SCHEMA_VERSION}, "documents": [\n{body}\n]}}\n'


def documents_json(docs: list[Document]) -> dict[str, Any]:
    return {"calgen_schema": SCHEMA_VERSION, "documents": [document_json(d) for d in docs]}


def document_json(d: Document) -> dict[str, Any]:
    return {
        "source": shown(d.source),
        "duplicate_of": d.duplicate_of,
        "doc_number": d.doc_number,
        "title": d.title,
        "issuer": d.issuer,
        "issued": d.issued.isoformat() if d.issued else None,
        "plan_year": d.plan_year,
        "jurisdiction": d.jurisdiction,
        "warnings": list(d.warnings),
        "tasks": [task_json(t) for t in d.tasks],
    }


def task_json(t: Task) -> dict[str, Any]:
    return {
        "id": t.id,
        "path": list(t.path),
        "title": t.title,
        "text": t.text,
        # As the plan writes them (Simplified, shared prefix expanded), the schema's form;
        # "agencies" adds the registry's canonical name and feed slug for each.
        "lead": [a.written for a in t.lead],
        "responsible": [a.written for a in t.responsible],
        "support": [a.written for a in t.support],
        "agencies": [{"role": role, "name": a.name, "written": a.written, "kind": a.kind,
                      "slug": a.slug, "known": a.known} for role, a in t.agencies()],
        "milestones": [milestone_json(m) for m in t.milestones],
    }


def milestone_json(m: Milestone) -> dict[str, Any]:
    out: dict[str, Any] = {
        "phrase": m.phrase,
        "kind": m.kind,
        "nominal": m.nominal.isoformat() if m.nominal else None,
        "due": m.due.isoformat() if m.due else None,
        "clause": m.clause,
    }
    if m.span:
        out["span"] = [m.span[0].isoformat(), m.span[1].isoformat()]
    if m.every:
        out["every"] = m.every
    if m.anchor:
        out["anchor"] = list(m.anchor)
    if m.reading:
        out["reading"] = m.reading
    if m.note:
        out["note"] = m.note
    if m.flags:
        out["flags"] = list(m.flags)
    return out
