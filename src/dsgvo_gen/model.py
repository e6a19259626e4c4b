"""Frozen, typed objects built only from schema-valid data; no I/O.

Each object keeps `at`, its path in the YAML document, so that rules can point at
the line a finding is about without the model knowing about files.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from dsgvo_gen.durations import Duration

if TYPE_CHECKING:
    from dsgvo_gen.loader import JsonPath


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

    @cached_property
    def languages(self) -> tuple[str, ...]:
        return tuple(lang for lang, _ in self.entries)

    def get(self, lang: str) -> str:
        if self.plain is not None:
            return self.plain
        return dict(self.entries).get(lang, "")

    def all_values(self) -> tuple[str, ...]:
        return (self.plain,) if self.plain is not None else tuple(v for _, v in self.entries)

    @cached_property
    def joined(self) -> str:
        """Every value in one string (NUL between them, which no pattern crosses), so that a
        rule searches a text once instead of once per language."""
        return "\x00".join(self.all_values())

    @cached_property
    def longest(self) -> int:
        """The length of the longest value: a notice shows one language, the longest counts.
        Kept, because a catalogue entry's texts count again in every notice that uses it."""
        return max(map(len, self.all_values()), default=0)

    def located(self) -> tuple[tuple[JsonPath, str], ...]:
        """Every value with its own path: a finding about the English text points at `en:`."""
        if self.plain is not None:
            return ((self.at, self.plain),)
        return tuple(((*self.at, lang), value) for lang, value in self.entries)


class Sourced(Protocol):
    """An entry that states facts and cites sources for them."""

    @property
    def at(self) -> JsonPath: ...

    @property
    def sources(self) -> tuple[str, ...]: ...

    @property
    def unconfirmed(self) -> tuple[Unconfirmed, ...]: ...


@dataclass(frozen=True)
class Unconfirmed:
    """A fact its sources do not confirm (DESIGN §4b): the field it is about and why.

    A notice marks such a fact as not confirmed; a note on how a source was read
    (`note`) is something else and never changes the wording.
    """

    field: str
    reason: str
    at: JsonPath


@dataclass(frozen=True)
class Source:
    id: str
    url: str
    title: str
    accessed_on: date
    kind: str | None  # provider | official | third-party; format 1 does not say
    note: str | None  # how the source was read (format 1: its `unverified`)
    at: JsonPath


@dataclass(frozen=True)
class Operator:
    """Who runs the service (facts) and its role towards the controller (its assessment)."""

    legal_name: str | None
    address: str | None
    country: str | None
    role: str
    role_reason: Text
    privacy_policy_url: str | None
    dpa_url: str | None  # where the operator publishes its agreement, never the controller's record
    joint_arrangement: Text | None
    sources: tuple[str, ...]
    unconfirmed: tuple[Unconfirmed, ...]
    note: str | None  # how the sources were read; never published
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
    unconfirmed: tuple[Unconfirmed, ...]
    note: str | None  # how the sources were read; never published
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
    def on_behalf(self) -> bool:
        """Done as a client organisation's processor (Art. 28): its basis, not ours."""
        return "art28" in self.legal_basis

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
    unconfirmed: tuple[Unconfirmed, ...]
    note: str | None  # how the sources were read; never published
    at: JsonPath


@dataclass(frozen=True)
class Transfer:
    recipient: str
    country: str
    mechanism: str
    dpf_checked_on: date | None
    safeguard_url: str | None
    sources: tuple[str, ...]
    unconfirmed: tuple[Unconfirmed, ...]
    note: str | None  # how the sources were read; never published
    at: JsonPath


@dataclass(frozen=True)
class Retention:
    data: tuple[str, ...]
    period: Duration | None
    criteria: Text | None
    set_by: str  # provider | controller
    sources: tuple[str, ...]
    unconfirmed: tuple[Unconfirmed, ...]
    note: str | None  # how the sources were read; never published
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
    #: What the sources leave open about transfers outside the EU/EEA (catalogue entry):
    #: the notice says this instead of "no transfers".
    transfers_unclear: Text | None = None


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
    """One provider as the controller uses it: the model templates, PDFs and exports read.

    Format 1 builds it from one descriptor; format 2 joins a catalogue entry (the facts)
    and a descriptor (the controller's decisions) into it.
    """

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
    status: str  # published | draft (the descriptor's or, when that is a draft, the entry's)
    uses: str | None  # the catalogue entry (format 2), None for format 1
    #: What the entry's sources leave open about its recipients or transfers as a whole.
    unconfirmed: tuple[Unconfirmed, ...] = ()

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    @property
    def transfers_by_others(self) -> bool:
        """Whether every transfer is made by another party on its own account (an
        independent controller, or the operator's own processor): Art. 13(1)(f) asks about
        the controller's transfers, and a notice must not present these as ours."""
        proc = self.processing
        roles = {r.name: r.role for r in proc.recipients}
        others = ("independent-controller", "operator-processor")
        by_others = all(roles.get(t.recipient) in others for t in proc.transfers)
        return bool(proc.transfers) and by_others

    @property
    def abroad_unconfirmed(self) -> bool:
        """Whether the sources leave open that data leave the EU/EEA: the transfers or the
        recipients as a whole are unconfirmed, or the country of the operator or of a
        recipient is. A notice then never says that nothing is transferred (DESIGN §4b)."""
        if any(u.field in ("transfers", "recipients") for u in self.unconfirmed):
            return True
        placed: tuple[Sourced, ...] = (self.operator, *self.processing.recipients)
        return any(u.field == "country" for entry in placed for u in entry.unconfirmed)

    def sourced(self) -> tuple[Sourced, ...]:
        """Every entry that can cite sources."""
        proc = self.processing
        return (self.operator, self.features, *proc.recipients, *proc.transfers, *proc.retention)

    @cached_property
    def texts(self) -> tuple[tuple[str, Text], ...]:
        """Every localized text with its field name; several rules walk them, walk once."""
        return texts_of(self)


class TextsAtOnce(NamedTuple):
    """Every value of a model's texts at once. Rules test the whole first and look at each
    text only when the whole fails a test: nearly every descriptor passes every one."""

    joined: str  # the values, NUL between them (no pattern looks for a NUL)
    folded: str  # `joined`, case-folded: a value's fold is part of it
    longest: int  # the length of the longest value


def texts_at_once(texts: tuple[tuple[str, Text], ...]) -> TextsAtOnce:
    values = [value for _, text in texts for value in text.all_values()]
    joined = "\x00".join(values)
    return TextsAtOnce(joined, joined.casefold(), max(map(len, values), default=0))


#: The field names of each model class, looked up once: rules walk every model's texts.
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
#: Values that hold no text; the common ones are found by their type alone.
_LEAVES = (str, int, float, date)
_LEAF_TYPES = frozenset({str, int, float, bool, date, type(None)})


def texts_of(obj: object) -> tuple[tuple[str, Text], ...]:
    """Every localized text inside a model object, with the name of its field."""
    found: list[tuple[str, Text]] = []
    _collect(obj, found)
    return tuple(found)


def _collect(obj: object, found: list[tuple[str, Text]]) -> None:
    # Appending to one list instead of nested generators: a descriptor holds a few dozen
    # texts a few levels deep, and every rule that reads texts starts from this walk.
    cls = type(obj)
    names = _FIELD_NAMES.get(cls)
    if names is None:
        if not is_dataclass(obj) or isinstance(obj, type):
            return
        names = _FIELD_NAMES.setdefault(cls, tuple(f.name for f in fields(obj)))
    for name in names:
        value = getattr(obj, name)
        kind = type(value)
        if kind is Text:
            found.append((name, value))
        elif kind is tuple:
            for child in value:
                if type(child) is Text:
                    found.append((name, child))
                elif type(child) not in _LEAF_TYPES and not isinstance(child, _LEAVES):
                    _collect(child, found)
        elif kind not in _LEAF_TYPES and not isinstance(value, _LEAVES):
            _collect(value, found)
