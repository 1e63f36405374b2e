"""The build: regeneration with a change report, nothing half-written, bad input, the CLI."""
import json
import zipfile

import pytest
from click.testing import CliRunner

from calgen.cli import cli
from calgen.errors import OutputError
from calgen.publish.build import build
from calgen.sample import sample_path

from .conftest import RULES, published, rules_for

SAMPLE = sample_path().read_text(encoding="utf-8")


def _plan(tmp_path, name="plan.txt", text=SAMPLE):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _events(out):
    """Every event record of a build's manifest (one part per plan under manifest/)."""
    found = {}
    for part in sorted((out / "manifest").glob("*.json")):
        found.update(json.loads(part.read_text(encoding="utf-8"))["events"])
    return found


def test_change_report_after_editing_a_plan(tmp_path):
    plan = _plan(tmp_path)
    out = tmp_path / "out"
    build([str(plan)], rules_for(output=out))
    first = _events(out)
    plan.write_text(SAMPLE.replace("9月底前出台信用修复管理办法", "10月底前出台信用修复管理办法")
                    .replace("国庆节前开展一次专项督查", "开展一次专项督查"), encoding="utf-8")
    rep = build([str(plan)], rules_for(output=out))
    kinds = sorted((c.kind, c.summary.split("：")[0]) for c in rep.changes)
    # the reworded deadline is the same event moved (#15: identity by content), 国庆节前 is gone;
    # the task's other two events show its new words in their DESCRIPTION: changed (#30)
    assert kinds == [("changed", "12月15日前"), ("changed", "6月30日前"), ("moved", "10月底前"), ("removed", "国庆节前")]
    assert all(c.detail.startswith("description changed") for c in rep.changes if c.kind == "changed")
    assert any(r.startswith("input changed") for r in rep.reasons)
    second = _events(out)
    kept = set(first) & set(second)
    assert kept and all(second[u]["sequence"] == first[u]["sequence"] for u in kept
                        if first[u]["look"] == second[u]["look"])
    assert all(second[u]["sequence"] == first[u]["sequence"] + 1 for u in kept if first[u]["look"] != second[u]["look"])


def test_keep_removed_shows_a_cancellation_once(tmp_path):
    plan = _plan(tmp_path)
    out = tmp_path / "out"
    build([str(plan)], rules_for(output=out))
    plan.write_text(SAMPLE.replace("国庆节前开展一次专项督查", "开展一次专项督查"), encoding="utf-8")
    build([str(plan)], rules_for(output=out, keep_removed=True))
    text = (out / "feeds" / "all.ics").read_text(encoding="utf-8")
    assert text.count("STATUS:CANCELLED") == 1 and "【已取消】国庆节前" in text.replace("\r\n ", "")
    build([str(plan)], rules_for(output=out, keep_removed=True))
    assert "STATUS:CANCELLED" not in (out / "feeds" / "all.ics").read_text(encoding="utf-8")


def test_dry_run_writes_nothing(tmp_path):
    out = tmp_path / "out"
    rep = build([str(_plan(tmp_path))], rules_for(output=out, dry_run=True))
    assert not out.exists() and rep.events > 0


def _built_then_edited(tmp_path):
    """A finished build, its files' bytes, and the plan edited for the next build."""
    plan = _plan(tmp_path)
    out = tmp_path / "out"
    build([str(plan)], rules_for(output=out))
    before = published(out)
    plan.write_text(SAMPLE.replace("6月底前出台", "7月底前出台"), encoding="utf-8")
    return plan, out, before


def test_failure_mid_build_leaves_previous_outputs_intact(tmp_path, monkeypatch):
    plan, out, before = _built_then_edited(tmp_path)
    from calgen.publish.store import generations as store

    calls = []

    def failing(path, mode):
        calls.append(1)
        if len(calls) == 3:                   # after the first feed has been staged
            raise OSError(28, "No space left on device")
        return open(path, mode)

    monkeypatch.setattr(store, "open", failing, raising=False)
    with pytest.raises(OutputError) as e:
        build([str(plan)], rules_for(output=out))
    assert "No space left on device" in str(e.value)
    after = published(out)
    assert after == before


def test_unwritable_output_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = CliRunner().invoke(cli, ["build", str(_plan(tmp_path)), "-o", str(blocker / "out")])
    assert r.exit_code == 1
    assert r.output.strip().splitlines()[-1].startswith(f"Error: {blocker / 'out'}: cannot write output")


BAD = {
    "empty.txt": (b"", "empty file"),
    "image.png": (b"\x89PNG\r\n\x1a\n" + bytes(64), "binary file (a PNG image), not a text plan"),
    "archive.txt": (None, "binary file (a ZIP archive, not a Word .docx), not a text plan"),
    "cut.txt": ("一、任务\n(一)推进。".encode() + "改".encode()[:2], "file ends inside a UTF-8 character"),
    "latin.txt": ("Un plan écrit en français, répété. ".encode("latin-1") * 30, "undecodable bytes"),
    "notes.txt": ("会议纪要\n今天讨论了若干事项，大家一致同意。\n".encode(), "no numbered tasks found"),
}


# A phrase that cannot be dated costs that phrase only: the plan builds, one warning names
# file, line and phrase.
BAD_PHRASES = {
    "dates.txt": ("示范市人民政府办公室\n2023年3月1日\n一、任务\n(一)推进。2月30日前完成，6月底前验收。\n",
                  "line 4: impossible date (2月30日前)"),
    "months.txt": ("示范市人民政府办公室\n2023年3月1日\n一、任务\n(一)推进。13月底前完成，6月底前验收。\n",
                   "line 4: impossible month (13月底前)"),
}


@pytest.mark.parametrize("name", sorted(BAD_PHRASES))
def test_bad_phrase_is_a_warning_and_the_plan_builds(tmp_path, name):
    text, message = BAD_PHRASES[name]
    plan = tmp_path / name
    plan.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["build", str(plan), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert f"{plan}: {message}" in r.output
    assert "6月底前" in (out / "feeds" / "all.ics").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_one_line_and_others_still_build(tmp_path, name):
    data, message = BAD[name]
    bad = tmp_path / name
    if data is None:
        with zipfile.ZipFile(bad, "w") as z:
            z.writestr("a.txt", "x")
    else:
        bad.write_bytes(data)
    good = _plan(tmp_path)
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["build", str(bad), str(good), "-o", str(out)])
    assert r.exit_code == 1
    errors = [line for line in r.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1
    assert errors[0].startswith(f"error: {bad}") and message in errors[0], errors[0]
    assert (out / "feeds" / "all.ics").exists() and (out / "gantt.csv").exists()


def test_huge_file_is_refused(tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:
        fh.write(("一、任务\n" + "推进改革。" * 2000 + "\n").encode() * 1700)     # 51 MB
    r = CliRunner().invoke(cli, ["extract", str(big)])
    assert r.exit_code == 1 and "larger than a plan can be" in r.output


def test_strict_stops_at_first_bad_document(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"")
    r = CliRunner().invoke(cli, ["build", str(tmp_path / "a.txt"), str(_plan(tmp_path)), "--strict",
                                 "-o", str(tmp_path / "out")])
    assert r.exit_code == 1 and "documents 0" in r.output


def test_missing_file(tmp_path):
    r = CliRunner().invoke(cli, ["extract", str(tmp_path / "nope.txt")])
    assert r.exit_code == 1 and f"error: {tmp_path / 'nope.txt'}: no such file" in r.output


def test_extract_table_and_json(tmp_path):
    plan = _plan(tmp_path)
    r = CliRunner().invoke(cli, ["extract", str(plan)])
    data = json.loads(r.output)
    assert data["calgen_schema"] == 1 and len(data["documents"][0]["tasks"]) == 7
    r = CliRunner().invoke(cli, ["extract", str(plan), "--format", "table"])
    assert "推进企业开办“一网通办”" in r.output


def test_folder_input(tmp_path):
    (tmp_path / "plans" / "sub").mkdir(parents=True)
    _plan(tmp_path / "plans", "b.txt")
    _plan(tmp_path / "plans" / "sub", "a.md", SAMPLE.replace("示府办函〔2023〕18号", "示府办函〔2023〕19号"))
    (tmp_path / "plans" / "picture.png").write_bytes(b"\x89PNG")
    r = CliRunner().invoke(cli, ["extract", str(tmp_path / "plans")])
    out = r.stdout
    assert [d["source"].rsplit("/", 1)[-1] for d in json.loads(out)["documents"]] == ["b.txt", "a.md"]
    assert f"note: {tmp_path / 'plans' / 'picture.png'}: skipped (unsupported file type .png)" in r.stderr


def test_resolve_and_holidays():
    r = CliRunner().invoke(cli, ["resolve", "2023年9月底前", "--year", "2023"])
    assert r.exit_code == 0
    assert "due 2023-09-28 (周四)" in r.output and "为国庆节假期" in r.output
    r = CliRunner().invoke(cli, ["resolve", "2027年9月底前", "--year", "2027"])
    assert r.exit_code == 0 and "due unconfirmed" in r.output
    assert "no State Council holiday arrangement for 2027" in r.output
    r = CliRunner().invoke(cli, ["holidays"])
    assert "holiday data covers 2004–2026" in r.output
    r = CliRunner().invoke(cli, ["holidays", "2018"])
    assert "2018-12-29 周六" in r.output


def test_agencies_and_report_commands(tmp_path):
    plan = _plan(tmp_path)
    r = CliRunner().invoke(cli, ["agencies", str(plan), "--unknown"])
    assert "示范市市场监管局" in r.output
    r = CliRunner().invoke(cli, ["monthly", str(plan)])
    assert "2023-09" in r.output


def test_config_file_and_init(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["init"])
    assert r.exit_code == 0 and (tmp_path / "calgen.toml").exists()
    plan = _plan(tmp_path)
    (tmp_path / "calgen.toml").write_text(f'inputs = ["{plan.name}"]\noutput = "site"\nroll = "following"\n',
                                          encoding="utf-8")
    r = CliRunner().invoke(cli, ["build"])
    assert r.exit_code == 0, r.output
    tasks = json.loads((tmp_path / "site" / "tasks.json").read_text(encoding="utf-8"))
    ms = [m for t in tasks["documents"][0]["tasks"] for m in t["milestones"] if m["phrase"] == "9月底前"]
    assert ms[0]["due"] == "2023-10-07"
    (tmp_path / "calgen.toml").write_text('output = 3\n', encoding="utf-8")
    r = CliRunner().invoke(cli, ["build"])
    assert r.exit_code == 1 and "calgen.toml: output must be a str" in r.output


def test_check_command(tmp_path):
    out = tmp_path / "out"
    build([str(_plan(tmp_path))], rules_for(output=out))
    r = CliRunner().invoke(cli, ["check", str(out)])
    assert r.exit_code == 0 and "all.ics: ok" in r.output
    broken = out / "feeds" / "broken.ics"
    broken.write_bytes(b"BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n")
    r = CliRunner().invoke(cli, ["check", str(out)])
    assert r.exit_code == 1 and "line ends are not CRLF" in r.output


def test_jobs_give_the_same_output(tmp_path):
    from calgen.extract.batch import extract_many
    from calgen.publish.store.schema import dumps

    files = [str(_plan(tmp_path, f"p{i}.txt", SAMPLE.replace("18号", f"{i}号"))) for i in range(4)]
    one, _ = extract_many(files, RULES, jobs=1)
    two, _ = extract_many(files, RULES, jobs=2)
    assert dumps(one) == dumps(two)


def test_a_failing_writer_leaves_no_temp_files_and_old_outputs(tmp_path, monkeypatch):
    from calgen.publish.gantt import csv as gantt

    plan, out, before = _built_then_edited(tmp_path)

    def broken(*args):
        raise RuntimeError("writer bug")

    monkeypatch.setattr(gantt, "group_bytes", broken)
    with pytest.raises(RuntimeError):
        build([str(plan)], rules_for(output=out))
    assert published(out) == before


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_jobs_render_the_gantt_outputs_in_a_worker_with_the_same_bytes(tmp_path, seed_files, monkeypatch, method):
    """--jobs 2 makes gantt.xml/.xlsx/.html in a worker process (everything it needs passed in,
    so the start method does not matter) and publishes the same bytes as --jobs 1."""
    import concurrent.futures
    import functools
    import multiprocessing

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor",
                        functools.partial(concurrent.futures.ProcessPoolExecutor,
                                          mp_context=multiprocessing.get_context(method)))
    one, two = tmp_path / "one", tmp_path / "two"
    build(seed_files, rules_for(output=one))
    build(seed_files, rules_for(output=two, jobs=2))
    assert published(one) == published(two) and "gantt.xlsx" in published(two)


def test_every_plan_has_a_name_in_every_output(tmp_path):
    """#30: a page that lost its title and 文号 is named by its file in the feeds, the CSV, the
    workbook and the page, never left blank."""
    import csv
    import io

    from calgen.publish.build import build

    from .conftest import rules_for

    plan = tmp_path / "d07.txt"
    plan.write_text("一、推进系统建设，2023年9月底前完成。(示范市财政局牵头)\n二、2023年底前完成验收。(示范市财政局牵头)\n",
                    encoding="utf-8")
    out = tmp_path / "out"
    build([str(plan)], rules_for(output=out))
    feeds = list((out / "feeds" / "plans").glob("*.ics"))
    assert feeds and all("X-WR-CALNAME:" in f.read_text(encoding="utf-8") for f in feeds)
    assert all(line != "X-WR-CALNAME:" for f in feeds for line in f.read_text(encoding="utf-8").splitlines())
    rows = list(csv.DictReader(io.StringIO((out / "gantt.csv").read_text(encoding="utf-8-sig"))))
    assert rows and all(r["Document"] == "d07" for r in rows)
    assert '"t":"d07"' in (out / "gantt.html").read_text(encoding="utf-8")
    assert "文件：d07" in (out / "feeds" / "all.ics").read_text(encoding="utf-8").replace("\r\n ", "")
