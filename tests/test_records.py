"""quick_init: the same frozen dataclass, made faster."""
import dataclasses
import inspect
import pickle
from dataclasses import dataclass, field

import pytest

from calgen.model import Agency, Document, Milestone, Task
from calgen.records import evolve, quick_init


@dataclass(frozen=True)
class _Plain:
    a: str
    b: int = 1
    c: tuple[str, ...] = ()
    d: bool = field(default=False, kw_only=True)


@quick_init
@dataclass(frozen=True)
class _Fast:
    a: str
    b: int = 1
    c: tuple[str, ...] = ()
    d: bool = field(default=False, kw_only=True)


_FAST = _Fast


def _params(cls: type) -> list[tuple[str, object, object]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(cls.__init__).parameters.values()]


def test_same_signature_as_the_dataclass() -> None:
    assert _params(_FAST) == _params(_Plain)


@pytest.mark.parametrize("cls", [Agency, Milestone, Task, Document])
def test_domain_classes_keep_their_signature(cls: type) -> None:
    plain = dataclass(frozen=True)(type(cls.__name__, (), {"__annotations__": cls.__annotations__,
                                                            **{f.name: f for f in dataclasses.fields(cls)}}))
    assert _params(cls) == _params(plain)


def test_behaves_like_a_frozen_dataclass() -> None:
    x = _FAST("x", 2, d=True)
    assert (x.a, x.b, x.c, x.d) == ("x", 2, (), True)
    assert x == _FAST("x", 2, d=True) and hash(x) == hash(_FAST("x", 2, d=True))
    assert dataclasses.replace(x, b=3).b == 3
    assert pickle.loads(pickle.dumps(x)) == x
    with pytest.raises(dataclasses.FrozenInstanceError):
        x.a = "y"  # type: ignore[misc]
    with pytest.raises(TypeError):
        _FAST()  # type: ignore[call-arg]


@pytest.mark.parametrize("body", [
    {"__annotations__": {"a": list}, "a": field(default_factory=list)},
    {"__annotations__": {"a": int}, "__post_init__": lambda self: None},
])
def test_refuses_what_it_cannot_copy(body: dict[str, object]) -> None:
    with pytest.raises(TypeError):
        quick_init(dataclass(frozen=True)(type("X", (), dict(body))))


def test_refuses_a_class_that_is_not_frozen() -> None:
    with pytest.raises(TypeError):
        quick_init(dataclass(type("X", (), {"__annotations__": {"a": int}})))


def test_evolve_is_replace() -> None:
    x = _Fast("x", 2, d=True)
    assert evolve(x, c=("y",)) == dataclasses.replace(x, c=("y",))
    assert type(evolve(x)) is _Fast and evolve(x) is not x
    with pytest.raises(TypeError):
        evolve(x, e=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        evolve(x, a="z").a = "w"  # type: ignore[misc]
