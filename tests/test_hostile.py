"""Broken and hostile input (#16): every case is (input → exit code, the one line, what was
kept); no traceback anywhere."""
import datetime as dt
import os

import pytest
from click.testing import CliRunner

from calgen.cli import cli

PLAN = "示范市人民政府办公室\n2023年3月1日\n一、任务\n(一)推进改革。6月底前完成。(示范市财政局牵头)\n"


def run(args, cwd, env=None):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        r = CliRunner().invoke(cli, args, env=env or {})
    finally:
        os.chdir(old)
    assert "Traceback" not in r.output and (r.exception is None or isinstance(r.exception, SystemExit)), r.output
    return r


@pytest.fixture
def site(tmp_path):
    (tmp_path / "plan.txt").write_text(PLAN, encoding="utf-8")
    return tmp_path


# --- data files and options: (file name, bytes) → the one line ------------------------------
CONFIG = [
    ('roll = "sideways"\n', "roll: 'sideways' is not allowed — use one of preceding, following, none"),
    ('roll = "preceeding"\n', "roll: 'preceeding' is not allowed"),
    ("inputs = [1, 2]\n", "inputs must be a list of files or folders (non-empty strings)"),
    ('roll = "\xff"\n', "not UTF-8"),
    ("strict = 1\n", "strict must be a bool"),
    ("colour = true\n", "unknown key 'colour'"),
    ("withdrawn = [3]\n", "withdrawn must be a list of plan files removed on purpose"),
    ("[[inputs]\n", "TOML syntax error"),
]


@pytest.mark.parametrize("text,line", CONFIG)
def test_calgen_toml_problems_are_one_line(site, text, line):
    (site / "calgen.toml").write_bytes(text.encode("utf-8", "surrogateescape") if "\xff" not in text
                                       else b'roll = "\xff"\n')
    r = run(["build", "plan.txt", "-o", "out"], site)
    assert r.exit_code == 1 and line in r.output and r.output.count("\n") == 1
    assert not (site / "out").exists()


MAPPINGS = [
    ('agency = "x"\n', "'agency' must be a list of [[agency]] tables"),
    ('[[agency]]\nname = "示范市某局"\njurisdiction = "示范市"\nkind = "department"\naliases = [1]\n',
     "aliases must be a list of non-empty strings"),
    ('[[agency]]\nname = "示范市某局"\njurisdiction = "示范市"\nkind = "department"\naliases = "某局"\n',
     "aliases must be a list of non-empty strings"),
    ('[patterns]\ngroup = [""]\n', "[patterns] group must be"),
    ('[[agency]]\nname = "示范市某局"\n', "has no jurisdiction"),
]


@pytest.mark.parametrize("text,line", MAPPINGS)
def test_mappings_file_problems_are_one_line(site, text, line):
    (site / "extra.toml").write_text(text, encoding="utf-8")
    r = run(["--mappings", "extra.toml", "build", "plan.txt", "-o", "out"], site)
    assert r.exit_code == 1 and line in r.output and "extra.toml" in r.output
    assert not (site / "out").exists()


HEAD = 'year = 2027\ncomplete = true\nsource = "国务院办公厅关于2027年部分节假日安排的通知"\n'
CALENDARS = [
    (HEAD + 'holiday = "春节"\n', "'holiday' must be a list of [[holiday]] tables"),
    (HEAD + '[[holiday]]\nname = "春节"\nstart = 2027-02-05\nend = 2027-02-11\nworkdays = [2027-02-06]\n',
     "makeup working day 2027-02-06 is inside the 春节 holiday"),
    (HEAD + '[[holiday]]\nname = "春节"\nstart = 2027-02-05\nend = 2027-02-11\n\n'
            '[[holiday]]\nname = "元旦"\nstart = 2027-02-10\nend = 2027-02-12\n', "is in both 春节 and 元旦"),
    (HEAD + '[[holiday]]\nname = "春节"\nstart = 2025-02-01\nend = 2025-02-07\n', "is not in 2027"),
    (HEAD + 'workdays = [2029-01-06]\n[[holiday]]\nname = "元旦"\nstart = 2027-01-01\n', "2029-01-06 is not in 2027"),
    (HEAD + '[[holiday]]\nname = "圣诞节"\nstart = 2027-12-25\n', "is not a statutory holiday"),
    (HEAD + 'workdays = [2027-02-09]\n[[holiday]]\nname = "元旦"\nstart = 2027-01-01\n', "is a 周二, not a weekend"),
]


@pytest.mark.parametrize("text,line", CALENDARS)
def test_calendar_file_problems_are_one_line(site, text, line):
    (site / "2027.toml").write_text(text, encoding="utf-8")
    r = run(["--calendar-file", "2027.toml", "build", "plan.txt", "-o", "out"], site)
    assert r.exit_code == 1 and line in r.output and "2027.toml" in r.output


@pytest.mark.parametrize("value,line", [
    ("abc", "SOURCE_DATE_EPOCH='abc' is not a Unix timestamp"),
    ("99999999999999999", "is after the year 9999"),
    ("-5", "is not a Unix timestamp"),
])
def test_environment_values_are_checked(site, value, line):
    r = run(["build", "plan.txt", "-o", "out"], site, env={"SOURCE_DATE_EPOCH": value})
    assert r.exit_code == 1 and line in r.output


def test_source_date_epoch_sets_dtstamp(site):
    r = run(["build", "plan.txt", "-o", "out"], site, env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert r.exit_code == 0 and "DTSTAMP:20231114T221320Z" in (site / "out" / "feeds" / "all.ics").read_text()


@pytest.mark.parametrize("manifest,problem", [
    ("[1, 2]", "a list, not an object"),
    ('{"events": {"x": {}}}', "events['x'].due is missing"),
    ('{"documents": {"a.txt": {}}}', "documents['a.txt'] cannot be read"),
    ('{"events": {"x": {"due": "2023-06-30", "sequence": -1, "summary": "s", "fingerprint": "f"}}}',
     "events['x'].sequence is negative"),
    ("{not json", "not JSON"),
])
def test_a_bad_manifest_is_set_aside_and_the_build_goes_on(site, manifest, problem):
    assert run(["build", "plan.txt", "-o", "out"], site).exit_code == 0
    (site / "out" / ".current" / "manifest.json").write_text(manifest, encoding="utf-8")
    r = run(["build", "plan.txt", "-o", "out"], site)
    assert r.exit_code == 0 and f"set aside ({problem}" in r.output
    assert (site / "out" / ".manifest-rejected.json").read_text(encoding="utf-8") == manifest
    assert "6月底前" in (site / "out" / "feeds" / "all.ics").read_text(encoding="utf-8")


# --- bytes ---------------------------------------------------------------------------------------

def _flip(data: bytes, at: int) -> bytes:
    b = bytearray(data)
    b[at] = 0xFF
    return bytes(b)


def test_one_stray_byte_costs_one_character_not_the_plan(site):
    data = PLAN.encode()
    at = data.index("改革".encode())
    (site / "plan.txt").write_bytes(_flip(data, at + 1))
    r = run(["build", "plan.txt", "-o", "out"], site)
    assert r.exit_code == 0 and f"plan.txt: line 4: byte {at} (0xe6 0xff " in r.output
    assert "is not UTF-8; read as one lost character" in r.output
    assert "推进\ufffd革" in (site / "out" / "tasks.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("seed", range(20))
def test_any_single_byte_change_keeps_the_plan(site, seed):
    import random

    data = ("示范市人民政府办公室关于印发示范市2023年工作要点的通知\n示府办〔2023〕1号\n2023年3月1日\n一、任务\n"
            + "".join(f"({n})推进第{n}项改革，{m}月底前完成。(示范市财政局牵头)\n"
                      for n, m in zip("一二三四五六七八", range(3, 11)))).encode()
    rng = random.Random(seed)
    at = rng.randrange(len(data))
    (site / "plan.txt").write_bytes(_flip(data, at))
    r = run(["build", "plan.txt", "-o", "out"], site)
    assert r.exit_code == 0, r.output
    assert "is not UTF-8; read as one lost character" in r.output


def test_utf16_without_bom_is_read(site):
    (site / "plan.txt").write_bytes(PLAN.encode("utf-16-le"))
    r = run(["build", "plan.txt", "-o", "out"], site)
    assert r.exit_code == 0 and "6月底前" in (site / "out" / "feeds" / "all.ics").read_text(encoding="utf-8")


def test_control_characters_never_reach_the_outputs(site):
    text = PLAN.replace("推进改革", "推进\x0b改\x1c革\u2028") + "x" * 5000 + "\x00\n"
    (site / "plan.txt").write_text(text, encoding="utf-8")
    r = run(["build", "plan.txt", "-o", "out"], site)
    assert r.exit_code == 0 and "control character(s) removed" in r.output
    for name in ("feeds/all.ics", "gantt.csv", "tasks.json", "gantt.html"):
        data = (site / "out" / name).read_text(encoding="utf-8-sig")
        assert not any(ch in data for ch in "\x00\x0b\x1c\u2028"), name
    assert run(["check", "out"], site).exit_code == 0


def test_check_fails_a_feed_with_control_characters(site):
    from calgen.publish.feeds.check import check_feed

    feed = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\nSUMMARY:a\x0bb\r\n"
            b"END:VEVENT\r\nEND:VCALENDAR\r\n")
    assert any("control character U+000B" in p for p in check_feed(feed))


# --- resources --------------------------------------------------------------------------------------

def test_a_64k_line_of_deadlines_stays_linear(site):
    (site / "plan.txt").write_text("示范市人民政府办公室\n2023年3月1日\n一、任务\n(一)推进。" + "6月底前完成，" * 9000
                                   + "(示范市财政局牵头)\n", encoding="utf-8")
    r = run(["build", "plan.txt", "-o", "out"], site)
    assert r.exit_code == 0 and "more than 100 deadline phrases in one task; the first 100 are kept" in r.output
    size = sum(f.stat().st_size for f in (site / "out" / ".current").rglob("*") if f.is_file())
    assert size < 5_000_000
    desc = (site / "out" / "feeds" / "all.ics").read_bytes().decode("utf-8").replace("\r\n ", "")
    assert "…（全文见 tasks.json）" in desc


def test_a_fifo_is_refused_with_a_line(site):
    os.mkfifo(site / "pipe.txt")
    r = run(["build", "pipe.txt", "plan.txt", "-o", "out"], site)
    assert r.exit_code == 1 and "pipe.txt: not a regular file (a pipe, socket or device)" in r.output
    assert "6月底前" in (site / "out" / "feeds" / "all.ics").read_text(encoding="utf-8")


def test_links_looping_or_dangling_are_reported(site):
    folder = site / "plans"
    folder.mkdir()
    (folder / "plan.txt").write_text(PLAN, encoding="utf-8")
    os.symlink("loop-b.txt", folder / "loop-a.txt")
    os.symlink("loop-a.txt", folder / "loop-b.txt")
    os.symlink("nowhere.txt", folder / "dangling.txt")
    os.symlink("..", folder / "up")                       # a folder loop: not followed
    r = run(["build", "plans", "-o", "out"], site)
    assert r.exit_code == 0
    assert "loop-a.txt: skipped (a broken or looping link)" in r.output
    assert "dangling.txt: skipped (a broken or looping link)" in r.output


def test_a_path_too_long_is_reported_per_file(site):
    deep = "/".join(["d" * 200] * 30) + "/plan.txt"
    r = run(["build", deep, "plan.txt", "-o", "out"], site)
    assert r.exit_code == 1 and ("no such file" in r.output or "cannot read" in r.output)
    assert "6月底前" in (site / "out" / "feeds" / "all.ics").read_text(encoding="utf-8")


# --- names ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("agency,expect", [
    ("示范市" + "很长的名字" * 12 + "局", lambda s: len(s) <= 60 and s[-9] == "-"),
    ("con", lambda s: s == "con-agency"),
    ("nul", lambda s: s == "nul-agency"),
    ("COM1", lambda s: s == "com1-agency"),
    ("all", lambda s: s == "all-agency"),
])
def test_feed_names_always_work(site, agency, expect):
    import json

    (site / "plan.txt").write_text(PLAN.replace("示范市财政局", agency), encoding="utf-8")
    r = run(["build", "plan.txt", "-o", "out"], site)
    assert r.exit_code == 0, r.output
    owners = json.loads((site / "out" / "manifest.json").read_text(encoding="utf-8"))["owners"]
    slug = next(v for k, v in owners.items() if agency in k or k in agency)
    assert expect(slug), slug
    assert (site / "out" / "feeds" / f"{slug}.ics").exists()


# --- the Gantt page with any text ---------------------------------------------------------------------------

HOSTILE = ["</script><script>alert(1)</script>", "<!--<script>", "__TITLE__\\", "＿＿DATA＿＿", "__DATA__",
           "\\u2028\u2028\u2029", '"};alert(1);//', "]]>", "${x}`"]


@pytest.mark.parametrize("title", HOSTILE)
def test_gantt_page_keeps_hostile_text_as_text(title):
    import json
    import re

    from calgen.extract.document import extract_text
    from calgen.publish.gantt.timeline import page

    from .conftest import RULES

    doc = extract_text(f"示范市人民政府办公室\n2023年3月1日\n一、任务\n(一){title}推进。6月底前完成。(示范市财政局牵头)\n",
                       "p.txt", RULES)
    html = page([doc], today=dt.date(2023, 5, 1))
    assert html.count('<script type="application/json" id="data">') == 1 and html.count("</script>") == 2
    data = re.search(r'<script type="application/json" id="data">(.*?)</script>', html, re.S).group(1)
    assert "<" not in data
    parsed = json.loads(data)
    assert parsed["plans"][0]["k"][0][1] == doc.tasks[0].title
    assert html.count("__DATA__") == 0 or "__DATA__" in doc.tasks[0].title
