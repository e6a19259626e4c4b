"""`build`: the layout of DESIGN §8, refusal on findings, reproducible and escaped output."""

from __future__ import annotations

import html as html_module
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dsgvo_gen.builder import build
from dsgvo_gen.checker import check_project
from dsgvo_gen.cli import main
from dsgvo_gen.config import Config
from dsgvo_gen.evidence import DPF_MECHANISMS, dpf_evidence
from dsgvo_gen.i18n import labels
from dsgvo_gen.model import Provider
from dsgvo_gen.reference import reference
from dsgvo_gen.resources import bundled_dir
from tests.conftest import ROOT, TODAY, problems

EXPECTED = {
    ".dsgvo-gen-site",  # the marker that lets the next build recognise the folder as its own
    "index.html",
    "assets/style.css",
    "assets/embed.css",
    "assets/screen.css",
    *(f"{lang}/{page}" for lang in ("de", "en") for page in (
        "index.html", "notice.html", "providers/full-video.html", "consent/full-video.html",
        "embed/full-video.html", "embed/full-video-consent.html", "history/full-video.html")),
    *(f"pdf/{lang}/full-video-{kind}.pdf" for lang in ("de", "en") for kind in (
        "notice", "consent")),
}  # fmt: skip


def files_of(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_layout_and_every_page_in_every_language(project: Path) -> None:
    result = build(project, today=TODAY)
    assert result.written and not problems(result.report)
    site = files_of(project / "site")
    assert set(site) == EXPECTED
    for path, content in site.items():
        if not path.endswith(".html") or "/embed/" in path:  # fragments: tests/test_embed.py
            continue
        html = content.decode()
        lang = "de" if path == "index.html" else path.split("/")[0]
        assert f'<html lang="{lang}">' in html, path
        assert "Content-Security-Policy" in html and "default-src 'none'" in html, path
        assert "Test-Support GmbH" in html, path  # controller identity on every page
        assert "<script" not in html, path
        for url in re.findall(r'(?:src|href)="([^"]+)"', html):  # nothing loads from elsewhere
            if url.startswith(("http://", "https://", "mailto:")):
                assert re.search(r'<(a|link rel="canonical")[^>]*"' + re.escape(url), html), url
    switch = site["de/providers/full-video.html"].decode()
    assert 'href="../../en/providers/full-video.html" hreflang="en"' in switch
    assert 'href="../../pdf/de/full-video-notice.pdf"' in switch  # each page links its PDF
    consent = site["en/consent/full-video.html"].decode()
    assert 'href="../../pdf/en/full-video-consent.pdf"' in consent


def test_no_pdf_builds_pages_without_pdf_links(project: Path) -> None:
    result = build(project, today=TODAY, pdf=False)
    assert result.written and result.pdfs == 0
    site = files_of(project / "site")
    assert set(site) == {path for path in EXPECTED if not path.startswith("pdf/")}
    assert not any(b".pdf" in content for content in site.values())


def test_refused_build_leaves_the_old_site_untouched(project: Path) -> None:
    assert build(project, today=TODAY, pdf=False).written
    before = files_of(project / "site")
    descriptor = project / "providers" / "full-video.yaml"
    descriptor.write_text(
        descriptor.read_text().replace("legal_basis: [art6-1-f]", "legal_basis: []")
    )
    result = build(project, today=TODAY, pdf=False)
    assert not result.written
    assert [f.code for f in problems(result.report)] == ["DG303"]
    assert files_of(project / "site") == before


def test_same_input_same_bytes(project: Path, tmp_path: Path) -> None:
    first = build(project, tmp_path / "one", today=TODAY)
    second = build(project, tmp_path / "two", today=TODAY, cache=False)  # rendered afresh
    assert first.pdfs == second.rendered == 4
    assert files_of(tmp_path / "one") == files_of(tmp_path / "two")


@pytest.mark.parametrize("bug", [KeyError("a key our code forgot"), ValueError("our mistake")])
def test_a_bug_in_dsgvo_gen_is_not_reported_as_a_template_finding(
    project: Path, monkeypatch: pytest.MonkeyPatch, bug: Exception
) -> None:
    """Only template errors are the user's to fix (DG111); our own bugs must surface."""
    from dsgvo_gen import render

    def broken(*args: object, **kwargs: object) -> str:
        raise bug

    monkeypatch.setattr(render, "document_date", broken)
    with pytest.raises(type(bug)):
        build(project, today=TODAY)
    assert not (project / "site").exists()


@pytest.mark.parametrize(
    "payload",
    ["<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "[klick](javascript:alert(1))"],
)
def test_hostile_text_is_escaped(project: Path, payload: str) -> None:
    descriptor = project / "providers" / "full-video.yaml"
    text = descriptor.read_text().replace(
        "text: {de: Videoberatung, en: Video counselling}",
        f"text: {{de: '{payload}', en: '{payload}'}}",
    )
    descriptor.write_text(text)
    assert build(project, today=TODAY, pdf=False).written
    html = (project / "site" / "de" / "providers" / "full-video.html").read_text()
    assert "<script>alert" not in html and "<img" not in html
    assert 'href="javascript:' not in html
    assert "alert(1)" in html  # shown as text, not dropped silently


def test_cli_build_and_refusal(project: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(
        main, ["--project", str(project), "build", "--no-pdf", "--today", "2026-11-21"]
    )
    assert ok.exit_code == 0 and "wrote 18 pages and assets to" in ok.output
    (project / "providers" / "full-video.yaml").write_text("id: [\n")
    bad = runner.invoke(
        main, ["--project", str(project), "build", "--no-pdf", "--today", "2026-11-21"]
    )
    assert bad.exit_code == 1
    assert "DG102" in bad.output and "build refused" in bad.output
    assert "Traceback" not in bad.output


def test_unwritable_output_is_a_finding(project: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = build(project, blocker / "site", today=TODAY, pdf=False)
    assert not result.written and [f.code for f in problems(result.report)] == ["DG112"]


def test_broken_project_template_is_a_finding(project: Path) -> None:
    shutil.copytree(bundled_dir("templates"), project / "templates")
    (project / "templates" / "notice.html").write_text(
        "{% extends 'base.html' %}\n{% block main %}{{ x\n"
    )
    result = build(project, today=TODAY, pdf=False)
    assert not result.written
    (finding,) = problems(result.report)
    assert finding.code == "DG111" and finding.path.endswith("notice.html")


def test_label_catalogues_have_the_same_keys() -> None:
    def keys(node: object, prefix: str = "") -> set[str]:
        if isinstance(node, dict):
            return {k for key, v in node.items() for k in keys(v, f"{prefix}{key}.")}
        return {prefix.rstrip(".")}

    templates = bundled_dir("templates")
    assert keys(labels(templates, "de").data) == keys(labels(templates, "en").data)


def art_13_missing(
    text: str, config: Config, p: Provider, lang: str, *, page: bool = True
) -> list[str]:
    """What of the Art. 13(1) and (2) checklist a notice's text (tags stripped) lacks; a
    fragment (`page=False`) lives on the controller's own site, whose footer has the imprint."""
    words = labels(bundled_dir("templates"), lang)
    authority = reference().authorities[config.jurisdiction]
    must = [config.controller.name, config.controller.email,
            authority.name.get(lang), authority.address,
            *(words[f"section.{name}"] for name in (
                "purposes", "recipients", "transfers", "retention", "provision",
                "automated", "objection", "complaint")),
            words.text("stand", date=words.date(p.reviewed_on))]  # fmt: skip
    must += [words[f"legal_basis.{b}.cite"] for x in p.processing.purposes for b in x.legal_basis]
    must += [words[f"rights.{r}.cite"] for r in ("access", "rectification", "erasure",
                                               "restriction", "portability")]  # fmt: skip
    must += [r.name for r in p.processing.recipients]
    must += [t.recipient for t in p.processing.transfers]
    must += [words[f"provision_obligation.{p.processing.provision.obligation}"]]
    must += [words["set_by_" + retention.set_by] for retention in p.processing.retention]
    # The imprint link, labelled by the controller's law (§ 5 DDG; § 5 ECG, § 25 MedienG).
    if page and config.imprint_url:
        must += [words[f"imprint_by_country.{config.controller.country}"]]
    # A DPF certification is worded by its evidence: checked on the list, or attributed.
    for t in p.processing.transfers:
        if t.mechanism in DPF_MECHANISMS:
            evidence = dpf_evidence(t, p.sources)
            if evidence.attributed:
                must += [words.cited(evidence.statements), "nicht selbst geprüft" if lang == "de"
                         else "We have not checked the entry"]  # fmt: skip
            else:
                assert t.dpf_checked_on is not None
                must += [words.date(t.dpf_checked_on)]
    # What the sources leave open is said, not hidden (DESIGN §4b).
    if any(part.unconfirmed for part in p.sourced()):
        must += [words["evidence.unconfirmed"]]
    # An entry that says itself what is unclear about its transfers says it in its own words;
    # for our own processor the notice points to our agreement with it instead (Art. 28).
    unclear = p.processing.transfers_unclear
    processor = p.operator.role == "processor"
    must += [
        words[f"evidence.{m.field}_processor"]
        if processor
        else " ".join(unclear.get(lang).split()[:8])
        if m.field == "transfers" and unclear is not None
        else words[f"evidence.{m.field}_unconfirmed"]
        for m in p.unconfirmed
    ]
    # Who is responsible for what, in plain words (Art. 12(1), 13(1)(a) GDPR; issue 14 item 3).
    names = {"controller": config.controller.name, "operator": p.operator.legal_name or "",
             "provider": p.name.get(lang)}  # fmt: skip
    must += [words.text(f"responsibility.{p.operator.role}", **names), words["summary.heading"]]
    missing = [needle for needle in must if needle not in text]
    return missing + [leak for leak in ("None", "{") if leak in text]


def plain_text(html: str) -> str:
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_every_shipped_notice_has_every_art_13_element(tmp_path: Path) -> None:
    """The checklist: each notice names what Art. 13(1) and (2) require, in both languages."""
    project = check_project(ROOT, today=TODAY)
    assert project.config is not None
    result = build(ROOT, tmp_path / "site", today=TODAY, pdf=False)
    assert result.written
    for lang in project.config.languages:
        for p in project.providers:
            html = (tmp_path / "site" / lang / "providers" / f"{p.id}.html").read_text()
            assert art_13_missing(plain_text(html), project.config, p, lang) == [], (lang, p.id)


def test_published_site_needs_no_scripts_styles_or_directory_listings(tmp_path: Path) -> None:
    """What a web server must serve: files only, no inline code, external links without opener."""
    from tests.test_fuzz_render import elements

    site = tmp_path / "site"
    assert build(ROOT, site, today=TODAY, pdf=False).written
    for page in site.rglob("*.html"):
        html = page.read_text()
        csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
        if page.parent.name != "embed":  # a fragment has no head: the host page's policy rules
            assert csp and "default-src 'none'" in csp.group(1)
            assert "script-src" not in csp.group(1)
        for tag, attrs in elements(html):
            assert tag != "script" and "style" not in attrs, (page.name, tag)
            assert not any(name.startswith("on") for name in attrs), (page.name, attrs)
            href = attrs.get("href") or ""
            if href.startswith(("http://", "https://")):
                assert tag != "a" or "noopener" in (attrs.get("rel") or ""), (page.name, href)
            elif href and not href.startswith(("mailto:", "#")) and href != "data:,":
                # (data:, is the empty icon: nothing to fetch)
                target = (page.parent / href.split("#")[0]).resolve()
                assert target.is_file(), (page.name, href)  # a file, never a folder to list


def test_an_unstated_feature_is_published_as_unknown_never_as_no(project: Path) -> None:
    descriptor = project / "providers" / "full-video.yaml"
    text = descriptor.read_text()
    for line in ("  transport_encryption: true\n", "  end_to_end_encryption: always\n",
                 "  time_limit: PT1H\n"):  # fmt: skip
        key = line.split(":")[0]
        text = text.replace(line, f"{key}: null\n")
    descriptor.write_text(text)
    result = build(project, today=TODAY, pdf=False)
    assert result.written and {f.code for f in problems(result.report)} == {"DG520"}
    for lang, unknown, no in (("de", "unbekannt", "nein"), ("en", "unknown", "no")):
        notice = (project / "site" / lang / "providers" / "full-video.html").read_text()
        for label in ("transport_encryption", "end_to_end_encryption", "time_limit"):
            said = f"{labels(bundled_dir('templates'), lang)['features.' + label]}: "
            assert f"{said}{unknown}" in notice and f"{said}{no}" not in notice, label
        overview = (project / "site" / lang / "index.html").read_text()
        assert overview.count(f'<span class="unknown">{unknown}</span>') == 3  # marked


def test_a_page_states_its_review_date_once(project: Path) -> None:
    assert build(project, today=TODAY, pdf=False).written
    for lang in ("de", "en"):
        stand = labels(bundled_dir("templates"), lang).text("stand", date="").strip()
        for page in ("providers/full-video.html", "consent/full-video.html", "index.html"):
            html = (project / "site" / lang / page).read_text()
            assert html.count(stand) == 1, (lang, page)


@pytest.mark.parametrize("stated", [False, True])
def test_without_a_dpo_a_notice_gives_a_reason_only_where_the_config_states_it(
    project: Path, stated: bool
) -> None:
    """`dpo: null` alone says that none is designated; that the law does not require one
    is the controller's statement (dpo_not_required: true), never the tool's."""
    config = project / "dsgvo-gen.yaml"
    text = config.read_text()
    start, end = text.index("dpo:\n"), text.index("representative:")
    config.write_text(
        text[:start] + "dpo: null\n" + ("dpo_not_required: true\n" if stated else "") + text[end:]
    )
    result = build(project, today=TODAY, pdf=False)
    assert result.written, result.report.sorted()
    for lang, neutral, reason in (
        ("de", "Wir haben keine Datenschutzbeauftragte oder keinen Datenschutzbeauftragten "
               "benannt.", "weil wir dazu gesetzlich nicht verpflichtet sind"),
        ("en", "We have not designated a data protection officer.",
               "because the law does not require us to"),
    ):  # fmt: skip
        for page in ("providers/full-video.html", "embed/full-video.html", "notice.html"):
            html = (project / "site" / lang / page).read_text()
            assert (reason in html) is stated, (lang, page)
            assert (neutral in html) is not stated, (lang, page)


def test_landing_and_overview_speak_of_consent_forms_only_where_there_are_some(
    project: Path, tmp_path: Path
) -> None:
    """An IT-support firm without consent forms once read of "Onlineberatung" and of
    "die zugehörigen Einwilligungserklärungen" on its own site."""
    shipped = tmp_path / "shipped"  # seven providers, none with a consent form
    assert build(ROOT, shipped, today=TODAY, pdf=False).written
    assert build(project, today=TODAY, pdf=False).written  # the fixture has one
    for site, has_forms in ((shipped, False), (project / "site", True)):
        for lang, consent, counselling in (
            ("de", "Einwilligungserklärung", "beratung"),
            ("en", "declaration of consent", "counselling"),
        ):
            for page in (f"{lang}/index.html", "index.html"):
                if page == "index.html" and lang == "en":
                    continue  # the landing page is in the default language
                html = (site / page).read_text().replace("\u00ad", "")
                # the built-in texts: the title and the lead; the table below names forms
                said = re.findall(r"<h1>(.*?)</h1>|<p class=\"lead\">(.*?)</p>", html)
                text = " ".join("".join(match) for match in said).lower()
                assert (consent.lower() in text) is has_forms, (site, page, text)
                assert counselling not in text, (site, page, text)
            table = (site / lang / "index.html").read_text().split('<table class="providers">')[1]
            assert (consent.lower() in table.lower().replace("\u00ad", "")) is has_forms
