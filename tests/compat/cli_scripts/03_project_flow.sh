#!/usr/bin/env bash
# A project with labels, tasks inside it, listing and deleting the project with its tasks.
. "$(dirname "$0")/common.sh"

pid=$(cli project create "animals" --labels '[{"name": "cat"}, {"name": "dog"}]' \
    --bug_tracker https://bugs.example.com/p)
echo "project $pid"
t1=$(cli task create "cats" local images/img_0.jpg --project_id "$pid" \
    --completion_verification_period 0.05)
t2=$(cli task create "dogs" local images/img_1.jpg images/img_2.jpg --project_id "$pid" \
    --completion_verification_period 0.05)
echo "tasks $t1 $t2"

expect "$(cli project ls)" "$pid" "project ls"
cli project ls --json | jsonq '[(p["id"], p["name"], p["bug_tracker"], p["tasks"]["count"]) for p in data]'
cli task ls --json | jsonq 'sorted((t["name"], t["project_id"], t["size"]) for t in data)'

cli project delete "$pid"
expect "$(cli project ls | lines)" 0 "no project left"
expect "$(cli task ls | lines)" 0 "its tasks are gone"
echo done
