"""What a published version said, kept in its history record, and what changed between two.

A snapshot keeps the parts of the joined model that a client asks about when a notice
or a consent form changes: purposes and their legal bases, data categories,
recipients, transfers, retention, and the items of a consent form. It is plain data
(text, lists, mappings) in one language, so that it is written as YAML and read back
from a record that was committed years ago, when the model itself has moved on.
Changes are computed from two snapshots, never from the HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from dsgvo_gen.durations import Duration
from dsgvo_gen.i18n import LabelError, Labels
from dsgvo_gen.model import Provider

Snapshot = dict[str, Any]


def _purposes(p: Provider, lang: str, ids: set[str] | None = None) -> list[dict[str, Any]]:
    return [
        {"id": x.id, "text": x.text.get(lang), "legal_basis": list(x.legal_basis)}
        for x in p.processing.purposes
        if ids is None or x.id in ids
    ]


def _data(p: Provider, lang: str, ids: set[str] | None = None) -> list[dict[str, Any]]:
    return [
        {"id": d.id, "text": d.text.get(lang), "special_category": d.special_category}
        for d in p.processing.data
        if ids is None or d.id in ids
    ]


def notice_snapshot(p: Provider, lang: str) -> Snapshot:
    proc = p.processing
    names = {d.id: d.text.get(lang) for d in proc.data}
    retention = [
        {
            "data": data_id,
            "text": names.get(data_id, data_id),
            "period": _iso(r.period),
            "criteria": r.criteria.get(lang) if r.criteria else None,
        }
        for r in proc.retention
        for data_id in r.data
    ]
    return {
        "purposes": _purposes(p, lang),
        "data": _data(p, lang),
        "recipients": [
            {"name": r.name, "role": r.role, "country": r.country, "purpose": r.purpose.get(lang)}
            for r in proc.recipients
        ],
        "transfers": [
            {"recipient": t.recipient, "country": t.country, "mechanism": t.mechanism}
            for t in proc.transfers
        ],
        "retention": retention,
    }


def consent_snapshot(p: Provider, lang: str) -> Snapshot:
    assert p.consent is not None, "only a provider with a consent form has one"
    items = p.consent.items
    purposes = {x for item in items for x in item.purposes}
    data = {x for item in items for x in item.data}
    return {
        "items": [
            {
                "id": i.id,
                "text": i.text.get(lang),
                "purposes": list(i.purposes),
                "data": list(i.data),
            }
            for i in items
        ],
        "purposes": _purposes(p, lang, purposes),
        "data": _data(p, lang, data),
    }


def snapshot(p: Provider, kind: str, lang: str) -> Snapshot:
    return notice_snapshot(p, lang) if kind == "notice" else consent_snapshot(p, lang)


_TEXT, _NAMES, _FLAG = "text", "list of texts", "true or false"
#: The fields of each area's entries as build writes them; any may be null (an older
#: record may lack one). What a record holds beyond this is refused when it is read.
_FIELDS: dict[str, dict[str, str]] = {
    "purposes": {"id": _TEXT, "text": _TEXT, "legal_basis": _NAMES},
    "data": {"id": _TEXT, "text": _TEXT, "special_category": _FLAG},
    "recipients": {"name": _TEXT, "role": _TEXT, "country": _TEXT, "purpose": _TEXT},
    "transfers": {"recipient": _TEXT, "country": _TEXT, "mechanism": _TEXT},
    "retention": {"data": _TEXT, "text": _TEXT, "period": _TEXT, "criteria": _TEXT},
    "items": {"id": _TEXT, "text": _TEXT, "purposes": _NAMES, "data": _NAMES},
}
_AREAS = {
    "notice": ("purposes", "data", "recipients", "transfers", "retention"),
    "consent": ("items", "purposes", "data"),
}


def _fits(value: Any, shape: str) -> bool:
    if value is None or (shape == _FLAG and isinstance(value, bool)):
        return True
    if shape == _NAMES:
        return isinstance(value, list) and all(isinstance(x, str) for x in value)
    return shape == _TEXT and isinstance(value, str)


def shape_problems(content: Any, kind: str) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Where a recorded snapshot is not in the form build writes, and what is wrong there.

    The record comes from a clone or from an older dsgvo-gen: everything that reads a
    snapshot relies on this, so a forged entry (its digest recomputed) is a finding.
    """
    if not isinstance(content, dict):
        yield (), "the content must be a mapping of areas"
        return
    areas = _AREAS[kind]
    for area, entries in content.items():
        if area not in areas:
            yield (area,), f"a {kind} records only {', '.join(areas)}"
        elif not isinstance(entries, list):
            yield (area,), f"'{area}' must be a list"
        else:
            for number, entry in enumerate(entries):
                yield from _entry_problems(entry, area, number)


def _entry_problems(
    entry: Any, area: str, number: int
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    fields = _FIELDS[area]
    if not isinstance(entry, dict):
        yield (area, number), f"an entry of '{area}' has the keys {', '.join(fields)}"
        return
    for key, value in entry.items():
        if key not in fields:
            yield (area, number, key), f"an entry of '{area}' has the keys {', '.join(fields)}"
        elif not _fits(value, fields[key]):
            yield (area, number, key), f"'{key}' must be a {fields[key]} (or null)"


def _iso(period: Duration | None) -> str | None:
    if period is None:
        return None
    parts = [(period.years, "Y"), (period.months, "M"), (period.weeks, "W"), (period.days, "D")]
    date_part = "".join(f"{n}{unit}" for n, unit in parts if n)
    times = [(period.hours, "H"), (period.minutes, "M"), (period.seconds, "S")]
    time_part = "".join(f"{n}{unit}" for n, unit in times if n)
    return "P" + (date_part or ("" if time_part else "0D")) + (f"T{time_part}" if time_part else "")


@dataclass(frozen=True)
class Change:
    """One change between two versions, in the terms a client asks about."""

    area: str  # purpose | legal_basis | data | recipient | transfer | retention | item
    kind: str  # added | removed | changed
    what: str  # the purpose, recipient, data category, ... in the version's words
    before: Any = None
    after: Any = None


def _keyed(snap: Snapshot, area: str, key: Callable[[dict[str, Any]], str]) -> dict[str, Any]:
    entries = snap.get(area)
    return {key(e): e for e in entries if isinstance(e, dict)} if isinstance(entries, list) else {}


def _compare(
    area: str,
    old: dict[str, Any],
    new: dict[str, Any],
    name: Callable[[dict[str, Any]], str],
    value: Callable[[dict[str, Any]], Any],
) -> Iterator[Change]:
    for key, entry in new.items():
        if key not in old:
            yield Change(area, "added", name(entry), after=value(entry))
        elif value(old[key]) != value(entry):
            yield Change(area, "changed", name(entry), value(old[key]), value(entry))
    for key, entry in old.items():
        if key not in new:
            yield Change(area, "removed", name(entry), before=value(entry))


def _scope(item: dict[str, Any]) -> tuple[list[str], list[str]]:
    return sorted(item.get("purposes") or []), sorted(item.get("data") or [])


def _named(scope: tuple[list[str], list[str]] | None, snap: Snapshot) -> list[str] | None:
    if scope is None:
        return None
    names = {**_keyed(snap, "purposes", _id), **_keyed(snap, "data", _id)}
    return [_text(names[x]) if x in names else x for x in (*scope[0], *scope[1])]


def _id(e: dict[str, Any]) -> str:
    return str(e.get("id"))


def _text(e: dict[str, Any]) -> str:
    return str(e.get("text") or e.get("id") or e.get("name") or "")


def changes(old: Snapshot, new: Snapshot) -> list[Change]:
    """What changed from `old` to `new` (snapshots of one document), in a stable order.

    A purpose whose text alone changed is the same purpose (same id); a changed legal
    basis is its own change. Wording elsewhere is not a change here.
    """

    def pair(
        area: str, key: Callable[[dict[str, Any]], str] = _id
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        return _keyed(old, area, key), _keyed(new, area, key)

    def basis(e: dict[str, Any]) -> Any:
        return e.get("legal_basis")

    found = [
        # Said with the purposes' and data categories' names, not their ids.
        Change(c.area, c.kind, c.what, _named(c.before, old), _named(c.after, new))
        for c in _compare("item", *pair("items"), _text, _scope)
    ]
    old_purposes, new_purposes = pair("purposes")
    found += _compare("purpose", old_purposes, new_purposes, _text, lambda e: None)
    found += [
        Change("legal_basis", "changed", _text(new_purposes[k]), basis(e), basis(new_purposes[k]))
        for k, e in old_purposes.items()
        if k in new_purposes and basis(e) != basis(new_purposes[k])
    ]
    found += _compare("data", *pair("data"), _text, lambda e: None)
    found += _compare(
        "recipient",
        *pair("recipients", _name),
        _name,
        lambda e: (e.get("country"), e.get("role"), e.get("purpose")),
    )
    found += _compare(
        "transfer",
        *pair("transfers", _transfer),
        lambda e: str(e.get("recipient")),
        lambda e: (e.get("country"), e.get("mechanism")),
    )
    found += _compare(
        "retention",
        *pair("retention", lambda e: str(e.get("data"))),
        _text,
        lambda e: (e.get("period"), e.get("criteria")),
    )
    return found


def _name(e: dict[str, Any]) -> str:
    return str(e.get("name"))


def _transfer(e: dict[str, Any]) -> str:
    return f"{e.get('recipient')} ({e.get('country')})"


def new_consent_scope(old: Snapshot, new: Snapshot) -> list[str]:
    """What a consent signed on `old` does not cover in `new`: the texts of items that are
    new or cover more purposes or data than before (empty where only wording changed)."""
    old_items = _keyed(old, "items", _id)
    wider = []
    for key, item in _keyed(new, "items", _id).items():
        before = old_items.get(key)
        purposes, data = set(item.get("purposes") or []), set(item.get("data") or [])
        if before is None or not (
            purposes <= set(before.get("purposes") or []) and data <= set(before.get("data") or [])
        ):
            wider.append(_text(item))
    return wider


def describe(change: Change, labels: Labels) -> str:
    """The change in the client's words, in the labels' language."""
    area = labels[f"history.area.{change.area}"]

    def said(value: Any) -> str:
        return _value(change.area, value, labels)

    if change.kind == "added":
        return labels.text("history.added", area=area, what=_with(change.what, said(change.after)))
    if change.kind == "removed":
        return labels.text("history.removed", area=area, what=change.what)
    return labels.text(
        "history.changed",
        area=area,
        what=change.what,
        before=said(change.before),
        after=said(change.after),
    )


def _with(what: str, detail: str) -> str:
    return f"{what} ({detail})" if detail else what


def _value(area: str, value: Any, labels: Labels) -> str:
    """A value of a snapshot in words: a legal basis, a retention period, a mechanism."""
    if value is None:
        return ""
    if area == "legal_basis":
        return "; ".join(_basis(str(c), labels) for c in value)
    if area == "retention":
        period, criteria = value
        words = [_period(period, labels)] if period else []
        return ". ".join([*words, criteria] if criteria else words) or str(labels["history.none"])
    if area == "transfer":
        country, mechanism = value
        return f"{labels.country(str(country))}, {_label(labels, 'ropa.mechanism', mechanism)}"
    if area == "recipient":
        country, role, purpose = value
        return f"{labels.country(str(country))}, {_label(labels, 'role', role)}: {purpose}"
    if area == "item":
        return "; ".join(value)
    return str(value)


def _label(labels: Labels, group: str, code: Any) -> str:
    """The words for a code; the code itself where the labels no longer know it (a record
    written by an older dsgvo-gen, whose codes were renamed or dropped since)."""
    try:
        return str(labels[f"{group}.{code}"])
    except LabelError:
        return str(code)


def _basis(code: str, labels: Labels) -> str:
    try:
        return f"{labels[f'legal_basis.{code}.name']} ({labels[f'legal_basis.{code}.cite']})"
    except LabelError:
        return code


def _period(period: str, labels: Labels) -> str:
    try:
        duration = Duration.parse(period)
    except ValueError:
        return period
    return str(labels["retention_not_stored"]) if duration.is_zero else labels.duration(duration)
