"""`check`: the CI gate for descriptors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from dsgvo_gen.cli.base import main, options, project_option, strict_option, today_option


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github", "gitlab"]),
    default="text",
    show_default=True,
    help="text for people, json for tools, github for GitHub Actions annotations, gitlab "
    "for a GitLab Code Quality report.",
)
@strict_option
@today_option
@project_option
@click.pass_context
def check(
    ctx: click.Context,
    paths: tuple[Path, ...],
    output_format: str,
    strict: bool,
    today: date | None,
) -> None:
    """Check the config and descriptors for completeness and consistency.

    Without PATHS, checks every descriptor of the project; with PATHS (files or
    folders), only those. Exit code 0: fine; 1: errors (or warnings with --strict).
    """
    from dsgvo_gen.checker import check as run_check
    from dsgvo_gen.findings import FORMATTERS, format_text

    opts = options(ctx)
    report = run_check(opts.project, paths, today=today)
    if output_format == "text":
        # -q: findings only, without the notes and the summary.
        output = format_text(report.problems() if opts.quiet else report, summary=not opts.quiet)
    else:
        output = FORMATTERS[output_format](report)
    if output:
        click.echo(output)
    ctx.exit(report.exit_code(strict=strict))
