"""The floors dsgvo-gen is measured against, each run in its own process by run.py.

    python bench/floors.py schema PROJECT         libyaml + jsonschema on the same files
    python bench/floors.py jinja PROJECT          render every page in a bare Jinja2 loop
    python bench/floors.py pdf PROJECT COUNT      per-PDF: bare WeasyPrint vs dsgvo-gen, warm

`schema` reads every descriptor (and catalogue entry) of the project with PyYAML's
libyaml loader and validates it with jsonschema against the same schema `check`
uses, counting the errors: what is left of `check` when line numbers, the safe
composition of the YAML, the model and every rule are taken away.

`jinja` loads the descriptors without schema validation or rules and renders the
same pages with the same variables (the embeddable fragments and the print documents
the version identifiers are made from included), writing nothing: what is left of a
build when checking, writing the history record and the site, and the atomic swap are
taken away.

`pdf` renders the print HTML of the first COUNT documents in one warm process,
alternating a bare `weasyprint.HTML(...).write_pdf()` (default fetcher, same
options) with dsgvo-gen's `render_pdf` (restricted fetcher, warnings captured),
and prints the mean seconds per document of both as JSON.
"""

from __future__ import annotations

import itertools
import json
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dsgvo_gen.config import Config
    from dsgvo_gen.model import Provider
    from dsgvo_gen.render import PdfSource

ROOT = Path(__file__).resolve().parent.parent


def _project(root: Path) -> tuple[Config, list[Provider]]:
    from dsgvo_gen.config import CONFIG_NAME, build_config
    from dsgvo_gen.loader import load_file
    from dsgvo_gen.parts import build_provider

    raw, _ = load_file(root / CONFIG_NAME, CONFIG_NAME)
    assert raw is not None
    config = build_config(raw.data, CONFIG_NAME)
    providers = []
    for path in sorted((root / "providers").glob("*.yaml")):
        doc, _ = load_file(path, path.name)
        assert doc is not None
        providers.append(build_provider(doc.data, path.name))
    return config, providers


def schema_floor(root: Path) -> None:
    import yaml
    from jsonschema import Draft7Validator, FormatChecker

    from dsgvo_gen.schema import validator

    dates = FormatChecker(["date"])
    validators = {kind: Draft7Validator(validator(kind).schema, format_checker=dates)
                  for kind in ("provider", "descriptor", "catalogue")}  # fmt: skip
    errors = files = 0
    for folder, kind in (("providers", None), ("catalogue", "catalogue")):
        for path in sorted((root / folder).glob("*.yaml")):
            data = yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
            chosen = kind or ("descriptor" if data.get("format") == 2 else "provider")
            errors += sum(1 for _ in validators[chosen].iter_errors(data))
            files += 1
    print(json.dumps({"files": files, "errors": errors}))


def jinja_floor(root: Path) -> None:
    from dsgvo_gen.reference import reference
    from dsgvo_gen.render import Page, Renderer, _fragments, _pages

    config, providers = _project(root)
    renderer = Renderer(config, providers, None, reference())
    size = 0
    for lang in renderer.config.languages:
        pages = [(page, "screen") for page in _pages(renderer.providers)]
        pages += [(page, "embed") for page in _fragments(renderer.providers)]
        pages.append((Page("landing.html", "index.html", {}), "screen"))
        for page, medium in pages:
            template = renderer.env.get_template(page.template)
            variables = {
                **renderer.shared,
                **page.values,
                **renderer._version_values(page, lang),
                "lang": lang,
                "L": renderer.catalogues[lang],
                "page": page.path,
                "path": f"{lang}/{page.path}",
                "rel": lambda t: t,
                "medium": medium,
                "site_url": lambda t: t,
                "pdf_links": True,
            }
            size += len(template.render(variables))
    print(json.dumps({"bytes": size}))


def pdf_floor(root: Path, count: int) -> None:
    import weasyprint

    from dsgvo_gen.pdf import OPTIONS, render_pdf
    from dsgvo_gen.reference import reference
    from dsgvo_gen.render import Renderer
    from dsgvo_gen.resources import bundled_dir

    config, providers = _project(root)
    templates = bundled_dir("templates").resolve()
    renderer = Renderer(config, providers, templates, reference())
    sources = list(itertools.islice(renderer.pdf_sources(), count))

    def bare(source: PdfSource) -> None:
        weasyprint.HTML(
            string=source.html.decode(), base_url=(templates / source.page).as_uri()
        ).write_pdf(**OPTIONS[source.kind])

    def ours(source: PdfSource) -> None:
        rendered = render_pdf(source, templates)
        assert rendered.pdf is not None and not rendered.problems, rendered.problems

    bare(sources[0])  # warm-up: fonts, stylesheets, imports
    ours(sources[0])
    times: dict[str, list[float]] = {"bare": [], "ours": []}
    for source in sources:
        for name, render in (("bare", bare), ("ours", ours)):
            start = time.perf_counter()
            render(source)
            times[name].append(time.perf_counter() - start)
    result: dict[str, float] = {name: statistics.fmean(values) for name, values in times.items()}
    result["documents"] = len(sources)
    print(json.dumps(result))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    if sys.argv[1] == "schema":
        schema_floor(Path(sys.argv[2]))
    elif sys.argv[1] == "jinja":
        jinja_floor(Path(sys.argv[2]))
    else:
        pdf_floor(Path(sys.argv[2]), int(sys.argv[3]))
