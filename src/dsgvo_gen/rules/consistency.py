"""DG4xx: the facts of one descriptor fit together and fit the law."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator

from dsgvo_gen.findings import Finding, quote
from dsgvo_gen.hints import did_you_mean
from dsgvo_gen.loader import Document, JsonPath
from dsgvo_gen.model import Provider
from dsgvo_gen.rules import Context, descriptor_rule
from dsgvo_gen.rules.project import recipient_key

DPF_MECHANISMS = {"eu-us-dpf", "swiss-us-dpf"}

# Phrases that say nothing about when data are deleted (WP260 rev.01, para. 48).
_VAGUE_RETENTION = re.compile(
    r"^\W*(so ?lange?|as long as|for as long as)\b.*\b(erforderlich|notwendig|nötig|necessary|"
    r"required|needed)(\s+(ist|sind|is|are))?\W*$",
    re.IGNORECASE,
)


@descriptor_rule("DG401")
def dpf_fits(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    controller_country = ctx.config.controller.country if ctx.config else None
    for t in p.processing.transfers:
        where = (*t.at, "mechanism")
        if t.mechanism in DPF_MECHANISMS and t.country != "US":
            yield doc.finding(
                where, "DG401", f"{t.mechanism} covers only US organisations, not {t.country}"
            )
        if t.mechanism == "swiss-us-dpf" and controller_country not in (None, "CH"):
            yield doc.finding(
                where, "DG401",
                "swiss-us-dpf is the Swiss-US framework for Swiss controllers; an EU/EEA "
                "controller relies on eu-us-dpf",
            )  # fmt: skip


@descriptor_rule("DG402")
def adequacy_exists(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    for t in p.processing.transfers:
        if t.mechanism != "adequacy":
            continue
        where = (*t.at, "mechanism")
        if t.country == "US":
            yield doc.finding(
                where, "DG402",
                "the US adequacy decision covers only organisations on the DPF list: use "
                "eu-us-dpf with dpf_checked_on",
            )  # fmt: skip
        elif not ctx.reference.has_adequacy(t.country):
            yield doc.finding(
                where, "DG402",
                f"there is no EU adequacy decision for {t.country}; use scc, bcr or an "
                "Art. 49 derogation",
            )  # fmt: skip


@descriptor_rule("DG403")
def processor_has_dpa(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    if p.operator.role == "processor" and p.operator.dpa_url is None:
        yield doc.finding(
            ("operator", "dpa_url"), "DG403",
            "the operator is a processor: give the URL of the data processing agreement",
        )  # fmt: skip


@descriptor_rule("DG404")
def joint_controller_arrangement(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    if p.operator.role == "joint-controller" and p.operator.joint_arrangement is None:
        yield doc.finding(
            ("operator", "joint_arrangement"), "DG404",
            "the operator is a joint controller: state the essence of the arrangement",
        )  # fmt: skip


@descriptor_rule("DG405")
def special_data_basis(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    has_art9 = any(b.startswith("art9-") for pur in p.processing.purposes for b in pur.legal_basis)
    if has_art9:
        return
    for data in p.processing.data:
        if data.special_category:
            yield doc.finding(
                (*data.at, "special_category"), "DG405",
                f"data '{data.id}' are special-category data: a purpose needs an Art. 9(2) "
                "basis (art9-2-a: explicit consent)",
            )  # fmt: skip


@descriptor_rule("DG406")
def special_data_explicit_consent(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    explicit = any("art9-2-a" in pur.legal_basis for pur in p.processing.purposes)
    if not explicit:
        return
    consented = {d for item in (p.consent.items if p.consent else ()) for d in item.data}
    for data in p.processing.data:
        if data.special_category and data.id not in consented:
            yield doc.finding(
                (*data.at, "special_category"), "DG406",
                f"data '{data.id}' rest on explicit consent (art9-2-a): a consent item must "
                "name them",
            )  # fmt: skip


def _unknown(
    doc: Document, refs: Iterable[tuple[str, JsonPath]], known: set[str], kind: str
) -> Iterator[Finding]:
    key = recipient_key if kind == "recipient" else None
    for ref, at in refs:
        if ref not in known:
            hint = did_you_mean(ref, known, key=key)
            listed = "" if hint or not known else f"; known: {', '.join(sorted(known)[:8])}"
            yield doc.finding(at, "DG407", f"unknown {kind} {quote(ref)}{hint}{listed}")


@descriptor_rule("DG407")
def references_exist(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    proc = p.processing
    data_ids = {d.id for d in proc.data}
    yield from _unknown(doc, ((d, (*r.at, "data", i)) for r in proc.retention
                              for i, d in enumerate(r.data)), data_ids, "data id")  # fmt: skip
    for item in p.consent.items if p.consent else ():
        yield from _unknown(doc, ((d, (*item.at, "data", i)) for i, d in enumerate(item.data)),
                            data_ids, "data id")  # fmt: skip
        yield from _unknown(doc, ((x, (*item.at, "purposes", i))
                                  for i, x in enumerate(item.purposes)),
                            {x.id for x in proc.purposes}, "purpose id")  # fmt: skip
    yield from _unknown(doc, ((t.recipient, (*t.at, "recipient")) for t in proc.transfers),
                        {r.name for r in proc.recipients}, "recipient")  # fmt: skip
    cited = [(s, (*owner.at, "source")) for owner in p.sourced() for s in owner.sources]
    yield from _unknown(doc, cited, {s.id for s in p.sources}, "source id")


@descriptor_rule("DG408")
def retention_is_concrete(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    for r in p.processing.retention:
        if r.period is None and r.criteria is None:
            yield doc.finding(r.at, "DG408", "give a period or the criteria for deletion")
        elif r.criteria is not None:
            for at, value in r.criteria.located():
                if _VAGUE_RETENTION.match(value):
                    yield doc.finding(
                        at, "DG408",
                        f"{quote(value)} does not let a reader work out the period: name the "
                        "event or deadline that ends it",
                    )  # fmt: skip


@descriptor_rule("DG409", "DG410")
def consent_items_match_purposes(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    by_id = {x.id: x for x in p.processing.purposes}
    items = p.consent.items if p.consent else ()
    for item in items:
        for i, purpose_id in enumerate(item.purposes):
            purpose = by_id.get(purpose_id)
            if purpose is not None and not purpose.rests_on_consent:
                yield doc.finding(
                    (*item.at, "purposes", i), "DG409",
                    f"purpose '{purpose_id}' does not rest on consent; asking consent for it "
                    "misleads about the legal basis",
                )  # fmt: skip
    covered = {x for item in items for x in item.purposes}
    if p.consent is None:
        return  # DG310 reports the missing form itself
    for purpose in p.processing.purposes:
        if purpose.rests_on_consent and purpose.id not in covered:
            yield doc.finding(
                (*purpose.at, "id"), "DG410",
                f"purpose '{purpose.id}' rests on consent but no consent item asks for it",
            )  # fmt: skip


@descriptor_rule("DG411")
def operator_identified(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    op = p.operator
    if op.role == "self":
        return
    # Art. 13(1)(e) asks for the recipient's identity; a postal address is shown when known
    # but, unlike the controller's (13(1)(a)), it is not a required element.
    missing = [k for k in ("legal_name", "country") if getattr(op, k) is None]
    if op.role != "processor" and op.privacy_policy_url is None:
        missing.append("privacy_policy_url")
    if missing:
        yield doc.finding(
            ("operator",), "DG411",
            f"the operator is a third party: give its {', '.join(missing)}", key=True,
        )  # fmt: skip


@descriptor_rule("DG412")
def transfers_match_recipients(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    countries = {r.name: r.country for r in p.processing.recipients}
    for t in p.processing.transfers:
        if t.recipient in countries and countries[t.recipient] != t.country:
            yield doc.finding(
                (*t.at, "country"), "DG412",
                f"the recipient '{t.recipient}' is listed in {countries[t.recipient]}, the "
                f"transfer names {t.country}",
            )  # fmt: skip
        elif ctx.reference.in_eea(t.country):
            yield doc.finding(
                (*t.at, "country"), "DG412",
                f"{t.country} is in the EU/EEA: this is no third-country transfer",
            )  # fmt: skip


@descriptor_rule("DG413")
def transfer_has_mechanism(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    for t in p.processing.transfers:
        if t.mechanism == "none":
            yield doc.finding(
                (*t.at, "mechanism"), "DG413",
                f"the transfer to '{t.recipient}' has no legal mechanism; it is not lawful "
                "without one of Art. 45-49",
            )  # fmt: skip


@descriptor_rule("DG414")
def ids_unique(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    proc = p.processing
    groups: list[tuple[str, list[tuple[str, JsonPath]]]] = [
        ("source", [(s.id, s.at) for s in p.sources]),
        ("subject", [(s.id, s.at) for s in proc.subjects]),
        ("purpose", [(x.id, x.at) for x in proc.purposes]),
        ("data", [(d.id, d.at) for d in proc.data]),
        ("recipient", [(r.name, r.at) for r in proc.recipients]),
        ("transfer recipient", [(t.recipient, t.at) for t in proc.transfers]),
        ("consent item", [(i.id, i.at) for i in (p.consent.items if p.consent else ())]),
    ]
    for kind, entries in groups:
        counts = Counter(key for key, _ in entries)
        seen: set[str] = set()
        for key, at in entries:
            if counts[key] > 1 and key in seen:
                yield doc.finding(at, "DG414", f"{kind} '{key}' is listed more than once")
            seen.add(key)


@descriptor_rule("DG415")
def consent_transfer_has_form(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    if p.consent is not None:
        return
    for t in p.processing.transfers:
        if t.mechanism == "art49-1-a":
            yield doc.finding(
                (*t.at, "mechanism"), "DG415",
                "a transfer on explicit consent needs a consent form that informs about the risks",
            )  # fmt: skip


@descriptor_rule("DG416")
def dpf_check_date(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    for t in p.processing.transfers:
        if t.mechanism in DPF_MECHANISMS and t.dpf_checked_on is None:
            yield doc.finding(
                (*t.at, "dpf_checked_on"), "DG416",
                f"give the date you found '{t.recipient}' active on the DPF list",
            )  # fmt: skip
        elif t.mechanism not in DPF_MECHANISMS and t.dpf_checked_on is not None:
            yield doc.finding(
                (*t.at, "dpf_checked_on"), "DG416",
                f"dpf_checked_on belongs to a DPF mechanism, not to {t.mechanism}; set it to null",
            )  # fmt: skip
