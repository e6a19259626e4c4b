"""The wheel alone is enough for `init`: no file may come from the source checkout.

The wheel is built from this tree and installed with `pip --target` into a
folder of its own, which goes first on PYTHONPATH; its dependencies come from
the running environment. The editable install of the checkout would be found
too, but later, so a probe asserts that `dsgvo_gen` is imported from the wheel.
Everything then runs in an empty folder outside the checkout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import ROOT, TODAY, must_finish_within
from tests.test_scaffold import FILL_IN_A_FACT

NEEDED_IN_WHEEL = [
    "dsgvo_gen/__main__.py",
    "dsgvo_gen/schema/provider.schema.json",
    "dsgvo_gen/schema/config.schema.json",
    "dsgvo_gen/templates/base.html",
    "dsgvo_gen/templates/labels/de.yaml",
    "dsgvo_gen/templates/assets/style.css",
    "dsgvo_gen/data/countries.yaml",
    "dsgvo_gen/data/authorities.yaml",
    "dsgvo_gen/data/init/dsgvo-gen.yaml",
    "dsgvo_gen/data/init/README.md",
    "dsgvo_gen/data/init/gitignore",
    "dsgvo_gen/data/new/descriptor.yaml.j2",
    "dsgvo_gen/providers/jitsi-self-hosted.yaml",
    "dsgvo_gen/providers/zoom.yaml",
    "dsgvo_gen/providers/drafts/red-connect.yaml",
    "dsgvo_gen/schema/descriptor.schema.json",
    "dsgvo_gen/schema/catalogue.schema.json",
    *(f"dsgvo_gen/catalogue/{path.name}" for path in sorted((ROOT / "catalogue").glob("*.yaml"))),
]


def decided(node: Any) -> Any:
    """The YAML data with every `decide:` mark deleted: the user has made each choice."""
    if isinstance(node, dict):
        return {k: decided(v) for k, v in node.items() if k != "decide"}
    if isinstance(node, list):
        return [decided(v) for v in node]
    return node


def test_init_new_check_and_build_work_from_the_installed_wheel(tmp_path: Path) -> None:
    with must_finish_within(300):
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path),
             str(ROOT)],
            check=True, capture_output=True,
        )  # fmt: skip
        (wheel,) = tmp_path.glob("dsgvo_gen-*.whl")
        names = set(zipfile.ZipFile(wheel).namelist())
        assert [n for n in NEEDED_IN_WHEEL if n not in names] == []

        installed = tmp_path / "installed"
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q",
             "--target", str(installed), str(wheel)],
            check=True, capture_output=True,
        )  # fmt: skip
        empty = tmp_path / "empty"
        empty.mkdir()
        env = {**os.environ, "PYTHONPATH": str(installed)}

        def dsgvo_gen(*args: str, cwd: Path = empty) -> subprocess.CompletedProcess[str]:
            return subprocess.run([sys.executable, "-m", "dsgvo_gen", *args],
                                  cwd=cwd, env=env, capture_output=True, text=True)  # fmt: skip

        probe = subprocess.run(
            [sys.executable, "-c", "import dsgvo_gen; print(dsgvo_gen.__file__)"],
            cwd=empty, env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert Path(probe.stdout.strip()).is_relative_to(installed)

        assert dsgvo_gen("init", "privacy").returncode == 0
        project = empty / "privacy"
        result = dsgvo_gen("check", "--strict", "--today", TODAY.isoformat(), cwd=project)
        assert result.returncode == 0, result.stdout + result.stderr
        result = dsgvo_gen("build", "--no-pdf", "--today", TODAY.isoformat(), cwd=project)
        assert result.returncode == 0, result.stdout + result.stderr
        assert (project / "site" / "en" / "providers" / "jitsi-self-hosted.html").is_file()

        assert dsgvo_gen("new", "acme-meet", cwd=project).returncode == 0
        result = dsgvo_gen("check", "--format", "json", "providers/acme-meet.yaml", cwd=project)
        assert result.returncode == 1
        findings = json.loads(result.stdout)["findings"]
        codes = {f["code"] for f in findings if f["severity"] != "note"}
        assert codes and codes <= set(FILL_IN_A_FACT)

        # The catalogue comes with the wheel: list it, start a project with two entries.
        result = dsgvo_gen("catalogue", "--format", "json")
        assert result.returncode == 0, result.stderr
        listed = {entry["id"]: entry for entry in json.loads(result.stdout)}
        assert set(listed) == {path.stem for path in (ROOT / "catalogue").glob("*.yaml")}
        assert {e["origin"] for e in listed.values()} == {"bundled"}
        assert listed["red-connect"]["status"] == "draft"
        assert listed["zoom"]["status"] == "published"

        assert dsgvo_gen("init", "beratung").returncode == 0
        project = empty / "beratung"
        for entry_id in ("zoom", "teamviewer-quicksupport"):
            result = dsgvo_gen("add", entry_id, cwd=project)
            assert result.returncode == 0, result.stderr
        result = dsgvo_gen("check", "--format", "json", cwd=project)
        asked = {f["code"] for f in json.loads(result.stdout)["findings"]}
        assert result.returncode == 1 and asked == {"DG508", "DG403"}  # choices and the DPA

        for path in (project / "providers").glob("*.yaml"):
            data = decided(yaml.safe_load(path.read_text()))
            if data["role"]["assessment"] == "processor":
                data["dpa"] = {"concluded_on": "2026-11-02", "kept_at": "Vertragsordner, AVV"}
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
        result = dsgvo_gen("check", "--strict", cwd=project)
        assert result.returncode == 0, result.stdout + result.stderr
        result = dsgvo_gen("build", "--jobs", "1", cwd=project)
        assert result.returncode == 0, result.stdout + result.stderr
        site = project / "site"
        for entry_id in ("zoom", "teamviewer-quicksupport"):
            for lang in ("de", "en"):
                assert (site / lang / "providers" / f"{entry_id}.html").is_file()
                assert (site / "pdf" / lang / f"{entry_id}-notice.pdf").stat().st_size > 10_000
        notice = (site / "de" / "providers" / "teamviewer-quicksupport.html").read_text()
        assert "TeamViewer Germany GmbH" in notice  # a fact from the bundled catalogue
        assert "Vertragsordner" not in notice  # the DPA record is never published
