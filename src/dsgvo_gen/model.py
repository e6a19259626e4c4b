"""Frozen, typed objects built only from schema-valid data; no I/O.

Each object keeps `at`, its path in the YAML document, so that rules can point at
the line a finding is about without the model knowing about files.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import Any, Protocol

from dsgvo_gen.loader import JsonPath

_DURATION = re.compile(
    r"P(?:(?P<years>[0-9]{1,6})Y)?(?:(?P<months>[0-9]{1,6})M)?(?:(?P<weeks>[0-9]{1,6})W)?"
    r"(?:(?P<days>[0-9]{1,6})D)?"
    r"(?:T(?:(?P<hours>[0-9]{1,6})H)?(?:(?P<minutes>[0-9]{1,6})M)?(?:(?P<seconds>[0-9]{1,6})S)?)?"
)


@dataclass(frozen=True)
class Duration:
    """An ISO 8601 duration, kept in its parts so it can be said in words."""

    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: int = 0

    @classmethod
    def parse(cls, text: str) -> Duration:
        match = _DURATION.fullmatch(text)
        if match is None:
            raise ValueError(f"not an ISO 8601 duration: {text!r}")
        return cls(**{k: int(v) for k, v in match.groupdict().items() if v})

    @property
    def is_zero(self) -> bool:
        return not any((self.years, self.months, self.weeks, self.days,
                        self.hours, self.minutes, self.seconds))  # fmt: skip

    def before(self, day: date) -> date:
        """The date this long before `day` (calendar months; time parts ignored)."""
        return self._shift(day, -1)

    def after(self, day: date) -> date:
        """The date this long after `day` (calendar months; time parts ignored)."""
        return self._shift(day, 1)

    def last_day_within(self, day: date) -> date:
        """The last day on which `day` is still no older than this: a check done on `day`
        falls due then, and is stale (`day < self.before(today)`) from the next day on.
        Months differ in length, so this can be a few days off `after(day)`."""
        last = self.after(day)
        while last > day and day < self.before(last):  # stale already: step back
            last -= timedelta(days=1)
        while last < date.max and not day < self.before(last + timedelta(days=1)):
            last += timedelta(days=1)
        return last

    def _shift(self, day: date, sign: int) -> date:
        month_index = day.year * 12 + day.month - 1 + sign * (self.years * 12 + self.months)
        year, month = divmod(month_index, 12)
        year = min(max(year, 1), 9999)
        last = calendar.monthrange(year, month + 1)[1]
        shifted = date(year, month + 1, min(day.day, last))
        ordinal = shifted.toordinal() + sign * (self.weeks * 7 + self.days)
        return date.fromordinal(min(max(1, ordinal), date.max.toordinal()))


@dataclass(frozen=True)
class Text:
    """A localized text: one entry per language, or one plain string for every language."""

    entries: tuple[tuple[str, str], ...]
    plain: str | None
    at: JsonPath

    @classmethod
    def of(cls, value: Any, at: JsonPath) -> Text:
        if isinstance(value, str):
            return cls((), value, at)
        return cls(tuple(value.items()), None, at)

    @classmethod
    def maybe(cls, value: Any, at: JsonPath) -> Text | None:
        return None if value is None else cls.of(value, at)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(lang for lang, _ in self.entries)

    def get(self, lang: str) -> str:
        if self.plain is not None:
            return self.plain
        return dict(self.entries).get(lang, "")

    def all_values(self) -> tuple[str, ...]:
        return (self.plain,) if self.plain is not None else tuple(v for _, v in self.entries)

    def located(self) -> tuple[tuple[JsonPath, str], ...]:
        """Every value with its own path: a finding about the English text points at `en:`."""
        if self.plain is not None:
            return ((self.at, self.plain),)
        return tuple(((*self.at, lang), value) for lang, value in self.entries)


def _sources(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _date(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _duration(value: Any) -> Duration | None:
    return None if value is None else Duration.parse(value)


class Sourced(Protocol):
    """An entry that states facts and cites sources for them."""

    @property
    def at(self) -> JsonPath: ...

    @property
    def sources(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Source:
    id: str
    url: str
    title: str
    accessed_on: date
    unverified: str | None
    at: JsonPath


@dataclass(frozen=True)
class Operator:
    legal_name: str | None
    address: str | None
    country: str | None
    role: str
    role_reason: Text
    privacy_policy_url: str | None
    dpa_url: str | None
    joint_arrangement: Text | None
    sources: tuple[str, ...]
    unverified: str | None
    at: JsonPath


#: The features the overview compares, in its order; None in any of them means unknown.
FEATURE_KEYS = (
    "secret_link", "password", "waiting_room", "transport_encryption", "end_to_end_encryption",
    "peer_to_peer", "screen_sharing", "chat", "remote_control", "file_transfer",
    "guest_needs_account", "guest_cost", "time_limit", "recording_available",
)  # fmt: skip
NO_LIMIT = "none"  # time_limit: the service sets no limit (None: not known)


@dataclass(frozen=True)
class Features:
    """What the overview compares. None is "not stated": shown as unknown, never as no."""

    secret_link: bool | None
    password: bool | None
    waiting_room: bool | None
    transport_encryption: bool | None
    end_to_end_encryption: str | None
    peer_to_peer: str | None
    screen_sharing: bool | None
    chat: bool | None
    remote_control: bool | None
    file_transfer: bool | None
    guest_needs_account: bool | None
    guest_cost: str | None
    time_limit: Duration | str | None  # a duration, NO_LIMIT, or None
    recording_available: bool | None
    notes: Text | None
    sources: tuple[str, ...]
    unverified: str | None
    at: JsonPath

    def unknown(self) -> tuple[str, ...]:
        """The features not stated yet."""
        return tuple(key for key in FEATURE_KEYS if getattr(self, key) is None)


@dataclass(frozen=True)
class Subject:
    id: str
    text: Text
    at: JsonPath


@dataclass(frozen=True)
class Purpose:
    id: str
    text: Text
    legal_basis: tuple[str, ...]
    legitimate_interest: Text | None
    at: JsonPath

    @property
    def rests_on_consent(self) -> bool:
        return bool({"art6-1-a", "art9-2-a", "tdddg-25-1"} & set(self.legal_basis))

    @property
    def open_to_objection(self) -> bool:
        """Art. 21(1) GDPR applies to processing based on Art. 6(1)(e) or (f)."""
        return bool({"art6-1-e", "art6-1-f"} & set(self.legal_basis))


@dataclass(frozen=True)
class DataCategory:
    id: str
    text: Text
    origin: Text
    special_category: bool
    required: bool
    at: JsonPath


@dataclass(frozen=True)
class Recipient:
    name: str
    role: str
    country: str
    purpose: Text
    sources: tuple[str, ...]
    unverified: str | None
    at: JsonPath


@dataclass(frozen=True)
class Transfer:
    recipient: str
    country: str
    mechanism: str
    dpf_checked_on: date | None
    safeguard_url: str | None
    sources: tuple[str, ...]
    unverified: str | None
    at: JsonPath


@dataclass(frozen=True)
class Retention:
    data: tuple[str, ...]
    period: Duration | None
    criteria: Text | None
    set_by: str
    sources: tuple[str, ...]
    unverified: str | None
    at: JsonPath


@dataclass(frozen=True)
class Provision:
    obligation: str
    consequence: Text
    at: JsonPath


@dataclass(frozen=True)
class Recording:
    used: bool
    text: Text


@dataclass(frozen=True)
class Processing:
    subjects: tuple[Subject, ...]
    purposes: tuple[Purpose, ...]
    data: tuple[DataCategory, ...]
    recipients: tuple[Recipient, ...]
    transfers: tuple[Transfer, ...]
    retention: tuple[Retention, ...]
    provision: Provision
    automated_decisions: bool
    recording: Recording


@dataclass(frozen=True)
class ConsentItem:
    id: str
    text: Text
    purposes: tuple[str, ...]
    data: tuple[str, ...]
    at: JsonPath


@dataclass(frozen=True)
class Consent:
    title: Text
    items: tuple[ConsentItem, ...]
    withdrawal: Text
    return_by: Text
    signature: bool
    at: JsonPath


@dataclass(frozen=True)
class Provider:
    id: str
    name: Text
    category: str
    service_url: str
    reviewed_on: date
    sources: tuple[Source, ...]
    operator: Operator
    features: Features
    processing: Processing
    consent: Consent | None
    path: str

    def sourced(self) -> tuple[Sourced, ...]:
        """Every entry that can cite sources."""
        proc = self.processing
        return (self.operator, self.features, *proc.recipients, *proc.transfers, *proc.retention)

    @cached_property
    def texts(self) -> tuple[tuple[str, Text], ...]:
        """Every localized text with its field name; several rules walk them, walk once."""
        return tuple(iter_texts(self))


def _items(
    raw: dict[str, Any], key: str, at: JsonPath
) -> Iterator[tuple[dict[str, Any], JsonPath]]:
    for index, item in enumerate(raw[key]):
        yield item, (*at, key, index)


def _processing(raw: dict[str, Any]) -> Processing:
    at: JsonPath = ("processing",)
    t = Text.of
    return Processing(
        subjects=tuple(Subject(s["id"], t(s["text"], (*a, "text")), a)
                       for s, a in _items(raw, "subjects", at)),
        purposes=tuple(
            Purpose(p["id"], t(p["text"], (*a, "text")), tuple(p["legal_basis"]),
                    Text.maybe(p["legitimate_interest"], (*a, "legitimate_interest")), a)
            for p, a in _items(raw, "purposes", at)),
        data=tuple(
            DataCategory(d["id"], t(d["text"], (*a, "text")), t(d["origin"], (*a, "origin")),
                         d["special_category"], d["required"], a)
            for d, a in _items(raw, "data", at)),
        recipients=tuple(
            Recipient(r["name"], r["role"], r["country"], t(r["purpose"], (*a, "purpose")),
                      _sources(r.get("source")), r.get("unverified"), a)
            for r, a in _items(raw, "recipients", at)),
        transfers=tuple(
            Transfer(x["recipient"], x["country"], x["mechanism"], _date(x["dpf_checked_on"]),
                     x["safeguard_url"], _sources(x.get("source")), x.get("unverified"), a)
            for x, a in _items(raw, "transfers", at)),
        retention=tuple(
            Retention(tuple(r["data"]), _duration(r["period"]),
                      Text.maybe(r["criteria"], (*a, "criteria")), r["set_by"],
                      _sources(r.get("source")), r.get("unverified"), a)
            for r, a in _items(raw, "retention", at)),
        provision=Provision(raw["provision"]["obligation"],
                            t(raw["provision"]["consequence"], (*at, "provision", "consequence")),
                            (*at, "provision")),
        automated_decisions=raw["automated_decisions"],
        recording=Recording(raw["recording"]["used"],
                            t(raw["recording"]["text"], (*at, "recording", "text"))),
    )  # fmt: skip


def _consent(raw: dict[str, Any] | None) -> Consent | None:
    if raw is None:
        return None
    at: JsonPath = ("consent",)
    return Consent(
        title=Text.of(raw["title"], (*at, "title")),
        items=tuple(ConsentItem(i["id"], Text.of(i["text"], (*a, "text")), tuple(i["purposes"]),
                                tuple(i["data"]), a)
                    for i, a in _items(raw, "items", at)),
        withdrawal=Text.of(raw["withdrawal"], (*at, "withdrawal")),
        return_by=Text.of(raw["return_by"], (*at, "return_by")),
        signature=raw["signature"],
        at=at,
    )  # fmt: skip


def build_provider(raw: dict[str, Any], path: str) -> Provider:
    """The model of one descriptor; `raw` must have passed the provider schema."""
    op, ft = raw["operator"], raw["features"]
    return Provider(
        id=raw["id"],
        name=Text.of(raw["name"], ("name",)),
        category=raw["category"],
        service_url=raw["service_url"],
        reviewed_on=date.fromisoformat(raw["reviewed_on"]),
        sources=tuple(Source(s["id"], s["url"], s["title"], date.fromisoformat(s["accessed_on"]),
                             s.get("unverified"), a) for s, a in _items(raw, "sources", ())),
        operator=Operator(
            op.get("legal_name"), op.get("address"), op.get("country"), op["role"],
            Text.of(op["role_reason"], ("operator", "role_reason")),
            op.get("privacy_policy_url"), op.get("dpa_url"),
            Text.maybe(op.get("joint_arrangement"), ("operator", "joint_arrangement")),
            _sources(op.get("source")), op.get("unverified"), ("operator",)),
        features=Features(
            **{k: ft[k] for k in FEATURE_KEYS if k != "time_limit"},
            time_limit=ft["time_limit"] if ft["time_limit"] == NO_LIMIT
            else _duration(ft["time_limit"]),
            notes=Text.maybe(ft["notes"], ("features", "notes")),
            sources=_sources(ft.get("source")), unverified=ft.get("unverified"),
            at=("features",)),
        processing=_processing(raw["processing"]),
        consent=_consent(raw["consent"]),
        path=path,
    )  # fmt: skip


def iter_texts(obj: object) -> Iterator[tuple[str, Text]]:
    """Every localized text inside a model object, with the name of its field."""
    if not is_dataclass(obj) or isinstance(obj, type):
        return
    for f in fields(obj):
        value = getattr(obj, f.name)
        children = value if isinstance(value, tuple) else (value,)
        for child in children:
            if isinstance(child, Text):
                yield f.name, child
            else:
                yield from iter_texts(child)
