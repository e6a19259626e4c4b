"""The versions dsgvo-gen allows of its dependencies carry the security fixes it relies on:
a system's older Jinja2 would let a project's templates escape the sandbox."""

from __future__ import annotations

import tomllib
from importlib.metadata import version

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from tests.conftest import ROOT

#: package: (the last version without the fix, the first with it), and what is fixed.
FIXED = {
    # |attr("format") (CVE-2025-27516), indirect str.format (CVE-2024-56326) and template
    # file names (CVE-2024-56201) escape the sandbox that runs a project's templates.
    "jinja2": ("3.1.5", "3.1.6"),
    # Redirects past the URL fetcher (CVE-2025-68616, 68.0); EPS images and metadata or
    # stylesheets fetched without the custom fetcher (CVE-2026-55073, 70.0). The
    # restricted fetcher also needs the URLFetcher class of 68 and later.
    "weasyprint": ("69.0", "70.0"),
    # WeasyPrint decodes the project's images with Pillow: PSD, FITS and other decoder
    # fixes up to 12.3.0 (CVE-2026-25990, CVE-2026-40192, PYSEC-2026-2253 to -2257).
    "pillow": ("12.2.0", "12.3.0"),
}


def requirements() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    found = (Requirement(line) for line in project["dependencies"])
    return {requirement.name.lower(): requirement for requirement in found}


@pytest.mark.parametrize("package", sorted(FIXED))
def test_the_fixed_version_is_required_and_installed(package: str) -> None:
    unfixed, fixed = FIXED[package]
    allowed = requirements()[package].specifier
    assert fixed in allowed and unfixed not in allowed, f"{package}{allowed}"
    assert Version(version(package)) >= Version(fixed)
