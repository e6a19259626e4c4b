"""Check, then refuse, then prepare: the one gate that build, pdf, export and preview pass.

Every output starts from a checked project. It is refused while check reports
errors (or warnings, when strict), except for the preview, which shows drafts and
their open findings on purpose; a template or label catalogue that cannot be
rendered is one DG111 finding instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Generic, TypeVar

from jinja2 import TemplateError, TemplateSyntaxError

from dsgvo_gen.checker import Project, check_project
from dsgvo_gen.config import Config
from dsgvo_gen.findings import Finding, Report, display_path
from dsgvo_gen.i18n import CatalogueError
from dsgvo_gen.resources import Templates, templates_for

T = TypeVar("T")


class UsageError(ValueError):
    """The project cannot serve what was asked for (an unknown id or language): the
    caller's mistake, which the command line reports as a usage error."""


def template_findings(
    err: TemplateError | KeyError | ValueError, templates: Templates
) -> list[Finding]:
    """DG111 at the template line where Jinja2 knows it, the findings of a broken label
    catalogue at their lines, else DG111 at the templates."""
    if isinstance(err, CatalogueError):
        return err.findings
    if isinstance(err, TemplateSyntaxError):
        where = err.filename or err.name or "templates"
        return [Finding(display_path(Path(where), Path.cwd()), err.lineno or 1, 1, "DG111",
                        err.message or str(err))]  # fmt: skip
    where = display_path(templates.base, Path.cwd())
    return [Finding(where, 1, 1, "DG111", str(err).strip("'\""))]


@dataclass
class Passed(Generic[T]):
    """A project that passed the gate, and what `prepare` made of it."""

    project: Project
    config: Config
    templates: Templates
    prepared: T


def through_gate(
    root: Path | str,
    prepare: Callable[[Project, Config, Templates], T],
    *,
    today: date | None = None,
    strict: bool = False,
    refuse: bool = True,
) -> tuple[Report, Passed[T] | None]:
    """Check the project at `root`; unless it fails (or `refuse` is off), `prepare` it.

    `prepare(project, config, templates)` builds what the output needs (a renderer,
    an export); a template or label error while it does is reported as DG111. A
    UsageError from it reaches the caller.
    """
    root = Path(root)
    project = check_project(root, today=today)
    report, config = project.report, project.config
    if config is None or (refuse and report.failed(strict=strict)):
        return report, None
    templates = templates_for(root)
    try:
        prepared = prepare(project, config, templates)
    except UsageError:
        raise
    except (TemplateError, KeyError, ValueError) as err:
        report.extend(template_findings(err, templates))
        return report, None
    return report, Passed(project, config, templates, prepared)
