#!/usr/bin/env python3
"""Kernel launcher for "Rust · Encuesta La Paz" (kernelspec `lapaz-rust`).

Jupyter runs this file (the kernelspec's argv) with the connection file; it
gives the new kernel its own build folder, copied from the warm template
that `kernel-setup/setup` built, and then becomes `evcxr_jupyter` (exec, same
process id, so Jupyter's interrupt and shutdown reach the kernel itself).

Why a copy per kernel: evcxr compiles every cell as a Cargo crate in
EVCXR_TMPDIR. A folder that already holds the compiled dependencies (polars,
lapaz-survey, …) makes the first cell fast, but two kernels cannot share one
folder (they would overwrite each other's cell crate). So every kernel gets
its own folder:

* large build outputs that compilers never rewrite in place (`.rlib`,
  `.rmeta`, `.so` under `deps/`, rustc's incremental caches, which rustc
  itself manages with hard links) are *hard links* to the template: instant,
  no disk space;
* everything Cargo or rustc rewrites in place (fingerprints, `.d` files,
  build-script outputs, Cargo.toml, Cargo.lock, the cell source) is a real
  copy, so a kernel never changes the template or another kernel.

Modification times are preserved, so Cargo's fingerprints find every
dependency fresh and only the cell crate itself is compiled.

Folders of kernels that have ended are removed by the next launch.

A spare kernel started ahead of need by the warm-spare provisioner
(pool/lapaz_pool.py) waits up to LAPAZ_SPARE_DELAY seconds before it starts,
so that it does not compete with the kernel a student is waiting for; it
starts at once when the provisioner hands it out (it creates
`<connection file>.go`). Every kernel asks Linux to be stopped when the
process that launched it (Jupyter) dies, so no spare outlives its server.

Environment (set in kernel.json by the set-up):
  LAPAZ_HOME            where the set-up installed everything
  LAPAZ_KERNEL_TMPDIR   optional: use this build folder as is (no copy);
                        the set-up uses it to build the template itself.
  LAPAZ_SPARE_DELAY     seconds a spare waits before starting (set by the
                        provisioner; absent or 0: start at once).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED_SUFFIXES = (".rlib", ".rmeta", ".so")


def lapaz_home() -> Path:
    home = os.environ.get("LAPAZ_HOME")
    if home:
        return Path(home)
    return Path.home() / ".local" / "share" / "lapaz-survey"


def is_cell_output(rel: Path) -> bool:
    """The cell crate's own build outputs (`libctx.so`, `libcode_N.so`, ~40 MB
    each, polars linked in): every kernel rebuilds them, so not copied."""
    return rel.name.startswith(("libctx", "libcode_")) and rel.name.endswith(".so")


def is_shareable(rel: Path) -> bool:
    """True for build outputs that are safe to hard-link between kernels."""
    parts = rel.parts
    if "incremental" in parts:
        return True
    if "build" in parts and rel.name.startswith(("build-script-build", "build_script_build-")):
        # compiled build scripts: linkers write a new file, never in place
        return True
    return (
        len(parts) >= 2
        and parts[-2] == "deps"
        and rel.name.endswith(SHARED_SUFFIXES)
        # the cell crate's own outputs are rebuilt by every kernel
        and not rel.name.startswith(("libctx", "ctx-", "libcode_"))
    )


def clone_template(template: Path, dest: Path) -> tuple[int, int]:
    """Copies `template` into `dest` (hard links where safe). Returns
    (linked, copied) file counts."""
    linked = copied = 0
    for root, dirs, files in os.walk(template):
        src_dir = Path(root)
        rel_dir = src_dir.relative_to(template)
        out_dir = dest / rel_dir
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in files:
            src = src_dir / name
            out = out_dir / name
            rel = rel_dir / name
            if is_cell_output(rel):
                continue
            if src.is_symlink():
                os.symlink(os.readlink(src), out)
            elif is_shareable(rel):
                os.link(src, out)
                linked += 1
            else:
                shutil.copy2(src, out)
                copied += 1
        for name in list(dirs):
            if (src_dir / name).is_symlink():
                os.symlink(os.readlink(src_dir / name), out_dir / name)
                dirs.remove(name)
    return linked, copied


def rust_std_dir() -> str | None:
    """The folder holding the toolchain's libstd-*.so (rustc's target libdir)."""
    try:
        out = subprocess.run(["rustc", "--print", "target-libdir"], capture_output=True,
                             text=True, timeout=60, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    lib = Path(out.stdout.strip())
    return str(lib) if lib.is_dir() else None


def pid_is_kernel(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"evcxr_jupyter" in cmdline


def sweep(runs: Path) -> None:
    """Removes build folders whose kernel has ended."""
    if not runs.is_dir():
        return
    for folder in runs.iterdir():
        owner = folder / ".lapaz-kernel-pid"
        try:
            pid = int(owner.read_text().strip())
        except (OSError, ValueError):
            # no owner yet: a launch in progress (or one that crashed before
            # starting the kernel); remove it only once it is an hour old
            try:
                age = time.time() - folder.stat().st_mtime
            except OSError:
                continue
            if age > 3600:
                shutil.rmtree(folder, ignore_errors=True)
            continue
        if not pid_is_kernel(pid):
            shutil.rmtree(folder, ignore_errors=True)


def stop_with_parent() -> None:
    """Linux: SIGTERM this process (and, after exec, the kernel) when the
    process that launched it exits. Survives exec; a no-op elsewhere."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        # SIGTERM when the parent *thread* that started us ends (Linux ties
        # the signal to the thread, not the process): start kernels and
        # spares from a long-lived thread (a server's event loop, the main
        # thread of a test run), never from a short-lived worker thread.
        libc.prctl(pr_set_pdeathsig, 15)
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:  # the parent is already gone
        sys.exit(0)


def wait_until_needed(connection_file: str) -> None:
    """A spare kernel waits (LAPAZ_SPARE_DELAY seconds, or until it is handed out)."""
    try:
        delay = float(os.environ.get("LAPAZ_SPARE_DELAY", "0"))
    except ValueError:
        delay = 0.0
    go = Path(connection_file + ".go")
    deadline = time.monotonic() + delay
    while time.monotonic() < deadline and not go.exists():
        time.sleep(0.2)


def main() -> int:
    if len(sys.argv) != 2:
        print("uso: lapaz-kernel.py <archivo de conexión>", file=sys.stderr)
        return 2
    connection_file = sys.argv[1]
    stop_with_parent()
    wait_until_needed(connection_file)
    home = lapaz_home()
    evcxr = home / "cargo" / "bin" / "evcxr_jupyter"
    template = home / "kernel" / "template"
    runs = home / "kernel" / "runs"

    env = os.environ.copy()
    env["EVCXR_CONFIG_DIR"] = str(home / "kernel" / "evcxr-config")
    # evcxr_jupyter rewrites $JUPYTER_PATH/kernels/rust when it exists (its
    # self-update); point it to our own empty folder so that a user's own
    # `rust` kernel is never touched.
    env["JUPYTER_PATH"] = str(home / "kernel" / "evcxr-jupyter-path")

    # Cells are loaded as shared libraries linked against Rust's libstd.so;
    # their RUNPATH is relative to the build folder and misses the toolchain
    # when the folder is deep below $HOME (as ours is), so name it here.
    std_dir = rust_std_dir()
    if std_dir:
        env["LD_LIBRARY_PATH"] = os.pathsep.join(
            p for p in (std_dir, env.get("LD_LIBRARY_PATH", "")) if p
        )

    fixed = env.pop("LAPAZ_KERNEL_TMPDIR", None)
    if fixed:
        work = Path(fixed)
        work.mkdir(parents=True, exist_ok=True)
    else:
        runs.mkdir(parents=True, exist_ok=True)
        sweep(runs)
        work = Path(tempfile.mkdtemp(prefix="k-", dir=runs))
        if (template / ".lapaz-template-ready").exists():
            try:
                clone_template(template, work)
            except OSError as err:
                # the set-up may be replacing the template right now: start
                # cold rather than fail
                print(f"lapaz-kernel: plantilla no copiada ({err}); se compila desde cero", file=sys.stderr)
                shutil.rmtree(work, ignore_errors=True)
                work.mkdir(parents=True)
        else:
            print(
                "lapaz-kernel: no hay compilación previa; la primera celda tardará varios minutos. "
                "Ejecute kernel-setup/setup.",
                file=sys.stderr,
            )
        (work / ".lapaz-kernel-pid").write_text(f"{os.getpid()}\n")
    env["EVCXR_TMPDIR"] = str(work)
    # evcxr prints a line about its config file on stdout at every start;
    # keep the terminal (and test logs) clean: stdout goes to a log in the
    # build folder. stderr (compile progress, crashes) stays visible.
    log = os.open(work / "kernel-stdout.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.close(log)
    os.execve(str(evcxr), [str(evcxr), "--control_file", connection_file], env)
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main())
