#!/usr/bin/env bash
# Download a file (e.g. an export's result_url) with curl: the ceiling the SDK downloads
# are compared with.
#
#   CVAT_AUTH=user:password bench/curl_download.sh URL OUTPUT
#
# Prints "elapsed SECONDS" and exits non-zero on any HTTP error.
set -euo pipefail

if [[ $# -ne 2 || -z "${CVAT_AUTH:-}" ]]; then
    echo "usage: CVAT_AUTH=user:password $0 URL OUTPUT" >&2
    exit 2
fi

start=$EPOCHREALTIME
curl -sS --fail -u "$CVAT_AUTH" -o "$2" "$1"
end=$EPOCHREALTIME
echo "elapsed $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f", b - a }')"
