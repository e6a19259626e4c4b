"""The built site in a real browser: Debian's Chromium, driven by Playwright.

The site is served on 127.0.0.1; every request the pages make is recorded and
must stay there. The browser and axe-core: tests/browsing.py.
"""

from __future__ import annotations

import io
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
