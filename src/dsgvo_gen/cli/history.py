"""`history`: the published versions of the notices and consent forms (history/)."""

from __future__ import annotations

from datetime import date

import click

from dsgvo_gen.cli.base import DateParam, main, options, project_option, text_or_json


@main.command()
@click.argument("ident", metavar="[ID]", required=False)
@click.option(
    "--on", "on", type=DateParam(), default=None,
    help="Only the version current on this date (YYYY-MM-DD), per document.",
)  # fmt: skip
@click.option(
    "--changed-since", "changed_since", type=DateParam(), default=None,
    help="The documents whose content changed after this date, what changed, and which "
    "consents to ask for again.",
)  # fmt: skip
@text_or_json("text for people, json for scripts.")
@project_option
@click.pass_context
def history(
    ctx: click.Context,
    ident: str | None,
    on: date | None,
    changed_since: date | None,
    output_format: str,
) -> None:
    """The versions 'build' published, from the project's history/ folder.

    ID is a provider id (its notice and consent form, every language) or a version
    identifier as printed at the foot of a document, e.g. read off a signed scan.
    With --on DATE, the version that was current on that date and its archived PDF.
    With --changed-since DATE, the documents that changed after it.
    """
    from dsgvo_gen import questions
    from dsgvo_gen.findings import Report, format_text

    if changed_since is not None and (ident is not None or on is not None):
        raise click.UsageError("--changed-since goes without ID and --on")
    root = options(ctx).project
    if changed_since is not None:
        answer = questions.changed_since(root, changed_since)
    else:
        answer = questions.versions(root, ident, on)
    if answer.findings:
        click.echo(format_text(Report(answer.findings)), err=True)
        click.echo("the history record is damaged: fix the findings above", err=True)
        ctx.exit(1)
    formatter = questions.format_json if output_format == "json" else questions.format_text
    click.echo(formatter(answer))
    if ident is not None and not answer.found:
        ctx.exit(1)  # asked for something the record does not hold
