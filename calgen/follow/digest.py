"""Per-agency digests: what falls due in the next N working days and what is overdue
(``calgen digest``) — the reminder that arrives, since subscribed calendars drop alarms.

Each agency named in a row (any role; not collectives such as 各区人民政府, which have no
mailbox) gets one digest when it has something in it, as plain
text (ready to paste into 企业微信 or 钉钉) and HTML (for mail).  ``send`` mails them through an
SMTP server to the addresses in calgen.toml's ``[contacts]``; an agency without an address is
reported, never guessed.
"""
from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..calendar.workdays import Calendar, weekday
from ..errors import OutputError
from .standing import State
from .stats import Line, lines


@dataclass
class Digest:
    agency: str
    name: str                           # file name (the agency's feed name where it has one)
    soon: list[Line] = field(default_factory=list)
    late: list[Line] = field(default_factory=list)

    @property
    def subject(self) -> str:
        return f"【督办提醒】{self.agency}：{len(self.soon)}项临近到期、{len(self.late)}项逾期"

    def text(self, as_of: dt.date, days: int) -> str:
        out = [f"{self.agency}：", f"截至{as_of.year}年{as_of.month}月{as_of.day}日，"
               f"{days}个工作日内到期{len(self.soon)}项，逾期未完成{len(self.late)}项。"]
        for title, items in ((f"一、{days}个工作日内到期", self.soon), ("二、逾期未完成", self.late)):
            if not items:
                continue
            out += ["", title]
            for i, x in enumerate(items, 1):
                out.append(f"{i}. {_item(x)}")
        out += ["", "请在台账中报送进展情况（状态、完成日期、进展情况）。"]
        return "\n".join(out) + "\n"

    def html(self, as_of: dt.date, days: int) -> str:
        def block(title: str, items: list[Line], colour: str) -> str:
            if not items:
                return ""
            lis = "".join(f"<li>{html.escape(_item(x))}</li>" for x in items)
            return f"<h3 style=\"color:{colour}\">{html.escape(title)}（{len(items)}项）</h3><ol>{lis}</ol>"

        return ("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                f"<title>{html.escape(self.subject)}</title></head><body style=\"font-family:'Microsoft YaHei',"
                f"'PingFang SC',sans-serif\"><h2>{html.escape(self.agency)}</h2>"
                f"<p>截至 {as_of.isoformat()}（{weekday(as_of)}）</p>"
                + block(f"{days}个工作日内到期", self.soon, "#F08C00") + block("逾期未完成", self.late, "#C92A2A")
                + "<p>请在台账中报送进展情况（状态、完成日期、进展情况）。</p></body></html>")


def _item(x: Line) -> str:
    due = x.standing.in_force
    assert due is not None
    when = f"{due.isoformat()}（{weekday(due)}）"
    if x.standing.state is State.OVERDUE:
        when += "，已逾期"
    elif x.standing.workdays_left is not None:
        when += "，今天到期" if x.standing.workdays_left == 0 else f"，还有{x.standing.workdays_left}个工作日"
    if x.standing.due and x.standing.due != due:
        when += f"（已申请延期，原到期日 {x.standing.due.isoformat()}）"
    node = f"【{x.row.node}】" if x.row.node else ""
    return f"{node}{x.row.task} —— {when}；牵头：{x.row.lead or '未明确'}；文件：{x.row.plan}"


def digests(output: Path, calendar: Calendar, as_of: dt.date, days: int, soon_days: int | None = None) -> list[Digest]:
    """One digest per agency with something due within ``days`` working days or overdue."""
    found = lines(output, calendar, as_of, soon_days if soon_days is not None else days)
    names = _feed_names(output)
    out: dict[str, Digest] = {}
    for x in found:
        st = x.standing
        late = st.state is State.OVERDUE
        soon = not late and not st.state.done and st.in_force is not None and \
            (st.workdays_left is not None and st.workdays_left <= days or
             st.workdays_left is None and st.state is State.DUE_SOON)
        if not (late or soon):
            continue
        groups = set(x.row.groups.split("、"))
        for agency in dict.fromkeys(n for n in x.owners + x.supporters if n not in groups):   # no mailbox
            d = out.setdefault(agency, Digest(agency, names.get(agency) or _file_name(agency)))
            (d.late if late else d.soon).append(x)
    for d in out.values():
        d.soon.sort(key=lambda x: (x.standing.in_force or dt.date.max, x.row.task))
        d.late.sort(key=lambda x: (x.standing.in_force or dt.date.max, x.row.task))
    return sorted(out.values(), key=lambda d: d.agency)


def _feed_names(output: Path) -> dict[str, str]:
    """Agency → its feed name (manifest.json's owners), so a digest is named like the feed."""
    try:
        return dict(json.loads((output / "manifest.json").read_bytes()).get("owners", {}))
    except (OSError, ValueError, AttributeError):
        return {}


def _file_name(agency: str) -> str:
    import hashlib

    return "agency-" + hashlib.sha1(agency.encode()).hexdigest()[:10]


def write(found: list[Digest], folder: Path, as_of: dt.date, days: int) -> list[Path]:
    """``<name>.txt`` and ``<name>.html`` per agency and an ``index.html``, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for d in found:
        for ext, data in ((".txt", d.text(as_of, days)), (".html", d.html(as_of, days))):
            path = folder / f"{d.name}{ext}"
            path.write_text(data, encoding="utf-8")
            paths.append(path)
    items = "".join(f"<li><a href=\"{html.escape(d.name)}.html\">{html.escape(d.agency)}</a>："
                    f"临近到期 {len(d.soon)} 项，逾期 {len(d.late)} 项（<a href=\"{html.escape(d.name)}.txt\">文本</a>）</li>"
                    for d in found)
    index = folder / "index.html"
    index.write_text("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>督办提醒</title></head>"
                     f"<body><h1>督办提醒（截至 {as_of.isoformat()}）</h1><ul>{items}</ul></body></html>",
                     encoding="utf-8")
    paths.append(index)
    return paths


@dataclass
class Sent:
    sent: list[str] = field(default_factory=list)
    no_address: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def send(found: Iterable[Digest], contacts: Mapping[str, str], host: str, port: int, sender: str,
         as_of: dt.date, days: int, starttls: bool = False, user: str = "", password: str = "",
         timeout: float = 30) -> Sent:
    """Mail each digest to its agency's address (``contacts``) through one SMTP connection; a
    refused recipient is reported and the others still go."""
    import smtplib
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    out = Sent()
    todo = []
    for d in found:
        if d.agency in contacts:
            todo.append(d)
        else:
            out.no_address.append(d.agency)
    if not todo:
        return out
    try:
        with smtplib.SMTP(host, port, timeout=timeout) as smtp:
            if starttls:
                smtp.starttls()
            if user:
                smtp.login(user, password)
            for d in todo:
                msg = EmailMessage()
                msg["Subject"] = d.subject
                msg["From"] = sender
                msg["To"] = contacts[d.agency]
                msg["Date"] = formatdate(localtime=True)
                msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
                msg.set_content(d.text(as_of, days))
                msg.add_alternative(d.html(as_of, days), subtype="html")
                try:
                    smtp.send_message(msg)
                    out.sent.append(f"{d.agency} <{contacts[d.agency]}>")
                except smtplib.SMTPRecipientsRefused as e:
                    out.failed.append(f"{d.agency} <{contacts[d.agency]}>: refused ({e})")
    except (OSError, smtplib.SMTPException) as e:
        raise OutputError(f"cannot send through {host}:{port} ({e})", file=f"smtp://{host}:{port}",
                          hint="check --smtp, --port and the server's credentials; the digests are written "
                               "to disk all the same") from None
    return out
