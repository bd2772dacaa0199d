#!/usr/bin/env python3
"""Ediciones de un cuaderno: para estudiantes, con soluciones, y revisión.

Cada ejercicio de un cuaderno usa tres tipos de celda, marcados con
etiquetas (tags) de Jupyter:

* ``ejercicio``: la celda que completa el estudiante. Deja un valor
  "sin respuesta" que no rompe el cuaderno: ``f64::NAN`` para números,
  ``""`` para texto, ``None`` para verdadero/falso y estimaciones::

      let respuesta: f64 = f64::NAN; // ← escribe aquí tu respuesta

* ``solucion``: la solución de referencia, justo después del ejercicio;
  vuelve a definir las mismas variables. Puede ser una celda de código o,
  mejor, una celda *raw* (no se ejecuta en la edición para estudiantes, así
  "Ejecutar todo" nunca pisa la respuesta del estudiante) plegada con
  ``"jupyter": {"source_hidden": true}``.

* ``revision``: la celda que revisa la respuesta con el módulo
  ``teaching`` del crate y termina con el ``Check``::

      check_number("Ejercicio 1.1", respuesta, 0.231, Tolerance::Absolute(0.001))
          .hint("Usa la media ponderada de la variable indicadora.")

  Una revisión que no pasa escribe en stderr una línea que empieza con
  ``[lapaz-check]``; el arnés de pruebas de cuadernos falla con ella.

Ediciones:

* ``estudiante``: quita las celdas ``solucion`` y las salidas.
* ``soluciones``: convierte las celdas ``solucion`` en código visible, agrega
  al inicio un aviso "Edición con soluciones" y quita las salidas. Es la que
  ejecutan las pruebas: con las respuestas de referencia, toda revisión debe
  pasar.
* ``revisar``: no escribe nada; comprueba la estructura (cada ejercicio
  tiene su revisión, cada solución sigue a un ejercicio, las revisiones
  llaman a ``check_…``) y sale con código 1 si hay problemas.

Uso::

    python notebooks/tools/ediciones.py soluciones notebooks/01_movilidad.ipynb -o build/soluciones
    python notebooks/tools/ediciones.py estudiante notebooks/*.ipynb -o build/estudiantes
    python notebooks/tools/ediciones.py revisar notebooks/*.ipynb

Desde Python (por ejemplo, el arnés de pruebas)::

    from ediciones import edicion_soluciones
    nb = edicion_soluciones(nbformat.read(ruta, as_version=4))

Solo necesita ``nbformat``.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path

import nbformat

EXERCISE = "ejercicio"
SOLUTION = "solucion"
CHECK = "revision"

BANNER = (
    "> **Edición con soluciones (para mentores).** Las celdas marcadas con "
    "`// Solución` contienen la respuesta de referencia; no distribuya esta "
    "edición a estudiantes."
)
SOLUTION_HEADER = "// Solución"

_CHECK_CALL = re.compile(r"\bcheck_(number|estimate|choice|bool|options)\s*\(")


def _tags(cell: nbformat.NotebookNode) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def _clear_outputs(nb: nbformat.NotebookNode) -> None:
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None


def edicion_estudiante(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student edition: no solution cells, no outputs."""
    out = copy.deepcopy(nb)
    out.cells = [c for c in out.cells if SOLUTION not in _tags(c)]
    _clear_outputs(out)
    return out


def edicion_soluciones(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The solutions edition: solution cells as visible code, a banner."""
    out = copy.deepcopy(nb)
    cells = []
    for cell in out.cells:
        if SOLUTION in _tags(cell):
            source = cell.source
            if not source.lstrip().startswith(SOLUTION_HEADER):
                source = f"{SOLUTION_HEADER}\n{source}"
            meta = copy.deepcopy(cell.get("metadata", {}))
            jupyter = meta.get("jupyter", {})
            jupyter.pop("source_hidden", None)
            if jupyter:
                meta["jupyter"] = jupyter
            else:
                meta.pop("jupyter", None)
            code = nbformat.v4.new_code_cell(source=source, metadata=meta)
            if "id" in cell:
                code["id"] = cell["id"]
            cells.append(code)
        else:
            cells.append(cell)
    banner = nbformat.v4.new_markdown_cell(BANNER, metadata={"tags": ["edicion-soluciones"]})
    # Cell ids must be unique (nbformat ≥ 4.5); keep the banner's distinct.
    banner["id"] = "edicion-soluciones"
    out.cells = [banner] + cells
    _clear_outputs(out)
    return out


def revisar(nb: nbformat.NotebookNode) -> list[str]:
    """Structure problems, in Spanish; an empty list means all is well."""
    problems: list[str] = []
    open_exercise: int | None = None  # index of an exercise still without its check
    last_kind: str | None = None
    for i, cell in enumerate(nb.cells, start=1):
        tags = _tags(cell)
        if EXERCISE in tags:
            if open_exercise is not None:
                problems.append(f"celda {open_exercise}: el ejercicio no tiene celda de revisión ('{CHECK}') antes del siguiente")
            if cell.cell_type != "code":
                problems.append(f"celda {i}: un ejercicio debe ser una celda de código")
            open_exercise = i
            last_kind = EXERCISE
        elif SOLUTION in tags:
            if last_kind not in (EXERCISE, SOLUTION):
                problems.append(f"celda {i}: la solución debe ir justo después de su ejercicio")
            if cell.cell_type not in ("code", "raw"):
                problems.append(f"celda {i}: una solución debe ser de código o raw")
            last_kind = SOLUTION
        elif CHECK in tags:
            if open_exercise is None:
                problems.append(f"celda {i}: revisión sin ejercicio antes")
            if cell.cell_type != "code" or not _CHECK_CALL.search(cell.source):
                problems.append(f"celda {i}: la revisión debe llamar a check_number/check_estimate/check_choice/check_bool/check_options")
            open_exercise = None
            last_kind = CHECK
        else:
            last_kind = None
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
            problems.append(f"celda {i}: tiene salidas guardadas (guarde el cuaderno sin salidas)")
    if open_exercise is not None:
        problems.append(f"celda {open_exercise}: el ejercicio no tiene celda de revisión ('{CHECK}')")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Ediciones de cuadernos: estudiante, soluciones, revisar.")
    parser.add_argument("edicion", choices=["estudiante", "soluciones", "revisar"])
    parser.add_argument("cuadernos", nargs="+", type=Path)
    parser.add_argument("-o", "--salida", type=Path, help="carpeta donde escribir las ediciones")
    parser.add_argument(
        "--conservar",
        action="store_true",
        help="no reemplazar un cuaderno que ya existe en la salida (el trabajo de un estudiante)",
    )
    args = parser.parse_args(argv)

    failed = False
    for path in args.cuadernos:
        nb = nbformat.read(path, as_version=4)
        if args.edicion == "revisar":
            problems = revisar(nb)
            if problems:
                failed = True
                print(f"✘ {path}")
                for p in problems:
                    print(f"    {p}")
            else:
                print(f"✔ {path}")
            continue
        if args.salida is None:
            parser.error("indique la carpeta de salida con -o")
        edition = edicion_estudiante(nb) if args.edicion == "estudiante" else edicion_soluciones(nb)
        args.salida.mkdir(parents=True, exist_ok=True)
        target = args.salida / path.name
        if target.resolve() == path.resolve():
            parser.error(f"la salida {target} sobrescribiría el original")
        if args.conservar and target.exists():
            print(f"{args.edicion}: {target} ya existe; se conserva (bórrelo para recibir la versión nueva)")
            continue
        nbformat.validate(edition)
        nbformat.write(edition, target)
        print(f"{args.edicion}: {path} → {target}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
