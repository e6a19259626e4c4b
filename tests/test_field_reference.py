"""docs/descriptor-reference.md is generated from the schema and kept in step by this test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dsgvo_gen.cli import main
from dsgvo_gen.field_reference import REGENERATE, field_reference_markdown, fields
from dsgvo_gen.resources import load_schema
from dsgvo_gen.schema import Kind, validator
from tests.conftest import ROOT

COMMITTED = ROOT / "docs" / "descriptor-reference.md"


def schema_paths(node: dict[str, Any], prefix: str = "") -> set[str]:
    """Every property path of a schema with its references inlined (as check validates it),
    found independently of field_reference."""
    paths = set()
    for key, prop in node.get("properties", {}).items():
        paths.add(prefix + key)
        if "properties" in prop:
            paths |= schema_paths(prop, f"{prefix}{key}.")
        items = prop.get("items", {})
        for branch in [items, *items.get("anyOf", [])]:
            if "properties" in branch:
                paths |= schema_paths(branch, f"{prefix}{key}[].")
    return paths


def test_the_committed_reference_is_up_to_date() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == field_reference_markdown(), (
        f"docs/descriptor-reference.md is out of date; regenerate it with: .venv/bin/{REGENERATE}"
    )


@pytest.mark.parametrize("kind", ["provider", "descriptor", "catalogue"])
def test_every_field_of_both_files_and_both_formats_is_listed(kind: Kind) -> None:
    listed = {f.path: f for f in fields(load_schema(kind), "", kind)}
    inlined = validator(kind).schema
    assert isinstance(inlined, dict)
    assert set(listed) == schema_paths(inlined)
    assert all(f.description and f.type for f in listed.values()), kind
    text = field_reference_markdown()
    assert f"schema `schema/{kind}.schema.json`" in text


def test_the_catalogue_and_format_2_reuse_the_descriptor_types() -> None:
    entry = {f.path: f for f in fields(load_schema("catalogue"), "", "catalogue")}
    assert entry["features.time_limit"].type == "duration or choice or null"
    assert entry["features.secret_link"].type == "true or false or null"
    assert entry["sources[].kind"].values == ("provider", "official", "third-party")
    assert entry["transfers[].mechanism"].values[:3] == ("adequacy", "eu-us-dpf", "swiss-us-dpf")
    descriptor = {f.path: f for f in fields(load_schema("descriptor"), "", "descriptor")}
    assert descriptor["processing.data"].type == "list of ids or mappings"
    assert descriptor["processing.retention[].catalogue"].type == "list of ids"
    assert descriptor["dpa.kept_at"].required and descriptor["role.assessment"].values[0] == (
        "processor"
    )


def test_every_schema_field_is_listed_with_its_type_and_values() -> None:
    listed = {f.path: f for f in fields()}
    inlined = validator("provider").schema
    assert isinstance(inlined, dict) and set(listed) == schema_paths(inlined)
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
