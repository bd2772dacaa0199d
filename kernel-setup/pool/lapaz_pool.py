"""A Jupyter kernel provisioner that keeps one warm spare kernel.

A fresh evcxr kernel spends 40–60 CPU seconds before it can answer: evcxr's
in-process rust-analyzer loads the whole crate graph (std, polars,
lapaz-survey) and the prelude is compiled. No build cache can hold that (it
lives in the kernel's memory), so this provisioner does the next best thing:
each time it launches a kernel, it also starts a *spare* one in the
background, with its own connection file, which warms up while the student
works. The next kernel request (another notebook, a restart, the next
notebook of a test run) adopts the spare, already warm: the Jupyter client is
simply handed the spare's ports and key (`launch_kernel` returns them, as the
provisioner API allows), and a new spare is started.

The spare waits `LAPAZ_SPARE_DELAY` seconds (default 45) before it starts
compiling, so it does not slow down the kernel the student is waiting for;
adopting it ends the wait at once. A spare is adopted only by a request for
the same kernel spec and working folder (a notebook's relative paths resolve
against it), and never on a restart: a restarted kernel must keep its ports,
because the clients already connected to them stay connected. Spares are stopped when the process that started them exits
(and the launcher asks Linux to stop a kernel whose parent died).

It is selected as the *default* provisioner of our own Jupyter processes
(`kernel-setup/run-notebooks` passes
`--KernelProvisionerFactory.default_provisioner_name=lapaz-warm-spare`, the
notebook tests call `use_warm_spares()`), not in kernel.json: a kernel spec
that names a provisioner is hidden from every Jupyter that lacks it (VS Code,
a user's own JupyterLab), and ours must stay usable there. Spares are made
only for kernel specs marked `"metadata": {"lapaz_survey": true}`; other
kernels launch as with the default provisioner. Set LAPAZ_SPARE=0 to turn
spares off.
"""

from __future__ import annotations

import atexit
import os
import pathlib
import signal
from dataclasses import dataclass
from typing import Any

from jupyter_client.connect import write_connection_file
from jupyter_client.launcher import launch_kernel
from jupyter_client.provisioning import LocalProvisioner

GO_SUFFIX = ".go"  # the launcher starts the kernel at once when this file appears


@dataclass
class _Spare:
    process: Any  # subprocess.Popen
    info: dict[str, Any]
    connection_file: str
    cwd: str

    def alive(self) -> bool:
        return self.process.poll() is None

    def go(self) -> None:
        pathlib.Path(self.connection_file + GO_SUFFIX).touch()

    def stop(self) -> None:
        try:
            os.killpg(os.getpgid(self.process.pid), signal.SIGTERM)
        except OSError:
            pass
        remove_files(self.connection_file)


def remove_files(connection_file: str) -> None:
    for path in (connection_file, connection_file + GO_SUFFIX):
        try:
            os.remove(path)
        except OSError:
            pass


# One spare per (kernel spec, working folder), shared by every kernel manager
# of this process (a Jupyter server, or a test run executing notebooks).
_SPARES: dict[tuple[str, str], _Spare] = {}


@atexit.register
def _stop_spares() -> None:
    for spare in _SPARES.values():
        spare.stop()
    _SPARES.clear()


def spares_enabled() -> bool:
    return os.environ.get("LAPAZ_SPARE", "1") != "0"


def use_warm_spares() -> None:
    """Makes this provisioner the default one of the current process (what
    `--KernelProvisionerFactory.default_provisioner_name` does for a server)."""
    from jupyter_client.provisioning import KernelProvisionerFactory

    KernelProvisionerFactory.instance().default_provisioner_name = "lapaz-warm-spare"


def start_spare(
    key: tuple[str, str],
    argv: list[str],
    env: dict[str, str],
    cwd: str,
    ip: str = "127.0.0.1",
    transport: str = "tcp",
    signature_scheme: str = "hmac-sha256",
    kernel_name: str = "",
    delay: str | None = None,
) -> None:
    """Starts a spare kernel for `key` with its own connection file."""
    fname, cfg = write_connection_file(
        ip=ip,
        key=os.urandom(16).hex().encode(),
        transport=transport,
        signature_scheme=signature_scheme,
        kernel_name=kernel_name,
    )
    info = dict(cfg)
    info["key"] = cfg["key"].encode() if isinstance(cfg["key"], str) else cfg["key"]
    cmd = [a.replace("{connection_file}", fname) for a in argv]
    env = dict(env)
    env.pop("JPY_SESSION_NAME", None)
    env["LAPAZ_SPARE_DELAY"] = delay if delay is not None else os.environ.get("LAPAZ_SPARE_DELAY", "45")
    try:
        process = launch_kernel(cmd, env=env, cwd=cwd)
    except Exception:  # a spare is an optimisation: never fail because of it
        remove_files(fname)
        return
    _SPARES[key] = _Spare(process, info, fname, cwd)


# --- Jupyter server extension: a first spare as soon as JupyterLab starts ---


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "lapaz_pool"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Starts a spare of our kernel when the server starts, so that even the
    first notebook a student opens finds a warm kernel. The working folder is
    `LAPAZ_SPARE_CWD` (run-notebooks sets the students' folder) or the
    server's root."""
    if not spares_enabled():
        return
    try:
        spec = serverapp.kernel_spec_manager.get_kernel_spec(os.environ.get("LAPAZ_SPARE_KERNEL", "lapaz-rust"))
    except Exception:
        return
    if not spec.metadata.get("lapaz_survey"):
        return
    cwd = os.environ.get("LAPAZ_SPARE_CWD") or str(serverapp.root_dir)
    env = dict(os.environ)
    env.update(spec.env or {})
    key = ("\0".join(spec.argv), os.path.realpath(cwd))
    start_spare(key, spec.argv, env, cwd, delay="0")
    serverapp.log.info("lapaz_pool: spare kernel starting for %s", cwd)


class WarmSpareProvisioner(LocalProvisioner):
    """LocalProvisioner that adopts a warm spare kernel when one is ready."""

    _own_connection_file: str | None = None
    _launched = False  # a second launch by the same provisioner is a restart

    def _spare_key(self, cwd: Any) -> tuple[str, str]:
        return ("\0".join(self.kernel_spec.argv), os.path.realpath(str(cwd or os.getcwd())))

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        if not self.kernel_spec.metadata.get("lapaz_survey"):
            return await super().launch_kernel(cmd, **kwargs)
        key = self._spare_key(kwargs.get("cwd"))
        restart = self._launched
        self._launched = True
        spare = None if restart else _SPARES.pop(key, None)
        if spare is not None and spare.alive():
            spare.go()
            self.process = spare.process
            self.pid = spare.process.pid
            try:
                self.pgid = os.getpgid(spare.process.pid)
            except OSError:
                self.pgid = None
            self.cwd = spare.cwd
            self.connection_info = spare.info
            self._own_connection_file = spare.connection_file
            info = spare.info
        else:
            if spare is not None:
                spare.stop()
            # a cold start: tell the launcher not to wait
            env = dict(kwargs.get("env") or os.environ)
            env["LAPAZ_SPARE_DELAY"] = "0"
            kwargs["env"] = env
            info = await super().launch_kernel(cmd, **kwargs)
        if spares_enabled() and key not in _SPARES:
            self._start_spare(key, kwargs)
        return info

    def _start_spare(self, key: tuple[str, str], kwargs: dict[str, Any]) -> None:
        km = self.parent
        start_spare(
            key,
            self.kernel_spec.argv,
            dict(kwargs.get("env") or os.environ),
            str(kwargs.get("cwd") or os.getcwd()),
            ip=getattr(km, "ip", "") or "127.0.0.1",
            transport=getattr(km, "transport", "tcp"),
            signature_scheme=getattr(getattr(km, "session", None), "signature_scheme", "hmac-sha256"),
            kernel_name=getattr(km, "kernel_name", ""),
        )

    async def cleanup(self, restart: bool = False) -> None:
        await super().cleanup(restart=restart)
        if self._own_connection_file and not restart:
            remove_files(self._own_connection_file)
            self._own_connection_file = None
