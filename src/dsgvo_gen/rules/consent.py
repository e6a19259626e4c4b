"""Consent needs its document: a form wherever something rests on consent (Art. 7(1) GDPR).

That a form can name its notice by address is said by `build`, which makes the PDFs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dsgvo_gen.decisions import Decisions
from dsgvo_gen.findings import Finding
from dsgvo_gen.rules import Context, Where, descriptor_rule

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
