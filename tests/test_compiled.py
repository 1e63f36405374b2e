"""The modules setup.py compiles with mypyc: compiled where they can be, never older than their source."""
import importlib
import os
import shutil
import tomllib
from pathlib import Path

import pytest

from calgen import _check_compiled

ROOT = Path(__file__).resolve().parent.parent
COMPILED = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["calgen"]["compiled"]


def _module(path: str):
    return importlib.import_module(path.removesuffix(".py").replace("/", "."))


def test_the_listed_modules_exist():
    assert all((ROOT / p).is_file() and p.startswith("calgen/") for p in COMPILED)


def test_the_modules_are_compiled_where_a_c_compiler_is():
    """CI installs with a C compiler: the speed README reports is what CI built and tested."""
    if not shutil.which("cc") or os.environ.get("CALGEN_PURE"):
        pytest.skip("no C compiler (or CALGEN_PURE): the modules run as Python")
    if os.environ.get("CI") != "true" and not list(ROOT.glob("calgen/**/*.so")):
        pytest.skip("not built here (a checkout used without `pip install -e .`)")
    pure = [p for p in COMPILED if Path(_module(p).__file__ or "").suffix == ".py"]
    assert not pure, f"not compiled: {pure} (pip install -e . with a C compiler and mypy)"


@pytest.mark.parametrize(("checkout", "source_newer", "refused"), [
    (True, True, True),       # edited after compiling: importing calgen says to rebuild
    (True, False, False),
    (False, True, False),     # an installed copy (no pyproject.toml beside it) is not checked
])
def test_a_module_edited_after_it_was_compiled_is_refused(tmp_path, checkout, source_newer, refused):
    package = tmp_path / "calgen"
    (package / "extract").mkdir(parents=True)
    if checkout:
        (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    ext = package / "extract" / "deadlines.cpython-311-x86_64-linux-gnu.so"
    source = package / "extract" / "deadlines.py"
    ext.write_bytes(b"")
    source.write_text("", encoding="utf-8")
    older, newer = (ext, source) if source_newer else (source, ext)
    os.utime(older, (1_000_000, 1_000_000))
    os.utime(newer, (2_000_000, 2_000_000))
    if refused:
        with pytest.raises(ImportError, match=r"calgen/extract/deadlines.py changed after it was compiled"):
            _check_compiled(package)
    else:
        _check_compiled(package)
