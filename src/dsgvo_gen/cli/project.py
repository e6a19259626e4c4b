"""`init`, `new` and the field reference: starting a project and its descriptors."""

from __future__ import annotations

from pathlib import Path

import click

from dsgvo_gen.cli.base import main, options, project_option, provider_id
from dsgvo_gen.resources import provider_categories


def _entry_ids(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


@main.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--with",
    "with_ids",
    metavar="ID,ID",
    callback=_entry_ids,
    help="Also add a descriptor for each of these catalogue entries (see 'add').",
)
@click.pass_context
def init(ctx: click.Context, directory: Path | None, with_ids: tuple[str, ...]) -> None:
    """Make DIRECTORY a new project: config, example descriptor, schemas, README, .gitignore.

    DIRECTORY defaults to the --project folder, else the current one (inside
    another project, name DIRECTORY), and is created if needed. The config
    describes an invented example controller: replace it with your own.
    Refused (exit code 1, nothing changed) where a dsgvo-gen.yaml, providers/
    or the schemas are already there.
    """
    from dsgvo_gen.config import find_project
    from dsgvo_gen.findings import display_path
    from dsgvo_gen.paths import UnsafePath
    from dsgvo_gen.scaffold import InvalidProviderId, ScaffoldError, init_project
    from dsgvo_gen.starter import UnknownEntry

    # Not the project found upwards: init makes a new project where it is asked to.
    given = options(ctx).given
    target = directory if directory is not None else given if given is not None else Path()
    try:
        outer = find_project(Path.cwd())
    except UnsafePath:  # someone else's project above: not one to be inside of
        outer = None
    if directory is None and given is None and outer not in (None, Path.cwd().resolve()):
        raise click.ClickException(
            f"this folder is inside the project {outer}; run init in a new folder, or name "
            "the folder: dsgvo-gen init DIRECTORY"
        )
    try:
        written = init_project(target, with_ids)
    except (InvalidProviderId, UnknownEntry) as err:
        raise click.BadParameter(str(err), param_hint="--with") from None
    except ScaffoldError as err:
        raise click.ClickException(str(err)) from None
    if options(ctx).quiet:
        return
    for item in written:
        click.echo(f"{item.outcome.value:<8} {display_path(item.path, Path.cwd())}")
    where = "" if target.resolve() == Path.cwd().resolve() else f"--project {target} "
    click.echo(f"next: replace the example controller in dsgvo-gen.yaml; 'dsgvo-gen {where}"
               f"catalogue' lists the services whose facts ship with dsgvo-gen, 'dsgvo-gen "
               f"{where}add ID' adds your use of one; then 'dsgvo-gen {where}serve'")  # fmt: skip


@main.command()
@click.argument("provider_id", metavar="ID", callback=provider_id)
@click.option(
    "--category",
    type=click.Choice(provider_categories()),
    default="video-conference",
    show_default=True,
    help="The kind of service; video-consultation adds health data and a consent form.",
)
@project_option
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
        path = new_descriptor(options(ctx).project, provider_id, category=category)
    except ScaffoldError as err:
        raise click.ClickException(str(err)) from None
    if not options(ctx).quiet:
        shown = display_path(path, Path.cwd())
        click.echo(f"wrote {shown}: replace every TODO, then 'dsgvo-gen check {shown}'")


@main.command()
@click.argument("names", nargs=-1, metavar="[NAME]...")
@project_option
@click.pass_context
def templates(ctx: click.Context, names: tuple[str, ...]) -> None:
    """List the bundled templates, or copy NAMEs into templates/ to change your look.

    Without NAME, lists the templates and stylesheets (base.html, assets/style.css,
    ...) and where they are. With NAMEs (e.g. base.html), copies those into the
    project's templates/ folder, where build uses them instead of the bundled
    ones; all others, and the legal texts, still come from dsgvo-gen. Refused
    (exit code 1, nothing written) where the project has such a file already.
    """
    from dsgvo_gen.findings import display_path
    from dsgvo_gen.resources import bundled_dir
    from dsgvo_gen.scaffold import (
        ScaffoldError,
        UnknownTemplate,
        bundled_templates,
        copy_templates,
    )

    project = options(ctx).project
    if not names:
        click.echo(f"bundled templates in {bundled_dir('templates')}:")
        for name in bundled_templates():
            yours = " (the project's own: templates/" + name + ")" if (
                project / "templates" / name).is_file() else ""  # fmt: skip
            click.echo(f"  {name}{yours}")
        click.echo("copy one into templates/ to change it: dsgvo-gen templates base.html")
        return
    try:
        written = copy_templates(project, names)
    except UnknownTemplate as err:
        raise click.BadParameter(str(err), param_hint="NAME") from None
    except ScaffoldError as err:
        raise click.ClickException(str(err)) from None
    if not options(ctx).quiet:
        for path in written:
            click.echo(f"created  {display_path(path, Path.cwd())}")
        what = "it" if len(written) == 1 else "them"
        click.echo(f"next: change {what}; 'dsgvo-gen serve' shows every save")


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
    from dsgvo_gen.paths import UnsafePath
    from dsgvo_gen.writer import WriteError, write_file

    text = field_reference_markdown()
    if out is None:
        click.echo(text, nl=False)
        return
    if not out.parent.is_dir():  # a typo in the folder: not made up on the way
        raise click.ClickException(f"cannot write {out}: no folder {out.parent}")
    try:
        write_file(out, text.encode("utf-8"))
    except (WriteError, UnsafePath) as err:
        raise click.ClickException(str(err)) from None
