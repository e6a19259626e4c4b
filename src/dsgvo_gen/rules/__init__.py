"""GDPR completeness and consistency rules, one small function per rule.

A rule is a generator of findings. The rules split along the line between facts
and decisions:

- fact rules see a catalogue entry (or the facts half of a format 1 descriptor)
  and run once per entry, however many descriptors use it;
- descriptor rules see a descriptor's decisions on their own, use rules see them
  joined with the facts of the entry they use: both run once per descriptor;
- document rules see any file as read, config rules the config, and project rules
  every provider at once (duplicate ids, recipients spelled differently).

The codes a function emits are listed in its decorator, so the README and tests can
tell which function owns which code. Rules are filed under their module-qualified
name, and a second rule under the same name is refused, never silently replaced.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from dsgvo_gen.config import LABEL_LANGUAGES, Config
from dsgvo_gen.decisions import Decisions
from dsgvo_gen.entry import Entry, in_entry
from dsgvo_gen.findings import Finding
from dsgvo_gen.loader import Document, JsonPath
from dsgvo_gen.model import Provider
from dsgvo_gen.reference import Reference

if TYPE_CHECKING:
    from dsgvo_gen.catalogue import Catalogue


@dataclass(frozen=True)
class Context:
    config: Config | None
    today: date
    reference: Reference
    root: Path  # the project folder, for files the config names (the logo, catalogue folders)
    catalogue: Catalogue | None = None

    @property
    def languages(self) -> tuple[str, ...]:
        return self.config.languages if self.config else LABEL_LANGUAGES

    def needs_transfer(self, country: str) -> bool:
        """Outside the EU/EEA, and not the controller's own country (a Swiss controller)."""
        home = self.config.controller.country if self.config else None
        return self.reference.needs_transfer(country) and country != home


@dataclass(frozen=True)
class Where:
    """Turns a model path into a finding in the file the value came from: the descriptor,
    or the catalogue entry for paths that start with IN_ENTRY. For a format 1
    descriptor both are the same document."""

    descriptor: Document | None
    entry: Document | None

    def finding(self, at: JsonPath, code: str, message: str, *, key: bool = False) -> Finding:
        doc = self.entry if in_entry(at) else self.descriptor
        assert doc is not None, f"no document for {at!r}"
        return doc.finding(at[1:] if in_entry(at) else at, code, message, key=key)


@dataclass(frozen=True)
class Use:
    """One descriptor's use of a service: its decisions, the entry's facts, and both joined."""

    provider: Provider
    decisions: Decisions
    entry: Entry
    where: Where


DocumentRule = Callable[[Document, Context], Iterator[Finding]]
FactRule = Callable[[Entry, Where, Context], Iterator[Finding]]
DescriptorRule = Callable[[Decisions, Where, Context], Iterator[Finding]]
UseRule = Callable[[Use, Context], Iterator[Finding]]
ConfigRule = Callable[[Config, Document, Context], Iterator[Finding]]
ProjectRule = Callable[[list[Use], Context, Document | None], Iterator[Finding]]

Rule = TypeVar("Rule", bound=Callable[..., Iterator[Finding]])

DOCUMENT_RULES: dict[str, DocumentRule] = {}
FACT_RULES: dict[str, FactRule] = {}
DESCRIPTOR_RULES: dict[str, DescriptorRule] = {}
USE_RULES: dict[str, UseRule] = {}
CONFIG_RULES: dict[str, ConfigRule] = {}
PROJECT_RULES: dict[str, ProjectRule] = {}


class DuplicateRule(RuntimeError):  # noqa: N818 - named for the maintainer who meets it
    """Two rules under one name: the second would silently replace the first."""


def _registrar(table: dict[str, Any]) -> Callable[..., Callable[[Rule], Rule]]:
    """A decorator factory that files a rule function, and the codes it emits, in `table`."""

    def rule(*codes: str) -> Callable[[Rule], Rule]:
        def register(func: Rule) -> Rule:
            name = f"{func.__module__}.{func.__qualname__}"
            if name in table:
                raise DuplicateRule(f"a rule named {name} is already registered")
            table[name] = func
            func.codes = codes  # type: ignore[attr-defined]
            return func

        return register

    return rule


document_rule = _registrar(DOCUMENT_RULES)
fact_rule = _registrar(FACT_RULES)
descriptor_rule = _registrar(DESCRIPTOR_RULES)
use_rule = _registrar(USE_RULES)
config_rule = _registrar(CONFIG_RULES)
project_rule = _registrar(PROJECT_RULES)

ALL_RULES = (DOCUMENT_RULES, FACT_RULES, DESCRIPTOR_RULES, USE_RULES, CONFIG_RULES, PROJECT_RULES)


def run_document_rules(doc: Document, ctx: Context) -> list[Finding]:
    return [f for rule in DOCUMENT_RULES.values() for f in rule(doc, ctx)]


def run_fact_rules(entry: Entry, where: Where, ctx: Context) -> list[Finding]:
    return [f for rule in FACT_RULES.values() for f in rule(entry, where, ctx)]


def run_descriptor_rules(d: Decisions, where: Where, ctx: Context) -> list[Finding]:
    return [f for rule in DESCRIPTOR_RULES.values() for f in rule(d, where, ctx)]


def run_use_rules(use: Use, ctx: Context) -> list[Finding]:
    return [f for rule in USE_RULES.values() for f in rule(use, ctx)]


def run_config_rules(config: Config, doc: Document, ctx: Context) -> list[Finding]:
    return [f for rule in CONFIG_RULES.values() for f in rule(config, doc, ctx)]


def run_project_rules(uses: list[Use], ctx: Context, config_doc: Document | None) -> list[Finding]:
    return [f for rule in PROJECT_RULES.values() for f in rule(uses, ctx, config_doc)]


# Importing the rule modules registers their rules.
from dsgvo_gen.rules import (  # noqa: E402
    branding,
    catalogue,
    completeness,
    consent,
    consistency,
    evidence,
    jurisdiction,
    languages,
    project,
    provenance,
    size,
    transfers,
    wording,
)

__all__ = [
    "branding", "catalogue", "completeness", "consent", "consistency", "evidence", "jurisdiction",
    "languages", "project", "provenance", "size", "transfers", "wording",
]  # fmt: skip
