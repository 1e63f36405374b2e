"""iCalendar feeds Outlook accepts: all-day VEVENTs with DATE values and an exclusive DTEND.

icalendar is imported here only, so commands that write no feed never load it.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ...errors import CalgenError
from ...limits import CLAUSE_EXCERPT, DESCRIPTION_EXCERPT, SUMMARY_TITLE
from ...model import CLAUSE_WORD, ROLES, Agency
from .events import ROLE_CN, CalEvent

PRODID = "-//calgen//Chinese work plan deadlines//ZH"
TTL = "PT12H"


def calname(text: str) -> str:
    """X-WR-CALNAME without , ; \\ or line breaks (Outlook shows them escaped)."""
    return re.sub(r"[,;\\\n\r]+", " ", text).strip()


def dtstamp(ev: CalEvent, epoch: int | None = None) -> dt.datetime:
    """From SOURCE_DATE_EPOCH, else the plan's issue date: never the clock."""
    return _stamp(ev.doc.issued or dt.date(ev.doc.plan_year or 1970, 1, 1), epoch)


def _stamp(day: dt.date, epoch: int | None = None) -> dt.datetime:
    if epoch is not None:
        return dt.datetime.fromtimestamp(epoch, dt.UTC)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


END = b"END:VCALENDAR\r\n"


def head(name: str, description: str) -> bytes:
    """A VCALENDAR's properties, without its END line — the bytes icalendar writes for them
    (tests/test_ics.py compares the two); written here because a national build opens tens of
    thousands of feeds and icalendar's Calendar costs ~0.3 ms each."""
    lines = [b"BEGIN:VCALENDAR", b"VERSION:2.0", b"PRODID:" + _text(PRODID), b"CALSCALE:GREGORIAN",
             b"METHOD:PUBLISH", b"X-WR-CALDESC:" + _text(description), b"X-WR-CALNAME:" + _text(calname(name)),
             b"REFRESH-INTERVAL;VALUE=DURATION:" + TTL.encode(), b"X-PUBLISHED-TTL:" + TTL.encode(),
             b"X-WR-TIMEZONE:Asia/Shanghai"]
    return b"".join(fold(line) for line in lines)


def distinct_summaries(evs: list[CalEvent], agency: Agency | None) -> list[str]:
    """Each event's summary; two events of one feed on one day never look the same: what
    tells them apart is added where they collide — the task's number, then the clause, then
    the plan's 文号 (or title), then the UID."""
    out = [summary(ev, agency) for ev in evs]
    for tell in (lambda ev: f"〔{'.'.join(p.strip('()（）.、') for p in ev.task.path)}〕",   # two tasks
                 lambda ev: f"「{ev.clause[:24]}」" if ev.clause else "",                  # one task, two clauses
                 lambda ev: f"〔{ev.doc.doc_number or ev.doc.name[:20]}〕",                # two plans
                 lambda ev: f"#{ev.uid[:6]}"):                                             # nothing else differs
        seen = Counter((t, ev.due) for t, ev in zip(out, evs, strict=True))
        if all(n == 1 for n in seen.values()):
            break
        out = [t + tell(ev) if seen[(t, ev.due)] > 1 else t for t, ev in zip(out, evs, strict=True)]
    return out


def summary(ev: CalEvent, agency: Agency | None) -> str:
    pending = "【待定】" if "unconfirmed" in ev.flags else ""
    if agency is not None:
        roles = "/".join(ROLE_CN[r] for r in ev.roles_of(agency))
        return f"{pending}【{roles}】{ev.phrase}：{_cut(ev.task.title, SUMMARY_TITLE)}"
    lead = "、".join(a.name for a in ev.task.lead) or "、".join(a.name for a in ev.task.responsible)
    return f"{pending}{ev.phrase}：{_cut(ev.task.title, SUMMARY_TITLE)}" + (f"（{lead}）" if lead else "")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def description(ev: CalEvent) -> str:
    """What the event is about: the clause and a bounded excerpt of the task (limits.py), so a
    feed grows with the number of events, not with events × task length."""
    t, d = ev.task, ev.doc
    lines = [f"{CLAUSE_WORD.get(ev.kind, '应完成')}：{_cut(ev.clause, CLAUSE_EXCERPT)}" if ev.clause else "", ""]
    for role in ROLES:
        names = "、".join(a.name for a in getattr(t, role))
        if names:
            lines.append(f"{ROLE_CN[role]}：{names}")
    if ev.nominal != ev.due or ev.note:
        lines.append(f"文件所定日期：{ev.nominal.isoformat()}；到期工作日：{ev.due.isoformat()}")
    if ev.note:
        lines.append(f"说明：{ev.note}")
    if "estimated" in ev.flags:
        lines.append("估算：该年度节假日安排尚未公布，仅按周末推算")
    excerpt = t.text if len(t.text) <= DESCRIPTION_EXCERPT else t.text[:DESCRIPTION_EXCERPT] + "…（全文见 tasks.json）"
    lines += ["", f"任务 {' '.join(t.path)}：{excerpt}", "",
              f"文件：{d.label}"]
    return "\n".join(line for line in lines).strip()


def fold(line: bytes) -> bytes:
    """RFC 5545 folding at 75 octets, never inside a UTF-8 character: the longest piece that
    fits and ends before a character's first byte (continuation lines start with a space, so
    their pieces are 74).  ``line`` is UTF-8 (what :func:`_text` makes)."""
    if len(line) <= 75:
        return line + b"\r\n"
    first = _FIRST_PIECE.match(line)
    assert first is not None
    return b"\r\n ".join([first.group(), *_NEXT_PIECES.findall(line, first.end())]) + b"\r\n"


# at most 75 (then 74) bytes, not followed by a UTF-8 continuation byte
_FIRST_PIECE = re.compile(rb".{1,75}(?![\x80-\xbf])", re.S)
_NEXT_PIECES = re.compile(rb".{1,74}(?![\x80-\xbf])", re.S)


def _text(value: str) -> bytes:
    """A TEXT value escaped as RFC 5545 §3.3.11 says (the same rules as icalendar's vText).
    Chained str.replace, not str.translate with a dict: the same bytes, 18× faster (measured);
    most values (Chinese text uses full-width ，；) need none, which one search tells."""
    if _ESCAPED.search(value) is None:
        return value.encode("utf-8")
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r", "")
            .replace("\n", "\\n").encode("utf-8"))


_ESCAPED = re.compile("[\\\\;,\r\n]")


def event_body(ev: CalEvent, epoch: int | None = None) -> bytes:
    """An event's lines after its SUMMARY: dates, description, category, free/busy.

    Values are escaped as icalendar's vText does; lines are folded by :func:`fold` (the fixed
    lines are short).  Writing the lines here instead of through icalendar's Component.to_ical
    is a measured choice: that path spent 80% of a 2,000-plan build folding the same long
    descriptions over and over.
    """
    stamp = dtstamp(ev, epoch)
    end = ev.due + dt.timedelta(days=1)
    head = b"DTSTAMP:%04d%02d%02dT%02d%02d%02dZ\r\nDTSTART;VALUE=DATE:%04d%02d%02d\r\nDTEND;VALUE=DATE:%04d%02d%02d\r\n" % (
        stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second,
        ev.due.year, ev.due.month, ev.due.day, end.year, end.month, end.day)
    parts = [head, fold(b"DESCRIPTION:" + _text(description(ev)))]
    if ev.doc.doc_number:
        parts.append(fold(b"CATEGORIES:" + _text(ev.doc.doc_number)))
    parts.append(_FREE)
    return b"".join(parts)


def reminder_body(ev: CalEvent, day: dt.date, left: int, due: dt.date, epoch: int | None = None) -> bytes:
    """A 【提醒】 event's lines after its SUMMARY: on ``day``, ``left`` working days before
    ``due`` (the event's due date, or the new one of an extension) — an ordinary all-day event:
    alarms do not survive subscription."""
    from ...calendar.workdays import weekday

    stamp = dtstamp(ev, epoch)
    end = day + dt.timedelta(days=1)
    head = b"DTSTAMP:%04d%02d%02dT%02d%02d%02dZ\r\nDTSTART;VALUE=DATE:%04d%02d%02d\r\nDTEND;VALUE=DATE:%04d%02d%02d\r\n" % (
        stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second,
        day.year, day.month, day.day, end.year, end.month, end.day)
    text = f"还有{left}个工作日到期：{due.isoformat()}（{weekday(due)}）\n\n" + description(ev)
    parts = [head, fold(b"DESCRIPTION:" + _text(text))]
    if ev.doc.doc_number:
        parts.append(fold(b"CATEGORIES:" + _text(ev.doc.doc_number)))
    parts.append(_FREE)
    return b"".join(parts)


_FREE = b"TRANSP:TRANSPARENT\r\nX-MICROSOFT-CDO-BUSYSTATUS:FREE\r\nX-MICROSOFT-CDO-ALLDAYEVENT:TRUE\r\n"


def assemble(uid: str, sequence: int, title: str, body: bytes, alarms: tuple[dt.timedelta, ...] = ()) -> bytes:
    """A whole VEVENT from the parts a feed decides (UID, SEQUENCE, SUMMARY, reminders) and
    the event's :func:`event_body`."""
    parts = [b"BEGIN:VEVENT\r\nUID:", _text(uid), b"\r\nSEQUENCE:%d\r\n" % sequence, fold(b"SUMMARY:" + _text(title)),
             body]
    for before in alarms:
        parts += [b"BEGIN:VALARM\r\nACTION:DISPLAY\r\n", fold(b"TRIGGER:" + _duration(-before)),
                  fold(b"DESCRIPTION:" + _text(title)), b"END:VALARM\r\n"]
    parts.append(b"END:VEVENT\r\n")
    return b"".join(parts)


def _duration(delta: dt.timedelta) -> bytes:
    from icalendar.prop import vDuration

    return vDuration(delta).to_ical()


def cancelled_event(uid: str, due: str, text: str, sequence: int, epoch: int | None = None) -> bytes:
    """An event withdrawn since the last build, shown once as STATUS:CANCELLED."""
    from icalendar import Event

    day = dt.date.fromisoformat(due)
    e = Event()
    e.add("uid", uid)
    e.add("dtstamp", _stamp(day, epoch))
    e.add("sequence", sequence)
    e.add("status", "CANCELLED")
    e.add("summary", f"【已取消】{text}")
    e.add("dtstart", day)
    e.add("dtend", day + dt.timedelta(days=1))
    e.add("transp", "TRANSPARENT")
    e.add("x-microsoft-cdo-busystatus", "FREE")
    return e.to_ical()


# --- the holiday overlay ------------------------------------------------------------------

@dataclass(frozen=True)
class DayMark:
    """One block of State Council rest days, or one 调休 working day, as an overlay event."""

    uid: str
    start: dt.date
    end: dt.date            # inclusive
    summary: str
    description: str

    @property
    def fingerprint(self) -> str:
        import hashlib

        raw = f"{self.start}|{self.end}|{self.summary}|{self.description}"
        return hashlib.sha1(raw.encode()).hexdigest()[:16]


def day_marks(cal, years: Iterable[int]) -> list[DayMark]:
    """Rest blocks and makeup working days of ``years`` (those the calendar covers), for
    ``feeds/holidays.ics``: so a due date on a Saturday reads as the 调休 working day it is."""
    wanted = sorted(y for y in set(years) if y in cal.years)
    rest = sorted((d, n) for y in wanted for d, n in cal.years[y].rest.items())
    out: list[DayMark] = []
    block: list[tuple[dt.date, str]] = []

    def close() -> None:
        if not block:
            return
        (a, name), b = block[0], block[-1][0]
        n = (b - a).days + 1
        span = f"{_md(a)}至{_md(b)}" if n > 1 else _md(a)
        out.append(DayMark(f"cn-rest-{a:%Y%m%d}@calgen", a, b, f"【休】{name}放假" + (f"（共{n}天）" if n > 1 else ""),
                           f"{span}放假（{name}），共{n}天。\n来源：{_source(cal, b.year)}"))
        block.clear()

    for day, name in rest:
        if block and (day - block[-1][0] > dt.timedelta(days=1) or name != block[-1][1]):
            close()
        block.append((day, name))
    close()
    for y in wanted:
        for day, name in sorted(cal.years[y].makeup.items()):
            if day.year != y:
                continue
            out.append(DayMark(f"cn-work-{day:%Y%m%d}@calgen", day, day, f"【班】调休上班（{name}）",
                               f"{_md(day)}（周{'一二三四五六日'[day.weekday()]}）为调休工作日（{name}），"
                               f"按工作日计算期限。\n来源：{_source(cal, y)}"))
    return sorted(out, key=lambda m: (m.start, m.uid))


def _md(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _source(cal, year: int) -> str:
    y = cal.years.get(year)
    src = y.source if y else ""
    if not src or src.startswith("chinese-calendar"):
        return f"国务院办公厅关于{year}年部分节假日安排的通知（数据：chinese-calendar）"
    return src


def holiday_feed(marks: list[DayMark], sequences: dict[str, int], withdrawn: Iterable[tuple[str, str, str]],
                 epoch: int | None = None) -> bytes:
    """``feeds/holidays.ics``: an overlay calendar of rest days and 调休 working days."""
    from icalendar import Event

    parts = [head("中国法定节假日与调休上班日", "国务院办公厅节假日安排：放假日与调休上班日（calgen）")]
    for m in marks:
        e = Event()
        e.add("uid", m.uid)
        e.add("dtstamp", _stamp(m.start, epoch))
        e.add("sequence", sequences.get(m.uid, 0))
        e.add("summary", m.summary)
        e.add("dtstart", m.start)
        e.add("dtend", m.end + dt.timedelta(days=1))
        e.add("description", m.description)
        e.add("transp", "TRANSPARENT")
        e.add("x-microsoft-cdo-busystatus", "FREE")
        parts.append(e.to_ical())
    parts += [cancelled_event(uid, start, text, sequences.get(uid, 0), epoch)
              for uid, start, text in withdrawn]
    parts.append(END)
    return b"".join(parts)


def parse_alarms(spec: str) -> tuple[dt.timedelta, ...]:
    """'7d,1d,2h' → (7 days, 1 day, 2 hours)."""
    out = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        m = re.fullmatch(r"(\d+)([dhw])", part)
        if not m:
            raise CalgenError(f"bad alarm {part!r}", hint="write e.g. 7d,1d or 12h")
        n = int(m.group(1))
        if n > {"d": 366, "h": 24 * 366, "w": 53}[m.group(2)]:
            raise CalgenError(f"alarm {part!r} is more than a year before the deadline",
                              hint="write e.g. 7d,1d or 12h (at most 366d, 53w or 8784h)")
        out.append({"d": dt.timedelta(days=n), "h": dt.timedelta(hours=n),
                    "w": dt.timedelta(weeks=n)}[m.group(2)])
    return tuple(out)
