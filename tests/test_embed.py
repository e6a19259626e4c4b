"""The fragments for other websites (site/<lang>/embed/): valid inside a foreign page.

Each shipped notice's fragment keeps every Art. 13 element, parses as HTML5 without
a single parse error, uses only dg- classes and ids, and, pasted into a page with
a stylesheet of its own, renders in Chromium with the notice visible and no serious
axe-core violation; embed.css changes nothing outside the fragment.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import html5lib
import pytest
from playwright.sync_api import Browser

from dsgvo_gen.builder import build
from dsgvo_gen.checker import Project, check_project
from tests.browsing import serious_violations
from tests.conftest import ROOT, TODAY
from tests.test_build import art_13_missing, plain_text

#: What a fragment may not bring into someone else's page.
FOREIGN = {"html", "head", "body", "title", "meta", "link", "style", "script", "base"}
VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "col", "source"}
#: A host page's own stylesheet, with class names any theme might use for itself: they
#: must not hide or restyle the fragment, which uses only dg- classes.
HOST_CSS = """
body { font-family: Georgia, serif; background: #fdfaf3; color: #222; margin: 0 2rem; }
.address, .entries, .notice-part, .objection, .stand, .muted, .consent-form { display: none; }
h2 { font-size: 2.4rem; } table { width: 40%; } a { color: #8b0000; }
"""


@pytest.fixture(scope="module")
def shipped() -> Project:
    return check_project(ROOT, today=TODAY)


@pytest.fixture(scope="module")
def site(shipped: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("embed") / "site"
    assert build(ROOT, out, today=TODAY, pdf=False).written
    return out


def fragments(site: Path) -> list[Path]:
    return sorted((site / "de" / "embed").glob("*.html")) + sorted(
        (site / "en" / "embed").glob("*.html")
    )


def test_every_notice_and_consent_form_has_a_fragment(shipped: Project, site: Path) -> None:
    assert shipped.config is not None
    for lang in shipped.config.languages:
        made = {p.name for p in (site / lang / "embed").iterdir()}
        expected = {f"{p.id}.html" for p in shipped.providers}
        expected |= {f"{p.id}-consent.html" for p in shipped.providers if p.consent}
        assert made == expected
    assert (site / "assets" / "embed.css").is_file()


def test_a_fragment_keeps_every_art_13_element(shipped: Project, site: Path) -> None:
    assert shipped.config is not None
    for lang in shipped.config.languages:
        for p in shipped.providers:
            html = (site / lang / "embed" / f"{p.id}.html").read_text()
            assert art_13_missing(plain_text(html), shipped.config, p, lang) == [], (lang, p.id)


class _Tags(HTMLParser):
    """Every start tag with its attributes, and whether the end tags balance."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.unbalanced: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.unbalanced.append(tag)


def test_a_fragment_is_valid_html_with_prefixed_classes_and_ids(site: Path) -> None:
    strict = html5lib.HTMLParser(strict=True)
    for path in fragments(site):
        html = path.read_text()
        strict.parseFragment(html, container="div")  # raises on any HTML5 parse error
        tags = _Tags()
        tags.feed(html)
        tags.close()
        assert tags.unbalanced == [] and tags.open == [], path
        names = {tag for tag, _ in tags.tags}
        assert not names & FOREIGN, (path, names & FOREIGN)
        for tag, attrs in tags.tags:
            for name in (attrs.get("class") or "").split():
                assert name.startswith("dg-"), (path, tag, name)
            for key in ("id", "for"):
                assert (attrs.get(key) or "dg-").startswith("dg-"), (path, tag, attrs)
            assert not any(a.startswith("on") or a == "style" for a in attrs), (path, attrs)


def test_embed_css_styles_only_dg_classes() -> None:
    css = (ROOT / "templates" / "assets" / "embed.css").read_text()
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    for rule in re.findall(r"([^{}]+)\{[^{}]*\}", css):
        for selector in rule.split(","):
            assert selector.strip().startswith(".dg-"), selector


def host_page(fragment_html: str, embed_css: str | None, lang: str) -> str:
    css = f"<style>{HOST_CSS}</style>" + (f"<style>{embed_css}</style>" if embed_css else "")
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Host</title>'
        f'{css}</head><body><header><p class="address">Host Ltd, Host Street 1</p></header>'
        f"<main><h1>Our privacy page</h1>{fragment_html}</main>"
        '<footer><table><tr><td class="muted">host footer</td></tr></table></footer>'
        "</body></html>"
    )


@pytest.mark.parametrize("lang", ["de", "en"])
def test_fragments_render_inside_a_foreign_page(
    shipped: Project, site: Path, browser: Browser, lang: str
) -> None:
    """All of one language's fragments in one host page: they coexist (unique ids), each
    notice is visible with every Art. 13 element, axe-core finds nothing serious, and
    embed.css leaves the host's own elements exactly as they were."""
    assert shipped.config is not None
    embed_css = (site / "assets" / "embed.css").read_text()
    body = "".join(path.read_text() for path in sorted((site / lang / "embed").glob("*.html")))
    context = browser.new_context(bypass_csp=True)
    tab = context.new_page()
    tab.set_viewport_size({"width": 390, "height": 844})
    probe = """() => [...document.querySelectorAll('header *, footer *, h1')].map(e => {
        const s = getComputedStyle(e);
        return [e.tagName, s.display, s.color, s.fontSize, s.fontFamily, s.margin].join('|');
    })"""
    tab.set_content(host_page(body, None, lang))
    host_alone = tab.evaluate(probe)
    tab.set_content(host_page(body, embed_css, lang))
    assert tab.evaluate(probe) == host_alone  # embed.css reaches nothing of the host
    for p in shipped.providers:
        notice = tab.locator(f"#dg-{p.id}")
        assert notice.is_visible()
        assert notice.get_attribute("lang") == lang
        text = re.sub(r"\s+", " ", notice.inner_text())
        assert art_13_missing(text, shipped.config, p, lang) == [], p.id
        assert tab.locator(f"#dg-{p.id}-controller .dg-address").first.is_visible()
        wide = tab.evaluate(f"document.querySelector('#dg-{p.id}').scrollWidth")
        assert wide <= 390, p.id  # nothing runs off a phone screen
    serious = serious_violations(tab)
    context.close()
    assert serious == []
