"""Users, organizations and the organization context."""

import os

from cvat_sdk import make_client

with make_client(
    os.environ["CORPUS_URL"],
    credentials=(os.environ["CORPUS_USER"], os.environ["CORPUS_PASSWORD"]),
) as client:
    me = client.users.retrieve_current_user()
    assert me.username == os.environ["CORPUS_USER"]
    print(me.username, me.is_superuser, [u.username for u in client.users.list()])
    print(client.users.retrieve(me.id).username)
    org = client.organizations.create({"slug": "labs", "name": "Labs"})
    print(org.slug, org.name, [o.slug for o in client.organizations.list()])
    org.update({"name": "Labs 2"})
    print(client.organizations.retrieve(org.id).name)
    with client.organization_context("labs"):
        assert client.organization_slug == "labs"
        task = client.tasks.create({"name": "org task", "labels": [{"name": "x"}]})
        print("org task", task.organization == org.id)
    assert client.organization_slug is None
    client.organization_slug = ""
    print("personal", [t.name for t in client.tasks.list()])
    client.organization_slug = None
    print("all", [t.name for t in client.tasks.list()])
    org.remove()
    print("orgs", len(client.organizations.list()))
