"""Tables as tables: rows with named columns from pipe rows and from tables flattened one cell
per line; the column vocabulary is mappings/columns.toml only."""
import pytest

from calgen.extract.document import extract_text
from calgen.read.tables import Column, find_tables

from .conftest import RULES

PIPE_MERGED = """某某中心2024年政务公开工作要点
工作任务|具体要求|责任部门|
一、做好财务公开。| 1.推进预算决算公开。|财务组|
2.更新网站栏目。|综合组牵头，各组配合| |
二、做好解读。| 3.做好政策解读。12月底前完成。|各组|
"""

FLATTENED_SPLIT_HEADER = """某某镇2024年度重点工作计划
序号

重点工作

责任

领导

责任

科室

完成时限

1

水库工程建设

张某某

水利站

6月底前

2

美丽城镇创建

李某某

城建办

2024年12月底前
"""


def _tasks(text):
    doc = extract_text(text, "t.txt", RULES)
    return [(t.path, t.title, [a.written for a in t.lead], [a.written for a in t.support],
             [(m.kind, m.nominal.isoformat() if m.nominal else None) for m in t.milestones]) for t in doc.tasks]


def test_pipe_table_with_a_merged_first_cell():
    assert _tasks(PIPE_MERGED) == [
        (("一", "1."), "推进预算决算公开", ["财务组"], [], []),
        (("一", "2."), "更新网站栏目", ["综合组"], ["各组"], []),
        (("二", "3."), "做好政策解读", ["各组"], [], [("deadline", "2024-12-31")]),
    ]


def test_flattened_table_with_split_header_cells():
    """责任 / 领导 is one header cell 责任领导 (a person, never an agency); 责任科室 alone leads."""
    assert _tasks(FLATTENED_SPLIT_HEADER) == [
        (("1.",), "水库工程建设", ["水利站"], [], [("deadline", "2024-06-30")]),
        (("2.",), "美丽城镇创建", ["城建办"], [], [("deadline", "2024-12-31")]),
    ]


@pytest.mark.parametrize("lines,columns", [
    (["序号 | 任务名称 | 牵头单位 | 完成时限 |", "1 | 做某事 | 某局 | 6月底前 |"],
     {Column.SEQ: "1", Column.TASK: "做某事", Column.LEAD: "某局", Column.DEADLINE: "6月底前"}),
    (["| 工作内容 | 配合单位 |", "|---|---|", "| 做某事 | 某局 |"],
     {Column.MEASURE: "做某事", Column.SUPPORT: "某局"}),
    (["姓名 | 电话 |", "张三 | 123 |"], None),                 # not a task table: left as text
])
def test_find_tables(lines, columns):
    found = find_tables(list(lines), RULES.columns)
    if columns is None:
        assert not found.rows and found.lines == lines
    else:
        (row,) = found.rows.values()
        assert dict(row.cells) == columns


def test_column_vocabulary_lives_in_mappings_only():
    from pathlib import Path

    import calgen

    code = "".join(p.read_text(encoding="utf-8") for p in Path(calgen.__file__).parent.rglob("*.py"))
    for header in ("工作任务", "具体要求", "责任科室", "时间节点"):
        assert f'"{header}"' not in code, header


_QUARTERS_PIPE = ("示范市2023年重点工作任务推进计划表\n"
                  "| 序号 | 重点任务 | 责任单位 | 第一季度 | 第二季度 | 第三季度 | 第四季度 |\n"
                  "| --- | --- | --- | --- | --- | --- | --- |\n"
                  "| 1 | 建设政务服务平台 | 市数据局 | 完成招标 | 5月20日前完成开发 | — | 全面上线运行 |\n"
                  "| 2 | 推进审批改革 | 市审批局 | / | / | 出台实施方案 | / |\n")
_QUARTERS_FLAT = ("示范市2023年重点工作任务推进计划表\n序号\n重点任务\n责任单位\n一季度\n二季度\n三季度\n四季度\n"
                  "1\n建设政务服务平台\n市数据局\n完成招标\n5月20日前完成开发\n—\n全面上线运行\n"
                  "2\n推进审批改革\n市审批局\n/\n/\n出台实施方案\n/\n")


@pytest.mark.parametrize("text", [_QUARTERS_PIPE, _QUARTERS_FLAT], ids=["pipe", "one cell per line"])
def test_a_progress_table_by_quarter_dates_each_cell(text):
    """#29: 第一季度…第四季度 columns: a cell is due at its quarter's end, or by its own date."""
    from calgen.extract.document import extract_text

    doc = extract_text(text, "p.txt", RULES)
    got = [(t.title, [a.name for a in t.lead or t.responsible],
            [(m.phrase, m.nominal.isoformat(), m.clause) for m in t.milestones]) for t in doc.tasks]
    assert got == [
        ("建设政务服务平台", ["市数据局"], [("第一季度", "2023-03-31", "完成招标"),
                                    ("5月20日前", "2023-05-20", "5月20日前完成开发"),
                                    ("第四季度", "2023-12-31", "全面上线运行")]),
        ("推进审批改革", ["市审批局"], [("第三季度", "2023-09-30", "出台实施方案")]),
    ]
