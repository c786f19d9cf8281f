#!/usr/bin/env bash
# Download frames of a task: file names task_<ID>_frame_<FRAME>.<ext>.
. "$(dirname "$0")/common.sh"

id=$(cli task create "frames" local images/*.jpg --labels '[{"name": "car"}]' \
    --completion_verification_period 0.05)
cli task frames "$id" 0 2 --outdir original
ls original
cli task frames "$id" 1 --outdir compressed --quality compressed
ls compressed
mkdir cwd && cd cwd && cli task frames "$id" 3 && ls
echo done
