"""The modules setup.py compiles with mypyc: listed once, current, and compiled where they can be."""
import importlib
import os
import shutil
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPILED = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["calgen"]["compiled"]


def _module(path: str):
    return importlib.import_module(path.removesuffix(".py").replace("/", "."))


@pytest.mark.parametrize("path", COMPILED)
def test_a_compiled_module_is_as_new_as_its_source(path):
    """An extension older than its .py would run old code: reinstall (pip install -e .) after
    editing a compiled module.  (Python imports an extension before a .py of the same name.)"""
    source = ROOT / path
    assert source.is_file()
    loaded = Path(_module(path).__file__ or "")
    if loaded.suffix == ".py":
        return
    assert loaded.stat().st_mtime >= source.stat().st_mtime, (
        f"{loaded.name} is older than {path}: run `pip install -e .` again to compile it")


def test_the_modules_are_compiled_where_a_c_compiler_is():
    """CI installs with a C compiler: the speed README reports is what CI built and tested."""
    if not shutil.which("cc") or os.environ.get("CALGEN_PURE"):
        pytest.skip("no C compiler (or CALGEN_PURE): the modules run as Python")
    if os.environ.get("CI") != "true" and not list(ROOT.glob("calgen/**/*.so")):
        pytest.skip("not built here (a checkout used without `pip install -e .`)")
    pure = [p for p in COMPILED if Path(_module(p).__file__ or "").suffix == ".py"]
    assert not pure, f"not compiled: {pure} (pip install -e . with a C compiler and mypy)"
