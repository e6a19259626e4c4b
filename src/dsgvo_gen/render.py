"""Rendering: validated models -> HTML pages, in memory, with Jinja2 and markdown-it-py.

Nothing here touches the output folder (that is `writer.py`); rendering yields
site-relative paths and bytes, in a stable order, so identical input gives
identical output. Templates and assets are read only as regular files inside the
templates folder (`paths`); a project's own templates run in Jinja2's sandbox,
where they cannot reach Python's internals; every page is bounded in size (`limits`).
"""

from __future__ import annotations

import os
import posixpath
import traceback
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    StrictUndefined,
    TemplateError,
    TemplateRuntimeError,
    meta,
    pass_context,
)
from jinja2.loaders import split_template_path
from jinja2.runtime import Context

from dsgvo_gen import __version__
from dsgvo_gen.branding import Logo, brand_css, fragment_brand_css
from dsgvo_gen.config import Config
from dsgvo_gen.evidence import DPF_MECHANISMS, DpfEvidence, dpf_evidence
from dsgvo_gen.i18n import LabelError, labels
from dsgvo_gen.limits import (
    MAX_ASSET_BYTES,
    MAX_PAGE_BYTES,
    OutputTooLarge,
    combined_inline,
    mebibytes,
)
from dsgvo_gen.markup import breakable_url, markdown_block, markdown_inline
from dsgvo_gen.model import Provider, Text, Transfer
from dsgvo_gen.paths import UnsafePath, read_regular_file_inside
from dsgvo_gen.reference import Reference
from dsgvo_gen.resources import Templates, bundled_dir
from dsgvo_gen.sandbox import MAX_TEMPLATE_MEMORY, BoundedSandbox, memory_bound
from dsgvo_gen.snapshot import describe
from dsgvo_gen.versions import PLACEHOLDER, document_text, version_id

if TYPE_CHECKING:
    from dsgvo_gen.recorder import Recorder, Row

ASSETS = ("style.css", "screen.css", "embed.css")
#: The document (kind) each page of a provider shows, whose version identifier it carries.
DOCUMENT_OF = {"notice.html": "notice", "consent.html": "consent", "embed.html": "notice",
               "embed-consent.html": "consent"}  # fmt: skip
#: Called once per document version a render computes: (provider, kind, lang, version, text).
VersionSeen = Callable[["Provider", str, str, str, str], None]
BRAND_CSS = "assets/brand.css"


def read_asset(templates: Templates, relative: str) -> bytes:
    """An asset's bytes: the project's own file where it has one, else the bundled one;
    a regular file reached without a link, at most 5 MiB (it is published as it is).
    Raises UnsafePath otherwise."""
    path = templates.find(relative)
    layer = next(folder for folder in templates.dirs if path.is_relative_to(folder))
    return read_regular_file_inside(layer, relative, limit=MAX_ASSET_BYTES)


def _sources(templates: Templates, name: str, found: dict[Path, str]) -> dict[Path, str]:
    """The source of `name` and of every template it extends, includes or imports, by
    path, in order; read like any template, each once; unreadable ones are left out."""
    path = templates.find(name)
    layer = next((folder for folder in templates.dirs if path.is_relative_to(folder)), None)
    if path in found or layer is None:
        return found
    try:
        found[path] = read_regular_file_inside(layer, name, limit=MAX_PAGE_BYTES).decode()
        used = meta.find_referenced_templates(Environment(autoescape=True).parse(found[path]))
    except (OSError, UnsafePath, UnicodeDecodeError, TemplateError):
        return found
    for other in used:
        if other is not None:  # a name computed at render time cannot be followed
            _sources(templates, other, found)
    return found


def asked_in(templates: Templates, template: str, url: str | None) -> tuple[Path, int]:
    """Where the templates a document renders with ask for `url`: the file and line that
    name it (the project's own files first), else the first of the project's own files
    the document uses, else `template` itself. A place to look, found by its text."""
    sources = _sources(templates, template, {})
    own = [path for path in sources if templates.own and path.is_relative_to(templates.own)]
    if url:
        tail = unquote(urlsplit(url).path).rpartition("/")[2]
        for path in own + [path for path in sources if path not in own]:
            for number, line in enumerate(sources[path].splitlines(), 1):
                if url in line or (tail and tail in line):
                    return path, number
    return (own or [templates.find(template)])[0], 1


@dataclass(frozen=True)
class Page:
    """One page to render: its template, its path below `<lang>/` and its variables."""

    template: str
    path: str
    values: dict[str, Any]


@pass_context
def _localize(ctx: Context, text: Text | str | None) -> str:
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    return text.get(ctx["lang"])


class _TemplateLoader(BaseLoader):
    """Templates as regular files inside the folder; a link anywhere raises UnsafePath."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        relative = "/".join(split_template_path(template))  # refuses '..'
        try:
            raw = read_regular_file_inside(self.folder, relative, limit=MAX_PAGE_BYTES)
        except FileNotFoundError:
            from jinja2 import TemplateNotFound

            raise TemplateNotFound(template) from None
        try:
            source = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise TemplateError(f"{relative} is not UTF-8; save it as UTF-8") from None
        # An environment lives for one build, so a loaded template never needs reloading.
        return source, str(self.folder / relative), lambda: True


def _bounded(chunks: Iterator[str], too_large: OutputTooLarge) -> bytes:
    """The page a template writes, stopped as soon as it outgrows a page: a loop that
    writes for hours ends within a second."""
    written: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_PAGE_BYTES:
            raise too_large
        written.append(chunk)
    return "".join(written).encode("utf-8")


def environment(templates: Templates, *, sandboxed: bool = False) -> Environment:
    env = (BoundedSandbox if sandboxed else Environment)(
        # The project's own templates first, the bundled ones for everything it leaves out;
        # a link in the project's folder is refused, not replaced by the bundled file.
        loader=ChoiceLoader([_TemplateLoader(folder) for folder in templates.dirs]),
        autoescape=True,  # every template, whatever its name
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["t"] = _localize
    env.filters["md"] = markdown_block
    env.filters["mdi"] = markdown_inline
    env.filters["url"] = breakable_url
    return env


def _pages(providers: list[Provider]) -> Iterator[Page]:
    yield Page("overview.html", "index.html", {})
    yield Page("combined.html", "notice.html", {"inline_notices": combined_inline(providers)})
    for p in providers:
        yield Page("notice.html", f"providers/{p.id}.html", {"p": p})
        if p.consent is not None:
            yield Page("consent.html", f"consent/{p.id}.html", {"p": p})
        yield Page("history.html", f"history/{p.id}.html", {"p": p})


def _fragments(providers: list[Provider]) -> Iterator[Page]:
    """The notices and consent forms as fragments to paste into another website."""
    for p in providers:
        yield Page("embed.html", f"embed/{p.id}.html", {"p": p})
        if p.consent is not None:
            yield Page("embed-consent.html", f"embed/{p.id}-consent.html", {"p": p})


def _relative(from_page: str) -> Callable[[str], str]:
    def rel(target: str) -> str:
        return posixpath.relpath(target, posixpath.dirname(from_page) or ".")

    return rel


def document_date(reviewed_on: date) -> str:
    """The date a PDF states as created and modified: SOURCE_DATE_EPOCH where set
    (reproducible-builds.org), else the review date, so the bytes never depend on the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        moment = datetime.fromtimestamp(min(int(epoch), 253402300799), tz=UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    return reviewed_on.isoformat()


def pdf_path(lang: str, provider_id: str, kind: str) -> str:
    """Where a provider's PDF lives in the site (DESIGN §8), e.g. `pdf/de/zoom-notice.pdf`."""
    return f"pdf/{lang}/{provider_id}-{kind}.pdf"


class TemplateMemoryError(TemplateRuntimeError):
    """A project's template failed where its traceback cannot be kept (it would hold on to
    the memory it ran out of): `where` is the template file and line, if known."""

    def __init__(self, message: str, where: tuple[Path, int] | None) -> None:
        super().__init__(message)
        self.where = where


@dataclass(frozen=True)
class Mark:
    """How a preview marks a provider's pages: a draft, and the findings still open."""

    draft: bool
    findings: tuple[str, ...]
    #: A draft entry's missing facts, each with where to look it up: the gaps the
    #: preview shows first, apart from the other findings.
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class PdfSource:
    """The print HTML of one PDF: the site page's template, rendered for paper."""

    path: str  # site-relative output path, e.g. pdf/de/zoom-notice.pdf
    page: str  # the site page it mirrors; relative URLs resolve against it
    lang: str
    provider: str
    kind: str  # "notice" or "consent"
    html: bytes


class Renderer:
    """Renders pages of one project; the Jinja2 environment is built once and reused.

    Templates other than the bundled ones (a project's own) run in the sandbox.
    """

    def __init__(
        self,
        config: Config,
        providers: list[Provider],
        templates: Templates | Path | None,
        reference: Reference,
        *,
        logo: Logo | None = None,
        marks: dict[str, Mark] | None = None,
        history: Recorder | None = None,
    ) -> None:
        """`marks` (for a preview) marks the pages of drafts and lists open findings;
        `history` is the record the history pages show (and a build adds to)."""
        self.config = config
        if templates is None:
            templates = Templates.bundled()
        elif isinstance(templates, Path):
            templates = Templates((templates,))
        self.templates = templates
        self.logo = logo
        bundled = bundled_dir("templates").resolve()
        self.sandboxed = any(folder.resolve() != bundled for folder in templates.dirs)
        self.env = environment(self.templates, sandboxed=self.sandboxed)
        self.providers = sorted(providers, key=lambda p: p.id)
        self.catalogues = {lang: labels(self.templates, lang) for lang in config.languages}
        ref = reference

        def adequacy_decision(country: str, lang: str = "en") -> str:
            entry = ref.adequacy.get(country)
            return entry.title(lang) if entry else ""

        def transfer_evidence(p: Provider, t: Transfer) -> DpfEvidence | None:
            return dpf_evidence(t, p.sources) if t.mechanism in DPF_MECHANISMS else None

        #: The version identifier of each document, by (provider id, kind, language).
        self.versions: dict[tuple[str, str, str], str] = {}
        if history is None:  # rendered in memory only (template_check): an empty record
            from dsgvo_gen.history import History
            from dsgvo_gen.recorder import Recorder

            history = Recorder(History(Path()), date.today(), pdf=False)
        self.history = history
        self.on_version: VersionSeen | None = history.seen
        self.shared: dict[str, Any] = {
            "config": config,
            "providers": self.providers,
            "languages": config.languages,
            "catalogues": self.catalogues,
            "authority": ref.authorities[config.jurisdiction],
            "adequacy_decision": adequacy_decision,
            "dpf_evidence": transfer_evidence,
            "latest_review": max((p.reviewed_on for p in self.providers), default=None),
            "pdf_path": pdf_path,
            "version": __version__,
            "logo": logo.site_path if logo else None,
            "brand_css": BRAND_CSS if config.accent_color else None,
            "brand_style": brand_css(config.accent_color) if config.accent_color else "",
            "marks": marks or {},
            "doc_version": "",  # the version of the document a page shows, where it shows one
            # A consent form names the version of the notice it refers to (Art. 7(1)).
            "version_of": self.version_of,
            "history_rows": self.history_rows,
            "describe_change": describe,
        }

    def _site_url(self, rel: Callable[[str], str], medium: str) -> Callable[[str], str]:
        """Links to other site pages: relative on screen; on paper and in fragments for other
        websites absolute (with site.base_url) or none."""
        if medium == "screen":
            return rel
        base = self.config.base_url
        return (lambda target: base.rstrip("/") + "/" + target) if base else (lambda _: "")

    def render(self, page: Page, lang: str, path: str, **values: Any) -> bytes:
        template = self.env.get_template(page.template)
        rel = _relative(path)
        medium = values.pop("medium", "screen")
        too_large = OutputTooLarge(
            f"the page {path} ({medium}) is larger than the {mebibytes(MAX_PAGE_BYTES)} a "
            "page may have; shorten the texts or templates"
        )
        variables = {
            **self.shared, **page.values, **values, "lang": lang, "L": self.catalogues[lang],
            "page": page.path, "path": path, "rel": rel, "medium": medium,
            "site_url": self._site_url(rel, medium),
        }  # fmt: skip
        try:
            if not self.sandboxed:
                html = template.render(variables).encode("utf-8")
            else:  # a project's template: bounded in memory, and in output as it is written
                with memory_bound():
                    html = _bounded(template.generate(variables), too_large)
        except (TemplateError, LabelError, UnsafePath, OutputTooLarge):
            raise
        except Exception as err:
            if not self.sandboxed:  # the bundled templates are ours: a bug to see, not a finding
                raise
            # `{{ 1 // 0 }}` in a project's own template is for its author to fix.
            if isinstance(err, MemoryError):  # its traceback would hold on to the memory
                where = self.templates.line_of(err)
                traceback.clear_frames(err.__traceback__)
                raise TemplateMemoryError(
                    f"the template needs more than {mebibytes(MAX_TEMPLATE_MEMORY)} of memory "
                    f"(rendering {page.template})", where,
                ) from None  # fmt: skip
            # Chained, so that the finding can name the template line it failed at.
            problem = ": ".join(part for part in (type(err).__name__, str(err)) if part)
            raise TemplateRuntimeError(f"{page.template}: {problem}") from err
        if len(html) > MAX_PAGE_BYTES:
            raise too_large
        return html

    def iter_site(self, *, pdf_links: bool = False) -> Iterator[tuple[str, bytes]]:
        """Every page of the site, one at a time, as (site-relative path, bytes)."""
        for lang in self.config.languages:
            for page in _pages(self.providers):
                path = f"{lang}/{page.path}"
                version = self._version_values(page, lang)
                yield path, self.render(page, lang, path, pdf_links=pdf_links, **version)
            for page in _fragments(self.providers):
                path = f"{lang}/{page.path}"
                version = self._version_values(page, lang)
                yield (
                    path,
                    self.render(page, lang, path, pdf_links=pdf_links, medium="embed", **version),
                )
        landing = Page("landing.html", "index.html", {})
        yield (
            "index.html",
            self.render(landing, self.config.default_language, "index.html", pdf_links=pdf_links),
        )
        yield from self.assets()

    def assets(self) -> Iterator[tuple[str, bytes]]:
        """The stylesheets (the project's own where it has them), the logo, the brand colour."""
        accent = self.config.accent_color
        for asset in ASSETS:
            content = read_asset(self.templates, f"assets/{asset}")
            if asset == "embed.css" and accent:  # pasted alone, it must carry the colour too
                content += b"\n" + fragment_brand_css(accent).encode()
            yield f"assets/{asset}", content
        if accent:
            yield BRAND_CSS, brand_css(accent).encode()
        if self.logo is not None:
            yield self.logo.site_path, self.logo.content

    def _pdf_pages(
        self, ids: Collection[str] | None, langs: Collection[str] | None
    ) -> Iterator[tuple[str, Page, Provider]]:
        for lang in self.config.languages:
            if langs is not None and lang not in langs:
                continue
            for page in _pages(self.providers):
                p = page.values.get("p")
                printed = page.template in ("notice.html", "consent.html")
                if p is not None and printed and (ids is None or p.id in ids):
                    yield lang, page, p

    def pdf_count(
        self, ids: Collection[str] | None = None, langs: Collection[str] | None = None
    ) -> int:
        return sum(1 for _ in self._pdf_pages(ids, langs))

    def pdf_sources(
        self, ids: Collection[str] | None = None, langs: Collection[str] | None = None
    ) -> Iterator[PdfSource]:
        """The print HTML of every notice and consent form (or of the given ids and languages).

        Lazily, one document at a time: a thousand providers' print HTML would otherwise
        sit in memory while the workers are busy.
        """
        for lang, page, p in self._pdf_pages(ids, langs):
            kind = DOCUMENT_OF[page.template]
            _, html = self.print_document(p, kind, lang)
            path = f"{lang}/{page.path}"
            yield PdfSource(pdf_path(lang, p.id, kind), path, lang, p.id, kind, html)

    def print_document(self, p: Provider, kind: str, lang: str) -> tuple[str, bytes]:
        """The version identifier and the print HTML of one document (`notice`/`consent`).

        Rendered once with a placeholder where the identifier goes; the identifier is
        made from the text (`versions`), then put in the placeholder's place.
        """
        page = Page(f"{kind}.html", f"{'providers' if kind == 'notice' else 'consent'}/{p.id}.html",
                    {"p": p})  # fmt: skip
        path = f"{lang}/{page.path}"
        html = self.render(
            page, lang, path, medium="print", pdf_links=False,
            document_date=document_date(p.reviewed_on), doc_version=PLACEHOLDER,
        )  # fmt: skip
        text = document_text(html)
        version = version_id(p.reviewed_on, text)
        key = (p.id, kind, lang)
        if key not in self.versions:
            self.versions[key] = version
            if self.on_version is not None:
                self.on_version(p, kind, lang, version, text)
        return version, html.replace(PLACEHOLDER.encode(), version.encode())

    def version_of(self, p: Provider, kind: str, lang: str) -> str:
        """The version identifier of one document, computed once per build."""
        known = self.versions.get((p.id, kind, lang))
        return known if known is not None else self.print_document(p, kind, lang)[0]

    def history_rows(self, p: Provider, kind: str, lang: str) -> list[Row]:
        """The versions of one document, newest first, the current one included."""
        self.version_of(p, kind, lang)
        return self.history.rows(p.id, kind, lang)

    def _version_values(self, page: Page, lang: str) -> dict[str, str]:
        p, kind = page.values.get("p"), DOCUMENT_OF.get(page.template)
        return {"doc_version": self.version_of(p, kind, lang)} if p and kind else {}
