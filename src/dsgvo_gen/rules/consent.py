"""Consent as a document: a form wherever something rests on consent, and a form that can
show later what was consented to (Art. 7(1) GDPR)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dsgvo_gen.decisions import Decisions
from dsgvo_gen.findings import Finding
from dsgvo_gen.loader import Document
from dsgvo_gen.rules import Context, Use, Where, descriptor_rule, project_rule

#: Words by which a recording text says that recording waits for consent, in the languages
#: with built-in labels. "Zustimmung"/"agreement" is left out on purpose: it is not GDPR
#: consent (research-14-15.md, E13).
_CONSENT_WORDS = re.compile(r"einwillig|\bconsent", re.IGNORECASE)


@descriptor_rule("DG542")
def recording_on_consent_has_a_form(d: Decisions, where: Where, ctx: Context) -> Iterator[Finding]:
    """A controller that records, and tells its clients that it does so only with their
    consent, must be able to show that consent: the consent form."""
    rec = d.recording
    if not rec.used or d.consent is not None:
        return
    said = [lang for lang, text in rec.text.entries if _CONSENT_WORDS.search(text)]
    if rec.text.plain is not None and _CONSENT_WORDS.search(rec.text.plain):
        said.append("all")
    if said:
        yield where.finding(
            (*rec.text.at, said[0]) if rec.text.plain is None else rec.text.at, "DG542",
            "the recording text says recording needs consent, but this descriptor has no "
            "consent form: add consent (an item for the recording, a purpose with art6-1-a) "
            "or say on which other basis you record",
        )  # fmt: skip


@project_rule("DG541")
def consent_forms_name_their_notice(
    uses: list[Use], ctx: Context, config_doc: Document | None
) -> Iterator[Finding]:
    """On paper a consent form names the notice it refers to by its address, which only
    site.base_url gives: a signed scan must show which text the client was given."""
    if ctx.config is None or config_doc is None or ctx.config.base_url:
        return
    forms = sorted(use.provider.id for use in uses if use.provider.consent is not None)
    if forms:
        yield config_doc.finding(
            ("site", "base_url"), "DG541",
            f"the consent form{'s' if len(forms) > 1 else ''} of {', '.join(forms)} can name "
            "the notice only by its title, not by its address: set site.base_url to where the "
            "site is published, so that a signed form shows which notice it refers to",
        )  # fmt: skip
