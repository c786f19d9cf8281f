#!/usr/bin/env bash
# Back up a task and a project, restore both as new objects.
. "$(dirname "$0")/common.sh"

tid=$(cli task create "to back up" local images/*.jpg --labels '[{"name": "car"}]' \
    --completion_verification_period 0.05)
cli task backup "$tid" task-backup.zip --completion_verification_period 0.05
restored=$(cli task create-from-backup task-backup.zip --completion_verification_period 0.05)
echo "task $tid restored as $restored"
[ "$restored" != "$tid" ] || fail "a new task"
cli task ls --json | jsonq 'sorted((t["id"], t["name"], t["size"]) for t in data)'

pid=$(cli project create "proj" --labels '[{"name": "cat"}]')
cli project backup "$pid" project-backup.zip --completion_verification_period 0.05
newp=$(cli project create-from-backup project-backup.zip --completion_verification_period 0.05)
echo "project $pid restored as $newp"
cli project ls --json | jsonq 'sorted((p["id"], p["name"]) for p in data)'
echo done
