"""DG3xx: every element Art. 13 GDPR requires is present."""

from __future__ import annotations

from collections.abc import Iterator

from dsgvo_gen.config import Config
from dsgvo_gen.findings import Finding, quote
from dsgvo_gen.loader import Document
from dsgvo_gen.model import Provider
from dsgvo_gen.rules import Context, config_rule, descriptor_rule


@config_rule("DG301")
def controller_identity(config: Config, doc: Document, ctx: Context) -> Iterator[Finding]:
    c = config.controller
    for key, value in (("name", c.name), ("address", c.address), ("email", c.email)):
        if not value.strip():
            yield doc.finding(("controller", key), "DG301", f"the controller's {key} is empty")


@config_rule("DG312")
def not_the_example(config: Config, doc: Document, ctx: Context) -> Iterator[Finding]:
    if config.controller.example:
        yield doc.finding(
            ("controller", "example"), "DG312",
            "the controller is the invented example (example: true), and every page says so: "
            "put in your organisation's name, address and e-mail, then delete 'example: true'",
            key=True,
        )  # fmt: skip


@config_rule("DG302")
def dpo_contact(config: Config, doc: Document, ctx: Context) -> Iterator[Finding]:
    dpo = config.dpo
    if dpo is not None and not any((dpo.email, dpo.phone, dpo.address)):
        yield doc.finding(
            ("dpo",), "DG302",
            "a data protection officer is configured without contact details; add email, "
            "phone or address",
        )  # fmt: skip


@config_rule("DG311")
def representative_outside_eu(config: Config, doc: Document, ctx: Context) -> Iterator[Finding]:
    country = config.controller.country
    # A Swiss controller is governed by the FADP; whether Art. 3(2) GDPR reaches it depends on
    # its clients, so only controllers elsewhere outside the EU/EEA are asked for one here.
    if not ctx.reference.in_eea(country) and country != "CH" and config.representative is None:
        yield doc.finding(
            ("representative",), "DG311",
            f"the controller is in {country}, outside the EU/EEA: name its representative "
            "in the Union",
        )  # fmt: skip


@descriptor_rule("DG303")
def purposes_have_bases(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    if not p.processing.purposes:
        yield doc.finding(("processing", "purposes"), "DG303", "no purpose is stated")
    for purpose in p.processing.purposes:
        if not purpose.legal_basis:
            yield doc.finding(
                (*purpose.at, "legal_basis"), "DG303",
                f"purpose '{purpose.id}' has no legal basis",
            )  # fmt: skip
        elif not any(b.startswith("art6-") for b in purpose.legal_basis):
            yield doc.finding(
                (*purpose.at, "legal_basis"), "DG303",
                f"purpose '{purpose.id}' needs an Art. 6(1) basis as well: Art. 9(2) and "
                "§ 25 TDDDG lift a prohibition but are no lawful basis on their own",
            )  # fmt: skip


@descriptor_rule("DG304")
def legitimate_interest_named(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    for purpose in p.processing.purposes:
        if "art6-1-f" in purpose.legal_basis and purpose.legitimate_interest is None:
            yield doc.finding(
                (*purpose.at, "legitimate_interest"), "DG304",
                f"purpose '{purpose.id}' rests on Art. 6(1)(f): name the legitimate interest",
            )  # fmt: skip


@descriptor_rule("DG305")
def recipients_named(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    if p.operator.role != "self" and not p.processing.recipients:
        yield doc.finding(
            ("processing", "recipients"), "DG305",
            "the service is run by a third party, but no recipient is named; list at least "
            "the operator",
        )  # fmt: skip


@descriptor_rule("DG306")
def transfers_declared(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    declared = {t.recipient for t in p.processing.transfers}
    op = p.operator
    if (
        op.role != "self"
        and op.country is not None
        and ctx.needs_transfer(op.country)
        and op.legal_name not in declared
    ):
        yield doc.finding(
            ("operator", "country"), "DG306",
            f"the operator {quote(op.legal_name)} is in {op.country}, outside the EU/EEA: add a "
            "transfer entry with its mechanism",
        )  # fmt: skip
    for r in p.processing.recipients:
        if ctx.needs_transfer(r.country) and r.name not in declared:
            yield doc.finding(
                (*r.at, "country"), "DG306",
                f"{quote(r.name)} is in {r.country}, outside the EU/EEA: add a transfer entry with "
                "its mechanism",
            )  # fmt: skip


@descriptor_rule("DG307")
def retention_for_all_data(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    covered = {d for r in p.processing.retention for d in r.data}
    for data in p.processing.data:
        if data.id not in covered:
            yield doc.finding(
                (*data.at, "id"), "DG307",
                f"no retention entry covers data '{data.id}'; say how long it is kept",
            )  # fmt: skip


@descriptor_rule("DG310")
def consent_has_withdrawal(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    if p.consent is not None:
        return
    for purpose in p.processing.purposes:
        if purpose.rests_on_consent:
            yield doc.finding(
                (*purpose.at, "legal_basis"), "DG310",
                f"purpose '{purpose.id}' rests on consent: add a consent form (consent:) with "
                "its withdrawal text",
            )  # fmt: skip
