"""`serve`, `build` and `pdf`: the website and its PDFs."""

from __future__ import annotations

import signal
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dsgvo_gen.cli.base import (
    DateParam,
    jobs_option,
    main,
    options,
    project_option,
    strict_option,
    today_option,
)

if TYPE_CHECKING:
    from dsgvo_gen.builder import BuildResult
    from dsgvo_gen.serve import Rebuild


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


def _report_outcome(ctx: click.Context, result: BuildResult, what: str, *, strict: bool) -> None:
    from dsgvo_gen.findings import format_text

    problems = result.report.problems()
    if problems.findings or not result.written:
        click.echo(format_text(problems), err=not result.written)
    if result.report.failed(strict=strict) or not result.written:
        click.echo(f"{what} refused: fix the findings above; nothing was changed", err=True)
        ctx.exit(1)


def _report_rebuild(quiet: bool, rebuild: Rebuild) -> None:
    from dsgvo_gen.findings import format_text, printable

    result = rebuild.result
    # File names come from the project: escaped, so that they cannot steer the terminal.
    cause = f"{printable(', '.join(rebuild.changed))} changed: " if rebuild.changed else ""
    if result.report.problems().findings:
        click.echo(format_text(result.report.problems()))
    if not result.written:
        kept = ("still serving the last good site" if rebuild.serving
                else "serving no site until a build succeeds")  # fmt: skip
        click.echo(f"{cause}build refused: fix the findings above; {kept}")
    elif not quiet:
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
@click.option(
    "--drafts",
    is_flag=True,
    help="Serve the preview instead: drafts included and marked, HTML only (see 'preview').",
)
@jobs_option
@today_option
@project_option
@click.pass_context
def serve(
    ctx: click.Context,
    port: int,
    no_pdf: bool,
    drafts: bool,
    jobs: int | None,
    today: date | None,
) -> None:
    """Build the site, serve it on 127.0.0.1 and rebuild whenever a source changes.

    Watches dsgvo-gen.yaml, providers/*.yaml, the project's catalogue entries and
    its own templates/. When check refuses a rebuild, the findings are printed and
    the last good site stays online; until the first good build, serve serves
    nothing (not even a site/ folder that is already there). Ctrl-C stops.
    """
    from dsgvo_gen.paths import UnsafePath
    from dsgvo_gen.serve import PortUnavailable, PreviewServer

    opts = options(ctx)
    try:
        server = PreviewServer(
            opts.project, port=port, pdf=not no_pdf, jobs=jobs, today=today, drafts=drafts,
            on_build=lambda rebuild: _report_rebuild(opts.quiet, rebuild),
        )  # fmt: skip
    except PortUnavailable as err:
        raise click.ClickException(f"{err}; choose another with --port") from None
    except UnsafePath as err:
        raise click.ClickException(str(err)) from None
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


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The output folder.  [default: <project>/site]",
)
@click.option("--no-pdf", is_flag=True, help="Build the HTML pages only, no PDFs.")
@jobs_option
@strict_option
@click.option(
    "--today",
    type=DateParam(),
    default=None,
    help="The date to check staleness against (YYYY-MM-DD), for reproducible runs; also "
    "the publication date recorded in history/ for each new version. A date before a "
    "publication already recorded there is refused.  [default: the system clock]",
)
@project_option
@click.pass_context
def build(
    ctx: click.Context,
    out: Path | None,
    no_pdf: bool,
    jobs: int | None,
    strict: bool,
    today: date | None,
) -> None:
    """Check the project and, if it is clean, build the website and PDFs.

    Writes the notices, consent forms, the combined notice and the overview in
    every configured language, and a PDF of each notice and consent form. When
    check finds errors (or warnings with --strict), nothing is written and an
    existing site stays as it was. Unchanged PDFs are reused from a cache.
    """
    from dsgvo_gen.builder import build as run_build
    from dsgvo_gen.paths import UnsafePath
    from dsgvo_gen.recorder import DatedBeforeRecord

    opts = options(ctx)
    bar = _ProgressBar(opts.quiet)
    try:
        result = run_build(
            opts.project, out, today=today, strict=strict, pdf=not no_pdf, jobs=jobs, progress=bar
        )
    except UnsafePath as err:
        raise click.ClickException(str(err)) from None
    except DatedBeforeRecord as err:
        raise click.BadParameter(str(err), param_hint="--today") from None
    finally:
        bar.close()
    _report_outcome(ctx, result, "build", strict=strict)
    if not opts.quiet:
        pdfs = f" and {result.pdfs} PDFs ({result.rendered} rendered)" if result.pdfs else ""
        click.echo(f"wrote {result.pages} pages and assets{pdfs} to {result.out}")
        if result.recorded or result.recorded_pdfs:
            click.echo(_recorded(opts.project, result.recorded, result.recorded_pdfs))


def _recorded(project: Path, versions: int, pdfs: int) -> str:
    from dsgvo_gen.findings import display_path
    from dsgvo_gen.history import HISTORY_DIR

    def plural(count: int) -> str:
        return "s" if count != 1 else ""

    said = [f"{versions} new version{plural(versions)}"] if versions else []
    said += [f"the PDF{plural(pdfs)} of {pdfs} version{plural(pdfs)} recorded earlier"] * bool(pdfs)
    folder = display_path(project / HISTORY_DIR, Path.cwd())
    return f"recorded {' and '.join(said)} in {folder}/ (commit it)"


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The output folder; never the site.  [default: <project>/preview]",
)
@today_option
@project_option
@click.pass_context
def preview(ctx: click.Context, out: Path | None, today: date | None) -> None:
    """Render every provider, drafts included, into preview/ (HTML only).

    The pages of a draft are marked as a draft and list its open findings. Not
    refused by findings: a preview shows what is still open. It never writes into
    site/, so nothing unfinished is published.
    """
    from dsgvo_gen.builder import preview as run_preview
    from dsgvo_gen.findings import format_text
    from dsgvo_gen.paths import UnsafePath
    from dsgvo_gen.publish import UsageError

    opts = options(ctx)
    try:
        result = run_preview(opts.project, out, today=today)
    except UsageError as err:
        raise click.BadParameter(str(err), param_hint="--out") from None
    except UnsafePath as err:
        raise click.ClickException(str(err)) from None
    if result.report.problems().findings and not opts.quiet:
        click.echo(format_text(result.report.problems()), err=True)
    if not result.written:
        click.echo("preview failed: fix the findings above", err=True)
        ctx.exit(1)
    if not opts.quiet:
        click.echo(f"wrote {result.pages} pages and assets to {result.out}")


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
@jobs_option
@today_option
@project_option
@click.pass_context
def pdf(
    ctx: click.Context,
    ids: tuple[str, ...],
    langs: tuple[str, ...],
    out: Path | None,
    jobs: int | None,
    today: date | None,
) -> None:
    """Make the PDFs of the providers IDS (default: all), without rebuilding the site.

    Each PDF is replaced on its own; other files in the folder stay. Refused,
    like build, while check finds errors.
    """
    from dsgvo_gen.builder import UnknownSelection, make_pdfs
    from dsgvo_gen.paths import UnsafePath

    opts = options(ctx)
    bar = _ProgressBar(opts.quiet)
    try:
        result = make_pdfs(
            opts.project, ids, langs=langs, out=out, jobs=jobs, today=today, progress=bar
        )
    except UnknownSelection as err:
        raise click.BadParameter(str(err), param_hint="ID or --lang") from None
    except UnsafePath as err:
        raise click.ClickException(str(err)) from None
    finally:
        bar.close()
    _report_outcome(ctx, result, "pdf", strict=False)
    if not opts.quiet:
        click.echo(f"wrote {result.pdfs} PDFs ({result.rendered} rendered) to {result.out}")
