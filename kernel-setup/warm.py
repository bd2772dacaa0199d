"""Builds the warm template for the notebook kernel (called by `setup`).

Starts one `lapaz-rust` kernel whose build folder is the given template
folder, lets evcxr run init.evcxr and prelude.rs (this compiles polars and
lapaz-survey: minutes the first time), runs the warm-up cell, and stops.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kernel_client import run_cell, start_kernel, stop_kernel  # noqa: E402


def heartbeat(stop: threading.Event, started: float, what: str) -> None:
    while not stop.wait(30):
        print(f"        {what}… {int(time.monotonic() - started)} s", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tmpdir", required=True, type=Path)
    ap.add_argument("--code", required=True, type=Path)
    ap.add_argument("--log", required=True, type=Path)
    args = ap.parse_args()

    args.log.parent.mkdir(parents=True, exist_ok=True)
    args.log.write_text("")
    started = time.monotonic()
    stop = threading.Event()
    threading.Thread(target=heartbeat, args=(stop, started, "compilando"), daemon=True).start()
    try:
        km, kc, ready = start_kernel({"LAPAZ_KERNEL_TMPDIR": str(args.tmpdir)}, log_path=args.log,
                                     ready_timeout=3 * 3600)
    except RuntimeError as err:
        stop.set()
        print(f"\nsetup: el kernel no arrancó ({err}). Registro del kernel ({args.log}):", file=sys.stderr)
        print(args.log.read_text()[-6000:], file=sys.stderr)
        return 1
    print(f"        biblioteca compilada para el kernel en {ready:.0f} s", flush=True)
    try:
        cell = run_cell(kc, args.code.read_text(), timeout=3600)
    finally:
        stop.set()
        stop_kernel(km, kc)
    if cell.status != "ok":
        print(f"\nsetup: la celda de calentamiento falló:\n{cell.text()}", file=sys.stderr)
        return 1
    print(f"        celda de calentamiento: {cell.seconds:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
