"""Rules across files: ids and file names, the config's provider list, recipient names."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dsgvo_gen.config import Config
from dsgvo_gen.entry import in_entry
from dsgvo_gen.findings import Finding
from dsgvo_gen.loader import Document
from dsgvo_gen.rules import Context, Use, config_rule, document_rule, project_rule

PROVIDERS_DIR = "providers"

_LEGAL_FORMS = re.compile(
    r"\b(inc|llc|ltd|limited|corp|corporation|co|gmbh|ag|se|sa|sarl|bv|nv|kg|ohg|ug|"
    r"e\s?k|mbh|plc|pty|oy|ab|as|spa|srl)\b"
)


def recipient_key(name: str) -> str:
    """A recipient's name without case, punctuation and legal form, for comparing spellings."""
    words = re.sub(r"[^\w\s]", " ", name.casefold())
    return " ".join(_LEGAL_FORMS.sub(" ", words).split())


@document_rule("DG109")
def id_matches_file(doc: Document, ctx: Context) -> Iterator[Finding]:
    value = doc.data.get("id")
    if isinstance(value, str) and value != doc.path.stem:
        yield doc.finding(
            ("id",), "DG109",
            f"id '{value}' differs from the file name '{doc.path.name}'; rename one of them",
        )  # fmt: skip


@config_rule("DG421")
def listed_providers_exist(config: Config, doc: Document, ctx: Context) -> Iterator[Finding]:
    folder = ctx.root / PROVIDERS_DIR
    if not folder.is_dir():
        return  # the checker reports the missing folder itself (DG110)
    for index, provider_id in enumerate(config.providers or ()):
        if not (folder / f"{provider_id}.yaml").exists():
            yield doc.finding(
                ("providers", index), "DG421",
                f"no descriptor {PROVIDERS_DIR}/{provider_id}.yaml for provider '{provider_id}'",
            )  # fmt: skip


@project_rule("DG420")
def unique_provider_ids(
    uses: list[Use], ctx: Context, config_doc: Document | None
) -> Iterator[Finding]:
    first: dict[str, str] = {}
    for use in uses:
        shown = use.decisions.path
        if use.provider.id in first:
            yield use.where.finding(
                ("id",), "DG420", f"id '{use.provider.id}' is also used by {first[use.provider.id]}"
            )
        else:
            first[use.provider.id] = shown


@project_rule("DG422")
def recipients_spelled_alike(
    uses: list[Use], ctx: Context, config_doc: Document | None
) -> Iterator[Finding]:
    spelling: dict[str, tuple[str, str]] = {}
    for use in uses:
        for r in use.provider.processing.recipients:
            key = recipient_key(r.name)
            shown = use.entry.path if in_entry(r.at) else use.decisions.path
            if key not in spelling:
                spelling[key] = (r.name, shown)
            elif spelling[key][0] != r.name:
                name, where = spelling[key]
                yield use.where.finding(
                    (*r.at, "name"), "DG422",
                    f"'{r.name}' is spelled '{name}' in {where}; use one spelling everywhere",
                )  # fmt: skip
