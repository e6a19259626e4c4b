"""The command line: a thin click layer over the Python API.

Heavy modules (jsonschema, Jinja2, WeasyPrint) are imported inside the commands,
so `dsgvo-gen --help` starts fast and `check` never loads WeasyPrint.
"""

from __future__ import annotations

import signal
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dsgvo_gen import __version__
from dsgvo_gen.resources import provider_categories

if TYPE_CHECKING:
    from dsgvo_gen.builder import BuildResult
    from dsgvo_gen.serve import Rebuild


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


class _ProgressBar:
    """A progress bar for PDFs on a terminal; silent in CI and pipes (DESIGN §7)."""

    def __init__(self, quiet: bool) -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="PDFs", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


_JOBS = click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1, max=256),
    default=None,
    help="PDF worker processes.  [default: one per CPU core]",
)


def _report_outcome(ctx: click.Context, result: BuildResult, what: str) -> None:
    from dsgvo_gen.findings import format_text

    if result.report.findings or not result.written:
        click.echo(format_text(result.report), err=not result.written)
    if result.report.failed(strict=ctx.obj.get("strict", False)) or not result.written:
        click.echo(f"{what} refused: fix the findings above; nothing was changed", err=True)
        ctx.exit(1)


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The output folder.  [default: <project>/site]",
)
@click.option("--no-pdf", is_flag=True, help="Build the HTML pages only, no PDFs.")
@_JOBS
@_STRICT
@_TODAY
@click.pass_context
def build(
    ctx: click.Context,
    out: Path | None,
    no_pdf: bool,
    jobs: int | None,
    strict: bool,
    today: datetime | None,
) -> None:
    """Check the project and, if it is clean, build the website and PDFs.

    Writes the notices, consent forms, the combined notice and the overview in
    every configured language, and a PDF of each notice and consent form. When
    check finds errors (or warnings with --strict), nothing is written and an
    existing site stays as it was. Unchanged PDFs are reused from
    <project>/.dsgvo-gen-cache.
    """
    from dsgvo_gen.builder import build as run_build

    bar = _ProgressBar(ctx.obj["quiet"])
    try:
        result = run_build(
            ctx.obj["project"], out, today=today.date() if today else None, strict=strict,
            pdf=not no_pdf, jobs=jobs, progress=bar,
        )  # fmt: skip
    finally:
        bar.close()
    ctx.obj["strict"] = strict
    _report_outcome(ctx, result, "build")
    if not ctx.obj["quiet"]:
        pdfs = f" and {result.pdfs} PDFs ({result.rendered} rendered)" if result.pdfs else ""
        click.echo(f"wrote {result.pages} pages and assets{pdfs} to {result.out}")


@main.command()
@click.argument("ids", nargs=-1)
@click.option(
    "--lang",
    "langs",
    multiple=True,
    help="Only this language (repeatable).  [default: every language of the project]",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The folder for <lang>/<id>-notice.pdf and -consent.pdf.  [default: <project>/site/pdf]",
)
@_JOBS
@_TODAY
@click.pass_context
def pdf(
    ctx: click.Context,
    ids: tuple[str, ...],
    langs: tuple[str, ...],
    out: Path | None,
    jobs: int | None,
    today: datetime | None,
) -> None:
    """Make the PDFs of the providers IDS (default: all), without rebuilding the site.

    Each PDF is replaced on its own; other files in the folder stay. Refused,
    like build, while check finds errors.
    """
    from dsgvo_gen.builder import UnknownSelection, make_pdfs

    bar = _ProgressBar(ctx.obj["quiet"])
    try:
        result = make_pdfs(
            ctx.obj["project"], ids, langs=langs, out=out, jobs=jobs,
            today=today.date() if today else None, progress=bar,
        )  # fmt: skip
    except UnknownSelection as err:
        raise click.BadParameter(str(err), param_hint="ID or --lang") from None
    finally:
        bar.close()
    _report_outcome(ctx, result, "pdf")
    if not ctx.obj["quiet"]:
        click.echo(f"wrote {result.pdfs} PDFs ({result.rendered} rendered) to {result.out}")


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
@click.option("--lang", default=None, help="The language.  [default: the project's first]")
@_TODAY
@click.pass_context
def export(
    ctx: click.Context,
    export_format: str,
    out: Path | None,
    lang: str | None,
    today: datetime | None,
) -> None:
    """Export the record of processing activities or a Fides manifest.

    One activity per provider and purpose. Refused, like build, while check
    finds errors; warnings are shown on standard error.
    """
    from dsgvo_gen.export import UnknownLanguage
    from dsgvo_gen.export import export as run_export
    from dsgvo_gen.findings import format_text
    from dsgvo_gen.writer import WriteError, write_file

    try:
        result = run_export(
            ctx.obj["project"], export_format, lang=lang, today=today.date() if today else None
        )
    except UnknownLanguage as err:
        raise click.BadParameter(str(err), param_hint="--lang") from None
    if result.report.findings:
        click.echo(format_text(result.report), err=True)
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
    if not ctx.obj["quiet"]:
        click.echo(f"wrote {export_format} ({result.activities} activities) to {out}")


@main.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.pass_context
def init(ctx: click.Context, directory: Path | None) -> None:
    """Make DIRECTORY a new project: config, example descriptor, schemas, README, .gitignore.

    DIRECTORY defaults to the --project folder, the current one unless given, and
    is created if needed. The config describes an invented example controller:
    replace it with your own. Refused (exit code 1, nothing changed) where a
    dsgvo-gen.yaml, providers/ or the schemas are already there.
    """
    from dsgvo_gen.findings import display_path
    from dsgvo_gen.scaffold import ScaffoldError, init_project

    target = directory if directory is not None else ctx.obj["project"]
    try:
        written = init_project(target)
    except ScaffoldError as err:
        raise click.ClickException(str(err)) from None
    if ctx.obj["quiet"]:
        return
    for item in written:
        click.echo(f"{item.outcome.value:<8} {display_path(item.path, Path.cwd())}")
    where = "" if target.resolve() == Path.cwd().resolve() else f"--project {target} "
    click.echo(f"next: replace the example controller in dsgvo-gen.yaml, then "
               f"'dsgvo-gen {where}serve'")  # fmt: skip


def _provider_id(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from dsgvo_gen.scaffold import InvalidProviderId, check_provider_id

    try:
        check_provider_id(value)
    except InvalidProviderId as err:
        raise click.BadParameter(str(err)) from None
    return value


@main.command()
@click.argument("provider_id", metavar="ID", callback=_provider_id)
@click.option(
    "--category",
    type=click.Choice(provider_categories()),
    default="video-conference",
    show_default=True,
    help="The kind of service; video-consultation adds health data and a consent form.",
)
@click.pass_context
def new(ctx: click.Context, provider_id: str, category: str) -> None:
    """Write providers/ID.yaml, a descriptor skeleton to fill in.

    Every key is there, each with a comment on what to fill in and the GDPR
    article that asks for it; every fact is a TODO that check reports until it is
    replaced. Refused (exit code 1) if the file exists.
    """
    from dsgvo_gen.findings import display_path
    from dsgvo_gen.scaffold import ScaffoldError, new_descriptor

    try:
        path = new_descriptor(ctx.obj["project"], provider_id, category=category)
    except ScaffoldError as err:
        raise click.ClickException(str(err)) from None
    if not ctx.obj["quiet"]:
        shown = display_path(path, Path.cwd())
        click.echo(f"wrote {shown}: replace every TODO, then 'dsgvo-gen check {shown}'")


def _report_rebuild(ctx: click.Context, rebuild: Rebuild) -> None:
    from dsgvo_gen.findings import format_text

    result = rebuild.result
    cause = f"{', '.join(rebuild.changed)} changed: " if rebuild.changed else ""
    if result.report.findings:
        click.echo(format_text(result.report))
    if not result.written:
        kept = "the last good site" if result.out.is_dir() else "nothing yet"
        click.echo(f"{cause}build refused: fix the findings above; still serving {kept}")
    elif not ctx.obj["quiet"]:
        pdfs = f" and {result.pdfs} PDFs" if result.pdfs else ""
        click.echo(f"{cause}built {result.pages} pages and assets{pdfs} in {rebuild.seconds:.2f} s")


@main.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="The port on 127.0.0.1; 0 picks a free one.",
)
@click.option("--no-pdf", is_flag=True, help="Build the HTML pages only, no PDFs.")
@_JOBS
@_TODAY
@click.pass_context
def serve(
    ctx: click.Context, port: int, no_pdf: bool, jobs: int | None, today: datetime | None
) -> None:
    """Build the site, serve it on 127.0.0.1 and rebuild whenever a source changes.

    Watches dsgvo-gen.yaml, providers/*.yaml and the project's own templates/.
    When check refuses a rebuild, the findings are printed and the last good
    site stays online. Ctrl-C stops.
    """
    from dsgvo_gen.serve import PortUnavailable, PreviewServer

    try:
        server = PreviewServer(
            ctx.obj["project"], port=port, pdf=not no_pdf, jobs=jobs,
            today=today.date() if today else None,
            on_build=lambda rebuild: _report_rebuild(ctx, rebuild),
        )  # fmt: skip
    except PortUnavailable as err:
        raise click.ClickException(f"{err}; choose another with --port") from None
    # A service manager stops with SIGTERM: end as cleanly as on Ctrl-C (no staging left).
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        with server:
            server.build()
            server.start()
            click.echo(f"serving {server.url} (Ctrl-C stops)")
            server.watch()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        signal.signal(signal.SIGTERM, previous)


@main.command("field-reference", hidden=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file instead of standard output.",
)
def field_reference(out: Path | None) -> None:
    """Print the descriptor field reference (Markdown) generated from the schema.

    For maintainers: docs/descriptor-reference.md is its output, and a test
    keeps the two in step.
    """
    from dsgvo_gen.field_reference import field_reference_markdown

    text = field_reference_markdown()
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as err:
        raise click.ClickException(f"cannot write {out}: {err.strerror or err}") from None
