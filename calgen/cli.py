"""The calgen command line: parses options, calls the library, reports.  Nothing else lives here."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .errors import CalgenError

if TYPE_CHECKING:
    from .rules import Rules
    from .settings import Conventions, Settings

ROLL = click.Choice(["preceding", "following", "none"])


class _Group(click.Group):
    """Turns every CalgenError into one clean line (the single place where that happens)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CalgenError as e:
            raise click.ClickException(str(e)) from None


@click.group(cls=_Group, context_settings={"max_content_width": 110})
@click.version_option(__version__, prog_name="calgen")
@click.option("--mappings", "extra_mappings", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Extra agencies file (same format as mappings/agencies.toml).")
@click.option("--calendar-file", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A year's holiday arrangement (format of mappings/holidays/<year>.toml).")
def cli(extra_mappings: tuple[str, ...], calendar_file: tuple[str, ...]) -> None:
    """Turn Chinese government work plans into deadline calendars."""
    ctx = click.get_current_context()
    ctx.obj = {"mappings": tuple(Path(p) for p in extra_mappings),
               "calendar_files": tuple(Path(p) for p in calendar_file)}


def _settings(**chosen: Any) -> Settings:
    """Settings from the global options plus this command's; None means "not given"."""
    import os

    from .settings import Settings, epoch_from

    obj = click.get_current_context().find_root().obj or {}
    values = {k: v for k, v in chosen.items() if v is not None}
    values.setdefault("source_date_epoch", epoch_from(os.environ.get("SOURCE_DATE_EPOCH")))
    values.setdefault("agency_files", obj.get("mappings", ()))
    from .settings import load_config, plan_facts

    conf = load_config()
    if "calendar_files" not in values:
        values["calendar_files"] = tuple(Path(p) for p in conf.get("calendar_files", [])) + \
            obj.get("calendar_files", ())
    if "plan" in conf:
        values.setdefault("plans", plan_facts(conf["plan"], Path("calgen.toml")))
    return Settings(**values)


def _rules(settings: Settings) -> Rules:
    from .rules import Rules

    return Rules.load(settings)


def _inputs(files: tuple[str, ...]) -> list[str]:
    if files:
        return list(files)
    from .sample import sample_path

    return [str(sample_path())]


def _extract_all(files: list[str], rules: Rules, strict: bool = False, jobs: int = 1) -> tuple[list[Any], list[Any]]:
    """Extract every file; a bad one is reported and skipped (or stops with --strict)."""
    from .extract.batch import extract_many

    notes: list[str] = []
    docs, failures = extract_many(files, rules, jobs=jobs, strict=strict, notes=notes)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    for err in failures:
        click.echo(f"error: {err}", err=True)
    return docs, failures


@cli.command(short_help="Print every task of FILES with its agencies and milestones.")
@click.argument("files", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json", show_default=True)
@click.option("--roll", type=ROLL, default="preceding", show_default=True,
              help="Move a deadline on a rest day to the preceding or following working day.")
@click.option("--assume-weekdays", is_flag=True, help="Build years without holiday data on weekends only (estimated).")
@click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(1), help="Processes to extract with.")
def extract(files: tuple[str, ...], fmt: str, roll: str, assume_weekdays: bool, jobs: int) -> None:
    """Print every task of FILES (plans or folders) with agencies and milestones."""
    from .publish.store.schema import dumps
    from .settings import Roll

    rules = _rules(_settings(roll=Roll(roll), assume_weekdays=assume_weekdays, jobs=jobs))
    docs, failures = _extract_all(list(files), rules, jobs=jobs)
    if fmt == "json":
        click.echo(dumps(docs), nl=False)
    else:
        from .publish.report import task_table

        click.echo(task_table(docs))
    if failures:
        sys.exit(1)


@cli.command(short_help="Build the feeds, Gantt files, tasks.json and manifest from FILES.")
@click.argument("files", nargs=-1)
@click.option("-o", "--output", type=click.Path(file_okay=False), help="Output folder [output].")
@click.option("--roll", type=ROLL, help="Deadline on a rest day → preceding/following working day, or none.")
@click.option("--alarm", "alarms", help="Reminders, e.g. 7d,1d (Outlook usually ignores them in subscriptions).")
@click.option("--base-url", help="Public address of the output folder, for the feed index page.")
@click.option("--keep-removed", is_flag=True, default=None, help="Keep removed events once as cancelled.")
@click.option("--dry-run", is_flag=True, help="Print the change report; write nothing.")
@click.option("--allow-removals", is_flag=True, default=None,
              help="Remove plans that were in the last build and are missing now (default: keep them).")
@click.option("--strict", is_flag=True, default=None, help="Write nothing when any input fails.")
@click.option("--force", is_flag=True, help="Build into a folder that holds files calgen did not write.")
@click.option("--allow-empty", is_flag=True, help="Publish an empty set when the inputs hold no plan.")
@click.option("--assume-weekdays", is_flag=True, help="Years without holiday data: weekends only, marked estimated.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: over 20 input files).")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="The day statuses and 【提醒】 events are computed for [today].")
@click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(1),
              help="Processes to work with: plans are read, rendered and their Gantt files made in parallel "
                   "(the same outputs).")
def build(files, output, roll, alarms, base_url, keep_removed, allow_removals, dry_run, strict, force,
          allow_empty, assume_weekdays, progress, as_of, jobs):
    """Build feeds, gantt.csv/html and tasks.json from FILES (default: calgen.toml, else the sample)."""
    from .publish.build import build as run
    from .publish.feeds.ics import parse_alarms
    from .settings import Roll, check_url, choice, default, load_config, workdays

    conf = load_config()
    obj = click.get_current_context().find_root().obj or {}
    inputs = list(files) or conf.get("inputs") or _inputs(())

    def pick(given: Any, key: str) -> Any:
        """The option when given, else calgen.toml's value, else Settings' own default."""
        return given if given is not None else conf.get(key, default(key))

    settings = _settings(
        agency_files=tuple(Path(p) for p in conf.get("mappings", [])) + obj.get("mappings", ()),
        calendar_files=tuple(Path(p) for p in conf.get("calendar_files", [])) + obj.get("calendar_files", ()),
        roll=choice(Roll, pick(roll, "roll"), "roll"),
        assume_weekdays=assume_weekdays,
        output=Path(pick(output, "output")),
        alarms=parse_alarms(alarms) if alarms is not None else (
            parse_alarms(conf["alarms"]) if "alarms" in conf else default("alarms")),
        base_url=check_url(pick(base_url, "base_url"), "--base-url") if pick(base_url, "base_url") else "",
        keep_removed=pick(keep_removed, "keep_removed"),
        allow_removals=pick(allow_removals, "allow_removals"),
        withdrawn=tuple(pick(None, "withdrawn")),
        dry_run=dry_run,
        strict=pick(strict, "strict"),
        force=force,
        allow_empty=allow_empty,
        jobs=jobs,
        conventions=_conventions(conf),
        as_of=as_of.date() if as_of else None,
        soon_days=workdays(conf["soon_days"], "soon_days")[0] if "soon_days" in conf else default("soon_days"),
        reminders=workdays(conf["reminders"], "reminders") if "reminders" in conf else default("reminders"),
        follow_all=pick(None, "follow_all"),
    )
    rules = _rules(settings)

    def bar(items, length):
        """A progress bar counted in files: from the start past 20 files, else once the build has
        taken PROGRESS_AFTER seconds; --progress/--no-progress decide instead."""
        import time

        if progress is False:
            yield from items
            return
        rest, done, start = iter(items), 0, time.monotonic()
        if progress is None and length <= 20:
            for item in rest:
                yield item
                done += 1
                if time.monotonic() - start > PROGRESS_AFTER and done < length:
                    break
            else:
                return
        with click.progressbar(length=length, label="plans", file=sys.stderr) as shown:
            shown.update(done)
            for item in rest:
                yield item
                shown.update(1)

    rep = run(inputs, rules, progress=bar)
    from .publish.report import build_summary

    click.echo(build_summary(rep, settings))
    for err in rep.failures:
        click.echo(f"error: {err}", err=True)
    if rep.refused:
        click.echo(f"error: {rep.refused}", err=True)
    if rep.failures:
        sys.exit(1)


@cli.command(short_help="Show how a deadline PHRASE resolves: kind, span, due date, reading.")
@click.argument("phrase")
@click.option("--year", type=int, required=True, help="Plan year that bare phrases refer to.")
@click.option("--issued", type=click.DateTime(["%Y-%m-%d"]), help="Issue date (flags earlier dates).")
@click.option("--roll", type=ROLL, default="preceding", show_default=True)
@click.option("--month-before", type=click.Choice(["month_start", "month_end"]),
              help="6月前 = before June begins (month_start) or by its end (month_end); "
                   "default: calgen.toml, else mappings/phrases.toml.")
@click.option("--year-before", type=click.Choice(["year_start", "year_end"]),
              help="2025年前 = before 2025 begins (year_start) or by its end (year_end).")
def resolve(phrase: str, year: int, issued, roll: str, month_before: str | None,
            year_before: str | None) -> None:
    """Show how PHRASE (e.g. 9月底前) resolves: kind, span, due date and the reading used."""
    from .calendar.explain import explain
    from .settings import Roll, load_config

    conf = load_config()
    conf.update({k: v for k, v in (("month_before", month_before), ("year_before", year_before)) if v})
    rules = _rules(_settings(roll=Roll(roll), conventions=_conventions(conf)))
    click.echo(explain(phrase, year, issued.date() if issued else None, rules))


class _YearOrCommand(click.Group):
    """`calgen holidays 2018` shows a year; `calgen holidays import NOTICE` is a subcommand."""

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        if args and args[0].isdigit():
            return "show", self.commands["show"], args
        return super().resolve_command(ctx, args)


@cli.group(cls=_YearOrCommand, invoke_without_command=True)
@click.pass_context
def holidays(ctx: click.Context) -> None:
    """Holiday-data coverage and sources.

    \b
    calgen holidays YEAR [--format text|json]   one year's rest and makeup working days
    calgen holidays import NOTICE [--dry-run]   a State Council notice → mappings/holidays/YEAR.toml
    calgen holidays check                       imported years against chinese-calendar's data
    """
    if ctx.invoked_subcommand is None:
        from .calendar.explain import holiday_listing

        click.echo(holiday_listing(None, _rules(_settings()).calendar))


@holidays.command("show", hidden=True)
@click.argument("year", type=int)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def holidays_show(year: int, fmt: str) -> None:
    from .calendar.explain import holiday_json, holiday_listing

    cal = _rules(_settings()).calendar
    click.echo(holiday_json(year, cal) if fmt == "json" else holiday_listing(year, cal))


@holidays.command("import")
@click.argument("notice", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Year file to write.  Default: the calendar_files entry named YEAR.toml in calgen.toml, "
                   "else mappings/holidays/YEAR.toml beside calgen.toml (never inside the installed package).")
@click.option("--force", is_flag=True, help="Replace an existing year file.")
@click.option("--dry-run", is_flag=True, help="Print the arrangement and how it differs from calgen's data; write nothing.")
@click.option("--url", default="", help="Where the notice was published (recorded in the year file).")
def holidays_import(notice: str, output: str | None, force: bool, dry_run: bool, url: str) -> None:
    """Read the State Council holiday NOTICE (text, HTML, Word, PDF; any encoding; Traditional or
    Simplified), check it, and write the year's arrangement file — or refuse, naming the check.
    An amendment notice (调整/延长…假期, a one-off 纪念日) is applied to the year calgen holds."""
    from dataclasses import replace

    from .calendar.arrangement import Amendment, difference, from_year, load_arrangement, save, table
    from .calendar.law import law_path, load_law
    from .calendar.notice import read_holiday_notice
    from .read.decode import read_file

    settings = _settings()
    # the year file this import writes may be listed in calgen.toml before it exists
    rules = _rules(replace(settings, calendar_files=tuple(p for p in settings.calendar_files if p.exists())))
    law = load_law(law_path(rules.folder))
    read = read_holiday_notice(read_file(notice, rules.simplifier).text, notice, law)
    target = Path(output) if output else _year_target(read.year, settings)
    held = rules.calendar.years.get(read.year)
    if isinstance(read, Amendment):
        if target.exists():
            base = load_arrangement(target)
        elif held is not None:
            base = from_year(rules.calendar.years, read.year)
        else:
            raise CalgenError(f"{read.source} amends {read.year}, but there is no {read.year} arrangement",
                              file=notice, hint=f"import the {read.year} notice first, then this one")
        arr = read.apply(base, notice)
        arr.url = arr.url or url
        verb = f"amended by {read.source}"
    else:
        arr = read
        arr.url = url
        verb = "imported"
    neighbours = {y: rules.calendar.years[y] for y in (read.year - 1, read.year + 1) if y in rules.calendar.years}
    changed = difference(arr, held, neighbours)
    if dry_run:
        click.echo(table(arr))
        click.echo(_changes(read.year, held, changed))
        return
    if isinstance(read, Amendment) and not target.exists() and not changed:
        click.echo(f"{read.year}: calgen's data already holds {read.source}; nothing written")
        return
    save(arr, target, replace=force or isinstance(read, Amendment), source=notice)
    click.echo(f"{arr.year} {verb}: {len(arr.holidays)} holiday blocks, {len(arr.rest_days())} rest days, "
               f"{len(arr.workdays)} makeup working days → {target}")
    click.echo(_changes(read.year, held, changed))


def _year_target(year: int, settings: Settings) -> Path:
    named = [p for p in settings.calendar_files if p.name == f"{year}.toml"]
    if named:
        return named[-1]
    return (settings.calendar_folder or Path("mappings/holidays")) / f"{year}.toml"


def _changes(year: int, held: Any, changed: list[str]) -> str:
    if held is None:
        return f"calgen had no {year} data: dates in {year} are no longer 待定 after the next build"
    if not changed:
        return f"agrees with what calgen held for {year} on every day"
    return f"{len(changed)} days change from what calgen held for {year}:\n" + "\n".join(f"  {c}" for c in changed)


@holidays.command("check")
def holidays_check() -> None:
    """Compare every imported year file with chinese-calendar's data, for the years a newer
    chinese-calendar release covers: agreement, or every differing day (exit 1)."""
    from .calendar.holidays import compare_with_package, load_year_file, package_years, year_files

    settings = _settings()
    rules = _rules(settings)
    package = package_years()
    files = year_files(rules.folder / "holidays", settings.calendar_folder, settings.calendar_files)
    if not files:
        click.echo("no year files (calgen holidays import NOTICE writes mappings/holidays/YEAR.toml)")
        return
    bad = 0
    for path in files:
        y = load_year_file(path)
        diff = compare_with_package(y, package)
        if diff is None:
            click.echo(f"{path}: {y.year} is not in chinese-calendar's data yet (covers "
                       f"{min(package)}–{max(package)}); the year file is what calgen uses")
        elif not diff:
            click.echo(f"{path}: {y.year} agrees with chinese-calendar on every day")
        else:
            bad += 1
            click.echo(f"{path}: {y.year} differs from chinese-calendar on {len(diff)} days:")
            for line in diff:
                click.echo(f"  {line}")
    if bad:
        sys.exit(1)


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--unknown", is_flag=True, help="Only names the registry does not know (to add them).")
def agencies(files: tuple[str, ...], unknown: bool) -> None:
    """Every agency in FILES with task counts per role."""
    from .publish.report import agency_table

    docs, failures = _extract_all(list(files), _rules(_settings()))
    click.echo(agency_table(docs, unknown_only=unknown))
    if failures:
        sys.exit(1)


@cli.command(short_help="Due milestones per agency per month of FILES.")
@click.argument("files", nargs=-1)
def monthly(files: tuple[str, ...]) -> None:
    """Due milestones per agency per month (of FILES, as extracted; no statuses)."""
    from .publish.report import monthly

    docs, failures = _extract_all(_inputs(files), _rules(_settings()))
    click.echo(monthly(docs))
    if failures:
        sys.exit(1)


# --- follow-up (督办): calgen/follow/ --------------------------------------------------------------

AS_OF = click.DateTime(["%Y-%m-%d"])


def _output(output: str | None) -> Path:
    from .settings import default, load_config

    return Path(output or load_config().get("output") or default("output"))


def _as_of(value: Any) -> dt.date:
    return value.date() if value is not None else dt.date.today()


def _follow_settings() -> tuple[int, Any]:
    """soon_days and the working-day calendar, from calgen.toml and the global options."""
    from .settings import default, load_config, workdays

    conf = load_config()
    soon = workdays(conf["soon_days"], "soon_days")[0] if "soon_days" in conf else default("soon_days")
    return soon, _rules(_settings()).calendar


@cli.group()
def status() -> None:
    """Statuses the agencies report in their ledgers (督办台账)."""


@status.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(file_okay=False), help="The output folder the ledgers came from [output].")
@click.option("--as-of", type=AS_OF, help="The import date (a later 完成日期 is refused) [today].")
def status_import(files: tuple[str, ...], output: str | None, as_of: Any) -> None:
    """Read returned ledgers (xlsx or csv, any number, any order) into the status store."""
    from .follow.returned import import_files
    from .follow.store import StatusStore

    out = _output(output)
    with StatusStore.of(out) as store:
        if not store.exists():
            raise click.ClickException(f"{out}: no ledger has been published here yet — run calgen build first "
                                       "(or pass -o with the output folder the ledgers came from)")
        result = import_files(files, store, _as_of(as_of))
    for line in result.notes:
        click.echo(f"note: {line}")
    for line in result.problems:
        click.echo(f"skipped: {line}", err=True)
    click.echo(f"{result.files} file(s), {result.rows} filled row(s): {result.recorded} recorded, "
               f"{result.unchanged} unchanged, {len(result.problems)} skipped. "
               "Rebuild (calgen build) to show the statuses in the feeds and Gantt files.")
    if result.problems:
        sys.exit(1)


@status.command("history")
@click.argument("identity")
@click.option("-o", "--output", type=click.Path(file_okay=False), help="Output folder [output].")
def status_history(identity: str, output: str | None) -> None:
    """Every status recorded for one row (its 标识), oldest first, with the file it came from."""
    from .follow.store import StatusStore

    with StatusStore.of(_output(output)) as store:
        found = store.history(identity)
        row = store.published().get(identity)
    if row:
        click.echo(f"{row.task}（{row.plan}）{row.node} 到期 {row.due or '—'}" + ("" if row.current else "  [no longer in the plans]"))
    if not found:
        raise click.ClickException(f"no status recorded for {identity}")
    for r in found:
        extra = "".join(f"  {k} {v}" for k, v in (("完成", r.done), ("新到期", r.new_due)) if v)
        click.echo(f"{r.recorded}  {r.status}{extra}  {r.progress[:40]}  ← {r.source}"
                   + (f" [{r.sheet}]" if r.sheet else "") + f" row {r.row}")


@cli.command(short_help="Per-agency follow-up statistics and the 通报 list, as of a date.")
@click.option("-o", "--output", type=click.Path(file_okay=False), help="Output folder [output].")
@click.option("--as-of", type=AS_OF, help="The day statuses are computed for [today].")
@click.option("--to", "folder", type=click.Path(file_okay=False), help="Where to write [OUTPUT/reports/DATE].")
def report(output: str | None, as_of: Any, folder: str | None) -> None:
    """Per-agency statistics as of a date: report.xlsx, report.html, report.csv and 通报.txt."""
    from .follow.stats import write_report

    soon, calendar = _follow_settings()
    day = _as_of(as_of)
    done = write_report(_output(output), calendar, day, soon, Path(folder) if folder else None)
    from .publish.report import follow_summary

    click.echo(follow_summary(done, day))


@cli.command(short_help="Per agency: due soon and overdue, as text and HTML; mailed with --smtp.")
@click.option("-o", "--output", type=click.Path(file_okay=False), help="Output folder [output].")
@click.option("--as-of", type=AS_OF, help="The day of the digest [today].")
@click.option("--days", type=click.IntRange(0, 60), help="Working days ahead [calgen.toml soon_days, 5].")
@click.option("--to", "folder", type=click.Path(file_okay=False), help="Where to write [OUTPUT/digests/DATE].")
@click.option("--smtp", "host", help="Send each agency its digest through this SMTP server ([contacts] in calgen.toml).")
@click.option("--port", default=25, show_default=True, type=click.IntRange(1, 65535))
@click.option("--sender", default="calgen@localhost", show_default=True, help="The From address.")
@click.option("--starttls", is_flag=True, help="Use STARTTLS (user and password: CALGEN_SMTP_USER, CALGEN_SMTP_PASSWORD).")
def digest(output: str | None, as_of: Any, days: int | None, folder: str | None, host: str | None, port: int,
           sender: str, starttls: bool) -> None:
    """Per agency: what falls due in the next N working days and what is overdue (text and HTML)."""
    import os

    from .follow import digest as dg
    from .settings import contacts, load_config

    soon, calendar = _follow_settings()
    days = soon if days is None else days
    day = _as_of(as_of)
    out = _output(output)
    found = dg.digests(out, calendar, day, days, soon)
    target = Path(folder) if folder else out / "digests" / day.isoformat()
    dg.write(found, target, day, days)
    click.echo(f"{len(found)} agencies have items due within {days} working days or overdue; written to {target}")
    if host:
        conf = load_config()
        sent = dg.send(found, contacts(conf.get("contacts", {}), "calgen.toml"), host, port, sender, day, days,
                       starttls, os.environ.get("CALGEN_SMTP_USER", ""), os.environ.get("CALGEN_SMTP_PASSWORD", ""))
        for line in sent.sent:
            click.echo(f"sent: {line}")
        for name in sent.no_address:
            click.echo(f"not sent: {name} has no address under [contacts] in calgen.toml", err=True)
        for line in sent.failed:
            click.echo(f"not sent: {line}", err=True)
        if sent.failed:
            sys.exit(1)


@cli.command()
@click.argument("folder", type=click.Path(exists=True), default="output")
def check(folder: str) -> None:
    """Check every feed under FOLDER against what Outlook needs."""
    from .publish.feeds.check import check_folder

    results = check_folder(Path(folder))
    bad = 0
    for path, problems in results.items():
        click.echo(f"{path}: {'ok' if not problems else f'{len(problems)} problem(s)'}")
        for p in problems[:20]:
            click.echo(f"  - {p}")
        bad += bool(problems)
    if not results:
        raise click.ClickException(f"{folder}: no .ics files found")
    if bad:
        sys.exit(1)


@cli.command(short_help="Serve an output FOLDER over HTTP for subscriptions.")
@click.argument("folder", type=click.Path(exists=True, file_okay=False), default="output")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--base-url", help="Public address of FOLDER, for the subscription links on / "
                                 "(default: calgen.toml's base_url, else relative links).")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Worker threads.")
@click.option("--access-log", type=click.Path(dir_okay=False, allow_dash=True),
              help="Append one line per request (Combined Log Format) to this file; - for the terminal.")
@click.option("--all", "every_file", is_flag=True,
              help="Serve every file, tasks.json, manifest, ledgers and reports too (default: feeds, changes, Gantt).")
@click.option("--per-client", default=64, show_default=True, type=click.IntRange(1, 100000),
              help="Connections one address may hold (raise it when many subscribers share one NAT address).")
def serve(folder: str, host: str, port: int, base_url: str | None, threads: int, access_log: str | None,
          every_file: bool, per_client: int) -> None:
    """Serve FOLDER's feeds over HTTP for subscription (production: any static web server)."""
    import contextlib

    from .serve import Bounds, make_server
    from .settings import check_url, load_config

    base = base_url if base_url is not None else load_config().get("base_url", "")
    if base:
        check_url(base, "--base-url")
    with contextlib.ExitStack() as stack:
        log = None
        if access_log == "-":
            log = sys.stderr
        elif access_log:
            try:
                log = stack.enter_context(open(access_log, "a", encoding="utf-8"))
            except OSError as e:
                raise click.ClickException(f"{access_log}: cannot write the access log ({e.strerror or e})") from None
        _more_descriptors()
        server = make_server(Path(folder), host, port, base, threads, log, every_file, Bounds(per_client=per_client))
        click.echo(f"serving {folder} at http://{host}:{server.effective_port}/ ; Ctrl-C to stop")
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()


PROGRESS_AFTER = 3.0      # seconds before a small build shows its progress bar


def _more_descriptors() -> None:
    """Raise this process's open-file limit to what the system allows (a server holds one per
    connection; the usual soft limit of 1,024 would cap it below its connection bound)."""
    try:
        import resource
    except ImportError:                       # Windows: no such limit to raise
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 65536
    if soft != resource.RLIM_INFINITY and soft < want:
        import contextlib

        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


@cli.command()
@click.option("--force", is_flag=True, help="Overwrite an existing calgen.toml.")
def init(force: bool) -> None:
    """Write a commented calgen.toml example in the current folder."""
    from .settings import example

    path = Path("calgen.toml")
    if path.exists() and not force:
        raise click.ClickException("calgen.toml exists; use --force to overwrite it")
    path.write_text(example(), encoding="utf-8")
    click.echo("wrote calgen.toml")


def _conventions(conf: dict[str, Any]) -> Conventions:
    from .settings import Conventions, MonthBefore, YearBefore, choice

    month, year = conf.get("month_before"), conf.get("year_before")
    return Conventions(
        month_before=choice(MonthBefore, month, "month_before") if month else None,
        year_before=choice(YearBefore, year, "year_before") if year else None)


def main() -> None:
    cli(prog_name="calgen")
