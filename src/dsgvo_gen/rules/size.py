"""DG121: how much text one descriptor may put on its notice (see `limits`)."""

from __future__ import annotations

from collections.abc import Iterator

from dsgvo_gen.findings import Finding
from dsgvo_gen.limits import MAX_NOTICE_CHARS, notice_parts
from dsgvo_gen.loader import JsonPath
from dsgvo_gen.rules import Context, Use, use_rule

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
