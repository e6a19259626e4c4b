"""Markdown in free texts: a small, safe subset rendered with markdown-it-py.

Descriptors are untrusted, so raw HTML is never rendered (it is shown as text),
images are off, and links may only point to http(s) addresses and to plain e-mail
addresses (`mailto:` without `?subject=`, `&bcc=`, several recipients or anything
that is not an address).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup

_WEB = ("https://", "http://")
#: One plain address, as markdown-it hands it over (domain already in punycode). No `%`:
#: a mail program would decode `%3F` into the `?` that starts headers.
_PLAIN_MAILTO = re.compile(r"mailto:[a-z0-9._+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+", re.IGNORECASE)


def _safe_link(url: str) -> bool:
    url = url.strip()
    if url.lower().startswith("mailto:"):
        return _PLAIN_MAILTO.fullmatch(url) is not None
    return url.lower().startswith(_WEB)


def _link_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # Links in a privacy notice leave the site: they must not hand over the opener.
    tokens[idx].attrSet("rel", "noopener noreferrer")
    return self.renderToken(tokens, idx, options, env)


def _drop_unsafe_links(state: StateCore) -> None:
    # markdown-it keeps a link whose address validateLink refused, with href="" (and an
    # empty address is never validated); such a link leads nowhere, so only its text stays.
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        kept, opened = [], []
        for token in block.children:
            if token.type == "link_open":
                opened.append(_safe_link(str(token.attrGet("href") or "")))
                if opened[-1]:
                    kept.append(token)
            elif token.type == "link_close":
                if opened.pop():
                    kept.append(token)
            else:
                kept.append(token)
        block.children = kept


def _parser() -> MarkdownIt:
    md = MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False})
    md.disable(
        ["image", "html_inline", "html_block", "table", "heading", "lheading", "code", "fence"]
    )
    md.validateLink = _safe_link  # type: ignore[method-assign]
    md.add_render_rule("link_open", _link_open)
    md.core.ruler.push("drop_unsafe_links", _drop_unsafe_links)
    return md


_MD = _parser()


def markdown_block(text: Any) -> Markup:
    """A free text as HTML blocks (paragraphs, lists)."""
    return Markup(_MD.render(str(text)).strip())  # noqa: S704 - markdown-it escapes input


def markdown_inline(text: Any) -> Markup:
    """A short free text as inline HTML (emphasis, links), for table cells and list items."""
    return Markup(_MD.renderInline(str(text)).strip())  # noqa: S704 - markdown-it escapes input
