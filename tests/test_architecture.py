"""The package's shape: no ambient state, no import cycles, the same output whatever the
multiprocessing start method.  (Issue 11: settings and loaded rules are passed in.)"""
import ast
import collections
import functools
import importlib
import multiprocessing
import pkgutil
import types
from pathlib import Path

import pytest

import calgen

from .conftest import RULES, rules_for

PACKAGE = Path(calgen.__file__).parent
PKG = PACKAGE.resolve()
_MUTABLE = (list, dict, set, bytearray, collections.deque, collections.OrderedDict,
            collections.defaultdict, collections.Counter)


def _modules() -> list[str]:
    return ["calgen"] + [m.name for m in pkgutil.walk_packages([str(PACKAGE)], "calgen.")
                         if not m.name.endswith("__main__")]


# The one per-process memo allowed, and why: a build's worker process is given the Settings
# (picklable; Rules are not) and loads its Rules once from them, not once per plan (11 ms each,
# ~25 s of CPU at 20,000 plans).  The main process never calls it: it passes its Rules explicitly.
WORKER_MEMOS = frozenset({"calgen.publish.docwork.rules_for"})


def test_no_module_level_mutable_state():
    """Module globals are constants: no lists, dicts or sets (MappingProxyType, tuple and
    frozenset are used instead), no lru_cache'd loaders, no instances that carry state."""
    found = []
    for name in _modules():
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if attr.startswith("__") or isinstance(value, types.ModuleType):
                continue
            if isinstance(value, _MUTABLE):
                found.append(f"{name}.{attr}: {type(value).__name__}")
            elif isinstance(value, functools._lru_cache_wrapper) and value.__module__.startswith("calgen") \
                    and f"{name}.{attr}" not in WORKER_MEMOS:
                found.append(f"{name}.{attr}: lru_cache")
    assert found == []


def _imports(path: Path, module: str) -> set[str]:
    """calgen modules imported by one file (TYPE_CHECKING blocks excluded)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    out: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - child.level + 1]
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                if target.startswith("calgen"):
                    out.add(target)
                    for alias in child.names:             # from . import agencies
                        if f"{target}.{alias.name}" in MODULES:
                            out.add(f"{target}.{alias.name}")
            elif isinstance(child, ast.Import):
                out.update(a.name for a in child.names if a.name.startswith("calgen"))
            visit(child)

    visit(tree)
    return {m for m in out if m in MODULES and m != module}


MODULES = set(_modules())


def _path(module: str) -> Path:
    rel = Path(*module.split(".")[1:])
    return PACKAGE / rel / "__init__.py" if (PACKAGE / rel).is_dir() else PACKAGE / f"{rel}.py"


def test_import_graph_has_no_cycle():
    graph = {m: _imports(_path(m), m) for m in MODULES}
    # a package's __init__ is not an edge target worth following (they are empty)
    state: dict[str, int] = {}
    cycles = []

    def dfs(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" → ".join(stack[stack.index(nxt):] + [nxt]) if nxt in stack else nxt)
            elif nxt not in state:
                dfs(nxt, stack + [nxt])
        state[node] = 2

    for m in sorted(graph):
        if m not in state:
            dfs(m, [m])
    assert cycles == []


def test_rules_are_independent_loads(tmp_path):
    """Two Rules never share state: an extra registry in one is unknown to the other."""
    extra = tmp_path / "extra.toml"
    extra.write_text('[[agency]]\nname = "东莞市重大项目建设办公室"\njurisdiction = "东莞市"\n'
                     'kind = "department"\naliases = ["市重大办"]\nsource = "test"\n', encoding="utf-8")
    with_extra = rules_for(agency_files=(extra,))
    assert with_extra.registry.resolve("市重大办", "东莞市").known
    assert not RULES.registry.resolve("市重大办", "东莞市").known


YEAR_2027 = """year = 2027
complete = true
source = "测试用：假设的2027年节假日安排"
workdays = [2027-09-26]
[[holiday]]
name = "元旦"
start = 2027-01-01
[[holiday]]
name = "国庆节"
start = 2027-10-01
end = 2027-10-07
"""

PLAN_2027 = """示范市人民政府办公室关于印发示范市2027年重点工作安排的通知
示府办〔2027〕{n}号
2027年1月10日
一、任务
(一)推进重大项目。9月底前完成验收，国庆节前开展检查。(市重大办牵头，市财政局配合)
(二)优化服务。6月底前上线。(市政务服务数据管理局负责)
"""


@pytest.mark.parametrize("method", multiprocessing.get_all_start_methods())
def test_jobs_identical_under_every_start_method(tmp_path, method):
    """--jobs 2 with an extra calendar file and an extra registry gives the bytes of --jobs 1."""
    from calgen.extract.batch import extract_many
    from calgen.publish.store.schema import dumps

    cal = tmp_path / "2027.toml"
    cal.write_text(YEAR_2027, encoding="utf-8")
    extra = tmp_path / "extra.toml"
    extra.write_text('[[agency]]\nname = "示范市重大项目建设办公室"\njurisdiction = "示范市"\n'
                     'kind = "department"\naliases = ["市重大办"]\nsource = "test"\n', encoding="utf-8")
    files = []
    for n in range(4):
        p = tmp_path / f"plan{n}.txt"
        p.write_text(PLAN_2027.format(n=n + 1), encoding="utf-8")
        files.append(str(p))
    rules = rules_for(calendar_files=(cal,), agency_files=(extra,))
    one, fail_one = extract_many(files, rules, jobs=1)
    two, fail_two = extract_many(files, rules, jobs=2, start_method=method)
    assert not fail_one and not fail_two
    assert len(one) == 4
    assert dumps(one) == dumps(two)
    task = one[0].tasks[0]
    assert task.lead[0].name == "示范市重大项目建设办公室"          # the extra registry reached the worker
    assert [m.due.isoformat() for m in task.milestones] == ["2027-09-30", "2027-09-30"]


def _imported_names(tree: ast.Module) -> set[str]:
    """Names a module binds to something imported from outside calgen."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update((a.asname or a.name).split(".")[0] for a in node.names if not a.name.startswith("calgen"))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and not (node.module or "").startswith("calgen"):
            out.update(a.asname or a.name for a in node.names)
    return out


# Names with a leading underscore that their library documents as public.
DOCUMENTED = frozenset({"os._exit"})


def test_public_apis_of_dependencies_only():
    """#28: no private attribute of a dependency (or of the standard library), no private
    module imported, no subclass of a dependency's class overriding its private methods, no
    exec/eval.  Private means a name starting with one underscore (dunders are the language's)."""
    def private(name: str) -> bool:
        return name.startswith("_") and not name.startswith("__")

    found = []
    for path in sorted(PKG.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        outside = _imported_names(tree)
        where = path.relative_to(PKG.parent)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (
                    any(private(a.name) for a in node.names) or any(private(p) for p in (node.module or "").split("."))):
                found.append(f"{where}:{node.lineno}: from {node.module} import {', '.join(a.name for a in node.names)}")
            elif isinstance(node, ast.Import) and any(private(p) for a in node.names for p in a.name.split(".")):
                found.append(f"{where}:{node.lineno}: import {', '.join(a.name for a in node.names)}")
            elif isinstance(node, ast.Attribute) and private(node.attr):
                base = node.value
                while isinstance(base, ast.Attribute):
                    base = base.value
                if isinstance(base, ast.Name) and base.id in outside and f"{base.id}.{node.attr}" not in DOCUMENTED:
                    found.append(f"{where}:{node.lineno}: {base.id}….{node.attr}")
            elif isinstance(node, ast.ClassDef) and any(isinstance(b, ast.Name | ast.Attribute) and
                                                        ast.unparse(b).split(".")[0] in outside for b in node.bases):
                found += [f"{where}:{f.lineno}: {node.name}.{f.name} overrides a dependency's private method"
                          for f in node.body if isinstance(f, ast.FunctionDef) and private(f.name)]
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("exec", "eval"):
                found.append(f"{where}:{node.lineno}: {node.func.id}()")
    assert not found, "\n".join(found)


def test_nothing_compiled_in_the_source_tree():
    """#28: a checkout runs as Python; an edit runs without reinstalling."""
    assert Path(calgen.__file__).resolve().parent == PKG
    assert not [p for p in PKG.rglob("*") if p.suffix in (".so", ".pyd")]
    assert not list(PKG.parent.glob("*.so"))


def test_settings_defaults_have_one_owner(tmp_path, monkeypatch):
    """#28: `calgen init` writes Settings' own defaults, and a build with that file (or none)
    gets exactly the Settings a library user gets from Settings()."""
    import dataclasses
    import tomllib

    from click.testing import CliRunner

    from calgen.cli import cli
    from calgen.settings import Settings, default, example

    written = tomllib.loads(example())
    for key, field in (("output", "output"), ("roll", "roll"), ("base_url", "base_url"),
                       ("keep_removed", "keep_removed"), ("allow_removals", "allow_removals"), ("strict", "strict")):
        value = default(field)
        assert written[key] == (value.value if hasattr(value, "value") else str(value) if isinstance(value, Path)
                                else value)
    seen = []
    monkeypatch.setattr("calgen.publish.build.build", lambda inputs, rules, progress=None: seen.append(rules.settings)
                        or (_ for _ in ()).throw(SystemExit(0)))
    monkeypatch.chdir(tmp_path)
    CliRunner().invoke(cli, ["build", "x.txt"])
    assert CliRunner().invoke(cli, ["init"]).exit_code == 0
    CliRunner().invoke(cli, ["build", "x.txt"])
    plain = dataclasses.replace(Settings(), source_date_epoch=None)
    assert len(seen) == 2
    for got in seen:
        assert dataclasses.replace(got, source_date_epoch=None) == plain
