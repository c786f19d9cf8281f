#!/usr/bin/env bash
# Saved profiles: a personal access token saved once, then used without --auth.
. "$(dirname "$0")/common.sh"

token=$(python3 - <<'PY'
import base64, json, os, urllib.request
request = urllib.request.Request(
    os.environ["CVAT_SERVER"] + "/api/auth/access_tokens",
    data=json.dumps({"name": "ci-token", "read_only": False}).encode(),
    headers={"Content-Type": "application/json",
             "Authorization": "Basic " + base64.b64encode(b"admin:admin").decode()},
)
print(json.load(urllib.request.urlopen(request))["value"])
PY
)
cvat-cli --server-host "$CVAT_SERVER" profile create --name work -- "$token"
echo "$token" | cvat-cli --server-host "$CVAT_SERVER" profile create --name other --set-default
cvat-cli profile list | sed "s#$CVAT_SERVER#SERVER#"
cvat-cli profile list --names-only
cvat-cli profile default

id=$(cvat-cli task create "via profile" local images/img_0.jpg --labels '[{"name": "car"}]' \
    --completion_verification_period 0.05)
echo "created $id with the default profile"
expect "$(cvat-cli --profile work task ls)" "$id" "the named profile sees it"
cvat-cli profile default work
cvat-cli profile delete other
cvat-cli profile list --names-only

cvat-cli config default-server
cvat-cli config default-server "$CVAT_SERVER" | sed "s#$CVAT_SERVER#SERVER#"
cvat-cli profile default --unset
expect "$(cvat-cli --auth admin task ls)" "$id" "the default server, with --auth"
cvat-cli config default-server --unset
echo done
