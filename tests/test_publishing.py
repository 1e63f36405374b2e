"""Yearly publishing subscribers can trust (#15): a regeneration series over edits, renames,
typos, missing and unreadable plans and a killed build, asserting UIDs, SEQUENCE, feed file
names, what was kept and the change report after each step; then each guarantee alone."""
import json
import os
import re
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from calgen.cli import cli
from calgen.errors import CalgenError, OutputError
from calgen.publish.build import build
from calgen.publish.store.generations import OutputStore

from .conftest import published, rules_for

HEAD_A = "示范市人民政府办公室关于印发示范市2023年营商环境重点任务的通知\n示府办函〔2023〕7号\n示范市人民政府办公室\n2023年3月1日\n"
TASKS_A = [
    ("一、政务服务", "推进企业开办全程网办，6月底前完成。（示范市市场监管局牵头，示范市公安局配合）"),
    ("一、政务服务", "建设一网通办平台，9月底前上线。（示范市政务服务数据管理局牵头）"),
    ("一、政务服务", "开展营商环境评价，年底前形成评价报告。（示范市发展改革局牵头，示范市财政局配合）"),
    ("二、事中事后监管", "完善信用修复机制，10月底前出台管理办法。（示范市发展改革局牵头）"),
    ("二、事中事后监管", "开展涉企收费专项检查，11月底前完成。（各区人民政府负责）"),
]
CN = "一二三四五六七八九十"


def plan_a(tasks=TASKS_A, edit=lambda t: t):
    """The plan's text with its tasks numbered （一）（二）… in order, as a plan would be."""
    lines, section = [HEAD_A], None
    for i, (head, text) in enumerate(tasks):
        if head != section:
            lines.append(head + "\n")
            section = head
        lines.append(f"（{CN[i]}）{edit(text)}\n")
    return "".join(lines)


PLAN_A = plan_a()

PLAN_B = """示范市财政局关于印发2023年预算管理改革任务的通知
示财〔2023〕3号
示范市财政局
2023年2月1日
一、预算改革
1.推进预算一体化系统建设，8月底前上线。（示范市财政局牵头）
2.完善绩效评价办法，年底前印发。（示范市财政局牵头，示范市审计局配合）
"""

PLAN_TYPO = """示范市财政局关于开展国库支付检查的通知
示财〔2023〕9号
示范市财政局
2023年4月1日
一、检查安排
1.开展国库集中支付专项检查，7月底前完成。（示范市才政局牵头）
"""


class Site:
    """A plans folder, an output folder and what a subscriber sees after each build."""

    def __init__(self, tmp_path):
        self.plans = tmp_path / "plans"
        self.plans.mkdir()
        self.out = tmp_path / "out"

    def write(self, name, text):
        (self.plans / name).write_text(text, encoding="utf-8")

    def build(self, **kw):
        return build([str(self.plans)], rules_for(output=self.out, **kw))

    def manifest(self):
        return json.loads((self.out / "manifest.json").read_text(encoding="utf-8"))

    def events(self, feed="all"):
        """UID → (SEQUENCE, DTSTART, SUMMARY, STATUS) in one feed."""
        from icalendar import Calendar

        cal = Calendar.from_ical((self.out / "feeds" / f"{feed}.ics").read_bytes())
        return {str(e["UID"]): (int(e["SEQUENCE"]), e["DTSTART"].dt.isoformat(), str(e["SUMMARY"]),
                                str(e.get("STATUS", ""))) for e in cal.walk("VEVENT")}

    def uid_of(self, text, feed="all"):
        hits = [u for u, (_, _, s, status) in self.events(feed).items() if text in s and not status]
        assert len(hits) == 1, (text, hits)
        return hits[0]

    def slug_of(self, name):
        return self.manifest()["owners"][name]

    def hidden(self):
        """What is in the folder besides the published set: the lock, .current, one generation."""
        return sorted(p.name for p in self.out.iterdir() if p.name.startswith(".")) + \
            sorted(p.name for p in (self.out / ".generations").iterdir())


def kinds(rep):
    return sorted((c.kind, c.summary.split("：")[0]) for c in rep.changes)


def test_regeneration_series(tmp_path):
    site = Site(tmp_path)
    site.write("a.txt", PLAN_A)
    site.write("b.txt", PLAN_B)
    rep = site.build()
    assert not rep.failures and not rep.changes
    evs = site.events()
    uid = {k: site.uid_of(k) for k in ("企业开办", "一网通办", "营商环境评价", "信用修复", "涉企收费", "预算一体化", "绩效评价")}
    assert all(evs[u][0] == 0 for u in uid.values())
    fgj = site.slug_of("示范市发展改革局")

    # 1. one deadline reworded: the same event, moved, SEQUENCE + 1
    def later(t):
        return t.replace("6月底前完成", "7月底前完成")

    site.write("a.txt", plan_a(edit=later))
    rep = site.build()
    assert kinds(rep) == [("moved", "7月底前")]
    evs = site.events()
    assert evs[uid["企业开办"]][:2] == (1, "2023-07-31") and evs[uid["一网通办"]][0] == 0

    # 2. a task inserted above the others: every later task keeps its UID and SEQUENCE
    tasks = [("一、政务服务", "清理证明事项，5月底前公布清单。（示范市司法局牵头）"), *TASKS_A]
    site.write("a.txt", plan_a(tasks, later))
    rep = site.build()
    assert kinds(rep) == [("new", "5月底前")]
    evs = site.events()
    assert all(u in evs for u in uid.values())
    assert evs[uid["企业开办"]][0] == 1 and evs[uid["信用修复"]][0] == 0

    # 3. a task deleted: its event removed, nothing else changes
    tasks = [t for t in tasks if "信用修复" not in t[1]]
    site.write("a.txt", plan_a(tasks, later))
    rep = site.build()
    assert kinds(rep) == [("removed", "10月底前")]
    assert uid["信用修复"] not in site.events() and uid["营商环境评价"] in site.events()

    # 4. an agency renamed: its tasks' events are updated in place; the old feed is cancelled once
    renamed = plan_a(tasks, lambda t: later(t).replace("示范市发展改革局", "示范市发展和改革委员会"))
    site.write("a.txt", renamed)
    rep = site.build()
    assert kinds(rep) == [("changed", "年底前")]
    evs = site.events()
    assert evs[uid["营商环境评价"]][0] == 1
    old_feed = site.events(fgj)
    assert old_feed and all(status == "CANCELLED" for _, _, _, status in old_feed.values())
    new_slug = site.slug_of("示范市发展和改革委员会")
    assert new_slug != fgj and site.manifest()["owners"]["示范市发展改革局"] == fgj
    rep = site.build()
    assert not (site.out / "feeds" / f"{fgj}.ics").exists()
    assert any(r.startswith("feed removed") for r in rep.reasons)

    # 5. a new plan with a typo'd agency: the typo never takes 示范市财政局's file name
    czj = site.slug_of("示范市财政局")
    before_czj = site.events(czj)
    site.write("c.txt", PLAN_TYPO)
    rep = site.build()
    assert site.slug_of("示范市财政局") == czj and site.events(czj).keys() == before_czj.keys()
    assert site.slug_of("示范市才政局") != czj
    assert any("示范市才政局 differs from 示范市财政局 by one character" in w for w in rep.warnings)

    # 6. a plan removed from the folder: kept until removals are allowed
    (site.plans / "b.txt").unlink()
    rep = site.build()
    assert not rep.changes and any(k.endswith("b.txt: missing; its 2 tasks stay published "
                                              "(--allow-removals, or list it under withdrawn in calgen.toml, "
                                              "to remove them)") for k in rep.kept)
    assert uid["预算一体化"] in site.events()
    site.write("b.txt", PLAN_B)

    # 7. a plan that cannot be read: its events stay, unchanged, and the report says so
    before = site.events()
    (site.plans / "a.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    rep = site.build()
    assert rep.failures and any("a.txt: could not be read" in k for k in rep.kept)
    assert site.events() == before and not rep.changes

    # 8. it reads again: same UIDs, same SEQUENCEs
    site.write("a.txt", renamed)
    rep = site.build()
    assert not rep.changes and site.events() == before

    # 9. a build killed in its rename phase leaves the old set, and the next build cleans up
    site.write("a.txt", renamed.replace("9月底前上线", "8月底前上线"))
    seen = published(site.out)
    script = textwrap.dedent(f"""
        import os
        from calgen.publish.store import generations as store
        from calgen.publish.build import build
        from tests.conftest import rules_for

        def killed(self, gen):
            os._exit(9)                       # the moment before .current is switched

        store.OutputStore._switch = killed
        build([{str(site.plans)!r}], rules_for(output=__import__("pathlib").Path({str(site.out)!r})))
    """)
    run = subprocess.run([sys.executable, "-c", script], cwd=os.path.dirname(os.path.dirname(__file__)))
    assert run.returncode == 9
    assert published(site.out) == seen                     # the old set, whole
    assert len(site.hidden()) == 6                         # lock, .current, .generations, .status: old + the dead one
    rep = site.build()
    assert kinds(rep) == [("moved", "8月底前")]
    assert site.hidden() == [".calgen.lock", ".current", ".generations", ".status", site.hidden()[-1]]


def test_strict_writes_nothing_when_an_input_fails(tmp_path):
    site = Site(tmp_path)
    site.write("a.txt", PLAN_A)
    site.build()
    seen = published(site.out)
    site.write("a.txt", PLAN_A.replace("6月底前", "7月底前"))
    (site.plans / "bad.txt").write_bytes(b"")
    rep = site.build(strict=True)
    assert rep.refused and published(site.out) == seen


@pytest.mark.parametrize("inputs", ["typo", "empty folder"])
def test_a_wrong_input_path_or_empty_folder_deletes_nothing(tmp_path, inputs):
    site = Site(tmp_path)
    site.write("a.txt", PLAN_A)
    site.build()
    before = site.events()
    if inputs == "typo":
        rep = build([str(site.plans / "a.tx")], rules_for(output=site.out))
        assert rep.kept and not rep.changes
    else:                                   # #30: nothing to build from is an error, not an empty set
        (site.plans / "a.txt").unlink()
        with pytest.raises(CalgenError, match="no plans found"):
            site.build()
    assert site.events() == before


def test_broken_mappings_file_writes_nothing(tmp_path):
    site = Site(tmp_path)
    site.write("a.txt", PLAN_A)
    site.build()
    seen = published(site.out)
    bad = tmp_path / "extra.toml"
    bad.write_text("[[agency]\nname = ", encoding="utf-8")
    r = CliRunner().invoke(cli, ["--mappings", str(bad), "build", str(site.plans), "-o", str(site.out)])
    assert r.exit_code != 0 and "extra.toml" in r.output
    assert published(site.out) == seen


def test_sequence_never_goes_down(tmp_path):
    site = Site(tmp_path)
    site.write("a.txt", PLAN_A)
    site.write("b.txt", PLAN_B)
    site.build()
    site.write("b.txt", PLAN_B.replace("8月底前上线", "9月底前上线"))
    site.build()
    uid = site.uid_of("预算一体化")
    assert site.events()[uid][0] == 1
    (site.plans / "b.txt").unlink()
    rep = site.build(allow_removals=True)
    assert uid not in site.events() and any(c.kind == "removed" for c in rep.changes)
    site.write("b.txt", PLAN_B.replace("8月底前上线", "9月底前上线"))
    site.build()
    assert site.events()[uid][0] == 2                        # back, above what subscribers last saw


def test_withdrawn_in_config_removes_a_missing_plan(tmp_path):
    site = Site(tmp_path)
    site.write("a.txt", PLAN_A)
    site.write("b.txt", PLAN_B)
    site.build()
    (site.plans / "b.txt").unlink()
    rep = site.build(withdrawn=(str(site.plans / "b.txt"),))
    assert not rep.kept and any(r.startswith("input removed") for r in rep.reasons)


def test_a_second_build_into_the_same_folder_is_refused(tmp_path):
    site = Site(tmp_path)
    site.write("a.txt", PLAN_A)
    site.out.mkdir()
    with OutputStore(site.out).lock(), pytest.raises(OutputError, match="another calgen build"):
        site.build()


def test_an_interrupted_write_leaves_no_temporary_files(tmp_path, monkeypatch):
    from calgen.publish.store import generations as store

    site = Site(tmp_path)
    site.write("a.txt", PLAN_A)
    site.build()
    calls = []

    def failing(path, mode):
        calls.append(1)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return open(path, mode)

    monkeypatch.setattr(store, "open", failing, raising=False)
    with pytest.raises(KeyboardInterrupt):
        site.build()
    assert len(list((site.out / ".generations").iterdir())) == 1
    assert not [p for p in site.out.rglob("*.tmp")]


def test_an_older_output_folder_is_taken_over(tmp_path):
    """A folder written by calgen before generations (real files) becomes the linked layout."""
    site = Site(tmp_path)
    site.write("a.txt", PLAN_A)
    (site.out / "feeds").mkdir(parents=True)
    (site.out / "feeds" / "old.ics").write_text("x", encoding="utf-8")
    (site.out / "feeds" / ".all.ics.abc.tmp").write_text("x", encoding="utf-8")
    (site.out / "tasks.json").write_text("[]", encoding="utf-8")
    site.build()
    assert (site.out / "feeds").is_symlink() and (site.out / "tasks.json").is_symlink()
    assert "feeds/all.ics" in published(site.out) and "feeds/old.ics" not in published(site.out)


def test_duplicate_plan_keeps_the_cleaner_copy_and_restores_lost_characters(tmp_path):
    site = Site(tmp_path)
    site.write("a-scrape.txt", PLAN_A.replace("推进企业开办", "推进企\ufffd开办"))
    site.write("b-copy.txt", PLAN_A.replace("建设一网通办", "建设一网\ufffd办").replace("形成评价报告", "形成评价报\ufffd"))
    rep = site.build()
    titles = " ".join(s for _, _, s, _ in site.events().values())
    assert "\ufffd" not in titles and "推进企业开办" in titles and "建设一网通办" in titles
    assert any("restored from" in w for w in rep.warnings)
    assert rep.documents == 1 and rep.duplicates == 1


def test_feeds_read_in_chinese_and_no_two_events_look_alike(seed_build):
    from icalendar import Calendar

    out, rep = seed_build
    for feed in sorted((out / "feeds").glob("*.ics")):
        cal = Calendar.from_ical(feed.read_bytes())
        seen = set()
        for e in cal.walk("VEVENT"):
            key = (str(e["SUMMARY"]), e["DTSTART"].dt)
            assert key not in seen, (feed.name, key)
            seen.add(key)
            assert not re.search(r"holiday|working day|weekend|estimated|provisional", str(e.get("DESCRIPTION", "")))
    text = (out / "gantt.csv").read_text(encoding="utf-8-sig")
    assert not re.search(r"holiday →|no dated milestone|flags:", text)


def test_tasks_reaching_no_feed_are_reported(tmp_path):
    site = Site(tmp_path)
    site.write("a.txt", PLAN_A)
    rep = site.build()
    hits = [w for w in rep.warnings if "reaches no agency feed" in w]
    assert len(hits) == 1 and "各区人民政府" in hits[0] and "a.txt:" in hits[0]


def test_a_task_split_in_two_and_merged_back_is_reported(tmp_path):
    site = Site(tmp_path)
    whole = ("一、政务服务", "开展营商环境评价和评价结果运用，年底前形成评价报告并推动问题整改。（示范市发展改革局牵头）")
    halves = [("一、政务服务", "开展营商环境评价，年底前形成评价报告。（示范市发展改革局牵头）"),
              ("一、政务服务", "开展营商环境评价结果运用，年底前推动问题整改。（示范市发展改革局牵头）")]
    site.write("a.txt", plan_a([TASKS_A[0], whole]))
    site.build()
    uid = site.uid_of("开展营商环境评价和评价结果运用")
    site.write("a.txt", plan_a([TASKS_A[0], *halves]))
    rep = site.build()
    changes = {c.kind: c for c in rep.changes}
    assert "split" in changes and "开展营商环境评价和评价结果运用" in changes["split"].detail
    assert uid in site.events()                                 # one half keeps the old identity
    site.write("a.txt", plan_a([TASKS_A[0], whole]))
    rep = site.build()
    assert any(c.kind == "merged" for c in rep.changes)


def test_sequence_rises_when_only_the_description_changes(tmp_path):
    """#30: a change subscribers see only in DESCRIPTION (a task's words after its title, the
    plan's title) raises SEQUENCE like one in SUMMARY; a rebuild that changes nothing does not."""
    from icalendar import Calendar

    from calgen.publish.build import build
    from calgen.sample import sample_path

    from .conftest import rules_for

    text = sample_path().read_text(encoding="utf-8")
    plan = tmp_path / "plan.txt"
    plan.write_text(text, encoding="utf-8")
    out = tmp_path / "out"

    def seqs():
        cal = Calendar.from_ical((out / "feeds" / "all.ics").read_bytes())
        return {str(e["UID"]): (int(e["SEQUENCE"]), str(e["DESCRIPTION"])) for e in cal.walk("VEVENT")
                if not str(e["UID"]).startswith("remind")}

    build([str(plan)], rules_for(output=out))
    first = seqs()
    build([str(plan)], rules_for(output=out))
    assert seqs() == first                                          # nothing changed: nothing rises
    plan.write_text(text.replace("将企业开办时间压缩至1个工作日内", "将企业开办时间压缩至0.5个工作日内"), encoding="utf-8")
    rep = build([str(plan)], rules_for(output=out))
    now = seqs()
    changed = {u for u in now if now[u][1] != first[u][1]}
    assert changed and all(now[u][0] == first[u][0] + 1 for u in changed)
    assert all(now[u][0] == first[u][0] for u in now if u not in changed)
    assert any(c.detail.startswith("description changed") or c.detail == "text or agencies changed"
               for c in rep.changes)


def test_a_suffix_other_plans_bring_and_take_raises_sequence(tmp_path):
    """#30: two plans giving one agency a task with the same words and day: the second's event
    gets the plan's 文号 in that feed.  When a new plan brings the collision, the event's SUMMARY
    changes though its plan did not — and its SEQUENCE rises; the suffix then stays put (when the
    other plan leaves, or is read in another order), so nothing else changes."""
    from icalendar import Calendar

    def plan(number: str, other: str) -> str:
        return (f"示范市人民政府办公室关于印发工作要点的通知\n示政办〔2025〕{number}号\n"
                f"一、推进政务服务一网通办。（示范市数据局负责，2025年6月底前完成）\n二、{other}。（示范市财政局负责）\n")

    (tmp_path / "in").mkdir()
    b = tmp_path / "in" / "b.txt"
    b.write_text(plan("9", "完善预算制度"), encoding="utf-8")
    out = tmp_path / "out"

    def summaries() -> list[tuple[str, int]]:
        feed = next(p for p in (out / "feeds").glob("*.ics") if "shujuju" in p.stem or "sjj" in p.stem)
        cal = Calendar.from_ical(feed.read_bytes())
        return sorted((str(e["SUMMARY"]), int(e["SEQUENCE"])) for e in cal.walk("VEVENT")
                      if not str(e["UID"]).startswith("remind"))

    rules = rules_for(output=out)
    build([str(tmp_path / "in")], rules)
    assert [n for _, n in summaries()] == [0]
    a = tmp_path / "in" / "a.txt"                                  # read first: b's event gets the suffix
    a.write_text(plan("3", "加强债务管理"), encoding="utf-8")
    build([str(tmp_path / "in")], rules)
    got = summaries()
    assert [n for _, n in got] == [0, 1] and got[1][0].endswith("〔示政办〔2025〕9号〕"), got
    build([str(tmp_path / "in")], rules)
    assert summaries() == got                                      # nothing changed: nothing rises
    a.unlink()
    build([str(tmp_path / "in")], rules_for(output=out, allow_removals=True))
    assert summaries() == [got[1]]
    # the task leaves its plan: the cancellation in that feed is newer than what subscribers hold
    b.write_text(plan("9", "完善预算制度").replace("一、推进政务服务一网通办。（示范市数据局负责，2025年6月底前完成）\n二、", "一、"),
                 encoding="utf-8")
    build([str(tmp_path / "in")], rules_for(output=out, keep_removed=True))
    ((summary, sequence),) = summaries()
    assert summary.startswith("【已取消】") and sequence > got[1][1]


@pytest.mark.parametrize("kill_at", [1, 2, 3, 4, 6, 9])
def test_taking_over_an_older_output_is_crash_safe_and_keeps_every_uid(tmp_path, monkeypatch, kill_at):
    """#31: the first build over a folder an older calgen wrote (real files, no generations),
    killed at any rename of its takeover, leaves a folder the next build reads: every event keeps
    its UID (a folder is renamed aside, never deleted first; manifest/ is linked before
    manifest.json)."""
    import os
    import shutil

    from calgen.publish.store import generations as store

    site = Site(tmp_path)
    site.write("a.txt", PLAN_A)
    site.build()
    reference = set(site.events())
    # make it a pre-generations output: the published set as real files, no links, no store
    real = site.out.resolve() / ".current"
    plain = tmp_path / "plain"
    shutil.copytree(real.resolve(), plain)
    shutil.rmtree(site.out)
    shutil.copytree(plain, site.out)
    assert not (site.out / "feeds").is_symlink() and (site.out / "manifest").is_dir()
    # and the plan is edited: the reworded deadline keeps its UID only through the last manifest
    site.write("a.txt", PLAN_A.replace("6月底前完成", "7月底前完成"))
    calls = {"n": 0}
    real_replace = os.replace

    def dying(src, dst, *a, **k):
        d = os.fspath(dst)
        if os.path.dirname(d) == str(site.out) and not d.endswith((".current", ".calgen.lock")):
            calls["n"] += 1
            if calls["n"] == kill_at:
                raise KeyboardInterrupt("killed")
        return real_replace(src, dst, *a, **k)

    monkeypatch.setattr(store.os, "replace", dying)
    with pytest.raises(KeyboardInterrupt):
        site.build()
    monkeypatch.setattr(store.os, "replace", real_replace)
    site.build()
    assert set(site.events()) == reference
    assert not list(site.out.glob(".*.pre-generations"))
