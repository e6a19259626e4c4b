"""A descriptor's decisions: one controller's use of one service, and the joined model.

A format 2 descriptor holds only what the controller decides (its role
assessment, its data processing agreement, purposes, the data it collects, its own
recipients and retention, its consent form); `join` adds the facts of the
catalogue entry it uses and gives the `Provider` that templates, PDFs and exports
read. `decisions_of` takes the decisions half of a format 1 descriptor, so that
the same rules check both formats.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property
from typing import Any

from dsgvo_gen import parts
from dsgvo_gen.entry import Entry
from dsgvo_gen.loader import JsonPath
from dsgvo_gen.model import (
    Consent,
    DataCategory,
    Operator,
    Processing,
    Provider,
    Provision,
    Purpose,
    Recipient,
    Recording,
    Retention,
    Subject,
    Text,
    TextsAtOnce,
    Transfer,
    texts_at_once,
    texts_of,
)


@dataclass(frozen=True)
class Role:
    """The controller's assessment of the operator's role, with its reasons."""

    assessment: str
    reason: Text
    joint_arrangement: Text | None
    at: JsonPath


@dataclass(frozen=True)
class DpaRecord:
    """The controller's record of its data processing agreement; never published."""

    concluded_on: date | None
    kept_at: str
    at: JsonPath


@dataclass(frozen=True)
class Pick:
    """A category of the entry's service data that the controller collects."""

    id: str
    at: JsonPath


@dataclass(frozen=True)
class ProviderRule:
    """Where in the retention list the entry's own rule for these data stands."""

    data: tuple[str, ...]
    at: JsonPath


@dataclass(frozen=True)
class OpenDecision:
    """A `decide:` mark: a choice that is the controller's and still open."""

    text: str
    at: JsonPath


@dataclass(frozen=True)
class Decisions:
    id: str
    uses: str | None  # None: the facts stand in the same (format 1) file
    status: str
    reviewed_on: date | None
    service_url: str | None
    role: Role
    dpa: DpaRecord | None
    subjects: tuple[Subject, ...]
    purposes: tuple[Purpose, ...]
    data: tuple[Pick | DataCategory, ...]
    recipients: tuple[Recipient, ...]  # its own, beyond the entry's
    transfers: tuple[Transfer, ...]  # its own
    retention: tuple[Retention | ProviderRule, ...]
    provision: Provision
    automated_decisions: bool
    recording: Recording
    consent: Consent | None
    open: tuple[OpenDecision, ...]
    path: str

    @property
    def format(self) -> int:
        return 1 if self.uses is None else 2

    @property
    def picks(self) -> tuple[Pick, ...]:
        return tuple(item for item in self.data if isinstance(item, Pick))

    @property
    def own_data(self) -> tuple[DataCategory, ...]:
        return tuple(item for item in self.data if isinstance(item, DataCategory))

    @property
    def own_retention(self) -> tuple[Retention, ...]:
        return tuple(item for item in self.retention if isinstance(item, Retention))

    @cached_property
    def texts(self) -> tuple[tuple[str, Text], ...]:
        return texts_of(self)

    @cached_property
    def at_once(self) -> TextsAtOnce:
        return texts_at_once(self.texts)


#: The lists of `processing` whose entries may carry a `decide:` mark (the schema's places).
_MARKED_LISTS = ("subjects", "purposes", "data", "recipients", "transfers", "retention")


def _open(raw: dict[str, Any]) -> list[OpenDecision]:
    """Every `decide:` mark, in the places the schema allows one: the blocks of the
    descriptor and the entries of the processing lists."""
    proc = raw["processing"]
    places: list[tuple[Any, JsonPath]] = [
        (raw["role"], ("role",)), (raw["dpa"], ("dpa",)),
        (proc["provision"], ("processing", "provision")),
        (proc["recording"], ("processing", "recording")),
        *((item, at) for key in _MARKED_LISTS
          for item, at in parts.items(proc, key, ("processing",))),
        (raw["consent"], ("consent",)),
    ]  # fmt: skip
    return [OpenDecision(block["decide"], (*at, "decide"))
            for block, at in places if isinstance(block, dict) and "decide" in block]  # fmt: skip


def _data(raw: dict[str, Any], at: JsonPath) -> tuple[Pick | DataCategory, ...]:
    return tuple(Pick(d, a) if isinstance(d, str) else parts.data_category(d, a)
                 for d, a in parts.items(raw, "data", at))  # fmt: skip


def _retention(raw: dict[str, Any], at: JsonPath) -> tuple[Retention | ProviderRule, ...]:
    return tuple(ProviderRule(tuple(r["catalogue"]), a) if "catalogue" in r
                 else parts.retention(r, a, "controller")
                 for r, a in parts.items(raw, "retention", at))  # fmt: skip


def _dpa(raw: dict[str, Any] | None) -> DpaRecord | None:
    if raw is None:
        return None
    return DpaRecord(parts.optional_date(raw["concluded_on"]), raw["kept_at"], ("dpa",))


def build_decisions(raw: dict[str, Any], path: str) -> Decisions:
    """The model of a format 2 descriptor; `raw` must have passed the descriptor schema."""
    role, dpa = raw["role"], raw["dpa"]
    proc, at = raw["processing"], ("processing",)
    return Decisions(
        id=raw["id"],
        uses=raw["uses"],
        status=raw["status"],
        reviewed_on=date.fromisoformat(raw["reviewed_on"]),
        service_url=raw.get("service_url"),
        role=Role(
            role["assessment"],
            Text.of(role["reason"], ("role", "reason")),
            Text.maybe(role.get("joint_arrangement"), ("role", "joint_arrangement")),
            ("role",),
        ),
        dpa=_dpa(dpa),
        subjects=tuple(parts.subject(s, a) for s, a in parts.items(proc, "subjects", at)),
        purposes=tuple(parts.purpose(p, a) for p, a in parts.items(proc, "purposes", at)),
        data=_data(proc, at),
        recipients=tuple(parts.recipient(r, a) for r, a in parts.items(proc, "recipients", at)),
        transfers=tuple(parts.transfer(x, a) for x, a in parts.items(proc, "transfers", at)),
        retention=_retention(proc, at),
        provision=parts.provision(proc["provision"], (*at, "provision")),
        automated_decisions=proc["automated_decisions"],
        recording=parts.recording(proc["recording"], (*at, "recording")),
        consent=parts.consent(raw["consent"]),
        open=tuple(_open(raw)),
        path=path,
    )


def decisions_of(p: Provider) -> Decisions:
    """The decisions half of a format 1 descriptor, with the descriptor's own paths.

    Its data, recipients and transfers all count as the facts' (`facts_of`); its
    controller-set retention rules are its own.
    """
    op, proc = p.operator, p.processing
    return Decisions(
        id=p.id,
        uses=None,
        status=p.status,
        reviewed_on=None,
        service_url=None,
        role=Role(op.role, op.role_reason, op.joint_arrangement, op.at),
        dpa=None,
        subjects=proc.subjects,
        purposes=proc.purposes,
        data=(),
        recipients=(),
        transfers=(),
        retention=tuple(r for r in proc.retention if r.set_by == "controller"),
        provision=proc.provision,
        automated_decisions=proc.automated_decisions,
        recording=proc.recording,
        consent=p.consent,
        open=(),
        path=p.path,
    )


def _joined_data(entry: Entry, d: Decisions) -> tuple[DataCategory, ...]:
    """The data in the descriptor's order; a picked category points at its pick, which
    is where a finding about collecting it belongs. Unknown picks are left out (DG407)."""
    service = {item.id: item for item in entry.data}
    joined = []
    for item in d.data:
        if isinstance(item, DataCategory):
            joined.append(item)
        elif item.id in service:
            joined.append(replace(service[item.id], at=item.at))
    return tuple(joined)


def _joined_retention(entry: Entry, d: Decisions) -> tuple[Retention, ...]:
    """The descriptor's order; the entry's rules where it places them, and the rules for
    picked data it does not place at the end, in the entry's order."""
    joined: list[Retention] = []
    placed: set[int] = set()
    for item in d.retention:
        if isinstance(item, Retention):
            joined.append(item)
            continue
        for index, rule in enumerate(entry.retention):
            if rule.data == item.data and index not in placed:
                joined.append(rule)
                placed.add(index)
    picked = {pick.id for pick in d.picks}
    joined += [rule for index, rule in enumerate(entry.retention)
               if index not in placed and picked & set(rule.data)]  # fmt: skip
    return tuple(joined)


def join(entry: Entry, d: Decisions) -> Provider:
    """The provider as the controller uses it: the entry's facts and the descriptor's decisions."""
    op = entry.operator
    return Provider(
        id=d.id,
        name=entry.name,
        category=entry.category,
        service_url=d.service_url or entry.service_url or "",
        reviewed_on=max(entry.reviewed_on, d.reviewed_on or entry.reviewed_on),
        sources=entry.sources,
        operator=Operator(
            legal_name=op.legal_name,
            address=op.address,
            country=op.country,
            role=d.role.assessment,
            role_reason=d.role.reason,
            privacy_policy_url=op.privacy_policy_url,
            dpa_url=op.dpa_url,
            joint_arrangement=d.role.joint_arrangement,
            sources=op.sources,
            unconfirmed=op.unconfirmed,
            note=op.note,
            at=op.at,
        ),
        features=entry.features,
        processing=Processing(
            subjects=d.subjects,
            purposes=d.purposes,
            data=_joined_data(entry, d),
            recipients=(*entry.recipients, *d.recipients),
            transfers=(*entry.transfers, *d.transfers),
            retention=_joined_retention(entry, d),
            provision=d.provision,
            automated_decisions=d.automated_decisions,
            recording=d.recording,
            transfers_unclear=entry.transfers_unclear,
        ),
        consent=d.consent,
        path=d.path,
        status="draft" if entry.is_draft or d.status == "draft" else "published",
        uses=d.uses,
        unconfirmed=entry.unconfirmed,
    )
