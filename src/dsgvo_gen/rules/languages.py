"""DG6xx: every text exists in every configured language."""

from __future__ import annotations

from collections.abc import Iterator

from dsgvo_gen.config import Config
from dsgvo_gen.findings import Finding
from dsgvo_gen.loader import Document
from dsgvo_gen.model import Provider, Text
from dsgvo_gen.rules import Context, config_rule, descriptor_rule

LABEL_LANGUAGES = ("de", "en")  # languages with built-in labels and legal texts
PLAIN_ALLOWED = {"name"}  # proper names may be one string for every language


def _text_findings(
    field: str, text: Text, doc: Document, languages: tuple[str, ...]
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


@descriptor_rule("DG601", "DG602", "DG603")
def texts_in_all_languages(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    for field, text in p.texts:
        yield from _text_findings(field, text, doc, ctx.languages)


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
