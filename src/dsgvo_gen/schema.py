"""JSON Schema validation whose errors become findings at the offending YAML line.

An omitted key that an Art. 13 element depends on is reported with that
element's DG3xx code and article rather than as a bare schema error, because the
user needs to know which duty is unmet, not which keyword failed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any, Literal

from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from dsgvo_gen.findings import Finding, quote
from dsgvo_gen.hints import as_list, country_code, did_you_mean, not_allowed_hint
from dsgvo_gen.loader import Document, JsonPath
from dsgvo_gen.resources import load_schema

#: provider: a descriptor in format 1; descriptor: format 2; catalogue: a catalogue entry.
Kind = Literal["provider", "descriptor", "catalogue", "config"]

# (kind, parent path with list indexes as "*", missing key) -> rule code
_REQUIRED_DUTIES: dict[tuple[Kind, tuple[str, ...], str], str] = {
    ("config", (), "controller"): "DG301",
    ("config", ("controller",), "name"): "DG301",
    ("config", ("controller",), "address"): "DG301",
    ("config", ("controller",), "email"): "DG301",
    ("config", (), "dpo"): "DG302",
    ("config", (), "representative"): "DG311",
    ("catalogue", (), "recipients"): "DG305",
    ("catalogue", (), "transfers"): "DG306",
    ("catalogue", (), "retention"): "DG307",
    ("provider", ("processing",), "purposes"): "DG303",
    ("provider", ("processing", "purposes", "*"), "legal_basis"): "DG303",
    ("provider", ("processing", "purposes", "*"), "legitimate_interest"): "DG304",
    ("provider", ("processing",), "recipients"): "DG305",
    ("provider", ("processing",), "transfers"): "DG306",
    ("provider", ("processing",), "retention"): "DG307",
    ("provider", ("processing",), "provision"): "DG308",
    ("provider", ("processing", "provision"), "obligation"): "DG308",
    ("provider", ("processing", "provision"), "consequence"): "DG308",
    ("provider", ("processing",), "automated_decisions"): "DG309",
    ("provider", ("consent",), "withdrawal"): "DG310",
    ("descriptor", ("processing",), "purposes"): "DG303",
    ("descriptor", ("processing", "purposes", "*"), "legal_basis"): "DG303",
    ("descriptor", ("processing", "purposes", "*"), "legitimate_interest"): "DG304",
    ("descriptor", ("processing",), "recipients"): "DG305",
    ("descriptor", ("processing",), "transfers"): "DG306",
    ("descriptor", ("processing",), "retention"): "DG307",
    ("descriptor", ("processing",), "provision"): "DG308",
    ("descriptor", ("processing", "provision"), "obligation"): "DG308",
    ("descriptor", ("processing", "provision"), "consequence"): "DG308",
    ("descriptor", ("processing",), "automated_decisions"): "DG309",
    ("descriptor", ("consent",), "withdrawal"): "DG310",
}

_TYPE_WORDS = {
    "string": "text",
    "object": "a mapping of keys",
    "array": "a list",
    "boolean": "true or false",
    "integer": "a whole number",
    "null": "null",
    "number": "a number",
}


def _pointer(schema: dict[str, Any], pointer: str) -> Any:
    node: Any = schema
    for part in pointer.strip("/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def python_regex(pattern: str) -> str:
    """A schema pattern (ECMA-262, where `$` is the end of the value) for Python's `re`,
    where `$` also matches before a final newline: every `$` outside a character class
    becomes `\\Z`, so that "P30D\\n" or "evil\\n" never pass as a duration or an id."""
    out, in_class, escaped = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            char = "\\Z"
        out.append(char)
    return "".join(out)


def _inline_refs(node: Any, base: str) -> Any:
    """The schema for Python, with every `$ref` replaced by what it points at and every
    pattern anchored as the schema means it (`python_regex`).

    A reference is local (`#/definitions/id`) or names another bundled schema
    (`provider.schema.json#/definitions/text`), so that the catalogue and format 2
    schemas reuse the descriptor's definitions. Our references are not recursive,
    and in draft-07 a `$ref` overrides its siblings, so inlining keeps the meaning;
    it spares jsonschema resolving a reference for nearly every value of every file.
    """
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and "#/" in ref:
            document, _, pointer = ref.partition("#")
            target = document.removesuffix(".schema.json") or base
            return _inline_refs(_pointer(load_schema(target), pointer), target)
        inlined = {k: _inline_refs(v, base) for k, v in node.items() if k != "definitions"}
        if isinstance(inlined.get("pattern"), str):
            inlined["pattern"] = python_regex(inlined["pattern"])
        if isinstance(inlined.get("patternProperties"), dict):
            inlined["patternProperties"] = {
                python_regex(key): value for key, value in inlined["patternProperties"].items()
            }
        return inlined
    if isinstance(node, list):
        return [_inline_refs(v, base) for v in node]
    return node


@cache
def validator(kind: Kind) -> Draft7Validator:
    inlined = _inline_refs(load_schema(kind), kind)
    return Draft7Validator(inlined, format_checker=FormatChecker(formats=["date"]))


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"the number {value}"
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _without_value(message: str, instance: Any) -> str:
    """jsonschema's message with the value it starts with described, not shown: a mapping
    would show every key and value in it, those of keys the schema does not know too."""
    shown = repr(instance)
    return _describe(instance) + message[len(shown) :] if message.startswith(shown) else message


def _expected(types: Any) -> str:
    names = [types] if isinstance(types, str) else list(types)
    return " or ".join(_TYPE_WORDS.get(n, n) for n in names)


def _pattern_of(path: JsonPath) -> tuple[str, ...]:
    return tuple("*" if isinstance(p, int) else p for p in path)


def _leaf_errors(error: ValidationError) -> Iterator[ValidationError]:
    """For `anyOf` (value or null, an id or a mapping), the errors of the branch the user
    meant: of the branches whose type fits, the one with the fewest errors."""
    if error.validator != "anyOf" or not error.context:
        yield error
        return
    branches: dict[Any, list[ValidationError]] = {}
    for e in error.context:
        branches.setdefault(e.relative_schema_path[0], []).append(e)
    meant = [errs for errs in branches.values()
             if not any(e.validator == "type" and not e.relative_path for e in errs)]  # fmt: skip
    if not meant:
        yield error
        return
    for e in min(meant, key=len):
        yield from _leaf_errors(e)


def _findings_for(error: ValidationError, doc: Document, kind: Kind) -> Iterator[Finding]:
    at: JsonPath = tuple(error.absolute_path)
    instance, rule = error.instance, str(error.validator)
    schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    expected_value: Any = error.validator_value
    if rule == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(schema.get("properties", {}))
        patterns = list(schema.get("patternProperties", {}))
        extra = [k for k in instance if k not in allowed]
        extra = [k for k in extra if not any(re.search(p, k) for p in patterns)]
        for key in sorted(extra):
            if patterns:
                msg = f"{quote(key)} is not a language code (two lowercase letters such as de, en)"
            else:
                msg = f"unknown key {quote(key)}{did_you_mean(key, allowed)}"
            yield doc.finding((*at, key), "DG201", msg, key=True)
    elif rule == "required" and isinstance(instance, dict):
        for key in (k for k in expected_value if k not in instance):
            code = _REQUIRED_DUTIES.get((kind, _pattern_of(at), key), "DG202")
            where = f" in '{at[-1]}'" if at and isinstance(at[-1], str) else ""
            yield doc.finding(at, code, f"required key '{key}' is missing{where}", key=True)
    elif rule == "type":
        msg = f"expected {_expected(expected_value)}, found {_describe(instance)}"
        if "array" in expected_value and not isinstance(instance, dict | list | type(None)):
            items = schema.get("items")
            choices = items.get("enum", ()) if isinstance(items, dict) else ()
            written = as_list(instance, [str(c) for c in choices if c is not None])
            several = "the entries" if "," in written else "one entry"
            msg += f"; write {several} as a list: {written}"
        yield doc.finding(at, "DG203", msg)
    elif rule == "enum":
        if instance == "privacy-shield":
            msg = (
                "the EU-US Privacy Shield is invalid since 16 July 2020; use eu-us-dpf "
                "if the recipient is DPF-listed"
            )
            yield doc.finding(at, "DG505", msg)
            return
        choices = [str(c) for c in expected_value if c is not None]  # null: said elsewhere
        hint = not_allowed_hint(str(instance), choices)
        msg = f"{_describe(instance)} is not allowed (allowed: {', '.join(choices)}){hint}"
        yield doc.finding(at, "DG204", msg)
    elif rule in ("pattern", "format"):
        what = str(schema.get("description", "")).rstrip(".")
        expected = f"; expected {what[:1].lower()}{what[1:]}" if what else ""
        msg = f"{_describe(instance)} has the wrong format{expected}"
        if at and at[-1] == "country" and isinstance(instance, str):
            meant = country_code(instance)
            msg += f"; did you mean '{meant}'?" if meant else ""
        yield doc.finding(at, "DG205", msg)
    elif rule in ("minItems", "minProperties", "minLength"):
        empty = {"minItems": "the list", "minProperties": "the mapping", "minLength": "the text"}
        yield doc.finding(at, "DG206", f"{empty[rule]} is empty; give at least one entry")
    else:
        yield doc.finding(at, "DG206", _without_value(error.message, instance))


MAX_SCHEMA_FINDINGS = 100


def validate(doc: Document, kind: Kind) -> list[Finding]:
    """The schema violations of a loaded document, as findings (the first 100)."""
    findings: list[Finding] = []
    for error in validator(kind).iter_errors(doc.data):
        for leaf in _leaf_errors(error):
            # jsonschema reports each missing key once, and each report names them all here
            findings.extend(f for f in _findings_for(leaf, doc, kind) if f not in findings)
        if len(findings) >= MAX_SCHEMA_FINDINGS:
            findings.append(doc.finding((), "DG206", "more schema errors follow; fix these first"))
            break
    return findings
