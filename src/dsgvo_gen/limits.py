"""Bounds on what a project can make dsgvo-gen produce.

A descriptor is at most 1 MiB (the loader's limit), but a notice repeats parts
of it: every retention entry and consent item names its data categories again.
One hostile descriptor of 321 KB made pages of 24 MB and a PDF build that ran
for six minutes and passed 3 GiB. These bounds turn that into a finding (DG121).
The longest shipped notice (Zoom, seven PDF pages) holds about 9,000 characters.
Single texts are bounded too: Markdown and the PDF layout slow down on some texts
(120,000 `[` made a build run for minutes, words wider than a line are laid out
letter by letter).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dsgvo_gen.model import Provider, Text

#: One notice, in its longest language: about 40 PDF pages (a PDF of it takes WeasyPrint
#: 10 to 30 seconds, whatever its texts hold).
MAX_NOTICE_CHARS = 100_000
#: One text of a descriptor, in one language (the longest shipped one has 1,451).
MAX_TEXT_CHARS = 10_000
#: One word of a text as it is shown: longer than a line of a PDF, it is broken letter
#: by letter, and 100,000 characters of 100-character words took WeasyPrint 90 s.
MAX_WORD_CHARS = 80
#: One HTML page of the site, and the print HTML of one PDF before WeasyPrint sees it.
MAX_PAGE_BYTES = 8 * 1024 * 1024
MAX_PRINT_HTML_BYTES = 4 * 1024 * 1024
#: One asset (a stylesheet, font or image), published as it is or used by a PDF.
MAX_ASSET_BYTES = 5 * 1024 * 1024
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


#: A Markdown link's address: not shown, so not a word of the text.
_LINK_TARGET = re.compile(r"\]\([^)]*\)")


def longest_word(value: str) -> int:
    """The length of the longest word of `value` as a page shows it."""
    return max(map(len, _LINK_TARGET.sub("]", value).split()), default=0)


def _longest(text: Text | None) -> int:
    return text.longest if text else 0


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
