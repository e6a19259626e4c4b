from __future__ import annotations

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
    readme = (ROOT / "README.md").read_text()
    table = readme.split("<!-- rule-table")[1].split("<!-- /rule-table -->")[0]
    rows = [line for line in table.splitlines() if line.startswith("| DG")]
    expected = [
        f"| {c.code} | {c.severity} | {c.article or '—'} | {c.title} |" for c in CODES.values()
    ]
    assert rows == expected


def test_every_rule_emits_catalogued_codes_only() -> None:
    rules = [rule for table in ALL_RULES for rule in table.values()]
    for rule in rules:
        assert set(getattr(rule, "codes")) <= set(CODES), rule.__name__  # noqa: B009
