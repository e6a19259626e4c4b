"""Consent re-collection (DG550): a consent form that asks for more than earlier versions did.

A consent covers what its form named when it was signed (Art. 7(1) GDPR). When a
consent form gains an item, or an item gains a purpose or a data category, consents
signed on the earlier versions do not cover the new scope; processing for it needs
the new form signed (Art. 6(1)(a), 9(2)(a); Art. 13(3) for the information). A
change of wording alone asks for nothing.

The warning stands while the wider form is unpublished, and for `review_max_age`
after it was first published: the time a controller has to collect the new consents
before the next review, after which it no longer fails a `--strict` check forever.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from dsgvo_gen.durations import Duration
from dsgvo_gen.findings import Finding
from dsgvo_gen.history import History, Version
from dsgvo_gen.rules import Use
from dsgvo_gen.snapshot import consent_snapshot, new_consent_scope


def recollection_findings(
    uses: Iterable[Use],
    history: History,
    languages: Iterable[str],
    today: date,
    max_age: Duration,
) -> Iterator[Finding]:
    """DG550 for every consent form whose current scope is wider than recorded versions'."""
    for use in uses:
        p = use.provider
        if p.consent is None or p.is_draft:
            continue
        concerned: list[str] = []
        wider: list[str] = []
        for lang in languages:
            record = history.record(p.id, "consent", lang)
            if not record.versions:
                continue
            current = consent_snapshot(p, lang)
            published = next((v for v in record.versions if v.content == current), None)
            if published is not None and published.published_on < max_age.before(today):
                continue  # published long enough ago: the re-collection was due by now
            for v in record.versions:
                scope = new_consent_scope(v.content, current)
                if scope and v is not published and not _later(v, published):
                    concerned.append(v.version)
                    wider += [s for s in scope if s not in wider]
        if concerned:
            versions = ", ".join(sorted(set(concerned)))
            items = "; ".join(f"'{w}'" for w in wider[:3]) + (" ..." if len(wider) > 3 else "")
            message = (
                f"the consent form asks for more than its earlier versions {versions}: {items}; "
                "consents signed on those versions may not cover the new purposes or data, "
                "so ask those clients to sign the current form (dsgvo-gen history "
                f"--changed-since) before processing for them"
            )
            yield use.where.finding(p.consent.at, "DG550", message, key=True)


def _later(v: Version, published: Version | None) -> bool:
    """A version recorded after the current one was first published (a rollback)."""
    return published is not None and v.published_on > published.published_on
