"""docs/descriptor-reference.md is generated from the schema and kept in step by this test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from dsgvo_gen.cli import main
from dsgvo_gen.field_reference import REGENERATE, field_reference_markdown, fields
from dsgvo_gen.resources import load_schema
from tests.conftest import ROOT

COMMITTED = ROOT / "docs" / "descriptor-reference.md"


def schema_paths(node: dict[str, Any], prefix: str = "") -> set[str]:
    """Every property path of the schema, found independently of field_reference."""
    definitions = load_schema("provider")["definitions"]
    paths = set()
    for key, prop in node.get("properties", {}).items():
        ref = prop.get("$ref", "").removeprefix("#/definitions/")
        prop = definitions.get(ref, prop) if ref else prop
        paths.add(prefix + key)
        if "properties" in prop:
            paths |= schema_paths(prop, f"{prefix}{key}.")
        if "properties" in prop.get("items", {}):
            paths |= schema_paths(prop["items"], f"{prefix}{key}[].")
    return paths


def test_the_committed_reference_is_up_to_date() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == field_reference_markdown(), (
        f"docs/descriptor-reference.md is out of date; regenerate it with: .venv/bin/{REGENERATE}"
    )


def test_every_schema_field_is_listed_with_its_type_and_values() -> None:
    listed = {f.path: f for f in fields()}
    assert set(listed) == schema_paths(load_schema("provider"))
    assert listed["operator.role"].values == ("processor", "independent-controller",
                                              "joint-controller", "self")  # fmt: skip
    assert listed["processing.purposes[].legal_basis"].type == "list of legal bases"
    assert "art6-1-f" in listed["processing.purposes[].legal_basis"].values
    dpa_url = listed["operator.dpa_url"]
    assert dpa_url.type == "URL or null" and not dpa_url.required
    assert listed["consent"].required and listed["consent.items[].id"].required
    text = field_reference_markdown()
    assert all(f"| `{path}` |" in text for path in listed)


def test_the_hidden_command_prints_the_reference() -> None:
    result = CliRunner().invoke(main, ["field-reference"], catch_exceptions=False)
    assert result.exit_code == 0 and result.output == field_reference_markdown()
    assert "field-reference" not in CliRunner().invoke(main, ["--help"]).output


def test_the_readme_links_the_reference() -> None:
    assert "](docs/descriptor-reference.md)" in (ROOT / "README.md").read_text()


def test_an_unwritable_target_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    out = tmp_path / "no" / "such" / "folder" / "reference.md"
    result = CliRunner().invoke(main, ["field-reference", "--out", str(out)])
    assert result.exit_code == 1 and "cannot write" in result.output


def test_field_reference_out_writes_through_no_link(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("mine")
    (tmp_path / "fl").symlink_to(victim)
    result = CliRunner().invoke(main, ["field-reference", "--out", str(tmp_path / "fl")])
    assert result.exit_code == 1 and "symbolic link" in result.output, result.output
    assert victim.read_text() == "mine" and (tmp_path / "fl").is_symlink()
