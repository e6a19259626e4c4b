"""The benchmark of DESIGN §10: every figure against its floor or peer, in one run.

    .venv/bin/python bench/run.py            # N = 1,000 descriptors (about 30 minutes)
    .venv/bin/python bench/run.py --quick    # N = 50, for a quick look (about 1 minute)

Whole commands are timed as processes (median of --repeat runs, with min and max);
the PDF floor runs in one warm process (bench/floors.py). Peak memory is the
largest proportional set size (PSS) summed over the full build's process tree
(workers included), polled every 20 ms during that build only. Results go to
stdout as a table and to bench/out/results.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BIN = Path(sys.executable).parent
TODAY = ["--today", "2026-11-21"]
sys.path.insert(0, str(BENCH))

from make_corpus import make_corpus  # noqa: E402 - after the path is set


def _pdf_cache(project: Path) -> Path:
    """Where dsgvo-gen keeps the PDF cache of `project` (in the user's cache folder)."""
    from dsgvo_gen.cache import cache_folder

    folder = cache_folder(project)
    assert folder is not None, "no user cache folder (HOME unset?)"
    return folder


def _tree_pss(pid: int) -> int:
    """Proportional set size of a process and its descendants, in bytes.

    PSS shares each page among the processes that map it, so forked PDF workers
    are not counted as copies of the parent (RSS would count shared pages twice).
    """
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1]) * 1024
        todo.extend(int(child) for child in children)
    return total


def run(command: list[str], cwd: Path = ROOT, *, memory: bool = False) -> tuple[float, int]:
    """Wall seconds of one process run and, with `memory`, its peak tree memory (else 0);
    a failure stops the benchmark.

    Only the memory row polls: reading a process's smaps_rollup walks its page tables
    under its memory map lock, which slowed `check` on 1,000 files by 7% (and its floor
    by 3%), so timed rows run unwatched."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0

    def poll() -> None:
        nonlocal peak
        while process.poll() is None:
            peak = max(peak, _tree_pss(process.pid))
            time.sleep(0.02)

    watcher = threading.Thread(target=poll, daemon=True)
    if memory:
        watcher.start()
    _, err = process.communicate()
    wall = time.perf_counter() - start
    if memory:
        watcher.join()
    if process.returncode not in (0,):
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{err.decode()}")
    return wall, peak


def timed(command: list[str], repeat: int, before: Any = None) -> dict[str, float]:
    walls = []
    for _ in range(repeat):
        if before:
            before()
        walls.append(run(command)[0])
    return {"median": statistics.median(walls), "min": min(walls), "max": max(walls)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 50 instead of 1,000")
    parser.add_argument("--repeat", type=int, default=5, help="runs per fast command")
    parser.add_argument("--work", type=Path, default=BENCH / "out", help="corpus and results")
    args = parser.parse_args()
    n, pdf_n = (50, 8) if args.quick else (1000, 40)
    # As pip does when it installs a wheel: without bytecode (PYTHONDONTWRITEBYTECODE, an
    # editable install) every start would compile the package's sources first.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=True)
    work = args.work
    corpus = make_corpus(work / f"corpus-{n}", n)
    corpus_2 = make_corpus(work / f"corpus-{n}-format-2", n, version=2)
    small = make_corpus(work / f"corpus-{pdf_n}", pdf_n)
    dg, peer = str(BIN / "dsgvo-gen"), str(BIN / "check-jsonschema")
    results: dict[str, Any] = {"n": n, "pdf_providers": pdf_n, "python": platform.python_version()}
    rows: list[tuple[str, str, str, str, str]] = []

    def row(
        name: str, ours: dict[str, float], floor: str, ratio: float, bar: str, ok: bool
    ) -> None:
        spread = f"{ours['median']:.3f} s [{ours['min']:.3f} to {ours['max']:.3f}]"
        rows.append((name, spread, floor, f"{ratio:.2f}", f"{bar} {'✔' if ok else '✘'}"))
        results[name] = {**ours, "ratio": ratio, "bar": bar, "holds": ok}

    # Each corpus with the schemas its files follow: check-jsonschema, the peer a user would
    # otherwise put in CI, runs once per schema.
    corpora = (
        (f"{n} descriptors", corpus, [("provider", "providers")]),
        (f"{n} format 2", corpus_2, [("descriptor", "providers"), ("catalogue", "catalogue")]),
    )
    for label, project, schemas in corpora:
        ours = timed([dg, "--project", str(project), "check", *TODAY], args.repeat)
        floor = timed([sys.executable, str(BENCH / "floors.py"), "schema", str(project)], 3)
        ratio = ours["median"] / floor["median"]
        row(f"check, {label}", ours, f"libyaml + jsonschema {floor['median']:.3f} s", ratio,
            "≤ 1.5", ratio <= 1.5)  # fmt: skip
        peer_runs = [f"{peer} --schemafile {ROOT / 'schema' / f'{kind}.schema.json'} "
                     f"{project / folder}/*.yaml" for kind, folder in schemas]  # fmt: skip
        theirs = timed(["sh", "-c", " && ".join(peer_runs)], 3)
        ratio = ours["median"] / theirs["median"]
        row(f"check, {label}, vs peer", ours, f"check-jsonschema {theirs['median']:.3f} s",
            ratio, "≤ 0.3", ratio <= 0.3)  # fmt: skip

    # Start-up against the imports it cannot do without: click for --help, and for check
    # also PyYAML and jsonschema (on a slow machine these alone can take the 0.3 s).
    for name, command, needed in (
        ("dsgvo-gen --help", [dg, "--help"], "click"),
        ("check, shipped providers", [dg, "check", *TODAY], "click, yaml, jsonschema"),
    ):
        ours = timed(command, args.repeat)
        imports = timed([sys.executable, "-c", f"import {needed}"], args.repeat)
        row(name, ours, f"import {needed} {imports['median']:.3f} s", ours["median"], "< 0.3 s",
            ours["median"] < 0.3)  # fmt: skip

    floor_cmd = [sys.executable, str(BENCH / "floors.py"), "jinja", str(corpus)]
    floor = timed(floor_cmd, 3)
    ours = timed([dg, "--project", str(corpus), "build", "--no-pdf", *TODAY], 3)
    ratio = ours["median"] / floor["median"]
    row(f"build --no-pdf, {n}", ours, f"bare Jinja2 loop {floor['median']:.3f} s", ratio, "≤ 2",
        ratio <= 2)  # fmt: skip

    out = subprocess.run(
        [sys.executable, str(BENCH / "floors.py"), "pdf", str(small), str(pdf_n)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    per = json.loads(out.stdout)
    ratio = per["ours"] / per["bare"]
    spread = {"median": per["ours"], "min": per["ours"], "max": per["ours"]}
    row(f"per PDF (mean of {per['documents']})", spread,
        f"bare WeasyPrint {per['bare']:.3f} s", ratio, "≤ 1.15", ratio <= 1.15)  # fmt: skip

    cache = _pdf_cache(small)
    build_small = [dg, "--project", str(small), "build", *TODAY]
    one = timed([*build_small, "--jobs", "1"], 3, before=lambda: shutil.rmtree(cache, True))
    two = timed([*build_small, "--jobs", "2"], 3, before=lambda: shutil.rmtree(cache, True))
    speedup = one["median"] / two["median"]
    row(f"build --jobs 2, {pdf_n} providers", two, f"--jobs 1 {one['median']:.3f} s", speedup,
        "speed-up ≥ 1.6", speedup >= 1.6)  # fmt: skip

    shutil.rmtree(_pdf_cache(corpus), ignore_errors=True)
    full_wall, full_peak = run([dg, "--project", str(corpus), "build", *TODAY], memory=True)
    full = {"median": full_wall, "min": full_wall, "max": full_wall}
    noop = timed([dg, "--project", str(corpus), "build", *TODAY], 3)
    ratio = noop["median"] / full_wall
    row(f"no-op rebuild, {n}", noop, f"full build {full_wall:.1f} s", ratio, "≤ 0.10",
        ratio <= 0.10)  # fmt: skip
    mib = full_peak / 2**20
    rows.append((f"peak memory, full build {n} with PDFs", f"{mib:.0f} MiB", "—", "—",
                 f"≤ 400 MiB {'✔' if mib <= 400 else '✘'}"))  # fmt: skip
    results["peak memory MiB"] = {"value": mib, "bar": "≤ 400", "holds": mib <= 400, **full}

    header = ("measure", "dsgvo-gen", "floor / peer", "ratio", "bar")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]
    for line in [header, tuple("-" * w for w in widths), *rows]:
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) + " |")
    (work / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
