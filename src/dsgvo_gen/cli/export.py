"""`export`: the record of processing activities and the Fides manifest."""

from __future__ import annotations

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
    from dsgvo_gen.writer import WriteError, write_file

    try:
        result = run_export(options(ctx).project, export_format, lang=lang, today=today)
    except UnknownLanguage as err:
        raise click.BadParameter(str(err), param_hint="--lang") from None
    if problems := result.report.problems().findings:
        click.echo(format_text(Report(problems)), err=True)
    if result.content is None:
        click.echo("export refused: fix the findings above", err=True)
        ctx.exit(1)
    if out is None:
        click.echo(result.content, nl=False)
        return
    try:
        write_file(out, result.content)
    except WriteError as err:
        click.echo(f"export failed: {err}", err=True)
        ctx.exit(1)
    if not options(ctx).quiet:
        click.echo(f"wrote {export_format} ({result.activities} activities) to {out}")
