"""Consent forms: wherever something rests on consent, and as documents that hold up (Art. 7(1)):
the shipped examples, the rules DG541/DG542, and the counselling example's real PDFs."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from dsgvo_gen.builder import build, preview
from dsgvo_gen.checker import Project, check, check_project
from dsgvo_gen.i18n import labels
from dsgvo_gen.resources import bundled_dir
from tests.conftest import ROOT, TODAY

COUNSELLING = ROOT / "examples" / "counselling"
CONSENT_WORDS = re.compile(r"einwillig|\bconsent", re.IGNORECASE)
#: The criteria users compare (issue 15, item 5), as the catalogue names them.
CRITERIA = ("secret_link", "password", "waiting_room", "transport_encryption",
            "end_to_end_encryption", "screen_sharing", "chat", "guest_needs_account",
            "guest_cost", "time_limit")  # fmt: skip


def shipped_projects() -> list[Project]:
    """Every shipped project with every descriptor it holds, drafts included."""
    projects = [check_project(ROOT, today=TODAY, drafts=True)]
    for config in ROOT.glob("examples/*/dsgvo-gen.yaml"):
        projects.append(check_project(config.parent, today=TODAY))
    return projects


def test_no_shipped_descriptor_rests_on_consent_without_a_consent_form() -> None:
    projects = shipped_projects()
    providers = [p for project in projects for p in project.providers]
    descriptors = list(ROOT.glob("providers/*.yaml")) + list(ROOT.glob("providers/drafts/*.yaml"))
    descriptors += list(ROOT.glob("examples/*/providers/*.yaml"))
    assert len(providers) == len(descriptors) == 11  # every descriptor was read
    on_consent = []
    for p in providers:
        purposes = [x for x in p.processing.purposes if x.rests_on_consent]
        transfers = [t for t in p.processing.transfers if t.mechanism == "art49-1-a"]
        recording = p.processing.recording
        records_on_consent = recording.used and any(
            CONSENT_WORDS.search(recording.text.get(lang)) for lang in ("de", "en")
        )
        if purposes or transfers or records_on_consent:
            on_consent.append(p.id)
            assert p.consent is not None, p.id
            covered = {x for item in p.consent.items for x in item.purposes}
            assert {x.id for x in purposes} <= covered, p.id
    assert "red-connect" in on_consent  # the rule is not vacuous
    for project in projects:
        assert not {"DG310", "DG410", "DG415", "DG542"} & {f.code for f in project.report.findings}


def test_recording_said_to_need_consent_without_a_form_is_an_error(project2: Path) -> None:
    descriptor = project2 / "providers" / "full-video.yaml"
    data = yaml.safe_load(descriptor.read_text())
    data["consent"] = None
    proc = data["processing"]
    consent_bases = {"art6-1-a", "art9-2-a"}
    proc["purposes"] = [x for x in proc["purposes"] if not consent_bases & set(x["legal_basis"])]
    proc["data"] = [d for d in proc["data"] if isinstance(d, str) or not d.get("special_category")]
    data["processing"]["recording"] = {"used": True, "text": {
        "de": "Wir zeichnen die Sitzung nur mit Ihrer ausdrücklichen Einwilligung auf.",
        "en": "We record the session only with your explicit consent."}}  # fmt: skip
    descriptor.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    report = check(project2, today=TODAY)
    found = [f for f in report.findings if f.code == "DG542"]
    assert len(found) == 1 and found[0].path.endswith("full-video.yaml"), report.sorted()
    assert report.failed()
    data["processing"]["recording"]["used"] = False  # a text about a recording nobody makes
    descriptor.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    assert not [f for f in check(project2, today=TODAY).findings if f.code == "DG542"]


def test_consent_pdfs_without_base_url_are_noted_by_build(project2: Path) -> None:
    """DG541: a note of build, which makes the PDFs; check and build --no-pdf stay quiet."""
    assert not [f for f in check(project2, today=TODAY).findings if f.code == "DG541"]
    assert not [f for f in build(project2, pdf=False, today=TODAY).report.findings
                if f.code == "DG541"]  # fmt: skip
    result = build(project2, today=TODAY)
    (note,) = [f for f in result.report.findings if f.code == "DG541"]
    assert note.path.endswith("dsgvo-gen.yaml") and "full-video names its notice" in note.message
    assert note.severity.value == "note" and result.written and not result.report.failed()
    config = project2 / "dsgvo-gen.yaml"
    config.write_text(config.read_text().replace(
        "base_url: null", "base_url: https://test-support.test/datenschutz/", 1))  # fmt: skip
    result = build(project2, today=TODAY)
    assert result.written and not [f for f in result.report.findings if f.code == "DG541"]
    text = " ".join(
        p.extract_text()
        for p in PdfReader(project2 / "site" / "pdf" / "de" / "full-video-consent.pdf").pages
    )
    assert "https://test-support.test/datenschutz/de/providers/full-" in text.replace("\n", "")


@pytest.fixture(scope="module")
def counselling_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The counselling example built as the README's first command builds it, with PDFs."""
    root = tmp_path_factory.mktemp("counselling") / "counselling"
    shutil.copytree(COUNSELLING, root, ignore=shutil.ignore_patterns("site", "preview"))
    result = build(root, today=TODAY)
    assert result.written and result.pdfs == 4 and not result.report.failed(), result.report
    return root / "site"


@pytest.mark.parametrize("lang", ["de", "en"])
def test_consent_pdf_is_a_document_that_holds_up(counselling_site: Path, lang: str) -> None:
    checked = check_project(COUNSELLING, today=TODAY)
    (red,) = checked.published
    assert checked.config is not None and red.consent is not None
    words = labels(bundled_dir("templates"), lang)
    title = red.consent.title.get(lang)
    controller = checked.config.controller.name
    url = f"https://beratung-lichtblick.example/datenschutz/{lang}/providers/red-connect.html"
    reader = PdfReader(counselling_site / "pdf" / lang / "red-connect-consent.pdf")
    # NFKC: the PDF writes "fi" as a ligature, which pypdf reads back as one character.
    pages = [re.sub(r"\s+", " ", unicodedata.normalize("NFKC", page.extract_text()))
             for page in reader.pages]  # fmt: skip
    text = " ".join(pages)
    # Every page names the declaration and the controller (Art. 7(1): a page on its own).
    for number, page in enumerate(pages, 1):
        assert title in page and controller in page, f"page {number} of {len(pages)}"
    assert re.sub(r"\s+", "", url) in re.sub(r"\s+", "", text)  # the notice by full address
    # ... once (no link address printed after it), and by the version the person was given.
    assert re.sub(r"\s+", "", text).count(re.sub(r"\s+", "", url)) == 1
    notice = PdfReader(counselling_site / "pdf" / lang / "red-connect-notice.pdf").metadata
    assert notice is not None and f"Version {notice['/documentversion']}" in text
    fields = reader.get_fields()
    assert fields is not None
    boxes = {f"consent-{item.id}" for item in red.consent.items}
    texts = {"signer-name", "signer-place", "signer-date"}
    assert set(fields) == boxes | texts
    assert all(fields[b]["/FT"] == "/Btn" and fields[b].get("/V", "/Off") == "/Off" for b in boxes)
    assert all(fields[t]["/FT"] == "/Tx" and not fields[t].get("/V") for t in texts)
    # The signature box, on the page that also holds the return instructions.
    signing = next(page for page in pages if words["consent.signature"] in page)
    assert re.sub(r"\s+", " ", red.consent.return_by.get(lang)).split(".")[0] in signing
    # Withdrawal is explained before the signature; health data need explicit consent.
    assert text.index(words["consent.withdrawal_heading"]) < text.rindex(words["consent.signature"])
    assert ("Art. 9 Abs. 2" if lang == "de" else "Art. 9(2)") in text
    assert ("als Scan oder Foto per E-Mail" if lang == "de" else "as a scan or photo") in text
    # On paper the example banner speaks of a document, not a page.
    assert words["example_warning_document"].split(".")[0] in text
    assert words["example_warning"].split(".")[0] not in text
    assert reader.metadata is not None and str(reader.metadata.title).startswith(title)
    assert reader.metadata.author == controller


@pytest.mark.parametrize("lang", ["de", "en"])
def test_consent_page_says_how_to_sign_instead_of_offering_boxes(
    counselling_site: Path, lang: str
) -> None:
    words = labels(bundled_dir("templates"), lang)
    for page in (f"{lang}/consent/red-connect.html", f"{lang}/embed/red-connect-consent.html"):
        html = (counselling_site / page).read_text()
        assert "<input" not in html and "<form" not in html, page
        assert words["consent_document.how_to_sign_heading"] in html, page
    html = (counselling_site / lang / "consent" / "red-connect.html").read_text()
    assert words["consent_document.how_to_sign_pdf"] in html
    assert f'href="../../pdf/{lang}/red-connect-consent.pdf"' in html
    assert 'href="../providers/red-connect.html"' in html  # the notice it refers to
    notice = (counselling_site / lang / "providers" / "red-connect.html").read_text()
    assert "RED Medical Systems GmbH" in notice and "redmedical.de" in notice


def test_every_catalogue_entry_answers_the_criteria_or_says_unknown(tmp_path: Path) -> None:
    """Each entry states each criterion or leaves it null; the overview then says
    'unbekannt'/'unknown' for exactly those cells, never a guessed 'nein'/'no'."""
    files = bundled_dir("catalogue").glob("*.yaml")
    entries = {p.stem: yaml.safe_load(p.read_text()) for p in files}
    assert len(entries) == 11
    nulls = 0
    for entry_id, entry in entries.items():
        for key in CRITERIA:
            assert key in entry["features"], (entry_id, key)
        nulls += sum(entry["features"][key] is None for key in CRITERIA)
    assert all(entries["rooms-chat"]["features"][key] is None for key in CRITERIA)
    shown = {}
    for project in (ROOT, COUNSELLING):
        out = tmp_path / project.name / "preview"
        assert preview(project, out, today=TODAY).written
        for lang, unknown in (("de", "unbekannt"), ("en", "unknown")):
            names = {labels(bundled_dir("templates"), lang)[f"features.{k}"] for k in CRITERIA}
            overview = (out / lang / "index.html").read_text()
            table = overview.split('<table class="compare">')[1].split("</table>")[0]
            rows = re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', table)
            cells = [c for name, c in rows if name in names]
            assert len(cells) == len(CRITERIA), lang
            shown[project.name, lang] = sum(
                c.count(f'<span class="unknown">{unknown}</span>') for c in cells
            )
    assert shown[ROOT.name, "de"] == shown[ROOT.name, "en"]
    assert shown[COUNSELLING.name, "de"] == shown[COUNSELLING.name, "en"] > 0
    assert shown[ROOT.name, "de"] + shown[COUNSELLING.name, "de"] == nulls, (shown, nulls)


def test_the_readmes_first_command_publishes_red_connect(tmp_path: Path) -> None:
    """The README's first command, as written (after setup.sh), in a fresh copy of the
    repository's example projects: RED connect's notice and consent form in German and
    English, as pages and PDFs."""
    lines = (ROOT / "README.md").read_text().splitlines()
    first = lines[lines.index("```sh") + 1].split("#")[0]
    commands = [c.strip() for c in first.split("&&")]
    assert commands[0] == "bash setup.sh" and len(commands) == 3
    copy = tmp_path / "checkout"
    shutil.copytree(ROOT / "providers", copy / "providers")
    shutil.copy(ROOT / "dsgvo-gen.yaml", copy)
    shutil.copytree(COUNSELLING, copy / "examples" / "counselling",
                    ignore=shutil.ignore_patterns("site", "preview"))  # fmt: skip
    exe = str(Path(sys.executable).parent / "dsgvo-gen")
    for command in commands[1:]:
        args = shlex.split(command)
        assert args[0] == ".venv/bin/dsgvo-gen"
        done = subprocess.run([exe, *args[1:]], cwd=copy, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    site = copy / "examples" / "counselling" / "site"
    for lang in ("de", "en"):
        for page in (
            f"{lang}/providers/red-connect.html",
            f"{lang}/consent/red-connect.html",
            f"pdf/{lang}/red-connect-notice.pdf",
            f"pdf/{lang}/red-connect-consent.pdf",
        ):
            assert (site / page).is_file(), page
        assert 'href="consent/red-connect.html"' in (site / lang / "index.html").read_text()
    assert (copy / "site" / "pdf" / "de" / "zoom-notice.pdf").is_file()  # the first example too
