"""The notebook tests, in the real kernel (called by tests/notebooks/run.sh).

1. Source checks: every notebook under notebooks/ names our kernelspec and
   is committed without outputs.
2. The harness rejects broken notebooks: every fixture
   tests/notebooks/fixtures/broken-*.ipynb (one per failure kind) must fail,
   for the reason its metadata names; the control fixture must pass.
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
    for path in fixtures:
        expected = nbformat.read(path, as_version=4).metadata.get("lapaz_fixture", {}).get("expect_failure")
        report = harness.execute(path, check_source=True)
        reasons = "\n".join(str(p) for p in report.problems)
        problems = []
        if expected is None and not report.passed:
            problems.append(f"el cuaderno de control debía pasar y el arnés lo rechazó:\n{reasons}")
        elif expected is not None and report.passed:
            problems.append("el arnés aceptó un cuaderno roto")
        elif expected and expected not in reasons:
            problems.append(f"rechazado, pero no por {expected!r}:\n{reasons}")
        verdict = "rechazado" if expected is not None else "aceptado"
        results.record(f"harness {verdict}: {path.name}", problems, report.seconds)


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
    ap.add_argument("--browser-tables", type=int, default=1)
    ap.add_argument("--browser-svgs", type=int, default=0)
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
