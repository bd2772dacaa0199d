#!/usr/bin/env python3
"""mdBook preprocessor: the list of notebooks on the "Cuadernos ejecutados" page.

book.toml runs it (`[preprocessor.cuadernos]`) with the book's folder (docs/)
as working directory. It replaces the marker `<!-- cuadernos: lista -->` in
any chapter with a table of the notebooks in `notebooks/*.ipynb` and, for each,
a link to its executed HTML when `build/notebooks/<name>.html` exists —
docs/build copies those files next to the page, into build/book/cuadernos/ —
or a note that it has not been executed yet. So the page only links what
exists, and the link check can hold it to that. Standard library only.

Protocol (mdBook): `cuadernos.py supports <renderer>` exits 0; otherwise the
JSON `[context, book]` comes on stdin and the book goes back on stdout.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

MARKER = "<!-- cuadernos: lista -->"


def title_of(notebook: Path) -> str:
    """The first `# ` heading of the notebook's first markdown cell."""
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return notebook.stem
    for cell in cells:
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else source
        for line in text.splitlines():
            if line.startswith("# "):
                return line[2:].strip()
        break
    return notebook.stem


def table(repo: Path) -> str:
    notebooks = sorted((repo / "notebooks").glob("*.ipynb"))
    executed = repo / "build" / "notebooks"
    if not notebooks:
        return "*No hay cuadernos en `notebooks/`.*\n"
    rows = [
        "| Cuaderno | Archivo | Versión ejecutada |",
        "|---|---|---|",
    ]
    missing = 0
    for nb in notebooks:
        html = executed / f"{nb.stem}.html"
        if html.is_file():
            shown = f"[abrir]({nb.stem}.html)"
        else:
            shown = "sin ejecutar todavía"
            missing += 1
        title = title_of(nb).replace("|", "\\|")
        rows.append(f"| {title} | `notebooks/{nb.name}` | {shown} |")
    text = "\n".join(rows) + "\n"
    if missing:
        text += (
            f"\n{missing} de {len(notebooks)} cuadernos no tienen versión ejecutada en "
            "esta copia del libro. Para generarlas: `kernel-setup/run-notebooks --run` "
            "y luego `docs/build`.\n"
        )
    return text


def replace(item: object, text: str) -> None:
    """Replaces the marker in every chapter's content, whatever the JSON nesting."""
    if isinstance(item, dict):
        content = item.get("content")
        if isinstance(content, str) and MARKER in content:
            item["content"] = content.replace(MARKER, text)
        for value in item.values():
            replace(value, text)
    elif isinstance(item, list):
        for value in item:
            replace(value, text)


def main(argv: list[str]) -> int:
    if len(argv) > 1 and argv[1] == "supports":
        return 0
    context, book = json.load(sys.stdin)
    repo = Path(context.get("root", ".")).resolve().parent
    replace(book, table(repo))
    json.dump(book, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
