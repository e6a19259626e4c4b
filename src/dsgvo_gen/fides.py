"""A Fides system manifest: each provider as a fideslang system.

Our ids for data categories, purposes and subjects are mapped to fideslang keys by an
explicit table (data/fides.yaml); an id it does not know is never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from dsgvo_gen import __version__
from dsgvo_gen.config import Config
from dsgvo_gen.i18n import Labels
from dsgvo_gen.model import Provider, Purpose
from dsgvo_gen.reference import Reference, read_builtin
from dsgvo_gen.ropa import contact_lines, erasure_lines, security_lines

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
        "retention_period": "\n".join(erasure_lines(p, words)),
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
        "dpo": ", ".join(contact_lines(config.dpo)) if config.dpo is not None else None,
        "data_security_practices": "\n".join(security_lines(p.features, words)),
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


def fides_manifest(
    config: Config, providers: Iterable[Provider], words: Labels, ref: Reference
) -> str:
    """A fideslang manifest (YAML, top-level `system:`) with one system per provider."""
    systems = [_system(config, p, words) for p in sorted(providers, key=lambda p: p.id)]
    header = (
        f"# Fides system manifest made by dsgvo-gen {__version__}. Taxonomy keys: the Fides\n"
        "# taxonomy (fideslang) by Ethyca, Inc., CC BY 4.0. Review meta.taxonomy_fallback.\n"
    )
    body = yaml.dump({"system": systems}, Dumper=_PlainDumper, allow_unicode=True,
                     sort_keys=False, width=100)  # fmt: skip
    return header + body
