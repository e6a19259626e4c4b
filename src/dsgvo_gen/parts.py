"""Model parts from schema-valid YAML data.

The same builders serve a format 1 descriptor, a catalogue entry and a format 2
descriptor, which share the shapes of their parts; each part keeps `at`, its path
in the document it came from.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from dsgvo_gen.durations import Duration
from dsgvo_gen.loader import JsonPath
from dsgvo_gen.model import (
    FEATURE_KEYS,
    NO_LIMIT,
    Consent,
    ConsentItem,
    DataCategory,
    Features,
    Operator,
    Processing,
    Provider,
    Provision,
    Purpose,
    Recipient,
    Recording,
    Retention,
    Source,
    Subject,
    Text,
    Transfer,
    Unconfirmed,
)


def sources(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def optional_date(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(value)


def optional_duration(value: Any) -> Duration | None:
    return None if value is None else Duration.parse(value)


def items(raw: dict[str, Any], key: str, at: JsonPath) -> Iterator[tuple[dict[str, Any], JsonPath]]:
    """The entries of the list `raw[key]`, each with its path below `at`."""
    for index, item in enumerate(raw[key]):
        yield item, (*at, key, index)


def source(raw: dict[str, Any], at: JsonPath) -> Source:
    # Format 1 says `unverified` where a catalogue entry says `note`.
    return Source(raw["id"], raw["url"], raw["title"], date.fromisoformat(raw["accessed_on"]),
                  raw.get("kind"), raw.get("note", raw.get("unverified")), at)  # fmt: skip


def unconfirmed(raw: dict[str, Any], at: JsonPath) -> tuple[Unconfirmed, ...]:
    """The facts of a part that its sources do not confirm, by field (a catalogue entry's
    `unconfirmed:`). Format 1 cannot say which fact its `unverified` text is about."""
    marks = raw.get("unconfirmed") or {}
    return tuple(Unconfirmed(field, reason, (*at, "unconfirmed", field))
                 for field, reason in marks.items())  # fmt: skip


def _note(raw: dict[str, Any]) -> str | None:
    # Format 1 says `unverified` for any remark; it is kept as a note, never published.
    value: str | None = raw.get("note", raw.get("unverified"))
    return value


def subject(raw: dict[str, Any], at: JsonPath) -> Subject:
    return Subject(raw["id"], Text.of(raw["text"], (*at, "text")), at)


def purpose(raw: dict[str, Any], at: JsonPath) -> Purpose:
    interest = Text.maybe(raw["legitimate_interest"], (*at, "legitimate_interest"))
    return Purpose(raw["id"], Text.of(raw["text"], (*at, "text")), tuple(raw["legal_basis"]),
                   interest, at)  # fmt: skip


def data_category(raw: dict[str, Any], at: JsonPath) -> DataCategory:
    return DataCategory(raw["id"], Text.of(raw["text"], (*at, "text")),
                        Text.of(raw["origin"], (*at, "origin")), raw["special_category"],
                        raw["required"], at)  # fmt: skip


def recipient(raw: dict[str, Any], at: JsonPath) -> Recipient:
    return Recipient(raw["name"], raw["role"], raw["country"],
                     Text.of(raw["purpose"], (*at, "purpose")), sources(raw.get("source")),
                     unconfirmed(raw, at), _note(raw), at)  # fmt: skip


def transfer(raw: dict[str, Any], at: JsonPath) -> Transfer:
    return Transfer(raw["recipient"], raw["country"], raw["mechanism"],
                    optional_date(raw["dpf_checked_on"]), raw["safeguard_url"],
                    sources(raw.get("source")), unconfirmed(raw, at), _note(raw), at)  # fmt: skip


def retention(raw: dict[str, Any], at: JsonPath, set_by: str) -> Retention:
    return Retention(tuple(raw["data"]), optional_duration(raw["period"]),
                     Text.maybe(raw["criteria"], (*at, "criteria")), set_by,
                     sources(raw.get("source")), unconfirmed(raw, at), _note(raw),
                     at)  # fmt: skip


def features(raw: dict[str, Any], at: JsonPath) -> Features:
    limit = raw["time_limit"]
    return Features(
        **{k: raw[k] for k in FEATURE_KEYS if k != "time_limit"},
        time_limit=limit if limit == NO_LIMIT else optional_duration(limit),
        notes=Text.maybe(raw["notes"], (*at, "notes")),
        sources=sources(raw.get("source")), unconfirmed=unconfirmed(raw, at), note=_note(raw),
        at=at,
    )  # fmt: skip


def provision(raw: dict[str, Any], at: JsonPath) -> Provision:
    return Provision(raw["obligation"], Text.of(raw["consequence"], (*at, "consequence")), at)


def recording(raw: dict[str, Any], at: JsonPath) -> Recording:
    return Recording(raw["used"], Text.of(raw["text"], (*at, "text")))


def _processing(raw: dict[str, Any]) -> Processing:
    at: JsonPath = ("processing",)
    return Processing(
        subjects=tuple(subject(s, a) for s, a in items(raw, "subjects", at)),
        purposes=tuple(purpose(p, a) for p, a in items(raw, "purposes", at)),
        data=tuple(data_category(d, a) for d, a in items(raw, "data", at)),
        recipients=tuple(recipient(r, a) for r, a in items(raw, "recipients", at)),
        transfers=tuple(transfer(x, a) for x, a in items(raw, "transfers", at)),
        retention=tuple(retention(r, a, r["set_by"]) for r, a in items(raw, "retention", at)),
        provision=provision(raw["provision"], (*at, "provision")),
        automated_decisions=raw["automated_decisions"],
        recording=recording(raw["recording"], (*at, "recording")),
    )


def consent(raw: dict[str, Any] | None, at: JsonPath = ("consent",)) -> Consent | None:
    if raw is None:
        return None
    return Consent(
        title=Text.of(raw["title"], (*at, "title")),
        items=tuple(ConsentItem(i["id"], Text.of(i["text"], (*a, "text")), tuple(i["purposes"]),
                                tuple(i["data"]), a)
                    for i, a in items(raw, "items", at)),
        withdrawal=Text.of(raw["withdrawal"], (*at, "withdrawal")),
        return_by=Text.of(raw["return_by"], (*at, "return_by")),
        signature=raw["signature"],
        at=at,
    )  # fmt: skip


def build_provider(raw: dict[str, Any], path: str) -> Provider:
    """The model of a format 1 descriptor; `raw` must have passed the provider schema."""
    op = raw["operator"]
    return Provider(
        id=raw["id"],
        name=Text.of(raw["name"], ("name",)),
        category=raw["category"],
        service_url=raw["service_url"],
        reviewed_on=date.fromisoformat(raw["reviewed_on"]),
        sources=tuple(source(s, a) for s, a in items(raw, "sources", ())),
        operator=Operator(
            legal_name=op.get("legal_name"),
            address=op.get("address"),
            country=op.get("country"),
            role=op["role"],
            role_reason=Text.of(op["role_reason"], ("operator", "role_reason")),
            privacy_policy_url=op.get("privacy_policy_url"),
            dpa_url=op.get("dpa_url"),
            joint_arrangement=Text.maybe(op.get("joint_arrangement"),
                                         ("operator", "joint_arrangement")),
            sources=sources(op.get("source")),
            unconfirmed=(),
            note=_note(op),
            at=("operator",),
        ),
        features=features(raw["features"], ("features",)),
        processing=_processing(raw["processing"]),
        consent=consent(raw["consent"]),
        path=path,
        status="published",
        uses=None,
    )  # fmt: skip
