# Shared by scripts/demo and scripts/test: create or reuse .venv and install what is needed.
# Sourced, not run. Needs only Python >= 3.11 on PATH (python3.11, python3 or $PYTHON).
set -euo pipefail

DCHKIT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${DCHKIT_VENV:-$DCHKIT_ROOT/.venv}"

find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.11 python3.12 python3.13 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "dchkit needs Python >= 3.11 on PATH (or set PYTHON=/path/to/python3.11)." >&2
  return 1
}

# ensure_env EXTRAS: create the venv if missing; (re)install dchkit with EXTRAS when
# pyproject.toml or the extras changed since the last install.
ensure_env() {
  local extras="$1"
  if [ ! -x "$VENV/bin/python" ]; then
    local python
    python="$(find_python)"
    echo "==> creating virtual environment in $VENV with $python" >&2
    "$python" -m venv "$VENV"
  fi
  local stamp="$VENV/.dchkit-installed"
  local want
  want="$(cat "$DCHKIT_ROOT/pyproject.toml" | "$VENV/bin/python" -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())') $extras"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "==> installing dchkit[$extras] into $VENV" >&2
    if [ ! -x "$VENV/bin/uv" ]; then
      "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check uv ||
        echo "    (uv unavailable; falling back to pip)" >&2
    fi
    if [ -x "$VENV/bin/uv" ]; then
      "$VENV/bin/uv" pip install --quiet --python "$VENV/bin/python" -e "$DCHKIT_ROOT[$extras]"
    else
      "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$DCHKIT_ROOT[$extras]"
    fi
    echo "$want" >"$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
}
