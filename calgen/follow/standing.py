"""A ledger row's state as of a date, on the Chinese working-day calendar.

The words are those of 督办 practice (亮灯: red for 逾期, yellow for 临期):

=========  ==================================================================================
state      when
=========  ==================================================================================
按期完成    reported 已完成 or 已销号 with a 完成日期 on or before the due date in force
逾期完成    reported done, 完成日期 after the due date in force
延期        reported 申请延期 with a 新到期日 not yet passed (both dates shown)
逾期        not done and the due date in force has passed (a 延期 whose new date has passed too)
临期        not done and due within N working days (N = ``soon_days``, default 5; today counts 0)
未到期      not done, due later
无时限      a task without a date, not reported done
=========  ==================================================================================

"The due date in force" is the working-day due date, or the 新到期日 of a 申请延期 (also once the
row is reported done with the 新到期日 still on it).  Working days
are counted on the same :class:`~calgen.calendar.workdays.Calendar` every due date comes from.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from ..calendar.workdays import Calendar
from ..errors import CalendarCoverageError

# What an agency writes in the ledger's 状态 column (the drop-down offers exactly these).
REPORTED = ("未开始", "推进中", "已完成", "申请延期", "已销号")
DONE = frozenset({"已完成", "已销号"})
EXTENSION = "申请延期"


class State(StrEnum):
    ON_TIME = "按期完成"
    LATE_DONE = "逾期完成"
    EXTENDED = "延期"
    OVERDUE = "逾期"
    DUE_SOON = "临期"
    OPEN = "未到期"
    UNDATED = "无时限"

    @property
    def done(self) -> bool:
        return self in (State.ON_TIME, State.LATE_DONE)


# The prefix a feed's summary gets (none for 未到期 and 无时限).
PREFIX = MappingProxyType({State.ON_TIME: "【已完成】", State.LATE_DONE: "【已完成】", State.EXTENDED: "【延期】",
                           State.OVERDUE: "【逾期】", State.DUE_SOON: "【临期】"})
# Colours shared by the Gantt page, the workbooks and the report (red/yellow lights of 督办).
COLOUR = MappingProxyType({State.ON_TIME: "#2B8A3E", State.LATE_DONE: "#74B816", State.EXTENDED: "#7048E8",
                           State.OVERDUE: "#C92A2A", State.DUE_SOON: "#F08C00", State.OPEN: "#1C7ED6",
                           State.UNDATED: "#868E96"})


@dataclass(frozen=True, slots=True)
class Record:
    """One status an agency reported for one row, and where it came from."""

    id: str
    status: str                      # one of REPORTED
    done: dt.date | None = None      # 完成日期
    new_due: dt.date | None = None   # 新到期日 (with 申请延期)
    progress: str = ""               # 进展情况
    evidence: str = ""               # 佐证材料
    source: str = ""                 # the returned file
    sheet: str = ""
    row: int = 0
    recorded: str = ""               # when it was imported (UTC, ISO 8601)

    def same_report(self, other: Record) -> bool:
        """The same fill-in values (a file imported twice records nothing new)."""
        return (self.status, self.done, self.new_due, self.progress, self.evidence) == \
            (other.status, other.done, other.new_due, other.progress, other.evidence)


@dataclass(frozen=True, slots=True)
class Standing:
    state: State
    due: dt.date | None              # the working-day due date of the plan
    in_force: dt.date | None         # the due date in force (new_due for an extension)
    workdays_left: int | None        # working days after as_of up to the date in force (0: due today)
    record: Record | None


def standing(due: dt.date | None, record: Record | None, as_of: dt.date, calendar: Calendar,
             soon_days: int = 5) -> Standing:
    """The state of a row due on ``due`` (None: undated) with the latest ``record``, as of
    ``as_of``."""
    # a 新到期日 counts while the row asks for the extension, and once it is done (the agency
    # leaves the date it was extended to on the row)
    in_force = record.new_due if record and record.new_due and (record.status == EXTENSION or record.status in DONE) \
        and (due is None or record.new_due > due) else due
    if record is not None and record.status in DONE:
        late = record.done is not None and in_force is not None and record.done > in_force
        return Standing(State.LATE_DONE if late else State.ON_TIME, due, in_force, None, record)
    if in_force is None:
        return Standing(State.UNDATED, due, None, None, record)
    if in_force < as_of:
        return Standing(State.OVERDUE, due, in_force, None, record)
    try:
        left: int | None = calendar.workdays_between(as_of + dt.timedelta(days=1), in_force)
    except CalendarCoverageError:                       # a year without holiday data: no count
        left = None
    if record is not None and record.status == EXTENSION and in_force != due:
        return Standing(State.EXTENDED, due, in_force, left, record)
    if left is None:
        # Working days cannot be counted; 临期 while the date is near enough that it might be
        # (no span of 3·N + 21 calendar days holds N working days or fewer, whatever the holidays).
        near = (in_force - as_of).days <= 3 * soon_days + 21
        return Standing(State.DUE_SOON if near else State.OPEN, due, in_force, None, record)
    return Standing(State.DUE_SOON if left <= soon_days else State.OPEN, due, in_force, left, record)


_WORST = (State.OVERDUE, State.DUE_SOON, State.EXTENDED, State.OPEN, State.UNDATED, State.LATE_DONE, State.ON_TIME)


def overall(states: list[State]) -> State | None:
    """A task's state from its rows': done when all are done (逾期完成 when any was late),
    else the most urgent of the open ones."""
    if not states:
        return None
    return min(states, key=_WORST.index)


EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value: object) -> dt.date | None:
    """A date as a returned ledger holds it: an Excel date (or its serial number), 2026-03-31, 2026/3/31, 2026.3.31,
    2026年3月31日, 20260331.  None for an empty cell; ValueError for anything else (never a guess)."""
    import re

    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_pydatetime"):              # a pandas Timestamp
        return value.to_pydatetime().date()
    if isinstance(value, float) and value != value:   # NaN: an empty cell read by pandas
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 <= value < 80000 \
            and float(value).is_integer():
        return EXCEL_EPOCH + dt.timedelta(days=int(value))   # a date cell that lost its date format
    text = str(value).strip()
    if not text or text.lower() in ("nan", "nat", "none"):
        return None
    text = re.sub(r"\s+00:00(:00)?$", "", text)
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if not m:
        raise ValueError(f"{text!r} is not a date")
    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
