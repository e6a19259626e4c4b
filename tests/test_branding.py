"""Branding without a copy of the legal texts: a logo, an accent colour, footer links, and
one template of the project's own over the bundled rest."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import pytest

from dsgvo_gen.branding import brand_css, contrast_on_white, read_logo, tint
from dsgvo_gen.builder import build
from dsgvo_gen.checker import check
from dsgvo_gen.i18n import labels
from dsgvo_gen.resources import bundled_dir
from tests.conftest import TODAY, must_finish_within, problems

OWN_BASE = """<!doctype html>
<html lang="{{ lang }}">
<head><meta charset="utf-8"><title>{% block title %}{% endblock %} - Huber IT</title>
<link rel="stylesheet" href="{{ rel('assets/style.css') }}"></head>
<body><header class="huber-header">Huber IT · Fernwartung</header>
<main id="main">{% block main %}{% endblock %}</main>
<footer class="huber-footer">{% block stand %}{% endblock %}</footer></body></html>
"""


def png(width: int = 2, height: int = 2) -> bytes:
    """A real PNG (RGB, one colour), small enough for a test."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\0" + b"\xc0\x39\x2b" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))  # fmt: skip


def configure(project: Path, **site: str) -> None:
    config = project / "dsgvo-gen.yaml"
    lines = "".join(f"  {key}: {value!r}\n" for key, value in site.items())
    config.write_text(
        config.read_text().replace("  base_url: null\n", f"  base_url: null\n{lines}")
    )


def test_a_logo_an_accent_colour_and_an_own_base_html_keep_the_bundled_legal_texts(
    project: Path,
) -> None:
    (project / "assets").mkdir()
    (project / "assets" / "logo.png").write_bytes(png())
    (project / "templates").mkdir()
    (project / "templates" / "base.html").write_text(OWN_BASE)
    configure(project, logo="assets/logo.png", accent_color="#c0392b")
    result = build(project, today=TODAY)  # with PDFs: their stylesheet comes from the bundle
    assert result.written, result.report.sorted()
    assert problems(result.report) == []
    site = project / "site"
    words = labels(bundled_dir("templates"), "de")
    notice = (site / "de" / "providers" / "full-video.html").read_text()
    assert 'class="huber-header"' in notice  # the project's own layout
    for bundled in (words["section.objection"], words["rights.erasure.text"],
                    words["complaint_text"]):  # fmt: skip
        assert bundled in notice  # ...around the bundled legal texts
    assert (site / "assets" / "style.css").read_bytes() == (
        bundled_dir("templates") / "assets" / "style.css"
    ).read_bytes()
    assert (site / "assets" / "logo.png").read_bytes() == png()
    assert "--accent: #c0392b;" in (site / "assets" / "brand.css").read_text()
    assert "--dg-accent: #c0392b;" in (site / "assets" / "embed.css").read_text()
    assert (site / "pdf" / "de" / "full-video-notice.pdf").is_file()


def test_the_bundled_base_shows_logo_colour_and_footer_links(project: Path) -> None:
    (project / "logo.png").write_bytes(png())
    # The fixture config links its imprint already.
    configure(project, logo="logo.png", accent_color="#06c",
              privacy_url="https://www.test-support.test/datenschutz")  # fmt: skip
    result = build(project, today=TODAY, pdf=False)
    assert result.written and problems(result.report) == []
    # The imprint is labelled by the law of the controller's country (DE: § 5 DDG).
    for lang, imprint in (("de", "Impressum (§ 5 DDG)"), ("en", "Legal notice (imprint, § 5 DDG)")):
        page = (project / "site" / lang / "index.html").read_text()
        assert '<img class="site-logo" src="../assets/logo.png" alt="">' in page
        assert '<link rel="stylesheet" href="../assets/brand.css">' in page
        link = '<a href="https://www.test-support.test/impressum" rel="noopener noreferrer">'
        assert f"{link}{imprint}</a>" in page
        assert 'href="https://www.test-support.test/datenschutz"' in page
    assert (
        ":root { --accent: #0066cc; --accent-soft: #e6f0fa; }"
        in (project / "site" / "assets" / "brand.css").read_text()
    )


def test_own_templates_without_assets_or_labels_just_work(project: Path) -> None:
    """Once a traceback (no assets/style.css) and an internal object in a message (no
    labels/): a templates/ folder with one file is enough."""
    (project / "templates").mkdir()
    (project / "templates" / "notice.html").write_text(
        (bundled_dir("templates") / "notice.html").read_text().replace(
            '<article class="notice">', '<article class="notice own">')
    )  # fmt: skip
    result = build(project, today=TODAY, pdf=False)
    assert result.written and problems(result.report) == []
    html = (project / "site" / "en" / "providers" / "full-video.html").read_text()
    assert '<article class="notice own">' in html
    consent = (project / "site" / "en" / "consent" / "full-video.html").read_text()
    assert 'class="consent-form"' in consent  # not overridden: the bundled one


def test_an_own_asset_that_is_a_link_is_a_finding(project: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.css"
    secret.write_text("/* not for the web */")
    (project / "templates" / "assets").mkdir(parents=True)
    (project / "templates" / "assets" / "style.css").symlink_to(secret)
    result = build(project, today=TODAY, pdf=False)
    assert not result.written and not (project / "site").exists()
    (finding,) = problems(result.report)
    assert finding.code == "DG116" and "style.css is a symbolic link" in finding.message


@pytest.mark.parametrize(
    ("logo", "make", "message"),
    [
        ("assets/logo.png", None, "cannot read the logo 'assets/logo.png': No such file"),
        ("../logo.png", None, "'../logo.png' is not a path inside the project"),
        ("/etc/hostname", None, "'/etc/hostname' is not a path inside the project"),
        ("logo.png", "link", "'logo.png' is a link; copy the image into the project instead"),
        ("logo.png", "large", "the logo is 1.5 MiB; the limit is 1 MiB"),
        ("logo.svg", "svg", "'logo.svg': SVG is not accepted (it can load other files)"),
        ("logo.png", "text", "'logo.png': it is no image; use a PNG, JPEG, GIF or WebP file"),
        ("assets", "folder", "'assets' is not a regular file"),
        ("logo.png", "fifo", "'logo.png' is not a regular file"),
        ("art/logo.png", "linked-folder", "'art/logo.png' is a link"),
    ],
)
def test_a_logo_that_cannot_be_published_is_dg119(
    project: Path, tmp_path: Path, logo: str, make: str | None, message: str
) -> None:
    target = project / logo
    if make == "link":
        (tmp_path / "elsewhere.png").write_bytes(png())
        target.symlink_to(tmp_path / "elsewhere.png")
    elif make == "large":
        target.write_bytes(png() + b"\0" * (1536 * 1024))
    elif make == "svg":
        target.write_text(
            '<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>'
        )
    elif make == "text":
        target.write_text("not a picture")
    elif make == "folder":
        target.mkdir()
    elif make == "fifo":  # a tar download can carry one; reading it must not hang
        os.mkfifo(target)
    elif make == "linked-folder":
        (tmp_path / "art").mkdir()
        (tmp_path / "art" / "logo.png").write_bytes(png())
        (project / "art").symlink_to(tmp_path / "art")
    configure(project, logo=logo)
    with must_finish_within(60):
        findings = problems(check(project, today=TODAY))
    assert [(f.code, f.line) for f in findings] == [("DG119", 9)]
    assert message in findings[0].message
    assert not build(project, today=TODAY, pdf=False).written


def test_webp_jpeg_and_gif_logos_are_accepted(project: Path) -> None:
    for name, head in (("a.webp", b"RIFF\0\0\0\0WEBPVP8 "), ("b.jpg", b"\xff\xd8\xff\xe0"),
                       ("c.gif", b"GIF89a")):  # fmt: skip
        (project / name).write_bytes(head + b"\0" * 32)
        assert read_logo(project, name).extension == name.split(".")[1]


def test_colours() -> None:
    assert round(contrast_on_white("#000"), 1) == 21.0
    assert round(contrast_on_white("#0b4f8a"), 1) >= 4.5  # the default accent
    assert contrast_on_white("#ffcc00") < 4.5
    assert tint("#000000") == "#e6e6e6"
    assert brand_css("#AbC").startswith("/* generated") and "--accent: #aabbcc;" in brand_css(
        "#AbC"
    )


def test_a_broken_own_label_catalogue_is_a_finding_not_an_internal_object(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    (project / "templates" / "labels").mkdir(parents=True)
    (project / "templates" / "labels" / "en.yaml").write_text('overview_title: "Our tools\n')
    result = build(project, today=TODAY, pdf=False)
    assert not result.written
    (finding,) = problems(result.report)
    assert (finding.path, finding.line, finding.code) == ("templates/labels/en.yaml", 1, "DG102")
    assert "Finding(" not in finding.message
