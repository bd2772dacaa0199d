"""The notebook tests, in the real kernel (called by tests/notebooks/run.sh).

1. Source checks: every notebook under notebooks/ names our kernelspec and
   is committed without outputs.
2. The harness rejects broken notebooks: in each fixture under
   tests/notebooks/fixtures/, every cell that breaks one rule (one cell per
   failure kind, named in its metadata) must be flagged for that reason,
   every correct cell must pass, and the notebook must fail as a whole.
3. Every notebook under notebooks/ runs top to bottom in a fresh kernel and
   passes the harness; its executed copy and HTML go to --out.
4. Browser check: the first notebook's HTML, opened in headless Chromium,
   shows its tables (and charts) and is not a blank page.

Prints one line per test and a closing "notebooks: N passed, M failed".
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))

import browser_check  # noqa: E402
import harness  # noqa: E402


class Results:
    def __init__(self) -> None:
        self.passed = 0
        self.failed: list[str] = []

    def record(self, name: str, problems: list[str], seconds: float) -> None:
        if problems:
            self.failed.append(name)
            print(f"FAIL {name} ({seconds:.1f} s)", flush=True)
            for p in problems:
                print("    " + str(p).replace("\n", "\n    "), flush=True)
        else:
            self.passed += 1
            print(f"ok   {name} ({seconds:.1f} s)", flush=True)


def test_sources(notebooks: list[Path], results: Results) -> None:
    for path in notebooks:
        started = time.monotonic()
        problems = harness.source_problems(nbformat.read(path, as_version=4))
        results.record(f"source {path.relative_to(REPO)}", [str(p) for p in problems],
                       time.monotonic() - started)


def test_fixtures(fixtures: list[Path], results: Results) -> None:
    """Each fixture cell that breaks a rule must be flagged, for its reason;
    every other cell must pass; and the notebook as a whole must fail."""
    for path in fixtures:
        report = harness.execute(path, check_source=True, solutions=False)
        by_cell: dict[int, list[str]] = {}
        for p in report.problems:
            by_cell.setdefault(p.index, []).append(str(p))
        broken = 0
        for i, cell in enumerate(report.executed.cells, start=1):
            if cell.cell_type != "code":
                continue
            expected = cell.metadata.get("lapaz_fixture", {}).get("expect_failure")
            found = "\n".join(by_cell.get(i, []))
            problems = []
            if expected is None and found:
                problems.append(f"una celda correcta fue rechazada:\n{found}")
            elif expected is not None:
                broken += 1
                if not found:
                    problems.append(f"el arnés aceptó una celda rota (debía decir {expected!r})")
                elif expected not in found:
                    problems.append(f"rechazada, pero no por {expected!r}:\n{found}")
            kind = f"rechaza «{expected}»" if expected else "acepta una celda correcta"
            results.record(f"harness {kind}: {path.name} celda {i}", problems, 0.0)
        whole = [] if (broken and not report.passed) else ["el cuaderno roto no fue rechazado"]
        results.record(f"harness rechaza el cuaderno {path.name}", whole, report.seconds)


def test_notebooks(notebooks: list[Path], out: Path, results: Results) -> list[Path]:
    htmls = []
    for path in notebooks:
        report = harness.execute(path, check_source=False)
        _, html = harness.write_outputs(report, out)
        htmls.append(html)
        results.record(f"runs {path.relative_to(REPO)}", [str(p) for p in report.problems], report.seconds)
    return htmls


def test_browser(html: Path, tables: int, svgs: int, results: Results) -> None:
    started = time.monotonic()
    shot = html.with_suffix(".png")
    code = browser_check.main([str(html), "--tables", str(tables), "--svgs", str(svgs),
                               "--screenshot", str(shot)])
    results.record(f"browser {html.name}", ["ver los mensajes de browser_check arriba"] if code else [],
                   time.monotonic() - started)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=REPO / "build" / "notebooks")
    # What 00-introduccion's HTML (the first notebook) draws: 8 tables (survey summary,
    # households frame, codebook entry, weighted/unweighted comparison, three estimate tables,
    # the problem tree's baseline) and 3 SVGs (bar chart, dot chart, problem tree). Lower
    # bounds: fewer means something stopped rendering.
    ap.add_argument("--browser-tables", type=int, default=8)
    ap.add_argument("--browser-svgs", type=int, default=3)
    ap.add_argument("--only", choices=["sources", "fixtures", "notebooks"], help="run one group")
    args = ap.parse_args()

    notebooks = sorted((REPO / "notebooks").glob("*.ipynb"))
    fixtures = sorted((HERE / "fixtures").glob("*.ipynb"))
    results = Results()
    started = time.monotonic()
    if args.only in (None, "sources"):
        test_sources(notebooks, results)
    if args.only in (None, "fixtures"):
        test_fixtures(fixtures, results)
    if args.only in (None, "notebooks"):
        htmls = test_notebooks(notebooks, args.out, results)
        if htmls:
            test_browser(htmls[0], args.browser_tables, args.browser_svgs, results)
    print(f"\nnotebook tests took {time.monotonic() - started:.0f} s")
    if results.failed:
        print("failed: " + ", ".join(results.failed))
    print(f"notebooks: {results.passed} passed, {len(results.failed)} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
