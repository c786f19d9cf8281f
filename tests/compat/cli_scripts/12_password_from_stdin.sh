#!/usr/bin/env bash
# Without PASS and without a terminal, the password is read from standard input.
. "$(dirname "$0")/common.sh"
unset PASS

id=$(echo admin | cvat-cli --server-host "$CVAT_SERVER" --auth admin task create "piped" \
    local images/img_0.jpg --labels '[{"name": "car"}]' --completion_verification_period 0.05)
echo "created $id"
echo admin | cvat-cli --server-host "$CVAT_SERVER" --auth admin task ls
PASS=admin cvat-cli --server-host "$CVAT_SERVER" --auth admin task ls
echo "inline: $(cvat-cli --server-host "$CVAT_SERVER" --auth admin:admin task ls)"
echo done
