# Shared by the scripts: strict mode, the server, the account and small checks.
# The caller sets CVAT_SERVER (the server URL); the account is admin, password in PASS.
set -euo pipefail
: "${CVAT_SERVER:?set CVAT_SERVER to the server URL}"
export PASS="${PASS-admin}"

cli() { cvat-cli --server-host "$CVAT_SERVER" --auth admin "$@"; }

fail() { echo "FAILED: $*" >&2; exit 1; }

# expect ACTUAL EXPECTED WHAT
expect() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }

# jsonq EXPRESSION < json: evaluate a Python expression over `data` (the parsed input)
jsonq() { python3 -c "import json, sys; data = json.load(sys.stdin); print($1)"; }

# count of lines on stdin
lines() { grep -c . || true; }

# zip_names FILE: the names inside a zip archive, one per line
zip_names() { python3 -c "import sys, zipfile; print('\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))" "$1"; }
