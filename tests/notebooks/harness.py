"""Strict notebook runner for the evcxr kernel "Rust · Encuesta La Paz".

nbconvert, nbval and papermill count a cell as passed when evcxr reports a
panic or an `Err` from `?` (evcxr sends those as text, not always as a
Jupyter error). This runner executes a notebook through the real kernel with
nbclient and then judges every code cell itself. A cell FAILS when:

* the kernel sent an `error` output (compile errors, `?` errors at top level);
* anything was written to stderr — a panic message ("thread '…' panicked at"),
  an `Err` printed by evcxr, a warning — unless the cell is tagged
  `allow-stderr`;
* the cell's value is an `Err(..)` (evcxr shows it as plain text);
* a text output looks like a failure (`panicked at`, `Error:` / `error[E`
  at the start of a line) — the same markers, in case evcxr routes them to
  stdout;
* an expected output is missing. Declare expectations per cell with tags:
  `expect-html` (a `text/html` display), `expect-svg` (`image/svg+xml` or an
  `<svg` inside HTML), `expect-png` (`image/png`), `expect-output` (any
  output at all); or with cell metadata
  `{"lapaz": {"expect_text": ["substring", ...]}}` (each substring must occur
  in the cell's text or HTML outputs);
* the cell did not run (the kernel died before it).

evcxr_jupyter forwards a cell's stdout and stderr lines from a background
thread, and may send the last ones after it has reported the cell finished;
they then show up under the next cell, or not at all. The runner therefore
lets each code cell settle before the next one starts and keeps the late
lines with the cell that printed them (`SettlingClient`).

A cell tagged `raises-error` is the opposite: it must fail (a notebook may
show an error on purpose), and it passes only if it does.

Notebooks run as their **solutions edition** (`notebooks/tools/ediciones.py`):
a solution cell kept as a raw cell, so that a student's "Run all" never
overwrites their own answer, becomes code and is executed, so every check
cell must pass. The edition adds a banner cell at the top: cell numbers in
reports count it.

It also checks a notebook's source: our kernelspec in its metadata, and no
outputs committed.

Usage (from the set-up's virtual environment):
    python tests/notebooks/harness.py notebooks/*.ipynb --out build/notebooks
prints one line per notebook and exits non-zero when any fails.
"""

from __future__ import annotations

import argparse
import asyncio
import queue
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "notebooks" / "tools"))
import ediciones  # noqa: E402  (the editions tool lives with the notebooks)

try:  # the set-up installs the warm-spare provisioner (kernel-setup/pool) into the venv
    from lapaz_pool import use_warm_spares

    use_warm_spares()  # each notebook's kernel warms up while the previous one runs
except ImportError:
    pass
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

KERNEL_NAME = "lapaz-rust"
CELL_TIMEOUT = 900  # seconds; a cold kernel compiles polars inside the first cell
STARTUP_TIMEOUT = 3600

# How long to wait after a cell for evcxr's late stdout/stderr lines, and how
# long to keep waiting while lines still arrive (seconds).
SETTLE = 0.3
SETTLE_IDLE = 0.1

ANSI = re.compile(r"\x1b\[[0-9;]*m")
FAILURE_TEXT = re.compile(
    r"panicked at|^Error:|^error(\[E\d+\])?:|^thread '.*' panicked",
    re.MULTILINE,
)


@dataclass
class CellProblem:
    """Why one cell failed."""

    index: int  # 1-based position among all cells
    reason: str
    excerpt: str = ""

    def __str__(self) -> str:
        text = f"celda {self.index}: {self.reason}"
        if self.excerpt:
            short = ANSI.sub("", self.excerpt).strip()
            if len(short) > 600:
                short = short[:600] + " …"
            text += "\n      " + short.replace("\n", "\n      ")
        return text


@dataclass
class NotebookReport:
    """The verdict on one notebook."""

    path: Path
    seconds: float = 0.0
    problems: list[CellProblem] = field(default_factory=list)
    executed: nbformat.NotebookNode | None = None

    @property
    def passed(self) -> bool:
        return not self.problems


def source_problems(nb: nbformat.NotebookNode) -> list[CellProblem]:
    """Checks a committed notebook: our kernelspec, no outputs stored."""
    problems = []
    spec = nb.metadata.get("kernelspec", {})
    if spec.get("name") != KERNEL_NAME:
        problems.append(CellProblem(0, f"metadata.kernelspec.name es {spec.get('name')!r}, debe ser {KERNEL_NAME!r}"))
    for i, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
            problems.append(CellProblem(i, "el cuaderno se guardó con resultados (guárdelo sin salidas)"))
    return problems


def _output_texts(outputs: list) -> tuple[str, str, list[str]]:
    """(stdout+text outputs, stderr, mime types seen)."""
    text, stderr, mimes = [], [], []
    for out in outputs:
        kind = out.get("output_type")
        if kind == "stream":
            (stderr if out.get("name") == "stderr" else text).append(out.get("text", ""))
        elif kind in ("display_data", "execute_result"):
            data = out.get("data", {})
            mimes.extend(data.keys())
            text.append(str(data.get("text/plain", "")))
            text.append(str(data.get("text/html", "")))
        elif kind == "error":
            mimes.append("error")
    return "".join(text), "".join(stderr), mimes


def cell_problems(index: int, cell: nbformat.NotebookNode) -> list[CellProblem]:
    """Judges one executed code cell (see the module docs for the rules)."""
    tags = set(cell.metadata.get("tags", []))
    outputs = cell.get("outputs", [])
    text, stderr, mimes = _output_texts(outputs)
    failures: list[CellProblem] = []

    errors = [o for o in outputs if o.get("output_type") == "error"]
    for err in errors:
        detail = "\n".join(err.get("traceback", [])) or f"{err.get('ename')}: {err.get('evalue')}"
        failures.append(CellProblem(index, "el kernel informó un error", detail))
    if stderr and "allow-stderr" not in tags:
        why = "pánico (panic)" if "panicked" in stderr else "escribió en stderr (error o advertencia)"
        failures.append(CellProblem(index, why, stderr))
    for out in outputs:
        shown = str(out.get("data", {}).get("text/plain", "")) if out.get("output_type") == "execute_result" else ""
        if shown.lstrip().startswith("Err("):
            failures.append(CellProblem(index, "la celda terminó con un valor Err(..): algo falló", shown))
    match = FAILURE_TEXT.search(text)
    if match:
        start = max(0, match.start() - 200)
        failures.append(CellProblem(index, "la salida muestra un error", text[start:match.end() + 400]))
    if cell.get("execution_count") is None and not failures:
        failures.append(CellProblem(index, "no se ejecutó (¿el kernel se detuvo antes?)"))

    if "raises-error" in tags:
        if failures:
            return []
        return [CellProblem(index, "debía fallar (etiqueta raises-error) y no falló")]

    html = " ".join(str(o.get("data", {}).get("text/html", "")) for o in outputs)
    if "expect-html" in tags and "text/html" not in mimes:
        failures.append(CellProblem(index, "se esperaba una tabla o vista HTML (text/html) y no hay"))
    if "expect-svg" in tags and "image/svg+xml" not in mimes and "<svg" not in html:
        failures.append(CellProblem(index, "se esperaba un gráfico SVG y no hay"))
    if "expect-png" in tags and "image/png" not in mimes:
        failures.append(CellProblem(index, "se esperaba una imagen PNG y no hay"))
    if "expect-output" in tags and not outputs:
        failures.append(CellProblem(index, "se esperaba un resultado y la celda no mostró nada"))
    for needle in cell.metadata.get("lapaz", {}).get("expect_text", []):
        if needle not in text:
            failures.append(CellProblem(index, f"se esperaba el texto {needle!r} en el resultado", text[-400:]))
    return failures


def judge(nb: nbformat.NotebookNode) -> list[CellProblem]:
    """All problems of an executed notebook."""
    problems = []
    for i, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "code" and cell.source.strip():
            problems.extend(cell_problems(i, cell))
    return problems


class SettlingClient(NotebookClient):
    """An nbclient runner that keeps evcxr's late output with its cell."""

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        if cell.cell_type != "code" or not cell.source.strip() or self.kc is None:
            return cell
        await asyncio.sleep(SETTLE)
        while True:
            try:
                msg = await self.kc.iopub_channel.get_msg(timeout=SETTLE_IDLE)
            except queue.Empty:
                break
            if msg["msg_type"] == "stream":
                content = msg["content"]
                cell.outputs.append(
                    nbformat.v4.new_output("stream", name=content.get("name", "stdout"), text=content.get("text", ""))
                )
        return cell


def execute(path: Path, check_source: bool = True, solutions: bool = True) -> NotebookReport:
    """Runs one notebook (its solutions edition unless told otherwise) in a
    fresh kernel and judges it."""
    report = NotebookReport(path)
    nb = nbformat.read(path, as_version=4)
    if check_source:
        report.problems.extend(source_problems(nb))
    if solutions:
        nb = ediciones.edicion_soluciones(nb)
    client = SettlingClient(
        nb,
        kernel_name=KERNEL_NAME,
        timeout=CELL_TIMEOUT,
        startup_timeout=STARTUP_TIMEOUT,
        allow_errors=True,  # we judge every cell ourselves, after the run
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = time.monotonic()
    try:
        client.execute()
    except (CellTimeoutError, DeadKernelError, RuntimeError, TimeoutError) as err:
        # includes a kernel that never starts (e.g. the crate does not compile)
        report.problems.append(CellProblem(0, f"la ejecución se interrumpió: {type(err).__name__}", str(err)))
    report.seconds = time.monotonic() - started
    report.problems.extend(judge(nb))
    report.executed = nb
    return report


def write_outputs(report: NotebookReport, out_dir: Path) -> tuple[Path, Path]:
    """Writes the executed copy and its HTML rendering."""
    from nbconvert import HTMLExporter

    out_dir.mkdir(parents=True, exist_ok=True)
    assert report.executed is not None
    ipynb = out_dir / report.path.name
    nbformat.write(report.executed, ipynb)
    exporter = HTMLExporter(template_name="lab")
    body, _ = exporter.from_notebook_node(report.executed)
    html = out_dir / (report.path.stem + ".html")
    html.write_text(body, encoding="utf-8")
    return ipynb, html


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="+", type=Path)
    ap.add_argument("--out", type=Path, help="folder for executed copies and HTML renderings")
    args = ap.parse_args(argv)
    failed = 0
    for path in args.notebooks:
        report = execute(path)
        if args.out:
            _, html = write_outputs(report, args.out)
            where = f" → {html}"
        else:
            where = ""
        verdict = "ok   " if report.passed else "FALLA"
        print(f"{verdict} {path} ({report.seconds:.1f} s){where}", flush=True)
        for problem in report.problems:
            print(f"    {problem}")
        failed += not report.passed
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
