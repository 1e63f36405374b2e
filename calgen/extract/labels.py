"""The field labels plans write before agencies, dates and progress, and the sentences stating a
plan's own conventions: ``mappings/labels.toml``, loaded once into a :class:`Labels` (held by the
agency :class:`~calgen.extract.registry.Registry`, which reads agency mentions) and read by
outline (field lines), agencies (roles, stated rules) and deadlines (time fields).

A role label is any "<role word><unit>：" (牵头单位, 承办单位, 协同部门, 责任处室 …); its role word decides
the role, so a label never stays inside an agency's name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from ..errors import MappingError
from ..mappings import load_toml


@dataclass(frozen=True, eq=False)
class Labels:
    role_label: str                         # regex source: any role label, without its colon
    role_of_word: MappingProxyType[str, str]
    labelled: re.Pattern[str]               # a role label and its colon, the label captured
    role_words: re.Pattern[str]             # what makes a bracket an agency field
    field_line: re.Pattern[str]             # a line that is one of a task's fields
    field_comma: re.Pattern[str]            # a comma between two labelled fields
    first_is_lead: re.Pattern[str]
    standing: re.Pattern[str]
    same: re.Pattern[str]                   # 下同: a note, no agency
    not_again: re.Pattern[str]              # 不再列出: a note, no agency
    time_endings: tuple[str, ...]           # X时限：, X节点： … introduce a time limit
    guidance: re.Pattern[str]               # (X指导): guidance, none of the three roles

    def role_of(self, label: str) -> str:
        """牵头单位 → lead; 配合单位, 协同部门 → support; 责任单位, 承办单位, 责任处室 → responsible."""
        return self.role_of_word.get(label[:2], "responsible")


def load_labels(path: Path) -> Labels:
    data = load_toml(path)

    def words(section: str, key: str) -> list[str]:
        value = data.get(section, {}).get(key)
        if not isinstance(value, list) or not value or not all(isinstance(x, str) and x for x in value):
            raise MappingError(f"[{section}] {key} must be a list of words", file=str(path))
        return value

    def pattern(key: str) -> re.Pattern[str]:
        value = data.get("stated", {}).get(key)
        if not isinstance(value, str):
            raise MappingError(f"[stated] {key} must be a regular expression", file=str(path))
        try:
            return re.compile(value)
        except re.error as e:
            raise MappingError(f"[stated] {key}: {e}", file=str(path)) from None

    role_words = {w: role for role in ("lead", "support", "responsible") for w in words("role", role)}
    if any(len(w) != 2 for w in role_words):
        raise MappingError("[role] words are two characters (牵头, 协同 …)", file=str(path))
    alt = "|".join(sorted(role_words, key=len, reverse=True))
    units = "|".join(words("role", "units"))
    division = "|".join(map(re.escape, sorted(words("role", "division"), key=len, reverse=True)))
    role_label = rf"(?:(?:{alt})(?:责任)?(?:{units})|{division})"
    others = "|".join(map(re.escape, words("person", "labels") + words("time", "labels") + words("progress", "labels")))
    unit_colon = "|".join(f"{u}[：:]" for u in words("role", "units"))
    return Labels(
        role_label=role_label,
        role_of_word=MappingProxyType({w: r for w, r in role_words.items() if r != "responsible"}),
        labelled=re.compile(rf"({role_label})[：:]\s*"),
        role_words=re.compile(rf"牵头|负责|配合|协助|参与|协办|协同|承办|{unit_colon}"),
        field_line=re.compile(rf"^(?:{role_label}|{others})[：:]"),
        field_comma=re.compile(rf"[，,](?={role_label}[：:])"),
        first_is_lead=pattern("first_is_lead"),
        standing=pattern("standing"),
        same=pattern("same"),
        not_again=pattern("not_again"),
        time_endings=tuple(words("time", "endings")),
        guidance=re.compile("(?:" + "|".join(map(re.escape, sorted(words("guidance", "words"), key=len, reverse=True)))
                            + r")$"),
    )
