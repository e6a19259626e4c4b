"""A catalogue entry: sourced facts about one service, true for every controller using it.

Its parts have the shapes of a format 1 descriptor's, so the same rules check
both: `build_entry` reads a catalogue file, `facts_of` takes the facts half of a
format 1 descriptor. The parts of an entry read from a catalogue file carry paths
that start with IN_ENTRY, so that a finding about them, even one a descriptor's
rule makes, points into the entry's file and not into the descriptor's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any, Final

from dsgvo_gen import parts
from dsgvo_gen.loader import JsonPath
from dsgvo_gen.model import (
    DataCategory,
    Features,
    Provider,
    Recipient,
    Retention,
    Source,
    Sourced,
    Text,
    TextsAtOnce,
    Transfer,
    Unconfirmed,
    texts_at_once,
    texts_of,
)

#: The first element of a path into a catalogue entry's file (a key YAML cannot produce
#: in a valid descriptor, whose schema allows no such key).
IN_ENTRY: Final = "\x00catalogue"


@dataclass(frozen=True)
class Missing:
    """A fact a draft still lacks, where to look for it, and the entry's fields that wait for it."""

    what: str
    where: str
    url: str | None
    fields: tuple[JsonPath, ...]  # paths into the entry (IN_ENTRY first), as findings use them
    at: JsonPath


@dataclass(frozen=True)
class OperatorFacts:
    legal_name: str | None
    address: str | None
    country: str | None
    privacy_policy_url: str | None
    dpa_offered: bool | None
    dpa_url: str | None
    sources: tuple[str, ...]
    unconfirmed: tuple[Unconfirmed, ...]
    note: str | None
    at: JsonPath


@dataclass(frozen=True)
class Entry:
    id: str
    name: Text
    category: str
    service_url: str | None
    reviewed_on: date
    status: str
    missing: tuple[Missing, ...]
    #: What the sources leave open about the entry as a whole: its recipients, its transfers.
    unconfirmed: tuple[Unconfirmed, ...]
    sources: tuple[Source, ...]
    operator: OperatorFacts
    features: Features
    data: tuple[DataCategory, ...]  # the service data a descriptor picks from
    recipients: tuple[Recipient, ...]
    transfers: tuple[Transfer, ...]
    retention: tuple[Retention, ...]  # the provider's own rules
    #: No third party runs it: software the controller runs itself (format 1: role self).
    self_run: bool
    path: str
    at: JsonPath  # where the entry's own keys are: (IN_ENTRY,), or () in a format 1 file
    transfers_unclear: Text | None = None  # transfers the sources cannot rule out

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    def sourced(self) -> tuple[Sourced, ...]:
        """Every part that states facts and cites sources for them."""
        return (self.operator, self.features, *self.recipients, *self.transfers, *self.retention)

    @cached_property
    def texts(self) -> tuple[tuple[str, Text], ...]:
        return texts_of(self)

    @cached_property
    def at_once(self) -> TextsAtOnce:
        return texts_at_once(self.texts)


def _field_path(dotted: str) -> JsonPath:
    """`transfers.0.mechanism` as a path into the entry's file."""
    return (IN_ENTRY, *(int(part) if part.isdigit() else part for part in dotted.split(".")))


def _missing(raw: dict[str, Any], at: JsonPath) -> tuple[Missing, ...]:
    if raw.get("missing") is None:
        return ()
    found = []
    for m, a in parts.items(raw, "missing", at):
        fields = tuple(_field_path(f) for f in m.get("fields", ()))
        found.append(Missing(m["what"], m["where"], m.get("url"), fields, a))
    return tuple(found)


def build_entry(raw: dict[str, Any], path: str) -> Entry:
    """The model of a catalogue file; `raw` must have passed the catalogue schema."""
    root: JsonPath = (IN_ENTRY,)
    op, op_at = raw["operator"], (*root, "operator")
    operator = OperatorFacts(
        legal_name=op["legal_name"],
        address=op["address"],
        country=op["country"],
        privacy_policy_url=op["privacy_policy_url"],
        dpa_offered=op["dpa_offered"],
        dpa_url=op["dpa_url"],
        sources=parts.sources(op.get("source")),
        unconfirmed=parts.unconfirmed(op, op_at),
        note=op.get("note"),
        at=op_at,
    )
    identity = (operator.legal_name, operator.address, operator.country,
                operator.privacy_policy_url, operator.dpa_url)  # fmt: skip
    return Entry(
        id=raw["id"],
        name=Text.of(raw["name"], (*root, "name")),
        category=raw["category"],
        service_url=raw["service_url"],
        reviewed_on=date.fromisoformat(raw["reviewed_on"]),
        status=raw["status"],
        missing=_missing(raw, root),
        unconfirmed=parts.unconfirmed(raw, root),
        sources=tuple(parts.source(s, a) for s, a in parts.items(raw, "sources", root)),
        operator=operator,
        features=parts.features(raw["features"], (*root, "features")),
        data=tuple(parts.data_category(d, a) for d, a in parts.items(raw, "service_data", root)),
        recipients=tuple(parts.recipient(r, a) for r, a in parts.items(raw, "recipients", root)),
        transfers=tuple(parts.transfer(x, a) for x, a in parts.items(raw, "transfers", root)),
        retention=tuple(
            parts.retention(r, a, "provider") for r, a in parts.items(raw, "retention", root)
        ),
        self_run=all(value is None for value in identity),
        path=path,
        at=root,
        transfers_unclear=_unclear(raw, root),
    )


def _unclear(raw: dict[str, Any], root: JsonPath) -> Text | None:
    unclear = raw.get("transfers_unclear")
    return None if unclear is None else Text.of(unclear["text"], (*root, "transfers_unclear"))


def facts_of(p: Provider) -> Entry:
    """The facts half of a format 1 descriptor, with the descriptor's own paths.

    All its data categories count as service data and all its recipients and
    transfers as the provider's; its provider-set retention rules are the entry's.
    """
    op, proc = p.operator, p.processing
    return Entry(
        id=p.id,
        name=p.name,
        category=p.category,
        service_url=p.service_url,
        reviewed_on=p.reviewed_on,
        status=p.status,
        missing=(),
        unconfirmed=(),
        sources=p.sources,
        operator=OperatorFacts(
            op.legal_name,
            op.address,
            op.country,
            op.privacy_policy_url,
            None,
            op.dpa_url,
            op.sources,
            op.unconfirmed,
            op.note,
            op.at,
        ),
        features=p.features,
        data=proc.data,
        recipients=proc.recipients,
        transfers=proc.transfers,
        retention=tuple(r for r in proc.retention if r.set_by == "provider"),
        self_run=op.role == "self",
        path=p.path,
        at=(),
    )


def in_entry(at: JsonPath) -> bool:
    """Whether `at` is a path into a catalogue entry's file."""
    return bool(at) and at[0] == IN_ENTRY
