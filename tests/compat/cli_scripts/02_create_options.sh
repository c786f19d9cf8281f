#!/usr/bin/env bash
# Labels from a file, and the data options of task create, checked on the server.
. "$(dirname "$0")/common.sh"

cat > labels.json <<'JSON'
[{"name": "car", "attributes": []}, {"name": "bike"}]
JSON

id=$(cli task create "options" local images/*.jpg --labels labels.json \
    --image_quality 85 --segment_size 2 --chunk_size 3 --frame_step 2 \
    --start_frame 1 --stop_frame 4 --sorting-method natural --use_cache --use_zip_chunks \
    --bug_tracker https://bugs.example.com/42 --overlap 0 \
    --completion_verification_period 0.05)
echo "created $id"

cli task ls --json > tasks.json
jsonq '[(t["size"], t["image_quality"], t["segment_size"], t["data_chunk_size"], t["bug_tracker"], t["overlap"]) for t in data]' < tasks.json
expect "$(jsonq 'data[0]["size"]' < tasks.json)" 2 "frames 1 and 3 of 0..5"
expect "$(jsonq 'data[0]["image_quality"]' < tasks.json)" 85 "image quality"
expect "$(jsonq 'data[0]["bug_tracker"]' < tasks.json)" https://bugs.example.com/42 "bug tracker"
echo done
