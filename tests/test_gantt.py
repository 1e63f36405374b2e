"""gantt.csv for Excel / MS Project, and the HTML timeline."""
import io
import os
import shutil
import subprocess

import pytest

from calgen.extract.document import extract_text
from calgen.publish.build import build
from calgen.publish.gantt import neutralise

from .conftest import RULES, rules_for


@pytest.fixture(scope="module")
def seed_out(tmp_path_factory, seed_files):
    out = tmp_path_factory.mktemp("gantt")
    build(seed_files, rules_for(output=out))
    return out


def test_csv_reads_back(seed_out, seed_docs):
    import pandas as pd

    raw = (seed_out / "gantt.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    docs = [d for d in seed_docs.values() if not d.duplicate_of]
    tasks = sum(len(d.tasks) for d in docs)
    dated = sum(1 for d in docs for t in d.tasks for m in t.milestones if m.dated)
    assert len(df) == tasks + dated
    assert (df["Outline Level"] == "1").sum() == tasks and (df["Milestone"] == "Yes").sum() == dated
    assert (df["Name"].str.len() > 0).all()
    both = df[(df["Start"] != "") & (df["Finish"] != "")]
    assert (both["Finish"] >= both["Start"]).all()
    cal = RULES.calendar
    import datetime as dt

    for _, row in both[both["Milestone"] == "No"].iterrows():
        start, finish = dt.date.fromisoformat(row["Start"]), dt.date.fromisoformat(row["Finish"])
        assert row["Duration"] == f"{cal.workdays_between(start, finish)}d"
    assert (df[df["Milestone"] == "Yes"]["Duration"] == "0d").all()
    undated = df[(df["Milestone"] == "No") & (df["Start"] == "")]
    assert (undated["Notes"].str.contains("无具体日期")).all()


@pytest.mark.parametrize("value,cell", [
    ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
    ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("推进改革", "推进改革"),
])
def test_neutralise(value, cell):
    assert neutralise(value) == cell


def test_formula_title_is_neutralised_in_the_csv(tmp_path):
    plan = tmp_path / "p.txt"
    plan.write_text("示范市人民政府办公室\n2023年3月1日\n一、任务\n"
                    "(一)=HYPERLINK(\"http://evil\",\"点击\")。6月底前完成。(市财政局牵头)\n", encoding="utf-8")
    build([str(plan)], rules_for(output=tmp_path / "out"))
    import pandas as pd

    text = (tmp_path / "out" / "gantt.csv").read_text(encoding="utf-8-sig")
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert df.loc[0, "Name"].startswith("'=HYPERLINK")
    assert not any(cell.startswith(("=", "+", "@")) for cell in df.to_numpy().ravel())


def test_task_without_dates_is_listed_with_a_note():
    doc = extract_text("示范市人民政府办公室\n2023年3月1日\n一、任务\n(一)加强宣传。(市委宣传部负责)\n", "p.txt", RULES)
    from calgen.publish.gantt import rows

    (row,) = rows([doc], RULES.calendar)
    assert row["Start"] == "" and row["Notes"] == "无具体日期"


def _chromium():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing in CI (.ci/run installs Debian's chromium)")
        pytest.skip("chromium not installed (apt-get install chromium); CI installs it")
    return path


def test_gantt_page_draws_bars_in_headless_chromium(seed_out, tmp_path):
    chromium = _chromium()
    page = (seed_out / "gantt.html").resolve()
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([chromium, *flags, "--dump-dom", page.as_uri()], capture_output=True,
                         text=True, timeout=120).stdout
    assert dom.count('class="bar"') > 40 and dom.count('class="ms"') > 60
    assert "推进工程建设项目“一网通办”" in dom
    shot = tmp_path / "gantt.png"
    subprocess.run([chromium, *flags, f"--screenshot={shot}", "--window-size=1400,900", page.as_uri()],
                   capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 20_000
