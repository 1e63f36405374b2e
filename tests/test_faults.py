"""#31: a build killed mid-way leaves no process behind and no lock; the next build runs."""
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = (ROOT / "calgen" / "data" / "sample_plan.txt").read_text(encoding="utf-8")


def _children(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (from /proc)."""
    parent = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                if fields[0] != "Z":
                    parent[int(entry)] = int(fields[1])
            except (OSError, IndexError):
                continue
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        out += kids
        todo += kids
    return out


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to see the worker processes")
def test_kill_9_of_a_parallel_build_leaves_no_worker_and_no_lock(tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    for i in range(120):
        (plans / f"p{i:03d}.txt").write_text(SAMPLE.replace("18号", f"{i}号"), encoding="utf-8")
    out = tmp_path / "out"
    script = textwrap.dedent(f"""
        from pathlib import Path
        from calgen.publish.build import build
        from calgen.rules import Rules
        from calgen.settings import Settings
        build([{str(plans)!r}], Rules.load(Settings(output=Path({str(out)!r}), jobs=2)))
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    deadline = time.time() + 60
    while time.time() < deadline and len(_children(proc.pid)) < 2:      # the workers have started
        time.sleep(0.05)
    workers = _children(proc.pid)
    assert len(workers) >= 2, "the build finished before its workers could be seen"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 10
    while time.time() < deadline and any(os.path.exists(f"/proc/{w}") and _alive(w) for w in workers):
        time.sleep(0.1)
    assert not [w for w in workers if _alive(w)], "workers outlived their build"
    from click.testing import CliRunner

    from calgen.cli import cli

    r = CliRunner().invoke(cli, ["build", str(plans), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "another calgen build" not in r.output
    assert "took over the lock of a build that did not finish" in r.output


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_second_build_is_still_refused_while_one_runs(tmp_path):
    from calgen.errors import OutputError
    from calgen.publish.store.generations import OutputStore

    first, second = OutputStore(tmp_path), OutputStore(tmp_path)
    with first.lock():
        child = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
            from pathlib import Path
            from calgen.publish.store.generations import OutputStore
            try:
                with OutputStore(Path({str(tmp_path)!r})).lock():
                    print("locked")
            except Exception as e:
                print(type(e).__name__, e)
        """)], cwd=ROOT, capture_output=True, text=True)
        assert "another calgen build is writing to this folder" in child.stdout
    with second.lock():
        assert not second.notes                      # the first finished: nothing to take over
    assert OutputError
