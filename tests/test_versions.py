"""The version identifier: made from a document's text, shown on every page, PDF and fragment."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pypdf

from dsgvo_gen.builder import build
from dsgvo_gen.versions import ALPHABET, document_text, find_versions, text_hash, version_id
from tests.conftest import TODAY, own_templates


def test_the_alphabet_leaves_out_what_ocr_confuses() -> None:
    assert not set("0o1li") & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET) == 31


def test_the_identifier_depends_on_the_text_not_on_tags_or_spacing() -> None:
    a = document_text(b"<head><title>x</title></head><body><p>Speicherung  1 Monat</p></body>")
    b = document_text("<body>\n<div class='new'><p>Speicherung 1\n Monat</p></div></body>")
    assert a == b == "Speicherung 1 Monat\n"
    assert version_id(date(2026, 11, 21), a) == version_id(date(2026, 11, 21), b)
    assert text_hash("Speicherung 3 Monate") != text_hash(a)
    assert re.fullmatch(rf"2026-11-21-[{ALPHABET}]{{8}}", version_id(date(2026, 11, 21), a))


def test_find_versions_reads_identifiers_out_of_ocr_text() -> None:
    assert find_versions("Stand: 1. Oktober VERSION 2026-10-01-SKE7EB6Q Seite 1") == [
        "2026-10-01-ske7eb6q"
    ]


def _versions_in(path: Path) -> set[str]:
    return set(find_versions(path.read_text()))


def test_every_page_pdf_and_fragment_of_a_document_carries_its_identifier(project: Path) -> None:
    result = build(project, today=TODAY)
    assert result.written, result.report.findings
    site = project / "site"
    for lang in ("de", "en"):
        notice = _versions_in(site / lang / "providers" / "full-video.html")
        # The consent form also names the version of the notice it refers to (Art. 7(1)).
        consent = _versions_in(site / lang / "consent" / "full-video.html") - notice
        assert len(notice) == len(consent) == 1
        assert _versions_in(site / lang / "consent" / "full-video.html") == consent | notice
        assert _versions_in(site / lang / "embed" / "full-video.html") == notice
        assert _versions_in(site / lang / "embed" / "full-video-consent.html") == consent | notice
        for kind, version in (("notice", notice), ("consent", consent)):
            reader = pypdf.PdfReader(site / "pdf" / lang / f"full-video-{kind}.pdf")
            assert reader.metadata is not None
            assert {str(reader.metadata["/documentversion"])} == version
            for page in reader.pages:  # the footer of every page
                assert version <= set(find_versions(page.extract_text()))
    de = _versions_in(site / "de" / "providers" / "full-video.html")
    assert de != _versions_in(site / "en" / "providers" / "full-video.html")


def test_a_stylesheet_change_keeps_the_identifier_a_text_change_does_not(project: Path) -> None:
    notice = project / "site" / "de" / "providers" / "full-video.html"
    assert build(project, today=TODAY, pdf=False).written
    first = _versions_in(notice)
    templates = own_templates(project)
    (templates / "assets" / "style.css").write_text("body { color: #123456; }\n")
    assert build(project, today=TODAY, pdf=False).written
    assert _versions_in(notice) == first
    descriptor = project / "providers" / "full-video.yaml"
    descriptor.write_text(descriptor.read_text().replace("name: Beispiel Video\n",
                                                         "name: Beispiel Video 2\n"))  # fmt: skip
    assert build(project, today=TODAY, pdf=False).written
    assert _versions_in(notice) != first
