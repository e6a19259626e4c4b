"""DG4xx: the facts and decisions about one provider fit together and fit the law."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator

from dsgvo_gen.decisions import Decisions
from dsgvo_gen.entry import Entry
from dsgvo_gen.findings import Finding, quote
from dsgvo_gen.hints import did_you_mean
from dsgvo_gen.loader import JsonPath
from dsgvo_gen.model import Retention
from dsgvo_gen.rules import Context, Use, Where, descriptor_rule, fact_rule, use_rule
from dsgvo_gen.rules.project import recipient_key

# Phrases that say nothing about when data are deleted (WP260 rev.01, para. 48).
_VAGUE_RETENTION = re.compile(
    r"^\W*(so ?lange?|as long as|for as long as)\b.*\b(erforderlich|notwendig|nötig|necessary|"
    r"required|needed)(\s+(ist|sind|is|are))?\W*$",
    re.IGNORECASE,
)


@use_rule("DG403")
def processor_has_dpa(use: Use, ctx: Context) -> Iterator[Finding]:
    p, d = use.provider, use.decisions
    if p.operator.role != "processor":
        return
    if d.format == 1 and p.operator.dpa_url is None:
        yield use.where.finding(
            ("operator", "dpa_url"), "DG403",
            "the operator is a processor: give the URL of the data processing agreement",
        )  # fmt: skip
    elif d.format == 2 and d.dpa is None:
        yield use.where.finding(
            ("dpa",), "DG403",
            "the operator is a processor: conclude a data processing agreement with it and "
            "record it here (dpa: {concluded_on, kept_at}); the record is never published",
        )  # fmt: skip


@use_rule("DG537")
def processor_facts_come_from_the_dpa(use: Use, ctx: Context) -> Iterator[Finding]:
    """What a public source leaves open about a processor, its controller knows from the
    agreement: the sub-processors it authorised, where they process (Art. 28(2)-(4)). A
    notice saying "we do not know" about one's own processor reads as a breach of Art. 28."""
    p, d = use.provider, use.decisions
    if d.format == 1 or p.operator.role != "processor" or d.dpa is None:
        return  # no agreement recorded yet: DG403 asks for it first
    open_ = [u.field for u in p.unconfirmed if u.field in ("recipients", "transfers")]
    if p.processing.transfers_unclear is not None:
        open_.append("transfers")
    if open_:
        yield use.where.finding(
            ("dpa",), "DG537",
            f"the operator is your processor, but its catalogue entry leaves its "
            f"{' and '.join(sorted(set(open_)))} open and the notice says so: your data "
            "processing agreement names the sub-processors you authorised and where they "
            "process; take them from it into a catalogue entry of your own (catalogue/), or "
            "keep this descriptor a draft until you have them",
        )  # fmt: skip


@use_rule("DG404")
def joint_controller_arrangement(use: Use, ctx: Context) -> Iterator[Finding]:
    role = use.decisions.role
    if role.assessment == "joint-controller" and role.joint_arrangement is None:
        yield use.where.finding(
            (*role.at, "joint_arrangement"), "DG404",
            "the operator is a joint controller: state the essence of the arrangement",
        )  # fmt: skip
    elif role.assessment != "joint-controller" and role.joint_arrangement is not None:
        # Published as an Art. 26 arrangement that does not exist; often the rest of a
        # comment or mark left standing below `joint_arrangement: null`.
        yield use.where.finding(
            (*role.at, "joint_arrangement"), "DG404",
            f"the operator's role is {role.assessment}: an arrangement under Art. 26 GDPR "
            "exists only between joint controllers; set joint_arrangement to null",
        )  # fmt: skip


@use_rule("DG405")
def special_data_basis(use: Use, ctx: Context) -> Iterator[Finding]:
    proc = use.provider.processing
    if any(b.startswith("art9-") for pur in proc.purposes for b in pur.legal_basis):
        return
    for data in proc.data:
        if data.special_category:
            yield use.where.finding(
                (*data.at, "special_category"), "DG405",
                f"data '{data.id}' are special-category data: a purpose needs an Art. 9(2) "
                "basis (art9-2-a: explicit consent)",
            )  # fmt: skip


@use_rule("DG406")
def special_data_explicit_consent(use: Use, ctx: Context) -> Iterator[Finding]:
    p = use.provider
    if not any("art9-2-a" in pur.legal_basis for pur in p.processing.purposes):
        return
    consented = {d for item in (p.consent.items if p.consent else ()) for d in item.data}
    for data in p.processing.data:
        if data.special_category and data.id not in consented:
            yield use.where.finding(
                (*data.at, "special_category"), "DG406",
                f"data '{data.id}' rest on explicit consent (art9-2-a): a consent item must "
                "name them",
            )  # fmt: skip


def _unknown(
    where: Where, refs: Iterable[tuple[str, JsonPath]], known: set[str], kind: str
) -> Iterator[Finding]:
    key = recipient_key if kind == "recipient" else None
    for ref, at in refs:
        if ref not in known:
            hint = did_you_mean(ref, known, key=key)
            listed = "" if hint or not known else f"; known: {', '.join(sorted(known)[:8])}"
            yield where.finding(at, "DG407", f"unknown {kind} {quote(ref)}{hint}{listed}")


def _data_refs(rules: Iterable[Retention]) -> Iterator[tuple[str, JsonPath]]:
    return ((d, (*r.at, "data", i)) for r in rules for i, d in enumerate(r.data))


@fact_rule("DG407")
def facts_refer_to_known_ids(e: Entry, where: Where, ctx: Context) -> Iterator[Finding]:
    yield from _unknown(where, _data_refs(e.retention), {d.id for d in e.data}, "data id")
    yield from _unknown(where, ((t.recipient, (*t.at, "recipient")) for t in e.transfers),
                        {r.name for r in e.recipients}, "recipient")  # fmt: skip
    cited = [(s, (*owner.at, "source")) for owner in e.sourced() for s in owner.sources]
    yield from _unknown(where, cited, {s.id for s in e.sources}, "source id")


@use_rule("DG407")
def decisions_refer_to_known_ids(use: Use, ctx: Context) -> Iterator[Finding]:
    p, d, e, where = use.provider, use.decisions, use.entry, use.where
    service = {item.id for item in e.data}
    yield from _unknown(where, ((pick.id, pick.at) for pick in d.picks), service,
                        f"data id in the catalogue entry '{e.id}'")  # fmt: skip
    rules = {r.data for r in e.retention}
    for item in d.retention:
        if not isinstance(item, Retention) and item.data not in rules:
            yield where.finding(
                (*item.at, "catalogue"), "DG407",
                f"the catalogue entry '{e.id}' has no retention rule for exactly "
                f"[{', '.join(item.data)}]",
            )  # fmt: skip
    data_ids = {x.id for x in p.processing.data}
    yield from _unknown(where, _data_refs(d.own_retention), data_ids, "data id")
    for consent in p.consent.items if p.consent else ():
        yield from _unknown(where, ((x, (*consent.at, "data", i))
                                    for i, x in enumerate(consent.data)),
                            data_ids, "data id")  # fmt: skip
        yield from _unknown(where, ((x, (*consent.at, "purposes", i))
                                    for i, x in enumerate(consent.purposes)),
                            {x.id for x in p.processing.purposes}, "purpose id")  # fmt: skip
    yield from _unknown(where, ((t.recipient, (*t.at, "recipient")) for t in d.transfers),
                        {r.name for r in p.processing.recipients}, "recipient")  # fmt: skip


def _concrete(rules: Iterable[Retention], where: Where) -> Iterator[Finding]:
    for r in rules:
        if r.period is None and r.criteria is None:
            yield where.finding(r.at, "DG408", "give a period or the criteria for deletion")
        elif r.criteria is not None:
            for at, value in r.criteria.located():
                if _VAGUE_RETENTION.match(value):
                    yield where.finding(
                        at, "DG408",
                        f"{quote(value)} does not let a reader work out the period: name the "
                        "event or deadline that ends it",
                    )  # fmt: skip


@fact_rule("DG408")
def facts_retention_is_concrete(e: Entry, where: Where, ctx: Context) -> Iterator[Finding]:
    yield from _concrete(e.retention, where)


@descriptor_rule("DG408")
def own_retention_is_concrete(d: Decisions, where: Where, ctx: Context) -> Iterator[Finding]:
    yield from _concrete(d.own_retention, where)


@descriptor_rule("DG409", "DG410")
def consent_items_match_purposes(d: Decisions, where: Where, ctx: Context) -> Iterator[Finding]:
    by_id = {x.id: x for x in d.purposes}
    items = d.consent.items if d.consent else ()
    for item in items:
        for i, purpose_id in enumerate(item.purposes):
            purpose = by_id.get(purpose_id)
            if purpose is not None and not purpose.rests_on_consent:
                yield where.finding(
                    (*item.at, "purposes", i), "DG409",
                    f"purpose '{purpose_id}' does not rest on consent; asking consent for it "
                    "misleads about the legal basis",
                )  # fmt: skip
    covered = {x for item in items for x in item.purposes}
    if d.consent is None:
        return  # DG310 reports the missing form itself
    for purpose in d.purposes:
        if purpose.rests_on_consent and purpose.id not in covered:
            yield where.finding(
                (*purpose.at, "id"), "DG410",
                f"purpose '{purpose.id}' rests on consent but no consent item asks for it",
            )  # fmt: skip


@use_rule("DG411")
def operator_identified(use: Use, ctx: Context) -> Iterator[Finding]:
    op = use.provider.operator
    if op.role == "self":
        return
    # Art. 13(1)(e) asks for the recipient's identity; a postal address is shown when known
    # but, unlike the controller's (13(1)(a)), it is not a required element.
    missing = [k for k in ("legal_name", "country") if getattr(op, k) is None]
    if op.role != "processor" and op.privacy_policy_url is None:
        missing.append("privacy_policy_url")
    if missing:
        yield use.where.finding(
            op.at, "DG411", f"the operator is a third party: give its {', '.join(missing)}",
            key=True,
        )  # fmt: skip


@use_rule("DG417")
def self_run_has_no_operator(use: Use, ctx: Context) -> Iterator[Finding]:
    role, op = use.decisions.role, use.provider.operator
    if use.decisions.format == 2 and role.assessment == "self" and op.legal_name is not None:
        yield use.where.finding(
            (*role.at, "assessment"), "DG417",
            f"role self says you run the service yourself, but the catalogue entry "
            f"'{use.entry.id}' names its operator {op.legal_name}: assess that operator's role",
        )  # fmt: skip


@use_rule("DG202")
def service_has_an_address(use: Use, ctx: Context) -> Iterator[Finding]:
    if not use.provider.service_url:
        yield use.where.finding(
            ("uses",), "DG202",
            f"the catalogue entry '{use.entry.id}' has no service_url (each controller runs "
            "the service on its own server): give yours as service_url",
        )  # fmt: skip


def _repeated(
    where: Where, groups: list[tuple[str, list[tuple[str, JsonPath]]]]
) -> Iterator[Finding]:
    for kind, entries in groups:
        counts = Counter(key for key, _ in entries)
        seen: set[str] = set()
        for key, at in entries:
            if counts[key] > 1 and key in seen:
                yield where.finding(at, "DG414", f"{kind} '{key}' is listed more than once")
            seen.add(key)


@fact_rule("DG414")
def facts_ids_unique(e: Entry, where: Where, ctx: Context) -> Iterator[Finding]:
    yield from _repeated(where, [
        ("source", [(s.id, s.at) for s in e.sources]),
        ("data", [(x.id, x.at) for x in e.data]),
        ("recipient", [(r.name, r.at) for r in e.recipients]),
        ("transfer recipient", [(t.recipient, t.at) for t in e.transfers]),
    ])  # fmt: skip


@descriptor_rule("DG414")
def decisions_ids_unique(d: Decisions, where: Where, ctx: Context) -> Iterator[Finding]:
    yield from _repeated(where, [
        ("subject", [(s.id, s.at) for s in d.subjects]),
        ("purpose", [(x.id, x.at) for x in d.purposes]),
        ("data", [(x.id, x.at) for x in d.data]),
        ("recipient", [(r.name, r.at) for r in d.recipients]),
        ("transfer recipient", [(t.recipient, t.at) for t in d.transfers]),
        ("consent item", [(i.id, i.at) for i in (d.consent.items if d.consent else ())]),
    ])  # fmt: skip
