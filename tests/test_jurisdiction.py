"""The controller's law: jurisdiction, authority and imprint (issue 14, items 6, 9, 11)."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from dsgvo_gen.builder import build
from dsgvo_gen.checker import check
from dsgvo_gen.reference import reference
from tests.conftest import TODAY, problems

IMPRINT = "https://www.test-support.test/impressum"


def configure(project: Path, old: str, new: str) -> None:
    config = project / "dsgvo-gen.yaml"
    text = config.read_text()
    assert old in text
    config.write_text(text.replace(old, new))


def config_codes(project: Path) -> list[str]:
    report = check(project, today=TODAY)
    return sorted(f.code for f in report.findings if f.path.endswith("dsgvo-gen.yaml"))


def test_a_swiss_jurisdiction_is_refused_and_nothing_is_built(project: Path) -> None:
    configure(project, "jurisdiction: DE-BY", "jurisdiction: CH")
    configure(project, "München, Deutschland", "Zürich, Schweiz")
    configure(project, "country: DE", "country: CH")
    assert config_codes(project) == ["DG533"]
    result = build(project, today=TODAY, pdf=False)
    assert not result.written and not (project / "site").exists()
    [finding] = [f for f in result.report.findings if f.code == "DG533"]
    assert "FADP" in finding.message and finding.line == 21


def test_a_munich_controller_with_austrias_authority_is_an_error(project: Path) -> None:
    configure(project, "jurisdiction: DE-BY", "jurisdiction: AT")
    assert config_codes(project) == ["DG534"]


def test_an_address_in_another_country_than_the_config_says_is_an_error(project: Path) -> None:
    configure(project, "80331 München, Deutschland", "1010 Wien, Österreich")
    assert config_codes(project) == ["DG534"]  # country: DE, jurisdiction DE-BY


def test_the_federal_commissioner_is_no_default_for_a_company(project: Path) -> None:
    configure(project, "jurisdiction: DE-BY", "jurisdiction: DE")
    report = check(project, today=TODAY)
    [finding] = [f for f in report.findings if f.code == "DG535"]
    assert "§ 9 BDSG" in finding.message and report.exit_code(strict=True) == 1


def test_a_bavarian_public_body_names_the_baylfd(project: Path) -> None:
    configure(project, "jurisdiction: DE-BY", "jurisdiction: DE-BY-public")
    assert config_codes(project) == []
    assert build(project, today=TODAY, pdf=False).written
    page = (project / "site" / "de" / "providers" / "full-video.html").read_text()
    assert "Der Bayerische Landesbeauftragte für den Datenschutz" in page
    assert "Wagmüllerstraße 18, 80538 München" in page
    assert "Landesamt für Datenschutzaufsicht" not in page


def test_reference_data_of_issue_14() -> None:
    authorities = reference().authorities
    assert authorities["AT"].name.get("de") == "Datenschutzbehörde"
    assert authorities["DE-BY"].address == "Promenade 18, 91522 Ansbach"
    assert authorities["DE-BY-public"].short == "BayLfD"
    assert (
        authorities["DE-HB"]
        .name.get("de")
        .startswith("Die Landesbeauftragte für Datenschutz und Informationsfreiheit")
    )
    assert (
        authorities["DE-BB"]
        .name.get("de")
        .startswith("Die Landesbeauftragte für den Datenschutz und für das Recht auf Akteneinsicht")
    )


def test_a_german_site_without_imprint_is_warned_about(project: Path) -> None:
    configure(project, f'  imprint_url: "{IMPRINT}"\n', "")
    report = check(project, today=TODAY)
    assert [f.code for f in problems(report)] == ["DG536"] and report.exit_code(strict=True) == 1


def test_every_page_and_every_pdf_sheet_names_the_imprint(project: Path) -> None:
    result = build(project, today=TODAY)
    assert result.written
    site = project / "site"
    for page in site.glob("*/**/*.html"):
        if page.parent.name != "embed":  # fragments live on the controller's own site
            assert f'<a href="{IMPRINT}" rel="noopener noreferrer">' in page.read_text(), page
    for pdf in (site / "pdf").rglob("*.pdf"):
        label = (
            "Impressum (§ 5 DDG)" if "/de/" in pdf.as_posix() else "Legal notice (imprint, § 5 DDG)"
        )
        for sheet in PdfReader(pdf).pages:
            assert f"{label}: {IMPRINT}" in sheet.extract_text(), pdf


def test_an_austrian_imprint_is_labelled_under_austrian_law(project: Path) -> None:
    configure(project, "jurisdiction: DE-BY", "jurisdiction: AT")
    configure(project, "80331 München, Deutschland", "1010 Wien, Österreich")
    configure(project, "country: DE", "country: AT")
    assert config_codes(project) == []
    assert build(project, today=TODAY, pdf=False).written
    page = (project / "site" / "de" / "index.html").read_text()
    label = "Impressum und Offenlegung (§ 5 ECG, § 25 MedienG)"
    assert f'<a href="{IMPRINT}" rel="noopener noreferrer">{label}</a>' in page
    assert "Datenschutzbehörde" in (project / "site" / "de" / "notice.html").read_text()
