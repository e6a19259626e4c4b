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
            assert art_13_missing(plain_text(html), shipped.config, p, lang, page=False) == [], (
                lang,
                p.id,
            )


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
        assert art_13_missing(text, shipped.config, p, lang, page=False) == [], p.id
        assert tab.locator(f"#dg-{p.id}-controller .dg-address").first.is_visible()
        wide = tab.evaluate(f"document.querySelector('#dg-{p.id}').scrollWidth")
        assert wide <= 390, p.id  # nothing runs off a phone screen
    serious = serious_violations(tab)
    context.close()
    assert serious == []


#: A WordPress theme as GeneratePress writes it: its colours are custom properties on
#: :root, and its buttons and links use them.
THEME_CSS = """
:root { --contrast: #222222; --base: #f0f0f0; --accent: #1e73be; --accent-soft: #dbe9f6; }
body { font: 17px/1.7 Georgia, serif; color: var(--contrast); background: var(--base); }
a, .main-navigation a { color: var(--accent); }
.button { background-color: var(--accent); color: #fff; border: 2px solid var(--accent-soft); }
"""
HOST_ELEMENTS = """() => [...document.querySelectorAll('body, nav a, .button, main > p a, h1')]
    .map(e => { const s = getComputedStyle(e);
                return [e.tagName, s.color, s.backgroundColor, s.borderColor].join('|'); })"""


def test_embed_css_with_an_accent_colour_leaves_the_host_themes_colours(
    project: Path, browser: Browser
) -> None:
    """embed.css with site.accent_color pasted after a theme that uses --accent itself
    (as WordPress's Additional CSS is): the theme's buttons and links keep its colours, and
    only the fragment takes the accent colour."""
    from tests.test_branding import configure

    configure(project, accent_color="#b0161e")
    assert build(project, today=TODAY, pdf=False).written
    site = project / "site"
    embed_css = (site / "assets" / "embed.css").read_text()
    fragment = (site / "de" / "embed" / "full-video.html").read_text()

    def page(extra_css: str) -> str:
        return (
            '<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Host</title>'
            f"<style>{THEME_CSS}</style><style>{extra_css}</style></head><body>"
            '<nav class="main-navigation"><a href="/">Start</a> <a href="/kontakt">Kontakt</a>'
            '</nav><main><h1>Datenschutz</h1><p><a class="button" href="/termin">Termin '
            'buchen</a> <a href="tel:+49">Anrufen</a></p>'
            f"{fragment}</main></body></html>"
        )

    context = browser.new_context(bypass_csp=True)
    tab = context.new_page()
    tab.set_content(page(""))
    theme_alone = tab.evaluate(HOST_ELEMENTS)
    tab.set_content(page(embed_css))
    with_embed_css = tab.evaluate(HOST_ELEMENTS)
    link = "document.querySelector('#dg-full-video a[href^=\"http\"]')"
    fragment_link = tab.evaluate(f"getComputedStyle({link}).color")
    context.close()
    assert with_embed_css == theme_alone
    assert any("rgb(30, 115, 190)" in probe for probe in theme_alone)  # the theme's blue
    assert fragment_link == "rgb(176, 22, 30)"  # #b0161e, inside the fragment only
    css = re.sub(r"/\*.*?\*/", "", embed_css, flags=re.DOTALL)
    assert ":root" not in css and "--accent:" not in css


#: A typical WordPress theme on a phone: a 17 px serif and 20 px of padding.
PHONE_THEME = """
body { font: 17px/1.7 Georgia, "DejaVu Serif", serif; margin: 0; color: #222; }
.site-content { padding: 20px; max-width: 1200px; margin: 0 auto; }
"""


@pytest.mark.parametrize("with_embed_css", [True, False], ids=["embed.css", "theme-only"])
def test_no_fragment_runs_off_a_390_px_phone_inside_a_theme(
    shipped: Project, site: Path, browser: Browser, with_embed_css: bool
) -> None:
    """Neither the features nor a bare URL (Zoom's privacy statement, the DPF list) may
    push the host page sideways; without embed.css only the HTML itself can prevent it."""
    css = (site / "assets" / "embed.css").read_text() if with_embed_css else ""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    tab = context.new_page()
    wide = []
    for path in fragments(site):
        lang = path.parent.parent.name
        tab.set_content(
            f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Host'
            f"</title><style>{PHONE_THEME}</style><style>{css}</style></head><body>"
            f'<div class="site-content"><h1>Datenschutz</h1>{path.read_text()}</div>'
            "</body></html>"
        )
        width = tab.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide.append((f"{lang}/{path.name}", width))
    context.close()
    assert wide == []


def test_with_base_url_every_link_of_a_fragment_is_absolute_and_works_once_uploaded(
    project: Path, tmp_path: Path
) -> None:
    """The README says: upload site/ to the address of site.base_url. Done so (a web
    server serves the built site under /datenschutz/), every link of every fragment,
    pasted into a page elsewhere, leads to its PDF or page; none is relative to the host."""
    import shutil
    import threading
    import urllib.request
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    www = tmp_path / "www"
    www.mkdir()
    handler = partial(SimpleHTTPRequestHandler, directory=str(www))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}/datenschutz/"
        config = project / "dsgvo-gen.yaml"
        config.write_text(config.read_text().replace("  base_url: null\n", f"  base_url: {base}\n"))
        assert build(project, today=TODAY).written
        shutil.copytree(project / "site", www / "datenschutz")  # the upload
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            checked = 0
            for path in fragments(project / "site"):
                tags = _Tags()
                tags.feed(path.read_text())
                for tag, attrs in tags.tags:
                    href = attrs.get("href") if tag == "a" else None
                    if href is None:
                        continue
                    assert href.startswith(("https://", "http://", "mailto:")), (path, href)
                    if href.startswith(base):
                        with urllib.request.urlopen(href, timeout=30) as answer:
                            body = answer.read()
                        kind = attrs.get("type")
                        assert body.startswith(b"%PDF" if kind == "application/pdf" else b"<")
                        checked += 1
        finally:
            server.shutdown()
    # de and en: the notice's PDF, consent form and history page, the consent form's PDF and
    # notice
    assert checked == 10
