"""One error tree for everything calgen reports to a user.

Each error knows where it happened (file, line) and what text it is about (phrase), so the
CLI can turn any of them into one line: ``FILE:LINE: what is wrong (phrase) — how to fix``.
"""
from __future__ import annotations


class CalgenError(Exception):
    """Base of every error calgen raises on purpose."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 phrase: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.phrase = phrase
        self.hint = hint

    def __reduce__(self) -> tuple[object, ...]:
        # Picklable across processes whatever the subclass's __init__ takes.
        return _restore, (type(self), dict(self.__dict__))

    def located(self, file: str) -> CalgenError:
        """Return self with ``file`` filled in when the raiser did not know it."""
        if self.file is None:
            self.file = file
        return self

    def __str__(self) -> str:
        where = shown(self.file) if self.file else ""
        if where and self.line:
            where = f"{where}:{self.line}"
        text = self.message
        if self.phrase:
            text = f"{text} ({self.phrase})"
        if self.hint:
            text = f"{text} — {self.hint}"
        return f"{where}: {text}" if where else text


def shown(path: str) -> str:
    """A file name as a report prints it: one line, printable, whatever bytes the name holds —
    a line break (which would forge a report line), another control character or an undecodable
    byte (a name from an unzipped Windows archive, kept by Python as a surrogate) is escaped."""
    if path.isprintable():
        return path
    out = []
    for ch in path:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:                  # os.fsdecode's escape for the byte code - 0xDC00
            out.append(f"\\x{code - 0xDC00:02x}")
        elif not ch.isprintable():
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)


def _restore(cls: type[CalgenError], state: dict) -> CalgenError:
    err = cls.__new__(cls)
    Exception.__init__(err, state.get("message", ""))
    err.__dict__.update(state)
    return err


class ReadingError(CalgenError):
    """The bytes of a document cannot be turned into plan text."""


class MappingError(CalgenError):
    """A file under mappings/ (or given with --calendar-file) is malformed."""


class DeadlineError(CalgenError):
    """A deadline phrase names an impossible date or one the calendar cannot resolve."""


class CalendarCoverageError(DeadlineError):
    """No holiday arrangement is known for a year a due date needs."""

    def __init__(self, year: int, covered: tuple[int, int], *, file: str | None = None,
                 line: int | None = None, phrase: str | None = None) -> None:
        lo, hi = covered
        super().__init__(
            f"no State Council holiday arrangement for {year} (calendar data covers {lo}–{hi})",
            hint=(f"import the State Council notice with `calgen holidays import NOTICE` (writes "
                  f"mappings/holidays/{year}.toml), pass --calendar-file, or build with "
                  "--assume-weekdays to mark such dates as estimated"),
            file=file, line=line, phrase=phrase)
        self.year = year


class InputError(CalgenError):
    """The inputs given hold nothing to build from."""


class OutputError(CalgenError):
    """An output file or folder cannot be written."""
