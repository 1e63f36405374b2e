"""Scheduler.schedule: due dates, flags and notes, the same whether or not they were worked out before."""
import datetime as dt

import pytest

from calgen.calendar.scheduler import Scheduler
from calgen.model import Kind, Milestone

from .conftest import RULES

D = dt.date


@pytest.mark.parametrize(("kind", "nominal", "issued", "due", "flags"), [
    (Kind.DEADLINE, D(2018, 12, 31), D(2018, 3, 1), D(2018, 12, 29), ()),           # Sat 29th is a makeup working day
    (Kind.DEADLINE, D(2023, 10, 1), D(2023, 3, 1), D(2023, 9, 28), ()),             # National Day: back to the last working day
    (Kind.START, D(2023, 10, 1), D(2023, 3, 1), D(2023, 10, 7), ()),                # a start goes forward (Sat 7th is worked)
    (Kind.DEADLINE, D(2023, 2, 28), D(2023, 3, 1), D(2023, 2, 28), ("before_issue",)),
    (Kind.DEADLINE, D(2040, 6, 30), D(2040, 3, 1), D(2040, 6, 30), ("unconfirmed",)),  # no holiday data for that year
])
def test_schedule_is_the_same_the_second_time_and_for_a_fresh_scheduler(kind, nominal, issued, due, flags):
    m = Milestone("x", kind, nominal, "完成")
    first = RULES.scheduler.schedule(m, issued)
    assert (first.due, first.flags) == (due, flags)
    assert RULES.scheduler.schedule(m, issued) == first
    fresh = Scheduler(RULES.calendar, RULES.scheduler.roll).schedule(evolve_clause(m), issued)
    assert fresh == evolve_clause(first)


def evolve_clause(m: Milestone) -> Milestone:
    """Another milestone with the same date (what the memo shares is its date's fields only)."""
    return Milestone("y", m.kind, m.nominal, "另一项", due=m.due, note=m.note, flags=m.flags)


def test_an_undated_milestone_is_left_as_it_is():
    m = Milestone("5个工作日内", Kind.DURATION, None, "办结")
    assert RULES.scheduler.schedule(m, None) is m
