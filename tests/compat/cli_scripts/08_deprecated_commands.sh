#!/usr/bin/env bash
# The top-level commands of older cvat-cli versions (deprecated, still working).
. "$(dirname "$0")/common.sh"

id=$(cli create "legacy" local images/*.jpg --labels '[{"name": "car"}]' \
    --completion_verification_period 0.05)
echo "created $id"
cli ls
cli dump "$id" dump.zip --format "CVAT for images 1.1" --completion_verification_period 0.05
cli upload "$id" dump.zip --format "CVAT 1.1"
cli export "$id" backup.zip --completion_verification_period 0.05
restored=$(cli import backup.zip --completion_verification_period 0.05)
echo "restored $restored"
cli frames "$id" 0 --outdir frames
ls frames
cli delete "$id" "$restored"
expect "$(cli ls | lines)" 0 "all deleted"
echo done
