"""Property-based: whatever text or YAML structure arrives, check answers with findings."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsgvo_gen.checker import check
from dsgvo_gen.cli import main
from tests.conftest import FIXTURE_PROJECT, TODAY, must_finish_within, problems

SETTINGS = settings(
    max_examples=int(os.environ.get("DSGVO_GEN_FUZZ_EXAMPLES", "150")),
    derandomize="DSGVO_GEN_FUZZ_EXAMPLES" not in os.environ,  # the suite: the same every run
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


VALID = (Path(__file__).parent / "data" / "providers" / "valid" / "full-video.yaml").read_text()
VALID_DATA: dict[str, Any] = yaml.safe_load(VALID)


def _string_paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _string_paths(v, (*at, k))]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _string_paths(v, (*at, i))]
    return [at] if isinstance(node, str) and at[-1] not in ("id", "format") else []


STRING_PATHS = _string_paths(VALID_DATA)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(STRING_PATHS), st.text(max_size=80)), max_size=6))
def test_mutated_valid_descriptor_reaches_the_rules(
    tmp_path: Path, mutations: list[tuple[tuple[Any, ...], str]]
) -> None:
    """Start from a valid descriptor so that rules, not only the schema, see odd values."""
    import copy

    data = copy.deepcopy(VALID_DATA)
    for at, value in mutations:
        node = data
        for part in at[:-1]:
            node = node[part]
        node[at[-1]] = value
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    assert check_text(tmp_path / "full-video.yaml", text.encode()) in (0, 1)


def test_huge_duration_is_a_finding_not_a_traceback(tmp_path: Path) -> None:
    text = VALID.replace("time_limit: PT1H", "time_limit: P" + "9" * 5000 + "D")
    report = check(FIXTURE_PROJECT, [_write(tmp_path, text)], today=TODAY)
    assert [f.code for f in problems(report)] == ["DG205"]


def test_unclosed_placeholder_marker_does_not_hang(tmp_path: Path) -> None:
    notes = "<" + "fill" * 200_000
    text = VALID.replace("  notes: null\n", f"  notes: {{de: '{notes}', en: x}}\n")
    with must_finish_within(10):
        report = check(FIXTURE_PROJECT, [_write(tmp_path, text)], today=TODAY)
    # Too long a notice and too long a text; no placeholder.
    assert [f.code for f in problems(report)] == ["DG121", "DG121"]


def test_a_million_values_are_refused_early(tmp_path: Path) -> None:
    text = VALID.replace("  subjects:\n", "  subjects: [" + "0," * 400_000 + "0]\n  x:\n")
    with must_finish_within(10):
        report = check(FIXTURE_PROJECT, [_write(tmp_path, text)], today=TODAY)
    assert [f.code for f in problems(report)] == ["DG108"]


def test_user_text_cannot_forge_output_lines(tmp_path: Path) -> None:
    forged = "Example CDN\\n::error file=README.md,line=1::forged"
    text = VALID.replace("- name: Example CDN, Inc.", f'- name: "{forged}"')
    text = text.replace("recipient: Example CDN, Inc.", "recipient: Example CDN, Inc")
    case = _write(tmp_path, text)
    for fmt in ("text", "github"):
        result = CliRunner().invoke(
            main, ["--project", str(FIXTURE_PROJECT), "check", "--format", fmt, str(case)]
        )
        assert result.exit_code == 1
        assert not any(
            line.startswith("::error file=README.md") for line in result.output.splitlines()
        )
        assert "\\x0a::error" in result.output


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "full-video.yaml"
    path.write_text(text)
    return path
