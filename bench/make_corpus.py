"""Generate a benchmark project: N valid, realistic descriptors, the same for the same seed.

Format 1 (the default): each descriptor is one of the shipped providers as they were
in format 1 (tests/data/format1) or the test fixture, which has a consent form, under
a new id, with free texts of varied length, so the corpus mixes sizes, transfers,
consent forms and proper names given as plain strings.

Format 2 (`--format 2`): the project's own catalogue/ holds N/10 entries (renamed
copies of the shipped published entries and the fixture's, with notes of varied
length), and the N descriptors (the shipped format 2 descriptors and the fixture's,
renamed) each use one of them: a federation's shared catalogue, in miniature.

    python bench/make_corpus.py OUT [-n 1000] [--seed 1] [--format 1|2]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from dsgvo_gen.loader import load_file  # noqa: E402 - after the path is set

DATA = ROOT / "tests" / "data"
TEMPLATES = [
    *sorted((DATA / "format1").glob("*.yaml")),
    DATA / "providers" / "valid" / "full-video.yaml",  # with a consent form
]
#: Format 2: the shipped descriptors and the fixture's; each names the entry it uses.
DESCRIPTORS = [*sorted((ROOT / "providers").glob("*.yaml")),
               DATA / "format2" / "providers" / "full-video.yaml"]  # fmt: skip
ENTRIES = [ROOT / "catalogue", DATA / "format2" / "catalogue"]
WORDS = {
    "de": (
        "Verbindung Sitzung Daten Server Gespräch Bildschirm Protokoll Schlüssel Zugriff "
        "Einstellung Dienst Sicherheit Aufzeichnung Teilnehmende Speicherung Löschung "
        "Anbieter Übertragung Rechenzentrum Verschlüsselung"
    ),
    "en": (
        "connection session data server conversation screen log key access setting service "
        "security recording participants storage deletion provider transfer datacentre "
        "encryption"
    ),
}


def _sentences(rng: random.Random, lang: str, count: int) -> str:
    out = []
    for _ in range(count):
        words = [rng.choice(WORDS[lang].split()) for _ in range(rng.randint(8, 18))]
        out.append(" ".join(words).capitalize() + ".")
    return " ".join(out)


def _renamed(name: Any, suffix: str) -> Any:
    if isinstance(name, dict):
        return {lang: f"{text} {suffix}" for lang, text in name.items()}
    return f"{name} {suffix}"


def descriptor(template: dict[str, Any], index: int, rng: random.Random) -> dict[str, Any]:
    """A format 1 descriptor, or a catalogue entry: renamed, with notes of varied length."""
    data = dict(template)
    data["id"] = f"bench-{index:04d}"
    data["name"] = _renamed(data["name"], f"#{index}")
    features = dict(data["features"])
    extra = rng.choice([0, 0, 1, 2, 4, 8])  # most descriptors are short, a few are long
    if extra:
        features["notes"] = {lang: _sentences(rng, lang, extra * 3) for lang in ("de", "en")}
    data["features"] = features
    return data


def _read(paths: list[Path]) -> list[dict[str, Any]]:
    read = []
    for path in paths:
        doc, findings = load_file(path, path.name)
        assert doc is not None and not findings, path
        read.append(doc.data)
    return read


def _write(path: Path, data: dict[str, Any], schema: str) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(f"# yaml-language-server: $schema=../../schema/{schema}.schema.json\n{text}")


def _format_2(out: Path, count: int, rng: random.Random) -> None:
    (out / "catalogue").mkdir()
    descriptors = {d["uses"]: d for d in _read(DESCRIPTORS)}
    entries = [e for e in _read([p for folder in ENTRIES for p in sorted(folder.glob("*.yaml"))])
               if e["status"] == "published" and e["id"] in descriptors]  # fmt: skip
    weights = [1] * (len(entries) - 1) + [3]  # the fixture (with a consent form) more often
    made = []
    for index in range(max(len(entries), count // 10)):
        template = entries[index] if index < len(entries) else rng.choices(entries, weights)[0]
        entry = {**descriptor(template, index, rng), "id": f"entry-{index:04d}"}
        _write(out / "catalogue" / f"entry-{index:04d}.yaml", entry, "catalogue")
        made.append((entry["id"], descriptors[template["id"]]))
    for index in range(count):
        uses, template = rng.choice(made)
        data = {**template, "id": f"bench-{index:04d}", "uses": uses}
        _write(out / "providers" / f"bench-{index:04d}.yaml", data, "descriptor")


def make_corpus(out: Path, count: int, seed: int = 1, version: int = 1) -> Path:
    """Write `out/dsgvo-gen.yaml` and `out/providers/bench-NNNN.yaml` (for `version` 2 also
    `out/catalogue/entry-NNNN.yaml`); returns `out`."""
    rng = random.Random(seed)
    shutil.rmtree(out, ignore_errors=True)
    (out / "providers").mkdir(parents=True)
    shutil.copy(ROOT / "dsgvo-gen.yaml", out / "dsgvo-gen.yaml")
    if version == 2:
        _format_2(out, count, rng)
        return out
    templates = _read(TEMPLATES)
    weights = [1] * (len(templates) - 1) + [3]  # a quarter of them with a consent form
    for index in range(count):
        template = rng.choices(templates, weights)[0]
        _write(out / "providers" / f"bench-{index:04d}.yaml",
               descriptor(template, index, rng), "provider")  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("-n", "--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--format", type=int, choices=[1, 2], default=1, dest="version")
    args = parser.parse_args()
    make_corpus(args.out, args.count, args.seed, args.version)


if __name__ == "__main__":
    main()
