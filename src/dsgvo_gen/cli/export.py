"""`export`: the record of processing activities and the Fides manifest."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import click

from dsgvo_gen.cli.base import main, options, project_option, today_option


@main.command()
@click.option(
    "--format",
    "export_format",
    type=click.Choice(["ropa-csv", "ropa-json", "fides"]),
    required=True,
    help="ropa-csv / ropa-json: the record of processing activities (Art. 30 GDPR); "
    "fides: a Fides system manifest.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The file to write, replaced atomically.  [default: standard output]",
)
@click.option(
    "--lang",
    default=None,
    help="The language.  [default: the project's first; for fides English, where the "
    "project has it]",
)
@today_option
@project_option
@click.pass_context
def export(
    ctx: click.Context,
    export_format: str,
    out: Path | None,
    lang: str | None,
    today: date | None,
) -> None:
    """Export the record of processing activities or a Fides manifest.

    One activity per provider and purpose. Refused, like build, while check
    finds errors; warnings are shown on standard error.
    """
    from dsgvo_gen.export import UnknownLanguage
    from dsgvo_gen.export import export as run_export
    from dsgvo_gen.findings import Report, format_text
    from dsgvo_gen.paths import UnsafePath, check_output_file
    from dsgvo_gen.writer import WriteError, write_file

    project = options(ctx).project
    try:
        target = check_output_file(out, project) if out is not None else None
        result = run_export(project, export_format, lang=lang, today=today)
    except UnknownLanguage as err:
        raise click.BadParameter(str(err), param_hint="--lang") from None
    except UnsafePath as err:
        raise click.ClickException(str(err)) from None
    if problems := result.report.problems().findings:
        click.echo(format_text(Report(problems)), err=True)
    if result.content is None:
        click.echo("export refused: fix the findings above", err=True)
        ctx.exit(1)
    if target is None:
        _to_stdout(ctx, result.content)
        return
    try:
        write_file(target, result.content)
    except (WriteError, UnsafePath) as err:
        click.echo(f"export failed: {err}", err=True)
        ctx.exit(1)
    if not options(ctx).quiet:
        click.echo(f"wrote {export_format} ({result.activities} activities) to {out}")


def _to_stdout(ctx: click.Context, content: bytes) -> None:
    """The export on standard output; a full disk or a closed pipe is one line on stderr."""
    try:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    except OSError as err:
        # Python flushes stdout again at exit and would print a traceback for that too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        click.echo(f"export failed: cannot write to standard output: {err.strerror}", err=True)
        ctx.exit(1)
