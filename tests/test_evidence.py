"""A notice claims no more than its sources confirm (DESIGN §4b, issue 14)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from dsgvo_gen.builder import build
from dsgvo_gen.checker import check
from dsgvo_gen.cli import main
from dsgvo_gen.evidence import is_dpf_list
from dsgvo_gen.model import Source
from tests.conftest import TODAY

ENTRY = Path("catalogue") / "full-video.yaml"
LISTED = "    dpf_checked_on: 2026-10-01\n    safeguard_url: https://www.dataprivacyframework.gov/list\n    source: dpf-list\n"  # noqa: E501


def cite_only_the_provider(project: Path, checked_on: str = "null") -> None:
    """The fixture's DPF transfer, resting on the provider's privacy policy alone."""
    path = project / ENTRY
    text = path.read_text()
    assert LISTED in text
    path.write_text(text.replace(LISTED, LISTED.replace("source: dpf-list", "source: policy")
                                 .replace("2026-10-01", checked_on)))  # fmt: skip


def codes(project: Path) -> list[str]:
    return [f.code for f in check(project, today=TODAY).findings]


def notice(project: Path, lang: str) -> str:
    return (project / "site" / lang / "providers" / "full-video.html").read_text()


def test_a_dpf_claim_on_the_providers_word_is_attributed_and_fails_strict(project2: Path) -> None:
    cite_only_the_provider(project2)
    report = check(project2, today=TODAY)
    [warning] = [f for f in report.findings if f.code == "DG530"]
    assert (
        warning.path.endswith("catalogue/full-video.yaml")
        and "policy (provider)" in warning.message
    )
    assert report.exit_code() == 0 and report.exit_code(strict=True) == 1

    result = CliRunner().invoke(main, ["--project", str(project2), "check", "--strict",
                                       "--today", "2026-11-21"])  # fmt: skip
    assert result.exit_code == 1 and "warning[DG530]" in result.output

    assert not build(project2, today=TODAY, pdf=False, strict=True).written
    assert build(project2, today=TODAY, pdf=False).written
    de, en = notice(project2, "de"), notice(project2, "en")
    assert (
        "Laut „Datenschutzerklärung Beispiel Video“ (gelesen am 1. Oktober 2026) ist Example CDN, "
        "Inc. nach dem EU-US Data Privacy Framework zertifiziert" in de
    )
    assert "Liste des Data Privacy Framework haben wir nicht selbst geprüft" in de
    assert "geprüft am" not in de and "haben wir am" not in de
    assert (
        "According to “Datenschutzerklärung Beispiel Video” (read on October 1, 2026), Example "
        "CDN, Inc. is certified under the EU-U.S. Data Privacy Framework" in en
    )
    assert "We have not checked the entry of Example CDN, Inc. on the Data Privacy" in en
    assert "checked on" not in en and "We checked" not in en
    # The document the statement is attributed to is linked beside it.
    assert 'href="https://video.example/datenschutz"' in de.split("-transfers")[1]


def test_a_check_date_without_the_list_is_an_error(project2: Path) -> None:
    """dpf_checked_on with only the provider's policy would print a check no one made."""
    cite_only_the_provider(project2, checked_on="2026-10-01")
    report = check(project2, today=TODAY)
    [error] = [f for f in report.findings if f.code == "DG531"]
    assert "cites no DPF list" in error.message and report.exit_code() == 1
    assert "DG530" in codes(project2)
    assert not build(project2, today=TODAY, pdf=False).written


def test_the_dpf_list_as_an_official_source_says_checked_on(project2: Path) -> None:
    assert not {"DG530", "DG531", "DG416"} & set(codes(project2))
    assert build(project2, today=TODAY, pdf=False, strict=True).written
    de, en = notice(project2, "de"), notice(project2, "en")
    assert (
        "Den Eintrag von Example CDN, Inc. in der Liste des Data Privacy Framework haben wir "
        "am 1. Oktober 2026 geprüft." in de
    )
    assert (
        "We checked the entry of Example CDN, Inc. on the Data Privacy Framework List on "
        "October 1, 2026." in en
    )
    assert "Laut " not in de and "According to “" not in en


def test_the_list_with_no_date_asks_for_the_date(project2: Path) -> None:
    path = project2 / ENTRY
    path.write_text(path.read_text().replace(LISTED, LISTED.replace("2026-10-01", "null")))
    assert "DG416" in codes(project2) and "DG530" not in codes(project2)


def source(url: str, kind: str | None) -> Source:
    return Source("s", url, "t", date(2026, 1, 1), kind, None, ())


@pytest.mark.parametrize(
    ("url", "kind", "listed"),
    [
        ("https://www.dataprivacyframework.gov/list", "official", True),
        ("https://www.dataprivacyframework.gov/participant/5666", "official", True),
        # Format 1 sources have no kind: the address decides.
        ("https://www.dataprivacyframework.gov/list", None, True),
        # The list's address with another kind is someone's copy, not the list read.
        ("https://www.dataprivacyframework.gov/list", "third-party", False),
        ("https://www.cloudflare.com/privacypolicy/", "provider", False),
        ("https://dataprivacyframework.gov.example/list", "official", False),
        ("https://www.bund.de/", "official", False),
    ],
)
def test_only_the_dpf_list_counts_as_the_list(url: str, kind: str | None, listed: bool) -> None:
    assert is_dpf_list(source(url, kind)) is listed


OPERATOR = "  dpa_url: https://video.example/avv\n  source: policy\n"
NOT_CONFIRMED = {
    "de": "(von unseren Quellen nicht bestätigt)",
    "en": "(not confirmed by our sources)",
}


def mark_unconfirmed(project: Path, extra: str = "") -> None:
    """The operator's address marked unconfirmed, and the entry's transfers as a whole."""
    path = project / ENTRY
    text = path.read_text()
    assert OPERATOR in text
    text = text.replace(
        OPERATOR,
        OPERATOR + "  unconfirmed:\n    address: only a third party's page names the street\n"
        "  note: read in an archived copy\n",
    ).replace("\nsources:\n", "\nunconfirmed:\n  transfers: the sub-processors were not read\n"
              f"{extra}\nsources:\n")  # fmt: skip
    path.write_text(text)


def test_an_unconfirmed_fact_is_marked_in_the_notice_and_fails_strict(project2: Path) -> None:
    mark_unconfirmed(project2)
    report = check(project2, today=TODAY)
    marks = sorted((f.line, f.message) for f in report.findings if f.code == "DG532")
    assert [line for line, _ in marks] == [15, 38] and report.exit_code(strict=True) == 1
    assert "the list of transfers may be incomplete" in marks[0][1]
    assert "the operator: address is not confirmed" in marks[1][1]
    assert build(project2, today=TODAY, pdf=False).written
    for lang in ("de", "en"):
        page = notice(project2, lang)
        mark = f'<span class="unconfirmed">{NOT_CONFIRMED[lang]}</span>'
        assert f"Beispielweg 2, 10115 Berlin, Deutschland {mark}" in page
        transfers = page.split("-transfers")[1].split("</section>")[0]
        assert "Example CDN, Inc." in transfers and 'class="unconfirmed"' in transfers
        assert "read in an archived copy" not in page  # a note is never published


def test_an_unconfirmed_draft_is_not_warned_about_twice(project2: Path) -> None:
    mark_unconfirmed(project2, extra="missing:\n  - {what: the street, where: the imprint}")
    path = project2 / ENTRY
    path.write_text(path.read_text().replace("status: published", "status: draft"))
    codes_found = codes(project2)
    assert "DG126" in codes_found and "DG532" not in codes_found


def test_a_note_changes_no_word_of_a_notice(project2: Path, tmp_path: Path) -> None:
    assert build(project2, today=TODAY, pdf=False).written
    before = {lang: notice(project2, lang) for lang in ("de", "en")}
    path = project2 / ENTRY
    path.write_text(path.read_text().replace(OPERATOR, OPERATOR + "  note: from a mirror\n"))
    assert "DG532" not in codes(project2)
    assert build(project2, today=TODAY, pdf=False).written
    assert {lang: notice(project2, lang) for lang in ("de", "en")} == before


def ropa(project: Path, lang: str) -> str:
    from dsgvo_gen.export import export

    content = export(project, "ropa-json", lang=lang, today=TODAY).content
    assert content is not None
    return json.dumps(json.loads(content), ensure_ascii=False)


def test_the_record_of_processing_attributes_it_too(project2: Path) -> None:
    assert "DPF-Liste geprüft am 1. Oktober 2026" in ropa(project2, "de")
    cite_only_the_provider(project2)
    for lang, words in (
        ("de", "laut „Datenschutzerklärung Beispiel Video“ (gelesen am 1. Oktober 2026); den "
               "Eintrag in der DPF-Liste haben wir nicht geprüft"),
        ("en", "according to “Datenschutzerklärung Beispiel Video” (read on October 1, 2026); "
               "we have not checked the entry on the DPF List"),
    ):  # fmt: skip
        assert words in ropa(project2, lang)
