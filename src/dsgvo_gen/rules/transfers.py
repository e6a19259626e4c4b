"""Third-country transfers (Art. 44-49 GDPR): declared, lawful and consistent.

The same checks run on the transfers of a catalogue entry (fact rules, once per
entry) and on a descriptor's own transfers, to its own recipients (use rules).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from dsgvo_gen.entry import Entry
from dsgvo_gen.evidence import DPF_MECHANISMS, dpf_evidence
from dsgvo_gen.findings import Finding, quote
from dsgvo_gen.model import Recipient, Source, Transfer
from dsgvo_gen.rules import Context, Use, Where, fact_rule, use_rule


def _undeclared(
    recipients: Iterable[Recipient], declared: set[str], where: Where, ctx: Context
) -> Iterator[Finding]:
    for r in recipients:
        if ctx.needs_transfer(r.country) and r.name not in declared:
            yield where.finding(
                (*r.at, "country"), "DG306",
                f"{quote(r.name)} is in {r.country}, outside the EU/EEA: add a transfer entry with "
                "its mechanism",
            )  # fmt: skip


def _dpf_fits(t: Transfer, where: Where, ctx: Context) -> Iterator[Finding]:
    controller_country = ctx.config.controller.country if ctx.config else None
    at = (*t.at, "mechanism")
    if t.mechanism in DPF_MECHANISMS and t.country != "US":
        yield where.finding(
            at, "DG401", f"{t.mechanism} covers only US organisations, not {t.country}"
        )
    if t.mechanism == "swiss-us-dpf" and controller_country not in (None, "CH"):
        yield where.finding(
            at, "DG401",
            "swiss-us-dpf is the Swiss-US framework for Swiss controllers; an EU/EEA "
            "controller relies on eu-us-dpf",
        )  # fmt: skip


def _adequacy_exists(t: Transfer, where: Where, ctx: Context) -> Iterator[Finding]:
    if t.mechanism != "adequacy":
        return
    at = (*t.at, "mechanism")
    if t.country == "US":
        yield where.finding(
            at, "DG402",
            "the US adequacy decision covers only organisations on the DPF list: use "
            "eu-us-dpf with dpf_checked_on",
        )  # fmt: skip
    elif not ctx.reference.has_adequacy(t.country):
        yield where.finding(
            at, "DG402",
            f"there is no EU adequacy decision for {t.country}; use scc, bcr or an "
            "Art. 49 derogation",
        )  # fmt: skip


def _matches_recipient(
    t: Transfer, countries: dict[str, str], where: Where, ctx: Context
) -> Iterator[Finding]:
    if t.recipient in countries and countries[t.recipient] != t.country:
        yield where.finding(
            (*t.at, "country"), "DG412",
            f"the recipient '{t.recipient}' is listed in {countries[t.recipient]}, the "
            f"transfer names {t.country}",
        )  # fmt: skip
    elif ctx.reference.in_eea(t.country):
        yield where.finding(
            (*t.at, "country"), "DG412",
            f"{t.country} is in the EU/EEA: this is no third-country transfer",
        )  # fmt: skip


def _has_mechanism(t: Transfer, where: Where) -> Iterator[Finding]:
    if t.mechanism == "none":
        yield where.finding(
            (*t.at, "mechanism"), "DG413",
            f"the transfer to '{t.recipient}' has no legal mechanism; it is not lawful "
            "without one of Art. 45-49",
        )  # fmt: skip


def _dpf_check_date(t: Transfer, sources: Iterable[Source], where: Where) -> Iterator[Finding]:
    # Without the list among its sources, a DPF transfer is attributed and has no check
    # date to give (DG530, DG531 in rules/evidence.py).
    if t.mechanism in DPF_MECHANISMS and t.dpf_checked_on is None:
        if not dpf_evidence(t, sources).attributed:
            yield where.finding(
                (*t.at, "dpf_checked_on"), "DG416",
                f"give the date you found '{t.recipient}' active on the DPF list",
            )  # fmt: skip
    elif t.mechanism not in DPF_MECHANISMS and t.dpf_checked_on is not None:
        yield where.finding(
            (*t.at, "dpf_checked_on"), "DG416",
            f"dpf_checked_on belongs to a DPF mechanism, not to {t.mechanism}; set it to null",
        )  # fmt: skip


def _lawful(
    transfers: Iterable[Transfer],
    recipients: Iterable[Recipient],
    sources: tuple[Source, ...],
    where: Where,
    ctx: Context,
) -> Iterator[Finding]:
    countries = {r.name: r.country for r in recipients}
    for t in transfers:
        yield from _dpf_fits(t, where, ctx)
        yield from _adequacy_exists(t, where, ctx)
        yield from _matches_recipient(t, countries, where, ctx)
        yield from _has_mechanism(t, where)
        yield from _dpf_check_date(t, sources, where)


@fact_rule("DG306")
def facts_declare_transfers(e: Entry, where: Where, ctx: Context) -> Iterator[Finding]:
    declared = {t.recipient for t in e.transfers}
    op = e.operator
    if (
        not e.self_run
        and op.country is not None
        and ctx.needs_transfer(op.country)
        and op.legal_name not in declared
    ):
        yield where.finding(
            (*op.at, "country"), "DG306",
            f"the operator {quote(op.legal_name)} is in {op.country}, outside the EU/EEA: add a "
            "transfer entry with its mechanism",
        )  # fmt: skip
    yield from _undeclared(e.recipients, declared, where, ctx)


@fact_rule("DG401", "DG402", "DG412", "DG413", "DG416")
def facts_transfers_are_lawful(e: Entry, where: Where, ctx: Context) -> Iterator[Finding]:
    yield from _lawful(e.transfers, e.recipients, e.sources, where, ctx)


@use_rule("DG306")
def own_recipients_declare_transfers(use: Use, ctx: Context) -> Iterator[Finding]:
    declared = {t.recipient for t in use.provider.processing.transfers}
    yield from _undeclared(use.decisions.recipients, declared, use.where, ctx)


@use_rule("DG401", "DG402", "DG412", "DG413", "DG416")
def own_transfers_are_lawful(use: Use, ctx: Context) -> Iterator[Finding]:
    recipients = use.provider.processing.recipients
    yield from _lawful(use.decisions.transfers, recipients, (), use.where, ctx)


@use_rule("DG415")
def consent_transfer_has_form(use: Use, ctx: Context) -> Iterator[Finding]:
    p = use.provider
    if p.consent is not None:
        return
    for t in p.processing.transfers:
        if t.mechanism == "art49-1-a":
            yield use.where.finding(
                (*t.at, "mechanism"), "DG415",
                "a transfer on explicit consent needs a consent form that informs about the risks",
            )  # fmt: skip
