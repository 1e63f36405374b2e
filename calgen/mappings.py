"""Load the plain data files under mappings/ once, validated.

The folder is found in this order: the ``CALGEN_MAPPINGS`` environment variable, a
``mappings/`` folder beside the package (a source checkout), then the copy installed with the
package.  Extra files can be added with :func:`add_extra` (the CLI's ``--mappings`` option).
"""
from __future__ import annotations

import os
import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import MappingError

_EXTRA: list[Path] = []


def folder() -> Path:
    env = os.environ.get("CALGEN_MAPPINGS")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "mappings", here / "_mappings"):
        if (candidate / "agencies.toml").exists():
            return candidate
    raise MappingError("mappings folder not found", hint="set CALGEN_MAPPINGS to the mappings/ folder")


def load_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise MappingError("mapping file not found", file=str(path)) from None
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+)", str(e))
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(e))
        raise MappingError(f"TOML syntax error: {msg}", file=str(path),
                           line=int(m.group(1)) if m else None,
                           hint="fix the line and run again") from None


def add_extra(path: str | Path) -> None:
    """Register an extra agencies file (same format as agencies.toml); clears the caches."""
    _EXTRA.append(Path(path))
    clear_caches()


def clear_caches() -> None:
    for fn in (vocabulary, phrases, agency_tables):
        fn.cache_clear()
    from . import agencies, workdays

    for fn in (agencies.registry, agencies._resolve, agencies._bracket_roles, agencies._labelled_roles,
               agencies.make_slug):
        fn.cache_clear()
    workdays.clear_cache()


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, str]:
    """Taiwan-vocabulary → mainland replacements applied after OpenCC."""
    data = load_toml(folder() / "vocabulary.toml")
    return {k: v for k, v in data.get("replace", {}).items() if isinstance(v, str)}


@lru_cache(maxsize=1)
def phrases() -> dict[str, Any]:
    return load_toml(folder() / "phrases.toml")


@lru_cache(maxsize=1)
def agency_tables() -> list[tuple[Path, dict[str, Any]]]:
    """agencies.toml plus any extra files, each with its path for error messages."""
    paths = [folder() / "agencies.toml", *_EXTRA]
    return [(p, load_toml(p)) for p in paths]
