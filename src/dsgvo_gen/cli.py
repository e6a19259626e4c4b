"""The command line: a thin click layer over the Python API.

Heavy modules (jsonschema, Jinja2, WeasyPrint) are imported inside the commands,
so `dsgvo-gen --help` starts fast and `check` never loads WeasyPrint.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from dsgvo_gen import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--project",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path(),
    show_default=True,
    help="The project folder (with dsgvo-gen.yaml and providers/).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary.")
@click.option("-v", "--verbose", is_flag=True, help="Say more about what is done.")
@click.version_option(__version__, prog_name="dsgvo-gen")
@click.pass_context
def main(ctx: click.Context, project: Path, quiet: bool, verbose: bool) -> None:
    """Turn provider descriptors into GDPR privacy notices, consent forms and a website."""
    ctx.obj = {"project": project, "quiet": quiet, "verbose": verbose}


_TODAY = click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The date to check staleness against (YYYY-MM-DD), for reproducible runs.",
)
_STRICT = click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text for people, json for tools, github for GitHub Actions annotations.",
)
@_STRICT
@_TODAY
@click.pass_context
def check(
    ctx: click.Context,
    paths: tuple[Path, ...],
    output_format: str,
    strict: bool,
    today: datetime | None,
) -> None:
    """Check the config and descriptors for completeness and consistency.

    Without PATHS, checks every descriptor of the project; with PATHS (files or
    folders), only those. Exit code 0: fine; 1: errors (or warnings with --strict).
    """
    from dsgvo_gen.checker import check as run_check
    from dsgvo_gen.findings import FORMATTERS

    report = run_check(ctx.obj["project"], paths, today=today.date() if today else None)
    output = FORMATTERS[output_format](report)
    if ctx.obj["quiet"] and output_format == "text":
        output = "\n".join(output.splitlines()[:-1])
    if output:
        click.echo(output)
    ctx.exit(report.exit_code(strict=strict))


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The output folder.  [default: <project>/site]",
)
@click.option("--no-pdf", is_flag=True, help="Build the HTML pages only.")
@_STRICT
@_TODAY
@click.pass_context
def build(
    ctx: click.Context, out: Path | None, no_pdf: bool, strict: bool, today: datetime | None
) -> None:
    """Check the project and, if it is clean, build the website.

    Writes the notices, consent forms, the combined notice and the overview in
    every configured language. When check finds errors (or warnings with
    --strict), nothing is written and an existing site stays as it was.
    """
    from dsgvo_gen.builder import build as run_build
    from dsgvo_gen.findings import format_text

    result = run_build(
        ctx.obj["project"], out, today=today.date() if today else None, strict=strict
    )
    if result.report.findings or not result.written:
        click.echo(format_text(result.report), err=not result.written)
    if not result.written:
        click.echo("build refused: fix the findings above; the site was not changed", err=True)
        ctx.exit(1)
    if not ctx.obj["quiet"]:
        click.echo(f"wrote {result.pages} files to {result.out}")
        if not no_pdf:
            click.echo("note: this version makes no PDFs yet; the HTML pages are complete")
