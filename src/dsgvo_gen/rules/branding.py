"""DG119-DG120: the project's logo and accent colour can be published as they are."""

from __future__ import annotations

from collections.abc import Iterator

from dsgvo_gen.branding import MIN_CONTRAST, LogoError, contrast_on_white, read_logo
from dsgvo_gen.config import Config
from dsgvo_gen.findings import Finding
from dsgvo_gen.loader import Document
from dsgvo_gen.rules import Context, config_rule


@config_rule("DG119")
def logo_usable(config: Config, doc: Document, ctx: Context) -> Iterator[Finding]:
    if config.logo is None or ctx.root is None:
        return
    try:
        read_logo(ctx.root, config.logo)
    except LogoError as err:
        yield doc.finding(("site", "logo"), "DG119", str(err))


@config_rule("DG120")
def accent_readable(config: Config, doc: Document, ctx: Context) -> Iterator[Finding]:
    if config.accent_color is None:
        return
    ratio = contrast_on_white(config.accent_color)
    if ratio < MIN_CONTRAST:
        yield doc.finding(
            ("site", "accent_color"), "DG120",
            f"links in {config.accent_color} on white have a contrast of {ratio:.1f}:1; "
            f"readable text needs {MIN_CONTRAST}:1 (WCAG 2.1 AA): choose a darker colour",
        )  # fmt: skip
