"""A Document as plain JSON data and back, for the manifest.

A build keeps every published document in the manifest so that the next build can publish it
again when its input fails to read or is missing (nothing a subscriber has is deleted because a
file could not be read), and can match tasks by their content when a plan is edited.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from ...model import Agency, Document, Kind, Milestone, Task


def _d(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _day(raw: Any) -> dt.date | None:
    return dt.date.fromisoformat(raw) if raw else None


def _agency(a: Agency) -> list[Any]:
    return [a.name, a.written, str(a.kind), a.slug, a.known]


def _milestone(m: Milestone) -> dict[str, Any]:
    out: dict[str, Any] = {"phrase": m.phrase, "kind": str(m.kind), "nominal": _d(m.nominal), "clause": m.clause,
                           "due": _d(m.due)}
    for key in ("note", "flags", "every", "reading"):
        if getattr(m, key):
            out[key] = list(getattr(m, key)) if key == "flags" else getattr(m, key)
    if m.anchor is not None:
        out["anchor"] = list(m.anchor)
    if m.span is not None:
        out["span"] = [m.span[0].isoformat(), m.span[1].isoformat()]
    return out


def _task(t: Task) -> dict[str, Any]:
    return {"id": t.id, "path": list(t.path), "title": t.title, "text": t.text, "line": t.line,
            "lead": [_agency(a) for a in t.lead], "responsible": [_agency(a) for a in t.responsible],
            "support": [_agency(a) for a in t.support], "milestones": [_milestone(m) for m in t.milestones]}


def doc_to_data(doc: Document) -> dict[str, Any]:
    return {"source": doc.source, "doc_number": doc.doc_number, "title": doc.title, "issuer": doc.issuer,
            "issued": _d(doc.issued), "plan_year": doc.plan_year, "jurisdiction": doc.jurisdiction,
            "content_hash": doc.content_hash, "sections": [list(s) for s in doc.sections],
            "tasks": [_task(t) for t in doc.tasks]}


def doc_from_data(data: dict[str, Any]) -> Document:
    """The inverse of :func:`doc_to_data` (warnings are not kept: they were reported then)."""
    def agency(raw: list[Any]) -> Agency:
        return Agency(raw[0], raw[1], raw[2], raw[3], bool(raw[4]))

    def milestone(raw: dict[str, Any]) -> Milestone:
        span = raw.get("span")
        return Milestone(raw["phrase"], Kind(raw["kind"]), _day(raw.get("nominal")), raw.get("clause", ""),
                         _day(raw.get("due")), raw.get("note", ""), tuple(raw.get("flags", ())),
                         raw.get("every", ""), tuple(raw["anchor"]) if raw.get("anchor") else None,
                         (dt.date.fromisoformat(span[0]), dt.date.fromisoformat(span[1])) if span else None,
                         raw.get("reading", ""))

    tasks = tuple(Task(t["id"], tuple(t["path"]), t["title"], t["text"], t["line"],
                       tuple(map(agency, t["lead"])), tuple(map(agency, t["responsible"])),
                       tuple(map(agency, t["support"])), tuple(map(milestone, t["milestones"])))
                  for t in data["tasks"])
    return Document(data["source"], data.get("doc_number"), data["title"], data.get("issuer"),
                    _day(data.get("issued")), data.get("plan_year"), data.get("jurisdiction"), tasks,
                    content_hash=data.get("content_hash", ""),
                    sections=tuple(tuple(s) for s in data.get("sections", ())))
