"""The calgen command line: parses options, calls the library, reports.  Nothing else lives here."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__
from .errors import CalgenError

ROLL = click.Choice(["preceding", "following", "none"])


class _Group(click.Group):
    """Turns every CalgenError into one clean line (the single place where that happens)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CalgenError as e:
            raise click.ClickException(str(e)) from None


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="calgen")
@click.option("--mappings", "extra_mappings", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Extra agencies file (same format as mappings/agencies.toml).")
@click.option("--calendar-file", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A year's holiday arrangement (format of mappings/holidays/<year>.toml).")
def cli(extra_mappings: tuple[str, ...], calendar_file: tuple[str, ...]) -> None:
    """Turn Chinese government work plans into deadline calendars."""
    from . import mappings, workdays

    for path in extra_mappings:
        mappings.add_extra(path)
    for path in calendar_file:
        workdays.add_calendar_file(path)


def _inputs(files: tuple[str, ...]) -> list[str]:
    if files:
        return list(files)
    from .sample import sample_path

    return [str(sample_path())]


def _extract_all(files: list[str], roll: str, strict: bool = False):
    """Extract every file; a bad one is reported and skipped (or stops with --strict)."""
    from .pipeline import extract_many

    docs, failures = extract_many(files, roll=roll, strict=strict)
    for err in failures:
        click.echo(f"error: {err}", err=True)
    return docs, failures


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json", show_default=True)
@click.option("--roll", type=ROLL, default="preceding", show_default=True,
              help="Move a deadline on a rest day to the preceding or following working day.")
@click.option("--assume-weekdays", is_flag=True, help="Build years without holiday data on weekends only (estimated).")
def extract(files: tuple[str, ...], fmt: str, roll: str, assume_weekdays: bool) -> None:
    """Print every task of FILES (plans or folders) with agencies and milestones."""
    from .export.schema import documents_json
    from .workdays import set_assume_weekdays

    set_assume_weekdays(assume_weekdays)
    docs, failures = _extract_all(list(files), roll)
    if fmt == "json":
        click.echo(json.dumps(documents_json(docs), ensure_ascii=False, indent=1))
    else:
        from .report import task_table

        click.echo(task_table(docs))
    if failures:
        sys.exit(1)


def main() -> None:
    cli(prog_name="calgen")
