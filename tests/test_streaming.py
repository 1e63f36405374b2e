"""The streaming build (issue 13): plans pass through one by one, outputs are the same bytes
whatever --jobs and start method, feeds split by region, all.ics bounded, Gantt per region,
and an older single-file manifest is carried over."""
import json

import pytest

from calgen.publish.build import build
from calgen.publish.feeds import ics
from calgen.publish.feeds.feedfiles import FeedFiles
from calgen.publish.store.generations import OutputStore
from calgen.sample import sample_path

from .conftest import published, rules_for
from .helpers import head_icalendar

SAMPLE = sample_path().read_text(encoding="utf-8")


def _plans(folder, cities=("平阳", "安宁"), per_city=2):
    """Small plans of two cities (the bundled sample with another city, 文号 and year)."""
    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    for city in cities:
        for k in range(per_city):
            n += 1
            text = SAMPLE.replace("示范市", city + "市").replace("示府办函", city[0] + "府办函")
            text = text.replace("〔2023〕18号", f"〔2023〕{n}号")
            if k:
                text = text.replace("9月底前出台信用修复管理办法", "10月底前出台信用修复管理办法")
            (folder / f"{city}-{k}.txt").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(("method", "whole"), [("fork", 1000), ("spawn", 1000), ("spawn", 3)])
def test_the_same_bytes_whatever_jobs_and_start_method(tmp_path, monkeypatch, method, whole):
    """--jobs 2 (workers write plan feeds, manifest parts and Gantt files themselves) publishes
    what --jobs 1 does: one Gantt set, or one per region past gantt_whole_plans."""
    import functools

    from calgen.publish import workers

    plans = _plans(tmp_path / "plans")
    one = tmp_path / "one"
    build([str(plans)], rules_for(output=one, jobs=1, gantt_whole_plans=whole))
    monkeypatch.setattr(workers.Workers, "__init__",
                        functools.partialmethod(workers.Workers.__init__, start_method=method))
    two = tmp_path / "two"
    build([str(plans)], rules_for(output=two, jobs=2, gantt_whole_plans=whole))
    assert published(one) == published(two)
    assert ("gantt/pingyangshi.xlsx" in published(two)) == (whole == 3)


def test_each_region_has_its_feed_of_its_own_plans(tmp_path):
    plans = _plans(tmp_path / "plans")
    out = tmp_path / "out"
    rep = build([str(plans)], rules_for(output=out))
    regions = sorted(p.name for p in (out / "feeds" / "regions").glob("*.ics"))
    assert regions == ["anningshi.ics", "pingyangshi.ics"]
    ping = (out / "feeds" / "regions" / "pingyangshi.ics").read_text(encoding="utf-8")
    assert "CATEGORIES:平府办函〔2023〕" in ping and "安府办函" not in ping
    everything = (out / "feeds" / "all.ics").read_text(encoding="utf-8")
    assert everything.count("BEGIN:VEVENT") == rep.events
    assert ping.count("BEGIN:VEVENT") + (out / "feeds" / "regions" / "anningshi.ics").read_text(
        encoding="utf-8").count("BEGIN:VEVENT") == rep.events
    index = (out / "feeds" / "index.html").read_text(encoding="utf-8")
    assert "regions/pingyangshi.ics" in index and "<h2>地区（" in index and "<li>平阳市：" in index
    from calgen.publish.feeds.check import check_folder

    assert {f: p for f, p in check_folder(out / "feeds").items() if p} == {}


def test_all_ics_past_its_limit_is_not_published_and_the_regions_are(tmp_path):
    plans = _plans(tmp_path / "plans")
    out = tmp_path / "out"
    rep = build([str(plans)], rules_for(output=out, all_ics_limit=20_000))
    assert not (out / "feeds" / "all.ics").exists()
    assert any("feeds/all.ics is not published" in w for w in rep.warnings)
    assert "all.ics" not in (out / "feeds" / "index.html").read_text(encoding="utf-8")
    assert len(list((out / "feeds" / "regions").glob("*.ics"))) == 2


def test_gantt_outputs_split_by_region_past_the_whole_limit(tmp_path):
    plans = _plans(tmp_path / "plans")
    out = tmp_path / "out"
    build([str(plans)], rules_for(output=out, gantt_whole_plans=3))
    names = sorted(p.name for p in (out / "gantt").iterdir())
    assert names == ["anningshi.html", "anningshi.xlsx", "anningshi.xml", "index.html",
                     "pingyangshi.html", "pingyangshi.xlsx", "pingyangshi.xml"]
    assert not (out / "gantt.xlsx").exists() and (out / "gantt.csv").exists()
    xml = (out / "gantt" / "pingyangshi.xml").read_text(encoding="utf-8")
    assert "平府办函" in xml and "安府办函" not in xml
    assert "平阳市（2 个文件）" in (out / "gantt" / "index.html").read_text(encoding="utf-8")


def test_a_format_2_manifest_is_carried_over(tmp_path):
    """An older build's single-file manifest (every document and event inside): the next build
    keeps every UID and SEQUENCE and reports no change."""
    plans = _plans(tmp_path / "plans")
    out = tmp_path / "out"
    build([str(plans)], rules_for(output=out))
    gen = (out / ".current").resolve()
    data = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    events, documents, inputs = {}, {}, {}
    for source, entry in data["documents"].items():
        part = json.loads((gen / "manifest" / entry["part"]).read_text(encoding="utf-8"))
        events.update(part["events"])
        documents[source] = part["document"]
        inputs[source] = entry["hash"]
    old = {**data, "format": 2, "events": events, "documents": documents, "inputs": inputs}
    old.pop("region_owners")
    (gen / "manifest.json").write_text(json.dumps(old, ensure_ascii=False), encoding="utf-8")
    for part in (gen / "manifest").iterdir():
        part.unlink()
    before = {k: v for k, v in published(out).items() if k.startswith("feeds/")}
    rep = build([str(plans)], rules_for(output=out))
    assert not rep.changes and not [w for w in rep.warnings if "manifest" in w]
    after = {k: v for k, v in published(out).items() if k.startswith("feeds/")}
    assert after == before


def test_a_missing_plan_is_kept_from_its_manifest_part(tmp_path):
    plans = _plans(tmp_path / "plans")
    out = tmp_path / "out"
    build([str(plans)], rules_for(output=out))
    before = _events(out / "feeds" / "regions" / "anningshi.ics")
    (plans / "安宁-0.txt").unlink()
    rep = build([str(plans)], rules_for(output=out))
    assert any("安宁-0.txt: missing" in k for k in rep.kept) and not rep.changes
    assert len(before) > 10 and _events(out / "feeds" / "regions" / "anningshi.ics") == before


def _events(path):
    """(UID, SEQUENCE, DTSTART) of each event: a kept plan comes after the plans read now, so
    which of two alike summaries gets its plan's 文号 added may change, nothing else."""
    import re

    text = path.read_bytes().decode("utf-8")
    return sorted(re.findall(r"UID:(\S+)\r\nSEQUENCE:(\d+)\r\n(?:.|\r\n)*?DTSTART;VALUE=DATE:(\d+)", text))


def test_feed_files_keep_few_handles_and_write_every_feed_whole(tmp_path):
    """Five feeds written in turns through two open files: each is whole and in order."""
    store = OutputStore(tmp_path / "out")
    body = b"DTSTART;VALUE=DATE:20230630\r\n"
    with store.stage() as stage:
        feeds = FeedFiles(stage, handles=2)
        for k in range(3):
            for f in range(5):
                feeds.start(f"feeds/f{f}.ics", f"单位{f}", "d")
                item = (f"u{f}-{k}", 0, "年底前：任务", "20230630", "〔甲〕", body,
                        ics.assemble(f"u{f}-{k}", 0, "年底前：任务", body))
                feeds.events(f"feeds/f{f}.ics", [item])
        for rel in feeds.open_feeds():
            feeds.finish(rel)
        texts = [(stage.path / f"feeds/f{f}.ics").read_bytes().decode("utf-8") for f in range(5)]
    for f, text in enumerate(texts):
        assert text.startswith("BEGIN:VCALENDAR") and text.endswith("END:VCALENDAR\r\n")
        assert [line for line in text.split("\r\n") if line.startswith("UID:")] == [f"UID:u{f}-{k}" for k in range(3)]
        # the same summary on the same day in one feed: told apart by the plan, then the UID
        assert "SUMMARY:年底前：任务\r\n" in text and "SUMMARY:年底前：任务〔甲〕\r\n" in text
        assert f"SUMMARY:年底前：任务〔甲〕#u{f}-2\r\n" in text


@pytest.mark.parametrize("name,description", [
    ("示范市财政局", "示范市财政局：工作任务节点（calgen）"),
    ("全部任务节点", "calgen：所有工作任务节点"),
    ("长" * 60, "很长的说明" * 30),
])
def test_the_calendar_head_is_what_icalendar_writes(name, description):
    assert ics.head(name, description) == head_icalendar(name, description)


def test_what_goes_to_a_worker_per_plan_does_not_grow_with_the_build(tmp_path, monkeypatch):
    """Each publish job carries its own plan's agencies with a feed, never the build's whole set
    (which, pickled with every chunk of jobs, made a national build quadratic)."""
    import pickle

    from calgen.publish import docwork

    seen = []
    real = docwork.publish

    def spy(job, shared, rules):
        seen.append((job, docwork.load(job.spill).jurisdiction, len(pickle.dumps(shared))))
        return real(job, shared, rules)

    monkeypatch.setattr(docwork, "publish", spy)
    plans = _plans(tmp_path / "plans", cities=("平阳", "安宁", "永安"), per_city=1)
    build([str(plans)], rules_for(output=tmp_path / "out"))
    assert len(seen) == 3
    for job, region, shared_size in seen:
        city = region[:2]
        assert job.fed and all(name.startswith(city) for name in job.fed), (city, job.fed)
        assert shared_size < 2_000


def test_spills_keep_several_plans_in_one_file(tmp_path):
    """A survey batch keeps its plans in one scratch file; each is read back whole, or its
    Document alone."""
    from calgen.publish import docwork
    from calgen.publish.feeds.events import events

    from .conftest import RULES

    plans = _plans(tmp_path / "plans", per_city=2)
    paths = sorted(str(p) for p in plans.iterdir())
    scratch = tmp_path / "out#1" / "scratch"                 # a '#' in the output folder's name
    scratch.parent.mkdir()
    scratch.mkdir()
    surveys = docwork.survey_batch(list(enumerate(paths)), RULES, str(scratch))
    assert [p.name for p in scratch.iterdir()] == ["b0000000.pkl"]
    spills = [s.spill for s in surveys]
    assert len(set(spills)) == 4 and spills[0].endswith("#0")
    for s, path in zip(surveys, paths, strict=True):
        doc, evs = docwork.load_with_events(s.spill)
        assert doc.source == path == docwork.load(s.spill).source
        assert evs == events([doc], RULES.scheduler) and all(e.doc is doc for e in evs)


def test_a_region_written_short_and_long_is_one_region(tmp_path):
    """#30: 普陀区 and 上海市普陀区 (the issuer written both ways) share one region feed and one
    Gantt set; 普陀区 beside two cities' 普陀区 stays apart, with a warning."""
    from calgen.publish.build import build

    def plan(issuer, number, month):
        return (f"{issuer}关于印发《2024年政务服务工作要点》的通知\n{number}\n{issuer}\n2024年3月1日\n"
                f"一、提升服务\n（一）推行一网通办。{month}月底前上线新平台。（区政务服务中心牵头）\n")

    (tmp_path / "a.txt").write_text(plan("普陀区人民政府办公室", "普府办〔2024〕1号", 6), encoding="utf-8")
    (tmp_path / "b.txt").write_text(plan("上海市普陀区人民政府办公室", "普府办〔2024〕2号", 9), encoding="utf-8")
    out = tmp_path / "out"
    rep = build([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")], rules_for(output=out))
    assert not rep.failures
    regions = sorted(p.name for p in (out / "feeds" / "regions").glob("*.ics"))
    assert regions == ["shanghaishiputuoqu.ics"], regions
    assert (out / "feeds" / "regions" / regions[0]).read_text(encoding="utf-8").count("BEGIN:VEVENT") >= 2
    (tmp_path / "c.txt").write_text(plan("舟山市普陀区人民政府办公室", "舟普政办〔2024〕3号", 10), encoding="utf-8")
    out2 = tmp_path / "out2"
    rep = build([str(tmp_path / p) for p in ("a.txt", "b.txt", "c.txt")], rules_for(output=out2))
    assert any("region 普陀区 may be 上海市普陀区 or 舟山市普陀区" in w for w in rep.warnings)
    assert len(list((out2 / "feeds" / "regions").glob("*.ics"))) == 3
