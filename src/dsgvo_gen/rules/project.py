"""DG42x: rules across files (ids, the config's provider list, recipient names)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dsgvo_gen.config import Config
from dsgvo_gen.findings import Finding
from dsgvo_gen.loader import Document
from dsgvo_gen.rules import Checked, project_rule

_LEGAL_FORMS = re.compile(
    r"\b(inc|llc|ltd|limited|corp|corporation|co|gmbh|ag|se|sa|sarl|bv|nv|kg|ohg|ug|"
    r"e\s?k|mbh|plc|pty|oy|ab|as|spa|srl)\b"
)


def recipient_key(name: str) -> str:
    """A recipient's name without case, punctuation and legal form, for comparing spellings."""
    words = re.sub(r"[^\w\s]", " ", name.casefold())
    return " ".join(_LEGAL_FORMS.sub(" ", words).split())


@project_rule("DG420")
def unique_provider_ids(
    checked: list[Checked], config: Config | None, config_doc: Document | None
) -> Iterator[Finding]:
    first: dict[str, str] = {}
    for c in checked:
        if c.provider.id in first:
            yield c.doc.finding(
                ("id",), "DG420", f"id '{c.provider.id}' is also used by {first[c.provider.id]}"
            )
        else:
            first[c.provider.id] = c.doc.display


@project_rule("DG422")
def recipients_spelled_alike(
    checked: list[Checked], config: Config | None, config_doc: Document | None
) -> Iterator[Finding]:
    spelling: dict[str, tuple[str, str]] = {}
    for c in checked:
        for r in c.provider.processing.recipients:
            key = recipient_key(r.name)
            if key not in spelling:
                spelling[key] = (r.name, c.doc.display)
            elif spelling[key][0] != r.name:
                name, where = spelling[key]
                yield c.doc.finding(
                    (*r.at, "name"), "DG422",
                    f"'{r.name}' is spelled '{name}' in {where}; use one spelling everywhere",
                )  # fmt: skip
