"""Property-based: whatever text or YAML structure arrives, check answers with findings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsgvo_gen.checker import check
from dsgvo_gen.cli import main
from tests.conftest import FIXTURE_PROJECT, TODAY, must_finish_within

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

keys = st.sampled_from(
    ["format", "id", "name", "operator", "processing", "purposes", "data", "role", "de", "en",
     "legal_basis", "consent", "items", "x"]
) | st.text(max_size=8)  # fmt: skip
scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
structures = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=30,
)


def check_text(path: Path, text: bytes) -> int:
    path.write_bytes(text)
    with must_finish_within(10):
        report = check(FIXTURE_PROJECT, [path], today=TODAY)
    for finding in report.findings:
        assert finding.line >= 1 and finding.column >= 1
        assert finding.code.startswith("DG")
    return report.exit_code()


@SETTINGS
@given(st.binary(max_size=400))
def test_arbitrary_bytes(tmp_path: Path, raw: bytes) -> None:
    assert check_text(tmp_path / "fuzz.yaml", raw) in (0, 1)


@SETTINGS
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_arbitrary_text(tmp_path: Path, text: str) -> None:
    assert check_text(tmp_path / "fuzz.yaml", text.encode("utf-8", "surrogatepass")) in (0, 1)


@SETTINGS
@given(st.dictionaries(keys, structures, max_size=8))
def test_arbitrary_yaml_structures(tmp_path: Path, data: dict[Any, Any]) -> None:
    text = yaml.safe_dump(data, allow_unicode=True)
    assert check_text(tmp_path / "fuzz.yaml", text.encode()) == 1


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.dictionaries(keys, structures, max_size=6))
def test_cli_never_raises(tmp_path: Path, data: dict[Any, Any]) -> None:
    case = tmp_path / "fuzz.yaml"
    case.write_text(yaml.safe_dump(data, allow_unicode=True))
    result = CliRunner().invoke(
        main, ["--project", str(FIXTURE_PROJECT), "check", str(case)], catch_exceptions=True
    )
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code in (0, 1)
