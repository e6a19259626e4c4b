"""The record of processing activities (Art. 30(1) GDPR), as CSV or JSON.

One activity per provider and purpose. Nothing is printed or written here; the same
project gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict

from dsgvo_gen import __version__
from dsgvo_gen.config import Config, Contact
from dsgvo_gen.evidence import DPF_MECHANISMS, dpf_evidence
from dsgvo_gen.i18n import Labels
from dsgvo_gen.model import DataCategory, Features, Provider, Purpose
from dsgvo_gen.reference import Adequacy, Reference

ACTIVITY_FIELDS = (
    "provider_id", "provider", "operator", "purpose_id", "purpose", "legal_basis",
    "legitimate_interest", "data_subjects", "data_categories", "recipients",
    "third_country_transfers", "erasure_time_limits", "security_measures", "reviewed_on",
)  # fmt: skip
#: A CSV has no place for a header block, so each row repeats the controller (Art. 30(1)(a)).
CSV_COLUMNS = ("controller", "dpo", *ACTIVITY_FIELDS)

#: What a spreadsheet would read as the start of a formula (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | list[str]
Activity = dict[str, Cell]


def contact_lines(contact: Contact) -> list[str]:
    return [part for part in (contact.name, contact.address, contact.email, contact.phone) if part]


def _controller(config: Config, words: Labels) -> list[str]:
    c = config.controller
    lines = [c.name, c.address, c.email, *([c.phone] if c.phone else [])]
    if config.representative is not None:
        joined = ", ".join(contact_lines(config.representative))
        lines.append(words.text("ropa.representative", contact=joined))
    return lines


def _dpo(config: Config, words: Labels) -> list[str]:
    return contact_lines(config.dpo) if config.dpo is not None else [words["ropa.no_dpo"]]


def _operator(p: Provider, words: Labels) -> list[str]:
    op = p.operator
    if op.role == "self":
        return [words["role.self"]]
    where = op.address or words.country(op.country or "")
    lines = [f"{op.legal_name}, {where}; {words['role.' + op.role]}"]
    if op.privacy_policy_url:
        lines.append(f"{words['operator_privacy_policy']}: {op.privacy_policy_url}")
    if op.dpa_url:
        lines.append(f"{words['operator_dpa']}: {op.dpa_url}")
    return lines


def _data_name(d: DataCategory, words: Labels) -> str:
    special = f" ({words['special_category']})" if d.special_category else ""
    return d.text.get(words.lang) + special


def _recipients(p: Provider, words: Labels) -> list[str]:
    return [
        f"{r.name} ({words.country(r.country)}), {words['role.' + r.role]}: "
        f"{r.purpose.get(words.lang)}"
        for r in p.processing.recipients
    ] or [words["ropa.none"]]


def _transfers(p: Provider, words: Labels, adequacy: Mapping[str, Adequacy]) -> list[str]:
    lines = []
    for t in p.processing.transfers:
        decision = adequacy[t.country].decision if t.country in adequacy else ""
        parts = [words.text("ropa.mechanism." + t.mechanism, decision=decision)]
        evidence = dpf_evidence(t, p.sources) if t.mechanism in DPF_MECHANISMS else None
        if evidence is not None and evidence.attributed:
            cited = words.cited(evidence.statements)
            parts.append(words.text("ropa.dpf_attributed", sources=cited))
        elif t.dpf_checked_on is not None:
            parts.append(words.text("ropa.dpf_checked", date=words.date(t.dpf_checked_on)))
        if t.safeguard_url:
            parts.append(t.safeguard_url)
        lines.append(f"{t.recipient} ({words.country(t.country)}): {'; '.join(parts)}")
    return lines or [words["ropa.none"]]


def erasure_lines(p: Provider, words: Labels) -> list[str]:
    names = {d.id: d.text.get(words.lang) for d in p.processing.data}
    lines = []
    for r in p.processing.retention:
        limits = []
        if r.period is not None:
            limits.append(
                words["retention_not_stored"] if r.period.is_zero
                else words.text("retention_period", duration=words.duration(r.period, dative=True))
            )  # fmt: skip
        if r.criteria is not None:
            limits.append(r.criteria.get(words.lang))
        covered = "; ".join(names[data_id] for data_id in r.data)
        lines.append(f"{covered}: {'. '.join(limits)} ({words['set_by_' + r.set_by]})")
    return lines


def security_lines(f: Features, words: Labels) -> list[str]:
    def said(*keys: str) -> str:
        return " · ".join(f"{words['features.' + k]}: {words.feature(k, getattr(f, k))}"
                          for k in keys)  # fmt: skip

    lines = [
        f"{words['features.access_protection']} "
        f"({said('secret_link', 'password', 'waiting_room')})",
        f"{words['features.eavesdropping_protection']} "
        f"({said('transport_encryption', 'end_to_end_encryption', 'peer_to_peer')})",
        said("recording_available"),
    ]
    if f.notes is not None:
        lines.append(f.notes.get(words.lang))
    return [*lines, words["ropa.tom_pointer"]]


def _activity(p: Provider, purpose: Purpose, words: Labels, ref: Reference) -> Activity:
    lang, proc = words.lang, p.processing
    bases = [
        f"{words[f'legal_basis.{code}.name']} ({words[f'legal_basis.{code}.cite']})"
        for code in purpose.legal_basis
    ]
    interest = purpose.legitimate_interest.get(lang) if purpose.legitimate_interest else ""
    return {
        "provider_id": p.id,
        "provider": p.name.get(lang),
        "operator": _operator(p, words),
        "purpose_id": purpose.id,
        "purpose": purpose.text.get(lang),
        "legal_basis": bases,
        "legitimate_interest": interest,
        # The descriptor states data and subjects per provider, not per purpose: each
        # activity lists all of them rather than guess which purpose needs which.
        "data_subjects": [s.text.get(lang) for s in proc.subjects],
        "data_categories": [_data_name(d, words) for d in proc.data],
        "recipients": _recipients(p, words),
        "third_country_transfers": _transfers(p, words, ref.adequacy),
        "erasure_time_limits": erasure_lines(p, words),
        "security_measures": security_lines(p.features, words),
        "reviewed_on": p.reviewed_on.isoformat(),
    }


def activities(providers: Iterable[Provider], words: Labels, ref: Reference) -> list[Activity]:
    """One activity per provider and purpose: providers by id, purposes as described."""
    return [
        _activity(p, purpose, words, ref)
        for p in sorted(providers, key=lambda p: p.id)
        for purpose in p.processing.purposes
    ]


def _spreadsheet_safe(cell: str) -> str:
    """A cell a spreadsheet shows as text: descriptors are untrusted, and a cell such as
    `=HYPERLINK(...)` would otherwise run as a formula when the file is opened."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def _one_cell(cell: Cell) -> str:
    return cell if isinstance(cell, str) else "\n".join(cell)


def ropa_csv(config: Config, providers: Iterable[Provider], words: Labels, ref: Reference) -> str:
    """The record as CSV: a byte-order mark so that spreadsheets detect UTF-8, RFC 4180
    quoting, CRLF line ends; the items of a list cell on lines of their own."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_spreadsheet_safe(words[f"ropa.columns.{c}"]) for c in CSV_COLUMNS])
    shared = {"controller": _controller(config, words), "dpo": _dpo(config, words)}
    for activity in activities(providers, words, ref):
        row = {**shared, **activity}
        writer.writerow([_spreadsheet_safe(_one_cell(row[c])) for c in CSV_COLUMNS])
    return "\ufeff" + out.getvalue()


def ropa_json(config: Config, providers: Iterable[Provider], words: Labels, ref: Reference) -> str:
    """The record as one JSON object with stable English keys, sorted, without a timestamp."""
    record = {
        "controller": asdict(config.controller),
        "dpo": asdict(config.dpo) if config.dpo else None,
        "representative": asdict(config.representative) if config.representative else None,
        "language": words.lang,
        "activities": activities(providers, words, ref),
        "generated_by": f"dsgvo-gen {__version__}",
    }
    return json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
