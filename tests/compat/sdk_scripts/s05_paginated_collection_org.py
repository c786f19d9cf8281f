"""get_paginated_collection: org_id=None is the personal workspace, org_id=N that org."""

import json
import os

from cvat_sdk import make_client
from cvat_sdk.core.helpers import get_paginated_collection

with make_client(
    os.environ["CORPUS_URL"],
    credentials=(os.environ["CORPUS_USER"], os.environ["CORPUS_PASSWORD"]),
) as client:
    org = client.organizations.create({"slug": "corpusorg", "name": "Corpus org"})
    client.projects.create({"name": "personal"})
    with client.organization_context(org.slug):
        client.projects.create({"name": "in org"})
        for i in range(3):
            client.projects.create({"name": f"org {i}"})
    endpoint = client.api_client.projects_api.list_endpoint

    def names(**kwargs):
        return sorted(p.name for p in get_paginated_collection(endpoint, **kwargs))

    personal = names(org_id=None)
    in_org = names(org_id=org.id)
    assert personal == ["personal"], personal
    assert in_org == ["in org", "org 0", "org 1", "org 2"], in_org
    print("personal", personal)
    print("org", in_org)
    client.organization_slug = org.slug
    assert names(org_id=None) == ["personal"]
    print("context", names())
    print("paged", names(page_size=2))
    raw = get_paginated_collection(endpoint, return_json=True, org_id=org.id, page_size=3)
    print("json", sorted(item["name"] for item in raw), type(raw).__name__)
    json.dumps(raw)
    client.organization_slug = None
    print("orgs", [o.slug for o in client.organizations.list()])
