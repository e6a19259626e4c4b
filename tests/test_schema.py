from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft7Validator

from dsgvo_gen.resources import bundled_dir


def schemas() -> list[str]:
    return ["provider", "config"]


def walk(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{path}/{index}")


@pytest.mark.parametrize("name", schemas())
def test_schema_is_valid_draft_07(name: str) -> None:
    schema = json.loads((bundled_dir("schema") / f"{name}.schema.json").read_text())
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    Draft7Validator.check_schema(schema)


@pytest.mark.parametrize("name", schemas())
def test_every_property_is_described_and_closed(name: str) -> None:
    schema = json.loads((bundled_dir("schema") / f"{name}.schema.json").read_text())
    for path, node in walk(schema):
        for key, prop in node.get("properties", {}).items():
            if isinstance(prop, dict):
                assert prop.get("description"), f"{path}/properties/{key} has no description"
        if "object" in (node.get("type") or []) or node.get("type") == "object":
            assert node.get("additionalProperties") is False, f"{path} is open"


@pytest.mark.parametrize("name", schemas())
def test_patterns_avoid_backslash_w(name: str) -> None:
    """check-jsonschema (JS regex) and Python's re disagree on \\w for non-ASCII letters."""
    text = (bundled_dir("schema") / f"{name}.schema.json").read_text()
    assert "\\\\w" not in text and "\\\\d" not in text
