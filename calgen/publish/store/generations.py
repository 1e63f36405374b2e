"""The output folder as one consistent set: every build a new generation, switched in at once.

Layout of ``output/`` (what subscribers and web servers see is the usual paths)::

    output/feeds         -> .current/feeds          (links made once)
    output/tasks.json    -> .current/tasks.json
    output/.current      -> .generations/<id>       (the one link a build replaces)
    output/.generations/<id>/…                      (the files of one build)
    output/.calgen.lock                             (held while a build runs)

A build writes its whole set into a new generation folder and then replaces the ``.current``
link with one ``rename`` — atomic on POSIX: at any moment (a kill, a full disk, a crash) a
reader sees the old set or the new set, never a mix.  Whatever an interrupted build left behind
(a half-written generation, stray temporary files) is removed by the next build, under the lock
that keeps two builds from writing the same folder.  Where symbolic links cannot be made
(Windows without developer mode) files are renamed into place one by one instead, each
atomically but not the set; the report says so.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from ...errors import OutputError

LOCK = ".calgen.lock"
MANIFEST_NAME = "manifest.json"
ASIDE = ".pre-generations"              # a real folder of an older output, set aside while it is linked
GENERATIONS = ".generations"
CURRENT = ".current"


class OutputStore:
    """One output folder.  ``publish`` replaces its whole content in one step."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.notes: list[str] = []

    def foreign(self) -> list[str]:
        """What in the folder calgen did not write, when it is not a calgen output: empty for a
        new or empty folder (hidden files and a README about the folder aside) and for one a
        build has written (its store, lock or manifest are there)."""
        if not self.root.is_dir():
            return []
        names = [p.name for p in self.root.iterdir()]
        if any(n in names for n in (CURRENT, GENERATIONS, LOCK, "manifest.json")) or \
                ("tasks.json" in names and "feeds" in names):      # an output from before generations
            return []
        return sorted(n for n in names if not n.startswith(".") and n.upper() not in ("README.MD", "README.TXT"))

    # --- locking -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Refuse a second build into the same folder while this one runs.  The lock file names
        the holder's pid.  A build killed outright leaves its lock to worker processes that
        inherited the file; they end within a second of their parent (:func:`..collector.
        die_with_parent`), and a build that finds the holder dead waits for them, then takes
        the lock over with a note saying so."""
        if self.root.is_symlink() and not self.root.exists():
            raise OutputError(f"a link to {os.readlink(self.root)}, which does not exist", file=str(self.root),
                              hint="create the folder it names, or build into another folder with -o")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise OutputError(f"cannot write output: {e.strerror or e}", file=str(self.root),
                              hint="check the folder exists and is writable") from None
        try:
            holder = _read_pid(fd)
            if not _try_lock(fd):
                if holder is None or _alive(holder):
                    raise _busy(self.root)
                deadline = time.monotonic() + STALE_WAIT
                while not _try_lock(fd):                  # its orphaned workers are ending
                    if time.monotonic() > deadline:
                        raise _busy(self.root, holder)
                    time.sleep(0.1)
            if holder is not None and holder != os.getpid() and not _alive(holder):
                self.notes.append(f"took over the lock of a build that did not finish (pid {holder})")
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, str(os.getpid()).encode())
            yield
            os.ftruncate(fd, 0)                           # finished: nothing to take over
        finally:
            _unlock(fd)
            os.close(fd)

    # --- reading the published set -----------------------------------------------------------------

    def read(self, rel: str) -> bytes | None:
        path = self.root / rel
        try:
            return path.read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None

    def repair(self) -> list[str]:
        """Set a damaged store right before a build, saying what was done: a ``.generations``
        that is not a folder, or a ``.current`` that is not a link to a generation, is set aside
        (renamed, never deleted) and ``.current`` is pointed at the newest complete generation
        (one with its manifest), so published identities survive."""
        notes: list[str] = []
        for aside in sorted(self.root.glob(f".*{ASIDE}")) if self.root.is_dir() else ():
            name = aside.name[1:-len(ASIDE)]
            back = self.root / name
            if name and not (back.exists() or back.is_symlink()):      # killed between the two renames
                os.replace(aside, back)
                notes.append(f"{back}: a takeover was interrupted; the older output's folder is back in place")
        gens, cur = self.root / GENERATIONS, self.root / CURRENT
        if (gens.exists() or gens.is_symlink()) and (gens.is_symlink() or not gens.is_dir()):
            notes.append(f"{gens}: not a folder; set aside as {self._aside(gens)}")
        if not (cur.exists() or cur.is_symlink()):
            return notes
        target = os.readlink(cur) if cur.is_symlink() else ""
        if target.startswith(GENERATIONS + "/") and (self.root / target).is_dir():
            return notes
        if cur.is_symlink():
            cur.unlink()
        else:
            notes.append(f"{cur}: not a link; set aside as {self._aside(cur)}")
        complete = sorted(g.name for g in gens.iterdir() if (g / "manifest.json").is_file()) if gens.is_dir() else []
        if complete:
            tmp = self.root / f".current.{complete[-1]}.tmp"
            tmp.unlink(missing_ok=True)
            os.symlink(f"{GENERATIONS}/{complete[-1]}", tmp, target_is_directory=True)
            os.replace(tmp, cur)
            notes.append(f"{cur} was damaged; it points again at the newest complete generation {complete[-1]}")
        else:
            notes.append(f"{cur} was damaged and no complete generation is left: this build starts afresh "
                         "(unchanged events keep their UIDs only where the manifest survives)")
        return notes

    def _aside(self, path: Path) -> str:
        name = f"{path.name}.damaged-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
        os.replace(path, path.with_name(name))
        return name

    # --- cleaning after an interrupted build -----------------------------------------------------------

    def recover(self) -> list[str]:
        """Remove what an interrupted build left: generations that never became current,
        temporary files and the folders an interrupted takeover set aside.  Returns what was
        removed (for the report)."""
        removed = []
        current = self._current()
        gens = self.root / GENERATIONS
        if gens.is_dir():
            for g in gens.iterdir():
                if g.name != current:
                    _remove(g)
                    removed.append(f"{GENERATIONS}/{g.name}")
        for tmp in self._temporaries():
            _remove(tmp)
            removed.append(str(tmp.relative_to(self.root)))
        return removed

    def _temporaries(self) -> list[Path]:
        out = [p for p in self.root.glob(".*.tmp")] + [p for p in self.root.glob(f".*{ASIDE}")]
        for sub in ("feeds",):
            folder = self.root / sub
            if folder.is_dir() and not folder.is_symlink():
                out += folder.glob(".*.tmp")
        return out

    def _current(self) -> str | None:
        link = self.root / CURRENT
        if not link.is_symlink():
            return None
        return Path(os.readlink(link)).name

    # --- publishing ----------------------------------------------------------------------------------

    def publish(self, files: Iterable[tuple[str, bytes]]) -> list[str]:
        """Write ``files`` (relative path, bytes) as the new output set; returns their paths.
        Nothing of the previous set changes unless every file was written."""
        with self.stage() as stage:
            for rel, data in files:
                stage.write(rel, data)
            return stage.commit()

    @contextlib.contextmanager
    def stage(self) -> Iterator[Stage]:
        """A new generation to write into (whole files or streamed); ``commit`` switches it in.
        Left without a commit (an error, a dry run) it is removed and nothing changes."""
        gen = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"
        stage = Stage(self, gen, self.root / GENERATIONS / gen)
        try:
            stage.path.mkdir(parents=True, exist_ok=True)
            yield stage
        except BaseException as e:
            if not stage.committed:            # once switched in, the generation is the published set
                _remove(stage.path)
            _remove(stage.scratch)
            if isinstance(e, OSError):
                raise OutputError(f"cannot write output: {e.strerror or e}", file=str(self.root),
                                  hint="check the disk and permissions; the previous outputs are unchanged") from None
            raise
        finally:
            _remove(stage.scratch)
            if not stage.committed:
                _remove(stage.path)

    def _commit(self, stage: Stage) -> list[str]:
        names = stage.names
        if not self._switch(stage.gen):
            self._rename_into_place(stage.path, names)
            stage.committed = True
            return names
        stage.committed = True                     # switched: from here on the stage is the set
        self._link_top_level(stage.path)
        for old in (self.root / GENERATIONS).iterdir():
            if old.name != stage.gen:
                _remove(old)
        return names

    def _switch(self, gen: str) -> bool:
        """Point ``.current`` at ``gen`` in one rename; False where links cannot be made."""
        tmp = self.root / f".current.{gen}.tmp"
        try:
            os.symlink(f"{GENERATIONS}/{gen}", tmp, target_is_directory=True)
        except (OSError, NotImplementedError):
            return False
        current = self.root / CURRENT
        if current.exists() and not current.is_symlink():
            _remove(current)
        os.replace(tmp, current)
        return True

    def _link_top_level(self, stage: Path) -> None:
        """``output/<name>`` → ``.current/<name>`` for each top-level entry (made once; a file or
        folder an older calgen wrote there is replaced; links to entries gone are removed).

        Taking over a folder an older calgen wrote (real files) is crash-safe: a real folder is
        renamed aside (``.<name>.pre-generations``, one atomic rename) before its link takes its
        place, and removed only once every link is made; ``manifest/`` is linked before
        ``manifest.json``, so at any moment the manifest in place finds its parts and the next
        build keeps every UID (a kill leaves the aside folders to :meth:`recover`)."""
        order = {"manifest": 0, MANIFEST_NAME: 1}
        for entry in sorted(stage.iterdir(), key=lambda e: (order.get(e.name, 2), e.name)):
            link = self.root / entry.name
            want = f"{CURRENT}/{entry.name}"
            if link.is_symlink() and os.readlink(link) == want:
                continue
            tmp = self.root / f".{entry.name}.link.tmp"
            tmp.unlink(missing_ok=True)
            os.symlink(want, tmp, target_is_directory=entry.is_dir())
            if link.exists() and not link.is_symlink() and link.is_dir():
                aside = self.root / f".{entry.name}{ASIDE}"
                _remove(aside)
                os.replace(link, aside)
            os.replace(tmp, link)
        for link in self.root.iterdir():
            if link.is_symlink() and os.readlink(link).startswith(CURRENT + "/") and not link.exists():
                link.unlink()
            elif link.name.endswith(ASIDE):
                _remove(link)

    def _rename_into_place(self, stage: Path, names: list[str]) -> None:
        self.notes.append("symbolic links are not available here: files were replaced one by one "
                          "(each atomically, not the set)")
        for rel in names:
            target = self.root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink():
                target.unlink()
            os.replace(stage / rel, target)
        _remove(stage)


class Stage:
    """One generation being written: whole files (``write``), files written piece by piece
    (``open``), and a scratch folder beside it for intermediate data, removed in any case."""

    def __init__(self, store: OutputStore, gen: str, path: Path) -> None:
        self.store, self.gen, self.path = store, gen, path
        self.scratch = path.parent / f"{gen}.work"
        self.committed = False
        self._names: dict[str, None] = {}
        self._root = str(path)
        self._folders: set[str] = set()

    @property
    def names(self) -> list[str]:
        return list(self._names)

    def write(self, rel: str, data: bytes) -> None:
        with self.open(rel) as fh:
            fh.write(data)

    def open(self, rel: str, mode: str = "wb") -> BinaryIO:
        """(Plain strings, not pathlib: a national build opens ~10⁵ files here.)"""
        target = os.path.join(self._root, rel)
        folder = os.path.dirname(target)
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        self._names[rel] = None
        fh: BinaryIO = open(target, mode)  # type: ignore[assignment]  # noqa: SIM115 - the caller closes it
        return fh

    def copy(self, rel: str, to: str) -> bool:
        """``rel`` of this generation written again as ``to`` (False when ``rel`` was not written)."""
        if rel not in self._names:
            return False
        with open(os.path.join(self._root, rel), "rb") as src, self.open(to) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        return True

    def written(self, path: str) -> None:
        """A file of this generation written by someone else (a worker process)."""
        assert path.startswith(self._root + os.sep), path
        self._names[path[len(self._root) + 1:]] = None

    def drop(self, rel: str) -> None:
        """A file written and then not published after all (all.ics over its limit)."""
        (self.path / rel).unlink(missing_ok=True)
        self._names.pop(rel, None)

    def commit(self) -> list[str]:
        _remove(self.scratch)                      # before the switch: a kill then leaves no scratch
        return self.store._commit(self)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.is_dir():
        shutil.rmtree(path, ignore_errors=True)


STALE_WAIT = 3.0          # seconds a build waits for a dead build's workers to let go of the lock


def _busy(root: Path, dead: int | None = None) -> OutputError:
    if dead is None:
        return OutputError("another calgen build is writing to this folder", file=str(root),
                           hint="wait for it to finish, or build into another folder with -o")
    return OutputError(f"the build that held this folder (pid {dead}) is gone, but processes it started still "
                       "hold its lock", file=str(root), hint="end them (kill) and build again")


def _read_pid(fd: int) -> int | None:
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, 64).decode("ascii", "replace").strip()
    return int(text) if text.isdigit() else None


def _alive(pid: int) -> bool:
    """Is process ``pid`` running (a zombie is not)?"""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:                                        # no /proc here: ask the system
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except OSError:
            return True
        return True


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:                                 # Windows
        import msvcrt

        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:
        import msvcrt

        with contextlib.suppress(OSError):
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        return
    fcntl.flock(fd, fcntl.LOCK_UN)
