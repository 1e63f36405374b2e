"""Finding and parsing the plain data files under mappings/ (no caching: see calgen.rules).

The folder is, in this order: ``Settings.mappings_dir``, the ``CALGEN_MAPPINGS`` environment
variable, a ``mappings/`` folder beside the package (a source checkout), then the copy installed
with the package.
"""
from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from .errors import MappingError


def find_folder(explicit: Path | None = None) -> Path:
    if explicit is not None:
        if not (explicit / "agencies.toml").exists():
            raise MappingError("not a mappings folder (no agencies.toml)", file=str(explicit))
        return explicit
    env = os.environ.get("CALGEN_MAPPINGS")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "mappings", here / "_mappings"):
        if (candidate / "agencies.toml").exists():
            return candidate
    raise MappingError("mappings folder not found", hint="set CALGEN_MAPPINGS to the mappings/ folder")


MAX_TOML_BYTES = 5_000_000


def load_toml(path: Path) -> dict[str, Any]:
    """A TOML file; every failure is one MappingError naming the file (and line).  Only a
    regular file of at most :data:`MAX_TOML_BYTES` is read (not /dev/zero, not a FIFO)."""
    try:
        if path.exists() and not path.is_file():
            raise MappingError("not a regular file", file=str(path), hint="name a .toml file")
        if path.exists() and path.stat().st_size > MAX_TOML_BYTES:
            raise MappingError(f"larger than {MAX_TOML_BYTES // 1_000_000} MB", file=str(path),
                               hint="a mappings or calendar file is a few KB; is this the right file?")
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise MappingError("file not found", file=str(path)) from None
    except IsADirectoryError:
        raise MappingError("is a folder, not a TOML file", file=str(path)) from None
    except PermissionError:
        raise MappingError("permission denied", file=str(path)) from None
    except UnicodeDecodeError as e:
        raise MappingError(f"not UTF-8 (byte {e.start})", file=str(path),
                           hint="save the file as UTF-8") from None
    except RecursionError:
        raise MappingError("nested too deeply to read", file=str(path), hint="check the file's brackets") from None
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+)", str(e))
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(e))
        raise MappingError(f"TOML syntax error: {msg}", file=str(path),
                           line=int(m.group(1)) if m else None,
                           hint="fix the line and run again") from None
