"""`build`: check the project, and only if it is clean, render and write the site."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from jinja2 import TemplateError, TemplateSyntaxError

from dsgvo_gen.checker import check_project
from dsgvo_gen.findings import Finding, Report, display_path
from dsgvo_gen.render import render_site
from dsgvo_gen.resources import bundled_dir
from dsgvo_gen.writer import WriteError, write_site


@dataclass
class BuildResult:
    report: Report
    out: Path
    pages: int  # files written; 0 when the build was refused

    @property
    def written(self) -> bool:
        return self.pages > 0


def templates_for(root: Path) -> Path:
    """The project's own templates where it deliberately has them, else the bundled ones."""
    own = root / "templates"
    return own if (own / "base.html").is_file() else bundled_dir("templates")


def _template_finding(err: TemplateError | KeyError | ValueError, templates: Path) -> Finding:
    if isinstance(err, TemplateSyntaxError):
        where = err.filename or err.name or "templates"
        return Finding(display_path(Path(where), Path.cwd()), err.lineno or 1, 1, "DG111",
                       err.message or str(err))  # fmt: skip
    return Finding(display_path(templates, Path.cwd()), 1, 1, "DG111", str(err).strip("'\""))


def build(
    root: Path | str = ".",
    out: Path | str | None = None,
    *,
    today: date | None = None,
    strict: bool = False,
) -> BuildResult:
    """Build the site into `out` (default: `<root>/site`); refuse when check fails."""
    root = Path(root)
    target = Path(out) if out is not None else root / "site"
    project = check_project(root, today=today)
    report = project.report
    if report.failed(strict=strict) or project.config is None:
        return BuildResult(report, target, 0)
    templates = templates_for(root)
    try:
        files = render_site(project.config, project.providers, templates)
    except (TemplateError, KeyError, ValueError) as err:
        report.extend([_template_finding(err, templates)])
        return BuildResult(report, target, 0)
    try:
        write_site(files, target)
    except WriteError as err:
        report.extend([Finding(display_path(target, Path.cwd()), 1, 1, "DG112", str(err))])
        return BuildResult(report, target, 0)
    return BuildResult(report, target, len(files))
