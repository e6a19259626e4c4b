"""DG6xx: every text exists in every configured language."""

from __future__ import annotations

from collections.abc import Iterator

from dsgvo_gen.config import LABEL_LANGUAGES, Config
from dsgvo_gen.decisions import Decisions
from dsgvo_gen.entry import Entry
from dsgvo_gen.findings import Finding
from dsgvo_gen.loader import Document
from dsgvo_gen.model import Text
from dsgvo_gen.rules import Context, Where, config_rule, descriptor_rule, fact_rule

PLAIN_ALLOWED = {"name"}  # proper names may be one string for every language


def _text_findings(
    field: str, text: Text, doc: Document | Where, languages: tuple[str, ...]
) -> Iterator[Finding]:
    if text.plain is not None:
        if field not in PLAIN_ALLOWED and len(languages) > 1:
            yield doc.finding(
                text.at, "DG602",
                f"one plain text is shown in every language; write it as "
                f"{{{', '.join(f'{lang}: ...' for lang in languages)}}}",
            )  # fmt: skip
        return
    for lang in languages:
        if lang not in text.languages:
            yield doc.finding(text.at, "DG601", f"the text has no '{lang}' version")
    for lang in text.languages:
        if lang not in languages:
            yield doc.finding(
                (*text.at, lang), "DG603",
                f"'{lang}' is not among the configured languages ({', '.join(languages)})",
                key=True,
            )  # fmt: skip


def _texts_findings(
    texts: tuple[tuple[str, Text], ...], where: Where, languages: tuple[str, ...]
) -> Iterator[Finding]:
    for field, text in texts:
        if text.plain is None and text.languages == languages:  # nearly every text
            continue
        yield from _text_findings(field, text, where, languages)


@fact_rule("DG601", "DG602", "DG603")
def facts_in_all_languages(e: Entry, where: Where, ctx: Context) -> Iterator[Finding]:
    yield from _texts_findings(e.texts, where, ctx.languages)


@descriptor_rule("DG601", "DG602", "DG603")
def decisions_in_all_languages(d: Decisions, where: Where, ctx: Context) -> Iterator[Finding]:
    yield from _texts_findings(d.texts, where, ctx.languages)


@config_rule("DG601", "DG602", "DG603")
def config_texts_in_all_languages(config: Config, doc: Document, ctx: Context) -> Iterator[Finding]:
    yield from _text_findings("site_title", config.site_title, doc, config.languages)


@config_rule("DG604")
def languages_have_labels(config: Config, doc: Document, ctx: Context) -> Iterator[Finding]:
    for index, lang in enumerate(config.languages):
        if lang not in LABEL_LANGUAGES:
            yield doc.finding(
                ("languages", index), "DG604",
                f"dsgvo-gen has legal texts for {' and '.join(LABEL_LANGUAGES)} only, not '{lang}'",
            )  # fmt: skip
