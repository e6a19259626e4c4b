"""`catalogue`, `add` and `migrate`: the sourced facts about services, and using them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from dsgvo_gen.cli.base import (
    DateParam,
    main,
    options,
    project_option,
    provider_id,
    text_or_json,
)


@main.command()
@text_or_json("text for people, json for tools.")
@project_option
@click.pass_context
def catalogue(ctx: click.Context, output_format: str) -> None:
    """List the catalogue entries a descriptor can use (uses: ID).

    Entries come from the project's catalogue/, the folders the config names under
    catalogue:, and the catalogue bundled with dsgvo-gen, in this order of
    precedence: where two have the same id, the first wins, and the list says
    which it hides.
    """
    from dsgvo_gen.catalogue import format_entries_json, format_entries_text, list_entries
    from dsgvo_gen.config import CONFIG_NAME, load_config

    root = options(ctx).project
    config, _, _ = load_config(root / CONFIG_NAME, CONFIG_NAME)
    entries = list_entries(root, config)
    formatter = format_entries_json if output_format == "json" else format_entries_text
    click.echo(formatter(entries))


@main.command()
@click.argument("entry_id", metavar="CATALOGUE_ID", callback=provider_id)
@click.option(
    "--as",
    "as_id",
    default=None,
    callback=provider_id,
    help="The descriptor's own id (its file name).  [default: CATALOGUE_ID]",
)
@click.option(
    "--today",
    type=DateParam(),
    default=None,
    help="The review date to write (YYYY-MM-DD), for reproducible files.  [default: today]",
)
@project_option
@click.pass_context
def add(ctx: click.Context, entry_id: str, as_id: str | None, today: date | None) -> None:
    """Write providers/ID.yaml: your use of the catalogue entry CATALOGUE_ID.

    For a service dsgvo-gen ships, it starts from the shipped example's reviewed
    decisions, each marked 'decide:' for you to confirm or change (check reports
    every mark, DG508); otherwise from the entry, with TODOs. Refused (exit code 1)
    if the file exists.
    """
    from dsgvo_gen.findings import Report, display_path, format_text
    from dsgvo_gen.scaffold import ScaffoldError
    from dsgvo_gen.starter import InvalidEntry, UnknownEntry, add_descriptor, entry_is_draft

    try:
        path = add_descriptor(options(ctx).project, entry_id, as_id=as_id, today=today)
    except UnknownEntry as err:
        raise click.BadParameter(str(err), param_hint="CATALOGUE_ID") from None
    except InvalidEntry as err:
        click.echo(format_text(Report(err.findings), summary=False), err=True)
        raise click.ClickException(str(err)) from None
    except ScaffoldError as err:
        raise click.ClickException(str(err)) from None
    if not options(ctx).quiet:
        shown = display_path(path, Path.cwd())
        click.echo(f"wrote {shown}: make each choice marked 'decide:', then "
                   f"'dsgvo-gen check {shown}'")  # fmt: skip
        if entry_is_draft(options(ctx).project, entry_id):
            click.echo(f"note: the catalogue entry '{entry_id}' is a draft: check names the "
                       "facts it still lacks, preview shows the notice, build does not "
                       "publish it until the entry is finished")  # fmt: skip


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@project_option
@click.pass_context
def migrate(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Split format 1 descriptors into a catalogue entry and a format 2 descriptor.

    PATHS default to every format 1 descriptor in providers/. Each gets its facts in
    catalogue/ID.yaml and keeps its decisions in providers/ID.yaml, with the same
    notices. An existing catalogue entry is never overwritten: that descriptor is
    left as it is (exit code 1).
    """
    from dsgvo_gen.findings import display_path, printable
    from dsgvo_gen.migrate import MigrateError
    from dsgvo_gen.migrate import migrate as run_migrate

    opts = options(ctx)
    try:
        done, refused = run_migrate(opts.project, paths)
    except MigrateError as err:
        raise click.ClickException(printable(str(err))) from None
    cwd = Path.cwd()
    for item in done:  # file names come from the project: escaped, like findings
        descriptor, entry = (printable(display_path(p, cwd)) for p in (item.descriptor, item.entry))
        if not opts.quiet:
            click.echo(f"migrated {descriptor}: facts in {entry}")
        if item.dropped_comments:
            click.echo(f"note: {item.dropped_comments} comment(s) inside {descriptor} were not "
                       "carried over; the old file's history keeps them", err=True)  # fmt: skip
    for reason in refused:
        click.echo(f"not migrated: {printable(reason)}", err=True)
    if not done and not refused and not opts.quiet:
        click.echo("nothing to migrate: no format 1 descriptor in providers/")
    ctx.exit(1 if refused else 0)
