"""DG3xx: every element Art. 13 GDPR requires is present."""

from __future__ import annotations

from collections.abc import Iterator

from dsgvo_gen.config import Config
from dsgvo_gen.decisions import Decisions
from dsgvo_gen.entry import Entry
from dsgvo_gen.findings import Finding
from dsgvo_gen.loader import Document
from dsgvo_gen.rules import Context, Use, Where, config_rule, descriptor_rule, fact_rule, use_rule


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
def purposes_have_bases(d: Decisions, where: Where, ctx: Context) -> Iterator[Finding]:
    if not d.purposes:
        yield where.finding(("processing", "purposes"), "DG303", "no purpose is stated")
    for purpose in d.purposes:
        if not purpose.legal_basis:
            yield where.finding(
                (*purpose.at, "legal_basis"), "DG303",
                f"purpose '{purpose.id}' has no legal basis",
            )  # fmt: skip
        # art28: as a processor we need no basis of our own; the client's applies (Art. 28).
        elif not purpose.on_behalf and not any(b.startswith("art6-") for b in purpose.legal_basis):
            yield where.finding(
                (*purpose.at, "legal_basis"), "DG303",
                f"purpose '{purpose.id}' needs an Art. 6(1) basis as well: Art. 9(2) and "
                "§ 25 TDDDG lift a prohibition but are no lawful basis on their own",
            )  # fmt: skip


@descriptor_rule("DG304")
def legitimate_interest_named(d: Decisions, where: Where, ctx: Context) -> Iterator[Finding]:
    for purpose in d.purposes:
        if "art6-1-f" in purpose.legal_basis and purpose.legitimate_interest is None:
            yield where.finding(
                (*purpose.at, "legitimate_interest"), "DG304",
                f"purpose '{purpose.id}' rests on Art. 6(1)(f): name the legitimate interest",
            )  # fmt: skip


@fact_rule("DG305")
def recipients_named(e: Entry, where: Where, ctx: Context) -> Iterator[Finding]:
    if not e.self_run and not e.recipients:
        at = (*e.at, "recipients") if e.at else ("processing", "recipients")
        yield where.finding(
            at, "DG305",
            "the service is run by a third party, but no recipient is named; list at least "
            "the operator",
        )  # fmt: skip


@use_rule("DG307")
def retention_for_all_data(use: Use, ctx: Context) -> Iterator[Finding]:
    proc = use.provider.processing
    covered = {d for r in proc.retention for d in r.data}
    for data in proc.data:
        if data.id not in covered:
            yield use.where.finding(
                (*data.at, "id"), "DG307",
                f"no retention entry covers data '{data.id}'; say how long it is kept",
            )  # fmt: skip


@descriptor_rule("DG310")
def consent_has_withdrawal(d: Decisions, where: Where, ctx: Context) -> Iterator[Finding]:
    if d.consent is not None:
        return
    for purpose in d.purposes:
        if purpose.rests_on_consent:
            yield where.finding(
                (*purpose.at, "legal_basis"), "DG310",
                f"purpose '{purpose.id}' rests on consent: add a consent form (consent:) with "
                "its withdrawal text",
            )  # fmt: skip
