"""The built site in a real browser: Debian's Chromium, driven by Playwright.

The site is served on 127.0.0.1; every request the pages make is recorded and
must stay there. The browser and axe-core: tests/browsing.py.
"""

from __future__ import annotations

import io
import re
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, Request, ViewportSize
from pypdf import PdfReader

from dsgvo_gen.builder import build
from tests.browsing import serious_violations
from tests.conftest import DATA, FIXTURE_PROJECT, ROOT, TODAY

ARTIFACTS = ROOT / "test-artifacts"
HOSTILE = {
    "text: {de: Videoberatung, en: Video counselling}": (
        "text: {de: '<script>window.pwned=1</script> <img src=x onerror=\"window.pwned=2\">',"
        " en: '[klick](javascript:window.pwned=3)'}"
    ),
    "      text: {de: Ratsuchende, en: Clients seeking counselling}": (
        "      text: {de: '<svg onload=window.pwned=4>',"
        " en: '<a href=\"javascript:window.pwned=5\">x</a>'}"
    ),
}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("served")


@pytest.fixture(scope="module")
def site(served: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The shipped project's site plus a hostile fixture project's site, on one server."""
    root = served
    assert build(ROOT, root / "shipped", today=TODAY, cache=False).written  # with PDFs
    hostile = tmp_path_factory.mktemp("hostile")
    shutil.copy(FIXTURE_PROJECT / "dsgvo-gen.yaml", hostile / "dsgvo-gen.yaml")
    (hostile / "providers").mkdir()
    text = (DATA / "providers" / "valid" / "full-video.yaml").read_text()
    for old, new in HOSTILE.items():
        assert old in text
        text = text.replace(old, new)
    (hostile / "providers" / "full-video.yaml").write_text(text)
    assert build(hostile, root / "hostile", today=TODAY, pdf=False).written
    fixture = tmp_path_factory.mktemp("fixture")
    shutil.copy(FIXTURE_PROJECT / "dsgvo-gen.yaml", fixture / "dsgvo-gen.yaml")
    (fixture / "providers").mkdir()
    shutil.copy(DATA / "providers" / "valid" / "full-video.yaml", fixture / "providers")
    assert build(fixture, root / "fixture", today=TODAY, pdf=False).written
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(bypass_csp=False)
    yield context.new_page()
    context.close()


@pytest.fixture
def requested(page: Page) -> list[str]:
    """Every URL the page requests from now on."""
    urls: list[str] = []

    def remember(request: Request) -> None:
        urls.append(request.url)

    page.on("request", remember)
    return urls


def internal_links(page: Page) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    return [h.split("#")[0] for h in hrefs if h.startswith(page.url.split("/shipped/")[0])]


def test_every_page_and_link_works_and_nothing_leaves_localhost(
    site: str, served: Path, page: Page, requested: list[str]
) -> None:
    start = f"{site}/shipped/index.html"
    seen: set[str] = set()
    queue = [start]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        if url.endswith(".pdf"):  # a download, not a page: the link must lead to a PDF
            pdf = page.request.get(url)
            assert pdf.status == 200 and pdf.body().startswith(b"%PDF-"), url
            continue
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        assert page.evaluate("document.documentElement.lang") in ("de", "en"), url
        # An icon of its own, or the browser asks the web server for /favicon.ico (a 404).
        assert page.locator('link[rel="icon"]').count() == 1, url
        queue.extend(link for link in internal_links(page) if link not in seen)
    pages = {
        f"{site}/{p.relative_to(served).as_posix()}"
        for pattern in ("*.html", "*.pdf")
        for p in (served / "shipped").rglob(pattern)
        if p.parent.name != "embed"  # fragments for other websites: tests/test_embed.py
    }
    assert seen == pages  # every page is reachable by links, and no link is broken
    hosts = {urlparse(u).hostname for u in requested}
    assert hosts == {"127.0.0.1"}


def test_language_switch_leads_to_the_same_page(site: str, page: Page) -> None:
    page.goto(f"{site}/shipped/de/providers/zoom.html")
    assert page.evaluate("document.documentElement.lang") == "de"
    page.click(".lang-switch a[hreflang=en]")
    assert page.url == f"{site}/shipped/en/providers/zoom.html"
    assert page.evaluate("document.documentElement.lang") == "en"
    page.click(".lang-switch a[hreflang=de]")
    assert page.url.endswith("/de/providers/zoom.html")


def test_hostile_descriptor_runs_nothing(site: str, page: Page) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    for lang in ("de", "en"):
        for path in ("providers/full-video.html", "consent/full-video.html", "notice.html"):
            page.goto(f"{site}/hostile/{lang}/{path}")
            assert page.evaluate("window.pwned") is None, path
            for link in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
                assert not link.lower().startswith("javascript:"), link
            if path != "consent/full-video.html":  # the payload fields appear in notices only
                assert page.locator("text=window.pwned").count() >= 1  # shown as text
    assert dialogs == []


@pytest.mark.parametrize(
    "path",
    ["index.html", "de/index.html", "en/index.html", "de/providers/teamviewer-quicksupport.html",
     "en/providers/zoom.html", "de/notice.html"],
)  # fmt: skip
def test_no_serious_accessibility_violations(site: str, browser: Browser, path: str) -> None:
    # axe-core is injected as a script, which the site's own CSP rightly forbids.
    context = browser.new_context(bypass_csp=True)
    tab = context.new_page()
    tab.goto(f"{site}/shipped/{path}")
    serious = serious_violations(tab)
    context.close()
    assert serious == []


@pytest.mark.parametrize("lang", ["de", "en"])
def test_consent_form_prints_on_one_a4_page(site: str, page: Page, lang: str) -> None:
    page.goto(f"{site}/fixture/{lang}/consent/full-video.html")
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    assert len(pdf.pages) == 1
    signature = {"de": "Unterschrift", "en": "Signature"}[lang]
    assert signature in pdf.pages[0].extract_text()  # the signature line made it onto the page


def test_screenshots_for_review(site: str, page: Page) -> None:
    """Overview and a notice as pictures in test-artifacts/, to look at after a run."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    for path, name in [("de/index.html", "overview-de"), ("de/providers/zoom.html", "notice-de")]:
        page.goto(f"{site}/shipped/{path}")
        target = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000


PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.mark.parametrize(
    "path",
    ["de/providers/teamviewer-quicksupport.html", "de/providers/windows-remote-desktop.html",
     "de/index.html", "de/notice.html", "en/providers/jitsi-self-hosted.html", "index.html"],
)  # fmt: skip
def test_nothing_runs_off_a_phone_screen(site: str, page: Page, path: str) -> None:
    """The H1 ("Datenschutzinformation: TeamViewer QuickSupport") once ran off a 390 px
    screen; now it breaks, and no other part of a page makes it scroll sideways."""
    page.set_viewport_size(PHONE)
    page.goto(f"{site}/shipped/{path}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = page.locator("h1").bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate(
        "[...document.querySelectorAll('h1, h2, h3')].every(e => e.scrollWidth <= e.clientWidth)"
    )


def test_the_comparison_table_shows_that_it_scrolls(site: str, page: Page) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{site}/shipped/de/index.html")
    box = page.locator(".scroll")
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")  # more columns than fit...
    assert page.locator(".scroll-hint").is_visible()  # ...and the page says so
    assert "gradient" in box.evaluate("e => getComputedStyle(e).backgroundImage")  # edge shadow
    criterion = page.locator("table.compare tbody th[scope=row]").first
    before = criterion.bounding_box()
    box.evaluate("e => { e.scrollLeft = 300; }")
    after = criterion.bounding_box()
    assert before is not None and after is not None and after["x"] == before["x"]  # it stays
    page.set_viewport_size({"width": 1280, "height": 900})
    assert not page.locator(".scroll-hint").is_visible()


#: Where an element's lines break: for each break, the space, hyphen or soft hyphen it
#: breaks at, or "" inside a word. (Chromium gives the letter after a soft hyphen the box
#: of the hyphen it draws, so that letter is not measured.)
BREAKS = """e => {
    const found = [], walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
    let top = null, at = '', skip = false;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (let i = 0; i < node.length; i++) {
            const c = node.data[i], soft = c === '\\u00ad';
            if (soft || c === '-' || !c.trim()) { at = c; skip = soft; continue; }
            if (skip) { skip = false; continue; }
            const range = document.createRange();
            range.setStart(node, i); range.setEnd(node, i + 1);
            const rect = range.getClientRects()[0];
            if (!rect) continue;
            if (top !== null && rect.top > top + 2) found.push(at);
            top = rect.top; at = '';
        }
    }
    return found; }"""


@pytest.mark.parametrize("width", [1280, 800, 600])
@pytest.mark.parametrize("project", ["shipped", "fixture"])
def test_overview_headers_break_only_at_spaces_and_soft_hyphens(
    site: str, page: Page, project: str, width: int
) -> None:
    """Once "Datenschutzinformatio|n" and "Einwilligungserklärun|g" at 1280 px."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{site}/{project}/de/index.html")
    for header in page.locator("table.providers thead th, h1").all():
        assert set(header.evaluate(BREAKS)) <= {" ", "\u00ad", "-"}, header.inner_text()
    if width == 1280:  # and where there is room, not at all
        assert page.locator("table.providers thead th").evaluate_all(
            "hs => hs.every(h => h.getClientRects().length === 1 && h.offsetHeight < 40)"
        )


def test_a_product_name_in_a_pdf_title_is_not_hyphenated(site: str, served: Path) -> None:
    """German hyphenation once split the English name: "TeamViewer QuickS-upport"."""
    pdf = served / "shipped" / "pdf" / "de" / "teamviewer-quicksupport-notice.pdf"
    first = PdfReader(io.BytesIO(pdf.read_bytes())).pages[0].extract_text()
    assert re.search(r"Datenschutzinformation:\s+TeamViewer\s+QuickSupport", first), first[:300]


@pytest.mark.parametrize("logo_size", [(120, 40), (480, 80)])
def test_the_logo_stands_beside_the_whole_title_on_a_phone(
    site: str, served: Path, page: Page, tmp_path: Path, logo_size: tuple[int, int]
) -> None:
    """Once "Fernunterstützung" beside the logo and the rest of the title under it; and
    with a wide logo, a page 435 px wide on a 390 px phone."""
    from tests.test_branding import configure, png

    project = tmp_path / "branded"
    project.mkdir()
    shutil.copy(FIXTURE_PROJECT / "dsgvo-gen.yaml", project / "dsgvo-gen.yaml")
    (project / "providers").mkdir()
    shutil.copy(DATA / "providers" / "valid" / "full-video.yaml", project / "providers")
    (project / "logo.png").write_bytes(png(*logo_size))
    configure(project, logo="logo.png")
    config = project / "dsgvo-gen.yaml"
    config.write_text(config.read_text().replace(
        'de: "Testprojekt \u2013 Datenschutz"',
        'de: "Fernunterstützung \u2013 Datenschutzinformationen"',
    ))  # fmt: skip
    out = f"branded-{logo_size[0]}"
    assert build(project, served / out, today=TODAY, pdf=False).written
    page.set_viewport_size(PHONE)
    page.goto(f"{site}/{out}/de/index.html")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    logo = page.locator(".site-logo").bounding_box()
    assert logo is not None
    lines = page.locator(".site-title").evaluate(
        "a => [...a.childNodes].filter(n => n.nodeType === 3 || n.tagName !== 'IMG')"
        ".flatMap(n => { const r = document.createRange(); r.selectNodeContents(n);"
        " return [...r.getClientRects()].map(x => x.left); })"
    )
    assert len(lines) > 1  # the title does wrap at 390 px...
    assert min(lines) >= logo["x"] + logo["width"]  # ...beside the logo, never under it
