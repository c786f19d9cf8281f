#!/usr/bin/env bash
# Output file names are optional: the current directory, or a directory ending with '/'.
. "$(dirname "$0")/common.sh"

id=$(cli task create "out" local images/img_0.jpg --labels '[{"name": "car"}]' \
    --completion_verification_period 0.05)
mkdir here && cd here
cli task export-dataset "$id" --completion_verification_period 0.05
cli task backup "$id" --completion_verification_period 0.05
ls | grep -c '\.zip$'
cd ..
cli task export-dataset "$id" exports/ --format "COCO 1.0" --completion_verification_period 0.05
cli task backup "$id" backups/nested/ --completion_verification_period 0.05
ls exports | grep -c '\.zip$'
ls backups/nested | grep -c '\.zip$'
echo done
