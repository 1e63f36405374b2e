"""calgen.toml in the working folder: defaults for every build option (CLI options win)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import MappingError

KEYS = {"inputs": list, "output": str, "roll": str, "alarms": str, "base_url": str, "mappings": list,
        "calendar_files": list, "keep_removed": bool, "strict": bool}

EXAMPLE = '''# calgen.toml — defaults for `calgen build`; every key is also a command-line option.

# Plans to read: files or folders (folders are read recursively).
inputs = ["plans/"]

# Where feeds, gantt.csv, gantt.html, tasks.json and manifest.json go.
output = "output"

# A deadline on a rest day moves to the preceding working day (preceding | following | none).
roll = "preceding"

# Reminders before each deadline, e.g. "7d,1d".  Outlook and Google Calendar usually ignore
# alarms in subscribed calendars; they work when a feed is imported.
alarms = ""

# Public address the feeds are served from, for the links on output/feeds/index.html.
base_url = ""

# Extra agency registries (same format as mappings/agencies.toml).
mappings = []

# Holiday arrangements for years chinese-calendar does not cover yet (mappings/holidays/ format).
calendar_files = []

# Keep removed events one more cycle as STATUS:CANCELLED so subscribers see the cancellation.
keep_removed = false

# Stop at the first bad document instead of reporting it and going on.
strict = false
'''


def load(path: Path = Path("calgen.toml")) -> dict[str, Any]:
    if not path.exists():
        return {}
    from .mappings import load_toml

    data = load_toml(path)
    for key, value in data.items():
        kind = KEYS.get(key)
        if kind is None:
            raise MappingError(f"unknown key {key!r}", file=str(path), hint=f"known keys: {', '.join(KEYS)}")
        if not isinstance(value, kind):
            raise MappingError(f"{key} must be a {kind.__name__}", file=str(path))
    return data
