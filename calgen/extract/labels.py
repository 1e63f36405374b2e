"""The field labels plans write before agencies, dates and progress: the one owner of that
vocabulary in code (agencies and outline read it from here; table headers are
``mappings/columns.toml``, the deadline words ``mappings/phrases.toml``).

A role label is any short "X单位/部门/处室/科室/机构：" whose role word X decides the role:
牵头/主办/主责 → lead, 配合/协同/协办/协作/协助/参与/支持 → support, anything else (责任, 负责, 承办,
实施, 落实, 主管) → responsible.  So 承办单位, 协同部门 or 责任处室 read like 牵头单位/责任单位/配合单位,
and a label never stays inside an agency's name.
"""
from __future__ import annotations

import re
from types import MappingProxyType

_ROLE_WORDS = "牵头|主办|主责|责任|负责|承办|实施|落实|主管|配合|协同|协办|协作|协助|参与|支持"
_UNITS = "单位|部门|处室|科室|机构"
ROLE_LABEL = rf"(?:{_ROLE_WORDS})(?:{_UNITS})"
LEADER_LABEL = r"(?:牵头|责任|分管)领导"                      # a person, never an agency
TIME_LABEL = r"完成时限|完成时间|时间节点|完成期限|时限要求|时间要求|办结时限"
PROGRESS_LABEL = r"完成状态|完成情况|进展情况|存在(?:的)?问题|下一步(?:工作)?(?:安排|计划|打算)"

_ROLE_OF_WORD = MappingProxyType({"牵头": "lead", "主办": "lead", "主责": "lead",
                                  "配合": "support", "协同": "support", "协办": "support", "协作": "support",
                                  "协助": "support", "参与": "support", "支持": "support"})

# a line that is one of a task's fields (it belongs to the task above it)
FIELD_LINE = re.compile(rf"^(?:{ROLE_LABEL}|{LEADER_LABEL}|{TIME_LABEL}|{PROGRESS_LABEL})[：:]")


def role_of_label(label: str) -> str:
    """牵头单位 → lead; 配合单位, 协同部门 → support; 责任单位, 承办单位, 责任处室 → responsible."""
    return _ROLE_OF_WORD.get(label[:2], "responsible")
