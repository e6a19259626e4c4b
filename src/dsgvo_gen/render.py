"""Rendering: validated models -> HTML pages, in memory, with Jinja2 and markdown-it-py.

Nothing here touches the output folder (that is `writer.py`); rendering returns
a mapping from site-relative path to bytes, in a stable order, so identical
input gives identical output.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context

from dsgvo_gen.config import Config
from dsgvo_gen.i18n import Labels, labels
from dsgvo_gen.markup import markdown_block, markdown_inline
from dsgvo_gen.model import Provider, Text
from dsgvo_gen.reference import reference
from dsgvo_gen.resources import bundled_dir

ASSETS = ("style.css",)


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


def environment(templates: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates),
        autoescape=True,  # every template, whatever its name
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["t"] = _localize
    env.filters["md"] = markdown_block
    env.filters["mdi"] = markdown_inline
    return env


def _pages(providers: list[Provider]) -> Iterator[Page]:
    yield Page("overview.html", "index.html", {})
    yield Page("combined.html", "notice.html", {})
    for p in providers:
        yield Page("notice.html", f"providers/{p.id}.html", {"p": p})
        if p.consent is not None:
            yield Page("consent.html", f"consent/{p.id}.html", {"p": p})


def _relative(from_page: str) -> Callable[[str], str]:
    def rel(target: str) -> str:
        return posixpath.relpath(target, posixpath.dirname(from_page) or ".")

    return rel


def render_site(
    config: Config, providers: list[Provider], templates: Path | None = None
) -> dict[str, bytes]:
    """Every page of the site, as site-relative path -> bytes."""
    templates = templates or bundled_dir("templates")
    env = environment(templates)
    providers = sorted(providers, key=lambda p: p.id)
    catalogues: dict[str, Labels] = {lang: labels(templates, lang) for lang in config.languages}
    ref = reference()
    authority = ref.authorities[config.jurisdiction]

    def adequacy_decision(country: str) -> str:
        entry = ref.adequacy.get(country)
        return entry.decision if entry else ""

    shared = {
        "config": config,
        "providers": providers,
        "languages": config.languages,
        "catalogues": catalogues,
        "authority": authority,
        "adequacy_decision": adequacy_decision,
        "latest_review": max((p.reviewed_on for p in providers), default=None),
    }

    def render(page: Page, lang: str, path: str) -> bytes:
        template = env.get_template(page.template)
        return template.render(
            **shared, **page.values, lang=lang, L=catalogues[lang], page=page.path,
            path=path, rel=_relative(path),
        ).encode("utf-8")  # fmt: skip

    out: dict[str, bytes] = {}
    for lang in config.languages:
        for page in _pages(providers):
            out[f"{lang}/{page.path}"] = render(page, lang, f"{lang}/{page.path}")
    out["index.html"] = render(
        Page("landing.html", "index.html", {}), config.default_language, "index.html"
    )
    for asset in ASSETS:
        out[f"assets/{asset}"] = (templates / "assets" / asset).read_bytes()
    return dict(sorted(out.items()))
