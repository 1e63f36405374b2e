import os
from pathlib import Path

import pytest

from calgen.rules import Rules
from calgen.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
GOLD = SHARED / "gold"
REALWORLD = SHARED / "realworld"


def need_shared() -> Path:
    """The seed folder; skipped locally when absent, a failure in CI (CI=true)."""
    if not SEEDS.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SEEDS} is missing: CI must run with ../shared beside the checkout")
        pytest.skip(f"{SEEDS} not present (the seed plans live outside the repository)")
    return SEEDS


# The shipped rules with default settings, loaded once for the whole session (tables of cases
# and hypothesis tests use it directly; other tests take the ``rules`` fixture).
RULES = Rules.load(Settings())


def rules_for(**chosen) -> Rules:
    """Rules for one test's own settings (output folder, extra files, roll …)."""
    return Rules.load(Settings(**chosen))


@pytest.fixture(scope="session")
def rules() -> Rules:
    return RULES


@pytest.fixture(scope="session")
def reg(rules):
    return rules.registry


@pytest.fixture(scope="session")
def seeds() -> Path:
    return need_shared()


@pytest.fixture(scope="session")
def seed_files(seeds) -> list[str]:
    return sorted(str(p) for p in seeds.glob("*.txt"))


@pytest.fixture(scope="session")
def seed_docs(seed_files, rules):
    from calgen.extract.batch import extract_many

    docs, failures = extract_many(seed_files, rules)
    assert not failures
    return {Path(d.source).name[:3]: d for d in docs}


@pytest.fixture(autouse=True)
def _stable_env(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def published(out: Path) -> dict[str, bytes]:
    """What a reader of the output folder sees: every file under its visible names (links
    followed, the hidden generation store and lock left out), and the change log aside — it
    records when each build ran, the one output made from the clock."""
    import os

    found = {}
    for folder, dirs, files in os.walk(out, followlinks=True):
        dirs[:] = [d for d in dirs if not d.startswith(".") and not (folder == str(out) and d == "changes")]
        for name in files:
            if not name.startswith("."):
                p = Path(folder, name)
                found[str(p.relative_to(out))] = p.read_bytes()
    return dict(sorted(found.items()))


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory, seed_files):
    """The five seeds built once: (output folder, report)."""
    from calgen.publish.build import build

    out = tmp_path_factory.mktemp("out")
    rep = build(seed_files, rules_for(output=out))
    return out, rep
