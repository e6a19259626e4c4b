"""`build`, `pdf` and `preview`: check the project, and only if it is clean, render and write.

A build writes the pages and PDFs into a staging folder and swaps it in only
when no document failed, so a refused or broken build leaves the old site. It
publishes every provider that is not a draft; `preview` renders the drafts too,
each marked, into a folder of its own. The output folder is checked first
(`paths`): a folder dsgvo-gen did not make, a link or a folder of the project's
sources raises UnsafePath before anything runs.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from dsgvo_gen import libc
from dsgvo_gen.branding import read_logo
from dsgvo_gen.checker import Project
from dsgvo_gen.config import CONFIG_NAME, Config
from dsgvo_gen.findings import Finding, Report, Severity, display_path
from dsgvo_gen.history import History
from dsgvo_gen.model import Provider
from dsgvo_gen.paths import (
    UnsafePath,
    absolute,
    check_output_folder,
    check_site_folder,
    refuse_link,
)
from dsgvo_gen.publish import FAILURES, UsageError, failure_findings, through_gate
from dsgvo_gen.recorder import Recorder
from dsgvo_gen.render import Mark, PdfSource, Renderer, asked_in
from dsgvo_gen.resources import Templates
from dsgvo_gen.rules.catalogue import MISSING_FACT_CODE
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
    recorded: int = 0  # new versions recorded in history/
    recorded_pdfs: int = 0  # PDFs added to versions recorded earlier without one

    @property
    def written(self) -> bool:
        return self.pages + self.pdfs > 0


class UnknownSelection(UsageError):  # noqa: N818 - a usage error, named for the user
    """`pdf` was asked for a provider id or language the project does not have."""


def _give_back_memory() -> None:
    """Return the memory that checking and the pages freed to the system before the PDF
    workers start: glibc keeps freed heap otherwise, and the build's peak is its sum
    with the workers' (about 50 MiB for a thousand descriptors)."""
    gc.collect()
    trim = libc.function("malloc_trim")
    if trim is not None:
        trim(0)


def _renderer(
    project: Project,
    config: Config,
    templates: Templates,
    providers: list[Provider],
    marks: dict[str, Mark] | None = None,
    recorder: Recorder | None = None,
) -> Renderer:
    # check has read the logo already (DG119); reading it again is what gets published.
    logo = read_logo(project.root, config.logo) if config.logo else None
    if recorder is None:  # the history pages show the record; only build adds to it
        recorder = Recorder(project.history or History(project.root), date.today(), pdf=False,
                            record=False)  # fmt: skip
    return Renderer(config, providers, templates, project.reference, logo=logo, marks=marks,
                    history=recorder)  # fmt: skip


def _published(
    project: Project, config: Config, templates: Templates, recorder: Recorder | None = None
) -> Renderer:
    return _renderer(project, config, templates, project.published, recorder=recorder)


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


def _consent_address_note(root: Path, project: Project, config: Config) -> list[Finding]:
    """DG541: on paper a consent form names the notice it refers to by its address, which only
    site.base_url gives, so that a signed scan shows which text the client was given."""
    forms = sorted(p.id for p in project.published if p.consent is not None)
    if config.base_url or not forms:
        return []
    path = root / CONFIG_NAME
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    line = next((n for n, text in enumerate(lines, 1) if "base_url" in text), 1)
    return [Finding(
        display_path(path, Path.cwd()), line, 1, "DG541",
        f"{'the consent forms' if len(forms) > 1 else 'the consent form'} of "
        f"{', '.join(forms)} {'name their' if len(forms) > 1 else 'names its'} notice only by "
        "its title in the PDF, not by its address: set site.base_url to where "
        "the site is published, so that a signed form shows which notice it refers to",
    )]  # fmt: skip


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
    record: bool = True,
) -> BuildResult:
    """Build the site (with PDFs unless `pdf=False`) into `out`; refuse when check fails.

    `jobs` is the number of PDF worker processes (default: one per core); `cache`
    reuses unchanged PDFs from the user's cache folder (`cache.cache_folder`).
    Every document version published for the first time is recorded in history/
    (`recorder`), dated `today`, unless `record` is False (serve).
    Raises UnsafePath, before anything is done, where `out` may not be replaced.
    """
    root = Path(root)
    shown = Path(out) if out is not None else root / "site"
    target = check_site_folder(shown, root)

    def prepare(project: Project, config: Config, templates: Templates) -> tuple[Renderer, int]:
        history = project.history or History(project.root)
        recorder = Recorder(history, today or date.today(), pdf=pdf, record=record)
        renderer = _published(project, config, templates, recorder)
        return renderer, renderer.pdf_count() if pdf else 0

    report, passed = through_gate(root, prepare, today=today, strict=strict, target=shown)
    result = BuildResult(report, shown, 0)
    if passed is None:
        return result
    (renderer, count), templates = passed.prepared, passed.templates
    if pdf:
        report.extend(_consent_address_note(root, passed.project, passed.config))
    cache_root = _cache_root(root) if cache and pdf else None
    recorder = renderer.history
    try:
        with Staging(target) as stage:
            # Page by page: a thousand providers' site need not sit in memory at once.
            for relative, content in renderer.iter_site(pdf_links=pdf):
                stage.write(relative, content)
            for relative, content in recorder.site_files():  # earlier versions' PDFs
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
                    source = rendered.source
                    recorder.pdf_made((source.provider, source.kind, source.lang), rendered.pdf)
            if report.failed(strict=strict):
                return result  # leaving the block drops the staging folders
            # The record first: a build killed between the two swaps has recorded a version
            # it has not published yet, which the next build publishes (never the reverse).
            recorder.write()
            stage.commit()
    except FAILURES as err:  # the print HTML renders lazily, so template errors come here too
        report.extend(failure_findings(err, shown, templates))
        return result
    finally:
        recorder.discard()
    result.pages, result.pdfs = stage.files - count, count
    result.recorded, result.recorded_pdfs = recorder.written
    return result


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

    def prepare(
        project: Project, config: Config, templates: Templates
    ) -> tuple[int, Iterator[PdfSource]]:
        known_ids = {p.id for p in project.published}
        if unknown := sorted(set(ids) - known_ids):
            drafts = sorted(set(unknown) & {p.id for p in project.providers})
            said = f" ({', '.join(drafts)}: a draft, not published)" if drafts else ""
            raise UnknownSelection(f"no provider {', '.join(unknown)}{said}; the project has: "
                                   f"{', '.join(sorted(known_ids))}")  # fmt: skip
        if unknown := sorted(set(langs) - set(config.languages)):
            raise UnknownSelection(f"the project has no language {', '.join(unknown)}; it has: "
                                   f"{', '.join(config.languages)}")  # fmt: skip
        renderer = _published(project, config, templates)
        selected = (ids or None, langs or None)
        return renderer.pdf_count(*selected), renderer.pdf_sources(*selected)

    report, passed = through_gate(root, prepare, today=today, target=shown)
    result = BuildResult(report, shown, 0)
    if passed is None:
        return result
    (count, sources), templates = passed.prepared, passed.templates
    # Raised to the caller, one line, before anything is rendered (sources is lazy).
    for lang in langs or passed.config.languages:
        refuse_link(target / lang, shown / lang)
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
    except FAILURES as err:
        report.extend(failure_findings(err, shown, templates))
    if into_site and written:
        try:
            add_to_site(root / "site", written)
        except (WriteError, UnsafePath) as err:
            report.extend(failure_findings(err, root / "site", templates))
    return result


PREVIEW_DIR = "preview"


def _marks(project: Project) -> dict[str, Mark]:
    """Drafts, and every provider with findings still open, as a preview marks them."""
    marks = {}
    for p in project.providers:
        found = [f for f in project.findings_of(p.id) if f.severity is not Severity.NOTE]
        open_findings = tuple(
            f"{f.path}:{f.line}: {f.severity.value}[{f.code}] {f.message}"
            for f in found
            if f.code != MISSING_FACT_CODE
        )
        missing = tuple(
            f.message.removeprefix("missing fact: ") for f in found if f.code == MISSING_FACT_CODE
        )
        if p.is_draft or open_findings or missing:
            marks[p.id] = Mark(p.is_draft, open_findings, missing)
    return marks


def _within_bounds(project: Project) -> list[Provider]:
    """The providers a preview can render: not one whose files exceed a size bound (DG121).
    A build refuses those; a preview, which is not refused by findings, leaves them out
    (and says so), since their pages would take minutes to render, on every save."""
    over = {f.path for f in project.report.findings if f.code == "DG121"}
    left_out = [p.id for p in project.providers if over.intersection(project.files.get(p.id, ()))]
    if left_out:
        project.report.notes.append(
            f"left out of the preview, too large to render (DG121): {', '.join(left_out)}"
        )
    return [p for p in project.providers if p.id not in left_out]


def preview(
    root: Path | str = ".",
    out: Path | str | None = None,
    *,
    today: date | None = None,
) -> BuildResult:
    """Render every provider, drafts included (those in providers/drafts/ too), into `out`
    (default `<root>/preview`): the pages of a draft are marked as such and list its
    missing facts and open findings. HTML only. A provider over a size bound (DG121) is
    left out.

    Never into the site folder or a folder inside it, where a draft would be published:
    that raises UsageError;
    a folder dsgvo-gen did not make raises UnsafePath, like `build`.
    """
    root = Path(root)
    shown = Path(out) if out is not None else root / PREVIEW_DIR
    if shown.resolve().is_relative_to((root / "site").resolve()):
        raise UsageError(
            f"{shown} is the site or inside it; preview writes drafts, which are never published"
        )
    target = check_site_folder(shown, root)

    def prepare(project: Project, config: Config, templates: Templates) -> Renderer:
        return _renderer(project, config, templates, _within_bounds(project), _marks(project))

    report, passed = through_gate(
        root, prepare, today=today, refuse=False, target=shown, drafts=True
    )
    if passed is None:
        return BuildResult(report, shown, 0)
    try:
        with Staging(target) as stage:
            for relative, content in passed.prepared.iter_site():
                stage.write(relative, content)
            stage.commit()
    except FAILURES as err:
        report.extend(failure_findings(err, shown, passed.templates))
        return BuildResult(report, shown, 0)
    return BuildResult(report, shown, stage.files)
