"""Files for people (issue 30): the feeds index grouped with https, webcal and QR codes, the
change log every build adds, and `calgen serve --access-log`."""
import http.client
import io
import json
import re
import threading

import pytest

from calgen.publish.build import build
from calgen.sample import sample_path

from .conftest import rules_for

BASE = "https://calendar.example.gov.cn/output"


def test_the_index_groups_feeds_with_links_and_qr_codes(tmp_path):
    import segno

    build([str(sample_path())], rules_for(output=tmp_path, base_url=BASE))
    index = (tmp_path / "feeds" / "index.html").read_text(encoding="utf-8")
    heads = re.findall(r"<h2>(.*?)</h2>", index)
    assert [h[:2] for h in heads] == ["全部", "单位", "地区", "文件"]
    assert f'href="{BASE}/feeds/all.ics"' in index and 'href="webcal://calendar.example.gov.cn/output/feeds/all.ics"' in index
    codes = sorted((tmp_path / "feeds" / "qr").glob("*.svg"))
    assert len(codes) == index.count("<summary>二维码</summary>") >= 5
    agency = next(p for p in codes if p.stem not in ("all", "holidays") and "--" not in p.stem)
    buf = io.BytesIO()
    segno.make(f"{BASE}/feeds/{agency.stem}.ics", error="m").save(buf, kind="svg", scale=4, border=2)
    assert agency.read_bytes() == buf.getvalue()                          # the code of that feed's address
    assert 'href="../changes/index.html"' in index


def test_without_an_address_there_are_no_codes_and_the_page_says_why(tmp_path):
    build([str(sample_path())], rules_for(output=tmp_path))
    index = (tmp_path / "feeds" / "index.html").read_text(encoding="utf-8")
    assert not (tmp_path / "feeds" / "qr").exists() and "二维码：设置 base_url 后生成" in index


def test_every_build_adds_its_changes_to_the_change_log(tmp_path):
    plan = tmp_path / "plan.txt"
    text = sample_path().read_text(encoding="utf-8")
    plan.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    build([str(plan)], rules_for(output=out, source_date_epoch=1767225600))
    plan.write_text(text.replace("6月底前出台社会投资", "7月底前出台社会投资"), encoding="utf-8")
    build([str(plan)], rules_for(output=out, source_date_epoch=1767312000))
    log = json.loads((out / "changes" / "changes.json").read_text(encoding="utf-8"))
    assert [b["built"] for b in log] == ["2026-01-02T00:00:00+00:00", "2026-01-01T00:00:00+00:00"]   # newest first
    (moved,) = [c for c in log[0]["changes"] if c["kind"] == "moved"]
    assert moved["detail"] == "2023-06-30 → 2023-07-31" and log[0]["count"] >= 1 and log[1]["count"] == 0
    assert any("input changed" in r for r in log[0]["reasons"])
    page = (out / "changes" / "index.html").read_text(encoding="utf-8")
    assert page.index("2026-01-02") < page.index("2026-01-01") and "改期" in page


def test_serve_writes_an_access_log_line_per_request(tmp_path):
    from calgen.serve import make_server

    build([str(sample_path())], rules_for(output=tmp_path))
    log = io.StringIO()
    server = make_server(tmp_path, "127.0.0.1", 0, "", access_log=log)
    threading.Thread(target=server.run, daemon=True).start()
    try:
        for path, agent in (("/feeds/all.ics", "Microsoft Office/16.0"), ("/nothing.ics", 'evil "agent"')):
            c = http.client.HTTPConnection("127.0.0.1", server.effective_port, timeout=5)
            c.request("GET", path, headers={"User-Agent": agent})
            c.getresponse().read()
            c.close()
    finally:
        server.close()
    lines = log.getvalue().splitlines()
    assert len(lines) == 2
    size = (tmp_path / "feeds" / "all.ics").stat().st_size
    assert re.fullmatch(rf'127\.0\.0\.1 - - \[[^]]+\] "GET /feeds/all\.ics HTTP/1\.1" 200 {size} "-" '
                        r'"Microsoft Office/16\.0"', lines[0]), lines[0]
    assert '"GET /nothing.ics HTTP/1.1" 404' in lines[1] and '\\"agent\\"' in lines[1]


def test_serve_gives_subscribers_the_feeds_not_the_offices_files(tmp_path):
    """#31/#32: tasks.json and the manifest hold the build machine's paths; ledgers, reports and
    digests are the office's follow-up documents.  calgen serve gives the feeds, the change log
    and the Gantt files; --all serves every file."""
    from calgen.serve import make_server

    build([str(sample_path())], rules_for(output=tmp_path))
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "report.html").write_text("x", encoding="utf-8")
    results = {}
    for every in (False, True):
        server = make_server(tmp_path, "127.0.0.1", 0, "", every_file=every)
        threading.Thread(target=server.run, daemon=True).start()
        try:
            for path in ("/feeds/all.ics", "/feeds/index.html", "/changes/index.html", "/gantt.html", "/gantt.csv",
                         "/tasks.json", "/manifest.json", "/ledger.xlsx", "/reports/report.html", "/"):
                c = http.client.HTTPConnection("127.0.0.1", server.effective_port, timeout=5)
                c.request("GET", path)
                results[(every, path)] = c.getresponse().status
                c.close()
        finally:
            server.close()
    for path in ("/feeds/all.ics", "/feeds/index.html", "/changes/index.html", "/gantt.html", "/gantt.csv", "/"):
        assert results[(False, path)] == 200, path
    for path in ("/tasks.json", "/manifest.json", "/ledger.xlsx", "/reports/report.html"):
        assert results[(False, path)] == 404 and results[(True, path)] == 200, path


def test_the_real_pages_d01_d40_have_a_name_in_every_output(tmp_path):
    """#30: real page beginnings (../shared/realworld d01–d40, 11 of which print neither title nor
    文号) build with a name on every plan — plan feeds, the feeds index, gantt.csv, the Gantt page
    and workbook, the ledger — never a blank."""
    import csv

    import openpyxl

    from .conftest import REALWORLD, need_shared

    need_shared()
    docs = sorted((REALWORLD / "docs").glob("d[0-4][0-9].txt"))[:40]
    assert len(docs) == 40
    out = tmp_path / "out"
    rep = build([str(p) for p in docs], rules_for(output=out))
    assert rep.documents + rep.duplicates + len(rep.failures) >= 38
    for feed in (out / "feeds" / "plans").glob("*.ics"):
        cal = next(line for line in feed.read_text(encoding="utf-8").splitlines() if line.startswith("X-WR-CALNAME:"))
        assert cal.split(":", 1)[1].strip(), feed
    index = (out / "feeds" / "index.html").read_text(encoding="utf-8")
    assert "<li>：" not in index and "文件：：" not in index
    rows = list(csv.DictReader((out / "gantt.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert rows and all(r["Document"].strip() for r in rows)
    page = (out / "gantt.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S).group(1))
    assert all(p["t"].strip() for p in data["plans"])
    overview = openpyxl.load_workbook(out / "gantt.xlsx")["总览"]
    assert all((overview.cell(r, 2).value or "").strip() for r in range(4, overview.max_row + 1))
    ledger = openpyxl.load_workbook(out / "ledger.xlsx")["台账"]
    assert all((ledger.cell(r, 2).value or "").strip() for r in range(2, ledger.max_row + 1))


def test_clients_that_never_read_hold_no_worker(tmp_path):
    """#31: ten connections that ask three times for a large feed and never read leave every
    worker free — a subscriber's request is answered while they hang on (each connection is a
    coroutine; a worker thread only reads the next chunk of the file)."""
    import socket

    from calgen.serve import make_server

    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "big.ics").write_bytes(b"X" * (20 * 2**20))
    (tmp_path / "feeds" / "small.ics").write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    server = make_server(tmp_path, "127.0.0.1", 0, "", threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    hanging = []
    try:
        for _ in range(10):
            s = socket.create_connection(("127.0.0.1", server.effective_port))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.sendall(b"GET /feeds/big.ics HTTP/1.1\r\nHost: x\r\n\r\n" * 3)
            hanging.append(s)
        c = http.client.HTTPConnection("127.0.0.1", server.effective_port, timeout=10)
        c.request("GET", "/feeds/small.ics")
        assert c.getresponse().status == 200
        c.close()
    finally:
        for s in hanging:
            s.close()
        server.close()


@pytest.mark.parametrize(("current", "preferred", "earlier", "taken", "expected"), [
    # a feed under an old reading gets its corrected name too
    ({"长沙市财政局": "zss-czj"}, {"长沙市财政局": "cs-czj"}, {}, {"zss-czj"}, {"cs-czj": "长沙市财政局"}),
    # the name it has is the one calgen would give: nothing to add
    ({"长沙市财政局": "cs-czj"}, {"长沙市财政局": "cs-czj"}, {}, {"cs-czj"}, {}),
    # the corrected name belongs to another feed (ever): never taken over
    ({"长沙市财政局": "zss-czj"}, {"长沙市财政局": "cs-czj"}, {}, {"zss-czj", "cs-czj"}, {}),
    # an earlier correction is kept for good, even when the agency is not in this build
    ({}, {}, {"cs-czj": "长沙市财政局"}, {"zss-czj"}, {"cs-czj": "长沙市财政局"}),
    # two feeds wanting the same corrected name: the first by name gets it, the other keeps its own
    ({"甲局": "x-1", "乙局": "x-2"}, {"甲局": "x", "乙局": "x"}, {}, {"x-1", "x-2"}, {"x": "乙局"}),
])
def test_corrected_feed_names_are_added_never_taken(current, preferred, earlier, taken, expected):
    from calgen.publish.feeds.feednames import aliases

    assert aliases(current, preferred, earlier, taken) == expected


def test_a_corrected_name_adds_the_new_file_and_keeps_the_old_one(tmp_path):
    """#30: feed names are promised for good; when calgen reads a place better than an earlier
    build did (长沙 changsha, once zhangsha), the feed is also published under the corrected
    name, the index lists that one, and the old file stays for the subscribers who hold it."""
    plan = tmp_path / "plan.txt"
    plan.write_text("长沙市人民政府办公厅关于印发2025年工作要点的通知\n一、优化营商环境。（长沙市财政局负责，2025年6月底前完成）\n",
                    encoding="utf-8")
    out = tmp_path / "out"
    rules = rules_for(output=out)
    build([str(plan)], rules)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    slug = manifest["owners"]["长沙市财政局"]
    region = manifest["region_owners"]["长沙市"]
    assert "changsha" in slug or slug.startswith("cs"), slug
    # as an earlier build with a poorer reading left it
    manifest["owners"]["长沙市财政局"] = "zhangshashi-caizhengju"
    manifest["feeds"] = {"zhangshashi-caizhengju" if k == slug else k: v for k, v in manifest["feeds"].items()}
    manifest["region_owners"]["长沙市"] = "zhangshashi"
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")

    rep = build([str(plan)], rules)
    feeds = out / "feeds"
    assert (feeds / "zhangshashi-caizhengju.ics").read_bytes() == (feeds / f"{slug}.ics").read_bytes()
    assert (feeds / "regions" / "zhangshashi.ics").read_bytes() == (feeds / "regions" / f"{region}.ics").read_bytes()
    index = (feeds / "index.html").read_text(encoding="utf-8")
    assert f"'{slug}.ics'" in index.replace('"', "'") and "zhangshashi" not in index   # new subscribers: the right name
    assert any("corrected file name" in r and slug in r for r in rep.reasons)
    again = build([str(plan)], rules)                                             # and so in every later build
    assert (feeds / "zhangshashi-caizhengju.ics").exists() and (feeds / f"{slug}.ics").exists()
    assert not any("corrected file name" in r for r in again.reasons)
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["aliases"] == {slug: "长沙市财政局"}
