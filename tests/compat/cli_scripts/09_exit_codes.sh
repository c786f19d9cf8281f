#!/usr/bin/env bash
# Exit codes scripts rely on: 0 for deleting a missing id, 1 for server-side failures,
# 2 for a wrong command line.
. "$(dirname "$0")/common.sh"
set +e

status() { "$@" > /dev/null 2>&1; echo "$?"; }

echo "delete missing: $(status cli task delete 4242)"
echo "export missing: $(status cli task export-dataset 4242 x.zip --completion_verification_period 0.05)"
echo "backup missing: $(status cli project backup 4242 x.zip --completion_verification_period 0.05)"
echo "wrong password: $(status cvat-cli --server-host "$CVAT_SERVER" --auth admin:wrong task ls)"
echo "unknown command: $(status cli task explode)"
echo "missing argument: $(status cli task create onlyname)"
echo "bad labels: $(status cli task create t local images/*.jpg --labels '[{"name": car}]')"
echo "bad with-images: $(status cli task export-dataset 1 x.zip --with-images maybe)"
echo "bad resource type: $(status cli task create t cloud images/img_0.jpg)"
echo "no resources: $(status cli task create t local)"
[ ! -e x.zip ] || fail "no file left behind"
echo done
