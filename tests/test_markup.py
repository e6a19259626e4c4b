"""The Markdown filter: mailto links only to plain addresses."""

from __future__ import annotations

import pytest

from dsgvo_gen.markup import markdown_inline


@pytest.mark.parametrize(
    "address",
    ["mailto:privacy@example.org", "MAILTO:Dana.Beispiel+dsb@test-support.example"],
)
def test_plain_mailto_addresses_are_links(address: str) -> None:
    assert f'href="{address}"' in str(markdown_inline(f"[write]({address})"))


@pytest.mark.parametrize(
    "address",
    [
        "mailto:privacy@example.org?bcc=all@attacker.example",
        "mailto:privacy@example.org?subject=Widerruf&body=Ich%20widerrufe",
        "mailto:a@example.org,b@attacker.example",
        "mailto:javascript:alert(1)",
        "mailto:%6a%61vascript:alert(1)",
        "mailto:",
        "mailto:privacy@example.org%3Fbcc=x@attacker.example",
    ],
)
def test_mailto_with_headers_or_odd_addresses_keeps_only_its_text(address: str) -> None:
    html = str(markdown_inline(f"[write]({address})"))
    assert "<a" not in html and "href" not in html, html
    assert "write" in html
