from __future__ import annotations

import os
import re

import yaml

from dsgvo_gen.codes import CODES
from dsgvo_gen.rules import ALL_RULES
from tests.conftest import ROOT


def test_readme_opens_with_the_two_commands() -> None:
    lines = (ROOT / "README.md").read_text().splitlines()
    block = lines[lines.index("```sh") + 1 : lines.index("```")]
    assert len(block) == 2
    assert all(line.startswith("bash setup.sh && ") for line in block)
    ci = (ROOT / ".ci" / "run").read_text()
    assert block[1].split("#")[0].strip() in ci


def test_readme_rule_table_matches_the_catalogue() -> None:
    """Regenerate after adding a code: DSGVO_GEN_UPDATE_README=1 pytest tests/test_readme.py"""
    readme = (ROOT / "README.md").read_text()
    table = readme.split("<!-- rule-table")[1].split("<!-- /rule-table -->")[0]
    rows = [line for line in table.splitlines() if line.startswith("| DG")]
    expected = [
        f"| {c.code} | {c.severity} | {c.article or '—'} | {c.title} |" for c in CODES.values()
    ]
    if os.environ.get("DSGVO_GEN_UPDATE_README") and rows != expected:
        first = table.index(rows[0])
        last = table.index(rows[-1]) + len(rows[-1])
        new_table = table[:first] + "\n".join(expected) + table[last:]
        (ROOT / "README.md").write_text(readme.replace(table, new_table))
        rows = expected
    assert rows == expected


def test_every_rule_emits_catalogued_codes_only() -> None:
    rules = [rule for table in ALL_RULES for rule in table.values()]
    for rule in rules:
        assert set(getattr(rule, "codes")) <= set(CODES), rule.__name__  # noqa: B009


def blocks(language: str) -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(rf"^```{language}\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)


def test_readme_opens_for_users() -> None:
    """After the two set-up commands: install, system libraries, then the quickstart."""
    readme = (ROOT / "README.md").read_text()
    order = ["```sh\nbash setup.sh", "## Install", "pipx install", "libpango-1.0-0",
             "## Quickstart", "## Shell completion", "## In CI"]  # fmt: skip
    positions = [readme.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "## Benchmark" not in readme and "## Tests" not in readme  # in CONTRIBUTING.md
    assert "(CONTRIBUTING.md)" in readme and (ROOT / "CONTRIBUTING.md").is_file()


def test_quickstart_is_short_and_in_workflow_order() -> None:
    (quickstart,) = [b for b in blocks("sh") if "dsgvo-gen init" in b]
    lines = quickstart.splitlines()
    assert len(lines) <= 10
    commands = [line.split()[1] for line in lines if line.startswith("dsgvo-gen ")]
    assert commands == ["init", "add", "check", "serve", "build"]


def test_ci_and_pre_commit_snippets_are_valid_and_point_at_real_things() -> None:
    snippets = [yaml.safe_load(b) for b in blocks("yaml") if "dsgvo-gen check" in b]
    github = next(s for s in snippets if "jobs" in s)
    steps = [step.get("run", "") for step in github["jobs"]["check"]["steps"]]
    assert "dsgvo-gen check --strict --format github" in steps
    gitlab = next(s for s in snippets if "privacy-notices" in s)["privacy-notices"]
    assert any("--format gitlab > gl-code-quality-report.json" in line
               for line in gitlab["script"])  # fmt: skip
    assert gitlab["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    precommit = next(s for s in snippets if "repos" in s)
    assert precommit["repos"][0]["repo"] == "local"  # not a placeholder address
    assert "example.org" not in (ROOT / "README.md").read_text().split("## In CI")[1][:4000]
