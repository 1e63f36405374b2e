"""`calgen check`: the Outlook requirements, checked on every .ics file in a folder."""
from __future__ import annotations

import re
from pathlib import Path

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
REQUIRED_CAL = ("VERSION", "PRODID", "METHOD", "X-WR-CALNAME", "X-WR-CALDESC", "X-WR-TIMEZONE",
                "REFRESH-INTERVAL", "X-PUBLISHED-TTL")
REQUIRED_EVENT = ("UID", "DTSTAMP", "SEQUENCE", "SUMMARY", "DTSTART", "DTEND", "TRANSP",
                  "X-MICROSOFT-CDO-BUSYSTATUS")


def check_feed(data: bytes) -> list[str]:
    """Problems found in one feed ([] when it is fine)."""
    problems: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        problems.append("starts with a BOM")
    if re.search(rb"(?<!\r)\n", data):
        problems.append("line ends are not CRLF")
    for no, line in enumerate(data.split(b"\r\n"), 1):
        if len(line) > 75:
            problems.append(f"line {no} is {len(line)} octets (max 75)")
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(f"line {no} splits a UTF-8 character")
            continue
        bad = _CONTROL.search(text)
        if bad:
            problems.append(f"line {no} contains the control character U+{ord(bad.group()):04X}")
    try:
        from icalendar import Calendar

        cal = Calendar.from_ical(data)
    except Exception as e:          # icalendar raises ValueError and friends for bad input
        return problems + [f"does not parse: {e}"]
    problems += _calendar_props(cal, data)
    for ev in cal.walk("VEVENT"):
        problems += _event_props(ev)
    return problems


def _calendar_props(cal, data: bytes) -> list[str]:
    out = [f"calendar lacks {p}" for p in REQUIRED_CAL if p not in cal]
    if cal.get("METHOD") and str(cal.get("METHOD")) != "PUBLISH":
        out.append("METHOD is not PUBLISH")
    name = str(cal.get("X-WR-CALNAME", ""))
    if re.search(r"[,;\\\n]", name):
        out.append("X-WR-CALNAME contains , ; \\ or a line break")
    if b"REFRESH-INTERVAL;VALUE=DURATION:" not in data:
        out.append("REFRESH-INTERVAL lacks VALUE=DURATION")
    if not re.search(rb"X-PUBLISHED-TTL:P", data):
        out.append("X-PUBLISHED-TTL is not an ISO 8601 duration")
    tzids = set(re.findall(rb"TZID=([^:;]+)", data))
    defined = {tz.get("TZID").encode() for tz in cal.walk("VTIMEZONE")}
    out += [f"TZID {t.decode()} has no VTIMEZONE" for t in tzids - defined]
    return out


def _event_props(ev) -> list[str]:
    uid = str(ev.get("UID", "?"))
    out = [f"event {uid} lacks {p}" for p in REQUIRED_EVENT if p not in ev]
    start, end = ev.get("DTSTART"), ev.get("DTEND")
    if start is not None and end is not None:
        s, e = start.dt, end.dt
        if hasattr(s, "hour") or hasattr(e, "hour"):
            out.append(f"event {uid} is not all-day (DATE values)")
        elif (e - s).days < 1:
            out.append(f"event {uid} DTEND is not after DTSTART (it is exclusive for all-day events)")
    stamp = ev.get("DTSTAMP")
    if stamp is not None and getattr(stamp.dt, "tzinfo", None) is None:
        out.append(f"event {uid} DTSTAMP is not UTC")
    return out


def check_folder(folder: Path) -> dict[str, list[str]]:
    files = sorted(_feeds_in(folder)) if folder.is_dir() else [folder]
    return {str(f): check_feed(f.read_bytes()) for f in files}


def _feeds_in(folder: Path) -> list[Path]:
    """Every .ics under ``folder`` as readers see it: links followed (``feeds`` is one in a
    built output folder), hidden folders (the generation store) skipped."""
    import os

    out = []
    for here, dirs, files in os.walk(folder, followlinks=True):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        out += [Path(here, f) for f in files if f.endswith(".ics") and not f.startswith(".")]
    return out
