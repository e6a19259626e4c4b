"""Check, then refuse, then prepare: the one gate that build, pdf, export and preview pass.

Every output starts from a checked project. It is refused while check reports
errors (or warnings, when strict), except for the preview, which shows drafts and
their open findings on purpose. What can go wrong once rendering starts (a
template or label catalogue of the project's, a file refused on the way, a size
bound, the output folder, a killed worker) is one finding each, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Generic, TypeVar

from jinja2 import TemplateError

from dsgvo_gen.checker import Project, check_project
from dsgvo_gen.config import Config
from dsgvo_gen.findings import Finding, Report, display_path
from dsgvo_gen.i18n import CatalogueError, LabelError
from dsgvo_gen.limits import OutputTooLarge
from dsgvo_gen.paths import UnsafePath
from dsgvo_gen.resources import Templates, templates_for
from dsgvo_gen.template_check import refused_findings, template_findings
from dsgvo_gen.writer import WriteError

T = TypeVar("T")

#: What can go wrong once rendering has started, each reported as one finding: the
#: user's templates and label catalogues, files refused on the way, sizes, the output
#: folder, a killed worker. Anything else is a bug of dsgvo-gen and must surface as one.
FAILURES = (WriteError, TemplateError, LabelError, CatalogueError, UnsafePath, OutputTooLarge,
            BrokenProcessPool)  # fmt: skip


class UsageError(ValueError):
    """The project cannot serve what was asked for (an unknown id or language): the
    caller's mistake, which the command line reports as a usage error."""


def failure_findings(err: BaseException, target: Path, templates: Templates) -> list[Finding]:
    """The finding for one of FAILURES; `target` is the output, `templates` where they came from."""
    in_templates = display_path(templates.base, Path.cwd())
    if isinstance(err, WriteError):
        return [Finding(display_path(target, Path.cwd()), 1, 1, "DG112", str(err))]
    if isinstance(err, BrokenProcessPool):
        message = "a PDF worker process died (out of memory?); nothing was changed"
        return [Finding(in_templates, 1, 1, "DG115", message)]
    if isinstance(err, UnsafePath):  # read from the templates: the output was checked first
        return refused_findings(err, templates.base)
    if isinstance(err, OutputTooLarge):
        return [Finding(in_templates, 1, 1, "DG121", str(err))]
    assert isinstance(err, TemplateError | LabelError | CatalogueError)
    return template_findings(err, templates)


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
    target: Path | None = None,
    drafts: bool = False,
) -> tuple[Report, Passed[T] | None]:
    """Check the project at `root`; unless it fails (or `refuse` is off), `prepare` it.

    `prepare(project, config, templates)` builds what the output needs (a renderer,
    an export); what goes wrong meanwhile (FAILURES) is reported as a finding, with
    `target` as the output it concerns. A UsageError from it reaches the caller. With
    `drafts` (the preview) the descriptors in providers/drafts/ are checked and shown too.
    """
    root = Path(root)
    project = check_project(root, today=today, drafts=drafts)
    report, config = project.report, project.config
    if config is None or (refuse and report.failed(strict=strict)):
        return report, None
    templates = Templates((root / "templates",))  # where a finding points if it is a link
    try:
        templates = templates_for(root)
        prepared = prepare(project, config, templates)
    except FAILURES as err:
        report.extend(failure_findings(err, target or root, templates))
        return report, None
    return report, Passed(project, config, templates, prepared)
