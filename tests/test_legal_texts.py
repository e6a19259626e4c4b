"""What the shipped notices say, read as a reviewer reads them (issue 14): who is
responsible for what, no claim beyond the sources, and no text twice or half-finished."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dsgvo_gen.builder import build
from dsgvo_gen.checker import check, check_project
from dsgvo_gen.i18n import labels
from dsgvo_gen.resources import bundled_dir
from tests.conftest import ROOT, TODAY

SHIPPED = sorted(p.stem for p in (ROOT / "providers").glob("*.yaml"))


class _Text(HTMLParser):
    """The visible text of a page, with the class of each element kept for lookups."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"p", "li", "h1", "h2", "h3", "dt", "dd", "tr", "div"}:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_of(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join("".join(parser.parts).split())


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("shipped") / "site"
    result = build(ROOT, out, today=TODAY, pdf=False)
    assert result.written, result.report.sorted()
    return out


def page(site: Path, lang: str, provider: str) -> str:
    return (site / lang / "providers" / f"{provider}.html").read_text(encoding="utf-8")


def test_zoom_claims_no_clauses_between_guests_and_zoom(site: Path) -> None:
    de, en = text_of(page(site, "de", "zoom")), text_of(page(site, "en", "zoom"))
    assert "Standardvertragsklauseln" not in de and "abgesichert" not in de
    assert "standard contractual clauses" not in en
    # Zoom's certification is Zoom's word, and the notice says so.
    assert "Laut „Zoom Privacy Statement" in de and "nicht selbst geprüft" in de
    assert "According to “Zoom Privacy Statement" in en
    # Who is responsible for what: the host for the meeting, we for our records.
    assert "Wer das Meeting ausrichtet, entscheidet über das Meeting selbst" in de
    assert "Whoever hosts the meeting decides on the meeting itself" in en


def test_teamviewer_does_not_promise_that_nothing_leaves_the_eea(site: Path) -> None:
    de, en = (
        text_of(page(site, "de", "teamviewer-quicksupport")),
        text_of(page(site, "en", "teamviewer-quicksupport")),
    )
    assert "nicht in Länder außerhalb" not in de
    # Our processor: what it may transfer, and where, is what our agreement with it allows.
    assert "Ob der Anbieter oder seine Unterauftragsverarbeiter Daten in Länder" in de
    assert "is governed by our data processing agreement" in en
    assert (
        "geregelt in unserem Auftragsverarbeitungsvertrag"
        in de.split("Das Wichtigste in Kürze")[1][:2000]
    )
    # No recording of every session, and invoices are kept under the statute, with years.
    assert "zeichnen Fernwartungssitzungen nicht auf" in de
    assert "30 Tage nach" not in de
    assert "acht Jahre" in de and "§ 147 Abs. 1 Nr. 4 und Abs. 3 AO" in de
    # The data processing agreement is linked under the EULA page's own title.
    assert "Endbenutzer-Lizenzvereinbarung und Auftragsverarbeitungsvertrag" in de
    assert "Vertrag zur Auftragsverarbeitung (Art. 28 Abs. 3 DSGVO)" not in de


def test_the_overview_says_unknown_and_not_always(site: Path) -> None:
    html = (site / "de" / "index.html").read_text(encoding="utf-8")
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', html)
    }
    columns = re.findall(r'<th scope="col">([^<]+)</th>', html.split('class="compare"')[1])
    e2ee = dict(
        zip(
            columns,
            re.findall(r"<td>(.*?)</td>", rows["Ende-zu-Ende-Verschlüsselung"]),
            strict=True,
        )
    )
    assert "immer" not in text_of(e2ee["Windows-Remotedesktop (RDP)"])
    assert "entfällt" in text_of(e2ee["Windows-Remotedesktop (RDP)"])
    abroad = dict(
        zip(
            columns,
            re.findall(r"<td>(.*?)</td>", rows["Übermittlung außerhalb EU/EWR"]),
            strict=True,
        )
    )
    assert text_of(abroad["TeamViewer QuickSupport"]) == "unbekannt"
    assert (
        text_of(abroad["Zoom Meetings"])
        == "nicht durch uns; Daten gelangen nach: Vereinigte Staaten"
    )
    assert text_of(abroad["Jitsi Meet auf unserem eigenen Server"]) == "nein"
    # An account a guest needs is a drawback: never shown in the colour of a good value.
    assert '<span class="yes">ja</span>' not in rows["Konto für Gäste nötig"]


@pytest.mark.parametrize("provider", SHIPPED)
@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_notice_opens_with_a_summary_and_says_who_is_responsible(
    site: Path, provider: str, lang: str
) -> None:
    html = page(site, lang, provider)
    text = text_of(html)
    summary, responsibility = (
        ("Das Wichtigste in Kürze", "Wer ist wofür verantwortlich?")
        if (lang == "de")
        else ("Summary", "Who is responsible for what?")
    )
    assert (
        text.index(summary)
        < text.index(responsibility)
        < text.index("Zwecke und Rechtsgrundlagen" if lang == "de" else "Purposes and legal bases")
    )
    assert 'class="role-statement"' in html
    assert "Art. 4 Nr. 7 DSGVO" in text if lang == "de" else "Art. 4(7) GDPR" in text


@pytest.mark.parametrize("provider", SHIPPED)
@pytest.mark.parametrize("lang", ["de", "en"])
def test_no_sentence_twice_and_no_drafting_text(site: Path, provider: str, lang: str) -> None:
    text = text_of(page(site, lang, provider))
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s) > 60]
    repeated = {s for s in sentences if sentences.count(s) > 1}
    assert repeated == set()
    # The provision label says it once; the descriptor adds only the consequence.
    said = "weder gesetzlich noch vertraglich" if lang == "de" else "no statutory or contractual"
    assert text.count(said) == 1
    for drafting in ("Sollten wir", "Should we rent", "TODO", "Beispiel:"):
        assert drafting not in text.replace("Beispiel: Diese Seite gehört", "")


@pytest.mark.parametrize("lang", ["de", "en"])
def test_german_notices_speak_german_and_english_ones_british_english(
    site: Path, lang: str
) -> None:
    text = text_of(page(site, lang, "jitsi-infomaniak"))
    if lang == "de":
        assert "Entscheidung 2000/518/EG der Kommission vom 26. Juli 2000" in text
        assert "Commission Decision" not in text
    else:
        assert "Commission Decision 2000/518/EC of 26 July 2000" in text
        assert "Switzerland" in text and "Schweiz" not in text
        assert "21 November 2026" in text and "November 21, 2026" not in text
        assert "Regensburg, Germany" in text and "Deutschland" not in text


def test_art14_and_tdddg_paragraphs_where_someone_sees_a_screen(site: Path) -> None:
    tv = text_of(page(site, "de", "teamviewer-quicksupport"))
    assert "Art. 14 Abs. 5 lit. b DSGVO" in tv
    assert "§ 25 Abs. 2 Nr. 2 TDDDG" in tv and "Nach unserer Einschätzung" in tv
    # True of standing access too (Remote Desktop), and no research note in a notice.
    rdp = text_of(page(site, "de", "windows-remote-desktop"))
    assert "jederzeit beenden oder sperren" in rdp and "nur für die Dauer der Sitzung" not in rdp
    assert "Entscheidung einer Aufsichtsbehörde" not in tv + rdp
    # fairmeeting offers no remote control: nothing runs on the guest's device for us.
    fair = text_of(page(site, "de", "jitsi-fairkom"))
    assert "Art. 14 Abs. 5 lit. b DSGVO" in fair and "TDDDG" not in fair


def test_objection_box_leads_into_its_purposes(site: Path) -> None:
    html = page(site, "de", "zoom")
    box = html.split('class="objection"')[1].split("</div>")[0]
    assert "In dieser Information betrifft das die folgenden Zwecke:" in box
    assert box.count("<li>") == 2  # the two purposes on Art. 6(1)(f)


def test_shipped_descriptors_argue_roles_from_who_decides() -> None:
    project = check_project(ROOT, today=TODAY)
    codes = {f.code for f in project.report.findings}
    assert not codes & {"DG440", "DG441", "DG442"}
    fairkom = next(p for p in project.providers if p.id == "jitsi-fairkom")
    assert (fairkom.operator.privacy_policy_url or "").startswith("https://")
    ffmuc = next(p for p in project.providers if p.id == "jitsi-ffmuc")
    cloudflare = next(r for r in ffmuc.processing.recipients if r.name == "Cloudflare, Inc.")
    assert cloudflare.role == "operator-processor"  # the operator's, not our sub-processor


def test_consent_vocabulary_is_gdpr_vocabulary() -> None:
    """'Einwilligung' is 'consent'; a mere agreement (Zustimmung, Einverständnis) is never
    translated as consent, so it cannot be read as an Art. 6(1)(a) basis."""
    for path in (ROOT / "providers").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert "Zustimmung" not in text and "with your consent" not in text, path.name
    de, en = labels(bundled_dir("templates"), "de"), labels(bundled_dir("templates"), "en")
    assert "Buchst." not in str(de.data) and "lit." in str(de.data)
    assert (
        de["legal_basis.art6-1-a.name"] == "Einwilligung"
        and en["legal_basis.art6-1-a.name"] == "Consent"
    )


def test_the_landing_page_promises_only_what_the_site_contains(site: Path) -> None:
    """The shipped project has no consent form: neither the landing page nor the overview
    speaks of one (issue 14, item 12)."""
    assert not list(site.glob("*/consent/*.html"))
    for page_path in (site / "index.html", site / "de" / "index.html"):
        assert "Einwilligungserklärung" not in text_of(page_path.read_text(encoding="utf-8"))
    assert (
        "declaration of consent"
        not in text_of((site / "en" / "index.html").read_text(encoding="utf-8")).lower()
    )


def test_no_notice_denies_transfers_its_sources_leave_open(site: Path) -> None:
    """fairkom's seat is not confirmed: its notice, summary and overview cell say that
    transfers cannot be ruled out, never that there are none (DESIGN §4b)."""
    fair = text_of(page(site, "de", "jitsi-fairkom"))
    assert "Wir übermitteln Ihre Daten nicht in Länder" not in fair
    assert "nicht auszuschließen" in fair
    # Where every country is confirmed, the plain sentence stays.
    assert "Wir übermitteln Ihre Daten nicht in Länder" in text_of(
        page(site, "de", "jitsi-self-hosted")
    )


def test_provider_statements_read_as_theirs_and_doubted_periods_are_not_stated(site: Path) -> None:
    """The feature list says whose statements it repeats; a retention period the sources do
    not confirm is left to the attributed criteria, not stated first as a fact (§4b)."""
    ffmuc = text_of(page(site, "de", "jitsi-ffmuc"))
    assert "was die von uns gelesenen Unterlagen zum Dienst aussagen" in ffmuc
    assert "in der Regel zwei Wochen" in ffmuc and "Löschung nach 14 Tagen" not in ffmuc
    overview = text_of((site / "de" / "index.html").read_text(encoding="utf-8"))
    assert "gelesenen Unterlagen zu den Diensten" in overview


def test_transfers_made_by_others_are_not_presented_as_ours(site: Path) -> None:
    """Zoom's and Cloudflare's transfers are made by Zoom and by the operator's processor,
    not by the controller (Art. 13(1)(f)); the notice says so before listing them."""
    for provider in ("zoom", "jitsi-ffmuc"):
        text = text_of(page(site, "de", provider))
        assert "nicht durch uns selbst" in text
        assert "Wir selbst übermitteln Ihre Daten nicht" in text
    tv = text_of(page(site, "de", "teamviewer-quicksupport"))
    assert "nicht durch uns selbst" not in tv
    overview = text_of((site / "de" / "index.html").read_text(encoding="utf-8"))
    assert overview.count("nicht durch uns; Daten gelangen nach:") == 3  # Zoom, ffmuc, kMeet


def test_a_processor_whose_entry_leaves_its_sub_processors_open_is_warned() -> None:
    """The controller knows its own processor's sub-processors from the agreement (Art. 28(2)
    to (4)): check says to take them from there (DG537), for TeamViewer and RED connect,
    and not for providers that are not the controller's processor."""
    report = check(ROOT, today=TODAY)
    warned = {f.path.rsplit("/", 1)[-1] for f in report.findings if f.code == "DG537"}
    assert warned == {"teamviewer-quicksupport.yaml"}
    counselling = check(ROOT / "examples" / "counselling", today=TODAY)
    assert [f.path.rsplit("/", 1)[-1] for f in counselling.findings if f.code == "DG537"] == [
        "red-connect.yaml"
    ]
    assert not report.failed() and report.failed(strict=True)


def test_a_processor_notice_points_to_the_agreement_not_to_our_ignorance(site: Path) -> None:
    """Review L3: for our own processor, what its public documents leave open is what our
    agreement with it governs (Art. 28(2)-(4)); the notice says so and offers to name it."""
    tv = text_of(page(site, "de", "teamviewer-quicksupport"))
    assert "regelt unser Auftragsverarbeitungsvertrag" in tv
    assert "nicht ausschließen" not in tv and "nicht auszuschließen" not in tv
    fair = text_of(page(site, "de", "jitsi-fairkom"))  # not our processor: as before
    assert "regelt unser Auftragsverarbeitungsvertrag" not in fair
