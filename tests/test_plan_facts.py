"""[[plan]] in calgen.toml (issue 30): facts a plan's page lost, said by the user, applied before
the plan is read further — every output names the plan, its agencies are its jurisdiction's,
its bare dates are read in its year."""
import datetime as dt
import json

import pytest
from click.testing import CliRunner

from calgen.cli import cli
from calgen.errors import MappingError
from calgen.settings import PlanFacts, load_config, plan_facts

# A page beginning as scraped pages often are: no title line, no 文号, no date — only tasks.
BARE = """一、优化政务服务
（一）推行“一网通办”。6月底前上线新平台，年底前实现全程网办。（市政务服务中心牵头，市财政局配合）
（二）加强宣传解读。做好政策解读工作。（市委宣传部负责）
"""


def _config(tmp_path, text):
    path = tmp_path / "calgen.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, problem", [
    ('[[plan]]\ntitle = "x"\n', "path is missing"),
    ('[[plan]]\npath = "a.txt"\n', "says nothing about"),
    ('[[plan]]\npath = "a.txt"\nname = "x"\n', "unknown key 'name'"),
    ('[[plan]]\npath = "a.txt"\nissued = "3月1日"\n', "issued must be a date"),
    ('[[plan]]\npath = "a.txt"\nissued = 2024-03-01T08:00:00\n', "issued must be a date"),
    ('[[plan]]\npath = "a.txt"\nplan_year = 24\n', "plan_year must be a year"),
    ('[[plan]]\npath = "a.txt"\ntitle = ""\n', "title must be one line of text"),
    ('plan = "a.txt"\n', "plan must be a list"),
])
def test_plan_entries_are_checked_once(tmp_path, text, problem):
    with pytest.raises(MappingError, match=problem):
        load_config(_config(tmp_path, text))


def test_paths_are_relative_to_calgen_toml_and_globs_match(tmp_path):
    conf = _config(tmp_path, '[[plan]]\npath = "plans/*.txt"\nplan_year = 2024\n\n'
                             '[[plan]]\npath = "plans/a.txt"\nissued = 2024-03-01\ntitle = "某市工作要点"\n')
    facts = plan_facts(load_config(conf)["plan"], conf)
    assert all(isinstance(f, PlanFacts) and f.path.startswith(str(tmp_path)) for f in facts)
    from calgen.settings import Settings

    s = Settings(plans=facts)
    assert s.facts_for(str(tmp_path / "plans" / "a.txt")) == {"plan_year": 2024, "issued": dt.date(2024, 3, 1),
                                                               "title": "某市工作要点"}
    assert s.facts_for(str(tmp_path / "plans" / "b.txt")) == {"plan_year": 2024}
    assert s.facts_for(str(tmp_path / "other" / "a.txt")) == {}


def test_a_bare_page_gets_its_name_jurisdiction_and_year(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "yy.txt").write_text(BARE, encoding="utf-8")
    (tmp_path / "plans" / "tl.txt").write_text(BARE, encoding="utf-8")
    _config(tmp_path, 'inputs = ["plans"]\n\n'
                      '[[plan]]\npath = "plans/yy.txt"\ntitle = "岳阳市2024年政务服务工作要点"\n'
                      'doc_number = "岳政办函〔2024〕3号"\nissued = 2024-03-01\njurisdiction = "岳阳市"\n\n'
                      '[[plan]]\npath = "plans/tl.txt"\ntitle = "铜陵市2024年政务服务工作要点"\nissued = 2024-03-05\n'
                      'jurisdiction = "铜陵市"\n')
    r = CliRunner().invoke(cli, ["extract", "plans/yy.txt"])
    assert r.exit_code == 0, r.output
    (doc,) = json.loads(r.output)["documents"]
    assert (doc["title"], doc["doc_number"], doc["issued"], doc["plan_year"]) == \
        ("岳阳市2024年政务服务工作要点", "岳政办函〔2024〕3号", "2024-03-01", 2024)
    first = doc["tasks"][0]
    assert [a["name"] for a in first["agencies"] if a["role"] == "lead"] == ["岳阳市政务服务中心"]
    assert [m["due"] for m in first["milestones"]] == ["2024-06-28", "2024-12-31"]   # 6月30日 is a Sunday
    r = CliRunner().invoke(cli, ["build"])
    assert r.exit_code == 0, r.output
    feeds = {p.name for p in (tmp_path / "output" / "feeds").glob("*.ics")}
    assert any(n.startswith("yys-") for n in feeds) and any(n.startswith("tls-") for n in feeds)   # two cities, two feeds
    index = (tmp_path / "output" / "feeds" / "index.html").read_text(encoding="utf-8")
    assert "岳阳市2024年政务服务工作要点" in index and "铜陵市2024年政务服务工作要点" in index
    assert "facts set by calgen.toml" in r.output


def test_a_plan_that_names_no_government_is_told_how_to_name_it(tmp_path):
    from calgen.publish.build import build

    from .conftest import rules_for

    page = tmp_path / "page.txt"
    page.write_text("2024年工作要点\n" + BARE, encoding="utf-8")
    rep = build([str(page)], rules_for(output=tmp_path / "out"))
    (line,) = [w for w in rep.warnings if "names no government" in w]
    assert "市政务服务中心" in line and "[[plan]]" in line and "jurisdiction" in line
    facts = plan_facts([{"path": str(page), "jurisdiction": "岳阳市"}], tmp_path / "calgen.toml")
    rep = build([str(page)], rules_for(output=tmp_path / "out2", plans=facts))
    assert not any("names no government" in w for w in rep.warnings)


def test_bare_agencies_of_plans_that_name_no_government_keep_apart(tmp_path):
    """Two pages that never name their city, both writing 市财政局: two feeds, each named with its
    plan — never one feed mixing two cities' tasks."""
    from calgen.publish.build import build

    from .conftest import rules_for

    for name, title in (("a.txt", "甲地2024年工作要点"), ("b.txt", "乙地2024年工作要点")):
        (tmp_path / name).write_text(title + "\n" + BARE, encoding="utf-8")
    out = tmp_path / "out"
    rep = build([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")], rules_for(output=out))
    assert not rep.failures
    names = {}
    for feed in (out / "feeds").glob("*.ics"):
        text = feed.read_text(encoding="utf-8")
        cal = next(line for line in text.splitlines() if line.startswith("X-WR-CALNAME:"))
        names[cal.split(":", 1)[1]] = text.count("BEGIN:VEVENT")
    assert "市财政局（甲地2024年工作要点）" in names and "市财政局（乙地2024年工作要点）" in names
    assert "市财政局" not in names
