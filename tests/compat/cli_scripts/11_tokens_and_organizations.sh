#!/usr/bin/env bash
# CVAT_ACCESS_TOKEN instead of --auth, and --org/--organization for organization work.
. "$(dirname "$0")/common.sh"

python3 - > token.txt <<'PY'
import base64, json, os, urllib.request

def call(path, body):
    request = urllib.request.Request(
        os.environ["CVAT_SERVER"] + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json",
                 "Authorization": "Basic " + base64.b64encode(b"admin:admin").decode()},
    )
    return json.load(urllib.request.urlopen(request))

call("/api/organizations", {"slug": "acme", "name": "ACME"})
print(call("/api/auth/access_tokens", {"name": "ci", "read_only": False})["value"])
PY

personal=$(cli task create "personal" local images/img_0.jpg --labels '[{"name": "car"}]' \
    --completion_verification_period 0.05)
org=$(cvat-cli --server-host "$CVAT_SERVER" --auth admin --org acme task create "org task" \
    local images/img_1.jpg --labels '[{"name": "car"}]' --completion_verification_period 0.05)
echo "tasks $personal $org"
echo "personal workspace: $(cli --organization '' task ls)"
echo "acme: $(cli --organization acme task ls)"
cvat-cli --server-host "$CVAT_SERVER" --auth admin --org acme project create "org project" --labels '[]'

export CVAT_ACCESS_TOKEN
CVAT_ACCESS_TOKEN=$(cat token.txt)
echo "with the token: $(cvat-cli --server-host "$CVAT_SERVER" --org acme task ls)"
cvat-cli --server-host "$CVAT_SERVER" --org acme project ls --json | jsonq '[(p["name"], p["organization"] is not None) for p in data]'
echo done
