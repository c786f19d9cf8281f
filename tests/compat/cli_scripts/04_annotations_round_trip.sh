#!/usr/bin/env bash
# Export a task as a dataset with images, import it into another task, and create a task
# with annotations imported right after its data.
. "$(dirname "$0")/common.sh"

src=$(cli task create "source" local images/*.jpg --labels '[{"name": "car"}]' \
    --completion_verification_period 0.05)
cli task export-dataset "$src" coco.zip --format "COCO 1.0" --with-images True \
    --completion_verification_period 0.05
zip_names coco.zip | grep -c '\.jpg$'
zip_names coco.zip | grep 'instances_default.json' > /dev/null || fail "no COCO annotations"

cli task export-dataset "$src" cvat.zip --completion_verification_period 0.05
dst=$(cli task create "target" local images/*.jpg --labels '[{"name": "car"}]' \
    --completion_verification_period 0.05)
cli task import-dataset "$dst" cvat.zip --format "CVAT 1.1"

with=$(cli task create "with annotations" local images/*.jpg --labels '[{"name": "car"}]' \
    --annotation_path cvat.zip --annotation_format "CVAT 1.1" \
    --completion_verification_period 0.05)
echo "tasks $src $dst $with"
expect "$(cli task ls | lines)" 3 "three tasks"
echo done
