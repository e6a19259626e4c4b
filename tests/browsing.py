"""Debian's Chromium driven by Playwright, and axe-core: what the browser tests share.

Chromium comes from Debian (setup.sh), never from Playwright's own download, and
axe-core from npm (package-lock.json).
"""

from __future__ import annotations

from playwright.sync_api import Page

from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page (axe is injected as a script,
    so the page's context must bypass a CSP that forbids scripts)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: {v['nodes'][0]['target']})"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
