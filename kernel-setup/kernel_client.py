"""Small helpers to drive our evcxr kernel from Python (jupyter_client).

Used by the set-up (to build the warm template), by `measure-latency.py` and
by the notebook tests. Runs inside the set-up's virtual environment.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_client.manager import KernelManager

KERNEL_NAME = "lapaz-rust"


@dataclass
class CellResult:
    """What one executed cell produced."""

    seconds: float
    status: str  # "ok" | "error" | "timeout"
    stdout: str = ""
    stderr: str = ""
    data: list[dict] = field(default_factory=list)  # display/execute_result bundles
    errors: list[dict] = field(default_factory=list)  # error messages (ename, evalue)

    def text(self) -> str:
        """All text the cell showed, for diagnostics."""
        parts = [self.stdout, self.stderr]
        parts += [d.get("text/plain", "") for d in self.data]
        parts += [f"{e.get('ename', '')}: {e.get('evalue', '')}" for e in self.errors]
        return "\n".join(p for p in parts if p)


def start_kernel(extra_env: dict[str, str] | None = None, log_path: Path | None = None,
                 ready_timeout: float = 600.0) -> tuple[KernelManager, object, float]:
    """Starts a fresh `lapaz-rust` kernel and waits until it answers.

    Returns (manager, client, seconds until ready). evcxr runs `init.evcxr`
    and `prelude.rs` before it answers, so "ready" includes compiling the
    prelude against the crate.
    """
    env = os.environ.copy()
    env.update(extra_env or {})
    km = KernelManager(kernel_name=KERNEL_NAME)
    started = time.monotonic()
    kwargs: dict = {"env": env}
    if log_path is not None:
        log = open(log_path, "ab")  # noqa: SIM115 - lives as long as the kernel
        kwargs.update(stdout=log, stderr=log)
    km.start_kernel(**kwargs)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=ready_timeout)
    except RuntimeError:
        # the kernel died (e.g. the prelude failed to compile) or timed out
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        raise
    return km, kc, time.monotonic() - started


def run_cell(kc, code: str, timeout: float = 600.0) -> CellResult:
    """Executes `code` and collects everything the kernel sends for it."""
    result = CellResult(seconds=0.0, status="ok")

    def on_output(msg: dict) -> None:
        kind = msg["msg_type"]
        content = msg["content"]
        if kind == "stream":
            if content.get("name") == "stderr":
                result.stderr += content.get("text", "")
            else:
                result.stdout += content.get("text", "")
        elif kind in ("display_data", "execute_result"):
            result.data.append(content.get("data", {}))
        elif kind == "error":
            result.errors.append(content)

    started = time.monotonic()
    try:
        reply = kc.execute_interactive(code, timeout=timeout, output_hook=on_output)
    except TimeoutError:
        result.status = "timeout"
    else:
        result.status = reply["content"].get("status", "error")
    result.seconds = time.monotonic() - started
    if result.errors and result.status == "ok":
        result.status = "error"
    return result


def stop_kernel(km: KernelManager, kc) -> None:
    """Shuts the kernel down and waits for it to exit."""
    try:
        kc.stop_channels()
    finally:
        km.shutdown_kernel(now=False)
