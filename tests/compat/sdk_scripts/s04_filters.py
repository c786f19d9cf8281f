"""List filters: F expressions, all_/any_/not_, keyword lookups."""

import os

from cvat_sdk import make_client
from cvat_sdk.core.filters import F, Field, Filter, all_, any_, not_

with make_client(
    os.environ["CORPUS_URL"],
    credentials=(os.environ["CORPUS_USER"], os.environ["CORPUS_PASSWORD"]),
) as client:
    names = ["alpha cats", "beta dogs", "gamma cats", "delta birds", "epsilon"]
    ids = [client.projects.create({"name": n}).id for n in names]
    me = client.users.retrieve_current_user()
    client.projects.retrieve(ids[0]).update({"assignee_id": me.id})

    def show(label, found):
        result = sorted(p.name for p in found)
        print(label, result)
        return result

    assert show("contains", client.projects.list(name__contains="cats")) == [
        "alpha cats",
        "gamma cats",
    ]
    show("in", client.projects.list(id__in=ids[1:3]))
    show("lt", client.projects.list(id__lt=ids[2]))
    show("lte", client.projects.list(id__lte=ids[2]))
    show("gt", client.projects.list(id__gt=ids[2]))
    show("gte", client.projects.list(id__gte=ids[2]))
    assert len(show("ne", client.projects.list(id__ne=ids[0]))) == 4
    show("between", client.projects.list(id__between=(ids[1], ids[3])))
    assert show("isset", client.projects.list(assignee__isset=True)) == ["alpha cats"]
    show("not isset", client.projects.list(assignee__isset=False))
    show("F and", client.projects.list(filter=(F.id > ids[0]) & F.name.contains("cats")))
    show("F or", client.projects.list(filter=(F.id == ids[0]) | (F["id"] == ids[4])))
    show("all_", client.projects.list(filter=all_(F.id >= ids[1], not_(F.id == ids[2]))))
    show("any_", client.projects.list(filter=any_(F.name == "epsilon", F.id.one_of([ids[3]]))))
    show("between F", client.projects.list(filter=F.id.between(ids[0], ids[1])))
    show("Field", client.projects.list(filter=Field("name") == "beta dogs"))
    show("Filter json", client.projects.list(filter=Filter('{"==": [{"var": "name"}, "epsilon"]}')))
    show("mixed", client.projects.list(filter=~F.assignee.is_set(), name__contains="a"))
    show("raw text", client.projects.list(filter='{"in": ["birds", {"var": "name"}]}'))
    print(client.projects.list(return_json=True, id__in=[ids[4]]).count('"epsilon"'))
