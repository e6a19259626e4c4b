"""GDPR completeness and consistency rules, one small function per rule.

A rule is a generator of findings. Descriptor rules see one provider model and
its YAML document; config rules see the config; project rules see every
provider at once (duplicate ids, recipients spelled differently). The rule code
a function emits is listed in its decorator, so the README and tests can tell
which function owns which code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

from dsgvo_gen.config import Config
from dsgvo_gen.findings import Finding
from dsgvo_gen.loader import Document
from dsgvo_gen.model import Provider
from dsgvo_gen.reference import Reference


@dataclass(frozen=True)
class Context:
    config: Config | None
    today: date
    reference: Reference
    root: Path | None = None  # the project folder, for files the config names (the logo)

    @property
    def languages(self) -> tuple[str, ...]:
        return self.config.languages if self.config else ("de", "en")

    def needs_transfer(self, country: str) -> bool:
        """Outside the EU/EEA, and not the controller's own country (a Swiss controller)."""
        home = self.config.controller.country if self.config else None
        return self.reference.needs_transfer(country) and country != home


@dataclass(frozen=True)
class Checked:
    """A provider that passed the schema, with the document its positions come from."""

    provider: Provider
    doc: Document


DescriptorRule = Callable[[Provider, Document, Context], Iterator[Finding]]
ConfigRule = Callable[[Config, Document, Context], Iterator[Finding]]
ProjectRule = Callable[[list[Checked], Config | None, Document | None], Iterator[Finding]]

Rule = TypeVar("Rule", DescriptorRule, ConfigRule, ProjectRule)

DESCRIPTOR_RULES: dict[str, DescriptorRule] = {}
CONFIG_RULES: dict[str, ConfigRule] = {}
PROJECT_RULES: dict[str, ProjectRule] = {}


def _registrar(table: dict[str, Rule]) -> Callable[..., Callable[[Rule], Rule]]:
    """A decorator factory that files a rule function, and the codes it emits, in `table`."""

    def rule(*codes: str) -> Callable[[Rule], Rule]:
        def register(func: Rule) -> Rule:
            table[func.__name__] = func
            func.codes = codes  # type: ignore[attr-defined]
            return func

        return register

    return rule


descriptor_rule = _registrar(DESCRIPTOR_RULES)
config_rule = _registrar(CONFIG_RULES)
project_rule = _registrar(PROJECT_RULES)


def run_descriptor_rules(provider: Provider, doc: Document, ctx: Context) -> list[Finding]:
    return [f for rule in DESCRIPTOR_RULES.values() for f in rule(provider, doc, ctx)]


def run_config_rules(config: Config, doc: Document, ctx: Context) -> list[Finding]:
    return [f for rule in CONFIG_RULES.values() for f in rule(config, doc, ctx)]


def run_project_rules(
    checked: list[Checked], config: Config | None, config_doc: Document | None
) -> list[Finding]:
    return [f for rule in PROJECT_RULES.values() for f in rule(checked, config, config_doc)]


# Importing the rule modules registers their rules.
from dsgvo_gen.rules import (  # noqa: E402
    branding,
    completeness,
    consistency,
    languages,
    project,
    provenance,
    size,
)

__all__ = [
    "branding", "completeness", "consistency", "languages", "project", "provenance", "size",
]  # fmt: skip
