"""A project's own templates and label catalogues, checked as `build` will use them.

`check` is the gate in CI and before a commit, so whatever makes `build` refuse
before it writes must make `check` fail too: a label catalogue that does not parse
or names an unknown key or placeholder, a template that does not compile, and one
that fails while it renders (an unknown variable, attribute or label key). The
project's own templates are rendered in memory, every page, fragment and PDF's
print HTML, and nothing is written. A project without templates of its own (most)
costs nothing here: the bundled templates are tested with dsgvo-gen itself.

A template's failure is reported at the line of the template where it happened,
in the words of the template's author (`config`, `p`, `L`), not as an object of
dsgvo-gen's.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from pathlib import Path

from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError

from dsgvo_gen.branding import LogoError, read_logo
from dsgvo_gen.config import Config, Contact, Controller
from dsgvo_gen.findings import Finding, display_path
from dsgvo_gen.hints import did_you_mean
from dsgvo_gen.i18n import CatalogueError, LabelError, labels
from dsgvo_gen.limits import OutputTooLarge
from dsgvo_gen.model import Provider
from dsgvo_gen.paths import UnsafePath
from dsgvo_gen.reference import Reference
from dsgvo_gen.render import ASSETS, Renderer, TemplateMemoryError, read_asset
from dsgvo_gen.resources import Templates, templates_for

#: How a template names the objects dsgvo-gen hands it, and what they hold.
_NAMES: dict[str, tuple[str, type]] = {
    "Config": ("config", Config),
    "Controller": ("config.controller", Controller),
    "Contact": ("the contact (config.dpo or config.representative)", Contact),
    "Provider": ("the provider (p)", Provider),
}
_NO_ATTRIBUTE = re.compile(r"'(?P<type>[\w.]+) object' has no attribute '(?P<name>[^']*)'")


def _label_keys(node: object, prefix: str = "") -> Iterable[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield f"{prefix}{key}"
            yield from _label_keys(value, f"{prefix}{key}.")


def _in_words(err: BaseException, templates: Templates) -> str:
    """The error as the template's author reads it."""
    message = str(err).strip()
    if isinstance(err, TemplateNotFound):
        return f"template {message!r} does not exist here or among the bundled templates"
    found = _NO_ATTRIBUTE.search(message)
    if found is None:
        return message
    kind, name = found["type"].rsplit(".", 1)[-1], found["name"]
    if kind == "Labels":  # L.some_key or L['some_key']
        keys = _label_keys(labels(templates.dirs[-1], "en").data)
        return f"unknown label '{name}'{did_you_mean(name, keys)}"
    if kind in _NAMES:
        shown, model = _NAMES[kind]
        fields = [f.name for f in dataclasses.fields(model)]
        return f"{shown} has no attribute '{name}'{did_you_mean(name, fields)}"
    return message


def template_findings(
    err: TemplateError | LabelError | CatalogueError, templates: Templates
) -> list[Finding]:
    """DG111 at the template line where it failed; a broken label catalogue's findings."""
    if isinstance(err, CatalogueError):
        return err.findings
    if isinstance(err, TemplateSyntaxError):
        where = err.filename or err.name or "templates"
        return [Finding(display_path(Path(where), Path.cwd()), err.lineno or 1, 1, "DG111",
                        err.message or str(err))]  # fmt: skip
    message = _in_words(err, templates)
    located = err.where if isinstance(err, TemplateMemoryError) else templates.line_of(err)
    path, line = located or (templates.base, 1)
    return [Finding(display_path(path, Path.cwd()), line, 1, "DG111", message)]


def refused_findings(err: UnsafePath, templates: Path) -> list[Finding]:
    """DG116 at the file refused (a template that is a folder, a link among the templates),
    or at the templates folder where the refusal does not name one."""
    return [Finding(display_path(err.path or templates, Path.cwd()), 1, 1, "DG116", str(err))]


def _renders(
    root: Path,
    config: Config,
    providers: list[Provider],
    reference: Reference,
    templates: Templates,
) -> None:
    try:
        logo = read_logo(root, config.logo) if config.logo else None
    except LogoError:  # DG119 says why; the pages are checked without it
        logo = None
    renderer = Renderer(config, providers, templates, reference, logo=logo)
    for _ in renderer.iter_site(pdf_links=True):
        pass
    for _ in renderer.pdf_sources():
        pass


def check_templates(
    root: Path,
    config: Config,
    providers: list[Provider],
    reference: Reference,
    *,
    render: bool = True,
) -> tuple[list[Finding], list[str]]:
    """The findings `build` would report about the project's own templates and label
    catalogues before writing anything, and notes; `render=False` checks the label
    catalogues only (the descriptors have errors, with which pages cannot be made)."""
    shown = display_path(root / "templates", Path.cwd())
    try:
        templates = templates_for(root)
    except UnsafePath as err:
        return refused_findings(err, root / "templates"), []
    if templates.own is None:
        return [], []
    try:
        for lang in config.languages:
            labels(templates, lang)
        own_html = any(path.suffix == ".html" for path in templates.own.rglob("*"))
        if not own_html:
            for asset in ASSETS:  # read as build reads them: no link, no giant
                read_asset(templates, f"assets/{asset}")
            return [], []
        if not render:
            return [], [f"the templates in {shown} are rendered once the errors are fixed"]
        _renders(root, config, providers, reference, templates)
    except (TemplateError, LabelError, CatalogueError) as err:
        return template_findings(err, templates), []
    except UnsafePath as err:
        return refused_findings(err, root / "templates"), []
    except OutputTooLarge as err:
        return [Finding(shown, 1, 1, "DG121", str(err))], []
    return [], []
