# Shared by scripts/demo and scripts/test: create .venv if absent and install the project into it (offline-safe
# once installed: nothing is downloaded at run time). Sourced, not run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# reinstall when the project definition changes
STAMP=.venv/.installed-$(sha1sum < pyproject.toml | cut -c1-12)
if [ ! -f "$STAMP" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[dev,dask]"
  rm -f .venv/.installed-* && touch "$STAMP"
fi
export PATH="$ROOT/.venv/bin:$PATH"
