"""Tests of ediciones.py: python -m unittest discover -s notebooks/tools"""

import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).parent))
import ediciones  # noqa: E402


def sample() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "lapaz-rust", "display_name": "Rust · Encuesta La Paz", "language": "rust"}
    ex = nbformat.v4.new_code_cell("let respuesta: f64 = f64::NAN; // ← tu respuesta", metadata={"tags": ["ejercicio"]})
    sol = nbformat.v4.new_raw_cell(
        "let respuesta: f64 = diseno.mean(\"afectado\")?.estimates()[0].estimate;",
        metadata={"tags": ["solucion"], "jupyter": {"source_hidden": True}},
    )
    chk = nbformat.v4.new_code_cell(
        'check_number("Ejercicio 1", respuesta, 0.231, Tolerance::Absolute(0.001))',
        metadata={"tags": ["revision"]},
    )
    nb.cells = [nbformat.v4.new_markdown_cell("# Cuaderno"), ex, sol, chk]
    return nb


class Editions(unittest.TestCase):
    def test_student_edition_drops_solutions_and_outputs(self):
        nb = sample()
        nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="x")]
        nb.cells[1].execution_count = 3
        out = ediciones.edicion_estudiante(nb)
        self.assertEqual([c.cell_type for c in out.cells], ["markdown", "code", "code"])
        self.assertFalse(any("solucion" in c.metadata.get("tags", []) for c in out.cells))
        self.assertEqual(out.cells[1].outputs, [])
        self.assertIsNone(out.cells[1].execution_count)
        nbformat.validate(out)
        # The original is untouched.
        self.assertEqual(len(nb.cells), 4)

    def test_solutions_edition_runs_the_solution_as_visible_code(self):
        out = ediciones.edicion_soluciones(sample())
        self.assertIn("Edición con soluciones", out.cells[0].source)
        sol = out.cells[3]
        self.assertEqual(sol.cell_type, "code")
        self.assertTrue(sol.source.startswith("// Solución\nlet respuesta"))
        self.assertNotIn("source_hidden", sol.metadata.get("jupyter", {}))
        self.assertEqual(sol.metadata["tags"], ["solucion"])
        # Exercise, then solution, then check: the check sees the reference answer.
        self.assertEqual([c.metadata.get("tags", [None])[0] for c in out.cells[2:]], ["ejercicio", "solucion", "revision"])
        nbformat.validate(out)
        ids = [c["id"] for c in out.cells]
        self.assertEqual(len(ids), len(set(ids)))

    def test_review_accepts_a_well_formed_notebook(self):
        self.assertEqual(ediciones.revisar(sample()), [])

    def test_review_names_every_structure_problem(self):
        nb = sample()
        nb.cells.pop()  # no check cell
        problems = ediciones.revisar(nb)
        self.assertTrue(any("no tiene celda de revisión" in p for p in problems), problems)

        nb = sample()
        nb.cells[3].source = "println!(\"{}\", respuesta)"
        self.assertTrue(any("debe llamar a check_" in p for p in ediciones.revisar(nb)))

        nb = sample()
        nb.cells.insert(1, nb.cells.pop(2))  # solution before its exercise
        self.assertTrue(any("justo después de su ejercicio" in p for p in ediciones.revisar(nb)))

        nb = sample()
        nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="x")]
        self.assertTrue(any("salidas guardadas" in p for p in ediciones.revisar(nb)))

    def test_command_line_writes_editions_and_fails_on_review_problems(self):
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "cuaderno.ipynb"
            nbformat.write(sample(), src)
            script = Path(__file__).parent / "ediciones.py"
            run = subprocess.run([sys.executable, script, "soluciones", src, "-o", Path(tmp) / "sol"], capture_output=True, text=True)
            self.assertEqual(run.returncode, 0, run.stderr)
            written = nbformat.read(Path(tmp) / "sol" / "cuaderno.ipynb", as_version=4)
            self.assertEqual(written.cells[3].cell_type, "code")
            # Refuses to overwrite the original.
            run = subprocess.run([sys.executable, script, "estudiante", src, "-o", tmp], capture_output=True, text=True)
            self.assertNotEqual(run.returncode, 0)
            bad = sample()
            bad.cells.pop()
            nbformat.write(bad, src)
            run = subprocess.run([sys.executable, script, "revisar", src], capture_output=True, text=True)
            self.assertEqual(run.returncode, 1)
            self.assertIn("✘", run.stdout)

    def test_keep_existing_never_replaces_a_students_notebook(self):
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "cuaderno.ipynb"
            nbformat.write(sample(), src)
            out = Path(tmp) / "estudiantes"
            out.mkdir()
            work = out / "cuaderno.ipynb"
            work.write_text("el trabajo del estudiante")
            script = Path(__file__).parent / "ediciones.py"
            args = [sys.executable, script, "estudiante", src, "-o", out, "--conservar"]
            run = subprocess.run(args, capture_output=True, text=True)
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertEqual(work.read_text(), "el trabajo del estudiante")
            self.assertIn("se conserva", run.stdout)
            work.unlink()
            run = subprocess.run(args, capture_output=True, text=True)
            self.assertEqual(run.returncode, 0, run.stderr)
            written = nbformat.read(work, as_version=4)
            self.assertFalse(any("solucion" in c.metadata.get("tags", []) for c in written.cells))


if __name__ == "__main__":
    unittest.main()
