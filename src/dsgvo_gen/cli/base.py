"""The command group, the options every command shares, and the run-time settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from dsgvo_gen import __version__
from dsgvo_gen.console import EXIT_INTERRUPTED, handle_interrupts, say_interrupted

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Options:
    """What the global options said; every command reads them from `ctx.obj`."""

    given: Path | None = None  # --project, where the user named the folder
    quiet: bool = False
    verbose: bool = False

    @property
    def project(self) -> Path:
        """The --project folder; without one, the nearest folder upwards with a config.

        Like git, a command run in `providers/` (or deeper) finds its project, and only
        one of the user's own (`config.find_project`).
        """
        if self.given is not None:
            return self.given
        from dsgvo_gen.config import find_project
        from dsgvo_gen.paths import UnsafePath

        try:
            found = find_project(Path.cwd())
        except UnsafePath as err:
            raise click.ClickException(str(err)) from None
        # The current folder stays "." so that messages name paths as the user typed them.
        return Path() if found is None or found == Path.cwd().resolve() else found


#: `--help` lists the commands in the order a user meets them, not alphabetically.
WORKFLOW = (
    "init", "add", "new", "check", "status", "catalogue", "templates", "serve", "preview",
    "build", "pdf", "export", "history", "migrate",
)  # fmt: skip


class _WorkflowGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        known = {name: index for index, name in enumerate(WORKFLOW)}
        return sorted(self.commands, key=lambda name: (known.get(name, len(known)), name))

    def invoke(self, ctx: click.Context) -> Any:
        restore = handle_interrupts()  # a second Ctrl-C does not wait for the first's cleanup
        try:
            result = super().invoke(ctx)
        except KeyboardInterrupt:
            # click would say "Aborted!" and exit with 1; a shell expects 130 after Ctrl-C.
            # The handler stays: a Ctrl-C while Python shuts down ends it at once.
            say_interrupted()
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
        restore()  # a command that handled Ctrl-C itself (serve) ended normally
        return result


def options(ctx: click.Context) -> Options:
    obj = ctx.find_object(Options)
    assert obj is not None, "main() sets the options before any command runs"
    return obj


def _set_project(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        options(ctx).given = value


_PROJECT_PATH = click.Path(exists=True, file_okay=False, path_type=Path)
_PROJECT_HELP = (
    "The project folder (with dsgvo-gen.yaml and providers/).  [default: the current "
    "folder or the nearest parent with a dsgvo-gen.yaml]"
)


def _set_quiet(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        options(ctx).quiet = True


def project_option(command: F) -> F:
    """`--project` and `-q` after the command name too: `dsgvo-gen check -q --project DIR`."""
    command = click.option(
        "-q", "--quiet", is_flag=True, expose_value=False, callback=_set_quiet,
        help="Print findings only, no summary (also before the command).",
    )(command)  # fmt: skip
    return click.option(
        "--project", type=_PROJECT_PATH, default=None, expose_value=False,
        callback=_set_project, is_eager=True, help=_PROJECT_HELP,
    )(command)  # fmt: skip


@click.group(cls=_WorkflowGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--project", type=_PROJECT_PATH, default=None, help=_PROJECT_HELP)
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary.")
@click.option("-v", "--verbose", is_flag=True, help="Say more about what is done.")
@click.version_option(__version__, prog_name="dsgvo-gen")
@click.pass_context
def main(ctx: click.Context, project: Path | None, quiet: bool, verbose: bool) -> None:
    """Turn provider descriptors into GDPR privacy notices, consent forms and a website."""
    ctx.obj = Options(project, quiet, verbose)


class DateParam(click.ParamType[date]):
    """A calendar date written YYYY-MM-DD, handed to the command as a `date`."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return datetime.strptime(str(value), "%Y-%m-%d").date()
        except ValueError:
            self.fail(f"{value!r} is not a date in the form YYYY-MM-DD", param, ctx)


today_option = click.option(
    "--today",
    type=DateParam(),
    default=None,
    help="The date to check staleness against (YYYY-MM-DD), for reproducible runs.",
)
strict_option = click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")
jobs_option = click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1, max=256),
    default=None,
    help="PDF worker processes.  [default: one per CPU core]",
)


def provider_id(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A click callback: the value must be able to become a file name (DESIGN §9)."""
    from dsgvo_gen.scaffold import InvalidProviderId, check_provider_id

    if value is None:
        return None
    try:
        check_provider_id(value)
    except InvalidProviderId as err:
        raise click.BadParameter(str(err)) from None
    return value


def text_or_json(help: str) -> Callable[[F], F]:
    """`--format text|json` (default text), for the commands that list things."""
    return click.option(
        "--format", "output_format", type=click.Choice(["text", "json"]), default="text",
        show_default=True, help=help,
    )  # fmt: skip
