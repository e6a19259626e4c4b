"""Bounds on what a project can make dsgvo-gen produce.

A descriptor is at most 1 MiB (the loader's limit), but a notice repeats parts
of it: every retention entry and consent item names its data categories again.
One hostile descriptor of 321 KB made pages of 24 MB and a PDF build that ran
for six minutes and passed 3 GiB. These bounds turn that into a finding (DG121).
The longest shipped notice (Zoom, seven PDF pages) holds about 9,000 characters.
"""

from __future__ import annotations

from collections.abc import Sequence

from dsgvo_gen.model import Provider, Text

#: One notice, in its longest language: about 100 PDF pages.
MAX_NOTICE_CHARS = 250_000
#: One HTML page of the site, and the print HTML of one PDF before WeasyPrint sees it.
MAX_PAGE_BYTES = 8 * 1024 * 1024
MAX_PRINT_HTML_BYTES = 4 * 1024 * 1024
#: One PDF; laid out, but not yet written, when the count is known.
MAX_PDF_PAGES = 200
#: Above either bound, the combined notice (notice.html) links to the notices instead
#: of holding them all: 10,000 providers would make a page of 138 MB.
COMBINED_MAX_PROVIDERS = 100
COMBINED_MAX_CHARS = 2_000_000


class OutputTooLarge(ValueError):  # noqa: N818 - reads as what happened, for the user
    """A page or document exceeds its bound; the message names it and the bound."""


def mebibytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB"


def _longest(text: Text | None) -> int:
    return max((len(value) for value in text.all_values()), default=0) if text else 0


def notice_parts(p: Provider) -> dict[str, int]:
    """About how many characters each part of the notice of `p` holds, in its longest
    language: every text once, then the data categories that retention entries and
    consent items name again."""
    data = {d.id: _longest(d.text) for d in p.processing.data}
    items = p.consent.items if p.consent is not None else ()
    return {
        "texts": sum(_longest(text) for _, text in p.texts),
        "retention": sum(data.get(i, 0) for r in p.processing.retention for i in r.data),
        "consent": sum(data.get(i, 0) for item in items for i in item.data),
    }


def notice_chars(p: Provider) -> int:
    return sum(notice_parts(p).values())


def combined_inline(providers: Sequence[Provider]) -> bool:
    """Whether the combined notice holds every notice in full, or links to them."""
    if len(providers) > COMBINED_MAX_PROVIDERS:
        return False
    return sum(notice_chars(p) for p in providers) <= COMBINED_MAX_CHARS
