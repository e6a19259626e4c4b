"""`build` and `pdf`: check the project, and only if it is clean, render and write.

A build writes the pages and PDFs into a staging folder and swaps it in only
when no document failed, so a refused or broken build leaves the old site. The
output folder is checked first (`paths`): a folder dsgvo-gen did not make, a
link or a folder of the project's sources raises UnsafePath before anything runs.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Collection, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import TemplateError

from dsgvo_gen import libc
from dsgvo_gen.branding import read_logo
from dsgvo_gen.checker import Project, check_project
from dsgvo_gen.findings import Finding, Report, Severity, display_path
from dsgvo_gen.i18n import CatalogueError, LabelError
from dsgvo_gen.limits import OutputTooLarge
from dsgvo_gen.paths import (
    UnsafePath,
    absolute,
    check_output_folder,
    check_site_folder,
    refuse_link,
)
from dsgvo_gen.render import PdfSource, Renderer, asked_in
from dsgvo_gen.resources import Templates, templates_for
from dsgvo_gen.template_check import template_findings
from dsgvo_gen.writer import Staging, WriteError, add_to_site, mark_site, write_file

if TYPE_CHECKING:
    from dsgvo_gen.pdf import RenderedPdf

#: Called once per PDF as it is done: (documents done, documents in all).
Progress = Callable[[int, int], None]


@dataclass
class BuildResult:
    report: Report
    out: Path
    pages: int  # HTML pages and assets written; 0 when the build was refused
    pdfs: int = 0  # PDFs written
    rendered: int = 0  # of those, rendered now (the rest came from the cache)

    @property
    def written(self) -> bool:
        return self.pages + self.pdfs > 0


class UnknownSelection(ValueError):  # noqa: N818 - a usage error, named for the user
    """`pdf` was asked for a provider id or language the project does not have."""


def _give_back_memory() -> None:
    """Return the memory that checking and the pages freed to the system before the PDF
    workers start: glibc keeps freed heap otherwise, and the build's peak is its sum
    with the workers' (about 50 MiB for a thousand descriptors)."""
    gc.collect()
    trim = libc.function("malloc_trim")
    if trim is not None:
        trim(0)


#: What can go wrong once rendering has started, each reported as one finding: the
#: user's templates and label catalogues, files refused on the way, sizes, the output
#: folder, a killed worker. Anything else is a bug of dsgvo-gen and must surface as one.
_FAILURES = (WriteError, TemplateError, LabelError, CatalogueError, UnsafePath, OutputTooLarge,
             BrokenProcessPool)  # fmt: skip


def _failure(err: BaseException, target: Path, templates: Templates) -> list[Finding]:
    in_templates = display_path(templates.base, Path.cwd())
    if isinstance(err, WriteError):
        return [Finding(display_path(target, Path.cwd()), 1, 1, "DG112", str(err))]
    if isinstance(err, BrokenProcessPool):
        message = "a PDF worker process died (out of memory?); nothing was changed"
        return [Finding(in_templates, 1, 1, "DG115", message)]
    if isinstance(err, UnsafePath):  # read from the templates: the output was checked first
        return [Finding(in_templates, 1, 1, "DG116", str(err))]
    if isinstance(err, OutputTooLarge):
        return [Finding(in_templates, 1, 1, "DG121", str(err))]
    assert isinstance(err, TemplateError | LabelError | CatalogueError)
    return template_findings(err, templates)


def _renderer(project: Project, templates: Templates) -> Renderer:
    config = project.config
    assert config is not None
    # check has read the logo already (DG119); reading it again is what gets published.
    logo = read_logo(project.root, config.logo) if config.logo else None
    return Renderer(config, project.providers, templates, logo)


def _pdfs(
    sources: Iterator[PdfSource],
    total: int,
    templates: Templates,
    cache_root: Path | None,
    jobs: int | None,
    progress: Progress | None,
    *,
    prune: bool = False,
) -> Iterator[RenderedPdf]:
    """Every source as a PDF: from the cache where unchanged, else rendered in workers."""
    from dsgvo_gen.cache import PdfCache  # WeasyPrint is imported only when PDFs are made
    from dsgvo_gen.pdf import RenderedPdf, default_jobs, render_pdfs

    cache = PdfCache(cache_root, templates) if cache_root is not None else None
    hits: list[RenderedPdf] = []

    def misses() -> Iterator[PdfSource]:
        # Cache hits are set aside while this generator feeds the workers the misses.
        for source in sources:
            cached = cache.get(source) if cache else None
            if cached is None:
                yield source
            else:
                hits.append(RenderedPdf(source, cached, cached=True))

    done = 0

    def counted(batch: list[RenderedPdf]) -> Iterator[RenderedPdf]:
        nonlocal done
        for item in batch:
            done += 1
            if progress:
                progress(done, total)
            yield item

    for rendered in render_pdfs(misses(), templates, jobs=jobs or default_jobs()):
        if cache and rendered.pdf is not None and not rendered.problems:
            cache.put(rendered.source, rendered.pdf)
        batch = [*hits, rendered]
        hits.clear()
        yield from counted(batch)
    yield from counted(hits)  # the hits after the last miss
    if cache and prune:
        cache.prune()


def _pdf_findings(rendered: RenderedPdf, templates: Templates) -> list[Finding]:
    findings = []
    for problem in rendered.problems:
        path, line = asked_in(templates, f"{rendered.source.kind}.html", problem.url)
        message = f"{rendered.source.path}: {problem.message}"
        findings.append(Finding(display_path(path, Path.cwd()), line, 1, problem.code, message))
    return findings


def build(
    root: Path | str = ".",
    out: Path | str | None = None,
    *,
    today: date | None = None,
    strict: bool = False,
    pdf: bool = True,
    jobs: int | None = None,
    cache: bool = True,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the site (with PDFs unless `pdf=False`) into `out`; refuse when check fails.

    `jobs` is the number of PDF worker processes (default: one per core); `cache`
    reuses unchanged PDFs from the user's cache folder (`cache.cache_folder`).
    Raises UnsafePath, before anything is done, where `out` may not be replaced.
    """
    root = Path(root)
    shown = Path(out) if out is not None else root / "site"
    target = check_site_folder(shown, root)
    project = check_project(root, today=today)
    report = project.report
    result = BuildResult(report, shown, 0)
    if report.failed(strict=strict) or project.config is None:
        return result
    started = _start(project, root, report)
    if started is None:
        return result
    renderer, templates = started
    count = renderer.pdf_count() if pdf else 0
    cache_root = _cache_root(root) if cache and pdf else None
    try:
        with Staging(target) as stage:
            # Page by page: a thousand providers' site need not sit in memory at once.
            for relative, content in renderer.iter_site(pdf_links=pdf):
                stage.write(relative, content)
            if pdf:
                _give_back_memory()
            sources = renderer.pdf_sources() if pdf else iter(())
            for rendered in _pdfs(
                sources, count, templates, cache_root, jobs, progress, prune=True
            ):
                report.extend(_pdf_findings(rendered, templates))
                result.rendered += not rendered.cached
                if rendered.pdf is not None:
                    stage.write(rendered.source.path, rendered.pdf)
            if report.failed(strict=strict):
                return result  # leaving the block drops the staging folder
            stage.commit()
    except _FAILURES as err:  # the print HTML renders lazily, so template errors come here too
        report.extend(_failure(err, shown, templates))
        return result
    result.pages, result.pdfs = stage.files - count, count
    return result


def _start(project: Project, root: Path, report: Report) -> tuple[Renderer, Templates] | None:
    """The renderer with the project's templates; None (with a finding) where they fail."""
    templates = Templates((root / "templates",))  # where a finding points if it is a link
    try:
        templates = templates_for(root)
        return _renderer(project, templates), templates
    except _FAILURES as err:
        report.extend(_failure(err, root / "templates", templates))
        return None


def _cache_root(root: Path) -> Path | None:
    from dsgvo_gen.cache import cache_folder

    return cache_folder(root)


def make_pdfs(
    root: Path | str = ".",
    ids: Collection[str] = (),
    *,
    langs: Collection[str] = (),
    out: Path | str | None = None,
    today: date | None = None,
    jobs: int | None = None,
    cache: bool = True,
    progress: Progress | None = None,
) -> BuildResult:
    """Write the PDFs of the given providers (default: all) into `out/<lang>/`.

    `out` defaults to `<root>/site/pdf`. Each file is replaced atomically; other
    files in `out` are left alone. Raises UnknownSelection for an unknown id or
    language, and UnsafePath, before anything is done, for an output folder that
    is a link or part of the project's sources.
    """
    root = Path(root)
    shown = Path(out) if out is not None else root / "site" / "pdf"
    target = check_output_folder(shown, root)
    into_site = target == absolute(root / "site" / "pdf")
    if into_site:  # a new site folder is marked, and the PDFs are added to its list
        check_site_folder(root / "site", root)
    project = check_project(root, today=today)
    report = project.report
    if report.failed() or project.config is None:
        return BuildResult(report, shown, 0)
    known_ids = {p.id for p in project.providers}
    if unknown := sorted(set(ids) - known_ids):
        raise UnknownSelection(
            f"no provider {', '.join(unknown)}; the project has: {', '.join(sorted(known_ids))}"
        )
    if unknown := sorted(set(langs) - set(project.config.languages)):
        raise UnknownSelection(f"the project has no language {', '.join(unknown)}; it has: "
                               f"{', '.join(project.config.languages)}")  # fmt: skip
    for lang in langs or project.config.languages:  # one line, before anything is rendered
        refuse_link(target / lang, shown / lang)
    result = BuildResult(report, shown, 0)
    started = _start(project, root, report)
    if started is None:
        return result
    renderer, templates = started
    count = renderer.pdf_count(ids or None, langs or None)
    sources = renderer.pdf_sources(ids or None, langs or None)
    cache_root = _cache_root(root) if cache else None
    written: list[str] = []
    try:
        for rendered in _pdfs(sources, count, templates, cache_root, jobs, progress):
            findings = _pdf_findings(rendered, templates)
            report.extend(findings)
            result.rendered += not rendered.cached
            if rendered.pdf is not None and not any(f.severity is Severity.ERROR for f in findings):
                path = target / rendered.source.path.removeprefix("pdf/")
                try:
                    if into_site:
                        mark_site(root / "site")
                    write_file(path, rendered.pdf, inside=target)
                except UnsafePath as err:  # a link among the PDFs: refused, the others go on
                    report.extend([Finding(display_path(path, Path.cwd()), 1, 1, "DG112",
                                           str(err))])  # fmt: skip
                    continue
                result.pdfs += 1
                written.append(rendered.source.path)
    except _FAILURES as err:
        report.extend(_failure(err, shown, templates))
    if into_site and written:
        try:
            add_to_site(root / "site", written)
        except (WriteError, UnsafePath) as err:
            report.extend(_failure(err, root / "site", templates))
    return result
