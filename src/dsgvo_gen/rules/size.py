"""DG121: how much text one descriptor may put on its notice, and one text hold (`limits`)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dsgvo_gen.decisions import Decisions
from dsgvo_gen.entry import Entry
from dsgvo_gen.findings import Finding
from dsgvo_gen.limits import (
    MAX_NOTICE_CHARS,
    MAX_TEXT_CHARS,
    MAX_WORD_CHARS,
    longest_word,
    notice_parts,
)
from dsgvo_gen.loader import JsonPath
from dsgvo_gen.rules import Context, Use, Where, descriptor_rule, fact_rule, use_rule

#: Where the finding points, for the part of the notice that weighs most.
_WHERE: dict[str, tuple[JsonPath, str]] = {
    "texts": (("name",), "its texts are too long"),
    "retention": (("processing", "retention"),
                  "its retention entries repeat the data categories' texts too often"),
    "consent": (("consent", "items"),
                "its consent items repeat the data categories' texts too often"),
}  # fmt: skip


@use_rule("DG121")
def notice_is_bounded(use: Use, ctx: Context) -> Iterator[Finding]:
    parts = notice_parts(use.provider)
    total = sum(parts.values())
    if total <= MAX_NOTICE_CHARS:
        return
    at, why = _WHERE[max(parts, key=lambda part: parts[part])]
    yield use.where.finding(
        at, "DG121",
        f"its notice would hold about {total:,} characters, more than the {MAX_NOTICE_CHARS:,} "
        f"a notice may have: {why}; shorten them or name fewer data categories per entry",
    )  # fmt: skip


# A run of that many characters without a space, at the start or after a space: starting
# the search at spaces only makes it several times faster than `\S{81}` alone.
_LONG_RUN = re.compile(rf"\S{{{MAX_WORD_CHARS + 1}}}")
_SPACE_LONG_RUN = re.compile(rf"\s\S{{{MAX_WORD_CHARS + 1}}}")


def _may_hold_long_word(value: str) -> bool:
    """Whether `longest_word` can exceed the bound: only through a run of that many
    characters without a space, or a link address taken out (which joins its neighbours)."""
    return (
        "](" in value
        or _LONG_RUN.match(value) is not None
        or _SPACE_LONG_RUN.search(value) is not None
    )


def _bounded(model: Decisions | Entry, where: Where) -> Iterator[Finding]:
    whole = model.at_once
    if whole.longest <= MAX_TEXT_CHARS and not _may_hold_long_word(whole.joined):
        return
    for _, text in model.texts:
        for at, value in text.located():
            if len(value) > MAX_TEXT_CHARS:
                yield where.finding(
                    at, "DG121",
                    f"the text has {len(value):,} characters, more than the "
                    f"{MAX_TEXT_CHARS:,} one text may have; shorten it or split it into entries",
                )  # fmt: skip
            elif _may_hold_long_word(value) and (word := longest_word(value)) > MAX_WORD_CHARS:
                yield where.finding(
                    at, "DG121",
                    f"the text has a word of {word:,} characters, more than the "
                    f"{MAX_WORD_CHARS} that fit a line; put a long address into a link: "
                    "[name](https://...)",
                )  # fmt: skip


@fact_rule("DG121")
def facts_are_bounded(e: Entry, where: Where, ctx: Context) -> Iterator[Finding]:
    yield from _bounded(e, where)


@descriptor_rule("DG121")
def decisions_are_bounded(d: Decisions, where: Where, ctx: Context) -> Iterator[Finding]:
    yield from _bounded(d, where)
