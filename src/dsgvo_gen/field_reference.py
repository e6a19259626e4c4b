"""The field reference: every field of the descriptor and catalogue schemas as Markdown.

Generated, never written by hand, so it cannot drift from the schemas:
`dsgvo-gen field-reference --out docs/descriptor-reference.md` regenerates the
committed copy, and a test fails when that copy is out of date. It covers the
format 2 descriptor, the catalogue entry and the format 1 descriptor, following
the references by which the first two reuse the descriptor schema's definitions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from dsgvo_gen.resources import load_schema

REGENERATE = "dsgvo-gen field-reference --out docs/descriptor-reference.md"

#: The documents, in the order of the page: schema name, heading, file, introduction.
DOCUMENTS = (
    ("descriptor", "Descriptor, format 2", "providers/<id>.yaml",
     "One controller's use of one service: its own decisions. The facts come from the "
     "catalogue entry it names with `uses:`."),
    ("catalogue", "Catalogue entry", "catalogue/<id>.yaml",
     "Sourced facts about one service, shared by every project that uses it: bundled with "
     "dsgvo-gen, in a project's `catalogue/`, or in a folder the config names."),
    ("provider", "Descriptor, format 1", "providers/<id>.yaml",
     "Facts and decisions in one file, as before format 2; it keeps working, and "
     "`dsgvo-gen migrate` splits it into a catalogue entry and a format 2 descriptor."),
)  # fmt: skip

# The descriptor schema's named value types, in the words the README uses.
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


def _follow(node: dict[str, Any], base: str) -> tuple[dict[str, Any], str, str | None]:
    """Where a `$ref` leads: the node, its schema, and the name of a descriptor-schema value
    type (`text`, `id`, ...) when it is one of those; the node itself without a `$ref`."""
    ref = node.get("$ref", "")
    if "#/" not in ref:
        return node, base, None
    document, _, pointer = ref.partition("#")
    schema = document.removesuffix(".schema.json") or base
    target: Any = load_schema(schema)
    for part in pointer.strip("/").split("/"):
        target = target[part]
    named = pointer.removeprefix("/definitions/")
    value_type = named if schema == "provider" and named in _TYPE_NAMES else None
    return target, schema, value_type


def _resolved(node: dict[str, Any], base: str) -> tuple[dict[str, Any], str]:
    """The node with its references followed; the first description on the way wins."""
    description = node.get("description")
    while "$ref" in node:
        node, base, _ = _follow(node, base)
        description = description or node.get("description")
    return {**node, "description": description or ""}, base


def _type(node: dict[str, Any], base: str) -> str:
    target, schema, value_type = _follow(node, base)
    if value_type:
        return _TYPE_NAMES[value_type]
    if target is not node:
        return _type(target, schema)
    if "anyOf" in node:
        return " or ".join(_type(branch, base) for branch in node["anyOf"])
    types = node.get("type", [])
    kinds = [types] if isinstance(types, str) else list(types)
    words = []
    for kind in kinds:
        if kind == "array" and "items" in node:
            kinds_of_item = dict.fromkeys(_type(node["items"], base).split(" or "))
            words.append(f"list of {' or '.join(_PLURALS.get(k, k) for k in kinds_of_item)}")
        elif kind == "string" and "enum" in node:
            words.append("choice")
        else:
            words.append(_JSON_TYPES.get(kind, kind))
    return " or ".join(words)


def _values(node: dict[str, Any], base: str) -> tuple[str, ...]:
    node, base = _resolved(node, base)
    if "enum" in node:
        return tuple(str(v) for v in node["enum"] if v is not None)
    if "anyOf" in node:
        return tuple(v for branch in node["anyOf"] for v in _values(branch, base))
    items = node.get("items")
    if isinstance(items, dict):
        return _values(items, base)
    return ()


def _mappings(node: dict[str, Any], base: str) -> list[tuple[dict[str, Any], str]]:
    """The mappings a node may be: itself, or each branch of an `anyOf` that has keys."""
    node, base = _resolved(node, base)
    if "properties" in node:
        return [(node, base)]
    return [m for branch in node.get("anyOf", ()) for m in _mappings(branch, base)]


def _children(node: dict[str, Any], base: str) -> tuple[list[tuple[dict[str, Any], str]], str]:
    """The mappings below a field, and the path suffix that leads there ('.' or '[].')."""
    items = node.get("items")
    if isinstance(items, dict) and (below := _mappings(items, base)):
        return below, "[]."
    return ([(node, base)], ".") if "properties" in node else ([], "")


def fields(
    node: dict[str, Any] | None = None, prefix: str = "", base: str = "provider"
) -> Iterator[Field]:
    """Every field of a schema (default: the format 1 descriptor's), depth first, in schema
    order; a key in two branches of an `anyOf` is listed once."""
    if node is None:
        node = load_schema(base)
    required = set(node.get("required", ()))
    for key, prop in node.get("properties", {}).items():
        resolved, schema = _resolved(prop, base)
        path = f"{prefix}{key}"
        yield Field(path, _type(prop, base), key in required, _values(prop, base),
                    resolved["description"])  # fmt: skip
        below, joint = _children(resolved, schema)
        seen: set[str] = set()
        for child, child_base in below:
            for field in fields(child, path + joint, child_base):
                if field.path not in seen:
                    seen.add(field.path)
                    yield field


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


def _document(name: str, heading: str, file: str, intro: str) -> list[str]:
    schema = load_schema(name)
    all_fields = list(fields(schema, "", name))
    top = [f for f in all_fields if _section(f.path) == f.path]
    nested = {_section(f.path) for f in all_fields if f not in top}
    lines = [f"## {heading}", "", f"`{file}`, schema `schema/{name}.schema.json`. {intro}", "",
             "### Top level", "", *_table(top)]  # fmt: skip
    for section in (f.path for f in top if f.path in nested):
        rows = [f for f in all_fields if _section(f.path) == section]
        lines += ["", f"### `{section}`", "", *_table(rows)]
    return lines


def field_reference_markdown() -> str:
    """The whole reference page, from the bundled schemas."""
    definitions = load_schema("provider")["definitions"]
    lines = [
        "# Field reference: descriptors and catalogue entries",
        "",
        f"<!-- generated from schema/*.schema.json by `{REGENERATE}`; do not edit -->",
        "",
        "A provider is described in two files with different owners: a **catalogue entry** "
        "holds the sourced facts about a service, a **descriptor** holds one controller's "
        "decisions about using it and names the entry with `uses:`. A format 1 descriptor "
        "holds both. *Required* means the key must be present (in its parent, where the "
        "parent is present); where the type allows null, `null` is a value. A path `a[].b` is "
        "the key `b` in every entry of the list `a`. Which facts and decisions the GDPR asks "
        "for in which case (a DPA record for a processor, a transfer entry outside the EU/EEA, "
        "...) is checked by `dsgvo-gen check`; see the rule table in the README.",
        "",
        "## Value types",
        "",
        "| type | meaning |",
        "|---|---|",
        *(f"| {_TYPE_NAMES[name]} | {_cell(definitions[name]['description'])} |"
          for name in _TYPE_NAMES if not name.endswith("_nullable")),
    ]  # fmt: skip
    for document in DOCUMENTS:
        lines += ["", *_document(*document)]
    return "\n".join(lines) + "\n"
