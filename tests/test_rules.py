"""The rule registry: every code has an owner, and no rule silently replaces another."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest

from dsgvo_gen.codes import CODES, STAGE_CODES
from dsgvo_gen.findings import Finding
from dsgvo_gen.rules import ALL_RULES, DuplicateRule, _registrar
from tests.conftest import ROOT

SRC = ROOT / "src" / "dsgvo_gen"
CODE = re.compile(r'"(DG\d{3})"')


def codes_of(rule: object) -> set[str]:
    return set(getattr(rule, "codes", ()))


def declared_in(module: str) -> set[str]:
    """The codes the rules defined in `module` declare in their decorators."""
    return {code for table in ALL_RULES for rule in table.values()
            if rule.__module__ == module for code in codes_of(rule)}  # fmt: skip


def test_codes_emitted_outside_rules_are_registered_with_their_stage() -> None:
    for path in sorted(SRC.glob("*.py")):
        if path.stem == "codes":
            continue
        found = set(CODE.findall(path.read_text()))
        assert found <= STAGE_CODES.get(path.stem, frozenset()), (path.name, found)


def test_codes_in_rule_modules_belong_to_their_rules() -> None:
    for path in sorted((SRC / "rules").glob("*.py")):
        found = set(CODE.findall(path.read_text()))
        assert found <= declared_in(f"dsgvo_gen.rules.{path.stem}"), path.name


def test_every_code_has_an_owner() -> None:
    owned = {code for table in ALL_RULES for rule in table.values() for code in codes_of(rule)}
    owned |= {code for codes in STAGE_CODES.values() for code in codes}
    assert set(CODES) == owned


def rule_named(name: str, module: str) -> Callable[[], Iterator[Finding]]:
    def rule() -> Iterator[Finding]:
        yield from ()

    rule.__name__ = rule.__qualname__ = name
    rule.__module__ = module
    return rule


def test_a_second_rule_under_the_same_name_is_refused() -> None:
    table: dict[str, Callable[[], Iterator[Finding]]] = {}
    register = _registrar(table)
    register("DG501")(rule_named("sources", "dsgvo_gen.rules.a"))
    with pytest.raises(DuplicateRule, match=re.escape("dsgvo_gen.rules.a.sources")):
        register("DG501")(rule_named("sources", "dsgvo_gen.rules.a"))


def test_rules_of_the_same_name_in_two_modules_are_both_kept() -> None:
    table: dict[str, Callable[[], Iterator[Finding]]] = {}
    register = _registrar(table)
    register("DG501")(rule_named("sources", "dsgvo_gen.rules.a"))
    register("DG506")(rule_named("sources", "dsgvo_gen.rules.b"))
    assert sorted(table) == ["dsgvo_gen.rules.a.sources", "dsgvo_gen.rules.b.sources"]
    assert all(name.startswith("dsgvo_gen.rules.") for table in ALL_RULES for name in table)
