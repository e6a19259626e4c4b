"""Exports for other tools: the record of processing activities and a Fides manifest.

The record (Art. 30(1) GDPR) has one activity per provider and purpose, as CSV for
spreadsheets or as JSON; the Fides manifest describes each provider as a fideslang
system. Everything here works on a checked project and returns text: nothing is
printed or written, and the same project gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from dsgvo_gen import __version__
from dsgvo_gen.checker import check_project
from dsgvo_gen.config import Config, Contact
from dsgvo_gen.findings import Finding, Report, display_path
from dsgvo_gen.i18n import CatalogueError, LabelError, Labels, labels
from dsgvo_gen.model import DataCategory, Features, Provider, Purpose
from dsgvo_gen.paths import UnsafePath
from dsgvo_gen.reference import read_builtin, reference
from dsgvo_gen.resources import templates_for

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


#: The language a Fides manifest is written in where the project has it.
FIDES_LANGUAGE = "en"


class UnknownLanguage(ValueError):  # noqa: N818 - a usage error, named for the user
    """The export was asked for a language the project does not have."""


# --- the record of processing activities (Art. 30(1) GDPR) ---------------------------------


def _contact(contact: Contact) -> list[str]:
    return [part for part in (contact.name, contact.address, contact.email, contact.phone) if part]


def _controller(config: Config, words: Labels) -> list[str]:
    c = config.controller
    lines = [c.name, c.address, c.email, *([c.phone] if c.phone else [])]
    if config.representative is not None:
        joined = ", ".join(_contact(config.representative))
        lines.append(words.text("ropa.representative", contact=joined))
    return lines


def _dpo(config: Config, words: Labels) -> list[str]:
    return _contact(config.dpo) if config.dpo is not None else [words["ropa.no_dpo"]]


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


def _transfers(p: Provider, words: Labels) -> list[str]:
    adequacy = reference().adequacy
    lines = []
    for t in p.processing.transfers:
        decision = adequacy[t.country].decision if t.country in adequacy else ""
        parts = [words.text("ropa.mechanism." + t.mechanism, decision=decision)]
        if t.dpf_checked_on is not None:
            parts.append(words.text("ropa.dpf_checked", date=words.date(t.dpf_checked_on)))
        if t.safeguard_url:
            parts.append(t.safeguard_url)
        lines.append(f"{t.recipient} ({words.country(t.country)}): {'; '.join(parts)}")
    return lines or [words["ropa.none"]]


def _erasure(p: Provider, words: Labels) -> list[str]:
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


def _security(f: Features, words: Labels) -> list[str]:
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


def _activity(p: Provider, purpose: Purpose, words: Labels) -> Activity:
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
        "third_country_transfers": _transfers(p, words),
        "erasure_time_limits": _erasure(p, words),
        "security_measures": _security(p.features, words),
        "reviewed_on": p.reviewed_on.isoformat(),
    }


def activities(providers: Iterable[Provider], words: Labels) -> list[Activity]:
    """One activity per provider and purpose: providers by id, purposes as described."""
    return [
        _activity(p, purpose, words)
        for p in sorted(providers, key=lambda p: p.id)
        for purpose in p.processing.purposes
    ]


def _spreadsheet_safe(cell: str) -> str:
    """A cell a spreadsheet shows as text: descriptors are untrusted, and a cell such as
    `=HYPERLINK(...)` would otherwise run as a formula when the file is opened."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def _one_cell(cell: Cell) -> str:
    return cell if isinstance(cell, str) else "\n".join(cell)


def ropa_csv(config: Config, providers: Iterable[Provider], words: Labels) -> str:
    """The record as CSV: a byte-order mark so that spreadsheets detect UTF-8, RFC 4180
    quoting, CRLF line ends; the items of a list cell on lines of their own."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_spreadsheet_safe(words[f"ropa.columns.{c}"]) for c in CSV_COLUMNS])
    shared = {"controller": _controller(config, words), "dpo": _dpo(config, words)}
    for activity in activities(providers, words):
        row = {**shared, **activity}
        writer.writerow([_spreadsheet_safe(_one_cell(row[c])) for c in CSV_COLUMNS])
    return "\ufeff" + out.getvalue()


def ropa_json(config: Config, providers: Iterable[Provider], words: Labels) -> str:
    """The record as one JSON object with stable English keys, sorted, without a timestamp."""
    record = {
        "controller": asdict(config.controller),
        "dpo": asdict(config.dpo) if config.dpo else None,
        "representative": asdict(config.representative) if config.representative else None,
        "language": words.lang,
        "activities": activities(providers, words),
        "generated_by": f"dsgvo-gen {__version__}",
    }
    return json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# --- Fides (fideslang system manifest) ------------------------------------------------------

#: Where a descriptor id has no entry in data/fides.yaml (recorded in the system's meta).
FALLBACK_DATA_CATEGORY = "user"
FALLBACK_DATA_USE = "essential.service"


@cache
def taxonomy_map() -> dict[str, dict[str, Any]]:
    """Our ids and closed sets -> fideslang keys and enumerations (data/fides.yaml)."""
    return read_builtin("fides.yaml")


@dataclass
class _Review:
    """What a person should look at: ids mapped by fallback or not at all, by kind."""

    fallback: dict[str, dict[str, Any]]
    not_in_taxonomy: dict[str, list[str]]

    def as_meta(self) -> dict[str, Any]:
        named = {"taxonomy_fallback": self.fallback, "not_in_taxonomy": self.not_in_taxonomy}
        return {key: entries for key, entries in named.items() if entries}


def _keys(ids: Iterable[str], kind: str, fallback: list[str], review: _Review) -> list[str]:
    table, keys = taxonomy_map()[kind], set[str]()
    for our_id in ids:
        mapped = table.get(our_id)
        if mapped is None:
            review.fallback.setdefault(kind, {})[our_id] = fallback
            mapped = fallback
        elif not mapped:
            review.not_in_taxonomy.setdefault(kind, []).append(our_id)
        keys.update(mapped)
    return sorted(keys)


def _declaration(
    purpose: Purpose, common: dict[str, Any], lang: str, review: _Review
) -> dict[str, Any]:
    table = taxonomy_map()
    data_use = table["data_uses"].get(purpose.id)
    if data_use is None:
        review.fallback.setdefault("data_uses", {})[purpose.id] = FALLBACK_DATA_USE
        data_use = FALLBACK_DATA_USE
    # fideslang takes one Art. 6 basis per declaration: the first named; meta keeps all.
    art6 = [table["legal_basis_for_processing"][b] for b in purpose.legal_basis
            if b in table["legal_basis_for_processing"]]  # fmt: skip
    art9 = [table["special_category_legal_basis"][b] for b in purpose.legal_basis
            if b in table["special_category_legal_basis"]]  # fmt: skip
    declaration: dict[str, Any] = {
        "name": purpose.text.get(lang),
        "data_use": data_use,
        "legal_basis_for_processing": art6[0] if art6 else None,
        "special_category_legal_basis": art9[0] if art9 else None,
        **common,
    }
    return {key: value for key, value in declaration.items() if value is not None}


def _declarations(p: Provider, words: Labels, review: _Review) -> list[dict[str, Any]]:
    """One declaration per purpose; like the record, each names all data and subjects."""
    proc = p.processing
    common = {
        "data_categories": _keys((d.id for d in proc.data), "data_categories",
                                 [FALLBACK_DATA_CATEGORY], review),
        "data_subjects": _keys((s.id for s in proc.subjects), "data_subjects", [], review),
        "processes_special_category_data": any(d.special_category for d in proc.data),
        "retention_period": "\n".join(_erasure(p, words)),
        "data_shared_with_third_parties": bool(proc.recipients),
        "third_parties": "; ".join(r.name for r in proc.recipients) or None,
    }  # fmt: skip
    declarations = [_declaration(purpose, common, words.lang, review) for purpose in proc.purposes]
    return sorted(declarations, key=lambda d: str(d["name"]))


def _transfer_meta(p: Provider) -> list[dict[str, str]]:
    entries = []
    for t in p.processing.transfers:
        entry = {"recipient": t.recipient, "country": t.country, "mechanism": t.mechanism}
        if t.dpf_checked_on is not None:
            entry["dpf_checked_on"] = t.dpf_checked_on.isoformat()
        if t.safeguard_url:
            entry["safeguard_url"] = t.safeguard_url
        entries.append(entry)
    return entries


def _system(config: Config, p: Provider, words: Labels) -> dict[str, Any]:
    op, review = p.operator, _Review({}, {})
    runs_itself = op.role == "self"
    declarations = _declarations(p, words, review)
    transfers = _transfer_meta(p)
    to_transfer = taxonomy_map()["legal_basis_for_transfers"]
    meta: dict[str, Any] = {
        "source": f"dsgvo-gen {__version__}, descriptor providers/{p.id}.yaml",
        "reviewed_on": p.reviewed_on.isoformat(),
        "sources": [s.url for s in p.sources],
        "legal_bases": {purpose.id: list(purpose.legal_basis) for purpose in p.processing.purposes},
        **({"transfers": transfers} if transfers else {}),
        **review.as_meta(),
    }
    system: dict[str, Any] = {
        # Our ids (^[a-z0-9][a-z0-9-]*$) already match fideslang's FidesKey pattern.
        "fides_key": p.id,
        "name": p.name.get(words.lang),
        "description": f"{words['category.' + p.category]}: {p.service_url}",
        "system_type": "Service" if runs_itself else "Third Party",
        "responsibility": ["Controller"],
        "legal_name": config.controller.name if runs_itself else op.legal_name,
        "legal_address": config.controller.address if runs_itself else op.address,
        "privacy_policy": op.privacy_policy_url,
        "dpa_location": op.dpa_url,
        "joint_controller_info": f"{op.legal_name}: {op.joint_arrangement.get(words.lang)}"
        if op.joint_arrangement else None,
        "dpo": ", ".join(_contact(config.dpo)) if config.dpo is not None else None,
        "data_security_practices": "\n".join(_security(p.features, words)),
        "uses_profiling": p.processing.automated_decisions,
        "does_international_transfers": bool(transfers),
        "legal_basis_for_transfers": sorted({to_transfer[t["mechanism"]] for t in transfers
                                             if t["mechanism"] in to_transfer}),
        "privacy_declarations": declarations,
        "meta": meta,
    }  # fmt: skip
    return {key: value for key, value in system.items() if value is not None}


class _PlainDumper(yaml.SafeDumper):
    """Writes a list that several declarations share out each time: anchors and aliases
    would make the manifest harder to read (and dsgvo-gen's own loader refuses them)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def fides_manifest(config: Config, providers: Iterable[Provider], words: Labels) -> str:
    """A fideslang manifest (YAML, top-level `system:`) with one system per provider."""
    systems = [_system(config, p, words) for p in sorted(providers, key=lambda p: p.id)]
    header = (
        f"# Fides system manifest made by dsgvo-gen {__version__}. Taxonomy keys: the Fides\n"
        "# taxonomy (fideslang) by Ethyca, Inc., CC BY 4.0. Review meta.taxonomy_fallback.\n"
    )
    body = yaml.dump({"system": systems}, Dumper=_PlainDumper, allow_unicode=True,
                     sort_keys=False, width=100)  # fmt: skip
    return header + body


# --- the whole export -----------------------------------------------------------------------

Exporter = Callable[[Config, Iterable[Provider], Labels], str]
EXPORTERS: dict[str, Exporter] = {"ropa-csv": ropa_csv, "ropa-json": ropa_json,
                                  "fides": fides_manifest}  # fmt: skip


FORMATS = tuple(EXPORTERS)


@dataclass
class ExportResult:
    report: Report
    content: bytes | None  # None when the export was refused
    activities: int = 0


def export(
    root: Path | str = ".",
    export_format: str = "ropa-csv",
    *,
    lang: str | None = None,
    today: date | None = None,
) -> ExportResult:
    """Check the project and, if `check` finds no errors, export it in `export_format`.

    `lang` defaults to the project's first language, for Fides to English where the
    project has it (a Fides manifest is read by Fides' English taxonomy and its
    users, mostly not by the people the notices are for); a language the project
    does not have raises UnknownLanguage.
    """
    exporter = EXPORTERS.get(export_format)
    if exporter is None:
        raise ValueError(f"no export format {export_format!r}; there are: {', '.join(FORMATS)}")
    root = Path(root)
    project = check_project(root, today=today)
    report, config = project.report, project.config
    if report.failed() or config is None:
        return ExportResult(report, None)
    if lang is None:
        fides_en = export_format == "fides" and FIDES_LANGUAGE in config.languages
        lang = FIDES_LANGUAGE if fides_en else config.default_language
    if lang not in config.languages:
        raise UnknownLanguage(f"the project has no language {lang}; it has: "
                              f"{', '.join(config.languages)}")  # fmt: skip
    try:
        text = exporter(config, project.providers, labels(templates_for(root), lang))
    except CatalogueError as err:  # a project's own label catalogue is broken
        report.extend(err.findings)
        return ExportResult(report, None)
    except (LabelError, UnsafePath) as err:  # a label that does not fit; a linked templates/
        code = "DG116" if isinstance(err, UnsafePath) else "DG111"
        report.extend([Finding(display_path(root / "templates", Path.cwd()), 1, 1, code, str(err))])
        return ExportResult(report, None)
    count = sum(len(p.processing.purposes) for p in project.providers)
    return ExportResult(report, text.encode("utf-8"), count)
