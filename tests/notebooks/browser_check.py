"""Browser check: is an executed notebook's HTML really drawn?

Opens the HTML rendering in headless Chromium (Debian's `chromium`), with a
new empty profile and no network chatter, and checks two things:

1. the DOM after rendering (`--dump-dom`) holds the expected output
   elements: at least `--tables` tables and `--svgs` SVG charts inside the
   notebook's output areas;
2. a screenshot is not blank: enough non-background pixels, several
   distinct colours, ink spread over the page (not one stripe).

Usage:
    python tests/notebooks/browser_check.py build/notebooks/00-introduccion.html \
        --tables 1 --svgs 0 --screenshot build/notebooks/00-introduccion.png
Exits non-zero, saying why, when a check fails.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bs4 import BeautifulSoup
from PIL import Image

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("browser_check: chromium no está instalado (kernel-setup/setup --with-browser)")


def run_chromium(args: list[str], timeout: int = 120) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="lapaz-chromium-") as profile:
        cmd = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)


def count_outputs(dom: str) -> dict[str, int]:
    """Counts output areas, and tables and SVG charts inside them."""
    soup = BeautifulSoup(dom, "html.parser")
    return {
        "outputs": len(soup.select(".jp-OutputArea-output")),
        "tables": len(soup.select(".jp-OutputArea-output table")),
        "svgs": len(soup.select(".jp-OutputArea-output svg"))
        + len(soup.select('.jp-OutputArea-output img[src^="data:image/svg"]')),
    }


def blank_stats(png: Path) -> dict[str, float]:
    """Pixel statistics of a screenshot."""
    img = Image.open(png).convert("RGB")
    small = img.resize((img.width // 4, img.height // 4))
    flat = getattr(small, "get_flattened_data", None) or small.getdata
    pixels = list(flat())
    background = max(set(pixels), key=pixels.count)
    ink = [p for p in pixels if sum(abs(a - b) for a, b in zip(p, background)) > 60]
    colours = len({(r // 16, g // 16, b // 16) for r, g, b in pixels})
    rows_with_ink = 0
    w = small.width
    for y in range(small.height):
        row = pixels[y * w:(y + 1) * w]
        if any(sum(abs(a - b) for a, b in zip(p, background)) > 60 for p in row):
            rows_with_ink += 1
    return {
        "ink_fraction": len(ink) / len(pixels),
        "colours": colours,
        "rows_with_ink_fraction": rows_with_ink / small.height,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("html", type=Path)
    ap.add_argument("--tables", type=int, default=1, help="minimum tables in outputs")
    ap.add_argument("--svgs", type=int, default=0, help="minimum SVG charts in outputs")
    ap.add_argument("--screenshot", type=Path, help="where to keep the screenshot")
    ap.add_argument("--size", default="1280,2400")
    args = ap.parse_args(argv)

    url = args.html.resolve().as_uri()
    problems = []

    dom = run_chromium(["--dump-dom", "--virtual-time-budget=5000", url])
    if dom.returncode != 0 or "<html" not in dom.stdout:
        problems.append(f"chromium no pudo abrir la página (código {dom.returncode}): {dom.stderr[-500:]}")
    counts = count_outputs(dom.stdout)
    print(f"browser_check: DOM con {counts['outputs']} salidas, {counts['tables']} tablas, {counts['svgs']} SVG")
    if counts["tables"] < args.tables:
        problems.append(f"se esperaban al menos {args.tables} tablas en las salidas; hay {counts['tables']}")
    if counts["svgs"] < args.svgs:
        problems.append(f"se esperaban al menos {args.svgs} gráficos SVG en las salidas; hay {counts['svgs']}")

    shot = args.screenshot or Path(tempfile.mkdtemp(prefix="lapaz-shot-")) / "shot.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    res = run_chromium([f"--screenshot={shot.resolve()}", f"--window-size={args.size}",
                        "--virtual-time-budget=5000", url])
    if not shot.exists():
        problems.append(f"chromium no hizo la captura (código {res.returncode}): {res.stderr[-500:]}")
    else:
        stats = blank_stats(shot)
        print(f"browser_check: captura {shot}: tinta {stats['ink_fraction']:.1%}, "
              f"{stats['colours']} colores, filas con tinta {stats['rows_with_ink_fraction']:.0%}")
        if stats["ink_fraction"] < 0.01:
            problems.append("la captura está casi en blanco (menos de 1 % de píxeles con tinta)")
        if stats["colours"] < 8:
            problems.append(f"la captura tiene muy pocos colores ({stats['colours']})")
        if stats["rows_with_ink_fraction"] < 0.2:
            problems.append("la tinta ocupa menos del 20 % de la altura de la página")

    for p in problems:
        print(f"browser_check: FALLA: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
