"""evolve: dataclasses.replace for the frozen domain classes, without a call to __init__."""
import dataclasses
from dataclasses import dataclass, field

import pytest

from calgen.model import Milestone
from calgen.records import evolve


@dataclass(frozen=True)
class _Rec:
    a: str
    b: int = 1
    c: tuple[str, ...] = ()
    d: bool = field(default=False, kw_only=True)


@pytest.mark.parametrize("changes", [{}, {"c": ("y",)}, {"a": "z", "d": False}, {"b": 7}])
def test_evolve_is_replace(changes) -> None:
    x = _Rec("x", 2, d=True)
    assert evolve(x, **changes) == dataclasses.replace(x, **changes)
    assert type(evolve(x, **changes)) is _Rec and evolve(x, **changes) is not x


def test_evolve_refuses_a_name_that_is_not_a_field() -> None:
    with pytest.raises(TypeError, match="has no field e"):
        evolve(_Rec("x"), e=1)


def test_the_copy_is_as_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        evolve(_Rec("x"), a="z").a = "w"  # type: ignore[misc]


def test_a_domain_class_evolves_like_replace() -> None:
    m = Milestone.__new__(Milestone)
    fields = {f.name: None for f in dataclasses.fields(Milestone)}
    object.__getattribute__(m, "__dict__").update(fields)
    first = dataclasses.fields(Milestone)[0].name
    assert evolve(m, **{first: "x"}) == dataclasses.replace(m, **{first: "x"})
