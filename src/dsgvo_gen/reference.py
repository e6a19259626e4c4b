"""Built-in reference tables: EU/EEA states, adequacy decisions, supervisory authorities.

Whether a recipient's country needs a transfer entry follows from these tables,
never from the descriptor. The tables are our own YAML files, read with the same
safe loader as descriptors (which also keeps `NO` as Norway).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from dsgvo_gen.loader import load_file
from dsgvo_gen.model import Text
from dsgvo_gen.resources import PACKAGE_DIR

DATA_DIR = PACKAGE_DIR / "data"


@dataclass(frozen=True)
class Adequacy:
    country: str
    decision: str  # the English title
    decision_de: str  # the German title: a German notice cites the German edition
    scope: Text | None
    source: str

    def title(self, lang: str) -> str:
        return self.decision_de if lang == "de" else self.decision


@dataclass(frozen=True)
class Authority:
    key: str
    name: Text
    short: str
    address: str
    website: str
    source: str


@dataclass(frozen=True)
class Reference:
    eea: frozenset[str]
    adequacy: dict[str, Adequacy]
    authorities: dict[str, Authority]

    def in_eea(self, country: str) -> bool:
        return country in self.eea

    def needs_transfer(self, country: str) -> bool:
        """Chapter V applies to every recipient outside the EU/EEA, adequacy or not."""
        return country not in self.eea

    def has_adequacy(self, country: str) -> bool:
        return country in self.adequacy


def read_builtin(name: str) -> dict[str, Any]:
    """One of the package's own tables in `data/`, by file name."""
    doc, findings = load_file(DATA_DIR / name, name)
    if doc is None or findings:  # shipped data: a problem here is a bug in the package
        raise RuntimeError(f"built-in data {name} is broken: {findings}")
    return doc.data


@cache
def reference() -> Reference:
    countries, authorities = read_builtin("countries.yaml"), read_builtin("authorities.yaml")
    adequacy = {
        code: Adequacy(
            code,
            entry["decision"],
            entry["decision_de"],
            Text.maybe(entry.get("scope"), ()),
            entry["source"],
        )
        for code, entry in countries["adequacy"].items()
    }
    return Reference(
        eea=frozenset(countries["eea"]),
        adequacy=adequacy,
        authorities={
            key: Authority(key, Text.of(a["name"], ()), a["short"], a["address"], a["website"],
                           a["source"])
            for key, a in authorities["authorities"].items()
        },
    )  # fmt: skip
