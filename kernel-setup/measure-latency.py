#!/usr/bin/env python3
"""Measures the notebook kernel's latency, as a student meets it.

For each requested count N (default 1, 2 and 3), starts N fresh `lapaz-rust`
kernels at the same time (as N notebooks opened together) through
jupyter_client, and times for each kernel:

* ready:  start request → kernel answers (evcxr has run init.evcxr and the
          prelude, i.e. compiled `use lapaz_survey::prelude::*;`);
* first:  the first cell (load the embedded survey);
* total:  ready + first — what the student waits for the first answer;
* later:  a few typical later cells (each timed; median and max shown);
* CPU:    the CPU seconds the kernel and its compilers used for each step,
          which, unlike wall time, do not grow when the machine is busy.

With `--spares S`, kernels are launched by the warm-spare provisioner
(`kernel-setup/pool`), as JupyterLab started by `run-notebooks` and the
notebook tests launch them: the first round starts cold (and leaves a spare
behind), and each later round first waits S seconds, the time a student
spends between opening two notebooks, so that it adopts a warm spare.

Run it after `kernel-setup/setup`, with the set-up's Python:

    $LAPAZ_HOME/venv/bin/python kernel-setup/measure-latency.py
    $LAPAZ_HOME/venv/bin/python kernel-setup/measure-latency.py --counts 1 --repeat 3 --json out.json
    $LAPAZ_HOME/venv/bin/python kernel-setup/measure-latency.py --counts 1 --repeat 3 --spares 150

Every cell must succeed (no error, nothing on stderr), or the run fails:
a fast error is not a fast answer.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kernel_client import run_cell, start_kernel, stop_kernel  # noqa: E402

FIRST_CELL = """let encuesta: Survey = Survey::embedded()?;
encuesta.persons().height()"""

LATER_CELLS = [
    # plain Rust
    "let x: i64 = (1..=10).sum();\nx",
    # use a crate type already in scope
    "encuesta.households().height()",
    # a polars operation on the data
    "let columnas: Vec<String> = encuesta.persons().get_column_names().iter().map(|c| c.to_string()).collect();\ncolumnas.len()",
    # define and call a function
    "fn doble(v: f64) -> f64 { v * 2.0 }\ndoble(21.0)",
    # the design, once per notebook
    "let diseno: SurveyDesign = encuesta.design()?;\ndiseno.population_size()",
    # a typical estimation cell: a mean by macrodistrict, shown as a table
    "diseno.by([\"macrodistrito\"])?.mean(\"yhogpc\")?",
]


def cpu_seconds(km) -> float:
    """CPU time used so far by the kernel process and its finished children
    (cargo, rustc, the linker): a figure that does not depend on how busy
    the machine is, unlike wall time."""
    try:
        pid = km.provisioner.process.pid
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (AttributeError, OSError):
        return float("nan")
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(f) for f in fields[11:15]) / ticks


def one_kernel(index: int, first: str, later: list[str], out: dict, barrier: threading.Barrier) -> None:
    record: dict = {"kernel": index}
    out[index] = record
    barrier.wait()
    try:
        km, kc, ready = start_kernel(ready_timeout=1800)
    except RuntimeError as err:
        record["error"] = f"kernel did not start: {err}"
        return
    record["ready_s"] = round(ready, 2)
    record["ready_cpu_s"] = round(cpu_seconds(km), 1)
    try:
        cell = run_cell(kc, first, timeout=1800)
        record["first_s"] = round(cell.seconds, 2)
        record["first_cpu_s"] = round(cpu_seconds(km) - record["ready_cpu_s"], 1)
        record["total_s"] = round(ready + cell.seconds, 2)
        if cell.status != "ok" or cell.stderr:
            record["error"] = f"first cell failed: {cell.text()[:500]}"
            return
        times = []
        cpu_before = cpu_seconds(km)
        for code in later:
            res = run_cell(kc, code, timeout=600)
            if res.status != "ok" or res.stderr:
                record["error"] = f"later cell failed: {code!r}: {res.text()[:500]}"
                return
            times.append(round(res.seconds, 2))
        record["later_s"] = times
        record["later_cpu_mean_s"] = round((cpu_seconds(km) - cpu_before) / len(later), 2)
    finally:
        stop_kernel(km, kc)


def run_round(n: int, first: str, later: list[str]) -> list[dict]:
    out: dict = {}
    barrier = threading.Barrier(n)
    if n == 1:
        # In this thread: the kernel launcher asks Linux to stop the kernel
        # when the *thread* that started it ends (PR_SET_PDEATHSIG), which
        # would also stop the spare left behind for the next round.
        one_kernel(0, first, later, out, barrier)
        return [out[0]]
    threads = [threading.Thread(target=one_kernel, args=(i, first, later, out, barrier)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [out[i] for i in range(n)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--counts", default="1,2,3", help="kernels started together per round, e.g. 1,3")
    ap.add_argument("--repeat", type=int, default=1, help="rounds per count")
    ap.add_argument("--first", help="file with the first cell's code (default: load the survey)")
    ap.add_argument("--json", type=Path, help="write all figures here")
    ap.add_argument("--spares", type=float, metavar="S", default=None,
                    help="launch through the warm-spare provisioner; wait S seconds before each round after the first")
    args = ap.parse_args()
    if args.spares is not None:
        sys.path.insert(0, str(Path(__file__).resolve().parent / "pool"))
        import lapaz_pool

        lapaz_pool.use_warm_spares()
    first = Path(args.first).read_text() if args.first else FIRST_CELL

    results = []
    failed = False
    for n in (int(c) for c in args.counts.split(",")):
        for r in range(args.repeat):
            if args.spares is not None and results:
                print(f"\n(waiting {args.spares:.0f} s: the spare warms up as a student reads)")
                time.sleep(args.spares)
            started = time.monotonic()
            rows = run_round(n, first, LATER_CELLS)
            wall = time.monotonic() - started
            results.append({"kernels": n, "round": r + 1, "wall_s": round(wall, 1), "per_kernel": rows})
            mode = "" if args.spares is None else (" — cold, no spare yet" if len(results) == 1 else " — warm spare")
            print(f"\n{n} kernel(s) at once, round {r + 1}{mode} ({wall:.0f} s wall):")
            for row in rows:
                if "error" in row:
                    failed = True
                    print(f"  kernel {row['kernel']}: FAILED: {row['error']}")
                    continue
                later = row["later_s"]
                print(f"  kernel {row['kernel']}: ready {row['ready_s']:5.1f} s + first cell {row['first_s']:5.1f} s"
                      f" = {row['total_s']:5.1f} s to the first answer;"
                      f" later cells median {statistics.median(later):.2f} s, max {max(later):.2f} s {later}")
                print(f"             CPU: ready {row['ready_cpu_s']} s, first cell {row['first_cpu_s']} s,"
                      f" later cells {row['later_cpu_mean_s']} s each")
            print(f"  load average now: {os.getloadavg()[0]:.1f} (2 cores)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
