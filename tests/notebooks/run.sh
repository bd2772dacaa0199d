#!/usr/bin/env bash
# Notebook tests in the real kernel — what tests/run-all calls:
#
#   tests/notebooks/run.sh            # set-up (idempotent) + all notebook tests
#   tests/notebooks/run.sh --only fixtures|sources|notebooks
#
# 1. kernel-setup/setup --with-browser: installs/pre-warms the kernel outside
#    the clone ($LAPAZ_HOME); skips whatever is already done.
# 2. tests/notebooks/run_tests.py: source checks, the broken-notebook fixtures
#    (the harness must reject each), every notebook under notebooks/ executed
#    in a fresh kernel (executed copies + HTML in build/notebooks/), and the
#    headless-Chromium check of the first notebook's HTML.
# Ends with "notebooks: N passed, M failed"; exits non-zero on any failure.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
export LAPAZ_HOME="${LAPAZ_HOME:-$HOME/.local/share/lapaz-survey}"

"$REPO/kernel-setup/setup" --with-browser
echo
echo "==> notebook tests (real kernel)"
exec "$LAPAZ_HOME/venv/bin/python" "$REPO/tests/notebooks/run_tests.py" "$@"
