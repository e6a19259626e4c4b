"""The descriptor field reference: every field of the provider schema as Markdown.

Generated, never written by hand, so it cannot drift from the schema:
`dsgvo-gen field-reference --out docs/descriptor-reference.md` regenerates the
committed copy, and a test fails when that copy is out of date.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from dsgvo_gen.resources import load_schema

REGENERATE = "dsgvo-gen field-reference --out docs/descriptor-reference.md"

# The schema's named value types, in the words the README uses.
_TYPE_NAMES = {
    "text": "localized text",
    "text_nullable": "localized text or null",
    "id": "id",
    "date": "date",
    "duration": "duration",
    "url": "URL",
    "country": "country code",
    "source_ref": "source id(s)",
    "legal_basis": "legal basis",
}
_PLURALS = {"mapping": "mappings", "id": "ids", "legal basis": "legal bases"}
_JSON_TYPES = {
    "string": "text",
    "integer": "whole number",
    "boolean": "true or false",
    "object": "mapping",
    "array": "list",
    "null": "null",
}


@dataclass(frozen=True)
class Field:
    path: str
    type: str
    required: bool
    values: tuple[str, ...]
    description: str


def _definition(node: dict[str, Any]) -> str | None:
    ref = node.get("$ref", "")
    return ref.removeprefix("#/definitions/") if ref.startswith("#/definitions/") else None


def _resolved(node: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """The node with its `$ref` followed; the node's own description wins."""
    name = _definition(node)
    return {**definitions[name], **node} if name else node


def _type(node: dict[str, Any], definitions: dict[str, Any]) -> str:
    name = _definition(node)
    if name:
        return _TYPE_NAMES.get(name) or _type(definitions[name], definitions)
    if "anyOf" in node:
        return " or ".join(_type(branch, definitions) for branch in node["anyOf"])
    types = node.get("type", [])
    kinds = [types] if isinstance(types, str) else list(types)
    words = []
    for kind in kinds:
        if kind == "array" and "items" in node:
            item = _type(node["items"], definitions)
            words.append(f"list of {_PLURALS.get(item, item)}")
        elif kind == "string" and "enum" in node:
            words.append("choice")
        else:
            words.append(_JSON_TYPES.get(kind, kind))
    return " or ".join(words)


def _values(node: dict[str, Any], definitions: dict[str, Any]) -> tuple[str, ...]:
    node = _resolved(node, definitions)
    if "enum" in node:
        return tuple(str(v) for v in node["enum"] if v is not None)
    if "anyOf" in node:
        return tuple(v for branch in node["anyOf"] for v in _values(branch, definitions))
    items = node.get("items")
    if isinstance(items, dict):
        return _values(items, definitions)
    return ()


def _children(node: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The mapping below a field, and the path suffix that leads there ('.' or '[].')."""
    items = node.get("items")
    if isinstance(items, dict) and "properties" in items:
        return items, "[]."
    if "properties" in node:
        return node, "."
    return None, ""


def fields(
    node: dict[str, Any] | None = None, prefix: str = "", definitions: dict[str, Any] | None = None
) -> Iterator[Field]:
    """Every field of the provider schema (or of `node`), depth first, in schema order."""
    if node is None:
        node = load_schema("provider")
    if definitions is None:
        definitions = node.get("definitions", {})
    required = set(node.get("required", ()))
    for key, prop in node.get("properties", {}).items():
        resolved = _resolved(prop, definitions)
        path = f"{prefix}{key}"
        yield Field(path, _type(prop, definitions), key in required,
                    _values(prop, definitions), resolved.get("description", ""))  # fmt: skip
        child, joint = _children(resolved)
        if child is not None:
            yield from fields(child, path + joint, definitions)


def _section(path: str) -> str:
    """The top-level key a field belongs to."""
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _table(rows: list[Field]) -> list[str]:
    lines = ["| field | type | required | allowed values | description |", "|---|---|---|---|---|"]
    for f in rows:
        values = ", ".join(f"`{v}`" for v in f.values)
        lines.append(f"| `{f.path}` | {_cell(f.type)} | {'yes' if f.required else 'no'} | "
                     f"{values} | {_cell(f.description)} |")  # fmt: skip
    return lines


def field_reference_markdown() -> str:
    """The whole reference page, from the bundled provider schema."""
    schema = load_schema("provider")
    all_fields = list(fields(schema))
    top = [f for f in all_fields if _section(f.path) == f.path]
    nested = {_section(f.path) for f in all_fields if f not in top}
    lines = [
        "# Descriptor field reference",
        "",
        f"<!-- generated from schema/provider.schema.json by `{REGENERATE}`; do not edit -->",
        "",
        f"{schema['description']} One file per provider: `providers/<id>.yaml`, format "
        "version 1. *Required* means the key must be present (in its parent, where the "
        "parent is present); where the type allows null, `null` is a value. A path "
        "`a[].b` is the key `b` in every entry of the list `a`. Which facts the GDPR asks "
        "for in which case (a DPA for a processor, a transfer entry outside the EU/EEA, "
        "...) is checked by `dsgvo-gen check`; see the rule table in the README.",
        "",
        "## Value types",
        "",
        "| type | meaning |",
        "|---|---|",
        *(f"| {_TYPE_NAMES[name]} | {_cell(schema['definitions'][name]['description'])} |"
          for name in _TYPE_NAMES if not name.endswith("_nullable")),
        "",
        "## Top level",
        "",
        *_table(top),
    ]  # fmt: skip
    for section in (f.path for f in top if f.path in nested):
        rows = [f for f in all_fields if _section(f.path) == section]
        lines += ["", f"## `{section}`", "", *_table(rows)]
    return "\n".join(lines) + "\n"
