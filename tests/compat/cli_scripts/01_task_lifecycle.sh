#!/usr/bin/env bash
# Create a task from local images, list it, look at it as JSON, delete it.
. "$(dirname "$0")/common.sh"

id=$(cli task create "cars" local images/img_0.jpg images/img_1.jpg images/img_2.jpg \
    --labels '[{"name": "car"}, {"name": "person"}]' --completion_verification_period 0.05)
echo "created $id"
expect "$(cli task ls)" "$id" "task ls lists the new task"

cli task ls --json > tasks.json
expect "$(jsonq 'len(data)' < tasks.json)" 1 "one task"
expect "$(jsonq 'data[0]["name"]' < tasks.json)" cars "name"
expect "$(jsonq 'data[0]["size"]' < tasks.json)" 3 "frames"
jsonq '[(t["id"], t["name"], t["size"], t["status"], t["mode"]) for t in data]' < tasks.json

cli task delete "$id"
expect "$(cli task ls | lines)" 0 "no task left"
echo done
