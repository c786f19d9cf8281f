"""Organizations: CRUD, memberships, objects created inside an organization."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cvat_client._lowlevel.exceptions import NotFoundException
from cvat_client.core.proxies import Membership, Organization

from .conftest import LABELS


def test_crud_and_memberships(client: Any) -> None:
    org = client.organizations.create({"slug": "acme", "name": "Acme"})
    assert isinstance(org, Organization)
    assert org.slug == "acme"
    assert [o.slug for o in client.organizations.list()] == ["acme"]
    assert client.organizations.retrieve(org.id).name == "Acme"

    memberships = org.get_memberships()
    assert all(isinstance(m, Membership) for m in memberships)
    assert [(m.user.username, str(getattr(m.role, "value", m.role))) for m in memberships] == [
        ("admin", "owner")
    ]

    org.update({"name": "Acme Inc."})
    assert org.name == "Acme Inc."
    org.remove()
    with pytest.raises(NotFoundException):
        client.organizations.retrieve(org.id)


def test_member_roles(client: Any, user_client: Any) -> None:
    org = client.organizations.create({"slug": "team", "name": "Team"})
    worker = user_client("worker", "worker-pass")
    assert worker.organizations.list() == []
    client.api_client.invitations_api.create({"role": "worker", "email": "worker"}, org="team")

    members = {m.user.username: m for m in org.get_memberships()}
    assert set(members) == {"admin", "worker"}
    assert [o.slug for o in worker.organizations.list()] == ["team"]

    membership = members["worker"]
    membership.update({"role": "supervisor"})
    assert str(getattr(membership.role, "value", membership.role)) == "supervisor"
    membership.remove()
    assert [m.user.username for m in org.get_memberships()] == ["admin"]
    assert worker.organizations.list() == []


def test_objects_in_organization_context(client: Any, images: list[Path]) -> None:
    org = client.organizations.create({"slug": "lab", "name": "Lab"})
    client.organization_slug = "lab"
    task = client.tasks.create_from_data({"name": "org-task", "labels": LABELS}, images)
    assert task.organization == org.id
    assert [t.id for t in client.tasks.list()] == [task.id]

    client.organization_slug = ""
    assert client.tasks.list() == []
    # Children are listed in the task's own organization, whatever the context.
    assert len(task.get_jobs()) == 1
    assert {label.name for label in task.get_labels()} == {"car", "person"}
