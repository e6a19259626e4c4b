from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from dsgvo_gen.resources import bundled_dir, load_schema
from tests.conftest import DATA, FIXTURE_PROJECT, TODAY

FULL_VIDEO = DATA / "providers" / "valid" / "full-video.yaml"


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


# --- every pattern matches the whole value --------------------------------------------------
# JSON Schema patterns are ECMA-262 regular expressions, where `$` is the end of the value;
# in Python's `re`, which jsonschema uses, `$` also matches before a final newline.


def patterned_nodes(name: str) -> list[tuple[str, str]]:
    """(path, pattern) of every `pattern` and `patternProperties` key, as written."""
    schema = json.loads((bundled_dir("schema") / f"{name}.schema.json").read_text())
    found = []
    for path, node in walk(schema):
        if isinstance(node.get("pattern"), str):
            found.append((path, node["pattern"]))
        found += [(f"{path}/patternProperties", key) for key in node.get("patternProperties", {})]
    return found


@pytest.mark.parametrize("name", schemas())
def test_every_pattern_is_anchored_at_both_ends(name: str) -> None:
    for path, pattern in patterned_nodes(name):
        assert pattern.startswith("^") and pattern.endswith("$"), (path, pattern)


def _validator_nodes(name: str) -> list[dict[str, Any]]:
    from dsgvo_gen.schema import validator

    schema = validator(name).schema
    return [node for _, node in walk(schema) if isinstance(node.get("pattern"), str)]


@pytest.mark.parametrize("name", schemas())
@settings(max_examples=20, deadline=None, derandomize=True)
@given(data=st.data())
def test_no_pattern_accepts_a_value_with_a_trailing_newline(name: str, data: st.DataObject) -> None:
    from dsgvo_gen.schema import validator

    checker = validator(name)
    for node in _validator_nodes(name):
        ecma = node["pattern"].replace("\\Z", "$")  # the pattern as the schema file writes it
        value = data.draw(st.from_regex(ecma, fullmatch=True).filter(lambda v: "\n" not in v))
        string_node = {"type": "string", "pattern": node["pattern"]}
        assert not list(checker.evolve(schema=string_node).iter_errors(value)), (node, value)
        errors = list(checker.evolve(schema=string_node).iter_errors(value + "\n"))
        assert errors, (node["pattern"], value + "\n")


NEWLINE_CASES = [  # (file, path in the document, value): each must be a DG205 finding
    ("provider", ("processing", "retention", 0, "period"), "P30D\n"),
    ("provider", ("features", "time_limit"), "PT40M\n"),
    ("provider", ("id",), "full-video\n"),
    ("provider", ("processing", "data", 0, "id"), "evil\n"),
    ("provider", ("sources", 0, "accessed_on"), "2026-10-01\n"),
    ("provider", ("operator", "country"), "DE\n"),
    ("provider", ("service_url",), "https://video.example/\n"),
    ("config", ("review_max_age",), "P12M\n"),
    ("config", ("languages", 1), "en\n"),
    ("config", ("providers",), "all\n"),
]


@pytest.mark.parametrize(("kind", "at", "value"), NEWLINE_CASES, ids=lambda v: repr(v))
def test_a_trailing_newline_is_a_format_finding_not_a_traceback(
    project: Path, kind: str, at: tuple[str | int, ...], value: str
) -> None:
    import yaml

    from dsgvo_gen.checker import check

    path = project / ("dsgvo-gen.yaml" if kind == "config" else "providers/full-video.yaml")
    data = yaml.safe_load(path.read_text())
    node = data
    for part in at[:-1]:
        node = node[part]
    node[at[-1]] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    report = check(project, today=TODAY)
    assert "DG205" in {f.code for f in report.findings}, report.sorted()


DURATION = load_schema("provider")["definitions"]["duration"]["pattern"]
DATE = load_schema("provider")["definitions"]["date"]["pattern"]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    period=st.from_regex(DURATION),  # Python's re.search, as jsonschema matches: any surroundings
    limit=st.from_regex(DURATION) | st.none(),
    review=st.from_regex(load_schema("config")["properties"]["review_max_age"]["pattern"]),
    day=st.from_regex(DATE),
)
def test_models_never_raise_on_values_the_schema_accepts(
    period: str, limit: str | None, review: str, day: str
) -> None:
    from dsgvo_gen.config import build_config
    from dsgvo_gen.loader import load_file
    from dsgvo_gen.parts import build_provider
    from dsgvo_gen.schema import validate

    doc, _ = load_file(FULL_VIDEO, FULL_VIDEO.name)
    config, _ = load_file(FIXTURE_PROJECT / "dsgvo-gen.yaml", "dsgvo-gen.yaml")
    assert doc is not None and config is not None
    doc.data["processing"]["retention"][0]["period"] = period
    doc.data["features"]["time_limit"] = limit
    doc.data["reviewed_on"] = day
    config.data["review_max_age"] = review
    if not validate(doc, "provider"):
        build_provider(doc.data, "full-video.yaml")
    if not validate(config, "config"):
        build_config(config.data, "dsgvo-gen.yaml")
