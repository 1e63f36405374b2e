import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
GOLD = SHARED / "gold"


def need_shared() -> Path:
    """The seed folder; skipped locally when absent, a failure in CI (CI=true)."""
    if not SEEDS.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SEEDS} is missing: CI must run with ../shared beside the checkout")
        pytest.skip(f"{SEEDS} not present (the seed plans live outside the repository)")
    return SEEDS


@pytest.fixture(scope="session")
def seeds() -> Path:
    return need_shared()


@pytest.fixture(scope="session")
def seed_files(seeds) -> list[str]:
    return sorted(str(p) for p in seeds.glob("*.txt"))


@pytest.fixture(scope="session")
def seed_docs(seed_files):
    from calgen.pipeline import extract_many

    docs, failures = extract_many(seed_files)
    assert not failures
    return {Path(d.source).name[:3]: d for d in docs}


@pytest.fixture(autouse=True)
def _stable_env(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    from calgen import workdays

    workdays.set_assume_weekdays(False)
    yield
    workdays._EXTRA_FILES.clear()
    workdays.clear_cache()
    workdays.set_assume_weekdays(False)
